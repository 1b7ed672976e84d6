"""Every call to Binance goes through `Upstream.fetch`: admission (restriction,
ban, breaker) and the weight budget of the endpoint's market before every
attempt, retries, and recording what happened. Callers name an endpoint (endpoints.py); they never
see python-binance."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Optional

from ..settings import Settings, mask_url
from . import client as sdk
from .budget import WeightBudget
from .clients import ClientShares
from .endpoints import ENDPOINTS, Endpoint, Market
from .errors import Rejected, Unreachable, UpstreamError
from .retry import RetryPolicy
from .state import UpstreamState

log = logging.getLogger(__name__)
TIMESTAMP_OUTSIDE_WINDOW = -1021


@dataclass(frozen=True)
class Lane:
    """What governs calls to one market's root: its state and its weight budget
    (and, when set, each client's fair share of it: clients.py)."""
    state: UpstreamState
    budget: WeightBudget
    shares: Optional[ClientShares] = None

    def reserve(self, endpoint: str, weight: int) -> int:
        """The budget's ticket (WeightBudget.reserve), after the client's share when set."""
        if self.shares is None:
            return self.budget.reserve(weight)
        return self.shares.reserve(endpoint, weight, self.budget)


def _ignore(*args) -> None:
    return None


class Upstream:
    def __init__(self, settings: Settings, client, lanes: dict[Market, Lane], retry: RetryPolicy,
                 clock: Callable[[], float] = time.time,
                 on_attempt: Callable[[str, str], None] = _ignore, on_retry: Callable[[], None] = _ignore):
        """`on_attempt(endpoint path, status)` and `on_retry()` let observers count what happens here."""
        self.settings, self.client, self.lanes, self.retry, self.clock = settings, client, lanes, retry, clock
        self.on_attempt, self.on_retry = on_attempt, on_retry
        self._synced_at: Optional[float] = None
        self._sync_lock = threading.Lock()

    @property
    def state(self) -> UpstreamState:
        """Spot's state (what connection-status and the top level of /api/status show)."""
        return self.lanes[Market.SPOT].state

    def state_of(self, market: Market) -> UpstreamState:
        return self.lanes[market].state

    def budget(self, market: Market) -> WeightBudget:
        return self.lanes[market].budget

    # ----- the one path to Binance -----
    def fetch(self, name: str, **params) -> Any:
        """The endpoint `name` with `params`, under admission, budget and retries."""
        endpoint = ENDPOINTS[name]
        lane = self.lanes[endpoint.market]
        probe: list[str] = []  # the probe slot this call holds after a cool-down, if any
        retry = self.retry if endpoint.idempotent else replace(self.retry, attempts=1)
        try:
            result = retry.run(lambda: self._attempt(name, endpoint, params, lane, probe), _is_transient,
                               lambda number, exc: self._retrying(lane, number, exc))
        except UpstreamError as err:
            lane.state.record_failure(err)
            raise
        lane.state.record_success()
        return result

    def _attempt(self, name: str, endpoint: Endpoint, params: dict, lane: Lane, probe: list[str]) -> Any:
        # Before every attempt, not once per call: another thread may have seen a 418 or 451 meanwhile.
        slot = lane.state.admit(probe[0] if probe else None)
        if slot:
            probe[:] = [slot]
        weight = endpoint.weight(params)
        ticket = lane.reserve(name, weight)
        sdk.forget_last_response()
        try:
            result = getattr(self.client, endpoint.method)(**params)
        except Exception as exc:
            raise sdk.translate(exc, self.settings.timeout_s) from None
        finally:
            response = sdk.last_response()
            lane.budget.observe(sdk.used_weight_header(response))
            lane.budget.settle(weight, ticket)
            self.on_attempt(*sdk.describe_response(response))
        if not endpoint.shape(result, params):  # a 2xx body of the wrong shape is as bad as a malformed one
            raise Unreachable(f"Binance's answer to {endpoint.method} is not the expected shape")
        return result

    def _retrying(self, lane: Lane, attempt: int, exc: Exception) -> None:
        log.warning("upstream attempt %d failed (%s); retrying", attempt, exc)
        self.on_retry()
        if isinstance(exc, Unreachable):
            lane.state.note_transient(exc)

    # ----- connectivity -----
    def ping(self) -> float:
        """Round trip of GET /api/v3/ping in milliseconds."""
        started = time.perf_counter()
        self.fetch("ping")
        return (time.perf_counter() - started) * 1000

    def server_time_offset_ms(self) -> float:
        """Binance's clock minus ours, measured at the midpoint of the request. The SDK
        stamps signed requests with time.time(), so that is the clock compared here."""
        before = time.time()
        server_ms = self.fetch("server_time").get("serverTime")
        if not isinstance(server_ms, int):
            raise Unreachable("Binance time answer had no serverTime")
        after = time.time()
        return server_ms - (before + after) / 2 * 1000

    # ----- signed -----
    def signed(self, name: str, **params) -> Any:
        """A signed call with the local clock corrected by Binance's; -1021 forces a re-sync and one more try."""
        self._sync_clock(force=False)
        try:
            return self.fetch(name, **params)
        except Rejected as err:
            if err.code != TIMESTAMP_OUTSIDE_WINDOW:
                raise
            self._sync_clock(force=True)
            if not ENDPOINTS[name].idempotent:
                raise  # re-synced; the caller decides whether to send again
            return self.fetch(name, **params)

    def prepare_signed(self) -> None:
        """Syncs the clock when due, so that a signed call made next sends at once."""
        self._sync_clock(force=False)

    def server_time_ms(self) -> int:
        """Binance's clock now, as a signed request made now would be stamped (local clock + offset)."""
        return int(time.time() * 1000 + (self.clock_offset_ms or 0))

    @property
    def recv_window_ms(self) -> int:
        """How long after its timestamp Binance still accepts a signed request (python-binance sets it)."""
        return int(self.client.REQUEST_RECVWINDOW or 5000)

    def _sync_clock(self, force: bool) -> None:
        with self._sync_lock:
            due = self._synced_at is None or self.clock() - self._synced_at >= self.settings.time_sync_interval_s
            if not (force or due):
                return
            offset = self.server_time_offset_ms()
            self.client.timestamp_offset = int(offset)
            self._synced_at = self.clock()
            log.info("clock offset to Binance: %d ms", offset)

    @property
    def clock_offset_ms(self) -> Optional[int]:
        return self.client.timestamp_offset if self._synced_at is not None else None

    def describe(self) -> dict:
        return {"base_url": self.settings.base_url, "futures_base_url": self.settings.futures_base_url,
                "testnet": self.settings.testnet, "proxy": mask_url(self.settings.proxy_url),
                "proxy_resolves_names": self.settings.proxy_resolves_names}


def _is_transient(exc: Exception) -> bool:
    return isinstance(exc, UpstreamError) and exc.transient
