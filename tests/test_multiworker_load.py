"""gunicorn with 4 workers sharing Redis, under 64 concurrent clients: the
upstream sees about one ticker/price call per TTL, not one per worker or client."""
import threading
import time

import pytest
import requests

from tests.support.ports import closed_port
from tests.support.processes import start_gateway, stop, wait_until_up

pytestmark = pytest.mark.processes  # every test here starts gunicorn and redis-server

DURATION_S, CLIENTS, TTL_S = 5.0, 64, 1.0


def test_4_workers_64_clients_5_seconds_20_symbols_stay_within_the_ttl_floor(fake, redis_url):
    symbols = list(fake.prices)[:20]
    port = closed_port()
    proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                          "CACHE_REDIS_URL": redis_url, "GUNICORN_WORKERS": "4", "PRICES_TTL_S": str(TTL_S)}, port)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/status", proc)
        statuses, stop_at = [], time.monotonic() + DURATION_S

        def client(n):
            with requests.Session() as session:
                i = n
                while time.monotonic() < stop_at:
                    response = session.get(f"http://127.0.0.1:{port}/api/binance/price/{symbols[i % 20]}", timeout=10)
                    statuses.append((response.status_code, response.headers.get("X-Data-Source")))
                    i += 1

        fake.log.clear()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        upstream_calls = fake.count("/api/v3/ticker/price")
    finally:
        stop(proc)

    assert len(statuses) > 500, "the load did not run"
    assert {status for status, _ in statuses} == {200}
    assert {source for _, source in statuses} <= {"live", "cache"}
    assert 1 <= upstream_calls <= 1.1 * (DURATION_S / TTL_S) + 1, upstream_calls
    assert fake.count() == upstream_calls
