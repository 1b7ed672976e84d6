"""The account's user data streams (issue 27, item 1 and 2), against the fake's WebSocket API and
listenKey stream with real sockets: what Binance pushes reaches the gateway's account event
stream; a stream dropped, terminated or expired is taken up again and reconciled over REST,
so nothing that happened meanwhile is lost; while a stream is down the account is read over REST
and says so; one upstream user stream per market however many workers."""
import time

import pytest
import requests

from tests.support.exchange import API_KEY, API_SECRET, signed
from tests.support.mirror_clients import serving
from tests.support.ports import closed_port
from tests.support.processes import INTERNAL_TOKEN, start_gateway, stop, wait_until_up
from tests.support.streaming import EventReader
from tests.support.waiting import wait_until

TOKEN = {"X-Internal-Token": INTERNAL_TOKEN}
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def user_app(make_app, streams):
    apps = []

    def build(**overrides):
        app = make_app(STREAMS_ENABLED="true", BINANCE_WS_URL=streams.url, BINANCE_FUTURES_WS_URL=streams.futures_url,
                       BINANCE_WS_API_URL=streams.ws_api_url, BINANCE_API_KEY=API_KEY, BINANCE_API_SECRET=API_SECRET,
                       TRADING_ENABLED="true", **overrides)
        apps.append(app)
        app.extensions["services"].streams.start()
        return app
    yield build
    for app in apps:
        app.extensions["services"].streams.stop()


def user_state(app, market: str) -> dict:
    return app.test_client().get("/api/status").get_json()["streams"]["user_data"][market]


def up(app) -> None:
    for market in ("spot", "futures"):
        wait_until(lambda m=market: user_state(app, m)["state"] == "up", f"the {market} user data stream")


def account_events(root: str) -> EventReader:
    response = requests.get(root + "/api/binance/stream/account", headers=TOKEN, stream=True, timeout=30)
    assert response.status_code == 200, response.text
    return EventReader(response)


