"""Hold and release: the fake parks requests so concurrency tests order events exactly."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.fake_binance import Fault


@pytest.fixture
def pool():
    with ThreadPoolExecutor(max_workers=4) as executor:
        yield executor


def fetch(fake, path):
    return requests.get(fake.url + path, timeout=10)


def test_a_held_request_is_logged_and_waits_until_released(fake, pool):
    gate = fake.hold(route="/api/v3/ticker/price")
    held = pool.submit(fetch, fake, "/api/v3/ticker/price?symbol=BTCUSDT")

    assert gate.wait_arrived(1, timeout=5)
    assert fetch(fake, "/api/v3/ping").status_code == 200  # other routes pass
    assert not held.done() and fake.count("/api/v3/ticker/price") == 1 and fake.log[0].held
    assert fake.log[0].status == 0  # not answered yet

    assert gate.release() == 1
    assert held.result(timeout=5).json()["symbol"] == "BTCUSDT"
    assert fake.log[0].status == 200


def test_a_late_200_after_another_request_got_418(fake, pool):
    gate = fake.hold(route="/api/v3/ticker/price", times=1)
    slow = pool.submit(fetch, fake, "/api/v3/ticker/price?symbol=BTCUSDT")
    assert gate.wait_arrived(1, timeout=5)
    fake.add_fault("banned", retry_after=300, times=1)

    banned = fetch(fake, "/api/v3/ticker/price?symbol=ETHUSDT")  # times=1: not held
    gate.release()

    assert banned.status_code == 418 and slow.result(timeout=5).status_code == 200
    assert [(r.params["symbol"], r.status, r.held) for r in fake.log] == [("BTCUSDT", 200, True),
                                                                           ("ETHUSDT", 418, False)]


def test_then_makes_released_requests_act_out_a_fault(fake, pool):
    gate = fake.hold(market="futures").then("rate_limited")
    held = pool.submit(fetch, fake, "/fapi/v1/ping")
    assert gate.wait_arrived(1, timeout=5)

    gate.release()

    assert held.result(timeout=5).status_code == 429 and fake.log[0].fault == "rate_limited"


def test_release_n_lets_the_oldest_go_first_and_a_fault_per_release(fake, pool):
    gate = fake.hold(route="/api/v3/time")
    first = pool.submit(fetch, fake, "/api/v3/time")
    assert gate.wait_arrived(1, timeout=5)
    second = pool.submit(fetch, fake, "/api/v3/time")
    assert gate.wait_arrived(2, timeout=5)

    assert gate.release(1, fault=Fault("server_error", status=502)) == 1
    assert first.result(timeout=5).status_code == 502
    assert not second.done() and gate.parked == 1

    gate.release(1)
    assert second.result(timeout=5).status_code == 200


def test_a_release_given_early_lets_the_next_request_through(fake):
    gate = fake.hold(route="/api/v3/ping")
    gate.release(1, fault="empty")

    response = fetch(fake, "/api/v3/ping")

    assert (response.status_code, response.json()) == (200, {}) and gate.arrived == 1 and gate.parked == 0


def test_wait_arrived_says_false_when_nothing_came(fake):
    gate = fake.hold(market="spot")

    assert gate.wait_arrived(1, timeout=0.05) is False


def test_a_gate_only_catches_its_market(fake):
    fake.hold(market="spot")

    assert fetch(fake, "/fapi/v1/time").status_code == 200


def test_reset_lets_every_parked_request_go(fake, pool):
    gate = fake.hold()
    held = pool.submit(fetch, fake, "/api/v3/ping")
    assert gate.wait_arrived(1, timeout=5)

    fake.reset()

    assert held.result(timeout=5).status_code == 200


def test_holds_over_http(fake, pool):
    control = fake.url + "/_fake/holds"
    gate = requests.post(control, json={"route": "/fapi/v1/premiumIndex", "times": 1,
                                        "then": {"kind": "banned", "ban_s": 60}}, timeout=5).json()
    held = pool.submit(fetch, fake, "/fapi/v1/premiumIndex?symbol=BTCUSDT")

    waited = requests.post(f"{control}/{gate['id']}/wait", json={"n": 1, "timeout": 5}, timeout=10).json()
    listed = requests.get(control, timeout=5).json()
    released = requests.post(f"{control}/{gate['id']}/release", json={}, timeout=5).json()

    assert waited["arrived_enough"] is True and listed[0]["parked"] == 1
    assert released["released"] == 1 and held.result(timeout=5).status_code == 418
    assert requests.post(f"{control}/99/release", json={}, timeout=5).status_code == 404
    assert requests.delete(control, timeout=5).json() == []
