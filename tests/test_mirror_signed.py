"""Signed paths of the mirror: passed through exactly as the client signed them, never
cached, never re-signed, a POST or DELETE never retried, held back during a ban or
restriction, and the client's key and signature in no log, metric or error."""
import logging

import pytest

from tests.support.exchange import API_KEY, now_ms, signed

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def gateway(make_app):
    # the gateway has keys of its own: they must never stand in for a client's
    return make_app(BINANCE_API_KEY="gateway-own-key", BINANCE_API_SECRET="gateway-own-secret").test_client()


def test_a_signed_read_reaches_binance_byte_for_byte_with_the_clients_key(gateway, fake):
    query = signed(f"recvWindow=5000&timestamp={now_ms()}&omitZeroBalances=false")

    response = gateway.get(f"/api/v3/account?{query}", headers={"X-MBX-APIKEY": API_KEY})

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["balances"][0]["asset"] == "BTC"
    [record] = fake.requests_to("/api/v3/account")
    assert record.query == query
    assert record.headers["x-mbx-apikey"] == API_KEY
    assert response.headers["X-Data-Source"] == "live"


def test_signed_reads_are_never_cached(gateway, fake):
    for _ in range(3):
        query = signed(f"timestamp={now_ms()}")
        assert gateway.get(f"/api/v3/account?{query}", headers={"X-MBX-APIKEY": API_KEY}).status_code == 200

    assert fake.count("/api/v3/account") == 3


def test_an_order_body_reaches_binance_byte_for_byte_and_round_trips(gateway, fake):
    body = signed(f"symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=60000&"
                  f"newClientOrderId=bot-1&timestamp={now_ms()}")

    placed = gateway.post("/api/v3/order", data=body, content_type=FORM, headers={"X-MBX-APIKEY": API_KEY})
    cancel = signed(f"symbol=BTCUSDT&origClientOrderId=bot-1&timestamp={now_ms()}")
    canceled = gateway.delete(f"/api/v3/order?{cancel}", headers={"X-MBX-APIKEY": API_KEY})

    assert placed.status_code == 200, placed.get_data(as_text=True)
    assert (placed.get_json()["clientOrderId"], placed.get_json()["status"]) == ("bot-1", "NEW")
    assert canceled.get_json()["status"] == "CANCELED"
    [post, delete] = fake.requests_to("/api/v3/order")
    assert (post.method, post.body, post.headers["content-type"]) == ("POST", body.encode(), FORM)
    assert (delete.method, delete.query) == ("DELETE", cancel)


def test_a_bad_signature_is_binances_own_error_passed_through(gateway, fake):
    query = f"timestamp={now_ms()}&signature=" + "0" * 64

    response = gateway.get(f"/api/v3/account?{query}", headers={"X-MBX-APIKEY": API_KEY})

    assert (response.status_code, response.get_json()["code"]) == (400, -1022)


def test_without_the_clients_key_no_key_is_sent_not_even_the_gateways(gateway, fake):
    response = gateway.get(f"/api/v3/account?{signed(f'timestamp={now_ms()}')}")

    assert (response.status_code, response.get_json()["code"]) == (401, -2015)
    assert "x-mbx-apikey" not in fake.requests_to("/api/v3/account")[0].headers


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_a_write_whose_answer_is_lost_is_never_retried_and_says_the_outcome_is_unknown(gateway, fake, method):
    fake.add_fault("server_error", route="/api/v3/order", times=1)
    body = signed(f"symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001&timestamp={now_ms()}")

    response = gateway.open("/api/v3/order", method=method, data=body, content_type=FORM,
                            headers={"X-MBX-APIKEY": API_KEY})

    assert response.status_code == 503
    assert response.get_json()["code"] == -1007
    assert fake.count("/api/v3/order") == 1


def test_a_signed_read_is_retried_after_a_transient_failure(gateway, fake):
    fake.add_fault("server_error", route="/api/v3/openOrders", times=1)

    response = gateway.get(f"/api/v3/openOrders?{signed(f'timestamp={now_ms()}')}", headers={"X-MBX-APIKEY": API_KEY})

    assert response.status_code == 200 and response.get_json() == []
    assert fake.count("/api/v3/openOrders") == 2


@pytest.mark.parametrize("kind, status, code", [("banned", 418, -1003), ("rate_limited", 429, -1003),
                                                ("restricted", 451, 0)])
