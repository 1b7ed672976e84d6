"""Bots' user data through the mirror (issue 28, item 4), in one process against the fake: the
listenKey paths answered with a gateway listenKey for the configured account's key (nothing reaches
Binance), its stream on the stream mirror carrying the events of the gateway's own user data streams
byte for byte, keepalive, expiry (60 minutes on the service's clock) and deletion as Binance has them,
Binance's answers to other keys and to bad input. Across workers and with real clients:
test_bot_user_data_clients.py."""
import json
import time

import pytest
import requests
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.support.exchange import API_KEY, API_SECRET, signed
from tests.support.mirror_clients import serving
from tests.support.waiting import wait_until

FORM = "application/x-www-form-urlencoded"
ACCOUNT = {"X-MBX-APIKEY": API_KEY}
SPOT, FUTURES = "/api/v3/userDataStream", "/fapi/v1/listenKey"


@pytest.fixture
def user_app(make_app, streams):
    """The app with the account's keys and its user data streams up."""
    app = make_app(STREAMS_ENABLED="true", BINANCE_WS_URL=streams.url, BINANCE_FUTURES_WS_URL=streams.futures_url,
                   BINANCE_WS_API_URL=streams.ws_api_url, BINANCE_API_KEY=API_KEY, BINANCE_API_SECRET=API_SECRET,
                   TRADING_ENABLED="true")
    services = app.extensions["services"]
    services.streams.start()
    client = app.test_client()
    for market in ("spot", "futures"):
        wait_until(lambda m=market: client.get("/api/status").get_json()["streams"]["user_data"][m]["state"] == "up",
                   f"the gateway's {market} user data stream")
    yield app
    services.streams.stop()


@pytest.fixture
def gateway(user_app):
    """The app served on a loopback port."""
    with serving(user_app) as root:
        yield root


def ws(root: str, path: str):
    return connect(root.replace("http://", "ws://") + path, open_timeout=10)


