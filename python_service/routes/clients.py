"""Which client a request is served for: the socket peer, or the X-Forwarded-For value when
the peer is a trusted proxy (TRUSTED_PROXIES: express_api on this host). The weight budget
charges each client its own share (upstream/shares.py reads `current_client`), and each
client may be sent CLIENT_BYTES_PER_S: one worker's CPU goes mostly to encoding answers, so
a client pulling 180 kB candle answers in a loop would otherwise slow everyone's prices."""
from __future__ import annotations

import ipaddress
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache

from flask import Flask, g, request

from ..errors import ApiError
from ..upstream.shares import current_client
from .respond import services

BURST_S = 4.0  # a client may draw this many seconds of its byte rate at once
MIN_CHARGE = 10_000  # bytes every answer counts for, however small: a flood of tiny requests costs too
TARPIT_S = 1.0  # how long a refusal is held back
MAX_CLIENTS = 10_000  # buckets kept (least recently seen forgotten first)
# always answered (the stream mirror's websockets are counted by their own limits, not by bytes)
UNMETERED = frozenset({"status.status", "status.openapi", "metrics.metrics"})
UNMETERED_BLUEPRINTS = frozenset({"stream_mirror"})


def init_app(app: Flask) -> None:
    @app.before_request
    def identify():
        found = services()
        forwarded_for = request.headers.get("X-Forwarded-For")
        client = client_address(request.remote_addr, forwarded_for, found.settings.trusted_proxies)
        if not forwarded_for and _trusted(client, found.settings.trusted_proxies):
            # the operator's own tooling on this host (express_api names its clients in X-Forwarded-For
            # on every call): neither a weight share nor a byte rate of its own
            current_client.set(None)
            g.unmetered = True
            return
        current_client.set(client)
        if request.endpoint in UNMETERED or request.blueprint in UNMETERED_BLUEPRINTS:
            g.unmetered = True  # liveness and monitoring always answer
            return
        wait = _sent_bytes(app, found).wait_s(client)
        if wait > 0:
            # Held TARPIT_S before the refusal (a greenlet waiting costs nothing): a client that
            # ignores Retry-After and asks again at once gets one refusal a second per connection.
            # Held only until its bytes refill, it would get one every MIN_CHARGE / rate (20 ms at
            # the default), each costing the worker CPU that other clients' answers need.
            found.sleep(TARPIT_S)
            raise ApiError(429, "rate_limited", f"this client was sent more than {found.settings.client_bytes_per_s} "
                                                f"bytes a second; try again shortly",
                           retry_after=max(1.0, wait - TARPIT_S + MIN_CHARGE / found.settings.client_bytes_per_s))

    @app.after_request
    def charge(response):
        client = current_client.get()
        if client is not None and not g.get("unmetered"):
            _sent_bytes(app, services()).charge(client, response.content_length or 0)
        return response

    @app.teardown_request
    def forget(exc):
        current_client.set(None)


def _sent_bytes(app: Flask, found) -> ByteBuckets:
    buckets = app.extensions.get("sent_bytes")
    if buckets is None:
        buckets = app.extensions["sent_bytes"] = ByteBuckets(found.settings.client_bytes_per_s, found.clock)
    return buckets


class ByteBuckets:
    """A token bucket of bytes per client, in this process (it protects this process's CPU)."""

    def __init__(self, rate: float, clock: Callable[[], float]):
        self.rate, self.capacity, self.clock = rate, rate * BURST_S, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, at)
        self._lock = threading.Lock()

    def wait_s(self, client: str) -> float:
        """Seconds until `client` may be answered again (0: now)."""
        with self._lock:
            tokens = self._refilled(client)
        return 0.0 if tokens > 0 else -tokens / self.rate

    def charge(self, client: str, size: int) -> None:
        with self._lock:
            self._buckets[client] = (self._refilled(client) - max(size, MIN_CHARGE), self.clock())
            self._buckets.move_to_end(client)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)

    def _refilled(self, client: str) -> float:
        tokens, at = self._buckets.get(client, (self.capacity, self.clock()))
        return min(self.capacity, tokens + (self.clock() - at) * self.rate)


@lru_cache(maxsize=4096)  # asked on every request, mostly for the same few peers
def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple) -> str:
    """The peer, unless it is a trusted proxy that names the client: then the last
    X-Forwarded-For entry (the one the trusted proxy wrote; earlier ones are the client's word)."""
    peer_ip = _ip(peer)
    if peer_ip is None:
        return peer or "unknown"
    if forwarded_for and _trusted(peer_ip.compressed, trusted):
        forwarded = _ip(forwarded_for.rsplit(",", 1)[-1].strip())
        if forwarded is not None:
            return forwarded.compressed
    return peer_ip.compressed


@lru_cache(maxsize=4096)
def _trusted(address: str, trusted: tuple) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in network for network in _networks(trusted))


def _ip(text: str | None):
    try:
        address = ipaddress.ip_address(text) if text else None
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address  # ::ffff:127.0.0.1 is 127.0.0.1


@lru_cache(maxsize=8)
def _networks(trusted: tuple) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


_USERNAME = re.compile(r"[A-Za-z0-9_.-]{3,32}")


def actor() -> str:
    """Who is asking, for the audit log: the user express_api names (read only on credential
    routes, which need the internal token), else the client's address."""
    user = request.headers.get("X-Gateway-User", "")
    if _USERNAME.fullmatch(user):
        return f"user:{user}"
    return "client:" + client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                                      services().settings.trusted_proxies)
