"""The status dashboard as a person sees it, in headless Chromium (Debian's
chromium, driven by Playwright), against the three real processes."""
import shutil
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from tests.conftest import closed_port
from tests.processes import ROOT, start_express, start_gateway, stop, wait_until_up

SCREENSHOTS = ROOT / "test-output"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def dashboard(fake):
    gateway_port, api_port = closed_port(), closed_port()
    gateway = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                             "RESTRICTION_COOLDOWN_S": "1"}, gateway_port)
    api = start_express({"PYTHON_SERVICE_URL": f"http://127.0.0.1:{gateway_port}",
                         "JWT_SECRET": "dashboard-secret-0123456789abcdefghij"}, api_port)
    chromium = shutil.which("chromium")
    assert chromium, "chromium is missing: `make test` installs it (Debian package chromium)"
    try:
        wait_until_up(f"http://127.0.0.1:{gateway_port}/api/status", gateway)
        wait_until_up(f"http://127.0.0.1:{api_port}/api/openapi.json", api)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            yield page, f"http://127.0.0.1:{api_port}"
            browser.close()
    finally:
        stop(api)
        stop(gateway)


def shoot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_when_binance_answers_451_a_person_sees_the_banner_fallback_prices_and_the_total(dashboard, fake):
    page, base = dashboard
    fake.add_fault("restricted")
    expected_total = requests.get(base + "/direct-api/binance/demo-balance", timeout=10).json()["total_usdt"]

    page.goto(base + "/?refresh=1")

    banner = page.locator("#banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("refuses this location (HTTP 451)")
    expect(page.locator("#state")).to_have_text("restricted")
    rows = page.locator("#prices tbody tr")
    expect(rows).to_have_count(5)
    expect(page.locator("#prices tbody tr[data-symbol=BTCUSDT] .source")).to_have_text("fallback")
    assert set(page.locator("#prices tbody .source").all_inner_texts()) == {"fallback"}
    expect(page.locator("#total")).to_have_text(expected_total)
    expect(page.locator("#balance-note")).to_contain_text("fallback snapshot")
    assert shoot(page, "dashboard-restricted.png").stat().st_size > 10_000


def test_when_binance_recovers_the_page_refreshes_by_itself_to_live_prices(dashboard, fake):
    page, base = dashboard
    fake.add_fault("restricted")
    page.goto(base + "/?refresh=1")
    expect(page.locator("#banner")).to_be_visible()

    fake.faults.clear()  # the gateway re-probes after its 1 s cool-down; the page polls every second

    expect(page.locator("#banner")).to_be_hidden(timeout=15_000)
    expect(page.locator("#prices tbody tr[data-symbol=ETHUSDT] td").nth(1)).to_have_text(fake.prices["ETHUSDT"])
    expect(page.locator("#prices tbody tr[data-symbol=ETHUSDT] .source")).to_have_text("live", timeout=10_000)
    expect(page.locator("#state")).to_have_text("ok")
    assert int(page.evaluate("document.body.dataset.refreshed")) >= 2
    shoot(page, "dashboard-live.png")
