"""order/validate on the filter set Binance serves today (binance-spot-api-docs
filters.md): MARKET_LOT_SIZE published with stepSize 0 still caps MARKET
orders; PERCENT_PRICE_BY_SIDE bounds LIMIT prices around the average price;
tick and step are checked as `price % tickSize` and `quantity % stepSize`; a
MARKET order on a symbol that has not traded yet is a clear answer, not a 500.
BTCUSDT in the fake: price and average 67012.34, tick 0.01, step 0.00001."""
import json

import pytest

URL = "/api/binance/order/validate"


def check(client, **order):
    body = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", **order}
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def answer(response):
    body = response.get_json()
    assert response.status_code == 200, body
    return body


def violated(body):
    return [(v["filter"], v["rule"], v["nearest_valid"]) for v in body["violations"]]


def test_a_market_order_above_market_lot_size_max_qty_is_invalid_though_its_step_is_zero(client, fake):
    over = answer(check(client, type="MARKET", quantity="120.00001"))
    at = answer(check(client, type="MARKET", quantity="120"))
    limit = answer(check(client, type="LIMIT", quantity="120.00001", price="67000.00"))

    assert violated(over) == [("MARKET_LOT_SIZE", "maxQty", "120.00000")]
    assert over["nearest_valid"]["quantity"] == "120.00000"
    assert at["valid"] is True
    assert limit["valid"] is True  # MARKET_LOT_SIZE binds MARKET orders only


def test_a_market_order_is_still_held_to_lot_size_step(client):
    body = answer(check(client, type="MARKET", quantity="0.001001"))

    assert violated(body) == [("LOT_SIZE", "stepSize", "0.00100")]


def test_a_market_order_on_a_symbol_that_has_not_traded_yet_is_a_clear_400(client, fake):
    fake.list_odd_symbols()  # NEWUSDT, listed a moment ago at price 0

    response = check(client, symbol="NEWUSDT", type="MARKET", quantity="100")

    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == "no_market_price"
    assert "NEWUSDT" in response.get_json()["error"]["message"]


def test_a_limit_order_on_a_symbol_that_has_not_traded_yet_skips_the_percent_price_check(client, fake):
    fake.list_odd_symbols()

    body = answer(check(client, symbol="NEWUSDT", quantity="100", price="0.5"))

    assert body["valid"] is True, body["violations"]
    assert body["avg_price"] == "0.00000000"


@pytest.fixture
def narrow_band(fake):
    fake.filter_overrides["BTCUSDT"] = {"PERCENT_PRICE_BY_SIDE": {
        "bidMultiplierUp": "1.05", "bidMultiplierDown": "0.95", "askMultiplierUp": "1.1", "askMultiplierDown": "0.9"}}


@pytest.mark.parametrize("side, price, rule, nearest", [
    ("BUY", "70362.96", "bidMultiplierUp", "70362.95"),  # 67012.34 x 1.05 = 70362.957
    ("BUY", "63661.72", "bidMultiplierDown", "63661.73"),  # 67012.34 x 0.95 = 63661.723
    ("SELL", "73713.58", "askMultiplierUp", "73713.57"),  # x 1.1 = 73713.574
    ("SELL", "60311.10", "askMultiplierDown", "60311.11"),  # x 0.9 = 60311.106
])
def test_a_limit_price_outside_the_band_of_its_side_names_the_multiplier(client, fake, narrow_band, side, price,
                                                                         rule, nearest):
    body = answer(check(client, side=side, quantity="0.001", price=price))

    assert violated(body) == [("PERCENT_PRICE_BY_SIDE", rule, nearest)]
    assert body["avg_price"] == fake.prices["BTCUSDT"]
    assert body["nearest_valid"]["price"] == nearest
    assert fake.count("/api/v3/avgPrice") == 1


@pytest.mark.parametrize("side, price", [("BUY", "70362.95"), ("BUY", "63661.73"), ("SELL", "73713.57"),
                                         ("SELL", "60311.11"), ("SELL", "70362.96")])
def test_a_limit_price_on_the_edge_of_its_side_band_is_valid(client, narrow_band, side, price):
    body = answer(check(client, side=side, quantity="0.001", price=price))

    assert body["valid"] is True, body["violations"]


def test_when_the_average_price_cannot_be_had_the_band_is_not_checked_and_the_answer_says_so(client, fake,
                                                                                            narrow_band):
    fake.add_fault("restricted", route="/api/v3/avgPrice")

    body = answer(check(client, quantity="0.001", price="80000.00"))

    assert body["valid"] is True and body["avg_price"] is None


def test_the_tick_is_counted_from_zero_not_from_the_minimum_price(client, fake):
    fake.filter_overrides["BTCUSDT"] = {"PRICE_FILTER": {"minPrice": "0.015", "tickSize": "0.01"}}

    on_tick = answer(check(client, quantity="0.001", price="67000.00"))
    off_tick = answer(check(client, quantity="0.001", price="67000.005"))

    assert on_tick["valid"] is True, on_tick["violations"]
    assert violated(off_tick) == [("PRICE_FILTER", "tickSize", "67000.01")]


def test_the_step_is_counted_from_zero_not_from_the_minimum_quantity(client, fake):
    fake.filter_overrides["BTCUSDT"] = {"LOT_SIZE": {"minQty": "0.00015", "stepSize": "0.0001"}}

    on_step = answer(check(client, quantity="0.0010", price="67000.00"))
    off_step = answer(check(client, quantity="0.00105", price="67000.00"))

    assert on_step["valid"] is True, on_step["violations"]
    assert [v[:2] for v in violated(off_step)] == [("LOT_SIZE", "stepSize")]
