"""Symbols as the contract spells them (ARCHITECTURE.md "Symbols"): letters and
digits of any script plus -_., 1-50 characters after NFC normalisation,
case-insensitive in and upper-case out; anything else is 400 invalid_symbol
before any upstream call. USD-M futures lists 币安人生USDT (the fake with
odd_symbols); a Unicode spot symbol is added to the fake's listing here."""
import unicodedata
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from python_service.errors import ApiError
from python_service.routes import inputs

SPOT_UNICODE = "测试币USDT"


@pytest.fixture
def listed(fake):
    fake.list_odd_symbols()
    fake.prices[SPOT_UNICODE] = "1.25000000"
    return fake


@pytest.mark.parametrize("url", ["/api/binance/futures/ticker/24hr?symbol={}",
                                 "/api/binance/futures/premium-index?symbol={}",
                                 "/api/binance/futures/open-interest/{}"])
@pytest.mark.parametrize("spelling", ["币安人生USDT", "币安人生usdt"])
def test_the_unicode_futures_symbol_binance_lists_is_served(client, listed, url, spelling):
    response = client.get(url.format(quote(spelling)))

    body = response.get_json()
    assert response.status_code == 200 and body["source"] == "live", body
    assert body["symbol"] == "币安人生USDT"
    assert listed.log[-1].params["symbol"] == "币安人生USDT"


def test_a_unicode_spot_symbol_is_served_by_price_prices_and_ticker(client, listed):
    price = client.get(f"/api/binance/price/{quote(SPOT_UNICODE)}")
    prices = client.get(f"/api/binance/prices?symbols=BTCUSDT,{quote(SPOT_UNICODE)}")
    ticker = client.get(f"/api/binance/ticker/24hr?symbols=BTCUSDT,{quote(SPOT_UNICODE)}")

    assert price.status_code == 200 and price.get_json()["price"] == "1.25000000"
    assert [row["symbol"] for row in prices.get_json()["prices"]] == ["BTCUSDT", SPOT_UNICODE]
    assert ticker.status_code == 200 and ticker.get_json()["count"] == 2
    # Binance takes UTF-8 symbols: the list goes out as the characters, not \\u escapes
    assert listed.requests_to("/api/v3/ticker/24hr")[0].params["symbols"] == f'["BTCUSDT","{SPOT_UNICODE}"]'


@pytest.mark.parametrize("spelling", ["caf\u00e9usdt", "cafe\u0301usdt"], ids=["composed", "decomposed"])
def test_a_symbol_is_normalised_to_nfc_before_it_is_sent(client, fake, spelling):
    response = client.get(f"/api/binance/ticker/24hr?symbol={quote(spelling)}")

    assert response.status_code == 404  # well spelled, not listed: Binance's -1121
    assert fake.log[-1].params["symbol"] == "CAF\u00c9USDT"


@pytest.mark.parametrize("spelling, sent", [
    ("a" * 50, "A" * 50),
    ("\u00df" * 25, "SS" * 25),  # ß upper-cases to SS: still 50
    ("\u0131usdt", "IUSDT"),  # dotless i upper-cases to I
    ("btc-usdt_1.0", "BTC-USDT_1.0"),
    ("\u0e1ausdt", "\u0e1aUSDT"),  # a Thai letter
    ("\u0661\u0662usdt", "\u0661\u0662USDT"),  # Arabic-Indic digits
])
def test_letters_and_digits_of_any_script_within_50_are_sent(client, fake, spelling, sent):
    client.get(f"/api/binance/ticker/24hr?symbol={quote(spelling)}")

    assert fake.log[-1].params["symbol"] == sent


INVALID = [
    "", "a" * 51, "\u00df" * 26,  # ß x 26 is 52 once upper-cased
    "\u01f0usdt",  # ǰ upper-cases to J + a combining caron: not a letter any more
    "BTC&USDT", "BTC/USDT", "BTC%USDT", "BTC?USDT", "BTC#USDT", "BTC USDT", "BTC\tUSDT", "BTC\nUSDT",
    "BTC\x00USDT", "BTC\x7fUSDT", "BTC\u200bUSDT", "BTC\u3000USDT", "BTC,USDT", "BTC;USDT", "BTC!USDT",
    "BTC'USDT", 'BTC"USDT', "BTC<USDT", "BTC\u00b2USDT", "BTC\u2167USDT", "\u0301USDT", "BTC\U0001f680USDT",
    "BTC\u00a0USDT", "BTC\u2028USDT", "BTCUSDT\u202e", "B" * 10_000,
]


ROUTES = ["/api/binance/ticker/24hr?symbol={}", "/api/binance/prices?symbols=BTCUSDT,{}",
          "/api/binance/futures/depth?symbol={}", "/api/binance/price/{}"]
CASES = [(url, raw) for url in ROUTES for raw in INVALID
         if not (not raw and "/price/" in url)  # an empty path segment is another route (404)
         and not ("," in raw and "symbols=" in url)]  # a comma separates the symbols of a list


@pytest.mark.parametrize("url, raw", CASES, ids=[f"{ROUTES.index(u)}-{INVALID.index(r)}" for u, r in CASES])
def test_anything_else_is_400_invalid_symbol_and_nothing_reaches_binance(client, fake, raw, url):
    response = client.get(url.format(quote(raw, safe="")))

    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == "invalid_symbol"
    assert fake.count() == 0


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_symbols_take_a_shortcut_to_the_same_answer_as_the_unicode_rule(text):
    """parse_symbol checks ASCII text with one regex; the rule for any script must agree."""
    by_rule = None
    symbol = unicodedata.normalize("NFC", text)
    if inputs._symbol_shaped(symbol) and inputs._symbol_shaped(symbol.upper()):
        by_rule = symbol.upper()
    try:
        shortcut = inputs.parse_symbol(text)
    except ApiError as err:
        assert err.status == 400 and by_rule is None, text
    else:
        assert shortcut == by_rule, text
