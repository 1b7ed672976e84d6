"""What the chaos benchmark counts, from two logs taken in the same run: the answers its
clients got from the gateway, and the fake exchange's own request log (arrival time `at`,
status, fault of every request that reached it). Pure functions; bench/chaos.py runs them."""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime

# A record answered with one of these opened a window in which its market must not be called.
BLOCKING = {"banned": "418 ban", "firewall": "403 firewall", "restricted": "451 restriction"}
# Slack for clocks read in different processes and for a loaded 2-core machine: a gateway's
# `as_of` is its own clock after the answer arrived, a little later than the fake's `at`.
SLACK_S = 2.0
AS_OF_PRECISION_S = 0.001  # answers give as_of to the millisecond, truncated


@dataclass
class Answer:
    """One answer a client got from the gateway."""
    route: str  # the client's label, e.g. "spot price/<S>"
    key: tuple  # (upstream path, symbol or None): which of the fake's answers this data comes from
    ttl: float
    sent: float
    received: float
    status: int  # 0: no HTTP answer (connection refused/reset, client timeout)
    source: str | None = None
    as_of: float | None = None
    error_code: str | None = None


@dataclass
class Window:
    """A block the fake opened: from the arrival of the request it answered with 418/403/451
    (no later than the moment that answer was sent) for `length_s`."""
    kind: str
    market: str
    start: float
    length_s: float

    @property
    def end(self) -> float:
        return self.start + self.length_s


def epoch(iso: str | None) -> float | None:
    if not iso:
        return None
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def record_key(record: dict) -> tuple:
    return record["path"], record["params"].get("symbol")


def good_answers(records: list[dict]) -> dict[tuple, list[float]]:
    """Arrival times of the fake's good answers per key: 200 with the route's real body.
    A dripped 200 is not good: whoever waits it out gets it ~minutes late."""
    good: dict[tuple, list[float]] = {}
    for record in records:
        if record["status"] == 200 and record["fault"] in (None, "slow"):
            good.setdefault(record_key(record), []).append(record["at"])
    for times in good.values():
        times.sort()
    return good


def windows_of(records: list[dict], lengths: dict[str, float]) -> list[Window]:
    """One window per blocking answer the fake sent; `lengths` maps a fault kind to how long
    the gateway was told (or, for 451, configured) to stay away."""
    return [Window(record["fault"], record["market"], record["at"], lengths[record["fault"]])
            for record in records if record["fault"] in BLOCKING and record["fault"] in lengths]


def inside_windows(records: list[dict], windows: list[Window], grace_s: float) -> dict:
    """Requests that reached the fake inside a window, per kind. A request arriving within
    `grace_s` of the window's start was already in flight (admitted before the gateway could
    know of the block) and is counted apart, not as a violation."""
    result = {kind: {"windows": 0, "violations": [], "in_flight": 0, "latest_in_flight_s": 0.0} for kind in BLOCKING}
    for window in windows:
        counts = result[window.kind]
        counts["windows"] += 1
        for record in records:
            if record["market"] != window.market or not window.start < record["at"] < window.end:
                continue
            if record["at"] <= window.start + grace_s:
                counts["in_flight"] += 1
                counts["latest_in_flight_s"] = max(counts["latest_in_flight_s"], record["at"] - window.start)
            else:
                counts["violations"].append(record)
    return result


def bad_5xx(answers: list[Answer]) -> list[Answer]:
    """5xx other than the 503 error envelope ({"error": {"code": ...}})."""
    return [a for a in answers if a.status >= 500 and not (a.status == 503 and a.error_code)]


def mislabelled(answers: list[Answer], good: dict[tuple, list[float]], started: float) -> list[tuple]:
    """Answers whose source/as_of contradict what the fake served:
    - live/cache: as_of must follow one of the fake's good answers for that key by at most
      SLACK_S, and be no older than its TTL (+ SLACK_S) when received;
    - stale: as_of no newer than the latest good answer for that key (+ SLACK_S);
    - fallback: as_of before the run began (the shipped snapshot);
    - any: as_of not after the answer was received."""
    wrong = []
    for answer in answers:
        if answer.status != 200 or answer.source is None:
            continue
        problem = _problem(answer, good.get(answer.key, []), started)
        if problem:
            wrong.append((answer, problem))
    return wrong


def _problem(answer: Answer, times: list[float], started: float) -> str | None:
    as_of = answer.as_of
    if as_of is None:
        return "no as_of"
    if as_of > answer.received + SLACK_S:
        return "as_of after the answer arrived"
    if answer.source == "fallback":
        return None if as_of < started else "fallback newer than the run"
    before = bisect.bisect_right(times, as_of + AS_OF_PRECISION_S)
    if answer.source in ("live", "cache"):
        if before == 0 or as_of + AS_OF_PRECISION_S - times[before - 1] > SLACK_S:
            return f"{answer.source}, but the fake answered nothing good just before its as_of"
        if answer.received - as_of > answer.ttl + SLACK_S:
            return f"{answer.source}, {answer.received - as_of:.1f} s old (TTL {answer.ttl:g} s)"
        return None
    if answer.source == "stale":
        latest = bisect.bisect_right(times, answer.received)
        if latest == 0 or as_of > times[latest - 1] + SLACK_S:
            return "stale as_of newer than the fake's last good answer"
        return None
    return f"unknown source {answer.source!r}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]
