#!/usr/bin/env python3
"""N order placements through a real gunicorn gateway while the fake exchange loses
answers, and the count of orders the fake booked at the end (it must be exactly N).

    .venv/bin/python bench/orders.py [--orders 200] [--clients 8]

Fault schedule, on the fake's /api/v3/order (every fifth request of each kind):
  hold   booked, answer held past BINANCE_TIMEOUT_S (the gateway times out)
  reset  booked, then the connection is reset
  503    booked, then Binance's HTML 503
  reset-before / 503-before   the request is refused before booking (on a POST or a query)
A client that gets `unknown` (202) repeats the same request with the same clientOrderId
after Retry-After; here the fake's clock is moved past recvWindow instead of waiting.
"""
from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository root

from tests.fake_binance import FakeBinance
from tests.support.exchange import API_KEY, API_SECRET, FIXTURE_FALLBACK
from tests.support.ports import closed_port
from tests.support.processes import INTERNAL_TOKEN, start_gateway, stop, wait_until_up


def schedule(fake: FakeBinance, orders: int) -> dict:
    share = max(1, orders // 5)
    for mode in ("hold", "reset", "503"):
        fake.orders.drop_answers(mode, share)
    fake.add_fault("reset", route="/api/v3/order", times=share)
    fake.add_fault("server_error", route="/api/v3/order", status=503, times=share)
    return {"hold": share, "reset": share, "503": share, "reset-before": share, "503-before": share}


def place(url: str, number: int) -> requests.Response:
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.00100",
             "clientOrderId": f"bench-{number}"}
    return requests.post(url + "/api/binance/orders", json=order, timeout=60,
                         headers={"X-Internal-Token": INTERNAL_TOKEN})


def run(orders: int, clients: int) -> dict:
    fake = FakeBinance(api_keys={API_KEY: API_SECRET}).start()
    port = closed_port()
    journal = Path(tempfile.mkdtemp(prefix="bench-orders-")) / "orders.sqlite3"
    proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                          "BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": API_SECRET, "TRADING_ENABLED": "true",
                          "ORDER_JOURNAL_PATH": str(journal), "BINANCE_TIMEOUT_S": "1",
                          "FALLBACK_DATA_DIR": str(FIXTURE_FALLBACK), "BREAKER_THRESHOLD": "1000000"}, port)
    url = f"http://127.0.0.1:{port}"
    statuses: collections.Counter = collections.Counter()
    lock = threading.Lock()
    try:
        wait_until_up(url + "/api/status", proc, 60)
        injected = schedule(fake, orders)
        started = time.perf_counter()
        pending, rounds = list(range(orders)), 0
        while pending and rounds < 10:
            rounds += 1
            with ThreadPoolExecutor(clients) as pool:
                answers = list(pool.map(lambda n: (n, place(url, n)), pending))
            with lock:
                statuses.update(r.status_code for _, r in answers)
            pending = [n for n, r in answers if r.status_code != 201 and r.status_code != 200]
            if pending:
                fake.server_time_offset_ms += 60_000  # instead of waiting out Retry-After
        elapsed = time.perf_counter() - started
    finally:
        fake.orders.release()
        stop(proc)
        fake.stop()
    booked = fake.orders.orders()
    ids = collections.Counter(o["clientOrderId"] for o in booked)
    return {"orders": orders, "clients": clients, "injected": injected, "rounds": rounds,
            "answers": dict(statuses), "booked": len(booked), "distinct": len(ids),
            "duplicates": sum(c - 1 for c in ids.values()), "unplaced": len(pending),
            "posts_at_fake": len([r for r in fake.requests_to("/api/v3/order") if r.method == "POST"]),
            "queries_at_fake": len([r for r in fake.requests_to("/api/v3/order") if r.method == "GET"]),
            "elapsed_s": round(elapsed, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    result = run(args.orders, args.clients)
    for key, value in result.items():
        print(f"{key:>16}: {value}")
    exact = result["booked"] == result["orders"] == result["distinct"] and result["duplicates"] == 0
    print("exactly once:", "yes" if exact else "NO")
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
