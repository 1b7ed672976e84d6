"""Bots' user data through the gateway with real clients, unchanged but for their URLs (issue 28,
item 4): python_service under gunicorn with 2 workers (no Redis: the host's file carries the
gateway listenKeys and the account's events between the workers), the fake behind it. ccxt.pro's
watch_orders and python-binance's futures user socket see an order placed through the mirror fill;
a legacy spot bot's listenKey stream works on both workers; keys expire and are deleted for every
worker's connections; the fake sees no listenKey request but the gateway's own."""
import asyncio
import json
import os
import time
from contextlib import ExitStack

import pytest
import requests
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.support.exchange import API_KEY, API_SECRET, signed
from tests.support.ports import closed_port
from tests.support.processes import output_of, start_gateway, stop, wait_until_up
from tests.support.stream_bots import ccxt_pro_binance, socket_manager
from tests.support.waiting import wait_until

pytestmark = pytest.mark.processes  # gunicorn
WAIT_S = 30
ACCOUNT = {"X-MBX-APIKEY": API_KEY}
SPOT, FUTURES = "/api/v3/userDataStream", "/fapi/v1/listenKey"


@pytest.fixture
def start(fake, streams):
    procs = []

    def run(**overrides) -> tuple[str, object]:
        port = closed_port()
        root = f"http://127.0.0.1:{port}"
        proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                              "BINANCE_WS_URL": streams.url, "BINANCE_FUTURES_WS_URL": streams.futures_url,
                              "BINANCE_WS_API_URL": streams.ws_api_url, "BINANCE_API_KEY": API_KEY,
                              "BINANCE_API_SECRET": API_SECRET, "TRADING_ENABLED": "true",
                              "STREAMS_ENABLED": "true", "GUNICORN_WORKERS": "2", **overrides}, port)
        procs.append(proc)
        wait_until_up(root + "/api/status", proc)
        wait_until(lambda: fake.user_data.subscribed() == 1 and fake.user_data.open_key_streams() == 1,
                   "the gateway's own user data streams", WAIT_S)
        wait_until(lambda: len(workers_seeing_user_streams_up(root)) == 2, "both workers following the user streams",
                   WAIT_S, detail=lambda: output_of(proc)[-3000:])
        return root, proc
    yield run
    for proc in procs:
        stop(proc)


SEEN_UP: dict[str, set] = {}


def workers_seeing_user_streams_up(root: str) -> set:
    """The workers whose /api/status has shown both user data streams up: a worker that follows the owner has
    read the share by then, so the account's events from now on reach its bots (a follower's first read
    takes what came before it for old news)."""
    status = requests.get(root + "/api/status", timeout=10).json()
    users = status["streams"].get("user_data") or {}
    seen = SEEN_UP.setdefault(root, set())
    if all((users.get(m) or {}).get("state") == "up" for m in ("spot", "futures")):
        seen.add(status["process"]["pid"])
    return seen


def gateways_own_key_requests(fake) -> int:
    return len(fake.requests_to(FUTURES)) + len(fake.requests_to(SPOT))


async def ccxt_watches_its_market_order_fill(root: str) -> list:
    bot = ccxt_pro_binance(root, API_KEY, API_SECRET)
    try:
        await bot.load_markets()
        watching = asyncio.ensure_future(bot.watch_orders("ETH/USDT:USDT"))
        deadline = time.monotonic() + WAIT_S
        while not any("listenKey=" in url and client.connected.done() for url, client in bot.clients.items()):
            assert time.monotonic() < deadline and not watching.done(), "ccxt.pro never connected its user stream"
            await asyncio.sleep(0.05)  # a readiness wait: the order must go after the stream is open
        await bot.create_order("ETH/USDT:USDT", "market", "buy", 0.01, params={"newClientOrderId": "ccxt-bot-1"})
        await asyncio.wait_for(watching, WAIT_S)
        # watch_orders returns at the first update (NEW); the FILLED update may come before a second
        # watch_orders is waiting, which would then wait for a message that never comes: ccxt.pro keeps
        # every update in its order cache, filled from the stream, so that is where to look
        deadline = time.monotonic() + WAIT_S
        while not any(o["status"] == "closed" for o in bot.orders or []):
            assert time.monotonic() < deadline, f"no filled order in ccxt.pro's cache: {list(bot.orders or [])}"
            await asyncio.sleep(0.05)
        return list(bot.orders)
    finally:
        await bot.close()


