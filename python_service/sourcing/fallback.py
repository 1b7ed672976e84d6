"""The shipped snapshot in FALLBACK_DATA_DIR: served, marked "fallback", when
nothing live, cached or last-known-good can be had."""
from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path

from .datasets import pick

log = logging.getLogger(__name__)
FILES = {"prices": "prices.json", "tickers": "ticker_24hr.json", "exchange_info": "exchange_info.json",
         "premium_index": "futures_premium_index.json"}


class FallbackData:
    def __init__(self, directory: str):
        self.directory = Path(directory)
        self._datasets: dict[str, tuple[dict, float]] = {}
        for dataset, name in FILES.items():
            loaded = _load(self.directory / name, dataset)
            if loaded:
                self._datasets[dataset] = loaded

    def lookup(self, dataset: str, symbols: list[str] | None = None) -> tuple[dict, float] | None:
        """({symbol: value}, as_of) when the snapshot has every requested symbol; None otherwise."""
        values, as_of = self._datasets.get(dataset, ({}, 0.0))
        found = pick(values, symbols)
        return None if found is None else (found, as_of)

    def describe(self) -> dict:
        return {dataset: {"symbols": len(values), "as_of": as_of}
                for dataset, (values, as_of) in self._datasets.items()}


def _load(path: Path, dataset: str) -> tuple[dict, float] | None:
    try:
        document = json.loads(path.read_text())
        as_of = datetime.fromisoformat(document["as_of"].replace("Z", "+00:00")).timestamp()
        values = document[dataset]
        if not isinstance(values, dict):
            raise ValueError(f"{dataset} is not an object")
        return values, as_of
    except FileNotFoundError:
        log.warning("no fallback snapshot at %s", path)
    except (OSError, ValueError, KeyError, TypeError) as err:
        log.warning("ignoring unreadable fallback snapshot %s: %s", path, err)
    return None
