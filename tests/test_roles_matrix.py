"""Every express_api route × every kind of caller, through the real processes (the fake exchange,
python_service under gunicorn, express_api under node): anonymous, a viewer, a trader, an admin, a
disabled user's token and a deleted user's token each get the exact status the contract gives them.
The routes come from express_api's own OpenAPI document, so a route added without a row here fails
this test. A refused placement, cancel, leverage change or close sends nothing to the exchange."""
from __future__ import annotations

import json

import pytest
import requests

from tests.support.exchange import API_KEY, API_SECRET, FIXTURE_FALLBACK
from tests.support.express_users import ADMIN, admin_login, create_user
from tests.support.ports import closed_port
from tests.support.processes import output_of, start_express, start_gateway, stop, wait_until_up

TIMEOUT = 30
ORDER_PATH = "/api/v3/order"
# every path at the exchange a placement, cancel, leverage change or position close reaches
TRADING_PATHS = (ORDER_PATH, "/fapi/v1/order", "/fapi/v1/algoOrder", "/fapi/v1/leverage", "/fapi/v3/positionRisk")
CALLERS = ("anonymous", "viewer", "trader", "admin", "disabled", "deleted")
RANK = {"viewer": 1, "trader": 2, "admin": 3}
LIMIT = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.00100",
         "price": "60000.00", "clientOrderId": "mine-1"}  # below the fake's price: it rests, open
STOP = {"symbol": "BTCUSDT", "side": "SELL", "type": "STOP_MARKET", "quantity": "0.002", "stopPrice": "60000",
        "clientOrderId": "mine-1"}  # below the fake's futures price: it waits in the Algo Order API
QUERY = {"symbol": "BTCUSDT", "interval": "1h", "limit": "5"}

# What a caller whose role passes gets from each of express_api's own operations (the request below),
# in the order they run: a placement before the order is read, then cancelled. A value of a dict: the
# status per caller where the callers who pass differ (a viewer has no order of their own to read).
ALLOWED = [
    ("post", "/api/auth/login", 200),
    ("post", "/api/auth/register", 403),  # REGISTRATION is closed by default: for everyone
    ("post", "/api/auth/refresh", 401),  # no refresh cookie, whoever's Bearer token comes along
    ("post", "/api/auth/logout", 204),
    ("get", "/api/auth/me", 200),
    ("get", "/api/auth/setup", 200),
    ("post", "/api/auth/setup", 403),  # an admin exists: setup_not_needed
    ("get", "/api/auth/users", 200),
    ("post", "/api/auth/users", 201),
    ("patch", "/api/auth/users/{username}", 200),
    ("post", "/api/auth/users/{username}/unlock", 204),
    ("delete", "/api/auth/users/{username}", 204),
    ("get", "/direct-api/binance/demo-balance", 200),
    ("get", "/direct-api/binance/connection-test", 200),
    ("get", "/direct-api/binance/portfolio", 200),
    ("get", "/direct-api/binance/fills", 200),
    ("get", "/direct-api/binance/risk", 200),
    ("put", "/direct-api/binance/risk", 200),
    ("get", "/direct-api/binance/audit", 200),
    ("post", "/direct-api/binance/orders", 201),
    ("get", "/direct-api/binance/orders", 200),
    ("get", "/direct-api/binance/orders/{symbol}/{clientOrderId}", {"viewer": 404, "trader": 200, "admin": 200}),
    ("get", "/direct-api/binance/open-orders", 200),
    ("delete", "/direct-api/binance/orders/{symbol}/{clientOrderId}", 200),
    ("get", "/direct-api/binance/futures/positions", 200),
    ("post", "/direct-api/binance/futures/orders", 201),
    ("get", "/direct-api/binance/futures/orders/{symbol}/{clientOrderId}",
     {"viewer": 404, "trader": 200, "admin": 200}),
    ("get", "/direct-api/binance/futures/open-orders", 200),
    ("delete", "/direct-api/binance/futures/orders/{symbol}/{clientOrderId}", 200),
    ("post", "/direct-api/binance/futures/leverage", 200),
    # the fake's account holds one position: the trader closes it, and the admin finds none left
    ("post", "/direct-api/binance/futures/positions/{symbol}/close", {"trader": 201, "admin": 404}),
    ("get", "/direct-api/binance/futures/account", 200),
    ("get", "/direct-api/binance/stream/account", 503),  # python_service's streams are off here: streams_disabled
    ("get", "/direct-api/watchlist", 200),
    ("put", "/direct-api/watchlist", 200),
    ("get", "/", 200),
    ("get", "/api/openapi.json", 200),
    ("get", "/metrics", 200),
]

pytestmark = pytest.mark.processes  # every test here starts gunicorn and node


