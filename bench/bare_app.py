"""The baseline for the benchmark: a bare Flask JSON route, same gunicorn config."""
from flask import Flask


def create_app():
    app = Flask(__name__)

    @app.get("/api/binance/price/<symbol>")
    def price(symbol):
        return {"symbol": symbol, "price": "67012.34000000", "source": "live",
                "as_of": "2026-01-01T00:00:00.000Z", "age_s": 0.0}

    return app
