"""Klines, depth, trades, average price, exchange info and USDT-M futures routes."""
import pytest

from python_service.routes.inputs import INTERVALS

CANDLE_FIELDS = ["open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume", "trades",
                 "taker_buy_base_volume", "taker_buy_quote_volume"]


def body_of(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    if status == 200:
        assert response.headers["X-Data-Source"] == body["source"] and body["as_of"] and "age_s" in body
    return body


def test_klines_answer_named_candles_with_decimal_strings(client, fake):
    body = body_of(client.get("/api/binance/klines?symbol=btcusdt&interval=1h&limit=3"))

    assert body["symbol"] == "BTCUSDT" and body["interval"] == "1h" and body["count"] == 3
    assert list(body["candles"][0]) == CANDLE_FIELDS
    assert all(isinstance(body["candles"][0][f], str) for f in ("open", "high", "low", "close", "volume"))
    assert body["candles"][1]["open_time"] - body["candles"][0]["open_time"] == 3_600_000
    (record,) = fake.log
    assert (record.path, record.params, record.weight) == (
        "/api/v3/klines", {"symbol": "BTCUSDT", "interval": "1h", "limit": "3"}, 2)


@pytest.mark.parametrize("interval", INTERVALS)
def test_klines_accept_exactly_binance_intervals(client, fake, interval):
    assert client.get(f"/api/binance/klines?symbol=BTCUSDT&interval={interval}&limit=1").status_code == 200


def test_klines_pass_the_time_range_to_binance(client, fake):
    client.get("/api/binance/klines?symbol=BTCUSDT&interval=1m&startTime=1700000000000&endTime=1700000600000")

    assert fake.log[0].params["startTime"] == "1700000000000" and fake.log[0].params["endTime"] == "1700000600000"


BAD_KLINES = ["symbol=BTCUSDT&interval=2m", "symbol=BTCUSDT&interval=1H", "symbol=BTCUSDT", "interval=1h",
              "symbol=BTCUSDT&interval=1h&limit=0", "symbol=BTCUSDT&interval=1h&limit=1001",
              "symbol=BTCUSDT&interval=1h&limit=ten", "symbol=BTCUSDT&interval=1h&limit=-5",
              "symbol=BTCUSDT&interval=1h&startTime=1700000600000&endTime=1700000000000",
              "symbol=BTCUSDT&interval=1h&startTime=yesterday", "symbol=BTC%26x&interval=1h"]


@pytest.mark.parametrize("query", BAD_KLINES)
def test_klines_bad_parameters_are_400_and_nothing_reaches_binance(client, fake, query):
    response = client.get("/api/binance/klines?" + query)

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] in ("invalid_parameter", "invalid_symbol")
    assert fake.count() == 0


def test_klines_of_an_unknown_symbol_are_404_after_one_request(client, fake):
    body = body_of(client.get("/api/binance/klines?symbol=NOSUCHCOIN&interval=1h"), 404)

    assert body["error"]["code"] == "unknown_symbol" and fake.count() == 1


@pytest.mark.parametrize("limit, weight", [(5, 5), (100, 5), (500, 25), (1000, 50), (5000, 250)])
def test_depth_spends_binance_weight_for_its_limit_and_the_budget_counts_it(client, fake, limit, weight):
    body = body_of(client.get(f"/api/binance/depth?symbol=BTCUSDT&limit={limit}"))

    assert len(body["bids"]) == len(body["asks"]) == limit
    assert fake.log[0].weight == weight
    assert client.get("/api/status").get_json()["weight"]["spent_1m"] == weight


def test_depth_with_limit_500_spends_25(client, fake):
    client.get("/api/binance/depth?symbol=ETHUSDT&limit=500")

    assert client.get("/api/status").get_json()["weight"]["spent_1m"] == 25


@pytest.mark.parametrize("query", ["symbol=BTCUSDT&limit=0", "symbol=BTCUSDT&limit=7", "symbol=BTCUSDT&limit=5001",
                                   "symbol=BTCUSDT&limit=abc", "limit=5"])
