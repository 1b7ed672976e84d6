"""The account's user data as Binance pushes it, beside the fake's market streams.

Spot, over the WebSocket API (`/ws-api/v3` on the streams' port): `userDataStream.subscribe.signature`
(params apiKey, timestamp, signature: HMAC-SHA256 of the other params sorted by name, as
`k=v` joined by `&`; recvWindow optional, at most 60000), `userDataStream.unsubscribe`,
`session.subscriptions`; events arrive as {"subscriptionId": N, "event": {...}}. The removed
REST listenKeys (`/api/v3/userDataStream`) answer 410, as Binance's do since 2026-02-20.

USDT-M futures, over a listenKey: `POST`/`PUT`/`DELETE /fapi/v1/listenKey` (API key only);
the stream at `/futures/private/ws/<listenKey>` (Binance's private root). A key lives 60
minutes unless kept alive.

The order engine reports what happens (`spot_order`, `spot_balances`, `futures_order`,
`futures_account`) and every live subscriber gets Binance's event for it. Test controls:
`drop(market)` closes the user connections, `expire_listen_keys()` sends listenKeyExpired
and forgets the keys, `terminate()` sends eventStreamTerminated and ends the subscriptions,
`margin_call(symbol)` sends a MARGIN_CALL. `sent` logs every event pushed."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal

from websockets.exceptions import ConnectionClosed

LISTEN_KEY_TTL_MS = 60 * 60 * 1000
MAX_RECV_WINDOW = 60000
SUBSCRIPTIONS_PER_SESSION = 1000


@dataclass
class ApiSession:
    """One connection to the WebSocket API and the account subscriptions it holds."""
    conn: object
    subscriptions: set = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    opened_at: float = field(default_factory=time.time)
    closed_at: float | None = None


class UserData:
    def __init__(self, fake):
        self.fake = fake
        self.lock = threading.RLock()
        self.sessions: list[ApiSession] = []
        self.listen_keys: dict[str, int] = {}  # key -> expires at (server ms)
        self.key_connections: list[tuple[str, object]] = []  # (listenKey, conn) of open futures streams
        self.sent: list[tuple[str, dict]] = []  # (market, event) of everything pushed
        self.requests: list[dict] = []  # what clients sent to the WebSocket API
        self._next_subscription = 0

    # ----- what the order engine reports -----
    def spot_event(self, event: dict) -> None:
        with self.lock:
            self.sent.append(("spot", event))
            targets = [(s, sub) for s in self.sessions if s.closed_at is None for sub in s.subscriptions]
        for session, subscription in targets:
            self._send(session, {"subscriptionId": subscription, "event": event})

    def futures_event(self, event: dict) -> None:
        with self.lock:
            self.sent.append(("futures", event))
            now = self.fake.server_time_ms()
            targets = [conn for key, conn in self.key_connections if self.listen_keys.get(key, 0) > now]
        for conn in targets:
            self._send_raw(conn, json.dumps(event, separators=(",", ":"), ensure_ascii=False))

    def events(self, market: str | None = None, kind: str | None = None) -> list[dict]:
        with self.lock:
            return [e for m, e in self.sent if market in (None, m) and kind in (None, e.get("e"))]

    # ----- test controls -----
    def drop(self, market: str | None = None) -> int:
        """Closes every open user connection (of `market`), as a network failure would."""
        closing = []
        with self.lock:
            if market in (None, "spot"):
                closing += [s.conn for s in self.sessions if s.closed_at is None]
            if market in (None, "futures"):
                closing += [conn for _, conn in self.key_connections]
        for conn in closing:
            try:
                conn.close(1001, "going away")
            except Exception:  # noqa: BLE001 - already gone
                pass
        return len(closing)

    def expire_listen_keys(self) -> int:
        """Every listenKey expires now: its streams get listenKeyExpired and the key is gone."""
        with self.lock:
            keys, self.listen_keys = list(self.listen_keys), {}
            conns = [(key, conn) for key, conn in self.key_connections if key in keys]
        for key, conn in conns:
            self._send_raw(conn, json.dumps({"e": "listenKeyExpired", "E": self.fake.server_time_ms(),
                                             "listenKey": key}))
        return len(keys)

    def terminate(self) -> int:
        """Ends every spot subscription with eventStreamTerminated (the connection stays open)."""
        with self.lock:
            ended = [(s, sub) for s in self.sessions if s.closed_at is None for sub in s.subscriptions]
            for session, _ in ended:
                session.subscriptions.clear()
        for session, subscription in ended:
            self._send(session, {"subscriptionId": subscription,
                                 "event": {"e": "eventStreamTerminated", "E": self.fake.server_time_ms()}})
        return len(ended)

    def margin_call(self, symbol: str, position: dict) -> None:
        self.futures_event({"e": "MARGIN_CALL", "E": self.fake.server_time_ms(), "cw": position["wallet"],
                            "p": [{"s": symbol, "ps": "BOTH", "pa": position["amount"], "mt": "CROSSED",
                                   "iw": "0", "mp": position["mark"], "up": position["pnl"],
                                   "mm": position["maint"]}]})

    def subscribed(self) -> int:
        """Spot subscriptions open now."""
        with self.lock:
            return sum(len(s.subscriptions) for s in self.sessions if s.closed_at is None)

    def open_key_streams(self) -> int:
        with self.lock:
            return len(self.key_connections)

    # ----- futures listenKeys (REST) -----
    def create_listen_key(self, params, headers) -> dict:
        """An account with an active key gets it back, extended (Binance's rule)."""
        with self.lock:
            now = self.fake.server_time_ms()
            live = [k for k, expires in self.listen_keys.items() if expires > now]
            key = live[0] if live else secrets.token_urlsafe(48)[:64]
            self.listen_keys[key] = now + LISTEN_KEY_TTL_MS
            return {"listenKey": key}

    def keep_alive(self, params, headers) -> dict:
        with self.lock:
            now = self.fake.server_time_ms()
            key = params.get("listenKey") or next((k for k, e in self.listen_keys.items() if e > now), None)
            if key is None or self.listen_keys.get(key, 0) <= now:
                raise self.fake.error(400, -1125, "This listenKey does not exist.")
            self.listen_keys[key] = now + LISTEN_KEY_TTL_MS
            return {"listenKey": key}

    def close_listen_key(self, params, headers) -> dict:
        with self.lock:
            for key in [params["listenKey"]] if params.get("listenKey") else list(self.listen_keys):
                self.listen_keys.pop(key, None)
            return {}

    def live_key(self, key: str) -> bool:
        with self.lock:
            return self.listen_keys.get(key, 0) > self.fake.server_time_ms()

    # ----- the websocket side (called by FakeStreams) -----
    def serve_key_stream(self, conn, key: str) -> None:
        with self.lock:
            self.key_connections.append((key, conn))
        try:
            for _ in conn:  # nothing a client sends is answered here
                pass
        except ConnectionClosed:
            pass
        finally:
            with self.lock:
                self.key_connections = [(k, c) for k, c in self.key_connections if c is not conn]

    def serve_api(self, conn) -> None:
        session = ApiSession(conn)
        with self.lock:
            self.sessions.append(session)
        try:
            for message in conn:
                self._answer(session, message)
        except ConnectionClosed:
            pass
        finally:
            with self.lock:
                session.closed_at = time.time()
                session.subscriptions.clear()

    def _answer(self, session: ApiSession, message) -> None:
        try:
            request = json.loads(message)
        except ValueError:
            return self._send(session, {"id": None, "status": 400,
                                        "error": {"code": -1100, "msg": "Malformed request."}})
        if not isinstance(request, dict):
            return self._send(session, {"id": None, "status": 400,
                                        "error": {"code": -1100, "msg": "Malformed request."}})
        with self.lock:
            self.requests.append(request)
        ident, method, params = request.get("id"), request.get("method"), request.get("params") or {}
        try:
            result = self._method(session, method, params)
        except _Refused as refused:
            return self._send(session, {"id": ident, "status": refused.status,
                                        "error": {"code": refused.code, "msg": refused.msg}})
        self._send(session, {"id": ident, "status": 200, "result": result,
                             "rateLimits": [{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE",
                                             "intervalNum": 1, "limit": 6000, "count": 2}]})

    def _method(self, session: ApiSession, method, params: dict):
        if method == "userDataStream.subscribe.signature":
            self._check_signature(params)
            with self.lock:
                if session.subscriptions:  # one subscription per account per connection
                    raise _Refused(400, -1210, "This account is already subscribed on this connection.")
                subscription, self._next_subscription = self._next_subscription, self._next_subscription + 1
                session.subscriptions.add(subscription)
            return {"subscriptionId": subscription}
        if method == "userDataStream.unsubscribe":
            with self.lock:
                wanted = params.get("subscriptionId")
                ended = set(session.subscriptions) if wanted is None else {wanted} & session.subscriptions
                session.subscriptions -= ended
            for subscription in ended:
                self._send(session, {"subscriptionId": subscription,
                                     "event": {"e": "eventStreamTerminated", "E": self.fake.server_time_ms()}})
            return {}
        if method == "session.subscriptions":
            with self.lock:
                return [{"subscriptionId": s} for s in sorted(session.subscriptions)]
        if method == "userDataStream.subscribe":
            raise _Refused(401, -2015, "Invalid API-key, IP, or permissions for action.")  # no session.logon here
        raise _Refused(400, -1102, f"Unknown method: {method}")

    def _check_signature(self, params: dict) -> None:
        secret = self.fake.api_keys.get(params.get("apiKey") or "")
        if secret is None:
            raise _Refused(401, -2015, "Invalid API-key, IP, or permissions for action.")
        if "timestamp" not in params:
            raise _Refused(400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.")
        window = float(params.get("recvWindow", 5000))
        if window > MAX_RECV_WINDOW:
            raise _Refused(400, -1131, "recvWindow must be less than 60000")
        now, timestamp = self.fake.server_time_ms(), int(params["timestamp"])
        if timestamp >= now + 1000 or now - timestamp > window:
            raise _Refused(400, -1021, "Timestamp for this request is outside of the recvWindow.")
        payload = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "signature")
        expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, str(params.get("signature", "")).lower()):
            raise _Refused(400, -1022, "Signature for this request is not valid.")

    def _send(self, session: ApiSession, body: dict) -> None:
        try:
            with session.lock:
                session.conn.send(json.dumps(body, separators=(",", ":"), ensure_ascii=False))
        except ConnectionClosed:
            pass

    @staticmethod
    def _send_raw(conn, text: str) -> None:
        try:
            conn.send(text)
        except ConnectionClosed:
            pass


