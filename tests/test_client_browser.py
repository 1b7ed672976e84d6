"""The React client as a person uses it: Debian's Chromium driven by Playwright, against the
real processes (gunicorn python_service, node express_api serving client/dist) and the fake
exchange with its websocket streams. What the person did is asserted at the fake as well."""
import shutil
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from tests.support.exchange import API_KEY, API_SECRET, FIXTURE_FALLBACK
from tests.support.ports import closed_port
from tests.support.processes import ROOT, start_express, start_gateway, stop, wait_until_up
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


@pytest.fixture
def stack(fake, streams, tmp_path):
    """Starts the stack; `start(streaming=...)` returns (page, base url)."""
    assert (ROOT / "client" / "dist" / "index.html").exists(), "client/dist is missing: `make test` builds it"
    chromium = shutil.which("chromium")
    assert chromium, "chromium is missing: `make test` installs it (Debian package chromium)"
    processes, browsers = [], []
    expect.set_options(timeout=WAIT_MS)  # expect's own default (5 s) is shorter than a status poll on a busy machine
    playwright = sync_playwright().start()

    def start(streaming: bool = True):
        gateway_port, api_port = closed_port(), closed_port()
        gateway = start_gateway({
            "BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
            "BINANCE_WS_URL": streams.url, "BINANCE_FUTURES_WS_URL": streams.futures_url,
            "STREAMS_ENABLED": "true" if streaming else "false", "RESTRICTION_COOLDOWN_S": "1",
            "BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": API_SECRET, "TRADING_ENABLED": "true",
            "ORDER_JOURNAL_PATH": str(tmp_path / "orders.sqlite3"), "INTERNAL_API_TOKEN": "tok-browser",
            "FALLBACK_DATA_DIR": str(FIXTURE_FALLBACK)}, gateway_port)
        processes.append(gateway)
        api = start_express({"PYTHON_SERVICE_URL": f"http://127.0.0.1:{gateway_port}",
                             "INTERNAL_API_TOKEN": "tok-browser",
                             # the first admin (user id 1), the one who trades here
                             "ADMIN_USERNAME": "trader", "ADMIN_PASSWORD": PASSWORD,
                             "JWT_SECRET": "client-browser-secret-0123456789abcdef"}, api_port)
        processes.append(api)
        base = f"http://127.0.0.1:{api_port}"
        wait_until_up(f"http://127.0.0.1:{gateway_port}/api/status", gateway)
        wait_until_up(base + "/api/openapi.json", api)
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        browsers.append(browser)
        page = browser.new_page(viewport={"width": 1100, "height": 1000})
        page.set_default_timeout(WAIT_MS)
        return page, base

    yield start
    for browser in browsers:
        browser.close()
    playwright.stop()
    for proc in processes:
        stop(proc)


def log_in(page, username: str) -> None:
    page.get_by_role("link", name="Account").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("who")).to_have_text(username)


def price_row(page, symbol: str):
    return page.locator(f"tr[data-symbol={symbol}]")


def test_a_person_logs_in_places_a_limit_order_once_sees_it_open_and_cancels_it(stack, fake):
    page, base = stack(streaming=False)
    page.goto(base + "/")
    log_in(page, "trader")  # the token lives in memory: from here on the person moves by links, as the app does
    page.get_by_role("link", name="Trade").click()
    expect(page.locator("table.positions tbody tr")).to_have_count(1)  # the fake's one futures position

    page.get_by_label("Quantity").fill("0.00100")
    page.get_by_label("Price").fill("60000.005")  # off the 0.01 tick
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".violations li")).to_contain_text(["PRICE_FILTER"])
    expect(page.get_by_role("button", name="Place")).to_be_disabled()
    page.get_by_label("Price").fill("60000.00")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_text("Valid: the filters accept this order.")).to_be_visible()
    page.get_by_role("button", name="Place").click()

    placed = page.locator("[data-outcome=placed]")
    expect(placed).to_contain_text("placed")
    shown_id = placed.inner_text().split()[1]
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
    page.goto(base + "/")
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
    page.goto(base + "/")
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
