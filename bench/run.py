#!/usr/bin/env python3
"""Benchmark python_service against the fake exchange on loopback (never Binance).

    .venv/bin/python bench/run.py [--seconds 10] [--connections 64]

Starts the fake exchange and gunicorn processes itself, drives them with wrk
(Debian package `wrk`, installed if missing), and prints in one run:
  (a) warm-cache req/s of /api/binance/price/BTCUSDT vs a bare Flask JSON route, same gunicorn config
  (b) upstream ticker/price calls per 10,000 client requests, vs the TTL floor
  (c) p50/p99 latency while Binance answers 451
  (d) first-request time and p99 latency while Binance is silent (breaker open)
  (e) every core by default: default config vs 1 worker, side by side (bench/cores.py);
      `--only-cores` runs (e) alone
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository root

from bench import cores
from tests.support.ports import closed_port
from tests.support.processes import start_fake_exchange, start_gateway, stop, wait_until_up

PATH = "/api/binance/price/BTCUSDT"


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-qq"], check=False)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk")


STARTED: list[subprocess.Popen] = []


def http(method: str, url: str, body=None, timeout=30.0):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"null")


def gunicorn(app: str, port: int, env: dict) -> subprocess.Popen:
    proc = start_gateway(env, port, app, output=os.devnull)
    STARTED.append(proc)
    wait_until_up(f"http://127.0.0.1:{port}{PATH if 'bare' in app else '/api/status'}", proc, 120)
    return proc


def wrk_args(url: str, seconds: float, connections: int, threads: int = 2) -> list[str]:
    return [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--latency", url]


def wrk(url: str, seconds: float, connections: int, threads: int = 2) -> dict:
    out = subprocess.run(wrk_args(url, seconds, connections, threads), capture_output=True, text=True,
                         check=True).stdout
    latency = {m[0]: _ms(m[1], m[2]) for m in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "requests": requests,
            "non2xx": int(errors.group(1)) if errors else 0, "p50_ms": latency["50"], "p99_ms": latency["99"]}


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def timed_get(url: str) -> float:
    started = time.perf_counter()
    try:
        urllib.request.urlopen(url, timeout=60).read()
    except OSError:
        pass
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=64, help="for throughput and upstream counts")
    parser.add_argument("--latency-connections", type=int, default=4,
                        help="for latency: under saturation latency is queueing (Little's law), not our code")
    parser.add_argument("--cores-rounds", type=int, default=3,
                        help="(e) every core by default: alternating rounds of default config vs 1 worker")
    parser.add_argument("--only-cores", action="store_true", help="run (e) alone")
    args = parser.parse_args()
    secs, conns, lat_conns = args.seconds, args.connections, args.latency_connections
    fake_port = closed_port()
    fake = start_fake_exchange(fake_port, output=os.devnull)
    STARTED.append(fake)
    fake_url = f"http://127.0.0.1:{fake_port}"
    wait_until_up(fake_url + "/api/v3/ping", fake, 120)
    # REST, as measured; and no stream root left pointing at Binance
    base_env = {"BINANCE_BASE_URL": fake_url, "BINANCE_FUTURES_BASE_URL": fake_url, "STREAMS_ENABLED": "false"}
    results = {}
    if args.only_cores:
        return run_cores(base_env, secs, conns, args.cores_rounds)
    try:
        # (a) warm cache vs bare Flask, same gunicorn config (the shipped one: a worker per CPU, no Redis)
        port = closed_port()
        bare = gunicorn("bench.bare_app:create_app()", port, {})
        results["bare"] = wrk(f"http://127.0.0.1:{port}{PATH}", secs, conns)
        results["bare_latency"] = wrk(f"http://127.0.0.1:{port}{PATH}", secs, lat_conns)
        stop(bare)
        with tempfile.TemporaryDirectory() as lkg:
            port = closed_port()
            gw = gunicorn("python_service:create_app()", port,
                          {**base_env, "PRICES_TTL_S": "60", "LAST_KNOWN_GOOD_DIR": lkg})
            timed_get(f"http://127.0.0.1:{port}{PATH}")  # warm the cache
            results["cached"] = wrk(f"http://127.0.0.1:{port}{PATH}", secs, conns)
            stop(gw)

        # (b) upstream calls per 10,000 client requests at the default 1 s TTL
        with tempfile.TemporaryDirectory() as lkg:
            port = closed_port()
            gw = gunicorn("python_service:create_app()", port, {**base_env, "LAST_KNOWN_GOOD_DIR": lkg})
            http("POST", fake_url + "/_fake/reset", {})
            load = wrk(f"http://127.0.0.1:{port}{PATH}", secs, conns)
            calls = len([r for r in http("GET", fake_url + "/_fake/requests") if r["path"] == "/api/v3/ticker/price"])
            results["ttl"] = {**load, "upstream_calls": calls}
            stop(gw)

        # (c) restricted (451) and (d) silent upstream with the breaker: fresh gateway, no cache
        for name, fault in (("restricted", {"kind": "restricted"}), ("silent", {"kind": "silent"})):
            with tempfile.TemporaryDirectory() as lkg:
                port = closed_port()
                gw = gunicorn("python_service:create_app()", port,
                              {**base_env, "LAST_KNOWN_GOOD_DIR": lkg, "BINANCE_TIMEOUT_S": "1"})
                http("POST", fake_url + "/_fake/reset", {})
                http("POST", fake_url + "/_fake/faults", fault)
                first_ms = timed_get(f"http://127.0.0.1:{port}{PATH}")
                results[name] = {**wrk(f"http://127.0.0.1:{port}{PATH}", secs, lat_conns), "first_ms": first_ms,
                                 "upstream_calls": len(http("GET", fake_url + "/_fake/requests"))}
                stop(gw)
    finally:
        for proc in STARTED:
            stop(proc, 15)
    report(results, secs, conns, lat_conns)
    return run_cores(base_env, secs, conns, args.cores_rounds)


def run_cores(base_env: dict, secs: float, conns: int, rounds: int) -> int:
    """(e): bench/cores.py, with this script's gunicorn and wrk."""
    try:
        figures = cores.measure(gunicorn, wrk, wrk_args, timed_get, base_env, secs, conns, rounds)
    finally:
        for proc in STARTED:
            stop(proc, 15)
    cores.report(figures, secs, conns, rounds)
    return 0


