"""Upstream discipline with requests in flight (issue 11, items 1-4 and 10): a ban,
restriction or breaker is never loosened by a late answer, admission is checked
before every attempt, spot and futures keep separate state, a 403 from Binance's
firewall is a block, a 418 without Retry-After reads its "banned until", and the
weight budget counts what is in flight. Concurrency is ordered by the fake's
hold/release gates, never by sleeps."""
import threading

from tests.support.waiting import wait_until

PRICE = "/api/binance/price/BTCUSDT"
TICKER = "/api/binance/ticker/24hr?symbol=ETHUSDT"
SPOT_ROUTES = ["/api/binance/prices", "/api/binance/price/ETHUSDT", "/api/binance/ticker/24hr?symbol=BTCUSDT",
               "/api/binance/avg-price/BTCUSDT", "/api/binance/depth?symbol=BTCUSDT",
               "/api/binance/klines?symbol=BTCUSDT&interval=1m"]
# Parked requests must not time out while a test orders events around them.
PATIENT = {"BINANCE_TIMEOUT_S": "30"}
INVALID_SYMBOL = {"kind": "odd_error_body", "status": 400, "body": {"code": -1121, "msg": "Invalid symbol."}}


class Background(threading.Thread):
    """One request on its own thread (its own test client), answer kept in `response`."""

    def __init__(self, app, path):
        super().__init__(daemon=True)
        self.app, self.path, self.response = app, path, None
        self.start()

    def run(self):
        self.response = self.app.test_client().get(self.path)


def in_flight_then_banned(app, fake, then=None):
    """A price request parked at the fake; meanwhile a ticker request gets 418 Retry-After 300;
    then the parked request is answered (200, or the fault `then`). Returns its answer."""
    gate = fake.hold(route="/api/v3/ticker/price", times=1)
    fake.add_fault("banned", route="/api/v3/ticker/24hr", retry_after=300, times=1)
    slow = Background(app, PRICE)
    assert gate.wait_arrived(1, timeout=30)
    assert app.test_client().get(TICKER).status_code != 500
    gate.release(fault=then)
    slow.join(30)
    return slow.response


def asked_everything(client):
    answers = [client.get(path) for path in SPOT_ROUTES]
    assert all(a.status_code in (200, 503) for a in answers), [a.status_code for a in answers]
    return answers


def test_a_late_200_after_a_418_sends_nothing_inside_the_ban(make_app, fake, clock):
    app = make_app(**PATIENT)
    late = in_flight_then_banned(app, fake)
    assert late.status_code == 200 and fake.count() == 2

    clock.advance(299)
    asked_everything(app.test_client())

    assert fake.count() == 2
    assert app.test_client().get("/api/status").get_json()["upstream"]["state"] == "banned"


def test_a_late_unreachable_does_not_shorten_a_ban_into_a_breaker(make_app, fake, clock):
    app = make_app(BINANCE_MAX_ATTEMPTS="1", BREAKER_THRESHOLD="1", **PATIENT)
    in_flight_then_banned(app, fake, then="server_error")

    clock.advance(31)  # past a 30 s breaker, inside the 300 s ban
    asked_everything(app.test_client())

    assert fake.count() == 2
    status = app.test_client().get("/api/status").get_json()["upstream"]
    assert status["state"] == "banned" and status["retry_after_s"] > 250


def test_a_late_rejection_does_not_reset_a_ban_to_ok(make_app, fake, clock):
    app = make_app(**PATIENT)
    late = in_flight_then_banned(app, fake, then=INVALID_SYMBOL)
    assert late.status_code == 404

    clock.advance(10)
    asked_everything(app.test_client())

    assert fake.count() == 2
    assert app.test_client().get("/api/status").get_json()["upstream"]["state"] == "banned"


def test_a_ban_still_ends_at_its_own_expiry(make_app, fake, clock):
    app = make_app(**PATIENT)
    in_flight_then_banned(app, fake)
    clock.advance(300.5)

    answer = app.test_client().get("/api/binance/price/ETHUSDT")

    assert answer.get_json()["source"] == "live" and fake.count() == 3


def test_a_retry_pending_when_another_thread_sees_451_is_not_sent(make_app, fake, sleeps):
    app = make_app(**PATIENT)
    gate = fake.hold(route="/api/v3/ticker/price", times=1)
    fake.add_fault("restricted", route="/api/v3/ticker/24hr", times=1)
    first = Background(app, PRICE)
    assert gate.wait_arrived(1, timeout=30)
    app.test_client().get(TICKER)  # 451: spot is restricted from now on

    gate.release(fault="server_error")  # the first attempt fails transiently; its retry must not go out
    first.join(30)

    assert first.response.status_code == 200 and first.response.get_json()["source"] == "fallback"
    assert fake.count("/api/v3/ticker/price") == 1 and fake.count() == 2


def test_a_futures_429_leaves_spot_live(make_app, fake):
    client = make_app().test_client()
    fake.add_fault("rate_limited", market="futures", retry_after=60)

    client.get("/api/binance/futures/ticker/24hr?symbol=BTCUSDT")
    spot = client.get(PRICE)

    assert spot.status_code == 200 and spot.get_json()["source"] == "live"
    assert fake.count("/api/v3/ticker/price") == 1
    status = client.get("/api/status").get_json()
    assert status["upstream"]["state"] == "ok"
    assert status["markets"]["spot"]["state"] == "ok"
    assert status["markets"]["futures"]["state"] == "rate_limited"


