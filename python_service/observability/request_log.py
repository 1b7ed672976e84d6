"""One JSON log line per request, with a request id (X-Request-ID: taken from
the caller when well-formed, else generated, always echoed), and request metrics.

Under the real start (logs.configure_json_logging) the line is encoded by orjson and
written to stderr in one write by the request itself: through the logging module
(a record, a queue, a writer, a formatter) it cost about 25 times as much, paid on
every request. Elsewhere (tests, an embedding app) it goes to the logging module
as a record on the logger REQUEST_LOGGER with the line's fields in `fields`."""
from __future__ import annotations

import itertools
import logging
import os
import re
import time
import uuid
from collections.abc import Callable

import orjson
from flask import Flask, g, has_request_context, request

from . import metrics

REQUEST_LOGGER = "python_service.requests"
log = logging.getLogger(REQUEST_LOGGER)
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Generated ids: a random per-process prefix and a counter: unique without a syscall per request.
_ID_PREFIX = uuid.uuid4().hex[:20]
_ID_COUNTER = itertools.count(1)


def _reseed_after_fork() -> None:
    global _ID_PREFIX, _ID_COUNTER
    _ID_PREFIX, _ID_COUNTER = uuid.uuid4().hex[:20], itertools.count(1)


os.register_at_fork(after_in_child=_reseed_after_fork)


_sink: Callable[[dict], None] | None = None  # set by direct_lines(): the real start


def direct_lines(fd: int = 2) -> None:
    """Request lines written straight to `fd` (stderr), as the other log lines look."""
    global _sink

    def write(fields: dict) -> None:
        line = orjson.dumps({"time": _log_time(), "level": "INFO", "name": REQUEST_LOGGER, "message": "request",
                             **fields}) + b"\n"
        while line:  # one write for a line this size; a partial one (a signal) is finished
            line = line[os.write(fd, line):]

    _sink = write


_second = [-1, ""]  # the last whole second formatted, and its text


def _log_time() -> str:
    """What logging's default time format prints (2026-12-03 14:35:59,555), formatted once a second."""
    now = time.time()
    whole = int(now)
    if whole != _second[0]:
        _second[:] = [whole, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(whole))]
    return f"{_second[1]},{int((now - whole) * 1000):03d}"


def new_request_id() -> str:
    return f"{_ID_PREFIX}{next(_ID_COUNTER):012x}"


class RequestIdFilter(logging.Filter):
    """Adds the current request id to every log record made while serving a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(g, "request_id", None) if has_request_context() else None
        return True


def init_app(app: Flask) -> None:
    @app.before_request
    def start():
        incoming = request.headers.get("X-Request-ID", "")
        here = g._get_current_object()  # once, not through the proxy at every use
        here.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else new_request_id()
        here.started = time.perf_counter()

    @app.after_request
    def finish(response):
        here, asked = g._get_current_object(), request._get_current_object()
        elapsed = time.perf_counter() - getattr(here, "started", time.perf_counter())
        rule = asked.url_rule
        route = rule.rule if rule else "unmatched"
        request_id = getattr(here, "request_id", "")
        response.headers["X-Request-ID"] = request_id
        # A client can send any method name: unknown ones share one label, so /metrics stays bounded.
        method = asked.method if asked.method in HTTP_METHODS else "other"
        status = response.status_code
        metrics.observe_request(route, method, status, elapsed)
        if _sink is not None or log.isEnabledFor(logging.INFO):
            fields = {"request_id": request_id or None, "method": asked.method, "route": route,
                      "path": getattr(here, "logged_path", None) or asked.path,  # a view may hide a credential
                      "status": status, "duration_ms": round(elapsed * 1000, 2),
                      "source": response.headers.get("X-Data-Source")}
            if _sink is not None:
                _sink(fields)
            else:
                log.info("request", extra={"fields": fields})
        return response
