"""The order books one connection keeps from `<symbol>@depth@100ms`, by Binance's recipe: the
stream's events are buffered first, then a REST snapshot is taken and continued by them
(order_book.py has the rules); a gap in the update ids drops the book (REST answers) and
seeds it again. A book is served from the board only while it is whole."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..upstream.errors import UpstreamError
from .board import Board
from .order_book import Book, EventBuffer

log = logging.getLogger(__name__)

SEED_LIMITS = {"spot": (100, 500, 1000, 5000), "futures": (100, 500, 1000)}  # REST depth limits
RESEED_MIN_S = 1.0  # a book whose fresh snapshot could not be continued is seeded again at most this often


class Books:
    def __init__(self, market: str, upstream, board: Board, interest: Callable[[], dict],
                 clock: Callable[[], float]):
        self.market, self.upstream, self.board, self.interest, self.clock = market, upstream, board, interest, clock
        self.futures = market == "futures"
        self._books: dict[str, Book] = {}
        self._events = EventBuffer()  # recent depth events, replayed onto each new snapshot
        self._seed_due: dict[str, float] = {}  # book key -> from when its next event may seed it
        self.reseeds = 0

    def subscribed(self, key: str) -> None:
        """Binance's recipe: the stream's events first, then the snapshot. Seeded at once, before
        the subscription takes effect, the snapshot could predate the first event delivered,
        which futures' id jumps cannot tell from a gap; so the first event seeds it."""
        self._seed_due[key] = 0.0

    def on_event(self, key: str, data: dict, event_s: float) -> None:
        self._events.add(key, data)
        book = self._books.get(key)
        if book is None:
            if key in self._seed_due and self.clock() >= self._seed_due[key]:
                self.seed(key, self.interest().get(key))
            return
        if not book.apply(data):
            rule = "pu is not the previous u" if self.futures else "U is not the previous u + 1"
            log.info("%s %s: gap in the depth update ids (%s); seeding the book again", self.market, key, rule)
            self.board.drop(self.market, key)  # REST answers until the book is whole again
            self._books.pop(key, None)
            self.reseeds += 1
            self.board.set_meta(self.market, book_reseeds=self.reseeds)
            self.seed(key, self.interest().get(key) or book.limit)
            return
        self.board.put(self.market, key, book.snapshot(), event_s)

    def deepen(self, wanted: dict[str, Any]) -> None:
        """A client asked for a deeper book than seeded: seed it again, deeper."""
        for key, detail in wanted.items():
            book = self._books.get(key)
            if book is not None and isinstance(detail, int) and detail > book.limit:
                self.seed(key, detail)

    def seed(self, key: str, detail: Any) -> None:
        """A REST snapshot, continued by the events buffered meanwhile; served once they continue it."""
        try:
            self._seed(key, detail)
        except UpstreamError as err:
            log.warning("%s seed of %s failed (%s): REST serves it", self.market, key, err.message)

    def _seed(self, key: str, detail: Any) -> None:
        limits = SEED_LIMITS[self.market]
        limit = next((n for n in limits if n >= int(detail or 100)), limits[-1])
        self._seed_due.pop(key, None)
        symbol = key.partition(":")[2]
        book = Book(self.upstream.fetch("futures_depth" if self.futures else "depth", symbol=symbol, limit=limit),
                    limit, self.futures)
        if not self._events.replay(key, book):
            log.info("%s %s: the snapshot does not continue into the buffered events; seeding again", self.market, key)
            self._books.pop(key, None)
            self.board.drop(self.market, key)  # a book the events no longer continue is never served
            self._seed_due[key] = self.clock() + RESEED_MIN_S
            return
        self._books[key] = book
        self.board.put(self.market, key, book.snapshot(), self.clock())

    def forget(self, key: str) -> None:
        """The book's stream was unsubscribed."""
        self._books.pop(key, None)
        self._events.forget(key)
        self._seed_due.pop(key, None)

    def clear(self) -> None:
        """The connection is gone: every book must be seeded again on the next one."""
        self._books.clear()
        self._events.clear()
        self._seed_due.clear()
