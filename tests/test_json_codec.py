"""JSON through orjson (json_codec.py for Binance's bodies, json_provider.py for the
gateway's answers): what the standard library would give, and where orjson refuses
something, the standard library's answer."""
import json
from decimal import Decimal

import pytest

from python_service.upstream import json_codec

BODIES = [b'{"symbol":"BTCUSDT","price":"67012.34000000"}', '{"symbol":"币安人生USDT"}'.encode(),
          b'[1, 2.5, -0, 1e-7, true, null, 18446744073709551615]', b'{"a":1,"a":2}', b' \n{"nested":[[["1"]]]}\n']


@pytest.mark.parametrize("raw", BODIES)
def test_binance_bodies_decode_as_the_standard_library_decodes_them(raw):
    assert json_codec.loads(raw) == json.loads(raw)


@pytest.mark.parametrize("raw", [b"NaN", b'{"price": Infinity}', b"[1e999]", b'"\\ud800"'])
def test_what_orjson_refuses_is_read_as_the_standard_library_reads_it(raw):
    assert repr(json_codec.loads(raw)) == repr(json.loads(raw))


@pytest.mark.parametrize("raw", [b"", b"{", b"<html></html>", b'{"a":1}x', b"\xff\xfe", b'["\xc3"]'])
def test_a_body_that_is_not_json_is_a_value_error(raw):
    with pytest.raises(ValueError):
        json_codec.loads(raw)


def test_answers_are_compact_utf8_in_the_order_given(client):
    app = client.application
    with app.app_context():
        body = app.json.dumps({"symbol": "币安人生USDT", "price": Decimal("0.15230000"), "a": [1.5, None, True]})
    assert body == '{"symbol":"币安人生USDT","price":"0.15230000","a":[1.5,null,true]}'


def test_what_orjson_cannot_write_is_written_by_flasks_own_encoder(client):
    app = client.application
    with app.app_context():
        body = app.json.dumps({"id": 2 ** 70, "symbol": "币安人生USDT"})  # past 64 bits
    assert json.loads(body) == {"id": 2 ** 70, "symbol": "币安人生USDT"}


def test_a_caller_asking_for_another_format_gets_it_from_flasks_encoder(client):
    app = client.application
    with app.app_context():
        assert app.json.dumps({"s": "币", "a": 1}, ensure_ascii=True) == '{"s": "\\u5e01", "a": 1}'
        assert app.json.dumps({"b": 1, "a": 2}, sort_keys=True, separators=(",", ":")) == '{"a":2,"b":1}'
        assert app.json.dumps({"n": float("nan")}) == '{"n":null}'  # JSON has no NaN


def test_a_unicode_symbol_is_answered_as_utf8_not_as_escapes(client, fake):
    fake.list_odd_symbols()

    response = client.get("/api/binance/futures/ticker/24hr?symbol=币安人生USDT")

    assert response.status_code == 200
    assert '"symbol":"币安人生USDT"'.encode() in response.data and b"\\u" not in response.data
