"""Deterministic market data in Binance's shapes for the fake exchange."""
from __future__ import annotations

from decimal import Decimal

# Base assets quoted in USDT, with a plausible last price. The fake is not a
# price oracle: tests only need stable, realistic-looking decimal strings.
USDT_BASES = {
    "BTC": "67012.34000000", "ETH": "3456.78000000", "BNB": "589.10000000",
    "SOL": "145.67000000", "XRP": "0.52340000", "DOGE": "0.12345000",
    "ADA": "0.45670000", "TRX": "0.12010000", "AVAX": "35.12000000",
    "LINK": "14.56000000", "DOT": "6.78900000", "MATIC": "0.71230000",
    "LTC": "82.34000000", "BCH": "456.70000000", "SHIB": "0.00002345",
    "UNI": "9.87600000", "ATOM": "8.76500000", "XLM": "0.10980000",
    "ETC": "26.54000000", "FIL": "5.43200000", "APT": "8.91000000",
    "NEAR": "5.67800000", "ARB": "0.98760000", "OP": "2.34500000",
    "INJ": "24.56000000", "SUI": "1.02340000", "PEPE": "0.00001234",
}
CROSS_PAIRS = {"ETHBTC": "0.05158000", "BNBBTC": "0.00879100", "LTCBTC": "0.00122900"}


def initial_prices() -> dict[str, str]:
    prices = {f"{base}USDT": price for base, price in USDT_BASES.items()}
    prices.update(CROSS_PAIRS)
    return prices


def ticker_price(symbol: str, price: str) -> dict:
    return {"symbol": symbol, "price": price}


def _fmt(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.00000001')):f}"


def ticker_24hr(symbol: str, price: str, now_ms: int) -> dict:
    """A 24h rolling-window ticker whose numbers are consistent with `price`."""
    last = Decimal(price)
    open_ = last * Decimal("0.98")
    return {
        "symbol": symbol,
        "priceChange": _fmt(last - open_),
        "priceChangePercent": "2.041" if last else "0.000",  # a just-listed symbol at 0 has moved 0 %
        "weightedAvgPrice": _fmt((last + open_) / 2),
        "prevClosePrice": _fmt(open_),
        "lastPrice": _fmt(last),
        "lastQty": "0.01000000",
        "bidPrice": _fmt(last * Decimal("0.9999")),
        "bidQty": "1.50000000",
        "askPrice": _fmt(last * Decimal("1.0001")),
        "askQty": "2.25000000",
        "openPrice": _fmt(open_),
        "highPrice": _fmt(last * Decimal("1.01")),
        "lowPrice": _fmt(open_ * Decimal("0.99")),
        "volume": "12345.67800000",
        "quoteVolume": _fmt(last * Decimal("12345.678")),
        "openTime": now_ms - 86_400_000,
        "closeTime": now_ms,
        "firstId": 1000,
        "lastId": 2000,
        "count": 1001,
    }


def tick_and_step(price: str) -> tuple[str, str]:
    """Tick and lot step by price magnitude, as Binance sets them (BTCUSDT: 0.01 and 0.00001)."""
    p = Decimal(price)
    tick = ("0.01000000" if p >= 10 else "0.00100000" if p >= 1 else "0.00001000" if p >= Decimal("0.01")
            else "0.00000001")
    step = "0.00001000" if p >= 10000 else "0.00010000" if p >= 100 else "0.01000000" if p >= 1 else "1.00000000"
    return tick, step


ORDER_TYPES = ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"]
STP_MODES = ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER"]


def exchange_symbol(symbol: str, price: str = "1", status: str = "TRADING") -> dict:
    """One symbol of /api/v3/exchangeInfo with the fields and the filter set Binance serves
    (binance-spot-api-docs rest-api.md and filters.md, 2026; BTCUSDT's values where they apply)."""
    quote = "USDT" if symbol.endswith("USDT") else "BTC"
    tick, step = tick_and_step(price)
    return {
        "symbol": symbol,
        "status": status,
        "baseAsset": symbol[: -len(quote)],
        "baseAssetPrecision": 8,
        "quoteAsset": quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": list(ORDER_TYPES),
        "icebergAllowed": True,
        "ocoAllowed": True,
        "otoAllowed": True,
        "opoAllowed": True,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": True,
        "cancelReplaceAllowed": True,
        "amendAllowed": True,
        "pegInstructionsAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": True,
        # The filters in the order Binance lists them. The values tests assert (tick, step,
        # LOT_SIZE maxQty 9000, MARKET_LOT_SIZE maxQty 120, minNotional 5) are kept as they were.
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": tick, "maxPrice": "1000000.00000000", "tickSize": tick},
            {"filterType": "LOT_SIZE", "minQty": step, "maxQty": "9000.00000000", "stepSize": step},
            {"filterType": "ICEBERG_PARTS", "limit": 100},
            # Published with stepSize 0 (no step rule); its maxQty still binds MARKET orders.
            {"filterType": "MARKET_LOT_SIZE", "minQty": "0.00000000", "maxQty": "120.00000000",
             "stepSize": "0.00000000"},
            {"filterType": "TRAILING_DELTA", "minTrailingAboveDelta": 10, "maxTrailingAboveDelta": 2000,
             "minTrailingBelowDelta": 10, "maxTrailingBelowDelta": 2000},
            {"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": "5", "bidMultiplierDown": "0.2",
             "askMultiplierUp": "5", "askMultiplierDown": "0.2", "avgPriceMins": 5},
            {"filterType": "NOTIONAL", "minNotional": "5.00000000", "applyMinToMarket": True,
             "maxNotional": "9000000.00000000", "applyMaxToMarket": False, "avgPriceMins": 5},
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
            {"filterType": "MAX_NUM_ORDER_LISTS", "maxNumOrderLists": 20},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
            {"filterType": "MAX_NUM_ORDER_AMENDS", "maxNumOrderAmends": 10},
        ],
        "permissions": [],
        "permissionSets": [["SPOT", "MARGIN"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": list(STP_MODES),
    }


def spot_rate_limits(weight_limit: int) -> list[dict]:
    return [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": weight_limit},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
        {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 300000},
    ]


def account(now_ms: int, balances: list) -> dict:
    return {
        "makerCommission": 10, "takerCommission": 10, "buyerCommission": 0, "sellerCommission": 0,
        "commissionRates": {"maker": "0.00100000", "taker": "0.00100000", "buyer": "0.00000000",
                            "seller": "0.00000000"},
        "canTrade": True, "canWithdraw": False, "canDeposit": True, "brokered": False,
        "requireSelfTradePrevention": False, "preventSor": False,
        "updateTime": now_ms, "accountType": "SPOT",
        "balances": balances,
        "permissions": ["SPOT"], "uid": 354937868,
    }


def api_trading_status(now_ms: int) -> dict:
    return {"data": {"isLocked": False, "plannedRecoverTime": 0,
                     "triggerCondition": {"GCR": 150, "IFER": 150, "UFR": 300},
                     "updateTime": now_ms}}
