"""Fixtures: a fake Binance on a loopback port chosen by the OS, and apps pointed at it."""
from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from python_service import create_app
from tests.fake_binance import FakeBinance
from tests.processes import INTERNAL_TOKEN

API_KEY, API_SECRET = "test-key-5f2c", "test-secret-a91e"
FIXTURE_FALLBACK = Path(__file__).parent / "fixtures" / "fallback_data"
SETTING_NAMES = ("BINANCE_", "CACHE_REDIS_URL", "STREAM", "FALLBACK_DATA_DIR", "INTERNAL_API_TOKEN", "GATEWAY_PORT",
                 "RISK_", "TRADING_HALTED", "AUDIT_LOG_PATH",
                 "RESTRICTION_COOLDOWN_S", "TIME_SYNC_INTERVAL_S", "PYTHON_SERVICE_URL", "JWT_SECRET",
                 "DATABASE_PATH", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """A developer's own Binance settings must never leak into a test."""
    for name in list(os.environ):
        if name.upper().startswith(SETTING_NAMES):
            monkeypatch.delenv(name)


@pytest.fixture
def fake(clock):
    exchange = FakeBinance(api_keys={API_KEY: API_SECRET}, weight_clock=clock).start()
    yield exchange
    exchange.stop()


class Sleeps(list):
    """Injected sleep: records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


class FakeClock:
    """The service's clock, moved only by the test (cache TTLs, cool-downs, bans)."""

    def __init__(self, start: float):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    """Starts one second into the current minute, so a test has a whole weight window to itself."""
    return FakeClock(time.time() // 60 * 60 + 1)


class InternalClient(FlaskClient):
    """A test client that sends the internal token, as express_api does on credential routes
    (a test that means to go without sends its own X-Internal-Token header)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_X_INTERNAL_TOKEN"] = INTERNAL_TOKEN


@pytest.fixture
def make_app(fake, sleeps, clock, tmp_path):
    def build(**overrides):
        config = {"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                  "BINANCE_TIMEOUT_S": "2", "SLEEP": sleeps, "CLOCK": clock,
                  "FALLBACK_DATA_DIR": str(FIXTURE_FALLBACK), "LAST_KNOWN_GOOD_DIR": str(tmp_path / "lkg"),
                  "STREAMS_ENABLED": "false",  # REST, as the existing tests assert; stream tests opt in
                  "INTERNAL_API_TOKEN": INTERNAL_TOKEN, "ORDER_JOURNAL_PATH": str(tmp_path / "orders.sqlite3"),
                  "AUDIT_LOG_PATH": str(tmp_path / "audit.sqlite3"),
                  "RISK_STATE_PATH": str(tmp_path / "risk_limits.json"),
                  **overrides}
        app = create_app(config)
        app.test_client_class = InternalClient
        return app
    return build


@pytest.fixture
def client(make_app):
    return make_app().test_client()


def closed_port() -> int:
    """A loopback port with nothing listening (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server():
    """A real redis-server on a free loopback port, for the whole test session."""
    import shutil
    import subprocess

    import redis

    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: `make test` installs it (Debian package redis-server)"
    port = closed_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def redis_url(redis_server):
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushall()
    client.close()
    return redis_server


@pytest.fixture
def streams(fake):
    """Binance's websocket streams, faked beside `fake` (tests/fake_binance/streams.py)."""
    from tests.fake_binance.streams import FakeStreams

    server = FakeStreams(fake, ping_interval=0.5, ping_timeout=5).start()
    yield server
    server.stop()
