"""What a 2xx answer of each endpoint must look like before it is cached or
served. Binance's shapes (binance-spot-api-docs rest-api.md, USD-M futures
docs): an answer that misses what the gateway serves from it is as bad as no
answer (calls.py raises Unreachable), never data to pass on or cache."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Shape = Callable[[Any, dict], bool]  # (body, request params) -> does it fit?

_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
KLINE_FIELDS = 11  # open time ... taker buy quote volume (a 12th, "ignore", may follow)


_DECIMAL_LINES = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:\n-?[0-9]+(?:\.[0-9]+)?)*")


def decimal(value) -> bool:
    """Binance sends prices and quantities as decimal strings ("67012.34000000")."""
    return isinstance(value, str) and _DECIMAL.fullmatch(value) is not None


def _decimals(values: list) -> bool:
    """Every value a decimal string, checked in one regex pass over them joined by newlines
    (a 5,000-level book has 20,000; one call each costs a gevent worker ~25 ms). A value
    with a newline of its own would add a line: the count of newlines rules that out."""
    if not values:
        return True
    try:
        joined = "\n".join(values)
    except TypeError:
        return False  # a value that is not a string
    return joined.count("\n") == len(values) - 1 and _DECIMAL_LINES.fullmatch(joined) is not None


def _book_side(side) -> bool:
    """A list of levels, each a list of at least [price, quantity], all decimal strings."""
    return (isinstance(side, list) and all(isinstance(level, list) and len(level) >= 2 for level in side)
            and _decimals([value for level in side for value in level]))


def _row(**fields: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """A JSON object whose named fields pass their checks."""
    return lambda row: isinstance(row, dict) and all(check(row.get(name)) for name, check in fields.items())


def _text(value) -> bool:
    return isinstance(value, str) and value != ""


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _list_of(check: Callable[[Any], bool], at_least: int = 0) -> Callable[[Any], bool]:
    return lambda rows: isinstance(rows, list) and len(rows) >= at_least and all(check(r) for r in rows)


def obj(check: Callable[[Any], bool] = lambda body: True) -> Shape:
    return lambda body, params: isinstance(body, dict) and check(body)


def rows(check: Callable[[Any], bool]) -> Shape:
    """A list of rows (possibly empty: a time range without candles, a symbol without trades)."""
    return lambda body, params: _list_of(check)(body)


def one_or_many(check: Callable[[Any], bool]) -> Shape:
    """One row for `symbol=`; otherwise a non-empty list (Binance never lists no symbol at all,
    and an empty list would make every symbol look unlisted)."""
    return lambda body, params: check(body) if "symbol" in params else _list_of(check, at_least=1)(body)


def LISTEN_KEY(body, params) -> bool:
    """python-binance hands back the listenKey itself, not Binance's {"listenKey": ...}."""
    return _text(body)


OBJECT = _row()  # any JSON object: signed answers are passed on, not picked apart
PRICE_ROW = _row(symbol=_text, price=decimal)
BOOK_TICKER_ROW = _row(symbol=_text, bidPrice=decimal, askPrice=decimal)
TICKER_ROW = _row(symbol=_text, lastPrice=decimal)
KLINE = _list_of(lambda field: True, at_least=KLINE_FIELDS)
BOOK = obj(_row(lastUpdateId=_integer, bids=_book_side, asks=_book_side))
TRADE = _row(price=decimal, qty=decimal)
AGG_TRADE = _row(p=decimal, q=decimal)
AVG_PRICE = obj(_row(price=decimal))
EXCHANGE_INFO = obj(_row(symbols=_list_of(_row(symbol=_text), at_least=1)))
SERVER_TIME = obj(_row(serverTime=_integer))
OPEN_INTEREST = obj(_row(symbol=_text, openInterest=decimal))
FUNDING_ROW = _row(symbol=_text, fundingRate=decimal)
PREMIUM_ROW = _row(symbol=_text, markPrice=decimal)
