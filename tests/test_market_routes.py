"""Prices and 24h tickers: shapes, provenance, symbol validation, upstream calls."""
import json
from urllib.parse import quote

import pytest

TICKER_FIELDS = {"symbol", "priceChange", "priceChangePercent", "weightedAvgPrice", "prevClosePrice", "lastPrice",
                 "lastQty", "bidPrice", "bidQty", "askPrice", "askQty", "openPrice", "highPrice", "lowPrice",
                 "volume", "quoteVolume", "openTime", "closeTime", "firstId", "lastId", "count"}


def assert_live(response):
    body = response.get_json()
    assert response.headers["X-Data-Source"] == "live"
    assert body["source"] == "live"
    assert body["as_of"].endswith("Z") and 0 <= body["age_s"] < 5
    return body


def test_price_lowercase_symbol_answers_upper_case_price_from_one_upstream_call(client, fake):
    response = client.get("/api/binance/price/btcusdt")

    assert response.status_code == 200
    body = assert_live(response)
    assert (body["symbol"], body["price"]) == ("BTCUSDT", fake.prices["BTCUSDT"])
    assert [(r.path, r.params) for r in fake.log] == [("/api/v3/ticker/price", {})]


def test_prices_without_symbols_lists_every_symbol_binance_has(client, fake):
    response = client.get("/api/binance/prices")

    body = assert_live(response)
    assert {row["symbol"]: row["price"] for row in body["prices"]} == fake.prices
    assert body["count"] == len(fake.prices)
    assert fake.count() == 1


@pytest.mark.parametrize("query", ["BTCUSDT,ethusdt", '["BTCUSDT","ETHUSDT"]', "BTCUSDT,ETHUSDT,BTCUSDT"])
def test_prices_for_a_subset_in_comma_or_json_form_answers_that_subset_from_one_call(client, fake, query):
    response = client.get("/api/binance/prices", query_string={"symbols": query})

    body = assert_live(response)
    assert body["prices"] == [{"symbol": "BTCUSDT", "price": fake.prices["BTCUSDT"]},
                              {"symbol": "ETHUSDT", "price": fake.prices["ETHUSDT"]}]
    assert fake.count("/api/v3/ticker/price") == 1 and fake.count() == 1


def test_prices_answer_decimal_strings_exactly_as_binance_sent_them(client, fake):
    fake.prices["SHIBUSDT"] = "0.00000123"

    body = client.get("/api/binance/prices?symbols=SHIBUSDT").get_json()

    assert body["prices"][0]["price"] == "0.00000123"


def test_price_of_a_symbol_binance_does_not_list_is_404_unknown_symbol(client, fake):
    response = client.get("/api/binance/price/NOSUCHCOIN")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_symbol"
    assert fake.count() == 1


def test_ticker_24hr_for_one_symbol_keeps_binance_field_names_and_strings(client, fake):
    response = client.get("/api/binance/ticker/24hr?symbol=ethusdt")

    body = assert_live(response)
    assert TICKER_FIELDS <= set(body)
    assert body["symbol"] == "ETHUSDT" and body["lastPrice"] == fake.prices["ETHUSDT"]
    assert isinstance(body["volume"], str) and isinstance(body["count"], int)
    assert [(r.path, r.params, r.weight) for r in fake.log] == [("/api/v3/ticker/24hr", {"symbol": "ETHUSDT"}, 2)]


def test_ticker_24hr_for_symbols_sends_one_compact_json_list_upstream(client, fake):
    response = client.get("/api/binance/ticker/24hr?symbols=BTCUSDT,ETHUSDT")

    body = assert_live(response)
    assert [t["symbol"] for t in body["tickers"]] == ["BTCUSDT", "ETHUSDT"]
    (record,) = fake.log
    assert json.loads(record.params["symbols"]) == ["BTCUSDT", "ETHUSDT"]
    assert " " not in record.params["symbols"]


def test_ticker_24hr_without_parameters_lists_all_at_weight_80(client, fake):
    body = assert_live(client.get("/api/binance/ticker/24hr"))

    assert body["count"] == len(fake.prices)
    assert [(r.params, r.weight) for r in fake.log] == [({}, 80)]


def test_ticker_24hr_for_an_unknown_symbol_is_404_with_binance_code(client, fake):
    response = client.get("/api/binance/ticker/24hr?symbol=NOSUCHCOIN")

    assert response.status_code == 404
    assert response.get_json()["error"] == {"code": "unknown_symbol", "message": "Binance does not know this symbol",
                                            "upstream": {"status": 400, "code": -1121}}


def test_ticker_24hr_with_symbol_and_symbols_together_is_400_without_upstream_call(client, fake):
    response = client.get("/api/binance/ticker/24hr?symbol=BTCUSDT&symbols=ETHUSDT")

    assert response.status_code == 400
    assert fake.count() == 0


# Letters of any script are symbol characters now (ARCHITECTURE.md "Symbols"); punctuation is not,
# nor a letter whose upper case is not one ('ǰ' becomes J + a combining caron), nor 51 characters.
BAD_SYMBOLS = ["BTC&symbol=ETH", "../x", "A" * 10_000, "BTC\u00b7USDT", "\u01f0", "BTC USDT", "BTC\nUSDT", "",
               "A" * 51]


@pytest.mark.parametrize("bad", BAD_SYMBOLS, ids=lambda s: repr(s[:12]))
def test_invalid_symbol_in_any_route_is_400_and_nothing_reaches_binance(client, fake, bad):
    answers = [
        client.get("/api/binance/prices", query_string={"symbols": bad}),
        client.get("/api/binance/ticker/24hr", query_string={"symbol": bad}),
        client.get("/api/binance/ticker/24hr", query_string={"symbols": bad}),
    ]
    if bad:
        # percent-encoded, as a client must send it for the text to reach the view unchanged
        answers.append(client.get("/api/binance/price/" + quote(bad, safe="")))

    for response in answers:
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.get_json()["error"]["code"] == "invalid_symbol"
    assert fake.count() == 0


@pytest.mark.parametrize("bad", ["[]", '["BTCUSDT", 5]', '{"a": 1}', "[", ",", '["BTC&symbol=ETH"]',
                                 ",".join(["BTCUSDT"] * 101)])
def test_malformed_symbols_list_is_400_and_nothing_reaches_binance(client, fake, bad):
    response = client.get("/api/binance/prices", query_string={"symbols": bad})

    assert response.status_code == 400
    assert fake.count() == 0

