"""POST /api/binance/order/validate on the exact boundaries of each filter.
BTCUSDT in the fake: tick 0.01, lot step 0.00001 (min 0.00001, max 9000), min notional 5."""
import json

import pytest

URL = "/api/binance/order/validate"
# Prices far from BTCUSDT's average (67012.34) test other filters: the PERCENT_PRICE_BY_SIDE band opened below.
NO_LOWER_BAND = {"PERCENT_PRICE_BY_SIDE": {"bidMultiplierDown": "0", "askMultiplierDown": "0"}}


def check(client, **order):
    body = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", **order}
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def rules_of(response):
    body = response.get_json()
    assert response.status_code == 200, body
    return body


def violated(body):
    return [(v["filter"], v["rule"], v["nearest_valid"]) for v in body["violations"]]


def test_a_valid_limit_order_is_valid_and_only_rules_and_average_price_are_asked_of_binance(client, fake):
    body = rules_of(check(client, quantity="0.001", price="67000.01"))

    assert body["valid"] is True and body["violations"] == []
    assert body["notional"] == "67.00001"
    assert body["nearest_valid"] == {"quantity": "0.00100", "price": "67000.01"}
    assert [r.path for r in fake.log] == ["/api/v3/exchangeInfo", "/api/v3/avgPrice"]
    assert not any("order" in r.path for r in fake.log)


def test_a_quantity_one_step_below_the_minimum_names_lot_size_and_the_minimum(client, fake):
    fake.filter_overrides["BTCUSDT"] = {"LOT_SIZE": {"minQty": "0.00100000"}}

    below = rules_of(check(client, quantity="0.00099", price="67000.00"))
    at = rules_of(check(client, quantity="0.00100", price="67000.00"))

    assert violated(below) == [("LOT_SIZE", "minQty", "0.00100")]
    assert at["valid"] is True


def test_a_quantity_one_step_above_the_maximum_names_max_qty(client, fake):
    fake.filter_overrides["BTCUSDT"] = NO_LOWER_BAND
    body = rules_of(check(client, quantity="9000.00001", price="10.00"))

    assert violated(body) == [("LOT_SIZE", "maxQty", "9000.00000")]


def test_a_quantity_off_the_step_by_the_smallest_unit_suggests_the_nearest_step(client):
    body = rules_of(check(client, quantity="0.001001", price="67000.00"))

    assert violated(body) == [("LOT_SIZE", "stepSize", "0.00100")]


def test_a_price_off_the_tick_by_the_smallest_unit_suggests_the_nearest_tick(client):
    off = rules_of(check(client, quantity="0.001", price="67000.011"))
    on = rules_of(check(client, quantity="0.001", price="67000.02"))

    assert violated(off) == [("PRICE_FILTER", "tickSize", "67000.01")]
    assert on["valid"] is True


def test_a_price_below_the_minimum_price_names_min_price(client):
    body = rules_of(check(client, quantity="1000", price="0.009"))

    assert ("PRICE_FILTER", "minPrice", "0.01") in violated(body)


def test_notional_just_under_the_minimum_is_invalid_and_exactly_the_minimum_is_valid(client, fake):
    fake.filter_overrides["BTCUSDT"] = NO_LOWER_BAND
    under = rules_of(check(client, quantity="0.00049", price="10000.00"))  # 4.90
    exact = rules_of(check(client, quantity="0.00050", price="10000.00"))  # 5.00

    assert violated(under) == [("NOTIONAL", "minNotional", "0.00050")]
    assert under["nearest_valid"]["quantity"] == "0.00050"
    assert exact["valid"] is True and exact["notional"] == "5"


def test_values_that_break_floating_point_are_checked_exactly(client, fake):
    fake.filter_overrides["BTCUSDT"] = {"LOT_SIZE": {"minQty": "0.1", "stepSize": "0.1"},
                                        "PRICE_FILTER": {"minPrice": "0.1", "tickSize": "0.1"},
                                        "NOTIONAL": {"minNotional": "0.03"}, **NO_LOWER_BAND}
    # in floating point 0.3 % 0.1 == 0.09999999999999998 and 0.1 * 0.3 == 0.030000000000000002 ... or less
    as_strings = rules_of(check(client, quantity="0.3", price="0.1"))
    as_numbers = client.post(URL, data='{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","quantity":0.3,"price":0.1}',
                             content_type="application/json").get_json()

    assert as_strings["valid"] is True, as_strings["violations"]
    assert as_numbers["valid"] is True and as_numbers["notional"] == "0.03"


def test_a_market_order_is_checked_against_the_current_price_for_notional(client, fake):
    body = rules_of(check(client, type="MARKET", quantity="0.00001"))  # 0.67 USDT at 67012.34

    assert violated(body) == [("NOTIONAL", "minNotional", "0.00008")]
    assert body["price"] is None and body["notional"] == "0.6701234"
    assert sorted(r.path for r in fake.log) == ["/api/v3/exchangeInfo", "/api/v3/ticker/price"]


@pytest.mark.parametrize("order", [
    {"symbol": "BTCUSDT", "side": "HOLD", "type": "LIMIT", "quantity": "1", "price": "1"},
    {"symbol": "BTCUSDT", "side": "buy", "type": "LIMIT", "quantity": "1", "price": "1"},
    {"symbol": {}, "side": "BUY", "type": "MARKET", "quantity": "1"},
    {"symbol": ["BTCUSDT"], "side": "BUY", "type": "MARKET", "quantity": "1"},
    {"symbol": "BTCUSDT", "side": "BUY", "type": "STOP", "quantity": "1", "price": "1"},
    {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "1"},
    {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "1", "price": "1"},
    {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "-1", "price": "1"},
    {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "abc", "price": "1"},
    {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "NaN", "price": "1"},
    {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": True, "price": "1"},
    {"symbol": "BTC&x", "side": "BUY", "type": "LIMIT", "quantity": "1", "price": "1"},
    {"side": "BUY", "type": "LIMIT", "quantity": "1", "price": "1"},
    ["not", "an", "object"],
])
def test_malformed_orders_are_400_and_nothing_reaches_binance(client, fake, order):
    response = client.post(URL, data=json.dumps(order), content_type="application/json")

    assert response.status_code == 400, response.get_json()
    assert fake.count() == 0


def test_a_body_that_is_not_json_is_400(client, fake):
    response = client.post(URL, data="{quantity: 1", content_type="application/json")

    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_json"


def test_an_unknown_symbol_is_404_unknown_symbol_and_sends_no_order(client, fake):
    response = check(client, symbol="NOSUCHCOIN", quantity="1", price="1")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_symbol"
    assert fake.count("/api/v3/exchangeInfo") == 1 and fake.count() == 1  # the rules, and nothing else
