"""Market data: prices and 24h tickers, each answer with its provenance."""
from __future__ import annotations

from typing import Optional

from .errors import ApiError, from_upstream
from .provenance import Sourced
from .upstream import UpstreamError


class MarketData:
    def __init__(self, upstream, provider, ttl_prices: float = 1.0, ttl_ticker: float = 5.0):
        self.upstream, self.provider = upstream, provider
        self.ttl_prices, self.ttl_ticker = ttl_prices, ttl_ticker

    def all_prices(self) -> Sourced:
        """Every symbol's price from one ticker/price call (weight 4), as {symbol: price}."""
        try:
            return self.provider.get("prices:all", self.ttl_prices, self._fetch_prices)
        except UpstreamError as err:
            raise from_upstream(err) from None

    def _fetch_prices(self) -> dict:
        return {row["symbol"]: row["price"] for row in self.upstream.ticker_prices()
                if isinstance(row, dict) and "symbol" in row and "price" in row}

    def prices(self, symbols: Optional[list[str]] = None) -> Sourced:
        everything = self.all_prices()
        if symbols is None:
            return everything
        return everything.replace({s: _known(everything, s) for s in symbols})

    def ticker_24hr(self, symbol: Optional[str] = None, symbols: Optional[list[str]] = None) -> Sourced:
        key = f"ticker24:{symbol or ','.join(sorted(symbols or [])) or '*'}"
        try:
            return self.provider.get(key, self.ttl_ticker,
                                     lambda: self.upstream.ticker_24hr(symbol=symbol, symbols=symbols))
        except UpstreamError as err:
            raise from_upstream(err) from None


def _known(prices: Sourced, symbol: str) -> str:
    if symbol in prices.data:
        return prices.data[symbol]
    if prices.source in ("live", "cache"):
        raise ApiError(404, "unknown_symbol", f"Binance does not list {symbol}")
    raise ApiError(503, "upstream_unavailable",
                   f"Binance is unavailable and the {prices.source} data has no price for {symbol}")
