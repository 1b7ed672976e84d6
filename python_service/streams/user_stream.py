"""The account's user data streams, one per market, each kept open by one thread of the
worker that owns the streams (one per host; per deployment with Redis: share.py).

Spot comes over Binance's WebSocket API (BINANCE_WS_API_URL): `userDataStream.subscribe.signature`
with the configured key, signed like any signed request (HMAC-SHA256 over the sorted params;
the REST listenKeys for spot were removed on 2026-02-20). USDT-M futures come over a listenKey
(`POST /fapi/v1/listenKey`, budgeted like every REST call) on the futures private root,
`<BINANCE_FUTURES_WS_URL>/private/ws/<listenKey>`, kept alive every KEEPALIVE_S.

On every (re)connect, and when Binance ends the stream (eventStreamTerminated,
listenKeyExpired), one REST reconciliation of balances, open orders and positions (account.py
holds the events that arrive meanwhile): nothing missed in the gap is lost. Reconnects back
off like the market streams', within the deployment's connection attempts (upstream/ws_attempts.py)."""
from __future__ import annotations

import hashlib
import hmac
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from ..upstream import websocket
from ..upstream.errors import UpstreamError
from .account import AccountState
from .board import Board
from .connection import backoff_s, describe

log = logging.getLogger(__name__)

TICK_S = 0.5  # how often the loop looks at its keepalive and age between events
KEEPALIVE_S = 30 * 60.0  # a listenKey lives 60 minutes unless kept alive
ANSWER_S = 10.0  # how long the WebSocket API's answer to the subscription may take
PING_S = 30.0  # an account's stream is quiet for hours: our pings tell a dead connection from a quiet one


class StreamEnded(Exception):
    """Binance ended the stream (eventStreamTerminated, listenKeyExpired): start again."""


class UserStream:
    market = ""

    def __init__(self, settings, upstream, board: Board, state: AccountState, clock: Callable[[], float] = time.time,
                 rand: Callable[[], float] = random.random, attempts=None):
        self.settings, self.upstream, self.board, self.state = settings, upstream, board, state
        self.clock, self.rand = clock, rand
        self.attempts = attempts  # the deployment's connection attempts (upstream/ws_attempts.py)
        self.failures = 0
        self.reconnects, self.reconciles = -1, 0
        self._socket: websocket.StreamSocket | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ----- lifecycle -----
    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, daemon=True, name=f"user-{self.market}")
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._socket:
            self._socket.close()
        if self._thread:
            self._thread.join(5)
        self._meta(state="stopped")

    def _run(self) -> None:
        while not self._stop.is_set():
            wait = self.attempts.take() if self.attempts is not None else 0.0
            if wait:
                self._stop.wait(min(wait, 5.0))
                continue
            self.reconnects += 1
            try:
                self._session()
            except StreamEnded as ended:
                log.info("%s user data stream ended by Binance (%s): subscribing again", self.market, ended)
                continue  # at once: nothing is wrong with the connection or the keys
            except Exception as err:  # noqa: BLE001 - any failure of a session means: reconnect
                self.failures += 1
                self._meta(state="down", since=self.clock(), last_error={"at": self.clock(), "message": describe(err)})
                log.warning("%s user data stream down: %s", self.market, describe(err))
            finally:
                if self._socket:
                    self._socket.close()
                    self._socket = None
            self._stop.wait(backoff_s(self.failures, self.rand))

    # ----- one session -----
    def _session(self) -> None:
        self._meta(state="connecting", reconnects=max(0, self.reconnects))
        self._socket = self._open()
        self.state.reconciling(self.market)  # events from here on wait for the snapshot
        self._subscribe()
        connected_at = self.clock()
        self._meta(state="reconciling", connected_at=connected_at, last_message_at=connected_at)
        self._reconcile()
        self.failures = 0
        self._meta(state="up", since=self.clock(), reconciled_at=self.clock())
        while not self._stop.is_set():
            if self.clock() - connected_at >= self.settings.stream_max_age_s:
                return  # renewed before Binance's 24 h cut
            self._keep_alive()
            message = self._socket.recv_json(TICK_S)
            if message is not None:
                self._meta(last_message_at=self.clock())
                self._receive(message)

    def _reconcile(self) -> None:
        """One REST read of what the stream keeps current (budgeted like every call)."""
        self._read_account()
        self.reconciles += 1
        self._meta(reconciles=self.reconciles)

    def _meta(self, **fields) -> None:
        self.board.set_meta(f"user:{self.market}", **fields)

    # ----- what each market does -----
    def _open(self) -> websocket.StreamSocket:
        raise NotImplementedError

    def _subscribe(self) -> None:
        raise NotImplementedError

    def _read_account(self) -> None:
        raise NotImplementedError

    def _keep_alive(self) -> None:
        """Nothing by default."""

    def _receive(self, message: Any) -> None:
        raise NotImplementedError


