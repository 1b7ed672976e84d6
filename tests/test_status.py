"""GET /api/status: liveness and what the service knows, never a call to Binance."""
from tests.support.exchange import API_SECRET


def test_status_reports_service_version_uptime_and_unknown_upstream_without_calling_binance(client, fake):
    response = client.get("/api/status")

    body = response.get_json()
    assert response.status_code == 200
    assert body["service"] == "binance-gateway" and body["version"]
    assert body["uptime_s"] >= 0
    assert body["upstream"]["state"] == "unknown" and body["upstream"]["base_url"] == fake.url
    assert body["weight"]["limit_1m"] == 6000
    assert fake.count() == 0


def test_status_shows_the_upstream_state_and_weight_last_observed(client, fake):
    client.get("/api/binance/prices")

    body = client.get("/api/status").get_json()

    assert body["upstream"]["state"] == "ok"
    assert body["weight"]["used_1m"] == 4 and body["weight"]["reported_1m"] == 4
    assert fake.count() == 1


def test_status_shows_restriction_with_binance_message_and_since_when(client, fake):
    fake.add_fault("restricted")
    client.get("/api/binance/prices")

    upstream = client.get("/api/status").get_json()["upstream"]

    assert upstream["state"] == "restricted"
    assert "restricted location" in upstream["message"]
    assert upstream["since"].endswith("Z")


def test_status_never_shows_secrets_or_the_proxy_password(make_app):
    client = make_app(BINANCE_API_KEY="k", BINANCE_API_SECRET=API_SECRET,
                      BINANCE_PROXY_URL="http://user:pr0xy-pass@127.0.0.1:3128").test_client()

    text = client.get("/api/status").get_data(as_text=True)

    assert API_SECRET not in text and "pr0xy-pass" not in text
    assert "http://***@127.0.0.1:3128" in text and "user" not in text.split("127.0.0.1:3128")[0][-12:]


def test_status_never_shows_a_proxy_key_given_as_the_user_name(make_app):
    client = make_app(BINANCE_PROXY_URL="http://PROXYKEY7731@127.0.0.1:3128").test_client()

    text = client.get("/api/status").get_data(as_text=True) + \
        client.get("/api/binance/connection-status").get_data(as_text=True)

    assert "PROXYKEY7731" not in text and "http://***@127.0.0.1:3128" in text


def test_an_unknown_route_answers_404_in_the_error_shape(client):
    response = client.get("/api/binance/nothing-here")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_no_network_io_when_the_app_is_built(make_app, fake):
    make_app(BINANCE_API_KEY="k", BINANCE_API_SECRET="s")

    assert fake.count() == 0


def test_the_futures_budget_honours_weight_budget_ratio_like_spot(make_app):
    status = make_app(WEIGHT_BUDGET_RATIO="0.5").test_client().get("/api/status").get_json()

    assert status["weight"]["ceiling_1m"] == 3000 and status["weight"]["limit_1m"] == 6000
    assert status["futures_weight"]["ceiling_1m"] == 1200 and status["futures_weight"]["limit_1m"] == 2400
