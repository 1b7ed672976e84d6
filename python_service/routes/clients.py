"""Which client a request is served for: the socket peer, or the X-Forwarded-For value when
the peer is a trusted proxy (TRUSTED_PROXIES: express_api on this host). The weight budget
charges each client its own share (upstream/clients.py reads `current_client`)."""
from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Optional

from flask import Flask, request

from ..upstream.clients import current_client
from .respond import services


def init_app(app: Flask) -> None:
    @app.before_request
    def identify():
        current_client.set(client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                                          services().settings.trusted_proxies))

    @app.teardown_request
    def forget(exc):
        current_client.set(None)


def client_address(peer: Optional[str], forwarded_for: Optional[str], trusted: tuple) -> str:
    """The peer, unless it is a trusted proxy that names the client: then the last
    X-Forwarded-For entry (the one the trusted proxy wrote; earlier ones are the client's word)."""
    peer_ip = _ip(peer)
    if peer_ip is None:
        return peer or "unknown"
    if forwarded_for and any(peer_ip in network for network in _networks(trusted)):
        forwarded = _ip(forwarded_for.rsplit(",", 1)[-1].strip())
        if forwarded is not None:
            return forwarded.compressed
    return peer_ip.compressed


def _ip(text: Optional[str]):
    try:
        address = ipaddress.ip_address(text) if text else None
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address  # ::ffff:127.0.0.1 is 127.0.0.1


@lru_cache(maxsize=8)
def _networks(trusted: tuple) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)
