"""python_service as it really runs: gunicorn with the shipped config, as a process."""
import pytest
import requests

from tests.support.ports import closed_port
from tests.support.processes import output_of, start_gateway, stop, wait_until_up

pytestmark = pytest.mark.processes  # every test here starts gunicorn


def test_under_gunicorn_with_binance_unreachable_status_answers_200(tmp_path):
    port = closed_port()
    proc = start_gateway({"BINANCE_BASE_URL": f"http://127.0.0.1:{closed_port()}"}, port)
    try:
        response = wait_until_up(f"http://127.0.0.1:{port}/api/status", proc)
        assert response.status_code == 200 and response.json()["upstream"]["state"] == "unknown"
    finally:
        stop(proc)


def test_under_gunicorn_a_price_is_fetched_live_from_the_configured_root(fake):
    port = closed_port()
    proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url}, port)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/status", proc)
        response = requests.get(f"http://127.0.0.1:{port}/api/binance/price/BTCUSDT", timeout=10)
        assert response.status_code == 200
        assert response.headers["X-Data-Source"] == "live"
        assert response.json()["price"] == fake.prices["BTCUSDT"]
        assert fake.count("/api/v3/ticker/price") == 1
    finally:
        stop(proc)


def test_under_gunicorn_a_bad_setting_stops_start_up_with_the_variable_name():
    proc = start_gateway({"BINANCE_PROXY_URL": "ftp://bob:hunter2@proxy:21"}, closed_port())
    proc.wait(30)
    output = output_of(proc)
    proc.output.close()

    assert proc.returncode != 0
    assert "BINANCE_PROXY_URL" in output and "hunter2" not in output
