"""The Binance-compatible mirror: Binance's own JSON for Binance's own paths, from the
same provider (one cache, one single flight, one weight budget) as the gateway's routes.

Where Binance would give the same bytes, an answer is cut from a broader cached one:
a one-symbol ticker/price or bookTicker from the all-symbols list, a small order
book from a cached deeper one of the same age, exchangeInfo?symbol= from the full
document. Data past its TTL is served only within MIRROR_MAX_STALE_S (exchangeInfo:
MIRROR_EXCHANGE_INFO_MAX_STALE_S); otherwise the failure rises for the mirror's
error handler to answer the way Binance would."""
from __future__ import annotations

import json
import time
from collections.abc import Callable

from ..errors import BinanceError
from ..sourcing.provenance import Source, Sourced
from ..upstream import HeldBack, Market, UpstreamError
from ..upstream.errors import State
from ..upstream.passthrough import Answer, PassThrough, SignedRequest
from .candles import cache_key

INVALID_SYMBOL = BinanceError(400, -1121, "Invalid symbol.")
# Signed requests that pass the order gate (services/order_gate.py) before they are passed through
GATED = {("POST", "/api/v3/order"): "order.place", ("POST", "/fapi/v1/order"): "order.place",
         ("POST", "/api/v3/order/test"): "order.test", ("DELETE", "/api/v3/order"): "cancel",
         ("DELETE", "/fapi/v1/order"): "cancel", ("POST", "/fapi/v1/leverage"): "leverage"}
SPOT_SHARED_DEPTH = 100  # spot books of limit <= 100 weigh 5 alike: one cached book of 100 serves them all
FUTURES_SHARED_DEPTH = 50  # futures books of limit <= 50 weigh 2 alike


def _pick(rows: dict, symbol: str):
    if symbol not in rows:
        raise INVALID_SYMBOL
    return rows[symbol]


def _select(rows: dict, symbol: str | None, symbols: list[str] | None):
    """Binance's shape: one object for symbol=, a list for symbols= (in the order asked) or for all."""
    if symbol is not None:
        return _pick(rows, symbol)
    if symbols is not None:
        return [_pick(rows, s) for s in symbols]
    return list(rows.values())


def _by_symbol(rows) -> dict:
    return {row["symbol"]: row for row in rows if isinstance(row, dict) and "symbol" in row}


def _cut_book(book: dict, limit: int) -> dict:
    return {**book, "bids": book.get("bids", [])[:limit], "asks": book.get("asks", [])[:limit]}


