"""The React client as a person uses it: Debian's Chromium driven by Playwright, against the
real processes (gunicorn python_service, node express_api serving client/dist) and the fake
exchange with its websocket streams. What the person did is asserted at the fake as well."""
import re
import shutil
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from tests.support.exchange import API_KEY, API_SECRET, FIXTURE_FALLBACK
from tests.support.express_users import ADMIN, admin_login, create_user, login
from tests.support.ports import closed_port
from tests.support.processes import ROOT, output_of, start_express, start_gateway, stop, wait_until_up
from tests.support.waiting import wait_until

pytestmark = pytest.mark.processes  # every test here starts gunicorn, node and Chromium
SCREENSHOTS = ROOT / "test-output"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
WAIT_MS = 20_000  # first answers on a busy 2-core machine (a clock sync before signed calls, a stream's first event)
PASSWORD = "a long trading password"


def shoot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


class Stack:
    """Starts the stack: `stack(streaming=..., gateway_env=..., admin=...)` returns (page, base url); the last
    express_api started is `stack.express` (its log holds a setup code when it starts without an admin)."""

    def __init__(self, fake, streams, tmp_path, playwright, chromium):
        self.fake, self.streams, self.tmp_path = fake, streams, tmp_path
        self.playwright, self.chromium = playwright, chromium
        self.processes, self.browsers, self.express = [], [], None

    def __call__(self, streaming: bool = True, gateway_env: dict | None = None,
                 admin: tuple[str, str] | None = ("trader", PASSWORD)):
        fake, streams = self.fake, self.streams
        gateway_port, api_port = closed_port(), closed_port()
        gateway = start_gateway({
            "BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
            "BINANCE_WS_URL": streams.url, "BINANCE_FUTURES_WS_URL": streams.futures_url,
            "STREAMS_ENABLED": "true" if streaming else "false", "RESTRICTION_COOLDOWN_S": "1",
            "BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": API_SECRET, "TRADING_ENABLED": "true",
            "ORDER_JOURNAL_PATH": str(self.tmp_path / "orders.sqlite3"), "INTERNAL_API_TOKEN": "tok-browser",
            "FALLBACK_DATA_DIR": str(FIXTURE_FALLBACK), **(gateway_env or {})}, gateway_port)
        self.processes.append(gateway)
        # the first admin (user id 1) from ADMIN_*; without them, a setup code in express_api's log
        first_admin = {"ADMIN_USERNAME": admin[0], "ADMIN_PASSWORD": admin[1]} if admin else {}
        api = start_express({"PYTHON_SERVICE_URL": f"http://127.0.0.1:{gateway_port}",
                             "INTERNAL_API_TOKEN": "tok-browser", **first_admin,
                             "JWT_SECRET": "client-browser-secret-0123456789abcdef"}, api_port)
        self.processes.append(api)
        self.express = api
        base = f"http://127.0.0.1:{api_port}"
        wait_until_up(f"http://127.0.0.1:{gateway_port}/api/status", gateway)
        wait_until_up(base + "/api/openapi.json", api)
        browser = self.playwright.chromium.launch(executable_path=self.chromium, args=CHROMIUM_ARGS)
        self.browsers.append(browser)
        context = browser.new_context(viewport={"width": 1100, "height": 1000})
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()  # page.context.new_page() opens another tab of the same browser
        return page, base

    def close(self):
        for browser in self.browsers:
            browser.close()
        self.playwright.stop()
        for proc in self.processes:
            stop(proc)


