"""Many bots, one budget: six ccxt bots polling like freqtrade through one gateway (gunicorn,
4 workers sharing Redis) cost Binance what one bot costs: every distinct request reaches the
fake once, nothing is throttled. (Rates and latency: bench/many_bots.py.)"""
import threading
from collections import Counter

import pytest

from tests.support.mirror_clients import bot_round, ccxt_binance
from tests.support.ports import closed_port
from tests.support.processes import start_gateway, stop, wait_until_up

pytestmark = pytest.mark.processes  # every test here starts gunicorn and redis-server

BOTS, ROUNDS, PAIRS = 6, 2, 10
LONG_TTL = "600"  # every repeat within the test is a cache hit: the count below does not depend on timing


def test_six_ccxt_bots_through_one_gateway_cost_what_one_bot_costs(fake, redis_url):
    pairs = [f"{symbol[:-4]}/USDT" for symbol in list(fake.prices)[:PAIRS]]
    port = closed_port()
    proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                          "CACHE_REDIS_URL": redis_url, "GUNICORN_WORKERS": "4", "TICKER_TTL_S": LONG_TTL,
                          "KLINES_TTL_S": LONG_TTL, "DEPTH_TTL_S": LONG_TTL}, port)
    failures, start = [], threading.Barrier(BOTS)

    def bot():
        try:
            exchange = ccxt_binance(f"http://127.0.0.1:{port}")
            start.wait(60)  # all six race for the same data at once
            exchange.load_markets()
            for _ in range(ROUNDS):
                bot_round(exchange, pairs)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))

    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/status", proc, seconds=60)
        threads = [threading.Thread(target=bot) for _ in range(BOTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
    finally:
        stop(proc)

    assert failures == []
    sent = Counter((r.path, r.query) for r in fake.log)
    assert max(sent.values()) == 1, [request for request, n in sent.items() if n > 1]
    one_bot = 2 + 1 + 2 * PAIRS  # both exchangeInfos, the tickers, each pair's candles and book
    assert len(sent) == one_bot
    assert not [r for r in fake.log if r.status in (418, 429)]
    direct_weight = BOTS * sum(r.weight for r in fake.log) + BOTS * (ROUNDS - 1) * sum(
        r.weight for r in fake.log if "exchangeInfo" not in r.path)
    assert sum(r.weight for r in fake.log) <= direct_weight / BOTS
