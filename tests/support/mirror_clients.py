"""Real bots' clients, unmodified, pointed at a gateway: ccxt's binance and python-binance's
Client. Used by the tests and by bench/many_bots.py."""
from __future__ import annotations

import threading
from contextlib import contextmanager

CCXT_OPTIONS = {
    # only mirrored paths: spot and USDT-M markets, no sapi (currencies, margin pairs)
    "fetchMarkets": {"types": ["spot", "linear"]},
    "fetchCurrencies": False,
    "fetchMargins": False,
}


def ccxt_urls(root: str) -> dict:
    """ccxt's binance `urls.api` entries, all at the gateway (`root` like http://HOST:5001)."""
    return {"public": f"{root}/api/v3", "private": f"{root}/api/v3",
            "fapiPublic": f"{root}/fapi/v1", "fapiPublicV2": f"{root}/fapi/v2",
            "fapiPrivate": f"{root}/fapi/v1", "fapiPrivateV2": f"{root}/fapi/v2"}


def ccxt_binance(root: str, api_key: str | None = None, secret: str | None = None):
    import ccxt

    exchange = ccxt.binance({"apiKey": api_key, "secret": secret, "enableRateLimit": False,
                             "options": dict(CCXT_OPTIONS), "timeout": 15000})
    exchange.urls["api"] = {**exchange.urls["api"], **ccxt_urls(root)}
    return exchange


def python_binance(root: str, api_key: str | None = None, secret: str | None = None):
    from binance.client import Client

    client = Client(api_key, secret, ping=False)
    client.API_URL = root + "/api"
    client.FUTURES_URL = root + "/fapi"
    return client


@contextmanager
def serving(app):
    """`app` on a loopback port in this process (threaded), yielding its root URL."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # its access lines would carry signatures

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


FREQTRADE_TIMEFRAME, FREQTRADE_CANDLES, FREQTRADE_BOOK_DEPTH = "5m", 100, 5


def bot_round(exchange, symbols: list[str]) -> None:
    """One round of a freqtrade-like bot: the whitelist's tickers in one call, then each pair's
    candles and top of the order book (freqtrade's entry/exit pricing)."""
    exchange.fetch_tickers(symbols)
    for symbol in symbols:
        exchange.fetch_ohlcv(symbol, FREQTRADE_TIMEFRAME, limit=FREQTRADE_CANDLES)
        exchange.fetch_order_book(symbol, FREQTRADE_BOOK_DEPTH)
