"""Binance's websocket streams as the normal source of prices, tickers, candles and books,
REST at once when a stream is down, silent or behind (tests/fake_binance/streams.py)."""
import time

import pytest
import requests

from tests.support.ports import closed_port
from tests.support.proxies import start_microsocks
from tests.support.streaming import started
from tests.support.waiting import wait_until

NOTHING = type("Nothing", (), {"data": {}})()  # what an unhealthy stream's fresh() stands for in a wait


def spot_state(client) -> dict:
    return client.get("/api/status").get_json()["streams"]["spot"]


def test_prices_come_from_the_stream_fresh_after_a_change_at_zero_rest_weight(streamed_app, streams, fake):
    client = started(streamed_app())
    assert fake.count("/api/v3/ticker/price") == 1  # the seed, one call
    fake.log.clear()
    weight_after_seed = fake.used_weight()

    streams.set_price("ETHUSDT", "3600.12000000")
    answer = wait_until(lambda: (r := client.get("/api/binance/price/ETHUSDT").get_json())["price"] == "3600.12000000"
                        and r, "the new price")

    assert answer["source"] == "stream"
    assert abs(time.time() - _epoch(answer["as_of"])) < 60  # Binance's event time, not a cache time
    many = client.get("/api/binance/prices?symbols=ETHUSDT,BTCUSDT")
    assert many.headers["X-Data-Source"] == "stream"
    # zero spot REST weight after the seed (the futures stream's own seed may land after the clear)
    assert fake.count(market="spot") == 0 and fake.used_weight() == weight_after_seed
    assert len(streams.open_connections("spot")) == 1


def test_a_forced_disconnect_falls_back_to_rest_at_once_then_reconnects_to_the_stream(streamed_app, streams, fake):
    client = started(streamed_app())
    # The gateway is up once the handshake is answered and its REST seed is in; the fake logs the
    # connection in its own handler thread, which a busy machine may run a little later.
    wait_until(lambda: streams.open_connections("spot"), "the fake to log the connection")
    streams.refuse = True  # Binance does not take us back at once
    assert streams.disconnect("spot") == 1

    wait_until(lambda: spot_state(client)["state"] != "up", "the feed to notice the disconnect")
    answer = client.get("/api/binance/price/ETHUSDT")
    assert answer.headers["X-Data-Source"] == "live"  # REST, at once: no waiting for the stream
    assert fake.count("/api/v3/ticker/price") >= 2

    streams.refuse = False
    wait_until(lambda: client.get("/api/binance/price/ETHUSDT").headers["X-Data-Source"] == "stream", "the reconnect")
    wait_until(lambda: streams.count("spot") == 2, "the fake to log the reconnection")
    assert len(streams.open_connections("spot")) == 1
    assert spot_state(client)["reconnects"] >= 1


def test_a_silent_stream_is_not_served_and_rest_answers(streamed_app, streams, fake, clock):
    client = started(streamed_app(STREAM_SILENCE_S="5"))
    streams.stall("spot")

    def silent_for_longer_than_allowed():
        clock.advance(6)  # the gateway's clock: past STREAM_SILENCE_S since any message still in flight
        return spot_state(client)["state"] == "silent"
    wait_until(silent_for_longer_than_allowed, "the silence to be noticed")
    assert client.get("/api/binance/price/ETHUSDT").headers["X-Data-Source"] == "live"
    streams.stall("spot", on=False)
    wait_until(lambda: client.get("/api/binance/price/ETHUSDT").headers["X-Data-Source"] == "stream", "data again")


def test_a_gap_in_the_depth_update_ids_seeds_the_book_again_from_rest(streamed_app, streams, fake):
    client = started(streamed_app())
    wait_until(lambda: client.get("/api/binance/depth?symbol=BTCUSDT&limit=5").headers["X-Data-Source"] == "stream",
               "the book from the stream")
    depth_calls = fake.count("/api/v3/depth")  # the first answer (REST, while subscribing) and the seed
    before = client.get("/api/binance/depth?symbol=BTCUSDT&limit=5").get_json()

    streams.drop_next_depth("BTCUSDT")
    streams.set_price("BTCUSDT", "68000.00000000")

    wait_until(lambda: fake.count("/api/v3/depth") == depth_calls + 1, "the book to be seeded again")
    after = wait_until(lambda: (r := client.get("/api/binance/depth?symbol=BTCUSDT&limit=5")).headers[
        "X-Data-Source"] == "stream" and r.get_json(), "the book from the stream again")
    assert after["lastUpdateId"] > before["lastUpdateId"] + 3  # the dropped update's ids are behind it
    assert len(after["bids"]) == 5 and spot_state(client)["book_reseeds"] == 1


