"""JSON in and out of the hot path, through orjson.

A gevent worker serves every client from one thread, so the milliseconds spent
encoding or decoding a 5,000-level book (~330 kB) are milliseconds in which no one
else is answered. orjson does both about 10x faster than the standard library
(bench/hostile.py, docs/benchmarks.md). What orjson refuses (NaN, an exponent past
a double's range) goes to the standard library, so nothing is accepted or refused
that was not before; the one difference left is that an integer past 64 bits
decodes as a float."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson


def loads(raw: bytes | str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


def dumps(value: Any, default: Callable[[Any], Any]) -> bytes:
    """Compact UTF-8 JSON, keys in the order given; `default` turns other types into JSON ones.
    Raises TypeError for what orjson cannot write (an integer past 64 bits)."""
    return orjson.dumps(value, default=default, option=orjson.OPT_NON_STR_KEYS)