def report(r: dict, secs: float, conns: int, lat_conns: int) -> None:
    ratio = r["cached"]["rps"] / r["bare"]["rps"]
    floor = secs / 1.0
    per_10k = r["ttl"]["upstream_calls"] / r["ttl"]["requests"] * 10_000
    print(f"\nwrk -t2 -d{secs:g}s with {conns} connections for (a) and (b), {lat_conns} for latencies; "
          "gunicorn as shipped (gunicorn.conf.py): gevent, a worker per CPU; fake exchange on loopback\n")
    print("| measure | result | goal |\n|---|---|---|")
    print(f"| (a) bare Flask JSON route | {r['bare']['rps']:.0f} req/s | |")
    print(f"| (a) /api/binance/price/BTCUSDT, warm cache | {r['cached']['rps']:.0f} req/s (ratio {ratio:.2f}) "
          "| ratio >= 0.85 |")
    print(f"| (b) upstream ticker/price calls | {r['ttl']['upstream_calls']} for {r['ttl']['requests']} "
          f"client requests = {per_10k:.1f} per 10,000; TTL floor {floor:.0f} | <= {1.1 * floor:.1f} |")
    print(f"| bare Flask route latency p50 / p99 ({lat_conns} connections) | {r['bare_latency']['p50_ms']:.2f} / "
          f"{r['bare_latency']['p99_ms']:.2f} ms | baseline |")
    print(f"| (c) restricted (451): first request | {r['restricted']['first_ms']:.1f} ms | |")
    print(f"| (c) restricted: p50 / p99 after it | {r['restricted']['p50_ms']:.2f} / "
          f"{r['restricted']['p99_ms']:.2f} ms ({r['restricted']['requests']} requests, "
          f"{r['restricted']['upstream_calls']} upstream) | p99 < 10 ms |")
    print(f"| (d) silent upstream: first request | {r['silent']['first_ms']:.0f} ms "
          "(timeout budget 3 x 1 s + backoff) | bounded by the budget |")
    print(f"| (d) silent, breaker open: p50 / p99 | {r['silent']['p50_ms']:.2f} / {r['silent']['p99_ms']:.2f} ms "
          f"({r['silent']['requests']} requests, {r['silent']['upstream_calls']} upstream) | p99 < 10 ms |")
    non2xx = {k: v["non2xx"] for k, v in r.items() if v.get("non2xx")}
    print(f"\nnon-2xx answers: {non2xx or 'none'}")


if __name__ == "__main__":
    sys.exit(main())
