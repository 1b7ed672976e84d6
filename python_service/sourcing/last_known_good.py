"""The last data Binance gave us, kept in memory and on disk so it survives a restart
(files written atomically: files.py).

Several workers share the directory: each write merges with what is on disk
(the newest `as_of` of each symbol wins) under a lock, so no worker's symbols
vanish because another wrote last; and a lookup merges in what the others wrote
(at most once a second per dataset), so a worker that never fetched a symbol
itself serves the last good copy another worker got, not the shipped fallback.
What is still unwritten is flushed at exit.
A file that is not what this module writes is set aside (renamed `.bad`), with
a warning, and never served."""
from __future__ import annotations

import atexit
import fcntl
import json
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from .datasets import pick
from .files import write_json_atomically

log = logging.getLogger(__name__)
_instances: weakref.WeakSet[LastKnownGood] = weakref.WeakSet()


def flush_all() -> None:
    """Writes what every LastKnownGood of this process has not written yet (at exit, worker_exit)."""
    for instance in list(_instances):
        instance.flush()


atexit.register(flush_all)


class LastKnownGood:
    """Per dataset ("prices", "tickers"), a mapping symbol -> {"value", "as_of"}."""

    def __init__(self, directory: str | None, clock: Callable[[], float] = time.time,
                 write_interval_s: float = 5.0, reread_interval_s: float = 1.0):
        self.directory = Path(directory) if directory else None
        self.clock, self.write_interval_s, self.reread_interval_s = clock, write_interval_s, reread_interval_s
        self._data: dict[str, dict] = {}
        self._written_at: dict[str, float] = {}
        self._reread_at: dict[str, float] = {}
        self._dirty: set[str] = set()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._load()
        _instances.add(self)

    def _path(self, dataset: str) -> Path:
        return self.directory / f"{dataset}.json"

    def _load(self) -> None:
        if not self.directory or not self.directory.is_dir():
            return
        for path in self.directory.glob("*.json"):
            rows = _read_rows(path)
            if rows is None:
                _set_aside(path)
            else:
                self._data[path.stem] = rows

    def remember(self, dataset: str, values: dict, as_of: float) -> None:
        with self._lock:
            rows = self._data.setdefault(dataset, {})
            for symbol, value in values.items():
                rows[symbol] = {"value": value, "as_of": as_of}
            self._dirty.add(dataset)
            due = self.clock() - self._written_at.get(dataset, float("-inf")) >= self.write_interval_s
        if due:
            self._write(dataset)

    def flush(self) -> None:
        for dataset in list(self._dirty):
            self._write(dataset)

    def _write(self, dataset: str) -> None:
        if not self.directory:
            return
        path = self._path(dataset)
        with self._write_lock:  # file work outside self._lock: requests keep reading meanwhile
            try:
                with _directory_lock(self.directory):
                    on_disk = _read_rows(path) or {}  # other workers' rows; a bad file is overwritten
                    with self._lock:
                        rows = self._data.setdefault(dataset, {})
                        _merge(rows, on_disk)
                        snapshot = dict(rows)
                        self._written_at[dataset] = self.clock()
                        self._dirty.discard(dataset)
                    write_json_atomically(path, {"dataset": dataset, "symbols": snapshot})
            except OSError as err:  # best effort: the memory copy still serves
                self._dirty.add(dataset)
                log.warning("could not persist last-known-good %s: %s", dataset, err)

    def lookup(self, dataset: str, symbols: list[str] | None = None) -> tuple[dict, float] | None:
        """({symbol: value}, oldest as_of) when every requested symbol is known; None otherwise."""
        self._reread(dataset)
        with self._lock:
            found = pick(self._data.get(dataset) or {}, symbols)
            if found is None:
                return None
            return {s: row["value"] for s, row in found.items()}, min(row["as_of"] for row in found.values())


    def _reread(self, dataset: str) -> None:
        """What the other workers wrote, merged in (newer rows win); the files are replaced atomically,
        so a read needs no lock. A lookup happens when Binance failed: this is not the hot path."""
        if not self.directory:
            return
        now = self.clock()
        with self._lock:
            if now - self._reread_at.get(dataset, float("-inf")) < self.reread_interval_s:
                return
            self._reread_at[dataset] = now
        on_disk = _read_rows(self._path(dataset))
        if on_disk:
            with self._lock:
                _merge(self._data.setdefault(dataset, {}), on_disk)


def _merge(rows: dict, other: dict) -> None:
    """Into `rows`, every row of `other` that is newer (or unknown)."""
    for symbol, row in other.items():
        if symbol not in rows or row["as_of"] > rows[symbol]["as_of"]:
            rows[symbol] = row


def _read_rows(path: Path) -> dict | None:
    """The rows of a file this module wrote; {} when there is none; None when it is unreadable
    or of another shape (valid JSON such as `[]` or {"symbols": null} included)."""
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        log.warning("last-known-good file %s is unreadable: %s", path.name, err)
        return None
    rows = document.get("symbols") if isinstance(document, dict) else None
    if not isinstance(rows, dict) or not all(_row_shaped(row) for row in rows.values()):
        log.warning("last-known-good file %s is not {\"symbols\": {symbol: {\"value\", \"as_of\"}}}", path.name)
        return None
    return rows


def _row_shaped(row) -> bool:
    return (isinstance(row, dict) and "value" in row and isinstance(row.get("as_of"), (int, float))
            and not isinstance(row.get("as_of"), bool))


def _set_aside(path: Path) -> None:
    """Kept for a look, out of the way of loading and writing."""
    try:
        os.replace(path, path.with_name(path.name + ".bad"))
        log.warning("set last-known-good file %s aside as %s.bad", path.name, path.name)
    except OSError as err:
        log.warning("could not set %s aside: %s", path.name, err)


@contextmanager
def _directory_lock(directory: Path):
    """One writer at a time across the workers sharing `directory` (read, merge, write)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
