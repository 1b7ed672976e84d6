"""The host store (SQLite in WAL mode) the workers of one host share without Redis: its
read-modify-writes are atomic across processes, leases are released by their holder
only, and the cache on it is bounded by bytes."""
import multiprocessing
import pickle
import time

import pytest

from python_service.stores.cache import HostCache
from python_service.stores.host import HostStore


def _spend(directory: str, times: int) -> None:
    store = HostStore(directory)
    for _ in range(times):
        store.incr("weight:spent", 2, ttl=120)
        store.update("record", lambda known: {"n": (known or {"n": 0})["n"] + 1})


@pytest.mark.processes
def test_increments_and_updates_from_four_processes_are_all_counted(tmp_path):
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_spend, args=(str(tmp_path), 150)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    store = HostStore(str(tmp_path))
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert store.get("weight:spent") == 4 * 150 * 2 and store.get("record") == {"n": 600}


def test_a_key_expires_and_a_lease_is_deleted_by_its_holder_only(tmp_path):
    now = [1000.0]
    store = HostStore(str(tmp_path), clock=lambda: now[0])

    assert store.add("flight:prices", "mine", ttl=30) and not store.add("flight:prices", "theirs", ttl=30)
    assert not store.delete_if("flight:prices", "theirs") and store.get("flight:prices") == "mine"
    now[0] += 30
    assert store.get("flight:prices") is None and store.add("flight:prices", "theirs", ttl=30)
    assert not store.delete_if("flight:prices", "mine") and store.delete_if("flight:prices", "theirs")


def test_the_shared_cache_stays_under_its_bytes_and_drops_an_oversized_entry(tmp_path):
    cache = HostCache(str(tmp_path), threshold=1000, max_bytes=65536)
    cache.set("klines:old", "x" * 1000, timeout=60)

    for i in range(40):
        cache.set(f"klines:{i}", "y" * 5000, timeout=60 + i)
    cache.set("klines:39", "z" * 20000, timeout=60)  # over a quarter of the bound: not kept

    assert cache.stored_bytes <= 65536
    assert cache.get("klines:old") is None and cache.get("klines:38") == "y" * 5000
    assert cache.get("klines:39") is None  # the older copy is gone too
    assert cache.stored_bytes == sum(len(pickle.dumps(cache.get(f"klines:{i}"), pickle.HIGHEST_PROTOCOL))
                                     for i in range(40) if cache.get(f"klines:{i}") is not None)


class _Streams:
    """What a share needs of the streams: their board, and being told to connect or stop."""

    def __init__(self):
        from python_service.streams.board import Board

        self.board, self.owned = Board(), 0

    def own(self) -> None:
        self.owned += 1

    def disown(self) -> None:
        self.owned -= 1


def _share(store, clock=time.time):
    from python_service.streams.share import Share
    from python_service.streams.share_host import HostBackend

    backend = HostBackend(store, clock)
    share, streams = Share(backend, clock), _Streams()
    share._streams = streams
    streams.board.listen(share._publish)
    return share, backend, streams


def test_a_follower_copies_what_the_owner_streams_and_forgets_what_the_owner_dropped(tmp_path):
    store = HostStore(str(tmp_path))
    owner, _, owners = _share(store)
    follower, follower_backend, followers = _share(store)
    owner.elect()  # the first to ask holds the lease
    follower.elect()

    owners.board.put("spot", "book:BTCUSDT", {"bids": [["1.0", "2.0"]], "asks": []}, 100.0)
    owners.board.set_meta("spot", state="up", last_message_at=100.0)
    follower_backend.catch_up(follower.apply)
    copied, meta = followers.board.get("spot", "book:BTCUSDT"), followers.board.meta("spot")
    owners.board.drop("spot", "book:BTCUSDT")  # its book broke: REST answers until it is whole again
    follower_backend.catch_up(follower.apply)

    assert (owner.is_owner, follower.is_owner, owners.owned, followers.owned) == (True, False, 1, 0)
    assert copied.data == {"bids": [["1.0", "2.0"]], "asks": []} and copied.event_s == 100.0
    assert meta["state"] == "up"
    assert followers.board.get("spot", "book:BTCUSDT") is None


def test_the_stream_lease_has_one_holder_until_it_expires_or_is_released(tmp_path):
    from python_service.streams.share import LEASE_S

    now = [1000.0]
    store = HostStore(str(tmp_path), clock=lambda: now[0])
    (first, _, firsts), (second, _, seconds) = _share(store, lambda: now[0]), _share(store, lambda: now[0])

    first.elect()
    second.elect()
    held = (first.is_owner, second.is_owner)
    now[0] += LEASE_S  # the first holder stopped renewing
    second.elect()
    first.elect()  # it finds the lease taken: it stops connecting
    taken = (first.is_owner, second.is_owner, firsts.owned, seconds.owned)
    second.stop()  # gives the lease up at once, not after LEASE_S
    first.elect()

    assert held == (True, False) and taken == (False, True, 0, 1)
    assert first.is_owner


def test_an_account_event_rings_the_followers_doorbell_instead_of_waiting_for_their_next_read(tmp_path, monkeypatch):
    import threading

    from python_service.streams import share_host
    from tests.support.waiting import wait_until

    monkeypatch.setattr(share_host, "FOLLOW_S", 60.0)  # without the doorbell, the follower reads a minute later
    store = HostStore(str(tmp_path))
    owner, _, owners = _share(store)
    follower, follower_backend, followers = _share(store)
    owner.elect()
    follower.elect()
    got, stop = [], threading.Event()
    followers.board.listen(lambda market, key, payload, event_s, mode: got.append((mode, payload)))
    reading = threading.Thread(target=follower_backend.follow, args=(follower.apply, stop, lambda: True))
    reading.start()
    try:
        wait_until(lambda: store.get(share_host.BELLS_KEY), "the follower's doorbell", 10)
        follower_backend.catch_up(follower.apply)  # what was there before it follows is not news
        owners.board.emit("spot", "account:event", {"type": "order", "clientOrderId": "a-1"}, 1.0)
        wait_until(lambda: ("event", {"type": "order", "clientOrderId": "a-1"}) in got, "the event at the follower", 10)
    finally:
        stop.set()
        follower_backend.ring()  # it wakes, sees stop, unbinds
        reading.join(10)
    assert not reading.is_alive() and store.get(share_host.BELLS_KEY) == []  # struck off when it stopped


def test_a_doorbell_nobody_answers_any_more_is_removed_when_rung(tmp_path):
    import socket

    from python_service.streams import share_host

    store = HostStore(str(tmp_path))
    _, backend, _ = _share(store)
    alive = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    alive.bind("\0test-bell-alive")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as gone:  # bound, then its worker died
        gone.bind("\0test-bell-gone")
    store.set(share_host.BELLS_KEY, ["test-bell-gone", "test-bell-alive"])

    backend.ring()

    assert store.get(share_host.BELLS_KEY) == ["test-bell-alive"] and alive.recv(16) == b"!"
    alive.close()
