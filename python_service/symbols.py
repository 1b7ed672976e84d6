"""Client input to Binance symbols: validated before any upstream call."""
from __future__ import annotations

import json
import re
from typing import Optional

from .errors import ApiError

# ASCII only, checked before upper-casing: 'ß'.upper() is 'SS' and must not pass.
_SYMBOL = re.compile(r"[A-Za-z0-9_.-]{1,20}")
MAX_SYMBOLS = 100


def parse_symbol(raw) -> str:
    if not isinstance(raw, str) or not _SYMBOL.fullmatch(raw):
        raw = raw if isinstance(raw, str) else ""
        shown = raw[:24] + ("…" if len(raw) > 24 else "")
        raise ApiError(400, "invalid_symbol", f"{shown!r} is not a symbol: expected 1-20 of A-Z 0-9 _ . -")
    return raw.upper()


def parse_symbols(raw: Optional[str]) -> Optional[list[str]]:
    """`A,B` or Binance's `["A","B"]`; None when absent. Duplicates are dropped, order kept."""
    if raw is None:
        return None
    items = _json_list(raw) if raw.lstrip().startswith("[") else raw.split(",")
    if not items:
        raise ApiError(400, "invalid_symbol", "symbols must name at least one symbol")
    if len(items) > MAX_SYMBOLS:
        raise ApiError(400, "invalid_symbol", f"at most {MAX_SYMBOLS} symbols per request")
    return list(dict.fromkeys(parse_symbol(item.strip()) for item in items))


def _json_list(raw: str) -> list[str]:
    try:
        items = json.loads(raw)
    except ValueError:
        raise ApiError(400, "invalid_symbol", "symbols is neither A,B nor a JSON array of strings") from None
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ApiError(400, "invalid_symbol", "symbols must be a JSON array of strings")
    return items