def order_through_mirror(root: str, path: str, client_id: str, symbol: str = "BTCUSDT") -> dict:
    params = {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": "0.01",
              "newClientOrderId": client_id, "timestamp": str(int(time.time() * 1000))}
    body = signed("&".join(f"{k}={v}" for k, v in params.items()))
    answer = requests.post(root + path, data=body, headers={**ACCOUNT, "Content-Type": FORM}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def next_message(conn, predicate, what: str):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        message = json.loads(conn.recv(timeout=max(0.1, deadline - time.monotonic())))
        if predicate(message):
            return message
    raise AssertionError(f"no {what}")


def sent_by_fake(fake, market: str, kind: str, client_id: str) -> dict:
    events = [e for e in fake.user_data.events(market, kind)
              if (e.get("c") if market == "spot" else e["o"].get("c")) == client_id]
    return events[-1]


def test_futures_listen_key_of_the_account_streams_its_order_fill_as_binance_sent_it_and_reaches_no_binance(
        gateway, fake):
    gateways_own = fake.count(FUTURES)  # the gateway's own user stream made one at the fake
    answer = requests.post(gateway + FUTURES, headers=ACCOUNT, timeout=10)
    key = answer.json()["listenKey"]
    with ws(gateway, f"/fstream/private/ws?listenKey={key}") as conn:
        order_through_mirror(gateway, "/fapi/v1/order", "bot-f-1", "ETHUSDT")
        filled = next_message(conn, lambda m: m.get("e") == "ORDER_TRADE_UPDATE" and m["o"]["X"] == "FILLED",
                              "fill")

    assert answer.status_code == 200 and len(key) == 64 and key.isalnum()
    assert key not in fake.user_data.listen_keys  # a gateway key, never the account's own at Binance
    assert filled == sent_by_fake(fake, "futures", "ORDER_TRADE_UPDATE", "bot-f-1")
    assert fake.count(FUTURES) == gateways_own  # the bot's POST reached no Binance
    assert answer.headers["X-MBX-USED-WEIGHT-1M"].isdigit()


def test_spot_listen_key_of_the_account_streams_raw_and_combined_execution_reports(gateway, fake):
    key = requests.post(gateway + SPOT, headers=ACCOUNT, timeout=10).json()["listenKey"]
    with ws(gateway, f"/ws/{key}") as raw, ws(gateway, f"/stream?streams={key}") as combined:
        order_through_mirror(gateway, "/api/v3/order", "bot-s-1")
        report = next_message(raw, lambda m: m.get("e") == "executionReport" and m["X"] == "FILLED", "raw fill")
        wrapped = next_message(combined, lambda m: m["data"].get("e") == "executionReport"
                               and m["data"]["X"] == "FILLED", "combined fill")
        balance = next_message(raw, lambda m: m.get("e") == "outboundAccountPosition", "the balances")

    assert report == sent_by_fake(fake, "spot", "executionReport", "bot-s-1")
    assert wrapped == {"stream": key, "data": report}
    assert balance in fake.user_data.events("spot", "outboundAccountPosition")
    assert fake.count(SPOT) == 0


def test_post_again_hands_back_the_live_key_and_a_second_bot_of_the_account_hears_the_same_events(gateway):
    first = requests.post(gateway + FUTURES, headers=ACCOUNT, timeout=10).json()["listenKey"]
    again = requests.post(gateway + FUTURES, headers=ACCOUNT, timeout=10).json()["listenKey"]
    spot = requests.post(gateway + SPOT, headers=ACCOUNT, timeout=10).json()["listenKey"]

    assert first == again and spot != first  # one key per account and market, as at Binance


def test_keepalive_extends_a_key_for_another_hour_and_without_it_the_key_expires_with_listen_key_expired(
        gateway, user_app, clock):
    feed = user_app.extensions["services"].streams.user_feed
    key = requests.post(gateway + FUTURES, headers=ACCOUNT, timeout=10).json()["listenKey"]
    with ws(gateway, f"/fstream/ws/{key}") as conn:
        clock.advance(50 * 60)
        kept = requests.put(gateway + FUTURES, headers=ACCOUNT, timeout=10)
        clock.advance(50 * 60)  # 100 minutes after the POST, 50 after the keepalive: still live
        feed.check()  # what the feed's own round does every second, now
        kept_again = requests.put(gateway + FUTURES, headers=ACCOUNT, timeout=10)
        listed = next_message(_ask(conn, {"method": "LIST_SUBSCRIPTIONS", "id": 1}), lambda m: True, "an answer")
        clock.advance(61 * 60)  # 61 minutes without a keepalive
        feed.check()
        expired = next_message(conn, lambda m: True, "listenKeyExpired")
        with pytest.raises(ConnectionClosed):
            conn.recv(timeout=10)
    after = requests.put(gateway + FUTURES, headers=ACCOUNT, timeout=10)
    fresh = requests.post(gateway + FUTURES, headers=ACCOUNT, timeout=10).json()["listenKey"]

    assert kept.status_code == 200 and kept.json() == {"listenKey": key} == kept_again.json()
    assert listed == {"result": [key], "id": 1}  # the connection's next message: nothing ended it
    assert expired["e"] == "listenKeyExpired" and expired["listenKey"] == key and isinstance(expired["E"], int)
    assert (after.status_code, after.json()) == (400, {"code": -1125, "msg": "This listenKey does not exist."})
    assert fresh != key


def _ask(conn, request: dict):
    conn.send(json.dumps(request))
    return conn


def test_delete_closes_the_keys_streams_without_expiry_and_the_key_is_gone(gateway):
    key = requests.post(gateway + SPOT, headers=ACCOUNT, timeout=10).json()["listenKey"]
    with ws(gateway, f"/stream/ws/{key}") as conn:
        deleted = requests.delete(gateway + SPOT, params={"listenKey": key}, headers=ACCOUNT, timeout=10)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                message = json.loads(conn.recv(timeout=10))
                assert message.get("e") != "listenKeyExpired"
    kept = requests.put(gateway + SPOT, params={"listenKey": key}, headers=ACCOUNT, timeout=10)

    assert (deleted.status_code, deleted.json()) == (200, {})
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
    assert (kept.status_code, kept.json()) == (400, {"code": -1125, "msg": "This listenKey does not exist."})


def test_spot_answers_binances_errors_for_a_missing_or_unknown_listen_key(gateway):
    requests.post(gateway + SPOT, headers=ACCOUNT, timeout=10)
    missing = requests.put(gateway + SPOT, headers=ACCOUNT, timeout=10)
    unknown = requests.put(gateway + SPOT, data={"listenKey": "x" * 64}, headers=ACCOUNT, timeout=10)

    assert (missing.status_code, missing.json()["code"]) == (400, -1102)
    assert (unknown.status_code, unknown.json()) == (400, {"code": -1125, "msg": "This listenKey does not exist."})


def test_other_keys_get_binances_answers_spot_410_at_once_futures_passed_through(gateway, fake):
    spot = requests.post(gateway + SPOT, headers={"X-MBX-APIKEY": "someone-else"}, timeout=10)
    nobody = requests.post(gateway + SPOT, timeout=10)
    futures = requests.post(gateway + FUTURES, headers={"X-MBX-APIKEY": "someone-else"}, timeout=10)
    reached = [r for r in fake.requests_to(FUTURES) if r.headers.get("x-mbx-apikey") == "someone-else"]

    assert spot.status_code == 410 and nobody.status_code == 410 and spot.json()["code"] == -1000
    assert fake.count(SPOT) == 0  # Binance would only say 410: nothing is sent
    assert (futures.status_code, futures.json()["code"]) == (401, -2015)  # the fake's answer, as it gave it
    assert len(reached) == 1


def test_a_name_that_is_no_live_key_opens_an_empty_connection(gateway):
    with ws(gateway, "/fstream/private/ws?listenKey=" + "y" * 64) as conn:
        conn.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 7}))
        listed = json.loads(conn.recv(timeout=10))

    assert listed == {"result": [], "id": 7}


def test_a_listen_key_in_a_stream_path_never_reaches_the_request_log(gateway, caplog):
    import logging

    from python_service.observability.request_log import REQUEST_LOGGER

    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    key = requests.post(gateway + SPOT, headers=ACCOUNT, timeout=10).json()["listenKey"]
    with ws(gateway, f"/ws/{key}/btcusdt@trade") as conn:
        conn.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 1}))
        listed = json.loads(conn.recv(timeout=10))
    logged = wait_until(lambda: [r.fields for r in caplog.records if "/ws/" in r.fields.get("route", "")],
                        "the stream's request line")

    assert listed == {"result": [key, "btcusdt@trade"], "id": 1}
    assert logged[0]["path"] == "/ws/<not a stream>/btcusdt@trade"
    assert key not in caplog.text and all(key not in str(r.__dict__) for r in caplog.records)
