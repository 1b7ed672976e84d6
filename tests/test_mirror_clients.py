"""Real clients, unmodified, from PyPI at pinned versions, through the mirror: ccxt's
binance and python-binance's Client get what the fake served, and their own exceptions
during a ban or restriction, with nothing sent upstream in the window."""
import ccxt
import pytest
import requests
from binance.exceptions import BinanceAPIException

from tests.fake_binance import RESTRICTED_MSG
from tests.support.exchange import API_KEY, API_SECRET
from tests.support.mirror_clients import ccxt_binance, python_binance, serving

MIRRORED_PATHS = {"/api/v3/exchangeInfo", "/api/v3/ticker/24hr", "/api/v3/ticker/price", "/api/v3/klines",
                  "/api/v3/depth", "/api/v3/aggTrades", "/api/v3/account", "/api/v3/order",
                  "/fapi/v1/exchangeInfo", "/fapi/v1/premiumIndex", "/fapi/v2/ticker/price", "/fapi/v1/klines"}


@pytest.fixture
def gateway(make_app):
    with serving(make_app()) as root:
        yield root


@pytest.fixture
def frozen(fake):
    fake.clock = lambda: 1_790_000_000.0  # public answers comparable field by field (no signed calls here)
    return fake


def served(fake, path: str, **params):
    """What the fake serves for this request (asked directly, then forgotten from its log)."""
    answer = requests.get(fake.url + path, params=params, timeout=5).json()
    with fake._log_lock:
        fake.log.pop()
    return answer


def test_ccxt_public_calls_get_what_the_fake_served(gateway, frozen):
    exchange = ccxt_binance(gateway)

    markets = exchange.load_markets()
    ticker = exchange.fetch_ticker("BTC/USDT")
    tickers = exchange.fetch_tickers(["BTC/USDT", "ETH/USDT"])
    candles = exchange.fetch_ohlcv("BTC/USDT", "1m", limit=5)
    book = exchange.fetch_order_book("BTC/USDT", 5)
    trades = exchange.fetch_trades("BTC/USDT", limit=3)
    funding = exchange.fetch_funding_rate("BTC/USDT:USDT")

    assert {"BTC/USDT", "ETH/USDT", "BTC/USDT:USDT"} <= set(markets)
    assert ticker["info"] == served(frozen, "/api/v3/ticker/24hr", symbol="BTCUSDT")
    assert {s: t["last"] for s, t in tickers.items()} == {"BTC/USDT": float(frozen.prices["BTCUSDT"]),
                                                           "ETH/USDT": float(frozen.prices["ETHUSDT"])}
    raw = served(frozen, "/api/v3/klines", symbol="BTCUSDT", interval="1m", limit=5)
    assert [[c[0], c[4]] for c in candles] == [[r[0], float(r[4])] for r in raw]
    depth = served(frozen, "/api/v3/depth", symbol="BTCUSDT", limit=5)
    assert book["bids"] == [[float(p), float(q)] for p, q in depth["bids"]]
    assert [t["info"] for t in trades] == served(frozen, "/api/v3/aggTrades", symbol="BTCUSDT", limit=3)
    assert funding["info"] == served(frozen, "/fapi/v1/premiumIndex", symbol="BTCUSDT")
    assert {r.path for r in frozen.log} <= MIRRORED_PATHS


def test_ccxt_balance_and_an_order_round_trip_through_the_mirror(gateway, fake):
    exchange = ccxt_binance(gateway, API_KEY, API_SECRET)
    exchange.load_markets()

    balance = exchange.fetch_balance()
    order = exchange.create_order("BTC/USDT", "limit", "buy", 0.001, 60000)
    canceled = exchange.cancel_order(order["id"], "BTC/USDT")

    assert balance["BTC"]["free"] == 0.1 and balance["USDT"]["free"] == 1000
    placed = fake.orders.query_spot({"symbol": "BTCUSDT", "orderId": order["id"]}, {})
    assert (order["id"], order["clientOrderId"]) == (str(placed["orderId"]), placed["clientOrderId"])
    assert canceled["status"] == "canceled" and placed["status"] == "CANCELED"
    writes = [(r.method, r.path) for r in fake.log if r.method != "GET"]
    assert writes == [("POST", "/api/v3/order"), ("DELETE", "/api/v3/order")]