def futures_state(client) -> dict:
    return client.get("/api/status").get_json()["streams"]["futures"]


def test_the_futures_book_comes_from_the_futures_depth_stream_by_the_pu_rule(streamed_app, streams, fake):
    client = started(streamed_app())
    url = "/api/binance/futures/depth?symbol=BTCUSDT&limit=5"
    first = wait_until(lambda: (r := client.get(url)).headers["X-Data-Source"] == "stream" and r.get_json(),
                       "the futures book from the stream")
    seeds, reseeds = fake.count("/fapi/v1/depth"), futures_state(client)["book_reseeds"]

    # futures' update ids jump between one symbol's events (pu chains them): no gap, no new seed
    streams.set_price("BTCUSDT", "68000.00000000")
    moved = wait_until(lambda: (r := client.get(url).get_json())["lastUpdateId"] > first["lastUpdateId"] + 7 and r,
                       "later futures depth events")
    assert client.get(url).headers["X-Data-Source"] == "stream"
    assert fake.count("/fapi/v1/depth") == seeds and futures_state(client)["book_reseeds"] == reseeds
    assert list(moved) == ["symbol", "lastUpdateId", "E", "T", "bids", "asks", "source", "as_of", "age_s"]
    mirrored = client.get("/fapi/v1/depth?symbol=BTCUSDT&limit=5")
    assert mirrored.headers["X-Data-Source"] == "stream"
    assert list(mirrored.get_json()) == list(requests.get(fake.url + "/fapi/v1/depth?symbol=BTCUSDT&limit=5",
                                                          timeout=5).json())


def test_a_futures_depth_event_whose_pu_is_not_the_previous_u_seeds_the_book_again(streamed_app, streams, fake):
    client = started(streamed_app())
    url = "/api/binance/futures/depth?symbol=BTCUSDT&limit=5"
    before = wait_until(lambda: (r := client.get(url)).headers["X-Data-Source"] == "stream" and r.get_json(),
                        "the futures book from the stream")
    seeds, reseeds = fake.count("/fapi/v1/depth"), futures_state(client)["book_reseeds"]

    streams.drop_next_depth("BTCUSDT", "futures")
    streams.set_price("BTCUSDT", "68000.00000000")

    wait_until(lambda: fake.count("/fapi/v1/depth") == seeds + 1, "the futures book to be seeded again")
    after = wait_until(lambda: (r := client.get(url)).headers["X-Data-Source"] == "stream" and r.get_json(),
                       "the futures book from the stream again")
    assert after["lastUpdateId"] > before["lastUpdateId"] + 7  # past the dropped event's ids
    # the new snapshot continued into the buffered event that showed the gap, and later events continue it
    streams.set_price("BTCUSDT", "68100.00000000")
    wait_until(lambda: client.get(url).get_json()["lastUpdateId"] > after["lastUpdateId"], "events on the new book")
    assert client.get(url).headers["X-Data-Source"] == "stream"
    assert len(after["bids"]) == 5 and futures_state(client)["book_reseeds"] == reseeds + 1
    assert fake.count("/fapi/v1/depth") == seeds + 1


def test_the_futures_book_is_rest_while_the_futures_stream_is_down(streamed_app, streams, fake):
    client = started(streamed_app())
    url = "/api/binance/futures/depth?symbol=BTCUSDT&limit=5"
    wait_until(lambda: client.get(url).headers["X-Data-Source"] == "stream", "the futures book from the stream")
    streams.refuse = True
    streams.disconnect("futures")
    wait_until(lambda: futures_state(client)["state"] != "up", "the futures feed to notice the disconnect")

    assert client.get(url).headers["X-Data-Source"] in ("live", "cache")


def test_candles_come_from_the_kline_stream_after_one_rest_seed(streamed_app, streams, fake):
    client = started(streamed_app())
    url = "/api/binance/klines?symbol=BNBUSDT&interval=1m&limit=10"
    wait_until(lambda: client.get(url).headers["X-Data-Source"] == "stream", "candles from the stream")
    fake.log.clear()
    streams.set_price("BNBUSDT", "600.50000000")
    wait_until(lambda: client.get(url).get_json()["candles"][-1]["close"] == "600.50000000", "the live candle")
    assert client.get(url).headers["X-Data-Source"] == "stream"
    assert fake.count("/api/v3/klines") == 0


