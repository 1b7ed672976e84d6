"""GET /api/binance/connection-status: an active ping + time probe."""
import threading
import time

from tests.fake_binance import RESTRICTED_MSG
from tests.support.ports import closed_port


def test_when_binance_answers_reports_reachable_with_latency_and_clock_offset(client, fake):
    fake.server_time_offset_ms = 1500

    body = client.get("/api/binance/connection-status").get_json()

    assert body["reachable"] is True and body["restricted"] is False and body["http_status"] == 200
    assert body["latency_ms"] >= 0
    assert 1000 < body["server_time_offset_ms"] < 2000
    assert body["base_url"] == fake.url and body["proxy"] is None
    assert body["last_error"] is None and body["state"] == "ok"
    assert [r.path for r in fake.log] == ["/api/v3/ping", "/api/v3/time"]


def test_when_binance_answers_451_reports_restricted_with_its_message_after_one_request(client, fake):
    fake.add_fault("restricted")

    body = client.get("/api/binance/connection-status").get_json()

    assert body["restricted"] is True and body["reachable"] is True
    assert body["http_status"] == 451 and body["state"] == "restricted"
    assert body["restriction_message"] == RESTRICTED_MSG
    assert fake.count() == 1  # 451 is never retried


def test_when_the_port_refuses_reports_unreachable_after_every_attempt(make_app, sleeps):
    client = make_app(BINANCE_BASE_URL=f"http://127.0.0.1:{closed_port()}").test_client()

    body = client.get("/api/binance/connection-status").get_json()

    assert body["reachable"] is False and body["restricted"] is False
    assert body["state"] == "unreachable"
    assert "connection refused" in body["last_error"]["message"]
    assert len(sleeps) == 2  # three attempts, two backoff waits


def test_when_binance_is_silent_answers_within_timeout_times_attempts_plus_one_second(make_app, fake):
    fake.add_fault("silent")
    client = make_app(BINANCE_TIMEOUT_S="0.3", BINANCE_MAX_ATTEMPTS="3").test_client()

    started = time.monotonic()
    body = client.get("/api/binance/connection-status").get_json()
    elapsed = time.monotonic() - started

    assert elapsed < 0.3 * 3 + 1
    assert body["reachable"] is False and "no answer within 0.3s" in body["last_error"]["message"]
    assert fake.count("/api/v3/ping") == 3


def test_status_answers_at_once_while_a_probe_waits_on_a_silent_binance(make_app, fake):
    fake.add_fault("silent")
    app = make_app(BINANCE_TIMEOUT_S="1", BINANCE_MAX_ATTEMPTS="2")
    probe = threading.Thread(target=lambda: app.test_client().get("/api/binance/connection-status"))
    probe.start()
    while fake.count() == 0:
        time.sleep(0.01)

    response = app.test_client().get("/api/status")

    assert response.status_code == 200
    assert probe.is_alive()  # the probe is still waiting: /api/status did not wait for it
    probe.join()


def test_a_second_probe_inside_the_restriction_cool_down_reports_restricted_without_calling_binance(client, fake,
                                                                                                   clock):
    fake.add_fault("restricted")
    client.get("/api/binance/connection-status")
    clock.advance(6)  # past the probe's own cache (CONNECTION_STATUS_TTL_S), inside the cool-down

    body = client.get("/api/binance/connection-status").get_json()

    assert body["probed"] is False and body["restricted"] is True
    assert body["restriction_message"] == RESTRICTED_MSG and body["http_status"] == 451
    assert 0 < body["retry_after_s"] <= 60
    assert fake.count() == 1


def test_the_probe_is_cached_for_a_few_seconds_so_repeated_calls_spend_no_weight(client, fake, clock):
    first = client.get("/api/binance/connection-status").get_json()
    for _ in range(20):
        assert client.get("/api/binance/connection-status").get_json() == first
    assert [r.path for r in fake.log] == ["/api/v3/ping", "/api/v3/time"]

    clock.advance(5)  # CONNECTION_STATUS_TTL_S
    again = client.get("/api/binance/connection-status").get_json()

    assert again["checked_at"] != first["checked_at"]
    assert [r.path for r in fake.log] == ["/api/v3/ping", "/api/v3/time"] * 2
