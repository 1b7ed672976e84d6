"""What the order routes ask for: spot and futures orders (checked against the symbol's
spot or futures filters before anything is sent), queries, cancels, open orders, and the USDT-M futures
account. Nothing here is cached: orders and balances are always asked live."""
from __future__ import annotations

import uuid
from decimal import Decimal

from ..errors import ApiError
from ..stores.flight import SingleFlightTimeout
from ..upstream import Market, Rejected, UpstreamError
from .order_filters import validate
from .order_gate import OrderGate
from .placement import Outcome, Placement

UNKNOWN_ORDER = (-2013, -2011)
STOP_TYPES = ("STOP_LOSS", "TAKE_PROFIT", "STOP_MARKET", "TAKE_PROFIT_MARKET")  # fill at the market at stopPrice
CONDITIONAL = ("STOP_MARKET", "TAKE_PROFIT_MARKET")  # USDT-M: the Algo Order API
STOP_LIMIT_TYPES = ("STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT")


def new_client_order_id() -> str:
    """Binance allows ^[.A-Z:/a-z0-9_-]{1,36}$; 'gw-' marks orders the gateway named."""
    return "gw-" + uuid.uuid4().hex


def binance_params(order: dict) -> dict:
    """The order as Binance's parameters: decimals as plain strings, absent fields left out."""
    return {k: (f"{v:f}" if isinstance(v, Decimal) else v) for k, v in order.items() if v is not None}


def algo_params(order: dict) -> dict:
    """A conditional USDT-M order as the Algo Order API takes it: triggerPrice, clientAlgoId."""
    params = binance_params(order)
    params["triggerPrice"] = params.pop("stopPrice")
    params["clientAlgoId"] = params.pop("newClientOrderId")
    params.pop("newOrderRespType", None)
    return {**params, "algoType": "CONDITIONAL"}


