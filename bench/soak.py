#!/usr/bin/env python3
"""Soak: the whole stack under mixed, bounded load and cycling faults for --minutes, with the
RSS and open file descriptors of every process sampled over time (loopback only, never Binance).

    .venv/bin/python bench/soak.py [--minutes 30] [--warmup-minutes 5] [--sample-s 30] [--rate 20]

It starts the fake exchange with its websocket streams (in this process, so the schedule can
drop its streams), python_service under gunicorn with its default config (streams on, no
Redis; the workers are found as the master's children in /proc, however many there are) and
express_api, then runs the clients of bench/soak_clients.py: --rate REST requests a second over
10 paced clients (a third through express_api), two ccxt bots and a python-binance script on
the mirror, four server-sent price streams opened and closed (cleanly, FIN or RST mid-stream)
through express_api and direct, and a user logging in and asking for the demo balance. The
fake's prices move every second; its fault schedule (SCHEDULE, about 4 min) cycles 5xx, 429
and 418 with Retry-After, slow answers, resets, a 451 window, stalled and dropped streams.

Every --sample-s it prints each process's RSS (VmRSS) and open fds (/proc/PID/fd), the answers
so far and the error-shape failures (a 500, or an error body not in the JSON error shape). At
the end: per process, warm-up end vs end, and the verdict against "flat after warm-up":
RSS within +10 % and fds within +10 (each the median of three samples, so one sample's
in-flight connections do not decide). Ctrl-C stops it early; everything it started is stopped.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository root

from bench.common import fake_roots
from bench.soak_clients import SYMBOLS, Load
from tests.fake_binance import FakeBinance
from tests.fake_binance.streams import FakeStreams
from tests.support.ports import closed_port
from tests.support.processes import output_of, start_express, start_gateway, stop, wait_until_up

RSS_GROWTH_MAX, FD_GROWTH_MAX = 0.10, 10  # "flat after warm-up"
BAN_S = 15


def schedule(fake: FakeBinance, streams: FakeStreams) -> list[tuple]:
    """(name, seconds, start, end): one cycle of faults, about 4 minutes, repeated over the run."""
    clear = fake.faults.clear

    def fault(kind, **fields):
        return lambda: fake.add_fault(kind, **fields)

    return [
        ("calm", 20, None, None),
        ("streams dropped", 10, streams.disconnect, None),
        ("spot 503s", 15, fault("server_error", market="spot", status=503), clear),
        ("calm", 15, None, None),
        ("spot 429, Retry-After 10", 20, fault("rate_limited", market="spot", retry_after=10, times=1), None),
        ("slow 2 s", 15, fault("slow", delay=2.0), clear),
        (f"futures 418, Retry-After {BAN_S}", 25, fault("banned", market="futures", retry_after=BAN_S, times=1),
         None),
        ("resets", 10, fault("reset"), clear),
        ("calm", 15, None, None),
        ("spot 451", 20, fault("restricted", market="spot"), clear),
        ("after 451 (cool-down)", 40, None, None),
        ("spot stream stalled", 25, lambda: streams.stall("spot"), lambda: streams.stall("spot", on=False)),
        ("futures stream dropped", 10, lambda: streams.disconnect("futures"), None),
    ]


# ----- the processes and what /proc says about them -----
def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers, however many the config makes)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue  # gone meanwhile
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return sorted(found)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fd_kinds(pid: int) -> Counter:
    """Open fds by kind: socket, pipe, anon_inode:[eventfd], /dev/..., or the file's directory."""
    kinds = Counter()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        kinds[target.split(":", 1)[0] if target.startswith(("socket:", "pipe:")) else
              target if target.startswith("anon_inode:") else os.path.dirname(target) or target] += 1
    return kinds


@dataclass
class Sample:
    at_s: float
    procs: dict  # label -> (pid, RSS kB, open fds, CPU seconds)
    tally: dict
    extra: dict = field(default_factory=dict)


