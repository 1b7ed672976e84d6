"""Risk limits (issue 26, item 4): every order that would leave python_service, from its own
routes and from bots' signed requests through the mirror, is checked first; a refusal sends
nothing to Binance (asserted on the fake's request log), answers 403 risk_limit on the
gateway's routes and Binance's -2010 on the mirror. The settings are ceilings an admin may
only tighten; what an admin sets is kept across restarts. Every attempt is in the audit log."""
import hashlib
import hmac
import json
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.exchange import API_KEY, API_SECRET
from tests.support.mirror_clients import ccxt_binance, python_binance, serving
from tests.support.ports import closed_port
from tests.support.processes import INTERNAL_TOKEN, start_gateway, stop, wait_until_up

ORDER = "/api/v3/order"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def trading(make_app):
    def build(**limits):
        return make_app(TRADING_ENABLED="true", BINANCE_API_KEY=API_KEY, BINANCE_API_SECRET=API_SECRET, **limits)
    return build


def place(client, user="alice", **order):
    body = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001",
            "price": "60000", **order}
    return client.post("/api/binance/orders", json=body, headers={"X-Gateway-User": user})


def placed_at_binance(fake, path=ORDER) -> int:
    return sum(1 for r in fake.requests_to(path) if r.method == "POST")


def refusal(response) -> tuple:
    error = response.get_json()["error"]
    return response.status_code, error["code"], error["limit"], error["value"]


# ----- each limit on the gateway's own order routes -----

@pytest.mark.parametrize("limits,order,expected", [
    ({"RISK_MAX_ORDER_NOTIONAL": "50"}, {}, ("max_order_notional", "50")),  # 0.001 x 60000 = 60 USDT
    ({"RISK_MAX_ORDER_NOTIONAL": "50"}, {"type": "MARKET", "price": None, "timeInForce": None},
     ("max_order_notional", "50")),  # at the current price, 67012.34: 67.01 USDT
    ({"RISK_MAX_ORDER_NOTIONAL": "50"}, {"type": "MARKET", "quantity": None, "price": None, "timeInForce": None,
                                         "quoteOrderQty": "50.01"}, ("max_order_notional", "50")),
    ({"RISK_MAX_ORDER_NOTIONAL": "100"}, {"symbol": "ETHBTC", "quantity": "100", "price": "0.05"},
     ("max_order_notional", "100")),  # 5 BTC, at BTCUSDT 67012.34: 335,061.7 USDT
    ({"RISK_ALLOWED_SYMBOLS": "ETHUSDT,SOLUSDT"}, {}, ("allowed_symbols", ["ETHUSDT", "SOLUSDT"])),
    ({"TRADING_HALTED": "true"}, {}, ("trading_halted", True)),
])
def test_an_order_breaking_a_limit_is_403_risk_limit_naming_it_and_nothing_reaches_binance(
        trading, fake, limits, order, expected):
    client = trading(**limits).test_client()
    fake.log.clear()

    response = place(client, **{k: v for k, v in order.items() if v is not None},
                     **{k: None for k, v in order.items() if v is None})

    assert refusal(response) == (403, "risk_limit", *expected), response.get_json()
    assert placed_at_binance(fake) == 0


def test_orders_within_every_limit_are_placed(trading, fake):
    client = trading(RISK_MAX_ORDER_NOTIONAL="100", RISK_ALLOWED_SYMBOLS="BTCUSDT", RISK_MAX_ORDERS_PER_MIN="5",
                     RISK_MAX_LEVERAGE="10").test_client()

    assert place(client).status_code == 201
    assert place(client, type="MARKET", price=None, timeInForce=None).status_code == 201  # 67.01 USDT
    assert placed_at_binance(fake) == 2