@pytest.mark.parametrize("kind, expected", [("banned", ccxt.DDoSProtection),
                                            ("rate_limited", (ccxt.RateLimitExceeded, ccxt.DDoSProtection)),
                                            ("restricted", ccxt.ExchangeNotAvailable)])
def test_ccxt_raises_its_own_exception_during_a_ban_or_restriction_and_nothing_goes_upstream(gateway, fake,
                                                                                           kind, expected):
    exchange = ccxt_binance(gateway, API_KEY, API_SECRET)
    exchange.load_markets()
    fake.add_fault(kind, retry_after=300)
    with pytest.raises(expected):
        exchange.fetch_ticker("BTC/USDT")  # Binance's own answer: the gateway learns of the trouble here
    seen = fake.count()

    calls = [lambda: exchange.fetch_ticker("ETH/USDT"), lambda: exchange.fetch_order_book("BTC/USDT"),
             lambda: exchange.fetch_ohlcv("BTC/USDT", "1h"), lambda: exchange.fetch_balance(),
             lambda: exchange.create_order("BTC/USDT", "limit", "buy", 0.001, 60000)]
    for call in calls:
        with pytest.raises(expected):
            call()

    assert fake.count() == seen


def test_python_binance_public_calls_get_what_the_fake_served(gateway, frozen):
    client = python_binance(gateway)

    assert client.get_symbol_ticker(symbol="BTCUSDT") == served(frozen, "/api/v3/ticker/price", symbol="BTCUSDT")
    assert client.get_ticker(symbol="ETHUSDT") == served(frozen, "/api/v3/ticker/24hr", symbol="ETHUSDT")
    assert client.get_klines(symbol="BTCUSDT", interval="1h", limit=3) == served(
        frozen, "/api/v3/klines", symbol="BTCUSDT", interval="1h", limit=3)
    assert client.get_order_book(symbol="BTCUSDT", limit=10) == served(frozen, "/api/v3/depth", symbol="BTCUSDT",
                                                                       limit=10)
    assert client.get_exchange_info() == served(frozen, "/api/v3/exchangeInfo")
    assert client.futures_symbol_ticker(symbol="BTCUSDT") == served(frozen, "/fapi/v2/ticker/price", symbol="BTCUSDT")
    assert client.futures_klines(symbol="BTCUSDT", interval="1m", limit=2) == served(
        frozen, "/fapi/v1/klines", symbol="BTCUSDT", interval="1m", limit=2)


def test_python_binance_signed_calls_with_the_bots_own_key(gateway, fake):
    client = python_binance(gateway, API_KEY, API_SECRET)

    account = client.get_account()
    order = client.create_order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001",
                                price="60000")

    assert account["balances"][0] == {"asset": "BTC", "free": "0.10000000", "locked": "0.00000000"}
    placed = fake.orders.query_spot({"symbol": "BTCUSDT", "orderId": str(order["orderId"])}, {})
    fields = ("orderId", "clientOrderId", "symbol", "side", "type", "price", "origQty", "status")
    assert {k: order[k] for k in fields} == {k: placed[k] for k in fields}
    assert [r.headers["x-mbx-apikey"] for r in fake.log] == [API_KEY, API_KEY]


@pytest.mark.parametrize("kind, status, code", [("banned", 418, -1003), ("restricted", 451, 0)])
def test_python_binance_sees_binances_status_during_a_ban_or_restriction(gateway, fake, kind, status, code):
    client = python_binance(gateway, API_KEY, API_SECRET)
    fake.add_fault(kind, retry_after=300)

    errors = []
    for call in (lambda: client.get_symbol_ticker(symbol="BTCUSDT"), client.get_account,
                 lambda: client.get_order_book(symbol="ETHUSDT")):
        with pytest.raises(BinanceAPIException) as caught:
            call()
        errors.append((caught.value.status_code, caught.value.code))

    assert errors == [(status, code)] * 3
    assert fake.count() == 1
    if kind == "restricted":
        assert caught.value.message == RESTRICTED_MSG
