"""GET /api/binance/trading/status: keys configured, accepted or not, clock drift."""
import hashlib
import hmac

from tests.support.exchange import API_KEY, API_SECRET


def keyed(make_app, key=API_KEY, secret=API_SECRET, **overrides):
    return make_app(BINANCE_API_KEY=key, BINANCE_API_SECRET=secret, **overrides).test_client()


def test_without_keys_reports_not_configured_and_calls_nothing(client, fake):
    body = client.get("/api/binance/trading/status").get_json()

    assert body["api_key_configured"] is False and body["api_secret_configured"] is False
    assert body["authenticated"] is False and body["error"]["code"] == "keys_not_configured"
    assert fake.count() == 0


def test_with_valid_keys_reports_can_trade_and_permissions_from_a_signed_account_call(make_app, fake):
    response = keyed(make_app).get("/api/binance/trading/status")

    body = response.get_json()
    assert response.status_code == 200
    assert body["authenticated"] is True and body["can_trade"] is True
    assert body["account_type"] == "SPOT" and body["permissions"] == ["SPOT"]
    assert body["api_trading_status"]["is_locked"] is False
    (account,) = fake.requests_to("/api/v3/account")
    assert account.headers["x-mbx-apikey"] == API_KEY
    payload, _, signature = account.query.rpartition("&signature=")
    assert signature == hmac.new(API_SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
    assert fake.count("/sapi/v1/account/apiTradingStatus") == 1


def test_with_valid_keys_the_answer_never_contains_the_secret_or_the_key(make_app):
    text = keyed(make_app).get("/api/binance/trading/status").get_data(as_text=True)

    assert API_SECRET not in text and API_KEY not in text


def test_with_a_wrong_secret_reports_keys_rejected_with_binance_code_1022(make_app, fake):
    body = keyed(make_app, secret="not-the-secret").get("/api/binance/trading/status").get_json()

    assert body["authenticated"] is False
    assert body["error"]["code"] == "keys_rejected"
    assert body["error"]["upstream"] == {"status": 400, "code": -1022}
    assert fake.count("/api/v3/account") == 1  # a rejection is not retried


def test_with_an_unknown_key_reports_keys_rejected_with_binance_code_2015(make_app, fake):
    body = keyed(make_app, key="unknown-key").get("/api/binance/trading/status").get_json()

    assert body["authenticated"] is False
    assert body["error"]["upstream"] == {"status": 401, "code": -2015}
    assert fake.count("/api/v3/account") == 1


def test_with_the_local_clock_3s_ahead_of_binance_still_authenticates(make_app, fake):
    fake.server_time_offset_ms = -3000  # Binance's clock 3 s behind ours = ours 3 s ahead

    body = keyed(make_app).get("/api/binance/trading/status").get_json()

    assert body["authenticated"] is True, body
    paths = [r.path for r in fake.log]
    assert paths.index("/api/v3/time") < paths.index("/api/v3/account")
    (account,) = fake.requests_to("/api/v3/account")
    assert abs(int(account.params["timestamp"]) - fake.server_time_ms()) < 1000
    assert [r.status for r in fake.requests_to("/api/v3/account")] == [200]


def test_account_answer_is_cached_for_the_trading_status_ttl(make_app, fake, clock):
    client = keyed(make_app, TRADING_STATUS_TTL_S="30")

    client.get("/api/binance/trading/status")
    clock.advance(29)
    cached = client.get("/api/binance/trading/status").get_json()
    clock.advance(2)
    client.get("/api/binance/trading/status")

    assert cached["authenticated"] is True
    assert fake.count("/api/v3/account") == 2


def test_a_rejected_key_is_not_cached(make_app, fake):
    client = keyed(make_app, secret="wrong")

    client.get("/api/binance/trading/status")
    client.get("/api/binance/trading/status")

    assert fake.count("/api/v3/account") == 2


def test_clock_offset_is_measured_once_then_reused_within_the_sync_interval(make_app, fake, clock):
    client = keyed(make_app)

    client.get("/api/binance/trading/status")
    clock.advance(60)
    client.get("/api/binance/trading/status")

    assert fake.count("/api/v3/time") == 1
    assert fake.count("/api/v3/account") == 2


def test_when_binance_drifts_after_the_sync_a_1021_triggers_one_resync_and_one_retry(make_app, fake, clock):
    client = keyed(make_app)
    client.get("/api/binance/trading/status")
    fake.server_time_offset_ms = -5000
    clock.advance(60)

    body = client.get("/api/binance/trading/status").get_json()

    assert body["authenticated"] is True
    assert [r.status for r in fake.requests_to("/api/v3/account")] == [200, 400, 200]
    assert fake.count("/api/v3/time") == 2


def test_with_internal_token_set_a_request_without_it_is_401_and_calls_nothing(make_app, fake):
    client = keyed(make_app, INTERNAL_API_TOKEN="tok-123")

    missing = client.get("/api/binance/trading/status")
    wrong = client.get("/api/binance/trading/status", headers={"X-Internal-Token": "tok-124"})
    right = client.get("/api/binance/trading/status", headers={"X-Internal-Token": "tok-123"})

    assert missing.status_code == 401 and missing.get_json()["error"]["code"] == "unauthorized"
    assert wrong.status_code == 401
    assert right.status_code == 200 and right.get_json()["authenticated"] is True
    assert fake.count("/api/v3/account") == 1


def test_testnet_mode_skips_the_sapi_call_the_testnet_does_not_serve(make_app, fake):
    body = keyed(make_app, BINANCE_TESTNET="true").get("/api/binance/trading/status").get_json()

    assert body["testnet"] is True and body["authenticated"] is True
    assert body["api_trading_status"] is None
    assert fake.count("/sapi/v1/account/apiTradingStatus") == 0


def test_when_binance_is_unreachable_answers_503_in_the_error_shape(make_app, fake):
    fake.add_fault("server_error", status=503)

    response = keyed(make_app, BINANCE_MAX_ATTEMPTS="2").get("/api/binance/trading/status")

    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "upstream_unavailable"


def test_after_a_success_then_an_outage_says_the_answer_is_stale_and_how_old(make_app, fake, clock):
    client = keyed(make_app, TRADING_STATUS_TTL_S="30")
    fresh = client.get("/api/binance/trading/status").get_json()
    assert fresh["authenticated"] is True and fresh["source"] == "live" and fresh["age_s"] == 0
    fake.add_fault("server_error", status=503)
    clock.advance(120)

    response = client.get("/api/binance/trading/status")

    body = response.get_json()
    assert response.status_code == 200 and body["authenticated"] is True
    assert body["source"] == "stale" and body["as_of"] == fresh["as_of"] and body["age_s"] == 120
    assert fake.count("/api/v3/account") >= 2  # Binance was asked again, and failed


def test_a_cached_answer_says_cache_with_its_age(make_app, fake, clock):
    client = keyed(make_app, TRADING_STATUS_TTL_S="30")
    client.get("/api/binance/trading/status")
    clock.advance(10)

    body = client.get("/api/binance/trading/status").get_json()

    assert body["source"] == "cache" and body["age_s"] == 10
    assert fake.count("/api/v3/account") == 1
