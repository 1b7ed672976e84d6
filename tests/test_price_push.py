"""GET /api/binance/stream/prices: server-sent events, one per price change, bounded per
client, free once the client has gone; forwarded by express_api as it is written."""

import pytest
import requests

from tests.support.ports import closed_port
from tests.support.processes import start_express, start_gateway, stop, wait_until_up
from tests.support.streaming import candle_events, events_of, next_event, started
from tests.support.waiting import WAIT_S, wait_until


def test_one_event_per_change_with_symbol_price_source_and_as_of(streamed_app, streams, fake):
    client = started(streamed_app())
    response = client.get("/api/binance/stream/prices?symbols=ETHUSDT,BTCUSDT", buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    events = events_of(response.response)
    first = [next_event(events, lambda e: True, "BTCUSDT"), next_event(events, lambda e: True, "ETHUSDT")]
    assert {e["symbol"] for e in first} == {"ETHUSDT", "BTCUSDT"}
    assert all(e["source"] == "stream" and e["as_of"].endswith("Z") for e in first)

    streams.set_price("ETHUSDT", "3999.00000000")
    changed = next_event(events, lambda e: e["price"] == "3999.00000000", "the change")
    assert changed == {"symbol": "ETHUSDT", "price": "3999.00000000", "source": "stream", "as_of": changed["as_of"]}
    streams.set_price("BTCUSDT", "71000.00000000")
    following = next_event(events, lambda e: True, "the next change")
    assert (following["symbol"], following["price"]) == ("BTCUSDT", "71000.00000000")  # no repeat of ETHUSDT
    response.close()


def test_without_a_stream_the_events_come_from_rest_and_say_so(make_app, fake):
    client = make_app().test_client()  # STREAMS_ENABLED=false
    response = client.get("/api/binance/stream/prices?symbols=ETHUSDT", buffered=False)
    events = events_of(response.response)
    # REST, fetched for the check before the stream
    assert next_event(events, lambda e: True, "the first price")["source"] in ("live", "cache")
    fake.prices["ETHUSDT"] = "3111.00000000"
    client.application.extensions["services"].clock.advance(2)  # past the prices TTL
    changed = next_event(events, lambda e: e["price"] == "3111.00000000", "the polled change")
    assert changed["source"] in ("live", "cache")
    response.close()


def test_subscribers_are_bounded_per_client_and_a_closed_one_frees_its_place(make_app):
    client = make_app().test_client()
    url = "/api/binance/stream/prices?symbols=ETHUSDT"
    open_ = [client.get(url, buffered=False) for _ in range(4)]
    refused = client.get(url)
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "too_many_subscriptions"
    for response in open_:
        next(iter(response.response))  # the generator runs: its listener is registered
    open_[0].close()
    assert client.get("/api/status").get_json()["price_subscribers"] == 3
    again = client.get(url, buffered=False)
    assert again.status_code == 200
    for response in open_[1:] + [again]:
        response.close()
    assert client.get("/api/status").get_json()["price_subscribers"] == 0


@pytest.mark.parametrize("query", ["", "?symbols=", "?symbols=BTC%26USDT", "?symbols=NOPEUSDT"])
def test_bad_or_unknown_symbols_get_the_error_shape_before_any_stream(client, query):
    answer = client.get("/api/binance/stream/prices" + query)
    assert answer.status_code in (400, 404) and answer.get_json()["error"]["code"] in ("invalid_symbol",
                                                                                       "unknown_symbol")


@pytest.mark.processes
def test_express_forwards_the_events_unbuffered_and_a_leaving_client_costs_nothing(fake, streams):
    gateway_port, api_port = closed_port(), closed_port()
    gateway = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                             "BINANCE_WS_URL": streams.url, "BINANCE_FUTURES_WS_URL": streams.futures_url,
                             "STREAMS_ENABLED": "true",
                             "GUNICORN_WORKERS": "1"}, gateway_port)  # price_subscribers counts one worker's clients
    api = start_express({"PYTHON_SERVICE_URL": f"http://127.0.0.1:{gateway_port}",
                         "JWT_SECRET": "push-test-secret-0123456789abcdefghij"}, api_port)
    status_url = f"http://127.0.0.1:{gateway_port}/api/status"
    try:
        wait_until_up(status_url, gateway)
        wait_until_up(f"http://127.0.0.1:{api_port}/api/openapi.json", api)
        wait_until(lambda: requests.get(status_url, timeout=5).json()["streams"]["spot"]["state"] == "up", "streams")
        with requests.get(f"http://127.0.0.1:{api_port}/api/binance/stream/prices?symbols=ETHUSDT",
                          stream=True, timeout=WAIT_S) as answer:
            assert answer.headers["content-type"].startswith("text/event-stream")
            events = events_of(answer.iter_content(chunk_size=None))
            next_event(events, lambda e: True, "the first price")
            streams.set_price("ETHUSDT", "3222.00000000")  # arrives while the response is still open
            assert next_event(events, lambda e: e["price"] == "3222.00000000", "the change")["source"] == "stream"
            assert requests.get(status_url, timeout=5).json()["price_subscribers"] == 1
        wait_until(lambda: requests.get(status_url, timeout=5).json()["price_subscribers"] == 0,
                   "the subscription to end with the client")
    finally:
        stop(api)
        stop(gateway)


