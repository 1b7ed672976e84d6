"""The account as Binance's user data streams tell it: each market's state from a REST
reconciliation at every (re)connect, then kept current by the events. It lives on the board
(so every worker of the host shares it through the share), under the market's name and:

  "account:balances"   spot: {asset: {"free", "locked"}}
  "account:info"       spot: {"canTrade", "accountType"}
  "account:futures"    futures: {"wallet": {...}, "positions": {symbol: {...}}}
  "account:orders"     both: {clientOrderId: order}, the open orders

Each change is also emitted as "account:event" (board.emit) in one shape for both markets,
for the push to clients (services/price_push.py's account subscription):

  {"type": "order", "market", "symbol", "clientOrderId", "orderId", "side", "orderType",
   "status", "execution", "price", "stopPrice", "quantity", "executedQty", "cumulativeQuote",
   "fill": {"price", "qty", "commission", "commissionAsset", "tradeId", "maker"} | null, "time"}
  {"type": "balance", "market": "spot", "balances": [{"asset", "free", "locked"}], "time"}
  {"type": "position", "market": "futures", "reason", "wallet", "positions": [...], "time"}
  {"type": "margin_call", "market": "futures", "positions": [...], "time"}

Events that arrive while a reconciliation is under way wait for it, and then only what is
newer than the snapshot is applied: nothing missed, nothing rolled back."""
from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .board import Board

OPEN = ("NEW", "PARTIALLY_FILLED")
BALANCES, FUTURES, ORDERS, EVENT = "account:balances", "account:futures", "account:orders", "account:event"
INFO = "account:info"
# each event as Binance sent it (spot's unwrapped from its subscription), for bots' listenKey streams
BINANCE_EVENT = "account:binance"


