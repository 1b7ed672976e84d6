"""Where a number came from and how old it is."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any


class Source(StrEnum):
    LIVE = "live"  # fetched for this request
    STREAM = "stream"  # pushed by Binance's websocket stream, which is healthy
    CACHE = "cache"  # fresh within its TTL
    STALE = "stale"  # last known good, past its TTL, served because Binance failed
    FALLBACK = "fallback"  # the shipped snapshot


@dataclass(frozen=True)
class Sourced:
    data: Any
    source: Source
    as_of: float  # epoch seconds when Binance produced the data
    # stale or fallback: when Binance may be asked again, if known (its Retry-After, a cool-down)
    retry_after: float | None = None

    def __post_init__(self):
        object.__setattr__(self, "source", Source(self.source))  # an unknown source is a bug: ValueError

    def fields(self, now: float) -> dict:
        return {"source": self.source.value, "as_of": iso_utc(self.as_of),
                "age_s": round(max(0.0, now - self.as_of), 3)}

    def replace(self, data: Any) -> Sourced:
        return Sourced(data, self.source, self.as_of, self.retry_after)

    @property
    def from_binance_now(self) -> bool:
        """Did Binance answer for this data (live, a healthy stream, or cached within its TTL)? Only then
        may its absence of a symbol be taken as Binance's word."""
        return self.source in (Source.LIVE, Source.STREAM, Source.CACHE)


@lru_cache(maxsize=1024)  # cache hits repeat the same as_of many times
def iso_utc(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
