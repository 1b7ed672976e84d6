"""Every core by default (issue 20, item 4), side by side in one run, under the shipped
gunicorn config (gevent workers; without Redis one worker per CPU sharing the host store):

  - bare Flask JSON route vs the warm-cache price route, same server setup, at 1 worker and
    at the default worker count (per core: cached / bare >= 0.9)
  - the warm-cache price route at the default worker count / at 1 worker (>= 1.8 on 2 cores)
  - /api/status p99 while the price route is saturated / p99 when idle (<= 2)

Each setup is measured in `rounds` alternating rounds and the median is reported, so a
drift of the shared machine's speed moves both sides of a ratio alike. Beside requests per
second, the CPU time the server's processes spent per answer is read from /proc around
each throughput run: on a machine where the load generator takes its share of the same
cores, that is the cost per core, whatever share wrk left the workers."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import urllib.request
from functools import partial

from tests.support.ports import closed_port
from tests.support.processes import stop

PRICE = "/api/binance/price/BTCUSDT"
STATUS = "/api/status"


def measure(start, wrk, wrk_args, warm, base_env: dict, secs: float, conns: int, rounds: int) -> dict:
    """start(app, port, env) -> process; wrk(url, secs, conns, threads) -> figures;
    wrk_args(url, secs, conns, threads) -> argv for a wrk run in the background; warm(url)
    asks once on a fresh connection."""
    runs: dict[str, list[dict]] = {}
    for _ in range(rounds):
        for label, workers in (("default", {}), ("one", {"GUNICORN_WORKERS": "1"})):
            port = closed_port()
            proc = start("bench.bare_app:create_app()", port, workers)
            runs.setdefault(f"bare_{label}", []).append(
                costed(proc, partial(wrk, f"http://127.0.0.1:{port}{PRICE}", secs, conns, 2)))
            stop(proc, 15)
            with tempfile.TemporaryDirectory() as lkg:
                port = closed_port()
                proc = start("python_service:create_app()", port,
                             {**base_env, **workers, "PRICES_TTL_S": "3600", "LAST_KNOWN_GOOD_DIR": lkg})
                _gateway_runs(runs, proc, label, port, wrk, wrk_args, warm, secs, conns)
                stop(proc, 15)
    return {name: _median(figures) for name, figures in runs.items()}


def cpu_s(pid: int) -> float:
    """User and system CPU seconds of `pid` and its children (gunicorn's master and workers)."""
    total = 0.0
    for task in [pid] + [int(c) for c in open(f"/proc/{pid}/task/{pid}/children").read().split()]:
        fields = open(f"/proc/{task}/stat").read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def costed(proc, run) -> dict:
    """wrk's figures plus the server's CPU microseconds per answer during the run."""
    before = cpu_s(proc.pid)
    figures = run()
    return {**figures, "cpu_us": (cpu_s(proc.pid) - before) / max(1, figures["requests"]) * 1e6}


def _gateway_runs(runs, proc, label, port, wrk, wrk_args, warm, secs, conns) -> None:
    base = f"http://127.0.0.1:{port}"
    for _ in range(conns):  # every worker's own copy warm (fresh connections reach every worker)
        warm(base + PRICE)
    with urllib.request.urlopen(base + STATUS, timeout=30) as answer:
        runs.setdefault(f"workers_{label}", []).append({"count": json.load(answer)["process"]["workers"]})
    runs.setdefault(f"cached_{label}", []).append(costed(proc, lambda: wrk(base + PRICE, secs, conns, 2)))
    runs.setdefault(f"status_idle_{label}", []).append(wrk(base + STATUS, secs, 1, 1))
    load = subprocess.Popen(wrk_args(base + PRICE, secs + 2, conns, 1), stdout=subprocess.DEVNULL)
    try:
        runs.setdefault(f"status_loaded_{label}", []).append(wrk(base + STATUS, secs, 1, 1))
    finally:
        load.wait(secs + 30)


def _median(figures: list[dict]) -> dict:
    return {key: statistics.median(f[key] for f in figures) for key in figures[0]} | {"runs": len(figures)}


def report(r: dict, secs: float, conns: int, rounds: int) -> None:
    workers = r["workers_default"]["count"]
    per_core = {label: r[f"cached_{label}"]["rps"] / r[f"bare_{label}"]["rps"] for label in ("default", "one")}
    per_cpu = {label: r[f"bare_{label}"]["cpu_us"] / r[f"cached_{label}"]["cpu_us"] for label in ("default", "one")}
    scale = r["cached_default"]["rps"] / r["cached_one"]["rps"]
    bare_scale = r["bare_default"]["rps"] / r["bare_one"]["rps"]
    status = {label: r[f"status_loaded_{label}"]["p99_ms"] / r[f"status_idle_{label}"]["p99_ms"]
              for label in ("default", "one")}
    print(f"\nEvery core by default: median of {rounds} alternating rounds, wrk {secs:g} s each, {conns} connections "
          f"(2 wrk threads) for throughput; /api/status by 1 connection; default = {workers} workers\n")
    print("| measure | default config | 1 worker | goal |\n|---|---|---|---|")
    print(f"| bare Flask JSON route | {r['bare_default']['rps']:.0f} req/s | {r['bare_one']['rps']:.0f} req/s | |")
    print(f"| /api/binance/price/BTCUSDT, warm cache | {r['cached_default']['rps']:.0f} req/s | "
          f"{r['cached_one']['rps']:.0f} req/s | |")
    print(f"| cached ÷ bare, same setup | {per_core['default']:.2f} | {per_core['one']:.2f} | >= 0.9 |")
    print(f"| server CPU per answer, bare | {r['bare_default']['cpu_us']:.0f} µs | "
          f"{r['bare_one']['cpu_us']:.0f} µs | |")
    print(f"| server CPU per answer, cached price | {r['cached_default']['cpu_us']:.0f} µs | "
          f"{r['cached_one']['cpu_us']:.0f} µs | |")
    print(f"| answers per CPU second, cached ÷ bare | {per_cpu['default']:.2f} | {per_cpu['one']:.2f} | >= 0.9 |")
    print(f"| default ÷ 1 worker, cached route (bare route: {bare_scale:.2f}) | {scale:.2f} | | >= 1.8 on 2 cores |")
    print(f"| /api/status p99 idle | {r['status_idle_default']['p99_ms']:.2f} ms | "
          f"{r['status_idle_one']['p99_ms']:.2f} ms | |")
    print(f"| /api/status p99 with the price route saturated | {r['status_loaded_default']['p99_ms']:.2f} ms | "
          f"{r['status_loaded_one']['p99_ms']:.2f} ms | |")
    print(f"| /api/status p99 saturated ÷ idle | {status['default']:.2f} | {status['one']:.2f} | <= 2 |")
    non2xx = {k: v["non2xx"] for k, v in r.items() if v.get("non2xx")}
    assert r["workers_one"]["count"] == 1
    print(f"\nnon-2xx answers: {non2xx or 'none'}")
