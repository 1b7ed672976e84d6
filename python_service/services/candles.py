"""Candles (klines) as named fields, spot and futures alike."""
from __future__ import annotations

KLINE_FIELDS = ("open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume", "trades",
                "taker_buy_base_volume", "taker_buy_quote_volume")


def named_candles(rows: list) -> list[dict]:
    """Binance's kline arrays as named fields; decimals stay strings."""
    width = len(KLINE_FIELDS)  # Binance's 12th field ("ignore") is dropped
    return [dict(zip(KLINE_FIELDS, row[:width], strict=True)) for row in rows
            if isinstance(row, list) and len(row) >= width]


def cache_key(prefix: str, params: dict) -> str:
    """One key per distinct request: symbol, interval, limit and time range."""
    return prefix + ":" + ":".join(f"{k}={v}" for k, v in sorted(params.items()))
