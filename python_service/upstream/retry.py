"""The retry policy as a small value object (after urllib3's Retry)."""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` tries in all for a transient failure, exponential backoff with
    jitter between them, and no new attempt once `total_s` would be exceeded."""

    attempts: int = 3
    backoff_factor: float = 0.2  # first wait ~0.2 s, then 0.4 s, 0.8 s ... up to backoff_max
    backoff_max: float = 2.0
    jitter: float = 0.5  # each wait is scaled by a random factor in [1 - jitter, 1]
    total_s: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)
    rand: Callable[[], float] = field(default=random.random, compare=False)

    def backoff(self, failed_attempts: int) -> float:
        base = min(self.backoff_max, self.backoff_factor * (2 ** (failed_attempts - 1)))
        return base * (1 - self.jitter * self.rand())

    def run(self, attempt: Callable[[], object], is_retryable: Callable[[Exception], bool],
            on_retry: Callable[[int, Exception], None] = lambda n, exc: None):
        """Calls `attempt` until it succeeds, fails for good, or the policy is spent."""
        started = self.clock()
        for number in range(1, self.attempts + 1):
            try:
                return attempt()
            except Exception as exc:
                if number == self.attempts or not is_retryable(exc):
                    raise
                wait = self.backoff(number)
                if self.clock() - started + wait >= self.total_s:
                    raise
                on_retry(number, exc)
                self.sleep(wait)
