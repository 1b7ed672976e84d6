"""This worker's side of the stream mirror: which of its bots' connections want which stream,
counted per stream, and how a frame reaches them.

Frames come from the worker's own upstream connections when it owns them, otherwise from the
relay (relay_host.py: the owner sends them on); `deliver` builds each frame once per form (the
combined envelope as Binance sent it, or its payload alone for a raw /ws connection) and queues
it for every connection that wants the stream: a connection's queue is its own (downstream.py).

Interest: while a stream has connections here it is noted for the owner every REFRESH_S (the
streams' interest table, shared by the workers: share.py), so the owner subscribes it upstream
on first interest and drops it STREAM_IDLE_S after the last connection let it go."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .downstream import text_frame

log = logging.getLogger(__name__)

REFRESH_S = 1.0


class Hub:
    def __init__(self, note: Callable[[str, list[str]], None], refresh_s: float = REFRESH_S,
                 on_subscriptions: Callable[[int], None] | None = None, on_drop: Callable[[], None] | None = None):
        """`note(market, streams)`: tells the streams' interest table these streams are wanted now;
        `on_subscriptions(change)` and `on_drop()` count for the metrics."""
        self.note, self.refresh_s = note, refresh_s
        self.on_subscriptions, self.on_drop = on_subscriptions, on_drop
        self._subscribers: dict[tuple[str, str], set] = {}
        self._lock = threading.Lock()
        self._listeners: list[Callable[[str, str, bool], None]] = []  # (market, stream, wanted): the relay
        self._keeper: threading.Thread | None = None
        self.owner = True  # frames come from this worker's own connections (else: from the relay)
        self._live: set[tuple[str, str]] = set()  # streams the relay feeds this worker
        self._live_changed = threading.Condition(self._lock)
        self.delivered = 0  # frames queued for connections (for /api/status and metrics)
        self.dropped = 0  # connections closed for falling behind

    # ----- connections -----
    def subscribe(self, client, market: str, streams: list[str]) -> None:
        first, added = [], 0
        with self._lock:
            for stream in streams:
                subscribers = self._subscribers.setdefault((market, stream), set())
                if not subscribers:
                    first.append(stream)
                added += client not in subscribers
                subscribers.add(client)
        if added and self.on_subscriptions:
            self.on_subscriptions(added)
        self._start_keeper()
        if first:
            self.note(market, first)
            self._tell(market, first, True)

    def unsubscribe(self, client, market: str, streams: list[str]) -> None:
        last, removed = [], 0
        with self._lock:
            for stream in streams:
                subscribers = self._subscribers.get((market, stream))
                if subscribers is None or client not in subscribers:
                    continue
                removed += 1
                subscribers.discard(client)
                if not subscribers:
                    del self._subscribers[(market, stream)]
                    last.append(stream)
        if removed and self.on_subscriptions:
            self.on_subscriptions(-removed)
        if last:
            self._tell(market, last, False)

    # ----- whether frames reach this worker -----
    def set_owner(self, owner: bool) -> None:
        with self._lock:
            self.owner = owner
            self._live.clear()
            self._live_changed.notify_all()

    def mark_live(self, market: str, stream: str, live: bool = True) -> None:
        """The relay: the owner now sends this worker the stream's frames (or no longer does)."""
        with self._lock:
            (self._live.add if live else self._live.discard)((market, stream))
            self._live_changed.notify_all()

    def forget_live(self) -> None:
        """The relay's link is gone: nothing is fed until the owner confirms each stream again."""
        with self._lock:
            self._live.clear()

    def wait_live(self, market: str, streams: list[str], seconds: float) -> bool:
        """Waits (at most `seconds`) until every stream's frames reach this worker, so that a bot told
        "subscribed" misses none of the events that follow, as at Binance. True when they do."""
        deadline = time.monotonic() + seconds
        with self._lock:
            while not self.owner and not all((market, s) in self._live for s in streams):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._live_changed.wait(left)
            return True

    def counts(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return {key: len(subscribers) for key, subscribers in self._subscribers.items()}

    def wanted(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._subscribers)

    def listen(self, listener: Callable[[str, str, bool], None]) -> None:
        self._listeners.append(listener)

    def _tell(self, market: str, streams: list[str], wanted: bool) -> None:
        for listener in list(self._listeners):
            for stream in streams:
                listener(market, stream, wanted)

    # ----- frames -----
    def deliver(self, market: str, stream: str, raw: str, payload: str) -> None:
        """One frame of `stream` to every connection here that wants it."""
        with self._lock:
            subscribers = self._subscribers.get((market, stream))
            if not subscribers:
                return
            subscribers = list(subscribers)
        combined = plain = None
        for client in subscribers:
            if client.combined:
                combined = combined or text_frame(raw)
                data = combined
            else:
                plain = plain or text_frame(payload)
                data = plain
            if client.push(data):
                self.delivered += 1
            elif client.fell_behind():
                self.dropped += 1
                if self.on_drop:
                    self.on_drop()

    # ----- interest, kept while wanted -----
    def _start_keeper(self) -> None:
        if self._keeper is None:
            self._keeper = threading.Thread(target=self._keep, daemon=True, name="stream-mirror-interest")
            self._keeper.start()

    def _keep(self) -> None:
        while True:
            time.sleep(self.refresh_s)
            by_market: dict[str, list[str]] = {}
            for market, stream in self.wanted():
                by_market.setdefault(market, []).append(stream)
            for market, streams in by_market.items():
                try:
                    self.note(market, streams)
                except Exception:
                    log.exception("could not note the mirror's streams")
