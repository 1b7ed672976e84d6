"""The Binance-compatible mirror, public paths: Binance's own JSON, one cache with the
gateway's own routes, answers cut from broader cached ones, Binance's parameter errors
before any upstream call, time without upstream calls, and paths it does not mirror."""
import time

import pytest
import requests

FIXED_SERVER_TIME = 1_790_000_000.0

# (mirror path and query, the same request straight at the fake)
SAME_AS_BINANCE = [
    "/api/v3/ping", "/api/v3/exchangeInfo", "/api/v3/exchangeInfo?symbol=ETHUSDT",
    "/api/v3/ticker/price", "/api/v3/ticker/price?symbol=BTCUSDT",
    '/api/v3/ticker/price?symbols=["ETHUSDT","BTCUSDT"]', "/api/v3/ticker/24hr?symbol=BTCUSDT",
    '/api/v3/ticker/24hr?symbols=["BTCUSDT","ETHUSDT"]', "/api/v3/ticker/24hr",
    "/api/v3/ticker/bookTicker", "/api/v3/ticker/bookTicker?symbol=SOLUSDT",
    "/api/v3/depth?symbol=BTCUSDT", "/api/v3/depth?symbol=BTCUSDT&limit=5", "/api/v3/depth?symbol=BTCUSDT&limit=500",
    "/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=10", "/api/v3/uiKlines?symbol=BTCUSDT&interval=1h",
    "/api/v3/trades?symbol=BTCUSDT&limit=3", "/api/v3/aggTrades?symbol=BTCUSDT&limit=3",
    "/api/v3/avgPrice?symbol=BTCUSDT",
    "/fapi/v1/ping", "/fapi/v1/exchangeInfo", "/fapi/v1/ticker/price", "/fapi/v1/ticker/price?symbol=ETHUSDT",
    "/fapi/v1/ticker/24hr", "/fapi/v1/ticker/24hr?symbol=BTCUSDT", "/fapi/v1/ticker/bookTicker",
    "/fapi/v1/ticker/bookTicker?symbol=BTCUSDT", "/fapi/v1/depth?symbol=BTCUSDT&limit=10",
    "/fapi/v1/depth?symbol=BTCUSDT&limit=500", "/fapi/v1/klines?symbol=BTCUSDT&interval=5m&limit=7",
    "/fapi/v1/markPriceKlines?symbol=BTCUSDT&interval=1m&limit=4", "/fapi/v1/fundingRate?symbol=BTCUSDT&limit=3",
    "/fapi/v1/premiumIndex", "/fapi/v1/premiumIndex?symbol=ETHUSDT", "/fapi/v1/openInterest?symbol=BTCUSDT",
]


@pytest.fixture
def frozen_fake(fake):
    """The fake's own clock stopped, so time fields of two answers can be compared."""
    fake.clock = lambda: FIXED_SERVER_TIME
    return fake


@pytest.mark.parametrize("path", SAME_AS_BINANCE)
def test_mirror_answers_binance_json_with_the_same_fields_types_and_order(client, frozen_fake, path):
    direct = requests.get(frozen_fake.url + path, timeout=5)
    frozen_fake.reset()
    frozen_fake.clock = lambda: FIXED_SERVER_TIME

    response = client.get(path)

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == direct.json()
    assert list(response.get_json()) == list(direct.json()) if isinstance(direct.json(), dict) else True
    assert response.headers["X-Data-Source"] == "live"
    assert response.headers["X-Data-As-Of"].endswith("Z")
    assert int(response.headers["X-MBX-USED-WEIGHT-1M"]) >= 1
    assert response.get_data(as_text=True) == direct.text.replace(", ", ",").replace(": ", ":")


def test_ticker_price_and_the_gateways_prices_share_one_upstream_call(client, fake):
    own = client.get("/api/binance/prices")
    every = client.get("/api/v3/ticker/price")
    one = client.get("/api/v3/ticker/price?symbol=BTCUSDT")
    some = client.get('/api/v3/ticker/price?symbols=["ETHUSDT","BTCUSDT"]')

    assert [r.params for r in fake.requests_to("/api/v3/ticker/price")] == [{}]
    assert fake.count() == 1
    assert one.get_json() == {"symbol": "BTCUSDT", "price": fake.prices["BTCUSDT"]}
    assert [row["symbol"] for row in some.get_json()] == ["ETHUSDT", "BTCUSDT"]
    assert len(every.get_json()) == own.get_json()["count"]
    assert (one.headers["X-Data-Source"], every.headers["X-Data-Source"]) == ("cache", "cache")


