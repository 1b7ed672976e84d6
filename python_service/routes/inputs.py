"""Client input checked before any upstream call: symbols, query parameters and
order bodies. Every failure is a 400 in the error shape; nothing reaches Binance."""
from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from ..errors import ApiError
from ..services.order_filters import PRICED_TYPES, SIDES, TYPES

MAX_SYMBOL_LENGTH = 50
SYMBOL_PUNCTUATION = "-_."
MAX_SYMBOLS = 100
INTERVALS = ("1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M")
_DIGITS = re.compile(r"[0-9]{1,15}")
# The same rule for ASCII text (ASCII letters are category L, its digits Nd), without a lookup per character.
_ASCII_SYMBOL = re.compile(rf"[A-Za-z0-9_.\-]{{1,{MAX_SYMBOL_LENGTH}}}")
# Decimals as Binance writes them: at most 20 integer digits and 18 decimal places. Bounding
# them before any arithmetic keeps "1e-999990" (9 characters) from becoming a 1 MB string.
MAX_INTEGER_DIGITS, MAX_DECIMAL_PLACES = 20, 18
# An order is a flat object; deeper JSON is refused before parsing (the parser recurses).
MAX_JSON_DEPTH = 20
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def parse_symbol(raw) -> str:
    """The contract's rule: letters and digits of any script plus -_., 1-50 characters after
    NFC normalisation; upper-case out. The rule is checked before AND after upper-casing, so that
    casing can neither let an invalid input through nor stretch a valid one past the rule
    ('ß' becomes 'SS', 'ǰ' becomes 'J' and a combining caron)."""
    text = raw if isinstance(raw, str) else ""
    if text.isascii():  # NFC leaves ASCII as it is, and upper-casing keeps it ASCII, of the same length
        if _ASCII_SYMBOL.fullmatch(text):
            return text.upper()
    elif len(text) <= MAX_SYMBOL_LENGTH * 4:  # never normalise 10 kB of hostile input
        symbol = unicodedata.normalize("NFC", text)
        if _symbol_shaped(symbol):
            upper = unicodedata.normalize("NFC", symbol.upper())
            if _symbol_shaped(upper):
                return upper
    shown = text[:24] + ("…" if len(text) > 24 else "")
    raise ApiError(400, "invalid_symbol",
                   f"{shown!r} is not a symbol: expected 1-{MAX_SYMBOL_LENGTH} letters or digits (any script), _ . -")


def _symbol_shaped(text: str) -> bool:
    return 1 <= len(text) <= MAX_SYMBOL_LENGTH and all(
        c in SYMBOL_PUNCTUATION or unicodedata.category(c)[0] == "L" or unicodedata.category(c) == "Nd"
        for c in text)


def parse_symbols(raw: str | None) -> list[str] | None:
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


def symbol_or_symbols(args) -> list[str] | None:
    """`?symbol=S` or `?symbols=A,B` (not both) as a list; None for all symbols."""
    if "symbol" in args and "symbols" in args:
        raise ApiError(400, "invalid_parameters", "give either symbol or symbols, not both")
    if "symbol" in args:
        return [parse_symbol(args["symbol"])]
    return parse_symbols(args.get("symbols"))


def integer(args, name: str, default: int | None, low: int, high: int) -> int | None:
    raw = args.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise ApiError(400, "invalid_parameter", f"{name} must be an integer from {low} to {high}")
    return int(raw)


def choice(args, name: str, allowed, default=None, cast=str):
    raw = args.get(name)
    if raw is None:
        if default is None:
            raise ApiError(400, "invalid_parameter", f"{name} is required: one of {', '.join(map(str, allowed))}")
        return default
    try:
        value = cast(raw)
    except ValueError:
        value = None
    if value not in allowed:
        raise ApiError(400, "invalid_parameter", f"{name} must be one of {', '.join(map(str, allowed))}")
    return value


def time_range(args) -> dict:
    """startTime / endTime in epoch milliseconds, startTime not after endTime."""
    start = integer(args, "startTime", None, 0, 10**15)
    end = integer(args, "endTime", None, 0, 10**15)
    if start is not None and end is not None and start > end:
        raise ApiError(400, "invalid_parameter", "startTime must not be after endTime")
    return {k: v for k, v in (("startTime", start), ("endTime", end)) if v is not None}


def read_body(request) -> bytes:
    """The request body, at most MAX_CONTENT_LENGTH bytes (werkzeug answers 413 past it).
    A body the server cannot read (a malformed chunked encoding, a client that stops
    half-way) is the client's fault: 400, not 500."""
    from werkzeug.exceptions import HTTPException

    try:
        body = request.get_data(cache=False)
        if request.content_length is None:  # chunked: werkzeug stops at the limit; one more byte tells
            request.stream.read(1)           # whether the body went past it (413)
        return body
    except HTTPException:
        raise
    except Exception:  # noqa: BLE001 - the WSGI server's own parse errors have no common public type
        raise ApiError(400, "invalid_body", "the request body could not be read (malformed or incomplete)") from None


