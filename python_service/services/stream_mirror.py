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
INCOMING_PER_S = 5  # Binance's limit on incoming messages a second (pings and pongs included)


class StreamMirror:
    def __init__(self, streams, settings, on_count=None, listen_keys=None, user_feed=None):
        self.streams, self.settings, self.on_count = streams, settings, on_count
        self.listen_keys, self.user_feed = listen_keys, user_feed
        self._lock = threading.Lock()
        self.connections = 0
        self.opened = 0

    def serve(self, sock, handshake: bytes, market: str, names: list[str], combined: bool) -> None:
        """Blocks while the connection lasts; `handshake` is written once the URL's streams flow."""
        self.streams.start()
        socket = DownstreamSocket(sock, MAX_MESSAGE_BYTES, self.settings.stream_mirror_queue_bytes, INCOMING_PER_S,
                                  preface=handshake)
        session = self._session(socket, market, names, combined)
        names = [n for n in names if not isinstance(session, UserSession) or not session.holds(n)]
        self._count(+1)
        try:
            session.run(names)
        finally:
            self._count(-1)

    def _session(self, socket: DownstreamSocket, market: str, names: list[str], combined: bool) -> MirrorSession:
        """A user data session when a name is the market's live listenKey; a market data one otherwise
        (a key that is not live names no stream: an empty connection, like /ws/0)."""
        record = self.listen_keys.live(market) if self.listen_keys is not None and names else None
        if record is not None and any(same(name, record["key"]) for name in names):
            return UserSession(socket, self.streams.hub, market, combined, record["key"], record["expires_at"],
                               self.user_feed)
        return MirrorSession(socket, self.streams.hub, market, combined)

    def _count(self, change: int) -> None:
        with self._lock:
            self.connections += change
            self.opened += max(0, change)
        if self.on_count is not None:
            self.on_count(change)

    def describe(self) -> dict:
        """This worker's part (each worker answers for its own bots)."""
        hub = self.streams.hub
        counts = hub.counts()
        relay = self.streams.relay
        return {"connections": self.connections, "opened": self.opened,
                "streams": len(counts), "subscriptions": sum(counts.values()),
                "frames_delivered": hub.delivered, "dropped_slow": hub.dropped,
                "user_data_connections": self.user_feed.connections() if self.user_feed is not None else 0,
                "relay": None if relay is None else {"serving": relay.serving,
                                                     "followers": relay.followers() if relay.serving else None}}
