"""Every core by default (issue 20, item 4), through real gunicorn processes without Redis:
one worker per CPU, sharing one ban, one weight budget, single flight and one stream
connection per market through the host store. And (item 3) with Redis gone away, a ban
any worker of this host knew is obeyed by a worker that never read it.

Requests are pinned to a worker by keep-alive sessions (each session's connection stays
with the worker that accepted it; /api/status says which pid that is); the order of
events is set by the fake's hold/release gates."""
import os
import signal
import threading
import time

import pytest
import requests

from python_service.settings import cpu_count
from tests.support.exchange import FIXTURE_FALLBACK
from tests.support.ports import closed_port
from tests.support.processes import start_gateway, stop, wait_until_up
from tests.support.waiting import wait_until

pytestmark = pytest.mark.processes  # every test here starts gunicorn (and redis-server)
WAIT_S = 90  # client-side bound on one answer: generous for a busy 2-core machine
WORKERS = max(2, cpu_count())  # the default, or 2 on a one-CPU machine (the test needs two)
UNCACHED = ["/api/binance/prices", "/api/binance/price/ETHUSDT", "/api/binance/ticker/24hr?symbol=XRPUSDT",
            "/api/binance/avg-price/ETHUSDT", "/api/binance/depth?symbol=ETHUSDT",
            "/api/binance/klines?symbol=BTCUSDT&interval=1m", "/api/binance/trades?symbol=BTCUSDT"]


class Ask(threading.Thread):
    def __init__(self, session, url):
        super().__init__(daemon=True)
        self.session, self.url, self.response = session, url, None
        self.start()

    def run(self):
        self.response = self.session.get(self.url, timeout=WAIT_S)


@pytest.fixture
def gateway(fake):
    started = []

    def start(**env):
        port = closed_port()
        if cpu_count() < 2:
            env.setdefault("GUNICORN_WORKERS", "2")
        proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                              "FALLBACK_DATA_DIR": str(FIXTURE_FALLBACK), "BINANCE_TIMEOUT_S": "60",
                              "GUNICORN_CMD_ARGS": "--keep-alive 300", **env}, port)  # sessions stay pinned
        started.append(proc)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/api/status", proc)
        return base, proc

    yield start
    for proc in started:
        stop(proc)


def pinned(base: str, count: int = WORKERS) -> list[requests.Session]:
    """One keep-alive session per worker, in pid order (bounded by WAIT_S: a worker gunicorn has just
    restarted may take seconds to boot on a busy machine)."""
    sessions: dict[int, requests.Session] = {}
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        session = requests.Session()
        pid = session.get(base + "/api/status", timeout=WAIT_S).json()["process"]["pid"]
        if pid in sessions:
            session.close()
        else:
            sessions[pid] = session
        if len(sessions) == count:
            return [sessions[pid] for pid in sorted(sessions)]
    raise AssertionError(f"only {len(sessions)} of {count} workers answered")


def status(session, base):
    return session.get(base + "/api/status", timeout=WAIT_S).json()


def test_by_default_without_redis_every_cpu_runs_a_worker_sharing_the_host_store(gateway):
    base, _ = gateway()

    shown = [status(s, base) for s in pinned(base)]

    assert {s["process"]["workers"] for s in shown} == {WORKERS}
    assert len({s["process"]["pid"] for s in shown}) == WORKERS
    assert {s["cache"]["backend"] for s in shown} == {"host"}


def test_a_418_learned_by_one_worker_is_obeyed_by_every_worker_and_a_late_200_lifts_nothing(gateway, fake):
    base, _ = gateway()
    first, other = pinned(base)[:2]
    gate = fake.hold(route="/api/v3/ticker/price", times=1)
    fake.add_fault("banned", route="/api/v3/ticker/24hr", retry_after=300, times=1)
    in_flight = Ask(first, base + "/api/binance/price/BTCUSDT")  # parked at the fake, in the first worker
    assert gate.wait_arrived(1, timeout=WAIT_S)

    banned = other.get(base + "/api/binance/ticker/24hr?symbol=ETHUSDT", timeout=WAIT_S)  # the other learns it
    gate.release()
    in_flight.join(WAIT_S)
    answers = [session.get(base + path, timeout=WAIT_S) for path in UNCACHED for session in pinned(base)]

    assert banned.status_code in (200, 503) and in_flight.response.status_code == 200
    assert all(a.status_code in (200, 503) for a in answers), [(a.url, a.status_code) for a in answers]
    assert fake.count() == 2  # nothing reached the fake inside the ban, from either worker
    assert {status(s, base)["upstream"]["state"] for s in pinned(base)} == {"banned"}


