"""Binance's order-rate counters (X-MBX-ORDER-COUNT-10S, -1D; futures -1M) of this thread's last answer."""
from __future__ import annotations

from .sdk import last_response

PREFIX = "X-MBX-ORDER-COUNT-"


def last_order_counts() -> dict:
    """{"10s": 3, "1d": 120} from the last response this thread saw; {} when it had none."""
    response = last_response()
    if response is None:
        return {}
    return {name[len(PREFIX):].lower(): int(value) for name, value in response.headers.items()
            if name.upper().startswith(PREFIX) and value.isdigit()}
