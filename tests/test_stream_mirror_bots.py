"""Real bots through the stream mirror, unchanged but for their URLs: ccxt.pro and python-binance's
socket manager against python_service under gunicorn with 2 workers (no Redis: the host's file and
the relay between the workers), its streams from the fake exchange."""
import asyncio
import itertools
import json
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from tests.support.ports import closed_port
from tests.support.processes import start_gateway, stop, wait_until_up
from tests.support.stream_bots import PriceWalk, ccxt_pro_binance, compact, socket_manager
from tests.support.waiting import wait_until

pytestmark = pytest.mark.processes  # gunicorn
WAIT_S = 30


@pytest.fixture
def gateway(fake, streams):
    port = closed_port()
    root = f"http://127.0.0.1:{port}"
    proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                          "BINANCE_WS_URL": streams.url, "BINANCE_FUTURES_WS_URL": streams.futures_url,
                          "STREAMS_ENABLED": "true", "GUNICORN_WORKERS": "2", "STREAM_IDLE_S": "3"}, port)
    try:
        wait_until_up(root + "/api/status", proc)
        wait_until(lambda: streams.open_connections("spot") and streams.open_connections("futures"),
                   "the gateway's own connections", WAIT_S)
        yield root
    finally:
        stop(proc)


def upstream_paths(streams, market):
    """The gateway's connections to the fake: one per market (futures: one per root, /market and /public)."""
    return sorted(c.path.split("?")[0] for c in streams.connections if c.market == market)


async def watch_everything(exchange, spot: str, linear: str, rounds: int) -> dict:
    seen = {"books": [], "tickers": [], "candles": [], "trades": []}
    for _ in range(rounds):
        for symbol in (spot, linear):
            book = await exchange.watch_order_book(symbol)
            seen["books"].append((symbol, book["nonce"], [list(b) for b in book["bids"][:20]],
                                  [list(a) for a in book["asks"][:20]]))
            seen["tickers"].append((symbol, (await exchange.watch_ticker(symbol))["info"]))
            seen["candles"].append((symbol, (await exchange.watch_ohlcv(symbol, "1m"))[-1]))
            seen["trades"].append((symbol, (await exchange.watch_trades(symbol))[-1]["info"]))
    return seen


async def three_ccxt_bots(root: str, rounds: int) -> list[dict]:
    bots = [ccxt_pro_binance(root) for _ in range(3)]
    try:
        return await asyncio.gather(*(watch_everything(bot, "BTC/USDT", "ETH/USDT:USDT", rounds) for bot in bots))
    finally:
        await asyncio.gather(*(bot.close() for bot in bots))


def test_three_ccxt_pro_bots_get_binances_data_and_synced_books_through_two_workers_on_one_upstream_connection(
        gateway, fake, streams):
    with PriceWalk(fake, ["BTCUSDT", "ETHUSDT"]):
        seen = asyncio.run(three_ccxt_bots(gateway, rounds=15))

    for bot in seen:
        for symbol, info in bot["tickers"]:  # ccxt.pro 4.5 watches <symbol>@miniTicker for watch_ticker
            market, name = ("spot", "btcusdt@miniTicker") if symbol == "BTC/USDT" else ("futures", "ethusdt@miniTicker")
            assert compact(info) in streams.sent_texts(market, name)  # what the fake sent, field for field
        for symbol, info in bot["trades"]:
            market, name = ("spot", "btcusdt@trade") if symbol == "BTC/USDT" else ("futures", "ethusdt@trade")
            assert compact(info) in streams.sent_texts(market, name)
        for symbol, candle in bot["candles"]:
            market, name = ("spot", "btcusdt@kline_1m") if symbol == "BTC/USDT" else ("futures", "ethusdt@kline_1m")
            klines = [json.loads(p)["k"] for p in streams.sent_texts(market, name)]
            assert any(k["t"] == candle[0] and Decimal(k["c"]) == Decimal(str(candle[4])) for k in klines)
        for symbol, nonce, bids, asks in bot["books"]:  # ccxt raises ChecksumError on any gap: none came
            assert bids and asks and bids[0][0] < asks[0][0], f"{symbol} crossed at {nonce}"
    # exactly one connection per market (and futures root) at the fake, whatever the bots and workers did
    assert upstream_paths(streams, "spot") == ["/stream"]
    assert upstream_paths(streams, "futures") == ["/futures/market/stream", "/futures/public/stream"]
    status = requests.get(gateway + "/api/status", timeout=10).json()
    assert status["streams"]["spot"]["state"] == "up"


