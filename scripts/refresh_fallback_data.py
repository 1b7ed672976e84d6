#!/usr/bin/env python3
"""Rewrite the fallback snapshot (FALLBACK_DATA_DIR) from live Binance.

Takes the USDT pairs with the largest 24h quote volume (default 60) and writes
prices.json and ticker_24hr.json atomically. Uses the gateway's own settings
(BINANCE_BASE_URL, BINANCE_PROXY_URL, BINANCE_TIMEOUT_S, ... and .env), so it
goes the same way as the service. Costs weight 84 (all prices + all tickers).

Exit codes: 0 written, 1 Binance could not be reached (files left as they were), 2 usage error.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from python_service.settings import Settings, SettingsError, load_env_file, mask_url
from python_service.sourcing.files import write_json_atomically
from python_service.sourcing.provenance import iso_utc
from python_service.upstream import UpstreamError
from python_service.wiring import build_upstream

NOTE = ("Snapshot of Binance spot data taken by scripts/refresh_fallback_data.py from {root}. "
        "Served only when Binance and every cache are unavailable, always marked source=fallback.")


def quote_volume(ticker: dict) -> Decimal:
    try:
        return Decimal(ticker.get("quoteVolume", "0"))
    except InvalidOperation:
        return Decimal(0)


def largest_usdt_pairs(tickers: list, top: int) -> list[dict]:
    usdt = [t for t in tickers if isinstance(t, dict) and str(t.get("symbol", "")).endswith("USDT")]
    return sorted(usdt, key=quote_volume, reverse=True)[:top]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--top", type=int, default=60, help="how many USDT pairs to keep (default 60)")
    parser.add_argument("--out", help="directory to write (default: FALLBACK_DATA_DIR, else fallback_data)")
    args = parser.parse_args(argv)
    if args.top < 1:
        parser.error("--top must be at least 1")
    load_env_file()
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2
    out = Path(args.out or settings.fallback_data_dir)
    upstream = build_upstream(settings)  # the service's own builder: same roots, proxy, retries, budgets
    print(f"fetching from {settings.base_url} (proxy: {mask_url(settings.proxy_url) or 'none'}) ...")
    try:
        tickers = largest_usdt_pairs(upstream.fetch("ticker_24hr"), args.top)
        prices = {row["symbol"]: row["price"] for row in upstream.fetch("ticker_prices")}
    except UpstreamError as err:
        print(f"Binance could not be reached ({err.state}): {err.message}; snapshot left as it was", file=sys.stderr)
        return 1
    as_of = iso_utc(time.time())
    note = NOTE.format(root=settings.base_url)
    chosen = [t["symbol"] for t in tickers if t["symbol"] in prices]
    write_json_atomically(out / "prices.json", {"as_of": as_of, "note": note,
                                                "prices": {s: prices[s] for s in chosen}})
    kept = {t["symbol"]: t for t in tickers if t["symbol"] in prices}
    write_json_atomically(out / "ticker_24hr.json", {"as_of": as_of, "note": note, "tickers": kept})
    print(f"wrote {len(chosen)} USDT pairs to {out}/prices.json and {out}/ticker_24hr.json (as_of {as_of})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
