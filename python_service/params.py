"""Query parameters checked before any upstream call; each failure is a 400."""
from __future__ import annotations

import re
from typing import Optional

from .errors import ApiError

INTERVALS = ("1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M")
_DIGITS = re.compile(r"[0-9]{1,15}")


def integer(args, name: str, default: Optional[int], low: int, high: int) -> Optional[int]:
    raw = args.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise ApiError(400, "invalid_parameter", f"{name} must be an integer from {low} to {high}")
    return int(raw)


def choice(args, name: str, allowed, default=None, cast=str):
    raw = args.get(name)
    if raw is None:
        if default is None:
            raise ApiError(400, "invalid_parameter", f"{name} is required: one of {', '.join(map(str, allowed))}")
        return default
    try:
        value = cast(raw)
    except ValueError:
        value = None
    if value not in allowed:
        raise ApiError(400, "invalid_parameter", f"{name} must be one of {', '.join(map(str, allowed))}")
    return value


def time_range(args) -> dict:
    """startTime / endTime in epoch milliseconds, startTime not after endTime."""
    start = integer(args, "startTime", None, 0, 10**15)
    end = integer(args, "endTime", None, 0, 10**15)
    if start is not None and end is not None and start > end:
        raise ApiError(400, "invalid_parameter", "startTime must not be after endTime")
    return {k: v for k, v in (("startTime", start), ("endTime", end)) if v is not None}