def request_for(method: str, path: str, caller: str) -> dict:
    """The request a caller sends to an operation: valid, so that only the role decides."""
    concrete = path.replace("{symbol}", "BTCUSDT").replace("{clientOrderId}", "mine-1") \
        .replace("{username}", f"target-{caller}")
    body = {
        "/api/auth/login": {"username": "viewer1", "password": "a long trading password"},
        "/api/auth/register": {"username": f"new-{caller}", "password": "a long trading password"},
        "/api/auth/setup": {"code": "AAAA-BBBB-CCCC", "username": f"boss-{caller}",
                            "password": "a long trading password"},
        "/api/auth/users": {"username": f"made-{caller}", "password": "a long trading password", "role": "viewer"},
        "/api/auth/users/{username}": {"role": "trader"},
        "/direct-api/binance/risk": {"max_orders_per_min": 1000},
        "/direct-api/binance/orders": LIMIT,
        "/direct-api/binance/futures/orders": STOP,
        "/direct-api/binance/futures/leverage": {"symbol": "BTCUSDT", "leverage": 10},
        "/direct-api/watchlist": {"symbols": ["ethusdt", "BTCUSDT", "ETHUSDT"]},
    }.get(path) if method in ("post", "put", "patch") else None
    params = {"symbol": "BTCUSDT", "limit": "5"} if path == "/direct-api/binance/fills" else None
    headers = {"X-Requested-With": "matrix"} if path == "/api/auth/refresh" else {}
    return {"method": method, "path": concrete, "json": body, "params": params, "headers": headers}


def expected(role: str, ok, caller: str) -> int:
    """The contract: no token or a lost user's token 401; a role below the route's 403; else `ok`."""
    if role == "none":
        return ok
    if caller in ("anonymous", "disabled", "deleted"):
        return 401
    if RANK[caller] < RANK[role]:
        return 403
    return ok[caller] if isinstance(ok, dict) else ok


@pytest.fixture
def stack(fake, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>client</title>")
    gateway_port, api_port = closed_port(), closed_port()
    gateway = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                             "BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": API_SECRET, "TRADING_ENABLED": "true",
                             "FALLBACK_DATA_DIR": str(FIXTURE_FALLBACK),
                             "CLIENT_BYTES_PER_S": "100000000"}, gateway_port)  # many answers in a burst, one client
    api = start_express({"PYTHON_SERVICE_URL": f"http://127.0.0.1:{gateway_port}", "CLIENT_DIST_DIR": str(dist),
                         "JWT_SECRET": "roles-matrix-secret-0123456789abcdef", **ADMIN}, api_port)
    try:
        wait_until_up(f"http://127.0.0.1:{gateway_port}/api/status", gateway)
        wait_until_up(f"http://127.0.0.1:{api_port}/api/openapi.json", api)
        yield f"http://127.0.0.1:{api_port}", (gateway, api)
    finally:
        stop(api)
        stop(gateway)


def callers(base: str) -> dict:
    """Each caller's headers; the disabled and deleted users were admins, and logged in before they were lost."""
    admin = admin_login(base)
    headers = {"anonymous": {}, "admin": admin, "viewer": create_user(base, admin, "viewer1", "viewer"),
               "trader": create_user(base, admin, "trader1", "trader"),
               "disabled": create_user(base, admin, "gone-off", "admin"),
               "deleted": create_user(base, admin, "gone-away", "admin")}
    for caller in CALLERS[1:]:  # a target for each caller's PATCH, unlock and DELETE of a user
        create_user(base, admin, f"target-{caller}", "viewer")
    create_user(base, admin, "target-anonymous", "viewer")
    assert requests.patch(base + "/api/auth/users/gone-off", json={"disabled": True}, headers=admin,
                          timeout=TIMEOUT).status_code == 200
    assert requests.delete(base + "/api/auth/users/gone-away", headers=admin, timeout=TIMEOUT).status_code == 204
    return headers


def operations(document: dict) -> dict:
    """express_api's own operations (not the python_service routes it forwards): (method, path) -> x-role."""
    own = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if "(forwarded to python_service)" not in operation.get("summary", ""):
                own[(method, path)] = operation["x-role"]
    return own


def trading_calls(fake) -> int:
    return sum(fake.count(path) for path in TRADING_PATHS)


def send(base: str, call: dict, headers: dict) -> requests.Response:
    return requests.request(call["method"], base + call["path"], json=call["json"], params=call["params"],
                            headers={**call["headers"], **headers}, timeout=TIMEOUT)


