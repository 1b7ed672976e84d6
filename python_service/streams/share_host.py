"""The stream share on the host's SQLite file, without Redis (share.py has the lifecycle): the
lease is a key of the host store; the owner writes each change of its board to a table,
numbered, as the entry's whole value (or a tombstone); the others read the rows past the last
number they saw, every FOLLOW_S; interest is a key per market.

An account event (a fill, a balance change) should not wait for the next read: each follower
binds a doorbell, a unix datagram socket in Linux's abstract namespace (no file, no path length,
gone with its process) listed in the host store, and the owner rings every doorbell listed after
writing an event, so followers read at once. Without a doorbell (not Linux) a follower reads
every FOLLOW_S, as before."""
from __future__ import annotations

import errno
import json
import logging
import os
import socket
import uuid
from collections.abc import Callable
from typing import Any

from ..stores.host import HostDB, HostStore
from .share import INTEREST_KEPT_S, LEASE_S, Change

log = logging.getLogger(__name__)

FOLLOW_S = 0.1  # how far a follower's copy may trail the owner's (well inside STREAM_SILENCE_S)
EVENTS_KEPT = 1000  # the newest events kept for followers that read every FOLLOW_S
OWNER_KEY = "streams:owner"
BELLS_KEY = "streams:bells"  # the followers' doorbells: [abstract socket name]
_SCHEMA = """
CREATE TABLE IF NOT EXISTS stream_rows (key TEXT PRIMARY KEY, value TEXT NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stream_rows_seq ON stream_rows (seq);
"""


