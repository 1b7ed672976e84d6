"""Query parameters of the mirror, checked the way Binance checks them, with Binance's
codes (a BinanceError), before anything is sent upstream."""
from __future__ import annotations

import json
import re
import unicodedata

from ..errors import BinanceError
from .inputs import INTERVALS

# Binance's symbols: ASCII capitals, digits and -_. and, since 2025-12, letters of any script.
# Lower-case ASCII is not Binance's spelling: -1100, as Binance answers it.
_SYMBOL = re.compile(r"(?:[A-Z0-9_.-]|[^\W\x00-\x7f])+")
SYMBOL_RANGE = "^[A-Z0-9-_.]{1,20}$"
SYMBOLS_RANGE = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$'
MAX_SYMBOL_CHARS = 50
MAX_SYMBOLS = 2000  # Binance sets no count (101+ weigh 80); this only bounds hostile input
_DIGITS = re.compile(r"-?[0-9]{1,20}")


def illegal(name: str, legal: str) -> BinanceError:
    return BinanceError(400, -1100, f"Illegal characters found in parameter '{name}'; legal range is '{legal}'.")


def not_valid(name: str) -> BinanceError:
    return BinanceError(400, -1130, f"Data sent for parameter '{name}' is not valid.")


def mandatory(name: str) -> BinanceError:
    return BinanceError(400, -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


class Params:
    """One request's query: duplicates (-1101), empty values (-1105) and parameters the
    endpoint does not read (-1104) are refused up front; then typed getters."""

    def __init__(self, args, reads: tuple[str, ...]):
        for name in args:
            if len(args.getlist(name)) > 1:
                raise BinanceError(400, -1101, "Duplicate values for a parameter detected.")
        for name, value in args.items():
            if value == "":
                raise BinanceError(400, -1105, f"Parameter '{name}' was empty.")
        unread = [name for name in args if name not in reads]
        if unread:
            read = len(args) - len(unread)
            raise BinanceError(400, -1104, f"Not all sent parameters were read; read '{read}' parameter(s) "
                                           f"but was sent '{len(args)}'.")
        self.args = args

    def __contains__(self, name: str) -> bool:
        return name in self.args

    def symbol(self, required: bool = True) -> str | None:
        raw = self.args.get("symbol")
        if raw is None:
            if required:
                raise mandatory("symbol")
            return None
        return _symbol(raw, "symbol")

    def symbols(self) -> list[str] | None:
        """Binance's `symbols=["A","B"]` (a JSON array, no spaces needed)."""
        raw = self.args.get("symbols")
        if raw is None:
            return None
        try:
            items = json.loads(raw)
        except ValueError:
            raise illegal("symbols", SYMBOLS_RANGE) from None
        if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
            raise illegal("symbols", SYMBOLS_RANGE)
        if len(items) > MAX_SYMBOLS:
            raise not_valid("symbols")
        return list(dict.fromkeys(_symbol(item, "symbols") for item in items))

    def symbol_or_symbols(self) -> tuple[str | None, list[str] | None]:
        if "symbol" in self.args and "symbols" in self.args:
            raise BinanceError(400, -1128, "Combination of optional parameters invalid.")
        return self.symbol(required=False), self.symbols()

    def interval(self) -> str:
        raw = self.args.get("interval")
        if raw is None:
            raise mandatory("interval")
        if raw not in INTERVALS:
            raise BinanceError(400, -1120, "Invalid interval.")
        return raw

    def integer(self, name: str, low: int, high: int, default: int | None = None) -> int | None:
        raw = self.args.get(name)
        if raw is None:
            return default
        if not _DIGITS.fullmatch(raw):
            raise illegal(name, "^[0-9]{1,20}$")
        value = int(raw)
        if not low <= value <= high:
            raise not_valid(name)
        return value

    def limit(self, high: int, default: int, allowed: tuple[int, ...] | None = None) -> int:
        value = self.integer("limit", 1, high, default)
        if allowed is not None and value not in allowed:
            raise not_valid("limit")
        return value

    def optional(self, *names: str, low: int = 0, high: int = 10**15) -> dict:
        """Optional integer parameters (startTime, endTime, fromId) that were sent."""
        values = {name: self.integer(name, low, high) for name in names if name in self.args}
        if values.get("startTime", 0) > values.get("endTime", 10**16):
            raise not_valid("startTime")
        return values


def _symbol(raw: str, name: str) -> str:
    symbol = unicodedata.normalize("NFC", raw)
    if not 1 <= len(symbol) <= MAX_SYMBOL_CHARS or not _SYMBOL.fullmatch(symbol) or symbol != symbol.upper():
        raise illegal(name, SYMBOL_RANGE)
    return symbol
