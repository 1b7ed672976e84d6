"""Which symbols the fake lists, the symbol spelling rule, and the USD-M
futures exchangeInfo."""
from __future__ import annotations

from decimal import Decimal

FUTURES_SYMBOLS = ("BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT", "DOGEUSDT")

# Odd but real listings, opt in with FakeBinance(odd_symbols=True) or fake.list_odd_symbols():
# a spot symbol listed a moment ago (no trade yet, price 0), a spot symbol in BREAK
# (trading stopped; still in the tickers and exchangeInfo), and the Unicode symbol
# USD-M futures has listed since 2025-12.
ODD_SPOT_PRICES = {"NEWUSDT": "0.00000000", "OLDBTC": "0.00000120"}
ODD_SPOT_STATUS = {"OLDBTC": "BREAK"}
ODD_FUTURES_PRICES = {"币安人生USDT": "0.15230000"}

# Binance accepts UTF-8 symbols since 2025-12-02 (spot CHANGELOG) without publishing the new
# legal range; the contract's rule is used: letters and digits of any script and -_., 1-50
# characters. ASCII letters must be capitals, as before.
MAX_SYMBOL_LEN = 50
SYMBOL_RANGE = "^[\\p{Lu}\\p{Lo}\\p{N}-_.]{1,50}$"


def legal_symbol(symbol: str) -> bool:
    if not 1 <= len(symbol) <= MAX_SYMBOL_LEN:
        return False
    return all((c.isalnum() and not ("a" <= c <= "z")) or c in "-_." for c in symbol)


def futures_symbol_rules(symbol: str, price: str, status: str = "TRADING") -> dict:
    """One symbol of /fapi/v1/exchangeInfo (USD-M futures docs, BTCUSDT-like values)."""
    base = symbol[:-4]
    p = Decimal(price)
    tick = "0.10" if p >= 1000 else "0.01" if p >= 10 else "0.0001" if p >= Decimal("0.01") else "0.0000001"
    step = "0.001" if p >= 1000 else "0.01" if p >= 10 else "1"
    return {
        "symbol": symbol, "pair": symbol, "contractType": "PERPETUAL", "deliveryDate": 4133404800000,
        "onboardDate": 1569398400000, "status": status, "maintMarginPercent": "2.5000",
        "requiredMarginPercent": "5.0000", "baseAsset": base, "quoteAsset": "USDT", "marginAsset": "USDT",
        "pricePrecision": 2, "quantityPrecision": 3, "baseAssetPrecision": 8, "quotePrecision": 8,
        "underlyingType": "COIN", "underlyingSubType": [], "settlePlan": 0, "triggerProtect": "0.0500",
        "liquidationFee": "0.012500", "marketTakeBound": "0.05", "maxMoveOrderLimit": 10000,
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": tick, "maxPrice": "4529764", "tickSize": tick},
            {"filterType": "LOT_SIZE", "minQty": step, "maxQty": "1000", "stepSize": step},
            {"filterType": "MARKET_LOT_SIZE", "minQty": step, "maxQty": "120", "stepSize": step},
            {"filterType": "MAX_NUM_ORDERS", "limit": 200},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "limit": 10},
            {"filterType": "MIN_NOTIONAL", "notional": "100"},
            {"filterType": "PERCENT_PRICE", "multiplierUp": "1.0500", "multiplierDown": "0.9500",
             "multiplierDecimal": "4"},
        ],
        "orderTypes": ["LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET",
                       "TRAILING_STOP_MARKET"],
        "timeInForce": ["GTC", "IOC", "FOK", "GTX", "GTD"],
        "permissionSets": ["GRID", "COPY"],
    }


def futures_exchange_info(symbols: list[tuple[str, str]], server_time_ms: int, weight_limit: int) -> dict:
    return {
        "timezone": "UTC", "serverTime": server_time_ms, "futuresType": "U_MARGINED",
        "rateLimits": [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": weight_limit},
            {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 300},
        ],
        "exchangeFilters": [],
        "assets": [{"asset": "USDT", "marginAvailable": True, "autoAssetExchange": "-10000"}],
        "symbols": [futures_symbol_rules(s, p) for s, p in symbols],
    }
