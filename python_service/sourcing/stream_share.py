"""One websocket connection per market per host, however many workers: with Redis, the
workers elect an owner with a lease (redis-py's Lock, renewed every second; when the
owner dies, the lease runs out within LEASE_S and another worker takes over), the owner
writes what its streams deliver to Redis and publishes each change; the others keep a
copy from those messages. Their clients' interest (on-demand streams) reaches the owner
through a Redis hash."""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from typing import Any, Optional

log = logging.getLogger(__name__)

LEASE_S = 5.0  # an owner that stops renewing is replaced within this
RENEW_S = 1.0
SNAPSHOT_TTL_S = 600
INTEREST_WRITE_S = 1.0  # a worker refreshes one key's interest at most this often
PREFIX = "gateway:streams:"
CHANNEL = PREFIX + "events"


class RedisShare:
    def __init__(self, client, clock=time.time):
        self.client, self.clock = client, clock
        self.token = uuid.uuid4().hex
        self.lock = client.lock(PREFIX + "owner", timeout=LEASE_S, thread_local=False)
        self.is_owner = False
        self._streams = None
        self._stop = threading.Event()
        self._noted: dict[tuple, float] = {}

    # ----- lifecycle -----
    def start(self, streams) -> None:
        self._streams = streams
        streams.board.listen(self._publish)
        threading.Thread(target=self._elect, daemon=True, name="stream-lease").start()
        threading.Thread(target=self._follow, daemon=True, name="stream-follow").start()

    def stop(self) -> None:
        self._stop.set()
        if self.is_owner:
            try:
                self.lock.release()
            except Exception:  # noqa: BLE001 - the lease runs out by itself
                pass

    # ----- the election -----
    def _elect(self) -> None:
        while not self._stop.is_set():
            try:
                if self.is_owner:
                    self.lock.reacquire()
                elif self.lock.acquire(blocking=False):
                    self.is_owner = True
                    log.info("this worker owns the websocket streams")
                    self._streams.own()
            except Exception as err:  # noqa: BLE001 - lost the lease or Redis: stop connecting
                if self.is_owner:
                    log.warning("stream lease lost (%s): this worker stops its streams", type(err).__name__)
                    self.is_owner = False
                    self._streams.disown()
            self._stop.wait(RENEW_S)

    # ----- the owner writes -----
    def _publish(self, market: str, key: str, payload: Any, event_s: float, mode: str) -> None:
        if not self.is_owner:
            return  # a copy from the owner: not ours to publish
        try:
            pipe = self.client.pipeline(transaction=False)
            if mode == "meta":
                pipe.set(f"{PREFIX}meta:{market}", json.dumps(payload), ex=SNAPSHOT_TTL_S)
            elif mode == "drop":
                pipe.delete(f"{PREFIX}data:{market}:{key}")
            else:
                entry = self._streams.board.get(market, key)
                if entry is not None:
                    pipe.set(f"{PREFIX}data:{market}:{key}", json.dumps([entry.data, entry.event_s]),
                             ex=SNAPSHOT_TTL_S)
            pipe.publish(CHANNEL, json.dumps({"from": self.token, "m": market, "k": key, "p": payload,
                                              "e": event_s, "mode": mode}))
            pipe.execute()
        except Exception as err:  # noqa: BLE001 - the other workers fall back to REST meanwhile
            log.warning("could not share stream data: %s", err)

    # ----- the others read -----
    def _follow(self) -> None:
        while not self._stop.is_set():
            try:
                pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "message":
                        self._apply(json.loads(message["data"]))
            except Exception as err:  # noqa: BLE001 - Redis away: try again shortly
                log.warning("stream share subscription failed: %s", err)
                self._stop.wait(1.0)

    def _apply(self, message: dict) -> None:
        if message.get("from") == self.token or self.is_owner:
            return
        board, market, key, mode = self._streams.board, message["m"], message["k"], message["mode"]
        if mode == "meta":
            board.set_meta(market, **message["p"])
        elif mode == "drop":
            board.drop(market, key)
        elif board.get(market, key) is None:
            self._load(market, key)  # the snapshot already holds this change
        elif mode == "merge":
            board.merge(market, key, message["p"], message["e"])
        elif mode == "candle":
            board.candle(market, key, message["p"], message["e"])
        else:
            board.put(market, key, message["p"], message["e"])

    def _load(self, market: str, key: str) -> None:
        raw = self.client.get(f"{PREFIX}data:{market}:{key}")
        if raw:
            data, event_s = json.loads(raw)
            self._streams.board.put(market, key, data, event_s)

    # ----- interest from every worker -----
    def note_interest(self, market: str, key: str, detail: Any) -> None:
        now = self.clock()
        if now - self._noted.get((market, key, detail), 0) < INTEREST_WRITE_S:
            return
        self._noted[(market, key, detail)] = now
        try:
            self.client.hset(f"{PREFIX}interest:{market}", key, json.dumps([now, detail]))
        except Exception as err:  # noqa: BLE001 - then this client is served by REST
            log.warning("could not note stream interest: %s", err)

    def interest(self, market: str) -> dict[str, tuple[float, Optional[Any]]]:
        if not self.is_owner:
            return {}
        try:
            raw = self.client.hgetall(f"{PREFIX}interest:{market}")
        except Exception:  # noqa: BLE001
            return {}
        return {k.decode() if isinstance(k, bytes) else k: tuple(json.loads(v)) for k, v in raw.items()}
