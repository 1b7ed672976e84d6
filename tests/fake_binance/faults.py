"""Switchable faults: what the fake exchange does instead of answering well."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

RESTRICTED_MSG = (
    "Service unavailable from a restricted location according to 'b. Eligibility' in "
    "https://www.binance.com/en/terms. Please contact customer service if you believe you "
    "received this message in error."
)

# kind -> what it does (acted out by fault_actions.act):
#   restricted     451 with Binance's body          rate_limited  429 + Retry-After, -1003
#   banned         418, -1003 "IP banned until <ms>" (Retry-After only when retry_after is set)
#   server_error   `status` (500/502/503), HTML body
#   slow           answers normally after `delay`   silent        accepts, never answers
#   reset          closes the connection with RST   malformed     200 with a truncated JSON body
#   odd_error_body `status` (default 503) with JSON that is not an object (`body`, default the status number)
#   empty          200 with body {}                 firewall      403 with an HTML WAF page (+ Retry-After if set)
#   wrong_shape    200 with valid JSON of the wrong shape (`body`, default the opposite of the route's shape)
#   drip           the normal answer, Content-Length set, one byte every `interval` seconds
#   bad_encoding   200 saying Content-Encoding: gzip over a body that is not gzip
KINDS = {"restricted", "rate_limited", "banned", "server_error", "slow", "silent", "reset", "malformed",
         "odd_error_body", "empty", "wrong_shape", "firewall", "drip", "bad_encoding"}
MARKETS = {"spot", "futures"}


class _Unset:
    """`body` not given (None is a real body: JSON null)."""

    def __repr__(self):
        return "UNSET"


UNSET: Any = _Unset()


def market_of(path: str) -> str | None:
    """Binance's two weight pools: spot (/api, /sapi) and USD-M futures (/fapi)."""
    if path.startswith(("/api/", "/sapi/")):
        return "spot"
    if path.startswith("/fapi/"):
        return "futures"
    return None


@dataclass
class Fault:
    kind: str
    route: str | None = None  # an exact path such as "/api/v3/ticker/price"; None = every route
    times: int | None = None  # applies to the next N matching requests, then expires
    status: int | None = None  # for server_error (default 503) and odd_error_body (default 503)
    retry_after: int | None = None  # seconds, for rate_limited / banned / firewall; None = header absent
    delay: float = 0.0  # seconds, for slow
    from_addr: str | None = None  # only requests from this client address (e.g. 127.0.0.1)
    market: str | None = None  # "spot" (/api, /sapi) or "futures" (/fapi); None = both
    body: Any = field(default=UNSET)  # for odd_error_body and wrong_shape; any JSON value, None = null
    interval: float = 0.5  # seconds between bytes, for drip
    ban_s: int | None = None  # ban length written in a 418's message (default retry_after, else 120)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {sorted(KINDS)}")
        if self.market is not None and self.market not in MARKETS:
            raise ValueError(f"unknown market {self.market!r}; one of {sorted(MARKETS)}")

    def matches(self, path: str, client_addr: str) -> bool:
        if self.route is not None and self.route != path:
            return False
        if self.market is not None and self.market != market_of(path):
            return False
        return self.from_addr is None or self.from_addr == client_addr

    def describe(self) -> dict:
        return {k: v for k, v in vars(self).items() if v is not UNSET}


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

    def take(self, path: str, client_addr: str) -> Fault | None:
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
            return [f.describe() for f in self._faults]
