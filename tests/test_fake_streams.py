"""The fake exchange's websocket streams speak Binance's protocol (the gateway's tests rely on it)."""
import itertools
import json
from decimal import Decimal

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.support.waiting import wait_until

WAIT_S = 10  # generous: a busy 2-core machine; nothing here is timed


def next_payload(ws, stream: str):
    """The next message of `stream` (combined-stream envelope), skipping others."""
    while True:
        message = json.loads(ws.recv(timeout=WAIT_S))
        if message.get("stream") == stream:
            return message["data"]


def test_combined_stream_pushes_price_changes_in_binances_mini_ticker_shape(streams, fake):
    with connect(streams.url + "/stream?streams=!miniTicker@arr") as ws:
        fake.prices["ETHUSDT"] = "3500.01000000"
        while True:
            rows = {row["s"]: row for row in next_payload(ws, "!miniTicker@arr")}
            if rows.get("ETHUSDT", {}).get("c") == "3500.01000000":
                break
    row = rows["ETHUSDT"]
    assert row["e"] == "24hrMiniTicker" and isinstance(row["E"], int)
    assert set(row) == {"e", "E", "s", "c", "o", "h", "l", "v", "q"}
    assert streams.connections[0].market == "spot" and streams.connections[0].peer == "127.0.0.1"


def test_subscribe_and_unsubscribe_have_replies_with_their_ids_and_change_what_is_pushed(streams, fake):
    with connect(streams.url + "/stream") as ws:
        ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@kline_1m"], "id": 7}))
        assert json.loads(ws.recv(timeout=WAIT_S)) == {"result": None, "id": 7}
        fake.prices["BTCUSDT"] = "70000.00000000"
        kline = next_payload(ws, "btcusdt@kline_1m")
        assert kline["e"] == "kline" and kline["k"]["i"] == "1m" and kline["k"]["c"] == "70000.00000000"
        ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 8}))
        while (reply := json.loads(ws.recv(timeout=WAIT_S))).get("id") != 8:
            pass
        assert reply["result"] == ["btcusdt@kline_1m"]
        ws.send(json.dumps({"method": "UNSUBSCRIBE", "params": ["btcusdt@kline_1m"], "id": 9}))
        while (reply := json.loads(ws.recv(timeout=WAIT_S))).get("id") != 9:
            pass
        assert reply == {"result": None, "id": 9}
    assert streams.connections[0].streams == set()


def test_futures_market_route_pushes_tickers_and_mark_prices(streams, fake):
    with connect(streams.futures_url + "/market/stream?streams=!ticker@arr/!markPrice@arr@1s") as ws:
        ticker = next_payload(ws, "!ticker@arr")[0]
        mark = next_payload(ws, "!markPrice@arr@1s")[0]
    assert ticker["e"] == "24hrTicker" and {"c", "o", "h", "l", "v", "q", "O", "C", "n"} <= set(ticker)
    assert mark["e"] == "markPriceUpdate" and {"p", "i", "r", "T"} <= set(mark)
    assert streams.connections[0].market == "futures"


def test_depth_updates_continue_the_rest_snapshot_and_a_dropped_one_leaves_a_gap(streams, fake):
    import requests

    with connect(streams.url + "/stream?streams=btcusdt@depth@100ms") as ws:
        first = next_payload(ws, "btcusdt@depth@100ms")
        snapshot = requests.get(fake.url + "/api/v3/depth?symbol=BTCUSDT&limit=5", timeout=5).json()
        assert snapshot["lastUpdateId"] >= first["u"]
        streams.drop_next_depth("BTCUSDT")
        fake.prices["BTCUSDT"] = "70001.00000000"
        following = next_payload(ws, "btcusdt@depth@100ms")
        later = next_payload(ws, "btcusdt@depth@100ms")
    assert first["e"] == "depthUpdate" and first["U"] <= first["u"]
    gaps = [b["U"] - a["u"] for a, b in ((first, following), (following, later))]
    assert max(gaps) > 1


