"""Checks an order against its symbol's filters, in Decimal arithmetic. Nothing
is ever sent to Binance: this is advice before an order, not an order."""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from ..errors import ApiError

SIDES = ("BUY", "SELL")
PRICED_TYPES = ("LIMIT", "LIMIT_MAKER")
TYPES = PRICED_TYPES + ("MARKET",)
ZERO = Decimal(0)


def _d(filters: dict, name: str, key: str) -> Decimal:
    return Decimal(str(filters.get(name, {}).get(key, "0")))


def _on_grid(value: Decimal, base: Decimal, step: Decimal, rounding) -> Decimal:
    """The grid point base + k*step next to value (k by `rounding`)."""
    if step <= 0:
        return value
    return base + ((value - base) / step).to_integral_value(rounding) * step


def _within(value: Decimal, low: Decimal, high: Decimal, step: Decimal) -> Decimal:
    """`value` moved inside [low, high] (0 = no bound), staying on the step grid."""
    if low > 0 and value < low:
        value = _on_grid(low, ZERO, step, ROUND_CEILING)
    if high > 0 and value > high:
        value = _on_grid(high, ZERO, step, ROUND_FLOOR)
    return value


def _band_rules(name: str, side: str) -> tuple[str, str]:
    if name == "percent_price":
        return "multiplierUp", "multiplierDown"
    return ("bidMultiplierUp", "bidMultiplierDown") if side == "BUY" else ("askMultiplierUp", "askMultiplierDown")


def _shown(value: Decimal, step: Decimal) -> str:
    """The value written to the step's decimals (a step of 0.00001 shows 9000.00000)."""
    exponent = step.normalize().as_tuple().exponent if step > 0 else 0
    if exponent < 0:
        return f"{value.quantize(Decimal(1).scaleb(exponent)):f}"
    return f"{value.normalize():f}"


