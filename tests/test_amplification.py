"""Hostile input gets a small 4xx in the error shape, never a huge body or a 500 (issue 12, item 7)."""
import hashlib
import hmac
import json
import socket
import time

import pytest

from tests.support.exchange import API_KEY, API_SECRET
from tests.support.ports import closed_port
from tests.support.processes import INTERNAL_TOKEN, start_gateway, stop, wait_until_up

URL = "/api/binance/order/validate"
SMALL_ANSWER = 2048  # bytes: an error answer is a few hundred


def order(**fields):
    return json.dumps({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.001",
                       "price": "67000.01", **fields})


def assert_error_shape(response, status: int):
    assert response.status_code == status, response.get_data()[:300]
    assert len(response.get_data()) < SMALL_ANSWER
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize("price", ["1e-999990", "1E-999990", "0.1e-999999", "1e999999999", "-1e999999999",
                                   "1e-19", "1e21", "0." + "0" * 30 + "1", "1" * 25,
                                   "123456789012345678901.5", "1.0000000000000000000001"])
def test_a_decimal_with_an_extreme_exponent_or_too_many_digits_is_a_small_400(client, fake, price):
    response = client.post(URL, data=order(price=price), content_type="application/json")

    assert_error_shape(response, 400)
    assert fake.count() == 0  # refused before any upstream call


@pytest.mark.parametrize("number", ["1e-999990", "1e999999999", "1" + "0" * 30])
def test_a_json_number_with_an_extreme_exponent_is_a_400_too(client, fake, number):
    body = order().replace('"0.001"', number)

    assert_error_shape(client.post(URL, data=body, content_type="application/json"), 400)


def test_decimals_binance_uses_still_pass(client):
    response = client.post(URL, data=order(quantity="0.00100000", price="67000.01000000"),
                           content_type="application/json")
    assert response.status_code == 200 and response.get_json()["valid"] is True


@pytest.mark.parametrize("body", ["[" * 4000, "[" * 4000 + "]" * 4000, '{"a":' * 2000 + "1" + "}" * 2000,
                                  '{"symbol": ' + "[" * 100 + "]" * 100 + "}"])
def test_deeply_nested_json_is_a_400_not_a_recursion_error(client, body):
    assert_error_shape(client.post(URL, data=body, content_type="application/json"), 400)


def test_a_body_over_the_limit_is_a_413_in_the_error_shape(client, fake):
    padding = "x" * 20_000
    response = client.post(URL, data=order(note=padding), content_type="application/json")

    assert_error_shape(response, 413)
    assert fake.count() == 0


def test_a_body_just_under_the_limit_is_read(client):
    response = client.post(URL, data=order(note="x" * 15_000), content_type="application/json")
    assert response.status_code == 200


# ----- against gunicorn: what a raw socket can send -----

@pytest.fixture
def gateway(fake, starts_processes):
    port = closed_port()
    proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url}, port)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/status", proc)
        yield port, proc
    finally:
        stop(proc)