class _Refused(Exception):
    def __init__(self, status: int, code: int, msg: str):
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg


# ----- Binance's event shapes -----

def execution_report(order: dict, execution: str, now_ms: int, fill: dict | None = None,
                     fmt=lambda d: f"{d:f}") -> dict:
    """`executionReport` for a spot order after `execution` (NEW, TRADE, CANCELED)."""
    last_qty = fill["qty"] if fill else "0.00000000"
    last_price = fill["price"] if fill else "0.00000000"
    return {"e": "executionReport", "E": now_ms, "s": order["symbol"], "c": order["clientOrderId"],
            "S": order["side"], "o": order["type"], "f": order["timeInForce"], "q": fmt(order["origQty"]),
            "p": fmt(order["price"]), "P": fmt(order["stopPrice"]), "F": "0.00000000", "g": -1, "C": "",
            "x": execution, "X": order["status"], "r": "NONE", "i": order["orderId"], "l": last_qty,
            "z": fmt(order["executedQty"]), "L": last_price, "n": fill["commission"] if fill else "0",
            "N": fill["commissionAsset"] if fill else None, "T": order["updateTime"],
            "t": fill["tradeId"] if fill else -1, "I": fill["tradeId"] * 2 if fill else order["orderId"] * 2,
            "w": order["status"] in ("NEW", "PARTIALLY_FILLED"), "m": bool(fill and fill.get("maker")),
            "M": False, "O": order["time"], "Z": fmt(order["cummulativeQuoteQty"]),
            "Y": fmt(Decimal(last_qty) * Decimal(last_price)),
            "Q": fmt(order["origQuoteOrderQty"]), "W": order["time"], "V": "EXPIRE_MAKER"}


