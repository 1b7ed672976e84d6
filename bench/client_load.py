#!/usr/bin/env python3
"""The React client's weight and first load, against the real stack on loopback (the fake
exchange and its streams, gunicorn python_service, express_api serving client/dist; never Binance).

    .venv/bin/python bench/client_load.py [--runs 16]

Reports:
  bundle     every JS file of client/dist/assets, raw and gzipped (level 9, what a compressing
             proxy would send; express_api itself sends them uncompressed); goal: gzipped JS <= 250 kB
  first load per run, a new browser context (an empty cache, as a first visit), Debian's Chromium:
             fcp        the first contentful paint (the browser's own 'paint' entry)
             prices     first meaningful paint: the moment the first price appears in the price
                        table (a MutationObserver started before the page's own scripts)
             goal: prices <= 1 s
Needs `make run` (or `make test`) once before: the built client and the installed packages.
"""
from __future__ import annotations

import argparse
import gzip
import http.server
import shutil
import statistics
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository root

from playwright.sync_api import sync_playwright

from bench.common import fake_roots
from tests.fake_binance import FakeBinance
from tests.fake_binance.streams import FakeStreams
from tests.support.ports import closed_port
from tests.support.processes import ROOT, start_express, start_gateway, stop, wait_until_up

CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
# Runs before the page's scripts: the time at which a price first shows in the table.
WATCH_PRICES = """
new MutationObserver((changes, observer) => {
  const cell = document.querySelector('tr[data-symbol] .price');
  if (cell && /[0-9]/.test(cell.textContent)) {
    window.__pricesShownAt = performance.now();
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true, characterData: true });
"""
READ_TIMES = """[performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
  window.__pricesShownAt ?? null]"""


def bundle() -> list[tuple[str, int, int]]:
    assets = ROOT / "client" / "dist" / "assets"
    if not assets.is_dir():
        raise SystemExit("client/dist is missing: run `make run` or `cd client && npm run build` first")
    return [(path.name, len(data), len(gzip.compress(data, 9)))
            for path in sorted(assets.glob("*.js")) for data in [path.read_bytes()]]


class OneLinePage(http.server.BaseHTTPRequestHandler):
    """The baseline: what the browser alone costs for a first paint of one line of text."""

    def do_GET(self):
        body = b"<!doctype html><title>baseline</title><table><tr data-symbol><td class=price>1</td></tr></table>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def first_loads(base: str, runs: int) -> list[tuple[float, float]]:
    chromium = shutil.which("chromium") or sys.exit("chromium is missing (Debian package chromium)")
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for _ in range(runs + 1):  # the first run warms the gateway's cache and the browser process
            context = browser.new_context(viewport={"width": 1100, "height": 900})
            page = context.new_page()
            page.add_init_script(WATCH_PRICES)
            page.goto(base)
            seen = [None, None]
            for _ in range(3000):  # polled from here: the page's CSP forbids Playwright's in-page wait
                seen = page.evaluate(READ_TIMES)
                if None not in seen:
                    break
                page.wait_for_timeout(10)
            if None in seen:
                raise SystemExit(f"{base}: no first paint or no price within 30 s: {seen}")
            fcp, shown_at = seen
            times.append((fcp, shown_at))
            context.close()
        browser.close()
    return times[1:]


def spread(values: list[float]) -> str:
    return f"min {min(values):7.1f}  median {statistics.median(values):7.1f}  max {max(values):7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=16, help="first visits of each page (client and baseline)")
    args = parser.parse_args()

    files = bundle()
    total_raw, total_gz = sum(f[1] for f in files), sum(f[2] for f in files)
    for name, raw, gz in files:
        print(f"bundle  {name:40s} {raw / 1000:8.1f} kB raw  {gz / 1000:7.1f} kB gzipped")
    print(f"bundle  all JS: {total_raw / 1000:.1f} kB raw, {total_gz / 1000:.1f} kB gzipped "
          f"(goal <= 250 kB gzipped: {'met' if total_gz <= 250_000 else 'MISSED'})")

    fake = FakeBinance().start()
    streams = FakeStreams(fake).start()
    gateway_port, api_port = closed_port(), closed_port()
    gateway = start_gateway({**fake_roots(fake.url, streams.url), "STREAMS_ENABLED": "true"}, gateway_port)
    api = start_express({"PYTHON_SERVICE_URL": f"http://127.0.0.1:{gateway_port}",
                         "JWT_SECRET": "bench-client-load-0123456789abcdefghij"}, api_port)
    try:
        wait_until_up(f"http://127.0.0.1:{gateway_port}/api/status", gateway, 120)
        wait_until_up(f"http://127.0.0.1:{api_port}/api/openapi.json", api, 120)
        baseline_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OneLinePage)
        threading.Thread(target=baseline_server.serve_forever, daemon=True).start()
        baseline, times = [], []
        for half in (args.runs // 2, args.runs - args.runs // 2):  # interleaved halves: both see the same machine
            baseline += first_loads(f"http://127.0.0.1:{baseline_server.server_port}/", half)
            times += first_loads(f"http://127.0.0.1:{api_port}/markets", half)  # "/" is the login page now
        baseline_server.shutdown()
    finally:
        stop(api)
        stop(gateway)
        streams.stop()
        fake.stop()
    print(f"load    {len(times)} first visits of the client, {len(baseline)} of a one-line page, interleaved, "
          "a new context each, loopback:")
    print(f"load    baseline fcp {spread([t[0] for t in baseline])}")
    print(f"load    client fcp   {spread([t[0] for t in times])}")
    prices = [t[1] for t in times]
    ratio = statistics.median(prices) / statistics.median([t[0] for t in baseline])
    print(f"load    client prices shown / baseline fcp, medians: {ratio:.2f}")
    print(f"load    client prices {spread(prices)} (goal <= 1000 ms: "
          f"{'met' if statistics.median(prices) <= 1000 else 'MISSED'} at the median, max {max(prices):.0f} ms)")


if __name__ == "__main__":
    main()