@pytest.fixture
def stack(fake, streams, tmp_path):
    assert (ROOT / "client" / "dist" / "index.html").exists(), "client/dist is missing: `make test` builds it"
    chromium = shutil.which("chromium")
    assert chromium, "chromium is missing: `make test` installs it (Debian package chromium)"
    expect.set_options(timeout=WAIT_MS)  # expect's own default (5 s) is shorter than a status poll on a busy machine
    started = Stack(fake, streams, tmp_path, sync_playwright().start(), chromium)
    yield started
    started.close()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """From the login page, which is what a page needing a login shows to a person logged out."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("who")).to_have_text(username)


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def price_row(page, symbol: str):
    return page.locator(f"tr[data-symbol={symbol}]")


def test_a_person_logs_in_places_a_limit_order_once_sees_it_open_and_cancels_it(stack, fake):
    page, base = stack(streaming=False)
    page.goto(base + "/")
    log_in(page, "trader")  # an admin, who may trade
    expect(page.locator("table.positions tbody tr")).to_have_count(1)  # the portfolio: the fake's one futures position
    page.get_by_role("link", name="Trade").click()

    page.get_by_label("Quantity").fill("0.00100")
    page.get_by_label("Price").fill("60000.005")  # off the 0.01 tick
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".violations li")).to_contain_text(["PRICE_FILTER"])
    expect(page.get_by_role("button", name="Place")).to_be_disabled()
    page.get_by_label("Price").fill("60000.00")
    check_then_place(page)

    shown_id = placed_id(page)
    opened = page.locator("table.open-orders tbody tr")
    expect(opened).to_have_count(1)
    expect(opened.locator("td").nth(0)).to_have_text(shown_id)
    (booked,) = fake.orders.orders()  # exactly one order reached the exchange, under the id the API documents
    assert booked["clientOrderId"] == f"u1-{shown_id}" and booked["status"] == "NEW"
    assert booked["price"] == Decimal("60000.00")
    assert len([r for r in fake.requests_to("/api/v3/order") if r.method == "POST"]) == 1
    shoot(page, "client-trade.png")

    page.get_by_role("button", name=f"Cancel order {shown_id}").click()

    expect(page.get_by_text("No open orders.")).to_be_visible()
    (cancelled,) = fake.orders.orders()
    assert cancelled["clientOrderId"] == f"u1-{shown_id}" and cancelled["status"] == "CANCELED"
    assert len([r for r in fake.requests_to("/api/v3/order") if r.method == "DELETE"]) == 1
    expect(page.locator("table.history tbody tr").first).to_contain_text("canceled")


def test_prices_change_on_the_page_as_the_stream_pushes_them_and_the_chart_draws_live_candles(stack, fake, streams):
    page, base = stack(streaming=True)
    page.goto(base + "/markets")
    eth = price_row(page, "ETHUSDT")
    expect(eth.locator(".source-name")).to_have_text("stream")

    streams.set_price("ETHUSDT", "3222.00000000")

    expect(eth.locator(".price")).to_have_text("3222.00000000")
    expect(eth.locator(".source-name")).to_have_text("stream")
    expect(page.locator("[data-stream]").first).to_have_attribute("data-stream", "open")
    shoot(page, "client-overview.png")

    page.get_by_role("link", name="BTCUSDT").click()
    chart = page.locator(".chart")
    expect(chart.locator("canvas").first).to_be_visible()
    wait_until(lambda: int(chart.get_attribute("data-candles") or 0) > 0, "the chart's candles", 20)
    assert int(chart.get_attribute("data-candles")) > 0
    streams.set_price("BTCUSDT", "67500.00000000")
    expect(chart).to_have_attribute("data-last-close", "67500.00000000")
    expect(page.locator("table.book.bids tbody tr")).not_to_have_count(0)
    shoot(page, "client-symbol.png")


def shown_age_s(row) -> float:
    return float(row.locator(".age").get_attribute("data-age-s"))


def served_age_s(base: str) -> float:
    """The age of the prices the gateway serves now, from their as_of (what the page should show)."""
    body = requests.get(base + "/api/binance/prices?symbols=BTCUSDT", timeout=30).json()
    return time.time() - datetime.fromisoformat(body["as_of"].replace("Z", "+00:00")).timestamp()


@pytest.mark.parametrize("fault, kwargs, state, words", [
    ("restricted", {}, "restricted", "refuses this location for spot (HTTP 451)"),
    ("banned", {"retry_after": 300}, "banned", "banned this IP for spot (HTTP 418)"),
])
def test_when_binance_restricts_or_bans_the_page_says_so_and_shows_stale_prices_with_their_age(
        stack, fake, fault, kwargs, state, words):
    page, base = stack(streaming=False)
    page.goto(base + "/markets")
    btc = price_row(page, "BTCUSDT")
    expect(btc.locator(".source-name")).to_have_text("live")  # the last known good is made here

    fake.add_fault(fault, market="spot", **kwargs)

    banner = page.locator(f".banner[data-market=spot][data-state={state}]")
    expect(banner).to_contain_text(words)
    expect(btc.locator(".source-name")).to_have_text("stale (not live)")
    expect(btc).to_have_class("not-current")
    expect(page.locator("table.balance tfoot .source-name")).to_have_text("stale (not live)")  # nothing says live
    # the age keeps counting on the page between events (it must not stick at the first render's)
    wait_until(lambda: shown_age_s(btc) > 3, "the shown age to pass 3 s", 30, detail=lambda: shown_age_s(btc))
    # The page ticks once a second; the gateway's workers each hold the last good copy they fetched or
    # read from the shared directory, written at most every 5 s: they may disagree by that much.
    assert abs(shown_age_s(btc) - served_age_s(base)) < 2.5 + 5
    shoot(page, f"client-{state}.png")


# ----- sessions, roles, the admin pages and the portfolio (issue 26) -----

ROOT_ADMIN = (ADMIN["ADMIN_USERNAME"], ADMIN["ADMIN_PASSWORD"])
REFRESH = "/api/auth/refresh"


def is_refresh(response) -> bool:
    return response.url.endswith(REFRESH) and response.request.method == "POST"


def kept_by_the_page(page) -> str:
    """Everything the page's scripts could keep a token in: Web Storage, the cookies they can read, IndexedDB."""
    return page.evaluate("""async () => JSON.stringify({
        local: Object.entries(localStorage), session: Object.entries(sessionStorage), cookies: document.cookie,
        indexedDB: (await indexedDB.databases()).map((db) => db.name) })""")


