"""The gateway's streamed data in tests: an app whose streams are up, and its server-sent events read."""
from __future__ import annotations

import json
import time

from tests.support.waiting import WAIT_S, wait_until


def started(app):
    """Starts the app's streams and waits (without asking REST) until spot prices are streamed."""
    streams = app.extensions["services"].streams
    streams.start()
    wait_until(lambda: streams.fresh("spot", "prices") is not None, "the spot stream")
    return app.test_client()


def events_of(chunks):
    """Parsed `price` events from an iterator of SSE text chunks (bytes or str)."""
    buffer = ""
    for chunk in chunks:
        buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            lines = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line and line[0] != ":")
            yield json.loads(lines["data"]) if lines.get("event") == "price" else None  # None: a keepalive


def candle_events(chunks):
    """Parsed `candle` events from an iterator of SSE text chunks (bytes or str)."""
    buffer = ""
    for chunk in chunks:
        buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            yield json.loads(block.split("data: ", 1)[1]) if block.startswith("event: candle\n") else None


def next_event(events, predicate, what: str):
    """The next event for which `predicate` holds (keepalives skipped); fails after WAIT_S."""
    deadline = time.monotonic() + WAIT_S
    for event in events:
        if event is not None and predicate(event):
            return event
        assert time.monotonic() < deadline, f"no event for {what} within {WAIT_S} s"
    raise AssertionError(f"the stream ended before {what}")


class EventReader:
    """Every server-sent event of an open response, read by a thread of its own into a queue, so a
    test waits for the one it means (`next`) with a bound, never on a blocking read."""

    def __init__(self, response):
        import queue
        import threading

        self.response, self.seen = response, []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = ""
        try:
            for chunk in self.response.iter_content(chunk_size=None):
                buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    lines = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line and line[0] != ":")
                    if "event" in lines:
                        self._queue.put((lines["event"], json.loads(lines["data"])))
        except Exception:  # noqa: BLE001 - the response was closed: the reader ends
            pass
        self._queue.put(None)

    def next(self, predicate, what: str, seconds: float = WAIT_S) -> tuple:
        """The next (name, data) for which predicate(name, data) holds."""
        import queue

        deadline = time.monotonic() + seconds
        while True:
            try:
                item = self._queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no event for {what} within {seconds:g} s; seen {self.seen[-5:]}") from None
            if item is None:
                raise AssertionError(f"the stream ended before {what}")
            self.seen.append(item)
            if predicate(*item):
                return item
