"""The mirror's raw exchangeInfo and klines and the gateway's parsed copies come from one
upstream call per TTL (issue 20, item 3): the raw answer is cached, the parsed copy is made
from it, whichever route family asks first."""
import pytest
import requests

KLINES = "symbol=BTCUSDT&interval=1m&limit=10"
# (the gateway's own route, the mirror's route, the upstream path both need)
PAIRS = [
    ("/api/binance/exchange-info", "/api/v3/exchangeInfo", "/api/v3/exchangeInfo"),
    ("/api/binance/exchange-info?symbol=ETHUSDT", "/api/v3/exchangeInfo?symbol=BTCUSDT", "/api/v3/exchangeInfo"),
    (f"/api/binance/klines?{KLINES}", f"/api/v3/klines?{KLINES}", "/api/v3/klines"),
    (f"/api/binance/futures/klines?{KLINES}", f"/fapi/v1/klines?{KLINES}", "/fapi/v1/klines"),
]


@pytest.mark.parametrize("mirror_first", [False, True], ids=["gateway_first", "mirror_first"])
@pytest.mark.parametrize("own,mirror,upstream", PAIRS)
def test_both_route_families_within_one_ttl_make_one_upstream_call(client, fake, own, mirror, upstream,
                                                                   mirror_first):
    order = [mirror, own] if mirror_first else [own, mirror]

    answers = [client.get(path) for path in order]

    assert [a.status_code for a in answers] == [200, 200], [a.get_data(as_text=True)[:200] for a in answers]
    assert [a.headers["X-Data-Source"] for a in answers] == ["live", "cache"]
    assert fake.count(upstream) == 1


def test_the_mirror_still_serves_binances_bytes_and_the_gateway_its_parsed_copy(client, fake):
    fake.clock = lambda: 1_790_000_000.0  # the fake's clock stopped: serverTime compares
    own = client.get("/api/binance/exchange-info?symbol=BTCUSDT").get_json()
    mirrored = client.get("/api/v3/exchangeInfo")

    direct = requests.get(fake.url + "/api/v3/exchangeInfo", timeout=5)
    assert mirrored.get_json() == direct.json()
    (rules,) = own["symbols"]
    assert rules["symbol"] == "BTCUSDT" and rules["filters"]["lot_size"]["stepSize"]
    assert fake.count("/api/v3/exchangeInfo") == 2  # the gateway's one, and the direct one above


def test_candles_named_and_raw_describe_the_same_answer(client, fake):
    named = client.get(f"/api/binance/klines?{KLINES}").get_json()["candles"]
    raw = client.get(f"/api/v3/klines?{KLINES}").get_json()

    assert [c["open_time"] for c in named] == [r[0] for r in raw]
    assert [c["close"] for c in named] == [r[4] for r in raw]
    assert fake.count("/api/v3/klines") == 1
