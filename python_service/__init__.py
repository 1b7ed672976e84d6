"""Binance gateway: a Flask service in front of python-binance."""
from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask

from .version import __version__

__all__ = ["create_app", "__version__"]


class GatewayFlask(Flask):
    """Flask, asking once per function whether it is a coroutine: Flask asks `inspect` at
    every call of every hook and view, six times per request here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._synced: dict = {}  # hook or view -> what runs it (a bounded set: they are registered once)

    def ensure_sync(self, func):
        synced = self._synced.get(func)
        if synced is None:
            synced = self._synced[func] = super().ensure_sync(func)
        return synced


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Builds the app. `config` overrides environment settings by their names
    (BINANCE_BASE_URL, ...) and may inject CLOCK and SLEEP for tests."""
    from flask_caching import Cache

    from . import routes, wiring
    from .observability import logs, request_log
    from .server.json_provider import FastJSONProvider
    from .settings import Settings, load_env_file

    if config is None:
        load_env_file()  # a real start reads .env; tests never do
        logs.configure_json_logging()
    overrides = dict(config or {})
    named = {k: str(v) for k, v in overrides.items() if k.isupper() and isinstance(v, (str, int, float))}
    env = {**os.environ, **named}
    settings = Settings.from_env(env)

    app = GatewayFlask(__name__, static_folder=None)
    app.json = FastJSONProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes  # a bigger body: 413 before it is read
    clock = overrides.get("CLOCK", time.time)
    storage = wiring.storage_for(settings, clock)  # memory, the host's file or Redis: chosen once
    cache = Cache()
    cache.init_app(app, config=storage.cache_config)
    app.extensions["services"] = wiring.build(settings, cache, storage, clock=clock,
                                              sleep=overrides.get("SLEEP", time.sleep))
    request_log.init_app(app)
    routes.register(app)
    return app