def refresh_cookie(page) -> str:
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "refresh"]
    assert cookie["httpOnly"] and cookie["path"] == "/api/auth" and cookie["sameSite"] == "Strict"
    return cookie["value"]


def cells(row) -> list[str]:
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def test_an_admin_lets_a_trader_in_who_stays_logged_in_across_a_reload_sees_the_account_and_meets_a_risk_limit(
        stack, fake):
    page, base = stack(streaming=False, gateway_env={"RISK_MAX_ORDER_NOTIONAL": "100"}, admin=ROOT_ADMIN)
    create_user(base, admin_login(base), "vic", "viewer")
    page.goto(base + "/")
    log_in(page, *ROOT_ADMIN)
    page.get_by_role("link", name="Users").click()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("select[name=new-role]").select_option("trader")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("combobox", name="Role of alice")).to_have_value("trader")
    shoot(page, "client-admin.png")
    page.get_by_role("link", name="Risk limits").click()
    notional = page.locator("tr[data-limit=max_order_notional]")
    expect(notional.locator(".in-force")).to_have_text("100 USDT")  # the setting's ceiling
    log_out(page)

    log_in(page, "alice")
    with page.expect_response(is_refresh) as refreshed:
        page.reload()
    assert refreshed.value.status == 200
    expect(page.get_by_test_id("who")).to_have_text("alice")  # still logged in after the reload
    expect(page.get_by_test_id("role")).to_have_text("trader")
    # the access token (a JWT: eyJ...) is nowhere a script could read it back: no storage holds anything at all
    assert kept_by_the_page(page) == '{"local":[],"session":[],"cookies":"","indexedDB":[]}'

    # the fake's account: BTC 0.1, USDT 1000, ETH 2 at its prices; a 0.01 BTC long from 65000 marked at 67012.34
    btc = page.locator("table.spot tr[data-asset=BTC]")
    expect(btc.locator(".value")).to_have_text("6701.234")  # 0.1 x 67012.34
    assert cells(btc)[:4] == ["0.1", "0", "67012.34", "6701.234"]
    expect(btc.locator(".source-name")).to_have_text("live")
    eth = page.locator("table.spot tr[data-asset=ETH]")
    assert cells(eth)[:4] == ["2", "0", "3456.78", "6913.56"]  # 2 x 3456.78
    assert cells(page.locator("table.spot tr[data-asset=USDT]"))[:5] == ["1000", "0", "1", "1000", "quote asset"]
    expect(page.get_by_test_id("spot-total")).to_have_text("14614.794")
    position = page.locator("table.positions tr[data-symbol=BTCUSDT]")
    assert cells(position) == ["LONG", "0.01", "65000", "67012.34", "20.1234", "62010", "20x", "670.1234"]
    expect(page.locator("[data-field=totalMarginBalance] dd")).to_have_text("10020.1234 USDT")
    expect(page.get_by_test_id("portfolio-total")).to_have_text("24634.9174")  # 14614.794 + 10020.1234
    shoot(page, "client-portfolio.png")

    page.get_by_role("link", name="Trade").click()
    expect(page.get_by_test_id("limits-in-force")).to_contain_text("largest order value 100 USDT")
    place(page, quantity="0.001", price="60000.00")  # 60 USDT: within the limit
    expect(page.locator("[data-outcome=placed]")).to_contain_text("placed")
    place(page, quantity="0.002", price="60000.00")  # 120 USDT: over it
    refusal = page.locator(".place-error [role=alert]")
    expect(refusal).to_have_text(
        "Refused by the risk limit max_order_notional (largest order value: 100 USDT). "
        "The order is worth 120 USDT, over the limit of 100 USDT. Nothing was sent to Binance.")
    (booked,) = fake.orders.orders()  # only the first reached the exchange
    assert booked["origQty"] == Decimal("0.001")

    log_out(page)
    page.reload()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()  # the cookie's login is over
    expect(page.get_by_test_id("who")).to_have_count(0)
    assert requests.post(base + REFRESH, headers={"X-Requested-With": "fetch"}, timeout=30).status_code == 401