def test_the_value_of_a_market_order_unknown_while_binance_is_away_refuses_it(trading, fake):
    # prices fail; orders could still be sent (the breaker stays closed): the limit alone refuses
    client = trading(RISK_MAX_ORDER_NOTIONAL="1000", BREAKER_THRESHOLD="1000").test_client()
    assert place(client, clientOrderId="warm").status_code == 201  # symbol rules cached, no price asked
    fake.add_fault("server_error", route="/api/v3/ticker/price")  # no price now, none cached: the shipped one
    fake.log.clear()                                                # (FALLBACK_DATA_DIR) is far too old to count

    response = place(client, type="MARKET", price=None, timeInForce=None)

    assert refusal(response)[:3] == (403, "risk_limit", "max_order_notional")
    assert "cannot be known" in response.get_json()["error"]["message"]
    assert placed_at_binance(fake) == 0


def test_the_per_minute_cap_counts_the_whole_account_and_frees_a_place_a_minute_later(trading, fake, clock):
    client = trading(RISK_MAX_ORDERS_PER_MIN="3").test_client()

    answers = [place(client, user=name).status_code for name in ("alice", "bob", "carol", "dave")]
    clock.advance(61)
    later = place(client).status_code

    assert answers == [201, 201, 201, 403] and later == 201
    assert placed_at_binance(fake) == 4


def test_a_futures_leverage_over_the_limit_is_refused_and_not_sent(trading, fake):
    client = trading(RISK_MAX_LEVERAGE="5").test_client()

    over = client.post("/api/binance/futures/leverage", json={"symbol": "BTCUSDT", "leverage": 6})
    within = client.post("/api/binance/futures/leverage", json={"symbol": "BTCUSDT", "leverage": 5})

    assert refusal(over) == (403, "risk_limit", "max_leverage", 5)
    assert within.status_code == 200
    assert [r.query for r in fake.requests_to("/fapi/v1/leverage")] and len(fake.requests_to("/fapi/v1/leverage")) == 1


def test_a_futures_order_is_valued_at_the_mark_price(trading, fake):
    client = trading(RISK_MAX_ORDER_NOTIONAL="120").test_client()  # 0.002 at the mark price: 134 USDT

    response = client.post("/api/binance/futures/orders", json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                                                "quantity": "0.002"})

    assert refusal(response)[:3] == (403, "risk_limit", "max_order_notional")
    assert placed_at_binance(fake, "/fapi/v1/order") == 0


def test_a_halt_refuses_placements_but_lets_cancels_through(trading, fake):
    app = trading()
    client = app.test_client()
    resting = place(client, clientOrderId="rest-1")
    assert resting.status_code == 201
    client.put("/api/binance/risk", json={"trading_halted": True}, headers={"X-Gateway-User": "root"})

    refused = place(client)
    cancelled = client.delete("/api/binance/orders/BTCUSDT/rest-1")

    assert refusal(refused)[:3] == (403, "risk_limit", "trading_halted")
    assert cancelled.status_code == 200 and cancelled.get_json()["order"]["status"] == "CANCELED"
    assert placed_at_binance(fake) == 1


# ----- an admin tightens the ceilings, never loosens them -----

def test_an_admin_may_tighten_each_limit_and_never_loosen_one(trading, fake):
    client = trading(RISK_MAX_ORDER_NOTIONAL="1000", RISK_MAX_LEVERAGE="20", RISK_ALLOWED_SYMBOLS="BTCUSDT,ETHUSDT",
                     TRADING_HALTED="false").test_client()
    admin = {"X-Gateway-User": "root"}

    looser = [client.put("/api/binance/risk", json=body, headers=admin) for body in (
        {"max_order_notional": "1000.01"}, {"max_leverage": 21}, {"allowed_symbols": ["BTCUSDT", "SOLUSDT"]},
        {"max_orders_per_min": 5, "max_leverage": 25})]
    unset = client.put("/api/binance/risk", json={"max_order_notional": None}, headers=admin).get_json()
    tighter = client.put("/api/binance/risk", json={"max_order_notional": "50", "max_leverage": 3,
                                                     "allowed_symbols": ["BTCUSDT"]}, headers=admin)
    refused = place(client)  # 60 USDT, over the admin's 50

    assert [(r.status_code, r.get_json()["error"]["code"]) for r in looser] == [(400, "looser_than_ceiling")] * 4
    assert unset["in_force"]["max_order_notional"] == "1000"  # no limit of the admin's own: the ceiling holds
    assert tighter.status_code == 200
    assert tighter.get_json()["in_force"] == {"max_order_notional": "50", "max_orders_per_min": None,
                                              "allowed_symbols": ["BTCUSDT"], "max_leverage": 3,
                                              "trading_halted": False}
    assert refusal(refused) == (403, "risk_limit", "max_order_notional", "50")
    assert placed_at_binance(fake) == 0


