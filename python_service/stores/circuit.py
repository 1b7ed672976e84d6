"""A short circuit around Redis, shared by the store, the cache and single flight of one process."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Circuit:
    """A short circuit around Redis: after a failure, Redis is left alone for `open_s`
    (everything uses process memory, no call waits for a silent Redis), then one caller
    tries it again. Shared by the store, the cache and single flight of one process."""

    def __init__(self, open_s: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self.open_s, self.clock = open_s, clock
        self._opened_at: float | None = None
        self._trying = False
        self._lock = threading.Lock()

    def usable(self) -> bool:
        """True while Redis is believed to work (the cache asks this; it never makes the trial)."""
        return self._opened_at is None

    def allows(self) -> bool:
        """True when the caller may use Redis now: closed, or the one trial after `open_s`."""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._trying or self.clock() - self._opened_at < self.open_s:
                return False
            self._trying = True
            return True

    def failed(self) -> None:
        with self._lock:
            self._opened_at, self._trying = self.clock(), False

    def succeeded(self) -> None:
        with self._lock:
            self._opened_at, self._trying = None, False
