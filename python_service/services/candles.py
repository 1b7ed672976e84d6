"""Candles (klines) as named fields, spot and futures alike."""
from __future__ import annotations

KLINE_FIELDS = ("open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume", "trades",
                "taker_buy_base_volume", "taker_buy_quote_volume")


def named_candles(rows: list) -> list[dict]:
    """Binance's kline arrays as named fields; decimals stay strings."""
    return [dict(zip(KLINE_FIELDS, row)) for row in rows if isinstance(row, list) and len(row) >= len(KLINE_FIELDS)]


def cache_key(prefix: str, params: dict) -> str:
    """One key per distinct request: symbol, interval, limit and time range."""
    return prefix + ":" + ":".join(f"{k}={v}" for k, v in sorted(params.items()))
