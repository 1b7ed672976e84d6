"""The last data Binance gave us, kept in memory and on disk so it survives a restart
(files written atomically: files.py)."""
from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Callable, Optional

from .datasets import pick
from .files import write_json_atomically

log = logging.getLogger(__name__)


class LastKnownGood:
    """Per dataset ("prices", "tickers"), a mapping symbol -> {"value", "as_of"}."""

    def __init__(self, directory: Optional[str], clock: Callable[[], float] = time.time,
                 write_interval_s: float = 5.0):
        self.directory = Path(directory) if directory else None
        self.clock, self.write_interval_s = clock, write_interval_s
        self._data: dict[str, dict] = {}
        self._written_at: dict[str, float] = {}
        self._lock = threading.Lock()
        self._load()

    def _path(self, dataset: str) -> Path:
        return self.directory / f"{dataset}.json"

    def _load(self) -> None:
        if not self.directory or not self.directory.is_dir():
            return
        for path in self.directory.glob("*.json"):
            try:
                self._data[path.stem] = json.loads(path.read_text())["symbols"]
            except (OSError, ValueError, KeyError, TypeError) as err:
                log.warning("ignoring unreadable last-known-good file %s: %s", path.name, err)

    def remember(self, dataset: str, values: dict, as_of: float) -> None:
        with self._lock:
            rows = self._data.setdefault(dataset, {})
            for symbol, value in values.items():
                rows[symbol] = {"value": value, "as_of": as_of}
            due = self.clock() - self._written_at.get(dataset, float("-inf")) >= self.write_interval_s
            snapshot = dict(rows) if due else None
            if due:
                self._written_at[dataset] = self.clock()
        if snapshot is not None and self.directory:
            try:
                write_json_atomically(self._path(dataset), {"dataset": dataset, "symbols": snapshot})
            except OSError as err:  # best effort: the memory copy still serves
                log.warning("could not persist last-known-good %s: %s", dataset, err)

    def lookup(self, dataset: str, symbols: Optional[list[str]] = None) -> Optional[tuple[dict, float]]:
        """({symbol: value}, oldest as_of) when every requested symbol is known; None otherwise."""
        with self._lock:
            found = pick(self._data.get(dataset) or {}, symbols)
            if found is None:
                return None
            return {s: row["value"] for s, row in found.items()}, min(row["as_of"] for row in found.values())