def kline_params(args, max_limit: int) -> dict:
    """symbol, interval, limit (1..max_limit, default 500) and the optional time range of a klines request."""
    return {"symbol": parse_symbol(args.get("symbol")), "interval": choice(args, "interval", INTERVALS),
            "limit": integer(args, "limit", 500, 1, max_limit), **time_range(args)}


def json_body(raw: bytes):
    """The request body as JSON, decimals as Decimal (never float: 0.1 + 0.2 must stay 0.3)."""
    if _nesting_depth(raw or b"") > MAX_JSON_DEPTH:
        raise ApiError(400, "invalid_json", f"the body nests JSON deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(raw or b"null", parse_float=Decimal)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApiError(400, "invalid_json", "the body is not valid JSON") from None


def _nesting_depth(raw: bytes) -> int:
    """The deepest bracket nesting outside strings (a malformed body may miscount: the parser decides)."""
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', raw)):
        depth += 1 if match.group() in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def decimal_field(body: dict, name: str, required: bool) -> Decimal | None:
    raw = body.get(name)
    if raw is None:
        if required:
            raise ApiError(400, "invalid_parameter", f"{name} is required")
        return None
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)) or len(str(raw)) > 40:
        raise ApiError(400, "invalid_parameter", f"{name} must be a decimal string such as \"0.001\"")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ApiError(400, "invalid_parameter", f"{name} must be a decimal string such as \"0.001\"") from None
    if not value.is_finite():
        raise ApiError(400, "invalid_parameter", f"{name} must be a positive number")
    _check_size(name, value)
    if value <= 0:
        raise ApiError(400, "invalid_parameter", f"{name} must be a positive number")
    return value


def _check_size(name: str, value: Decimal) -> None:
    """At most MAX_INTEGER_DIGITS before the point and MAX_DECIMAL_PLACES after it (trailing
    zeros do not count). Read from the digits and exponent: no arithmetic on the huge value."""
    _, digits, exponent = value.as_tuple()
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    places = max(0, -(exponent + trailing_zeros)) if any(digits) else 0
    integer_digits = value.adjusted() + 1 if any(digits) else 0
    if places > MAX_DECIMAL_PLACES or integer_digits > MAX_INTEGER_DIGITS:
        raise ApiError(400, "invalid_parameter", f"{name} must have at most {MAX_INTEGER_DIGITS} digits before "
                                                 f"the decimal point and {MAX_DECIMAL_PLACES} after it")


def _side_and_type(body, types) -> tuple[str, str]:
    """An order body's side and type, each one Binance takes."""
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_parameter", "the body must be a JSON object")
    side, kind = body.get("side"), body.get("type")
    if side not in SIDES:
        raise ApiError(400, "invalid_parameter", "side must be BUY or SELL")
    if kind not in types:
        raise ApiError(400, "invalid_parameter", f"type must be one of {', '.join(types)}")
    return side, kind


def parse_order(body) -> dict:
    side, kind = _side_and_type(body, TYPES)
    price = decimal_field(body, "price", required=kind in PRICED_TYPES)
    if kind == "MARKET" and price is not None:
        raise ApiError(400, "invalid_parameter", "a MARKET order takes no price")
    return {"symbol": parse_symbol(body.get("symbol")), "side": side, "type": kind,
            "quantity": decimal_field(body, "quantity", required=True), "price": price}