def test_spot_tickers_of_named_symbols_come_from_their_ticker_streams(streamed_app, streams, fake):
    client = started(streamed_app())
    url = "/api/binance/ticker/24hr?symbols=BTCUSDT,ETHUSDT"
    wait_until(lambda: client.get(url).headers["X-Data-Source"] == "stream", "tickers from the stream")
    fake.log.clear()
    streams.set_price("ETHUSDT", "3700.00000000")
    rows = wait_until(lambda: {r["symbol"]: r for r in client.get(url).get_json()["tickers"]}
                      if client.get(url).get_json()["tickers"][1]["lastPrice"] == "3700.00000000" else None,
                      "the new ticker")
    assert list(rows["ETHUSDT"]) == list(fake.routes["/api/v3/ticker/24hr"].handler({"symbol": "ETHUSDT"}, {}))
    assert fake.count() == 0


def test_futures_tickers_come_from_the_futures_market_stream(streamed_app, streams, fake):
    client = started(streamed_app())
    url = "/api/binance/futures/ticker/24hr?symbol=ETHUSDT"
    wait_until(lambda: client.get(url).headers["X-Data-Source"] == "stream", "futures tickers from the stream")
    assert streams.open_connections("futures")[0].path.startswith("/futures/market/stream")
    # before the stream had it, REST answered (once, or more on a busy machine where an attempt
    # timed out); from now on, none
    fake.log.clear()
    assert [client.get(url).headers["X-Data-Source"] for _ in range(3)] == ["stream"] * 3
    assert fake.count("/fapi/v1/ticker/24hr") == 0


def test_the_connection_is_renewed_before_binances_24_hour_cut(streamed_app, streams, clock):
    started(streamed_app(STREAM_MAX_AGE_S="60"))

    def renewed_after_its_age():
        clock.advance(61)  # the gateway's clock: each connection is past STREAM_MAX_AGE_S
        return streams.count("spot") >= 3
    wait_until(renewed_after_its_age, "renewed connections")


@pytest.mark.processes
def test_streams_go_through_a_socks_proxy(streamed_app, streams):
    proxy = start_microsocks()
    try:
        started(streamed_app(BINANCE_PROXY_URL=proxy.url))
        assert {c.peer for c in streams.connections if c.market == "spot"} == {"127.0.0.2"}  # the proxy's side
    finally:
        proxy.stop()


def test_status_shows_each_streams_state_lag_and_last_message(streamed_app, streams):
    client = started(streamed_app())
    wait_until(lambda: spot_state(client)["lag_s"] is not None, "a first event")
    shown = client.get("/api/status").get_json()["streams"]
    assert shown["enabled"] is True
    assert shown["spot"]["state"] == "up" and shown["spot"]["last_message_at"].endswith("Z")
    assert shown["spot"]["lag_s"] is not None and shown["spot"]["streams"] >= 1


def test_with_streams_disabled_nothing_connects_and_rest_serves(make_app, streams, fake):
    client = make_app(STREAMS_ENABLED="false", BINANCE_WS_URL=streams.url).test_client()
    assert client.get("/api/binance/price/ETHUSDT").headers["X-Data-Source"] == "live"
    assert client.get("/api/status").get_json()["streams"] == {"enabled": False}
    assert streams.count() == 0


def _epoch(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def test_the_mirror_serves_binances_ticker_price_from_the_same_stream(streamed_app, streams, fake, clock):
    app = streamed_app()
    client = started(app)
    clock.now = time.time() + 3600  # the service clock well past the event times: the mirror must accept "stream"
    streams.set_price("ETHUSDT", "3555.55000000")
    wait_until(lambda: (app.extensions["services"].streams.fresh("spot", "prices") or NOTHING).data.get("ETHUSDT")
               == "3555.55000000", "the new price streamed (a message since the jump: the stream is healthy)")
    fake.log.clear()
    answer = client.get("/api/v3/ticker/price?symbol=ETHUSDT")
    assert answer.get_json() == {"symbol": "ETHUSDT", "price": "3555.55000000"}
    assert answer.headers["X-Data-Source"] == "stream"
    assert fake.count("/api/v3/ticker/price") == 0


@pytest.mark.parametrize("proxy", ["http://PROXYKEY7731@127.0.0.1:{port}",
                                   "http://user:PROXYPASS7731@127.0.0.1:{port}"])
def test_a_stream_error_never_shows_the_proxy_userinfo_in_status_or_logs(streamed_app, caplog, proxy):
    app = streamed_app(BINANCE_PROXY_URL=proxy.format(port=closed_port()))
    app.extensions["services"].streams.start()
    client = app.test_client()
    wait_until(lambda: spot_state(client).get("last_error"), "the stream's first error")

    text = client.get("/api/status").get_data(as_text=True) + caplog.text
    assert "PROXYKEY7731" not in text and "PROXYPASS7731" not in text