def test_candle_events_follow_the_kline_stream(streamed_app, streams, fake):
    client = started(streamed_app())
    response = client.get("/api/binance/stream/klines?symbol=SOLUSDT&interval=1m", buffered=False)
    assert response.status_code == 200
    events = candle_events(response.response)
    wait_until(lambda: client.get("/api/binance/klines?symbol=SOLUSDT&interval=1m&limit=1").headers[
        "X-Data-Source"] == "stream", "the kline stream")
    streams.set_price("SOLUSDT", "150.25000000")
    candle = next_event(events, lambda e: e["close"] == "150.25000000" and e["source"] == "stream", "the candle")
    assert {"open_time", "open", "high", "low", "close", "volume", "as_of"} <= set(candle)
    response.close()


def test_a_candle_that_turns_stale_is_sent_again_saying_so(make_app, fake):
    client = make_app().test_client()  # STREAMS_ENABLED=false: candles polled through the usual path
    response = client.get("/api/binance/stream/klines?symbol=SOLUSDT&interval=1m", buffered=False)
    events = candle_events(response.response)
    first = next_event(events, lambda e: True, "the first candle")
    assert first["source"] in ("live", "cache")
    fake.add_fault("restricted")
    client.application.extensions["services"].clock.advance(60)  # past the klines TTL: Binance is asked, and says 451
    stale = next_event(events, lambda e: e["source"] != first["source"], "the candle marked stale")
    assert stale["source"] == "stale" and stale["open_time"] == first["open_time"] and stale["close"] == first["close"]
    response.close()


@pytest.mark.parametrize("worker, connections, threads, room", [
    ("gevent", 1000, 8, 250),  # a greenlet each: a quarter of the worker's connections
    ("gthread", 1000, 8, 4),   # a thread each: half the threads, the rest for ordinary requests
])
def test_a_worker_admits_event_streams_by_what_each_one_holds(worker, connections, threads, room):
    from python_service.services.price_push import PricePush
    from python_service.settings import Settings

    settings = Settings.from_env({"GUNICORN_WORKER_CLASS": worker, "GUNICORN_WORKER_CONNECTIONS": str(connections),
                                  "GUNICORN_THREADS": str(threads)})
    push = PricePush(spot=None, streams=None, settings=settings)
    for number in range(room):
        push.subscribe(f"client-{number}", ["BTCUSDT"])

    with pytest.raises(Exception) as full:
        push.subscribe("one-more", ["BTCUSDT"])
    assert (full.value.status, full.value.code) == (503, "subscriptions_full")
    assert push.open_count() == room
