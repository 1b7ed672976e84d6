"""What clients can make the service keep stays bounded (issue 12, item 8): metric series,
cached bytes (not just keys), and the embedded store's expired keys."""
import random
import string

from python_service.stores import MemoryStore

KLINES = "/api/binance/klines?symbol=BTCUSDT&interval=1m&limit=1000&startTime={}"
MAX_BYTES = 1_500_000  # a klines?limit=1000 entry is about 320 kB of JSON


def test_metrics_stay_bounded_after_1000_random_method_names(make_app):
    client = make_app().test_client()
    client.get("/api/status")
    client.open("/api/status", method="BREW")  # the one "other" series exists before we measure
    client.get("/metrics")  # and so does the scrape's own
    before = len(client.get("/metrics").data)
    rng = random.Random(12)

    for _ in range(1000):
        method = "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(3, 12)))
        assert client.open("/api/status", method=method).status_code in (400, 405)

    after = client.get("/metrics").data
    assert len(after) < before + 1000, (before, len(after))  # a few counters moved; no new series
    assert b'method="other"' in after


def test_klines_with_client_chosen_start_times_keep_at_most_cache_max_bytes(make_app, fake):
    app = make_app(CACHE_MAX_BYTES=str(MAX_BYTES))
    client, services = app.test_client(), app.extensions["services"]

    for n in range(20):  # 20 x ~320 kB: four times the budget
        response = client.get(KLINES.format(1_700_000_000_000 + n * 60_000_000))
        assert response.status_code == 200 and response.get_json()["count"] == 1000

    assert fake.count("/api/v3/klines") == 20
    assert 0 < services.provider.kept_bytes <= MAX_BYTES
    assert 0 < cache_backend(app).stored_bytes <= MAX_BYTES
    # the newest is kept: asked again, it is answered from the cache
    again = client.get(KLINES.format(1_700_000_000_000 + 19 * 60_000_000))
    assert again.headers["X-Data-Source"] == "cache" and fake.count("/api/v3/klines") == 20


def test_an_entry_over_a_quarter_of_the_budget_is_served_but_not_kept(make_app, fake):
    app = make_app(CACHE_MAX_BYTES="400000")  # a ~320 kB entry is over a quarter of this
    client, services = app.test_client(), app.extensions["services"]
    small = client.get("/api/binance/price/BTCUSDT")

    big = client.get(KLINES.format(1_700_000_000_000))

    assert small.status_code == 200 and big.status_code == 200 and big.get_json()["count"] == 1000
    assert 0 < services.provider.kept_bytes < 10_000  # the prices only
    assert cache_backend(app).stored_bytes < 10_000


def test_the_memory_store_sweeps_expired_keys_it_is_never_asked_for_again(clock):
    store = MemoryStore(clock)

    for _ in range(24 * 60 * 4):  # a day of weight counters, one new key every 15 s
        store.incr(f"weight:spent:{int(clock() // 15)}", 5, ttl=120)
        clock.advance(15)

    assert len(store) <= 2 * (120 + 60) // 15  # keys still alive, plus at most one sweep interval's worth


def test_the_memory_store_sweep_keeps_live_and_permanent_keys(clock):
    store = MemoryStore(clock)
    store.set("forever", 1)
    store.set("soon", 2, ttl=10)
    store.set("later", 3, ttl=1000)

    clock.advance(500)
    store.set("trigger", 4, ttl=5)  # writes sweep when a sweep is due

    assert len(store) == 3 and store.get("forever") == 1 and store.get("later") == 3 and store.get("soon") is None


def cache_backend(app):
    """flask-caching's backend object behind the app's one Cache."""
    (backend,) = app.extensions["cache"].values()
    return backend
