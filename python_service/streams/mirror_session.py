"""Binance's stream protocol on one bot's connection (the stream mirror): its methods SUBSCRIBE,
UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY (`combined`) and GET_PROPERTY, answered as Binance
answers them (binance-spot-api-docs web-socket-streams.md: `{"result": null, "id": 1}`; errors
`{"error": {"code": 2, "msg": "Invalid request: ..."}, "id": 1}`, codes 0 to 3), with its limits:
1,024 streams a connection, 5 incoming messages a second (10 on USDT-M futures; downstream.py closes past it).

The streams themselves come from the hub (hub.py): this session only says which it wants."""
from __future__ import annotations

import json
import re
from collections.abc import Callable

from .downstream import DownstreamSocket
from .stream_names import valid

MAX_STREAMS = 1024
LIVE_WAIT_S = 3.0  # how long a subscription waits for its frames to reach this worker before it is answered
METHODS = ("SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY")
ID_TEXT = re.compile(r"[A-Za-z0-9]{1,36}")


class Refused(Exception):
    def __init__(self, code: int, msg: str):
        super().__init__(msg)
        self.code, self.msg = code, msg


def _column(text: str) -> int:
    return len(text.rstrip("\n")) if "\n" not in text.strip() else len(text.strip().split("\n")[-1])


class MirrorSession:
    def __init__(self, socket: DownstreamSocket, hub, market: str, combined: bool,
                 is_valid: Callable[[str, str], bool] = valid, max_streams: int = MAX_STREAMS):
        self.socket, self.hub, self.market, self.combined = socket, hub, market, combined
        self.is_valid, self.max_streams = is_valid, max_streams
        self.streams: list[str] = []  # in the order subscribed (LIST_SUBSCRIPTIONS answers so)
        self._told_behind = False

    # ----- what the hub calls -----
    def push(self, data: bytes) -> bool:
        return self.socket.push(data)

    def fell_behind(self) -> bool:
        """True once, when the connection was closed for not reading what it was sent."""
        if self._told_behind or not self.socket.too_slow:
            return False
        self._told_behind = True
        return True

    # ----- the connection's life -----
    def run(self, initial: list[str]) -> None:
        """Serves the connection until it closes; `initial`: the streams its URL named (a name that is
        no stream, such as ccxt's /ws/0, subscribes nothing, as at Binance)."""
        try:
            self._subscribe([s for s in dict.fromkeys(initial) if self.is_valid(self.market, s)][:self.max_streams])
            self.socket.open()  # the handshake's answer once the URL's streams reach this worker
            while True:
                text = self.socket.receive()
                if text is None:
                    break
                self.socket.send_text(self.answer(text))
        finally:
            self.hub.unsubscribe(self, self.market, self.streams)
            self.streams = []
            self.socket.finish()

    def answer(self, text: str) -> str:
        try:
            request = json.loads(text)
        except ValueError as err:
            where = getattr(err, "lineno", 1), getattr(err, "colno", 1)
            return _error(3, f"Invalid JSON: expected value at line {where[0]} column {where[1]}", None)
        ident = request.get("id") if isinstance(request, dict) else None
        try:
            return _reply(self._request(request, text), ident)
        except Refused as refused:
            return _error(refused.code, refused.msg, ident if _valid_id(ident) else None)

    def _request(self, request, text: str):
        if not isinstance(request, dict):
            raise Refused(2, f"Invalid request: invalid type: expected struct at line 1 column {_column(text)}")
        method = request.get("method")
        if "method" not in request:
            raise Refused(2, f"Invalid request: missing field `method` at line 1 column {_column(text)}")
        if method not in METHODS:
            expected = ", ".join(f"`{m}`" for m in METHODS)
            raise Refused(2, f"Invalid request: unknown variant `{method}`, expected one of {expected} "
                             f"at line 1 column {_column(text)}")
        if not _valid_id(request.get("id")):
            raise Refused(2, "Invalid request: request ID must be an unsigned integer")
        params = request.get("params", [])
        if not isinstance(params, list):
            raise Refused(2, "Invalid request: invalid type: expected a sequence")
        handle = {"SUBSCRIBE": self._on_subscribe, "UNSUBSCRIBE": self._on_unsubscribe,
                  "LIST_SUBSCRIPTIONS": self._on_list, "SET_PROPERTY": self._on_set, "GET_PROPERTY": self._on_get}
        return handle[method](params)

    # ----- the methods -----
    def _on_subscribe(self, params: list) -> None:
        streams = self._names(params)
        new = [s for s in dict.fromkeys(streams) if s not in self.streams]
        if len(self.streams) + len(new) > self.max_streams:
            raise Refused(2, f"Invalid request: too many streams (at most {self.max_streams} on one connection)")
        self._subscribe(new)

    def _subscribe(self, streams: list[str]) -> None:
        """Answered (or, for the URL's streams, the connection opened) once their frames reach this
        worker, so that no event after the answer is missed: a bot syncing a book relies on it."""
        self.streams += streams
        self.hub.subscribe(self, self.market, streams)
        if streams:
            self.hub.wait_live(self.market, streams, LIVE_WAIT_S)

    def _on_unsubscribe(self, params: list) -> None:
        gone = [s for s in dict.fromkeys(self._names(params)) if s in self.streams]
        self.streams = [s for s in self.streams if s not in gone]
        self.hub.unsubscribe(self, self.market, gone)

    def _on_list(self, params: list) -> list[str]:
        if params:
            raise Refused(2, "Invalid request: too many parameters")
        return list(self.streams)

    def _on_set(self, params: list) -> None:
        if len(params) != 2:
            raise Refused(2, "Invalid request: too many parameters" if len(params) > 2 else
                          "Invalid request: property name must be a string")
        name, value = params
        self._property(name)
        if not isinstance(value, bool):
            raise Refused(1, "Invalid value type: expected Boolean")
        self.combined = value

    def _on_get(self, params: list) -> bool:
        if len(params) != 1:
            raise Refused(2, "Invalid request: too many parameters" if params else
                          "Invalid request: property name must be a string")
        self._property(params[0])
        return self.combined

    def _names(self, params: list) -> list[str]:
        if not all(isinstance(p, str) for p in params):
            raise Refused(2, "Invalid request: invalid stream")
        if not all(self.is_valid(self.market, p) for p in params):
            raise Refused(2, "Invalid request: invalid stream")
        return params

    @staticmethod
    def _property(name) -> None:
        if not isinstance(name, str):
            raise Refused(2, "Invalid request: property name must be a string")
        if name != "combined":
            raise Refused(0, "Unknown property")



def _valid_id(ident) -> bool:
    """Binance's ids: a 64-bit signed integer, an alphanumeric string of at most 36, or null."""
    if ident is None:
        return True
    if isinstance(ident, bool):
        return False
    if isinstance(ident, int):
        return -2**63 <= ident < 2**63
    return isinstance(ident, str) and ID_TEXT.fullmatch(ident) is not None


def _reply(result, ident) -> str:
    return json.dumps({"result": result, "id": ident}, separators=(",", ":"), ensure_ascii=False)


def _error(code: int, msg: str, ident) -> str:
    return json.dumps({"error": {"code": code, "msg": msg}, "id": ident}, separators=(",", ":"), ensure_ascii=False)