def place(page, quantity: str, price: str) -> None:
    page.get_by_label("Quantity").fill(quantity)
    page.get_by_label("Price").fill(price)
    check_then_place(page)


def check_then_place(page) -> None:
    """The order form as filled in: checked (the filters accept it), then placed."""
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_text("Valid: the filters accept this order.")).to_be_visible()
    page.get_by_role("button", name="Place").click()


def placed_id(page) -> str:
    """The id of the order the page says it placed."""
    placed = page.locator("[data-outcome=placed]")
    expect(placed).to_contain_text("placed")
    return placed.inner_text().split()[1]


def test_a_viewer_sees_the_account_s_orders_without_an_order_form_or_cancel_and_the_server_refuses_their_placement(
        stack, fake):
    page, base = stack(streaming=False, admin=ROOT_ADMIN)
    admin = admin_login(base)
    alice = create_user(base, admin, "alice", "trader")
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001",
             "price": "60000", "clientOrderId": "dip-1"}
    placed = requests.post(base + "/direct-api/binance/orders", json=order, headers=alice, timeout=30)
    assert placed.status_code == 201, placed.text

    vic = create_user(base, admin, "vic", "viewer")  # and logged in: a token of the viewer's own

    page.goto(base + "/trade")
    log_in(page, "vic")
    expect(page.get_by_test_id("no-trading")).to_contain_text("You are a viewer")
    row = page.locator("table.open-orders tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("alice")  # placed by
    expect(page.get_by_role("heading", name="Place an order")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Cancel"))).to_have_count(0)
    expect(page.get_by_role("link", name="Users")).to_have_count(0)

    refused = requests.post(base + "/direct-api/binance/orders", json={**order, "clientOrderId": "vic-1"}, headers=vic,
                            timeout=30)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert len([r for r in fake.requests_to("/api/v3/order") if r.method == "POST"]) == 1  # alice's only


def test_a_refresh_cookie_replayed_after_the_browser_rotated_it_ends_that_login_for_thief_and_owner(stack):
    page, base = stack(streaming=False, admin=ROOT_ADMIN)
    admin = admin_login(base)
    create_user(base, admin, "alice", "trader")
    page.goto(base + "/")
    log_in(page, "alice")
    stolen = refresh_cookie(page)

    with page.expect_response(is_refresh) as rotated:
        page.reload()  # the browser's refresh spends the cookie and gets the next one
    assert rotated.value.status == 200
    expect(page.get_by_test_id("who")).to_have_text("alice")
    assert refresh_cookie(page) != stolen

    replayed = requests.post(base + REFRESH, headers={"X-Requested-With": "fetch", "Cookie": f"refresh={stolen}"},
                             timeout=30)
    assert replayed.status_code == 401 and replayed.json()["error"]["code"] == "refresh_token_reused"

    with page.expect_response(is_refresh) as refused:
        page.reload()  # the owner's current cookie belongs to the revoked family too
    assert refused.value.status == 401
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_test_id("who")).to_have_count(0)
    audit = requests.get(base + "/direct-api/binance/audit", headers=admin, timeout=30).json()
    assert [e["actor"] for e in audit["entries"] if e["action"] == "refresh_token_reused"] == ["user:alice"]


def test_a_gateway_without_an_admin_opens_on_the_setup_page_and_the_code_from_its_log_makes_the_first_admin(stack):
    page, base = stack(streaming=False, admin=None)
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="Create the first admin")).to_be_visible()
    code = re.search(r"One-time setup code: ([A-Z0-9-]+)", output_of(stack.express)).group(1)

    page.get_by_label("Setup code").fill(code)
    page.get_by_label("Admin username").fill("root")
    page.get_by_label("Admin password").fill("a long admin password")
    page.get_by_role("button", name="Create the admin").click()

    expect(page.get_by_test_id("who")).to_have_text("root")
    expect(page.get_by_test_id("role")).to_have_text("admin")
    page.reload()
    expect(page.get_by_role("link", name="Users")).to_be_visible()  # still logged in, as an admin
    assert requests.get(base + "/api/auth/setup", timeout=30).json() == {"needed": False}


