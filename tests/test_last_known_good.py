"""Last known good survives a restart, and its files are never torn."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from python_service.sourcing import last_known_good
from python_service.sourcing.last_known_good import LastKnownGood

ROOT = Path(__file__).resolve().parents[1]


def test_after_a_restart_with_binance_down_the_last_known_good_is_served_stale(make_app, fake, clock, tmp_path):
    lkg_dir = str(tmp_path / "lkg")
    first = make_app(LAST_KNOWN_GOOD_DIR=lkg_dir).test_client().get("/api/binance/price/SOLUSDT").get_json()
    fake.add_fault("restricted")
    clock.advance(3600)

    restarted = make_app(LAST_KNOWN_GOOD_DIR=lkg_dir).test_client()
    response = restarted.get("/api/binance/price/SOLUSDT")

    body = response.get_json()
    assert response.headers["X-Data-Source"] == "stale"
    assert body["price"] == fake.prices["SOLUSDT"]  # SOLUSDT is not in the fallback fixture
    assert body["as_of"] == first["as_of"] and body["age_s"] == 3600


def test_files_are_written_at_most_once_per_interval_but_memory_is_always_current(tmp_path, clock):
    lkg = LastKnownGood(str(tmp_path), clock, write_interval_s=5)

    lkg.remember("prices", {"BTCUSDT": "1"}, clock())
    lkg.remember("prices", {"BTCUSDT": "2"}, clock())

    on_disk = json.loads((tmp_path / "prices.json").read_text())["symbols"]
    assert on_disk["BTCUSDT"]["value"] == "1"
    assert lkg.lookup("prices", ["BTCUSDT"])[0] == {"BTCUSDT": "2"}


def test_a_corrupt_file_is_ignored_not_fatal(tmp_path, clock):
    (tmp_path / "prices.json").write_text('{"symbols": {"BTC')

    assert LastKnownGood(str(tmp_path), clock).lookup("prices") is None


WRITER = """
import sys, time
from python_service.sourcing.files import write_json_atomically
from pathlib import Path
path = Path(sys.argv[1])
big = {f"SYM{i}USDT": {"value": "1.00000000" * 4, "as_of": 1.0} for i in range(20000)}
n = 0
print("ready", flush=True)
while True:
    n += 1
    big["SYM0USDT"]["as_of"] = n
    write_json_atomically(path, {"dataset": "prices", "symbols": big})
"""


@pytest.mark.processes
def test_kill_9_in_the_middle_of_writes_never_leaves_a_torn_file(tmp_path):
    path = tmp_path / "prices.json"
    for delay in (0.05, 0.13, 0.21, 0.34, 0.47):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        if path.exists():
            document = json.loads(path.read_text())  # raises if torn
            assert len(document["symbols"]) == 20000
    assert path.exists()


# ----- files of the wrong shape, several workers, flush at exit -----


@pytest.mark.parametrize("content", ['{"symbols": null}', "[]", "null", '{"symbols": []}',
                                     '{"symbols": {"BTCUSDT": "67000"}}', '{"symbols": {"BTCUSDT": {"value": "1"}}}',
                                     '{"symbols": {"BTC'])
def test_a_file_of_the_wrong_shape_is_set_aside_with_a_warning_never_served(tmp_path, clock, caplog, content):
    (tmp_path / "prices.json").write_text(content)

    lkg = LastKnownGood(str(tmp_path), clock)

    assert lkg.lookup("prices") is None and lkg.lookup("prices", ["BTCUSDT"]) is None
    assert not (tmp_path / "prices.json").exists()
    assert (tmp_path / "prices.json.bad").read_text() == content
    assert "prices.json" in caplog.text


def test_with_a_wrong_shaped_file_prices_are_served_from_binance_and_then_from_the_fallback(make_app, fake, tmp_path):
    lkg_dir = tmp_path / "lkg"
    lkg_dir.mkdir()
    (lkg_dir / "prices.json").write_text('{"symbols": null}')
    (lkg_dir / "tickers.json").write_text("[]")
    fake.add_fault("restricted", route="/api/v3/ticker/24hr")
    client = make_app(LAST_KNOWN_GOOD_DIR=str(lkg_dir)).test_client()

    live = client.get("/api/binance/price/BTCUSDT")
    down = client.get("/api/binance/ticker/24hr")

    assert live.status_code == 200 and live.get_json()["source"] == "live"
    assert down.status_code == 200 and down.get_json()["source"] == "fallback"


def test_two_workers_writing_the_same_dataset_keep_each_others_symbols(tmp_path, clock):
    worker_a = LastKnownGood(str(tmp_path), clock, write_interval_s=0)
    worker_b = LastKnownGood(str(tmp_path), clock, write_interval_s=0)

    worker_a.remember("prices", {"BTCUSDT": "67000"}, 100.0)
    worker_b.remember("prices", {"ETHUSDT": "3400"}, 90.0)

    on_disk = json.loads((tmp_path / "prices.json").read_text())["symbols"]
    assert on_disk == {"BTCUSDT": {"value": "67000", "as_of": 100.0}, "ETHUSDT": {"value": "3400", "as_of": 90.0}}
    assert LastKnownGood(str(tmp_path), clock).lookup("prices", ["BTCUSDT", "ETHUSDT"]) == (
        {"BTCUSDT": "67000", "ETHUSDT": "3400"}, 90.0)


def test_a_worker_that_never_fetched_a_symbol_serves_the_last_good_copy_another_worker_wrote(tmp_path, clock):
    fetching = LastKnownGood(str(tmp_path), clock, write_interval_s=0)
    idle = LastKnownGood(str(tmp_path), clock)  # started before anything was written: its memory is empty
    fetching.remember("prices", {"BTCUSDT": "67000"}, 100.0)

    assert idle.lookup("prices", ["BTCUSDT"]) == ({"BTCUSDT": "67000"}, 100.0)  # not None, so not the fallback

    fetching.remember("prices", {"BTCUSDT": "67100"}, 101.0)
    assert idle.lookup("prices", ["BTCUSDT"]) == ({"BTCUSDT": "67000"}, 100.0)  # the disk is read once a second
    clock.advance(1)
    assert idle.lookup("prices", ["BTCUSDT"]) == ({"BTCUSDT": "67100"}, 101.0)


def test_the_newest_as_of_of_a_symbol_wins_whoever_writes_last(tmp_path, clock):
    newer = LastKnownGood(str(tmp_path), clock, write_interval_s=0)
    older = LastKnownGood(str(tmp_path), clock, write_interval_s=0)

    newer.remember("prices", {"BTCUSDT": "67000"}, 200.0)
    older.remember("prices", {"BTCUSDT": "66000"}, 150.0)

    assert json.loads((tmp_path / "prices.json").read_text())["symbols"]["BTCUSDT"] == {"value": "67000",
                                                                                        "as_of": 200.0}
    assert older.lookup("prices", ["BTCUSDT"]) == ({"BTCUSDT": "67000"}, 200.0)  # it learnt the newer row


def test_what_was_not_written_yet_is_flushed_at_exit(tmp_path, clock):
    lkg = LastKnownGood(str(tmp_path), clock, write_interval_s=5)
    lkg.remember("prices", {"BTCUSDT": "1"}, 100.0)
    lkg.remember("prices", {"BTCUSDT": "2"}, 101.0)  # within the interval: memory only

    last_known_good.flush_all()  # what atexit and gunicorn's worker_exit call

    assert json.loads((tmp_path / "prices.json").read_text())["symbols"]["BTCUSDT"]["value"] == "2"
