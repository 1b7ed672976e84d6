"""USDT-M futures market data (BINANCE_FUTURES_BASE_URL): tickers, candles, book,
open interest, funding rates, premium index. Weight counts against the futures budget."""
from __future__ import annotations

from ..sourcing.derived import Derived
from ..sourcing.provenance import Sourced
from .candles import cache_key, named_candles
from .streamed import NO_STREAMS, live, streamed_book, streamed_candles


def _one_or_all(symbol: str | None) -> dict:
    return {"symbol": symbol} if symbol else {}


class Futures:
    def __init__(self, upstream, provider, last_resort, settings, streams=NO_STREAMS):
        self.upstream, self.provider, self.last_resort = upstream, provider, last_resort
        self.streams = streams  # asked first: while Binance's stream is healthy it serves at no weight
        self.ttl, self.funding_ttl = settings.futures_ttl_s, settings.funding_rate_ttl_s
        self.derived = Derived()

    def ticker_24hr(self, symbol: str | None) -> Sourced:
        streamed = self.streams.fresh("futures", "tickers")
        if streamed is not None and (symbol is None or symbol in streamed.data):
            return streamed.replace(streamed.data[symbol] if symbol else list(streamed.data.values()))
        return self.provider.get(f"futures:ticker24:{symbol or '*'}", self.ttl,
                                 lambda: self.upstream.fetch("futures_ticker_24hr", **_one_or_all(symbol)))

    def klines(self, **params) -> Sourced:
        streamed = streamed_candles(self.streams, "futures", params)
        if streamed is not None:
            return streamed
        return self.derived.shape(cache_key("futures:klines", params), self.raw_klines(**params), named_candles)

    def raw_klines(self, **params) -> Sourced:
        """Binance's kline arrays as it answered, for the mirror and `klines` alike (one call per TTL)."""
        return self.provider.get(cache_key("raw:futures_klines", params), self.ttl,
                                 lambda: self.upstream.fetch("futures_klines", **params))

    def depth(self, symbol: str, limit: int, cached: bool = True) -> Sourced:
        """From the local book kept by `<symbol>@depth@100ms` (the `pu` rule) while the stream is healthy;
        `cached` False: never an older answer than Binance's now (a bot syncing its book to the stream)."""
        streamed = streamed_book(self.streams, "futures", symbol, limit)
        if streamed is not None:
            return streamed
        if not cached:
            return live(self.upstream.fetch("futures_depth", symbol=symbol, limit=limit))
        return self.provider.get(f"futures:depth:{symbol}:{limit}", self.ttl,
                                 lambda: self.upstream.fetch("futures_depth", symbol=symbol, limit=limit))

    def open_interest(self, symbol: str) -> Sourced:
        return self.provider.get(f"futures:oi:{symbol}", self.ttl,
                                 lambda: self.upstream.fetch("futures_open_interest", symbol=symbol))

    def funding_rate(self, symbol: str, limit: int) -> Sourced:
        return self.provider.get(f"futures:funding:{symbol}:{limit}", self.funding_ttl,
                                 lambda: self.upstream.fetch("futures_funding_rate", symbol=symbol, limit=limit))

    def premium_index(self, symbol: str | None) -> Sourced:
        def shape(rows: dict):
            return rows[symbol] if symbol else list(rows.values())

        return self.provider.get(f"futures:premium:{symbol or '*'}", self.ttl,
                                 lambda: self.upstream.fetch("futures_premium_index", **_one_or_all(symbol)),
                                 last_resort=lambda: self.last_resort.lookup(
                                     "premium_index", [symbol] if symbol else None, shape))
