"""The account behind the configured keys (issue 26, item 3): GET /api/binance/account values
each spot balance in USDT at the gateway's current price, with that price's provenance, and
GET /api/binance/my-trades lists the fills; both read over REST (signed, budgeted, cached
briefly) from the fake's wallet, which its fills move. Credential routes: never without the
internal token, never without one configured."""
from decimal import Decimal

import pytest

from tests.support.exchange import API_KEY, API_SECRET

BTC, ETH = Decimal("67012.34000000"), Decimal("3456.78000000")  # the fake's prices


@pytest.fixture
def account_app(make_app):
    return make_app(TRADING_ENABLED="true", BINANCE_API_KEY=API_KEY, BINANCE_API_SECRET=API_SECRET)


def test_each_balance_is_valued_at_the_current_price_with_its_source_and_the_total_adds_up(account_app, fake):
    answer = account_app.test_client().get("/api/binance/account")

    body = answer.get_json()
    rows = {row["asset"]: row for row in body["balances"]}
    assert answer.status_code == 200 and body["source"] == "live"
    assert set(rows) == {"BTC", "USDT", "ETH"}  # those that are not zero
    assert (rows["BTC"]["free"], rows["BTC"]["price_usdt"], rows["BTC"]["value_usdt"]) == \
        ("0.10000000", "67012.34", "6701.234")
    assert rows["ETH"]["value_usdt"] == "6913.56"
    assert (rows["BTC"]["price_source"], rows["ETH"]["price_source"]) == ("live", "cache")  # one call, then its copy
    assert (rows["USDT"]["price_usdt"], rows["USDT"]["value_usdt"], rows["USDT"]["price_source"]) == \
        ("1", "1000", None)
    assert Decimal(body["total_usdt"]) == Decimal("0.1") * BTC + 2 * ETH + 1000
    assert body["unpriced"] == [] and rows["BTC"]["price_as_of"].endswith("Z")
    assert fake.count("/api/v3/account") == 1


def test_a_fill_moves_the_balances_and_shows_in_my_trades(account_app, fake, clock):
    client = account_app.test_client()
    placed = client.post("/api/binance/orders", json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                                      "quantity": "0.01"})
    clock.advance(6)  # past ACCOUNT_TTL_S: read again
    balances = {row["asset"]: row for row in client.get("/api/binance/account").get_json()["balances"]}
    trades = client.get("/api/binance/my-trades?symbol=btcusdt").get_json()

    assert placed.status_code == 201
    assert balances["BTC"]["free"] == "0.10999000"  # 0.01 bought, less 0.1 % commission in BTC
    assert Decimal(balances["USDT"]["free"]) == 1000 - Decimal("0.01") * BTC
    [fill] = trades["trades"]
    assert (fill["side"], fill["price"], fill["qty"], fill["commission"], fill["commissionAsset"], fill["maker"]) == \
        ("BUY", "67012.34000000", "0.01000000", "0.00001000", "BTC", False)
    assert trades["symbol"] == "BTCUSDT" and fill["time"].endswith("Z") and trades["source"] == "live"


def test_a_price_binance_cannot_give_now_is_shown_as_stale(account_app, fake, clock):
    client = account_app.test_client()
    client.get("/api/binance/account")  # the prices are known
    fake.add_fault("restricted", route="/api/v3/ticker/price")
    clock.advance(6)

    rows = {row["asset"]: row for row in client.get("/api/binance/account").get_json()["balances"]}

    assert rows["BTC"]["price_source"] == "stale" and rows["BTC"]["value_usdt"] == "6701.234"


def test_an_asset_without_a_usdt_price_is_unpriced_and_left_out_of_the_total(account_app, fake):
    fake.orders.balances["NOPE"] = {"free": Decimal("5"), "locked": Decimal("0")}

    body = account_app.test_client().get("/api/binance/account").get_json()

    nope = next(row for row in body["balances"] if row["asset"] == "NOPE")
    assert nope["value_usdt"] is None and body["unpriced"] == ["NOPE"]
    assert Decimal(body["total_usdt"]) == Decimal("0.1") * BTC + 2 * ETH + 1000


@pytest.mark.parametrize("path", ["/api/binance/account", "/api/binance/my-trades?symbol=BTCUSDT",
                                  "/api/binance/trading/status", "/api/binance/risk", "/api/binance/audit"])
def test_credential_routes_need_the_token_and_are_never_served_without_one_configured(make_app, fake, path):
    with_token = make_app(BINANCE_API_KEY=API_KEY, BINANCE_API_SECRET=API_SECRET).test_client()
    without_any = make_app(BINANCE_API_KEY=API_KEY, BINANCE_API_SECRET=API_SECRET, INTERNAL_API_TOKEN="").test_client()

    wrong = with_token.get(path, headers={"X-Internal-Token": "guess"})
    unconfigured = without_any.get(path, headers={"X-Internal-Token": ""})

    assert (wrong.status_code, wrong.get_json()["error"]["code"]) == (401, "unauthorized")
    assert (unconfigured.status_code, unconfigured.get_json()["error"]["code"]) == \
        (503, "internal_token_not_configured")
    assert fake.log == []


def test_without_keys_the_account_says_so(make_app):
    answer = make_app().test_client().get("/api/binance/account")

    assert (answer.status_code, answer.get_json()["error"]["code"]) == (503, "keys_not_configured")
