"""Binance's stream payloads in the shapes its REST answers have, so that a client cannot tell
which of the two its answer came from (field names, order, decimals as strings)."""
from __future__ import annotations

from ..upstream.shapes import decimal

# The all-market stream of each market and the key of the board it updates. Spot's `!ticker@arr`
# was retired by Binance on 2026-03-26; `!miniTicker@arr` carries every symbol's last price.
ALL_MARKET = {"spot": {"!miniTicker@arr": "prices"}, "futures": {"!ticker@arr": "tickers"}}


def rest_ticker(row: dict, with_book: bool) -> dict:
    """A 24hrTicker event in the REST answer's field names and order."""
    shaped = {"symbol": row["s"], "priceChange": row["p"], "priceChangePercent": row["P"],
              "weightedAvgPrice": row["w"]}
    if with_book:
        shaped["prevClosePrice"] = row.get("x")
    shaped.update(lastPrice=row["c"], lastQty=row["Q"])
    if with_book:
        shaped.update(bidPrice=row.get("b"), bidQty=row.get("B"), askPrice=row.get("a"), askQty=row.get("A"))
    shaped.update(openPrice=row["o"], highPrice=row["h"], lowPrice=row["l"], volume=row["v"], quoteVolume=row["q"],
                  openTime=row["O"], closeTime=row["C"], firstId=row["F"], lastId=row["L"], count=row["n"])
    return shaped


def kline_row(k: dict) -> list:
    """A kline event's candle as the REST array."""
    return [k["t"], k["o"], k["h"], k["l"], k["c"], k["v"], k["T"], k["q"], k["n"], k["V"], k["Q"], "0"]


def all_market_change(stream: str, rows: list) -> tuple[str, dict, float] | None:
    """(board key, {symbol: value} changed, event time s) of an all-market array; None for
    another stream. Prices come from miniTicker's close; tickers in REST's shape."""
    if stream == "!miniTicker@arr":
        changed = {row["s"]: row["c"] for row in rows if isinstance(row["s"], str) and decimal(row["c"])}
        return "prices", changed, max(row["E"] for row in rows) / 1000
    if stream == "!ticker@arr":
        return "tickers", {row["s"]: rest_ticker(row, False) for row in rows}, max(row["E"] for row in rows) / 1000
    return None


def rest_prices(rows: list) -> dict:
    """{symbol: price} of REST's ticker/price answer (the seed of "prices")."""
    return {row["symbol"]: row["price"] for row in rows if "symbol" in row}


def rest_tickers(rows: list) -> dict:
    """{symbol: ticker} of REST's ticker/24hr answer (the seed of "tickers")."""
    return {row["symbol"]: row for row in rows if "symbol" in row}
