"""Prometheus metrics, request ids and one JSON log line per request."""
import json
import logging
import re

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.ports import closed_port
from tests.support.processes import output_of, start_gateway, stop, wait_until_up


def samples(client):
    response = client.get("/metrics")
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found, name, **labels):
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_upstream_requests_retries_cache_and_sources(make_app, fake):
    client = make_app().test_client()
    before = samples(client)
    fake.add_fault("server_error", status=500, times=2)

    client.get("/api/binance/price/BTCUSDT")  # 500, 500, 200: live
    client.get("/api/binance/price/ETHUSDT")  # cache
    after = samples(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("gateway_upstream_requests_total", endpoint="/api/v3/ticker/price", status="500") == 2
    assert delta("gateway_upstream_requests_total", endpoint="/api/v3/ticker/price", status="200") == 1
    assert delta("gateway_upstream_retries_total") == 2
    assert delta("gateway_cache_lookups_total", result="hit") == 1
    assert delta("gateway_answers_total", source="live") == 1 and delta("gateway_answers_total", source="cache") == 1
    assert delta("gateway_http_requests_total", route="/api/binance/price/<anything:raw_symbol>", method="GET",
                 status="200") == 2
    assert value(after, "gateway_spot_weight_used_1m") == 12


def test_metrics_show_restriction_and_weight_state(make_app, fake):
    client = make_app().test_client()
    fake.add_fault("restricted")
    client.get("/api/binance/prices")

    found = samples(client)

    assert value(found, "gateway_upstream_state", market="spot", state="restricted") == 1
    assert value(found, "gateway_upstream_state", market="spot", state="ok") == 0
    assert value(found, "gateway_upstream_state", market="futures", state="unknown") == 1
    assert 0 < value(found, "gateway_upstream_retry_after_seconds", market="spot") <= 60
    assert value(found, "gateway_spot_weight_ceiling_1m") == 4800


def test_a_well_formed_request_id_is_echoed_and_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="python_service.requests")
    response = client.get("/api/status", headers={"X-Request-ID": "abc-123.x"})

    assert response.headers["X-Request-ID"] == "abc-123.x"
    lines = [r for r in caplog.records if r.name == "python_service.requests"]
    fields = lines[-1].fields
    assert fields["request_id"] == "abc-123.x" and fields["status"] == 200 and fields["path"] == "/api/status"


def test_a_missing_or_malformed_request_id_is_replaced_by_a_generated_one(client):
    generated = client.get("/api/status").headers["X-Request-ID"]
    replaced = client.get("/api/status",
                          headers={"X-Request-ID": "bad id with spaces and ; semicolons"}).headers["X-Request-ID"]

    assert re.fullmatch(r"[0-9a-f]{32}", generated) and re.fullmatch(r"[0-9a-f]{32}", replaced)
    assert generated != replaced


@pytest.mark.processes
def test_under_gunicorn_two_workers_add_up_their_counters_and_log_json_lines(fake):
    port = closed_port()
    proc = start_gateway({"BINANCE_BASE_URL": fake.url, "GUNICORN_WORKERS": "2"}, port)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/status", proc)
        for n in range(30):
            requests.get(f"http://127.0.0.1:{port}/api/status", headers={"X-Request-ID": f"req-{n}"}, timeout=5)
        text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        logs = output_of(proc)
    finally:
        stop(proc)
    served = sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
                 if s.name == "gateway_http_requests_total" and s.labels["route"] == "/api/status")
    assert served >= 30  # the first wait_until_up probe may add one
    request_lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{") and '"request"' in line]
    ids = {line["request_id"] for line in request_lines if line.get("path") == "/api/status"}
    assert {f"req-{n}" for n in range(30)} <= ids
