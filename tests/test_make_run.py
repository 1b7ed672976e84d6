"""The environment `make run` gives every process it starts: a variable already set wins over
the env file (ENV_FILE, default .env), which fills in only what is unset (issue 24, item 2)."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.support.exchange import API_KEY, API_SECRET
from tests.support.ports import closed_port
from tests.support.processes import ROOT
from tests.support.waiting import wait_until

pytestmark = pytest.mark.processes  # every test here starts scripts/start.py, and `make run` with gunicorn and node
LAUNCHER = ROOT / "scripts" / "start.py"
SHOWN = ("FROM_BOTH", "FROM_FILE", "FROM_ENV", "PORT")


def run_launcher(cwd: Path, env: dict) -> dict:
    """Starts the launcher on a Procfile whose one process prints what it was given, and
    returns that (honcho stops when its only process has ended)."""
    (cwd / "Procfile").write_text(
        f"show: {sys.executable} -c \"import json, os; print('ENV=' + json.dumps("
        f"{{k: os.environ.get(k) for k in {SHOWN!r}}}))\"\n")
    done = subprocess.run([sys.executable, str(LAUNCHER)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)
    line = next(line for line in done.stdout.splitlines() if "ENV=" in line)
    return json.loads(line.split("ENV=", 1)[1])


def base_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SHOWN + ("ENV_FILE",)}
    return {**env, **extra}


def test_the_environment_wins_over_the_env_file_which_fills_in_the_rest(tmp_path):
    (tmp_path / ".env").write_text("FROM_BOTH=file\nFROM_FILE='file only'\nPORT=6123\n")

    shown = run_launcher(tmp_path, base_env(FROM_BOTH="environment", FROM_ENV="environment"))

    assert shown == {"FROM_BOTH": "environment", "FROM_FILE": "file only", "FROM_ENV": "environment",
                     "PORT": "6123"}


def test_env_file_names_the_one_file_read(tmp_path):
    (tmp_path / ".env").write_text("FROM_BOTH=dot-env\nFROM_FILE=dot-env\n")
    (tmp_path / "other.env").write_text("FROM_BOTH=other\n")

    shown = run_launcher(tmp_path, base_env(ENV_FILE="other.env"))

    assert (shown["FROM_BOTH"], shown["FROM_FILE"]) == ("other", None)  # .env is not read at all


def test_without_an_internal_token_every_process_gets_the_same_fresh_one_never_printed(tmp_path):
    # each writes what it got, then waits for the other (honcho stops them all when one ends)
    (tmp_path / "show.py").write_text(
        "import os, sys, time\n"
        "open(sys.argv[1] + '.tmp', 'w').write(os.environ['INTERNAL_API_TOKEN'])\n"
        "os.replace(sys.argv[1] + '.tmp', sys.argv[1])\n"
        "deadline = time.monotonic() + 30\n"
        "while not os.path.exists(sys.argv[2]) and time.monotonic() < deadline:\n"
        "    time.sleep(0.02)\n")
    (tmp_path / "Procfile").write_text(f"p1: {sys.executable} show.py token1 token2\n"
                                       f"p2: {sys.executable} show.py token2 token1\n")
    env = {k: v for k, v in base_env().items() if k != "INTERNAL_API_TOKEN"}

    done = subprocess.run([sys.executable, str(LAUNCHER)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    first, second = (tmp_path / "token1").read_text(), (tmp_path / "token2").read_text()
    (tmp_path / "token1").unlink()
    (tmp_path / "token2").unlink()
    again = subprocess.run([sys.executable, str(LAUNCHER)], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=60)

    assert first == second and len(first) >= 40
    assert (tmp_path / "token1").read_text() != first  # a fresh one at each start
    assert first not in done.stdout + done.stderr + again.stdout + again.stderr


def test_a_variable_set_empty_in_the_environment_still_wins(tmp_path):
    (tmp_path / ".env").write_text("FROM_BOTH=file\n")

    assert run_launcher(tmp_path, base_env(FROM_BOTH=""))["FROM_BOTH"] == ""


# ----- through `make run` itself: both services -----

@pytest.fixture
def make_run(fake, tmp_path):
    gateway_port, api_port = closed_port(), closed_port()
    env_file = tmp_path / "deploy.env"
    env_file.write_text("\n".join([
        "TRADING_ENABLED=true",  # the operator's environment says false: it must win
        "INTERNAL_API_TOKEN=token-from-the-file-0123456789",
        f"GATEWAY_PORT={gateway_port}", f"PORT={api_port}",  # set nowhere else: the file fills them in
        f"PYTHON_SERVICE_URL=http://127.0.0.1:{gateway_port}",
        "CORS_ORIGINS=http://file.example",
        f"BINANCE_API_KEY={API_KEY}", f"BINANCE_API_SECRET={API_SECRET}",
    ]) + "\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BINANCE_", "TRADING_", "INTERNAL_API_TOKEN", "CORS_ORIGINS", "GATEWAY_PORT"))
           and k not in ("PORT", "PYTHON_SERVICE_URL")}
    env.update({"ENV_FILE": str(env_file), "TRADING_ENABLED": "false",
                "INTERNAL_API_TOKEN": "token-from-the-environment-42", "CORS_ORIGINS": "http://env.example",
                "BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url, "STREAMS_ENABLED": "false",
                "DATABASE_PATH": ":memory:", "JWT_SECRET": "make-run-test-secret-0123456789abcdef",
                "LAST_KNOWN_GOOD_DIR": str(tmp_path / "lkg"), "ORDER_JOURNAL_PATH": str(tmp_path / "orders.db"),
                "GUNICORN_WORKERS": "1"})
    output = open(tmp_path / "make-run.log", "w+")
    proc = subprocess.Popen(["make", "-s", "run"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                            start_new_session=True)
    gateway, api = f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{api_port}"
    try:
        wait_until(lambda: _answers(gateway + "/api/status") and _answers(api + "/api/openapi.json"),
                   "both services to answer", 300, detail=lambda: (tmp_path / "make-run.log").read_text()[-3000:])
        yield gateway, api
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        output.close()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        time.sleep(0.2)
        return False


def test_make_run_gives_the_environment_precedence_over_the_env_file_in_every_process(make_run, fake):
    gateway, api = make_run

    order = requests.post(gateway + "/api/binance/orders", timeout=10,
                          headers={"X-Internal-Token": "token-from-the-environment-42"},
                          json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"})
    file_token = requests.get(gateway + "/api/binance/trading/status", timeout=10,
                              headers={"X-Internal-Token": "token-from-the-file-0123456789"})
    env_token = requests.get(gateway + "/api/binance/trading/status", timeout=10,
                             headers={"X-Internal-Token": "token-from-the-environment-42"})
    cors = {origin: requests.get(api + "/api/openapi.json", headers={"Origin": origin}, timeout=10)
            .headers.get("Access-Control-Allow-Origin") for origin in ("http://env.example", "http://file.example")}

    assert (order.status_code, order.json()["error"]["code"]) == (403, "trading_disabled")
    assert fake.count("/api/v3/order") == 0
    assert (file_token.status_code, env_token.status_code) == (401, 200)
    assert cors == {"http://env.example": "http://env.example", "http://file.example": None}
