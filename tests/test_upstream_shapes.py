"""Each endpoint's shape check (upstream/shapes.py via endpoints.py): what a 2xx
body must look like before it is cached or served."""
import pytest

from python_service.upstream.endpoints import ENDPOINTS

KLINE = [1700000000000, "1.0", "2.0", "0.5", "1.5", "10.0", 1700000059999, "15.0", 100, "5.0", "7.5", "0"]
BOOK = {"lastUpdateId": 1027024, "bids": [["4.00000000", "431.00000000"]], "asks": [["4.00000200", "12.0"]]}
TICKER = {"symbol": "BTCUSDT", "lastPrice": "67012.34000000", "priceChange": "-1.5"}

GOOD = [
    ("ticker_prices", {"symbol": "BTCUSDT"}, {"symbol": "BTCUSDT", "price": "67012.34000000"}),
    ("ticker_prices", {}, [{"symbol": "BTCUSDT", "price": "67012.34"}, {"symbol": "币安人生USDT", "price": "0.1523"}]),
    ("ticker_prices", {}, [{"symbol": "NEWUSDT", "price": "0.00000000"}]),
    ("ticker_24hr", {"symbol": "BTCUSDT"}, TICKER),
    ("ticker_24hr", {}, [TICKER]),
    ("klines", {"symbol": "BTCUSDT"}, [KLINE, KLINE[:11]]),
    ("klines", {"symbol": "BTCUSDT"}, []),  # a time range without candles
    ("depth", {"symbol": "BTCUSDT"}, BOOK),
    ("depth", {"symbol": "NEWUSDT"}, {"lastUpdateId": 1, "bids": [], "asks": []}),
    ("depth", {"symbol": "BTCUSDT"}, {"lastUpdateId": 1, "bids": [["-0.5", "2"], ["3", "4", "5"]], "asks": []}),
    ("depth", {"symbol": "BTCUSDT"}, {"lastUpdateId": 1, "asks": [],  # a 5,000-level book, checked in one pass
                                      "bids": [[f"{67000 - i}.{i:08d}", f"{i}.5"] for i in range(5000)]}),
    ("trades", {"symbol": "BTCUSDT"}, [{"id": 1, "price": "4.0", "qty": "12.0"}]),
    ("avg_price", {"symbol": "BTCUSDT"}, {"mins": 5, "price": "9.35751834", "closeTime": 1694061154503}),
    ("exchange_info", {}, {"timezone": "UTC", "symbols": [{"symbol": "BTCUSDT", "filters": []}]}),
    ("server_time", {}, {"serverTime": 1499827319559}),
    ("futures_ticker_24hr", {}, [TICKER]),
    ("futures_depth", {"symbol": "BTCUSDT"}, {**BOOK, "E": 1, "T": 1}),
    ("futures_open_interest", {"symbol": "BTCUSDT"}, {"symbol": "BTCUSDT", "openInterest": "10659.509"}),
    ("futures_funding_rate", {"symbol": "BTCUSDT"}, [{"symbol": "BTCUSDT", "fundingRate": "-0.00010000"}]),
    ("futures_premium_index", {"symbol": "BTCUSDT"}, {"symbol": "BTCUSDT", "markPrice": "11793.63104562"}),
]

