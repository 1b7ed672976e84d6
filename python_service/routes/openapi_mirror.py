"""The OpenAPI paths of the Binance-compatible mirror (merged into routes/openapi.py's
document). Binance's own shapes; errors in Binance's shape {"code", "msg"}."""
from __future__ import annotations

from .inputs import INTERVALS
from .mirror_signed import FUTURES_SIGNED, SPOT_SIGNED

DECIMAL = {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$", "example": "67012.34000000"}
INTEGER = {"type": "integer"}
STRING = {"type": "string"}
SYMBOL = {"type": "string", "pattern": "^[A-Z0-9_.-]{1,20}$", "example": "BTCUSDT"}
SYMBOLS = {"type": "string", "pattern": '^\\["[A-Z0-9_.-]{1,20}"(,"[A-Z0-9_.-]{1,20}"){0,99}\\]$',
           "example": '["BTCUSDT","ETHUSDT"]'}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: list[str], **properties) -> dict:
    return {"type": "object", "required": required, "properties": properties}


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


def one_or_many(name: str) -> dict:
    return {"oneOf": [ref(name), array(ref(name))]}


def query(name: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def binance_error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ref("BinanceError")}}}


WEIGHT_HEADER = {"X-MBX-USED-WEIGHT-1M": {"description": "the gateway's view of this market's used weight",
                                          "schema": {"type": "string", "pattern": "^[0-9]+$"}}}
DATA_HEADERS = {"X-Data-Source": {"schema": {"type": "string", "enum": ["live", "cache", "stale", "fallback"]}},
                "X-Data-As-Of": {"schema": {"type": "string", "format": "date-time"}}, **WEIGHT_HEADER}
TROUBLE = {
    "418": binance_error("IP banned by Binance: -1003 with Retry-After; nothing is sent to Binance meanwhile"),
    "429": binance_error("Binance's rate limit (or the gateway's weight budget): -1003 with Retry-After"),
    "451": binance_error("Binance refuses this location: code 0 with Binance's message"),
    "503": binance_error("Binance unavailable and nothing fresh enough (MIRROR_MAX_STALE_S): -1001"),
}


def market(summary: str, schema: dict, parameters: list) -> dict:
    ok = {"description": "Binance's own JSON", "headers": DATA_HEADERS,
          "content": {"application/json": {"schema": schema}}}
    return {"get": {"summary": summary, "tags": ["Binance-compatible mirror"], "parameters": parameters,
                    "responses": {"200": ok, "400": binance_error(
                        "Binance's parameter errors (-1100, -1101, -1102, -1104, -1105, -1120, -1121, -1128, "
                        "-1130), checked before any upstream call"), **TROUBLE}}}