def test_ccxt_pro_watch_orders_sees_a_futures_market_order_placed_through_the_mirror_fill(start, fake):
    root, _ = start()
    before = gateways_own_key_requests(fake)
    orders = asyncio.run(ccxt_watches_its_market_order_fill(root))

    filled = next(o for o in orders if o["status"] == "closed")
    assert filled["clientOrderId"] == "ccxt-bot-1" and filled["filled"] == 0.01 and filled["symbol"] == "ETH/USDT:USDT"
    sent = [e for e in fake.user_data.events("futures", "ORDER_TRADE_UPDATE") if e["o"]["c"] == "ccxt-bot-1"]
    assert filled["info"] == sent[-1]["o"]  # Binance's event, field for field
    assert gateways_own_key_requests(fake) == before  # the bot's POST and PUT reached no Binance


def test_python_binance_futures_user_socket_sees_an_order_placed_through_the_mirror_fill(start, fake):
    root, _ = start()
    before = gateways_own_key_requests(fake)

    async def listen() -> dict:
        client, manager = socket_manager(root, API_KEY, API_SECRET)
        try:
            async with manager.futures_user_socket() as socket:
                await client.futures_create_order(symbol="ETHUSDT", side="BUY", type="MARKET", quantity="0.01",
                                                  newClientOrderId="pb-bot-1")
                while True:
                    event = await asyncio.wait_for(socket.recv(), WAIT_S)
                    if event.get("e") == "ORDER_TRADE_UPDATE" and event["o"]["X"] == "FILLED":
                        return event
        finally:
            await client.close_connection()

    event = asyncio.run(listen())
    assert event == [e for e in fake.user_data.events("futures", "ORDER_TRADE_UPDATE")
                     if e["o"]["c"] == "pb-bot-1" and e["o"]["X"] == "FILLED"][-1]
    assert gateways_own_key_requests(fake) == before


def client_order(root: str) -> None:
    place(root, "/fapi/v1/order", symbol="ETHUSDT", newClientOrderId="pb-bot-1")


