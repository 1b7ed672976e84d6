"""Processes of the tests and the benchmarks: started from the repository root with their
output in a file, waited for until they answer, stopped with SIGTERM and then SIGKILL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
GATEWAY_APP = "python_service:create_app()"
INTERNAL_TOKEN = "test-internal-token-7c1d"  # both services share it, as under make run


def start(command: list, env: dict | None = None, output: str | None = None) -> subprocess.Popen:
    """`command` run from the repository root; `env` is its whole environment (default: this
    process's). Its output goes to the file `output` names (os.devnull, where a benchmark must not
    pay for it), or to a temporary one (`output_of`): never to a pipe, which a chatty process
    fills and then blocks on."""
    log = open(output, "w+") if output else tempfile.TemporaryFile(mode="w+")  # closed by stop()
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    proc.output = log
    return proc


def output_of(proc: subprocess.Popen) -> str:
    proc.output.seek(0)
    return proc.output.read()


def stop(proc: subprocess.Popen, seconds: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `seconds`; its output file is closed."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGCONT)  # a paused (SIGSTOP) process must be able to act on SIGTERM
        proc.terminate()
        try:
            proc.wait(seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    proc.output.close()


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> requests.Response:
    """The first answer from `url`, whatever its status. A fresh, busy 2-core machine boots
    workers slowly: any requests exception (refused, reset, read timeout) means "not yet"."""
    deadline = time.monotonic() + seconds

    def answer() -> list | None:
        assert proc.poll() is None, f"{proc.args[0]} exited with {proc.returncode}:\n{output_of(proc)}"
        try:  # in a list: a Response with a 4xx or 5xx status is falsy
            return [requests.get(url, timeout=max(1.0, min(10.0, deadline - time.monotonic())))]
        except requests.RequestException:  # refused, reset, or a slow first answer on a busy machine
            return None

    [response] = wait_until(answer, f"{url} to come up", seconds, interval=0.1, detail=lambda: output_of(proc))
    return response


def start_gateway(env_overrides: dict, port: int, app: str = GATEWAY_APP,
                  output: str | None = None) -> subprocess.Popen:
    """python_service (or another `app`) under gunicorn with its shipped config, on 127.0.0.1:`port`;
    no Binance setting or Redis of this environment reaches it, and streams are off unless asked for."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BINANCE_", "CACHE_REDIS_URL", "RISK_"))}
    state = tempfile.mkdtemp(prefix="gateway-state-")  # nothing of a test's orders, limits or audit in var/
    env.update({"GATEWAY_PORT": str(port), "GATEWAY_BIND_HOST": "127.0.0.1",
                "LAST_KNOWN_GOOD_DIR": env_overrides.get("LAST_KNOWN_GOOD_DIR") or f"{state}/lkg",
                "INTERNAL_API_TOKEN": INTERNAL_TOKEN, "ORDER_JOURNAL_PATH": f"{state}/orders.sqlite3",
                "AUDIT_LOG_PATH": f"{state}/audit.sqlite3", "RISK_STATE_PATH": f"{state}/risk_limits.json",
                "STREAMS_ENABLED": "false", **env_overrides})
    return start([sys.executable, "-m", "gunicorn", "-c", "python_service/server/gunicorn.conf.py", app], env, output)


def start_express(env_overrides: dict, port: int, output: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "PYTHON_SERVICE_URL", "JWT_SECRET")}
    env.update({"PORT": str(port), "DATABASE_PATH": ":memory:", "INTERNAL_API_TOKEN": INTERNAL_TOKEN,
                **env_overrides})
    return start(["node", "express_api/src/server.js"], env, output)


def start_fake_exchange(port: int, ws_port: int = -1, output: str | None = None) -> subprocess.Popen:
    """tests/fake_binance as a process of its own (the benchmarks'); `ws_port` -1: no streams."""
    return start([sys.executable, "-m", "tests.fake_binance", "--port", str(port), "--ws-port", str(ws_port)],
                 output=output)
