#!/usr/bin/env python3
"""Many bots, one budget: six ccxt bots polling like freqtrade, through one gateway and
straight at the fake exchange (loopback only, never Binance).

    .venv/bin/python bench/many_bots.py [--bots 6] [--symbols 20] [--seconds 25] [--interval 5]

Each bot (ccxt's binance, unmodified, urls pointed at the target) loads markets, then every
`--interval` seconds (freqtrade's process_throttle_secs) fetches its 20 pairs' tickers in one
call, and each pair's 5m candles and order book top. The gateway runs as gunicorn with 4
workers sharing Redis, with DEPTH_TTL_S / KLINES_TTL_S / TICKER_TTL_S at the bots' interval.
Prints, in one run: upstream weight per minute via the gateway vs direct, the fake's 429s,
and the gateway's p50/p99 on a cache hit as a ratio to a direct call to the fake.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository root

from tests.support.mirror_clients import bot_round, ccxt_binance
from tests.support.ports import closed_port
from tests.support.processes import start_fake_exchange, start_gateway, stop, wait_until_up
from tests.support.redis_server import RedisServer

SPOT_LIMIT_1M = 6000


def run_bots(root: str, bots: int, symbols: list[str], seconds: float, interval: float) -> dict:
    """`bots` threads polling `root` for `seconds`; returns counts of rounds and errors."""
    stop_at = time.monotonic() + seconds
    rounds, errors, lock = [0], {}, threading.Lock()

    def bot() -> None:
        exchange = ccxt_binance(root)
        exchange.load_markets()
        while time.monotonic() < stop_at:
            started = time.monotonic()
            try:
                bot_round(exchange, symbols)
                with lock:
                    rounds[0] += 1
            except Exception as exc:  # noqa: BLE001 - a bot carries on, as freqtrade does
                with lock:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            time.sleep(max(0.0, interval - (time.monotonic() - started)))

    threads = [threading.Thread(target=bot) for _ in range(bots)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"rounds": rounds[0], "errors": errors}


def upstream(fake_url: str) -> tuple[int, int]:
    """(weight, 429s) of everything the fake has logged for spot and futures, then forget it."""
    records = requests.get(f"{fake_url}/_fake/requests", timeout=30).json()
    requests.post(f"{fake_url}/_fake/reset", timeout=10)
    return sum(r["weight"] for r in records), sum(1 for r in records if r["status"] in (418, 429))


def latencies(url: str, count: int, must_hit: bool) -> list[float]:
    timings = []
    with requests.Session() as session:
        session.get(url, timeout=10)  # warm: the cache (gateway) and the connection
        while len(timings) < count:
            started = time.perf_counter()
            response = session.get(url, timeout=10)
            elapsed = time.perf_counter() - started
            if not must_hit or response.headers.get("X-Data-Source") == "cache":
                timings.append(elapsed)
    return timings


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bots", type=int, default=6)
    parser.add_argument("--symbols", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=25)
    parser.add_argument("--interval", type=float, default=5)
    parser.add_argument("--samples", type=int, default=400)
    args = parser.parse_args()

    started, redis = [], RedisServer()
    fake_port, gateway_port = closed_port(), closed_port()
    try:
        redis.start()
        started.append(start_fake_exchange(fake_port, output=os.devnull))
        fake = f"http://127.0.0.1:{fake_port}"
        wait_until_up(f"{fake}/api/v3/ping", started[-1], 120)
        ttl = str(args.interval)
        started.append(start_gateway({"BINANCE_BASE_URL": fake, "BINANCE_FUTURES_BASE_URL": fake,
                                      "STREAMS_ENABLED": "false",  # REST, as measured; no stream root left on Binance
                                      "CACHE_REDIS_URL": redis.url, "GUNICORN_WORKERS": "4",
                                      "TICKER_TTL_S": ttl, "KLINES_TTL_S": ttl, "DEPTH_TTL_S": ttl,
                                      "LAST_KNOWN_GOOD_DIR": tempfile.mkdtemp(prefix="lkg-bench-")},
                                     gateway_port, output=os.devnull))
        gateway = f"http://127.0.0.1:{gateway_port}"
        wait_until_up(f"{gateway}/api/status", started[-1], 120)
        symbols = [s["symbol"] for s in requests.get(f"{fake}/api/v3/exchangeInfo", timeout=10).json()["symbols"]
                   if s["symbol"].endswith("USDT")][:args.symbols]
        symbols = [f"{s[:-4]}/USDT" for s in symbols]
        upstream(fake)

        results = {}
        for name, root in (("via gateway", gateway), ("direct", fake)):
            bots = run_bots(root, args.bots, symbols, args.seconds, args.interval)
            weight, throttled = upstream(fake)
            results[name] = (weight * 60 / args.seconds, throttled, bots)

        book = f"/api/v3/depth?symbol=BTCUSDT&limit={5}"
        via = latencies(gateway + book, args.samples, must_hit=True)
        direct = latencies(fake + book, args.samples, must_hit=False)
    finally:
        for proc in reversed(started):
            stop(proc)
        redis.stop()

    gw, dr = results["via gateway"], results["direct"]
    print(f"{args.bots} ccxt bots x {args.symbols} pairs, a round every {args.interval:g}s "
          f"for {args.seconds:g}s each way")
    for name, (per_minute, throttled, bots) in results.items():
        print(f"  {name:12s} upstream weight/min {per_minute:8.0f}   429/418 from the fake {throttled:5d}   "
              f"bot rounds {bots['rounds']:4d}   bot errors {bots['errors'] or 0}")
    print(f"  gateway / direct weight: {gw[0] / dr[0]:.3f} (goal <= {1 / args.bots:.3f}); "
          f"spot limit {SPOT_LIMIT_1M}/min, gateway {'within' if gw[0] <= SPOT_LIMIT_1M else 'ABOVE'} it")
    if dr[0] > SPOT_LIMIT_1M:
        print(f"  direct passes Binance's {SPOT_LIMIT_1M}/min after about {60 * SPOT_LIMIT_1M / dr[0]:.0f}s of "
              f"polling (then 429s, then a 418 ban for every bot on the IP); this run is shorter than that")
    print(f"  cache hit via gateway p50 {pct(via, 50):.2f} ms p99 {pct(via, 99):.2f} ms; direct p50 "
          f"{pct(direct, 50):.2f} ms p99 {pct(direct, 99):.2f} ms; ratio p50 {pct(via, 50) / pct(direct, 50):.2f} "
          f"p99 {pct(via, 99) / pct(direct, 99):.2f}")


if __name__ == "__main__":
    main()
