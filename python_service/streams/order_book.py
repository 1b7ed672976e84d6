"""A local order book kept from Binance's diff-depth events after a REST snapshot, by the
rules of Binance's "How to manage a local order book correctly":

- spot: drop events with u <= lastUpdateId; the first applied has U <= lastUpdateId + 1 <= u;
  after it, each event's U is the previous event's u + 1.
- USDT-M futures: drop events with u < lastUpdateId; the first applied has
  U <= lastUpdateId <= u; after it, each event's `pu` is the previous event's u (futures'
  update ids are not contiguous per symbol, so U says nothing about a gap).

Anything else is a gap: the book is out of sync and must be seeded again from REST, replaying
the events received meanwhile (`EventBuffer`), as Binance's recipe buffers them."""
from __future__ import annotations

from collections import deque
from decimal import Decimal

BUFFERED_EVENTS = 64  # recent events per book, replayed onto a new snapshot


class Book:
    def __init__(self, snapshot: dict, limit: int, futures: bool = False):
        self.limit, self.futures = limit, futures
        self.last_id = snapshot["lastUpdateId"]
        self.bids = {p: q for p, q in snapshot["bids"]}
        self.asks = {p: q for p, q in snapshot["asks"]}
        self.first_applied = False
        # futures answers carry the event and transaction times: kept, so the shape stays Binance's
        self.times = {k: snapshot[k] for k in ("E", "T") if k in snapshot} if futures else {}

    def apply(self, event: dict) -> bool:
        """False on a gap in the update ids: the book must be seeded again."""
        if self._behind(event):
            return True  # the snapshot (or an event already applied) holds it
        if not self._continues(event):
            return False
        for side, changes in ((self.bids, event.get("b", [])), (self.asks, event.get("a", []))):
            for price, qty in changes:
                if Decimal(qty) == 0:
                    side.pop(price, None)
                else:
                    side[price] = qty
        self.last_id, self.first_applied = event["u"], True
        if self.futures:
            self.times = {k: event[k] for k in ("E", "T") if k in event}
        return True

    def _behind(self, event: dict) -> bool:
        if self.futures and not self.first_applied:
            return event["u"] < self.last_id  # an event ending at lastUpdateId is the first to apply
        return event["u"] <= self.last_id

    def _continues(self, event: dict) -> bool:
        if not self.first_applied:
            return event["U"] <= self.last_id + (0 if self.futures else 1)
        if self.futures:
            return event["pu"] == self.last_id
        return event["U"] == self.last_id + 1

    def snapshot(self) -> dict:
        bids = sorted(self.bids.items(), key=lambda pq: Decimal(pq[0]), reverse=True)[:self.limit]
        asks = sorted(self.asks.items(), key=lambda pq: Decimal(pq[0]))[:self.limit]
        return {"lastUpdateId": self.last_id, **self.times, "bids": [list(b) for b in bids],
                "asks": [list(a) for a in asks], "limit": self.limit}


class EventBuffer:
    """The last BUFFERED_EVENTS depth events of each book, to replay onto a fresh snapshot."""

    def __init__(self, size: int = BUFFERED_EVENTS):
        self.size = size
        self._events: dict[str, deque] = {}

    def add(self, key: str, event: dict) -> None:
        self._events.setdefault(key, deque(maxlen=self.size)).append(event)

    def replay(self, key: str, book: Book) -> bool:
        """Applies the buffered events of `key` to `book`; False if they cannot continue it."""
        return all(book.apply(event) for event in self._events.get(key, ()))

    def forget(self, key: str) -> None:
        self._events.pop(key, None)

    def clear(self) -> None:
        self._events.clear()