class AccountState:
    def __init__(self, board: Board, clock: Callable[[], float]):
        self.board, self.clock = board, clock
        self._lock = threading.Lock()
        self._reconciling: dict[str, list] = {}  # market -> events buffered meanwhile
        self._since: dict[str, int] = {}  # market -> the snapshot's time (ms): older events are in it

    # ----- reconciliation -----
    def reconciling(self, market: str) -> None:
        """From now on this market's events wait for `reconciled`."""
        with self._lock:
            self._reconciling[market] = []

    def reconciled_spot(self, account: dict, open_orders: list) -> None:
        balances = {b["asset"]: {"free": b["free"], "locked": b["locked"]}
                    for b in account.get("balances") or [] if Decimal(b["free"]) + Decimal(b["locked"]) != 0}
        orders = {o["clientOrderId"]: _spot_order_from_rest(o) for o in open_orders if o.get("status") in OPEN}
        now = self.clock()
        self.board.put("spot", INFO, {"canTrade": account.get("canTrade"), "accountType": account.get("accountType")},
                       now)
        self.board.put("spot", BALANCES, balances, now)
        self.board.put("spot", ORDERS, orders, now)
        self._replay("spot", int(account.get("updateTime") or 0))

    def reconciled_futures(self, account: dict, positions: list, open_orders: list) -> None:
        wallet = {k: account.get(k) for k in ("totalWalletBalance", "totalUnrealizedProfit", "totalMarginBalance",
                                              "availableBalance", "totalInitialMargin", "totalMaintMargin")}
        held = {p["symbol"]: _position_from_rest(p) for p in positions if Decimal(p.get("positionAmt") or "0") != 0}
        orders = {o["clientOrderId"]: _futures_order_from_rest(o) for o in open_orders if o.get("status") in OPEN}
        now = self.clock()
        self.board.put("futures", FUTURES, {"wallet": wallet, "positions": held}, now)
        self.board.put("futures", ORDERS, orders, now)
        since = max([int(account.get("updateTime") or 0)] + [int(p.get("updateTime") or 0) for p in positions])
        self._replay("futures", since)

    def _replay(self, market: str, since_ms: int) -> None:
        with self._lock:
            waiting = self._reconciling.pop(market, [])
            self._since[market] = since_ms
        for event in waiting:
            self._apply(market, event)

    # ----- events -----
    def on_event(self, market: str, event: dict) -> None:
        """One event of Binance's user data stream (spot's unwrapped from its subscription)."""
        self.board.emit(market, BINANCE_EVENT, event, _event_s(event))  # to bots at once, as Binance sends it
        with self._lock:
            if market in self._reconciling:
                self._reconciling[market].append(event)
                return
        self._apply(market, event)

    def _apply(self, market: str, event: dict) -> None:
        kind = event.get("e")
        handle = {"executionReport": self._spot_order, "outboundAccountPosition": self._spot_balances,
                  "balanceUpdate": self._spot_balance_delta, "ORDER_TRADE_UPDATE": self._futures_order,
                  "ALGO_UPDATE": self._algo_order, "ACCOUNT_UPDATE": self._futures_account,
                  "MARGIN_CALL": self._margin_call}.get(kind)
        if handle is None:
            return
        try:
            handle(event)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            return  # an event of an unexpected shape changes nothing; the next reconciliation covers it

    def _old(self, market: str, event_ms: int) -> bool:
        return event_ms <= self._since.get(market, 0)

    def _spot_order(self, e: dict) -> None:
        order = _order("spot", e["s"], e["c"], e["i"], e["S"], e["o"], e["X"], e["x"], e["p"], e["P"], e["q"],
                       e["z"], e["Z"], e["T"], _fill(e["L"], e["l"], e["n"], e["N"], e["t"], e["m"])
                       if e["x"] == "TRADE" else None)
        self._order("spot", order, e["T"])

    def _futures_order(self, event: dict) -> None:
        o = event["o"]
        cumulative = f"{Decimal(o['z']) * Decimal(o['ap']):f}"
        order = _order("futures", o["s"], o["c"], o["i"], o["S"], o["o"], o["X"], o["x"], o["p"], o["sp"], o["q"],
                       o["z"], cumulative, o["T"], _fill(o["L"], o["l"], o.get("n", "0"), o.get("N"), o["t"],
                                                         o["m"]) if o["x"] == "TRADE" else None)
        order["reduceOnly"] = bool(o.get("R"))
        self._order("futures", order, event["T"])

    def _algo_order(self, event: dict) -> None:
        """A conditional USDT-M order in the Algo Order API: NEW while it waits for its trigger, then
        TRIGGERED (its own order follows as ORDER_TRADE_UPDATE), FINISHED, CANCELED, EXPIRED..."""
        o = event["o"]
        order = _order("futures", o["s"], o["caid"], o["aid"], o["S"], o["o"], o["X"], o["X"], o.get("p"), o["tp"],
                       o["q"], o.get("aq", "0"), "0", event["T"], None)
        order.update(conditional=True, reduceOnly=bool(o.get("R")), actualOrderId=o.get("ai") or None)
        self._order("futures", order, event["T"], waiting=o["X"] == "NEW")

    def _order(self, market: str, order: dict, event_ms: int, waiting: bool | None = None) -> None:
        open_orders = dict(self._data(market, ORDERS) or {})
        if self._old(market, event_ms) and order["clientOrderId"] not in open_orders:
            return  # settled before the snapshot: its news is in it already
        if order["status"] in OPEN if waiting is None else waiting:
            open_orders[order["clientOrderId"]] = order
        else:
            open_orders.pop(order["clientOrderId"], None)
        self.board.put(market, ORDERS, open_orders, event_ms / 1000)
        self.board.emit(market, EVENT, order, event_ms / 1000)

    def _spot_balances(self, e: dict) -> None:
        if self._old("spot", e["u"]):
            return
        balances = dict(self._data("spot", BALANCES) or {})
        changed = []
        for b in e["B"]:
            changed.append({"asset": b["a"], "free": b["f"], "locked": b["l"]})
            if Decimal(b["f"]) + Decimal(b["l"]) == 0:
                balances.pop(b["a"], None)
            else:
                balances[b["a"]] = {"free": b["f"], "locked": b["l"]}
        self.board.put("spot", BALANCES, balances, e["E"] / 1000)
        self.board.emit("spot", EVENT, {"type": "balance", "market": "spot", "balances": changed,
                                        "time": e["E"]}, e["E"] / 1000)

    def _spot_balance_delta(self, e: dict) -> None:
        """A deposit, withdrawal or transfer: the free balance moves by the delta."""
        if self._old("spot", e["T"]):
            return
        balances = dict(self._data("spot", BALANCES) or {})
        known = balances.get(e["a"], {"free": "0", "locked": "0"})
        balances[e["a"]] = {"free": f"{Decimal(known['free']) + Decimal(e['d']):f}", "locked": known["locked"]}
        self.board.put("spot", BALANCES, balances, e["E"] / 1000)
        self.board.emit("spot", EVENT, {"type": "balance", "market": "spot", "time": e["E"],
                                        "balances": [{"asset": e["a"], **balances[e["a"]]}]}, e["E"] / 1000)

    def _futures_account(self, event: dict) -> None:
        if self._old("futures", event["T"]):
            return
        state = self._data("futures", FUTURES) or {"wallet": {}, "positions": {}}
        wallet, positions = dict(state["wallet"]), dict(state["positions"])
        update = event["a"]
        for b in update.get("B") or []:
            if b["a"] == "USDT":
                wallet["totalWalletBalance"] = b["wb"]
        changed = []
        for p in update.get("P") or []:
            position = {"symbol": p["s"], "positionAmt": p["pa"], "entryPrice": p["ep"],
                        "breakEvenPrice": p.get("bep"), "unrealizedProfit": p["up"], "marginType": p.get("mt"),
                        "positionSide": p.get("ps")}
            changed.append(position)
            if Decimal(p["pa"]) == 0:
                positions.pop(p["s"], None)
            else:
                positions[p["s"]] = {**positions.get(p["s"], {}), **position}
        self.board.put("futures", FUTURES, {"wallet": wallet, "positions": positions}, event["E"] / 1000)
        self.board.emit("futures", EVENT, {"type": "position", "market": "futures", "reason": update.get("m"),
                                           "wallet": wallet, "positions": changed, "time": event["E"]},
                        event["E"] / 1000)

    def _margin_call(self, event: dict) -> None:
        positions = [{"symbol": p["s"], "positionAmt": p["pa"], "markPrice": p.get("mp"),
                      "unrealizedProfit": p.get("up"), "maintenanceMargin": p.get("mm")} for p in event["p"]]
        self.board.emit("futures", EVENT, {"type": "margin_call", "market": "futures", "positions": positions,
                                           "crossWalletBalance": event.get("cw"), "time": event["E"]},
                        event["E"] / 1000)

    def _data(self, market: str, key: str) -> Any:
        entry = self.board.get(market, key)
        return entry.data if entry is not None else None


