"""One typed error for every failure the service reports, and the one translation
of an upstream failure into it. Rendering (the JSON shape) is routes/errors.py."""
from __future__ import annotations

from typing import Optional

from .sourcing.single_flight import SingleFlightTimeout
from .upstream.errors import Rejected, UpstreamError

UNKNOWN_SYMBOL = -1121


class ApiError(Exception):
    """An answer the client should get: status, machine code and readable message."""

    def __init__(self, status: int, code: str, message: str, upstream: Optional[dict] = None,
                 retry_after: Optional[float] = None, details: Optional[dict] = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.upstream, self.retry_after = upstream, retry_after
        self.details = details or {}  # more fields for the error object (e.g. an order's violations)

    def to_dict(self) -> dict:
        error = {"code": self.code, "message": self.message, **self.details}
        if self.upstream:
            error["upstream"] = self.upstream
        return {"error": error}


def api_error(err: Exception) -> ApiError:
    """The answer for a failure that no live, cached or fallback data could cover."""
    if isinstance(err, ApiError):
        return err
    if isinstance(err, SingleFlightTimeout):
        return ApiError(503, "upstream_unavailable", f"Binance is slow: {err.message}", retry_after=err.retry_after)
    if isinstance(err, Rejected):
        if err.code == UNKNOWN_SYMBOL:
            return ApiError(404, "unknown_symbol", "Binance does not know this symbol",
                            upstream=err.upstream_detail())
        return ApiError(502, "upstream_error", f"Binance rejected the request: {err.message}",
                        upstream=err.upstream_detail())
    if isinstance(err, UpstreamError):
        return ApiError(503, "upstream_unavailable", f"Binance is unavailable ({err.state}): {err.message}",
                        upstream=err.upstream_detail(), retry_after=err.retry_after)
    raise TypeError(f"not a failure with an API answer: {type(err).__name__}")
