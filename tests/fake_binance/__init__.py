"""A fake Binance exchange for tests and for running the gateway offline."""
from .faults import RESTRICTED_MSG, Fault
from .server import FakeBinance, RequestRecord

__all__ = ["FakeBinance", "Fault", "RequestRecord", "RESTRICTED_MSG"]
