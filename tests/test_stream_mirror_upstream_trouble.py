"""Upstream dropped, refused, restricted (451) and stalled while 3 bots listen through the stream
mirror (gunicorn, 2 workers): the bots stay connected and their pings are answered, data resumes by
itself, the fake sees no more connection attempts than the deployment's budget, and /api/status
and /metrics show the bots' connections, subscriptions and drops."""
import json
import time
from contextlib import ExitStack

import pytest
import requests
from websockets.sync.client import connect

from tests.support.ports import closed_port
from tests.support.processes import start_gateway, stop, wait_until_up
from tests.support.waiting import wait_until

pytestmark = pytest.mark.processes  # gunicorn
WAIT_S = 30
BUDGET = 40  # STREAM_ATTEMPTS_5M: the deployment's connection attempts in any 5 minutes
STREAM = "btcusdt@trade"


@pytest.fixture(params=["host store", "redis"])
def gateway(request, fake, streams):
    """The workers share their state (the connection attempts among it) through the host's store, or Redis."""
    shared = {"CACHE_REDIS_URL": request.getfixturevalue("redis_url")} if request.param == "redis" else {}
    port = closed_port()
    root = f"http://127.0.0.1:{port}"
    proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                          "BINANCE_WS_URL": streams.url, "BINANCE_FUTURES_WS_URL": streams.futures_url,
                          "STREAMS_ENABLED": "true", "GUNICORN_WORKERS": "2", "STREAM_ATTEMPTS_5M": str(BUDGET),
                          **shared}, port)
    try:
        wait_until_up(root + "/api/status", proc)
        yield root
    finally:
        stop(proc)


class Bots:
    """Three bots on the same stream; their websockets ping every 0.3 s and give up on a pong that
    takes 5 s (websockets' keepalive), so a gateway that stops answering loses them."""

    def __init__(self, root: str):
        ws_root = root.replace("http://", "ws://")
        self._stack = ExitStack()
        self.sockets = [self._stack.enter_context(connect(f"{ws_root}/ws/{STREAM}", ping_interval=0.3, ping_timeout=5))
                        for _ in range(3)]

    def close(self) -> None:
        self._stack.close()

    def all_see(self, fake, price: str) -> None:
        """Each bot gets a trade at `price` (set at the fake now)."""
        fake.prices["BTCUSDT"] = price
        for ws in self.sockets:
            deadline = time.monotonic() + WAIT_S
            while json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))["p"] != price:
                pass

    def still_open(self) -> bool:
        return all(ws.protocol.state.name == "OPEN" for ws in self.sockets)


def spot_subscribed(streams):
    return [c for c in streams.open_connections("spot") if STREAM in c.streams]


def spot_state(root: str) -> str:
    return requests.get(root + "/api/status", timeout=10).json()["streams"]["spot"]["state"]


def refused(streams, status: int) -> int:
    return sum(1 for _, market, _, answered in streams.handshakes if market == "spot" and answered == status)


def attempts_at_the_fake(streams) -> int:
    return sum(1 for _, market, _, _ in streams.handshakes if market == "spot")


def test_three_bots_ride_out_a_drop_a_refusal_a_451_and_a_stall_and_data_resumes_by_itself(gateway, fake, streams):
    bots = Bots(gateway)
    try:
        wait_until(lambda: spot_subscribed(streams), "the gateway's upstream subscription")
        bots.all_see(fake, "70001.00000000")
        first = spot_subscribed(streams)[0]

        for status in (503, 451):  # dropped, then refused (503) or restricted (451) for a while
            refused_before = refused(streams, status)
            streams.refuse, streams.refuse_status = True, status
            streams.disconnect("spot")
            wait_until(lambda: spot_state(gateway) == "down", "the gateway to see spot down")
            wait_until(lambda s=status, n=refused_before: refused(streams, s) >= n + 2,
                       f"two reconnection attempts refused with {status}", WAIT_S)
            assert bots.still_open()  # their pings answered all along
            streams.refuse = False
            wait_until(lambda: spot_subscribed(streams), f"the reconnection after {status}", WAIT_S)
            bots.all_see(fake, "70002.00000000" if status == 503 else "70003.00000000")

        streams.stall("spot")  # open, pinging, silent
        fake.prices["BTCUSDT"] = "70004.00000000"
        wait_until(lambda: spot_state(gateway) == "silent", "the gateway to see spot silent", WAIT_S)
        assert bots.still_open()
        streams.stall("spot", on=False)
        bots.all_see(fake, "70005.00000000")
        assert bots.still_open()
    finally:
        bots.close()

    assert first not in spot_subscribed(streams)  # a new upstream connection carries the stream now
    assert len([c for c in streams.connections if c.market == "spot" and c.open]) == 1  # one, for all the bots
    seen = attempts_at_the_fake(streams)
    assert seen <= BUDGET
    used = requests.get(gateway + "/api/status", timeout=10).json()["streams"]["connect_attempts_5m"]
    assert used["limit"] == BUDGET and used["used"] >= seen  # every attempt counted for the whole deployment