def test_during_a_ban_or_restriction_signed_calls_are_answered_locally(gateway, fake, kind, status, code):
    fake.add_fault(kind, retry_after=120)
    first = gateway.get(f"/api/v3/account?{signed(f'timestamp={now_ms()}')}", headers={"X-MBX-APIKEY": API_KEY})

    order = signed(f"symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001&timestamp={now_ms()}")
    held = gateway.post("/api/v3/order", data=order, content_type=FORM, headers={"X-MBX-APIKEY": API_KEY})

    assert (first.status_code, first.get_json()["code"]) == (status, code)  # Binance's own answer
    assert (held.status_code, held.get_json()["code"]) == (status, code)  # ours, in Binance's shape
    assert fake.count() == 1


def test_futures_signed_paths_go_to_the_futures_root(gateway, fake):
    response = gateway.get(f"/fapi/v2/balance?{signed(f'timestamp={now_ms()}')}", headers={"X-MBX-APIKEY": API_KEY})
    leverage = signed(f"symbol=BTCUSDT&leverage=5&timestamp={now_ms()}")
    changed = gateway.post("/fapi/v1/leverage", data=leverage, content_type=FORM, headers={"X-MBX-APIKEY": API_KEY})

    assert response.get_json()[0]["asset"] == "USDT"
    assert changed.get_json()["leverage"] == 5
    assert int(changed.headers["X-MBX-USED-WEIGHT-1M"]) >= 5


def test_signed_weight_is_counted_from_binances_header(gateway, fake):
    gateway.get(f"/api/v3/account?{signed(f'timestamp={now_ms()}')}", headers={"X-MBX-APIKEY": API_KEY})

    response = gateway.get("/api/v3/ticker/price?symbol=BTCUSDT")

    assert int(response.headers["X-MBX-USED-WEIGHT-1M"]) == fake.used_weight() == 24


def test_the_clients_key_and_signature_are_in_no_log_metric_or_error(gateway, fake, caplog):
    caplog.set_level(logging.DEBUG)
    query = signed(f"timestamp={now_ms()}")
    signature = query.rpartition("=")[2]
    fake.add_fault("reset", route="/api/v3/myTrades")

    gateway.get(f"/api/v3/account?{query}", headers={"X-MBX-APIKEY": API_KEY})
    failed = gateway.get(f"/api/v3/myTrades?{query}", headers={"X-MBX-APIKEY": API_KEY})
    metrics = gateway.get("/metrics").get_data(as_text=True)

    logged = "\n".join(f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in caplog.records)
    assert "/api/v3/account" in logged  # the request log did log the request
    for secret in (signature, API_KEY):
        assert secret not in logged and secret not in metrics
        assert secret not in failed.get_data(as_text=True)


def test_a_query_with_raw_utf8_reaches_binance_percent_encoded_once(gateway, fake):
    raw = "symbol=币安人生USDT&timestamp=1&signature=ab".encode()

    gateway.get("/api/v3/myTrades", environ_overrides={"QUERY_STRING": raw.decode("latin-1")},
                headers={"X-MBX-APIKEY": API_KEY})

    [record] = fake.requests_to("/api/v3/myTrades")
    assert record.query == "symbol=%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9FUSDT&timestamp=1&signature=ab"
    assert record.params["symbol"] == "币安人生USDT"


def test_a_403_from_binances_firewall_on_a_signed_call_holds_that_market_back(gateway, fake):
    fake.add_fault("firewall", retry_after=120)
    first = gateway.get(f"/api/v3/account?{signed(f'timestamp={now_ms()}')}", headers={"X-MBX-APIKEY": API_KEY})

    held = gateway.get(f"/api/v3/openOrders?{signed(f'timestamp={now_ms()}')}", headers={"X-MBX-APIKEY": API_KEY})

    assert first.status_code == 403  # Binance's own answer, passed on
    assert held.status_code in (418, 429) and held.get_json()["code"] == -1003 and "Retry-After" in held.headers
    assert fake.count() == 1


def test_a_retry_of_a_signed_read_is_not_sent_once_a_ban_is_known(gateway, fake):
    gate = fake.hold(route="/api/v3/openOrders", times=1).then({"kind": "server_error", "status": 503})
    from threading import Thread

    answers = []
    reader = Thread(target=lambda: answers.append(gateway.get(
        f"/api/v3/openOrders?{signed(f'timestamp={now_ms()}')}", headers={"X-MBX-APIKEY": API_KEY})))
    reader.start()
    assert gate.wait_arrived(1, timeout=10)
    fake.add_fault("banned", route="/api/v3/account", retry_after=120)
    banned = gateway.get(f"/api/v3/account?{signed(f'timestamp={now_ms()}')}", headers={"X-MBX-APIKEY": API_KEY})
    gate.release()  # the first attempt fails with a 503: its retry must not go out into the ban
    reader.join(10)

    assert banned.status_code == 418
    assert answers and answers[0].status_code == 418 and answers[0].get_json()["code"] == -1003
    assert fake.count("/api/v3/openOrders") == 1