def test_every_route_answers_each_caller_exactly_as_its_role_says_and_refused_orders_reach_no_exchange(stack, fake):
    base, processes = stack
    document = requests.get(base + "/api/openapi.json", timeout=TIMEOUT).json()
    own = operations(document)
    assert sorted(own) == sorted((m, p) for m, p, _ in ALLOWED), "every own operation has its row in ALLOWED"
    headers = callers(base)

    got, want = {}, {}
    for method, path, ok in ALLOWED:
        role = own[(method, path)]
        for caller in CALLERS:
            trading_before = trading_calls(fake)
            answer = send(base, request_for(method, path, caller), headers[caller])
            key = f"{method.upper()} {path} as {caller}"
            got[key], want[key] = answer.status_code, expected(role, ok, caller)
            if role == "trader" and want[key] in (401, 403):
                assert trading_calls(fake) == trading_before, f"{key} reached the exchange"
            if want[key] == 403 and role != "none":
                assert answer.json()["error"]["code"] == "forbidden", key
            if caller == "disabled" and role != "none":
                assert answer.json()["error"]["code"] == "account_disabled", key

    assert got == want, "\n" + "\n".join(f"{k}: got {got[k]}, want {want[k]}" for k in got if got[k] != want[k]) \
        + "\n" + output_of(processes[1])[-3000:]
    assert [o["status"] for o in fake.orders.spot] == ["CANCELED", "CANCELED"]  # the trader's and the admin's
    assert [o["algoStatus"] for o in fake.orders.algo.orders] == ["CANCELED", "CANCELED"]  # their stop orders
    [close] = fake.orders.futures_orders  # the trader's close of the position
    assert (close["side"], close["status"], close["reduceOnly"]) == ("SELL", "FILLED", True)
    for caller in ("viewer", "trader", "admin"):  # each saved their own watchlist
        watchlist = requests.get(base + "/direct-api/watchlist", headers=headers[caller], timeout=TIMEOUT).json()
        assert watchlist == {"symbols": ["ETHUSDT", "BTCUSDT"]}, caller


def test_a_trader_cannot_cancel_another_users_order_and_an_admin_can_by_binances_id(stack, fake):
    base, _ = stack
    headers = callers(base)
    placed = requests.post(base + "/direct-api/binance/orders", json=LIMIT, headers=headers["trader"], timeout=TIMEOUT)
    assert placed.status_code == 201, placed.text
    exchange_id = placed.json()["binanceClientOrderId"]
    sent = fake.count(ORDER_PATH)

    for caller, scope in (("viewer", "account"), ("trader", "account"), ("viewer", None)):
        refused = requests.delete(f"{base}/direct-api/binance/orders/BTCUSDT/{exchange_id}",
                                  params={"scope": scope} if scope else None, headers=headers[caller], timeout=TIMEOUT)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden", (caller, refused.text)
    assert fake.count(ORDER_PATH) == sent, "no refused cancel reached the exchange"

    cancelled = requests.delete(f"{base}/direct-api/binance/orders/BTCUSDT/{exchange_id}", params={"scope": "account"},
                                headers=headers["admin"], timeout=TIMEOUT)
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["placed_by"], cancelled.json()["order"]["status"]) == ("trader1", "CANCELED")
    assert [o["status"] for o in fake.orders.orders()] == ["CANCELED"]
    history = requests.get(base + "/direct-api/binance/orders", headers=headers["trader"], timeout=TIMEOUT).json()
    assert [(h["clientOrderId"], h["outcome"]) for h in history["orders"]] == [("mine-1", "canceled")]
    audit = requests.get(base + "/direct-api/binance/audit", headers=headers["admin"], timeout=TIMEOUT).json()
    cancels = [e for e in audit["entries"] if e["source"] == "python_service" and "cancel" in e["action"]]
    assert cancels and all(e["actor"] == "user:root" for e in cancels), json.dumps(cancels)


def test_the_forwarded_public_routes_answer_every_caller_alike(stack):
    base, _ = stack
    document = requests.get(base + "/api/openapi.json", timeout=TIMEOUT).json()
    headers = callers(base)
    forwarded = [(m, p) for p, item in document["paths"].items() for m, op in item.items()
                 if "(forwarded to python_service)" in op.get("summary", "")]
    assert len(forwarded) >= 15
    for method, path in forwarded:
        assert document["paths"][path][method]["x-role"] == "none"
        statuses = set()
        for caller in CALLERS:
            url = base + path.replace("{symbol}", "BTCUSDT")
            if method == "post":
                answer = requests.post(url, json={k: v for k, v in LIMIT.items() if k != "clientOrderId"},
                                       headers=headers[caller], timeout=TIMEOUT)
            else:
                with requests.get(url, params=QUERY, headers=headers[caller], stream=True, timeout=TIMEOUT) as answer:
                    pass  # an event stream is endless: its status is enough
            statuses.add(answer.status_code)
        assert len(statuses) == 1 and statuses.pop() not in (401, 403), (method, path)
