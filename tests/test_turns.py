"""Requests take turns in a gevent worker (python_service/server/turns.py; issue 20, item 4), in a
real gunicorn process with one worker.

A client pipelines many requests on one keep-alive connection: its greenlet always has the
next request read, and without turns it served all of them before the worker looked at
any other socket. Where each request began in the worker is read from the ids the worker
generated for them (X-Request-ID: a per-process prefix and a counter in the order the
requests began), so the test counts positions, not milliseconds."""
import socket
import threading

import pytest
import requests

from tests.support.exchange import FIXTURE_FALLBACK
from tests.support.ports import closed_port
from tests.support.processes import start_gateway, stop, wait_until_up

pytestmark = pytest.mark.processes  # every test here starts gunicorn
PIPELINED = 1000  # 50 kB of requests: all in the worker's socket buffer before it answers the first
WAIT_S = 120
PRICE = "/api/binance/price/BTCUSDT"


@pytest.fixture
def one_worker(fake):
    port = closed_port()
    proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                          "FALLBACK_DATA_DIR": str(FIXTURE_FALLBACK), "GUNICORN_WORKERS": "1",
                          "PRICES_TTL_S": "3600", "GUNICORN_CMD_ARGS": "--keep-alive 300"}, port)
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base + "/api/status", proc)
    assert requests.get(base + PRICE, timeout=WAIT_S).json()["source"] == "live"  # the cache is warm from here
    yield port
    stop(proc)


class Connection:
    """One keep-alive connection read by a thread of its own, so the worker never waits to send."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)
        self.file = self.sock.makefile("rb")
        self.answers: list[tuple[int, str]] = []  # (status, X-Request-ID) in order

    def ask(self, path: str, times: int = 1) -> None:
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: gateway\r\n\r\n".encode() * times)

    def read(self, count: int, first: threading.Event = None) -> None:
        for _ in range(count):
            status = int(self.file.readline().split()[1])
            headers = {}
            while (line := self.file.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            self.file.read(int(headers["content-length"]))
            self.answers.append((status, headers["x-request-id"]))
            if first is not None:
                first.set()

    def pipeline(self, path: str, count: int) -> threading.Thread:
        """Sends `count` requests at once; returns once the worker has answered the first
        (so it is serving them), with a thread reading the rest."""
        first = threading.Event()
        thread = threading.Thread(target=self.read, args=(count, first), daemon=True)
        thread.start()
        self.ask(path, count)
        assert first.wait(WAIT_S)
        return thread

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def began(request_id: str) -> int:
    """Where the request began among the worker's requests (the id's counter)."""
    return int(request_id[-12:], 16)


def connections(port: int, first: str, second: str) -> tuple[Connection, Connection]:
    """Two connections, each with a greenlet in the worker (one answer each) before the test."""
    a, b = Connection(port), Connection(port)
    for conn, path in ((a, first), (b, second)):
        conn.ask(path)
        conn.read(1)
        conn.answers.clear()
    return a, b


def test_a_status_check_is_answered_between_the_requests_of_a_client_that_pipelines(one_worker, fake):
    hog, check = connections(one_worker, PRICE, "/api/status")
    try:
        reader = hog.pipeline(PRICE, PIPELINED)
        check.ask("/api/status")
        check.read(1)
        reader.join(WAIT_S)
        assert not reader.is_alive()
    finally:
        hog.close(), check.close()
    assert [status for status, _ in hog.answers] == [200] * PIPELINED and check.answers[0][0] == 200
    ahead = sum(began(rid) < began(check.answers[0][1]) for _, rid in hog.answers)
    # Without turns the worker served all of them before it read the check; with them, the check
    # waits one turn once the worker sees it (a few requests), whatever the machine's load.
    assert ahead < PIPELINED // 2, f"{ahead} of the pipelined requests began before the status check"
    assert fake.count("/api/v3/ticker/price") == 1  # every pipelined answer came from the cache


def test_a_flood_of_status_checks_does_not_shut_out_other_requests(one_worker, fake):
    flood, price = connections(one_worker, "/api/status", PRICE)
    try:
        reader = flood.pipeline("/api/status", PIPELINED)
        price.ask(PRICE)
        price.read(1)
        reader.join(WAIT_S)
        assert not reader.is_alive()
    finally:
        flood.close(), price.close()
    assert [status for status, _ in flood.answers] == [200] * PIPELINED and price.answers[0][0] == 200
    ahead = sum(began(rid) < began(price.answers[0][1]) for _, rid in flood.answers)
    # Status checks go first, but take at most half of each turn while other requests wait.
    assert ahead < PIPELINED // 2, f"{ahead} status checks began before the price request"
    assert fake.count("/api/v3/ticker/price") == 1
