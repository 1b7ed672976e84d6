"""Schemathesis over the Binance-compatible mirror's part of the OpenAPI document: no
server error, and every answer (errors included, in Binance's shape) as documented."""
import os
import re
import subprocess
import sys

import pytest

from tests.fake_binance import FakeBinance
from tests.support.exchange import API_KEY, API_SECRET
from tests.support.openapi import MIRROR_PATHS
from tests.support.ports import closed_port
from tests.support.processes import ROOT, start_gateway, stop, wait_until_up

pytestmark = pytest.mark.processes  # every test here starts gunicorn and schemathesis
EXAMPLES_PER_OPERATION = "12"


@pytest.fixture
def mirror_gateway():
    exchange = FakeBinance(api_keys={API_KEY: API_SECRET}, weight_limit=10**9).start()
    port = closed_port()
    gateway = start_gateway({"BINANCE_BASE_URL": exchange.url, "BINANCE_FUTURES_BASE_URL": exchange.url,
                             "WEIGHT_LIMIT_1M": "100000000", "FUTURES_WEIGHT_LIMIT_1M": "100000000"}, port)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/status", gateway)
        yield port
    finally:
        stop(gateway)
        exchange.stop()


def test_schemathesis_finds_no_server_error_and_only_binance_shaped_errors_in_the_mirror(mirror_gateway, tmp_path):
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(ROOT / "tests" / "schemathesis.toml"),
               "run", f"http://127.0.0.1:{mirror_gateway}/api/openapi.json", "--include-path-regex", MIRROR_PATHS,
               "--max-examples", EXAMPLES_PER_OPERATION, "--seed", "20261122", "--no-shrink",
               "--checks", "all", "--exclude-checks", "positive_data_acceptance",
               "--report", "junit", "--report-dir", str(tmp_path)]
    env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)

    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert re.search(r"(\d+) generated, \1 passed", result.stdout), result.stdout[-2000:]