class Mirror:
    def __init__(self, upstream, provider, spot, futures, exchange, settings, gate,
                 clock: Callable[[], float] = time.time, wall_clock: Callable[[], float] = time.time):
        """`wall_clock` is the clock Binance's offset was measured against (time.time)."""
        self.upstream, self.provider, self.spot, self.futures = upstream, provider, spot, futures
        self.exchange, self.gate = exchange, gate
        self.settings, self.clock, self.wall_clock = settings, clock, wall_clock
        self._offsets: dict[Market, tuple[float, float]] = {}  # market -> (offset ms, measured at)
        self.passthrough = PassThrough(upstream)

    # ----- what every answer carries -----
    def used_weight(self, market: Market) -> int:
        return self.upstream.budget(market).used()

    def _recent(self, sourced: Sourced, market: Market, max_stale_s: float | None = None) -> Sourced:
        """Fresh data as it is; older data only within the mirror's bound, else Binance's trouble."""
        if sourced.source in (Source.LIVE, Source.STREAM, Source.CACHE):
            return sourced
        bound = self.settings.mirror_max_stale_s if max_stale_s is None else max_stale_s
        if self.clock() - sourced.as_of <= bound:
            return sourced
        raise self._trouble(market)

    def _trouble(self, market: Market) -> UpstreamError:
        """What keeps Binance from answering now, as the failure the error handler translates."""
        known = self.upstream.lanes[market].state.snapshot()
        state = known["state"] if known["state"] not in (State.OK, State.UNKNOWN) else State.UNREACHABLE
        return HeldBack(known["message"] or "Binance is unavailable", state, retry_after=known["retry_after_s"],
                        reason=known["message"])

    def _get(self, market: Market, key: str, ttl: float, fetch: Callable) -> Sourced:
        return self._recent(self.provider.get("mirror:" + key, ttl, fetch), market)

    # ----- general -----
    def ping(self, market: Market) -> Sourced:
        name = "ping" if market is Market.SPOT else "futures_ping"
        return self._get(market, f"ping:{market.value}", self.settings.ticker_ttl_s,
                         lambda: self.upstream.fetch(name))

    def server_time(self, market: Market) -> Sourced:
        """The local clock corrected by Binance's measured offset: no upstream call once it is known
        (re-measured every TIME_SYNC_INTERVAL_S)."""
        known = self._offsets.get(market)
        if known is None or self.clock() - known[1] >= self.settings.time_sync_interval_s:
            known = self._offsets[market] = (self._measure_offset(market), self.clock())
        now = self.wall_clock()
        return Sourced({"serverTime": int(now * 1000 + known[0])}, Source.CACHE, self.clock())

    def _measure_offset(self, market: Market) -> float:
        name = "server_time" if market is Market.SPOT else "futures_server_time"
        before = self.wall_clock()
        server_ms = self.upstream.fetch(name).get("serverTime")
        after = self.wall_clock()
        if not isinstance(server_ms, int):
            raise HeldBack("Binance's time answer had no serverTime", State.UNREACHABLE)
        return server_ms - (before + after) / 2 * 1000

    def exchange_info(self, market: Market, symbol: str | None, symbols: list[str] | None) -> Sourced:
        """The whole document, cached long (the same answer the gateway's parsed rules come from);
        symbol= and symbols= cut from it."""
        sourced = self._recent(self.exchange.document(market), market, self.settings.mirror_exchange_info_max_stale_s)
        if symbol is None and symbols is None:
            return sourced
        rows = _by_symbol(sourced.data.get("symbols") or [])
        chosen = [_pick(rows, symbol)] if symbol is not None else [_pick(rows, s) for s in symbols]
        return sourced.replace({**sourced.data, "symbols": chosen})

    # ----- spot -----
    def ticker_price(self, symbol: str | None, symbols: list[str] | None) -> Sourced:
        """From the all-symbols list the gateway's /api/binance/prices uses (one call, one cache key)."""
        everything = self._recent(self.spot.all_prices(), Market.SPOT)
        rows = {s: {"symbol": s, "price": p} for s, p in everything.data.items()}
        return everything.replace(_select(rows, symbol, symbols))

    def ticker_24hr(self, symbol: str | None, symbols: list[str] | None) -> Sourced:
        sourced = self._recent(self.spot.ticker_24hr(symbol=symbol, symbols=symbols), Market.SPOT)
        return sourced.replace(_select(sourced.data, symbol, symbols))

    def book_ticker(self, market: Market, symbol: str | None, symbols: list[str] | None) -> Sourced:
        name, ttl = ("book_ticker", self.settings.depth_ttl_s) if market is Market.SPOT else \
            ("futures_book_ticker", self.settings.futures_ttl_s)
        everything = self._get(market, f"book_ticker:{market.value}:*", ttl,
                               lambda: _by_symbol(self.upstream.fetch(name)))
        return everything.replace(_select(everything.data, symbol, symbols))

    def depth(self, market: Market, symbol: str, limit: int) -> Sourced:
        """With streams on, a bot may be syncing its book to the stream mirror's diff events: the snapshot
        comes from the gateway's own book (kept from the same events, never behind those already sent on)
        or from Binance now, never from the cache, whose older lastUpdateId the events would not continue."""
        shared, fetch = (SPOT_SHARED_DEPTH, self.spot.depth) if market is Market.SPOT else \
            (FUTURES_SHARED_DEPTH, self.futures.depth)
        sourced = self._recent(fetch(symbol, shared if limit <= shared else limit,
                                     cached=not self.settings.streams_enabled), market)
        return sourced.replace(_cut_book(sourced.data, limit))

    def klines(self, market: Market, kind: str, **params) -> Sourced:
        """Candles as Binance's arrays (kind: klines, ui_klines, mark_price_klines); klines from the
        same cached answer as the gateway's own candles."""
        if kind == "klines":
            return self._recent((self.spot if market is Market.SPOT else self.futures).raw_klines(**params), market)
        name = kind if market is Market.SPOT else f"futures_{kind}"
        ttl = self.settings.klines_ttl_s if market is Market.SPOT else self.settings.futures_ttl_s
        return self._get(market, cache_key(name, params), ttl, lambda: self.upstream.fetch(name, **params))

    def trades(self, symbol: str, limit: int) -> Sourced:
        return self._recent(self.spot.trades(symbol, limit), Market.SPOT)

    def agg_trades(self, **params) -> Sourced:
        return self._get(Market.SPOT, cache_key("agg_trades", params), self.settings.trades_ttl_s,
                         lambda: self.upstream.fetch("agg_trades", **params))

    def avg_price(self, symbol: str) -> Sourced:
        return self._recent(self.spot.avg_price(symbol), Market.SPOT)

    # ----- futures -----
    def futures_ticker_price(self, symbol: str | None) -> Sourced:
        everything = self._get(Market.FUTURES, "futures_ticker_price:*", self.settings.futures_ttl_s,
                               lambda: _by_symbol(self.upstream.fetch("futures_ticker_prices")))
        return everything.replace(_select(everything.data, symbol, None))

    def futures_ticker_24hr(self, symbol: str | None) -> Sourced:
        return self._recent(self.futures.ticker_24hr(symbol), Market.FUTURES)

    def premium_index(self, symbol: str | None) -> Sourced:
        return self._recent(self.futures.premium_index(symbol), Market.FUTURES)

    def open_interest(self, symbol: str) -> Sourced:
        return self._recent(self.futures.open_interest(symbol), Market.FUTURES)

    def funding_rate(self, **params) -> Sourced:
        if set(params) == {"symbol", "limit"}:  # the gateway's own route asks the same: share its cache
            return self._recent(self.futures.funding_rate(params["symbol"], params["limit"]), Market.FUTURES)
        return self._get(Market.FUTURES, cache_key("funding_rate", params), self.settings.funding_rate_ttl_s,
                         lambda: self.upstream.fetch("futures_funding_rate", **params))

    # ----- signed: the client's own request, passed through -----
    def signed(self, request: SignedRequest, actor: str) -> Answer:
        """Never cached, never re-signed; held back (no upstream call) during a ban, a restriction,
        an open breaker, or while this client's share or this minute's weight budget is spent. An
        order, a cancel or a leverage change passes the order gate first (risk limits, audit)."""
        action = GATED.get((request.method, request.path))
        if action is None:
            return self.passthrough.send(request)
        params = request.params
        market = "futures" if request.path.startswith("/fapi") else "spot"
        if action == "leverage":
            gate = self.gate.leveraging(actor, params.get("symbol", ""), _whole(params.get("leverage")))
        elif action == "cancel":
            gate = self.gate.cancelling(actor, market, params)
        else:
            gate = self.gate.placing(actor, market, {**params, "symbol": params.get("symbol", "")},
                                     count=action == "order.place", action=action)
        with gate as attempt:
            answer = self.passthrough.send(request)
            outcome, detail = _outcome(answer)
            attempt.answered(outcome, **detail)
        return answer


def _whole(raw) -> int:
    """A leverage parameter as Binance would read it (anything else: 0, which no limit allows past it
    and Binance refuses)."""
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 6 else 0


def _outcome(answer: Answer) -> tuple:
    """(outcome, detail) of Binance's answer for the audit log."""
    try:
        body = json.loads(answer.body)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return f"http {answer.status}", {}
    if answer.status >= 400:
        return "rejected", {"status": answer.status, "code": body.get("code")}
    return "answered", {k: body[k] for k in ("orderId", "status", "clientOrderId", "leverage") if k in body}
