"""What every benchmark script needs to run processes on loopback."""
from __future__ import annotations

import socket
import time
import urllib.request


def fake_roots(http_url: str, ws_url: str) -> dict:
    """Every upstream root of the gateway on the fake exchange, websocket streams included:
    a root left at its default would send the gateway to Binance itself."""
    return {"BINANCE_BASE_URL": http_url, "BINANCE_FUTURES_BASE_URL": http_url,
            "BINANCE_WS_URL": ws_url, "BINANCE_FUTURES_WS_URL": ws_url + "/futures"}


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(url: str, seconds: float = 120) -> None:
    """Until `url` answers at all (any status); a slow first answer on a busy machine is waited out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up within {seconds:g} s")