class Trading:
    def __init__(self, upstream, exchange, spot, placement: Placement, settings, futures, gate: OrderGate):
        self.upstream, self.exchange, self.spot, self.placement = upstream, exchange, spot, placement
        self.settings, self.futures, self.gate = settings, futures, gate

    # ----- spot -----
    def check(self, order: dict) -> dict:
        """The filter checks of order/validate, for every order type; raises 400 order_invalid."""
        rules = self.exchange.select([order["symbol"]]).data[order["symbol"]]
        _type_allowed(order, rules)
        _refuse(filter_violations(order, rules, self._market_price(order)))
        return rules

    def place(self, order: dict, actor: str) -> Outcome:
        return self._place("spot", self.check, order, actor)

    def _place(self, market: str, check, order: dict, actor: str) -> Outcome:
        """Checked against the filters, then the risk limits (a repeat of a journalled clientOrderId
        was decided already), journalled and sent at most once; each step in the audit log."""
        try:
            check(order)
        except ApiError as err:
            self.gate.refused(actor, "order.place", market, order, err.code)
            raise
        order = {**order, "newClientOrderId": order.get("newClientOrderId") or new_client_order_id()}
        params = algo_params(order) if market == "futures_algo" else binance_params(order)
        if self.placement.recorded(market, order["newClientOrderId"]) is not None:
            return self.placement.place(market, params)
        with self.gate.placing(actor, "spot" if market == "spot" else "futures", order) as attempt:
            outcome = self.placement.place(market, params)
            answer = outcome.order or {}  # a conditional futures order answers with the Algo API's ids
            attempt.answered(outcome.outcome, status=answer.get("status", answer.get("algoStatus")),
                             orderId=answer.get("orderId", answer.get("algoId")),
                             clientOrderId=outcome.client_order_id)
        return outcome

    def test(self, order: dict, actor: str) -> dict:
        """Binance's order/test: every check of a placement (the risk limits too), nothing booked."""
        self.check(order)
        params = binance_params(order)
        with self.gate.placing(actor, "spot", order, count=False, action="order.test") as attempt:
            try:
                self.upstream.signed("order_test", **params)
            except Rejected as err:
                attempt.answered("rejected", code=err.code)
                raise ApiError(400, "order_rejected", f"Binance rejected the test order: {err.message}",
                               upstream=err.upstream_detail(), details={"outcome": "rejected"}) from None
            attempt.answered("accepted")
        return {"outcome": "accepted", "tested": True, "order": params}

    def order(self, symbol: str, client_order_id: str, market: str = "spot") -> dict:
        """Binance's record of the order (asked live), and what the journal knows of it. A USDT-M id
        the journal knows as a conditional order is asked of the Algo Order API."""
        if market == "futures" and self.placement.recorded("futures_algo", client_order_id) is not None:
            return self._algo_order(symbol, client_order_id)
        name = "order_get" if market == "spot" else "futures_order_get"
        entry = self.placement.recorded(market, client_order_id)
        try:
            order = self.upstream.signed(name, symbol=symbol, origClientOrderId=client_order_id)
        except Rejected as err:
            if err.code not in UNKNOWN_ORDER:
                raise
            raise ApiError(404, "unknown_order", f"Binance has no order {client_order_id} on {symbol}",
                           upstream=err.upstream_detail(),
                           details={"journal": entry.state if entry else None}) from None
        if entry is not None and entry.state != "placed":
            self.placement.found(entry, order)
            entry = self.placement.recorded(market, client_order_id)
        return {"order": order, "journal": entry.state if entry else None}

    def cancel(self, symbol: str, client_order_id: str, actor: str) -> dict:
        return {"order": self._cancel("spot", "order_cancel", {"symbol": symbol, "origClientOrderId": client_order_id},
                                      client_order_id, actor)}

    def _cancel(self, market: str, call: str, detail: dict, client_order_id: str, actor: str) -> dict:
        """One cancel, audited with its outcome; Binance's "unknown order" is 404 unknown_order."""
        with self.gate.cancelling(actor, market, detail) as attempt:
            try:
                order = self.upstream.signed(call, **detail)
            except Rejected as err:
                attempt.answered("rejected", code=err.code)
                if err.code not in UNKNOWN_ORDER:
                    raise
                raise ApiError(404, "unknown_order", f"no open order {client_order_id} on {detail['symbol']} to "
                               "cancel", upstream=err.upstream_detail()) from None
            attempt.answered("canceled", status=order.get("status") or order.get("msg"))
        return order

    def open_orders(self, symbol: str | None) -> dict:
        orders = self.upstream.signed("open_orders", **({"symbol": symbol} if symbol else {}))
        return {"orders": orders, "count": len(orders)}

    def _market_price(self, order: dict) -> Decimal | None:
        if order["type"] != "MARKET":
            return None
        try:
            return Decimal(self.spot.prices([order["symbol"]]).data[order["symbol"]])
        except (ApiError, UpstreamError, SingleFlightTimeout):
            return None  # the notional check of a MARKET order is then left to Binance

    # ----- USDT-M futures -----
    def futures_account(self) -> dict:
        """/fapi/v3/account: balances, available balance, unrealised PnL."""
        account = self.upstream.signed("futures_account", version=3)
        keys = ("totalWalletBalance", "totalUnrealizedProfit", "totalMarginBalance", "availableBalance",
                "maxWithdrawAmount", "totalInitialMargin", "totalMaintMargin")
        assets = [{k: a.get(k) for k in ("asset", "walletBalance", "unrealizedProfit", "marginBalance",
                                          "availableBalance")} for a in account.get("assets") or []]
        return {**{k: account.get(k) for k in keys}, "assets": assets}

    def futures_positions(self) -> dict:
        """/fapi/v3/positionRisk (non-zero positions) with leverage from /fapi/v1/symbolConfig."""
        rows = [p for p in self.upstream.signed("futures_positions") if Decimal(p.get("positionAmt") or "0") != 0]
        configs = self.upstream.signed("futures_symbol_config") if rows else []
        leverage = {c["symbol"]: c.get("leverage") for c in configs}
        positions = [position_view(p, leverage.get(p["symbol"])) for p in rows]
        return {"positions": positions, "count": len(positions)}

    def futures_check(self, order: dict) -> dict:
        """The order against its contract's /fapi/v1/exchangeInfo filters (PRICE_FILTER, LOT_SIZE,
        MARKET_LOT_SIZE, MIN_NOTIONAL, PERCENT_PRICE around the mark price); raises 400 order_invalid."""
        symbol = order["symbol"]
        rules = self.exchange.select([symbol], Market.FUTURES).data[symbol]
        _type_allowed(order, rules)
        mark = self._mark_price(symbol) if order["type"] == "MARKET" or "percent_price" in rules["filters"] else None
        violations = filter_violations(order, rules, mark if order["type"] == "MARKET" else None,
                                       band_price=mark, band_label="mark price")
        _refuse(violations)
        return rules

    def _mark_price(self, symbol: str) -> Decimal | None:
        try:
            return Decimal(self.futures.premium_index(symbol).data["markPrice"])
        except (ApiError, UpstreamError, SingleFlightTimeout, KeyError, ArithmeticError):
            return None  # the checks that need it are then left to Binance

    def futures_place(self, order: dict, actor: str) -> Outcome:
        if order["type"] in CONDITIONAL:  # Binance's Algo Order API since 2025-12-09
            return self._place("futures_algo", self.futures_check, order, actor)
        return self._place("futures", self.futures_check, order, actor)

    def _algo_order(self, symbol: str, client_order_id: str) -> dict:
        entry = self.placement.recorded("futures_algo", client_order_id)
        try:
            order = self.upstream.signed("futures_algo_order_get", symbol=symbol, clientAlgoId=client_order_id)
        except Rejected as err:
            if err.code not in UNKNOWN_ORDER:
                raise
            raise ApiError(404, "unknown_order", f"Binance has no order {client_order_id} on {symbol}",
                           upstream=err.upstream_detail(), details={"journal": entry.state}) from None
        if entry.state != "placed":
            self.placement.found(entry, order)
            entry = self.placement.recorded("futures_algo", client_order_id)
        return {"order": order, "journal": entry.state, "conditional": True}

    def futures_cancel(self, symbol: str, client_order_id: str, actor: str) -> dict:
        conditional = self.placement.recorded("futures_algo", client_order_id) is not None
        detail = {"symbol": symbol, ("clientAlgoId" if conditional else "origClientOrderId"): client_order_id}
        order = self._cancel("futures", "futures_algo_order_cancel" if conditional else "futures_order_cancel",
                             detail, client_order_id, actor)
        return {"order": order, "conditional": conditional}

    def futures_open_orders(self, symbol: str | None) -> dict:
        """The matching engine's open orders, and the conditional ones waiting in the Algo Order API
        (each with `conditional: true`, its id in clientOrderId)."""
        scope = {"symbol": symbol} if symbol else {}
        orders = self.upstream.signed("futures_open_orders", **scope)
        waiting = [{**o, "clientOrderId": o.get("clientAlgoId"), "type": o.get("orderType"),
                    "status": o.get("algoStatus"), "stopPrice": o.get("triggerPrice"), "origQty": o.get("quantity"),
                    "conditional": True} for o in self.upstream.signed("futures_open_algo_orders", **scope)]
        return {"orders": orders + waiting, "count": len(orders) + len(waiting)}

    def futures_close(self, symbol: str, actor: str) -> Outcome:
        """The whole position on `symbol` closed at the market: reduce-only, so it can never open one
        the other way if the position changed meanwhile."""
        rows = self.upstream.signed("futures_positions", symbol=symbol)
        amount = sum((Decimal(p.get("positionAmt") or "0") for p in rows if p.get("symbol") == symbol), Decimal(0))
        if amount == 0:
            raise ApiError(404, "no_position", f"there is no open position on {symbol}")
        order = {"symbol": symbol, "side": "SELL" if amount > 0 else "BUY", "type": "MARKET",
                 "quantity": abs(amount), "reduceOnly": "true"}
        return self._place("futures", self.futures_check, order, actor)

    def futures_leverage(self, symbol: str, leverage: int, actor: str) -> dict:
        with self.gate.leveraging(actor, symbol, leverage) as attempt:
            try:
                answer = self.upstream.signed("futures_leverage", symbol=symbol, leverage=leverage)
            except Rejected as err:
                attempt.answered("rejected", code=err.code)
                raise ApiError(400, "leverage_rejected", f"Binance rejected the leverage: {err.message}",
                               upstream=err.upstream_detail()) from None
            attempt.answered("set", leverage=answer.get("leverage"))
        return answer


