"""A shape derived from one cached upstream answer: the raw answer is what the cache and the
single flight hold (one upstream call per TTL, whoever asks first), and each shape made from it
(the gateway's parsed rules, named candles) is computed once per answer in this process."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from .provenance import Sourced

KEEP = 32  # derived copies kept (least recently used dropped first): a named 1,000-candle copy is ~1 MB


class Derived:
    def __init__(self, keep: int = KEEP):
        self.keep = keep
        self._copies: OrderedDict[str, tuple[float, Any]] = OrderedDict()  # name -> (as_of, shaped)
        self._lock = threading.Lock()

    def shape(self, name: str, raw: Sourced, transform: Callable[[Any], Any]) -> Sourced:
        """`raw` with its data `transform`ed; one answer (one key, one fetch time) is transformed once,
        whether it comes from this process's copy or from Redis."""
        with self._lock:
            known = self._copies.get(name)
            if known is not None and known[0] == raw.as_of:
                self._copies.move_to_end(name)
                return raw.replace(known[1])
        shaped = transform(raw.data)  # outside the lock: a big document takes milliseconds
        with self._lock:
            self._copies[name] = (raw.as_of, shaped)
            self._copies.move_to_end(name)
            while len(self._copies) > self.keep:
                self._copies.popitem(last=False)
        return raw.replace(shaped)
