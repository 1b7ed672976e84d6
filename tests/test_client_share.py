"""Each client gets a fair, cost-weighted share of the weight budget; prices and tickers
keep a reserve (issue 12, item 6). Spot ceiling: 6000 x 0.8 = 4800; a client's share
(CLIENT_WEIGHT_SHARE 0.25) is 1200; the reserve (PRICE_RESERVE_RATIO 0.2) is 960.
A depth?limit=5000 call weighs 250: a client gets 4 of them a minute."""
import threading

import pytest

from python_service.stores.flight import LocalFlight
from python_service.upstream.errors import OverClientShare
from tests.support.exchange import API_KEY, now_ms, signed

HOG, OTHER, PROXY = "10.0.0.66", "10.0.0.7", "127.0.0.1"
SHARE, DEPTH_WEIGHT = 1200, 250


@pytest.fixture
def app(make_app):
    # the weight share on its own: at the default byte rate, a 4 s burst is only two 5,000-level books
    return make_app(CLIENT_BYTES_PER_S="2000000")


def get(app, path, addr, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return app.test_client().get(path, environ_base={"REMOTE_ADDR": addr}, headers=headers)


def depth(symbol):
    return f"/api/binance/depth?symbol={symbol}&limit=5000"


def depth_weight_sent(fake):
    return sum(r.weight for r in fake.requests_to("/api/v3/depth") if r.status == 200)


def test_a_hog_gets_429_after_its_share_while_another_client_keeps_live_prices(app, fake, clock):
    symbols = list(fake.prices)[:19]
    answers = [get(app, depth(s), HOG) for s in symbols]

    assert [a.status_code for a in answers] == [200] * 4 + [429] * 15
    refused = answers[4]
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert fake.count("/api/v3/depth") == 4 and depth_weight_sent(fake) == 4 * DEPTH_WEIGHT <= SHARE

    for _ in range(3):
        price = get(app, "/api/binance/price/BTCUSDT", OTHER)
        assert price.status_code == 200 and price.headers["X-Data-Source"] == "live"
        clock.advance(1.1)  # past the price TTL: every one is a fresh upstream call
    assert fake.count("/api/v3/ticker/price") == 3
    # the other client's own costly data is live too: its share is its own
    assert get(app, depth(symbols[10]), OTHER).headers["X-Data-Source"] == "live"


def test_a_client_over_its_share_still_gets_what_is_cached_and_stale_data(app, fake, clock):
    symbols = list(fake.prices)[:5]
    for symbol in symbols[:4]:
        assert get(app, depth(symbol), HOG).status_code == 200

    cached = get(app, depth(symbols[0]), HOG)
    clock.advance(2)  # past the depth TTL
    stale = get(app, depth(symbols[1]), HOG)

    assert cached.status_code == 200 and cached.headers["X-Data-Source"] == "cache"
    assert stale.status_code == 200 and stale.headers["X-Data-Source"] == "stale"
    assert fake.count("/api/v3/depth") == 4


def test_the_share_comes_back_the_next_minute(app, fake, clock):
    symbols = list(fake.prices)[:6]
    for symbol in symbols[:4]:
        get(app, depth(symbol), HOG)
    assert get(app, depth(symbols[4]), HOG).status_code == 429

    clock.advance(60)

    assert get(app, depth(symbols[5]), HOG).headers["X-Data-Source"] == "live"


def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_share(app, fake):
    symbols = list(fake.prices)[:10]
    first = [get(app, depth(s), PROXY, forwarded_for="203.0.113.1").status_code for s in symbols[:5]]
    second = [get(app, depth(s), PROXY, forwarded_for="203.0.113.2").status_code for s in symbols[5:10]]

    assert first == [200] * 4 + [429] and second == [200] * 4 + [429]
    assert fake.count("/api/v3/depth") == 8


def test_an_untrusted_peer_cannot_escape_its_share_by_sending_x_forwarded_for(app, fake):
    symbols = list(fake.prices)[:8]
    answers = [get(app, depth(s), HOG, forwarded_for=f"198.51.100.{n}").status_code for n, s in enumerate(symbols)]

    assert answers == [200] * 4 + [429] * 4
    assert fake.count("/api/v3/depth") == 4


def test_many_hogs_together_cannot_spend_the_reserve_for_prices_and_tickers(app, fake, clock):
    symbols = list(fake.prices)
    for n in range(6):  # six clients, each within its own share: 6 x 1000 would pass the ceiling
        for symbol in symbols[4 * n:4 * n + 4]:
            get(app, depth(symbol), f"10.0.1.{n}")

    assert depth_weight_sent(fake) <= 4800 - 960
    for n in range(3):
        price = get(app, "/api/binance/price/ETHUSDT", f"10.0.2.{n}")
        ticker = get(app, "/api/binance/ticker/24hr?symbol=ETHUSDT", f"10.0.2.{n}")
        assert price.headers["X-Data-Source"] == "live" and ticker.headers["X-Data-Source"] == "live"
        clock.advance(5.1)  # past both TTLs


def test_a_followers_refresh_does_not_fail_because_the_leader_was_over_its_share():
    flight, waiting, release = LocalFlight(wait_s=10), threading.Event(), threading.Event()
    results = []

    def hog_fetch():
        release.wait(10)
        raise OverClientShare("the hog's share is spent", retry_after=30)

    leader = threading.Thread(target=lambda: _run_swallowing(flight, hog_fetch))
    leader.start()
    while "k" not in flight._calls:  # the leader holds the key
        pass
    call = flight._calls["k"]
    original_wait = call.done.wait

    def wait_and_tell(timeout=None):
        waiting.set()
        return original_wait(timeout)

    call.done.wait = wait_and_tell
    follower = threading.Thread(target=lambda: results.append(flight.run("k", lambda: "fresh for the follower")))
    follower.start()
    assert waiting.wait(10)  # the follower waits on the hog's refresh
    release.set()
    leader.join(10)
    follower.join(10)

    assert results == ["fresh for the follower"]


def _run_swallowing(flight, fetch):
    try:
        flight.run("k", fetch)
    except OverClientShare:
        pass


def test_workers_sharing_redis_count_one_share_per_client(make_app, fake, redis_url):
    workers = [make_app(CACHE_REDIS_URL=redis_url) for _ in range(2)]
    symbols = list(fake.prices)[:6]

    answers = [get(workers[n % 2], depth(s), HOG).status_code for n, s in enumerate(symbols)]

    assert answers == [200] * 4 + [429] * 2 and fake.count("/api/v3/depth") == 4


# ----- bytes sent: a client pulling big answers over and over is slowed, the others are not -----

KLINES_1000 = "/api/binance/klines?symbol=BTCUSDT&interval=1m&limit=1000"  # ~300 kB an answer


def test_a_client_pulling_big_answers_gets_429_past_its_byte_rate_while_others_are_served(make_app, fake, clock,
                                                                                           sleeps):
    app = make_app(CLIENT_BYTES_PER_S="200000")  # burst: 4 s of it, 800 kB
    answers = [get(app, KLINES_1000, HOG) for _ in range(6)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429, 429]
    refused = answers[3]
    assert refused.get_json()["error"]["code"] == "rate_limited" and len(refused.data) < 1000
    assert 1 <= int(refused.headers["Retry-After"]) <= 4
    assert len(sleeps) == 3 and all(0 < s <= 1 for s in sleeps)  # each refusal held back a moment
    assert get(app, KLINES_1000, OTHER).status_code == 200  # another client is served
    assert fake.count("/api/v3/klines") == 1  # the cached copy served the others

    clock.advance(2)  # 400 kB more allowed
    assert get(app, KLINES_1000, HOG).status_code == 200


def test_each_refusal_is_held_a_full_second_so_a_loop_ignoring_retry_after_asks_once_a_second(make_app, sleeps):
    # past the burst the client owes one small answer (10 kB at 100 kB/s: 0.1 s of its rate), yet each
    # refusal is held a whole second: held only 0.1 s, a loop would make ten refusals a second, each
    # costing the worker CPU
    app = make_app(CLIENT_BYTES_PER_S="100000")  # burst: 400 kB, forty small answers
    answers = [get(app, "/api/binance/price/BTCUSDT", HOG) for _ in range(45)]

    assert [a.status_code for a in answers] == [200] * 41 + [429] * 4
    assert sleeps == [1.0] * 4
    assert all(a.headers["Retry-After"] == "1" for a in answers[41:])


def test_small_answers_at_a_dashboards_pace_are_never_limited(make_app, clock):
    app = make_app(CLIENT_BYTES_PER_S="200000")
    for _ in range(300):  # 10 a second for 30 s
        assert get(app, "/api/binance/price/BTCUSDT", OTHER).status_code == 200
        clock.advance(0.1)


def test_calls_from_this_host_without_x_forwarded_for_have_no_share_or_byte_rate_of_their_own(make_app, fake):
    app = make_app(CLIENT_BYTES_PER_S="10000")
    for _ in range(20):
        assert get(app, KLINES_1000, PROXY).status_code == 200
    symbols = list(fake.prices)[:6]  # 6 x 250: past one client's share, within what the reserve leaves

    assert [get(app, depth(s), PROXY).status_code for s in symbols] == [200] * 6


def test_status_still_answers_a_client_past_its_byte_rate(make_app):
    app = make_app(CLIENT_BYTES_PER_S="10000")
    for _ in range(3):
        get(app, KLINES_1000, HOG)
    assert get(app, KLINES_1000, HOG).status_code == 429

    assert get(app, "/api/status", HOG).status_code == 200


# ----- signed mirror calls: the caller's own share, like public ones (issue 20, item 3) -----

def signed_account(app, addr):
    return app.test_client().get(f"/api/v3/account?{signed(f'timestamp={now_ms()}')}",
                                 headers={"X-MBX-APIKEY": API_KEY}, environ_base={"REMOTE_ADDR": addr})


def test_signed_mirror_calls_are_charged_to_the_callers_share_and_refused_past_it_before_binance(app, fake):
    for symbol in list(fake.prices)[:4]:  # 4 x 250 of the hog's 1200
        assert get(app, depth(symbol), HOG).status_code == 200
    accounts = [signed_account(app, HOG) for _ in range(11)]  # 20 each: ten fill the share exactly

    assert [a.status_code for a in accounts] == [200] * 10 + [429]
    refused = accounts[-1]
    assert refused.get_json()["code"] == -1003 and 0 < int(refused.headers["Retry-After"]) <= 60
    assert fake.count("/api/v3/account") == 10  # the refusal reached nothing
    assert signed_account(app, OTHER).status_code == 200  # another client's share is its own


def test_a_client_that_spent_its_share_on_signed_calls_gets_cached_public_data_only(app, fake):
    for _ in range(60):  # 60 x 20 = the whole share
        assert signed_account(app, HOG).status_code == 200

    assert get(app, depth("BTCUSDT"), HOG).status_code == 429
    assert fake.count("/api/v3/depth") == 0
