"""Small HTTP control surface under /_fake/ for running the fake by hand or
driving it from another process (gunicorn tests, the benchmark). Control
requests are never logged as exchange traffic."""
from __future__ import annotations

import json
import re
from dataclasses import asdict
from urllib.parse import parse_qsl

_HOLD = re.compile(r"^/_fake/holds/(\d+)/(wait|release)$")


def handle(handler, path: str, query: str) -> None:
    fake = handler.fake
    length = int(handler.headers.get("Content-Length") or 0)
    try:
        body = json.loads(handler.rfile.read(length) or b"{}") if length else {}
        # GET routes also take their arguments from the query string (curl-friendly).
        body = {**dict(parse_qsl(query)), **body}
        result = _route(fake, handler.command, path, body)
    except KeyError as err:
        return _reply(handler, 404, {"error": f"no such hold {err}"})
    except (TypeError, ValueError) as err:
        return _reply(handler, 400, {"error": str(err)})
    if result is None:
        return _reply(handler, 404, {"error": "unknown control route"})
    _reply(handler, 200, result)


def _route(fake, method: str, path: str, body: dict):
    if path == "/_fake/requests" and method == "GET":
        return [asdict(r) for r in fake.requests_to(body.get("path"), market=body.get("market"))]
    if path == "/_fake/faults":
        if method == "POST":
            fake.add_fault(**body)
        elif method == "DELETE":
            fake.faults.clear()
        return fake.faults.describe()
    if path == "/_fake/prices" and method == "POST":
        fake.prices.update({str(k): str(v) for k, v in body.items()})
        return fake.prices
    if path == "/_fake/reset" and method == "POST":
        fake.reset()
        return {"reset": True}
    if path == "/_fake/report-weight" and method == "POST":
        fake.set_report_weight(bool(body.get("on", True)), body.get("market"))
        return dict(fake._report_weight)
    if path == "/_fake/odd-symbols" and method == "POST":
        fake.list_odd_symbols(bool(body.get("on", True)))
        return {"odd_symbols": bool(body.get("on", True))}
    if path == "/_fake/holds":
        if method == "POST":
            then = body.pop("then", None)
            return fake.hold(**body).then(then).describe()
        if method == "DELETE":
            fake.gates.release_all()
        return fake.gates.describe()
    match = _HOLD.match(path)
    if match and method == "POST":
        gate = fake.gates.get(int(match.group(1)))
        if match.group(2) == "wait":
            arrived = gate.wait_arrived(int(body.get("n", 1)), min(float(body.get("timeout", 5.0)), 60.0))
            return {**gate.describe(), "arrived_enough": arrived}
        n = body.get("n")
        released = gate.release(None if n is None else int(n), body.get("fault"))
        return {**gate.describe(), "released": released}
    return None


def _reply(handler, status: int, result) -> None:
    handler.send_raw(status, json.dumps(result, ensure_ascii=False).encode(), "application/json")
