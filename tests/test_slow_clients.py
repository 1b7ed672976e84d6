"""Slow clients and a silent Binance must not stop python_service (issue 12, item 5).

Real gunicorn, real sockets: 64 connections that send part of a request and then
wait, and upstream-bound requests parked at the fake exchange (hold gates).
/api/status and a cached price must still answer. The 5 s client timeout is a
generous bound, not a performance assertion (figures are in bench/hostile.py)."""
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.ports import closed_port
from tests.support.processes import start_gateway, stop, wait_until_up

pytestmark = pytest.mark.processes  # every test here starts gunicorn
SLOW_SOCKETS = 64
PARKED = 16
ANSWER_TIMEOUT_S = 5


@pytest.fixture
def gateway(fake):
    port = closed_port()
    # A long upstream timeout keeps the parked requests parked for the whole test;
    # a long price TTL keeps the primed price cached.
    proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                          "BINANCE_TIMEOUT_S": "40", "BINANCE_MAX_ATTEMPTS": "1", "PRICES_TTL_S": "600"}, port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/api/status", proc)
        assert requests.get(url + "/api/binance/price/BTCUSDT", timeout=10).headers["X-Data-Source"] == "live"
        yield port, url
    finally:
        stop(proc)


def slowloris(port: int, count: int) -> list[socket.socket]:
    """Connections that each send a partial request and then wait: half stop inside the
    headers, half announce a body and send one byte of it."""
    partials = (b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
                b"POST /api/binance/order/validate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
    sockets = []
    for n in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(partials[n % 2])
        sockets.append(sock)
    return sockets


def answers_quickly(url: str) -> dict:
    status = requests.get(url + "/api/status", timeout=ANSWER_TIMEOUT_S)
    price = requests.get(url + "/api/binance/price/BTCUSDT", timeout=ANSWER_TIMEOUT_S)
    return {"status": status.status_code, "price": price.status_code, "source": price.headers["X-Data-Source"]}


def test_64_slow_connections_do_not_stop_status_or_cached_prices(gateway, fake):
    port, url = gateway
    sockets = slowloris(port, SLOW_SOCKETS)
    try:
        assert answers_quickly(url) == {"status": 200, "price": 200, "source": "cache"}
    finally:
        for sock in sockets:
            sock.close()
    assert fake.count("/api/v3/ticker/price") == 1  # the cached answer reached no upstream


def test_requests_parked_on_a_silent_binance_and_slow_connections_do_not_stop_status(gateway, fake):
    port, url = gateway
    gate = fake.hold(route="/api/v3/klines")
    pool = ThreadPoolExecutor(max_workers=PARKED)
    sockets = []
    try:
        # distinct startTimes: each is a cache miss of its own, all waiting on Binance
        parked = [pool.submit(requests.get, url + f"/api/binance/klines?symbol=BTCUSDT&interval=1m&startTime={n}",
                              timeout=60) for n in range(PARKED)]
        assert gate.wait_arrived(PARKED, timeout=30), f"only {gate.arrived} of {PARKED} reached Binance"
        sockets = slowloris(port, SLOW_SOCKETS)

        assert answers_quickly(url) == {"status": 200, "price": 200, "source": "cache"}
        assert not any(f.done() for f in parked)  # they were still waiting on Binance all along
    finally:
        for sock in sockets:
            sock.close()
        gate.release()
        pool.shutdown(wait=True)
    assert [f.result().status_code for f in parked] == [200] * PARKED
    assert fake.count("/api/v3/klines") == PARKED and fake.count("/api/v3/ticker/price") == 1
