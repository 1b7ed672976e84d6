"""Parts of the OpenAPI documents the schemathesis runs tell apart (tests/test_openapi.py,
tests/test_mirror_openapi.py)."""

MIRROR_PATHS = "^/(api/v3|fapi)/"  # the Binance-compatible mirror: a run of its own (test_mirror_openapi.py)
STREAM_PATHS = "^/api/binance/stream/"  # endless event streams: no run (tests/test_price_push.py)
