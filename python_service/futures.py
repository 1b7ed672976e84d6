"""USDT-M futures market data (BINANCE_FUTURES_BASE_URL): tickers, candles, book,
open interest, funding rates, premium index. Weight counts against the futures budget."""
from __future__ import annotations

from typing import Optional

from .charts import named_candles
from .provenance import Sourced
from .sourcing import sourced_or_error


class Futures:
    def __init__(self, upstream, provider, fallback, settings):
        self.upstream, self.provider, self.fallback, self.ttl = upstream, provider, fallback, settings.futures_ttl_s
        self.funding_ttl = settings.funding_rate_ttl_s

    def ticker_24hr(self, symbol: Optional[str]) -> Sourced:
        return sourced_or_error(self.provider, f"futures:ticker24:{symbol or '*'}", self.ttl,
                                lambda: self.upstream.futures_ticker_24hr(symbol))

    def klines(self, **params) -> Sourced:
        key = "futures:klines:" + ":".join(f"{k}={v}" for k, v in sorted(params.items()))
        return sourced_or_error(self.provider, key, self.ttl, lambda: named_candles(self.upstream.futures_klines(**params)))

    def depth(self, symbol: str, limit: int) -> Sourced:
        return sourced_or_error(self.provider, f"futures:depth:{symbol}:{limit}", self.ttl,
                                lambda: self.upstream.futures_depth(symbol, limit))

    def open_interest(self, symbol: str) -> Sourced:
        return sourced_or_error(self.provider, f"futures:oi:{symbol}", self.ttl,
                                lambda: self.upstream.futures_open_interest(symbol))

    def funding_rate(self, symbol: str, limit: int) -> Sourced:
        return sourced_or_error(self.provider, f"futures:funding:{symbol}:{limit}", self.funding_ttl,
                                lambda: self.upstream.futures_funding_rate(symbol, limit))

    def premium_index(self, symbol: Optional[str]) -> Sourced:
        def from_snapshot():
            found = self.fallback.lookup("premium_index", [symbol] if symbol else None)
            if not found:
                return None
            rows = found[0]
            return Sourced(rows[symbol] if symbol else list(rows.values()), "fallback", found[1])

        return sourced_or_error(self.provider, f"futures:premium:{symbol or '*'}", self.ttl,
                                lambda: self.upstream.futures_premium_index(symbol), last_resort=from_snapshot)
