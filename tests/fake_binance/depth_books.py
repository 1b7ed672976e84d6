"""The fake's order books: one per market and symbol, moved by the fake's price, from which both
the REST depth snapshot and the diff-depth events are cut, so that they fit by Binance's rules.

A book is a grid of price levels `step` apart (in 1e-8 units, Binance's 8 decimals): bids at
every level below the price down to the grid's first, asks at every level above it. Each level
has a quantity of its own; each move of the book (`advance`) also changes the quantities at the
top, as trading does. When the price moves, the levels it crosses leave one side (quantity "0"
in the diff, as Binance sends a removal) and join the other, so the book is never crossed.

Update ids: each advance takes ids past the last one (spot: contiguous; USDT-M futures: they jump
by FUTURES_ID_STRIDE, as other symbols' updates take the ids between). What advanced since the
last event is kept, merged, until `take_event` hands it out as one event: spot `U`..`u`; futures
`U`, `u` and `pu`, the previous event's `u`. The REST snapshot's `lastUpdateId` is the last id
taken, so a snapshot is never older than the events already sent: an event it already holds has
`u` <= lastUpdateId (spot clients drop it; futures clients apply it again, which changes nothing,
quantities being absolute)."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal

FIRST_DEPTH_ID = 1027024  # the REST snapshot's lastUpdateId before any update
FUTURES_ID_STRIDE = 7
SPOT_IDS_PER_ADVANCE = 3  # Binance batches several updates into an event
REACH = 5000  # levels kept in step near the top: Binance's deepest snapshot (limit 5000)
UNIT = 100_000_000  # 1e-8


def units_of(price: str) -> int:
    return int(Decimal(price) * UNIT)


def text_of(units: int) -> str:
    return f"{units // UNIT}.{units % UNIT:08d}"


def base_quantity(level: int) -> str:
    """A level's quantity until trading touches it: deterministic, never 0."""
    return text_of(UNIT // 100 * (1 + (level * 7919) % 997))


@dataclass
class Book:
    step: int  # units between levels
    best_bid: int  # level index: bids at 1..best_bid, asks from best_bid + 1
    futures: bool
    last_id: int = FIRST_DEPTH_ID
    touched: dict = field(default_factory=dict)  # level -> quantity set by trading
    pending: dict = field(default_factory=lambda: {"b": {}, "a": {}})  # level -> quantity, since the last event
    pending_first: int | None = None  # U of the next event
    last_event_u: int = FIRST_DEPTH_ID  # futures' pu of the next event

    def quantity(self, level: int) -> str:
        return self.touched.get(level) or base_quantity(level)

    def level_of(self, price_units: int) -> int:
        """The best bid's level for `price_units`: the highest level strictly below the price."""
        return max(0, (price_units - 1) // self.step)

    def advance(self, price_units: int, churn: bool) -> bool:
        """Moves the book to `price_units` (and, with `churn`, trades at its top); True when anything changed."""
        target = self.level_of(price_units)
        changes = {"b": {}, "a": {}}
        if target > self.best_bid:  # up: asks crossed leave, bids join
            for level in range(max(self.best_bid + 1, target + 1 - REACH), target + 1):
                changes["b"][level] = self.quantity(level)
            for level in range(self.best_bid + 1, min(target + 1, self.best_bid + 1 + REACH)):
                changes["a"][level] = "0"
        elif target < self.best_bid:  # down: bids crossed leave, asks join
            for level in range(max(target + 1, self.best_bid + 1 - REACH), self.best_bid + 1):
                changes["b"][level] = "0"
            for level in range(target + 1, min(self.best_bid + 1, target + 1 + REACH)):
                changes["a"][level] = self.quantity(level)
        self.best_bid = target
        if churn:
            self._trade(changes)
        if not changes["b"] and not changes["a"]:
            return False
        self._take_ids()
        for side in ("b", "a"):
            self.pending[side].update(changes[side])
        return True

    def _trade(self, changes: dict) -> None:
        """Quantities at the top change, as orders arrive and fill."""
        tick = self.last_id % 5 + 1
        for side, level in (("b", self.best_bid), ("a", self.best_bid + 1)):
            if level < 1:
                continue
            quantity = text_of(UNIT // 100 * (1 + (level * 7919 + tick * 131) % 997))
            self.touched[level] = quantity
            changes[side][level] = quantity

    def _take_ids(self) -> None:
        first = self.last_id + (FUTURES_ID_STRIDE if self.futures else 1)
        self.last_id = first + SPOT_IDS_PER_ADVANCE - 1
        if self.pending_first is None:
            self.pending_first = first

    def take_event(self) -> dict | None:
        """What changed since the last event, as one diff-depth event's ids and levels (None: nothing)."""
        if self.pending_first is None:
            return None
        event = {"U": self.pending_first, "u": self.last_id}
        if self.futures:
            event["pu"] = self.last_event_u
        event["b"] = [[text_of(level * self.step), q] for level, q in sorted(self.pending["b"].items(), reverse=True)]
        event["a"] = [[text_of(level * self.step), q] for level, q in sorted(self.pending["a"].items())]
        self.last_event_u, self.pending_first, self.pending = self.last_id, None, {"b": {}, "a": {}}
        return event

    def snapshot(self, limit: int) -> dict:
        bids = [[text_of(level * self.step), self.quantity(level)]
                for level in range(self.best_bid, max(0, self.best_bid - limit), -1)]
        asks = [[text_of(level * self.step), self.quantity(level)]
                for level in range(self.best_bid + 1, self.best_bid + 1 + limit)]
        return {"lastUpdateId": self.last_id, "bids": bids, "asks": asks}


class DepthBooks:
    """Every book of the fake, made when first asked for, each moved under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self._books: dict[tuple[str, str], Book] = {}

    def _book(self, market: str, symbol: str, price: str) -> Book:
        book = self._books.get((market, symbol))
        if book is None:
            price_units = units_of(price)
            step = max(1, price_units // 100_000)
            book = Book(step, max(0, (price_units - 1) // step), market == "futures")
            self._books[(market, symbol)] = book
        return book

    def snapshot(self, market: str, symbol: str, price: str, limit: int) -> dict:
        """The REST answer: the book moved to `price` first (that move is in the next event)."""
        with self.lock:
            book = self._book(market, symbol, price)
            book.advance(units_of(price), churn=False)
            return book.snapshot(limit)

    def event(self, market: str, symbol: str, price: str, churn: bool = True) -> dict | None:
        """The next diff-depth event's ids and levels, after moving the book to `price`."""
        with self.lock:
            book = self._book(market, symbol, price)
            book.advance(units_of(price), churn)
            return book.take_event()

    def last_id(self, market: str, symbol: str) -> int | None:
        with self.lock:
            book = self._books.get((market, symbol))
            return None if book is None else book.last_id

    def reset(self) -> None:
        with self.lock:
            self._books.clear()