BAD = [
    ("ticker_prices", {"symbol": "BTCUSDT"}, {}),
    ("ticker_prices", {"symbol": "BTCUSDT"}, [{"symbol": "BTCUSDT", "price": "1"}]),
    ("ticker_prices", {"symbol": "BTCUSDT"}, {"symbol": "BTCUSDT", "price": 67012.34}),  # a float, not a string
    ("ticker_prices", {"symbol": "BTCUSDT"}, {"symbol": "BTCUSDT", "price": "NaN"}),
    ("ticker_prices", {}, []),  # every symbol would look unlisted
    ("ticker_prices", {}, [{"symbol": "BTCUSDT"}]),
    ("ticker_prices", {}, {"symbol": "BTCUSDT", "price": "1"}),
    ("ticker_24hr", {"symbol": "BTCUSDT"}, {}),
    ("ticker_24hr", {}, [{"symbol": "BTCUSDT", "priceChange": "1"}]),
    ("ticker_24hr", {}, None),
    ("klines", {"symbol": "BTCUSDT"}, [KLINE[:5]]),
    ("klines", {"symbol": "BTCUSDT"}, {"unexpected": True}),
    ("depth", {"symbol": "BTCUSDT"}, {}),
    ("depth", {"symbol": "BTCUSDT"}, {"bids": [], "asks": []}),
    ("depth", {"symbol": "BTCUSDT"}, {"lastUpdateId": 1, "bids": None, "asks": []}),
    ("depth", {"symbol": "BTCUSDT"}, {"lastUpdateId": 1, "bids": [["1"]], "asks": []}),
    # each value of every level is checked, however the values are joined for the check
    ("depth", {"symbol": "BTCUSDT"}, {"lastUpdateId": 1, "bids": [["1\n2", "3"]], "asks": []}),
    ("depth", {"symbol": "BTCUSDT"}, {"lastUpdateId": 1, "bids": [["1", "2\n"]], "asks": []}),
    ("depth", {"symbol": "BTCUSDT"}, {"lastUpdateId": 1, "bids": [["1", "2"], ["", "3"]], "asks": []}),
    ("depth", {"symbol": "BTCUSDT"}, {"lastUpdateId": 1, "bids": [["1", 2]], "asks": []}),
    ("depth", {"symbol": "BTCUSDT"}, {"lastUpdateId": 1, "bids": [["1", "2", None]], "asks": []}),
    ("depth", {"symbol": "BTCUSDT"}, {"lastUpdateId": 1, "bids": [["1.", "2"]], "asks": []}),
    ("depth", {"symbol": "BTCUSDT"}, {"lastUpdateId": 1, "bids": [["١", "2"]], "asks": []}),  # Arabic-Indic one
    ("depth", {"symbol": "BTCUSDT"}, {"lastUpdateId": 1, "bids": [("1", "2")], "asks": []}),
    ("depth", {"symbol": "BTCUSDT"}, {"lastUpdateId": 1, "bids": [], "asks": [["1", "2"]] * 4999 + [["1", "x"]]}),
    ("trades", {"symbol": "BTCUSDT"}, [{}]),
    ("avg_price", {"symbol": "BTCUSDT"}, {}),
    ("avg_price", {"symbol": "BTCUSDT"}, []),
    ("exchange_info", {}, {}),
    ("exchange_info", {}, {"symbols": None}),
    ("exchange_info", {}, {"symbols": []}),
    ("exchange_info", {}, {"symbols": [{"status": "TRADING"}]}),
    ("server_time", {}, {}),
    ("futures_ticker_24hr", {"symbol": "BTCUSDT"}, {}),
    ("futures_ticker_24hr", {}, {}),
    ("futures_klines", {"symbol": "BTCUSDT"}, [[1, "2"]]),
    ("futures_depth", {"symbol": "BTCUSDT"}, []),
    ("futures_open_interest", {"symbol": "BTCUSDT"}, {}),
    ("futures_funding_rate", {"symbol": "BTCUSDT"}, {}),
    ("futures_premium_index", {}, []),
    ("futures_premium_index", {"symbol": "BTCUSDT"}, {"symbol": "BTCUSDT"}),
]


def test_every_endpoint_has_a_shape_check():
    assert all(callable(endpoint.shape) for endpoint in ENDPOINTS.values())


@pytest.mark.parametrize("name, params, body", GOOD, ids=lambda v: v if isinstance(v, str) else "")
def test_binance_shaped_answers_pass(name, params, body):
    assert ENDPOINTS[name].shape(body, params)


@pytest.mark.parametrize("name, params, body", BAD, ids=lambda v: v if isinstance(v, str) else "")
def test_answers_missing_what_is_served_fail(name, params, body):
    assert not ENDPOINTS[name].shape(body, params)


def test_a_price_list_with_a_row_missing_its_price_is_an_upstream_failure_not_data(make_app, fake):
    fake.add_fault("wrong_shape", route="/api/v3/ticker/price", body=[{"symbol": "BTCUSDT"}])

    response = make_app(BINANCE_TIMEOUT_S="1").test_client().get("/api/binance/price/BTCUSDT")

    assert response.status_code == 200 and response.get_json()["source"] == "fallback"
    assert fake.count("/api/v3/ticker/price") == 3
