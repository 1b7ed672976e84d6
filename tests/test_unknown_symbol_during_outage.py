"""A symbol is called unknown (404) only on Binance's word, never while Binance
could not be asked: then the answer is 503 upstream_unavailable, with
Retry-After when the wait is known. ETHBTC is listed by the fake but missing
from the fallback fixture (BTCUSDT, ETHUSDT, BNBUSDT)."""
import pytest


@pytest.mark.parametrize("url", ["/api/binance/price/ETHBTC", "/api/binance/prices?symbols=BTCUSDT,ETHBTC",
                                 "/api/binance/exchange-info?symbol=ETHBTC"])
def test_during_a_429_a_listed_symbol_missing_from_the_fallback_is_503_with_retry_after(client, fake, url):
    fake.add_fault("rate_limited", retry_after=30)

    first = client.get(url)
    second = client.get(url)

    for response in (first, second):
        assert response.status_code == 503, response.get_json()
        assert response.get_json()["error"]["code"] == "upstream_unavailable"
        assert 1 <= int(response.headers["Retry-After"]) <= 30
    assert fake.count() == 1  # the 429; nothing during the wait


def test_while_restricted_a_symbol_missing_from_the_fallback_is_503_not_404(client, fake):
    fake.add_fault("restricted")

    response = client.get("/api/binance/price/SOLUSDT")

    assert response.status_code == 503 and response.get_json()["error"]["code"] == "upstream_unavailable"
    assert fake.count() == 1


def test_with_stale_prices_a_symbol_absent_from_them_is_503_not_404(client, fake, clock):
    assert client.get("/api/binance/price/BTCUSDT").get_json()["source"] == "live"
    clock.advance(10)
    fake.add_fault("rate_limited", retry_after=30)

    stale = client.get("/api/binance/price/BTCUSDT")
    absent = client.get("/api/binance/price/NOSUCHCOIN")

    assert stale.get_json()["source"] == "stale"
    assert absent.status_code == 503 and absent.headers["Retry-After"]


def test_with_binance_answering_an_unlisted_symbol_is_still_404(client, fake):
    price = client.get("/api/binance/price/NOSUCHCOIN")
    rules = client.get("/api/binance/exchange-info?symbol=NOSUCHCOIN")

    assert price.status_code == rules.status_code == 404
    assert price.get_json()["error"]["code"] == rules.get_json()["error"]["code"] == "unknown_symbol"
