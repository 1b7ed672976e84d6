"""The fake exchange's faults: scoped per market and route, and the odd answers Binance really gives."""
import re
import time

import pytest
import requests


def get(fake, path, **kwargs):
    return requests.get(fake.url + path, timeout=5, **kwargs)


def test_a_futures_fault_leaves_spot_and_sapi_alone(fake):
    fake.add_fault("restricted", market="futures")

    statuses = [get(fake, p).status_code for p in ("/fapi/v1/ping", "/api/v3/ping", "/sapi/v1/account/status")]

    assert statuses == [451, 200, 401]  # sapi answered normally: unsigned, so Binance's -2015
    assert [(r.path, r.fault) for r in fake.log] == [("/fapi/v1/ping", "restricted"), ("/api/v3/ping", None),
                                                     ("/sapi/v1/account/status", None)]


def test_a_spot_fault_covers_api_and_sapi_but_not_fapi(fake):
    fake.add_fault("server_error", market="spot")

    statuses = [get(fake, p).status_code for p in ("/api/v3/time", "/sapi/v1/account/status", "/fapi/v1/time")]

    assert statuses == [503, 503, 200]
    assert fake.count(market="spot") == 2 and fake.count(market="futures") == 1


def test_a_fault_on_one_route_of_one_market(fake):
    fake.add_fault("rate_limited", market="futures", route="/fapi/v1/premiumIndex", retry_after=7)

    other = get(fake, "/fapi/v1/ticker/24hr?symbol=BTCUSDT")
    hit = get(fake, "/fapi/v1/premiumIndex")

    assert other.status_code == 200
    assert hit.status_code == 429 and hit.headers["Retry-After"] == "7"


def test_an_unknown_market_is_refused(fake):
    with pytest.raises(ValueError):
        fake.add_fault("banned", market="margin")


@pytest.mark.parametrize("status, body", [(503, 503), (502, []), (400, None), (500, "oops")])
def test_odd_error_body_answers_json_that_is_not_an_object(fake, status, body):
    fake.add_fault("odd_error_body", status=status, body=body)

    response = get(fake, "/api/v3/ticker/price?symbol=BTCUSDT")

    assert response.status_code == status and response.json() == body
    assert response.headers["Content-Type"].startswith("application/json")
    assert [(r.status, r.fault) for r in fake.log] == [(status, "odd_error_body")]


def test_odd_error_body_defaults_to_503_with_the_number_as_body(fake):
    fake.add_fault("odd_error_body")

    response = get(fake, "/api/v3/ping")

    assert (response.status_code, response.text) == (503, "503")


def test_empty_answers_200_with_an_empty_object(fake):
    fake.add_fault("empty", route="/api/v3/ticker/24hr")

    response = get(fake, "/api/v3/ticker/24hr?symbol=BTCUSDT")

    assert (response.status_code, response.json()) == (200, {})
    assert "X-MBX-USED-WEIGHT-1M" in response.headers


@pytest.mark.parametrize("path, wrong", [
    ("/api/v3/ticker/price", {"unexpected": True}),  # Binance answers a list here
    ("/api/v3/ticker/price?symbol=BTCUSDT", []),  # and an object here
    ("/fapi/v1/klines?symbol=BTCUSDT&interval=1m", {"unexpected": True}),
    ("/api/v3/exchangeInfo", []),
])
def test_wrong_shape_answers_the_opposite_shape_by_default(fake, path, wrong):
    fake.add_fault("wrong_shape")

    response = get(fake, path)

    assert (response.status_code, response.json()) == (200, wrong)


def test_wrong_shape_body_is_configurable(fake):
    fake.add_fault("wrong_shape", body={"symbols": None})

    assert get(fake, "/api/v3/exchangeInfo").json() == {"symbols": None}


def test_firewall_answers_403_with_an_html_page_and_no_weight(fake):
    fake.add_fault("firewall", times=1)
    fake.add_fault("firewall", retry_after=90)

    plain, with_retry = get(fake, "/api/v3/ping"), get(fake, "/api/v3/ping")

    assert plain.status_code == 403 and plain.headers["Content-Type"] == "text/html"
    assert "<HTML>" in plain.text and "Request blocked" in plain.text
    assert "Retry-After" not in plain.headers and "X-MBX-USED-WEIGHT-1M" not in plain.headers
    assert with_retry.headers["Retry-After"] == "90"
    assert [r.status for r in fake.log] == [403, 403]