def test_two_tabs_of_one_browser_reloaded_at_once_both_stay_logged_in(stack):
    page, base = stack(streaming=False, admin=ROOT_ADMIN)
    admin = admin_login(base)
    create_user(base, admin, "alice", "trader")
    page.goto(base + "/")
    log_in(page, "alice")
    tabs = [page, page.context.new_page()]
    tabs[1].goto(base + "/account")
    expect(tabs[1].get_by_test_id("who")).to_have_text("alice")

    for _ in range(3):  # the tabs share the refresh cookie: their refreshes must take turns, or the server sees reuse
        for tab in tabs:
            tab.evaluate("() => location.reload()")  # both on their way before either answers
        for tab in tabs:
            expect(tab.get_by_test_id("who")).to_have_text("alice")
    audit = requests.get(base + "/direct-api/binance/audit", headers=admin, timeout=30).json()
    assert [e for e in audit["entries"] if e["action"] == "refresh_token_reused"] == []


# ----- the trading screen, live (issue 27) -----

def live_stack(stack, streams):
    """A stack whose python_service follows the account's user data streams (spot over the fake's WebSocket API,
    futures over its listenKey stream), on what it calls the testnet; logged in as the admin "trader" on /trade,
    once the page's account stream is open and both user data streams are up."""
    page, base = stack(streaming=True,
                       gateway_env={"BINANCE_WS_API_URL": streams.ws_api_url, "BINANCE_TESTNET": "true"})
    page.goto(base + "/trade")
    log_in(page, "trader")
    live = page.get_by_test_id("account-stream")
    expect(live).to_have_attribute("data-stream", "open")
    expect(live).to_contain_text("spot up")
    expect(live).to_contain_text("futures up")
    expect(page.get_by_test_id("network-badge")).to_have_text("TESTNET")
    return page, base


