#!/usr/bin/env python3
"""Hostile clients against python_service (gunicorn, shipped config) and the fake exchange on loopback.

    .venv/bin/python bench/hostile.py [--seconds 15] [--rounds 3] [--clients 8] [--rate 10]

--rounds pairs of runs of --seconds each, quiet then hostile, each on a freshly started gateway
and a reset fake; alternating them spreads other load on the machine over both alike:
  quiet:   normal clients only (prices, a 24h ticker, a small price list), each paced at --rate
           requests a second (a dashboard polling; a saturating closed loop would measure queueing)
  hostile: the same normal clients, side by side with (in another process)
           - 64 slowloris sockets (partial headers, or a body trickled a byte a second)
           - a budget hog: depth?limit=5000 on every symbol and klines?limit=1000 at random startTimes
           - an amplification attempt: order/validate with "1e-999990", "1e999999999", [x4000, ...
Clients are told apart the way express_api tells python_service: one X-Forwarded-For value each
(the bench connects from 127.0.0.1, a trusted proxy by default).
Prints normal clients' p50/p99 and `source` mix, pooled over the runs of each kind (goal: hostile
p99 within 2x quiet, live data kept), the hog's weight at the fake per run (each under a minute)
against its fair share per minute, and the largest answer to a <=1 kB request of the
amplification attempt (goal: <= 64 kB), and the gateway's CPU seconds per run.
Bounded: about 2 x --rounds x (--seconds + start-up).
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository root

from bench.common import fake_roots
from python_service.settings import Settings
from tests.support.ports import closed_port
from tests.support.processes import start_fake_exchange, start_gateway, stop, wait_until_up

HOG = "203.0.113.66"
NORMAL_PATHS = ("/api/binance/price/BTCUSDT", "/api/binance/ticker/24hr?symbol=ETHUSDT",
                "/api/binance/prices?symbols=BTCUSDT,ETHUSDT,SOLUSDT")
SYMBOLS = ("BTC ETH BNB SOL XRP DOGE ADA TRX AVAX LINK DOT MATIC LTC BCH SHIB UNI ATOM XLM ETC FIL APT NEAR ARB "
           "OP INJ SUI PEPE").split()
AMPLIFIERS = ('{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","quantity":"0.001","price":"1e-999990"}',
              '{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","quantity":"0.001","price":"1e999999999"}',
              '{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","quantity":1e-999990,"price":"1"}',
              "[" * 900, '{"a":' * 150 + "1" + "}" * 150)


# ----- normal clients (this process) -----

def normal_clients(url: str, count: int, seconds: float, rate: float) -> tuple[list[float], Counter]:
    """`count` clients, each sending `rate` requests a second (paced, like a dashboard polling)."""
    latencies, sources, lock = [], Counter(), threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        with requests.Session() as session:
            session.headers["X-Forwarded-For"] = f"198.51.100.{n + 1}"
            i, due = n, time.monotonic() + n / (count * rate)
            while time.monotonic() < stop_at:
                time.sleep(max(0.0, due - time.monotonic()))
                due += 1 / rate
                started = time.perf_counter()
                try:
                    response = session.get(url + NORMAL_PATHS[i % len(NORMAL_PATHS)], timeout=10)
                    source = response.headers.get("X-Data-Source") or f"http {response.status_code}"
                except requests.RequestException as err:
                    source = type(err).__name__
                with lock:
                    latencies.append(time.perf_counter() - started)
                    sources[source] += 1
                i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, sources


# ----- the attackers (another process, so they do not share this one's GIL) -----

def attackers(port: int, seconds: float, results) -> None:
    url, stop_at = f"http://127.0.0.1:{port}", time.monotonic() + seconds
    sockets = slowloris(port, 64)
    hog_answers, largest = Counter(), [0]
    threads = [threading.Thread(target=hog, args=(url, stop_at, hog_answers, n)) for n in range(4)]
    threads.append(threading.Thread(target=amplify, args=(url, stop_at, largest)))
    threads.append(threading.Thread(target=trickle, args=(sockets, stop_at)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put({"hog_answers": dict(hog_answers), "largest_answer": largest[0], "amplified": len(largest) - 1,
                 "slowloris_open": sum(1 for s in sockets if s.fileno() != -1)})
    for sock in sockets:
        sock.close()


def slowloris(port: int, count: int) -> list[socket.socket]:
    partials = (b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
                b"POST /api/binance/order/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 900\r\n\r\n{")
    sockets = []
    for n in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(partials[n % 2])
        sockets.append(sock)
    return sockets


def trickle(sockets: list, stop_at: float) -> None:
    while time.monotonic() < stop_at:
        for sock in sockets:
            try:
                sock.send(b"a")
            except OSError:
                pass
        time.sleep(1)


def hog(url: str, stop_at: float, answers: Counter, n: int) -> None:
    rng = random.Random(n)
    with requests.Session() as session:
        session.headers["X-Forwarded-For"] = HOG
        while time.monotonic() < stop_at:
            symbol = rng.choice(SYMBOLS) + "USDT"
            path = (f"/api/binance/depth?symbol={symbol}&limit=5000" if rng.random() < 0.5 else
                    f"/api/binance/klines?symbol={symbol}&interval=1m&limit=1000&startTime="
                    f"{rng.randrange(1_600_000_000_000, 1_700_000_000_000)}")
            try:
                response = session.get(url + path, timeout=10)
                answers[response.headers.get("X-Data-Source") or str(response.status_code)] += 1
            except requests.RequestException as err:
                answers[type(err).__name__] += 1


def amplify(url: str, stop_at: float, largest: list) -> None:
    with requests.Session() as session:
        session.headers["X-Forwarded-For"] = "203.0.113.99"
        i = 0
        while time.monotonic() < stop_at:
            body = AMPLIFIERS[i % len(AMPLIFIERS)].encode()
            assert len(body) <= 1024
            try:
                response = session.post(url + "/api/binance/order/validate", data=body,
                                        headers={"Content-Type": "application/json"}, timeout=10)
                largest[0] = max(largest[0], len(response.content))
                largest.append(1)
            except requests.RequestException:
                pass
            i += 1


# ----- one run -----

def run(label: str, fake_url: str, upstream_env: dict, seconds: float, clients: int, rate: float,
        hostile: bool) -> dict:
    requests.post(fake_url + "/_fake/reset", timeout=5)
    port = closed_port()
    gateway = start_gateway({**upstream_env, "LAST_KNOWN_GOOD_DIR": f"/tmp/bench-hostile-lkg-{port}"}, port,
                            output=os.devnull)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url + "/api/status", gateway, 120)
        results, attacker = multiprocessing.Queue(), None
        if hostile:
            attacker = multiprocessing.Process(target=attackers, args=(port, seconds, results))
            attacker.start()
            time.sleep(0.5)  # the slowloris sockets are open before the normal clients start
        latencies, sources = normal_clients(url, clients, seconds, rate)
        attack = results.get(timeout=seconds + 60) if attacker else {}
        if attacker:
            attacker.join(30)
        upstream = requests.get(fake_url + "/_fake/requests", timeout=30).json()
        cpu, rss = gateway_cpu_s(gateway.pid), worker_rss_mb(gateway.pid)
    finally:
        stop(gateway)
    return {"label": label, "latencies": latencies, "sources": sources, "attack": attack,
            "hog_weight": hog_weight(upstream), "cpu": cpu, "rss": rss}


def gateway_cpu_s(pid: int) -> float:
    total = 0.0
    for child in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split() + [str(pid)]:
        fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def worker_rss_mb(pid: int) -> float:
    """Resident memory of the gateway's worker(s), in MB."""
    total = 0
    for child in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split():
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def hog_weight(records: list) -> int:
    """The fake's answered weight for the hog's requests (depth 5000, klines with startTime) in one run."""
    return sum(record["weight"] for record in records
               if record["status"] == 200
               and (record["params"].get("limit") == "5000" or "startTime" in record["params"]))


