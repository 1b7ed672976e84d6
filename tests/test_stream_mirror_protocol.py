"""The stream mirror speaks Binance's stream protocol (binance-spot-api-docs web-socket-streams.md): an
app in this process, its streams from the fake exchange, bots' websockets on its port (werkzeug)."""
import json
import socket
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.support.mirror_clients import serving
from tests.support.streaming import started
from tests.support.waiting import wait_until

WAIT_S = 10


@pytest.fixture
def gateway(streamed_app):
    app = streamed_app(STREAM_IDLE_S="2")
    started(app)
    with serving(app) as root:
        yield root.replace("http://", "ws://"), app


def next_message(ws, predicate=lambda m: True, seconds=WAIT_S):
    deadline = time.monotonic() + seconds
    while True:
        raw = ws.recv(timeout=max(0.01, deadline - time.monotonic()))
        message = json.loads(raw)
        if predicate(message):
            return raw, message


def request(ws, method, params=None, ident=1):
    """One request and its answer, paced under Binance's 5 incoming messages a second."""
    time.sleep(0.25)
    ws.send(json.dumps({"method": method, **({"params": params} if params is not None else {}), "id": ident}))
    return next_message(ws, lambda m: isinstance(m, dict) and "id" in m and ("result" in m or "error" in m))[1]


def test_a_raw_stream_in_the_path_gets_binances_payloads_byte_for_byte_and_one_upstream_subscription(
        gateway, streams, fake):
    root, _ = gateway
    with connect(root + "/ws/ethusdt@kline_1m") as ws:
        wait_until(lambda: any("ethusdt@kline_1m" in c.streams for c in streams.open_connections("spot")),
                   "the gateway's upstream subscription")
        fake.prices["ETHUSDT"] = "3500.12000000"
        raw, kline = next_message(ws, lambda m: m.get("k", {}).get("c") == "3500.12000000")
    assert kline["e"] == "kline" and kline["s"] == "ETHUSDT"
    assert raw in streams.sent_texts("spot", "ethusdt@kline_1m")  # the fake's very bytes
    upstream = [c for c in streams.connections if c.market == "spot"]
    assert len(upstream) == 1 and upstream[0].path.startswith("/stream?streams=")  # the gateway's own connection


def test_a_combined_connection_gets_binances_envelope_as_it_came(gateway, streams, fake):
    root, _ = gateway
    with connect(root + "/stream?streams=btcusdt@kline_1m/ethusdt@kline_1m") as ws:
        fake.prices["BTCUSDT"] = "70001.00000000"
        raw, message = next_message(ws, lambda m: m.get("stream") == "btcusdt@kline_1m"
                                    and m["data"]["k"]["c"] == "70001.00000000")
    assert raw.startswith('{"stream":"btcusdt@kline_1m","data":{')
    assert raw == '{"stream":"btcusdt@kline_1m","data":' + \
        next(p for p in streams.sent_texts("spot", "btcusdt@kline_1m") if json.loads(p) == message["data"]) + "}"


@pytest.mark.parametrize("path", ["/ws/0", "/ws", "/stream/ws/1", "/stream/stream"])
def test_an_empty_connection_subscribes_lists_unsubscribes_and_sets_combined_with_binances_answers(
        gateway, fake, path):
    root, _ = gateway
    with connect(root + path) as ws:
        assert request(ws, "SUBSCRIBE", ["ethusdt@kline_1m", "btcusdt@kline_1m"], 1) == {"result": None, "id": 1}
        assert request(ws, "LIST_SUBSCRIPTIONS", None, "a2") == {"result": ["ethusdt@kline_1m", "btcusdt@kline_1m"],
                                                                 "id": "a2"}
        combined = path.endswith("/stream")
        assert request(ws, "GET_PROPERTY", ["combined"], 3) == {"result": combined, "id": 3}
        assert request(ws, "SET_PROPERTY", ["combined", True], 4) == {"result": None, "id": 4}
        fake.prices["ETHUSDT"] = "3501.00000000"
        _, wrapped = next_message(ws, lambda m: m.get("stream") == "ethusdt@kline_1m")
        assert wrapped["data"]["e"] == "kline"
        assert request(ws, "UNSUBSCRIBE", ["ethusdt@kline_1m"], 5) == {"result": None, "id": 5}
        assert request(ws, "LIST_SUBSCRIPTIONS", None, None) == {"result": ["btcusdt@kline_1m"], "id": None}


BAD_REQUESTS = [
    ('{"method": "SUBSCRIBE", "params": ["btcusdt@kline_1m"], "id": 1', 3, "Invalid JSON: "),
    ('{"method": "SUBSCRIB", "params": [], "id": 7}', 2, "Invalid request: unknown variant `SUBSCRIB`, expected one of "
     "`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`"),
    ('{"params": [], "id": 7}', 2, "Invalid request: missing field `method`"),
    ('{"method": "SUBSCRIBE", "params": ["btcusdt@nonsense"], "id": 7}', 2, "Invalid request: invalid stream"),
    ('{"method": "SUBSCRIBE", "params": ["BTCUSDT@trade"], "id": 7}', 2, "Invalid request: invalid stream"),
    ('{"method": "LIST_SUBSCRIPTIONS", "id": 1.5}', 2, "Invalid request: request ID must be an unsigned integer"),
    ('{"method": "LIST_SUBSCRIPTIONS", "id": "has space"}', 2,
     "Invalid request: request ID must be an unsigned integer"),
    ('{"method": "SET_PROPERTY", "params": ["compressed", true], "id": 7}', 0, "Unknown property"),
    ('{"method": "SET_PROPERTY", "params": ["combined", "yes"], "id": 7}', 1, "Invalid value type: expected Boolean"),
    ('{"method": "GET_PROPERTY", "params": [5], "id": 7}', 2, "Invalid request: property name must be a string"),
]


