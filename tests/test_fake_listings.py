"""The fake's market data as Binance serves it today: odd listings, Unicode symbols, exchangeInfo's fields."""
import json

import pytest
import requests

from tests.fake_binance import FakeBinance

UNICODE_FUTURES = "币安人生USDT"
SPOT_SYMBOL_FIELDS = {
    "symbol", "status", "baseAsset", "baseAssetPrecision", "quoteAsset", "quotePrecision", "quoteAssetPrecision",
    "baseCommissionPrecision", "quoteCommissionPrecision", "orderTypes", "icebergAllowed", "ocoAllowed",
    "otoAllowed", "opoAllowed", "quoteOrderQtyMarketAllowed", "allowTrailingStop", "cancelReplaceAllowed",
    "amendAllowed", "pegInstructionsAllowed", "isSpotTradingAllowed", "isMarginTradingAllowed", "filters",
    "permissions", "permissionSets", "defaultSelfTradePreventionMode", "allowedSelfTradePreventionModes"}
SPOT_FILTERS = ["PRICE_FILTER", "LOT_SIZE", "ICEBERG_PARTS", "MARKET_LOT_SIZE", "TRAILING_DELTA",
                "PERCENT_PRICE_BY_SIDE", "NOTIONAL", "MAX_NUM_ORDERS", "MAX_NUM_ORDER_LISTS",
                "MAX_NUM_ALGO_ORDERS", "MAX_NUM_ORDER_AMENDS"]


@pytest.fixture
def odd():
    exchange = FakeBinance(odd_symbols=True).start()
    yield exchange
    exchange.stop()


def get(fake, path, **params):
    return requests.get(fake.url + path, params=params, timeout=5)


def test_odd_symbols_are_opt_in(fake):
    listed = [row["symbol"] for row in get(fake, "/api/v3/ticker/price").json()]

    assert "NEWUSDT" not in listed and "OLDBTC" not in listed
    assert UNICODE_FUTURES not in [row["symbol"] for row in get(fake, "/fapi/v1/ticker/24hr").json()]


def test_a_just_listed_symbol_has_price_zero_everywhere(odd):
    price = get(odd, "/api/v3/ticker/price", symbol="NEWUSDT").json()
    day = get(odd, "/api/v3/ticker/24hr", symbol="NEWUSDT").json()
    rules = get(odd, "/api/v3/exchangeInfo", symbol="NEWUSDT").json()["symbols"][0]

    assert price == {"symbol": "NEWUSDT", "price": "0.00000000"}
    assert day["lastPrice"] == "0.00000000" and day["priceChangePercent"] == "0.000"
    assert rules["status"] == "TRADING"
    assert {"symbol": "NEWUSDT", "price": "0.00000000"} in get(odd, "/api/v3/ticker/price").json()


def test_a_symbol_in_break_is_still_listed(odd):
    rules = get(odd, "/api/v3/exchangeInfo", symbols='["OLDBTC","BTCUSDT"]').json()["symbols"]

    assert [(s["symbol"], s["status"]) for s in rules] == [("OLDBTC", "BREAK"), ("BTCUSDT", "TRADING")]
    assert get(odd, "/api/v3/ticker/price", symbol="OLDBTC").status_code == 200


@pytest.mark.parametrize("path", ["/fapi/v1/ticker/price", "/fapi/v2/ticker/price", "/fapi/v1/premiumIndex",
                                  "/fapi/v1/ticker/24hr"])
def test_futures_lists_the_unicode_symbol(odd, path):
    everything = get(odd, path)
    one = get(odd, path, symbol=UNICODE_FUTURES)

    assert UNICODE_FUTURES in [row["symbol"] for row in everything.json()]
    assert UNICODE_FUTURES.encode() in everything.content  # UTF-8 on the wire, as Binance sends it
    assert one.status_code == 200 and one.json()["symbol"] == UNICODE_FUTURES
    assert odd.log[-1].params["symbol"] == UNICODE_FUTURES


def test_futures_exchange_info_lists_the_unicode_symbol_and_its_rate_limits(odd):
    info = get(odd, "/fapi/v1/exchangeInfo").json()

    unicode_rules = next(s for s in info["symbols"] if s["symbol"] == UNICODE_FUTURES)
    assert unicode_rules["baseAsset"] == "币安人生" and unicode_rules["contractType"] == "PERPETUAL"
    assert {f["filterType"] for f in unicode_rules["filters"]} >= {"PRICE_FILTER", "LOT_SIZE", "MIN_NOTIONAL"}
    assert info["rateLimits"][0] == {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE",
                                     "intervalNum": 1, "limit": 6000}
    assert [(r.path, r.weight) for r in odd.log] == [("/fapi/v1/exchangeInfo", 1)]


