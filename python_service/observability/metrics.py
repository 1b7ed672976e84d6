"""Prometheus metrics. Under gunicorn, PROMETHEUS_MULTIPROC_DIR (set by
gunicorn.conf.py) makes counters add up across workers; state gauges are
computed at scrape time from numbers the caller reads from the shared state."""
from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)

# In multiprocess mode every update of a value asks os.getpid() (a system call) to notice a
# fork; five updates per request made that a visible share of a cached answer's CPU. The pid
# is read once per process instead, and again in a child after a fork.
_pid = os.getpid()


def _process_id() -> int:
    return _pid


def _forked() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_forked)
if values.ValueClass is not values.MutexValue:  # PROMETHEUS_MULTIPROC_DIR is set
    values.ValueClass = values.MultiProcessValue(process_identifier=_process_id)

UPSTREAM_REQUESTS = Counter("gateway_upstream_requests_total", "Requests sent to Binance, per attempt",
                            ["endpoint", "status"])
UPSTREAM_RETRIES = Counter("gateway_upstream_retries_total", "Attempts retried after a transient failure")
CACHE_LOOKUPS = Counter("gateway_cache_lookups_total", "Cache lookups for market data", ["result"])
ANSWERS = Counter("gateway_answers_total", "Market-data answers by where the data came from", ["source"])
HTTP_REQUESTS = Counter("gateway_http_requests_total", "HTTP requests served", ["route", "method", "status"])
HTTP_LATENCY = Histogram("gateway_http_request_duration_seconds", "HTTP request latency", ["route"],
                         buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
# Event-stream subscribers open now, summed over the live workers (each worker adds and removes its own)
STREAM_SUBSCRIBERS = Gauge("gateway_stream_subscribers", "Server-sent event subscriptions open now",
                           multiprocess_mode="livesum")
# The stream mirror (bots' websockets): connections and subscriptions open now, over the live workers
MIRROR_CONNECTIONS = Gauge("gateway_mirror_connections", "Stream mirror websocket connections open now",
                           multiprocess_mode="livesum")
MIRROR_SUBSCRIPTIONS = Gauge("gateway_mirror_subscriptions", "Stream mirror subscriptions (connection x stream) now",
                             multiprocess_mode="livesum")
MIRROR_DROPPED = Counter("gateway_mirror_dropped", "Stream mirror connections closed for falling behind")
STATES = ("ok", "restricted", "rate_limited", "banned", "unreachable", "unknown")
_children: dict = {}  # (route, method, status) -> (counter child, histogram child): labels() is slow per request


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    key = (route, method, status)
    children = _children.get(key)
    if children is None:
        children = _children[key] = (HTTP_REQUESTS.labels(route, method, str(status)), HTTP_LATENCY.labels(route))
    children[0].inc()
    children[1].observe(seconds)


def count_stream_subscribers(change: int) -> None:
    STREAM_SUBSCRIBERS.inc(change)


def count_mirror_connections(change: int) -> None:
    MIRROR_CONNECTIONS.inc(change)


def count_mirror_subscriptions(change: int) -> None:
    MIRROR_SUBSCRIPTIONS.inc(change)


def count_mirror_drop() -> None:
    MIRROR_DROPPED.inc()


def count_answer(source: str) -> None:
    _ANSWER_CHILDREN[source].inc()


def count_cache_lookup(hit: bool) -> None:
    (_CACHE_HIT if hit else _CACHE_MISS).inc()


def count_upstream_attempt(endpoint: str, status: str) -> None:
    UPSTREAM_REQUESTS.labels(endpoint, status).inc()


def count_upstream_retry() -> None:
    UPSTREAM_RETRIES.inc()


def _state_registry(gauges: dict) -> CollectorRegistry:
    """Gauges of the state now: correct whatever worker answers."""
    registry = CollectorRegistry()
    state = Gauge("gateway_upstream_state", "1 for each market's upstream state now, 0 for the others",
                  ["market", "state"], registry=registry)
    retry_after = Gauge("gateway_upstream_retry_after_seconds",
                        "Seconds until Binance may be called again (ban, cool-down), per market", ["market"],
                        registry=registry)
    breaker = Gauge("gateway_breaker_open", "1 while the circuit breaker keeps the market's root uncalled",
                    ["market"], registry=registry)
    for market, now in gauges["markets"].items():
        for name in STATES:
            state.labels(market, name).set(1 if now["state"] == name else 0)
        retry_after.labels(market).set(now["retry_after_s"])
        breaker.labels(market).set(1 if now["state"] == "unreachable" and now["retry_after_s"] else 0)
    for label, weights in gauges["weights"].items():
        Gauge(f"gateway_{label}_weight_used_1m", f"{label} request weight used this minute",
              registry=registry).set(weights["used_1m"])
        Gauge(f"gateway_{label}_weight_ceiling_1m", f"{label} request weight the gateway allows itself per minute",
              registry=registry).set(weights["ceiling_1m"])
    return registry


def exposition(gauges: dict) -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counters = CollectorRegistry()
        multiprocess.MultiProcessCollector(counters)
    else:
        counters = REGISTRY
    return generate_latest(counters) + generate_latest(_state_registry(gauges)), CONTENT_TYPE_LATEST


_ANSWER_CHILDREN = {source: ANSWERS.labels(source) for source in ("live", "stream", "cache", "stale", "fallback")}
_CACHE_HIT, _CACHE_MISS = CACHE_LOOKUPS.labels("hit"), CACHE_LOOKUPS.labels("miss")
