"""A bot's connection to a gateway listenKey (`/ws/<listenKey>`, `/stream?streams=<listenKey>`, and
the futures roots): the account's events as Binance sends them on a listenKey stream, the bare event
on a raw connection, `{"stream": <listenKey>, "data": event}` on a combined one. Everything else is
a stream mirror connection's (mirror_session.py): market streams may be subscribed beside the key,
and LIST_SUBSCRIPTIONS names the key first, as at Binance."""
from __future__ import annotations

import json
import time

from .listen_keys import same
from .mirror_session import MirrorSession


class UserSession(MirrorSession):
    def __init__(self, socket, hub, market: str, combined: bool, listen_key: str, expires_at: float, feed):
        super().__init__(socket, hub, market, combined)
        self.listen_key, self.expires_at, self.feed = listen_key, expires_at, feed
        self.ended = False

    def run(self, initial: list[str]) -> None:
        self.feed.attach(self)
        try:
            super().run(initial)
        finally:
            self.feed.detach(self)

    def holds(self, key: str) -> bool:
        return same(self.listen_key, key)

    def deliver(self, event: dict) -> bool:
        """One account event; False when the connection no longer takes it."""
        if self.ended:
            return False
        payload = {"stream": self.listen_key, "data": event} if self.combined else event
        return self.socket.send_text(json.dumps(payload, separators=(",", ":"), ensure_ascii=False))

    def end(self, expired: bool) -> None:
        """The key ran out (Binance's listenKeyExpired first) or was deleted: the connection closes."""
        if self.ended:
            return
        self.ended = True
        if expired:
            event = {"e": "listenKeyExpired", "E": int(time.time() * 1000), "listenKey": self.listen_key}
            self.socket.send_text(json.dumps({"stream": self.listen_key, "data": event} if self.combined else event,
                                             separators=(",", ":")))
        self.socket.close(1000, "listenKey expired" if expired else "listenKey closed")

    def _on_list(self, params: list) -> list[str]:
        return [self.listen_key, *super()._on_list(params)]