def account_position(balances: dict, assets: list, now_ms: int, fmt=lambda d: f"{d:f}") -> dict:
    """`outboundAccountPosition`: the balances the change may have touched."""
    return {"e": "outboundAccountPosition", "E": now_ms, "u": now_ms,
            "B": [{"a": a, "f": fmt(balances[a]["free"]), "l": fmt(balances[a]["locked"])} for a in assets
                  if a in balances]}


def order_trade_update(order: dict, execution: str, now_ms: int, fill_price=None, fmt=lambda d: f"{d:f}") -> dict:
    """USDT-M `ORDER_TRADE_UPDATE`."""
    filled = execution == "TRADE"
    return {"e": "ORDER_TRADE_UPDATE", "E": now_ms, "T": now_ms, "o": {
        "s": order["symbol"], "c": order["clientOrderId"], "S": order["side"], "o": order["type"],
        "f": order["timeInForce"], "q": fmt(order["origQty"]), "p": fmt(order["price"]),
        "ap": fmt(order["avgPrice"]), "sp": fmt(order.get("stopPrice") or Decimal(0)), "x": execution,
        "X": order["status"],
        "i": order["orderId"], "l": fmt(order["origQty"]) if filled else "0", "z": fmt(order["executedQty"]),
        "L": fmt(fill_price) if filled else "0", "N": "USDT" if filled else None,
        "n": fmt(order["origQty"] * fill_price * 4 / 10000) if filled else "0", "T": now_ms,
        "t": order["orderId"] * 3 if filled else 0, "b": "0", "a": "0", "m": False,
        "R": bool(order.get("reduceOnly")), "wt": "CONTRACT_PRICE", "ot": order["type"], "ps": "BOTH",
        "cp": bool(order.get("closePosition")), "rp": "0", "pP": False, "si": 0, "ss": 0, "V": "EXPIRE_TAKER",
        "pm": "NONE", "gtd": 0}}


def account_update(wallet, positions: list, now_ms: int, reason: str = "ORDER", fmt=lambda d: f"{d:f}") -> dict:
    """USDT-M `ACCOUNT_UPDATE`: the USDT wallet and the positions the change touched."""
    return {"e": "ACCOUNT_UPDATE", "E": now_ms, "T": now_ms, "a": {
        "m": reason, "B": [{"a": "USDT", "wb": fmt(wallet), "cw": fmt(wallet), "bc": "0"}],
        "P": [{"s": p["symbol"], "pa": p["positionAmt"], "ep": p["entryPrice"], "bep": p["breakEvenPrice"],
               "cr": "0", "up": p["unRealizedProfit"], "mt": "cross", "iw": "0", "ps": "BOTH"} for p in positions]}}
