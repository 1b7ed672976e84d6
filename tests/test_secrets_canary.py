"""Canary secrets (API secret, JWT secret, a user's password, the admin's password, a proxy password,
the internal token) never appear in any response or log line, whatever route is driven, failures
included; nor do refresh cookies, access tokens or a used setup code appear in a log line or an answer's
body, nor the API key in express_api's log."""
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
from tests.support.waiting import wait_until

pytestmark = pytest.mark.processes  # every test here starts microsocks, gunicorn and node

CANARIES = {
    "api_secret": "canary-api-secret-7Fq2",
    "jwt_secret": "canary-jwt-secret-0123456789-Xw3",
    "password": "canary-password-Lk9z",
    "proxy_password": "canary-proxy-pass-Qm4",
    "internal_token": "canary-internal-token-Tz8",
    "admin_password": "canary-admin-password-Hv6",
    "setup_admin_password": "canary-setup-password-Rb2",
    "new_password": "canary-new-password-Jc5",
}
ADMIN = {"ADMIN_USERNAME": "canary_admin", "ADMIN_PASSWORD": CANARIES["admin_password"]}
SETUP_CODE = re.compile(r"One-time setup code: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")
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
    express = {"PYTHON_SERVICE_URL": f"http://127.0.0.1:{gateway_port}", "JWT_SECRET": CANARIES["jwt_secret"],
               "INTERNAL_API_TOKEN": CANARIES["internal_token"], "LOG_LEVEL": "debug",
               "BINANCE_API_KEY": API_KEY}  # express_api has no use for it: it must never show it
    api = start_express({**express, **ADMIN}, api_port)
    setup_port = closed_port()
    fresh = start_express(express, setup_port)  # no admin yet: it logs a one-time setup code
    try:
        wait_until_up(f"http://127.0.0.1:{gateway_port}/api/status", gateway)
        wait_until_up(f"http://127.0.0.1:{api_port}/api/openapi.json", api)
        wait_until_up(f"http://127.0.0.1:{setup_port}/api/openapi.json", fresh)
        yield (fake, f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{api_port}", (gateway, api, fresh),
               f"http://127.0.0.1:{setup_port}")
    finally:
        stop(fresh)
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
    admin = keep(requests.post(api + "/api/auth/login", json={"username": ADMIN["ADMIN_USERNAME"],
                                                              "password": ADMIN["ADMIN_PASSWORD"]}, timeout=10)).json()
    admin_bearer = {"Authorization": f"Bearer {admin['token']}"}
    keep(requests.post(api + "/api/auth/users", json={**account, "role": "trader"}, headers=admin_bearer, timeout=10))
    keep(requests.post(api + "/api/auth/register", json=account, timeout=10))
    keep(requests.post(api + "/api/auth/login", json={**account, "password": "not-the-password"}, timeout=10))
    login = keep(requests.post(api + "/api/auth/login", json=account, timeout=10)).json()
    bearer = {"Authorization": f"Bearer {login['token']}"}
    for path in ("/api/auth/me", "/direct-api/binance/connection-test", "/direct-api/binance/demo-balance", "/",
                 "/direct-api/binance/portfolio", "/direct-api/binance/fills?symbol=BTCUSDT",
                 "/direct-api/binance/risk", "/direct-api/binance/open-orders", "/direct-api/binance/orders"):
        keep(requests.get(api + path, headers=bearer, timeout=30))
    keep(requests.post(api + "/direct-api/binance/orders", json={"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
                                                                  "timeInForce": "GTC", "quantity": "0.001",
                                                                  "price": "60000"}, headers=bearer, timeout=30))
    keep(requests.put(api + "/direct-api/binance/risk", json={"max_leverage": 5}, headers=admin_bearer, timeout=30))
    for path in ("/api/auth/users", "/direct-api/binance/audit"):
        keep(requests.get(api + path, headers=admin_bearer, timeout=30))
    keep(requests.get(api + "/api/auth/me", headers={"Authorization": "Bearer " + login["token"][:-2] + "xx"},
                      timeout=10))
    keep(requests.post(api + "/api/auth/login", data="{not json", headers={"Content-Type": "application/json"},
                       timeout=10))
    return login["token"], admin["token"]