class Check:
    def __init__(self, rules: dict, order: dict, market_price: Decimal | None, avg_price: Decimal | None,
                 band_label: str = "average price"):
        self.filters, self.order, self.band_label = rules["filters"], order, band_label
        self.violations: list[dict] = []
        self.market = order["type"] == "MARKET"
        self.effective_price = order["price"] if order["price"] is not None else market_price
        self.avg_price = avg_price

    def violation(self, filter_name, field, rule, message, limit, nearest):
        self.violations.append({"filter": filter_name, "field": field, "rule": rule, "message": message,
                                "limit": limit, "nearest_valid": nearest})

    def price(self) -> Decimal | None:
        """PRICE_FILTER: minPrice, maxPrice and `price % tickSize == 0` (Binance's rule since 2022-02)."""
        price = self.order["price"]
        if price is None or "price" not in self.filters:
            return price
        low, high, tick = (_d(self.filters, "price", k) for k in ("minPrice", "maxPrice", "tickSize"))
        nearest = _within(_on_grid(price, ZERO, tick, ROUND_HALF_UP), low, high, tick)
        shown = _shown(nearest, tick)
        if low > 0 and price < low:
            self.violation("PRICE_FILTER", "price", "minPrice", f"price is below the minimum {_shown(low, tick)}",
                           _shown(low, tick), shown)
        elif high > 0 and price > high:
            self.violation("PRICE_FILTER", "price", "maxPrice", f"price is above the maximum {_shown(high, tick)}",
                           _shown(high, tick), shown)
        elif tick > 0 and price % tick != 0:
            self.violation("PRICE_FILTER", "price", "tickSize", f"price must move in steps of {_shown(tick, tick)}",
                           _shown(tick, tick), shown)
        return nearest

    def percent_price(self, nearest: Decimal | None) -> Decimal | None:
        """PERCENT_PRICE_BY_SIDE (or PERCENT_PRICE): a priced order within a band around the average
        price, per side. Without an average (unavailable, or no trade yet) the band is not checked."""
        name = "percent_price_by_side" if "percent_price_by_side" in self.filters else "percent_price"
        price, avg = self.order["price"], self.avg_price
        if price is None or name not in self.filters or not avg:
            return nearest
        up_rule, down_rule = _band_rules(name, self.order["side"])
        tick = _d(self.filters, "price", "tickSize")
        up = _on_grid(avg * _d(self.filters, name, up_rule), ZERO, tick, ROUND_FLOOR)
        down = _on_grid(avg * _d(self.filters, name, down_rule), ZERO, tick, ROUND_CEILING)
        label = name.upper()
        if price > up:
            self.violation(label, "price", up_rule, f"price is above {self.order['side']} orders' limit "
                           f"{_shown(up, tick)} ({self.band_label} {avg.normalize():f} x {up_rule})",
                           _shown(up, tick), _shown(up, tick))
            return up
        if price < down:
            self.violation(label, "price", down_rule, f"price is below {self.order['side']} orders' limit "
                           f"{_shown(down, tick)} ({self.band_label} {avg.normalize():f} x {down_rule})",
                           _shown(down, tick), _shown(down, tick))
            return down
        return nearest

    def lot(self, name: str) -> tuple[Decimal | None, tuple]:
        """LOT_SIZE (every order) or MARKET_LOT_SIZE (MARKET orders): minQty, maxQty and
        `quantity % stepSize == 0` (since 2023-03). A stepSize of 0 (as MARKET_LOT_SIZE is
        published) disables only the step rule, never maxQty; suggestions then stay on LOT_SIZE's step."""
        quantity = self.order["quantity"]
        low, high, step = (_d(self.filters, name, k) for k in ("minQty", "maxQty", "stepSize"))
        grid = step if step > 0 else _d(self.filters, "lot_size", "stepSize")
        if name not in self.filters:
            return quantity, (low, high, grid)
        nearest = _within(_on_grid(quantity, ZERO, grid, ROUND_HALF_UP), low, high, grid)
        label, shown = name.upper(), _shown(nearest, grid)
        if quantity < low:
            self.violation(label, "quantity", "minQty", f"quantity is below the minimum {_shown(low, grid)}",
                           _shown(low, grid), shown)
        elif high > 0 and quantity > high:
            self.violation(label, "quantity", "maxQty", f"quantity is above the maximum {_shown(high, grid)}",
                           _shown(high, grid), shown)
        elif step > 0 and quantity % step != 0:
            self.violation(label, "quantity", "stepSize", f"quantity must move in steps of {_shown(step, step)}",
                           _shown(step, step), shown)
        return nearest, (low, high, grid)

    def quantity(self) -> tuple[Decimal, tuple]:
        """The nearest quantity every lot filter that applies allows, and their (min, max, step) together."""
        nearest, (low, high, step) = self.lot("lot_size")
        if not (self.market and "market_lot_size" in self.filters):
            return nearest, (low, high, step)
        _, (market_low, market_high, _) = self.lot("market_lot_size")
        low = max(low, market_low)
        high = min(high, market_high) if high > 0 and market_high > 0 else high or market_high
        return _within(nearest, low, high, step), (low, high, step)

    def notional(self, nearest_price: Decimal | None, nearest_quantity: Decimal, lot: tuple) -> Decimal:
        """Binance's NOTIONAL (or older MIN_NOTIONAL): judged on the order as sent; the
        suggested quantity is the nearest one that meets it at the suggested price."""
        name = "notional" if "notional" in self.filters else "min_notional"
        price = self.effective_price
        if name not in self.filters or price is None:
            return nearest_quantity
        rules = self.filters[name]
        applies_min = rules.get("applyMinToMarket", rules.get("applyToMarket", True)) if self.market else True
        applies_max = rules.get("applyMaxToMarket", False) if self.market else True
        # futures' MIN_NOTIONAL names its minimum `notional`
        low = _d(self.filters, name, "minNotional") or _d(self.filters, name, "notional")
        high = _d(self.filters, name, "maxNotional")
        value, (_, max_qty, step) = price * self.order["quantity"], lot
        at = nearest_price if nearest_price is not None else price
        if applies_min and low > 0 and value < low:
            needed = max(nearest_quantity, _on_grid(low / at, ZERO, step, ROUND_CEILING))
            needed = needed if not max_qty or needed <= max_qty else nearest_quantity
            self.violation(name.upper(), "notional", "minNotional",
                           f"price x quantity = {value.normalize():f} is below the minimum {low.normalize():f}",
                           f"{low.normalize():f}", _shown(needed, step))
            return needed
        if applies_max and high > 0 and value > high:
            allowed = min(nearest_quantity, _on_grid(high / at, ZERO, step, ROUND_FLOOR))
            self.violation(name.upper(), "notional", "maxNotional",
                           f"price x quantity = {value.normalize():f} is above the maximum {high.normalize():f}",
                           f"{high.normalize():f}", _shown(allowed, step))
            return allowed
        return nearest_quantity


def validate(order: dict, rules: dict, market_price: Decimal | None, avg_price: Decimal | None = None,
             band_label: str = "average price") -> dict:
    """`market_price` (MARKET orders) and `avg_price` (the PERCENT_PRICE bands: spot's average price,
    futures' mark price, named by `band_label`) are None when unknown."""
    if rules.get("status") not in (None, "TRADING"):
        raise ApiError(400, "symbol_not_trading", f"{order['symbol']} is {rules['status']}, not TRADING")
    if rules.get("order_types") and order["type"] not in rules["order_types"]:
        raise ApiError(400, "order_type_not_allowed", f"{order['symbol']} does not take {order['type']} orders")
    if order["type"] == "MARKET" and market_price is not None and market_price <= 0:
        raise ApiError(400, "no_market_price", f"{order['symbol']} has not traded yet (price 0): a MARKET order "
                                               "has no price to fill at; place a LIMIT order")
    check = Check(rules, order, market_price, avg_price, band_label)
    price = check.percent_price(check.price())
    quantity, lot = check.quantity()
    quantity = check.notional(price, quantity, lot)
    step = lot[2]
    return {
        "valid": not check.violations,
        "symbol": order["symbol"], "side": order["side"], "type": order["type"],
        "quantity": f"{order['quantity']:f}", "price": None if order["price"] is None else f"{order['price']:f}",
        "notional": None if check.effective_price is None
        else f"{(check.effective_price * order['quantity']).normalize():f}",
        "avg_price": None if avg_price is None else f"{avg_price:f}",
        "violations": check.violations,
        "nearest_valid": {"quantity": _shown(quantity, step),
                          "price": None if price is None else _shown(price, _d(check.filters, "price", "tickSize"))},
        "rules": check.filters,
    }
