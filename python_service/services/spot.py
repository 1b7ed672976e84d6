"""Spot market data: prices, 24h tickers, candles, order book, trades, average price.

Live or cached when Binance answers; otherwise the last known good ("stale")
or the shipped snapshot ("fallback"); otherwise the failure goes up to the
one error handler."""
from __future__ import annotations

import json

from ..errors import ApiError
from ..sourcing.derived import Derived
from ..sourcing.provenance import Sourced
from .candles import cache_key, named_candles
from .streamed import NO_STREAMS, live, streamed_book, streamed_candles, streamed_tickers


def unavailable(sourced: Sourced, missing: str) -> ApiError:
    """Binance could not be asked, and the data we hold lacks `missing`: that is not Binance's word."""
    return ApiError(503, "upstream_unavailable",
                    f"Binance is unavailable and the {sourced.source} data has nothing for {missing}",
                    retry_after=sourced.retry_after)


class Spot:
    def __init__(self, upstream, provider, last_known_good, last_resort, settings, streams=NO_STREAMS):
        self.upstream, self.provider, self.settings = upstream, provider, settings
        self.last_known_good, self.last_resort = last_known_good, last_resort
        self.streams = streams  # asked first: while Binance's stream is healthy it serves at no weight
        self.derived = Derived()

    # ----- prices and tickers: kept as last known good, with a shipped fallback -----
    def all_prices(self) -> Sourced:
        """Every symbol's price: from the stream, else one ticker/price call (weight 4), as {symbol: price}."""
        streamed = self.streams.fresh("spot", "prices")
        if streamed is not None:
            return streamed
        return self.provider.get("prices:all", self.settings.prices_ttl_s, self._fetch_prices,
                                 on_data=lambda data, as_of: self.last_known_good.remember("prices", data, as_of),
                                 last_resort=lambda: self.last_resort.lookup("prices"))

    def _fetch_prices(self) -> dict:
        return {row["symbol"]: row["price"] for row in self.upstream.fetch("ticker_prices")
                if isinstance(row, dict) and "symbol" in row and "price" in row}

    def prices(self, symbols: list[str] | None = None) -> Sourced:
        everything = self.all_prices()
        if symbols is None:
            return everything
        return everything.replace({s: self._known(everything, s) for s in symbols})

    def _known(self, prices: Sourced, symbol: str) -> str:
        if symbol in prices.data:
            return prices.data[symbol]
        if prices.from_binance_now:
            raise ApiError(404, "unknown_symbol", f"Binance does not list {symbol}")
        raise unavailable(prices, symbol)

    def ticker_24hr(self, symbol: str | None = None, symbols: list[str] | None = None) -> Sourced:
        """{symbol: ticker} for one symbol, a list, or all (neither)."""
        wanted = [symbol] if symbol else symbols
        streamed = streamed_tickers(self.streams, "spot", wanted)
        if streamed is not None:
            return streamed
        key = "ticker24:" + (",".join(sorted(wanted)) if wanted else "*")

        def fetch():
            if symbol:
                rows = [self.upstream.fetch("ticker_24hr", symbol=symbol)]
            elif symbols:
                # Binance takes UTF-8 symbols as they are (not \u escapes), in a compact list
                listed = json.dumps(symbols, separators=(",", ":"), ensure_ascii=False)
                rows = self.upstream.fetch("ticker_24hr", symbols=listed)
            else:
                rows = self.upstream.fetch("ticker_24hr")
            return {row["symbol"]: row for row in rows if isinstance(row, dict) and "symbol" in row}

        return self.provider.get(key, self.settings.ticker_ttl_s, fetch,
                                 on_data=lambda data, as_of: self.last_known_good.remember("tickers", data, as_of),
                                 last_resort=lambda: self.last_resort.lookup("tickers", wanted))

    # ----- detail for charts and analysts -----
    def klines(self, **params) -> Sourced:
        streamed = streamed_candles(self.streams, "spot", params)
        if streamed is not None:
            return streamed
        raw = self.raw_klines(**params)
        return self.derived.shape(cache_key("klines", params), raw, named_candles)

    def raw_klines(self, **params) -> Sourced:
        """Binance's kline arrays as it answered: the mirror serves them, `klines` names their fields
        (one upstream call per TTL for both)."""
        return self.provider.get(cache_key("raw:klines", params), self.settings.klines_ttl_s,
                                 lambda: self.upstream.fetch("klines", **params))

    def depth(self, symbol: str, limit: int, cached: bool = True) -> Sourced:
        """`cached` False: never an older answer than Binance's now (a bot syncing its book to the stream)."""
        streamed = streamed_book(self.streams, "spot", symbol, limit)
        if streamed is not None:
            return streamed
        if not cached:
            return live(self.upstream.fetch("depth", symbol=symbol, limit=limit))
        return self.provider.get(f"depth:{symbol}:{limit}", self.settings.depth_ttl_s,
                                 lambda: self.upstream.fetch("depth", symbol=symbol, limit=limit))

    def trades(self, symbol: str, limit: int) -> Sourced:
        return self.provider.get(f"trades:{symbol}:{limit}", self.settings.trades_ttl_s,
                                 lambda: self.upstream.fetch("trades", symbol=symbol, limit=limit))

    def avg_price(self, symbol: str) -> Sourced:
        return self.provider.get(f"avg_price:{symbol}", self.settings.avg_price_ttl_s,
                                 lambda: self.upstream.fetch("avg_price", symbol=symbol))