def _order(market, symbol, client_id, order_id, side, kind, status, execution, price, stop, quantity, executed,
           cumulative, time_ms, fill) -> dict:
    return {"type": "order", "market": market, "symbol": symbol, "clientOrderId": client_id, "orderId": order_id,
            "side": side, "orderType": kind, "status": status, "execution": execution, "price": price,
            "stopPrice": stop, "quantity": quantity, "executedQty": executed, "cumulativeQuote": cumulative,
            "fill": fill, "time": time_ms}


def _event_s(event: dict) -> float:
    stamp = event.get("E")
    return stamp / 1000 if isinstance(stamp, (int, float)) else 0.0


def _fill(price, qty, commission, asset, trade_id, maker) -> dict:
    return {"price": price, "qty": qty, "commission": commission, "commissionAsset": asset, "tradeId": trade_id,
            "maker": bool(maker)}


def _spot_order_from_rest(o: dict) -> dict:
    return _order("spot", o["symbol"], o["clientOrderId"], o["orderId"], o["side"], o["type"], o["status"], "NEW",
                  o.get("price"), o.get("stopPrice"), o.get("origQty"), o.get("executedQty"),
                  o.get("cummulativeQuoteQty"), o.get("updateTime") or o.get("time"), None)


def _futures_order_from_rest(o: dict) -> dict:
    order = _order("futures", o["symbol"], o["clientOrderId"], o["orderId"], o["side"], o["type"], o["status"],
                   "NEW", o.get("price"), o.get("stopPrice"), o.get("origQty"), o.get("executedQty"),
                   o.get("cumQuote"), o.get("updateTime") or o.get("time"), None)
    order["reduceOnly"] = bool(o.get("reduceOnly"))
    return order


def _position_from_rest(p: dict) -> dict:
    return {"symbol": p["symbol"], "positionAmt": p["positionAmt"], "entryPrice": p.get("entryPrice"),
            "breakEvenPrice": p.get("breakEvenPrice"), "unrealizedProfit": p.get("unRealizedProfit"),
            "markPrice": p.get("markPrice"), "liquidationPrice": p.get("liquidationPrice"),
            "notional": p.get("notional"), "positionSide": p.get("positionSide")}
