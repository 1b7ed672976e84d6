"""The stream mirror for the routes: serves one bot's websocket (streams/mirror_session.py) on the
socket the route handed over, and counts the connections for /api/status and the metrics."""
from __future__ import annotations

import threading

from ..streams.downstream import DownstreamSocket
from ..streams.mirror_session import MirrorSession

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
        self._count(+1)
        try:
            session.run(names)
        finally:
            self._count(-1)

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
                "relay": None if relay is None else {"serving": relay.serving,
                                                     "followers": relay.followers() if relay.serving else None}}
