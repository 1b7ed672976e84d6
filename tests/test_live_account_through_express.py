"""The account live through express_api (issue 27, express_api's part), through the real processes: the fake
exchange with its user data streams, python_service under gunicorn following them, and express_api following
python_service's account events (its account follower). A trader's order shows in their history with Binance's
status and each fill as the exchange fills it; the account's events reach the trader's browser through
express_api's event stream; USDT-M orders are placed, listed, cancelled and a position closed through
express_api, each under the trader's name in python_service's audit log."""
from __future__ import annotations

import pytest
import requests

from tests.support.exchange import API_KEY, API_SECRET, FIXTURE_FALLBACK
from tests.support.express_users import ADMIN, admin_login, create_user
from tests.support.ports import closed_port
from tests.support.processes import output_of, start_express, start_gateway, stop, wait_until_up
from tests.support.streaming import EventReader
from tests.support.waiting import wait_until

TIMEOUT = 30
LIMIT = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.00200",
         "price": "60000.00", "clientOrderId": "dip-1"}  # below the fake's price (67012.34): it rests
STOP = {"symbol": "BTCUSDT", "side": "SELL", "type": "STOP_MARKET", "quantity": "0.002", "stopPrice": "60000",
        "clientOrderId": "stop-1"}  # below the fake's futures price: it waits in the Algo Order API

pytestmark = pytest.mark.processes  # every test here starts gunicorn and node


@pytest.fixture
def live(fake, streams):
    """(express_api's base URL, python_service's, the two processes), once python_service's user data streams
    are up and express_api's account follower reads its events."""
    gateway_port, api_port = closed_port(), closed_port()
    gateway = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                             "BINANCE_WS_URL": streams.url, "BINANCE_FUTURES_WS_URL": streams.futures_url,
                             "BINANCE_WS_API_URL": streams.ws_api_url, "STREAMS_ENABLED": "true",
                             "BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": API_SECRET, "TRADING_ENABLED": "true",
                             "FALLBACK_DATA_DIR": str(FIXTURE_FALLBACK)}, gateway_port)
    api = start_express({"PYTHON_SERVICE_URL": f"http://127.0.0.1:{gateway_port}",
                         "JWT_SECRET": "live-account-secret-0123456789abcdef", **ADMIN}, api_port)
    base, gateway_base = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{gateway_port}"
    try:
        wait_until_up(gateway_base + "/api/status", gateway)
        wait_until_up(base + "/api/openapi.json", api)
        wait_until(lambda: {m: s["state"] for m, s in requests.get(gateway_base + "/api/status", timeout=TIMEOUT)
                            .json()["streams"]["user_data"].items()} == {"spot": "up", "futures": "up"},
                   "python_service's user data streams", detail=lambda: output_of(gateway)[-3000:])
        wait_until(lambda: "express_api_account_follower_up 1" in requests.get(base + "/metrics", timeout=TIMEOUT).text,
                   "express_api's account follower", detail=lambda: output_of(api)[-3000:])
        yield base, (gateway, api)
    finally:
        stop(api)
        stop(gateway)


