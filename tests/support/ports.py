"""Loopback ports chosen by the OS."""
import socket


def closed_port() -> int:
    """A loopback port nothing listens on now: a server may bind it; a client connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
