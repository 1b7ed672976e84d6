"""BINANCE_TIMEOUT_S bounds a whole attempt (connect, headers and body), not each
read: a body dripped one byte at a time must not stretch an attempt, and is
never served as live."""
import pytest
import requests

from python_service.upstream.deadline import DeadlineAdapter


def test_a_body_dripped_slower_than_the_timeout_is_not_served_live(make_app, fake):
    # {"symbol":"BTCUSDT","price":"67012.34000000"} at one byte per 0.5 s would take over 20 s.
    fake.add_fault("drip", route="/api/v3/ticker/price", interval=0.5)

    response = make_app(BINANCE_TIMEOUT_S="1").test_client().get("/api/binance/price/BTCUSDT")

    body = response.get_json()
    assert response.status_code == 200 and body["source"] == "fallback", body
    assert fake.count("/api/v3/ticker/price") == 3  # each attempt ended at its deadline, then the next went out
    assert [r.fault for r in fake.log] == ["drip"] * 3


def test_a_dripped_body_that_fits_in_the_deadline_is_served_live(make_app, fake):
    fake.add_fault("drip", route="/api/v3/avgPrice", interval=0.001)

    response = make_app(BINANCE_TIMEOUT_S="5").test_client().get("/api/binance/avg-price/BTCUSDT")

    assert response.get_json()["source"] == "live" and response.get_json()["price"] == fake.prices["BTCUSDT"]
    assert fake.count() == 1


@pytest.fixture
def session():
    with requests.Session() as s:
        s.mount("http://", DeadlineAdapter(1.0))
        yield s


def test_the_adapter_ends_a_dripping_answer_at_its_deadline_and_the_next_request_is_whole(session, fake):
    fake.add_fault("drip", interval=0.5, times=1)  # 45 bytes: over 20 s

    with pytest.raises(requests.exceptions.ReadTimeout):
        session.get(f"{fake.url}/api/v3/ticker/price", params={"symbol": "BTCUSDT"}, timeout=1.0)
    after = session.get(f"{fake.url}/api/v3/ticker/price", params={"symbol": "BTCUSDT"}, timeout=1.0)

    assert after.json() == {"symbol": "BTCUSDT", "price": fake.prices["BTCUSDT"]}
    assert fake.count() == 2


def test_the_adapter_keeps_headers_status_and_streamed_requests(session, fake):
    whole = session.get(f"{fake.url}/api/v3/time")
    streamed = session.get(f"{fake.url}/api/v3/ping", stream=True)

    assert whole.status_code == 200 and "serverTime" in whole.json()
    assert whole.headers["X-MBX-USED-WEIGHT-1M"] == "1"
    assert streamed.raw.read() == b"{}"
