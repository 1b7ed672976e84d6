"""One time limit for a whole attempt: connect, headers and body.

requests' `timeout` bounds each socket read, not the answer: a server that
drips its body one byte every half second never trips a one-second read
timeout, and a 5 s limit became 20 s. This adapter reads the body itself,
before the response leaves it, with the socket's timeout set to what is left
of the attempt before every read (read1: at most one receive per call), so
the attempt ends at its deadline whatever the server does."""
from __future__ import annotations

import socket
import time

from requests.adapters import HTTPAdapter
from requests.exceptions import ChunkedEncodingError, ContentDecodingError, ReadTimeout
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError
from urllib3.util import Timeout

CHUNK = 64 * 1024


class DeadlineAdapter(HTTPAdapter):
    """Mounted on the SDK's session: every attempt is over within `limit_s` seconds."""

    def __init__(self, limit_s: float, clock=time.monotonic, **kwargs):
        super().__init__(**kwargs)
        self.limit_s, self.clock = limit_s, clock

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        deadline = self.clock() + self.limit_s
        # total: connecting and waiting for the headers share the one limit.
        response = super().send(request, stream=True, timeout=Timeout(total=self.limit_s), verify=verify,
                                cert=cert, proxies=proxies)
        if not stream:
            try:
                response._content = self._read_body(response.raw, deadline)
            except BaseException:
                response.raw.close()  # half-read: the connection must never be reused
                raise
            finally:
                response.raw.release_conn()
            response._content_consumed = True
        return response

    def _read_body(self, raw, deadline: float) -> bytes:
        chunks = []
        while True:
            left = deadline - self.clock()
            if left <= 0:
                raise ReadTimeout(f"the answer took longer than {self.limit_s:g}s")
            sock = _socket_of(raw)
            if sock is not None:
                sock.settimeout(left)
            try:
                chunk = raw.read1(CHUNK, decode_content=True)
            except (TimeoutError, ReadTimeoutError) as err:
                raise ReadTimeout(f"the answer took longer than {self.limit_s:g}s") from err
            except ProtocolError as err:
                raise ChunkedEncodingError(err) from err
            except DecodeError as err:  # e.g. "Content-Encoding: gzip" on a body that is not
                raise ContentDecodingError(err) from err
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def _socket_of(raw) -> socket.socket | None:
    """The socket under a urllib3 response being read. When the server said it would close,
    http.client hands the socket over to the response's file, so look there too."""
    sock = getattr(raw.connection, "sock", None)
    if sock is None:
        file = getattr(getattr(raw, "_fp", None), "fp", None)
        sock = getattr(getattr(file, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None
