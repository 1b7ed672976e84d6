#!/usr/bin/env python3
"""The stream mirror under load, in one run (against the fake exchange and its fake streams on
loopback, never Binance):

    .venv/bin/python bench/stream_mirror.py [--seconds 20] [--connections 100] [--changes-per-s 2]

Part 1: python_service under gunicorn with 2 workers and streams on; `--connections` bots'
websockets each take the same 50 raw streams (5 symbols x trade, aggTrade, miniTicker, ticker and
6 kline intervals) from the gateway, and one more client takes them straight from the fake.
The fake (a process of its own) moves each symbol's price `--changes-per-s` times a second. Reports:
  events/s     frames the bots received through the gateway, per second
  added ms     per frame a probe bot got (5 of the connections, in this process; the others run in
               a process of their own): its arrival minus the same payload's arrival at the direct
               client (same process, same clock), p50 / p99
  CPU/1k ev    the gateway's CPU seconds (master and workers, /proc) per 1,000 frames delivered
  RSS          the gateway's resident memory (master and workers) at the end
Part 2: N = 1, 10, 50 bots (a spot and a futures connection each) through the gateway, then
straight to the fake: the connections the fake has open (through the gateway: its own, whatever N).
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository root

from bench.common import fake_roots
from tests.support.ports import closed_port
from tests.support.processes import start_gateway, stop, wait_until_up

SYMBOLS = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT"]
KINDS = ["trade", "aggTrade", "miniTicker", "ticker"] + [f"kline_{i}" for i in ("1m", "3m", "5m", "15m", "1h", "1d")]
STREAMS = [f"{s.lower()}@{k}" for s in SYMBOLS for k in KINDS]  # 50
TICKS = os.sysconf("SC_CLK_TCK")
PROBES = int(os.environ.get("PROBES", 5))  # of the connections, those timed (in this process; the rest in another)


def pct(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ----- the fake, in a process of its own (so the bench's clients do not share its GIL) -----
def fake_process(pipe, changes_per_s: float) -> None:
    from tests.fake_binance import FakeBinance
    from tests.fake_binance.streams import FakeStreams

    fake = FakeBinance().start()
    streams = FakeStreams(fake).start()
    walking = threading.Event()

    def walk() -> None:
        step = 0
        while True:
            time.sleep(1 / changes_per_s)
            if walking.is_set():
                step += 1
                for n, symbol in enumerate(SYMBOLS):
                    price = float(fake.prices[symbol])
                    fake.prices[symbol] = f"{price * (1 + (1 if (step + n) % 2 else -1) / 20000):.8f}"
    threading.Thread(target=walk, daemon=True).start()
    pipe.send((fake.url, streams.url))
    while True:
        command = pipe.recv()
        if command == "walk":
            walking.set()
        elif command == "still":
            walking.clear()
        elif command == "open":
            pipe.send({m: len(streams.open_connections(m)) for m in ("spot", "futures")})
        elif command == "stop":
            streams.stop()
            fake.stop()
            pipe.send("stopped")
            return


def ask(pipe, command):
    pipe.send(command)
    return pipe.recv() if command in ("open", "stop") else None


# ----- the gateway's processes, read from /proc -----
def gateway_pids(master: int) -> list[int]:
    pids = [master]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry))
    return pids


def cpu_s(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


# ----- part 1: throughput and added latency -----
async def listen(url: str, seconds: float, arrivals: list | None = None, first: dict | None = None) -> int:
    """Frames received in `seconds`; with `arrivals`, (payload, arrival) of each; with `first`,
    the first arrival of each payload."""
    from websockets.asyncio.client import connect

    received = 0
    async with connect(url, max_size=None, ping_interval=None, compression=None) as ws:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                text = await asyncio.wait_for(ws.recv(), left)
            except TimeoutError:
                break
            received += 1
            if first is not None:
                first.setdefault(text, time.monotonic())
            elif arrivals is not None:
                arrivals.append((text, time.monotonic()))
    return received


def load_process(url: str, connections: int, seconds: float, results) -> None:
    """The bulk of the bots, in a process of their own: they count what they get."""
    async def run() -> list[int]:
        return await asyncio.gather(*(listen(url, seconds) for _ in range(connections)))
    results.put(asyncio.run(run()))


async def probe(gateway_url: str, fake_url: str, probes: int, seconds: float) -> tuple[dict, list[list]]:
    """A few bots beside a client straight to the fake, in this lightly loaded process: added latency."""
    direct: dict = {}
    arrivals: list[list] = [[] for _ in range(probes)]
    await asyncio.gather(listen(fake_url, seconds + 2, first=direct),
                         *(listen(gateway_url, seconds, arrivals[n]) for n in range(probes)))
    return direct, arrivals


def part_one(args, pipe, fake_url: str, fake_ws: str) -> dict:
    port = closed_port()
    proc = start_gateway({**fake_roots(fake_url, fake_ws), "STREAMS_ENABLED": "true",
                          "GUNICORN_WORKERS": str(args.workers)}, port)
    path = "/ws/" + "/".join(STREAMS)
    gateway_url = f"ws://127.0.0.1:{port}{path}"
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/status", proc)
        pids = gateway_pids(proc.pid)
        results = multiprocessing.Queue()
        bulk = multiprocessing.Process(target=load_process, daemon=True,
                                       args=(gateway_url, args.connections - PROBES, args.seconds, results))
        ask(pipe, "walk")
        cpu_before, started = cpu_s(pids), time.monotonic()
        bulk.start()
        direct, arrivals = asyncio.run(probe(fake_ws + path if args.floor else gateway_url, fake_ws + path,
                                             PROBES, args.seconds))
        counts = results.get(timeout=args.seconds + 60)
        elapsed, cpu_used = time.monotonic() - started, cpu_s(pids) - cpu_before
        bulk.join(10)
        ask(pipe, "still")
        rss = rss_mb(gateway_pids(proc.pid))
    finally:
        stop(proc)
    delivered = sum(counts) + sum(len(a) for a in arrivals)
    added = [(at - direct[text]) * 1000 for frames in arrivals for text, at in frames if text in direct]
    return {"delivered": delivered, "events_s": delivered / elapsed, "matched": len(added),
            "p50": pct(added, 0.5), "p99": pct(added, 0.99), "cpu_per_1k": cpu_used / max(1, delivered) * 1000,
            "cpu_s": cpu_used, "rss_mb": rss, "bots_with_data": sum(1 for c in counts if c) + PROBES}


# ----- part 2: upstream connections for N bots -----
def count_with(pipe, spot_root: str, futures_root: str, n: int) -> dict:
    """N bots, each with a spot and a futures connection; once each got a frame on both, the
    connections the fake has open."""
    from websockets.asyncio.client import connect

    async def run() -> dict:
        hold, receiving = asyncio.Event(), []

        async def one(url: str) -> None:
            async with connect(url, ping_interval=None) as ws:
                await asyncio.wait_for(ws.recv(), 60)
                receiving.append(url)
                await hold.wait()
        tasks = [asyncio.create_task(one(url)) for _ in range(n)
                 for url in (f"{spot_root}/ws/btcusdt@trade/ethusdt@kline_1m", f"{futures_root}/ws/btcusdt@aggTrade")]
        deadline = time.monotonic() + 60
        while len(receiving) < 2 * n and time.monotonic() < deadline and not any(t.done() for t in tasks):
            await asyncio.sleep(0.1)
        opened = {**ask(pipe, "open"), "receiving": len(receiving)}
        hold.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        return opened
    return asyncio.run(run())


def part_two(pipe, fake_url: str, fake_ws: str) -> list[dict]:
    port = closed_port()
    proc = start_gateway({**fake_roots(fake_url, fake_ws), "STREAMS_ENABLED": "true", "GUNICORN_WORKERS": "2"},
                         port)
    rows = []
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/status", proc)
        ask(pipe, "walk")
        gateway = f"ws://127.0.0.1:{port}"
        for n in (1, 10, 50):
            through = count_with(pipe, gateway, gateway + "/fstream", n)
            rows.append({"n": n, "through": through})
    finally:
        stop(proc)
    for row in rows:
        row["direct"] = count_with(pipe, fake_ws, fake_ws + "/futures", row["n"])
    ask(pipe, "still")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--changes-per-s", type=float, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers in part 1")
    parser.add_argument("--skip-part-two", action="store_true")
    parser.add_argument("--floor", action="store_true",
                        help="the probes connect to the fake too: the measurement's own added latency")
    args = parser.parse_args()
    ours, theirs = multiprocessing.Pipe()
    fake = multiprocessing.Process(target=fake_process, args=(theirs, args.changes_per_s), daemon=True)
    fake.start()
    fake_url, fake_ws = ours.recv()
    try:
        one = part_one(args, ours, fake_url, fake_ws)
        print(f"part 1: {args.connections} connections x {len(STREAMS)} streams through {args.workers} workers, "
              f"{args.seconds:g} s, {args.changes_per_s:g} price changes/s per symbol")
        print(f"  events/s delivered {one['events_s']:.0f} ({one['delivered']} frames, "
              f"{one['bots_with_data']} bots with data)")
        print(f"  added latency vs direct: p50 {one['p50']:.2f} ms, p99 {one['p99']:.2f} ms "
              f"({one['matched']} frames matched)")
        print(f"  gateway CPU {one['cpu_s']:.1f} s: {one['cpu_per_1k']:.3f} CPU-s per 1,000 events; "
              f"RSS {one['rss_mb']:.0f} MB")
        if args.skip_part_two:
            return
        print("part 2: upstream connections open at the fake (spot, futures)")
        for row in part_two(ours, fake_url, fake_ws):
            through, direct = row["through"], row["direct"]
            print(f"  N={row['n']:>2}: through the gateway {through['spot']}, {through['futures']} "
                  f"({through['receiving']}/{2 * row['n']} bot connections receiving); "
                  f"direct {direct['spot']}, {direct['futures']} ({direct['receiving']} receiving)")
    finally:
        ask(ours, "stop")
        fake.join(10)


if __name__ == "__main__":
    main()