class SpotUserStream(UserStream):
    market = "spot"

    def _open(self) -> websocket.StreamSocket:
        return websocket.open_stream(self.settings.ws_api_url, self.settings.proxy_url, self.settings.timeout_s,
                                     keepalive_s=PING_S)

    def _subscribe(self) -> None:
        """userDataStream.subscribe.signature, timestamped on Binance's clock (the REST offset)."""
        self.upstream.prepare_signed()  # the clock offset, measured when due
        params = {"apiKey": self.settings.api_key, "timestamp": self.upstream.server_time_ms()}
        payload = "&".join(f"{k}={params[k]}" for k in sorted(params))
        params["signature"] = hmac.new(self.settings.api_secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        ident = f"subscribe-{self.reconnects}"
        self._socket.send_json({"id": ident, "method": "userDataStream.subscribe.signature", "params": params})
        deadline = time.monotonic() + ANSWER_S
        while time.monotonic() < deadline and not self._stop.is_set():
            message = self._socket.recv_json(TICK_S)
            if isinstance(message, dict) and message.get("id") == ident:
                if message.get("status") != 200:
                    error = message.get("error") or {}
                    raise ConnectionError(f"Binance refused the subscription: {error.get('code')} {error.get('msg')}")
                self.subscription = (message.get("result") or {}).get("subscriptionId")
                return
            if message is not None:
                self._receive(message)  # an event already: it waits for the snapshot
        raise TimeoutError("no answer to the user data subscription")

    def _read_account(self) -> None:
        account = self.upstream.signed("account")
        open_orders = self.upstream.signed("open_orders")
        self.state.reconciled_spot(account, open_orders)

    def _receive(self, message: Any) -> None:
        if not isinstance(message, dict) or "event" not in message:
            return  # an answer to a request of ours
        event = message["event"]
        if isinstance(event, dict) and event.get("e") == "eventStreamTerminated":
            raise StreamEnded("eventStreamTerminated")
        if isinstance(event, dict):
            self.state.on_event("spot", event)


class FuturesUserStream(UserStream):
    market = "futures"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.listen_key: str | None = None
        self._kept_at = 0.0

    def _open(self) -> websocket.StreamSocket:
        self.listen_key = self.upstream.fetch("futures_listen_key")  # Binance hands back a live one if any
        self._kept_at = self.clock()
        url = f"{self.settings.futures_ws_url.rstrip('/')}/private/ws/{self.listen_key}"
        return websocket.open_stream(url, self.settings.proxy_url, self.settings.timeout_s, keepalive_s=PING_S)

    def _subscribe(self) -> None:
        """The listenKey is the subscription."""

    def _read_account(self) -> None:
        account = self.upstream.signed("futures_account", version=3)
        positions = self.upstream.signed("futures_positions")
        open_orders = self.upstream.signed("futures_open_orders")
        self.state.reconciled_futures(account, positions, open_orders)

    def _keep_alive(self) -> None:
        if self.clock() - self._kept_at < KEEPALIVE_S:
            return
        try:
            self.upstream.fetch("futures_listen_key_keepalive", listenKey=self.listen_key)
            self._kept_at = self.clock()
        except UpstreamError as err:
            raise StreamEnded(f"keepalive refused ({err.message})") from None

    def _receive(self, message: Any) -> None:
        if not isinstance(message, dict):
            return
        if message.get("e") == "listenKeyExpired":
            raise StreamEnded("listenKeyExpired")
        self.state.on_event("futures", message)