def test_a_spot_418_leaves_futures_live(make_app, fake):
    client = make_app().test_client()
    fake.add_fault("banned", market="spot", retry_after=300)

    client.get(PRICE)
    futures = client.get("/api/binance/futures/ticker/24hr?symbol=BTCUSDT")

    assert futures.status_code == 200 and futures.get_json()["source"] == "live"
    markets = client.get("/api/status").get_json()["markets"]
    assert markets["spot"]["state"] == "banned" and markets["futures"]["state"] == "ok"


def test_a_451_on_futures_premium_index_alone_restricts_only_futures(make_app, fake):
    client = make_app().test_client()
    fake.add_fault("restricted", route="/fapi/v1/premiumIndex")

    client.get("/api/binance/futures/premium-index?symbol=BTCUSDT")
    spot = client.get(PRICE)
    futures = client.get("/api/binance/futures/ticker/24hr?symbol=BTCUSDT")

    assert spot.get_json()["source"] == "live"
    assert fake.count("/fapi/v1/ticker/24hr") == 0  # futures waits out its cool-down
    status = client.get("/api/status").get_json()
    assert status["upstream"]["state"] == "ok" and status["markets"]["spot"]["state"] == "ok"
    assert status["markets"]["futures"]["state"] == "restricted"
    assert futures.status_code in (200, 503)


def test_status_and_metrics_show_each_market(make_app, fake):
    client = make_app().test_client()
    fake.add_fault("banned", market="futures", retry_after=120)
    client.get("/api/binance/futures/ticker/24hr?symbol=BTCUSDT")
    client.get(PRICE)

    markets = client.get("/api/status").get_json()["markets"]
    metrics = client.get("/metrics").get_data(as_text=True)

    assert markets["spot"]["weight"]["spent_1m"] == 4 and markets["futures"]["weight"]["spent_1m"] == 1
    assert markets["futures"]["retry_after_s"] > 100 and markets["spot"]["retry_after_s"] is None
    assert 'gateway_upstream_state{market="futures",state="banned"} 1.0' in metrics
    assert 'gateway_upstream_state{market="spot",state="ok"} 1.0' in metrics


def test_a_403_from_the_firewall_serves_fallback_and_backs_off_without_retry_after(make_app, fake, clock):
    client = make_app(FIREWALL_BACKOFF_S="300").test_client()
    fake.add_fault("firewall", route="/api/v3/ticker/price")

    answers = [client.get(PRICE)]
    for _ in range(5):
        clock.advance(59)
        answers.append(client.get(PRICE))

    assert [a.status_code for a in answers] == [200] * 6
    assert {a.get_json()["source"] for a in answers} == {"fallback"}
    assert fake.count() == 1
    assert client.get("/api/status").get_json()["upstream"]["state"] == "banned"
    clock.advance(6)  # 301 s after the 403
    client.get(PRICE)
    assert fake.count() == 2


def test_a_403_with_retry_after_waits_that_long(make_app, fake, clock):
    client = make_app().test_client()
    fake.add_fault("firewall", route="/api/v3/ticker/price", retry_after=42, times=1)
    client.get(PRICE)
    clock.advance(41)
    held = client.get(PRICE)
    clock.advance(1.5)

    live = client.get(PRICE)

    assert held.status_code == 200 and held.get_json()["source"] == "fallback"
    assert live.get_json()["source"] == "live" and fake.count() == 2


def test_a_418_without_retry_after_waits_until_the_time_in_its_message(make_app, fake, clock):
    fake.clock = clock  # the fake's "banned until <ms>" is then on the gateway's clock
    client = make_app().test_client()
    fake.add_fault("banned", route="/api/v3/ticker/price", ban_s=600, times=1)
    client.get(PRICE)
    clock.advance(599)
    held = client.get(PRICE)
    clock.advance(1.5)

    live = client.get(PRICE)

    assert held.get_json()["source"] == "fallback" and fake.count() == 2
    assert live.get_json()["source"] == "live"


def test_the_weight_budget_counts_spend_in_flight(make_app, fake):
    app = make_app(**PATIENT, PRICE_RESERVE_RATIO="0")  # the reserve for prices is its own limit (test_client_share)
    client = app.test_client()
    fake._spend(False, 4496)  # other users of this IP; our next call (weight 4) is told 4,500
    client.get("/api/binance/prices")
    assert client.get("/api/status").get_json()["weight"]["reported_1m"] == 4500
    gate = fake.hold(route="/api/v3/depth")
    symbols = list(fake.prices)[:19]

    calls = [Background(app, f"/api/binance/depth?symbol={s}&limit=5000") for s in symbols]  # weight 250 each
    assert gate.wait_arrived(1, timeout=30)
    wait_until(lambda: sum(c.is_alive() for c in calls) <= 1, "every call not parked at the fake to answer", 30)
    parked = [c for c in calls if c.is_alive()]
    answered_at_once = [c.response for c in calls if not c.is_alive()]
    gate.release()
    for call in parked:
        call.join(30)

    assert len(parked) == 1 and gate.arrived == 1  # 4,500 + 250 fits under 4,800; 4,500 + 500 does not
    assert fake.count("/api/v3/depth") == 1
    assert {r.status_code for r in answered_at_once} == {503}