def test_depth_bad_parameters_are_400_without_upstream(client, fake, query):
    assert client.get("/api/binance/depth?" + query).status_code == 400
    assert fake.count() == 0


def test_trades_and_avg_price_keep_binance_fields(client, fake):
    trades = body_of(client.get("/api/binance/trades?symbol=BTCUSDT&limit=3"))
    avg = body_of(client.get("/api/binance/avg-price/ethusdt"))

    assert trades["count"] == 3 and {"id", "price", "qty", "time", "isBuyerMaker"} <= set(trades["trades"][0])
    assert avg["symbol"] == "ETHUSDT" and avg["price"] == fake.prices["ETHUSDT"] and avg["mins"] == 5
    assert [(r.path, r.weight) for r in fake.log] == [("/api/v3/trades", 25), ("/api/v3/avgPrice", 2)]


@pytest.mark.parametrize("url", ["/api/binance/trades?symbol=BTCUSDT&limit=1001",
                                 "/api/binance/trades?symbol=BTCUSDT&limit=0", "/api/binance/avg-price/BTC%20USDT"])
def test_trades_and_avg_price_bad_parameters_are_400_without_upstream(client, fake, url):
    assert client.get(url).status_code == 400 and fake.count() == 0


def test_exchange_info_parses_filters_from_one_call_cached_for_an_hour(make_app, fake, clock):
    client = make_app().test_client()

    one = body_of(client.get("/api/binance/exchange-info?symbol=BTCUSDT"))
    clock.advance(3599)
    some = body_of(client.get("/api/binance/exchange-info?symbols=ETHUSDT,BNBUSDT"))

    rules = one["symbols"][0]
    assert (rules["base_asset"], rules["quote_asset"], rules["status"]) == ("BTC", "USDT", "TRADING")
    assert rules["filters"]["price"]["tickSize"] == "0.01000000"
    assert rules["filters"]["lot_size"]["stepSize"] == "0.00001000"
    assert rules["filters"]["notional"]["minNotional"] == "5.00000000"
    assert [s["symbol"] for s in some["symbols"]] == ["ETHUSDT", "BNBUSDT"] and some["source"] == "cache"
    assert [(r.path, r.weight) for r in fake.log] == [("/api/v3/exchangeInfo", 20)]


def test_exchange_info_of_an_unknown_symbol_is_404_unknown_symbol_from_one_exchange_info_call(client, fake):
    response = client.get("/api/binance/exchange-info?symbol=NOSUCHCOIN")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_symbol"
    assert "NOSUCHCOIN" in response.get_json()["error"]["message"]
    assert fake.count("/api/v3/exchangeInfo") == 1 and fake.count() == 1


def test_exchange_info_when_binance_is_restricted_comes_from_the_snapshot(client, fake):
    fake.add_fault("restricted")

    body = body_of(client.get("/api/binance/exchange-info?symbol=BTCUSDT"))

    assert body["source"] == "fallback" and body["symbols"][0]["filters"]["lot_size"]["minQty"] == "0.00001000"


FUTURES_ROUTES = {
    "/api/binance/futures/ticker/24hr?symbol=BTCUSDT": ("/fapi/v1/ticker/24hr", 1, "lastPrice"),
    "/api/binance/futures/ticker/24hr": ("/fapi/v1/ticker/24hr", 40, "tickers"),
    "/api/binance/futures/klines?symbol=BTCUSDT&interval=1m&limit=2": ("/fapi/v1/klines", 1, "candles"),
    "/api/binance/futures/depth?symbol=BTCUSDT&limit=100": ("/fapi/v1/depth", 5, "bids"),
    "/api/binance/futures/open-interest/BTCUSDT": ("/fapi/v1/openInterest", 1, "openInterest"),
    "/api/binance/futures/funding-rate?symbol=BTCUSDT&limit=3": ("/fapi/v1/fundingRate", 1, "rates"),
    "/api/binance/futures/premium-index?symbol=BTCUSDT": ("/fapi/v1/premiumIndex", 1, "markPrice"),
    "/api/binance/futures/premium-index": ("/fapi/v1/premiumIndex", 10, "items"),
}


