"""The fake exchange's orders: a matching engine small enough to be obviously right.

Spot: MARKET fills at once at the fake's price (`fake.prices`); LIMIT fills at once
when its price already crosses the market, else rests until the price crosses
(checked on every order request, and by `match()`); STOP_LOSS / TAKE_PROFIT wait for
their stopPrice, then fill as MARKET (or rest as LIMIT for the *_LIMIT kinds);
LIMIT_MAKER rests or is rejected when it would take. A newClientOrderId equal to that
of an OPEN order is rejected with -2010 "Duplicate order sent." (Binance: "a unique
id among open orders"); once filled or cancelled it may be reused. Queries by
origClientOrderId answer the newest order with that id.

USDT-M futures: an account with a USDT wallet, one-way positions (entry price
averaged on increase), leverage per symbol, MARKET and LIMIT orders.

`drop_answers(mode)` books the next order and then loses its answer: "hold" keeps
the connection open until `release()` (then closes it), "reset" sends a TCP RST,
"503" answers Binance's HTML 503. `booked` counts bookings so tests can wait."""
from __future__ import annotations

import itertools
import socket
import struct
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from . import algo_orders, user_data

TYPES = ("LIMIT", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT", "LIMIT_MAKER")
REQUIRED = {  # Binance's "Additional mandatory parameters based on type"
    "LIMIT": ("timeInForce", "quantity", "price"),
    "MARKET": (),  # quantity or quoteOrderQty, checked apart
    "STOP_LOSS": ("quantity", "stopPrice"),
    "STOP_LOSS_LIMIT": ("timeInForce", "quantity", "price", "stopPrice"),
    "TAKE_PROFIT": ("quantity", "stopPrice"),
    "TAKE_PROFIT_LIMIT": ("timeInForce", "quantity", "price", "stopPrice"),
    "LIMIT_MAKER": ("quantity", "price"),
}
OPEN = ("NEW", "PARTIALLY_FILLED")
FUTURES_TYPES = ("MARKET", "LIMIT")
CONDITIONAL_TYPES = ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET")
DROP_MODES = ("hold", "reset", "503")
FUTURES_LEVERAGE_DEFAULT = 20
MAINT_MARGIN_RATE = Decimal("0.004")
COMMISSION_RATE = Decimal("0.001")  # Binance's standard spot rate, taken from the asset received
_Q = Decimal("0.00000001")


def _s(value: Decimal) -> str:
    return f"{value.quantize(_Q):f}"


@dataclass
class Answer:
    """A handler's answer with Binance's order-count headers and, maybe, a lost answer."""
    body: object
    headers: dict = field(default_factory=dict)
    drop: str | None = None


class OrderEngine:
    def __init__(self, fake, error: Callable, user_events=None):
        self.fake, self.error = fake, error  # error(status, code, msg) -> BinanceError
        self.user_data = user_events  # user_data.UserData: the account's events go there
        self.algo = algo_orders.AlgoOrders(self)
        self.lock = threading.RLock()
        self.booked = threading.Condition(self.lock)
        self.released = threading.Event()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.algo.reset()
            self.spot: list[dict] = []
            self.futures_orders: list[dict] = []
            self.ids = itertools.count(1000)
            self.trade_ids = itertools.count(5000)
            self.placed_at: deque = deque()  # server ms of each accepted placement (order-count headers)
            self.drops: list[str] = []
            # The spot wallet: fills move it (the received asset less 0.1 % commission), a resting order locks
            # what it would spend. Nothing is refused for want of balance: tests choose what they trade.
            self.balances = {asset: {"free": Decimal(free), "locked": Decimal(0)} for asset, free in
                             (("BTC", "0.1"), ("USDT", "1000"), ("ETH", "2"))}
            self.trades: list[dict] = []  # every spot fill, as GET /api/v3/myTrades shows it
            self.wallet = Decimal("10000")
            self.leverage = {"BTCUSDT": FUTURES_LEVERAGE_DEFAULT}
            # One open position so an account view has something to show: 0.010 BTC long at 65000.
            self.positions = {"BTCUSDT": {"amt": Decimal("0.010"), "entry": Decimal("65000")}}
            self.released.clear()

    # ----- what tests use -----
    def drop_answers(self, mode: str, times: int = 1) -> None:
        if mode not in DROP_MODES:
            raise ValueError(f"mode must be one of {DROP_MODES}")
        with self.lock:
            self.drops.extend([mode] * times)

    def release(self) -> None:
        """Lets held ("hold") connections close."""
        self.released.set()

    def wait_booked(self, count: int, timeout: float = 30) -> bool:
        with self.booked:
            return self.booked.wait_for(lambda: len(self.spot) + len(self.futures_orders) >= count, timeout)

    def orders(self, client_order_id: str | None = None) -> list[dict]:
        with self.lock:
            every = self.spot + self.futures_orders
            return [dict(o) for o in every if client_order_id is None or o["clientOrderId"] == client_order_id]

    def match(self) -> None:
        """Fills or triggers resting orders whose price the market has crossed (spot and futures)."""
        with self.lock:
            for order in self.spot:
                if order["status"] in OPEN:
                    self._work(order)
            for order in self.futures_orders:
                if order["status"] == "NEW":
                    self._work_futures(order)
            self.algo.match()

    # ----- routes -----
    def routes(self, route_type, const) -> dict:
        r = route_type
        return {
            "POST /api/v3/order": r(self.place_spot, const(1), signed=True),
            "POST /api/v3/order/test": r(self.test_spot, const(1), signed=True),
            "/api/v3/order": r(self.query_spot, const(4), signed=True),
            "DELETE /api/v3/order": r(self.cancel_spot, const(1), signed=True),
            "/api/v3/openOrders": r(self.open_spot, lambda p: 6 if "symbol" in p else 80, signed=True),
            "/api/v3/myTrades": r(self.my_trades, const(20), signed=True),
            "/fapi/v3/account": r(self.futures_account, const(5), signed=True, futures=True),
            "/fapi/v3/positionRisk": r(self.futures_positions, const(5), signed=True, futures=True),
            "/fapi/v1/symbolConfig": r(self.futures_symbol_config, const(5), signed=True, futures=True),
            "POST /fapi/v1/leverage": r(self.futures_leverage, const(1), signed=True, futures=True),
            "POST /fapi/v1/order": r(self.place_futures, const(0), signed=True, futures=True),
            "/fapi/v1/order": r(self.query_futures, const(1), signed=True, futures=True),
            "DELETE /fapi/v1/order": r(self.cancel_futures, const(1), signed=True, futures=True),
            "/fapi/v1/openOrders": r(self.open_futures, lambda p: 1 if "symbol" in p else 40, signed=True,
                                     futures=True),
            **self.algo.routes(r, const),
        }

    # ----- spot -----
    def place_spot(self, params, headers) -> Answer:
        with self.lock:
            self.match()
            order = self._new_spot(params)
            self._book(order, self.spot)
            body = self._response(order, params.get("newOrderRespType"))
            return Answer(body, self._count_headers("1D"), self._next_drop())

    def test_spot(self, params, headers) -> dict:
        with self.lock:
            self._new_spot(params)  # every check a placement makes, and nothing booked
            return {}

    def query_spot(self, params, headers) -> dict:
        with self.lock:
            self.match()
            return self._view(self._find(self.spot, params))

    def cancel_spot(self, params, headers) -> dict:
        with self.lock:
            self.match()
            try:
                order = self._find(self.spot, params)
            except Exception:  # noqa: BLE001 - whatever _find refuses (no id, no such order) is Binance's -2011 here
                raise self.error(400, -2011, "Unknown order sent.") from None
            if order["status"] not in OPEN:
                raise self.error(400, -2011, "Unknown order sent.")
            order.update(status="CANCELED", updateTime=self.fake.server_time_ms())
            self._unlock(order)
            self._spot_report(order, "CANCELED")
            if order.get("rested"):
                self._balances_report(order)
            view = self._view(order)
            return {"symbol": order["symbol"], "origClientOrderId": order["clientOrderId"], "orderId": order["orderId"],
                    "orderListId": -1, "clientOrderId": params.get("newClientOrderId") or f"cancel{order['orderId']}",
                    "transactTime": order["updateTime"],
                    **{k: view[k] for k in ("price", "origQty", "executedQty", "cummulativeQuoteQty", "status",
                                            "timeInForce", "type", "side", "selfTradePreventionMode")}}

    def open_spot(self, params, headers) -> list:
        with self.lock:
            self.match()
            symbol = params.get("symbol")
            if symbol is not None:
                self.fake._known(symbol)
            return [self._view(o) for o in self.spot if o["status"] in OPEN and symbol in (None, o["symbol"])]

    def _new_spot(self, params) -> dict:
        """The order as Binance would accept it, or the BinanceError it would answer."""
        symbol = self._mandatory(params, "symbol")
        self.fake._known(symbol)
        side, kind = self._mandatory(params, "side"), self._mandatory(params, "type")
        if side not in ("BUY", "SELL"):
            raise self.error(400, -1116, "Invalid side.")
        if kind not in TYPES:
            raise self.error(400, -1116, "Invalid orderType.")
        for name in REQUIRED[kind]:
            self._mandatory(params, name)
        market = Decimal(self.fake.prices[symbol])
        quantity = self._decimal(params, "quantity")
        quote_qty = self._decimal(params, "quoteOrderQty")
        if kind == "MARKET":
            if (quantity is None) == (quote_qty is None):
                raise self.error(400, -1102,
                                 "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!"
                                 if quantity is None else "Combination of optional parameters invalid.")
            if quantity is None:
                quantity = (quote_qty / market).quantize(Decimal("0.00001"), rounding="ROUND_DOWN")
        client_id = params.get("newClientOrderId") or f"fake{next(self.ids)}"
        if any(o["clientOrderId"] == client_id and o["status"] in OPEN for o in self.spot):
            raise self.error(400, -2010, "Duplicate order sent.")
        price, stop = self._decimal(params, "price"), self._decimal(params, "stopPrice")
        if kind == "LIMIT_MAKER" and self._crosses(side, price, market):
            raise self.error(400, -2010, "Order would immediately match and take.")
        if stop is not None and self._triggered(kind, side, stop, market):
            raise self.error(400, -2010, "Stop price would trigger immediately.")
        now = self.fake.server_time_ms()
        return {"symbol": symbol, "orderId": next(self.ids), "clientOrderId": client_id, "side": side, "type": kind,
                "timeInForce": params.get("timeInForce", "GTC"), "price": price or Decimal(0),
                "stopPrice": stop or Decimal(0), "origQty": quantity, "executedQty": Decimal(0),
                "cummulativeQuoteQty": Decimal(0), "origQuoteOrderQty": quote_qty or Decimal(0),
                "status": "NEW", "fills": [], "time": now, "updateTime": now, "triggered": stop is None}

    def _book(self, order: dict, book: list) -> None:
        book.append(order)
        self.placed_at.append(self.fake.server_time_ms())
        if book is self.spot:
            self._spot_report(order, "NEW")
            self._work(order)
            if order["status"] == "NEW":
                order["rested"] = True
                self._lock(order)
                self._balances_report(order)
        self.booked.notify_all()

    def _work(self, order: dict) -> None:
        """Triggers a stop order whose stopPrice was reached, fills what crosses."""
        market = Decimal(self.fake.prices[order["symbol"]])
        if not order["triggered"]:
            if not self._triggered(order["type"], order["side"], order["stopPrice"], market):
                return
            order["triggered"] = True
        if (order["type"] in ("MARKET", "STOP_LOSS", "TAKE_PROFIT")
                or self._crosses(order["side"], order["price"], market)):
            self._fill(order, market)

    def _fill(self, order: dict, price: Decimal, quantity: Decimal | None = None) -> None:
        """Fills `quantity` (the rest of the order when None) at `price`: the wallet moves (what was
        locked for it is given back first), a fill and a trade are recorded, the events go out."""
        quantity = order["origQty"] - order["executedQty"] if quantity is None else quantity
        buying = order["side"] == "BUY"
        base, quote = self.assets_of(order["symbol"])
        received, spent = (base, quote) if buying else (quote, base)
        amount_in, amount_out = (quantity, price * quantity) if buying else (price * quantity, quantity)
        commission = (amount_in * COMMISSION_RATE).quantize(_Q)
        self._unlock(order, quantity)
        self._wallet(received)["free"] += amount_in - commission
        self._wallet(spent)["free"] -= amount_out
        executed = order["executedQty"] + quantity
        order.update(status="FILLED" if executed >= order["origQty"] else "PARTIALLY_FILLED", executedQty=executed,
                     cummulativeQuoteQty=order["cummulativeQuoteQty"] + price * quantity,
                     updateTime=self.fake.server_time_ms())
        maker = order["type"] in ("LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT") \
            and order.get("rested", False)
        fill = {"price": _s(price), "qty": _s(quantity), "commission": _s(commission), "commissionAsset": received,
                "tradeId": next(self.trade_ids)}
        order["fills"].append(fill)
        self._spot_report(order, "TRADE", {**fill, "maker": maker})
        self._balances_report(order, received, spent)
        self.trades.append({"symbol": order["symbol"], "id": fill["tradeId"], "orderId": order["orderId"],
                            "orderListId": -1, "price": fill["price"], "qty": fill["qty"],
                            "quoteQty": _s(price * quantity), "commission": fill["commission"],
                            "commissionAsset": received, "time": order["updateTime"], "isBuyer": buying,
                            "isMaker": maker, "isBestMatch": True})

    def fill_partially(self, client_order_id: str, quantity: str) -> None:
        """A test control: part of a resting spot order fills now, at its own price."""
        with self.lock:
            order = next(o for o in reversed(self.spot) if o["clientOrderId"] == client_order_id
                         and o["status"] in OPEN)
            self._fill(order, order["price"], Decimal(quantity))

    def _spot_report(self, order: dict, execution: str, fill: dict | None = None) -> None:
        if self.user_data is not None:
            self.user_data.spot_event(user_data.execution_report(order, execution, self.fake.server_time_ms(),
                                                                 fill, _s))

    def _balances_report(self, order: dict, *assets: str) -> None:
        if self.user_data is not None:
            touched = list(dict.fromkeys(assets or self.assets_of(order["symbol"])))
            self.user_data.spot_event(user_data.account_position(self.balances, touched,
                                                                 self.fake.server_time_ms(), _s))

    def assets_of(self, symbol: str) -> tuple[str, str]:
        """(base, quote) of a spot symbol, as its exchangeInfo entry names them."""
        for quote in ("USDT", "BTC", "FDUSD", "USDC", "BNB", "ETH"):
            if symbol.endswith(quote) and len(symbol) > len(quote):
                return symbol[:-len(quote)], quote
        return symbol, "USDT"

    def _wallet(self, asset: str) -> dict:
        return self.balances.setdefault(asset, {"free": Decimal(0), "locked": Decimal(0)})

    def _lock(self, order: dict) -> None:
        """A resting order locks what it would spend (a BUY its quote, a SELL its base)."""
        base, quote = self.assets_of(order["symbol"])
        if order["side"] == "BUY" and not order["price"]:
            return  # a stop-market buy has no price to lock at
        buying = order["side"] == "BUY"
        asset, amount = (quote, order["price"] * order["origQty"]) if buying else (base, order["origQty"])
        wallet = self._wallet(asset)
        wallet["free"] -= amount
        wallet["locked"] += amount
        order["locked"] = (asset, amount)

    def _unlock(self, order: dict, quantity: Decimal | None = None) -> None:
        """Gives back what the order locked: all of it, or `quantity`'s share of it (a partial fill)."""
        asset, amount = order.get("locked", (None, Decimal(0)))
        if asset is None:
            return
        remaining = order["origQty"] - order["executedQty"]
        share = amount if quantity is None else min(amount, amount * quantity / remaining)
        wallet = self._wallet(asset)
        wallet["free"] += share
        wallet["locked"] -= share
        order["locked"] = (asset, amount - share)

    def account_balances(self) -> list[dict]:
        with self.lock:
            self.match()
            return [{"asset": asset, "free": _s(w["free"]), "locked": _s(w["locked"])}
                    for asset, w in self.balances.items()]

    def my_trades(self, params, headers) -> list:
        with self.lock:
            self.match()
            symbol = self._mandatory(params, "symbol")
            self.fake._known(symbol)
            limit = int(params.get("limit") or 500)
            return [dict(t) for t in self.trades if t["symbol"] == symbol][-limit:]

    @staticmethod
    def _crosses(side: str, price: Decimal | None, market: Decimal) -> bool:
        return price is not None and (price >= market if side == "BUY" else price <= market)

    @staticmethod
    def _triggered(kind: str, side: str, stop: Decimal, market: Decimal) -> bool:
        """A stop-loss buys on a rise and sells on a fall; a take-profit the other way round."""
        rising = kind.startswith("STOP_LOSS") == (side == "BUY")
        return market >= stop if rising else market <= stop

    def _response(self, order: dict, resp_type: str | None) -> dict:
        """ACK, RESULT or FULL; MARKET and LIMIT default to FULL, other types to ACK (Binance's rule)."""
        resp_type = resp_type or ("FULL" if order["type"] in ("MARKET", "LIMIT") else "ACK")
        ack = {"symbol": order["symbol"], "orderId": order["orderId"], "orderListId": -1,
               "clientOrderId": order["clientOrderId"], "transactTime": order["time"]}
        if resp_type == "ACK":
            return ack
        view = self._view(order)
        result = {**ack, **{k: view[k] for k in ("price", "origQty", "executedQty", "origQuoteOrderQty",
                                                  "cummulativeQuoteQty", "status", "timeInForce", "type", "side",
                                                  "workingTime", "selfTradePreventionMode")}}
        if order["stopPrice"]:
            result["stopPrice"] = view["stopPrice"]
        if resp_type == "FULL":
            result["fills"] = [dict(f) for f in order["fills"]]
        return result

    def _view(self, order: dict) -> dict:
        """An order as GET /api/v3/order shows it."""
        return {"symbol": order["symbol"], "orderId": order["orderId"], "orderListId": -1,
                "clientOrderId": order["clientOrderId"], "price": _s(order["price"]), "origQty": _s(order["origQty"]),
                "executedQty": _s(order["executedQty"]), "cummulativeQuoteQty": _s(order["cummulativeQuoteQty"]),
                "status": order["status"], "timeInForce": order["timeInForce"], "type": order["type"],
                "side": order["side"], "stopPrice": _s(order["stopPrice"]), "icebergQty": "0.00000000",
                "time": order["time"], "updateTime": order["updateTime"], "isWorking": order["triggered"],
                "workingTime": order["time"] if order["triggered"] else -1,
                "origQuoteOrderQty": _s(order["origQuoteOrderQty"]), "selfTradePreventionMode": "EXPIRE_MAKER"}

    def _find(self, book: list, params) -> dict:
        symbol = self._mandatory(params, "symbol")
        order_id, client_id = params.get("orderId"), params.get("origClientOrderId")
        if order_id is None and client_id is None:
            raise self.error(400, -1102,
                             "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
        for order in reversed(book):  # the newest order with a reused clientOrderId
            if order["symbol"] == symbol and (str(order["orderId"]) == order_id or order["clientOrderId"] == client_id):
                return order
        raise self.error(400, -2013, "Order does not exist.")

    # ----- headers, lost answers -----
    def _count_headers(self, long_interval: str) -> dict:
        """X-MBX-ORDER-COUNT-10S and the long interval's count (spot: 1D, futures: 1M)."""
        now = self.fake.server_time_ms()
        window = 86_400_000 if long_interval == "1D" else 60_000
        while self.placed_at and now - self.placed_at[0] > 86_400_000:
            self.placed_at.popleft()
        recent = sum(1 for t in self.placed_at if now - t <= 10_000)
        longer = sum(1 for t in self.placed_at if now - t <= window)
        return {"X-MBX-ORDER-COUNT-10S": str(recent), f"X-MBX-ORDER-COUNT-{long_interval}": str(longer)}

    def _next_drop(self) -> str | None:
        return self.drops.pop(0) if self.drops else None

    def answer(self, body) -> Answer:
        """An order's answer, lost on the way back when drop_answers asked for it."""
        return Answer(body, self._count_headers("1M"), self._next_drop())

    def lose_answer(self, handler, mode: str, used: int) -> None:
        """Acts out a lost answer for an order that is already booked."""
        if mode == "hold":
            self.released.wait(60)
            handler.close_connection = True
            return
        if mode == "reset":
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.close_connection = True
            handler.connection.close()
            return
        page = b"<html><head><title>503</title></head><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
        handler.send_raw(503, page, "text/html", {"X-MBX-USED-WEIGHT-1M": str(used)})

    # ----- futures -----
    def futures_account(self, params, headers) -> dict:
        with self.lock:
            rows = [self._position(s) for s, p in self.positions.items() if p["amt"]]
            pnl = sum((Decimal(r["unRealizedProfit"]) for r in rows), Decimal(0))
            margin = sum((Decimal(r["initialMargin"]) for r in rows), Decimal(0))
            available = self.wallet + pnl - margin
            asset = {"asset": "USDT", "walletBalance": _s(self.wallet), "unrealizedProfit": _s(pnl),
                     "marginBalance": _s(self.wallet + pnl), "maintMargin": _s(margin * MAINT_MARGIN_RATE * 5),
                     "initialMargin": _s(margin), "positionInitialMargin": _s(margin), "openOrderInitialMargin": "0",
                     "crossWalletBalance": _s(self.wallet), "crossUnPnl": _s(pnl), "availableBalance": _s(available),
                     "maxWithdrawAmount": _s(available), "updateTime": self.fake.server_time_ms()}
            return {"totalInitialMargin": _s(margin), "totalMaintMargin": asset["maintMargin"],
                    "totalWalletBalance": _s(self.wallet), "totalUnrealizedProfit": _s(pnl),
                    "totalMarginBalance": _s(self.wallet + pnl), "totalPositionInitialMargin": _s(margin),
                    "totalOpenOrderInitialMargin": "0.00000000", "totalCrossWalletBalance": _s(self.wallet),
                    "totalCrossUnPnl": _s(pnl), "availableBalance": _s(available), "maxWithdrawAmount": _s(available),
                    "assets": [asset],
                    "positions": [{k: r[k] for k in ("symbol", "positionSide", "positionAmt", "isolatedMargin",
                                                     "notional", "isolatedWallet", "initialMargin", "maintMargin",
                                                     "updateTime")} | {"unrealizedProfit": r["unRealizedProfit"]}
                                  for r in rows]}

    def futures_positions(self, params, headers) -> list:
        """Position Information V3: symbols with a position (no leverage field in V3)."""
        with self.lock:
            symbol = params.get("symbol")
            return [self._position(s) for s, p in self.positions.items() if p["amt"] and symbol in (None, s)]

    def futures_symbol_config(self, params, headers) -> list:
        with self.lock:
            symbols = [params["symbol"]] if params.get("symbol") else sorted(self.leverage)
            return [{"symbol": s, "marginType": "CROSSED", "isAutoAddMargin": False,
                     "leverage": self.leverage.get(s, FUTURES_LEVERAGE_DEFAULT), "maxNotionalValue": "1000000"}
                    for s in symbols]

    def futures_leverage(self, params, headers) -> dict:
        with self.lock:
            symbol = self._futures_symbol(params)
            raw = self._mandatory(params, "leverage")
            if not raw.isdigit() or not 1 <= int(raw) <= 125:
                raise self.error(400, -4028, f"Leverage {raw} is not valid")
            self.leverage[symbol] = int(raw)
            return {"leverage": int(raw), "maxNotionalValue": "1000000", "symbol": symbol}

    def place_futures(self, params, headers) -> Answer:
        """MARKET and LIMIT; reduceOnly never opens or grows a position. Conditional types have gone to
        the Algo Order API since 2025-12-09 (algo_orders.py): here they answer -4120."""
        with self.lock:
            symbol = self._futures_symbol(params)
            side, kind = self._mandatory(params, "side"), self._mandatory(params, "type")
            if kind in CONDITIONAL_TYPES:
                raise self.error(400, -4120, "Order type not supported for this endpoint. Please use the Algo "
                                             "Order API endpoints instead.")
            if kind not in FUTURES_TYPES or side not in ("BUY", "SELL"):
                raise self.error(400, -1116, "Invalid orderType.")
            self._mandatory(params, "quantity")
            if kind == "LIMIT":
                self._mandatory(params, "price"), self._mandatory(params, "timeInForce")
            client_id = params.get("newClientOrderId") or f"fakef{next(self.ids)}"
            if any(o["clientOrderId"] == client_id and o["status"] in OPEN for o in self.futures_orders):
                raise self.error(400, -4116, "ClientOrderId is duplicated.")
            order = self.new_futures_order(symbol, side, kind, self._decimal(params, "quantity"), client_id,
                                           self._decimal(params, "price") if kind == "LIMIT" else None,
                                           params.get("timeInForce", "GTC"), params.get("reduceOnly") == "true")
            return Answer(self._futures_view(order), self._count_headers("1M"), self._next_drop())

    def new_futures_order(self, symbol: str, side: str, kind: str, quantity: Decimal, client_id: str,
                          price: Decimal | None = None, time_in_force: str = "GTC", reduce_only: bool = False,
                          close_position: bool = False) -> dict:
        """Books a MARKET or LIMIT order (also what a triggered algo order becomes) and works it."""
        if (reduce_only or close_position) and self._opens(symbol, side):
            raise self.error(400, -2022, "ReduceOnly Order is rejected.")
        now = self.fake.server_time_ms()
        order = {"orderId": next(self.ids), "symbol": symbol, "clientOrderId": client_id, "side": side,
                 "type": kind, "origQty": quantity, "price": price or Decimal(0), "stopPrice": Decimal(0),
                 "status": "NEW", "executedQty": Decimal(0), "avgPrice": Decimal(0), "time": now, "updateTime": now,
                 "timeInForce": time_in_force, "reduceOnly": reduce_only or close_position,
                 "closePosition": close_position}
        self._book(order, self.futures_orders)
        self._futures_report(order, "NEW")
        self._work_futures(order)
        return order

    def _opens(self, symbol: str, side: str) -> bool:
        """Whether a `side` order on `symbol` would open or grow a position (not reduce one)."""
        amount = self.positions.get(symbol, {"amt": Decimal(0)})["amt"]
        return amount == 0 or (amount > 0) == (side == "BUY")

    def _work_futures(self, order: dict) -> None:
        market = Decimal(self.fake.futures_price(order["symbol"]))
        if order["type"] == "LIMIT" and not self._crosses(order["side"], order["price"], market):
            return
        if order["closePosition"] or order["reduceOnly"]:
            open_amount = abs(self.positions.get(order["symbol"], {"amt": Decimal(0)})["amt"])
            order["origQty"] = open_amount if order["closePosition"] else min(order["origQty"], open_amount)
        self._fill_futures(order, market)

    def query_futures(self, params, headers) -> dict:
        with self.lock:
            self.match()
            return self._futures_view(self._find(self.futures_orders, params))

    def cancel_futures(self, params, headers) -> dict:
        with self.lock:
            self.match()
            try:
                order = self._find(self.futures_orders, params)
            except Exception:  # noqa: BLE001 - Binance's own error for an order it cannot find
                raise self.error(400, -2011, "Unknown order sent.") from None
            if order["status"] not in OPEN:
                raise self.error(400, -2011, "Unknown order sent.")
            order.update(status="CANCELED", updateTime=self.fake.server_time_ms())
            self._futures_report(order, "CANCELED")
            return self._futures_view(order)

    def open_futures(self, params, headers) -> list:
        with self.lock:
            self.match()
            symbol = params.get("symbol")
            return [self._futures_view(o) for o in self.futures_orders
                    if o["status"] in OPEN and symbol in (None, o["symbol"])]

    def _fill_futures(self, order: dict, price: Decimal) -> None:
        signed_qty = order["origQty"] if order["side"] == "BUY" else -order["origQty"]
        position = self.positions.setdefault(order["symbol"], {"amt": Decimal(0), "entry": Decimal(0)})
        amt = position["amt"] + signed_qty
        if position["amt"] == 0 or (position["amt"] > 0) == (signed_qty > 0):  # opening or adding: average entry
            position["entry"] = (position["entry"] * abs(position["amt"]) + price * abs(signed_qty)) / abs(amt)
        elif amt != 0 and (amt > 0) != (position["amt"] > 0):  # flipped: the rest opens at this price
            position["entry"] = price
        else:  # reducing: realise the PnL of the closed part
            closed = min(abs(signed_qty), abs(position["amt"]))
            self.wallet += (price - position["entry"]) * closed * (1 if position["amt"] > 0 else -1)
        position["amt"] = amt
        order.update(status="FILLED", executedQty=order["origQty"], avgPrice=price,
                     updateTime=self.fake.server_time_ms())
        self._futures_report(order, "TRADE", price)
        if self.user_data is not None:
            self.user_data.futures_event(user_data.account_update(
                self.wallet, [self._position(order["symbol"])], self.fake.server_time_ms(), fmt=_s))

    def _futures_report(self, order: dict, execution: str, price: Decimal | None = None) -> None:
        if self.user_data is not None:
            self.user_data.futures_event(user_data.order_trade_update(order, execution, self.fake.server_time_ms(),
                                                                      price, _s))

    def margin_call(self, symbol: str) -> None:
        """A test control: Binance warns that the position on `symbol` nears liquidation."""
        with self.lock:
            p = self._position(symbol)
            self.user_data.margin_call(symbol, {"wallet": _s(self.wallet), "amount": p["positionAmt"],
                                                "mark": p["markPrice"], "pnl": p["unRealizedProfit"],
                                                "maint": p["maintMargin"]})

    def _position(self, symbol: str) -> dict:
        p = self.positions[symbol]
        mark = Decimal(self.fake.prices[symbol])
        leverage = Decimal(self.leverage.get(symbol, FUTURES_LEVERAGE_DEFAULT))
        notional = p["amt"] * mark
        margin = abs(notional) / leverage
        # Isolated-style estimate: the price where the loss eats the margin less maintenance.
        move = 1 / leverage - MAINT_MARGIN_RATE
        liquidation = p["entry"] * (1 - move) if p["amt"] > 0 else p["entry"] * (1 + move)
        return {"symbol": symbol, "positionSide": "BOTH", "positionAmt": _s(p["amt"]), "entryPrice": _s(p["entry"]),
                "breakEvenPrice": _s(p["entry"]), "markPrice": _s(mark),
                "unRealizedProfit": _s((mark - p["entry"]) * p["amt"]), "liquidationPrice": _s(liquidation),
                "isolatedMargin": "0", "notional": _s(notional), "marginAsset": "USDT", "isolatedWallet": "0",
                "initialMargin": _s(margin), "maintMargin": _s(abs(notional) * MAINT_MARGIN_RATE),
                "positionInitialMargin": _s(margin), "openOrderInitialMargin": "0", "adl": 1,
                "bidNotional": "0", "askNotional": "0", "updateTime": self.fake.server_time_ms()}

    def _futures_view(self, order: dict) -> dict:
        return {"orderId": order["orderId"], "symbol": order["symbol"], "status": order["status"],
                "clientOrderId": order["clientOrderId"], "price": _s(order["price"]),
                "avgPrice": _s(order["avgPrice"]), "origQty": _s(order["origQty"]),
                "executedQty": _s(order["executedQty"]), "cumQty": _s(order["executedQty"]),
                "cumQuote": _s(order["executedQty"] * order["avgPrice"]), "timeInForce": order["timeInForce"],
                "type": order["type"], "reduceOnly": order.get("reduceOnly", False),
                "closePosition": order.get("closePosition", False), "side": order["side"],
                "positionSide": "BOTH", "stopPrice": _s(order.get("stopPrice") or Decimal(0)),
                "workingType": "CONTRACT_PRICE", "priceProtect": False,
                "origType": order["type"], "priceMatch": "NONE", "selfTradePreventionMode": "EXPIRE_MAKER",
                "goodTillDate": 0, "time": order["time"], "updateTime": order["updateTime"]}

    def _futures_symbol(self, params) -> str:
        symbol = self._mandatory(params, "symbol")
        if symbol not in self.fake.prices:
            raise self.error(400, -1121, "Invalid symbol.")
        return symbol

    # ----- parameters -----
    def _mandatory(self, params, name: str) -> str:
        value = params.get(name)
        if not value:
            raise self.error(400, -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")
        return value

    def _decimal(self, params, name: str) -> Decimal | None:
        raw = params.get(name)
        if raw is None:
            return None
        try:
            value = Decimal(raw)
        except ArithmeticError:
            value = None
        if value is None or not value.is_finite() or value <= 0:
            raise self.error(400, -1100, f"Illegal characters found in parameter '{name}'; legal range is "
                                         "'^([0-9]{1,20})(\\.[0-9]{1,20})?$'.")
        return value
