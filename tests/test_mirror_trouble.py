"""Upstream trouble answered the way Binance would, so bots' own handling keeps working:
429/418 with Retry-After and -1003 during a ban (without calling Binance), 451 with
Binance's message while restricted, 503 -1001 for a silent or failing upstream, and
stale data only within MIRROR_MAX_STALE_S."""
import pytest

from tests.fake_binance import RESTRICTED_MSG

PRICE = "/api/v3/ticker/price?symbol=BTCUSDT"


@pytest.mark.parametrize("kind, status", [("banned", 418), ("rate_limited", 429)])
def test_during_a_ban_the_mirror_answers_binances_status_and_code_without_calling_binance(make_app, fake, clock,
                                                                                       kind, status):
    client = make_app().test_client()
    fake.add_fault(kind, retry_after=120)

    first = client.get(PRICE)
    clock.advance(60)
    later = [client.get(path) for path in (PRICE, "/api/v3/klines?symbol=BTCUSDT&interval=1m", "/api/v3/ping")]

    for response in (first, *later):
        assert response.status_code == status
        assert response.get_json()["code"] == -1003
    assert int(first.headers["Retry-After"]) == 120
    assert 59 <= int(later[0].headers["Retry-After"]) <= 60
    assert fake.count() == 1


def test_while_restricted_the_mirror_answers_451_with_binances_message_and_probes_once_per_cool_down(make_app, fake,
                                                                                                  clock):
    client = make_app(RESTRICTION_COOLDOWN_S="60").test_client()
    fake.add_fault("restricted")

    answers = []
    for _ in range(20):
        answers.append(client.get(PRICE))
        clock.advance(1)

    assert {(r.status_code, r.get_json()["code"], r.get_json()["msg"]) for r in answers} == {(451, 0, RESTRICTED_MSG)}
    assert fake.count() == 1


@pytest.mark.parametrize("kind", ["server_error", "reset", "malformed"])
def test_a_failing_upstream_with_nothing_fresh_is_503_minus_1001(make_app, fake, kind):
    client = make_app(BINANCE_MAX_ATTEMPTS="1").test_client()
    fake.add_fault(kind)

    response = client.get("/api/v3/depth?symbol=BTCUSDT")

    assert response.status_code == 503
    assert response.get_json() == {"code": -1001,
                                   "msg": "Internal error; unable to process your request. Please try again."}


def test_a_silent_upstream_is_503_minus_1001_after_the_timeout(make_app, fake):
    client = make_app(BINANCE_MAX_ATTEMPTS="1", BINANCE_TIMEOUT_S="0.3").test_client()
    fake.add_fault("silent")

    response = client.get("/api/v3/avgPrice?symbol=BTCUSDT")

    assert (response.status_code, response.get_json()["code"]) == (503, -1001)


def test_data_past_its_ttl_is_not_served_by_default(make_app, fake, clock):
    client = make_app(BINANCE_MAX_ATTEMPTS="1").test_client()
    assert client.get(PRICE).status_code == 200
    clock.advance(5)
    fake.add_fault("server_error")

    response = client.get(PRICE)

    assert (response.status_code, response.get_json()["code"]) == (503, -1001)
    assert fake.count() == 2


def test_data_past_its_ttl_is_served_within_mirror_max_stale_s_and_says_so(make_app, fake, clock):
    client = make_app(BINANCE_MAX_ATTEMPTS="1", MIRROR_MAX_STALE_S="10").test_client()
    fresh = client.get(PRICE)
    clock.advance(5)
    fake.add_fault("server_error")

    stale = client.get(PRICE)
    clock.advance(10)
    too_old = client.get(PRICE)

    assert stale.status_code == 200 and stale.get_json() == fresh.get_json()
    assert stale.headers["X-Data-Source"] == "stale"
    assert stale.headers["X-Data-As-Of"] == fresh.headers["X-Data-As-Of"]
    assert too_old.status_code == 503


def test_exchange_info_is_served_stale_up_to_its_own_longer_bound(make_app, fake, clock):
    client = make_app(BINANCE_MAX_ATTEMPTS="1", EXCHANGE_INFO_TTL_S="60",
                      MIRROR_EXCHANGE_INFO_MAX_STALE_S="3600").test_client()
    client.get("/api/v3/exchangeInfo")
    clock.advance(600)
    fake.add_fault("server_error")

    response = client.get("/api/v3/exchangeInfo?symbol=BTCUSDT")

    assert response.status_code == 200 and response.headers["X-Data-Source"] == "stale"


def test_binances_own_rejection_is_passed_through(make_app, fake):
    client = make_app().test_client()

    response = client.get("/fapi/v1/openInterest?symbol=NOSUCHCOIN")

    assert (response.status_code, response.get_json()) == (400, {"code": -1121, "msg": "Invalid symbol."})


def test_a_ban_answered_to_a_futures_call_is_418_on_the_futures_path(make_app, fake):
    client = make_app().test_client()
    fake.add_fault("banned", route="/fapi/v2/ticker/price", retry_after=300)  # python-binance asks v2

    futures = client.get("/fapi/v1/ticker/price")

    assert (futures.status_code, futures.get_json()["code"]) == (418, -1003)


def test_when_the_gateways_weight_budget_is_spent_bots_get_429_minus_1003_not_a_call(make_app, fake):
    client = make_app(WEIGHT_LIMIT_1M="30", WEIGHT_BUDGET_RATIO="0.8").test_client()  # ceiling 24
    assert client.get("/api/v3/exchangeInfo").status_code == 200  # 20
    assert client.get("/api/v3/ticker/price").status_code == 200  # 4

    response = client.get("/api/v3/depth?symbol=BTCUSDT")  # 5 more would pass the ceiling

    assert (response.status_code, response.get_json()["code"]) == (429, -1003)
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-MBX-USED-WEIGHT-1M"] == "24"
    assert fake.count("/api/v3/depth") == 0


def test_error_answers_carry_the_used_weight_too(make_app, fake):
    client = make_app().test_client()
    client.get("/api/v3/ticker/price")

    response = client.get("/api/v3/klines?symbol=BTCUSDT&interval=7m")

    assert response.status_code == 400 and response.headers["X-MBX-USED-WEIGHT-1M"] == "4"
