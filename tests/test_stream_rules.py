"""Binance's connection rules as the stream feed keeps them, with injected clocks (no waiting)."""
import pytest

from python_service.settings import Settings, SettingsError
from python_service.stores import MemoryStore
from python_service.streams.connection import BACKOFF_CAP_S, backoff_s
from python_service.streams.order_book import Book
from python_service.upstream.websocket import OutgoingLimit, stream_url
from python_service.upstream.ws_attempts import ConnectAttempts


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_back_off_grows_exponentially_is_capped_and_jittered():
    assert [backoff_s(n, rand=lambda: 1.0) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]
    assert backoff_s(50, rand=lambda: 1.0) == BACKOFF_CAP_S
    assert backoff_s(3, rand=lambda: 0.25) == 1.0  # full jitter: anywhere in [0, the cap of that step]


def test_connection_attempts_stay_within_the_deployments_budget_in_any_5_minutes():
    clock = Clock()
    store = MemoryStore(clock)  # shared by every worker (the host's file, or Redis, in a deployment)
    workers = [ConnectAttempts(store, 240, clock), ConnectAttempts(store, 240, clock)]
    taken = 0
    for _minute in range(5):
        for n in range(100):
            taken += workers[n % 2].take() == 0
        clock.now += 60
    assert taken == 240 and workers[0].used() == 140  # the first minute's 100 have left the window
    assert sum(workers[n % 2].take() == 0 for n in range(200)) == 100
    assert workers[1].used() == 240 and workers[1].take() > 0


def test_at_most_5_outgoing_messages_in_any_second():
    clock = Clock()
    limit = OutgoingLimit(5, clock=clock, sleep=clock.sleep)
    sent_at = []
    for _ in range(12):
        limit.wait()
        sent_at.append(clock.now)
    for i in range(len(sent_at) - 5):
        assert sent_at[i + 5] - sent_at[i] >= 1.0


def test_the_book_follows_binances_update_id_rules():
    book = Book({"lastUpdateId": 100, "bids": [["10.0", "1"]], "asks": [["11.0", "1"]]}, limit=5)
    assert book.apply({"U": 90, "u": 100, "b": [], "a": []})  # older than the snapshot: ignored
    assert book.apply({"U": 95, "u": 102, "b": [["10.0", "0"], ["9.5", "2"]], "a": []})
    assert book.snapshot()["bids"] == [["9.5", "2"]] and book.last_id == 102
    assert book.apply({"U": 103, "u": 104, "b": [], "a": [["10.5", "3"]]})
    assert book.snapshot()["asks"][0] == ["10.5", "3"]
    assert not book.apply({"U": 106, "u": 107, "b": [], "a": []})  # 105 is missing: a gap


def test_first_event_after_the_snapshot_must_cover_it():
    book = Book({"lastUpdateId": 100, "bids": [], "asks": []}, limit=5)
    assert not book.apply({"U": 103, "u": 105, "b": [], "a": []})


def futures_book(last_id=100):
    return Book({"lastUpdateId": last_id, "E": 1, "T": 1, "bids": [["10.0", "1"]], "asks": [["11.0", "1"]]},
                limit=5, futures=True)


def test_the_futures_book_follows_the_pu_rule_not_contiguous_ids():
    book = futures_book()
    assert book.apply({"U": 80, "u": 99, "pu": 70, "b": [], "a": []})  # u < lastUpdateId: dropped
    assert book.apply({"U": 98, "u": 100, "pu": 90, "E": 5, "T": 4, "b": [["9.5", "2"]], "a": []})  # u == it: first
    assert book.last_id == 100 and book.snapshot()["bids"][1] == ["9.5", "2"]
    assert book.apply({"U": 107, "u": 109, "pu": 100, "E": 6, "T": 5, "b": [], "a": []})  # ids jump: pu chains
    assert book.snapshot()["E"] == 6 and book.last_id == 109
    assert not book.apply({"U": 110, "u": 112, "pu": 108, "b": [], "a": []})  # U is u + 1, but pu is not u: a gap


def test_the_first_futures_event_must_hold_the_snapshots_id():
    assert futures_book().apply({"U": 95, "u": 120, "pu": 90, "b": [], "a": []})  # U <= 100 <= u
    assert not futures_book().apply({"U": 101, "u": 120, "pu": 100, "b": [], "a": []})  # U past it


def test_a_spot_book_reads_a_futures_jump_as_a_gap_which_is_why_futures_have_their_own_rule():
    book = Book({"lastUpdateId": 100, "bids": [], "asks": []}, limit=5)
    assert book.apply({"U": 98, "u": 101, "b": [], "a": []})
    assert not book.apply({"U": 108, "u": 110, "pu": 101, "b": [], "a": []})


def test_stream_roots_default_to_binance_switch_to_the_testnet_and_are_validated():
    production = Settings.from_env({})
    assert (production.ws_url, production.futures_ws_url) == ("wss://stream.binance.com:9443",
                                                               "wss://fstream.binance.com")
    assert production.streams_enabled is True
    testnet = Settings.from_env({"BINANCE_TESTNET": "true", "BINANCE_FUTURES_WS_URL": "ws://127.0.0.1:9/f"})
    assert testnet.ws_url == "wss://stream.testnet.binance.vision"
    assert testnet.futures_ws_url == "ws://127.0.0.1:9/f"  # an explicitly set root still wins
    with pytest.raises(SettingsError, match="BINANCE_WS_URL"):
        Settings.from_env({"BINANCE_WS_URL": "https://stream.binance.com"})
    with pytest.raises(SettingsError, match="STREAMS_ENABLED"):
        Settings.from_env({"STREAMS_ENABLED": "maybe"})


def test_futures_use_the_market_route_and_spot_the_plain_one():
    assert stream_url("wss://fstream.binance.com", ["!ticker@arr"], futures=True) == \
        "wss://fstream.binance.com/market/stream?streams=!ticker@arr"
    assert stream_url("wss://stream.binance.com:9443/", ["!miniTicker@arr", "btcusdt@depth@100ms"]) == \
        "wss://stream.binance.com:9443/stream?streams=!miniTicker@arr/btcusdt@depth@100ms"


def test_creating_the_app_opens_no_connection(make_app, streams):
    app = make_app(STREAMS_ENABLED="true", BINANCE_WS_URL=streams.url, BINANCE_FUTURES_WS_URL=streams.futures_url)
    assert app.extensions["services"].streams.describe()["started"] is False
    assert streams.count() == 0
