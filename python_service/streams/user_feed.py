"""The account's events to bots' listenKey connections on this worker (the stream mirror's user data).

The events are the gateway's own user data streams' (user_stream.py): account.py emits each one as
Binance sent it on the board ("account:binance"), and the share brings the owner's to every worker
of the host (and of the deployment, with Redis), as it does for GET /api/binance/stream/account. No
second upstream user stream is opened for bots.

Every CHECK_S the live keys are read from the shared store (listen_keys.py): a connection whose key
is no longer live gets Binance's `listenKeyExpired` and is closed when the key ran out, and is closed
without it when the key was deleted."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .account import BINANCE_EVENT

log = logging.getLogger(__name__)

CHECK_S = 1.0


class UserFeed:
    def __init__(self, board, keys, check_s: float = CHECK_S, clock: Callable[[], float] = time.time):
        self.keys, self.check_s, self.clock = keys, check_s, clock
        self._sessions: dict[str, set] = {}
        self._lock = threading.Lock()
        self._checker: threading.Thread | None = None
        self.delivered = 0
        board.listen(self._on_change)

    def attach(self, session) -> None:
        with self._lock:
            self._sessions.setdefault(session.market, set()).add(session)
            if self._checker is None:
                self._checker = threading.Thread(target=self._check_forever, daemon=True, name="listen-key-check")
                self._checker.start()

    def detach(self, session) -> None:
        with self._lock:
            self._sessions.get(session.market, set()).discard(session)

    def connections(self) -> int:
        with self._lock:
            return sum(len(sessions) for sessions in self._sessions.values())

    def _on_change(self, market: str, key: str, payload, event_s: float, mode: str) -> None:
        if mode != "event" or key != BINANCE_EVENT or not isinstance(payload, dict):
            return
        with self._lock:
            sessions = list(self._sessions.get(market, ()))
        for session in sessions:
            if session.deliver(payload):
                self.delivered += 1

    def _check_forever(self) -> None:
        while True:
            time.sleep(self.check_s)
            try:
                self.check()
            except Exception:  # noqa: BLE001 - the store is away: the next round checks again
                log.warning("could not check the bots' listenKeys")

    def check(self) -> None:
        """Ends the connections whose key is no longer live; the others learn its new expiry."""
        with self._lock:
            by_market = {market: list(sessions) for market, sessions in self._sessions.items() if sessions}
        for market, sessions in by_market.items():
            record = self.keys.live(market)
            for session in sessions:
                if record is not None and session.holds(record["key"]):
                    session.expires_at = record["expires_at"]
                else:
                    session.end(expired=self.clock() >= session.expires_at)
