#!/usr/bin/env python3
"""Garbage-collection pauses in a worker that keeps order books, with CPython's default
collector and with the worker's own policy (python_service/server/gc_policy.py).

    .venv/bin/python bench/gc_pauses.py [--kept 40] [--books 400]

Each policy runs in a fresh process, one after the other in the same run: the app is built
(as in a gunicorn worker), the policy applied (or not), --kept 5,000-level books are decoded
and kept (the byte-bounded caches hold about that many), then --books more are decoded, each
replacing the oldest kept one, as a client pulling books at random would make the worker do.
Prints, per policy, how long each decode-and-keep took: p50, p99 and the longest, in which
a gevent worker answers no one else. About 30 s.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def book(n: int) -> bytes:
    """A 5,000-level book as Binance sends it (compact JSON, decimals as strings)."""
    import orjson

    price = 67_000_00000000 + n * 1_000_000  # in 1e-8
    side = [[f"{(price - i * 670_123) // 100_000_000}.{(price - i * 670_123) % 100_000_000:08d}", f"{i}.50000000"]
            for i in range(5000)]
    return orjson.dumps({"lastUpdateId": 1027024 + n, "bids": side, "asks": side[::-1]})


def child(policy: str, kept: int, books: int) -> None:
    sys.path.insert(0, str(ROOT))
    from python_service import create_app, gc_policy, json_codec

    create_app({"STREAMS_ENABLED": "false", "LAST_KNOWN_GOOD_DIR": "/tmp/bench-gc-lkg"})  # what a worker holds
    if policy == "worker":
        gc_policy.tune()
    bodies = [book(n) for n in range(8)]
    cache = deque(json_codec.loads(bodies[n % 8]) for n in range(kept))
    took = []
    for n in range(books):
        started = time.perf_counter()
        cache.append(json_codec.loads(bodies[n % 8]))
        cache.popleft()
        took.append(time.perf_counter() - started)
    print(json.dumps(took))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kept", type=int, default=40, help="books kept in memory")
    parser.add_argument("--books", type=int, default=400, help="books decoded while they are kept")
    parser.add_argument("--child", choices=("default", "worker"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.kept, args.books)
        return
    print(f"decoding a 5,000-level book and keeping it, {args.kept} kept, {args.books} decoded, "
          f"one fresh process per collector policy")
    for policy, label in (("default", "CPython defaults (700, 10, 10)"), ("worker", "gc_policy.tune()")):
        out = subprocess.run([sys.executable, __file__, "--child", policy, "--kept", str(args.kept),
                              "--books", str(args.books)], capture_output=True, text=True, check=True, cwd=ROOT)
        took = sorted(json.loads(out.stdout.strip().splitlines()[-1]))
        p99 = took[max(0, int(len(took) * 0.99) - 1)]
        print(f"{label:32} p50 {statistics.median(took) * 1000:6.2f} ms  p99 {p99 * 1000:7.2f} ms  "
              f"longest {took[-1] * 1000:7.2f} ms")


if __name__ == "__main__":
    main()
