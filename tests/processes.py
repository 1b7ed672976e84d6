"""Start the services as real processes for tests that need them."""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
INTERNAL_TOKEN = "test-internal-token-7c1d"  # both services share it, as under make run
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python_service/server/gunicorn.conf.py", "python_service:create_app()"]


def start_gateway(env_overrides: dict, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BINANCE_", "CACHE_REDIS_URL", "RISK_"))}
    state = tempfile.mkdtemp(prefix="gateway-state-")  # nothing of a test's orders, limits or audit in var/
    env.update({"GATEWAY_PORT": str(port), "GATEWAY_BIND_HOST": "127.0.0.1",
                "LAST_KNOWN_GOOD_DIR": tempfile.mkdtemp(prefix="lkg-"), "INTERNAL_API_TOKEN": INTERNAL_TOKEN,
                "ORDER_JOURNAL_PATH": f"{state}/orders.sqlite3", "AUDIT_LOG_PATH": f"{state}/audit.sqlite3",
                "RISK_STATE_PATH": f"{state}/risk_limits.json",
                "STREAMS_ENABLED": "false", **env_overrides})  # stream tests opt in
    return start(GUNICORN, env)


def start_express(env_overrides: dict, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "PYTHON_SERVICE_URL", "JWT_SECRET")}
    env.update({"PORT": str(port), "DATABASE_PATH": ":memory:", "INTERNAL_API_TOKEN": INTERNAL_TOKEN,
                **env_overrides})
    return start(["node", "express_api/src/server.js"], env)


def start(command: list, env: dict) -> subprocess.Popen:
    """Output goes to a file, not a pipe: an undrained pipe would block a chatty process."""
    output = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
    proc.output = output
    return proc


def output_of(proc: subprocess.Popen) -> str:
    proc.output.seek(0)
    return proc.output.read()


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> requests.Response:
    """The first answer from `url`. A fresh, busy 2-core machine boots workers slowly: any
    requests exception (refused, reset, read timeout) means "not yet", until the deadline."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, output_of(proc)
        try:
            return requests.get(url, timeout=max(1.0, min(10.0, deadline - time.monotonic())))
        except requests.RequestException:  # refused, reset, or a slow first answer on a busy machine
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up within {seconds:g} s:\n{output_of(proc)}")


def wait_for(condition, seconds: float = 60) -> bool:
    """Polls `condition` until it holds or `seconds` pass: a bounded readiness wait, not a timing assertion."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.output.close()