def test_status_and_metrics_show_the_bots_connections_subscriptions_and_drops(gateway, fake, streams):
    bots = Bots(gateway)
    try:
        wait_until(lambda: spot_subscribed(streams), "the gateway's upstream subscription")
        bots.all_see(fake, "70011.00000000")
        metrics = wait_until(lambda: _metric_lines(gateway, "gateway_mirror_connections 3.0"), "3 connections counted")
        assert "gateway_mirror_subscriptions 3.0" in metrics
        workers = _mirror_status_of_each_worker(gateway)
        assert sum(w["connections"] for w in workers.values()) == 3
        assert sum(w["subscriptions"] for w in workers.values()) == 3
        assert all(w["dropped_slow"] == 0 for w in workers.values())
    finally:
        bots.close()
    wait_until(lambda: _metric_lines(gateway, "gateway_mirror_connections 0.0"), "the connections gone")


def _metric_lines(root: str, wanted: str) -> str | None:
    text = requests.get(root + "/metrics", timeout=10).text
    return text if wanted in text.splitlines() else None


def _mirror_status_of_each_worker(root: str) -> dict:
    """/api/status answers for the worker that took the request: ask until both workers answered."""
    seen: dict = {}

    def both() -> bool:
        status = requests.get(root + "/api/status", timeout=10).json()
        seen[status["process"]["pid"]] = status["stream_mirror"]
        return len(seen) == 2
    wait_until(both, "both workers' /api/status")
    return seen


def test_a_bot_that_never_reads_is_dropped_under_gunicorn_and_counted_while_the_others_keep_their_data(
        request, fake, streams):
    import socket

    port = closed_port()
    root = f"http://127.0.0.1:{port}"
    proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                          "BINANCE_WS_URL": streams.url, "BINANCE_FUTURES_WS_URL": streams.futures_url,
                          "STREAMS_ENABLED": "true", "GUNICORN_WORKERS": "2",
                          "STREAM_MIRROR_QUEUE_BYTES": "65536"}, port)
    request.addfinalizer(lambda: stop(proc))
    wait_until_up(root + "/api/status", proc)
    path = "/ws/btcusdt@depth@100ms"
    slow = socket.socket()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: a small window
    slow.connect(("127.0.0.1", port))
    with connect(f"ws://127.0.0.1:{port}{path}", sock=slow, max_size=None), \
            connect(f"ws://127.0.0.1:{port}{path}", max_size=None) as reader:
        price, last = 67000, 0
        for step in range(200):  # each jump moves thousands of levels: events of a few hundred kB
            if _metric_lines(root, "gateway_mirror_dropped_total 1.0"):
                break
            price += 7000 if step % 2 == 0 else -7000
            fake.prices["BTCUSDT"] = f"{price}.00000000"
            deadline = time.monotonic() + WAIT_S
            while (event := json.loads(reader.recv(timeout=max(0.01, deadline - time.monotonic()))))["u"] <= last:
                pass
            last = event["u"]
        assert _metric_lines(root, "gateway_mirror_dropped_total 1.0"), "the slow bot was never dropped"
        fake.prices["BTCUSDT"] = f"{price + 5}.00000000"
        deadline = time.monotonic() + WAIT_S
        while json.loads(reader.recv(timeout=max(0.01, deadline - time.monotonic())))["u"] <= last:
            pass  # the reader still gets the events after the drop
        assert reader.protocol.state.name == "OPEN"
    assert len([c for c in streams.connections if c.market == "spot"]) == 1
