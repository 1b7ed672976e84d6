"""The fake exchange's matching engine, driven by python-binance as the gateway drives it."""
import pytest
import requests
from binance.client import Client
from binance.exceptions import BinanceAPIException

from tests.support.exchange import API_KEY, API_SECRET


@pytest.fixture
def sdk(fake):
    client = Client(API_KEY, API_SECRET, ping=False)
    client.API_URL, client.FUTURES_URL = fake.url + "/api", fake.url + "/fapi"
    return client


def order(sdk, **params):
    return sdk.create_order(**{"symbol": "BTCUSDT", "side": "BUY", "quantity": "0.00100", **params})


def test_a_market_order_fills_at_the_fake_price_with_a_full_answer_and_order_count_headers(sdk, fake):
    body = order(sdk, type="MARKET", newClientOrderId="m1")

    assert body["status"] == "FILLED" and body["executedQty"] == "0.00100000"
    assert body["fills"][0]["price"] == "67012.34000000"
    assert sdk.response.headers["X-MBX-ORDER-COUNT-10S"] == "1"
    assert sdk.response.headers["X-MBX-ORDER-COUNT-1D"] == "1"


def test_a_limit_order_rests_until_the_price_crosses_and_then_fills(sdk, fake):
    body = order(sdk, type="LIMIT", timeInForce="GTC", price="66000.00", newClientOrderId="l1")
    assert body["status"] == "NEW" and body["fills"] == []
    assert [o["clientOrderId"] for o in sdk.get_open_orders(symbol="BTCUSDT")] == ["l1"]

    fake.prices["BTCUSDT"] = "65999.99"

    assert sdk.get_order(symbol="BTCUSDT", origClientOrderId="l1")["status"] == "FILLED"
    assert sdk.get_open_orders(symbol="BTCUSDT") == []


def test_answer_types_ack_result_full_and_the_per_type_default(sdk):
    ack = order(sdk, type="MARKET", newOrderRespType="ACK")
    result = order(sdk, type="MARKET", newOrderRespType="RESULT")
    stop = order(sdk, type="STOP_LOSS", stopPrice="70000.00")  # not MARKET or LIMIT: ACK by default

    assert set(ack) == {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}
    assert "status" in result and "fills" not in result
    assert set(stop) == set(ack)


def test_a_duplicate_client_order_id_of_an_open_order_is_rejected_but_reusable_once_closed(sdk, fake):
    order(sdk, type="LIMIT", timeInForce="GTC", price="60000.00", newClientOrderId="dup")
    with pytest.raises(BinanceAPIException) as rejected:
        order(sdk, type="LIMIT", timeInForce="GTC", price="60000.00", newClientOrderId="dup")
    error = rejected.value
    assert (error.status_code, error.code, error.message) == (400, -2010, "Duplicate order sent.")

    sdk.cancel_order(symbol="BTCUSDT", origClientOrderId="dup")
    assert order(sdk, type="MARKET", newClientOrderId="dup")["status"] == "FILLED"
    assert len(fake.orders.orders("dup")) == 2


def test_cancel_of_an_unknown_or_filled_order_is_minus_2011_and_a_query_minus_2013(sdk):
    order(sdk, type="MARKET", newClientOrderId="done")
    for cid in ("done", "never"):
        with pytest.raises(BinanceAPIException) as cancel:
            sdk.cancel_order(symbol="BTCUSDT", origClientOrderId=cid)
        assert cancel.value.code == -2011
    with pytest.raises(BinanceAPIException) as query:
        sdk.get_order(symbol="BTCUSDT", origClientOrderId="never")
    assert (query.value.code, query.value.message) == (-2013, "Order does not exist.")


def test_missing_type_parameters_are_minus_1102_and_nothing_is_booked(sdk, fake):
    for params in ({"type": "LIMIT", "price": "60000"}, {"type": "STOP_LOSS_LIMIT", "timeInForce": "GTC", "price": "1"},
                   {"type": "MARKET", "quantity": None}):
        with pytest.raises(BinanceAPIException) as missing:
            order(sdk, **params)
        assert missing.value.code == -1102
    assert fake.orders.orders() == []


def test_a_limit_maker_that_would_take_and_a_stop_that_would_trigger_are_minus_2010(sdk):
    for params in ({"type": "LIMIT_MAKER", "price": "68000.00"}, {"type": "TAKE_PROFIT", "stopPrice": "68000.00"}):
        with pytest.raises(BinanceAPIException) as rejected:
            order(sdk, **params)
        assert rejected.value.code == -2010


def test_a_stop_loss_limit_triggers_on_its_stop_and_rests_as_a_limit(sdk, fake):
    order(sdk, type="STOP_LOSS_LIMIT", timeInForce="GTC", stopPrice="68000.00", price="67500.00", newClientOrderId="s")
    fake.prices["BTCUSDT"] = "68000.00"
    assert sdk.get_order(symbol="BTCUSDT", origClientOrderId="s")["status"] == "NEW"  # triggered, 67500 < market
    fake.prices["BTCUSDT"] = "67400.00"
    assert sdk.get_order(symbol="BTCUSDT", origClientOrderId="s")["status"] == "FILLED"


@pytest.mark.parametrize("mode", ["reset", "503"])
def test_a_lost_answer_still_books_the_order(sdk, fake, mode):
    fake.orders.drop_answers(mode)
    with pytest.raises((requests.ConnectionError, BinanceAPIException)):
        order(sdk, type="MARKET", newClientOrderId="lost")
    assert [o["status"] for o in fake.orders.orders("lost")] == ["FILLED"]


def test_a_bad_signature_books_nothing(sdk, fake):
    sdk.API_SECRET = "wrong"
    with pytest.raises(BinanceAPIException) as bad:
        order(sdk, type="MARKET")
    assert bad.value.code == -1022 and fake.orders.orders() == []


def test_futures_account_positions_leverage_and_orders(sdk, fake):
    assert sdk.futures_change_leverage(symbol="BTCUSDT", leverage=10)["leverage"] == 10
    placed = sdk.futures_create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.010",
                                      newClientOrderId="f1", newOrderRespType="RESULT")
    assert placed["status"] == "FILLED" and sdk.response.headers["X-MBX-ORDER-COUNT-1M"] == "1"

    (position,) = sdk.futures_position_information()
    assert position["positionAmt"] == "0.02000000" and position["entryPrice"] == "66006.17000000"
    assert sdk.futures_symbol_config(symbol="BTCUSDT")[0]["leverage"] == 10
    account = sdk.futures_account(version=3)
    assert account["totalUnrealizedProfit"] == position["unRealizedProfit"]
    assert sdk.futures_get_order(symbol="BTCUSDT", origClientOrderId="f1")["status"] == "FILLED"