def test_futures_depth_updates_carry_pu_and_a_dropped_one_breaks_the_chain(streams, fake):
    import requests

    stream = "btcusdt@depth@100ms"
    with connect(streams.futures_url + "/market/stream?streams=" + stream) as ws:
        first = next_payload(ws, stream)
        snapshot = requests.get(fake.url + "/fapi/v1/depth?symbol=BTCUSDT&limit=5", timeout=5).json()
        second = next_payload(ws, stream)
        streams.drop_next_depth("BTCUSDT", "futures")
        fake.prices["BTCUSDT"] = "70001.00000000"
        later = [second] + [next_payload(ws, stream) for _ in range(2)]  # one may have left before the drop
    assert list(first) == ["e", "E", "T", "s", "U", "u", "pu", "b", "a"]  # Binance's USDT-M payload
    assert (first["e"], first["s"]) == ("depthUpdate", "BTCUSDT") and first["U"] <= first["u"]
    assert second["pu"] == first["u"] and second["U"] > first["u"] + 1  # ids jump; pu chains them
    assert first["u"] <= snapshot["lastUpdateId"] <= second["u"]  # the snapshot continues the futures ids
    assert [b["pu"] == a["u"] for a, b in itertools.pairwise(later)].count(False) == 1


def test_forced_disconnect_closes_every_connection_and_the_log_keeps_them(streams):
    with connect(streams.url + "/stream?streams=!miniTicker@arr") as ws:
        next_payload(ws, "!miniTicker@arr")  # the server has logged the connection by now
        assert streams.disconnect("spot") == 1
        with pytest.raises(ConnectionClosed):
            while True:
                ws.recv(timeout=WAIT_S)
    wait_until(lambda: not streams.open_connections(), "the server side to close", WAIT_S)
    assert streams.count("spot") == 1


def test_a_client_sending_more_than_5_messages_a_second_is_disconnected(streams):
    with connect(streams.url + "/stream") as ws:
        try:
            for n in range(50):
                ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": n}))
        except ConnectionClosed:
            pass
        wait_until(lambda: streams.connections and streams.connections[0].closed_at, "the server to close it",
                   WAIT_S)
    assert streams.connections[0].close_reason == "too many messages"
    assert len(streams.connections[0].requests) == 5


def test_refused_handshakes_and_stalls(streams, fake):
    from websockets.exceptions import InvalidStatus

    streams.refuse = True
    with pytest.raises(InvalidStatus):
        connect(streams.url + "/stream?streams=!miniTicker@arr", open_timeout=WAIT_S)
    streams.refuse = False
    streams.stall("spot")
    with connect(streams.url + "/stream?streams=!miniTicker@arr") as ws:
        fake.prices["ETHUSDT"] = "1.00000000"
        with pytest.raises(TimeoutError):
            ws.recv(timeout=1.5)  # a stalled stream sends nothing, not even the 1 s refresh
        streams.stall("spot", on=False)
        assert next_payload(ws, "!miniTicker@arr")


@pytest.mark.parametrize("market", ["spot", "futures"])
def test_depth_events_remove_crossed_levels_and_a_book_kept_from_them_stays_uncrossed_and_equal_to_rest(
        streams, fake, market):
    import requests

    from python_service.streams.order_book import Book

    root, rest = (streams.url, "/api/v3/depth") if market == "spot" else \
        (streams.futures_url + "/public", "/fapi/v1/depth")
    stream = "ethusdt@depth@100ms"
    with connect(root + "/stream?streams=" + stream) as ws:
        buffered = [next_payload(ws, stream)]  # Binance's recipe: the stream first, then the snapshot
        snapshot = requests.get(f"{fake.url}{rest}?symbol=ETHUSDT&limit=1000", timeout=5).json()
        book = Book(snapshot, 1000, futures=market == "futures")
        assert all(book.apply(event) for event in buffered)
        removals = 0
        for step, price in enumerate(["3460.00000000", "3452.10000000", "3470.55000000", "3449.99000000"] * 3):
            fake.prices["ETHUSDT"] = price
            while True:  # until an event moved the book to this price
                event = next_payload(ws, stream)
                assert book.apply(event), f"a gap after step {step}"
                removals += sum(1 for _, qty in event["b"] + event["a"] if Decimal(qty) == 0)
                top = book.snapshot()
                assert Decimal(top["bids"][0][0]) < Decimal(top["asks"][0][0]), "crossed"
                if Decimal(top["bids"][0][0]) < Decimal(price) <= Decimal(top["asks"][0][0]):
                    break
        while book.last_id != fake.depth_books.last_id(market, "ETHUSDT"):
            assert book.apply(next_payload(ws, stream))
        final = requests.get(f"{fake.url}{rest}?symbol=ETHUSDT&limit=1000", timeout=5).json()
    assert removals > 0
    assert final["lastUpdateId"] == book.last_id
    kept = book.snapshot()  # a local book knows the levels it was told about: the top of the REST one
    assert len(kept["bids"]) > 100 and kept["bids"] == final["bids"][:len(kept["bids"])]
    assert len(kept["asks"]) > 100 and kept["asks"] == final["asks"][:len(kept["asks"])]
