"""Odd answers Binance (or what stands in front of it) really sends, on every
market-data route, spot and futures: error bodies that are JSON but not an
object, an empty 200 `{}`, valid JSON of the wrong shape, and a body dripped
one byte at a time. Never a 500, never `live`; stale with its true age when the
route was warm, fallback (or 503) when it was cold; and exactly the expected
number of requests upstream.

The fallback fixture (tests/fixtures/fallback_data) holds BTCUSDT, ETHUSDT and
BNBUSDT at prices the fake does not use, so fallback data is recognisable."""
import pytest

FALLBACK_AS_OF = "2026-01-02T03:04:05.000Z"

# name -> (gateway URL, the upstream path it calls, whether the shipped snapshot covers it)
ROUTES = {
    "price": ("/api/binance/price/BTCUSDT", "/api/v3/ticker/price", True),
    "prices": ("/api/binance/prices", "/api/v3/ticker/price", True),
    "prices-subset": ("/api/binance/prices?symbols=BTCUSDT,ETHUSDT", "/api/v3/ticker/price", True),
    "ticker-symbol": ("/api/binance/ticker/24hr?symbol=BTCUSDT", "/api/v3/ticker/24hr", True),
    "ticker-symbols": ("/api/binance/ticker/24hr?symbols=BTCUSDT,ETHUSDT", "/api/v3/ticker/24hr", True),
    "ticker-all": ("/api/binance/ticker/24hr", "/api/v3/ticker/24hr", True),
    "klines": ("/api/binance/klines?symbol=BTCUSDT&interval=1m&limit=5", "/api/v3/klines", False),
    "depth": ("/api/binance/depth?symbol=BTCUSDT&limit=5", "/api/v3/depth", False),
    "trades": ("/api/binance/trades?symbol=BTCUSDT&limit=5", "/api/v3/trades", False),
    "avg-price": ("/api/binance/avg-price/BTCUSDT", "/api/v3/avgPrice", False),
    "exchange-info": ("/api/binance/exchange-info", "/api/v3/exchangeInfo", True),
    "exchange-info-symbol": ("/api/binance/exchange-info?symbol=BTCUSDT", "/api/v3/exchangeInfo", True),
    "futures-ticker-symbol": ("/api/binance/futures/ticker/24hr?symbol=BTCUSDT", "/fapi/v1/ticker/24hr", False),
    "futures-ticker-all": ("/api/binance/futures/ticker/24hr", "/fapi/v1/ticker/24hr", False),
    "futures-klines": ("/api/binance/futures/klines?symbol=BTCUSDT&interval=1m&limit=5", "/fapi/v1/klines", False),
    "futures-depth": ("/api/binance/futures/depth?symbol=BTCUSDT&limit=5", "/fapi/v1/depth", False),
    "futures-open-interest": ("/api/binance/futures/open-interest/BTCUSDT", "/fapi/v1/openInterest", False),
    "futures-funding-rate": ("/api/binance/futures/funding-rate?symbol=BTCUSDT&limit=5", "/fapi/v1/fundingRate",
                             False),
    "futures-premium-symbol": ("/api/binance/futures/premium-index?symbol=BTCUSDT", "/fapi/v1/premiumIndex", True),
    "futures-premium-all": ("/api/binance/futures/premium-index", "/fapi/v1/premiumIndex", True),
}

# fault name -> (fake.add_fault arguments, upstream requests for one client request with BINANCE_MAX_ATTEMPTS=3)
# A 5xx and a wrong or empty 2xx are transient (tried three times); a 4xx whose body is not Binance's
# error object is an upstream failure too, but a 4xx is not repeated.
ODD_FAULTS = {
    "503-number": ({"kind": "odd_error_body", "status": 503}, 3),
    "502-empty-list": ({"kind": "odd_error_body", "status": 502, "body": []}, 3),
    "400-null": ({"kind": "odd_error_body", "status": 400, "body": None}, 1),
    "empty-200": ({"kind": "empty"}, 3),
    "wrong-shape": ({"kind": "wrong_shape"}, 3),
    "drip": ({"kind": "drip", "interval": 0.2}, 3),  # the smallest body, 45 bytes, would take 9 s
}


@pytest.fixture
def app(make_app):
    """For faults answered at once: an attempt limit no busy machine reaches."""
    return make_app(BINANCE_TIMEOUT_S="5")


