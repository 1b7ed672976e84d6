"""One call to one market's root, the same way whoever makes it: the gateway's own calls
through the SDK (calls.py) and a client's signed request passed through (passthrough.py).

Before every attempt, not once per call (another thread may have seen a 418 or 451
meanwhile): admission (restriction, ban, breaker; the probe slot after a cool-down) and
the weight, charged to the calling client's share and the market's budget. After it,
whatever happened: the weight Binance reports, the reservation settled, the attempt
counted. A transient failure is tried again, within the retry policy, only for a call
that may be sent twice; the market's state records the outcome."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from . import sdk
from .budget import WeightBudget
from .errors import Unreachable, UpstreamError
from .retry import RetryPolicy
from .shares import ClientShares
from .state import UpstreamState

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Lane:
    """What governs calls to one market's root: its state and its weight budget
    (and, when set, each client's fair share of it: shares.py)."""
    state: UpstreamState
    budget: WeightBudget
    shares: ClientShares | None = None

    def reserve(self, charged_as: str, weight: int) -> int:
        """The budget's ticket (WeightBudget.reserve), after the client's share when set."""
        if self.shares is None:
            return self.budget.reserve(weight)
        return self.shares.reserve(charged_as, weight, self.budget)


def _ignore(*args) -> None:
    return None


class Attempts:
    def __init__(self, retry: RetryPolicy, on_attempt: Callable[[str, str], None] = _ignore,
                 on_retry: Callable[[], None] = _ignore):
        """`on_attempt(endpoint path, status)` and `on_retry()` let observers count what happens here."""
        self.retry, self.on_attempt, self.on_retry = retry, on_attempt, on_retry

    def call(self, lane: Lane, charged_as: str, weight: int, send: Callable[[], T], retryable: bool,
             trouble: Callable[[T], UpstreamError | None] = lambda result: None) -> T:
        """`send()` under admission, budget and retries. `trouble(result)`: the block an answer
        that was not raised implies (a passed-through 451, say), recorded as a failure."""
        probe: list[str] = []  # the probe slot this call holds after a cool-down, if any
        policy = self.retry if retryable else replace(self.retry, attempts=1)
        try:
            result = policy.run(lambda: self._once(lane, charged_as, weight, send, probe), _transient,
                                lambda number, exc: self.retrying(lane, number, exc))
        except UpstreamError as err:
            lane.state.record_failure(err)
            raise
        failure = trouble(result)
        if failure is None:
            lane.state.record_success()
        else:
            lane.state.record_failure(failure)  # a ban or restriction holds every later call back
        return result

    def _once(self, lane: Lane, charged_as: str, weight: int, send: Callable[[], T], probe: list[str]) -> T:
        slot = lane.state.admit(probe[0] if probe else None)
        if slot:
            probe[:] = [slot]
        ticket = lane.reserve(charged_as, weight)
        sdk.forget_last_response()
        try:
            return send()
        finally:
            response = sdk.last_response()
            lane.budget.observe(sdk.used_weight_header(response))
            lane.budget.settle(weight, ticket)
            self.on_attempt(*sdk.describe_response(response))

    def retrying(self, lane: Lane, attempt: int, exc: Exception) -> None:
        log.warning("upstream attempt %d failed (%s); retrying", attempt, exc)
        self.on_retry()
        if isinstance(exc, Unreachable):
            lane.state.note_transient(exc)


def _transient(exc: Exception) -> bool:
    return isinstance(exc, UpstreamError) and exc.transient