def test_the_futures_weight_limit_can_be_binances_2400():
    exchange = FakeBinance(futures_weight_limit=2400).start()
    try:
        limits = get(exchange, "/fapi/v1/exchangeInfo").json()["rateLimits"]
        assert limits[0]["limit"] == 2400
        assert get(exchange, "/api/v3/exchangeInfo").json()["rateLimits"][0]["limit"] == 6000
    finally:
        exchange.stop()


def test_spot_accepts_a_unicode_symbol_it_lists(fake):
    fake.prices["这是测试币456"] = "1.00000000"  # the symbol Binance's spot testnet lists

    one = get(fake, "/api/v3/ticker/price", symbol="这是测试币456")
    several = get(fake, "/api/v3/ticker/24hr", symbols=json.dumps(["这是测试币456", "BTCUSDT"], ensure_ascii=False))

    assert one.json() == {"symbol": "这是测试币456", "price": "1.00000000"}
    assert [row["symbol"] for row in several.json()] == ["这是测试币456", "BTCUSDT"]


@pytest.mark.parametrize("symbol, code", [
    ("币安人生USDT", -1121),  # legal, but not a spot symbol
    ("NOSUCHCOIN", -1121),
    ("1000SATS-X_Y.Z", -1121),
    ("btcusdt", -1100),  # ASCII letters must be capitals
    ("BTC USDT", -1100),
    ("BTC/USDT", -1100),
    ("BTC%USDT", -1100),
    ("A" * 51, -1100),
])
def test_spot_symbol_spelling(fake, symbol, code):
    response = get(fake, "/api/v3/ticker/price", symbol=symbol)

    assert (response.status_code, response.json()["code"]) == (400, code)
    if code == -1100:
        assert response.json()["msg"].startswith("Illegal characters found in parameter 'symbol'")


def test_an_illegal_symbol_in_symbols_names_that_parameter(fake):
    response = get(fake, "/api/v3/ticker/price", symbols='["BTCUSDT","bad one"]')

    assert response.json()["code"] == -1100 and "'symbols'" in response.json()["msg"]


def test_futures_symbol_spelling(odd):
    assert get(odd, "/fapi/v1/premiumIndex", symbol="ETH?USDT").json()["code"] == -1100
    assert get(odd, "/fapi/v1/premiumIndex", symbol="币安人生BTC").json()["code"] == -1121


def test_spot_exchange_info_symbol_has_todays_fields_and_filters(fake):
    info = get(fake, "/api/v3/exchangeInfo", symbol="BTCUSDT").json()
    rules = info["symbols"][0]
    filters = {f["filterType"]: f for f in rules["filters"]}

    assert set(rules) == SPOT_SYMBOL_FIELDS
    assert [f["filterType"] for f in rules["filters"]] == SPOT_FILTERS
    assert filters["PRICE_FILTER"]["tickSize"] == "0.01000000"
    assert filters["LOT_SIZE"] == {"filterType": "LOT_SIZE", "minQty": "0.00001000", "maxQty": "9000.00000000",
                                   "stepSize": "0.00001000"}
    lot = filters["MARKET_LOT_SIZE"]
    assert lot["stepSize"] == "0.00000000" and lot["maxQty"] == "120.00000000"
    assert set(filters["PERCENT_PRICE_BY_SIDE"]) == {"filterType", "bidMultiplierUp", "bidMultiplierDown",
                                                     "askMultiplierUp", "askMultiplierDown", "avgPriceMins"}
    assert set(filters["NOTIONAL"]) == {"filterType", "minNotional", "applyMinToMarket", "maxNotional",
                                        "applyMaxToMarket", "avgPriceMins"}
    assert filters["MAX_NUM_ORDERS"] == {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200}
    assert filters["MAX_NUM_ALGO_ORDERS"] == {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5}
    assert [(r["rateLimitType"], r["interval"], r["intervalNum"]) for r in info["rateLimits"]] == [
        ("REQUEST_WEIGHT", "MINUTE", 1), ("ORDERS", "SECOND", 10), ("ORDERS", "DAY", 1), ("RAW_REQUESTS", "MINUTE", 5)]


def test_filter_overrides_reach_the_new_filters_too(fake):
    fake.filter_overrides["BTCUSDT"] = {"PERCENT_PRICE_BY_SIDE": {"bidMultiplierUp": "1.05"}}

    rules = get(fake, "/api/v3/exchangeInfo", symbol="BTCUSDT").json()["symbols"][0]

    assert next(f for f in rules["filters"] if f["filterType"] == "PERCENT_PRICE_BY_SIDE")["bidMultiplierUp"] == "1.05"


def test_odd_symbols_can_be_listed_over_http(fake):
    requests.post(fake.url + "/_fake/odd-symbols", json={"on": True}, timeout=5)
    assert get(fake, "/api/v3/ticker/price", symbol="NEWUSDT").status_code == 200

    requests.post(fake.url + "/_fake/odd-symbols", json={"on": False}, timeout=5)
    assert get(fake, "/api/v3/ticker/price", symbol="NEWUSDT").json()["code"] == -1121
