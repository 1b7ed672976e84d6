"""Event streams (prices, candles) against real processes and real sockets: a subscriber
that reads its first event and closes its socket frees its place at once, so one client
address can open subscription after subscription (more than PER_CLIENT of them, one at a
time), each getting its first event from what is known now, without any change of price.
Directly against gunicorn (gevent and gthread) and through express_api."""
import itertools
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests

from python_service.routes.client_watch import ClientWatch
from python_service.services.price_push import PER_CLIENT
from tests.support.ports import closed_port
from tests.support.processes import start_express, start_gateway, stop, wait_until_up
from tests.support.waiting import WAIT_S, wait_until

SUBSCRIPTIONS = 3 * PER_CLIENT
STREAMS = {"prices": ("/api/binance/stream/prices?symbols=ETHUSDT", b"event: price\n"),
           "candles": ("/api/binance/stream/klines?symbol=ETHUSDT&interval=1m", b"event: candle\n")}


def first_event_then_close(base: str, path: str, marker: bytes) -> str:
    """Opens the event stream on a raw socket, reads up to its first price event, closes the
    socket mid-stream (no FIN of the response awaited). Returns what was read."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=WAIT_S) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nAccept: text/event-stream\r\n\r\n".encode())
        received, deadline = b"", time.monotonic() + WAIT_S  # keepalives arrive every second: bound it
        while b"\n\n" not in received.partition(marker)[2] and time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    return received.decode(errors="replace")


@pytest.fixture(params=["gevent", "gthread"])
def services(request, fake, streams, starts_processes):
    gateway_port, api_port = closed_port(), closed_port()
    gateway = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                             "BINANCE_WS_URL": streams.url, "BINANCE_FUTURES_WS_URL": streams.futures_url,
                             "STREAMS_ENABLED": "true", "GUNICORN_WORKER_CLASS": request.param}, gateway_port)
    api = start_express({"PYTHON_SERVICE_URL": f"http://127.0.0.1:{gateway_port}",
                         "JWT_SECRET": "push-subscribers-secret-0123456789abcdef"}, api_port)
    gateway_url, api_url = f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{api_port}"
    try:
        wait_until_up(gateway_url + "/api/status", gateway)
        wait_until_up(api_url + "/api/openapi.json", api)
        wait_until(lambda: status(gateway_url)["streams"]["spot"]["state"] == "up", "the spot stream")
        yield {"direct": gateway_url, "express_api": api_url, "status": gateway_url}
    finally:
        stop(api)
        stop(gateway)


def status(base: str) -> dict:
    return requests.get(base + "/api/status", timeout=WAIT_S).json()


@pytest.mark.parametrize("stream", list(STREAMS))
@pytest.mark.parametrize("via", ["direct", "express_api"])
def test_one_client_opening_subscriptions_one_after_another_gets_a_first_event_on_each_and_none_is_left_open(
        services, via, stream):
    path, marker = STREAMS[stream]
    answers = [first_event_then_close(services[via], path, marker) for _ in range(SUBSCRIPTIONS)]

    refused = [n for n, text in enumerate(answers, 1) if not text.startswith("HTTP/1.1 200")]
    assert refused == [], f"subscriptions refused: {refused}; first refusal:\n{answers[refused[0] - 1][:600]}"
    without_event = [n for n, text in enumerate(answers, 1) if marker.decode() not in text]
    assert without_event == []  # each from what is known now: no price changed meanwhile
    assert wait_until(lambda: status(services["status"])["price_subscribers"] == 0, "every subscriber to be freed")


def watched(ours: socket.socket):
    """A ClientWatch on `ours` running over an endless stream; returns (gone event, the stream)."""

    gone = threading.Event()
    events = ClientWatch(ours, gone.set).around(itertools.repeat(": keepalive\n\n"))
    next(events)  # the first step starts the watch
    return gone, events


def test_a_watch_calls_gone_when_the_client_closes_and_not_for_bytes_it_sends():
    ours, theirs = socket.socketpair()
    with ours, theirs:
        gone, events = watched(ours)
        theirs.sendall(b"GET /next HTTP/1.1\r\n")  # a pipelined request: still there, the watch stands down
        assert wait_until(lambda: not any(t.name == "client-watch" for t in threading.enumerate()), "the watch to end")
        assert not gone.is_set()
        assert ours.recv(100) == b"GET /next HTTP/1.1\r\n"  # left for the server to read
        events.close()

    ours, theirs = socket.socketpair()
    with ours:
        gone, events = watched(ours)
        theirs.close()
        assert gone.wait(WAIT_S)  # a bounded wait for the call, not a timing assertion
        events.close()


# ----- however an answer ends, its place is given back (issue 24, item 1) -----

LEFT_EARLY = 3 * PER_CLIENT  # per route and way in: past every worker's per-client cap (2 workers)


@pytest.fixture
def two_workers(fake, streams, starts_processes):
    gateway_port, api_port = closed_port(), closed_port()
    gateway = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                             "BINANCE_WS_URL": streams.url, "BINANCE_FUTURES_WS_URL": streams.futures_url,
                             "STREAMS_ENABLED": "true", "GUNICORN_WORKERS": "2"}, gateway_port)
    api = start_express({"PYTHON_SERVICE_URL": f"http://127.0.0.1:{gateway_port}",
                         "JWT_SECRET": "push-subscribers-secret-0123456789abcdef"}, api_port)
    gateway_url, api_url = f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{api_port}"
    try:
        wait_until_up(gateway_url + "/api/status", gateway)
        wait_until_up(api_url + "/api/openapi.json", api)
        yield {"direct": gateway_url, "express_api": api_url}
    finally:
        stop(api)
        stop(gateway)


def subscribers(gateway_url: str) -> float:
    """Event-stream subscriptions open now, summed over every worker (the multiprocess gauge)."""
    text = requests.get(gateway_url + "/metrics", timeout=WAIT_S).text
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith("gateway_stream_subscribers"))


def gone_before_the_first_event(base: str, path: str) -> None:
    """Asks for the event stream and closes the socket without reading a byte of the answer."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=WAIT_S) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nAccept: text/event-stream\r\n\r\n".encode())


