"""gunicorn's own refusals in the one error shape. A request gunicorn cannot parse (a request line
longer than its limit, malformed headers, a bad chunk) never reaches Flask: gunicorn writes an
HTML page itself. This writer takes its place in every worker, so that such a client, too, gets
{"error": {"code", "message"}}, with nothing of its own request echoed beyond a short message."""
from __future__ import annotations

import json

from gunicorn import util

MAX_MESSAGE = 200


def write_error(sock, status_int: int, reason: str, mesg: str) -> None:
    code = "_".join(reason.lower().split()) or "bad_request"
    body = json.dumps({"error": {"code": code, "message": (mesg or reason)[:MAX_MESSAGE]}}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
    util.write_nonblock(sock, head + body)


def install() -> None:
    """Replaces gunicorn's HTML error writer (workers call gunicorn.util.write_error)."""
    util.write_error = write_error
