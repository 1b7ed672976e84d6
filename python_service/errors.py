"""One typed error and one JSON shape for every failure the service reports."""
from __future__ import annotations

import logging
from typing import Optional

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from .upstream.errors import Rejected

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An answer the client should get: status, machine code and readable message."""

    def __init__(self, status: int, code: str, message: str, upstream: Optional[dict] = None,
                 retry_after: Optional[int] = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.upstream, self.retry_after = upstream, retry_after

    def to_dict(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.upstream:
            error["upstream"] = self.upstream
        return {"error": error}


def error_response(err: ApiError):
    response = jsonify(err.to_dict())
    response.status_code = err.status
    if err.retry_after is not None:
        response.headers["Retry-After"] = str(max(1, int(err.retry_after)))
    return response


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, error_response)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        response = error_response(ApiError(exc.code or 500, code, exc.description or exc.name))
        for name, value in exc.get_headers():  # e.g. Allow on a 405
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error")  # the traceback stays in the log, never in the answer
        return error_response(ApiError(500, "internal_error", "An unexpected error occurred."))


def from_upstream(err) -> ApiError:
    """The answer for an upstream failure (an UpstreamError) when no data can be served."""
    if isinstance(err, Rejected):
        if err.code == -1121:
            return ApiError(404, "unknown_symbol", "Binance does not know this symbol",
                            upstream=err.upstream_detail())
        return ApiError(502, "upstream_error", f"Binance rejected the request: {err.message}",
                        upstream=err.upstream_detail())
    return ApiError(503, "upstream_unavailable", f"Binance is unavailable ({err.state}): {err.message}",
                    upstream=err.upstream_detail(), retry_after=err.retry_after)
