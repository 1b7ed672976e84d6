"""Market data: prices and 24h tickers, each answer with its provenance.

Live or cached when Binance answers; otherwise the last known good ("stale")
or the shipped snapshot ("fallback"); otherwise 503."""
from __future__ import annotations

from typing import Optional

from .errors import ApiError, from_upstream
from .provenance import Sourced
from .upstream import UpstreamError


class MarketData:
    def __init__(self, upstream, provider, last_known_good, fallback, ttl_prices=1.0, ttl_ticker=5.0):
        self.upstream, self.provider = upstream, provider
        self.lkg, self.fallback = last_known_good, fallback
        self.ttl_prices, self.ttl_ticker = ttl_prices, ttl_ticker

    def all_prices(self) -> Sourced:
        """Every symbol's price from one ticker/price call (weight 4), as {symbol: price}."""
        try:
            return self.provider.get("prices:all", self.ttl_prices, self._fetch_prices,
                                     on_data=lambda data, as_of: self.lkg.remember("prices", data, as_of),
                                     last_resort=lambda: self._last_resort("prices", None))
        except UpstreamError as err:
            raise from_upstream(err) from None

    def _fetch_prices(self) -> dict:
        return {row["symbol"]: row["price"] for row in self.upstream.ticker_prices()
                if isinstance(row, dict) and "symbol" in row and "price" in row}

    def prices(self, symbols: Optional[list[str]] = None) -> Sourced:
        everything = self.all_prices()
        if symbols is None:
            return everything
        return everything.replace({s: self._known(everything, s) for s in symbols})

    def ticker_24hr(self, symbol: Optional[str] = None, symbols: Optional[list[str]] = None) -> Sourced:
        """{symbol: ticker} for one symbol, a list, or all (None)."""
        wanted = [symbol] if symbol else symbols
        key = "ticker24:" + (",".join(sorted(wanted)) if wanted else "*")

        def fetch():
            rows = self.upstream.ticker_24hr(symbol=symbol, symbols=symbols)
            rows = [rows] if isinstance(rows, dict) else rows
            return {row["symbol"]: row for row in rows if isinstance(row, dict) and "symbol" in row}

        try:
            return self.provider.get(key, self.ttl_ticker, fetch,
                                     on_data=lambda data, as_of: self.lkg.remember("tickers", data, as_of),
                                     last_resort=lambda: self._last_resort("tickers", wanted))
        except UpstreamError as err:
            raise from_upstream(err) from None

    def _last_resort(self, dataset: str, symbols: Optional[list[str]]) -> Optional[Sourced]:
        found = self.lkg.lookup(dataset, symbols)
        if found:
            return Sourced(found[0], "stale", found[1])
        found = self.fallback.lookup(dataset, symbols)
        if found:
            return Sourced(found[0], "fallback", found[1])
        return None

    def _known(self, prices: Sourced, symbol: str) -> str:
        if symbol in prices.data:
            return prices.data[symbol]
        if prices.source in ("live", "cache") or not (self.lkg.lookup("prices", [symbol])
                                                      or self.fallback.lookup("prices", [symbol])):
            raise ApiError(404, "unknown_symbol", f"Binance does not list {symbol}")
        raise ApiError(503, "upstream_unavailable",
                       f"Binance is unavailable and the {prices.source} data has no price for {symbol}")
