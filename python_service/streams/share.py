"""One websocket connection per market per host (per deployment with Redis), however many
workers: the workers elect an owner with a lease (renewed every RENEW_S; when the owner
dies the lease runs out within LEASE_S and another worker takes over); the owner writes
each change of its board where the others read it, and they keep a copy; clients' interest
in on-demand streams reaches the owner. This is the lifecycle; where the lease, the changes
and the interest live is a backend's (share_host.py: the host's SQLite file; share_redis.py:
Redis), with these methods:

    hold() -> bool                       takes or renews the lease; True while it is ours
    release()                            gives it up (only if still ours)
    publish(change, entry)               the owner's change, and the board's whole entry after it
    follow(apply, stop, following)       calls apply(change) for each change of the owner until stop
    snapshot(market, key) -> (data, event_s) | None     the owner's whole entry
    note_interest(market, key, at, detail) / interest(market) -> {key: (at, detail)}
    note_interests(market, keys, at)     several keys without detail in one write (the stream mirror)"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

LEASE_S = 5.0  # an owner that stops renewing is replaced within this
RENEW_S = 1.0
INTEREST_WRITE_S = 1.0  # a worker writes one key's interest at most this often
INTEREST_KEPT_S = 3600.0  # interest older than this is dropped by the backends (STREAM_IDLE_S is less)
UNSTORED = ("meta", "drop", "event")  # changes that carry no board entry of their own


@dataclass(frozen=True)
class Change:
    """One change of the owner's board (board.Listener's arguments): mode "put", "merge",
    "candle", "meta", "drop" or "event" (see board.py)."""
    market: str
    key: str
    mode: str
    payload: Any
    event_s: float


class Share:
    def __init__(self, backend, clock: Callable[[], float] = time.time):
        self.backend, self.clock = backend, clock
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
                self.backend.release()
            except Exception:  # noqa: BLE001 - the lease runs out by itself within LEASE_S
                pass

    # ----- the election -----
    def _elect(self) -> None:
        while not self._stop.is_set():
            self.elect()
            self._stop.wait(RENEW_S)

    def elect(self) -> None:
        """One round: take or renew the lease; connect when it became ours, stop when it was lost."""
        try:
            mine = self.backend.hold()
        except Exception as err:  # noqa: BLE001 - lease store unusable or lease lost: do not connect
            log.warning("stream lease check failed: %s", type(err).__name__)
            mine = False
        if mine and not self.is_owner:
            self.is_owner = True
            log.info("this worker owns the websocket streams")
            self._streams.own()
        elif self.is_owner and not mine:
            log.warning("stream lease lost: this worker stops its streams")
            self.is_owner = False
            self._streams.disown()

    # ----- the owner writes -----
    def _publish(self, market: str, key: str, payload: Any, event_s: float, mode: str) -> None:
        if not self.is_owner:
            return  # a copy from the owner: not ours to publish
        entry = None if mode in UNSTORED else self._streams.board.get(market, key)
        if mode not in UNSTORED and entry is None:
            return
        try:
            self.backend.publish(Change(market, key, mode, payload, event_s), entry)
        except Exception as err:  # noqa: BLE001 - the other workers fall back to REST meanwhile
            log.warning("could not share stream data: %s", err)

    # ----- the others read -----
    def _follow(self) -> None:
        while not self._stop.is_set():
            try:
                self.backend.follow(self.apply, self._stop, lambda: not self.is_owner)
            except Exception as err:  # noqa: BLE001 - the backend is away: try again shortly
                log.warning("stream share read failed: %s", err)
                self._stop.wait(1.0)

    def apply(self, change: Change) -> None:
        """The owner's change, applied to this worker's copy of the board."""
        if self.is_owner:
            return
        board, market, key = self._streams.board, change.market, change.key
        if change.mode == "meta":
            board.set_meta(market, **change.payload)
        elif change.mode == "event":
            board.emit(market, key, change.payload, change.event_s)
        elif change.mode == "drop":
            board.drop(market, key)
        elif change.mode in ("merge", "candle") and board.get(market, key) is None:
            whole = self.backend.snapshot(market, key)  # only a part came: the owner's whole entry
            if whole is not None:
                board.put(market, key, *whole)
        elif change.mode == "merge":
            board.merge(market, key, change.payload, change.event_s)
        elif change.mode == "candle":
            board.candle(market, key, change.payload, change.event_s)
        else:
            board.put(market, key, change.payload, change.event_s)

    # ----- interest from every worker -----
    def note_interest(self, market: str, key: str, detail: Any) -> None:
        now = self.clock()
        if now - self._noted.get((market, key, detail), 0) < INTEREST_WRITE_S:
            return
        self._noted[(market, key, detail)] = now
        try:
            self.backend.note_interest(market, key, now, detail)
        except Exception as err:  # noqa: BLE001 - then this client is served by REST
            log.warning("could not note stream interest: %s", err)

    def note_interests(self, market: str, keys: list[str]) -> None:
        """Several keys at once (the stream mirror's), in one write, each at most every INTEREST_WRITE_S."""
        now = self.clock()
        due = [k for k in keys if now - self._noted.get((market, k, None), 0) >= INTEREST_WRITE_S]
        if not due:
            return
        for key in due:
            self._noted[(market, key, None)] = now
        try:
            self.backend.note_interests(market, due, now)
        except Exception as err:  # noqa: BLE001 - the next round writes them again
            log.warning("could not note stream interest: %s", err)

    def interest(self, market: str) -> dict[str, tuple[float, Any | None]]:
        """What every worker's clients asked for (only the owner needs it)."""
        if not self.is_owner:
            return {}
        try:
            return self.backend.interest(market, self.clock())
        except Exception:  # noqa: BLE001 - nothing more than this worker's own interest for now
            return {}
