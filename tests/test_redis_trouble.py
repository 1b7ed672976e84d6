"""Redis trouble (issue 11, item 9): a Redis that accepts and never answers costs one
timeout, not one per call (a short circuit to process memory); a ban known before
Redis went away is still obeyed; a ban Redis forgot (it restarted empty) is written
back when it returns, the stricter record winning; no Redis-7-only commands."""
import json
import threading

import redis

from python_service.stores import Circuit, RedisStore
from python_service.upstream.errors import Banned
from python_service.upstream.state import UpstreamState
from tests.support.redis_server import stored
from tests.support.waiting import wait_until

PRICE = "/api/binance/price/BTCUSDT"
ROUTES = ["/api/binance/prices", "/api/binance/price/ETHUSDT", "/api/binance/ticker/24hr?symbol=BTCUSDT",
          "/api/binance/avg-price/BTCUSDT", "/api/binance/depth?symbol=BTCUSDT", "/api/status"]
SPOT_STATE = "gateway:upstream:spot:state"


def test_a_ban_is_obeyed_while_redis_is_paused_and_killed_and_written_back_when_it_returns(
        make_app, fake, own_redis):
    client = make_app(CACHE_REDIS_URL=own_redis.url, REDIS_RETRY_S="1").test_client()
    fake.add_fault("banned", route="/api/v3/ticker/price", retry_after=300, times=1)
    client.get(PRICE)
    ban = stored(own_redis, SPOT_STATE)
    assert ban["state"] == "banned"

    own_redis.pause()  # accepts connections, never answers
    paused = [client.get(path) for path in ROUTES]
    own_redis.kill()
    killed = [client.get(path) for path in ROUTES]
    own_redis.start()  # empty: it has forgotten the ban
    wait_until(lambda: client.get("/api/status") and stored(own_redis, SPOT_STATE) is not None,
               "the ban written back to Redis", 60)

    assert all(a.status_code in (200, 503) for a in paused + killed), [a.status_code for a in paused + killed]
    assert paused[-1].status_code == 200 and killed[-1].status_code == 200  # /api/status answers
    assert paused[-1].get_json()["cache"]["backend"].startswith("redis (unavailable")
    assert paused[-1].get_json()["upstream"]["state"] == "banned"
    assert stored(own_redis, SPOT_STATE)["until"] == ban["until"]  # written back (waited for above)
    assert fake.count() == 1  # nothing reached Binance inside the ban


def test_a_ban_seen_while_redis_is_down_is_written_back_when_it_returns(make_app, fake, own_redis):
    client = make_app(CACHE_REDIS_URL=own_redis.url, REDIS_RETRY_S="1").test_client()
    own_redis.kill()
    fake.add_fault("banned", route="/api/v3/ticker/price", retry_after=300, times=1)
    client.get(PRICE)  # 418: known only to this process for now
    own_redis.start()

    wait_until(lambda: client.get("/api/status") and stored(own_redis, SPOT_STATE) is not None,
               "the ban written back to Redis", 60)

    assert stored(own_redis, SPOT_STATE)["state"] == "banned"  # written back (waited for above)
    other_worker = make_app(CACHE_REDIS_URL=own_redis.url).test_client()  # knows only what Redis knows
    assert other_worker.get(PRICE).get_json()["source"] == "fallback"
    assert fake.count() == 1


def test_while_redis_is_silent_the_cache_is_tried_once_not_on_every_request(make_app, fake, own_redis):
    app = make_app(CACHE_REDIS_URL=own_redis.url, REDIS_RETRY_S="3600")
    cache = app.extensions["services"].provider.cache
    asked, real_get = [], cache.get
    cache.get = lambda key: asked.append(key) or real_get(key)
    client = app.test_client()

    own_redis.pause()
    answers = [client.get(path) for path in ROUTES]

    assert [a.status_code for a in answers] == [200] * len(ROUTES)
    assert len(asked) == 1  # the one that timed out opened the circuit; the rest skipped the cache
    assert fake.count() == 4  # still fetched live (prices and price/ETHUSDT share one call)


def test_after_one_timeout_the_store_leaves_a_silent_redis_alone(own_redis, clock):
    calls = []
    connection = own_redis.client()
    connection.connection_pool.connection_kwargs["socket_timeout"] = 0.2
    original = connection.execute_command

    def counted(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    connection.execute_command = counted
    store = RedisStore(connection, clock=clock, circuit=Circuit(open_s=3600))
    store.set("k", 1)
    own_redis.pause()
    try:
        values = [store.get("k") for _ in range(20)] + [store.incr("n", 1) for _ in range(5)]
    finally:
        own_redis.resume()

    assert calls.count("GET") == 1  # the one that timed out; the other 19 went to process memory
    assert values[-1] == 5 and store.name.startswith("redis (unavailable")


def test_a_state_update_is_atomic_on_redis(redis_url, clock):
    """Another writer between our read and our write: the update is redone on what it wrote."""
    store = RedisStore(redis.Redis.from_url(redis_url), clock=clock)
    other = redis.Redis.from_url(redis_url)
    seen = []

    def change(current):
        seen.append(current)
        if len(seen) == 1:
            other.set("gateway:k", json.dumps({"n": 10}))  # lands after our WATCH and GET
        return {"n": (current or {"n": 0})["n"] + 1}

    assert store.update("k", change) == {"n": 11}
    assert seen == [None, {"n": 10}]


def test_a_late_success_written_concurrently_never_lifts_a_ban_on_redis(redis_url, clock):
    state = UpstreamState(RedisStore(redis.Redis.from_url(redis_url), clock=clock), clock=clock)
    threads = [threading.Thread(target=state.record_success) for _ in range(8)]
    for thread in threads:
        thread.start()
    state.record_failure(Banned("banned", 418, -1003, retry_after=300))
    for thread in threads:
        thread.join()
    clock.advance(2)
    state.record_success()  # a late 200

    assert state.snapshot()["state"] == "banned"


def test_when_redis_returns_the_stricter_record_wins(clock):
    state = UpstreamState(RedisStore(redis.Redis(port=1), clock=clock), clock=clock)
    now = clock()
    short, long_ = {"state": "banned", "until": now + 60}, {"state": "banned", "until": now + 600}
    ok = {"state": "ok", "until": None}

    assert state._stricter(short, long_) == long_  # ours holds Binance off longer
    assert state._stricter(long_, short) == long_  # Redis's does
    assert state._stricter(ok, long_) == long_
    assert state._stricter(ok, {"state": "banned", "until": now - 1}) == ok  # ours is over


def test_counters_expire_without_pexpire_nx(redis_url, clock):
    """INCR with an expiry set once, by a script any Redis runs (PEXPIRE ... NX needs Redis 7)."""
    store = RedisStore(redis.Redis.from_url(redis_url), clock=clock)
    direct = redis.Redis.from_url(redis_url)
    store.incr("c", 5, ttl=120)
    first = direct.pttl("gateway:c")
    direct.pexpire("gateway:c", 50_000)
    store.incr("c", 5, ttl=120)

    assert 0 < first <= 120_000 and 0 < direct.pttl("gateway:c") <= 50_000
    assert int(direct.get("gateway:c")) == 10