@pytest.mark.parametrize("url", FUTURES_ROUTES)
def test_futures_routes_come_from_the_futures_root_and_spend_the_futures_budget(client, fake, url):
    path, weight, field = FUTURES_ROUTES[url]

    body = body_of(client.get(url))

    assert field in body and body["source"] == "live"
    assert [(r.path, r.weight) for r in fake.log] == [(path, weight)]
    status = client.get("/api/status").get_json()
    assert status["futures_weight"]["spent_1m"] == weight and status["weight"]["spent_1m"] == 0


def test_premium_index_names_mark_index_funding_and_next_funding_time(client, fake):
    body = body_of(client.get("/api/binance/futures/premium-index?symbol=ETHUSDT"))

    assert {"markPrice", "indexPrice", "lastFundingRate", "nextFundingTime"} <= set(body)


def test_futures_premium_index_when_binance_is_restricted_comes_from_the_snapshot(client, fake):
    fake.add_fault("restricted")

    body = body_of(client.get("/api/binance/futures/premium-index?symbol=BTCUSDT"))

    assert body["source"] == "fallback" and body["markPrice"] == "50000.00000000"


@pytest.mark.parametrize("url", ["/api/binance/futures/klines?symbol=BTCUSDT&interval=7m",
                                 "/api/binance/futures/klines?symbol=BTCUSDT&interval=1m&limit=1501",
                                 "/api/binance/futures/depth?symbol=BTCUSDT&limit=5000",
                                 "/api/binance/futures/funding-rate?symbol=BTCUSDT&limit=0",
                                 "/api/binance/futures/funding-rate",
                                 "/api/binance/futures/open-interest/%C7%B0"])  # ǰ: no upper-case letter
def test_futures_bad_parameters_are_400_without_upstream(client, fake, url):
    assert client.get(url).status_code == 400 and fake.count() == 0


def test_futures_unknown_symbol_is_404(client, fake):
    assert client.get("/api/binance/futures/open-interest/LTCBTC").status_code == 404


ALL_NEW_ROUTES = ["/api/binance/klines?symbol=BTCUSDT&interval=1h", "/api/binance/depth?symbol=BTCUSDT",
                  "/api/binance/trades?symbol=BTCUSDT", "/api/binance/avg-price/BTCUSDT",
                  "/api/binance/futures/ticker/24hr?symbol=BTCUSDT", "/api/binance/futures/open-interest/BTCUSDT",
                  "/api/binance/futures/funding-rate?symbol=BTCUSDT"]


@pytest.mark.parametrize("url", ALL_NEW_ROUTES)
def test_under_451_with_nothing_seen_the_answer_is_503_after_one_request(make_app, fake, tmp_path, url):
    fake.add_fault("restricted")
    client = make_app(FALLBACK_DATA_DIR=str(tmp_path)).test_client()

    body = body_of(client.get(url), 503)

    assert body["error"]["code"] == "upstream_unavailable" and fake.count() == 1


@pytest.mark.parametrize("url", ALL_NEW_ROUTES)
def test_under_5xx_after_a_good_answer_the_last_good_is_served_stale(make_app, fake, clock, url):
    client = make_app(BINANCE_MAX_ATTEMPTS="3").test_client()
    first = body_of(client.get(url))
    clock.advance(120)  # past every TTL but exchange info's
    fake.add_fault("server_error", status=502)

    body = body_of(client.get(url))

    assert body["source"] == "stale" and body["as_of"] == first["as_of"]
    assert fake.count() == 1 + 3


@pytest.mark.parametrize("url", ALL_NEW_ROUTES)
def test_two_5xx_then_success_is_live_after_three_requests(client, fake, url):
    fake.add_fault("server_error", status=500, times=2)

    assert body_of(client.get(url))["source"] == "live"
    assert fake.count() == 3
