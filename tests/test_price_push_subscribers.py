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
from tests.conftest import closed_port
from tests.processes import start_express, start_gateway, stop, wait_until_up
from tests.test_streams import WAIT_S, wait_for

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
def services(request, fake, streams):
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
        wait_for(lambda: status(gateway_url)["streams"]["spot"]["state"] == "up", "the spot stream")
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
    assert wait_for(lambda: status(services["status"])["price_subscribers"] == 0, "every subscriber to be freed")


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
        assert wait_for(lambda: not any(t.name == "client-watch" for t in threading.enumerate()), "the watch to end")
        assert not gone.is_set()
        assert ours.recv(100) == b"GET /next HTTP/1.1\r\n"  # left for the server to read
        events.close()

    ours, theirs = socket.socketpair()
    with ours:
        gone, events = watched(ours)
        theirs.close()
        assert gone.wait(WAIT_S)  # a bounded wait for the call, not a timing assertion
        events.close()
