"""The stream share on Redis (share.py has the lifecycle): the lease is redis-py's Lock; the
owner keeps each entry's whole value under a key and publishes each change on a channel,
which the others follow; interest is a hash per market."""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from .share import INTEREST_KEPT_S, LEASE_S, Change

SNAPSHOT_TTL_S = 600
PREFIX = "gateway:streams:"
CHANNEL = PREFIX + "events"


class RedisBackend:
    def __init__(self, client):
        self.client = client
        self.token = uuid.uuid4().hex  # this worker's messages, which it does not apply to itself
        self.lock = client.lock(PREFIX + "owner", timeout=LEASE_S, thread_local=False)
        self._held = False

    def hold(self) -> bool:
        try:
            if self._held:
                self.lock.reacquire()  # raises when the lease was lost meanwhile
            else:
                self._held = self.lock.acquire(blocking=False)
        except Exception:
            self._held = False
            raise
        return self._held

    def release(self) -> None:
        self._held = False
        self.lock.release()

    def publish(self, change: Change, entry) -> None:
        pipe = self.client.pipeline(transaction=False)
        if change.mode == "meta":
            pipe.set(f"{PREFIX}meta:{change.market}", json.dumps(change.payload), ex=SNAPSHOT_TTL_S)
        elif change.mode == "drop":
            pipe.delete(_data_key(change.market, change.key))
        elif change.mode != "event":  # an event is only published, never kept
            pipe.set(_data_key(change.market, change.key), json.dumps([entry.data, entry.event_s]), ex=SNAPSHOT_TTL_S)
        pipe.publish(CHANNEL, json.dumps({"from": self.token, "m": change.market, "k": change.key,
                                          "p": change.payload, "e": change.event_s, "mode": change.mode}))
        pipe.execute()

    def follow(self, apply: Callable[[Change], None], stop, following: Callable[[], bool]) -> None:
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(CHANNEL)
            while not stop.is_set():
                message = pubsub.get_message(timeout=1.0)
                if message and message.get("type") == "message":
                    sent = json.loads(message["data"])
                    if sent.get("from") != self.token:
                        apply(Change(sent["m"], sent["k"], sent["mode"], sent["p"], sent["e"]))
        finally:
            pubsub.close()

    def snapshot(self, market: str, key: str) -> tuple[Any, float] | None:
        raw = self.client.get(_data_key(market, key))
        return tuple(json.loads(raw)) if raw else None

    def note_interest(self, market: str, key: str, at: float, detail: Any) -> None:
        self.client.hset(f"{PREFIX}interest:{market}", key, json.dumps([at, detail]))

    def note_interests(self, market: str, keys: list[str], at: float) -> None:
        self.client.hset(f"{PREFIX}interest:{market}", mapping={k: json.dumps([at, None]) for k in keys})

    def interest(self, market: str, now: float) -> dict[str, tuple[float, Any]]:
        name = f"{PREFIX}interest:{market}"
        known = {k.decode() if isinstance(k, bytes) else k: tuple(json.loads(v))
                 for k, v in self.client.hgetall(name).items()}
        old = [key for key, (at, _) in known.items() if now - at >= INTEREST_KEPT_S]
        if old:
            self.client.hdel(name, *old)
        return {key: value for key, value in known.items() if key not in old}


def _data_key(market: str, key: str) -> str:
    return f"{PREFIX}data:{market}:{key}"
