"""Restriction mode, ban obedience, weight budget, breaker, single flight and caching."""
import threading

import pytest

from tests.fake_binance import RESTRICTED_MSG

PRICE = "/api/binance/price/BTCUSDT"


def test_451_is_one_request_then_none_for_1000_client_requests_during_the_cool_down(make_app, fake, clock):
    client = make_app(RESTRICTION_COOLDOWN_S="60").test_client()
    fake.add_fault("restricted")

    sources = set()
    for _ in range(1000):
        sources.add(client.get(PRICE).get_json()["source"])
        clock.advance(0.05)  # 1000 requests over 50 s

    assert sources == {"fallback"}
    assert fake.count() == 1


def test_after_the_cool_down_one_probe_goes_out_and_its_success_ends_restriction(make_app, fake, clock):
    client = make_app(RESTRICTION_COOLDOWN_S="60").test_client()
    fake.add_fault("restricted", times=2)
    client.get(PRICE)
    clock.advance(61)
    client.get(PRICE)  # probe 1: still 451
    clock.advance(30)
    held = client.get(PRICE)
    clock.advance(31)

    recovered = client.get(PRICE)

    assert held.get_json()["source"] == "fallback"
    assert recovered.get_json()["source"] == "live"
    assert fake.count() == 3
    assert client.get("/api/status").get_json()["upstream"]["state"] == "ok"


def test_restricted_state_is_shown_with_message_and_since(make_app, fake):
    client = make_app().test_client()
    fake.add_fault("restricted")
    client.get(PRICE)

    upstream = client.get("/api/status").get_json()["upstream"]

    assert upstream["state"] == "restricted" and upstream["message"] == RESTRICTED_MSG
    assert upstream["since"] and 0 < upstream["retry_after_s"] <= 60


def test_429_with_retry_after_30_sends_nothing_for_30_seconds_of_fake_clock(make_app, fake, clock):
    client = make_app().test_client()
    fake.add_fault("rate_limited", retry_after=30, times=1)
    client.get(PRICE)

    for _ in range(29):
        clock.advance(1)
        assert client.get(PRICE).get_json()["source"] == "fallback"
    status = client.get("/api/status").get_json()["upstream"]
    clock.advance(1.01)
    after = client.get(PRICE)

    assert fake.count() == 2
    assert status["state"] == "rate_limited" and status["until"]
    assert after.get_json()["source"] == "live"


# A 418 whose message gives no "banned until <ms>" (the fake's own 418 always gives one).
BARE_418 = {"kind": "odd_error_body", "status": 418,
            "body": {"code": -1003, "msg": "Way too much request weight used."}}


@pytest.mark.parametrize("fault, default_wait", [({"kind": "rate_limited"}, 60), (BARE_418, 300)])
def test_without_retry_after_the_default_wait_is_obeyed(make_app, fake, clock, fault, default_wait):
    client = make_app().test_client()
    fake.add_fault(times=1, **fault)
    client.get(PRICE)
    clock.advance(default_wait - 1)
    client.get(PRICE)
    held_count = fake.count()
    clock.advance(1.01)
    client.get(PRICE)

    assert held_count == 1 and fake.count() == 2


def test_during_a_ban_with_no_data_at_all_the_answer_is_503_with_retry_after(make_app, fake, tmp_path, clock):
    client = make_app(FALLBACK_DATA_DIR=str(tmp_path / "none")).test_client()
    fake.add_fault("banned", retry_after=120)
    client.get(PRICE)
    clock.advance(20)

    response = client.get(PRICE)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "100"
    assert fake.count() == 1


def test_weight_budget_stops_calls_that_would_pass_the_ceiling_and_serves_stale(make_app, fake, clock):
    client = make_app(WEIGHT_BUDGET_RATIO="0.5").test_client()  # ceiling 3000 of 6000
    client.get(PRICE)
    fake._spend(False, 2995)  # other users of this IP spent weight: 2999 used this minute
    clock.advance(2)
    client.get("/api/binance/ticker/24hr?symbol=ETHUSDT")  # sent (we knew of 4); Binance reports 3001
    clock.advance(2)

    response = client.get(PRICE)

    assert response.get_json()["source"] == "stale"
    assert [r.path for r in fake.log] == ["/api/v3/ticker/price", "/api/v3/ticker/24hr"]
    weight = client.get("/api/status").get_json()["weight"]
    assert weight["ceiling_1m"] == 3000 and weight["used_1m"] >= 2999