def history(base: str, headers: dict) -> list:
    answer = requests.get(base + "/direct-api/binance/orders", headers=headers, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    return answer.json()["orders"]


def order_in_history(base: str, headers: dict, client_order_id: str, status: str, fills: int):
    """The order once the history shows it with `status` and `fills` fills (wait_until raises on timeout)."""
    def shown():
        row = next((o for o in history(base, headers) if o["clientOrderId"] == client_order_id), None)
        return row if row and row["status"] == status and len(row["fills"]) == fills else None
    return wait_until(shown, f"{client_order_id} {status} with {fills} fills in the history",
                      detail=lambda: history(base, headers))


def account_stream(base: str, headers: dict) -> EventReader:
    response = requests.get(base + "/direct-api/binance/stream/account", headers=headers, stream=True, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return EventReader(response)


def test_a_traders_limit_order_fills_partly_then_wholly_and_the_history_and_the_event_stream_show_both_fills(
        live, fake, streams):
    base, _ = live
    trader = create_user(base, admin_login(base), "tara", "trader")
    events = account_stream(base, trader)
    try:
        events.next(lambda name, body: name == "user_streams" and body == {"spot": "up", "futures": "up"},
                    "the user data streams' state first")
        placed = requests.post(base + "/direct-api/binance/orders", json=LIMIT, headers=trader, timeout=TIMEOUT)
        assert placed.status_code == 201, placed.text
        exchange_id = placed.json()["binanceClientOrderId"]
        assert order_in_history(base, trader, "dip-1", "NEW", 0)["executedQty"] == "0.00000000"

        fake.orders.fill_partially(exchange_id, "0.001")
        partial = order_in_history(base, trader, "dip-1", "PARTIALLY_FILLED", 1)
        streams.set_price("BTCUSDT", "59000.00000000")
        fake.orders.match()
        filled = order_in_history(base, trader, "dip-1", "FILLED", 2)

        def is_fill(status):
            return lambda name, body: (name == "account" and body.get("clientOrderId") == exchange_id
                                       and body["status"] == status and body["fill"] is not None)

        _, first_fill = events.next(is_fill("PARTIALLY_FILLED"), "the partial fill through express_api")
        _, last_fill = events.next(is_fill("FILLED"), "the last fill through express_api")
    finally:
        events.response.close()

    assert (partial["executedQty"], partial["fills"][0]["qty"]) == ("0.00100000", "0.00100000")
    assert (filled["binanceClientOrderId"], filled["market"], filled["outcome"]) == (exchange_id, "spot", "placed")
    # the rest filled when the market came down through its price: at the market's 59000, as the fake fills
    assert (filled["executedQty"], filled["cumulativeQuote"]) == ("0.00200000", "119.00000000")
    assert [(f["price"], f["qty"], f["maker"]) for f in filled["fills"]] == \
        [("60000.00000000", "0.00100000", True), ("59000.00000000", "0.00100000", True)]
    assert [f["tradeId"] for f in filled["fills"]] == [first_fill["fill"]["tradeId"], last_fill["fill"]["tradeId"]]
    assert all(f["commission"] and f["commissionAsset"] == "BTC" and f["time"] for f in filled["fills"])
    assert [o["status"] for o in fake.orders.orders(exchange_id)] == ["FILLED"]


def test_a_futures_stop_is_placed_listed_and_cancelled_and_a_position_closed_each_under_the_traders_name(live, fake):
    base, _ = live
    admin = admin_login(base)
    trader = create_user(base, admin, "tara", "trader")

    placed = requests.post(base + "/direct-api/binance/futures/orders", json=STOP, headers=trader, timeout=TIMEOUT)
    assert placed.status_code == 201, placed.text
    assert (placed.json()["conditional"], placed.json()["clientOrderId"]) == (True, "stop-1")
    exchange_id = placed.json()["binanceClientOrderId"]
    listed = requests.get(base + "/direct-api/binance/futures/open-orders", headers=trader, timeout=TIMEOUT).json()
    assert [(o["clientOrderId"], o["binanceClientOrderId"], o["placed_by"], o["mine"], o["conditional"], o["type"])
            for o in listed["orders"]] == [("stop-1", exchange_id, "tara", True, True, "STOP_MARKET")]

    cancelled = requests.delete(base + "/direct-api/binance/futures/orders/BTCUSDT/stop-1", headers=trader,
                                timeout=TIMEOUT)
    assert cancelled.status_code == 200, cancelled.text
    assert [o["algoStatus"] for o in fake.orders.algo.orders] == ["CANCELED"]
    stop_row = order_in_history(base, trader, "stop-1", "CANCELED", 0)
    assert (stop_row["market"], stop_row["conditional"], stop_row["outcome"]) == ("futures", True, "canceled")

    closed = requests.post(base + "/direct-api/binance/futures/positions/BTCUSDT/close", headers=trader,
                           timeout=TIMEOUT)
    assert closed.status_code == 201, closed.text
    close_id = closed.json()["clientOrderId"]
    assert fake.orders.positions["BTCUSDT"]["amt"] == 0
    close_row = order_in_history(base, trader, close_id, "FILLED", 1)  # its fill from the account's events
    assert (close_row["market"], close_row["executedQty"], close_row["request"]) == \
        ("futures", "0.01000000", {"symbol": "BTCUSDT", "closePosition": True})
    positions = requests.get(base + "/direct-api/binance/futures/positions", headers=trader, timeout=TIMEOUT).json()
    assert positions["positions"] == []
    again = requests.post(base + "/direct-api/binance/futures/positions/BTCUSDT/close", headers=trader,
                          timeout=TIMEOUT)
    assert (again.status_code, again.json()["error"]["code"]) == (404, "no_position")

    audit = requests.get(base + "/direct-api/binance/audit", params={"limit": 100}, headers=admin,
                         timeout=TIMEOUT).json()["entries"]
    futures_actions = {e["action"] for e in audit if e["source"] == "python_service" and e["market"] == "futures"
                       and e["actor"] == "user:tara"}
    assert {"order.place", "order.cancel"} <= futures_actions, audit
