"""One typed error for every failure the service reports, and the one translation
of an upstream failure into it. Rendering (the JSON shape) is routes/errors.py."""
from __future__ import annotations

from .stores.flight import SingleFlightTimeout
from .upstream.errors import HeldBack, OverClientShare, Rejected, UpstreamError

UNKNOWN_SYMBOL = -1121


class ApiError(Exception):
    """An answer the client should get: status, machine code and readable message."""

    def __init__(self, status: int, code: str, message: str, upstream: dict | None = None,
                 retry_after: float | None = None, details: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.upstream, self.retry_after = upstream, retry_after
        self.details = details or {}  # more fields for the error object (e.g. an order's violations)

    def to_dict(self) -> dict:
        error = {"code": self.code, "message": self.message, **self.details}
        if self.upstream:
            error["upstream"] = self.upstream
        return {"error": error}


class RiskRefused(Exception):
    """An order (or a leverage) that breaks the risk limit `limit`, whose value in force is `value`:
    403 risk_limit on the gateway's routes, Binance's rejected order (-2010) on the mirror."""

    def __init__(self, limit: str, value, message: str):
        super().__init__(message)
        self.limit, self.value, self.message = limit, value, message


def api_error(err: Exception) -> ApiError:
    """The answer for a failure that no live, cached or fallback data could cover."""
    if isinstance(err, ApiError):
        return err
    if isinstance(err, RiskRefused):
        return ApiError(403, "risk_limit", err.message, details={"limit": err.limit, "value": err.value})
    if isinstance(err, SingleFlightTimeout):
        return ApiError(503, "upstream_unavailable", f"Binance is slow: {err.message}", retry_after=err.retry_after)
    if isinstance(err, Rejected):
        if err.code == UNKNOWN_SYMBOL:
            return ApiError(404, "unknown_symbol", "Binance does not know this symbol",
                            upstream=err.upstream_detail())
        return ApiError(502, "upstream_error", f"Binance rejected the request: {err.message}",
                        upstream=err.upstream_detail())
    if isinstance(err, OverClientShare):  # this client only: the others are served
        return ApiError(429, "rate_limited", err.message, retry_after=err.retry_after)
    if isinstance(err, UpstreamError):
        return ApiError(503, "upstream_unavailable", f"Binance is unavailable ({err.state}): {err.message}",
                        upstream=err.upstream_detail(), retry_after=err.retry_after)
    raise TypeError(f"not a failure with an API answer: {type(err).__name__}")


# ----- the Binance-compatible mirror: answers in Binance's own shape -----
BINANCE_RESTRICTED_MSG = (
    "Service unavailable from a restricted location according to 'b. Eligibility' in "
    "https://www.binance.com/en/terms. Please contact customer service if you believe you "
    "received this message in error.")
DISCONNECTED = (-1001, "Internal error; unable to process your request. Please try again.")
SEND_STATUS_UNKNOWN = (-1007, "Timeout waiting for response from backend server. Send status unknown; "
                              "execution status unknown.")
TOO_MUCH_WEIGHT = -1003
ORDER_REJECTED = -2010


class BinanceError(Exception):
    """An answer in Binance's shape {"code": -1121, "msg": "Invalid symbol."} with Binance's HTTP status."""

    def __init__(self, status: int, code: int, msg: str, retry_after: float | None = None):
        super().__init__(msg)
        self.status, self.code, self.msg, self.retry_after = status, code, msg, retry_after

    def to_dict(self) -> dict:
        return {"code": self.code, "msg": self.msg}


def binance_error(err: Exception, write: bool = False) -> BinanceError:
    """The mirror's one translation of a failure into what Binance itself would answer, so that
    bots' own handling (ccxt, python-binance, freqtrade) keeps working. `write`: the failed
    request was a POST/DELETE, whose outcome is unknown when no answer came."""
    if isinstance(err, BinanceError):
        return err
    if isinstance(err, RiskRefused):  # a rejected order to a bot: it will not retry it as if Binance were away
        return BinanceError(400, ORDER_REJECTED, f"Order rejected by the gateway's risk limits ({err.limit}): "
                                                 f"{err.message}")
    if isinstance(err, ApiError):  # a shared service's verdict, in Binance's words
        if err.code == "unknown_symbol":
            return BinanceError(400, UNKNOWN_SYMBOL, "Invalid symbol.")
        if err.status == 503:
            return BinanceError(503, *DISCONNECTED, retry_after=err.retry_after)
        if err.status == 429:  # this client's share of the weight, or of the bytes sent, is spent
            return BinanceError(429, TOO_MUCH_WEIGHT, err.message, retry_after=err.retry_after)
        return BinanceError(400, -1130, err.message)
    if isinstance(err, SingleFlightTimeout):
        return BinanceError(503, *DISCONNECTED, retry_after=err.retry_after)
    if isinstance(err, Rejected):  # Binance's own error, as it gave it
        return BinanceError(err.status or 400, err.code if err.code is not None else -1000, err.message)
    if isinstance(err, UpstreamError):
        return _unavailable(err, write)
    raise TypeError(f"not a failure with an API answer: {type(err).__name__}")


def _unavailable(err: UpstreamError, write: bool) -> BinanceError:
    state = str(err.state)
    if state == "restricted":
        return BinanceError(451, 0, getattr(err, "reason", None) or _binance_msg(err) or BINANCE_RESTRICTED_MSG)
    if state == "banned":
        return BinanceError(418, TOO_MUCH_WEIGHT, "Way too much request weight used; IP banned. The gateway sends "
                            "nothing to Binance until Retry-After has passed.", retry_after=err.retry_after or 60)
    if state == "rate_limited":
        return BinanceError(429, TOO_MUCH_WEIGHT, "Too much request weight used; the gateway sends nothing to "
                            "Binance until Retry-After has passed.", retry_after=err.retry_after or 60)
    if state == "ok":  # our own budget: the gateway's share of this minute's weight is spent
        return BinanceError(429, TOO_MUCH_WEIGHT, "Too much request weight used; the gateway's weight budget for "
                            "this minute is spent.", retry_after=err.retry_after or 60)
    lost = write and not isinstance(err, HeldBack)  # sent, and no answer came: it may have been placed
    return BinanceError(503, *(SEND_STATUS_UNKNOWN if lost else DISCONNECTED), retry_after=err.retry_after)


def _binance_msg(err: UpstreamError) -> str | None:
    """A live 451's message is Binance's own (client.translate keeps it); a held-back one is ours."""
    return err.message if err.status == 451 else None
