"""Bots' listenKey calls and the weight budget and bans (issue 28, item 5): a gateway listenKey
costs the calling bot Binance's weight for the call (spot 2, futures 1) out of its share, and past
its share it gets Binance's 429 -1003, while the market's budget (what Binance sees) is untouched;
during a ban another key's futures call is answered 418 without reaching Binance."""
from python_service.upstream import Market
from tests.support.exchange import API_KEY, API_SECRET

ACCOUNT = {"X-MBX-APIKEY": API_KEY}
SPOT, FUTURES = "/api/v3/userDataStream", "/fapi/v1/listenKey"
BOT = {"REMOTE_ADDR": "192.0.2.7"}  # an ordinary client (loopback is the trusted proxy's address)


def test_listen_key_calls_cost_the_bots_share_and_past_it_answer_429_without_binance(make_app, fake):
    app = make_app(BINANCE_API_KEY=API_KEY, BINANCE_API_SECRET=API_SECRET, WEIGHT_LIMIT_1M="400",
                   CLIENT_BYTES_PER_S="100000000")  # the byte rate is not what this test is about
    lane = app.extensions["services"].upstream.lanes[Market.SPOT]
    client = app.test_client()
    answers = []
    while len(answers) < 1000 and (not answers or answers[-1].status_code == 200):
        answers.append(client.post(SPOT, headers=ACCOUNT, environ_base=BOT))

    refused = answers[-1]
    assert len(answers) - 1 == lane.shares.share // 2  # weight 2 each, until the share is spent
    assert (refused.status_code, refused.get_json()["code"]) == (429, -1003) and "Retry-After" in refused.headers
    assert lane.shares.spent("192.0.2.7") == lane.shares.share // 2 * 2
    assert lane.budget.used() == 0 and refused.headers["X-MBX-USED-WEIGHT-1M"] == "0"  # Binance saw nothing
    assert fake.count() == 0


def test_during_a_futures_ban_another_keys_listen_key_call_is_answered_418_locally_and_the_accounts_still_works(
        make_app, fake):
    app = make_app(BINANCE_API_KEY=API_KEY, BINANCE_API_SECRET=API_SECRET)
    client = app.test_client()
    fake.add_fault("banned", retry_after=120, market="futures")
    first = client.get("/fapi/v1/ticker/price?symbol=BTCUSDT")  # Binance's 418: the gateway holds back

    other = client.post(FUTURES, headers={"X-MBX-APIKEY": "someone-else"}, environ_base=BOT)
    ours = client.post(FUTURES, headers=ACCOUNT, environ_base=BOT)

    assert first.status_code == 418
    assert (other.status_code, other.get_json()["code"]) == (418, -1003) and "Retry-After" in other.headers
    assert ours.status_code == 200 and len(ours.get_json()["listenKey"]) == 64
    assert fake.count() == 1 and fake.count(FUTURES) == 0
