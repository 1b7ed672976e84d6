"""JSON log lines: one writer thread formats and writes; request threads only enqueue."""
from __future__ import annotations

import atexit
import json
import logging
import logging.handlers
from queue import SimpleQueue

from pythonjsonlogger.json import JsonFormatter

from .request_log import REQUEST_LOGGER, RequestIdFilter


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
    lines.addFilter(lambda record: record.name != REQUEST_LOGGER)
    request_lines = logging.StreamHandler()
    request_lines.setFormatter(RequestLineFormatter())
    request_lines.addFilter(lambda record: record.name == REQUEST_LOGGER)
    # No thread names on every record: the lines never show them. (Process ids stay: gunicorn's
    # own error-log format prints %(process)d.)
    logging.logThreads = False
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


