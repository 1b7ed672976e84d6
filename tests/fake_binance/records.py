"""What the fake remembers of each request, and Binance's error as an exception."""
from __future__ import annotations

from dataclasses import dataclass

from .faults import market_of


@dataclass
class RequestRecord:
    method: str
    path: str
    query: str
    params: dict
    headers: dict
    client_addr: str
    weight: int
    at: float
    status: int = 0
    fault: str | None = None
    held: bool = False  # parked by a hold() gate before it was answered

    @property
    def market(self) -> str | None:
        return market_of(self.path)


class BinanceError(Exception):
    """Answered as {"code": code, "msg": msg} with HTTP `status`, as Binance does."""

    def __init__(self, status: int, code: int, msg: str):
        self.status, self.code, self.msg = status, code, msg
