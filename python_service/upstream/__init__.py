"""The upstream layer: the only way the service reaches Binance."""
from .calls import Lane, Upstream
from .endpoints import ENDPOINTS, Market
from .errors import Banned, Blocked, HeldBack, RateLimited, Rejected, Restricted, Unreachable, UpstreamError

__all__ = ["Upstream", "Lane", "Market", "ENDPOINTS", "UpstreamError", "Unreachable", "Restricted",
           "RateLimited", "Banned", "Blocked", "Rejected", "HeldBack"]
