"""Every fault mode of the fake exchange x every market-data route: never a 500,
the right `source`, and exactly the expected number of requests upstream.

The fallback fixture (tests/fixtures/fallback_data) holds BTCUSDT, ETHUSDT and
BNBUSDT at prices the fake does not use, so fallback data is recognisable."""
import json

import pytest

ROUTES = {
    "price": ("/api/binance/price/BTCUSDT", "/api/v3/ticker/price"),
    "prices": ("/api/binance/prices", "/api/v3/ticker/price"),
    "prices-subset": ("/api/binance/prices?symbols=BTCUSDT,ETHUSDT", "/api/v3/ticker/price"),
    "ticker-symbol": ("/api/binance/ticker/24hr?symbol=BTCUSDT", "/api/v3/ticker/24hr"),
    "ticker-symbols": ("/api/binance/ticker/24hr?symbols=BTCUSDT,ETHUSDT", "/api/v3/ticker/24hr"),
    "ticker-all": ("/api/binance/ticker/24hr", "/api/v3/ticker/24hr"),
}
# fault kind and options -> upstream requests for one client request (attempts), with BINANCE_MAX_ATTEMPTS=3
PERSISTENT_FAULTS = {
    "restricted": ({}, 1),
    "rate_limited": ({"retry_after": 30}, 1),
    "banned": ({"retry_after": 120}, 1),
    "server_error-500": ({"status": 500}, 3),
    "server_error-502": ({"status": 502}, 3),
    "server_error-503": ({"status": 503}, 3),
    "slow-past-timeout": ({"delay": 1.5}, 3),
    "silent": ({}, 3),
    "reset": ({}, 3),
    "malformed": ({}, 3),
}


def fault_kind(name):
    return name.split("-")[0]


@pytest.fixture
def app(make_app):
    """For faults answered at once: an attempt limit no busy machine reaches."""
    return make_app(BINANCE_TIMEOUT_S="5")


def app_for(make_app, kind):
    """A short attempt limit only where the fault needs one to end (silent, slow); any other
    fault is answered at once, and a busy machine must never turn its answer into a timeout."""
    return make_app(BINANCE_TIMEOUT_S="0.5" if kind in ("silent", "slow") else "5")


def source_of(response):
    body = response.get_json()
    assert response.status_code < 500 or body["error"]["code"] == "upstream_unavailable", body
    assert "error" in body or response.headers["X-Data-Source"] == body["source"]
    return body.get("source")


@pytest.mark.parametrize("route", ROUTES, ids=str)
@pytest.mark.parametrize("fault", PERSISTENT_FAULTS, ids=str)
def test_with_a_cold_cache_each_fault_serves_the_fallback_after_the_expected_attempts(make_app, fake, route, fault):
    app = app_for(make_app, fault_kind(fault))
    options, attempts = PERSISTENT_FAULTS[fault]
    fake.add_fault(fault_kind(fault), **options)
    url, upstream_path = ROUTES[route]

    response = app.test_client().get(url)

    assert response.status_code == 200
    assert source_of(response) == "fallback"
    assert response.get_json()["as_of"] == "2026-01-02T03:04:05.000Z"
    assert fake.count() == fake.count(upstream_path) == attempts


@pytest.mark.parametrize("route", ROUTES, ids=str)
@pytest.mark.parametrize("fault", PERSISTENT_FAULTS, ids=str)
def test_with_data_seen_before_each_fault_serves_it_as_stale_with_its_true_age(make_app, fake, clock, route, fault):
    client = app_for(make_app, fault_kind(fault)).test_client()
    url, _ = ROUTES[route]
    first = client.get(url).get_json()
    clock.advance(10)  # past every TTL
    options, attempts = PERSISTENT_FAULTS[fault]
    fake.add_fault(fault_kind(fault), **options)

    response = client.get(url)

    body = response.get_json()
    assert source_of(response) == "stale"
    assert body["as_of"] == first["as_of"] and body["age_s"] == pytest.approx(10, abs=0.01)
    assert fake.count() == 1 + attempts


@pytest.mark.parametrize("route", ROUTES, ids=str)
@pytest.mark.parametrize("kind, options", [("server_error", {"status": 500}), ("reset", {}), ("malformed", {}),
                                           ("silent", {})], ids=lambda v: v if isinstance(v, str) else "")
def test_two_transient_failures_then_success_is_three_requests_and_live(make_app, fake, sleeps, route, kind, options):
    fake.add_fault(kind, times=2, **options)
    url, upstream_path = ROUTES[route]

    # the third attempt must succeed: silence needs a limit to end, and 1 s still lets a busy
    # machine's healthy answer through; the other faults are answered at once
    response = make_app(BINANCE_TIMEOUT_S="1" if kind == "silent" else "5").test_client().get(url)

    assert source_of(response) == "live"
    assert fake.count(upstream_path) == 3
    assert len(sleeps) == 2 and sleeps[1] > 0


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_slow_answer_within_the_timeout_is_live_after_one_request(make_app, fake, route):
    fake.add_fault("slow", delay=0.2)
    url, _ = ROUTES[route]

    response = make_app(BINANCE_TIMEOUT_S="2").test_client().get(url)

    assert source_of(response) == "live" and fake.count() == 1


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_with_no_data_anywhere_a_fault_answers_503_upstream_unavailable(make_app, fake, tmp_path, route):
    fake.add_fault("restricted")
    url, _ = ROUTES[route]

    response = make_app(FALLBACK_DATA_DIR=str(tmp_path / "empty")).test_client().get(url)

    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "upstream_unavailable"
    assert response.get_json()["error"]["upstream"] == {"status": 451, "code": 0}
    assert "X-Data-Source" not in response.headers


def test_a_symbol_missing_from_the_fallback_while_binance_is_down_is_503_never_404(app, fake):
    fake.add_fault("restricted")

    response = app.test_client().get("/api/binance/price/SOLUSDT")

    assert response.status_code == 503
    assert fake.count() == 1


def test_ticker_json_list_symbols_param_reaches_binance_compact(app, fake):
    app.test_client().get('/api/binance/ticker/24hr?symbols=["BTCUSDT","ETHUSDT"]')

    assert json.loads(fake.log[0].params["symbols"]) == ["BTCUSDT", "ETHUSDT"]
