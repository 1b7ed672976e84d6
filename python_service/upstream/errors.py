"""What can go wrong upstream, as our own types: nothing above this layer sees
python-binance or requests exceptions."""
from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """What we know about a market's root right now."""
    OK = "ok"
    RESTRICTED = "restricted"
    RATE_LIMITED = "rate_limited"
    BANNED = "banned"
    UNREACHABLE = "unreachable"
    UNKNOWN = "unknown"


class UpstreamError(Exception):
    """Binance did not give us data. `transient` failures are worth retrying."""

    transient = False
    state = State.UNKNOWN  # the upstream state this failure implies

    def __init__(self, message: str, status: int | None = None, code: int | None = None,
                 retry_after: float | None = None):
        super().__init__(message)
        self.message, self.status, self.code, self.retry_after = message, status, code, retry_after

    def upstream_detail(self) -> dict | None:
        if self.status is None and self.code is None:
            return None
        return {"status": self.status, "code": self.code}


class Unreachable(UpstreamError):
    """Connection refused or reset, timeout, 5xx, or a 2xx body that is not JSON."""
    transient = True
    state = State.UNREACHABLE


class Garbled(Unreachable):
    """A 4xx whose body is not Binance's error object (JSON `null`, `[]`, a proxy's page):
    not Binance saying no, so an upstream failure like any other; but a 4xx is not repeated."""
    transient = False


class Restricted(UpstreamError):
    """HTTP 451: Binance refuses this location. Retrying never helps."""
    state = State.RESTRICTED


class RateLimited(UpstreamError):
    """HTTP 429: over the weight limit; wait for Retry-After."""
    state = State.RATE_LIMITED


class Banned(UpstreamError):
    """HTTP 418: the IP is banned until Retry-After (or the "banned until <ms>" of its message)."""
    state = State.BANNED

    def __init__(self, message: str, status: int | None = None, code: int | None = None,
                 retry_after: float | None = None, banned_until: float | None = None):
        super().__init__(message, status, code, retry_after)
        self.banned_until = banned_until  # epoch seconds, from Binance's message


class Blocked(UpstreamError):
    """HTTP 403: Binance's web application firewall blocked us (often an HTML page). Back off."""
    state = State.BANNED


class Rejected(UpstreamError):
    """Any other 4xx: Binance understood and said no (bad symbol, bad key...)."""
    state = State.OK  # Binance answered, so it is reachable


class HeldBack(UpstreamError):
    """We chose not to call Binance (restriction cool-down, ban, weight budget, breaker)."""

    def __init__(self, message: str, state: State, retry_after: float | None = None,
                 reason: str | None = None):
        """`reason`: what Binance said when it put us in this state (a 451's message), when known."""
        super().__init__(message, retry_after=retry_after)
        self.state, self.reason = state, reason


class OverClientShare(HeldBack):
    """This client has spent its fair share of this minute's weight (shares.py). Personal:
    another client waiting on the same shared refresh fetches for itself instead."""

    personal = True

    def __init__(self, message: str, retry_after: float):
        super().__init__(message, State.OK, retry_after=retry_after)