class HostBackend:
    def __init__(self, store: HostStore, clock: Callable[[], float]):
        self.store, self.clock = store, clock
        self.rows = HostDB(os.path.dirname(store.db.path), _SCHEMA)
        self.token = uuid.uuid4().hex
        self._claimed: dict | None = None  # the lease as this worker last wrote it
        self._seen = 0  # the number of the last row applied
        self._events_after: int | None = None  # events numbered up to this were pushed before we followed

    def hold(self) -> bool:
        held = self.store.update(OWNER_KEY, self._claim, ttl=LEASE_S)
        return bool(held) and held.get("token") == self.token

    def _claim(self, held: dict | None) -> dict | None:
        """Ours when free (absent or expired) or already ours: renewed with a new time."""
        if held is None or held.get("token") == self.token:
            self._claimed = {"token": self.token, "at": self.clock()}
            return self._claimed
        return held

    def release(self) -> None:
        if self._claimed is not None:
            self.store.delete_if(OWNER_KEY, self._claimed)

    def publish(self, change: Change, entry) -> None:
        if change.mode == "meta":
            row, value = f"meta:{change.market}", change.payload
        elif change.mode == "drop":
            row, value = _data_row(change.market, change.key), None  # a tombstone, numbered like any change
        elif change.mode == "event":  # a row of its own each (never replaced by the next), pruned when old
            row, value = f"event:{change.market}:{change.key}:{uuid.uuid4().hex}", [change.payload, change.event_s]
        else:
            row, value = _data_row(change.market, change.key), [entry.data, entry.event_s]
        with self.rows.write() as con:
            con.execute("INSERT OR REPLACE INTO stream_rows (key, value, seq) VALUES "
                        "(?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM stream_rows))", (row, json.dumps(value)))
            if change.mode == "event":
                con.execute("DELETE FROM stream_rows WHERE key LIKE 'event:%' AND seq < "
                            "(SELECT max(seq) FROM stream_rows) - ?", (EVENTS_KEPT,))
        if change.mode == "event":
            self.ring()

    def ring(self) -> None:
        """Wakes every follower (after the row is committed). A doorbell nobody has bound any more
        (its worker died) is struck off the list; a full one already has a wake-up waiting."""
        gone = []
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
            sender.setblocking(False)
            for name in self.store.get(BELLS_KEY) or []:
                try:
                    sender.sendto(b"!", _abstract(name))
                except OSError as err:
                    if err.errno in (errno.ECONNREFUSED, errno.ENOENT):
                        gone.append(name)
        if gone:
            self.store.update(BELLS_KEY, lambda names: [n for n in names or [] if n not in gone])

    def follow(self, apply: Callable[[Change], None], stop, following: Callable[[], bool]) -> None:
        if self._events_after is None:  # now, not at the first read: that may be woken by the next event itself
            with self.rows.read() as con:
                self._events_after = con.execute("SELECT coalesce(max(seq), 0) FROM stream_rows").fetchone()[0]
        bell = self._doorbell()
        try:
            while not stop.is_set():
                if bell is None:
                    stop.wait(FOLLOW_S)
                else:
                    _wait_for_ring(bell, FOLLOW_S)
                if following() and not stop.is_set():
                    self.catch_up(apply)
        finally:
            if bell is not None:
                self.store.update(BELLS_KEY, lambda names: [n for n in names or [] if n != self._bell_name])
                bell.close()

    @property
    def _bell_name(self) -> str:
        return f"binance-gateway-bell-{self.token}"

    def _doorbell(self) -> socket.socket | None:
        bell = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            bell.bind(_abstract(self._bell_name))
        except OSError as err:  # no abstract namespace (not Linux)
            bell.close()
            log.warning("no doorbell for stream events (%s): reading every %.2f s", err, FOLLOW_S)
            return None
        self.store.update(BELLS_KEY, lambda names: [*(names or []), self._bell_name])
        return bell

    def catch_up(self, apply: Callable[[Change], None]) -> None:
        """Applies the owner's changes since the last one seen."""
        with self.rows.read() as con:
            changed = con.execute("SELECT key, value, seq FROM stream_rows WHERE seq > ? ORDER BY seq",
                                  (self._seen,)).fetchall()
        if self._events_after is None:  # events from before this worker followed are not its clients' news
            self._events_after = changed[-1][2] if changed else 0
        for row, value, seq in changed:
            kind, market, *rest = row.split(":", 2)
            value = json.loads(value)
            if kind == "meta":  # the market of a meta row may hold ':' itself ("user:spot")
                apply(Change(row[len("meta:"):], "meta", "meta", value, 0.0))
            elif kind == "event":
                if seq > self._events_after:
                    apply(Change(market, rest[0].rsplit(":", 1)[0], "event", value[0], value[1]))
            elif value is None:
                apply(Change(market, rest[0], "drop", None, 0.0))
            else:
                apply(Change(market, rest[0], "put", value[0], value[1]))
            self._seen = seq

    def snapshot(self, market: str, key: str) -> tuple[Any, float] | None:
        with self.rows.read() as con:
            row = con.execute("SELECT value FROM stream_rows WHERE key = ?", (_data_row(market, key),)).fetchone()
        value = json.loads(row[0]) if row else None
        return tuple(value) if value else None

    def note_interest(self, market: str, key: str, at: float, detail: Any) -> None:
        self.store.update(f"streams:interest:{market}", lambda known: {
            **{k: v for k, v in (known or {}).items() if at - v[0] < INTEREST_KEPT_S}, key: [at, detail]})

    def note_interests(self, market: str, keys: list[str], at: float) -> None:
        self.store.update(f"streams:interest:{market}", lambda known: {
            **{k: v for k, v in (known or {}).items() if at - v[0] < INTEREST_KEPT_S}, **{k: [at, None] for k in keys}})

    def interest(self, market: str, now: float) -> dict[str, tuple[float, Any]]:
        known = self.store.get(f"streams:interest:{market}") or {}
        return {k: tuple(v) for k, v in known.items()}


def _wait_for_ring(bell: socket.socket, seconds: float) -> None:
    """Until the doorbell rings or `seconds` pass; every ring already waiting is taken with it."""
    bell.settimeout(seconds)
    try:
        bell.recv(16)
        bell.setblocking(False)
        while True:
            bell.recv(16)
    except (TimeoutError, BlockingIOError, InterruptedError):
        pass


def _abstract(name: str) -> str:
    return "\0" + name


def _data_row(market: str, key: str) -> str:
    return f"data:{market}:{key}"
