"""The one way a test or a benchmark waits for something whose timing it does not control."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

WAIT_S = 15  # the usual bound on a busy 2-core machine; a readiness wait, never a timed assertion

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], what: str, seconds: float = WAIT_S, interval: float = 0.02,
               detail: Callable[[], object] | None = None) -> T:
    """Calls `predicate` until it returns something truthy, and returns that. If `seconds` pass
    first, raises AssertionError naming `what` (with `detail()` after it, when given)."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            message = f"timed out after {seconds:g} s waiting for {what}"
            raise AssertionError(f"{message}:\n{detail()}" if detail else message)
        time.sleep(interval)
