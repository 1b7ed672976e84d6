"""The fake exchange's user data, to Binance's shapes (issue 27, item 3): spot events over the
WebSocket API after userDataStream.subscribe.signature (its signature checked), futures events
over a listenKey stream, an event for every order the fake books, fills or cancels, and the
controls the gateway's tests use (drop, expire, terminate, margin call)."""
import hashlib
import hmac
import json
import time

import pytest
import requests
from websockets.sync.client import connect

from tests.support.exchange import API_KEY, API_SECRET, signed
from tests.support.waiting import wait_until

FORM = "application/x-www-form-urlencoded"


def subscribe_params(secret: str = API_SECRET, key: str = API_KEY, **extra) -> dict:
    params = {"apiKey": key, "timestamp": int(time.time() * 1000)}
    params.update(extra)
    payload = "&".join(f"{k}={params[k]}" for k in sorted(params))
    return {**params, "signature": hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()}


def request(conn, method: str, params: dict | None = None, ident="r1") -> dict:
    conn.send(json.dumps({"id": ident, "method": method, **({"params": params} if params is not None else {})}))
    while True:
        answer = json.loads(conn.recv(timeout=10))
        if answer.get("id") == ident:
            return answer


def next_event(conn, kind: str) -> dict:
    """The next pushed event of type `kind` (events of other types are skipped)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        message = json.loads(conn.recv(timeout=10))
        event = message.get("event", message)
        if event.get("e") == kind:
            return message
    raise AssertionError(f"no {kind} event")


def place(fake, **fields):
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01",
              "timestamp": str(int(time.time() * 1000)), **fields}
    algo = params.pop("algo", False)
    futures = params.pop("futures", False)
    body = signed("&".join(f"{k}={v}" for k, v in params.items()))
    path = "/fapi/v1/algoOrder" if algo else "/fapi/v1/order" if futures else "/api/v3/order"
    return requests.post(fake.url + path, data=body, headers={"X-MBX-APIKEY": API_KEY, "Content-Type": FORM},
                         timeout=10)


def test_a_signed_subscription_gets_the_events_of_an_order_that_fills(fake, streams):
    with connect(streams.ws_api_url) as conn:
        answer = request(conn, "userDataStream.subscribe.signature", subscribe_params())
        assert place(fake, newClientOrderId="m-1").status_code == 200

        new, trade = next_event(conn, "executionReport"), next_event(conn, "executionReport")
        position = next_event(conn, "outboundAccountPosition")

    subscription = answer["result"]["subscriptionId"]
    assert answer["status"] == 200 and new["subscriptionId"] == subscription
    assert (new["event"]["c"], new["event"]["x"], new["event"]["X"]) == ("m-1", "NEW", "NEW")
    assert (trade["event"]["x"], trade["event"]["X"], trade["event"]["l"], trade["event"]["L"]) == \
        ("TRADE", "FILLED", "0.01000000", "67012.34000000")
    assert trade["event"]["n"] == "0.00001000" and trade["event"]["N"] == "BTC"
    assert {b["a"]: b["f"] for b in position["event"]["B"]} == {"BTC": "0.10999000", "USDT": "329.87660000"}


@pytest.mark.parametrize("params,code,status", [
    (lambda: subscribe_params(secret="not-the-secret"), -1022, 400),
    (lambda: subscribe_params(key="unknown-key"), -2015, 401),
    (lambda: subscribe_params(timestamp=int(time.time() * 1000) - 60_000), -1021, 400),  # outside recvWindow
    (lambda: subscribe_params(recvWindow=60001), -1131, 400),
])
def test_a_bad_subscription_is_refused_as_binance_refuses_it(fake, streams, params, code, status):
    with connect(streams.ws_api_url) as conn:
        answer = request(conn, "userDataStream.subscribe.signature", params())

    assert (answer["status"], answer["error"]["code"]) == (status, code)
    assert fake.user_data.subscribed() == 0


def test_a_resting_limit_fills_later_a_partial_fill_first_and_a_cancel_is_reported(fake, streams):
    with connect(streams.ws_api_url) as conn:
        request(conn, "userDataStream.subscribe.signature", subscribe_params())
        place(fake, type="LIMIT", timeInForce="GTC", price="60000", quantity="0.02", newClientOrderId="rest-1")
        locked = next_event(conn, "outboundAccountPosition")
        fake.orders.fill_partially("rest-1", "0.005")
        partial = next_event(conn, "executionReport")  # after the NEW one
        while partial["event"]["x"] != "TRADE":
            partial = next_event(conn, "executionReport")
        streams.set_price("BTCUSDT", "59000.00000000")
        fake.orders.match()
        filled = next_event(conn, "executionReport")

    assert {b["a"]: (b["f"], b["l"]) for b in locked["event"]["B"]}["USDT"] == ("-200.00000000", "1200.00000000")
    assert (partial["event"]["X"], partial["event"]["l"], partial["event"]["z"]) == \
        ("PARTIALLY_FILLED", "0.00500000", "0.00500000")
    assert (filled["event"]["X"], filled["event"]["l"], filled["event"]["z"]) == \
        ("FILLED", "0.01500000", "0.02000000")


def test_terminate_ends_the_subscription_with_event_stream_terminated(fake, streams):
    with connect(streams.ws_api_url) as conn:
        request(conn, "userDataStream.subscribe.signature", subscribe_params())
        assert fake.user_data.terminate() == 1
        ended = next_event(conn, "eventStreamTerminated")
        listed = request(conn, "session.subscriptions", {}, "r2")

    assert ended["subscriptionId"] == 0 and listed["result"] == []


def test_spot_rest_listen_keys_answer_410(fake):
    answers = [getattr(requests, m)(fake.url + "/api/v3/userDataStream", headers={"X-MBX-APIKEY": API_KEY},
                                    timeout=10) for m in ("post", "put", "delete")]
    assert [a.status_code for a in answers] == [410, 410, 410]


def test_a_futures_listen_key_streams_the_futures_orders_and_expires(fake, streams):
    key = requests.post(fake.url + "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": API_KEY}, timeout=10)
    without_key = requests.post(fake.url + "/fapi/v1/listenKey", timeout=10)
    listen_key = key.json()["listenKey"]
    kept = requests.put(fake.url + "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": API_KEY}, timeout=10)
    with connect(f"{streams.futures_url}/private/ws/{listen_key}") as conn:
        wait_until(lambda: fake.user_data.open_key_streams() == 1, "the fake to serve the stream")
        place(fake, futures=True, newClientOrderId="f-1")
        update = next_event(conn, "ORDER_TRADE_UPDATE")
        account = next_event(conn, "ACCOUNT_UPDATE")
        fake.orders.margin_call("BTCUSDT")
        margin = next_event(conn, "MARGIN_CALL")
        fake.user_data.expire_listen_keys()
        expired = next_event(conn, "listenKeyExpired")
    renewed = requests.put(fake.url + "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": API_KEY}, timeout=10)

    assert (key.status_code, without_key.status_code, without_key.json()["code"]) == (200, 401, -2015)
    assert kept.status_code == 200
    assert (update["o"]["c"], update["o"]["X"]) == ("f-1", "NEW")
    assert account["a"]["P"][0]["s"] == "BTCUSDT" and account["a"]["P"][0]["pa"] == "0.02000000"
    assert margin["p"][0]["s"] == "BTCUSDT" and expired["listenKey"] == listen_key
    assert (renewed.status_code, renewed.json()["code"]) == (400, -1125)


def test_a_stream_for_an_unknown_listen_key_is_refused(streams):
    with pytest.raises(Exception, match="400"):
        connect(f"{streams.futures_url}/private/ws/no-such-key").close()


def test_conditional_futures_orders_live_in_the_algo_api_and_trigger_into_the_engine(fake, streams):
    old_way = requests.post(fake.url + "/fapi/v1/order", headers={"X-MBX-APIKEY": API_KEY, "Content-Type": FORM},
                            data=signed(f"symbol=BTCUSDT&side=SELL&type=STOP_MARKET&quantity=0.002&stopPrice=60000"
                                        f"&timestamp={int(time.time() * 1000)}"), timeout=10)
    key = requests.post(fake.url + "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": API_KEY}, timeout=10).json()
    with connect(f"{streams.futures_url}/private/ws/{key['listenKey']}") as conn:
        wait_until(lambda: fake.user_data.open_key_streams() == 1, "the fake to serve the stream")
        placed = place(fake, futures=True, algo=True, type="STOP_MARKET", side="SELL", quantity="0.002",
                       triggerPrice="60000", algoType="CONDITIONAL", clientAlgoId="sl-1")
        new = next_event(conn, "ALGO_UPDATE")
        listed = requests.get(fake.url + "/fapi/v1/openAlgoOrders?" + signed(f"timestamp={int(time.time() * 1000)}"),
                              headers={"X-MBX-APIKEY": API_KEY}, timeout=10).json()
        streams.set_price("BTCUSDT", "59000.00000000")
        fake.orders.match()
        triggered = next_event(conn, "ALGO_UPDATE")
        filled = next_event(conn, "ORDER_TRADE_UPDATE")
        while filled["o"]["x"] != "TRADE":
            filled = next_event(conn, "ORDER_TRADE_UPDATE")
        finished = next_event(conn, "ALGO_UPDATE")

    assert (old_way.status_code, old_way.json()["code"]) == (400, -4120)
    placed = placed.json()
    assert (placed["clientAlgoId"], placed["algoStatus"], placed["triggerPrice"]) == ("sl-1", "NEW", "60000.00000000")
    assert (new["o"]["caid"], new["o"]["X"]) == ("sl-1", "NEW") and [o["clientAlgoId"] for o in listed] == ["sl-1"]
    assert triggered["o"]["X"] == "TRIGGERED"
    assert finished["o"]["X"] == "FINISHED" and finished["o"]["ai"] == str(filled["o"]["i"])
    assert (filled["o"]["o"], filled["o"]["S"], filled["o"]["L"]) == ("MARKET", "SELL", "59000.00000000")
