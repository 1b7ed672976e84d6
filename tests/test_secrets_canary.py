"""Canary secrets (API secret, JWT secret, a user's password, a proxy password,
the internal token) never appear in any response or log line, whatever route
is driven, failures included."""
import itertools
import re

import pytest
import requests

from python_service.routes.openapi import PATHS
from tests.fake_binance import FakeBinance
from tests.support.exchange import API_KEY
from tests.support.ports import closed_port
from tests.support.processes import output_of, start_express, start_gateway, stop, wait_until_up
from tests.support.proxies import start_microsocks

pytestmark = pytest.mark.processes  # every test here starts microsocks, gunicorn and node
CANARIES = {
    "api_secret": "canary-api-secret-7Fq2",
    "jwt_secret": "canary-jwt-secret-0123456789-Xw3",
    "password": "canary-password-Lk9z",
    "proxy_password": "canary-proxy-pass-Qm4",
    "internal_token": "canary-internal-token-Tz8",
}
QUERY = {"symbol": "BTCUSDT", "interval": "1h", "limit": "5"}


def concrete(path: str) -> str:
    return path.replace("{symbol}", "BTCUSDT")


@pytest.fixture
def system():
    fake = FakeBinance(api_keys={API_KEY: CANARIES["api_secret"]}).start()
    proxy = start_microsocks("gateway", CANARIES["proxy_password"])
    gateway_port, api_port = closed_port(), closed_port()
    gateway = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                             "BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": CANARIES["api_secret"],
                             "BINANCE_PROXY_URL": proxy.url, "INTERNAL_API_TOKEN": CANARIES["internal_token"],
                             "RESTRICTION_COOLDOWN_S": "0", "BREAKER_COOLDOWN_S": "0"}, gateway_port)
    api = start_express({"PYTHON_SERVICE_URL": f"http://127.0.0.1:{gateway_port}", "JWT_SECRET": CANARIES["jwt_secret"],
                         "INTERNAL_API_TOKEN": CANARIES["internal_token"], "LOG_LEVEL": "debug"}, api_port)
    try:
        wait_until_up(f"http://127.0.0.1:{gateway_port}/api/status", gateway)
        wait_until_up(f"http://127.0.0.1:{api_port}/api/openapi.json", api)
        yield fake, f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{api_port}", (gateway, api)
    finally:
        stop(api)
        stop(gateway)
        proxy.stop()
        fake.stop()


def drive_every_route(gateway, api, texts):
    def keep(response):
        texts.append(f"{response.status_code} {dict(response.headers)} {response.text}")
        return response

    for base in (gateway, api):
        for path, item in PATHS.items():
            for method in item:
                if method == "post":
                    keep(requests.post(base + path, json={"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
                                                          "quantity": "0.001", "price": "67000.01"}, timeout=30))
                elif path.startswith("/api/binance/stream/"):  # an endless event stream: its first chunks
                    with requests.get(base + concrete(path), params=QUERY, stream=True, timeout=30) as answer:
                        chunks = answer.iter_content(chunk_size=None)
                        text = "".join(c.decode() for c in itertools.islice(chunks, 3))
                        texts.append(f"{answer.status_code} {dict(answer.headers)} {text}")
                else:
                    keep(requests.get(base + concrete(path), params=QUERY, timeout=30))
    keep(requests.get(gateway + "/api/binance/trading/status", headers={"X-Internal-Token": "wrong"}, timeout=10))
    account = {"username": "canary_user", "password": CANARIES["password"]}
    keep(requests.post(api + "/api/auth/register", json=account, timeout=10))
    keep(requests.post(api + "/api/auth/login", json={**account, "password": "not-the-password"}, timeout=10))
    login = keep(requests.post(api + "/api/auth/login", json=account, timeout=10)).json()
    bearer = {"Authorization": f"Bearer {login['token']}"}
    for path in ("/api/auth/me", "/direct-api/binance/connection-test", "/direct-api/binance/demo-balance", "/"):
        keep(requests.get(api + path, headers=bearer, timeout=30))
    keep(requests.get(api + "/api/auth/me", headers={"Authorization": "Bearer " + login["token"][:-2] + "xx"},
                      timeout=10))
    keep(requests.post(api + "/api/auth/login", data="{not json", headers={"Content-Type": "application/json"},
                       timeout=10))
    return login["token"]


def test_no_canary_appears_in_any_response_or_log_line(system):
    fake, gateway, api, processes = system
    texts = []
    token = drive_every_route(gateway, api, texts)
    for kind, options in (("restricted", {}), ("server_error", {"status": 500}), ("banned", {"retry_after": 1})):
        fake.add_fault(kind, **options)
        drive_every_route(gateway, api, texts)
        fake.faults.clear()

    logs = "\n".join(output_of(p) for p in processes)
    everything = "\n".join(texts) + "\n" + logs
    assert len(texts) > 150 and logs.count("\n") > 150
    for name, canary in CANARIES.items():
        assert canary not in everything, f"the {name} canary leaked"
    assert token not in logs, "a login token leaked into the logs"
    assert re.search(r"socks5h://\*\*\*@127\.0\.0\.1:\d+", everything), "the masked proxy URL is shown"
    assert any(r.client_addr == "127.0.0.2" for r in fake.log), "requests went through the proxy"