def test_without_a_ceiling_an_admin_sets_any_limit_and_resumes_a_halt_they_set(trading):
    client = trading().test_client()
    admin = {"X-Gateway-User": "root"}

    halted = client.put("/api/binance/risk", json={"trading_halted": True}, headers=admin).get_json()
    resumed = client.put("/api/binance/risk", json={"trading_halted": False}, headers=admin).get_json()

    assert halted["in_force"]["trading_halted"] is True and resumed["in_force"]["trading_halted"] is False
    assert place(client).status_code == 201


def test_a_halt_in_the_settings_cannot_be_lifted_by_an_admin(trading):
    client = trading(TRADING_HALTED="true").test_client()

    answer = client.put("/api/binance/risk", json={"trading_halted": False}, headers={"X-Gateway-User": "root"})

    assert answer.status_code == 200  # asking for no halt of its own is allowed; the setting still halts
    assert answer.get_json()["in_force"]["trading_halted"] is True


def test_the_admins_limits_are_kept_across_a_restart(trading, tmp_path):
    first = trading().test_client()
    first.put("/api/binance/risk", json={"max_order_notional": "10"}, headers={"X-Gateway-User": "root"})

    again = trading().test_client()  # a new process: a new store, the same RISK_STATE_PATH

    assert again.get("/api/binance/risk").get_json()["in_force"]["max_order_notional"] == "10"
    assert refusal(place(again))[:3] == (403, "risk_limit", "max_order_notional")


@pytest.mark.parametrize("body", [[], "x", {"max_leverage": 0}, {"max_leverage": 126}, {"max_leverage": "3"},
                                  {"max_order_notional": "-1"}, {"max_order_notional": "abc"},
                                  {"allowed_symbols": "BTCUSDT"}, {"allowed_symbols": ["BTC&X"]},
                                  {"trading_halted": "yes"}, {"limits": 1}, {"max_orders_per_min": True}])
def test_malformed_limits_are_400_and_change_nothing(trading, body):
    client = trading().test_client()

    answer = client.put("/api/binance/risk", json=body)

    assert answer.status_code == 400 and answer.get_json()["error"]["code"] in ("invalid_parameter", "invalid_symbol")
    assert client.get("/api/binance/risk").get_json()["admin"] is None


def test_the_risk_routes_need_the_internal_token(trading):
    client = trading().test_client()
    no_token = {"X-Internal-Token": ""}

    assert client.get("/api/binance/risk", headers=no_token).status_code == 401
    assert client.put("/api/binance/risk", json={"trading_halted": True}, headers=no_token).status_code == 401
    assert client.get("/api/binance/risk").get_json()["in_force"]["trading_halted"] is False


# ----- bots through the mirror: the same limits, Binance's answer -----

def signed(query: str, secret: str = API_SECRET) -> str:
    return f"{query}&signature={hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()}"


def bot_order(client, **fields):
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001",
              "price": "60000", "timestamp": str(int(time.time() * 1000)), **fields}
    body = signed("&".join(f"{k}={v}" for k, v in params.items()))
    return client.post(ORDER, data=body, content_type=FORM, headers={"X-MBX-APIKEY": API_KEY})