def fake_order(fake, path="/api/v3/order", **fields):
    """An order placed at the fake directly (as another client of the account would)."""
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01",
              "timestamp": str(int(time.time() * 1000)), **fields}
    body = signed("&".join(f"{k}={v}" for k, v in params.items()))
    answer = requests.post(fake.url + path, data=body, headers={"X-MBX-APIKEY": API_KEY, "Content-Type": FORM},
                           timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def is_order(client_id: str, status: str):
    return lambda name, e: name == "account" and e.get("clientOrderId") == client_id and e["status"] == status


def test_a_market_orders_fill_and_balance_reach_the_account_event_stream(user_app, fake):
    app = user_app()
    up(app)
    with serving(app) as root:
        events = account_events(root)
        placed = requests.post(root + "/api/binance/orders", headers=TOKEN, timeout=30, json={
            "symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01", "clientOrderId": "mkt-1"})
        _, new = events.next(is_order("mkt-1", "NEW"), "the NEW update")
        _, filled = events.next(is_order("mkt-1", "FILLED"), "the fill")
        _, balance = events.next(lambda name, e: name == "account" and e["type"] == "balance", "the balance change")

    assert placed.status_code == 201 and new["market"] == "spot" and new["execution"] == "NEW"
    assert filled["fill"] == {"price": "67012.34000000", "qty": "0.01000000", "commission": "0.00001000",
                              "commissionAsset": "BTC", "tradeId": filled["fill"]["tradeId"], "maker": False}
    assert {b["asset"]: b["free"] for b in balance["balances"]} == {"BTC": "0.10999000", "USDT": "329.87660000"}
    assert events.seen[0] == ("user_streams", {"spot": "up", "futures": "up"})


def test_a_resting_limit_filling_later_is_pushed_and_the_account_is_served_from_the_stream(user_app, fake, streams):
    app = user_app()
    up(app)
    with serving(app) as root:
        events = account_events(root)
        fake_order(fake, type="LIMIT", timeInForce="GTC", price="60000", quantity="0.01", newClientOrderId="lim-1")
        events.next(is_order("lim-1", "NEW"), "the resting order")
        streams.set_price("BTCUSDT", "59000.00000000")
        fake.orders.match()
        _, filled = events.next(is_order("lim-1", "FILLED"), "the later fill")
        events.next(lambda name, e: e.get("type") == "balance", "its balance change")
        account = requests.get(root + "/api/binance/account", headers=TOKEN, timeout=10).json()

    assert filled["fill"]["price"] == "59000.00000000" and filled["fill"]["maker"] is True
    btc = next(b for b in account["balances"] if b["asset"] == "BTC")
    assert account["source"] == "stream" and btc["free"] == "0.10999000"


def test_a_user_stream_dropped_mid_fill_loses_nothing(user_app, fake, streams):
    app = user_app()
    up(app)
    reconciles = user_state(app, "spot")["reconciles"]
    streams.refuse = True  # the gateway cannot come back at once
    fake.user_data.drop("spot")
    wait_until(lambda: user_state(app, "spot")["state"] != "up", "the drop to be noticed")
    fake_order(fake, newClientOrderId="gap-1")  # fills while the gateway is not listening
    down = app.test_client().get("/api/binance/account").get_json()
    streams.refuse = False
    wait_until(lambda: user_state(app, "spot")["state"] == "up", "the reconnection")
    again = app.test_client().get("/api/binance/account").get_json()

    assert down["source"] in ("live", "cache") and user_state(app, "spot")["reconciles"] == reconciles + 1
    assert again["source"] == "stream"
    assert next(b for b in again["balances"] if b["asset"] == "BTC")["free"] == "0.10999000"  # the gap's fill


def test_event_stream_terminated_is_subscribed_again_and_reconciled(user_app, fake):
    app = user_app()
    up(app)
    before = user_state(app, "spot")["reconciles"]

    assert fake.user_data.terminate() == 1
    wait_until(lambda: user_state(app, "spot")["reconciles"] == before + 1 and fake.user_data.subscribed() == 1,
               "a new subscription, reconciled")


def test_an_expired_listen_key_is_replaced_and_futures_events_flow_again(user_app, fake):
    app = user_app()
    up(app)
    keys_made = len(fake.requests_to("/fapi/v1/listenKey"))
    fake.user_data.expire_listen_keys()
    wait_until(lambda: len(fake.requests_to("/fapi/v1/listenKey")) > keys_made
               and user_state(app, "futures")["state"] == "up", "a new listenKey")
    with serving(app) as root:
        events = account_events(root)
        fake_order(fake, path="/fapi/v1/order", newClientOrderId="fut-1", quantity="0.002")
        _, filled = events.next(is_order("fut-1", "FILLED"), "the futures fill")
        _, position = events.next(lambda name, e: e.get("type") == "position", "the position change")
        fake.orders.margin_call("BTCUSDT")
        _, call = events.next(lambda name, e: e.get("type") == "margin_call", "the margin call")

    assert filled["market"] == "futures" and filled["fill"]["qty"] == "0.00200000"
    assert position["positions"][0]["symbol"] == "BTCUSDT" and call["positions"][0]["symbol"] == "BTCUSDT"


def test_with_the_user_streams_down_the_account_is_read_over_rest_and_says_so(user_app, fake, streams):
    streams.refuse = True
    app = user_app()

    answer = app.test_client().get("/api/binance/account").get_json()

    assert answer["source"] == "live" and fake.count("/api/v3/account") >= 1


def test_the_account_stream_needs_the_token_keys_and_streams(make_app, user_app):
    assert user_app().test_client().get("/api/binance/stream/account",
                                        headers={"X-Internal-Token": ""}).status_code == 401
    no_keys = make_app(STREAMS_ENABLED="true").test_client().get("/api/binance/stream/account")
    no_streams = make_app(BINANCE_API_KEY=API_KEY, BINANCE_API_SECRET=API_SECRET).test_client().get(
        "/api/binance/stream/account")
    assert (no_keys.status_code, no_keys.get_json()["error"]["code"]) == (503, "keys_not_configured")
    assert (no_streams.status_code, no_streams.get_json()["error"]["code"]) == (503, "streams_disabled")


@pytest.mark.processes
def test_one_upstream_user_stream_per_market_with_four_workers(fake, streams):
    port = closed_port()
    gateway = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                             "BINANCE_WS_URL": streams.url, "BINANCE_FUTURES_WS_URL": streams.futures_url,
                             "BINANCE_WS_API_URL": streams.ws_api_url, "STREAMS_ENABLED": "true",
                             "BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": API_SECRET,
                             "GUNICORN_WORKERS": "4"}, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/api/status", gateway)
        wait_until(lambda: fake.user_data.subscribed() == 1 and fake.user_data.open_key_streams() == 1,
                   "the user data streams")
        wait_until(lambda: {requests.get(base + "/api/status", timeout=10).json()["streams"]["user_data"]["spot"]
                            ["state"] for _ in range(8)} == {"up"}, "every worker to see the owner's stream up")
        events = EventReader(requests.get(base + "/api/binance/stream/account", headers=TOKEN, stream=True,
                                          timeout=30))
        fake_order(fake, newClientOrderId="w-1")
        events.next(is_order("w-1", "FILLED"), "the fill, in whichever worker answered")
        sessions, listen_keys = len(fake.user_data.sessions), len(fake.requests_to("/fapi/v1/listenKey"))
    finally:
        stop(gateway)

    wait_until(lambda: fake.user_data.subscribed() == 0, "the stream to go with the gateway")
    assert (sessions, listen_keys) == (1, 1)  # counted before the stop: then another worker may take over
