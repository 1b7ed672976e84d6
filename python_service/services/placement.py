"""Orders placed at most once, whatever the network does.

Every placement carries a clientOrderId and is journalled (sourcing/order_journal.py)
before it is sent. When its answer is lost (timeout, reset, 5xx, a worker killed),
the order is never simply sent again: Binance is asked for that origClientOrderId
(a query, safe to retry). Not found is only final once Binance can no longer accept
the lost request: its timestamp plus recvWindow has passed on Binance's clock
(Binance checks recvWindow on receipt and again in the matching engine). Until
then the answer is `unknown`, with when to ask again; after it, the journalled
order may be sent anew, still under the same clientOrderId."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ..errors import ApiError
from ..sourcing.order_journal import FINAL, Entry, OrderJournal
from ..upstream import Banned, Blocked, HeldBack, RateLimited, Rejected, Restricted, Unreachable, UpstreamError
from ..upstream.calls import TIMESTAMP_OUTSIDE_WINDOW
from ..upstream.order_counts import last_order_counts

log = logging.getLogger(__name__)
ORDER_DOES_NOT_EXIST = -2013
# Between journalling `sent_at_ms` and python-binance stamping the request a busy
# worker may lose time; the lost request's timestamp is taken to be at most this much later.
STAMP_GRACE_MS = 5000
NOT_PLACED = (HeldBack, RateLimited, Banned, Blocked, Restricted)  # Binance never booked these (403: its firewall)
ENDPOINTS = {"spot": ("order_create", "order_get"), "futures": ("futures_order_create", "futures_order_get"),
             "futures_algo": ("futures_algo_order_create", "futures_algo_order_get")}
# the parameter that carries the client's id when placing, and when asking for the order
IDS = {"spot": ("newClientOrderId", "origClientOrderId"), "futures": ("newClientOrderId", "origClientOrderId"),
       "futures_algo": ("clientAlgoId", "clientAlgoId")}


@dataclass
class Outcome:
    """What the gateway knows about one placement."""
    outcome: str  # placed | unknown (a rejection is raised as ApiError)
    market: str
    client_order_id: str
    symbol: str
    order: dict | None = None
    replayed: bool = False  # answered from the journal: nothing was sent for this request
    recovered: bool = False  # the answer was lost; Binance's record of the order was fetched instead
    order_count: dict = field(default_factory=dict)
    retry_after_s: float | None = None
    message: str | None = None

    def to_dict(self) -> dict:
        body = {"outcome": self.outcome, "market": "spot" if self.market == "spot" else "futures",
                "clientOrderId": self.client_order_id, "symbol": self.symbol, "replayed": self.replayed,
                "recovered": self.recovered}
        if self.market == "futures_algo":
            body["conditional"] = True  # Binance's Algo Order API holds it until it triggers
        if self.order is not None:
            body["order"] = self.order
        if self.order_count:
            body["order_count"] = self.order_count
        if self.outcome == "unknown":
            body.update(message=self.message, retry_after_s=self.retry_after_s,
                        check=self._check_path(),
                        repeat="POST the same request with the same clientOrderId: it is never placed twice")
        return body

    def _check_path(self) -> str:
        prefix = "/api/binance/orders" if self.market == "spot" else "/api/binance/futures/orders"
        return f"GET {prefix}/{self.symbol}/{self.client_order_id}"


class Placement:
    def __init__(self, upstream, journal: OrderJournal):
        self.upstream, self.journal = upstream, journal

    def place(self, market: str, params: dict) -> Outcome:
        """`params` are Binance's, decimals as strings, the client's id included (IDS)."""
        entry = self.journal.claim(market, params[IDS[market][0]], params["symbol"], params)
        if entry.request != params:
            raise ApiError(409, "client_order_id_reused",
                           f"clientOrderId {entry.client_order_id} was already used for a different order",
                           details={"clientOrderId": entry.client_order_id})
        if entry.state in FINAL:
            return self._journalled(entry)
        if entry.state == "sending":  # an earlier request's answer was lost, or it is still on its way
            known = self._reconcile(entry)
            if known is not None:
                return known
            entry = self.journal.get(market, entry.client_order_id)
        return self._send(entry)

    def recorded(self, market: str, client_order_id: str) -> Entry | None:
        return self.journal.get(market, client_order_id)

    def found(self, entry: Entry, order: dict) -> None:
        """Binance showed an order whose answer was lost: the journal learns it was placed."""
        if entry.state in ("sending", "pending", "not_sent"):
            self.journal.settle(entry, "placed", order)

    # ----- sending -----
    def _send(self, entry: Entry) -> Outcome:
        create = ENDPOINTS[entry.market][0]
        for attempt in (1, 2):  # a second attempt only after -1021: Binance refused the timestamp, booked nothing
            try:
                self.upstream.prepare_signed()
            except UpstreamError:
                self.journal.settle(entry, "not_sent")
                raise
            if not self.journal.start_sending(entry, self.upstream.server_time_ms(), self.upstream.recv_window_ms):
                return self._unknown(entry, "another request is placing this order right now", 1.0)
            try:
                order = self.upstream.signed(create, **entry.request)
            except NOT_PLACED:
                self.journal.settle(entry, "not_sent")
                raise
            except Rejected as err:
                if err.code == TIMESTAMP_OUTSIDE_WINDOW and attempt == 1:
                    self.journal.settle(entry, "not_sent")
                    continue
                return self._rejected(entry, err)
            except Unreachable as err:
                log.warning("order %s: answer lost (%s); asking Binance", entry.client_order_id, err.message)
                sent = self.journal.get(entry.market, entry.client_order_id)
                return self._reconcile(sent) or self._unknown(sent, f"the answer was lost ({err.message})", 1.0)
            self.journal.settle(entry, "placed", order)
            return Outcome("placed", entry.market, entry.client_order_id, entry.symbol, order,
                           order_count=last_order_counts())
        raise AssertionError("unreachable")

    def _rejected(self, entry: Entry, err: Rejected) -> Outcome:
        self.journal.settle(entry, "rejected", {"status": err.status, "code": err.code, "msg": err.message})
        return self._journalled(self.journal.get(entry.market, entry.client_order_id), replayed=False)

    # ----- lost answers -----
    def _reconcile(self, entry: Entry) -> Outcome | None:
        """Binance's record of a sent order: placed, unknown, or None when it can never arrive (send anew)."""
        query = ENDPOINTS[entry.market][1]
        try:
            order = self.upstream.signed(query, symbol=entry.symbol, **{IDS[entry.market][1]: entry.client_order_id})
        except Rejected as err:
            if err.code != ORDER_DOES_NOT_EXIST:
                return self._unknown(entry, f"Binance did not answer the query: {err.message}", 5.0)
            order = None
        except UpstreamError as err:
            return self._unknown(entry, f"Binance cannot be asked now: {err.message}", err.retry_after or 5.0)
        if order is not None:
            self.journal.settle(entry, "placed", order)
            return Outcome("placed", entry.market, entry.client_order_id, entry.symbol, order, recovered=True)
        try:
            now_ms = self.upstream.fetch("server_time")["serverTime"]
        except (UpstreamError, KeyError, TypeError) as err:
            return self._unknown(entry, f"Binance's clock cannot be read now: {err}", 5.0)
        expires_ms = entry.sent_at_ms + entry.recv_window_ms + STAMP_GRACE_MS
        if now_ms <= expires_ms:
            return self._unknown(entry, "Binance does not show the order yet, and the request may still arrive",
                                 (expires_ms - now_ms) / 1000 + 0.5)
        self.journal.settle(entry, "not_sent", {"expired_unseen_at_ms": now_ms})
        return None

    def _journalled(self, entry: Entry, replayed: bool = True) -> Outcome:
        if entry.state == "placed":
            return Outcome("placed", entry.market, entry.client_order_id, entry.symbol, entry.outcome,
                           replayed=replayed)
        rejection = entry.outcome or {}
        raise ApiError(400, "order_rejected", f"Binance rejected the order: {rejection.get('msg')}",
                       upstream={"status": rejection.get("status"), "code": rejection.get("code")},
                       details={"outcome": "rejected", "clientOrderId": entry.client_order_id, "replayed": replayed})

    def _unknown(self, entry: Entry, message: str, retry_after_s: float) -> Outcome:
        return Outcome("unknown", entry.market, entry.client_order_id, entry.symbol,
                       retry_after_s=round(retry_after_s, 1), message=message)
