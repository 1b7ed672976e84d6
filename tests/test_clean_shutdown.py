"""python_service under gunicorn stops cleanly on SIGTERM: no logging errors,
no temporary metrics directory left behind, an operator's
PROMETHEUS_MULTIPROC_DIR kept (only its *.db files cleared), and the last
known good flushed to disk."""
import json
import signal

import pytest
import requests

from tests.support.ports import closed_port
from tests.support.processes import output_of, start_gateway, wait_until_up

pytestmark = pytest.mark.processes  # every test here starts gunicorn


def run_and_terminate(env: dict, port: int, then=lambda base: None) -> tuple[int, str]:
    proc = start_gateway(env, port)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/status", proc, seconds=60)
        then(f"http://127.0.0.1:{port}")
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        return proc.returncode, output_of(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.output.close()


def test_sigterm_stops_with_exit_0_no_logging_error_and_no_metrics_directory_left(fake, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url, "TMPDIR": str(scratch)}

    code, output = run_and_terminate(env, closed_port(),
                                     lambda base: requests.get(f"{base}/api/binance/price/BTCUSDT", timeout=10))

    assert code == 0, output
    assert "Logging error" not in output and "Traceback" not in output, output
    assert "Shutting down" in output or "Handling signal" in output, output
    assert list(scratch.glob("gateway-metrics-*")) == []


def test_an_operators_metrics_directory_is_kept_and_only_its_db_files_cleared(fake, tmp_path):
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (metrics / "counter_123.db").write_bytes(b"old")
    (metrics / "README").write_text("the operator's own file")
    env = {"BINANCE_BASE_URL": fake.url, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}

    code, output = run_and_terminate(env, closed_port(),
                                     lambda base: requests.get(f"{base}/metrics", timeout=10))

    assert code == 0, output
    assert metrics.is_dir() and (metrics / "README").read_text() == "the operator's own file"
    assert not (metrics / "counter_123.db").exists()


def test_on_sigterm_the_last_known_good_not_yet_written_is_flushed(fake, tmp_path):
    lkg = tmp_path / "lkg"
    env = {"BINANCE_BASE_URL": fake.url, "LAST_KNOWN_GOOD_DIR": str(lkg)}

    def two_tickers(base):
        for symbol in ("BTCUSDT", "ETHUSDT"):  # the second within the write interval: memory only
            assert requests.get(f"{base}/api/binance/ticker/24hr?symbol={symbol}", timeout=10).status_code == 200

    code, output = run_and_terminate(env, closed_port(), two_tickers)

    assert code == 0, output
    assert set(json.loads((lkg / "tickers.json").read_text())["symbols"]) == {"BTCUSDT", "ETHUSDT"}
