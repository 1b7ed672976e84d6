"""Turns an upstream fetch into Sourced data. (Caching and fallback come with the resilience work.)"""
from __future__ import annotations

import time
from typing import Any, Callable, Optional

from .provenance import Sourced


class Provider:
    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock

    def get(self, key: str, ttl: float, fetch: Callable[[], Any],
            fallback: Optional[Callable[[], Optional[Sourced]]] = None) -> Sourced:
        data = fetch()
        return Sourced(data, "live", self.clock())
