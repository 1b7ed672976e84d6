"""The last data Binance gave us, kept in memory and on disk so it survives a restart.

Files are written atomically (temporary file, fsync, rename), so a kill -9 in
the middle of a write leaves the previous file, never a torn one."""
from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Optional

log = logging.getLogger(__name__)


def write_json_atomically(path: Path, document) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(document, handle, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


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
            rows = self._data.get(dataset) or {}
            wanted = list(rows) if symbols is None else symbols
            if not wanted or any(s not in rows for s in wanted):
                return None
            return {s: rows[s]["value"] for s in wanted}, min(rows[s]["as_of"] for s in wanted)