def test_own_spend_is_counted_even_when_binance_reports_nothing(make_app, fake, clock):
    fake.report_weight = False  # no X-MBX-USED-WEIGHT-1M: only our own count can hold the budget
    client = make_app(WEIGHT_BUDGET_RATIO="0.002").test_client()  # ceiling 12: three price calls of 4
    for _ in range(5):
        client.get(PRICE)
        clock.advance(1.5)

    assert fake.count() == 3


def test_breaker_opens_after_one_failed_call_and_later_requests_cost_no_wait(make_app, fake, clock):
    fake.add_fault("silent")
    client = make_app(BINANCE_TIMEOUT_S="0.2", BREAKER_THRESHOLD="3", BREAKER_COOLDOWN_S="30").test_client()
    client.get(PRICE)

    for _ in range(50):
        clock.advance(0.1)
        assert client.get(PRICE).get_json()["source"] == "fallback"

    assert fake.count() == 3
    assert client.get("/api/status").get_json()["upstream"]["state"] == "unreachable"


def test_breaker_probes_once_per_cool_down_and_closes_on_success(make_app, fake, clock):
    fake.add_fault("reset", times=4)
    client = make_app(BREAKER_THRESHOLD="3", BREAKER_COOLDOWN_S="30").test_client()
    client.get(PRICE)  # 3 failed attempts: breaker open
    clock.advance(31)
    client.get(PRICE)  # probe: one failed attempt (4th reset) then success on retry
    assert fake.count() == 5
    assert client.get("/api/status").get_json()["upstream"]["state"] == "ok"


def test_concurrent_requests_for_the_same_data_share_one_upstream_call(make_app, fake):
    fake.add_fault("slow", delay=0.3, times=1)
    app = make_app()
    results = []

    def ask():
        results.append(app.test_client().get(PRICE).get_json()["source"])

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 16 and set(results) <= {"live", "cache"}
    assert fake.count() == 1


def test_prices_are_cached_for_their_ttl_and_one_call_serves_every_subset(make_app, fake, clock):
    client = make_app(PRICES_TTL_S="1").test_client()

    first = client.get(PRICE)
    second = client.get("/api/binance/prices?symbols=ETHUSDT,BNBUSDT")
    third = client.get("/api/binance/prices")
    clock.advance(1.0)
    fourth = client.get(PRICE)

    assert [r.get_json()["source"] for r in (first, second, third, fourth)] == ["live", "cache", "cache", "live"]
    assert second.headers["X-Data-Source"] == "cache"
    assert fake.count() == 2


def test_ticker_ttl_is_its_own_setting(make_app, fake, clock):
    client = make_app(TICKER_TTL_S="5").test_client()
    client.get("/api/binance/ticker/24hr?symbol=BTCUSDT")
    clock.advance(4.9)
    cached = client.get("/api/binance/ticker/24hr?symbol=BTCUSDT").get_json()

    assert cached["source"] == "cache" and cached["age_s"] == pytest.approx(4.9)
    assert fake.count() == 1


def test_error_answers_are_never_cached(make_app, fake):
    client = make_app().test_client()

    client.get("/api/binance/ticker/24hr?symbol=NOSUCHCOIN")
    client.get("/api/binance/ticker/24hr?symbol=NOSUCHCOIN")

    assert fake.count() == 2


def test_a_broken_cache_backend_is_logged_and_requests_carry_on(make_app, fake, caplog):
    from tests.support.ports import closed_port

    client = make_app(CACHE_REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0").test_client()

    first = client.get("/api/binance/ticker/24hr?symbol=BTCUSDT")
    second = client.get("/api/binance/ticker/24hr?symbol=BTCUSDT")
    status = client.get("/api/status").get_json()

    assert (first.status_code, first.get_json()["source"]) == (200, "live")
    assert (second.status_code, second.get_json()["source"]) == (200, "cache")  # from this process's memory
    assert fake.count() == 1
    assert status["cache"]["backend"].startswith("redis (unavailable")
    assert any("Redis unavailable" in r.getMessage() for r in caplog.records)
