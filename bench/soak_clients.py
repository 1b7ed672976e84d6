"""The soak's clients (bench/soak.py runs them): paced REST clients through express_api and
direct, ccxt and python-binance bots on the mirror, server-sent price streams opened and
closed (cleanly, by FIN, by RST), and users logging in and asking for the demo balance.
Every answer is checked for the error shape; a 500 or a non-JSON error body is a failure."""
from __future__ import annotations

import json
import random
import socket
import struct
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

import requests

from tests.support.mirror_clients import bot_round, ccxt_binance, python_binance

SYMBOLS = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT"]
REST_PATHS = [f"/api/binance/price/{s}" for s in SYMBOLS] + [
    "/api/binance/prices?symbols=BTCUSDT,ETHUSDT,SOLUSDT",
    "/api/binance/ticker/24hr?symbol=ETHUSDT",
    "/api/binance/klines?symbol=BTCUSDT&interval=1m&limit=50",
    "/api/binance/depth?symbol=BNBUSDT&limit=20",
    "/api/binance/trades?symbol=BTCUSDT&limit=20",
    "/api/binance/avg-price/SOLUSDT",
    "/api/binance/exchange-info?symbol=BTCUSDT",
    "/api/binance/futures/ticker/24hr?symbol=BTCUSDT",
    "/api/binance/futures/klines?symbol=ETHUSDT&interval=5m&limit=30",
    "/api/binance/futures/premium-index?symbol=BTCUSDT",
    "/api/binance/futures/open-interest/ETHUSDT",
    "/api/status",
    "/api/binance/price/NOPEUSDT",  # 404 unknown_symbol: an error answer, in the shape
    "/api/binance/price/BTC%26USDT",  # 400 invalid_symbol
]
BOT_PAIRS = ["BTC/USDT", "ETH/USDT", "BNB/USDT"]
PASSWORD = "soak-password-1"


def shape_problem(status: int, content_type: str, body: bytes, mirror: bool) -> str | None:
    """Why an answer breaks the error contract, or None. The gateway's own API and express_api
    answer {"error": {"code", "message"}}; the mirror answers Binance's {"code", "msg"}."""
    if status == 500:
        return "500"
    if status < 400:
        return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return f"{status} with a non-JSON body ({content_type or 'no content type'})"
    if mirror:
        ok = isinstance(parsed, dict) and isinstance(parsed.get("code"), int) and "msg" in parsed
    else:
        error = parsed.get("error") if isinstance(parsed, dict) else None
        ok = isinstance(error, dict) and isinstance(error.get("code"), str) and "message" in error
    return None if ok else f"{status} not in the error shape: {body[:80]!r}"