def app_for(make_app, fault):
    """A short attempt limit only for the drip, which needs one to end; the other odd answers come
    at once, and a busy machine must never turn a healthy answer into a timeout."""
    return make_app(BINANCE_TIMEOUT_S="0.5" if ODD_FAULTS[fault][0]["kind"] == "drip" else "5")


def add(fake, fault):
    options = dict(ODD_FAULTS[fault][0])
    fake.add_fault(options.pop("kind"), **options)


def checked(response):
    """The body, after the rules every answer keeps: no 500, never live, the header repeats the source."""
    body = response.get_json()
    assert response.status_code != 500, body
    assert response.status_code < 500 or body["error"]["code"] == "upstream_unavailable", body
    if "error" not in body:
        assert response.headers["X-Data-Source"] == body["source"] != "live"
    return body


@pytest.mark.parametrize("route", ROUTES, ids=str)
@pytest.mark.parametrize("fault", ODD_FAULTS, ids=str)
def test_cold_an_odd_answer_serves_the_fallback_or_503_never_live(make_app, fake, route, fault):
    url, upstream_path, has_fallback = ROUTES[route]
    add(fake, fault)

    response = app_for(make_app, fault).test_client().get(url)

    body = checked(response)
    if has_fallback:
        assert response.status_code == 200 and body["source"] == "fallback", body
        assert body["as_of"] == FALLBACK_AS_OF
    else:
        assert response.status_code == 503 and body["error"]["code"] == "upstream_unavailable", body
    assert fake.count() == fake.count(upstream_path) == ODD_FAULTS[fault][1]


@pytest.mark.parametrize("route", ROUTES, ids=str)
@pytest.mark.parametrize("fault", ODD_FAULTS, ids=str)
def test_warm_an_odd_answer_serves_the_last_good_data_as_stale_with_its_true_age(make_app, fake, clock, route,
                                                                                  fault):
    client = app_for(make_app, fault).test_client()
    url, upstream_path, _ = ROUTES[route]
    first = client.get(url).get_json()
    assert first["source"] == "live"
    clock.advance(4000)  # past every TTL, exchangeInfo's hour included
    add(fake, fault)

    response = client.get(url)

    body = checked(response)
    assert response.status_code == 200 and body["source"] == "stale", body
    assert body["as_of"] == first["as_of"] and body["age_s"] == pytest.approx(4000, abs=0.01)
    assert fake.count() == fake.count(upstream_path) == 1 + ODD_FAULTS[fault][1]


@pytest.mark.parametrize("market, url", [("spot", "/api/binance/depth?symbol=BTCUSDT&limit=5"),
                                         ("futures", "/api/binance/futures/depth?symbol=BTCUSDT&limit=5")])
@pytest.mark.parametrize("status, body", [(503, 503), (502, []), (400, None)], ids=["503", "502", "400"])
def test_an_error_body_that_is_not_an_object_is_recorded_as_unreachable(app, fake, market, url, status, body):
    fake.add_fault("odd_error_body", status=status, body=body)

    app.test_client().get(url)

    services = app.extensions["services"]
    lane = next(lane for m, lane in services.upstream.lanes.items() if m.value == market)
    snapshot = lane.state.snapshot()
    assert snapshot["state"] == "unreachable"
    assert snapshot["last_error"]["status"] == status


def test_three_odd_5xx_bodies_in_a_row_open_the_breaker_and_nothing_more_is_sent(app, fake):
    fake.add_fault("odd_error_body", status=503)
    client = app.test_client()

    client.get("/api/binance/depth?symbol=BTCUSDT&limit=5")
    second = client.get("/api/binance/depth?symbol=BTCUSDT&limit=5")

    assert second.status_code == 503 and "Retry-After" in second.headers
    assert fake.count() == 3


def test_an_empty_exchange_info_never_becomes_a_404_for_a_listed_symbol(app, fake, clock):
    fake.add_fault("empty", route="/api/v3/exchangeInfo", times=3)
    client = app.test_client()

    during = client.get("/api/binance/exchange-info?symbol=SOLUSDT")  # listed, not in the fallback
    clock.advance(31)  # the breaker the three failures opened lets one probe through
    after = client.get("/api/binance/exchange-info?symbol=SOLUSDT")

    assert during.status_code == 503 and during.get_json()["error"]["code"] == "upstream_unavailable"
    assert after.status_code == 200 and after.get_json()["source"] == "live"
    assert fake.count("/api/v3/exchangeInfo") == 4  # the empty answers were not cached
