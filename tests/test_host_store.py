"""The host store (SQLite in WAL mode) the workers of one host share without Redis: its
read-modify-writes are atomic across processes, leases are released by their holder
only, and the cache on it is bounded by bytes."""
import multiprocessing
import pickle

import pytest

from python_service.cache_backend import HostCache
from python_service.upstream.host_store import HostStore


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
    def __init__(self):
        from python_service.sourcing.stream_board import Board

        self.board = Board()


def _share(store, owner: bool):
    from python_service.sourcing.stream_share_host import HostShare

    share, streams = HostShare(store), _Streams()
    share._streams, share.is_owner = streams, owner
    streams.board.listen(share._publish)
    return share, streams.board


def test_a_follower_copies_what_the_owner_streams_and_forgets_what_the_owner_dropped(tmp_path):
    store = HostStore(str(tmp_path))
    owner, owners_board = _share(store, owner=True)
    follower, board = _share(store, owner=False)

    owners_board.put("spot", "book:BTCUSDT", {"bids": [["1.0", "2.0"]], "asks": []}, 100.0)
    owners_board.set_meta("spot", state="up", last_message_at=100.0)
    follower.catch_up()
    copied, meta = board.get("spot", "book:BTCUSDT"), board.meta("spot")
    owners_board.drop("spot", "book:BTCUSDT")  # its book broke: REST answers until it is whole again
    follower.catch_up()

    assert copied.data == {"bids": [["1.0", "2.0"]], "asks": []} and copied.event_s == 100.0
    assert meta["state"] == "up"
    assert board.get("spot", "book:BTCUSDT") is None


def test_the_stream_lease_has_one_holder_until_it_expires(tmp_path):
    from python_service.sourcing.stream_share import LEASE_S
    from python_service.sourcing.stream_share_host import OWNER_KEY, HostShare

    now = [1000.0]
    store = HostStore(str(tmp_path), clock=lambda: now[0])
    first, second = HostShare(store, clock=lambda: now[0]), HostShare(store, clock=lambda: now[0])

    held = [store.update(OWNER_KEY, share._claim, ttl=LEASE_S)["token"] for share in (first, second)]
    now[0] += LEASE_S  # the first holder stopped renewing
    taken = store.update(OWNER_KEY, second._claim, ttl=LEASE_S)["token"]

    assert held == [first.token, first.token] and taken == second.token
