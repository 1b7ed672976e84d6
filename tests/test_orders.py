"""POST /api/binance/orders and friends against the fake exchange's matching engine:
every order type, local filter checks, and exactly-once placement when answers are lost."""
import json

import pytest

from tests.support.exchange import API_KEY, API_SECRET

ORDER_PATH = "/api/v3/order"


@pytest.fixture
def trading(make_app, tmp_path):
    def build(**overrides):
        config = {"TRADING_ENABLED": "true", "BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": API_SECRET,
                  "ORDER_JOURNAL_PATH": str(tmp_path / "orders.sqlite3"), **overrides}
        return make_app(**config).test_client()
    return build


@pytest.fixture
def client(trading):
    return trading()


def place(client, path="/api/binance/orders", headers=None, **order):
    body = {"symbol": "BTCUSDT", "side": "BUY", **order}
    return client.post(path, data=json.dumps(body), content_type="application/json", headers=headers or {})


def posts(fake, path=ORDER_PATH):
    return [r for r in fake.requests_to(path) if r.method == "POST"]


def warm(client, fake):
    """Rules and price cached, so what follows reaches Binance only if it is sent."""
    assert client.post("/api/binance/order/validate", json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                                            "quantity": "0.001"}).status_code == 200
    fake.log.clear()


# ----- the gate -----
@pytest.mark.parametrize("method,url", [("post", "/api/binance/orders"), ("post", "/api/binance/orders/test"),
                                        ("get", "/api/binance/orders/BTCUSDT/abc"),
                                        ("delete", "/api/binance/orders/BTCUSDT/abc"),
                                        ("get", "/api/binance/open-orders"), ("get", "/api/binance/futures/account"),
                                        ("get", "/api/binance/futures/positions"),
                                        ("post", "/api/binance/futures/orders"),
                                        ("post", "/api/binance/futures/leverage")])
def test_with_trading_disabled_by_default_every_order_route_is_403_and_nothing_reaches_binance(
        make_app, fake, method, url):
    client = make_app(BINANCE_API_KEY=API_KEY, BINANCE_API_SECRET=API_SECRET).test_client()

    response = getattr(client, method)(url, json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                                  "quantity": "0.001"})

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "trading_disabled"
    assert fake.log == []


def test_with_an_internal_token_set_placements_need_the_header(trading, fake):
    client = trading(INTERNAL_API_TOKEN="tok-123")

    without = place(client, type="MARKET", quantity="0.001")
    wrong = place(client, headers={"X-Internal-Token": "nope"}, type="MARKET", quantity="0.001")
    right = place(client, headers={"X-Internal-Token": "tok-123"}, type="MARKET", quantity="0.001")

    assert (without.status_code, wrong.status_code, right.status_code) == (401, 401, 201)
    assert len(posts(fake)) == 1


# ----- each type's happy path -----
@pytest.mark.parametrize("order,status", [
    ({"type": "MARKET", "quantity": "0.00100"}, "FILLED"),
    ({"type": "MARKET", "quoteOrderQty": "100.00"}, "FILLED"),
    ({"type": "LIMIT", "quantity": "0.00100", "price": "60000.00", "timeInForce": "GTC"}, "NEW"),
    ({"type": "LIMIT_MAKER", "quantity": "0.00100", "price": "60000.00"}, "NEW"),
    ({"type": "STOP_LOSS", "quantity": "0.00100", "stopPrice": "70000.00"}, "NEW"),
    ({"type": "STOP_LOSS_LIMIT", "quantity": "0.00100", "price": "70100.00", "stopPrice": "70000.00",
      "timeInForce": "GTC"}, "NEW"),
    ({"type": "TAKE_PROFIT", "quantity": "0.00100", "stopPrice": "60000.00"}, "NEW"),
    ({"type": "TAKE_PROFIT_LIMIT", "quantity": "0.00100", "price": "60000.00", "stopPrice": "60000.00",
      "timeInForce": "GTC"}, "NEW"),
])
def test_each_order_type_is_placed_once_with_its_parameters_as_decimal_strings(client, fake, order, status):
    response = place(client, newOrderRespType="RESULT", **order)

    body = response.get_json()
    assert response.status_code == 201, body
    assert body["outcome"] == "placed" and body["replayed"] is False
    assert body["clientOrderId"].startswith("gw-") and body["order"]["status"] == status
    assert body["order_count"] == {"10s": 1, "1d": 1}
    (sent,) = posts(fake)
    assert sent.params["newClientOrderId"] == body["clientOrderId"]
    assert {k: sent.params[k] for k in order} == order  # strings in, strings sent, nothing rounded
    assert [o["status"] for o in fake.orders.orders()] == [status]