@pytest.mark.parametrize("limits,fields,named", [
    ({"RISK_MAX_ORDER_NOTIONAL": "50"}, {}, "max_order_notional"),
    ({"RISK_ALLOWED_SYMBOLS": "ETHUSDT"}, {}, "allowed_symbols"),
    ({"TRADING_HALTED": "true"}, {}, "trading_halted"),
    ({"RISK_MAX_ORDER_NOTIONAL": "50"}, {"quantity": "abc"}, "max_order_notional"),  # no value: refused
])
def test_a_bots_signed_order_breaking_a_limit_is_binances_rejected_order_and_is_not_sent(
        make_app, fake, limits, fields, named):
    client = make_app(**limits).test_client()

    answer = bot_order(client, **fields)

    assert answer.status_code == 400
    assert answer.get_json()["code"] == -2010 and named in answer.get_json()["msg"]
    assert placed_at_binance(fake) == 0


def test_a_bots_test_order_and_leverage_pass_the_limits_too(make_app, fake):
    client = make_app(RISK_MAX_ORDER_NOTIONAL="50", RISK_MAX_LEVERAGE="5").test_client()
    now = str(int(time.time() * 1000))
    test_order = client.post("/api/v3/order/test", content_type=FORM, headers={"X-MBX-APIKEY": API_KEY},
                             data=signed(f"symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001&timestamp={now}"))
    leverage = client.post("/fapi/v1/leverage", content_type=FORM, headers={"X-MBX-APIKEY": API_KEY},
                           data=signed(f"symbol=BTCUSDT&leverage=6&timestamp={now}"))

    assert (test_order.status_code, test_order.get_json()["code"]) == (400, -2010)
    assert (leverage.status_code, leverage.get_json()["code"]) == (400, -2010)
    assert fake.count("/api/v3/order/test") == 0 and fake.count("/fapi/v1/leverage") == 0


def test_real_bot_clients_see_the_refusal_as_a_rejected_order(make_app, fake):
    import binance.exceptions
    import ccxt

    app = make_app(RISK_MAX_ORDER_NOTIONAL="50")
    with serving(app) as root:
        exchange = ccxt_binance(root, API_KEY, API_SECRET)
        exchange.load_markets()
        with pytest.raises(ccxt.InvalidOrder) as by_ccxt:
            exchange.create_order("BTC/USDT", "limit", "buy", 0.001, 60000)
        client = python_binance(root, API_KEY, API_SECRET)
        with pytest.raises(binance.exceptions.BinanceAPIException) as by_sdk:
            client.create_order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001",
                                price="60000")

    assert "max_order_notional" in str(by_ccxt.value)
    assert by_sdk.value.code == -2010 and "max_order_notional" in by_sdk.value.message
    assert placed_at_binance(fake) == 0


def test_a_bots_order_within_the_limits_goes_through_untouched(make_app, fake):
    client = make_app(RISK_MAX_ORDER_NOTIONAL="100").test_client()

    answer = bot_order(client, newClientOrderId="bot-7")

    assert answer.status_code == 200 and answer.get_json()["clientOrderId"] == "bot-7"
    [sent] = [r for r in fake.requests_to(ORDER) if r.method == "POST"]
    assert b"signature=" in sent.body  # the bot's own signed bytes, not re-signed


# ----- the audit log -----