def test_the_weight_budget_is_one_budget_for_every_worker(gateway, fake):
    # ceiling 12 = six ticker/24hr?symbol= calls (weight 2), whichever worker makes them
    base, _ = gateway(WEIGHT_BUDGET_RATIO="0.002", CLIENT_WEIGHT_SHARE="1")
    workers = pinned(base)
    symbols = ["BTCUSDT", "ETHUSDT", "XRPUSDT", "BNBUSDT", "SOLUSDT", "ADAUSDT", "DOGEUSDT", "LTCUSDT"]

    for i, symbol in enumerate(symbols * 2):
        workers[i % len(workers)].get(f"{base}/api/binance/ticker/24hr?symbol={symbol}", timeout=WAIT_S)
        workers = pinned(base)  # a refusal may close the connection: pin again
    spent = {status(s, base)["weight"]["spent_1m"] for s in pinned(base)}

    assert fake.count("/api/v3/ticker/24hr") == 6  # 12 of weight, then held back in every worker
    assert spent == {12}  # every worker sees the one budget


def test_identical_requests_in_two_workers_make_one_upstream_call(gateway, fake):
    base, _ = gateway()
    first, other = pinned(base)[:2]
    gate = fake.hold(route="/api/v3/ticker/price")
    leader = Ask(first, base + "/api/binance/price/BTCUSDT")
    assert gate.wait_arrived(1, timeout=WAIT_S)
    follower = Ask(other, base + "/api/binance/price/BTCUSDT")
    wait_until(lambda: _cache_misses(base) >= 2, "the follower's cache miss", WAIT_S)  # it looked, found nothing, waits

    reached = gate.wait_arrived(2, timeout=2)  # a second call would be at the gate by now
    gate.release()
    leader.join(WAIT_S)
    follower.join(WAIT_S)

    assert not reached and fake.count("/api/v3/ticker/price") == 1
    assert leader.response.json()["source"] == "live" and follower.response.json()["source"] == "cache"


def _cache_misses(base: str) -> float:
    text = requests.get(base + "/metrics", timeout=WAIT_S).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("gateway_cache_lookups_total") and 'result="miss"' in line)


def test_the_workers_hold_one_stream_connection_per_market_and_elect_a_new_owner(gateway, fake, streams):
    base, _ = gateway(BINANCE_WS_URL=streams.url, BINANCE_FUTURES_WS_URL=streams.futures_url,
                      STREAMS_ENABLED="true")
    workers = pinned(base)
    wait_until(lambda: len(streams.open_connections("spot")) == 1 and len(streams.open_connections("futures")) == 1,
               "one stream per market", WAIT_S)
    streams.set_price("ETHUSDT", "3333.33000000")

    wait_until(lambda: _streamed_everywhere(base, workers, "3333.33000000"), "the price in every worker", WAIT_S)
    assert streams.count("spot") == 1 and streams.count("futures") == 1  # one per market, not one per worker

    owner = next(s["streams"]["pid"] for s in (status(w, base) for w in workers) if s["streams"]["owner"])
    os.kill(owner, signal.SIGKILL)
    survivors = pinned(base)  # gunicorn starts a new worker; the survivors elect an owner
    wait_until(lambda: streams.count("spot") == 2 and len(streams.open_connections("spot")) == 1,
               "the spot stream reopened once", WAIT_S)
    streams.set_price("ETHUSDT", "3444.44000000")

    wait_until(lambda: _streamed_everywhere(base, survivors, "3444.44000000"), "the price in every survivor", WAIT_S)
    assert len(streams.open_connections("spot")) == 1 and len(streams.open_connections("futures")) == 1


def _streamed_everywhere(base, workers, price: str) -> bool:
    for session in workers:
        answer = session.get(base + "/api/binance/price/ETHUSDT", timeout=WAIT_S)
        if answer.headers.get("X-Data-Source") != "stream" or answer.json()["price"] != price:
            return False
    return True


def test_with_redis_gone_a_ban_another_worker_learned_is_obeyed_by_one_that_never_read_it(gateway, fake, own_redis):
    base, _ = gateway(CACHE_REDIS_URL=own_redis.url, GUNICORN_WORKERS="2", REDIS_RETRY_S="300")
    unaware, learner = pinned(base, 2)
    fake.add_fault("banned", route="/api/v3/ticker/24hr", retry_after=300, times=1)
    learner.get(base + "/api/binance/ticker/24hr?symbol=ETHUSDT", timeout=WAIT_S)
    assert fake.count() == 1

    own_redis.kill()
    answers = [unaware.get(base + path, timeout=WAIT_S) for path in UNCACHED]
    shown = status(unaware, base)

    assert all(a.status_code in (200, 503) for a in answers), [(a.url, a.status_code) for a in answers]
    assert fake.count() == 1  # the worker that never read the ban sent nothing
    assert shown["cache"]["backend"].startswith("redis (unavailable") and shown["upstream"]["state"] == "banned"