def exchange(port: int, raw: bytes, shut: bool = True) -> tuple[int, bytes]:
    """Sends `raw`, returns (status, body) of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        if shut:
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError:  # answered and closed before all of `raw` was read: the answer is still there
                pass
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.partition(b"\r\n\r\n")[2]) < _length(answer):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def _length(answer: bytes) -> int:
    for line in answer.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 1 << 30


def post(headers: str, body: bytes) -> bytes:
    return (f"POST {URL} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"{headers}Connection: close\r\n\r\n").encode() + body


def assert_raw_error(answer: tuple[int, bytes], status: int):
    code, body = answer
    assert code == status, body[:300]
    assert len(body) < SMALL_ANSWER and set(json.loads(body)) == {"error"}


def test_a_malformed_chunked_body_is_a_400_in_the_error_shape(gateway):
    port, _ = gateway
    assert_raw_error(exchange(port, post("Transfer-Encoding: chunked\r\n", b"zz\r\n{}\r\n0\r\n\r\n")), 400)
    assert_raw_error(exchange(port, post("Transfer-Encoding: chunked\r\n", b"5\r\n{}\r\n0\r\n\r\n")), 400)


def test_a_chunked_body_over_the_limit_is_a_413(gateway):
    port, _ = gateway
    chunk = b"4000\r\n" + b" " * 0x4000 + b"\r\n"
    assert_raw_error(exchange(port, post("Transfer-Encoding: chunked\r\n", chunk * 3 + b"0\r\n\r\n")), 413)


def test_a_300_mb_post_is_refused_before_its_body_is_read(gateway):
    port, proc = gateway
    rss_before = worker_rss_kb(proc.pid)
    # only the headers are sent: the answer must come without waiting for (or reading) the body
    assert_raw_error(exchange(port, post(f"Content-Length: {300 * 1024 * 1024}\r\n", b"{"), shut=False), 413)
    assert worker_rss_kb(proc.pid) < rss_before + 20_000


def worker_rss_kb(master_pid: int) -> int:
    with open(f"/proc/{master_pid}/task/{master_pid}/children") as children:
        pids = children.read().split()
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as status:
            total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return total


# ----- every route that reads a body: the signed mirror and the order routes too (issue 24, item 3) -----

SIGNED_ORDER = "/api/v3/order"


@pytest.fixture
def trading_gateway(fake, starts_processes):
    port = closed_port()
    proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                          "BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": API_SECRET,
                          "TRADING_ENABLED": "true"}, port)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/status", proc)
        yield port
    finally:
        stop(proc)


def oversized_signed_order(size: int = 20_000) -> bytes:
    """A form body as a bot signs it, padded past MAX_BODY_BYTES (16,384) by a long client order id field."""
    query = f"symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=60000&" \
            f"newClientOrderId=bot-1&timestamp={int(time.time() * 1000)}&padding={'x' * size}"
    signature = hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return f"{query}&signature={signature}".encode()


def chunked(body: bytes, size: int = 4096) -> bytes:
    pieces = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


def request(method: str, path: str, headers: str, body: bytes) -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n").encode() + body


@pytest.mark.parametrize("framing", ["chunked", "content-length"])
def test_a_signed_order_over_the_limit_is_binances_413_and_nothing_reaches_binance(trading_gateway, fake, framing):
    body = oversized_signed_order()
    headers = f"Content-Type: application/x-www-form-urlencoded\r\nX-MBX-APIKEY: {API_KEY}\r\n"
    headers += "Transfer-Encoding: chunked\r\n" if framing == "chunked" else f"Content-Length: {len(body)}\r\n"
    raw = chunked(body) if framing == "chunked" else body

    status, answer = exchange(trading_gateway, request("POST", SIGNED_ORDER, headers, raw))

    assert status == 413, answer[:300]
    assert set(json.loads(answer)) == {"code", "msg"}  # Binance's shape on the mirror
    assert fake.count(SIGNED_ORDER) == 0


def test_a_signed_order_under_the_limit_sent_chunked_reaches_binance_whole(trading_gateway, fake):
    body = oversized_signed_order(size=8_000)
    headers = f"Content-Type: application/x-www-form-urlencoded\r\nX-MBX-APIKEY: {API_KEY}\r\n" \
              "Transfer-Encoding: chunked\r\n"

    status, answer = exchange(trading_gateway, request("POST", SIGNED_ORDER, headers, chunked(body)))

    assert status == 200, answer[:300]
    [record] = fake.requests_to(SIGNED_ORDER)
    assert record.body == body


def test_a_chunked_order_over_the_limit_on_the_gateways_order_route_is_a_413(trading_gateway, fake):
    body = order(note="x" * 20_000).encode()
    headers = f"Content-Type: application/json\r\nX-Internal-Token: {INTERNAL_TOKEN}\r\nTransfer-Encoding: chunked\r\n"

    assert_raw_error(exchange(trading_gateway, request("POST", "/api/binance/orders", headers, chunked(body))), 413)
    assert fake.count("/api/v3/order") == 0