@pytest.mark.parametrize("via", ["direct", "express_api"])
def test_head_and_clients_gone_before_the_first_event_leave_every_place_free_on_every_worker(two_workers, via):
    base = two_workers[via]
    for path, _ in STREAMS.values():
        heads = [requests.head(base + path, timeout=WAIT_S) for _ in range(LEFT_EARLY)]
        assert {(head.status_code, head.headers["Content-Type"].split(";")[0]) for head in heads} == \
            {(200, "text/event-stream")}
        for _ in range(LEFT_EARLY):
            gone_before_the_first_event(base, path)

    assert wait_until(lambda: subscribers(two_workers["direct"]) == 0, "every place given back")
    for path, marker in STREAMS.values():  # and a client still gets its whole allowance, wherever it lands
        answers = [first_event_then_close(base, path, marker) for _ in range(2 * PER_CLIENT)]
        assert [text.split("\r\n", 1)[0] for text in answers] == ["HTTP/1.1 200 OK"] * (2 * PER_CLIENT)


def test_the_subscriber_gauge_counts_an_open_stream(two_workers):
    """The gauge the test above reads is live: one open subscription shows as 1, then 0."""
    url = urlsplit(two_workers["direct"])
    with socket.create_connection((url.hostname, url.port), timeout=WAIT_S) as sock:
        sock.sendall(f"GET {STREAMS['prices'][0]} HTTP/1.1\r\nHost: {url.netloc}\r\n\r\n".encode())
        assert sock.recv(12) == b"HTTP/1.1 200"
        assert wait_until(lambda: subscribers(two_workers["direct"]) == 1, "the open stream counted")
    assert wait_until(lambda: subscribers(two_workers["direct"]) == 0, "the closed stream given back")


@pytest.mark.processes
def test_a_direct_caller_naming_itself_in_x_forwarded_for_gets_no_second_allowance(fake, streams):
    port = closed_port()
    gateway = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                             "BINANCE_WS_URL": streams.url, "BINANCE_FUTURES_WS_URL": streams.futures_url,
                             "STREAMS_ENABLED": "true", "GUNICORN_WORKERS": "1",
                             "TRUSTED_PROXIES": "10.255.255.1"}, port)  # loopback callers are not a proxy here
    base = f"http://127.0.0.1:{port}"
    path = STREAMS["prices"][0]
    sockets = []
    try:
        wait_until_up(base + "/api/status", gateway)
        answers = []
        for n in range(PER_CLIENT + 1):  # each open stream claims to be another client
            sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)
            sockets.append(sock)
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.{n}\r\n\r\n".encode())
            answers.append(sock.recv(12))
        assert answers == [b"HTTP/1.1 200"] * PER_CLIENT + [b"HTTP/1.1 429"]
    finally:
        for sock in sockets:
            sock.close()
        stop(gateway)
