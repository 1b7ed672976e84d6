"""The HTTP side of the fake: one request in, Binance's answer (or a fault) out."""
from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import control, mirror_routes
from .fault_actions import act, encode
from .faults import market_of
from .orders import Answer
from .records import BinanceError, RequestRecord


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients that gave up (timeouts, resets) are part of the tests, not errors of the fake.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def _utf8(query: str) -> str:
    """http.server reads the request line as latin-1; a client that sent raw UTF-8
    (a Unicode symbol not percent-encoded) gets its characters back."""
    try:
        return query.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return query


class Handler(BaseHTTPRequestHandler):
    fake = None  # set on the subclass FakeBinance.start makes
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; no 40 ms delayed-ACK stall
    server_version = "FakeBinance/1.0"
    market: str | None = None  # "spot" / "futures" of the request being answered
    drip_interval: float | None = None  # set by a drip fault: send the body one byte at a time

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_DELETE(self):
        self._serve("DELETE")

    def do_PUT(self):
        self._serve("PUT")

    def _serve(self, method: str):
        parts = urlsplit(self.path)
        # Per request, not per kept-alive connection: a drip must not leak into the next answer.
        self.market, self.drip_interval = market_of(parts.path), None
        if parts.path.startswith("/_fake/"):
            return control.handle(self, parts.path, parts.query)
        fake, addr = self.fake, self.client_address[0]
        route = fake.routes.get(parts.path if method == "GET" else f"{method} {parts.path}")  # orders.py's keys
        if method != "GET" and route is None:
            if (method, parts.path) in fake.write_routes:  # the mirror's extra writes (mirror_routes.py)
                return mirror_routes.serve_write(self, method)
            return self.send_raw(405, b'{"code":-1000,"msg":"Method not allowed."}', "application/json")
        raw_body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) if method != "GET" else b""
        body = raw_body.decode()
        query = parts.query + body  # Binance's totalParams: the query string, then the body
        params = dict(parse_qsl(_utf8("&".join(p for p in (parts.query, body) if p)), keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        weight = route.weight(params) if route else 1
        record = RequestRecord(method, parts.path, query, params, headers, addr, weight, fake.clock())
        record.body = raw_body  # byte for byte, for the pass-through tests
        fake._record(record)
        fault = None
        gate = fake.gates.catch(parts.path, addr)
        if gate is not None:  # parked after being logged, before any fault or weight is taken
            record.held = True
            fault = gate.park(fake._stopping)
        fault = fault or fake.faults.take(parts.path, addr)
        if fault is not None:
            record.fault = fault.kind
            if act(self, fault, record, lambda: route.handler(params, headers) if route else []):
                return
        used, over = fake._spend(self.market == "futures", weight)
        if route is None:
            return self.send_json(record, 404, {"code": -1000, "msg": "Unknown path."}, used)
        if over:
            return self.send_json(record, 429, {"code": -1003, "msg": "Too much request weight used; current limit is "
                                                f"{fake.limit_of(self.market)} request weight per 1 MINUTE."}, used,
                                  {"Retry-After": str(60 - int(fake.weight_clock()) % 60)})
        try:
            if route.signed:
                fake.check_signature(query, params, headers)
            elif route.keyed:
                fake.check_key(headers)
            answer = route.handler(params, headers)
        except BinanceError as err:
            return self.send_json(record, err.status, {"code": err.code, "msg": err.msg}, used)
        if not isinstance(answer, Answer):
            return self.send_json(record, 200, answer, used)
        if answer.drop:  # booked, and the answer is lost on the way back
            record.fault, record.status = f"lost_answer:{answer.drop}", 503
            return fake.orders.lose_answer(self, answer.drop, used)
        self.send_json(record, 200, answer.body, used, answer.headers)

    # ----- answering -----
    def weight_headers(self, used: int) -> dict:
        if not self.fake.reports_weight(self.market):
            return {}
        return {"X-MBX-USED-WEIGHT-1M": str(used), "X-MBX-USED-WEIGHT": str(used)}

    def send_json(self, record, status, body, used, extra=None):
        self.send_body(record, status, encode(body), "application/json;charset=UTF-8",
                       {**self.weight_headers(used), **(extra or {})})

    def send_body(self, record, status, payload: bytes, content_type, headers=None):
        record.status = status
        self.send_raw(status, payload, content_type, headers)

    def send_raw(self, status, payload: bytes, content_type, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.drip_interval is None:
            self.wfile.write(payload)
            return
        self._drip(payload, self.drip_interval)

    def _drip(self, payload: bytes, interval: float) -> None:
        """The whole, correct body, one byte every `interval` seconds (a client's read timeout
        between bytes never fires; only a bound on the whole attempt stops it)."""
        stopping = self.fake._stopping
        try:
            for i in range(len(payload)):
                if i and stopping.wait(interval):
                    break
                self.wfile.write(payload[i:i + 1])
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
