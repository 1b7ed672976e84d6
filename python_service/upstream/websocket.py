"""The raw websocket connection to Binance's market streams: through BINANCE_PROXY_URL
like every REST call, at most 5 outgoing messages a second, JSON in and out.

websockets' threaded (sync) client: one background thread per market and a blocking `recv`
fit a gunicorn worker without an event loop (under the default gevent workers those threads
are greenlets).
The library answers Binance's pings itself (on its own reader thread).
SOCKS goes through PySocks (already used for REST), HTTP CONNECT through websockets."""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from typing import Any
from urllib.parse import unquote, urlsplit

from websockets.sync.client import ClientConnection, connect

MAX_OUTGOING_PER_S = 5  # Binance closes a connection that sends more
MAX_MESSAGE_BYTES = 16 * 2**20  # an all-market array is a few hundred kB


class OutgoingLimit:
    """At most `per_s` sends in any one-second window: waits (never drops) to stay under it."""

    def __init__(self, per_s: int = MAX_OUTGOING_PER_S, clock=time.monotonic, sleep=time.sleep):
        self.per_s, self.clock, self.sleep = per_s, clock, sleep
        self._sent: deque = deque()
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            while True:
                now = self.clock()
                while self._sent and now - self._sent[0] >= 1.0:
                    self._sent.popleft()
                if len(self._sent) < self.per_s:
                    self._sent.append(now)
                    return
                self.sleep(1.0 - (now - self._sent[0]) + 0.01)


class StreamSocket:
    """One open connection: `send_json` (rate-limited) and `recv_json` (None on timeout)."""

    def __init__(self, conn: ClientConnection):
        self.conn = conn
        self.limit = OutgoingLimit()

    def send_json(self, message: Any) -> None:
        self.limit.wait()
        self.conn.send(json.dumps(message, separators=(",", ":")))

    def recv_text(self, timeout: float) -> str | None:
        """The next message as the server wrote it; None when nothing came within `timeout`."""
        try:
            raw = self.conn.recv(timeout=timeout)
        except TimeoutError:
            return None
        return raw if isinstance(raw, str) else raw.decode("utf-8", "replace")

    def recv_json(self, timeout: float) -> Any | None:
        """The next message, parsed; None when nothing came within `timeout`; raises when closed."""
        try:
            raw = self.conn.recv(timeout=timeout)
        except TimeoutError:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return {}  # not JSON: ignored by the caller, but it still proves the connection is alive

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001 - closing a broken connection may fail; it is gone either way
            pass


def open_stream(url: str, proxy_url: str | None, timeout_s: float, keepalive_s: float | None = None) -> StreamSocket:
    """Opens `url` (ws:// or wss://), directly or through the proxy. Raises OSError,
    TimeoutError or a websockets exception when it cannot. `keepalive_s`: ping this often and
    close when no pong comes within it (a quiet stream, such as the account's, that died unseen)."""
    options = dict(open_timeout=timeout_s, ping_interval=keepalive_s,  # else Binance pings; we answer
                   ping_timeout=keepalive_s,
                   close_timeout=2, max_size=MAX_MESSAGE_BYTES, max_queue=64, compression=None,
                   user_agent_header="binance-gateway", legacy=True)  # we own the connection and its close
    if proxy_url and urlsplit(proxy_url).scheme.startswith("socks"):
        return StreamSocket(connect(url, sock=_socks_socket(url, proxy_url, timeout_s), **options))
    return StreamSocket(connect(url, proxy=proxy_url or None, **options))


def _socks_socket(url: str, proxy_url: str, timeout_s: float):
    """A TCP socket to `url`'s host through a SOCKS5 proxy; socks5h lets the proxy resolve the name."""
    import socks

    target, proxy = urlsplit(url), urlsplit(proxy_url)
    sock = socks.socksocket()
    sock.set_proxy(socks.SOCKS5, proxy.hostname, proxy.port, rdns=proxy.scheme == "socks5h",
                   username=unquote(proxy.username) if proxy.username else None,
                   password=unquote(proxy.password) if proxy.password else None)
    sock.settimeout(timeout_s)
    try:
        sock.connect((target.hostname, target.port or (443 if target.scheme == "wss" else 80)))
    except Exception:
        sock.close()
        raise
    sock.settimeout(None)
    return sock


def stream_url(root: str, streams: list[str], futures: bool = False) -> str:
    """The combined-stream URL. USDT-M futures route regular market data under /market."""
    query = "?streams=" + "/".join(streams) if streams else ""  # none: subscribed once connected
    return root.rstrip("/") + ("/market" if futures else "") + "/stream" + query
