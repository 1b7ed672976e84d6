"""Every call to Binance goes through `Upstream.call`: admission (restriction,
ban, breaker), the weight budget, retries, and recording what happened."""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Callable, Optional

from ..settings import Settings, mask_url
from . import client as sdk
from .budget import WeightBudget
from .errors import Rejected, Unreachable, UpstreamError
from .retry import RetryPolicy
from .state import UpstreamState

log = logging.getLogger(__name__)
TIMESTAMP_OUTSIDE_WINDOW = -1021


class Upstream:
    def __init__(self, settings: Settings, state: UpstreamState, budget: WeightBudget,
                 retry: RetryPolicy, clock: Callable[[], float] = time.time):
        self.settings, self.state, self.budget, self.retry, self.clock = settings, state, budget, retry, clock
        self.client = sdk.build_client(settings)
        self._synced_at: Optional[float] = None
        self._sync_lock = threading.Lock()

    # ----- the one path to Binance -----
    def call(self, weight: int, fn: Callable[[], Any], expect: type = object) -> Any:
        """`fn` (a Client method) under admission, budget and retries; `expect` is the 2xx body's type."""
        self.state.admit()
        try:
            result = self.retry.run(lambda: self._attempt(weight, fn, expect), _is_transient, self._on_retry)
        except UpstreamError as err:
            self.state.record_failure(err)
            raise
        self.state.record_success()
        return result

    def _attempt(self, weight: int, fn: Callable[[], Any], expect: type) -> Any:
        self.budget.reserve(weight)
        sdk.forget_last_response()
        try:
            result = fn()
        except Exception as exc:
            raise sdk.translate(exc, self.settings.timeout_s) from None
        finally:
            self.budget.observe(sdk.used_weight_header(sdk.last_response()))
        if not isinstance(result, expect):  # a 2xx body of the wrong shape is as bad as a malformed one
            raise Unreachable(f"Binance answered with an unexpected {type(result).__name__}")
        return result

    def _on_retry(self, attempt: int, exc: Exception) -> None:
        log.warning("upstream attempt %d failed (%s); retrying", attempt, exc)
        if isinstance(exc, Unreachable):
            self.state.note_transient(exc)

    # ----- market data -----
    def ticker_prices(self) -> list:
        return self.call(4, self.client.get_symbol_ticker, list)

    def ticker_24hr(self, symbol: Optional[str] = None, symbols: Optional[list] = None):
        if symbol:
            return self.call(2, lambda: self.client.get_ticker(symbol=symbol), dict)
        if symbols:
            weight = 2 if len(symbols) <= 20 else 40 if len(symbols) <= 100 else 80
            compact = json.dumps(symbols, separators=(",", ":"))
            return self.call(weight, lambda: self.client.get_ticker(symbols=compact), list)
        return self.call(80, self.client.get_ticker, list)

    # ----- connectivity -----
    def ping(self) -> float:
        """Round trip of GET /api/v3/ping in milliseconds."""
        started = time.perf_counter()
        self.call(1, self.client.ping, dict)
        return (time.perf_counter() - started) * 1000

    def server_time_offset_ms(self) -> float:
        """Binance's clock minus ours, measured at the midpoint of the request. The SDK
        stamps signed requests with time.time(), so that is the clock compared here."""
        before = time.time()
        server_ms = self.call(1, self.client.get_server_time, dict).get("serverTime")
        if not isinstance(server_ms, int):
            raise Unreachable("Binance time answer had no serverTime")
        after = time.time()
        return server_ms - (before + after) / 2 * 1000

    # ----- signed -----
    def signed(self, weight: int, fn: Callable[[], Any], expect: type = object) -> Any:
        """A signed call with the local clock corrected by Binance's; -1021 forces a re-sync and one more try."""
        self._sync_clock(force=False)
        try:
            return self.call(weight, fn, expect)
        except Rejected as err:
            if err.code != TIMESTAMP_OUTSIDE_WINDOW:
                raise
            self._sync_clock(force=True)
            return self.call(weight, fn, expect)

    def account(self) -> dict:
        return self.signed(20, self.client.get_account, dict)

    def api_trading_status(self) -> dict:
        return self.signed(1, self.client.get_account_api_trading_status, dict)

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

