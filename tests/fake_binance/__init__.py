"""A fake Binance exchange for tests and for running the gateway offline."""
from .faults import RESTRICTED_MSG, Fault
from .gates import Gate
from .server import FakeBinance, RequestRecord

__all__ = ["FakeBinance", "Fault", "Gate", "RequestRecord", "RESTRICTED_MSG"]
