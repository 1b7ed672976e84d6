"""One JSON log line per request, with a request id (X-Request-ID: taken from
the caller when well-formed, else generated, always echoed), and request metrics."""
from __future__ import annotations

import itertools
import logging
import os
import re
import time
import uuid

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
        g.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else new_request_id()
        g.started = time.perf_counter()

    @app.after_request
    def finish(response):
        elapsed = time.perf_counter() - getattr(g, "started", time.perf_counter())
        rule = request.url_rule
        route = rule.rule if rule else "unmatched"
        response.headers["X-Request-ID"] = getattr(g, "request_id", "")
        # A client can send any method name: unknown ones share one label, so /metrics stays bounded.
        method = request.method if request.method in HTTP_METHODS else "other"
        metrics.observe_request(route, method, response.status_code, elapsed)
        if log.isEnabledFor(logging.INFO):
            log.info("request", extra={"fields": {
                "request_id": g.get("request_id"), "method": request.method, "path": request.path, "route": route,
                "status": response.status_code, "duration_ms": round(elapsed * 1000, 2),
                "source": response.headers.get("X-Data-Source")}})
        return response