def place(root: str, path: str, **fields) -> None:
    """A MARKET order through the mirror, signed as a bot signs it (requests: python-binance's sync Client
    made in a thread leaves an event loop open, which a later test would be blamed for)."""
    params = {"side": "BUY", "type": "MARKET", "quantity": "0.01", **fields, "timestamp": str(int(time.time() * 1000))}
    answer = requests.post(root + path, data=signed("&".join(f"{k}={v}" for k, v in params.items())),
                           headers={**ACCOUNT, "Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    assert answer.status_code == 200, answer.text


# ----- across the workers -----

def worker_serving(master, conn) -> int:
    """The gunicorn worker (a child of `master`) holding the server side of the client connection `conn`."""
    client_port = conn.socket.getsockname()[1]
    inode = None
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if int(fields[2].split(":")[1], 16) == client_port and fields[3] == "01":  # ESTABLISHED, server side
                inode = fields[9]
    assert inode is not None, "the connection's server side is not in /proc/net/tcp"
    for pid in children(master.pid):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    raise AssertionError("no worker holds the connection")


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except OSError:
                continue
    return found


def on_both_workers(stack: ExitStack, root: str, proc, path: str, keep_alive: str | None = None) -> list:
    """Connections to `path` until both workers hold one (the kernel picks the worker of each); with
    `keep_alive`, the key is kept alive after each, so that a short LISTEN_KEY_TTL_S outlasts the opening."""
    conns, workers = [], set()
    while len(workers) < 2:
        assert len(conns) < 40, "every connection went to one worker"
        conns.append(stack.enter_context(connect(root.replace("http://", "ws://") + path, open_timeout=10)))
        workers.add(worker_serving(proc, conns[-1]))
        if keep_alive:
            assert requests.put(root + keep_alive, headers=ACCOUNT, timeout=10).status_code == 200
    return conns


def next_json(conn, predicate, what: str, proc=None):
    """The next message for which `predicate` holds; when none comes, the gateway's log (`proc`'s) says why."""
    deadline = time.monotonic() + WAIT_S
    try:
        while time.monotonic() < deadline:
            message = json.loads(conn.recv(timeout=max(0.1, deadline - time.monotonic())))
            if predicate(message):
                return message
    except TimeoutError:
        pass
    raise AssertionError(f"no {what}" + (f"; the gateway's log:\n{output_of(proc)[-6000:]}" if proc else ""))


def spot_order(root: str, client_id: str) -> None:
    place(root, "/api/v3/order", symbol="BTCUSDT", newClientOrderId=client_id)


def test_a_spot_listen_key_made_on_one_worker_streams_the_fill_on_both_and_is_kept_alive_and_deleted_by_either(
        start, fake):
    root, proc = start()
    key = requests.post(root + SPOT, headers=ACCOUNT, timeout=10).json()["listenKey"]
    with ExitStack() as stack:
        conns = on_both_workers(stack, root, proc, f"/ws/{key}")
        kept = [requests.put(root + SPOT, params={"listenKey": key}, headers=ACCOUNT, timeout=10) for _ in range(4)]
        spot_order(root, "legacy-1")
        reports = [next_json(c, lambda m: m.get("e") == "executionReport" and m["X"] == "FILLED", "the fill", proc)
                   for c in conns]
        deleted = requests.delete(root + SPOT, params={"listenKey": key}, headers=ACCOUNT, timeout=10)
        for conn in conns:
            with pytest.raises(ConnectionClosed):
                while True:
                    assert json.loads(conn.recv(timeout=WAIT_S)).get("e") != "listenKeyExpired"
    again = requests.put(root + SPOT, params={"listenKey": key}, headers=ACCOUNT, timeout=10)

    sent = [e for e in fake.user_data.events("spot", "executionReport") if e["c"] == "legacy-1" and e["X"] == "FILLED"]
    assert all(report == sent[-1] for report in reports)
    assert all(k.status_code == 200 and k.json() == {} for k in kept) and deleted.json() == {}
    assert again.json() == {"code": -1125, "msg": "This listenKey does not exist."}
    assert fake.count(SPOT) == 0


def test_a_futures_key_left_without_keepalive_expires_on_both_workers_with_listen_key_expired(start, fake):
    root, proc = start(LISTEN_KEY_TTL_S="5")
    key = requests.post(root + FUTURES, headers=ACCOUNT, timeout=10).json()["listenKey"]
    with ExitStack() as stack:
        conns = on_both_workers(stack, root, proc, f"/fstream/private/ws?listenKey={key}", keep_alive=FUTURES)
        expired = [next_json(c, lambda m: m.get("e") == "listenKeyExpired", "listenKeyExpired", proc) for c in conns]
        for conn in conns:
            with pytest.raises(ConnectionClosed):
                conn.recv(timeout=WAIT_S)
    kept = requests.put(root + FUTURES, headers=ACCOUNT, timeout=10)

    assert all(e["listenKey"] == key for e in expired)
    assert (kept.status_code, kept.json()["code"]) == (400, -1125)
    assert fake.user_data.open_key_streams() == 1  # the gateway's own stream, untouched


# ----- across hosts (Redis) -----

def test_with_redis_a_key_made_on_one_host_streams_the_fill_on_the_other_and_is_deleted_from_either(
        make_app, streams, fake, redis_url):
    from tests.support.mirror_clients import serving

    hosts = [make_app(CACHE_REDIS_URL=redis_url, STREAMS_ENABLED="true", BINANCE_WS_URL=streams.url,
                      BINANCE_FUTURES_WS_URL=streams.futures_url, BINANCE_WS_API_URL=streams.ws_api_url,
                      BINANCE_API_KEY=API_KEY, BINANCE_API_SECRET=API_SECRET, TRADING_ENABLED="true")
             for _ in range(2)]
    try:
        for app in hosts:
            app.extensions["services"].streams.start()
        for app in hosts:
            wait_until(lambda a=app: a.test_client().get("/api/status").get_json()["streams"]["user_data"]["futures"]
                       ["state"] == "up", "each host's view of the one futures user data stream", WAIT_S)
        with serving(hosts[0]) as first, serving(hosts[1]) as second:
            key = requests.post(first + FUTURES, headers=ACCOUNT, timeout=10).json()["listenKey"]
            with connect(second.replace("http://", "ws://") + f"/fstream/ws/{key}", open_timeout=10) as conn:
                client_order(first)
                filled = next_json(conn, lambda m: m.get("e") == "ORDER_TRADE_UPDATE" and m["o"]["X"] == "FILLED",
                                   "the fill on the other host")
                deleted = requests.delete(second + FUTURES, headers=ACCOUNT, timeout=10)
                with pytest.raises(ConnectionClosed):
                    while True:
                        conn.recv(timeout=WAIT_S)
            gone = requests.put(first + FUTURES, headers=ACCOUNT, timeout=10)
    finally:
        for app in hosts:
            app.extensions["services"].streams.stop()

    assert filled["o"]["c"] == "pb-bot-1" and filled in fake.user_data.events("futures", "ORDER_TRADE_UPDATE")
    assert deleted.json() == {} and gone.json()["code"] == -1125
    assert fake.user_data.open_key_streams() <= 1 and fake.user_data.subscribed() <= 1  # one upstream stream each
