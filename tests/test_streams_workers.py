"""gunicorn with 4 workers sharing Redis: one websocket connection per market at the
fake exchange, whichever worker answers, and a new owner after the owner dies."""
import os
import signal

import pytest
import requests

from tests.support.ports import closed_port
from tests.support.processes import start_gateway, stop, wait_until_up
from tests.support.waiting import wait_until

pytestmark = pytest.mark.processes  # every test here starts gunicorn and redis-server
WAIT_S = 30  # readiness bound: four workers starting on a busy 2-core machine


def test_4_workers_hold_one_connection_per_market_and_elect_a_new_owner_when_it_dies(fake, streams, redis_url):
    port = closed_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                          "BINANCE_WS_URL": streams.url, "BINANCE_FUTURES_WS_URL": streams.futures_url,
                          "STREAMS_ENABLED": "true", "CACHE_REDIS_URL": redis_url, "GUNICORN_WORKERS": "4"}, port)
    session = requests.Session()
    try:
        wait_until_up(base + "/api/status", proc)
        wait_until(lambda: len(streams.open_connections("spot")) == 1 and len(streams.open_connections("futures")) == 1,
                   "the owner's connections", WAIT_S)
        streams.set_price("ETHUSDT", "3333.33000000")
        every_worker = wait_until(lambda: _served_by_all_workers(session, base, "3333.33000000"), "every worker",
                                  WAIT_S)
        assert len(every_worker) == 4
        assert streams.count("spot") == 1 and streams.count("futures") == 1  # one per market, not one per worker

        owner = wait_until(lambda: _owner_pid(session, base), "the owner's pid", WAIT_S)
        os.kill(owner, signal.SIGKILL)

        wait_until(lambda: streams.count("spot") == 2 and len(streams.open_connections("spot")) == 1,
                   "a new owner's connection", WAIT_S)
        streams.set_price("ETHUSDT", "3444.44000000")
        wait_until(lambda: _served_by_all_workers(session, base, "3444.44000000"), "every worker again", WAIT_S)
        assert len(streams.open_connections("spot")) == 1 and len(streams.open_connections("futures")) == 1
        assert _owner_pid(session, base) != owner
    finally:
        stop(proc)


def _served_by_all_workers(session, base: str, price: str):
    """The pids of 4 workers that each served `price` from the stream (None until they all do)."""
    pids = set()
    for _ in range(80):
        answer = session.get(base + "/api/binance/price/ETHUSDT", timeout=10, headers={"Connection": "close"})
        if answer.headers.get("X-Data-Source") != "stream" or answer.json()["price"] != price:
            return None
        pids.add(session.get(base + "/api/status", timeout=10, headers={"Connection": "close"})
                 .json()["streams"]["pid"])
    return pids if len(pids) == 4 else None


def _owner_pid(session, base: str):
    for _ in range(40):
        shown = session.get(base + "/api/status", timeout=10, headers={"Connection": "close"}).json()["streams"]
        if shown["owner"]:
            return shown["pid"]
    return None
