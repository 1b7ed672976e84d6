#!/usr/bin/env python3
"""Fill-to-browser latency: from the fake exchange sending a fill on the account's user data
stream to the SSE event that carries it, at python_service and at express_api, in one run
(against the fake exchange and its websocket side on loopback, never Binance).

    .venv/bin/python bench/fill_latency.py [--fills 300] [--per-s 40] [--workers 4]

The fake runs in this process, so the moment it sends each fill (its user data stream's
`executionReport` / `ORDER_TRADE_UPDATE` of execution TRADE) and the moment each reader
receives the event are read on one clock (time.perf_counter). python_service runs under
gunicorn with `--workers` gevent workers (one of them owns the user data streams, the others
follow through the host store); express_api in front of it. Two readers listen at once:
  python_service  GET /api/binance/stream/account          (X-Internal-Token)
  express_api     GET /direct-api/binance/stream/account   (a viewer's session, as the browser)
Spot fills are partial fills of a resting LIMIT order (the fake's fill_partially), futures fills
MARKET orders sent to the fake's /fapi/v1/order; they alternate, `--per-s` a second.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository root

from tests.fake_binance import FakeBinance
from tests.fake_binance.streams import FakeStreams
from tests.support.exchange import API_KEY, API_SECRET, now_ms, signed
from tests.support.express_users import ADMIN, admin_login, create_user
from tests.support.ports import closed_port
from tests.support.processes import INTERNAL_TOKEN, start_express, start_gateway, stop, wait_until_up
from tests.support.waiting import wait_until

SPOT_ORDER = "bench-resting"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


class Sent:
    """When the fake sent each fill: {(market, clientOrderId, tradeId): perf_counter}."""

    def __init__(self, fake: FakeBinance):
        self.at: dict[tuple, float] = {}
        user_data = fake.user_data
        spot, futures = user_data.spot_event, user_data.futures_event

        def spot_event(event: dict) -> None:
            if event.get("e") == "executionReport" and event.get("x") == "TRADE":
                self.at[("spot", event["c"], event["t"])] = time.perf_counter()
            spot(event)

        def futures_event(event: dict) -> None:
            order = event.get("o") or {}
            if event.get("e") == "ORDER_TRADE_UPDATE" and order.get("x") == "TRADE":
                self.at[("futures", order["c"], order["t"])] = time.perf_counter()
            futures(event)

        user_data.spot_event, user_data.futures_event = spot_event, futures_event


class Reader(threading.Thread):
    """Reads one SSE answer; notes when each fill's `account` event arrived."""

    def __init__(self, name: str, url: str, headers: dict):
        super().__init__(daemon=True, name=name)
        self.url, self.headers = url, headers
        self.at: dict[tuple, float] = {}
        self.streams_up = threading.Event()
        self.response: requests.Response | None = None

    def run(self) -> None:
        self.response = requests.get(self.url, headers=self.headers, stream=True, timeout=(5, 600))
        self.response.raise_for_status()
        event = None
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    self._data(event, json.loads(line[5:]))
        except (requests.RequestException, AttributeError, ValueError):  # closed by close() at the end
            pass

    def _data(self, event: str | None, data: dict) -> None:
        now = time.perf_counter()
        if event == "user_streams" and data.get("spot") == "up" and data.get("futures") == "up":
            self.streams_up.set()
        fill = data.get("fill") if event == "account" and data.get("type") == "order" else None
        if fill:
            self.at.setdefault((data["market"], data["clientOrderId"], fill["tradeId"]), now)

    def close(self) -> None:
        if self.response is not None:
            self.response.close()


