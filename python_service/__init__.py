"""Binance gateway: a Flask service in front of python-binance."""
from __future__ import annotations

import os
import time
from typing import Any, Mapping, Optional

from flask import Flask

__version__ = "0.1.0"


def create_app(config: Optional[Mapping[str, Any]] = None) -> Flask:
    """Builds the app. `config` overrides environment settings by their names
    (BINANCE_BASE_URL, ...) and may inject CLOCK and SLEEP for tests."""
    from .errors import register_error_handlers
    from .extensions import cache
    from .routes import AnythingConverter
    from . import observability
    from .routes import connection, exchange, futures, market, metrics, spot_detail, status, trading
    from .services import Services
    from .settings import Settings, load_env_file

    if config is None:
        load_env_file()  # a real start reads .env; tests never do
        observability.configure_json_logging()
    overrides = dict(config or {})
    env = {**os.environ, **{k: str(v) for k, v in overrides.items() if k.isupper() and isinstance(v, (str, int, float))}}
    settings = Settings.from_env(env)

    app = Flask(__name__, static_folder=None)
    app.json.sort_keys = False
    app.url_map.converters["anything"] = AnythingConverter
    services = Services(settings, clock=overrides.get("CLOCK", time.time), sleep=overrides.get("SLEEP", time.sleep))
    app.extensions["gateway"] = services
    cache.init_app(app, config=services.cache_config())
    register_error_handlers(app)
    observability.init_app(app)
    for module in (status, market, spot_detail, exchange, futures, trading, connection, metrics):
        app.register_blueprint(module.bp)
    return app
