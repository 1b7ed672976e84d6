"""The OpenAPI 3 document of python_service, served at /api/openapi.json.
tests/test_openapi.py fails when a route and this document disagree."""
from __future__ import annotations

from ..version import __version__
from . import openapi_mirror as mirror
from .inputs import INTERVALS

# Letters and digits of any script plus -_., 1-50 after NFC (routes/inputs.py). A JSON Schema pattern
# cannot name Unicode letters portably, so it excludes what is never allowed: ASCII other than
# A-Z a-z 0-9 - _ ., whitespace and controls.
SYMBOL_CHAR = "[^\\x00-\\x2c/:-@\\[-\\^`{-\\x7f\\s]"
SYMBOL = {"type": "string", "pattern": f"^{SYMBOL_CHAR}{{1,50}}$", "example": "BTCUSDT",
          "description": "letters and digits of any script, - _ . (1-50 after NFC); case-insensitive"}
DECIMAL = {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$", "example": "67012.34000000"}
ANY_OBJECT = {"type": "object"}
NULLABLE_STRING = {"type": "string", "nullable": True}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: list[str], **properties) -> dict:
    return {"type": "object", "required": required, "properties": properties}


def sourced(schema: dict) -> dict:
    """A market-data answer: its own fields plus source, as_of and age_s."""
    return {"allOf": [schema, ref("Provenance")]}


def error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


def ok(schema: dict, description: str = "OK", data_source: bool = True) -> dict:
    answer = {"description": description, "content": {"application/json": {"schema": schema}}}
    if data_source:
        sources = ["live", "stream", "cache", "stale", "fallback"]
        answer["headers"] = {"X-Data-Source": {"schema": {"type": "string", "enum": sources}}}
    return answer


OVER_SHARE = error("This client spent its share of the minute's request weight (CLIENT_WEIGHT_SHARE) and "
                   "nothing cached covers the request (rate_limited); Retry-After: the next minute")
UPSTREAM_ERRORS = {"429": OVER_SHARE, "502": error("Binance rejected the request (upstream_error)"),
                   "503": error("No live, cached or fallback data (upstream_unavailable); Retry-After when known")}


def market(summary: str, schema: dict, parameters: list, symbol_errors: bool = True) -> dict:
    responses = {"200": ok(sourced(schema)),
                 "400": error("Invalid parameter or symbol (checked before any upstream call)"),
                 **UPSTREAM_ERRORS}
    if symbol_errors:
        responses["404"] = error("Unknown symbol")
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


