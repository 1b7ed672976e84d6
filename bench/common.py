"""What several benchmark scripts need beside tests/support/ (processes, ports, waiting)."""


def fake_roots(http_url: str, ws_url: str) -> dict:
    """Every upstream root of the gateway on the fake exchange, websocket streams included:
    a root left at its default would send the gateway to Binance itself."""
    return {"BINANCE_BASE_URL": http_url, "BINANCE_FUTURES_BASE_URL": http_url,
            "BINANCE_WS_URL": ws_url, "BINANCE_FUTURES_WS_URL": ws_url + "/futures"}