@pytest.mark.parametrize("text, code, msg", BAD_REQUESTS)
def test_bad_input_is_answered_as_binance_answers_it_and_the_connection_stays(gateway, text, code, msg):
    root, _ = gateway
    with connect(root + "/ws") as ws:
        ws.send(text)
        _, answer = next_message(ws)
        assert set(answer) == {"error", "id"} and answer["error"]["code"] == code
        assert answer["error"]["msg"].startswith(msg)
        assert answer["id"] in (7, None)
        time.sleep(1.1)  # the next message in a new second
        assert request(ws, "LIST_SUBSCRIPTIONS", None, 9) == {"result": [], "id": 9}


def test_the_1025th_stream_is_refused_and_the_1024_stay(gateway):
    root, _ = gateway
    names = [f"sym{n}usdt@trade" for n in range(1024)]  # well-formed; no such symbols: nothing is sent
    with connect(root + "/ws", max_size=2**22) as ws:
        assert request(ws, "SUBSCRIBE", names, 1) == {"result": None, "id": 1}
        refused = request(ws, "SUBSCRIBE", ["btcusdt@trade"], 2)
        assert refused["id"] == 2 and refused["error"]["code"] == 2 and "too many streams" in refused["error"]["msg"]
        time.sleep(1.1)
        assert len(request(ws, "LIST_SUBSCRIPTIONS", None, 3)["result"]) == 1024


# Binance's limits on incoming messages a second: spot streams 5, USDT-M futures streams 10
@pytest.mark.parametrize("path, per_s", [("/ws", 5), ("/fstream/ws", 10)])
def test_one_message_past_the_markets_limit_in_a_second_closes_the_connection_as_binance_does(gateway, path, per_s):
    root, _ = gateway
    with connect(root + path) as ws:
        for n in range(per_s + 1):
            ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": n}))
        answers = []
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                answers.append(json.loads(ws.recv(timeout=WAIT_S)))
    assert [a["id"] for a in answers] == list(range(per_s))
    assert closed.value.rcvd.code == 1008 and closed.value.rcvd.reason == "Too many requests"


def test_an_oversized_message_closes_the_connection_with_1009(gateway):
    root, _ = gateway
    with connect(root + "/ws") as ws:
        ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["x" * 70_000], "id": 1}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=WAIT_S)
    assert closed.value.rcvd.code == 1009


def test_a_plain_http_request_on_a_stream_path_is_refused(gateway):
    import requests

    root, _ = gateway
    answer = requests.get(root.replace("ws://", "http://") + "/ws/btcusdt@trade", timeout=WAIT_S)
    assert answer.status_code == 426 and answer.json()["code"] == -1


def test_a_client_that_never_reads_is_closed_and_the_others_keep_their_data(streamed_app, streams, fake):
    app = streamed_app(STREAM_MIRROR_QUEUE_BYTES="65536")
    started(app)
    stream = "btcusdt@depth@100ms"
    with serving(app) as root:
        root = root.replace("http://", "ws://")
        slow = socket.socket()
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: a small window
        slow.connect(("127.0.0.1", int(root.rsplit(":", 1)[1])))
        with connect(f"{root}/ws/{stream}", sock=slow, max_size=None) as never_reads, \
                connect(f"{root}/ws/{stream}", max_size=None) as reader:
            mirror = app.extensions["services"].stream_mirror
            price = 67000
            for step in range(200):  # each jump moves thousands of levels: events of a few hundred kB
                if mirror.streams.hub.dropped:
                    break
                price += 7000 if step % 2 == 0 else -7000
                fake.prices["BTCUSDT"] = f"{price}.00000000"
                next_message(reader, lambda m: m.get("e") == "depthUpdate")
            last = json.loads(reader.recv(timeout=WAIT_S))
            fake.prices["BTCUSDT"] = f"{price + 5}.00000000"
            _, after = next_message(reader, lambda m: m.get("u", 0) > last["u"])
            assert after["e"] == "depthUpdate"
            assert never_reads.protocol.state.name in ("OPEN", "CLOSING", "CLOSED")
    assert mirror.streams.hub.dropped == 1


def test_a_subscription_on_futures_gets_the_fakes_futures_payloads_and_none_of_spots(gateway, streams, fake):
    root, _ = gateway
    with connect(root + "/fstream/ws/1") as ws:
        assert request(ws, "SUBSCRIBE", ["ethusdt@kline_1m"], 12) == {"result": None, "id": 12}
        wait_until(lambda: any("ethusdt@kline_1m" in c.streams for c in streams.open_connections("futures")),
                   "the gateway's upstream subscription on futures")
        fake.prices["ETHUSDT"] = "3502.00000000"
        raw, kline = next_message(ws, lambda m: m.get("k", {}).get("c") == "3502.00000000")
    assert raw in streams.sent_texts("futures", "ethusdt@kline_1m")
    assert not any("ethusdt@kline_1m" in c.streams for c in streams.open_connections("spot"))
