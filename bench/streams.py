#!/usr/bin/env python3
"""Freshness and weight of served prices, websocket streams on vs off, in one run
(against the fake exchange and its fake streams on loopback, never Binance).

    .venv/bin/python bench/streams.py [--seconds 20] [--clients 64] [--changes-per-s 4]

For each mode it starts the gateway (gunicorn, the embedded default: 1 worker, 8 threads),
lets `--clients` threads ask /api/binance/price/<S> for five symbols as fast as they can,
and changes one of those prices on the fake every 1/changes-per-s seconds. It reports:
  staleness  per answer: 0 when the served price was the fake's current one, else how long
             ago the fake replaced it (the age of the answer against the fake's change times)
  delay      per change: from the fake's change to the first answer showing it
  age_s      what the gateway itself said (now - as_of)
  weight/min REST request weight that reached the fake during the load (the seed before it excluded)
"""
from __future__ import annotations

import argparse
import bisect
import os
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository root

from tests.fake_binance import FakeBinance
from tests.fake_binance.streams import FakeStreams
from tests.support.ports import closed_port
from tests.support.processes import ROOT, start_gateway, stop, wait_until_up
from tests.support.waiting import wait_until

SYMBOLS = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT"]


def pct(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Changes:
    """The fake's price history per symbol: [(time, price)]."""

    def __init__(self, fake):
        self.fake = fake
        self.history = {s: [(0.0, fake.prices[s])] for s in SYMBOLS}
        self.lock = threading.Lock()

    def change(self, n: int) -> None:
        symbol = SYMBOLS[n % len(SYMBOLS)]
        price = f"{float(self.history[symbol][0][1]) * (1 + (n % 97 + 1) / 10000):.8f}"
        with self.lock:
            self.fake.prices[symbol] = price
            self.history[symbol].append((time.time(), price))

    def staleness(self, symbol: str, price: str, received: float):
        """0 when `price` was current at `received`; else seconds since it was replaced; None if never served."""
        with self.lock:
            history = list(self.history[symbol])
        times = [t for t, _ in history]
        at = bisect.bisect_right(times, received) - 1
        for i in range(at, -1, -1):
            if history[i][1] == price:
                return 0.0 if i == at else received - history[i + 1][0]
        return None


def run_mode(streams_on: bool, args, fake: FakeBinance, fake_streams: FakeStreams) -> dict:
    port = closed_port()
    env = {"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
           "BINANCE_WS_URL": fake_streams.url, "BINANCE_FUTURES_WS_URL": fake_streams.futures_url,
           "STREAMS_ENABLED": "true" if streams_on else "false", "WEIGHT_LIMIT_1M": "1000000"}
    proc = start_gateway(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/api/status", proc)
        if streams_on:
            wait_until(lambda: requests.get(base + "/api/status", timeout=5).json()["streams"]["spot"]["state"] == "up",
                       "the spot stream to come up", 30, interval=0.1)
        time.sleep(1.0)  # the seed is done; steady state from here
        changes = Changes(fake)
        start_index = len(fake.requests_to())
        answers: list[tuple] = []
        stop_at = time.monotonic() + args.seconds
        started = time.time()

        def client(n: int) -> None:
            with requests.Session() as session:
                i = n
                while time.monotonic() < stop_at:
                    symbol = SYMBOLS[i % len(SYMBOLS)]
                    body = session.get(f"{base}/api/binance/price/{symbol}", timeout=10).json()
                    answers.append((symbol, body["price"], time.time(), body["age_s"], body["source"]))
                    i += 1

        def changer() -> None:
            n = 0
            while time.monotonic() < stop_at - 0.5:
                changes.change(n)
                n += 1
                time.sleep(1 / args.changes_per_s)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        threads.append(threading.Thread(target=changer))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.time() - started
        weight = sum(r.weight for r in fake.requests_to()[start_index:])
    finally:
        stop(proc)

    stale = [s for s in (changes.staleness(sym, p, t) for sym, p, t, _, _ in answers) if s is not None]
    delays = []
    for symbol, history in changes.history.items():
        for changed_at, price in history[1:]:
            seen = [t for sym, p, t, _, _ in answers if sym == symbol and p == price and t >= changed_at]
            if seen:
                delays.append(min(seen) - changed_at)
    sources = {}
    for *_, source in answers:
        sources[source] = sources.get(source, 0) + 1
    return {"mode": "streams on" if streams_on else "streams off", "answers": len(answers),
            "answers_per_s": len(answers) / elapsed, "sources": sources,
            "stale_p50": pct(stale, 0.5), "stale_p99": pct(stale, 0.99),
            "delay_p50": pct(delays, 0.5), "delay_p99": pct(delays, 0.99), "changes": len(delays),
            "age_p50": pct([a for *_, a, _ in answers], 0.5), "age_p99": pct([a for *_, a, _ in answers], 0.99),
            "weight_per_min": weight / elapsed * 60}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--changes-per-s", type=float, default=4)
    args = parser.parse_args()
    os.chdir(ROOT)
    fake = FakeBinance(weight_limit=10**9).start()
    fake_streams = FakeStreams(fake).start()
    try:
        results = [run_mode(False, args, fake, fake_streams), run_mode(True, args, fake, fake_streams)]
    finally:
        fake_streams.stop()
        fake.stop()
    print(f"{args.clients} clients, {args.seconds:.0f} s per mode, {args.changes_per_s:g} price changes/s "
          f"over {len(SYMBOLS)} symbols\n")
    print(f"{'mode':<12} {'answers/s':>9} {'stale p50':>9} {'stale p99':>9} {'delay p50':>9} {'delay p99':>9} "
          f"{'age_s p50':>9} {'age_s p99':>9} {'weight/min':>10}  sources")
    for r in results:
        print(f"{r['mode']:<12} {r['answers_per_s']:>9.0f} {r['stale_p50']:>9.3f} {r['stale_p99']:>9.3f} "
              f"{r['delay_p50']:>9.3f} {r['delay_p99']:>9.3f} {r['age_p50']:>9.3f} {r['age_p99']:>9.3f} "
              f"{r['weight_per_min']:>10.1f}  {r['sources']}")
    off, on = results
    saved = 100 * (1 - on["weight_per_min"] / off["weight_per_min"]) if off["weight_per_min"] else float("nan")
    print(f"\nweight saved with streams: {saved:.1f}%  (goal >= 95%)")
    print(f"streams on: staleness p50 {on['stale_p50']:.3f} s (goal <= 0.25), p99 {on['stale_p99']:.3f} s (goal <= 1); "
          f"delay p50 {on['delay_p50']:.3f} s, p99 {on['delay_p99']:.3f} s")


if __name__ == "__main__":
    main()
