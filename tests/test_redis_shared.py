"""With CACHE_REDIS_URL, every worker and host shares cache, single flight,
weight budget, restriction and ban state (two apps here stand for two workers)."""
import threading

PRICE = "/api/binance/price/BTCUSDT"


def two_workers(make_app, redis_url, **settings):
    return [make_app(CACHE_REDIS_URL=redis_url, **settings).test_client() for _ in range(2)]


def test_a_price_fetched_by_one_worker_is_served_from_cache_by_the_other(make_app, fake, redis_url):
    a, b = two_workers(make_app, redis_url)

    live = a.get(PRICE)
    cached = b.get("/api/binance/prices?symbols=ETHUSDT")

    assert live.get_json()["source"] == "live" and cached.get_json()["source"] == "cache"
    assert fake.count() == 1
    assert b.get("/api/status").get_json()["cache"]["backend"] == "redis"


def test_a_451_seen_by_one_worker_keeps_every_worker_from_calling_binance(make_app, fake, redis_url, clock):
    a, b = two_workers(make_app, redis_url)
    fake.add_fault("restricted")

    a.get(PRICE)
    clock.advance(30)
    answers = [b.get(PRICE).get_json()["source"] for _ in range(20)]

    assert set(answers) == {"fallback"}
    assert fake.count() == 1
    assert b.get("/api/status").get_json()["upstream"]["state"] == "restricted"


def test_after_the_cool_down_only_one_worker_probes(make_app, fake, redis_url, clock):
    a, b = two_workers(make_app, redis_url)
    fake.add_fault("restricted")
    a.get(PRICE)
    clock.advance(61)

    a.get(PRICE)
    b.get(PRICE)

    assert fake.count() == 2


def test_a_ban_seen_by_one_worker_holds_every_worker(make_app, fake, redis_url, clock):
    a, b = two_workers(make_app, redis_url)
    fake.add_fault("banned", retry_after=300, times=1)
    a.get(PRICE)
    clock.advance(299)
    b.get(PRICE)
    held = fake.count()
    clock.advance(1.01)

    after = b.get(PRICE)

    assert held == 1 and fake.count() == 2 and after.get_json()["source"] == "live"


def test_the_weight_budget_is_one_budget_for_all_workers(make_app, fake, redis_url, clock):
    a, b = two_workers(make_app, redis_url, WEIGHT_BUDGET_RATIO="0.002")  # ceiling 12 = three price calls
    for client in (a, b, a, b, a):
        client.get(PRICE)
        clock.advance(1.5)

    assert fake.count() == 3
    assert a.get("/api/status").get_json()["weight"]["spent_1m"] == 12


def test_concurrent_refreshes_in_two_workers_make_one_upstream_call(make_app, fake, redis_url):
    apps = [make_app(CACHE_REDIS_URL=redis_url) for _ in range(2)]
    fake.add_fault("slow", delay=0.4, times=1)
    sources = []

    def ask(app):
        sources.append(app.test_client().get(PRICE).get_json()["source"])

    threads = [threading.Thread(target=ask, args=(apps[i % 2],)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(sources) == 12 and sources.count("live") >= 1
    assert set(sources) <= {"live", "cache"}
    assert fake.count() == 1