def test_every_attempt_is_audited_with_who_the_decision_and_the_outcome_and_no_secret(trading, fake, tmp_path):
    app = trading(RISK_MAX_ORDER_NOTIONAL="100")
    client = app.test_client()
    place(client, user="alice", clientOrderId="a-1")  # allowed, placed
    place(client, user="alice", quantity="0.01")  # refused: 600 USDT
    client.delete("/api/binance/orders/BTCUSDT/a-1", headers={"X-Gateway-User": "bob"})
    bot_order(client, quantity="0.01")  # a bot, refused
    client.put("/api/binance/risk", json={"max_leverage": 2}, headers={"X-Gateway-User": "root"})

    entries = client.get("/api/binance/audit").get_json()["entries"]
    seen = [(e["actor"].split(" ")[0], e["action"], e["decision"], e["outcome"]) for e in reversed(entries)]

    assert seen == [("user:alice", "order.place", "allowed", None),
                    ("user:alice", "order.place.outcome", None, "placed"),
                    ("user:alice", "order.place", "refused: max_order_notional", None),
                    ("user:bob", "order.cancel", "allowed", None),
                    ("user:bob", "order.cancel.outcome", None, "canceled"),
                    ("bot:127.0.0.1", "order.place", "refused: max_order_notional", None),
                    ("user:root", "risk.set", "allowed", None)]
    bot = next(e for e in entries if e["actor"].startswith("bot:"))
    assert bot["actor"].endswith("key:" + hashlib.sha256(API_KEY.encode()).hexdigest()[:16])
    placed = next(e for e in entries if e["action"] == "order.place.outcome")
    assert placed["attempt_id"] == next(e["id"] for e in entries if e["decision"] == "allowed"
                                        and e["action"] == "order.place")
    raw = (tmp_path / "audit.sqlite3").read_bytes() + json.dumps(entries).encode()
    assert API_KEY.encode() not in raw and API_SECRET.encode() not in raw and b"signature" not in raw


def test_the_audit_log_is_append_only(trading, tmp_path):
    client = trading().test_client()
    place(client)

    with sqlite3.connect(tmp_path / "audit.sqlite3") as db:
        for statement in ("UPDATE audit SET actor = 'someone else'", "DELETE FROM audit"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(statement)
        assert db.execute("SELECT count(*) FROM audit").fetchone()[0] == 2


# ----- across workers and hosts: one cap for the account -----

ORDER_BODY = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001",
              "price": "60000"}


def gateway_on(fake, **env) -> tuple:
    port = closed_port()
    proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                          "BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": API_SECRET, "TRADING_ENABLED": "true",
                          "RISK_MAX_ORDERS_PER_MIN": "5", **env}, port)
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base + "/api/status", proc)
    return base, proc


def place_at_once(bases: list, count: int, fake) -> list:
    """`count` placements sent together over `bases` in turn, each on a connection of its own; the ones
    let through are held at the fake until all have been decided, so every decision is made while the
    others are in flight."""
    gate = fake.hold(route=ORDER)

    def one(n):
        with requests.Session() as session:
            return session.post(bases[n % len(bases)] + "/api/binance/orders", json=ORDER_BODY, timeout=90,
                                headers={"X-Internal-Token": INTERNAL_TOKEN}).status_code
    with ThreadPoolExecutor(count) as pool:
        answers = [pool.submit(one, n) for n in range(count)]
        assert gate.wait_arrived(5, timeout=60)  # five let through, parked: still in flight
        gate.release()
        return sorted(answer.result() for answer in answers)


@pytest.mark.processes
def test_the_per_minute_cap_holds_with_four_workers_placing_at_once(fake):
    base, proc = gateway_on(fake, GUNICORN_WORKERS="4")  # no Redis: the four share the host's store
    try:
        statuses = place_at_once([base], 16, fake)
    finally:
        stop(proc)

    assert statuses == [201] * 5 + [403] * 11
    assert placed_at_binance(fake) == 5


@pytest.mark.processes
def test_the_per_minute_cap_holds_across_two_hosts_sharing_redis(fake, redis_url):
    (first, one), (second, other) = (gateway_on(fake, GUNICORN_WORKERS="2", CACHE_REDIS_URL=redis_url)
                                     for _ in range(2))
    try:
        statuses = place_at_once([first, second], 16, fake)  # eight to each host
    finally:
        stop(one)
        stop(other)

    assert statuses == [201] * 5 + [403] * 11
    assert placed_at_binance(fake) == 5
