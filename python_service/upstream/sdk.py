"""The only module that imports python-binance: builds the Client and turns its
exceptions (and requests') into our UpstreamError types."""
from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit

import requests
from binance.client import Client
from binance.exceptions import BinanceAPIException, BinanceRequestException

from ..settings import Settings
from . import json_codec
from .deadline import DeadlineAdapter
from .errors import Banned, Blocked, Garbled, RateLimited, Rejected, Restricted, Unreachable, UpstreamError

BANNED_UNTIL = re.compile(r"banned until (\d{10,16})", re.IGNORECASE)

UPSTREAM_POOL_SIZE = 64
# The last response seen by each thread; `client.response` is shared by all threads.
_last = threading.local()


def build_client(settings: Settings) -> Client:
    """One Client per process: no ping (no network I/O at start), our roots, timeout and proxy."""
    requests_params = {"timeout": settings.timeout_s}
    if settings.proxy_url:
        requests_params["proxies"] = {"http": settings.proxy_url, "https": settings.proxy_url}
    client = _Client(settings.api_key, settings.api_secret, requests_params=requests_params, ping=False)
    client.API_URL = settings.base_url + "/api"
    client.MARGIN_API_URL = settings.base_url + "/sapi"
    client.FUTURES_URL = settings.futures_base_url + "/fapi"
    # Only BINANCE_PROXY_URL decides the route: ignore HTTP(S)_PROXY and .netrc from the environment.
    client.session.trust_env = False
    # gevent workers can have many requests waiting on Binance at once: keep their connections
    # for reuse instead of opening and discarding one each ("connection pool is full").
    # BINANCE_TIMEOUT_S bounds the whole attempt, body included (deadline.py).
    adapter = DeadlineAdapter(settings.timeout_s, pool_connections=4, pool_maxsize=UPSTREAM_POOL_SIZE)
    client.session.mount("https://", adapter)
    client.session.mount("http://", adapter)
    client.session.hooks["response"].append(_remember_response)
    return client


class OddErrorBody(BinanceAPIException):
    """A non-2xx answer whose body is JSON but not an object (`503`, `[]`, `null`): the SDK's
    own exception would fail on it (AttributeError), so it is raised instead."""

    def __init__(self, response: requests.Response):
        Exception.__init__(self, f"HTTP {response.status_code} with a JSON body that is not an object")
        self.code, self.message, self.status_code = 0, None, response.status_code
        self.response, self.request = response, getattr(response, "request", None)


class _Client(Client):
    @staticmethod
    def _handle_response(response: requests.Response):
        """The SDK's rules on the same text (a non-2xx raises, an empty 2xx is {}, invalid JSON
        raises), decoded by json_codec: response.json() takes ~7 ms on a 5,000-level book."""
        text = response.text
        if not 200 <= response.status_code < 300:
            if _json_but_not_object(text):
                raise OddErrorBody(response)
            raise BinanceAPIException(response, response.status_code, text)
        if text == "":
            return {}
        try:
            return json_codec.loads(text)
        except ValueError:
            raise BinanceRequestException("Invalid Response: the body is not JSON") from None


def _json_but_not_object(text: str) -> bool:
    try:
        return not isinstance(json_codec.loads(text), dict)
    except ValueError:
        return False


def _remember_response(response: requests.Response, *args, **kwargs):
    _last.response = response


def forget_last_response() -> None:
    _last.response = None


def last_response() -> requests.Response | None:
    return getattr(_last, "response", None)


def describe_response(response: requests.Response | None) -> tuple[str, str]:
    """(endpoint path, status) for metrics; no response means the connection failed."""
    if response is None:
        return "unknown", "no_response"
    return urlsplit(response.url).path, str(response.status_code)


def used_weight_header(response: requests.Response | None) -> int | None:
    value = response.headers.get("X-MBX-USED-WEIGHT-1M") if response is not None else None
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def translate(exc: Exception, timeout_s: float) -> Exception:
    """Our UpstreamError for an exception raised by a Client call (others pass through)."""
    if isinstance(exc, BinanceAPIException):
        err = _from_status(exc)
        if isinstance(err, Rejected) and not _binance_error_object(exc):
            return Garbled(f"Binance answered HTTP {exc.status_code} without its error object", exc.status_code)
        return err
    if isinstance(exc, BinanceRequestException):
        return Unreachable("Binance answered 2xx with a body that is not valid JSON")
    if isinstance(exc, requests.exceptions.ProxyError):
        return Unreachable("could not connect through the proxy")
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Unreachable(f"connection timed out after {timeout_s:g}s")
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return Unreachable(f"no answer within {timeout_s:g}s")
    if isinstance(exc, requests.exceptions.SSLError):
        return Unreachable("TLS handshake failed")
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                        requests.exceptions.ContentDecodingError)):
        return Unreachable(f"connection failed: {_reason(exc)}")
    return exc


def _from_status(exc: BinanceAPIException) -> UpstreamError:
    status = exc.status_code
    message = exc.message if exc.code else f"Binance answered HTTP {status}"
    headers = exc.response.headers if exc.response is not None else {}
    block = blocking_error(status, exc.code, exc.message if status == 451 else message, headers)
    if block is not None:
        return block
    if status >= 500:
        return Unreachable(f"Binance answered HTTP {status}", status, exc.code or None)
    return Rejected(message, status, exc.code)


def blocking_error(status: int, code, message: str | None, headers) -> UpstreamError | None:
    """The block an answer's status implies (451 restricted, 429 rate limited, 418 banned, 403
    firewall), with its wait from Retry-After or Binance's "banned until"; None for any other status.
    The SDK path and the signed pass-through both judge Binance's answers here."""
    retry_after = retry_after_s(headers.get("Retry-After"))
    if status == 451:
        return Restricted(message or "restricted location", status, code)
    if status == 429:
        return RateLimited(message or "Binance answered HTTP 429", status, code, retry_after)
    if status == 418:
        return Banned(message or "Binance answered HTTP 418", status, code, retry_after, _banned_until(message))
    if status == 403:  # Binance's firewall (its page is HTML, not JSON): a block to wait out, not a rejection
        return Blocked("Binance's firewall blocked the request (HTTP 403)", status, code or None, retry_after)
    return None


def _binance_error_object(exc: BinanceAPIException) -> bool:
    """Binance says no with {"code": ..., "msg": ...}; anything else came from something else."""
    try:
        return isinstance(exc.response.json(), dict)
    except (AttributeError, ValueError):
        return False


def retry_after_s(value: str | None) -> float | None:
    """Retry-After in seconds, None when absent or not a number."""
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _banned_until(message) -> float | None:
    """Epoch seconds from "... IP banned until 1700000000000 ..." (Binance's 418 message)."""
    match = BANNED_UNTIL.search(message or "")
    if not match:
        return None
    value = int(match.group(1))
    return value / 1000 if value > 10**11 else float(value)  # milliseconds, as Binance writes it


def _reason(exc: Exception) -> str:
    """A short cause without URLs (which could carry a proxy's credentials)."""
    text = str(exc).lower()
    for needle, reason in (("error connecting to socks", "could not connect to the SOCKS proxy"),
                           ("socks", "the SOCKS proxy could not reach Binance"),
                           ("refused", "connection refused"), ("reset", "connection reset"),
                           ("name or service", "name resolution failed"),
                           ("nodename nor servname", "name resolution failed"),
                           ("failed to resolve", "name resolution failed"),
                           ("remote end closed", "connection closed without an answer"),
                           ("aborted", "connection aborted"), ("incomplete", "incomplete response")):
        if needle in text:
            return reason
    return type(exc).__name__