# ----- order placements (POST /api/binance/orders, /orders/test, /futures/orders) -----
PLACEMENT_TYPES = ("MARKET", "LIMIT", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT", "LIMIT_MAKER")
FUTURES_TYPES = ("MARKET", "LIMIT", "STOP_MARKET", "TAKE_PROFIT_MARKET")
TIME_IN_FORCE = ("GTC", "IOC", "FOK")
RESPONSE_TYPES = ("ACK", "RESULT", "FULL")
# Binance's "Additional mandatory parameters based on type" (MARKET: quantity or quoteOrderQty).
NEEDS = {"LIMIT": ("timeInForce", "quantity", "price"), "MARKET": (),
         "STOP_LOSS": ("quantity", "stopPrice"), "TAKE_PROFIT": ("quantity", "stopPrice"),
         "STOP_LOSS_LIMIT": ("timeInForce", "quantity", "price", "stopPrice"),
         "TAKE_PROFIT_LIMIT": ("timeInForce", "quantity", "price", "stopPrice"),
         "LIMIT_MAKER": ("quantity", "price"),
         # USDT-M: a stop or take-profit that closes at the market once stopPrice trades
         "STOP_MARKET": ("quantity", "stopPrice"), "TAKE_PROFIT_MARKET": ("quantity", "stopPrice")}
_CLIENT_ORDER_ID = re.compile(r"[.A-Za-z0-9:/_-]{1,36}")


def client_order_id(raw) -> str:
    if not isinstance(raw, str) or not _CLIENT_ORDER_ID.fullmatch(raw):
        raise ApiError(400, "invalid_client_order_id", "clientOrderId must be 1-36 of A-Z a-z 0-9 . : / _ -")
    return raw


def _option(body: dict, name: str, allowed) -> str | None:
    value = body.get(name)
    if value is not None and value not in allowed:
        raise ApiError(400, "invalid_parameter", f"{name} must be one of {', '.join(allowed)}")
    return value


def parse_futures_placement(body) -> dict:
    """A USDT-M order: a placement, and `reduceOnly` (it may only shrink a position)."""
    order = parse_placement(body, FUTURES_TYPES)
    reduce_only = body.get("reduceOnly", False)
    if not isinstance(reduce_only, bool):
        raise ApiError(400, "invalid_parameter", "reduceOnly must be true or false")
    if order.get("quoteOrderQty") is not None:
        raise ApiError(400, "invalid_parameter", "a USDT-M order takes quantity, not quoteOrderQty")
    return {**order, "reduceOnly": "true" if reduce_only else None}


def parse_placement(body, types=PLACEMENT_TYPES) -> dict:
    """An order to place, with the parameters its type requires and no others."""
    side, kind = _side_and_type(body, types)
    needs = NEEDS[kind]
    order = {"symbol": parse_symbol(body.get("symbol")), "side": side, "type": kind,
             "timeInForce": _option(body, "timeInForce", TIME_IN_FORCE) if "timeInForce" in needs else None,
             "newOrderRespType": _option(body, "newOrderRespType", RESPONSE_TYPES)}
    for name in ("quantity", "price", "stopPrice"):
        order[name] = decimal_field(body, name, required=name in needs)
        if order[name] is not None and name not in needs and not (kind == "MARKET" and name == "quantity"):
            raise ApiError(400, "invalid_parameter", f"a {kind} order takes no {name}")
    if "timeInForce" in needs and order["timeInForce"] is None:
        raise ApiError(400, "invalid_parameter",
                       f"timeInForce is required for {kind}: one of {', '.join(TIME_IN_FORCE)}")
    order["quoteOrderQty"] = decimal_field(body, "quoteOrderQty", required=False) if kind == "MARKET" else None
    if kind == "MARKET" and (order["quantity"] is None) == (order["quoteOrderQty"] is None):
        raise ApiError(400, "invalid_parameter", "a MARKET order takes exactly one of quantity and quoteOrderQty")
    raw_id = body.get("clientOrderId", body.get("newClientOrderId"))
    order["newClientOrderId"] = None if raw_id is None else client_order_id(raw_id)
    return order


def parse_leverage(body) -> tuple[str, int]:
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_parameter", "the body must be a JSON object")
    leverage = body.get("leverage")
    if isinstance(leverage, bool) or not isinstance(leverage, int) or not 1 <= leverage <= 125:
        raise ApiError(400, "invalid_parameter", "leverage must be an integer from 1 to 125")
    return parse_symbol(body.get("symbol")), leverage


def parse_risk_limits(body) -> dict:
    """An admin's risk limits: each optional (null: no limit of its own), nothing else."""
    names = ("max_order_notional", "max_orders_per_min", "allowed_symbols", "max_leverage", "trading_halted")
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_parameter", "the limits must be a JSON object")
    unknown = sorted(set(body) - set(names))
    if unknown:
        raise ApiError(400, "invalid_parameter", f"unknown limits: {', '.join(unknown)}; known: {', '.join(names)}")
    notional = decimal_field(body, "max_order_notional", required=False)
    if isinstance(body.get("max_order_notional"), (int, Decimal)):
        raise ApiError(400, "invalid_parameter", "max_order_notional must be a decimal string such as \"1000\"")
    symbols = body.get("allowed_symbols")
    if symbols is not None and (not isinstance(symbols, list) or len(symbols) > 1000):
        raise ApiError(400, "invalid_parameter", "allowed_symbols must be a list of symbols, or null for every symbol")
    halted = body.get("trading_halted", False)
    if not isinstance(halted, bool):
        raise ApiError(400, "invalid_parameter", "trading_halted must be true or false")
    return {"max_order_notional": notional, "max_orders_per_min": _whole(body, "max_orders_per_min", 100000),
            "allowed_symbols": None if symbols is None else frozenset(parse_symbol(s) for s in symbols),
            "max_leverage": _whole(body, "max_leverage", 125), "trading_halted": halted}


def _whole(body: dict, name: str, maximum: int) -> int | None:
    value = body.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum):
        raise ApiError(400, "invalid_parameter", f"{name} must be an integer from 1 to {maximum}, or null")
    return value
