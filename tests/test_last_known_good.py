"""Last known good survives a restart, and its files are never torn."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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