def test_a_ccxt_pro_book_equals_the_fakes_at_the_same_update_id_and_never_crosses_while_the_price_moves(
        gateway, fake, streams):
    async def follow() -> list:
        bot = ccxt_pro_binance(gateway)
        checked = []
        try:
            with PriceWalk(fake, ["BTCUSDT"], every_s=0.05):
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    book = await bot.watch_order_book("BTC/USDT")
                    assert book["bids"][0][0] < book["asks"][0][0]
                    checked.append(book["nonce"])
            while True:  # the price stands: ccxt's book and the fake's are at the same update id
                book = await bot.watch_order_book("BTC/USDT")
                if book["nonce"] == fake.depth_books.last_id("spot", "BTCUSDT"):
                    break
            ours = [[float(p), float(q)] for p, q in
                    requests.get(fake.url + "/api/v3/depth?symbol=BTCUSDT&limit=50", timeout=10).json()["bids"]]
            assert [list(b) for b in book["bids"][:50]] == ours
            return checked
        finally:
            await bot.close()

    checked = asyncio.run(follow())
    assert len(set(checked)) > 50  # the book moved on many events, none out of order


def test_python_binance_socket_manager_gets_the_fakes_payloads_on_spot_and_futures(gateway, fake, streams):
    async def listen() -> list:
        client, manager = socket_manager(gateway)
        got = []
        try:
            async with manager.kline_socket("BTCUSDT") as klines, \
                    manager.futures_multiplex_socket(["ethusdt@kline_1m", "ethusdt@aggTrade"]) as futures:
                for _ in range(5):
                    got.append(("spot", "btcusdt@kline_1m", await asyncio.wait_for(klines.recv(), WAIT_S)))
                    message = await asyncio.wait_for(futures.recv(), WAIT_S)
                    got.append(("futures", message["stream"], message["data"]))
        finally:
            await client.close_connection()
        return got

    with PriceWalk(fake, ["BTCUSDT", "ETHUSDT"]):
        got = asyncio.run(listen())
    for market, stream, payload in got:
        assert compact(payload) in streams.sent_texts(market, stream)
    assert {stream for _, stream, _ in got} >= {"btcusdt@kline_1m"}


def test_a_stream_nobody_wants_is_dropped_upstream_after_stream_idle_s(gateway, fake, streams):
    from websockets.sync.client import connect

    ws_root = gateway.replace("http://", "ws://")
    with connect(ws_root + "/ws/solusdt@aggTrade") as ws:
        with PriceWalk(fake, ["SOLUSDT"]):
            assert json.loads(ws.recv(timeout=WAIT_S))["s"] == "SOLUSDT"
    spot = streams.open_connections("spot")[0]
    assert "solusdt@aggTrade" in spot.streams
    wait_until(lambda: "solusdt@aggTrade" not in spot.streams, "the unsubscription, STREAM_IDLE_S later", WAIT_S)
    assert any(r.get("method") == "UNSUBSCRIBE" and "solusdt@aggTrade" in r.get("params", []) for r in spot.requests)
    assert Decimal(fake.prices["SOLUSDT"]) > 0