def position_view(p: dict, leverage) -> dict:
    amount = Decimal(p["positionAmt"])
    return {"symbol": p["symbol"], "side": "LONG" if amount > 0 else "SHORT", "size": f"{abs(amount):f}",
            "positionAmt": p["positionAmt"], "entryPrice": p.get("entryPrice"), "markPrice": p.get("markPrice"),
            "unrealizedProfit": p.get("unRealizedProfit"), "leverage": leverage,
            "liquidationPrice": p.get("liquidationPrice"), "notional": p.get("notional"),
            "positionSide": p.get("positionSide")}


def _type_allowed(order: dict, rules: dict) -> None:
    if rules.get("order_types") and order["type"] not in rules["order_types"]:
        raise ApiError(400, "order_type_not_allowed", f"{order['symbol']} does not take {order['type']} orders")


def _refuse(violations: list[dict]) -> None:
    if violations:
        raise ApiError(400, "order_invalid", "the order breaks the symbol's filters; nothing was sent",
                       details={"violations": violations})


def filter_violations(order: dict, rules: dict, market_price: Decimal | None,
                      band_price: Decimal | None = None, band_label: str = "average price") -> list[dict]:
    """Every order type mapped onto the checks of order/validate: the quantity and price of
    what will rest or fill, and the stop price on the price grid. `band_price` (when known)
    bounds a priced order by the PERCENT_PRICE filters."""
    kind, base = order["type"], {"symbol": order["symbol"], "side": order["side"]}
    if kind == "MARKET" and order.get("quoteOrderQty") is not None:
        return quote_notional_violations(order["quoteOrderQty"], rules)
    if kind in ("MARKET",) + STOP_TYPES:
        at = order.get("stopPrice") if kind in STOP_TYPES else market_price
        # validate holds MARKET orders to MARKET_LOT_SIZE's maxQty too (published with stepSize 0)
        violations = validate({**base, "type": "MARKET", "quantity": order["quantity"], "price": None},
                              rules, at)["violations"]
    else:
        violations = validate({**base, "type": "LIMIT", "quantity": order["quantity"], "price": order["price"]},
                              rules, None, band_price, band_label)["violations"]
    if order.get("stopPrice") is not None:
        stop = validate({**base, "type": "LIMIT", "quantity": order["quantity"], "price": order["stopPrice"]},
                        rules, None)["violations"]
        violations += [{**v, "field": "stopPrice"} for v in stop if v["filter"] == "PRICE_FILTER"]
    return violations


def quote_notional_violations(quote_qty: Decimal, rules: dict) -> list[dict]:
    """A MARKET order by quoteOrderQty spends exactly that: its notional."""
    name = "notional" if "notional" in rules["filters"] else "min_notional"
    filt = rules["filters"].get(name) or {}
    low = Decimal(str(filt.get("minNotional", filt.get("notional", "0"))))  # futures: `notional`
    applies = filt.get("applyMinToMarket", filt.get("applyToMarket", True))
    if applies and low > 0 and quote_qty < low:
        return [{"filter": name.upper(), "field": "quoteOrderQty", "rule": "minNotional",
                 "message": f"quoteOrderQty {quote_qty:f} is below the minimum notional {low.normalize():f}",
                 "limit": f"{low.normalize():f}", "nearest_valid": f"{low.normalize():f}"}]
    return []
