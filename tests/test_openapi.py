"""OpenAPI documents: every route documented and nothing more, and schemathesis
fuzzing both running services (fake exchange behind them)."""
import json
import os
import re
import subprocess
import sys

import pytest

from python_service import create_app
from python_service.routes.openapi import document
from tests.fake_binance import FakeBinance
from tests.support.openapi import MIRROR_PATHS, STREAM_PATHS
from tests.support.ports import closed_port
from tests.support.processes import ROOT, start_express, start_gateway, stop, wait_until_up

EXAMPLES_PER_OPERATION = "25"


def flask_operations():
    app = create_app({"BINANCE_BASE_URL": "http://127.0.0.1:9"})
    operations = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("mirror_unmirrored."):
            continue  # the JSON 404 for Binance paths the mirror does not answer: not an operation
        if rule.endpoint.startswith("stream_mirror."):
            continue  # websockets (the stream mirror): OpenAPI describes no websocket; the README does
        path = re.sub(r"<(?:\w+:)?raw_symbol>", "{symbol}", rule.rule)
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
        operations |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return operations


def documented_operations(doc):
    return {(path, method) for path, item in doc["paths"].items() for method in item}


def test_python_service_document_and_routes_match_exactly():
    assert flask_operations() == documented_operations(document())


def test_express_api_copy_of_the_python_service_document_is_current():
    copy = json.loads((ROOT / "express_api" / "openapi" / "python_service.json").read_text())

    assert copy == json.loads(json.dumps(document())), \
        "run: make openapi (python_service's document changed; express_api forwards its routes)"


@pytest.fixture
def roomy_fake():
    """A fake without a weight limit: fuzzing must find bugs, not exhaust the budget."""
    exchange = FakeBinance(weight_limit=10**9).start()
    yield exchange
    exchange.stop()


@pytest.fixture
def running_services(roomy_fake, tmp_path, starts_processes):
    gateway_port, api_port = closed_port(), closed_port()
    gateway = start_gateway({"BINANCE_BASE_URL": roomy_fake.url, "BINANCE_FUTURES_BASE_URL": roomy_fake.url,
                             "WEIGHT_LIMIT_1M": "100000000"}, gateway_port)
    api = start_express({"PYTHON_SERVICE_URL": f"http://127.0.0.1:{gateway_port}",
                         "JWT_SECRET": "schemathesis-secret-0123456789abcdefghij"}, api_port)
    try:
        wait_until_up(f"http://127.0.0.1:{gateway_port}/api/status", gateway)
        wait_until_up(f"http://127.0.0.1:{api_port}/api/openapi.json", api)
        yield {"python_service": gateway_port, "express_api": api_port}
    finally:
        stop(api)
        stop(gateway)


@pytest.mark.parametrize("service", ["python_service", "express_api"])
def test_schemathesis_finds_no_server_error_and_no_answer_off_the_document(running_services, service, tmp_path):
    port = running_services[service]
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(ROOT / "tests" / "schemathesis.toml"),
               "run", f"http://127.0.0.1:{port}/api/openapi.json",
               "--max-examples", EXAMPLES_PER_OPERATION, "--seed", "20261121", "--no-shrink",
               # every check but "schema-valid data must be accepted": the document cannot say that
               # symbol and symbols exclude each other, or that startTime must not pass endTime
               "--checks", "all", "--exclude-checks", "positive_data_acceptance",
               "--report", "junit", "--report-dir", str(tmp_path),
               # endless event streams (tests/test_price_push.py); the Binance-compatible mirror has
               # its own run (test_mirror_openapi.py)
               "--exclude-path-regex", STREAM_PATHS + ("|" + MIRROR_PATHS if service == "python_service" else "")]
    env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert re.search(r"(\d+) generated, \1 passed", result.stdout), result.stdout[-2000:]