def reads_of(page, paths: tuple[str, ...]) -> list[str]:
    """Every GET of `paths` the page sends from now on (a list that grows)."""
    seen = []

    def note(request):
        if request.method == "GET" and request.url.split("?")[0].endswith(paths):
            seen.append(request.url)
    page.on("request", note)
    return seen


def test_a_trader_s_limit_order_fills_at_the_exchange_and_the_row_turns_filled_and_the_balance_changes_without_a_reload(
        stack, fake, streams):
    page, base = live_stack(stack, streams)
    btc = page.locator("table.balances tr[data-asset=BTC]")
    expect(btc.locator(".free")).to_have_text("0.1")  # the fake's wallet: BTC 0.1, USDT 1000
    page.evaluate("() => { window.notReloaded = true; }")

    place(page, quantity="0.00100", price="60000.00")  # below the fake's 67012.34: it rests
    shown_id = placed_id(page)
    row = page.locator(f"table.history tr[data-order-id={shown_id}]")
    expect(row.locator(".status")).to_have_text("NEW")
    expect(page.locator("table.balances tr[data-asset=USDT] .locked")).to_have_text("60")  # pushed: the order locks it
    reads = reads_of(page, ("/direct-api/binance/orders", "/direct-api/binance/portfolio"))

    streams.set_price("BTCUSDT", "59000.00000000")  # the market comes down through the order's price
    fake.orders.match()

    expect(row).to_have_attribute("data-status", "FILLED")
    expect(row.locator(".filled")).to_have_text("0.001")
    expect(row.locator(".fills")).to_have_text("1")
    (booked,) = fake.orders.orders()
    assert booked["clientOrderId"] == f"u1-{shown_id}" and booked["status"] == "FILLED"
    free_btc = fake.orders.balances["BTC"]["free"]  # 0.1 + 0.001 less the fake's 0.1 % commission
    assert free_btc == Decimal("0.100999")
    expect(btc.locator(".free")).to_have_text("0.100999")
    expect(page.locator("table.balances tr[data-asset=USDT] .locked")).to_have_text("0")
    expect(page.locator("table.open-orders")).to_have_count(0)
    # all of it pushed through the account stream: the page neither reloaded nor read the orders or balances again
    assert page.evaluate("() => window.notReloaded") is True
    assert reads == []
    assert len([r for r in fake.requests_to("/api/v3/order") if r.method == "POST"]) == 1
    shoot(page, "client-trading.png")


