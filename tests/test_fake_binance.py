"""The fake exchange itself: Binance's shapes, weights, signature rules and faults."""
import hashlib
import hmac
import json
import time

import pytest
import requests

from tests.fake_binance import RESTRICTED_MSG
from tests.support.exchange import API_KEY, API_SECRET


def signed_query(params, secret=API_SECRET):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return query + "&signature=" + hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()


def test_every_answer_carries_the_used_weight_of_this_minute(fake):
    first = requests.get(fake.url + "/api/v3/ticker/price")
    second = requests.get(fake.url + "/api/v3/ticker/24hr?symbol=BTCUSDT")

    assert first.headers["X-MBX-USED-WEIGHT-1M"] == "4"
    assert second.headers["X-MBX-USED-WEIGHT-1M"] == "6"


def test_symbols_list_weights_follow_binance_table(fake):
    symbols = json.dumps(list(fake.prices)[:21])
    requests.get(fake.url + "/api/v3/ticker/24hr", params={"symbols": symbols})

    assert fake.log[-1].weight == 40


def test_a_correctly_signed_request_gets_the_account(fake):
    query = signed_query({"timestamp": fake.server_time_ms(), "recvWindow": 5000})
    response = requests.get(f"{fake.url}/api/v3/account?{query}", headers={"X-MBX-APIKEY": API_KEY})

    assert response.status_code == 200 and response.json()["canTrade"] is True


@pytest.mark.parametrize("key, secret, skew_ms, status, code", [
    ("nope", API_SECRET, 0, 401, -2015),
    (API_KEY, "wrong", 0, 400, -1022),
    (API_KEY, API_SECRET, 3000, 400, -1021),
    (API_KEY, API_SECRET, -6000, 400, -1021),
])
def test_signed_route_rules(fake, key, secret, skew_ms, status, code):
    query = signed_query({"timestamp": fake.server_time_ms() + skew_ms, "recvWindow": 5000}, secret)
    response = requests.get(f"{fake.url}/api/v3/account?{query}", headers={"X-MBX-APIKEY": key})

    assert (response.status_code, response.json()["code"]) == (status, code)


def test_restricted_fault_answers_451_with_binance_body(fake):
    fake.add_fault("restricted")
    response = requests.get(fake.url + "/api/v3/ping")

    assert response.status_code == 451 and response.json() == {"code": 0, "msg": RESTRICTED_MSG}


@pytest.mark.parametrize("kind, status", [("rate_limited", 429), ("banned", 418)])
def test_limit_faults_carry_retry_after(fake, kind, status):
    fake.add_fault(kind, retry_after=42)
    response = requests.get(fake.url + "/api/v3/ping")

    assert response.status_code == status and response.headers["Retry-After"] == "42"
    assert response.json()["code"] == -1003


def test_server_error_fault_answers_html_and_expires_after_times(fake):
    fake.add_fault("server_error", status=502, times=1, route="/api/v3/ping")
    first = requests.get(fake.url + "/api/v3/ping")
    second = requests.get(fake.url + "/api/v3/ping")

    assert first.status_code == 502 and first.headers["Content-Type"] == "text/html"
    assert second.status_code == 200


def test_reset_fault_resets_the_connection(fake):
    fake.add_fault("reset")
    with pytest.raises(requests.ConnectionError):
        requests.get(fake.url + "/api/v3/ping", timeout=2)


def test_silent_fault_never_answers(fake):
    fake.add_fault("silent")
    with pytest.raises(requests.ReadTimeout):
        requests.get(fake.url + "/api/v3/ping", timeout=0.3)


def test_slow_fault_delays_the_answer(fake):
    fake.add_fault("slow", delay=0.3)
    started = time.monotonic()
    assert requests.get(fake.url + "/api/v3/ping").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_malformed_fault_answers_200_with_broken_json(fake):
    fake.add_fault("malformed")
    response = requests.get(fake.url + "/api/v3/ticker/price")

    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_control_routes_set_faults_and_read_the_log_without_being_logged(fake):
    requests.post(fake.url + "/_fake/faults", json={"kind": "restricted", "route": "/api/v3/time"})
    assert requests.get(fake.url + "/api/v3/time").status_code == 451

    log = requests.get(fake.url + "/_fake/requests").json()

    assert [(r["path"], r["status"], r["fault"]) for r in log] == [("/api/v3/time", 451, "restricted")]


def test_over_the_weight_limit_answers_429(fake):
    fake.weight_limit = 5
    statuses = [requests.get(fake.url + "/api/v3/ticker/price").status_code for _ in range(2)]

    assert statuses == [200, 429]
