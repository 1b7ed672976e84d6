"""scripts/refresh_fallback_data.py against the fake exchange, and the shipped snapshot."""
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from python_service.sourcing.fallback import FallbackData

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = [sys.executable, "scripts/refresh_fallback_data.py"]


def run(fake, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINANCE_")}
    env.update(BINANCE_BASE_URL=fake.url, BINANCE_TIMEOUT_S="0.5")
    return subprocess.run(SCRIPT + list(args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.processes
def test_refresh_writes_the_largest_usdt_pairs_by_quote_volume_from_two_calls(fake, tmp_path):
    fake.prices = {"AAAUSDT": "1.0", "BBBUSDT": "1000.0", "CCCUSDT": "10.0", "DDDBTC": "5.0"}

    result = run(fake, "--top", "2", "--out", str(tmp_path))

    assert result.returncode == 0, result.stderr
    prices = json.loads((tmp_path / "prices.json").read_text())
    assert prices["prices"] == {"BBBUSDT": "1000.0", "CCCUSDT": "10.0"}
    assert "Snapshot" in prices["note"] and prices["as_of"].endswith("Z")
    assert sorted(r.path for r in fake.log) == ["/api/v3/ticker/24hr", "/api/v3/ticker/price"]
    loaded = FallbackData(str(tmp_path))
    assert loaded.lookup("tickers", ["BBBUSDT"])[0]["BBBUSDT"]["lastPrice"] == "1000.00000000"


@pytest.mark.processes
def test_refresh_with_binance_restricted_exits_1_and_leaves_the_files(fake, tmp_path):
    (tmp_path / "prices.json").write_text("kept")
    fake.add_fault("restricted")

    result = run(fake, "--out", str(tmp_path))

    assert result.returncode == 1 and "restricted" in result.stderr
    assert (tmp_path / "prices.json").read_text() == "kept"
    assert fake.count() == 1


@pytest.mark.processes
def test_refresh_with_a_bad_argument_exits_2(fake, tmp_path):
    assert run(fake, "--top", "0").returncode == 2


def test_the_shipped_snapshot_has_at_least_50_usdt_pairs_with_prices_and_tickers():
    shipped = FallbackData(str(ROOT / "fallback_data"))
    prices, as_of = shipped.lookup("prices")
    tickers, _ = shipped.lookup("tickers")

    usdt = [s for s in prices if s.endswith("USDT")]
    assert len(usdt) >= 50 and set(usdt) <= set(tickers)
    assert all(Decimal(p) > 0 and isinstance(p, str) for p in prices.values())
    assert all(tickers[s]["lastPrice"] == prices[s] for s in usdt)
    for name in ("prices.json", "ticker_24hr.json"):
        document = json.loads((ROOT / "fallback_data" / name).read_text())
        assert "snapshot" in document["note"].lower() and document["as_of"]
