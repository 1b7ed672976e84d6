"""Answers from Binance's streams when they can give them (streams/), in the
shapes the REST paths produce; None means: ask REST, at once."""
from __future__ import annotations

import time

from ..sourcing.provenance import Source, Sourced
from .candles import named_candles


class _NoStreams:
    """STREAMS_ENABLED=false (and tests that build services by hand): REST for everything."""

    def fresh(self, market: str, key: str) -> None:
        return None

    def want(self, market: str, key: str, detail=None) -> None:
        return None

    def account_state(self, market: str, key: str) -> None:
        return None


NO_STREAMS = _NoStreams()


def live(data) -> Sourced:
    """An answer Binance gave just now, for this request alone (not cached)."""
    return Sourced(data, Source.LIVE, time.time())


def streamed_tickers(streams, market: str, symbols: list[str] | None) -> Sourced | None:
    """{symbol: ticker} when each symbol's `<symbol>@ticker` stream has it (all symbols: REST)."""
    if not symbols:
        return None
    found = {}
    for symbol in symbols:
        streams.want(market, f"ticker:{symbol}")
    for symbol in symbols:
        streamed = streams.fresh(market, f"ticker:{symbol}")
        if streamed is None:
            return None
        found[symbol] = streamed
    return Sourced({s: f.data for s, f in found.items()}, "stream", min(f.as_of for f in found.values()))


def streamed_candles(streams, market: str, params: dict) -> Sourced | None:
    """The newest `limit` candles, kept by `<symbol>@kline_<interval>` (no time range: REST)."""
    if set(params) - {"symbol", "interval", "limit"}:
        return None
    key = f"klines:{params['symbol']}:{params['interval']}"
    streams.want(market, key)
    streamed = streams.fresh(market, key)
    limit = params.get("limit", 500)
    if streamed is None or len(streamed.data) < limit:
        return None
    return streamed.replace(named_candles(streamed.data[-limit:]))


def streamed_book(streams, market: str, symbol: str, limit: int) -> Sourced | None:
    """The top `limit` levels of the book kept by `<symbol>@depth@100ms` (seeded at least that deep)."""
    key = f"book:{symbol}"
    streams.want(market, key, limit)
    streamed = streams.fresh(market, key)
    if streamed is None or streamed.data["limit"] < limit:
        return None
    book = streamed.data  # REST's fields in REST's order (futures: with E and T)
    return streamed.replace({**{k: v for k, v in book.items() if k != "limit"}, "bids": book["bids"][:limit],
                             "asks": book["asks"][:limit]})
