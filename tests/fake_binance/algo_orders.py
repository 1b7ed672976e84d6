"""USDT-M conditional orders as Binance has taken them since 2025-12-09: the Algo Order API.

`POST /fapi/v1/algoOrder` (algoType CONDITIONAL; STOP_MARKET, TAKE_PROFIT_MARKET, STOP, TAKE_PROFIT;
triggerPrice; quantity or closePosition; reduceOnly; clientAlgoId), `GET /fapi/v1/algoOrder`,
`DELETE /fapi/v1/algoOrder`, `GET /fapi/v1/openAlgoOrders`. An algo order waits, NEW, until the
price crosses its triggerPrice; then it is TRIGGERED and becomes an order of the matching
engine (MARKET, or LIMIT at its price), and FINISHED once that is done. Each change is an
`ALGO_UPDATE` on the futures user data stream."""
from __future__ import annotations

import itertools
from decimal import Decimal

STOPS = ("STOP_MARKET", "STOP")  # trigger as a stop-loss: a buy on a rise, a sell on a fall
TYPES = ("STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP", "TAKE_PROFIT")
WORKING = ("NEW",)


class AlgoOrders:
    def __init__(self, engine):
        self.engine = engine
        self.reset()

    def reset(self) -> None:
        self.orders: list[dict] = []
        self.ids = itertools.count(2_000_000)

    def routes(self, route, const) -> dict:
        return {"POST /fapi/v1/algoOrder": route(self.place, const(0), signed=True, futures=True),
                "/fapi/v1/algoOrder": route(self.query, const(1), signed=True, futures=True),
                "DELETE /fapi/v1/algoOrder": route(self.cancel, const(1), signed=True, futures=True),
                "/fapi/v1/openAlgoOrders": route(self.open, const(1), signed=True, futures=True)}

    # ----- the routes -----
    def place(self, params, headers) -> dict:
        engine = self.engine
        with engine.lock:
            if params.get("algoType") != "CONDITIONAL":
                raise engine.error(400, -1116, "Invalid algoType.")
            symbol = engine._futures_symbol(params)
            side, kind = engine._mandatory(params, "side"), engine._mandatory(params, "type")
            if kind not in TYPES or side not in ("BUY", "SELL"):
                raise engine.error(400, -1116, "Invalid orderType.")
            trigger = engine._decimal(params, "triggerPrice")
            if trigger is None:
                raise engine.error(400, -1102, "Mandatory parameter 'triggerPrice' was not sent, was empty/null, "
                                               "or malformed.")
            close_position = params.get("closePosition") == "true"
            if close_position == ("quantity" in params):
                raise engine.error(400, -1102, "Param 'quantity' or 'closePosition' must be sent, not both.")
            if kind in ("STOP", "TAKE_PROFIT"):
                engine._mandatory(params, "price")
            client_id = params.get("clientAlgoId") or f"fakea{next(self.ids)}"
            if any(o["clientAlgoId"] == client_id and o["algoStatus"] in WORKING for o in self.orders):
                raise engine.error(400, -4116, "ClientOrderId is duplicated.")
            now = engine.fake.server_time_ms()
            order = {"algoId": next(self.ids), "clientAlgoId": client_id, "algoType": "CONDITIONAL",
                     "orderType": kind, "symbol": symbol, "side": side, "positionSide": "BOTH",
                     "timeInForce": params.get("timeInForce", "GTC"),
                     "quantity": engine._decimal(params, "quantity") or Decimal(0),
                     "price": engine._decimal(params, "price") or Decimal(0), "triggerPrice": trigger,
                     "algoStatus": "NEW", "closePosition": close_position,
                     "reduceOnly": params.get("reduceOnly") == "true" or close_position,
                     "createTime": now, "updateTime": now, "triggerTime": 0, "actualOrderId": ""}
            self.orders.append(order)
            engine.booked.notify_all()
            self._report(order)
            self._work(order)
            return self.engine.answer(self.view(order))

    def query(self, params, headers) -> dict:
        with self.engine.lock:
            self.engine.match()
            return self.view(self._find(params))

    def cancel(self, params, headers) -> dict:
        engine = self.engine
        with engine.lock:
            engine.match()
            order = self._find(params)
            if order["algoStatus"] not in WORKING:
                raise engine.error(400, -2011, "Unknown order sent.")
            order.update(algoStatus="CANCELED", updateTime=engine.fake.server_time_ms())
            self._report(order)
            return {"algoId": order["algoId"], "clientAlgoId": order["clientAlgoId"], "code": "200",
                    "msg": "success"}

    def open(self, params, headers) -> list:
        with self.engine.lock:
            self.engine.match()
            symbol = params.get("symbol")
            return [self.view(o) for o in self.orders if o["algoStatus"] in WORKING and symbol in (None, o["symbol"])]

    # ----- triggering -----
    def match(self) -> None:
        for order in self.orders:
            if order["algoStatus"] in WORKING:
                self._work(order)

    def _work(self, order: dict) -> None:
        engine = self.engine
        market = Decimal(engine.fake.futures_price(order["symbol"]))
        stop = order["orderType"] in STOPS
        rising = stop == (order["side"] == "BUY")
        if not (market >= order["triggerPrice"] if rising else market <= order["triggerPrice"]):
            return
        now = engine.fake.server_time_ms()
        order.update(algoStatus="TRIGGERED", triggerTime=now, updateTime=now)
        self._report(order)  # before the order it becomes, as Binance tells it
        kind = "MARKET" if order["orderType"].endswith("_MARKET") else "LIMIT"
        quantity = order["quantity"] if not order["closePosition"] else \
            abs(engine.positions.get(order["symbol"], {"amt": Decimal(0)})["amt"])
        placed = engine.new_futures_order(order["symbol"], order["side"], kind, quantity,
                                          f"algo{order['algoId']}", order["price"] if kind == "LIMIT" else None,
                                          order["timeInForce"], order["reduceOnly"], order["closePosition"])
        order["actualOrderId"] = str(placed["orderId"])
        if placed["status"] == "FILLED":
            order.update(algoStatus="FINISHED", updateTime=engine.fake.server_time_ms())
            self._report(order)

    def _find(self, params) -> dict:
        engine = self.engine
        symbol = engine._mandatory(params, "symbol")
        algo_id, client_id = params.get("algoId"), params.get("clientAlgoId")
        if algo_id is None and client_id is None:
            raise engine.error(400, -1102, "Param 'clientAlgoId' or 'algoId' must be sent, but both were empty/null!")
        for order in reversed(self.orders):
            if order["symbol"] == symbol and (str(order["algoId"]) == algo_id or order["clientAlgoId"] == client_id):
                return order
        raise engine.error(400, -2013, "Order does not exist.")

    def view(self, order: dict) -> dict:
        s = _decimal
        return {"algoId": order["algoId"], "clientAlgoId": order["clientAlgoId"], "algoType": "CONDITIONAL",
                "orderType": order["orderType"], "symbol": order["symbol"], "side": order["side"],
                "positionSide": "BOTH", "timeInForce": order["timeInForce"], "quantity": s(order["quantity"]),
                "algoStatus": order["algoStatus"], "actualOrderId": order["actualOrderId"],
                "triggerPrice": s(order["triggerPrice"]), "price": s(order["price"]), "icebergQuantity": None,
                "tpTriggerPrice": "0.00000000", "tpPrice": "0.00000000", "slTriggerPrice": "0.00000000",
                "slPrice": "0.00000000", "tpOrderType": "", "selfTradePreventionMode": "EXPIRE_MAKER",
                "workingType": "CONTRACT_PRICE", "priceMatch": "NONE", "closePosition": order["closePosition"],
                "priceProtect": False, "reduceOnly": order["reduceOnly"], "createTime": order["createTime"],
                "updateTime": order["updateTime"], "triggerTime": order["triggerTime"], "goodTillDate": 0}

    def _report(self, order: dict) -> None:
        user_data = self.engine.user_data
        if user_data is None:
            return
        s, now = _decimal, self.engine.fake.server_time_ms()
        user_data.futures_event({"e": "ALGO_UPDATE", "T": now, "E": now, "o": {
            "caid": order["clientAlgoId"], "aid": order["algoId"], "at": "CONDITIONAL", "o": order["orderType"],
            "s": order["symbol"], "S": order["side"], "ps": "BOTH", "f": order["timeInForce"],
            "q": s(order["quantity"]), "X": order["algoStatus"], "ai": order["actualOrderId"], "ap": "0.00000000",
            "aq": "0.00000000", "act": "0", "tp": s(order["triggerPrice"]), "p": s(order["price"]),
            "V": "EXPIRE_MAKER", "wt": "CONTRACT_PRICE", "pm": "NONE", "cp": order["closePosition"], "pP": False,
            "R": order["reduceOnly"], "tt": order["triggerTime"], "gtd": 0}})


def _decimal(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.00000001')):f}"
