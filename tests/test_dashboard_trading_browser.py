"""Trading on the dashboard as a person does it, in headless Chromium against the real
processes and the fake exchange: log in, see the futures positions, check an order
(the filters' verdict shows before it can be placed), place it, see it open."""
import shutil
from decimal import Decimal

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from tests.conftest import API_KEY, API_SECRET, FIXTURE_FALLBACK, closed_port
from tests.processes import start_express, start_gateway, stop, wait_until_up
from tests.test_dashboard_browser import CHROMIUM_ARGS, shoot


@pytest.fixture
def trading_page(fake, tmp_path):
    gateway_port, api_port = closed_port(), closed_port()
    gateway = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                             "BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": API_SECRET, "TRADING_ENABLED": "true",
                             "ORDER_JOURNAL_PATH": str(tmp_path / "orders.sqlite3"), "INTERNAL_API_TOKEN": "tok-42",
                             "FALLBACK_DATA_DIR": str(FIXTURE_FALLBACK)}, gateway_port)
    api = start_express({"PYTHON_SERVICE_URL": f"http://127.0.0.1:{gateway_port}", "INTERNAL_API_TOKEN": "tok-42",
                         "JWT_SECRET": "dashboard-trading-secret-0123456789abcdef"}, api_port)
    chromium = shutil.which("chromium")
    assert chromium, "chromium is missing: `make test` installs it (Debian package chromium)"
    base = f"http://127.0.0.1:{api_port}"
    try:
        wait_until_up(f"http://127.0.0.1:{gateway_port}/api/status", gateway)
        wait_until_up(base + "/api/openapi.json", api)
        credentials = {"username": "trader", "password": "a long trading password"}
        assert requests.post(base + "/api/auth/register", json=credentials, timeout=30).status_code == 201
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            yield page, base, credentials
            browser.close()
    finally:
        stop(api)
        stop(gateway)


def test_a_logged_in_user_checks_an_order_sees_the_violation_fixes_it_places_it_once_and_sees_it_open(
        trading_page, fake):
    page, base, credentials = trading_page
    page.goto(base + "/?refresh=60")
    page.fill("#login-username", credentials["username"])
    page.fill("#login-password", credentials["password"])
    page.click("#login button")

    expect(page.locator("#who")).to_have_text("trader")
    position = page.locator("#positions tbody tr")
    expect(position).to_have_count(1, timeout=20_000)  # the first signed calls (a clock sync) on a busy machine
    expect(position.locator("td").nth(0)).to_have_text("BTCUSDT")
    expect(position.locator("td").nth(6)).to_have_text("20")

    page.select_option("#o-type", "LIMIT")
    page.fill("#o-quantity", "0.00100")
    page.fill("#o-price", "60000.005")  # off the 0.01 tick
    page.click("#check")
    expect(page.locator("#violations li")).to_contain_text(["PRICE_FILTER"])
    expect(page.locator("#place")).to_be_disabled()

    page.fill("#o-price", "60000.00")
    page.click("#check")
    expect(page.locator("#check-result")).to_contain_text("Valid")
    expect(page.locator("#place")).to_be_enabled()
    page.click("#place")

    expect(page.locator("#place-result")).to_contain_text("placed")
    opened = page.locator("#open-orders tbody tr")
    expect(opened).to_have_count(1)
    expect(opened.locator("td").nth(4)).to_have_text("60000.00000000")
    shoot(page, "dashboard-trading.png")
    (booked,) = fake.orders.orders()
    assert booked["clientOrderId"].startswith("u1-") and booked["price"] == Decimal("60000.00")