def drive_sessions(api, texts, bodies) -> tuple[list, list]:
    """Logins, refreshes (a spent cookie replayed), a password change, the audit log and logout: the
    refresh cookies and access tokens seen on the way."""
    def keep(response):
        texts.append(f"{response.status_code} {dict(response.headers)} {response.text}")
        bodies.append(response.text)
        return response

    def log_in(username, password):
        return keep(requests.post(api + "/api/auth/login", json={"username": username, "password": password},
                                  timeout=10))

    def refresh(cookie):
        return keep(requests.post(api + "/api/auth/refresh", cookies={"refresh": cookie},
                                  headers={"X-Requested-With": "canary"}, timeout=10))

    admin = log_in(ADMIN["ADMIN_USERNAME"], ADMIN["ADMIN_PASSWORD"])
    cookies, tokens = [admin.cookies["refresh"]], [admin.json()["token"]]
    for _ in range(2):
        renewed = refresh(cookies[-1])
        assert renewed.status_code == 200, renewed.text
        cookies.append(renewed.cookies["refresh"])
        tokens.append(renewed.json()["token"])
    assert refresh(cookies[0]).json()["error"]["code"] == "refresh_token_reused"
    cookies.append(log_in("canary_user", CANARIES["password"]).cookies["refresh"])
    admin = log_in(ADMIN["ADMIN_USERNAME"], ADMIN["ADMIN_PASSWORD"])
    cookies.append(admin.cookies["refresh"])
    bearer = {"Authorization": f"Bearer {admin.json()['token']}"}
    keep(requests.patch(api + "/api/auth/users/canary_user", json={"password": CANARIES["new_password"]},
                        headers=bearer, timeout=10))
    keep(requests.get(api + "/direct-api/binance/audit", headers=bearer, timeout=30))
    keep(requests.post(api + "/api/auth/logout", cookies={"refresh": cookies[-1]}, timeout=10))
    return cookies, tokens


def drive_setup(setup_api, process, texts, bodies) -> str:
    """The first admin of a fresh express_api, made with the setup code from its log: the code."""
    wait_until(lambda: SETUP_CODE.search(output_of(process)), "the setup code in the log", 30,
               detail=lambda: output_of(process))
    code = SETUP_CODE.search(output_of(process)).group(1)
    statuses = []
    for body in ({"code": "AAAA-BBBB-CCCC", "username": "first_admin", "password": CANARIES["setup_admin_password"]},
                 {"code": code, "username": "first_admin", "password": CANARIES["setup_admin_password"]},
                 {"code": code, "username": "second_admin", "password": CANARIES["setup_admin_password"]}):
        answer = requests.post(setup_api + "/api/auth/setup", json=body, timeout=10)
        texts.append(f"{answer.status_code} {dict(answer.headers)} {answer.text}")
        bodies.append(answer.text)
        statuses.append(answer.status_code)
    assert statuses == [403, 201, 403]  # a wrong code; the right one; then an admin exists
    return code


def test_no_canary_appears_in_any_response_or_log_line(system):
    fake, gateway, api, processes, setup_api = system
    texts, bodies = [], []
    token, admin_token = drive_every_route(gateway, api, texts)
    for kind, options in (("restricted", {}), ("server_error", {"status": 500}), ("banned", {"retry_after": 1})):
        fake.add_fault(kind, **options)
        drive_every_route(gateway, api, texts)
        fake.faults.clear()
    cookies, tokens = drive_sessions(api, texts, bodies)
    code = drive_setup(setup_api, processes[2], texts, bodies)

    logs = "\n".join(output_of(p) for p in processes)
    express_logs = output_of(processes[1]) + output_of(processes[2])
    everything = "\n".join(texts) + "\n" + logs
    assert len(texts) > 150 and logs.count("\n") > 150
    for name, canary in CANARIES.items():
        assert canary not in everything, f"the {name} canary leaked"
    for name, value in [("a login token", token), ("the admin's token", admin_token)] + \
            [("a refreshed token", t) for t in tokens] + [("a refresh cookie", c) for c in cookies]:
        assert value not in logs, f"{name} leaked into the logs"
    for cookie in cookies:
        assert cookie not in "\n".join(bodies), "a refresh cookie in an answer's body"
        assert cookie.split(".")[1] not in everything.replace(cookie, ""), "a refresh cookie's secret shown apart"
    assert code not in "\n".join(texts), "the setup code in an answer"
    assert express_logs.count(code) == 1, "the setup code is logged once, at start, and never again"
    assert API_KEY not in express_logs, "the API key in express_api's log"
    assert "scrypt$" not in everything, "a password hash shown"
    assert re.search(r"socks5h://\*\*\*@127\.0\.0\.1:\d+", everything), "the masked proxy URL is shown"
    assert any(r.client_addr == "127.0.0.2" for r in fake.log), "requests went through the proxy"
