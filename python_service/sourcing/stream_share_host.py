"""One websocket connection per market per host without Redis: the workers share the host
store (upstream/host_store.py). Same roles as RedisShare (stream_share.py): a lease elects
the owner (renewed every second, taken over within LEASE_S when the owner dies); the owner
writes each change of its board to a table, numbered; the others read the rows past the
last number they saw, every FOLLOW_S. Clients' interest reaches the owner through a key."""
from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from typing import Any, Optional

from .stream_share import INTEREST_WRITE_S, LEASE_S, RENEW_S

log = logging.getLogger(__name__)

INTEREST_KEPT_S = 3600.0  # interest older than this is dropped from the shared key (STREAM_IDLE_S is less)
FOLLOW_S = 0.1  # how far a follower's copy may trail the owner's (well inside STREAM_SILENCE_S)
OWNER_KEY = "streams:owner"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS stream_rows (key TEXT PRIMARY KEY, value TEXT NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stream_rows_seq ON stream_rows (seq);
"""


class HostShare:
    def __init__(self, store, clock=time.time):
        from ..upstream.host_store import HostDB

        self.store, self.clock = store, clock
        self.rows = HostDB(os.path.dirname(store.db.path), _SCHEMA)
        self.token = uuid.uuid4().hex
        self.is_owner = False
        self._streams = None
        self._seen = 0
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
            self.store.delete_if(OWNER_KEY, self.token)

    # ----- the election -----
    def _elect(self) -> None:
        while not self._stop.is_set():
            try:
                held = self.store.update(OWNER_KEY, self._claim, ttl=LEASE_S)
                mine = bool(held) and held.get("token") == self.token
            except Exception as err:  # noqa: BLE001 - the file is unusable: do not connect
                log.warning("stream lease check failed: %s", err)
                mine = False
            if mine and not self.is_owner:
                self.is_owner = True
                log.info("this worker owns the websocket streams")
                self._streams.own()
            elif self.is_owner and not mine:
                log.warning("stream lease lost: this worker stops its streams")
                self.is_owner = False
                self._streams.disown()
            self._stop.wait(RENEW_S)

    def _claim(self, held: Optional[dict]) -> Optional[dict]:
        """Ours when free (absent or expired) or already ours: renewed with a new time."""
        if held is None or held.get("token") == self.token:
            return {"token": self.token, "at": self.clock()}
        return held

    # ----- the owner writes -----
    def _publish(self, market: str, key: str, payload: Any, event_s: float, mode: str) -> None:
        if not self.is_owner:
            return  # a copy from the owner: not ours to publish
        if mode == "meta":
            row, value = f"meta:{market}", payload
        elif mode == "drop":
            row, value = f"data:{market}:{key}", None  # a tombstone, numbered like any change
        else:
            entry = self._streams.board.get(market, key)
            if entry is None:
                return
            row, value = f"data:{market}:{key}", [entry.data, entry.event_s]
        try:
            with self.rows.write() as con:
                con.execute("INSERT OR REPLACE INTO stream_rows (key, value, seq) VALUES "
                            "(?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM stream_rows))", (row, json.dumps(value)))
        except Exception as err:  # noqa: BLE001 - the other workers fall back to REST meanwhile
            log.warning("could not share stream data: %s", err)

    # ----- the others read -----
    def _follow(self) -> None:
        while not self._stop.wait(FOLLOW_S):
            if not self.is_owner:
                self.catch_up()

    def catch_up(self) -> None:
        """Applies the owner's changes since the last one seen."""
        try:
            with self.rows.read() as con:
                changed = con.execute("SELECT key, value, seq FROM stream_rows WHERE seq > ? ORDER BY seq",
                                      (self._seen,)).fetchall()
        except Exception as err:  # noqa: BLE001 - try again next round
            log.warning("stream share read failed: %s", err)
            return
        for row, value, seq in changed:
            self._apply(row, json.loads(value))
            self._seen = seq

    def _apply(self, row: str, value: Any) -> None:
        board = self._streams.board
        kind, market, *rest = row.split(":", 2)
        if kind == "meta":
            board.set_meta(market, **value)
        elif value is None:
            board.drop(market, rest[0])
        else:
            board.put(market, rest[0], value[0], value[1])

    # ----- interest from every worker -----
    def note_interest(self, market: str, key: str, detail: Any) -> None:
        now = self.clock()
        if now - self._noted.get((market, key, detail), 0) < INTEREST_WRITE_S:
            return
        self._noted[(market, key, detail)] = now
        try:
            self.store.update(f"streams:interest:{market}", lambda known: {
                **{k: v for k, v in (known or {}).items() if now - v[0] < INTEREST_KEPT_S}, key: [now, detail]})
        except Exception as err:  # noqa: BLE001 - then this client is served by REST
            log.warning("could not note stream interest: %s", err)

    def interest(self, market: str) -> dict[str, tuple[float, Optional[Any]]]:
        if not self.is_owner:
            return {}
        try:
            known = self.store.get(f"streams:interest:{market}") or {}
        except Exception:  # noqa: BLE001
            return {}
        return {k: tuple(v) for k, v in known.items()}