def test_a_trader_opens_a_futures_position_changes_its_leverage_and_closes_it_and_sees_a_margin_call(
        stack, fake, streams):
    page, base = live_stack(stack, streams)
    page.get_by_label("Find a symbol").fill("eth")
    page.get_by_role("list", name="Matching symbols").get_by_role("button", name="ETHUSDT", exact=True).click()
    expect(page.get_by_test_id("chosen-symbol")).to_have_text("ETHUSDT")
    page.get_by_role("button", name="USDT-M futures").click()

    page.get_by_label("Quantity").fill("0.5")
    page.get_by_role("button", name="Place").click()  # MARKET BUY: the fake fills it at once
    expect(page.locator("[data-outcome=placed]")).to_contain_text("placed")
    position = page.locator("table.positions tr[data-symbol=ETHUSDT]")
    expect(position.locator(".side")).to_have_text("LONG")
    expect(position.locator(".size")).to_have_text("0.5")
    assert fake.orders.positions["ETHUSDT"]["amt"] == Decimal("0.5")

    page.get_by_role("textbox", name="Leverage").fill("500")  # over Binance's 125: said on the page, nothing sent
    page.get_by_role("button", name="Set the leverage").click()
    expect(page.get_by_text("The leverage is a whole number from 1 to 125.")).to_be_visible()
    page.get_by_role("textbox", name="Leverage").fill("5")
    page.get_by_role("button", name="Set the leverage").click()
    expect(page.get_by_test_id("leverage-set")).to_contain_text("Leverage on ETHUSDT is now 5x")
    expect(position.locator(".leverage")).to_have_text("5x")
    assert fake.orders.leverage["ETHUSDT"] == 5
    assert [r.method for r in fake.requests_to("/fapi/v1/leverage")] == ["POST"]

    fake.orders.margin_call("ETHUSDT")
    expect(page.get_by_test_id("margin-call")).to_contain_text("Margin call")
    expect(page.get_by_test_id("margin-call")).to_contain_text("ETHUSDT")
    shoot(page, "client-futures.png")

    page.get_by_role("button", name="Close the ETHUSDT position").click()
    expect(page.get_by_test_id("position-closed")).to_contain_text("placed")
    expect(position).to_have_count(0)
    assert fake.orders.positions["ETHUSDT"]["amt"] == 0
    placed = [r for r in fake.requests_to("/fapi/v1/order") if r.method == "POST"]
    assert [(r.params["side"], r.params["type"], r.params.get("reduceOnly")) for r in placed] == [
        ("BUY", "MARKET", None), ("SELL", "MARKET", "true")]


def test_a_trader_places_a_stop_loss_limit_order_checked_first_and_sees_it_open_with_its_trigger(stack, fake, streams):
    page, base = live_stack(stack, streams)
    fake.list_odd_symbols()  # futures' 币安人生USDT among them: a symbol typed whole, added to the server's watchlist
    page.get_by_label("Find a symbol").fill("币安人生usdt")
    page.get_by_role("button", name=re.compile("^Trade 币安人生USDT")).click()
    page.get_by_role("button", name="Add 币安人生USDT to the watchlist").click()
    expect(page.locator("ul.watchlist li").last).to_have_attribute("data-symbol", "币安人生USDT")
    saved = requests.get(base + "/direct-api/watchlist", headers=login(base, "trader", PASSWORD), timeout=30).json()
    assert saved["symbols"][-1] == "币安人生USDT"
    page.get_by_role("button", name="BTCUSDT", exact=True).click()  # back to BTCUSDT, from the watchlist
    expect(page.get_by_test_id("chosen-symbol")).to_have_text("BTCUSDT")

    page.get_by_label("Side").select_option("SELL")
    page.get_by_label("Type").select_option("STOP_LOSS_LIMIT")
    page.get_by_label("Quantity").fill("0.001")
    page.get_by_label("Price", exact=True).fill("59900.00")
    page.get_by_label("Trigger at").fill("60000.00")
    check_then_place(page)
    shown_id = placed_id(page)

    row = page.locator(f"table.open-orders tr[data-order-id={shown_id}]")
    expect(row).to_contain_text("STOP_LOSS_LIMIT")
    expect(row.locator(".stop")).to_have_text("60000")
    expect(page.locator(f"table.history tr[data-order-id={shown_id}] .status")).to_have_text("NEW")
    (booked,) = fake.orders.orders()
    assert (booked["type"], booked["side"], booked["stopPrice"], booked["price"]) == (
        "STOP_LOSS_LIMIT", "SELL", Decimal("60000.00"), Decimal("59900.00"))
    (sent,) = [r for r in fake.requests_to("/api/v3/order") if r.method == "POST"]
    assert (sent.params["type"], sent.params["timeInForce"], sent.params["stopPrice"]) == ("STOP_LOSS_LIMIT", "GTC",
                                                                                            "60000.00")
