"""What the tests' fake exchange knows about its clients, and what a client does with it."""
import hashlib
import hmac
import time
from pathlib import Path

API_KEY, API_SECRET = "test-key-5f2c", "test-secret-a91e"
FIXTURE_FALLBACK = Path(__file__).resolve().parents[1] / "fixtures" / "fallback_data"


def signed(query: str) -> str:
    """`query` with Binance's HMAC-SHA256 signature appended, as a client computes it."""
    signature = hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return f"{query}&signature={signature}"


def now_ms() -> int:
    return int(time.time() * 1000)
