"""Upstream discipline through real gunicorn processes (issue 11, items 1 and 9):
4 workers sharing Redis; the order of events is set by the fake's hold/release
gates, never by sleeps."""
import threading

import pytest
import requests

from tests.support.exchange import FIXTURE_FALLBACK
from tests.support.ports import closed_port
from tests.support.processes import start_gateway, stop, wait_until_up
from tests.support.redis_server import stored
from tests.support.waiting import wait_until

pytestmark = pytest.mark.processes  # every test here starts gunicorn and redis-server
SPOT_STATE = "gateway:upstream:spot:state"
# Spot routes that each need their own upstream call (no shared cache entry).
PARKED = ["/api/binance/ticker/24hr?symbol=BTCUSDT", "/api/binance/ticker/24hr?symbol=ETHUSDT",
          "/api/binance/avg-price/BTCUSDT", "/api/binance/depth?symbol=BTCUSDT"]
ASKED = ["/api/binance/prices", "/api/binance/price/ETHUSDT", "/api/binance/ticker/24hr?symbol=XRPUSDT",
         "/api/binance/avg-price/ETHUSDT", "/api/binance/depth?symbol=ETHUSDT",
         "/api/binance/klines?symbol=BTCUSDT&interval=1m", "/api/binance/trades?symbol=BTCUSDT", "/api/status"]
WAIT_S = 90  # client-side bound on one answer: generous for a busy 2-core machine


class Ask(threading.Thread):
    def __init__(self, url):
        super().__init__(daemon=True)
        self.url, self.response = url, None
        self.start()

    def run(self):
        self.response = requests.get(self.url, timeout=WAIT_S)


@pytest.fixture
def gateway(fake):
    started = []

    def start(**env):
        port = closed_port()
        proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                              "FALLBACK_DATA_DIR": str(FIXTURE_FALLBACK), "GUNICORN_WORKERS": "4",
                              "BINANCE_TIMEOUT_S": "60", **env}, port)  # parked requests must not time out
        started.append(proc)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/api/status", proc)
        return base

    yield start
    for proc in started:
        stop(proc)


def ask_everything(base):
    answers = [requests.get(base + path, timeout=WAIT_S) for path in ASKED]
    assert all(a.status_code in (200, 503) for a in answers), [(a.url, a.status_code) for a in answers]
    assert answers[-1].status_code == 200  # /api/status answers
    return answers


def test_under_4_workers_a_late_200_after_a_418_sends_nothing_inside_the_ban(gateway, fake, redis_url):
    base = gateway(CACHE_REDIS_URL=redis_url)
    gate = fake.hold(route="/api/v3/ticker/price", times=1)
    fake.add_fault("banned", route="/api/v3/ticker/24hr", retry_after=300, times=1)
    slow = Ask(base + "/api/binance/price/BTCUSDT")
    assert gate.wait_arrived(1, timeout=WAIT_S)
    banned = requests.get(base + "/api/binance/ticker/24hr?symbol=ETHUSDT", timeout=WAIT_S)
    gate.release()
    slow.join(WAIT_S)

    answers = [a for _ in range(3) for a in ask_everything(base)]

    assert banned.status_code in (200, 503) and slow.response.status_code == 200
    assert fake.count() == 2  # the late 200 lifted nothing: no request inside the ban
    assert answers[-1].json()["upstream"]["state"] == "banned"


def test_under_4_workers_a_ban_outlives_redis_paused_killed_and_restarted(gateway, fake, own_redis):
    # One thread per worker and one connection at a time: four requests parked at the fake
    # are then in four different workers, so every worker is part of what follows.
    base = gateway(CACHE_REDIS_URL=own_redis.url, GUNICORN_THREADS="1", REDIS_RETRY_S="3",
                   GUNICORN_CMD_ARGS="--worker-connections 1")
    gate = fake.hold(market="spot", times=4)
    parked = [Ask(base + path) for path in PARKED]
    assert gate.wait_arrived(4, timeout=WAIT_S)
    gate.release(1, fault={"kind": "banned", "retry_after": 300})  # one worker is banned...
    wait_until(lambda: (stored(own_redis, SPOT_STATE) or {}).get("state") == "banned", "the ban in Redis", WAIT_S)
    gate.release()  # ...while the other three get their (late) 200s
    for ask in parked:
        ask.join(WAIT_S)
    ban = stored(own_redis, SPOT_STATE)

    own_redis.pause()  # accepts connections, never answers
    paused = ask_everything(base)
    own_redis.kill()
    killed = ask_everything(base)
    own_redis.start()  # empty: Redis has forgotten the ban
    wait_until(lambda: requests.get(base + "/api/status", timeout=WAIT_S).ok
               and stored(own_redis, SPOT_STATE) is not None, "the ban written back to Redis", WAIT_S)
    after = ask_everything(base)

    assert all(a.response.status_code in (200, 503) for a in parked)
    assert ban["state"] == "banned"  # the late 200s lifted nothing
    assert paused[-1].json()["upstream"]["state"] == "banned" and killed[-1].json()["upstream"]["state"] == "banned"
    assert stored(own_redis, SPOT_STATE)["until"] == ban["until"]  # written back (waited for above)
    assert after[-1].json()["upstream"]["state"] == "banned"
    assert fake.count() == 4  # only the four parked requests ever reached Binance