class Stack:
    """Fake exchange (+ streams), python_service under gunicorn, express_api: all on loopback."""

    def __init__(self):
        self.fake = FakeBinance().start()
        self.streams = FakeStreams(self.fake).start()
        self.procs: list = []
        self.lkg_dir = tempfile.mkdtemp(prefix="lkg-soak-")
        self.gateway_url = self.express_url = None

    def start(self) -> None:
        gateway_port, express_port = closed_port(), closed_port()
        self.gateway = start_gateway({**fake_roots(self.fake.url, self.streams.url), "STREAMS_ENABLED": "true",
                                      "LAST_KNOWN_GOOD_DIR": self.lkg_dir}, gateway_port)
        self.procs.append(self.gateway)
        self.gateway_url = f"http://127.0.0.1:{gateway_port}"
        wait_until_up(self.gateway_url + "/api/status", self.gateway, 120)
        # the soak's users register themselves (as viewers: login, me, demo balance)
        self.express = start_express({"PYTHON_SERVICE_URL": self.gateway_url, "JWT_SECRET": "soak-" + "x" * 40,
                                      "REGISTRATION": "open"}, express_port)
        self.procs.append(self.express)
        self.express_url = f"http://127.0.0.1:{express_port}"
        wait_until_up(self.express_url + "/api/status", self.express, 120)

    def processes(self) -> dict:
        labels = {"master": self.gateway.pid}
        labels.update({f"worker {pid}": pid for pid in children(self.gateway.pid)})
        labels["express_api"] = self.express.pid
        labels["soak driver"] = os.getpid()  # the clients and the fake exchange
        return labels

    def sample(self, at_s: float, tally: dict) -> Sample:
        procs = {}
        for label, pid in self.processes().items():
            try:
                procs[label] = (pid, rss_kb(pid), len(os.listdir(f"/proc/{pid}/fd")), cpu_s(pid))
            except OSError:
                pass  # a worker that left between the listing and the read
        return Sample(at_s, procs, tally, self.status())

    def status(self) -> dict:
        try:
            body = requests.get(self.gateway_url + "/api/status", timeout=10).json()
        except (requests.RequestException, ValueError):
            return {}
        streams = body.get("streams") or {}
        return {"subscribers": body.get("price_subscribers"),
                "streams": "/".join(str((streams.get(m) or {}).get("state", "-")) for m in ("spot", "futures")),
                "ws opened": self.streams.count()}

    def close(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                stop(proc)
            else:
                print(f"--- a process had already exited ({proc.returncode}):\n{output_of(proc)[-2000:]}")
        self.streams.stop()
        self.fake.stop()
        shutil.rmtree(self.lkg_dir, ignore_errors=True)


class PriceMover(threading.Thread):
    """Moves one symbol's price a little every second, within ±1 % of where it started."""

    def __init__(self, streams: FakeStreams, stop_event: threading.Event):
        super().__init__(daemon=True)
        self.streams, self.stop_event = streams, stop_event
        self.start_prices = {s: float(streams.fake.prices[s]) for s in SYMBOLS}

    def run(self) -> None:
        n = 0
        while not self.stop_event.wait(1.0):
            symbol = SYMBOLS[n % len(SYMBOLS)]
            self.streams.set_price(symbol, f"{self.start_prices[symbol] * (1 + ((n * 7) % 21 - 10) / 1000):.8f}")
            n += 1


# ----- the run -----
def run(args, say) -> list[Sample]:
    stack, load, samples = Stack(), None, []
    try:
        stack.start()
        say(f"up: python_service {stack.gateway_url} ({len(children(stack.gateway.pid))} worker(s)), "
            f"express_api {stack.express_url}, fake {stack.fake.url}, streams {stack.streams.url}")
        load = Load(stack.gateway_url, stack.express_url, args.rate)
        PriceMover(stack.streams, load.stop).start()
        load.start()
        drive(stack, load, args, say, samples)
    finally:
        if load is not None:
            load.stop.set()
            load.join(40)
            if load.tally.examples:
                say("first failures:\n    " + "\n    ".join(load.tally.examples))
            report_load(load, say)
        stack.close()
    return samples


def drive(stack: Stack, load: Load, args, say, samples: list) -> None:
    """Runs the fault schedule round and round and samples every --sample-s until --minutes pass;
    Ctrl-C ends it early, with the samples so far."""
    clock = Clock(args, schedule(stack.fake, stack.streams))
    try:
        while clock.now() < clock.end_at:
            if clock.sample_due():
                samples.append(stack.sample(clock.elapsed(), load.tally.snapshot()))
                print_row(samples)
            if clock.crossed_warmup():
                fd_breakdown(stack.processes(), say, "at the end of warm-up")
            if clock.phase_due():
                clock.next_phase(say)
            clock.sleep()
    except KeyboardInterrupt:
        say("interrupted: the summary covers the samples so far")
    clock.end_phase()
    samples.append(stack.sample(clock.elapsed(), load.tally.snapshot()))
    print_row(samples)
    fd_breakdown(stack.processes(), say, "at the end")


class Clock:
    """When the next sample, the next fault phase, the end of warm-up and the end of the run are due."""

    def __init__(self, args, phases: list):
        self.now = time.monotonic
        self.started = self.next_sample = self.phase_end = self.now()
        self.end_at = self.started + args.minutes * 60
        self.warmup_at, self.warmup_told = self.started + args.warmup_s, False
        self.sample_s, self.phases, self.index, self.ending = args.sample_s, phases, -1, None

    def elapsed(self) -> float:
        return self.now() - self.started

    def sample_due(self) -> bool:
        if self.now() < self.next_sample:
            return False
        self.next_sample += self.sample_s
        return True

    def crossed_warmup(self) -> bool:
        if self.warmup_told or self.now() < self.warmup_at:
            return False
        self.warmup_told = True
        return True

    def phase_due(self) -> bool:
        return self.now() >= self.phase_end

    def next_phase(self, say) -> None:
        self.end_phase()
        self.index = (self.index + 1) % len(self.phases)
        name, seconds, begin, self.ending = self.phases[self.index]
        say(f"fault phase: {name}")
        if begin:
            begin()
        self.phase_end = self.now() + seconds

    def end_phase(self) -> None:
        if self.ending:
            self.ending()
            self.ending = None

    def sleep(self) -> None:
        due = min(self.next_sample, self.phase_end, self.end_at)
        if not self.warmup_told:
            due = min(due, self.warmup_at)
        time.sleep(max(0.0, due - self.now()))


def print_row(samples: list) -> None:
    sample = samples[-1]
    labels = list(sample.procs)
    if len(samples) == 1 or labels != list(samples[-2].procs):
        print("\n  min  " + "  ".join(f"{label[:18]:>18}" for label in labels) +
              "   answers  failures  no-answer  subscribers  streams       ws-opened")
        print("       " + "  ".join(f"{'RSS MB / fds':>18}" for _ in labels))
    cells = "  ".join(f"{rss / 1024:10.1f} / {fds:5d}" for _, rss, fds, _ in sample.procs.values())
    extra = sample.extra
    print(f"{sample.at_s / 60:5.1f}  {cells}   {sample.tally['requests']:7d}  {sample.tally['failures']:8d}  "
          f"{sample.tally['no_answer']:9d}  {str(extra.get('subscribers', '-')):>11}  "
          f"{str(extra.get('streams', '-')):12}  {str(extra.get('ws opened', '-')):>9}", flush=True)


# ----- the summary -----
def around(samples: list, at_s: float, label: str, index: int) -> float:
    """The median of the three samples ending at `at_s` (fewer if there are fewer)."""
    values = [s.procs[label][index] for s in samples if s.at_s <= at_s + 1 and label in s.procs][-3:]
    return statistics.median(values) if values else float("nan")


def cpu_share(samples: list, label: str) -> str:
    """The process's CPU use over the run, in % of one core."""
    seen = [s for s in samples if label in s.procs]
    if len(seen) < 2 or seen[-1].at_s <= seen[0].at_s:
        return "-"
    return f"{(seen[-1].procs[label][3] - seen[0].procs[label][3]) / (seen[-1].at_s - seen[0].at_s):.0%}"


def summary(samples: list, warmup_s: float, say) -> bool:
    end_s = samples[-1].at_s
    labels = [label for label in samples[-1].procs if any(label in s.procs and s.at_s <= warmup_s + 1
                                                          for s in samples)]
    say(f"\n== soak summary: warm-up end {warmup_s / 60:g} min vs end {end_s / 60:.1f} min "
        f"(medians of 3 samples; flat = RSS within +{RSS_GROWTH_MAX:.0%} and fds within +{FD_GROWTH_MAX}) ==")
    say(f"{'process':20} {'RSS MB warm-up':>14} {'end':>8} {'growth':>16}   {'fds warm-up':>11} {'end':>5} "
        f"{'growth':>7}   {'CPU':>5}   verdict")
    flat = True
    for label in labels:
        rss0, rss1 = around(samples, warmup_s, label, 1) / 1024, around(samples, end_s, label, 1) / 1024
        fd0, fd1 = around(samples, warmup_s, label, 2), around(samples, end_s, label, 2)
        ok = rss1 - rss0 <= RSS_GROWTH_MAX * rss0 and fd1 - fd0 <= FD_GROWTH_MAX
        if label.startswith("soak"):
            verdict = "(not judged)"  # the clients and the fake: its request log grows by design
        else:
            flat &= ok
            verdict = "flat" if ok else "GROWS"
        say(f"{label:20} {rss0:14.1f} {rss1:8.1f} {rss1 - rss0:+8.1f} ({(rss1 - rss0) / rss0:+5.1%})   "
            f"{fd0:11.0f} {fd1:5.0f} {fd1 - fd0:+7.0f}   {cpu_share(samples, label):>5}   {verdict}")
    gone = [label for label in samples[0].procs if label not in samples[-1].procs]
    if gone:
        say(f"processes gone during the run (a replaced worker starts small): {gone}")
    failures = samples[-1].tally["failures"]
    say(f"error-shape failures (a 500 or a non-JSON / unshaped error body; goal 0): {failures}")
    say(f"verdict: {'flat after warm-up' if flat else 'NOT flat after warm-up'}"
        f"{'' if failures == 0 else ', with error-shape failures'}")
    return flat and failures == 0


def report_load(load: Load, say) -> None:
    tally = load.tally
    by_kind = ", ".join(f"{kind} {count}" for kind, count in sorted(tally.requests.items()))
    say(f"answers by client kind: {by_kind}")
    statuses = Counter()
    for (_, status), count in tally.statuses.items():
        statuses[status] += count
    say(f"answers by status: {dict(sorted(statuses.items()))}")
    say(f"failures by kind: {dict(tally.failures) or 0}; no answer (connection error, timeout): "
        f"{dict(tally.no_answer) or 0}")
    say(f"bots' exceptions for error answers (as a bot sees a 429/503): {dict(tally.raised) or 0}")
    say(f"price streams, by how they ended: {dict(sorted(load.streams_opened.items()))}")


def fd_breakdown(stack_labels: dict, say, when: str) -> None:
    for label, pid in stack_labels.items():
        try:
            say(f"fds of {label} {when}: {dict(fd_kinds(pid).most_common(8))}")
        except OSError:
            pass


def interrupt(*_) -> None:
    """SIGTERM ends the run as Ctrl-C does: the processes started are stopped."""
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--warmup-minutes", type=float, default=None,
                        help="default: 5, or a quarter of --minutes when that is shorter")
    parser.add_argument("--sample-s", type=float, default=30)
    parser.add_argument("--rate", type=float, default=20, help="REST requests a second over the 10 paced clients")
    args = parser.parse_args()
    warmup = args.warmup_minutes if args.warmup_minutes is not None else min(5.0, args.minutes / 4)
    args.warmup_s = warmup * 60
    started = time.time()

    def say(message: str) -> None:
        print(f"[{time.time() - started:7.1f} s] {message}", flush=True)

    signal.signal(signal.SIGTERM, interrupt)
    say(f"soak: {args.minutes:g} min, warm-up {warmup:g} min, a sample every {args.sample_s:g} s, "
        f"--rate {args.rate:g}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    samples = run(args, say)
    ok = summary(samples, args.warmup_s, say) if len(samples) > 1 else False
    say(f"load average at the end {os.getloadavg()[0]:.1f}")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