def test_a_limit_order_rests_and_shows_in_open_orders_query_and_cancel(client, fake):
    placed = place(client, type="LIMIT", quantity="0.00100", price="60000.00", timeInForce="GTC",
                   clientOrderId="rest-1")
    assert placed.status_code == 201

    opened = client.get("/api/binance/open-orders?symbol=btcusdt").get_json()
    queried = client.get("/api/binance/orders/BTCUSDT/rest-1").get_json()
    cancelled = client.delete("/api/binance/orders/BTCUSDT/rest-1")
    again = client.delete("/api/binance/orders/BTCUSDT/rest-1")

    assert [o["clientOrderId"] for o in opened["orders"]] == ["rest-1"]
    assert queried["order"]["status"] == "NEW" and queried["journal"] == "placed"
    assert cancelled.status_code == 200 and cancelled.get_json()["order"]["status"] == "CANCELED"
    assert again.status_code == 404 and again.get_json()["error"]["upstream"]["code"] == -2011
    assert len([r for r in fake.requests_to(ORDER_PATH) if r.method == "DELETE"]) == 2  # a cancel is never retried


def test_an_unknown_order_is_404_with_binance_code(client):
    response = client.get("/api/binance/orders/BTCUSDT/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["upstream"]["code"] == -2013


def test_order_test_checks_at_binance_and_books_nothing(client, fake):
    response = place(client, "/api/binance/orders/test", type="LIMIT", quantity="0.00100", price="60000.00",
                     timeInForce="GTC")

    assert response.status_code == 200 and response.get_json()["tested"] is True
    assert len(posts(fake, "/api/v3/order/test")) == 1 and fake.orders.orders() == []


# ----- checked locally, nothing sent -----
@pytest.mark.parametrize("order,field,rule", [
    ({"type": "LIMIT", "quantity": "0.00100", "price": "60000.005", "timeInForce": "GTC"}, "price", "tickSize"),
    ({"type": "LIMIT", "quantity": "0.000015", "price": "60000.00", "timeInForce": "GTC"}, "quantity", "stepSize"),
    ({"type": "LIMIT", "quantity": "0.000001", "price": "60000.00", "timeInForce": "GTC"}, "quantity", "minQty"),
    ({"type": "LIMIT", "quantity": "9001", "price": "60000.00", "timeInForce": "GTC"}, "quantity", "maxQty"),
    ({"type": "LIMIT", "quantity": "0.00001", "price": "60000.00", "timeInForce": "GTC"}, "notional", "minNotional"),
    ({"type": "LIMIT", "quantity": "0.001", "price": "2000000.00", "timeInForce": "GTC"}, "price", "maxPrice"),
    ({"type": "MARKET", "quantity": "121"}, "quantity", "maxQty"),
    ({"type": "MARKET", "quoteOrderQty": "4.99"}, "quoteOrderQty", "minNotional"),
    ({"type": "STOP_LOSS", "quantity": "0.00100", "stopPrice": "70000.001"}, "stopPrice", "tickSize"),
    ({"type": "TAKE_PROFIT_LIMIT", "quantity": "0.00100", "price": "60000.00", "stopPrice": "60000.005",
      "timeInForce": "GTC"}, "stopPrice", "tickSize"),
    ({"type": "LIMIT_MAKER", "quantity": "0.00100", "price": "0.001"}, "price", "minPrice"),
])
def test_each_filter_violation_is_rejected_locally_with_zero_upstream_calls(client, fake, order, field, rule):
    warm(client, fake)

    response = place(client, **order)

    body = response.get_json()
    assert response.status_code == 400, body
    assert body["error"]["code"] == "order_invalid"
    assert (field, rule) in [(v["field"], v["rule"]) for v in body["error"]["violations"]]
    assert fake.log == []


@pytest.mark.parametrize("order", [
    {"type": "LIMIT", "quantity": "0.001", "price": "60000"},  # no timeInForce
    {"type": "LIMIT", "quantity": "0.001", "timeInForce": "GTC"},  # no price
    {"type": "STOP_LOSS", "quantity": "0.001"},  # no stopPrice
    {"type": "STOP_LOSS_LIMIT", "quantity": "0.001", "stopPrice": "70000", "timeInForce": "GTC"},  # no price
    {"type": "MARKET"}, {"type": "MARKET", "quantity": "0.001", "quoteOrderQty": "10"},
    {"type": "MARKET", "quantity": "0.001", "price": "1"}, {"type": "ICEBERG", "quantity": "1"},
    {"type": "MARKET", "quantity": "0.001", "clientOrderId": "has space"},
    {"type": "MARKET", "quantity": "0.001", "clientOrderId": "x" * 37},
    {"type": "MARKET", "quantity": "-1"}, {"type": "MARKET", "quantity": True},
])
def test_missing_or_wrong_parameters_are_400_before_anything_is_sent(client, fake, order):
    response = place(client, **order)
    assert response.status_code == 400, response.get_json()
    assert fake.log == []


# ----- exactly once -----
def test_a_repeat_with_the_same_client_order_id_gets_the_journalled_order_not_a_second(client, fake):
    first = place(client, type="MARKET", quantity="0.00100", clientOrderId="same-1")
    second = place(client, type="MARKET", quantity="0.00100", clientOrderId="same-1")

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json()["replayed"] is True
    assert second.get_json()["order"] == first.get_json()["order"]
    assert len(posts(fake)) == 1 and len(fake.orders.orders("same-1")) == 1


def test_the_same_client_order_id_for_a_different_order_is_409_and_nothing_is_sent(client, fake):
    place(client, type="MARKET", quantity="0.00100", clientOrderId="same-2")
    response = place(client, type="MARKET", quantity="0.00200", clientOrderId="same-2")

    assert response.status_code == 409 and response.get_json()["error"]["code"] == "client_order_id_reused"
    assert len(posts(fake)) == 1


def test_a_binance_rejection_is_journalled_and_a_repeat_gets_it_without_sending(client, fake):
    place(client, type="LIMIT", quantity="0.00100", price="60000.00", timeInForce="GTC", clientOrderId="open-1")
    fake.orders.spot[0]["clientOrderId"] = "dup-1"  # an open order elsewhere already carries the id

    rejected = place(client, type="MARKET", quantity="0.00100", clientOrderId="dup-1")
    repeated = place(client, type="MARKET", quantity="0.00100", clientOrderId="dup-1")

    assert rejected.status_code == 400
    error = rejected.get_json()["error"]
    assert error["code"] == "order_rejected" and error["upstream"] == {"status": 400, "code": -2010}
    assert repeated.status_code == 400 and repeated.get_json()["error"]["replayed"] is True
    assert len(posts(fake)) == 2  # open-1 and the rejected one: the repeat sent nothing


@pytest.mark.parametrize("mode", ["reset", "503", "hold"])
def test_an_answer_lost_after_booking_is_recovered_by_query_with_exactly_one_order(client, fake, mode):
    """hold: the fake keeps the connection past BINANCE_TIMEOUT_S (a timeout)."""
    fake.orders.drop_answers(mode)
    try:
        response = place(client, type="MARKET", quantity="0.00100", clientOrderId=f"lost-{mode}")
    finally:
        fake.orders.release()

    body = response.get_json()
    assert response.status_code == 201, body
    assert body["outcome"] == "placed" and body["recovered"] is True
    assert body["order"]["clientOrderId"] == f"lost-{mode}" and body["order"]["status"] == "FILLED"
    assert len(posts(fake)) == 1  # never sent twice
    queried = [r.params["origClientOrderId"] for r in fake.requests_to(ORDER_PATH) if r.method == "GET"]
    assert queried == [f"lost-{mode}"]
    assert len(fake.orders.orders()) == 1
    assert place(client, type="MARKET", quantity="0.00100", clientOrderId=f"lost-{mode}").status_code == 200
    assert len(fake.orders.orders()) == 1


def test_an_answer_lost_before_booking_is_unknown_until_binance_can_no_longer_accept_it(client, fake):
    fake.add_fault("reset", route=ORDER_PATH, times=1)

    lost = place(client, type="MARKET", quantity="0.00100", clientOrderId="early-1")
    too_soon = place(client, type="MARKET", quantity="0.00100", clientOrderId="early-1")

    assert lost.status_code == 202 and too_soon.status_code == 202
    body = lost.get_json()
    assert body["outcome"] == "unknown" and body["check"] == "GET /api/binance/orders/BTCUSDT/early-1"
    assert 0 < body["retry_after_s"] <= 16 and lost.headers["Retry-After"]
    assert len(posts(fake)) == 1 and fake.orders.orders() == []

    fake.server_time_offset_ms += 60_000  # Binance's clock passes timestamp + recvWindow: the lost one can never land
    later = place(client, type="MARKET", quantity="0.00100", clientOrderId="early-1")

    assert later.status_code == 201, later.get_json()
    assert [o["clientOrderId"] for o in fake.orders.orders()] == ["early-1"]


def test_a_lost_request_that_arrives_late_is_found_by_a_query_and_never_sent_again(client, fake):
    fake.add_fault("reset", route=ORDER_PATH, times=1)
    lost = place(client, type="MARKET", quantity="0.00100", clientOrderId="late-1")
    assert lost.status_code == 202  # not at Binance yet
    fake.orders.place_spot({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.00100",
                            "newClientOrderId": "late-1"}, {})  # ...and then the delayed request lands

    asked = client.get("/api/binance/orders/BTCUSDT/late-1").get_json()
    fake.server_time_offset_ms += 60_000  # even long after the window, the journal knows it was placed
    repeated = place(client, type="MARKET", quantity="0.00100", clientOrderId="late-1")

    assert asked["order"]["status"] == "FILLED" and asked["journal"] == "placed"
    assert repeated.status_code == 200 and repeated.get_json()["replayed"] is True
    assert len(fake.orders.orders()) == 1 and len(posts(fake)) == 1


def test_a_placement_refused_for_its_timestamp_is_sent_again_once_after_a_clock_sync(client, fake):
    assert place(client, type="MARKET", quantity="0.00100").status_code == 201  # clock synced
    fake.server_time_offset_ms += 30_000  # Binance's clock jumps: the next request is outside recvWindow

    response = place(client, type="MARKET", quantity="0.00100", clientOrderId="ts-1")

    assert response.status_code == 201, response.get_json()
    sent = [r.params["newClientOrderId"] for r in posts(fake)][1:]
    assert sent == ["ts-1", "ts-1"]  # -1021 booked nothing; the second, re-stamped, was booked
    assert len(fake.orders.orders("ts-1")) == 1


def test_during_a_ban_nothing_is_sent_and_the_order_may_be_placed_after_it(client, fake, clock):
    warm(client, fake)
    fake.add_fault("banned", retry_after=120, times=1)
    order = {"type": "LIMIT", "quantity": "0.00100", "price": "60000.00", "timeInForce": "GTC"}

    banned = place(client, clientOrderId="ban-1", **order)  # the clock sync before sending meets the 418
    held = place(client, clientOrderId="ban-2", **order)

    assert banned.status_code == 503 and held.status_code == 503 and held.headers["Retry-After"]
    assert [r.path for r in fake.log] == ["/api/v3/time"]
    clock.advance(121)
    after = place(client, clientOrderId="ban-1", **order)
    assert after.status_code == 201, after.get_json()
    assert [o["clientOrderId"] for o in fake.orders.orders()] == ["ban-1"]


def test_a_placement_is_never_retried_by_the_retry_policy_but_a_query_is(client, fake, sleeps):
    fake.add_fault("server_error", route=ORDER_PATH, times=2)  # the POST, then the first query

    response = place(client, type="MARKET", quantity="0.00100", clientOrderId="no-retry")

    assert len(posts(fake)) == 1
    assert len([r for r in fake.requests_to(ORDER_PATH) if r.method == "GET"]) == 2
    assert response.status_code == 202  # a 503 before booking: not found yet, unknown


# ----- futures -----
def test_futures_account_and_positions_use_the_current_endpoints(client, fake):
    account = client.get("/api/binance/futures/account").get_json()
    positions = client.get("/api/binance/futures/positions").get_json()

    assert account["totalWalletBalance"] == "10000.00000000" and account["assets"][0]["asset"] == "USDT"
    assert account["availableBalance"] and account["totalUnrealizedProfit"] == "20.12340000"
    (position,) = positions["positions"]
    assert position == {"symbol": "BTCUSDT", "side": "LONG", "size": "0.01000000", "positionAmt": "0.01000000",
                        "entryPrice": "65000.00000000", "markPrice": "67012.34000000",
                        "unrealizedProfit": "20.12340000", "leverage": 20, "liquidationPrice": "62010.00000000",
                        "notional": "670.12340000", "positionSide": "BOTH"}
    assert fake.count("/fapi/v3/account") == 1 and fake.count("/fapi/v3/positionRisk") == 1
    assert fake.count("/fapi/v1/symbolConfig") == 1


def test_futures_leverage_and_an_order_placed_once_even_when_its_answer_is_lost(client, fake):
    leverage = client.post("/api/binance/futures/leverage", json={"symbol": "BTCUSDT", "leverage": 5})
    fake.orders.drop_answers("reset")
    placed = place(client, "/api/binance/futures/orders", type="MARKET", quantity="0.010", clientOrderId="f-1")
    repeated = place(client, "/api/binance/futures/orders", type="MARKET", quantity="0.010", clientOrderId="f-1")

    assert leverage.get_json()["leverage"] == 5
    assert placed.status_code == 201 and placed.get_json()["recovered"] is True
    assert repeated.status_code == 200
    assert len(posts(fake, "/fapi/v1/order")) == 1 and len(fake.orders.orders("f-1")) == 1
    (position,) = client.get("/api/binance/futures/positions").get_json()["positions"]
    assert position["size"] == "0.02000000" and position["leverage"] == 5


# BTCUSDT on the fake's futures: tick 0.10, step 0.001, MARKET_LOT_SIZE maxQty 120, MIN_NOTIONAL
# notional 100, PERCENT_PRICE 0.95-1.05 around the mark price 67012.34 (spot's filters differ: step 0.00001)
@pytest.mark.parametrize("order,violated", [
    ({"type": "LIMIT", "timeInForce": "GTC", "quantity": "0.010", "price": "67000.05"},
     ("PRICE_FILTER", "tickSize", "67000.1")),
    ({"type": "LIMIT", "timeInForce": "GTC", "quantity": "0.0105", "price": "67000.0"},
     ("LOT_SIZE", "stepSize", "0.011")),
    ({"type": "MARKET", "quantity": "121"}, ("MARKET_LOT_SIZE", "maxQty", "120.000")),
    ({"type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001", "price": "67000.0"},
     ("MIN_NOTIONAL", "minNotional", "0.002")),
    ({"type": "MARKET", "quantity": "0.001"}, ("MIN_NOTIONAL", "minNotional", "0.002")),
    ({"type": "LIMIT", "timeInForce": "GTC", "quantity": "0.010", "price": "71000.0"},
     ("PERCENT_PRICE", "multiplierUp", "70362.9")),
], ids=["tick", "step", "market_lot_max", "min_notional_limit", "min_notional_market", "percent_price"])
def test_a_futures_order_breaking_the_futures_filters_is_400_and_never_reaches_binance(client, fake, order,
                                                                                        violated):
    response = place(client, "/api/binance/futures/orders", **order)

    body = response.get_json()
    assert response.status_code == 400, body
    assert body["error"]["code"] == "order_invalid"
    assert [(v["filter"], v["rule"], v["nearest_valid"]) for v in body["error"]["violations"]] == [violated]
    assert fake.count("/fapi/v1/order") == 0  # nothing of it reached the exchange
    assert fake.count("/fapi/v1/exchangeInfo") == 1  # the futures rules, not spot's
    assert fake.count("/api/v3/exchangeInfo") == 0


def test_a_futures_order_within_the_futures_filters_is_placed(client, fake):
    placed = place(client, "/api/binance/futures/orders", type="LIMIT", timeInForce="GTC", quantity="0.002",
                   price="67000.0", clientOrderId="f-ok")

    assert placed.status_code == 201, placed.get_json()
    assert len(posts(fake, "/fapi/v1/order")) == 1


def test_a_bad_leverage_is_400_locally(client, fake):
    assert client.post("/api/binance/futures/leverage", json={"symbol": "BTCUSDT", "leverage": 126}).status_code == 400
    assert fake.log == []


def test_a_market_order_above_market_lot_size_max_qty_is_reported_once(client, fake):
    warm(client, fake)

    body = place(client, type="MARKET", quantity="121").get_json()

    assert [(v["filter"], v["rule"]) for v in body["error"]["violations"]] == [("MARKET_LOT_SIZE", "maxQty")]
    assert fake.log == []
