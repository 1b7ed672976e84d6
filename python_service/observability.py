"""One JSON log line per request, with a request id (X-Request-ID: taken from
the caller when well-formed, else generated, always echoed), and request metrics."""
from __future__ import annotations

import atexit
import itertools
import json
import logging
import logging.handlers
import os
import re
import time
import uuid
from queue import SimpleQueue

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from . import metrics

log = logging.getLogger("python_service.requests")
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


class RequestLineFormatter(logging.Formatter):
    """The per-request line, built directly: it is written for every request, so it is kept cheap."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"time": self.formatTime(record), "level": record.levelname, "name": record.name,
                           "message": record.getMessage(), **getattr(record, "fields", {})})


class _Enqueue(logging.handlers.QueueHandler):
    """Request threads only enqueue (no lock convoy on a stream, no write syscall);
    one listener thread formats and writes."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record  # formatted by the listener's handlers, with their own formatters


_listener: logging.handlers.QueueListener | None = None


def configure_json_logging(level: int = logging.INFO) -> None:
    global _listener
    lines = logging.StreamHandler()
    lines.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                     rename_fields={"asctime": "time", "levelname": "level"}))
    lines.addFilter(lambda record: record.name != log.name)
    request_lines = logging.StreamHandler()
    request_lines.setFormatter(RequestLineFormatter())
    request_lines.addFilter(lambda record: record.name == log.name)
    # No caller lookup (a stack walk) or thread/process names on every record: the lines never show them.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    queue: SimpleQueue = SimpleQueue()
    if _listener is not None:
        _listener.stop()
    _listener = logging.handlers.QueueListener(queue, lines, request_lines, respect_handler_level=True)
    _listener.start()
    atexit.register(_listener.stop)
    enqueue = _Enqueue(queue)
    enqueue.addFilter(RequestIdFilter())  # runs in the request's thread, where flask.g is
    root = logging.getLogger()
    root.handlers[:] = [enqueue]
    root.setLevel(level)


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
        metrics.observe_request(route, request.method, response.status_code, elapsed)
        if log.isEnabledFor(logging.INFO):
            log.info("request", extra={"fields": {
                "request_id": g.get("request_id"), "method": request.method, "path": request.path, "route": route,
                "status": response.status_code, "duration_ms": round(elapsed * 1000, 2),
                "source": response.headers.get("X-Data-Source")}})
        return response
