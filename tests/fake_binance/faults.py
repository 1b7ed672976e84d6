"""Switchable faults: what the fake exchange does instead of answering well."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Optional

RESTRICTED_MSG = (
    "Service unavailable from a restricted location according to 'b. Eligibility' in "
    "https://www.binance.com/en/terms. Please contact customer service if you believe you "
    "received this message in error."
)

# kind -> what it does (see FakeBinance.handle):
#   restricted  451 with Binance's body          rate_limited  429 + Retry-After, -1003
#   banned      418 + Retry-After, -1003         server_error  `status` (500/502/503), HTML body
#   slow        answers normally after `delay`   silent        accepts, never answers
#   reset       closes the connection with RST   malformed     200 with a truncated JSON body
KINDS = {"restricted", "rate_limited", "banned", "server_error", "slow", "silent", "reset", "malformed"}


@dataclass
class Fault:
    kind: str
    route: Optional[str] = None  # an exact path such as "/api/v3/ticker/price"; None = every route
    times: Optional[int] = None  # applies to the next N matching requests, then expires
    status: Optional[int] = None  # for server_error (default 503)
    retry_after: Optional[int] = None  # seconds, for rate_limited / banned; None = header absent
    delay: float = 0.0  # seconds, for slow
    from_addr: Optional[str] = None  # only requests from this client address (e.g. 127.0.0.1)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {sorted(KINDS)}")

    def matches(self, path: str, client_addr: str) -> bool:
        if self.route is not None and self.route != path:
            return False
        return self.from_addr is None or self.from_addr == client_addr


class FaultBook:
    """The active faults; the first that matches a request wins and is used up."""

    def __init__(self):
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, path: str, client_addr: str) -> Optional[Fault]:
        with self._lock:
            for fault in self._faults:
                if fault.matches(path, client_addr):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def describe(self) -> list[dict]:
        with self._lock:
            return [dict(vars(f)) for f in self._faults]