def signed(method: str, summary: str) -> dict:
    operation = {"summary": summary, "tags": ["Binance-compatible mirror (signed)"],
                 "description": "Passed through exactly as the client signed it (query and body byte for byte, "
                                "the client's X-MBX-APIKEY); never cached, never re-signed; a POST or DELETE is "
                                "never retried (503 -1007 when its answer was lost).",
                 "parameters": [{"name": "X-MBX-APIKEY", "in": "header", "schema": STRING}],
                 "responses": {"200": {"description": "Binance's answer", "headers": WEIGHT_HEADER,
                                       "content": {"application/json": {"schema": {}}}},
                               "default": binance_error("Binance's own error, or the gateway's during trouble")}}
    if method in ("post", "put"):
        operation["requestBody"] = {"required": False, "content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "additionalProperties": STRING}}}}
    return operation


SYMBOL_REQ = query("symbol", SYMBOL, required=True)
SYMBOL_Q = query("symbol", SYMBOL)
SYMBOLS_Q = query("symbols", SYMBOLS)
INTERVAL = query("interval", {"type": "string", "enum": list(INTERVALS)}, required=True)
TIMES = [query("startTime", {"type": "integer", "minimum": 0, "maximum": 10**15}),
         query("endTime", {"type": "integer", "minimum": 0, "maximum": 10**15})]


def limit(high: int, default: int) -> dict:
    return query("limit", {"type": "integer", "minimum": 1, "maximum": high, "default": default})


KLINE = {"type": "array", "minItems": 11, "items": {"oneOf": [INTEGER, DECIMAL]}}
SCHEMAS = {
    "BinanceError": obj(["code", "msg"], code=INTEGER, msg=STRING),
    "BinancePrice": obj(["symbol", "price"], symbol=STRING, price=DECIMAL),
    "BinanceTicker24hr": obj(["symbol", "lastPrice", "volume", "openTime", "closeTime"], symbol=STRING,
                             lastPrice=DECIMAL, volume=DECIMAL, openTime=INTEGER, closeTime=INTEGER),
    "BinanceBookTicker": obj(["symbol", "bidPrice", "bidQty", "askPrice", "askQty"], symbol=STRING,
                             bidPrice=DECIMAL, bidQty=DECIMAL, askPrice=DECIMAL, askQty=DECIMAL),
    "BinanceDepth": obj(["lastUpdateId", "bids", "asks"], lastUpdateId=INTEGER,
                        bids=array({"type": "array", "items": DECIMAL, "minItems": 2, "maxItems": 2}),
                        asks=array({"type": "array", "items": DECIMAL, "minItems": 2, "maxItems": 2})),
    "BinanceExchangeInfo": obj(["timezone", "serverTime", "rateLimits", "symbols"], timezone=STRING,
                               serverTime=INTEGER, rateLimits=array({"type": "object"}),
                               symbols=array(obj(["symbol"], symbol=STRING))),
    "BinancePremiumIndex": obj(["symbol", "markPrice", "lastFundingRate", "nextFundingTime"], symbol=STRING,
                               markPrice=DECIMAL, lastFundingRate=DECIMAL, nextFundingTime=INTEGER),
}

SPOT = {
    "/api/v3/ping": market("Connectivity", {"type": "object"}, []),
    "/api/v3/time": market("Binance's time: the local clock plus the measured offset",
                           obj(["serverTime"], serverTime=INTEGER), []),
    "/api/v3/exchangeInfo": market("Trading rules (cut from the full document for symbol/symbols)",
                                   ref("BinanceExchangeInfo"), [SYMBOL_Q, SYMBOLS_Q]),
    "/api/v3/ticker/price": market("Latest price (from the all-symbols list)", one_or_many("BinancePrice"),
                                   [SYMBOL_Q, SYMBOLS_Q]),
    "/api/v3/ticker/24hr": market("24h statistics", one_or_many("BinanceTicker24hr"), [SYMBOL_Q, SYMBOLS_Q]),
    "/api/v3/ticker/bookTicker": market("Best bid and ask (from the all-symbols list)",
                                        one_or_many("BinanceBookTicker"), [SYMBOL_Q, SYMBOLS_Q]),
    "/api/v3/depth": market("Order book (limit <= 100 cut from a cached book of 100)", ref("BinanceDepth"),
                            [SYMBOL_REQ, limit(5000, 100)]),
    "/api/v3/klines": market("Candles as Binance's arrays", array(KLINE),
                             [SYMBOL_REQ, INTERVAL, limit(1000, 500), *TIMES]),
    "/api/v3/uiKlines": market("Candles for charts", array(KLINE), [SYMBOL_REQ, INTERVAL, limit(1000, 500), *TIMES]),
    "/api/v3/trades": market("Recent trades", array(obj(["id", "price", "qty", "time"], id=INTEGER, price=DECIMAL,
                                                        qty=DECIMAL, time=INTEGER)),
                             [SYMBOL_REQ, limit(1000, 500)]),
    "/api/v3/aggTrades": market("Aggregate trades", array(obj(["a", "p", "q", "T"], a=INTEGER, p=DECIMAL, q=DECIMAL,
                                                              T=INTEGER)),
                                [SYMBOL_REQ, limit(1000, 500), query("fromId", {"type": "integer", "minimum": 0}),
                                 *TIMES]),
    "/api/v3/avgPrice": market("Current average price", obj(["mins", "price"], mins=INTEGER, price=DECIMAL),
                               [SYMBOL_REQ]),
}

FUTURES = {
    "/fapi/v1/ping": market("Connectivity (USDT-M)", {"type": "object"}, []),
    "/fapi/v1/time": market("Binance's time (USDT-M)", obj(["serverTime"], serverTime=INTEGER), []),
    "/fapi/v1/exchangeInfo": market("USDT-M trading rules", ref("BinanceExchangeInfo"), []),
    "/fapi/v1/ticker/price": market("USDT-M latest price", one_or_many("BinancePrice"), [SYMBOL_Q]),
    "/fapi/v2/ticker/price": market("USDT-M latest price (v2, as python-binance asks)", one_or_many("BinancePrice"),
                                    [SYMBOL_Q]),
    "/fapi/v1/ticker/24hr": market("USDT-M 24h statistics", one_or_many("BinanceTicker24hr"), [SYMBOL_Q]),
    "/fapi/v1/ticker/bookTicker": market("USDT-M best bid and ask", one_or_many("BinanceBookTicker"), [SYMBOL_Q]),
    "/fapi/v1/depth": market("USDT-M order book (limit <= 50 cut from a cached book of 50)", ref("BinanceDepth"),
                             [SYMBOL_REQ, query("limit", {"type": "integer", "enum": [5, 10, 20, 50, 100, 500, 1000],
                                                          "default": 500})]),
    "/fapi/v1/klines": market("USDT-M candles", array(KLINE), [SYMBOL_REQ, INTERVAL, limit(1500, 500), *TIMES]),
    "/fapi/v1/markPriceKlines": market("USDT-M mark-price candles", array(KLINE),
                                       [SYMBOL_REQ, INTERVAL, limit(1500, 500), *TIMES]),
    "/fapi/v1/fundingRate": market("Funding rate history", array(obj(["symbol", "fundingRate", "fundingTime"],
                                                                     symbol=STRING, fundingRate=DECIMAL,
                                                                     fundingTime=INTEGER)),
                                   [SYMBOL_Q, limit(1000, 100), *TIMES]),
    "/fapi/v1/premiumIndex": market("Mark price and funding", one_or_many("BinancePremiumIndex"), [SYMBOL_Q]),
    "/fapi/v1/openInterest": market("Open interest", obj(["openInterest", "symbol", "time"], openInterest=DECIMAL,
                                                         symbol=STRING, time=INTEGER), [SYMBOL_REQ]),
}


def _signed_paths() -> dict:
    paths: dict = {}
    for prefix, table in (("/api/v3", SPOT_SIGNED), ("/fapi", FUTURES_SIGNED)):
        for path, methods in table.items():
            paths[prefix + path] = {m.lower(): signed(m.lower(), f"{m} {prefix + path} (signed, passed through)")
                                    for m in methods}
    return paths


def listen_key_operation(method: str, path: str) -> dict:
    spot = path.startswith("/api/v3")
    answer = obj(["listenKey"], listenKey=STRING) if method == "post" or (method == "put" and not spot) else \
        {"type": "object", "additionalProperties": False}
    operation = {
        "summary": f"{method.upper()} {path}: a listenKey for the account's user data",
        "tags": ["Binance-compatible mirror (user data)"],
        "description": "With the configured account's X-MBX-APIKEY: a gateway listenKey (60 minutes without a "
                       "keepalive, LISTEN_KEY_TTL_S) whose stream on the stream mirror (/ws/<listenKey>, "
                       "/fstream/private/ws?listenKey=...) carries the account's events; nothing reaches Binance. "
                       "Any other key: Binance's answer (410 for spot, the request passed through for futures).",
        "parameters": [{"name": "X-MBX-APIKEY", "in": "header", "schema": STRING},
                       {**query("listenKey", STRING), "description": "spot PUT and DELETE: the key (-1102 without "
                                                                     "it, for the account's key; 410 for any other)"}],
        "responses": {"200": {"description": "the listenKey, or {}", "headers": WEIGHT_HEADER,
                              "content": {"application/json": {"schema": answer}}},
                      "default": binance_error("Binance's errors: -1102, -1125, 410 for spot with another key, "
                                               "or Binance's own answer for futures with another key")}}
    if method == "post":
        operation["parameters"] = operation["parameters"][:1]
    return operation


USER_DATA = {path: {m: listen_key_operation(m, path) for m in ("post", "put", "delete")}
             for path in ("/api/v3/userDataStream", "/fapi/v1/listenKey")}
PATHS = {**SPOT, **FUTURES, **_signed_paths(), **USER_DATA}