def futures_market_order(base: str, n: int) -> None:
    query = urllib.parse.urlencode({"symbol": "BTCUSDT", "side": "BUY" if n % 2 else "SELL", "type": "MARKET",
                                    "quantity": "0.001", "newClientOrderId": f"bench-f{n}",
                                    "timestamp": now_ms()})
    answer = requests.post(f"{base}/fapi/v1/order?{signed(query)}", headers={"X-MBX-APIKEY": API_KEY}, timeout=10)
    answer.raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fills", type=int, default=300, help="fills in all, spot and futures alternating")
    parser.add_argument("--per-s", type=float, default=40.0, help="fills per second")
    parser.add_argument("--workers", type=int, default=4, help="python_service's gunicorn workers")
    args = parser.parse_args()

    fake = FakeBinance(api_keys={API_KEY: API_SECRET}).start(0)
    streams = FakeStreams(fake).start(0)
    sent = Sent(fake)
    gateway_port, express_port = closed_port(), closed_port()
    gateway_url, express_url = f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{express_port}"
    logs = tempfile.mkdtemp(prefix="bench-fills-")
    gateway = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                             "BINANCE_WS_URL": streams.url, "BINANCE_FUTURES_WS_URL": streams.futures_url,
                             "BINANCE_WS_API_URL": streams.ws_api_url, "BINANCE_API_KEY": API_KEY,
                             "BINANCE_API_SECRET": API_SECRET, "STREAMS_ENABLED": "true",
                             "GUNICORN_WORKERS": str(args.workers)}, gateway_port, output=f"{logs}/gateway.log")
    express = start_express({"PYTHON_SERVICE_URL": gateway_url, "JWT_SECRET": "bench-jwt-secret-0123456789abcdef",
                             **ADMIN}, express_port, output=f"{logs}/express.log")
    readers: list[Reader] = []
    try:
        wait_until_up(gateway_url + "/api/status", gateway, 120)
        wait_until_up(express_url + "/api/openapi.json", express, 120)
        viewer = create_user(express_url, admin_login(express_url), "bench-viewer", "viewer")
        readers = [Reader("python_service", gateway_url + "/api/binance/stream/account",
                          {"X-Internal-Token": INTERNAL_TOKEN}),
                   Reader("express_api", express_url + "/direct-api/binance/stream/account", viewer)]
        for reader in readers:
            reader.start()
        for reader in readers:
            wait_until(lambda r=reader: r.streams_up.is_set(), f"{reader.name}'s user_streams up", 60)
        # a resting spot order the spot fills take from (BUY 0.01 BTC at 50,000: 500 USDT locked)
        query = urllib.parse.urlencode({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                                        "quantity": "0.01", "price": "50000", "newClientOrderId": SPOT_ORDER,
                                        "timestamp": now_ms()})
        requests.post(f"{fake.url}/api/v3/order?{signed(query)}", headers={"X-MBX-APIKEY": API_KEY},
                      timeout=10).raise_for_status()
        time.sleep(1.0)  # the order's NEW event delivered before the clock starts

        interval, started = 1.0 / args.per_s, time.perf_counter()
        for n in range(args.fills):
            time.sleep(max(0.0, started + n * interval - time.perf_counter()))
            if n % 2 == 0:
                fake.orders.fill_partially(SPOT_ORDER, "0.00001")
            else:
                futures_market_order(fake.url, n)
        wanted = set(sent.at)
        for reader in readers:
            wait_until(lambda r=reader: wanted <= set(r.at), f"{reader.name} to get every fill", 30,
                       detail=lambda r=reader: f"{len(wanted - set(r.at))} of {len(wanted)} missing")
        report(args, sent, readers)
    finally:
        for reader in readers:
            reader.close()
        for proc in (express, gateway):
            stop(proc)
        streams.stop()
        fake.stop()


def report(args, sent: Sent, readers: list[Reader]) -> None:
    print(f"fills: {len(sent.at)} ({args.per_s:g}/s, spot and futures alternating); python_service: "
          f"{args.workers} gevent workers; {os.cpu_count()} cores")
    print(f"{'reader':<16}{'market':<9}{'n':>5}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for reader in readers:
        for market in ("spot", "futures", "both"):
            lags = [(reader.at[key] - at) * 1000 for key, at in sent.at.items()
                    if market in ("both", key[0]) and key in reader.at]
            print(f"{reader.name:<16}{market:<9}{len(lags):>5}{pct(lags, .5):>9.2f}{pct(lags, .9):>9.2f}"
                  f"{pct(lags, .99):>9.2f}{max(lags):>9.2f}")


if __name__ == "__main__":
    main()