def test_small_books_are_cut_from_one_cached_book_of_100_of_the_same_age(client, fake):
    five = client.get("/api/v3/depth?symbol=BTCUSDT&limit=5")
    twenty = client.get("/api/v3/depth?symbol=BTCUSDT&limit=20")
    hundred = client.get("/api/binance/depth?symbol=BTCUSDT&limit=100")

    assert [r.params for r in fake.requests_to("/api/v3/depth")] == [{"symbol": "BTCUSDT", "limit": "100"}]
    assert len(five.get_json()["bids"]) == 5 and len(twenty.get_json()["asks"]) == 20
    assert five.get_json()["bids"] == hundred.get_json()["bids"][:5]
    assert five.headers["X-Data-As-Of"] == twenty.headers["X-Data-As-Of"]


def test_exchange_info_for_one_symbol_is_cut_from_the_full_document(client, fake):
    client.get("/api/v3/exchangeInfo")
    one = client.get("/api/v3/exchangeInfo?symbol=BTCUSDT")

    assert [r.params for r in fake.requests_to("/api/v3/exchangeInfo")] == [{}]
    assert [s["symbol"] for s in one.get_json()["symbols"]] == ["BTCUSDT"]
    assert one.get_json()["rateLimits"]


def test_a_symbol_binance_does_not_list_is_binances_minus_1121(client, fake):
    derived = client.get("/api/v3/ticker/price?symbol=NOSUCHCOIN")
    passed = client.get("/api/v3/ticker/24hr?symbol=NOSUCHCOIN")

    for response in (derived, passed):
        assert (response.status_code, response.get_json()) == (400, {"code": -1121, "msg": "Invalid symbol."})


@pytest.mark.parametrize("path, code", [
    ("/api/v3/ticker/price?symbol=BTC%26USDT", -1100),
    ("/api/v3/ticker/price?symbol=btcusdt", -1100),
    ("/api/v3/ticker/price?symbols=BTCUSDT", -1100),
    ("/api/v3/ticker/price?symbol=BTCUSDT&symbol=ETHUSDT", -1101),
    ("/api/v3/depth?symbol=BTCUSDT&limt=5", -1104),
    ("/api/v3/depth?symbol=", -1105),
    ("/api/v3/depth", -1102),
    ("/api/v3/klines?symbol=BTCUSDT&interval=7m", -1120),
    ("/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1001", -1130),
    ("/api/v3/depth?symbol=BTCUSDT&limit=abc", -1100),
    ("/fapi/v1/depth?symbol=BTCUSDT&limit=7", -1130),
    ("/api/v3/ticker/price?symbol=BTCUSDT&symbols=[%22ETHUSDT%22]", -1128),
])
def test_parameters_are_checked_as_binance_checks_them_before_any_upstream_call(client, fake, path, code):
    response = client.get(path)

    assert response.status_code == 400
    assert response.get_json()["code"] == code and response.get_json()["msg"]
    assert fake.count() == 0


def test_unicode_symbols_pass_the_check(client, fake):
    response = client.get("/api/v3/ticker/price?symbol=币安人生USDT")

    assert response.get_json() == {"code": -1121, "msg": "Invalid symbol."}  # the fake does not list it


def test_time_is_the_local_clock_plus_the_measured_offset_without_another_upstream_call(client, fake):
    fake.server_time_offset_ms = 3_600_000

    answers = [client.get(path).get_json()["serverTime"] for path in ("/api/v3/time", "/api/v3/time", "/fapi/v1/time")]

    expected = time.time() * 1000 + 3_600_000
    assert all(abs(answer - expected) < 2_000 for answer in answers)
    assert (fake.count("/api/v3/time"), fake.count("/fapi/v1/time")) == (1, 1)


@pytest.mark.parametrize("path", ["/api/v3/historicalTrades?symbol=BTCUSDT", "/sapi/v1/capital/config/getall",
                                  "/fapi/v1/allForceOrders", "/api/v1/ping", "/dapi/v1/ping"])
def test_a_path_outside_the_mirror_is_a_json_404_naming_it_and_nothing_is_forwarded(client, fake, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.get_json()["code"] == -1000
    assert path.split("?")[0] in response.get_json()["msg"] and "not mirrored" in response.get_json()["msg"]
    assert fake.count() == 0


def test_a_mirrored_path_with_a_method_it_does_not_answer_is_405_in_binances_shape(client, fake):
    response = client.post("/api/v3/ticker/price")

    assert response.status_code == 405 and response.headers["Allow"] == "GET"
    assert response.get_json()["code"] == -1000
    assert fake.count() == 0


def test_the_gateways_own_routes_keep_their_error_shape(client, fake):
    response = client.get("/api/binance/price/btc&usdt")

    assert response.get_json()["error"]["code"] == "invalid_symbol"


def test_used_weight_header_is_the_gateways_view_of_the_market(client, fake):
    client.get("/api/v3/exchangeInfo")
    spot = client.get("/api/v3/ticker/price")
    futures = client.get("/fapi/v1/ticker/price")

    assert int(spot.headers["X-MBX-USED-WEIGHT-1M"]) == fake.used_weight() == 24
    assert int(futures.headers["X-MBX-USED-WEIGHT-1M"]) == 2
