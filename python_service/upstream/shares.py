"""Who a call to Binance is made for, and each client's fair share of the weight budget.

The routes set `current_client` (an address) for each request; everything below reads it
from the context, so no layer passes it along. A client may spend CLIENT_WEIGHT_SHARE of the
minute's ceiling, counted by cost (a depth?limit=5000 call is 250, a price 2-4). Above a
client's own share, prices and tickers keep a reserve (PRICE_RESERVE_RATIO of the ceiling)
that nothing else may spend: whatever others do, the cheap, shared, most-used data stays
live. Counters live in the store, so workers and hosts sharing Redis agree."""
from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar

from .budget import WeightBudget
from .errors import HeldBack, OverClientShare, State

# The client (its address) the current request is served for; None outside requests.
current_client: ContextVar[str | None] = ContextVar("gateway_current_client", default=None)

HEAVIEST_CALL = 250  # spot depth?limit=5000 (endpoints.py)

# Prices and tickers: cheap, shared by every client, and what most of them ask for.
RESERVED_FOR = frozenset({"ticker_prices", "ticker_24hr", "futures_ticker_24hr", "futures_ticker_price"})


class ClientShares:
    def __init__(self, store, ceiling: int, share_ratio: float, reserve_ratio: float,
                 clock: Callable[[], float] = time.time, prefix: str = "weight"):
        self.store, self.clock, self.prefix = store, clock, prefix
        # never less than the heaviest single call (or the whole ceiling when that is smaller):
        # a share that cannot pay for one depth?limit=5000 would refuse it for ever
        self.share = max(int(ceiling * share_ratio), min(ceiling, HEAVIEST_CALL))
        self.unreserved = ceiling - int(ceiling * reserve_ratio)  # what endpoints outside the reserve may use

    def reserve(self, endpoint: str, weight: int, budget: WeightBudget) -> int:
        """Charges `weight` to the current client, then to the shared budget (returning its ticket);
        raises OverClientShare (this client) or HeldBack (the reserve, the budget) instead."""
        if endpoint not in RESERVED_FOR and budget.used() + weight > self.unreserved:
            raise HeldBack(f"the rest of this minute's request weight is kept for prices and tickers "
                           f"({budget.ceiling - self.unreserved} of {budget.ceiling})", State.OK,
                           retry_after=self._next_minute())
        key = self.charge(weight)
        try:
            return budget.reserve(weight)
        except HeldBack:
            if key is not None:
                self.store.incr(key, -weight, ttl=120)  # not spent after all
            raise

    def charge(self, weight: int) -> str | None:
        """Charges `weight` to the current client's share alone (returning the counter's key), or raises
        OverClientShare. Alone, it is what a request the gateway answers itself in Binance's place costs
        (a bot's listenKey calls): Binance's weight counts against the bot's share, not Binance's budget."""
        client = current_client.get()
        key = self._key(client) if client else None
        if key is not None:
            spent = self.store.incr(key, weight, ttl=120)
            if spent > self.share:
                self.store.incr(key, -weight, ttl=120)
                raise OverClientShare(f"this client has spent its share of this minute's request weight "
                                      f"({self.share}); cached data until the next minute",
                                      retry_after=self._next_minute())
        return key

    def spent(self, client: str) -> int:
        return self.store.get(self._key(client)) or 0

    def _key(self, client: str) -> str:
        return f"{self.prefix}:client:{int(self.clock() // 60)}:{client}"

    def _next_minute(self) -> float:
        return 60 - self.clock() % 60
