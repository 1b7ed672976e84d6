"""The stream mirror for the routes: serves one bot's websocket (streams/mirror_session.py) on the
socket the route handed over, and counts the connections for /api/status and the metrics. A URL
that names the market's live gateway listenKey (streams/listen_keys.py) gets the account's events
too (streams/user_session.py)."""
from __future__ import annotations

import threading

from ..streams.downstream import DownstreamSocket
from ..streams.listen_keys import same
from ..streams.mirror_session import MirrorSession
from ..streams.user_session import UserSession

MAX_MESSAGE_BYTES = 64 * 1024  # a SUBSCRIBE of 1,024 streams is about 30 kB
# Binance's limits on incoming messages a second (pings and pongs included): spot 5, USDT-M futures 10
INCOMING_PER_S = {"spot": 5, "futures": 10}


class StreamMirror:
    def __init__(self, streams, settings, on_count=None):
        self.streams, self.settings, self.on_count = streams, settings, on_count
        self._lock = threading.Lock()
        self.connections = 0
        self.opened = 0

    def serve(self, sock, handshake: bytes, market: str, names: list[str], combined: bool) -> None:
        """Blocks while the connection lasts; `handshake` is written once the URL's streams flow."""
        self.streams.start()
        socket = DownstreamSocket(sock, MAX_MESSAGE_BYTES, self.settings.stream_mirror_queue_bytes,
                                  INCOMING_PER_S[market], preface=handshake)
        session = MirrorSession(socket, self.streams.hub, market, combined)
        session, names = self._with_user_data(session, market, names)
        self._count(+1)
        try:
            session.run(names)
        finally:
            self._count(-1)

    def _with_user_data(self, session: MirrorSession, market: str, names: list[str]) -> tuple:
        """A user data session instead when a name is the market's live listenKey, with the other names (a
        key that is not live names no stream: an empty connection, like /ws/0)."""
        keys = getattr(self.streams, "listen_keys", None)
        record = keys.live(market) if keys is not None and names else None
        if record is None or not any(same(name, record["key"]) for name in names):
            return session, names
        user = UserSession(session.socket, session.hub, market, session.combined, record["key"], record["expires_at"],
                           self.streams.user_feed)
        return user, [name for name in names if not user.holds(name)]

    def _count(self, change: int) -> None:
        with self._lock:
            self.connections += change
            self.opened += max(0, change)
        if self.on_count is not None:
            self.on_count(change)

    def describe(self) -> dict:
        """This worker's part (each worker answers for its own bots)."""
        hub, feed = self.streams.hub, getattr(self.streams, "user_feed", None)
        counts = hub.counts()
        relay = self.streams.relay
        return {"connections": self.connections, "opened": self.opened,
                "streams": len(counts), "subscriptions": sum(counts.values()),
                "frames_delivered": hub.delivered, "dropped_slow": hub.dropped,
                "user_data_connections": feed.connections() if feed is not None else 0,
                "relay": None if relay is None else {"serving": relay.serving,
                                                     "followers": relay.followers() if relay.serving else None}}