class Tally:
    """Counts shared by every client thread: answers by kind and status, failures, no-answers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests: Counter = Counter()  # kind -> answers
        self.statuses: Counter = Counter()  # (kind, status) -> answers
        self.failures: Counter = Counter()  # kind -> error-shape violations
        self.no_answer: Counter = Counter()  # kind -> connection errors, timeouts
        self.raised: Counter = Counter()  # a bot library's exception for an error answer (checked by the hook)
        self.examples: list[str] = []  # the first few failures, to read

    def answer(self, kind: str, status: int, content_type: str, body: bytes, mirror: bool = False,
               what: str = "") -> None:
        problem = shape_problem(status, content_type, body, mirror)
        with self.lock:
            self.requests[kind] += 1
            self.statuses[(kind, status)] += 1
            if problem:
                self.failures[kind] += 1
                if len(self.examples) < 20:
                    self.examples.append(f"{kind} {what}: {problem}")

    def lost(self, kind: str, err: BaseException) -> None:
        with self.lock:
            self.no_answer[f"{kind} {type(err).__name__}"] += 1

    def bot_error(self, kind: str, err: BaseException) -> None:
        """ccxt and python-binance raise for error answers (already checked by `hook`) and for
        lost ones: only a requests exception underneath means no answer."""
        cause = err
        while cause is not None and not isinstance(cause, requests.RequestException):
            cause = cause.__cause__ or cause.__context__
        if cause is not None and getattr(cause, "response", None) is None:
            return self.lost(kind, cause)
        with self.lock:
            self.raised[f"{kind} {type(err).__name__}"] += 1

    def hook(self, kind: str):
        """A requests response hook: every answer a library client (ccxt, python-binance) gets."""
        def check(response, *args, **kwargs):
            self.answer(kind, response.status_code, response.headers.get("Content-Type", ""), response.content,
                        mirror=True, what=urlsplit(response.url).path)
        return check

    def snapshot(self) -> dict:
        with self.lock:
            return {"requests": sum(self.requests.values()), "failures": sum(self.failures.values()),
                    "no_answer": sum(self.no_answer.values())}


class Load:
    """Starts every client thread; `stop` ends them (each wait is bounded by it)."""

    def __init__(self, gateway: str, express: str, rate: float, seed: int = 20):
        self.gateway, self.express, self.rate = gateway, express, rate
        self.tally, self.stop = Tally(), threading.Event()
        self.streams_opened: Counter = Counter()  # how each stream ended: clean, fin, rst, refused
        self.rand = random.Random(seed)
        self.threads: list[threading.Thread] = []

    def start(self, rest_clients: int = 10) -> None:
        per_client = self.rate / rest_clients
        targets = [(f"rest {'express' if n % 3 == 0 else 'direct'}", n, per_client) for n in range(rest_clients)]
        self._spawn(self.rest_client, *targets)
        self._spawn(self.ccxt_bot, ("ccxt", 0), ("ccxt", 1))
        self._spawn(self.python_binance_bot, ("python-binance", 0))
        self._spawn(self.sse_client, *[(via, n) for n in range(2) for via in ("express", "direct")])
        self._spawn(self.user, ("user", 0))

    def _spawn(self, target, *arg_tuples) -> None:
        for args in arg_tuples:
            thread = threading.Thread(target=self._guard, args=(target, *args), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _guard(self, target, kind, *args) -> None:
        """A client that raises starts over after a pause: the soak is about the servers."""
        while not self.stop.is_set():
            try:
                target(kind, *args)
            except Exception as err:  # noqa: BLE001 - counted, then the client carries on
                self.tally.lost(kind, err)
                self.stop.wait(2)

    def join(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    # ----- REST: a dashboard polling, at its pace -----
    def rest_client(self, kind: str, n: int, rate: float) -> None:
        base = self.express if "express" in kind else self.gateway
        rand = random.Random(n)
        with requests.Session() as session:
            if base == self.gateway:  # as express_api tells python_service who the client is
                session.headers["X-Forwarded-For"] = f"198.51.100.{n + 1}"
            due = time.monotonic() + rand.random() / rate
            while not self.stop.wait(max(0.0, due - time.monotonic())):
                due += 1 / rate
                self._get(session, kind, base + rand.choice(REST_PATHS))

    def _get(self, session, kind: str, url: str, **kwargs) -> requests.Response | None:
        try:
            response = session.get(url, timeout=30, **kwargs)
        except requests.RequestException as err:
            self.tally.lost(kind, err)
            return None
        self.tally.answer(kind, response.status_code, response.headers.get("Content-Type", ""), response.content,
                          what=urlsplit(url).path)
        return response

    # ----- bots on the mirror -----
    def ccxt_bot(self, kind: str, n: int) -> None:
        exchange = ccxt_binance(self.gateway)
        exchange.session.hooks["response"].append(self.tally.hook(kind))
        exchange.load_markets()
        rounds = 0
        while not self.stop.wait(10 + n):
            try:
                bot_round(exchange, BOT_PAIRS)
                if rounds % 30 == 29:
                    exchange.load_markets(reload=True)  # exchangeInfo again, as a bot restarting would
            except Exception as err:  # noqa: BLE001 - a bot carries on, as freqtrade does
                self.tally.bot_error(kind, err)
            rounds += 1

    def python_binance_bot(self, kind: str, n: int) -> None:
        client = python_binance(self.gateway)
        client.session.hooks["response"].append(self.tally.hook(kind))
        while not self.stop.wait(5):
            try:
                client.get_symbol_ticker(symbol="BTCUSDT")
                client.get_order_book(symbol="ETHUSDT", limit=5)
                client.get_klines(symbol="BNBUSDT", interval="1m", limit=50)
                client.futures_ticker(symbol="BTCUSDT")
            except Exception as err:  # noqa: BLE001 - python-binance raises on every error answer
                self.tally.bot_error(kind, err)

    # ----- server-sent price streams -----
    def sse_client(self, via: str, n: int) -> None:
        base = self.express if via == "express" else self.gateway
        rand = random.Random(100 + n)
        endings = ("clean", "fin", "rst")
        while not self.stop.is_set():
            ending = endings[rand.randrange(3)]
            events = rand.randint(1, 6)
            symbols = ",".join(rand.sample(SYMBOLS, rand.randint(1, 3)))
            path = f"/api/binance/stream/prices?symbols={symbols}"
            if ending == "clean":
                result = self._sse_requests(base, path, events, f"sse {via}", n)
            else:
                result = self._sse_socket(base, path, events, f"sse {via}", n, rst=ending == "rst")
                result = ending if result == "abrupt" else result
            with self.tally.lock:
                self.streams_opened[f"{via} {result}"] += 1
            self.stop.wait(rand.uniform(0.5, 3))

    def _sse_requests(self, base: str, path: str, events: int, kind: str, n: int) -> str:
        headers = {} if base == self.express else {"X-Forwarded-For": f"192.0.2.{n + 1}"}
        try:
            with requests.get(base + path, stream=True, timeout=30, headers=headers) as response:
                if response.status_code != 200:
                    self.tally.answer(kind, response.status_code, response.headers.get("Content-Type", ""),
                                      response.content, what=path)
                    return "refused"
                self.tally.answer(kind, 200, "", b"")
                seen = 0
                for line in response.iter_lines():
                    seen += line.startswith(b"event: price")
                    if seen >= events or self.stop.is_set():
                        break
                return "clean"
        except requests.RequestException as err:
            self.tally.lost(kind, err)
            return "lost"

    def _sse_socket(self, base: str, path: str, events: int, kind: str, n: int, rst: bool) -> str:
        """A raw socket that reads a few events and goes away mid-stream: FIN, or RST (SO_LINGER 0)."""
        host, port = urlsplit(base).hostname, urlsplit(base).port
        forwarded = "" if base == self.express else f"X-Forwarded-For: 192.0.2.{n + 101}\r\n"
        try:
            sock = socket.create_connection((host, port), timeout=30)
        except OSError as err:
            self.tally.lost(kind, err)
            return "lost"
        try:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{forwarded}"
                         f"Accept: text/event-stream\r\n\r\n".encode())
            return self._read_events(sock, events, kind, path)
        except OSError as err:
            self.tally.lost(kind, err)
            return "lost"
        finally:
            if rst:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()

    def _read_events(self, sock: socket.socket, events: int, kind: str, path: str) -> str:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else 0
        if status != 200:
            self.tally.answer(kind, status, "", rest, what=path)  # the body may be chunked: shape judged loosely
            return "refused"
        self.tally.answer(kind, 200, "", b"")
        while rest.count(b"event: price") < events and not self.stop.is_set() and len(rest) < 1 << 20:
            chunk = sock.recv(4096)
            if not chunk:
                return "ended by server"
            rest += chunk
        return "abrupt"

    # ----- users: login, me, connection-test, demo balance -----
    def user(self, kind: str, n: int) -> None:
        with requests.Session() as session:
            name = f"soak{n}-{int(time.time())}"
            session.post(self.express + "/api/auth/register", json={"username": name, "password": PASSWORD},
                         timeout=30)
            beat = 0
            while not self.stop.wait(5):
                self._get(session, "demo-balance", self.express + "/direct-api/binance/demo-balance")
                if beat % 4 == 0:
                    self._login_round(session, name)
                beat += 1

    def _login_round(self, session, name: str) -> None:
        try:
            response = session.post(self.express + "/api/auth/login", json={"username": name, "password": PASSWORD},
                                    timeout=30)
        except requests.RequestException as err:
            self.tally.lost("login", err)
            return
        self.tally.answer("login", response.status_code, response.headers.get("Content-Type", ""), response.content)
        if response.status_code != 200:
            return
        auth = {"Authorization": f"Bearer {response.json()['token']}"}
        self._get(session, "me", self.express + "/api/auth/me", headers=auth)
        self._get(session, "connection-test", self.express + "/direct-api/binance/connection-test", headers=auth)
