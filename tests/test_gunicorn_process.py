"""python_service as it really runs: gunicorn with the shipped config, as a process."""
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import closed_port

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python_service/gunicorn.conf.py", "python_service:create_app()"]


def start_gateway(env_overrides, port):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BINANCE_", "CACHE_REDIS_URL"))}
    env.update({"GATEWAY_PORT": str(port), "GATEWAY_BIND_HOST": "127.0.0.1", **env_overrides})
    return subprocess.Popen(GUNICORN, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_until_up(url, proc, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            return requests.get(url, timeout=1)
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("gateway did not start")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stdout.close()


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
    output, _ = proc.communicate(timeout=30)
    proc.stdout.close()

    assert proc.returncode != 0
    assert "BINANCE_PROXY_URL" in output and "hunter2" not in output
