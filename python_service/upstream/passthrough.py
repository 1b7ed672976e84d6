"""A client's own signed request, sent to Binance as the client signed it: the same
session, proxy, timeout, admission (ban, restriction, breaker) and state rules as
`Upstream.fetch` (attempts.py), but the query and body byte for byte, the client's X-MBX-APIKEY,
never re-signed and never cached. A POST or DELETE is never retried (an order must
not be placed twice). Each attempt's weight (endpoints.SIGNED_WEIGHTS) is charged to the calling
client's share and the market's budget first, as for the gateway's own calls: a client past its
share, or a spent budget, is refused before anything is sent.

Nothing here logs or raises the query, the body or the key: they carry the client's
signature and API key."""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import requests

from .calls import Upstream
from .endpoints import Market, signed_weight
from .errors import Unreachable, UpstreamError
from .sdk import _reason, blocking_error

API_KEY_HEADER = "X-MBX-APIKEY"
_SIGNATURE = re.compile(r"(signature=)[^&\s\"]+", re.IGNORECASE)


class RedactSignatures(logging.Filter):
    """urllib3 logs every request line, query included, at DEBUG: a client's signature must not
    reach a log even when an operator turns DEBUG on."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "signature=" in message.lower():
            record.msg, record.args = _SIGNATURE.sub(r"\1<redacted>", message), ()
        return True


logging.getLogger("urllib3.connectionpool").addFilter(RedactSignatures())
# Binance's headers worth handing back to the client (besides Content-Type).
FORWARDED_HEADERS = ("Retry-After", "X-MBX-ORDER-COUNT-10S", "X-MBX-ORDER-COUNT-1M", "X-MBX-ORDER-COUNT-1D",
                     "X-MBX-ORDER-COUNT-1H")


@dataclass(frozen=True)
class SignedRequest:
    """What the client sent, untouched."""
    method: str  # GET, POST, DELETE, PUT
    market: Market
    path: str  # e.g. /api/v3/order
    query: bytes = b""
    body: bytes = b""
    api_key: str | None = field(default=None, repr=False)
    content_type: str | None = None

    @property
    def params(self) -> dict:
        """The parameters as Binance reads them: the query and, for a form body, the body."""
        params = dict(parse_qsl(self.query.decode("utf-8", "replace")))
        if self.body and "x-www-form-urlencoded" in (self.content_type or ""):
            params.update(parse_qsl(self.body.decode("utf-8", "replace")))
        return params

    @property
    def weight(self) -> int:
        """Binance's weight for this call."""
        return signed_weight(self.method, self.path, self.params)

    @property
    def retryable(self) -> bool:
        """Only a read may be sent twice."""
        return self.method == "GET"


@dataclass(frozen=True)
class Answer:
    """Binance's answer, untouched: status, body bytes, content type, headers worth forwarding."""
    status: int
    body: bytes
    content_type: str
    headers: dict


class PassThrough:
    def __init__(self, upstream: Upstream):
        self.upstream = upstream

    def send(self, signed: SignedRequest) -> Answer:
        """Binance's answer (any status it gave, its body as it is), under admission, budget and,
        for a read only, retries (attempts.py). Raises HeldBack while the market must not be
        called, Unreachable when no answer came."""
        return self.upstream.attempts.call(self.upstream.lanes[signed.market], "signed:" + signed.path,
                                           signed.weight, lambda: self._send(signed), retryable=signed.retryable,
                                           trouble=_trouble)

    def _send(self, signed: SignedRequest) -> Answer:
        settings = self.upstream.settings
        root = settings.futures_base_url if signed.market is Market.FUTURES else settings.base_url
        url = root + signed.path + ("?" + _wire(signed.query) if signed.query else "")
        session = self.upstream.client.session
        prepared = session.prepare_request(requests.Request(signed.method, url, data=signed.body or None))
        prepared.url = url  # exactly the client's bytes: nothing re-encoded, nothing re-ordered
        prepared.headers.pop(API_KEY_HEADER, None)  # never the gateway's own key on a client's request
        if signed.api_key:
            prepared.headers[API_KEY_HEADER] = signed.api_key
        if signed.content_type:
            prepared.headers["Content-Type"] = signed.content_type
        proxies = {"http": settings.proxy_url, "https": settings.proxy_url} if settings.proxy_url else {}
        try:
            response = session.send(prepared, timeout=settings.timeout_s, proxies=proxies, allow_redirects=False)
            body = response.content
        except requests.RequestException as exc:
            # the exception's text can hold the URL (and so the signature): only a short cause goes on
            raise Unreachable(f"connection failed: {_reason(exc)}") from None
        if response.status_code >= 500:
            raise Unreachable(f"Binance answered HTTP {response.status_code}", response.status_code)
        return Answer(response.status_code, body, response.headers.get("Content-Type", "application/json"),
                      {name: response.headers[name] for name in FORWARDED_HEADERS if name in response.headers})


def _wire(query: bytes) -> str:
    """The query as ASCII text: bytes a URL cannot carry raw (non-ASCII, controls, space) as %XX,
    one byte each, so raw UTF-8 is not encoded twice; everything else exactly as the client sent it."""
    return "".join(chr(b) if 0x20 < b < 0x7F else f"%{b:02X}" for b in query)


def _trouble(answer: Answer) -> UpstreamError | None:
    """The block an answer implies (451, 429, 418, 403), None for anything else."""
    return blocking_error(answer.status, None, _message(answer), answer.headers)


def _message(answer: Answer) -> str | None:
    """Binance's `msg` (a 451's says why), or None when the body is not Binance's JSON."""
    try:
        msg = json.loads(answer.body).get("msg")
    except (ValueError, AttributeError):
        return None
    return msg if isinstance(msg, str) else None

