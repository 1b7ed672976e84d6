"""Where a number came from and how old it is."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timezone
from typing import Any

from flask import jsonify

SOURCES = ("live", "cache", "stale", "fallback")


@dataclass(frozen=True)
class Sourced:
    data: Any
    source: str  # live | cache | stale | fallback
    as_of: float  # epoch seconds when Binance produced the data

    def __post_init__(self):
        if self.source not in SOURCES:
            raise ValueError(f"unknown source {self.source!r}")

    def fields(self, now: float) -> dict:
        return {"source": self.source, "as_of": iso_utc(self.as_of), "age_s": round(max(0.0, now - self.as_of), 3)}

    def replace(self, data: Any) -> "Sourced":
        return Sourced(data, self.source, self.as_of)


@lru_cache(maxsize=1024)  # cache hits repeat the same as_of many times
def iso_utc(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sourced_response(payload: dict, sourced: Sourced, now: float):
    """The JSON answer with `source`, `as_of`, `age_s` and the X-Data-Source header."""
    from .metrics import count_answer

    response = jsonify({**payload, **sourced.fields(now)})
    response.headers["X-Data-Source"] = sourced.source
    count_answer(sourced.source)
    return response
