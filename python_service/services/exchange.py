"""Symbol rules from exchangeInfo (fetched whole, weight 20, cached long, with the
shipped snapshot as fallback), and order checks against them."""
from __future__ import annotations

from decimal import Decimal

from ..errors import ApiError
from ..sourcing.derived import Derived
from ..sourcing.provenance import Sourced
from ..stores.flight import SingleFlightTimeout
from ..upstream import Market, UpstreamError
from .order_filters import validate
from .spot import unavailable

FILTER_NAMES = {"PRICE_FILTER": "price", "LOT_SIZE": "lot_size", "MARKET_LOT_SIZE": "market_lot_size",
                "NOTIONAL": "notional", "MIN_NOTIONAL": "min_notional",
                "PERCENT_PRICE_BY_SIDE": "percent_price_by_side", "PERCENT_PRICE": "percent_price"}


def parsed(symbol_info: dict) -> dict:
    """The parts of a Binance symbol object clients need, filters keyed by kind."""
    filters = {}
    for raw in symbol_info.get("filters") or []:
        name = FILTER_NAMES.get(raw.get("filterType"))
        if name:
            filters[name] = {k: v for k, v in raw.items() if k != "filterType"}
    return {"symbol": symbol_info.get("symbol"), "status": symbol_info.get("status"),
            "base_asset": symbol_info.get("baseAsset"), "quote_asset": symbol_info.get("quoteAsset"),
            "order_types": symbol_info.get("orderTypes") or [], "filters": filters}


def parsed_rules(document: dict) -> dict:
    """{symbol: parsed rules} of an exchangeInfo document."""
    symbols = document.get("symbols") or []
    return {s["symbol"]: parsed(s) for s in symbols if isinstance(s, dict) and "symbol" in s}


class Exchange:
    def __init__(self, upstream, provider, last_resort, spot, settings):
        self.upstream, self.provider, self.last_resort, self.spot = upstream, provider, last_resort, spot
        self.ttl_s = settings.exchange_info_ttl_s
        self.derived = Derived()

    def document(self, market: Market = Market.SPOT, last_resort=lambda: None) -> Sourced:
        """Binance's exchangeInfo as it answered: the mirror serves it, `all` parses it; one
        upstream call per TTL feeds both."""
        name = "exchange_info" if market is Market.SPOT else "futures_exchange_info"
        return self.provider.get(f"raw:exchange_info:{market.value}", self.ttl_s, lambda: self.upstream.fetch(name),
                                 last_resort=last_resort)

    def all(self, market: Market = Market.SPOT) -> Sourced:
        """{symbol: parsed rules} for every symbol (spot: the shipped snapshot when Binance cannot answer)."""
        shipped = (lambda: self.last_resort.lookup("exchange_info",
                                                   shape=lambda rows: {"symbols": list(rows.values())})) \
            if market is Market.SPOT else (lambda: None)
        return self.derived.shape(f"exchange_info:{market.value}", self.document(market, shipped), parsed_rules)

    def select(self, symbols: list[str] | None, market: Market = Market.SPOT) -> Sourced:
        everything = self.all(market)
        if symbols is None:
            return everything
        missing = [s for s in symbols if s not in everything.data]
        if missing and everything.from_binance_now:
            raise ApiError(404, "unknown_symbol", f"Binance does not list {', '.join(missing)}")
        if missing:
            raise unavailable(everything, ", ".join(missing))
        return everything.replace({s: everything.data[s] for s in symbols})

    def validate_order(self, order: dict) -> tuple[dict, Sourced]:
        """The order checked against its symbol's filters: a MARKET order at the current price, a
        priced one against the PERCENT_PRICE band around the average price. Either price missing
        (Binance unavailable) skips only the check that needs it, and the answer shows it as null."""
        symbol = order["symbol"]
        rules = self.select([symbol])
        filters = rules.data[symbol]["filters"]
        market_price = avg_price = None
        if order["type"] == "MARKET":
            market_price = _optional(lambda: self.spot.prices([symbol]).data[symbol])
        elif "percent_price_by_side" in filters or "percent_price" in filters:
            avg_price = _optional(lambda: self.spot.avg_price(symbol).data["price"])
        return validate(order, rules.data[symbol], market_price, avg_price), rules


def _optional(price) -> Decimal | None:
    try:
        return Decimal(price())
    except (ApiError, UpstreamError, SingleFlightTimeout):
        return None
