"""The upstream layer: the only way the service reaches Binance."""
from .errors import (Banned, HeldBack, RateLimited, Rejected, Restricted, Unreachable,
                     UpstreamError)
from .gateway import Upstream

__all__ = ["Upstream", "UpstreamError", "Unreachable", "Restricted", "RateLimited", "Banned",
           "Rejected", "HeldBack"]
