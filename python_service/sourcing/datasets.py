"""Per-symbol datasets (prices, tickers, exchange info...): picking symbols out of one."""
from __future__ import annotations


def pick(rows: dict, symbols: list[str] | None) -> dict | None:
    """{symbol: row} for every requested symbol (all when None); None when any is missing or nothing is."""
    wanted = list(rows) if symbols is None else symbols
    if not wanted or any(s not in rows for s in wanted):
        return None
    return {s: rows[s] for s in wanted}
