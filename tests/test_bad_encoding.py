"""A body that says `Content-Encoding: gzip` and is not gzip is Binance answering badly:
an upstream failure (stale or fallback served), never a 500."""
from tests.support.exchange import API_KEY, API_SECRET

PRICE = "/api/binance/price/BTCUSDT"


def test_cold_the_price_is_the_fallback_and_never_a_500(client, fake):
    fake.add_fault("bad_encoding")

    response = client.get(PRICE)

    assert response.status_code == 200 and response.get_json()["source"] == "fallback"
    assert fake.count("/api/v3/ticker/price") == 3  # a transient failure: every attempt, then the snapshot


def test_warm_the_price_is_stale_with_its_true_age(client, fake, clock):
    fresh = client.get(PRICE).get_json()
    fake.add_fault("bad_encoding")
    clock.advance(30)

    body = client.get(PRICE).get_json()

    assert body["source"] == "stale" and body["as_of"] == fresh["as_of"] and body["age_s"] == 30


def test_the_mirror_answers_a_signed_read_in_binances_shape_not_500(client, fake):
    import hashlib
    import hmac
    import time

    query = f"timestamp={int(time.time() * 1000)}"
    signature = hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    fake.add_fault("bad_encoding")

    response = client.get(f"/api/v3/account?{query}&signature={signature}", headers={"X-MBX-APIKEY": API_KEY})

    assert 500 < response.status_code < 600 and response.status_code != 500
    assert set(response.get_json()) == {"code", "msg"}