def query(name: str, schema: dict, required: bool = False, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


SYMBOL_PATH = {"name": "symbol", "in": "path", "required": True, "schema": SYMBOL}
SYMBOL_Q = query("symbol", SYMBOL, description="one symbol, case-insensitive")
SYMBOL_REQ = query("symbol", SYMBOL, required=True)
ONE = f"{SYMBOL_CHAR}{{1,50}}"
SYMBOLS_Q = query("symbols", {"type": "string",
                              "pattern": f'^({ONE}(,{ONE}){{0,99}}|\\["{ONE}"(,"{ONE}"){{0,99}}\\])$'},
    description="up to 100 symbols: A,B or Binance's [\"A\",\"B\"]")
CLIENT_ORDER_ID = {"type": "string", "pattern": "^[.A-Za-z0-9:/_-]{1,36}$", "example": "my-order-1"}
POSITIVE_DECIMAL = {"type": "string", "pattern": "^([1-9][0-9]{0,19}(\\.[0-9]{1,18})?|0\\.[0-9]{0,17}[1-9])$",
                    "example": "0.001"}
# a JSON number is read as a decimal too (never a float)
POSITIVE_AMOUNT = {"oneOf": [POSITIVE_DECIMAL, {"type": "number", "minimum": 0, "exclusiveMinimum": True}]}
def LIMIT(high: int, default: int) -> dict:
    return query("limit", {"type": "integer", "minimum": 1, "maximum": high, "default": default})
TIME_RANGE = [query("startTime", {"type": "integer", "minimum": 0}),
              query("endTime", {"type": "integer", "minimum": 0})]
INTERVAL = query("interval", {"type": "string", "enum": list(INTERVALS)}, required=True)

TICKER_FIELDS = ["symbol", "priceChange", "priceChangePercent", "weightedAvgPrice", "lastPrice", "lastQty",
                 "openPrice", "highPrice", "lowPrice", "volume", "quoteVolume", "openTime", "closeTime",
                 "firstId", "lastId", "count"]

SCHEMAS = {
    "Error": obj(["error"], error=obj(["code", "message"], code={"type": "string"}, message={"type": "string"},
                                        upstream={"type": "object", "properties": {
                                            "status": {"type": "integer", "nullable": True},
                                            "code": {"type": "integer", "nullable": True}}})),
    "Provenance": obj(["source", "as_of", "age_s"],
                      source={"type": "string", "enum": ["live", "stream", "cache", "stale", "fallback"]},
                      as_of={"type": "string", "format": "date-time"}, age_s={"type": "number", "minimum": 0}),
    "Price": obj(["symbol", "price"], symbol={"type": "string"}, price=DECIMAL),
    "Ticker24hr": obj(TICKER_FIELDS, symbol={"type": "string"}, **{name: DECIMAL for name in TICKER_FIELDS[1:11]},
                      openTime={"type": "integer"}, closeTime={"type": "integer"}, firstId={"type": "integer"},
                      lastId={"type": "integer"}, count={"type": "integer"}),
    "Candle": obj(["open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume", "trades",
                   "taker_buy_base_volume", "taker_buy_quote_volume"],
                  open_time={"type": "integer"}, open=DECIMAL, high=DECIMAL, low=DECIMAL, close=DECIMAL,
                  volume=DECIMAL, close_time={"type": "integer"}, quote_volume=DECIMAL, trades={"type": "integer"},
                  taker_buy_base_volume=DECIMAL, taker_buy_quote_volume=DECIMAL),
    "PriceEvent": obj(["symbol", "price", "source", "as_of"], symbol={"type": "string"}, price=DECIMAL,
                      source={"type": "string", "enum": ["live", "stream", "cache", "stale", "fallback"]},
                      as_of={"type": "string", "format": "date-time"}),
    "CandleEvent": {"allOf": [ref("Candle"), obj(
        ["symbol", "interval", "source", "as_of"], symbol={"type": "string"}, interval={"type": "string"},
        source={"type": "string", "enum": ["live", "stream", "cache", "stale", "fallback"]},
        as_of={"type": "string", "format": "date-time"})]},
    "Candles": obj(["symbol", "interval", "candles", "count"], symbol={"type": "string"},
                   interval={"type": "string"}, candles={"type": "array", "items": ref("Candle")},
                   count={"type": "integer"}),
    "Book": obj(["symbol", "lastUpdateId", "bids", "asks"], symbol={"type": "string"},
                lastUpdateId={"type": "integer"},
                bids={"type": "array", "items": {"type": "array", "items": DECIMAL, "minItems": 2, "maxItems": 2}},
                asks={"type": "array", "items": {"type": "array", "items": DECIMAL, "minItems": 2, "maxItems": 2}}),
    "SymbolRules": obj(["symbol", "status", "base_asset", "quote_asset", "order_types", "filters"],
                       symbol={"type": "string"}, status={"type": "string", "nullable": True},
                       base_asset={"type": "string", "nullable": True},
                       quote_asset={"type": "string", "nullable": True},
                       order_types={"type": "array", "items": {"type": "string"}}, filters=ANY_OBJECT),
    "PremiumIndex": obj(["symbol", "markPrice", "indexPrice", "lastFundingRate", "nextFundingTime"],
                        symbol={"type": "string"}, markPrice=DECIMAL, indexPrice=DECIMAL, lastFundingRate=DECIMAL,
                        nextFundingTime={"type": "integer"}),
    "UpstreamState": obj(["state"], state={"type": "string", "enum": ["ok", "restricted", "rate_limited", "banned",
                                                                       "unreachable", "unknown"]},
                         since=NULLABLE_STRING, until=NULLABLE_STRING, message=NULLABLE_STRING,
                         base_url={"type": "string"}, proxy=NULLABLE_STRING,
                         proxy_resolves_names={"type": "boolean", "nullable": True}),
    "OrderCheck": obj(["valid", "symbol", "side", "type", "quantity", "violations", "nearest_valid"],
                      valid={"type": "boolean"}, symbol={"type": "string"}, side={"type": "string"},
                      type={"type": "string"}, quantity={"type": "string"}, price=NULLABLE_STRING,
                      notional=NULLABLE_STRING, avg_price=NULLABLE_STRING,
                      violations={"type": "array", "items": obj(["filter", "field", "rule", "message", "nearest_valid"],
                                                                 filter={"type": "string"}, field={"type": "string"},
                                                                 rule={"type": "string"}, message={"type": "string"},
                                                                 nearest_valid={"type": "string"})},
                      nearest_valid={"type": "object"}, rules=ANY_OBJECT),
    "Order": {"oneOf": [ref("PricedOrder"), ref("MarketOrder")]},
    "PricedOrder": obj(["symbol", "side", "type", "quantity", "price"], symbol=SYMBOL,
                       side={"type": "string", "enum": ["BUY", "SELL"]},
                       type={"type": "string", "enum": ["LIMIT", "LIMIT_MAKER"]},
                       quantity=POSITIVE_AMOUNT, price=POSITIVE_AMOUNT),
    "MarketOrder": {**obj(["symbol", "side", "type", "quantity"], symbol=SYMBOL,
                          side={"type": "string", "enum": ["BUY", "SELL"]},
                          type={"type": "string", "enum": ["MARKET"]}, quantity=POSITIVE_AMOUNT),
                    "not": {"required": ["price"]}},
    "Placement": obj(["symbol", "side", "type"], symbol=SYMBOL, side={"type": "string", "enum": ["BUY", "SELL"]},
                     type={"type": "string", "enum": ["MARKET", "LIMIT", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT",
                                                      "TAKE_PROFIT_LIMIT", "LIMIT_MAKER"]},
                     quantity=POSITIVE_AMOUNT, quoteOrderQty=POSITIVE_AMOUNT, price=POSITIVE_AMOUNT,
                     stopPrice=POSITIVE_AMOUNT, timeInForce={"type": "string", "enum": ["GTC", "IOC", "FOK"]},
                     newOrderRespType={"type": "string", "enum": ["ACK", "RESULT", "FULL"]},
                     clientOrderId=CLIENT_ORDER_ID),
    "FuturesPlacement": obj(["symbol", "side", "type"], symbol=SYMBOL, side={"type": "string", "enum": ["BUY", "SELL"]},
                            type={"type": "string", "enum": ["MARKET", "LIMIT", "STOP_MARKET", "TAKE_PROFIT_MARKET"]},
                            quantity=POSITIVE_AMOUNT, price=POSITIVE_AMOUNT, stopPrice=POSITIVE_AMOUNT,
                            timeInForce={"type": "string", "enum": ["GTC", "IOC", "FOK"]},
                            reduceOnly={"type": "boolean"},
                            newOrderRespType={"type": "string", "enum": ["ACK", "RESULT", "FULL"]},
                            clientOrderId=CLIENT_ORDER_ID),
    "OrderOutcome": obj(["outcome", "market", "clientOrderId", "symbol", "replayed", "recovered"],
                        outcome={"type": "string", "enum": ["placed", "unknown"]},
                        market={"type": "string", "enum": ["spot", "futures"]}, clientOrderId={"type": "string"},
                        symbol={"type": "string"}, replayed={"type": "boolean"}, recovered={"type": "boolean"},
                        order=ANY_OBJECT, order_count=ANY_OBJECT, retry_after_s={"type": "number", "nullable": True},
                        message=NULLABLE_STRING, check={"type": "string"}, repeat={"type": "string"}),
    "FuturesTicker": obj(["symbol", "lastPrice", "volume"], symbol={"type": "string"}, lastPrice=DECIMAL,
                         volume=DECIMAL),
}

def list_of(name: str, items: dict) -> dict:
    return obj([name, "count"], **{name: {"type": "array", "items": items}, "count": {"type": "integer"}})

PATHS = {
    "/api/status": {"get": {"summary": "Liveness and what the service knows; never calls Binance", "responses": {
        "200": ok(obj(["service", "version", "uptime_s", "upstream", "markets", "cache", "weight"],
                      service={"type": "string"}, version={"type": "string"}, uptime_s={"type": "number"},
                      upstream=ref("UpstreamState"),  # spot's, as before markets were shown apart
                      markets=obj(["spot", "futures"], spot=ref("UpstreamState"), futures=ref("UpstreamState")),
                      cache=ANY_OBJECT, weight=ANY_OBJECT), data_source=False)}}},
    "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": ok(ANY_OBJECT, data_source=False)}}},
    "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {
        "200": {"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
    "/api/binance/price/{symbol}": market("One symbol's price", ref("Price"), [SYMBOL_PATH]),
    "/api/binance/prices": market("Prices of all symbols or a subset", list_of("prices", ref("Price")), [SYMBOLS_Q]),
    "/api/binance/ticker/24hr": market("24h statistics (Binance field names)",
                                       {"oneOf": [ref("Ticker24hr"), list_of("tickers", ref("Ticker24hr"))]},
                                       [SYMBOL_Q, SYMBOLS_Q]),
    "/api/binance/klines": market("Candles as named fields", ref("Candles"),
                                  [SYMBOL_REQ, INTERVAL, LIMIT(1000, 500), *TIME_RANGE]),
    "/api/binance/depth": market("Order book", ref("Book"), [SYMBOL_REQ, query(
        "limit", {"type": "integer", "enum": [5, 10, 20, 50, 100, 500, 1000, 5000], "default": 100})]),
    "/api/binance/trades": market("Recent trades", obj(["symbol", "trades", "count"], symbol={"type": "string"},
                                                      trades={"type": "array", "items": ANY_OBJECT},
                                                      count={"type": "integer"}), [SYMBOL_REQ, LIMIT(1000, 500)]),
    "/api/binance/avg-price/{symbol}": market("Current average price", obj(["symbol", "price"],
                                                                         symbol={"type": "string"},
                                                                           price=DECIMAL), [SYMBOL_PATH]),
    "/api/binance/exchange-info": market("Symbol rules with parsed filters", list_of("symbols", ref("SymbolRules")),
                                         [SYMBOL_Q, SYMBOLS_Q]),
    "/api/binance/order/validate": {"post": {
        "summary": "Checks an order against its symbol's filters; never sends it",
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref("Order")}}},
        "responses": {"200": ok(sourced(ref("OrderCheck"))), "400": error("Malformed order"),
                      "413": error("Body larger than MAX_BODY_BYTES (default 16384)"),
                      "404": error("Unknown symbol"), **UPSTREAM_ERRORS}}},
    "/api/binance/trading/status": {"get": {
        "summary": "Keys configured, testnet, and whether Binance accepts the keys",
        "parameters": [{"name": "X-Internal-Token", "in": "header", "schema": {"type": "string"}}],
        "responses": {"200": ok(obj(["api_key_configured", "api_secret_configured", "testnet", "authenticated"],
                                    api_key_configured={"type": "boolean"}, api_secret_configured={"type": "boolean"},
                                    testnet={"type": "boolean"}, authenticated={"type": "boolean"},
                                    can_trade={"type": "boolean", "nullable": True},
                                    permissions={"type": "array", "items": {"type": "string"}},
                                    source={"type": "string", "enum": ["live", "cache", "stale"],
                                            "description": "where the account answer came from (keys work)"},
                                    as_of={"type": "string", "format": "date-time"}, age_s={"type": "number"}),
                                data_source=False),
                      "401": error("X-Internal-Token missing or wrong"),
                      **UPSTREAM_ERRORS}}},
    "/api/binance/connection-status": {"get": {"summary": "Active probe: ping and time", "responses": {
        "200": ok(obj(["reachable", "restricted", "base_url", "state"], reachable={"type": "boolean"},
                      restricted={"type": "boolean"}, base_url={"type": "string"}, proxy=NULLABLE_STRING,
                      proxy_resolves_names={"type": "boolean", "nullable": True},
                      latency_ms={"type": "number", "nullable": True}, state={"type": "string"},
                      http_status={"type": "integer", "nullable": True}), data_source=False),
        "429": OVER_SHARE}}},
    "/api/binance/stream/prices": {"get": {
        "summary": "Live prices as server-sent events: one `price` event per change (symbol, price, source, as_of)",
        "parameters": [{**SYMBOLS_Q, "required": True}],
        "responses": {"200": {"description": "text/event-stream; each `price` event's data is a PriceEvent",
                              "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                      "400": error("Invalid or missing symbols"), "404": error("Unknown symbol"),
                      "429": error("This client has its maximum of open price streams"),
                      "503": error("No room for another price stream, or no price data (Retry-After)")}}},
    "/api/binance/stream/klines": {"get": {
        "summary": "Live candles as server-sent events: one `candle` event per update of the newest candle",
        "parameters": [SYMBOL_REQ, INTERVAL],
        "responses": {"200": {"description": "text/event-stream; each `candle` event's data is a CandleEvent",
                              "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                      "400": error("Invalid symbol or interval"), "404": error("Unknown symbol"),
                      "429": error("This client has its maximum of open streams"),
                      "503": error("No room for another stream, or no data (Retry-After)")}}},
    "/api/binance/futures/ticker/24hr": market("USDT-M 24h statistics", {"oneOf": [
        ref("FuturesTicker"), list_of("tickers", ref("FuturesTicker"))]}, [SYMBOL_Q]),
    "/api/binance/futures/klines": market("USDT-M candles", ref("Candles"),
                                          [SYMBOL_REQ, INTERVAL, LIMIT(1500, 500), *TIME_RANGE]),
    "/api/binance/futures/depth": market("USDT-M order book", ref("Book"), [SYMBOL_REQ, query(
        "limit", {"type": "integer", "enum": [5, 10, 20, 50, 100, 500, 1000], "default": 500})]),
    "/api/binance/futures/open-interest/{symbol}": market("USDT-M open interest", obj(
        ["symbol", "openInterest", "time"], symbol={"type": "string"}, openInterest=DECIMAL,
        time={"type": "integer"}), [SYMBOL_PATH]),
    "/api/binance/futures/funding-rate": market("Funding rate history", obj(
        ["symbol", "rates", "count"], symbol={"type": "string"}, rates={"type": "array", "items": ANY_OBJECT},
        count={"type": "integer"}), [SYMBOL_REQ, LIMIT(1000, 100)]),
    "/api/binance/futures/premium-index": market("Mark and index price, funding", {"oneOf": [
        ref("PremiumIndex"), list_of("items", ref("PremiumIndex"))]}, [SYMBOL_Q]),
}


TRADING_ERRORS = {"400": error("Invalid order or parameters (checked before any upstream call), "
                               "or Binance rejected it"),
                  "401": error("X-Internal-Token missing or wrong"),
                  "403": error("Trading is disabled (TRADING_ENABLED=false), or the order breaks a risk limit "
                               "(risk_limit, naming the limit and its value); nothing was sent"),
                  "502": error("Binance answered with an error"),
                  "503": error("Keys not configured, or Binance cannot be called now (ban, restriction); Retry-After")}
CLIENT_ORDER_PATH = {"name": "client_order_id", "in": "path", "required": True, "schema": CLIENT_ORDER_ID}


def trading(method: str, summary: str, answers: dict, body: dict | None = None, parameters: list | None = None) -> dict:
    operation = {"summary": summary, "responses": {**TRADING_ERRORS, **answers}}
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    operation["parameters"] = [{"name": "X-Internal-Token", "in": "header", "schema": {"type": "string"}},
                               *(parameters or [])]
    return {method: operation}


PLACED = {"200": ok(ref("OrderOutcome"), "Placed earlier: the journalled outcome, nothing sent", False),
          "201": ok(ref("OrderOutcome"), "Placed", False),
          "202": ok(ref("OrderOutcome"), "Unknown for now (the answer was lost): check or repeat after Retry-After",
                    False),
          "409": error("clientOrderId already used for a different order")}
ORDER_PATHS = {
    "/api/binance/orders": trading("post", "Places a spot order exactly once (filters checked first)", PLACED,
                                   ref("Placement")),
    "/api/binance/orders/test": trading("post", "Binance's order/test: the checks of a placement, nothing booked",
                                        {"200": ok(ANY_OBJECT, data_source=False)}, ref("Placement")),
    "/api/binance/orders/{symbol}/{client_order_id}": {
        **trading("get", "Binance's record of one spot order", {"200": ok(ANY_OBJECT, data_source=False),
                                                                "404": error("Binance has no such order")},
                  parameters=[SYMBOL_PATH, CLIENT_ORDER_PATH]),
        **trading("delete", "Cancels one open spot order (never retried)",
                  {"200": ok(ANY_OBJECT, data_source=False), "404": error("No such open order")},
                  parameters=[SYMBOL_PATH, CLIENT_ORDER_PATH])},
    "/api/binance/open-orders": trading("get", "Open spot orders",
                                        {"200": ok(list_of("orders", ANY_OBJECT), data_source=False)},
                                        parameters=[SYMBOL_Q]),
    "/api/binance/futures/account": trading("get", "USDT-M balances, available balance, unrealised PnL "
                                                   "(/fapi/v3/account)",
                                            {"200": ok(ANY_OBJECT, data_source=False)}),
    "/api/binance/futures/positions": trading("get", "Non-zero USDT-M positions with leverage and liquidation price",
                                              {"200": ok(list_of("positions", ANY_OBJECT), data_source=False)}),
    "/api/binance/futures/orders": trading("post", "Places a USDT-M MARKET, LIMIT, STOP_MARKET or TAKE_PROFIT_MARKET "
                                           "order exactly once (reduceOnly: it may only shrink a position)", PLACED,
                                           ref("FuturesPlacement")),
    "/api/binance/futures/orders/{symbol}/{client_order_id}": {
        **trading("get", "Binance's record of one USDT-M order", {"200": ok(ANY_OBJECT, data_source=False),
                                                                  "404": error("Binance has no such order")},
                  parameters=[SYMBOL_PATH, CLIENT_ORDER_PATH]),
        **trading("delete", "Cancels one open USDT-M order (never retried)",
                  {"200": ok(ANY_OBJECT, data_source=False), "404": error("No such open order")},
                  parameters=[SYMBOL_PATH, CLIENT_ORDER_PATH])},
    "/api/binance/futures/open-orders": trading("get", "Open USDT-M orders",
                                                {"200": ok(list_of("orders", ANY_OBJECT), data_source=False)},
                                                parameters=[SYMBOL_Q]),
    "/api/binance/futures/positions/{symbol}/close": trading(
        "post", "Closes the whole position on a symbol: a reduce-only MARKET order the other way",
        {**PLACED, "404": error("No open position on the symbol")}, parameters=[SYMBOL_PATH]),
    "/api/binance/futures/leverage": trading("post", "Sets a symbol's USDT-M initial leverage",
                                             {"200": ok(ANY_OBJECT, data_source=False)},
                                             obj(["symbol", "leverage"], symbol=SYMBOL,
                                                 leverage={"type": "integer", "minimum": 1, "maximum": 125})),
}
PATHS.update(ORDER_PATHS)


def credential(method: str, summary: str, answers: dict, body: dict | None = None,
               parameters: list | None = None) -> dict:
    """A route that uses the account's keys: X-Internal-Token always (503 when none is configured)."""
    operation = {"summary": summary, "parameters": [{"name": "X-Internal-Token", "in": "header",
                                                     "schema": {"type": "string"}}, *(parameters or [])],
                 "responses": {"401": error("X-Internal-Token missing or wrong"),
                               "503": error("INTERNAL_API_TOKEN or the keys not configured, or Binance cannot be "
                                            "called now (Retry-After)"), **answers}}
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return {method: operation}


ACCOUNT_PATHS = {
    "/api/binance/account": credential("get", "Spot balances that are not zero, valued in USDT with each price's "
                                       "provenance, and their total",
                                       {"200": ok(sourced(ref("Balances")), data_source=False), **UPSTREAM_ERRORS}),
    "/api/binance/my-trades": credential("get", "The account's fills on one symbol", {
        "200": ok(sourced(ref("Fills")), data_source=False), "400": error("Invalid symbol or limit"),
        **UPSTREAM_ERRORS}, parameters=[SYMBOL_REQ, LIMIT(1000, 50)]),
    "/api/binance/risk": {
        **credential("get", "The risk limits in force, the settings' ceilings and the admin's limits",
                     {"200": ok(ref("RiskLimits"), data_source=False)}),
        **credential("put", "Sets an admin's limits: never looser than the settings (400 looser_than_ceiling)",
                     {"200": ok(ref("RiskLimits"), data_source=False),
                      "400": error("Malformed limits, or looser than a setting allows (looser_than_ceiling)"),
                      "413": error("Body larger than MAX_BODY_BYTES")}, ref("Limits"))},
    "/api/binance/audit": credential("get", "The audit log, newest first", {
        "200": ok(obj(["entries", "count"], entries={"type": "array", "items": ref("AuditEntry")},
                      count={"type": "integer"}), data_source=False), "400": error("Invalid limit or before")},
        parameters=[LIMIT(500, 100), query("before", {"type": "integer", "minimum": 1},
                                          description="entries older than this id (the next page)")]),
}
ACCOUNT_PATHS["/api/binance/stream/account"] = credential(
    "get", "The account's events as server-sent events: `account` (an AccountEvent: an order update with its "
    "fill, a balance change, a position change, a margin call) as Binance's user data streams push them; "
    "`user_streams` ({spot, futures}: up, down, reconciling...) when a user data stream goes up or down",
    {"200": {"description": "text/event-stream",
             "content": {"text/event-stream": {"schema": {"type": "string"}}}},
     "429": error("This client has its maximum of open streams")})
PATHS.update(ACCOUNT_PATHS)
NULLABLE_DECIMAL = {**DECIMAL, "nullable": True}
LIMIT_FIELDS = dict(max_order_notional={**POSITIVE_DECIMAL, "nullable": True},
                    max_orders_per_min={"type": "integer", "minimum": 1, "maximum": 100000, "nullable": True},
                    allowed_symbols={"type": "array", "items": SYMBOL, "nullable": True},
                    max_leverage={"type": "integer", "minimum": 1, "maximum": 125, "nullable": True},
                    trading_halted={"type": "boolean"})
SCHEMAS.update({
    "Balances": obj(["balances", "count", "total_usdt", "unpriced"], balances={"type": "array", "items": obj(
        ["asset", "free", "locked", "total", "price_usdt", "value_usdt", "price_source", "price_as_of"],
        asset={"type": "string"}, free=DECIMAL, locked=DECIMAL, total=DECIMAL, price_usdt=NULLABLE_DECIMAL,
        value_usdt=NULLABLE_DECIMAL,
        price_source={"type": "string", "nullable": True,
                      "enum": ["live", "stream", "cache", "stale", "fallback", None],
                      "description": "where the asset's USDT price came from (null for USDT itself, or no price)"},
        price_as_of={"type": "string", "format": "date-time", "nullable": True})},
        count={"type": "integer"}, total_usdt=DECIMAL,
        unpriced={"type": "array", "items": {"type": "string"}, "description": "assets with no USDT price now"},
        can_trade={"type": "boolean", "nullable": True}, account_type=NULLABLE_STRING),
    "Fills": obj(["symbol", "trades", "count"], symbol={"type": "string"}, count={"type": "integer"},
                 trades={"type": "array", "items": obj(
                     ["id", "orderId", "side", "price", "qty", "commission", "commissionAsset", "maker", "time"],
                     id={"type": "integer"}, orderId={"type": "integer"},
                     side={"type": "string", "enum": ["BUY", "SELL"]},
                     price=DECIMAL, qty=DECIMAL, quoteQty=NULLABLE_DECIMAL, commission=DECIMAL,
                     commissionAsset={"type": "string"}, maker={"type": "boolean"},
                     time={"type": "string", "format": "date-time", "nullable": True})}),
    "Limits": {"type": "object", "additionalProperties": False, "properties": LIMIT_FIELDS},
    "RiskLimits": obj(["in_force", "ceilings"], in_force=obj(list(LIMIT_FIELDS), **LIMIT_FIELDS),
                      ceilings=obj(list(LIMIT_FIELDS), **LIMIT_FIELDS),
                      admin={"type": "object", "properties": LIMIT_FIELDS, "nullable": True},
                      updated_at={"type": "number", "nullable": True}, updated_by=NULLABLE_STRING),
    "AccountEvent": obj(["type", "market", "time"],
                        type={"type": "string", "enum": ["order", "balance", "position", "margin_call"]},
                        market={"type": "string", "enum": ["spot", "futures"]}, time={"type": "integer"},
                        symbol={"type": "string"}, clientOrderId={"type": "string"}, orderId={"type": "integer"},
                        side={"type": "string"}, orderType={"type": "string"}, status={"type": "string"},
                        execution={"type": "string"}, price=DECIMAL, stopPrice=DECIMAL, quantity=DECIMAL,
                        executedQty=DECIMAL, cumulativeQuote=DECIMAL,
                        fill={"type": "object", "nullable": True, "properties": {
                            "price": DECIMAL, "qty": DECIMAL, "commission": DECIMAL,
                            "commissionAsset": {"type": "string", "nullable": True}, "tradeId": {"type": "integer"},
                            "maker": {"type": "boolean"}}},
                        balances={"type": "array", "items": obj(["asset", "free", "locked"], asset={"type": "string"},
                                                                free=DECIMAL, locked=DECIMAL)},
                        positions={"type": "array", "items": ANY_OBJECT}, wallet=ANY_OBJECT,
                        reason=NULLABLE_STRING),
    "AuditEntry": obj(["id", "at", "actor", "action", "detail"], id={"type": "integer"}, at={"type": "number"},
                      actor={"type": "string", "description": "user:<name>, client:<address> or bot:<address> "
                                                               "key:<sha256 fingerprint of its API key>"},
                      action={"type": "string"}, market=NULLABLE_STRING, symbol=NULLABLE_STRING,
                      decision=NULLABLE_STRING, outcome=NULLABLE_STRING,
                      attempt_id={"type": "integer", "nullable": True}, detail=ANY_OBJECT),
})


# gunicorn refuses these before any route sees the request (in the error shape: server/http_errors.py)
REFUSED_BY_THE_SERVER = {"414": error("Request line longer than the server takes (8,190 bytes)"),
                         "431": error("Request headers larger than the server takes")}


def document() -> dict:
    paths = {**PATHS, **mirror.PATHS}
    paths = {path: {method: {**operation, "responses": {**REFUSED_BY_THE_SERVER, **operation["responses"]}}
                    for method, operation in item.items()} for path, item in paths.items()}
    return {"openapi": "3.0.3",
            "info": {"title": "Binance gateway: python_service", "version": __version__,
                     "description": "Binance market data and account checks with retries, restriction handling, "
                                    "weight budget, cache and honest provenance."},
            "paths": paths, "components": {"schemas": {**SCHEMAS, **mirror.SCHEMAS}}}
