"""JSON log lines: one writer thread formats and writes; request threads only enqueue.
The per-request line is written by request_log.py itself."""
from __future__ import annotations

import atexit
import logging
import logging.handlers
from queue import SimpleQueue

from pythonjsonlogger.json import JsonFormatter

from . import request_log
from .request_log import RequestIdFilter


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
    # No thread names on every record: the lines never show them. (Process ids stay: gunicorn's
    # own error-log format prints %(process)d.)
    logging.logThreads = False
    queue: SimpleQueue = SimpleQueue()
    if _listener is not None:
        _listener.stop()
    _listener = logging.handlers.QueueListener(queue, lines, respect_handler_level=True)
    _listener.start()
    atexit.register(_listener.stop)
    enqueue = _Enqueue(queue)
    enqueue.addFilter(RequestIdFilter())  # runs in the request's thread, where flask.g is
    root = logging.getLogger()
    root.handlers[:] = [enqueue]
    root.setLevel(level)
    if level <= logging.INFO:
        request_log.direct_lines()  # the per-request line skips the logging module (request_log.py)


