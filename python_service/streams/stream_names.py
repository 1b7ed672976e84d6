"""Binance's market stream names, as its stream servers accept them (spot: binance-spot-api-docs
web-socket-streams.md; USDT-M futures: websocket-market-streams), and which of the futures roots
carries each since Binance split them (2026-03-06): `/public` the high-frequency streams (depth,
bookTicker, trade), `/market` everything else.

A name that matches no stream is refused as Binance refuses it (code 2, "Invalid request: invalid
stream"); a well-formed name of a symbol that does not exist is accepted and sends nothing, as at
Binance."""
from __future__ import annotations

import re

INTERVALS = "1s|1m|3m|5m|15m|30m|1h|2h|4h|6h|8h|12h|1d|3d|1w|1M"
# letters (no ASCII capitals) and digits of any script, - _ . (Unicode symbols since 2025-12)
SYMBOL = r"(?:(?![A-Z])[\w.\-]){1,50}"
_SPOT = [
    rf"{SYMBOL}@(aggTrade|trade|miniTicker|ticker|bookTicker|avgPrice|depth|depth@100ms|depth@1000ms)",
    rf"{SYMBOL}@depth(5|10|20)(@100ms|@1000ms)?",
    rf"{SYMBOL}@kline_({INTERVALS})(@\+08:00)?",
    rf"{SYMBOL}@ticker_(1h|4h|1d)",
    r"!miniTicker@arr", r"!ticker@arr", r"!ticker_(1h|4h|1d)@arr", r"!bookTicker",
]
_FUTURES = [
    rf"{SYMBOL}@(aggTrade|trade|miniTicker|ticker|bookTicker|forceOrder|compositeIndex|assetIndex)",
    rf"{SYMBOL}@markPrice(@1s)?",
    rf"{SYMBOL}@depth(5|10|20)?(@100ms|@250ms|@500ms)?",
    rf"{SYMBOL}@kline_({INTERVALS})",
    rf"{SYMBOL}_(perpetual|current_quarter|next_quarter)@continuousKline_({INTERVALS})",
    r"!miniTicker@arr", r"!ticker@arr", r"!bookTicker", r"!forceOrder@arr", r"!markPrice@arr(@1s)?",
    r"!contractInfo", r"!assetIndex@arr",
]
PATTERNS = {"spot": re.compile("|".join(f"(?:{p})" for p in _SPOT)),
            "futures": re.compile("|".join(f"(?:{p})" for p in _FUTURES))}
# futures' /public root: the book streams, and trades as ccxt routes them (binance.get_future_ws_category)
PUBLIC = re.compile(r"^(?:[^@]+@depth.*|[^@]+@bookTicker|!bookTicker|[^@]+@trade)$")


def valid(market: str, name: str) -> bool:
    return isinstance(name, str) and PATTERNS[market].fullmatch(name) is not None


def route(market: str, name: str) -> str:
    """Which root carries the stream upstream: "" for spot, "/public" or "/market" for futures."""
    if market == "spot":
        return ""
    return "/public" if PUBLIC.match(name) else "/market"
