"""Fixtures: a fake Binance on a loopback port chosen by the OS, and apps pointed at it; and
the `processes` marker, put on every test that starts a process or a browser (see README, "Tests").
Helpers shared with bench/ are in tests/support/."""
from __future__ import annotations

import os
import subprocess
import time

import pytest
from flask.testing import FlaskClient

from python_service import create_app
from tests.fake_binance import FakeBinance
from tests.support.exchange import API_KEY, API_SECRET, FIXTURE_FALLBACK
from tests.support.processes import INTERNAL_TOKEN
from tests.support.redis_server import RedisServer

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


@pytest.fixture(scope="session")
def redis_server(starts_processes):
    """A real redis-server on a free loopback port, for the whole test session."""
    with RedisServer() as server:
        yield server.url


@pytest.fixture
def own_redis(starts_processes):
    """A redis-server of this test's own, which it may pause, kill and start again (RedisServer)."""
    with RedisServer() as server:
        yield server


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


@pytest.fixture
def streamed_app(make_app, streams):
    """Builds apps whose streams are the fake's (started by `tests.support.streaming.started`)."""
    apps = []

    def build(**overrides):
        app = make_app(STREAMS_ENABLED="true", BINANCE_WS_URL=streams.url,
                       BINANCE_FUTURES_WS_URL=streams.futures_url, **overrides)
        apps.append(app)
        return app
    yield build
    for app in apps:
        app.extensions["services"].streams.stop()


# ----- the `processes` marker (pytest.ini): the tests `make test-quick` leaves out -----

@pytest.fixture(scope="session")
def starts_processes():
    """Asked for by every fixture that starts a process, so that each test using that fixture,
    directly or through another one, is marked `processes` (pytest_collection_modifyitems)."""


@pytest.hookimpl(tryfirst=True)  # before -m selects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        if "starts_processes" in item.fixturenames and not item.get_closest_marker("processes"):
            item.add_marker(pytest.mark.processes)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item):
    """A test that is not marked `processes` fails as soon as it starts a process (a browser
    too: Playwright starts its driver first), so the marker cannot be forgotten."""
    if item.get_closest_marker("processes"):
        return (yield)

    def refuse(*args, **kwargs):
        command = args[1] if len(args) > 1 else kwargs.get("args", "os.fork()")
        pytest.fail(f"{item.nodeid} starts a process ({command}) but is not marked `processes`: give it "
                    "@pytest.mark.processes (or its module a pytestmark), or make the fixture that starts "
                    "the process ask for `starts_processes`")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(subprocess.Popen, "__init__", refuse)
        patch.setattr(os, "fork", refuse)  # multiprocessing's workers
        return (yield)
