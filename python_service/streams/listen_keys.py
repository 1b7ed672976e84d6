"""The gateway's own listenKeys for bots (the stream mirror's user data): one per market for the
configured account, as Binance keeps one per account: a POST while one is live hands it back and
extends it, a PUT extends it, a DELETE ends it, and `ttl_s` (LISTEN_KEY_TTL_S, Binance's 60
minutes) without a keepalive ends it too.

They live in the shared store (the host's file, or Redis), so a key made by one worker is kept alive
by another and works on every worker's and host's stream mirror. A key is never logged."""
from __future__ import annotations

import hmac
import secrets
import string
import time
from collections.abc import Callable

PREFIX = "userdata:listenkey:"
KEY_ALPHABET = string.ascii_letters + string.digits
KEY_LENGTH = 64  # Binance's listenKeys are 60-64 letters and digits
KEPT_AFTER_S = 60.0  # a record outlives its key this long in the store (then the store forgets it)


def new_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def same(given: str | None, kept: str | None) -> bool:
    return bool(given) and bool(kept) and hmac.compare_digest(given.encode(), kept.encode())


class ListenKeys:
    def __init__(self, store, ttl_s: float, clock: Callable[[], float] = time.time):
        self.store, self.ttl_s, self.clock = store, ttl_s, clock

    def live(self, market: str) -> dict | None:
        """{"key", "expires_at"} of the market's live key, or None."""
        record = self.store.get(PREFIX + market)
        if not record or not record.get("key") or record.get("expires_at", 0) <= self.clock():
            return None
        return record

    def open(self, market: str) -> str:
        """The live key, extended, or a new one."""
        def change(record):
            now = self.clock()
            key = record["key"] if record and record.get("key") and record.get("expires_at", 0) > now else new_key()
            return {"key": key, "expires_at": now + self.ttl_s}
        return self.store.update(PREFIX + market, change, ttl=self.ttl_s + KEPT_AFTER_S)["key"]

    def keep_alive(self, market: str, given: str | None = None) -> str | None:
        """Extends the live key (`given`, when named, must be it); None when there is no such key."""
        def change(record):
            if not record or not record.get("key") or record.get("expires_at", 0) <= self.clock():
                return None
            if given is not None and not same(given, record["key"]):
                return None
            return {"key": record["key"], "expires_at": self.clock() + self.ttl_s}
        record = self.store.update(PREFIX + market, change, ttl=self.ttl_s + KEPT_AFTER_S)
        live = record and record.get("key") and record.get("expires_at", 0) > self.clock()
        return record["key"] if live and (given is None or same(given, record["key"])) else None

    def close(self, market: str, given: str | None = None) -> bool:
        """Ends the live key (`given`, when named, must be it); False when there was no such key."""
        ended = []

        def change(record):
            live = record and record.get("key") and record.get("expires_at", 0) > self.clock()
            if not live or (given is not None and not same(given, record["key"])):
                return None
            ended.append(True)
            return {"key": None, "expires_at": 0}
        self.store.update(PREFIX + market, change, ttl=KEPT_AFTER_S)
        return bool(ended)

    def is_live(self, market: str, given: str) -> bool:
        record = self.live(market)
        return record is not None and same(given, record["key"])
