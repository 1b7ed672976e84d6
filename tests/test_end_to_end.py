"""The whole system as real processes: fake exchange <- python_service (gunicorn) <- express_api (node)."""
import hashlib
import hmac

import pytest
import requests

from tests.support.exchange import API_KEY, API_SECRET
from tests.support.express_users import ADMIN, admin_login, create_user
from tests.support.ports import closed_port
from tests.support.processes import output_of, start_express, start_gateway, stop, wait_until_up

INTERNAL_TOKEN = "e2e-internal-token-7731"
JWT_SECRET = "e2e-jwt-secret-0123456789abcdef-32"

pytestmark = pytest.mark.processes  # every test here starts gunicorn and node


@pytest.fixture
def system(fake):
    gateway_port, api_port = closed_port(), closed_port()
    gateway = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                             "BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": API_SECRET,
                             "INTERNAL_API_TOKEN": INTERNAL_TOKEN}, gateway_port)
    api = start_express({"PYTHON_SERVICE_URL": f"http://127.0.0.1:{gateway_port}", "JWT_SECRET": JWT_SECRET,
                         "INTERNAL_API_TOKEN": INTERNAL_TOKEN, **ADMIN}, api_port)
    try:
        wait_until_up(f"http://127.0.0.1:{gateway_port}/api/status", gateway)
        wait_until_up(f"http://127.0.0.1:{api_port}/api/auth/me", api)
        yield f"http://127.0.0.1:{api_port}", (gateway, api)
    finally:
        stop(api)
        stop(gateway)


def login(base):
    """A viewer the admin created, logged in."""
    return create_user(base, admin_login(base), "erin", "viewer")


def test_demo_balance_through_all_three_is_valued_at_live_prices(system, fake):
    base, _ = system

    response = requests.get(base + "/direct-api/binance/demo-balance", timeout=10)

    body = response.json()
    assert response.status_code == 200 and body["source"] == "live"
    btc = next(a for a in body["assets"] if a["asset"] == "BTC")
    assert btc["price"] == fake.prices["BTCUSDT"] and btc["source"] == "live"
    assert [r.path for r in fake.log] == ["/api/v3/ticker/price"]


def test_connection_test_through_all_three_with_a_login_is_ok_and_signed(system, fake):
    base, _ = system
    headers = login(base)

    report = requests.get(base + "/direct-api/binance/connection-test", headers=headers, timeout=30).json()

    assert report["ok"] is True and report["authenticated"] is True and report["permissions"] == ["SPOT"]
    (account,) = fake.requests_to("/api/v3/account")
    payload, _, signature = account.query.rpartition("&signature=")
    assert signature == hmac.new(API_SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
    assert requests.get(base + "/direct-api/binance/connection-test", timeout=10).status_code == 401


def test_when_binance_answers_451_demo_balance_is_fallback_and_connection_test_says_restricted(system, fake):
    base, processes = system
    fake.add_fault("restricted")
    headers = login(base)

    balance = requests.get(base + "/direct-api/binance/demo-balance", timeout=10)
    report = requests.get(base + "/direct-api/binance/connection-test", headers=headers, timeout=30).json()
    status = requests.get(base + "/api/status", timeout=10).json()

    body = balance.json()
    assert balance.status_code == 200 and body["source"] == "fallback", body
    assert balance.headers["X-Data-Source"] == "fallback" and body["prices_are_current"] is False
    assert report["ok"] is False and report["restricted"] is True and "451" in report["error"]
    assert status["upstream"]["state"] == "restricted"
    assert fake.count() == 1  # one 451, then the cool-down keeps Binance uncalled
    logs = "".join(output_of(p) for p in processes)
    assert API_SECRET not in logs and INTERNAL_TOKEN not in logs and JWT_SECRET not in logs


def test_gateway_routes_are_forwarded_with_their_headers(system, fake):
    base, _ = system

    response = requests.get(base + "/api/binance/price/ethusdt", timeout=10)
    invalid = requests.get(base + "/api/binance/price/BTC%26symbol%3DETH", timeout=10)

    assert response.status_code == 200 and response.headers["X-Data-Source"] == "live"
    assert response.json()["price"] == fake.prices["ETHUSDT"]
    assert invalid.status_code == 400 and invalid.json()["error"]["code"] == "invalid_symbol"
