"""Klines, depth, trades, average price and USDT-M futures data for the fake
exchange, in Binance's shapes, with Binance's weights."""
from __future__ import annotations

from decimal import Decimal

from . import market

INTERVAL_MS = {"1s": 1_000, "1m": 60_000, "3m": 180_000, "5m": 300_000, "15m": 900_000, "30m": 1_800_000,
               "1h": 3_600_000, "2h": 7_200_000, "4h": 14_400_000, "6h": 21_600_000, "8h": 28_800_000,
               "12h": 43_200_000, "1d": 86_400_000, "3d": 259_200_000, "1w": 604_800_000, "1M": 2_592_000_000}
_Q = Decimal("0.00000001")


def _d(value: Decimal) -> str:
    return f"{value.quantize(_Q):f}"


def _int(params, name, default, low, high, error):
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise error(400, -1100,
                    f"Illegal characters found in parameter '{name}'; legal range is '^[0-9]{{1,20}}$'.") from None
    if not low <= value <= high:
        raise error(400, -1130, f"Invalid data sent for a parameter: {name}.")
    return value


def klines(fake, params, error, price=None):
    price = Decimal(fake._known(params.get("symbol", ""))) if price is None else price
    interval = params.get("interval")
    if interval not in INTERVAL_MS:
        raise error(400, -1120, "Invalid interval.")
    step = INTERVAL_MS[interval]
    limit = _int(params, "limit", 500, 1, 1000 if "/api/" in params.get("_path", "/api/") else 1500, error)
    start = params.get("startTime")
    end = int(params["endTime"]) if "endTime" in params else fake.server_time_ms()
    first = int(start) if start is not None else end - (limit - 1) * step
    first -= first % step
    rows = []
    for i in range(limit):
        open_time = first + i * step
        if open_time > end:
            break
        wobble = Decimal(1) + Decimal((i % 7) - 3) / 1000
        open_, close = price * wobble, price * (wobble + Decimal("0.0005"))
        volume = Decimal(10 + i % 5)
        rows.append([open_time, _d(open_), _d(max(open_, close) * Decimal("1.001")),
                     _d(min(open_, close) * Decimal("0.999")), _d(close), _d(volume), open_time + step - 1,
                     _d(volume * close), 100 + i, _d(volume / 2), _d(volume * close / 2), "0"])
    return rows


def depth(fake, params, error, market="spot", price=None):
    """The fake's book of `symbol` (depth_books.py), moved to the current price: its lastUpdateId is
    never older than the diff-depth events the streams already sent."""
    price = fake._known(params.get("symbol", "")) if price is None else price
    limit = _int(params, "limit", 100, 1, 5000, error)
    return fake.depth_books.snapshot(market, params["symbol"], price, limit)


def trades(fake, params, error):
    price = Decimal(fake._known(params.get("symbol", "")))
    limit = _int(params, "limit", 500, 1, 1000, error)
    now = fake.server_time_ms()
    return [{"id": 28457 + i, "price": _d(price), "qty": "0.01000000", "quoteQty": _d(price / 100),
             "time": now - (limit - i) * 100, "isBuyerMaker": i % 2 == 0, "isBestMatch": True} for i in range(limit)]


def avg_price(fake, params, error):
    return {"mins": 5, "price": fake._known(params.get("symbol", "")), "closeTime": fake.server_time_ms()}


# ----- USDT-M futures (/fapi/v1) -----
def _futures_symbol(fake, params, error, required=True):
    symbol = params.get("symbol")
    if symbol is None and not required:
        return None
    fake.check_symbol_spelling(symbol, "symbol")
    if symbol not in fake.futures_symbols:
        raise error(400, -1121, "Invalid symbol.")
    return symbol


def futures_ticker(fake, params, error):
    symbol = _futures_symbol(fake, params, error, required=False)
    now = fake.server_time_ms()
    drop = ("bidPrice", "bidQty", "askPrice", "askQty", "prevClosePrice")
    rows = [{k: v for k, v in market.ticker_24hr(s, fake.futures_price(s), now).items() if k not in drop}
            for s in ([symbol] if symbol else fake.futures_symbols)]
    return rows[0] if symbol else rows


def futures_price(fake, params, error):
    symbol = _futures_symbol(fake, params, error, required=False)
    now = fake.server_time_ms()
    rows = [{"symbol": s, "price": fake.futures_price(s), "time": now}
            for s in ([symbol] if symbol else fake.futures_symbols)]
    return rows[0] if symbol else rows


def futures_klines(fake, params, error):
    symbol = _futures_symbol(fake, params, error)
    return klines(fake, {**params, "_path": "/fapi/"}, error, Decimal(fake.futures_price(symbol)))


def futures_depth(fake, params, error):
    symbol = _futures_symbol(fake, params, error)
    book = depth(fake, params, error, "futures", fake.futures_price(symbol))
    now = fake.server_time_ms()
    return {"lastUpdateId": book["lastUpdateId"], "E": now, "T": now, "bids": book["bids"], "asks": book["asks"]}


def open_interest(fake, params, error):
    symbol = _futures_symbol(fake, params, error)
    return {"openInterest": "10659.50900000", "symbol": symbol, "time": fake.server_time_ms()}


def funding_rate(fake, params, error):
    symbol = _futures_symbol(fake, params, error)
    limit = _int(params, "limit", 100, 1, 1000, error)
    now = fake.server_time_ms()
    last = now - now % 28_800_000
    return [{"symbol": symbol, "fundingTime": last - (limit - 1 - i) * 28_800_000,
             "fundingRate": "0.00010000", "markPrice": fake.futures_price(symbol)} for i in range(limit)]


def premium_index(fake, params, error):
    symbol = _futures_symbol(fake, params, error, required=False)
    now = fake.server_time_ms()
    rows = [{"symbol": s, "markPrice": fake.futures_price(s), "indexPrice": fake.futures_price(s),
             "estimatedSettlePrice": fake.futures_price(s), "lastFundingRate": "0.00010000",
             "interestRate": "0.00010000", "nextFundingTime": now - now % 28_800_000 + 28_800_000, "time": now}
            for s in ([symbol] if symbol else fake.futures_symbols)]
    return rows[0] if symbol else rows


# ----- weights -----
def depth_weight(params):
    limit = _safe_int(params.get("limit"), 100)
    return 5 if limit <= 100 else 25 if limit <= 500 else 50 if limit <= 1000 else 250


def futures_depth_weight(params):
    limit = _safe_int(params.get("limit"), 500)
    return 2 if limit <= 50 else 5 if limit <= 100 else 10 if limit <= 500 else 20


def futures_klines_weight(params):
    limit = _safe_int(params.get("limit"), 500)
    return 1 if limit < 100 else 2 if limit < 500 else 5 if limit <= 1000 else 10


def _safe_int(raw, default):
    try:
        return int(raw) if raw is not None else default
    except ValueError:
        return default