def pooled(label: str, runs: list) -> dict:
    return {"label": label, "latencies": [x for run in runs for x in run["latencies"]],
            "sources": sum((run["sources"] for run in runs), Counter())}


def p99(latencies: list) -> float:
    return sorted(latencies)[max(0, int(len(latencies) * 0.99) - 1)]


def describe(result: dict) -> str:
    latencies = sorted(result["latencies"])
    p50 = statistics.median(latencies) * 1000
    total = sum(result["sources"].values())
    mix = ", ".join(f"{k} {v / total:.0%}" for k, v in result["sources"].most_common())
    return (f"{result['label']:8} {len(latencies):6d} requests  p50 {p50:6.1f} ms  "
            f"p99 {p99(latencies) * 1000:6.1f} ms  source: {mix}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15, help="length of each run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="quiet/hostile pairs, run alternately so that other load on the machine falls on both")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rate", type=float, default=10, help="requests per second of each normal client")
    parser.add_argument("--streams", choices=("off", "on"), default="off",
                        help="off (default): every price and ticker comes over REST, the path an attacker "
                             "shares with normal clients; on: from the fake's websocket streams")
    args = parser.parse_args()
    settings = Settings.from_env({})
    ceiling = int(settings.weight_limit_1m * settings.weight_budget_ratio)
    fair_share = int(ceiling * settings.client_weight_share)

    fake_port = closed_port()
    ws_port = closed_port()
    fake = start_fake_exchange(fake_port, ws_port, output=os.devnull)
    runs = {"quiet": [], "hostile": []}
    try:
        fake_url = f"http://127.0.0.1:{fake_port}"
        wait_until_up(fake_url + "/api/v3/ping", fake, 120)
        upstream_env = {**fake_roots(fake_url, f"ws://127.0.0.1:{ws_port}"),
                        "STREAMS_ENABLED": "true" if args.streams == "on" else "false"}
        for _ in range(args.rounds):
            for label in runs:
                runs[label].append(run(label, fake_url, upstream_env, args.seconds, args.clients, args.rate,
                                       label == "hostile"))
    finally:
        stop(fake)

    print(f"python_service under hostile clients: {args.clients} normal clients x {args.rate:g} req/s, "
          f"{args.rounds} x {args.seconds:g} s quiet and hostile, alternately, streams {args.streams} "
          f"(gunicorn {settings.worker_class}, fake exchange on loopback; load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: other work on the machine moves p99)")
    for quiet, hostile in zip(runs["quiet"], runs["hostile"], strict=True):
        print(f"  round: quiet p99 {p99(quiet['latencies']) * 1000:6.1f} ms, hostile p99 "
              f"{p99(hostile['latencies']) * 1000:6.1f} ms, "
              f"hog live answers {hostile['attack']['hog_answers'].get('live', 0)}, "
              f"gateway CPU s {quiet['cpu']:.1f} / {hostile['cpu']:.1f}, worker RSS MB {quiet['rss']:.0f} / "
              f"{hostile['rss']:.0f}")
    quiet, hostile = pooled("quiet", runs["quiet"]), pooled("hostile", runs["hostile"])
    print(describe(quiet))
    print(describe(hostile))
    print(f"hostile p99 / quiet p99: {p99(hostile['latencies']) / p99(quiet['latencies']):.2f}x (goal <= 2x)")
    attacks = [r["attack"] for r in runs["hostile"]]
    print(f"slowloris sockets still open at the end: {min(a['slowloris_open'] for a in attacks)} of 64 "
          "(fewest of any run)")
    print(f"hog answers: {dict(sum((Counter(a['hog_answers']) for a in attacks), Counter()))}; "
          f"amplification requests: {sum(a['amplified'] for a in attacks)}")
    print(f"hog weight at the fake per run (each under a minute): {[r['hog_weight'] for r in runs['hostile']]} "
          f"(fair share {fair_share}/min of the {ceiling} ceiling; goal <= share)")
    print(f"largest answer to a <=1 kB amplification request: {max(a['largest_answer'] for a in attacks)} bytes "
          f"(goal <= 65536)")


if __name__ == "__main__":
    main()
