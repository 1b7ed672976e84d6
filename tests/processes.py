"""Start the services as real processes for tests that need them."""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python_service/gunicorn.conf.py", "python_service:create_app()"]


def start_gateway(env_overrides: dict, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BINANCE_", "CACHE_REDIS_URL"))}
    env.update({"GATEWAY_PORT": str(port), "GATEWAY_BIND_HOST": "127.0.0.1",
                "LAST_KNOWN_GOOD_DIR": tempfile.mkdtemp(prefix="lkg-"), **env_overrides})
    return start(GUNICORN, env)


def start_express(env_overrides: dict, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "PYTHON_SERVICE_URL", "JWT_SECRET")}
    env.update({"PORT": str(port), "DATABASE_PATH": ":memory:", **env_overrides})
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
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, output_of(proc)
        try:
            return requests.get(url, timeout=1)
        except requests.RequestException:  # refused, reset, or a slow first answer on a busy machine
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.output.close()
