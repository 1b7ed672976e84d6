"""Symbol rules from exchangeInfo: fetched whole (weight 20), cached long,
with the shipped snapshot as fallback."""
from __future__ import annotations

from typing import Optional

from .errors import ApiError
from .provenance import Sourced
from .sourcing import sourced_or_error

FILTER_NAMES = {"PRICE_FILTER": "price", "LOT_SIZE": "lot_size", "MARKET_LOT_SIZE": "market_lot_size",
                "NOTIONAL": "notional", "MIN_NOTIONAL": "min_notional"}


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


class ExchangeInfo:
    def __init__(self, upstream, provider, fallback, ttl_s: float):
        self.upstream, self.provider, self.fallback, self.ttl_s = upstream, provider, fallback, ttl_s

    def all(self) -> Sourced:
        """{symbol: parsed rules} for every symbol."""
        return sourced_or_error(self.provider, "exchange_info:all", self.ttl_s, self._fetch,
                                last_resort=self._fallback)

    def _fetch(self) -> dict:
        symbols = self.upstream.exchange_info().get("symbols") or []
        return {s["symbol"]: parsed(s) for s in symbols if isinstance(s, dict) and "symbol" in s}

    def _fallback(self) -> Optional[Sourced]:
        found = self.fallback.lookup("exchange_info")
        return Sourced({s: parsed(raw) for s, raw in found[0].items()}, "fallback", found[1]) if found else None

    def select(self, symbols: Optional[list[str]]) -> Sourced:
        everything = self.all()
        if symbols is None:
            return everything
        missing = [s for s in symbols if s not in everything.data]
        if missing:
            lister = "Binance" if everything.source in ("live", "cache") else f"The {everything.source} data"
            raise ApiError(404, "unknown_symbol", f"{lister} does not list {', '.join(missing)}")
        return everything.replace({s: everything.data[s] for s in symbols})