def test_python_binance_depth_sockets_chain_their_update_ids_on_spot_and_futures_as_the_fake_sent_them(
        gateway, fake, streams):
    async def listen() -> tuple[list, list]:
        client, manager = socket_manager(gateway)
        spot, futures = [], []
        try:
            async with manager.depth_socket("BTCUSDT", interval=100) as depth, \
                    manager.futures_multiplex_socket(["ethusdt@depth@100ms"], category="public") as fdepth:
                while len(spot) < 30 or len(futures) < 30:
                    if len(spot) < 30:
                        spot.append(await asyncio.wait_for(depth.recv(), WAIT_S))
                    if len(futures) < 30:
                        futures.append((await asyncio.wait_for(fdepth.recv(), WAIT_S))["data"])
        finally:
            await client.close_connection()
        return spot, futures

    with PriceWalk(fake, ["BTCUSDT", "ETHUSDT"], every_s=0.05):
        spot, futures = asyncio.run(listen())
    for earlier, later in itertools.pairwise(spot):  # spot: each event starts where the last ended
        assert later["U"] == earlier["u"] + 1
    for earlier, later in itertools.pairwise(futures):  # USDT-M: pu names the previous event's u
        assert later["pu"] == earlier["u"]
    assert all(compact(e) in streams.sent_texts("spot", "btcusdt@depth@100ms") for e in spot)
    assert all(compact(e) in streams.sent_texts("futures", "ethusdt@depth@100ms") for e in futures)
    assert any(q == "0" for e in spot for _, q in e["b"] + e["a"])  # removals came through
    assert [c.path.split("?")[0] for c in streams.connections if c.market == "futures"].count(
        "/futures/public/stream") == 1  # depth rides Binance's /public root, on one connection


def readme_snippets() -> dict[str, str]:
    """The README's stream-mirror snippets (section "Websockets for bots"), by the client they configure."""
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = text.split("## Websockets for bots (the stream mirror)", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("```", 1)[0] for b in section.split("```python\n")[1:]]
    return {"ccxt.pro": next(b for b in blocks if "ccxt.pro" in b),
            "python-binance": next(b for b in blocks if "BinanceSocketManager" in b)}


def test_the_readmes_two_bots_run_as_written_against_the_gateway(gateway, fake, streams):
    import ccxt.pro
    from binance import AsyncClient, BinanceSocketManager

    host = gateway.split("://", 1)[1]
    snippets = {name: code.replace("HOST:5001", host) for name, code in readme_snippets().items()}

    async def run() -> tuple:
        names = {"ccxt": ccxt, "KEY": None, "SECRET": None, "AsyncClient": AsyncClient,
                 "BinanceSocketManager": BinanceSocketManager}
        exec(snippets["ccxt.pro"], names)  # the README's own code, as a reader would paste it
        exec(snippets["python-binance"], names)
        exchange, client, manager = names["exchange"], names["client"], names["manager"]
        try:
            book = await exchange.watch_order_book("ETH/USDT:USDT")
            trades = await exchange.watch_trades("BTC/USDT")
            async with manager.kline_socket("BTCUSDT") as candles:
                kline = await asyncio.wait_for(candles.recv(), WAIT_S)
        finally:
            await exchange.close()
            await client.close_connection()
        return book, trades, kline

    with PriceWalk(fake, ["BTCUSDT", "ETHUSDT"]):
        book, trades, kline = asyncio.run(run())
    assert book["bids"][0][0] < book["asks"][0][0]
    assert compact(trades[-1]["info"]) in streams.sent_texts("spot", "btcusdt@trade")
    assert compact(kline) in streams.sent_texts("spot", "btcusdt@kline_1m")
    assert ccxt.pro.binance().urls["api"]["ws"]["spot"].startswith("wss://")  # the README changed one instance only
    paths = {c.path.split("?")[0] for c in streams.connections}
    assert paths == {"/stream", "/futures/market/stream", "/futures/public/stream"}  # the gateway's own, no bot's
