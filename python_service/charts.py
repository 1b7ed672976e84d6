"""Spot market detail for charts and analysts: candles, order book, trades, average price."""
from __future__ import annotations

from .provenance import Sourced
from .sourcing import sourced_or_error

KLINE_FIELDS = ("open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume", "trades",
                "taker_buy_base_volume", "taker_buy_quote_volume")


def named_candles(rows: list) -> list[dict]:
    """Binance's kline arrays as named fields; decimals stay strings."""
    return [dict(zip(KLINE_FIELDS, row)) for row in rows if isinstance(row, list) and len(row) >= len(KLINE_FIELDS)]


class Charts:
    def __init__(self, upstream, provider, settings):
        self.upstream, self.provider, self.settings = upstream, provider, settings

    def klines(self, symbol: str, interval: str, limit: int, **time_range) -> Sourced:
        params = {"symbol": symbol, "interval": interval, "limit": limit, **time_range}
        key = "klines:" + ":".join(f"{k}={v}" for k, v in sorted(params.items()))
        return sourced_or_error(self.provider, key, self.settings.klines_ttl_s,
                                lambda: named_candles(self.upstream.klines(**params)))

    def depth(self, symbol: str, limit: int) -> Sourced:
        return sourced_or_error(self.provider, f"depth:{symbol}:{limit}", self.settings.depth_ttl_s,
                                lambda: self.upstream.depth(symbol, limit))

    def trades(self, symbol: str, limit: int) -> Sourced:
        return sourced_or_error(self.provider, f"trades:{symbol}:{limit}", self.settings.trades_ttl_s,
                                lambda: self.upstream.trades(symbol, limit))

    def avg_price(self, symbol: str) -> Sourced:
        return sourced_or_error(self.provider, f"avg_price:{symbol}", self.settings.avg_price_ttl_s,
                                lambda: self.upstream.avg_price(symbol))
