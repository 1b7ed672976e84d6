"""Every call to Binance goes through `Upstream.call`: admission (restriction,
ban, breaker), the weight budget, retries, and recording what happened."""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Callable, Optional

from .. import metrics
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
                 retry: RetryPolicy, clock: Callable[[], float] = time.time,
                 futures_budget: Optional[WeightBudget] = None):
        self.settings, self.state, self.budget, self.retry, self.clock = settings, state, budget, retry, clock
        # USDT-M futures count against their own limit, reported in their own headers
        self.futures_budget = futures_budget or WeightBudget(budget.store, limit=2400, clock=clock, prefix="fweight")
        self.client = sdk.build_client(settings)
        self._synced_at: Optional[float] = None
        self._sync_lock = threading.Lock()

    # ----- the one path to Binance -----
    def call(self, weight: int, fn: Callable[[], Any], expect: type = object, futures: bool = False) -> Any:
        """`fn` (a Client method) under admission, budget and retries; `expect` is the 2xx body's type."""
        self.state.admit()
        budget = self.futures_budget if futures else self.budget
        try:
            result = self.retry.run(lambda: self._attempt(weight, fn, expect, budget), _is_transient, self._on_retry)
        except UpstreamError as err:
            self.state.record_failure(err)
            raise
        self.state.record_success()
        return result

    def _attempt(self, weight: int, fn: Callable[[], Any], expect: type, budget: WeightBudget) -> Any:
        budget.reserve(weight)
        sdk.forget_last_response()
        try:
            result = fn()
        except Exception as exc:
            raise sdk.translate(exc, self.settings.timeout_s) from None
        finally:
            response = sdk.last_response()
            budget.observe(sdk.used_weight_header(response))
            metrics.UPSTREAM_REQUESTS.labels(*sdk.describe_response(response)).inc()
        if not isinstance(result, expect):  # a 2xx body of the wrong shape is as bad as a malformed one
            raise Unreachable(f"Binance answered with an unexpected {type(result).__name__}")
        return result

    def _on_retry(self, attempt: int, exc: Exception) -> None:
        log.warning("upstream attempt %d failed (%s); retrying", attempt, exc)
        metrics.UPSTREAM_RETRIES.inc()
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

    def klines(self, **params) -> list:
        return self.call(2, lambda: self.client.get_klines(**params), list)

    def depth(self, symbol: str, limit: int) -> dict:
        return self.call(spot_depth_weight(limit), lambda: self.client.get_order_book(symbol=symbol, limit=limit), dict)

    def trades(self, symbol: str, limit: int) -> list:
        return self.call(25, lambda: self.client.get_recent_trades(symbol=symbol, limit=limit), list)

    def avg_price(self, symbol: str) -> dict:
        return self.call(2, lambda: self.client.get_avg_price(symbol=symbol), dict)

    def exchange_info(self) -> dict:
        """Every symbol's rules in one call (weight 20); callers cache it for long."""
        return self.call(20, self.client.get_exchange_info, dict)

    # ----- USDT-M futures: their own weight budget -----
    def futures_ticker_24hr(self, symbol: Optional[str] = None):
        params = {"symbol": symbol} if symbol else {}
        return self.call(1 if symbol else 40, lambda: self.client.futures_ticker(**params),
                         dict if symbol else list, futures=True)

    def futures_klines(self, **params) -> list:
        limit = params.get("limit", 500)
        weight = 1 if limit < 100 else 2 if limit < 500 else 5 if limit <= 1000 else 10
        return self.call(weight, lambda: self.client.futures_klines(**params), list, futures=True)

    def futures_depth(self, symbol: str, limit: int) -> dict:
        weight = 2 if limit <= 50 else 5 if limit <= 100 else 10 if limit <= 500 else 20
        return self.call(weight, lambda: self.client.futures_order_book(symbol=symbol, limit=limit), dict, futures=True)

    def futures_open_interest(self, symbol: str) -> dict:
        return self.call(1, lambda: self.client.futures_open_interest(symbol=symbol), dict, futures=True)

    def futures_funding_rate(self, symbol: str, limit: int) -> list:
        return self.call(1, lambda: self.client.futures_funding_rate(symbol=symbol, limit=limit), list, futures=True)

    def futures_premium_index(self, symbol: Optional[str] = None):
        params = {"symbol": symbol} if symbol else {}
        return self.call(1 if symbol else 10, lambda: self.client.futures_mark_price(**params),
                         dict if symbol else list, futures=True)

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


def spot_depth_weight(limit: int) -> int:
    return 5 if limit <= 100 else 25 if limit <= 500 else 50 if limit <= 1000 else 250


def _is_transient(exc: Exception) -> bool:
    return isinstance(exc, UpstreamError) and exc.transient

