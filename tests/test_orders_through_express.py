"""A logged-in user's order through the real express_api and python_service processes,
asserted at the fake exchange's order book: placed once under the id the API returns,
found and cancelled by the user's own clientOrderId, unreachable for another user."""
from decimal import Decimal

import pytest
import requests

from tests.support.exchange import API_KEY, API_SECRET, FIXTURE_FALLBACK
from tests.support.express_users import ADMIN, admin_login, create_user
from tests.support.ports import closed_port
from tests.support.processes import start_express, start_gateway, stop, wait_until_up

TIMEOUT = 30
ORDER_PATH = "/api/v3/order"
LIMIT = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.00100",
         "price": "60000.00"}  # below the fake's market price: it rests, open

pytestmark = pytest.mark.processes  # every test here starts gunicorn and node


@pytest.fixture
def api(fake, tmp_path):
    gateway_port, api_port = closed_port(), closed_port()
    gateway = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                             "BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": API_SECRET, "TRADING_ENABLED": "true",
                             "ORDER_JOURNAL_PATH": str(tmp_path / "orders.sqlite3"), "INTERNAL_API_TOKEN": "tok-7",
                             "FALLBACK_DATA_DIR": str(FIXTURE_FALLBACK)}, gateway_port)
    api = start_express({"PYTHON_SERVICE_URL": f"http://127.0.0.1:{gateway_port}", "INTERNAL_API_TOKEN": "tok-7",
                         "JWT_SECRET": "orders-through-express-0123456789abcdef", **ADMIN}, api_port)
    try:
        wait_until_up(f"http://127.0.0.1:{gateway_port}/api/status", gateway)
        yield f"http://127.0.0.1:{api_port}", wait_until_up(f"http://127.0.0.1:{api_port}/api/openapi.json", api)
    finally:
        stop(api)
        stop(gateway)


def login(base: str, username: str) -> dict:
    """A trader the admin created, logged in."""
    return create_user(base, admin_login(base), username, "trader")


def binance_calls(fake, method: str, client_order_id: str) -> list:
    return [r for r in fake.requests_to(ORDER_PATH) if r.method == method
            and client_order_id in (r.params.get("origClientOrderId"), r.params.get("newClientOrderId"))]


def test_a_users_limit_order_is_booked_once_under_the_returned_id_found_and_cancelled_by_the_users_id_and_no_other_user_reaches_it(  # noqa: E501 - the name says it all
        api, fake):
    base, _ = api
    alice, bob = login(base, "alice"), login(base, "bobby")

    placed = requests.post(base + "/direct-api/binance/orders", json={**LIMIT, "clientOrderId": "mine-1"},
                           headers=alice, timeout=TIMEOUT)

    assert placed.status_code == 201, placed.text
    body = placed.json()
    assert body["clientOrderId"] == "mine-1"
    exchange_id = body["binanceClientOrderId"]
    (booked,) = fake.orders.orders()  # exactly one order at "Binance", under the id the API returned
    assert booked["clientOrderId"] == exchange_id == body["order"]["binanceClientOrderId"]
    assert (booked["status"], booked["price"]) == ("NEW", Decimal("60000.00"))
    assert len([r for r in fake.requests_to(ORDER_PATH) if r.method == "POST"]) == 1

    found = requests.get(base + "/direct-api/binance/orders/BTCUSDT/mine-1", headers=alice, timeout=TIMEOUT)
    assert found.status_code == 200, found.text
    assert (found.json()["clientOrderId"], found.json()["order"]["status"]) == ("mine-1", "NEW")
    assert len(binance_calls(fake, "GET", exchange_id)) == 1
    opened = requests.get(base + "/direct-api/binance/open-orders", headers=alice, timeout=TIMEOUT).json()
    assert [(o["clientOrderId"], o["binanceClientOrderId"], o["placed_by"], o["mine"]) for o in opened["orders"]] == \
        [("mine-1", exchange_id, "alice", True)]

    # another user sees the account's order as alice's, not theirs; the same id names nothing of theirs,
    # and alice's order is never asked for or touched
    seen_by_bob = requests.get(base + "/direct-api/binance/open-orders", headers=bob, timeout=TIMEOUT).json()["orders"]
    assert [(o["clientOrderId"], o["placed_by"], o["mine"]) for o in seen_by_bob] == [(exchange_id, "alice", False)]
    for method in ("GET", "DELETE"):
        other = requests.request(method, base + "/direct-api/binance/orders/BTCUSDT/mine-1", headers=bob,
                                 timeout=TIMEOUT)
        assert other.status_code == 404, other.text
        assert other.json()["error"]["code"] == "unknown_order"
    assert len(binance_calls(fake, "GET", exchange_id)) == 1 and binance_calls(fake, "DELETE", exchange_id) == []
    assert fake.orders.orders(exchange_id)[0]["status"] == "NEW"

    cancelled = requests.delete(base + "/direct-api/binance/orders/BTCUSDT/mine-1", headers=alice, timeout=TIMEOUT)
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["clientOrderId"], cancelled.json()["order"]["status"]) == ("mine-1", "CANCELED")
    assert len(binance_calls(fake, "DELETE", exchange_id)) == 1
    assert [o["status"] for o in fake.orders.orders()] == ["CANCELED"]
    history = requests.get(base + "/direct-api/binance/orders", headers=alice, timeout=TIMEOUT).json()["orders"]
    assert [(h["clientOrderId"], h["outcome"]) for h in history] == [("mine-1", "canceled")]


def test_one_order_routes_need_a_token_and_a_valid_symbol_and_id_and_send_nothing_otherwise(api, fake):
    base, _ = api
    alice = login(base, "alice")
    fake.log.clear()

    assert requests.get(base + "/direct-api/binance/orders/BTCUSDT/mine-1", timeout=TIMEOUT).status_code == 401
    for path in ("BTC%20USDT/mine-1", "BTCUSDT/" + "x" * 25, "BTCUSDT/a.b"):
        for method in ("GET", "DELETE"):
            answer = requests.request(method, f"{base}/direct-api/binance/orders/{path}", headers=alice,
                                      timeout=TIMEOUT)
            assert answer.status_code == 400, (method, path, answer.text)
            assert answer.json()["error"]["code"] in ("invalid_symbol", "invalid_client_order_id")
    assert fake.requests_to(ORDER_PATH) == []
