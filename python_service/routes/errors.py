"""The one error path: every failure becomes {"error": {"code", "message", "upstream"?}}."""
from __future__ import annotations

import logging
import math

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from ..errors import ApiError, RiskRefused, api_error
from ..stores.flight import SingleFlightTimeout
from ..upstream import UpstreamError

log = logging.getLogger(__name__)


def error_response(err: ApiError):
    response = jsonify(err.to_dict())
    response.status_code = err.status
    if err.retry_after is not None:
        response.headers["Retry-After"] = str(max(1, math.ceil(err.retry_after)))  # never sooner than told
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    @app.errorhandler(RiskRefused)
    @app.errorhandler(UpstreamError)
    @app.errorhandler(SingleFlightTimeout)
    def known(err: Exception):
        return error_response(api_error(err))

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
