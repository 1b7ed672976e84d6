"""USDT-M trading routes (issue 27, item 4, python side): STOP_MARKET / TAKE_PROFIT_MARKET orders,
reduce-only, open orders, cancel and closing a whole position, against the fake's engine."""
from decimal import Decimal

import pytest

from tests.support.exchange import API_KEY, API_SECRET


@pytest.fixture
def client(make_app):
    return make_app(TRADING_ENABLED="true", BINANCE_API_KEY=API_KEY, BINANCE_API_SECRET=API_SECRET,
                    RISK_MAX_ORDER_NOTIONAL="200").test_client()


def futures_order(client, **fields):
    return client.post("/api/binance/futures/orders", json={"symbol": "BTCUSDT", "side": "SELL", **fields})


def position(fake) -> Decimal:
    return fake.orders.positions.get("BTCUSDT", {"amt": Decimal(0)})["amt"]


def test_a_stop_market_goes_to_the_algo_api_is_listed_and_cancelled(client, fake):
    placed = futures_order(client, type="STOP_MARKET", quantity="0.002", stopPrice="60000", clientOrderId="stop-1")
    listed = client.get("/api/binance/futures/open-orders?symbol=BTCUSDT").get_json()
    cancelled = client.delete("/api/binance/futures/orders/BTCUSDT/stop-1")
    again = client.delete("/api/binance/futures/orders/BTCUSDT/stop-1")

    assert placed.status_code == 201, placed.get_json()
    assert placed.get_json()["conditional"] is True  # held by Binance's Algo Order API until it triggers
    assert [(o["clientOrderId"], o["type"], o["stopPrice"], o["conditional"]) for o in listed["orders"]] == \
        [("stop-1", "STOP_MARKET", "60000.00000000", True)]
    assert cancelled.get_json()["order"]["clientAlgoId"] == "stop-1" and cancelled.get_json()["conditional"] is True
    [sent] = [r for r in fake.requests_to("/fapi/v1/algoOrder") if r.method == "POST"]
    assert (sent.params["triggerPrice"], sent.params["clientAlgoId"], sent.params["algoType"]) == \
        ("60000", "stop-1", "CONDITIONAL")
    assert (again.status_code, again.get_json()["error"]["code"]) == (404, "unknown_order")
    audit = client.get("/api/binance/audit").get_json()["entries"]
    [outcome] = [e for e in audit if e["action"] == "order.place.outcome"]
    assert outcome["detail"] == {"clientOrderId": "stop-1", "orderId": placed.get_json()["order"]["algoId"],
                                 "status": "NEW"}  # the Algo API's id and status, not nulls


def test_closing_a_position_sends_a_reduce_only_market_order_for_its_size(client, fake):
    before = position(fake)  # the fake's account holds 0.010 BTC long

    closed = client.post("/api/binance/futures/positions/btcusdt/close")
    [sent] = [r for r in fake.requests_to("/fapi/v1/order") if r.method == "POST"]
    none_left = client.post("/api/binance/futures/positions/BTCUSDT/close")

    assert before == Decimal("0.010") and closed.status_code == 201, closed.get_json()
    assert (sent.params["side"], sent.params["type"], Decimal(sent.params["quantity"]), sent.params["reduceOnly"]) == \
        ("SELL", "MARKET", Decimal("0.010"), "true")
    assert position(fake) == 0  # 670 USDT: a reduce-only order is never held to the notional limit
    assert (none_left.status_code, none_left.get_json()["error"]["code"]) == (404, "no_position")


def test_a_reduce_only_order_that_would_open_a_position_is_binances_rejection(client, fake):
    answer = futures_order(client, side="BUY", type="MARKET", quantity="0.002", reduceOnly=True)

    assert answer.status_code == 400 and answer.get_json()["error"]["upstream"]["code"] == -2022


@pytest.mark.parametrize("body", [{"type": "STOP_MARKET", "quantity": "0.002"},  # no stopPrice
                                  {"type": "MARKET", "quantity": "0.002", "reduceOnly": "yes"},
                                  {"type": "MARKET", "quoteOrderQty": "100"},
                                  {"type": "STOP_LOSS", "quantity": "0.002", "stopPrice": "60000"}])
def test_malformed_futures_orders_are_400_and_nothing_is_sent(client, fake, body):
    answer = futures_order(client, **body)

    assert answer.status_code == 400
    assert fake.count("/fapi/v1/order") == 0


def test_a_conditional_orders_lost_answer_is_recovered_from_the_algo_api_and_never_sent_twice(client, fake):
    fake.orders.drop_answers("reset")  # booked, then the connection is reset

    first = futures_order(client, type="STOP_MARKET", quantity="0.002", stopPrice="60000", clientOrderId="lost-1")
    again = futures_order(client, type="STOP_MARKET", quantity="0.002", stopPrice="60000", clientOrderId="lost-1")

    assert first.status_code == 201 and first.get_json()["recovered"] is True
    assert again.status_code == 200 and again.get_json()["replayed"] is True
    assert [o["clientAlgoId"] for o in fake.orders.algo.orders] == ["lost-1"]
    assert len([r for r in fake.requests_to("/fapi/v1/algoOrder") if r.method == "POST"]) == 1