def test_drip_sends_the_right_body_one_byte_at_a_time(fake):
    fake.add_fault("drip", interval=0.05, route="/api/v3/time")
    started = time.monotonic()

    # A per-read timeout of 0.3 s never fires: a byte arrives every 0.05 s.
    response = requests.get(fake.url + "/api/v3/time", timeout=(2, 0.3))

    elapsed = time.monotonic() - started
    body = response.content
    assert response.status_code == 200 and int(response.headers["Content-Length"]) == len(body)
    assert set(response.json()) == {"serverTime"}
    assert elapsed >= (len(body) - 1) * 0.05
    assert fake.log[0].fault == "drip"


def test_banned_without_retry_after_names_the_end_of_the_ban_in_its_message(fake):
    fake.add_fault("banned", ban_s=300)
    before = fake.server_time_ms()

    response = get(fake, "/api/v3/ping")

    after = fake.server_time_ms()
    assert response.status_code == 418 and "Retry-After" not in response.headers
    body = response.json()
    assert body["code"] == -1003
    match = re.fullmatch(r"Way too much request weight used; IP banned until (\d+)\. "
                         r"Please use WebSocket Streams for live updates to avoid bans\.", body["msg"])
    assert match and before + 300_000 <= int(match.group(1)) <= after + 300_000


def test_banned_defaults_to_the_retry_after_or_two_minutes(fake):
    fake.add_fault("banned", retry_after=60, times=1)
    fake.add_fault("banned", times=1)
    now = fake.server_time_ms()

    first, second = get(fake, "/api/v3/ping"), get(fake, "/api/v3/ping")

    until = [int(re.search(r"until (\d+)", r.json()["msg"]).group(1)) - now for r in (first, second)]
    assert first.headers["Retry-After"] == "60"
    assert 60_000 <= until[0] < 65_000 and 120_000 <= until[1] < 125_000


def test_faults_can_be_set_per_market_over_http(fake):
    requests.post(fake.url + "/_fake/faults", json={"kind": "odd_error_body", "status": 400, "body": None,
                                                    "market": "futures"}, timeout=5)

    assert get(fake, "/fapi/v1/ping").status_code == 400 and get(fake, "/api/v3/ping").status_code == 200
    assert requests.get(fake.url + "/_fake/faults", timeout=5).json()[0]["body"] is None


def test_the_weight_header_can_be_switched_off_globally(fake):
    fake.report_weight = False

    answers = [get(fake, "/api/v3/ticker/price"), get(fake, "/fapi/v1/ping"), get(fake, "/api/v3/nope")]

    assert [r.status_code for r in answers] == [200, 200, 404]
    assert all("X-MBX-USED-WEIGHT-1M" not in r.headers for r in answers)
    assert fake.used_weight() == 5  # still counted, only not reported


def test_the_weight_header_can_be_switched_off_for_one_market(fake):
    fake.set_report_weight(False, market="futures")

    spot, futures = get(fake, "/api/v3/ping"), get(fake, "/fapi/v1/ping")

    assert spot.headers["X-MBX-USED-WEIGHT-1M"] == "1" and "X-MBX-USED-WEIGHT-1M" not in futures.headers
    assert fake.report_weight is False


def test_the_weight_header_switch_over_http_and_reset_restores_it(fake):
    requests.post(fake.url + "/_fake/report-weight", json={"on": False, "market": "spot"}, timeout=5)
    assert "X-MBX-USED-WEIGHT-1M" not in get(fake, "/api/v3/ping").headers

    requests.post(fake.url + "/_fake/reset", json={}, timeout=5)

    assert get(fake, "/api/v3/ping").headers["X-MBX-USED-WEIGHT-1M"] == "1"


def test_a_drip_does_not_leak_into_the_next_answer_on_the_same_connection(fake):
    fake.add_fault("drip", interval=0.01, times=1)
    with requests.Session() as session:
        session.get(fake.url + "/api/v3/ping", timeout=5)
        started = time.monotonic()
        response = session.get(fake.url + "/api/v3/ticker/price", timeout=5)

    assert response.status_code == 200 and time.monotonic() - started < 0.01 * len(response.content)
