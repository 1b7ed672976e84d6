"""Real bots' websocket clients, unmodified but for their URLs, pointed at a gateway's stream mirror:
ccxt.pro's binance and python-binance's BinanceSocketManager. Used by the tests and bench/."""
from __future__ import annotations

import json
import random
import threading

from tests.support.mirror_clients import CCXT_OPTIONS, ccxt_urls


def ccxt_pro_binance(root: str, api_key: str | None = None, secret: str | None = None):
    """ccxt.pro's binance with every REST and websocket root at the gateway (`root`: http://HOST:PORT).
    Spot's websocket root is /stream/ws: ccxt.pro takes a connection for spot only when its URL holds "/stream"."""
    import ccxt.pro

    exchange = ccxt.pro.binance({"apiKey": api_key, "secret": secret, "enableRateLimit": False,
                                 "options": dict(CCXT_OPTIONS), "timeout": 15000})
    ws_root = root.replace("http://", "ws://")
    exchange.urls["api"] = {**exchange.urls["api"], **ccxt_urls(root),
                            "ws": {**exchange.urls["api"]["ws"], "spot": f"{ws_root}/stream/ws",
                                   "linear": f"{ws_root}/fstream/ws"}}
    return exchange


def socket_manager(root: str, api_key: str | None = None, secret: str | None = None):
    """python-binance's AsyncClient and BinanceSocketManager at the gateway."""
    from binance.async_client import AsyncClient
    from binance.ws.streams import BinanceSocketManager

    client = AsyncClient(api_key, secret)
    client.API_URL, client.FUTURES_URL = root + "/api", root + "/fapi"
    manager = BinanceSocketManager(client)
    ws_root = root.replace("http://", "ws://")
    manager.STREAM_URL, manager.FSTREAM_URL = f"{ws_root}/", f"{ws_root}/fstream/"
    return client, manager


def compact(payload) -> str:
    """A payload as Binance writes it (compact JSON), to find it among the fake's sent ones."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


class PriceWalk:
    """Moves the fake's prices a few ticks at a time, every `every_s`, until stopped: the market moves."""

    def __init__(self, fake, symbols: list[str], every_s: float = 0.1, seed: int = 7):
        self.fake, self.symbols, self.every_s = fake, symbols, every_s
        self._random = random.Random(seed)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._walk, daemon=True)

    def __enter__(self) -> PriceWalk:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)

    def _walk(self) -> None:
        from decimal import Decimal

        while not self._stop.wait(self.every_s):
            for symbol in self.symbols:
                price = Decimal(self.fake.prices[symbol])
                step = price / 20000 * self._random.choice((-3, -2, -1, 1, 2, 3))
                self.fake.prices[symbol] = f"{(price + step).quantize(Decimal('0.01')):f}"
