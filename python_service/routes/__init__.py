"""Routes: HTTP only. Each view parses its input, calls one service function and responds."""
from flask import Flask
from werkzeug.routing import PathConverter

from .errors import register_error_handlers


class AnythingConverter(PathConverter):
    """Any text, slashes and newlines included, so that the view (not the router)
    rejects a malformed symbol with the error shape clients expect."""

    regex = r"[\s\S]+?"
    part_isolating = False


def register(app: Flask) -> None:
    from . import account, clients, connection, exchange, futures, metrics, orders, push, spot, status, stream_mirror

    app.url_map.converters["anything"] = AnythingConverter
    register_error_handlers(app)
    clients.init_app(app)  # who each request is for: the weight budget charges that client
    for module in (status, spot, exchange, futures, account, connection, metrics, orders, push, stream_mirror):
        app.register_blueprint(module.bp)
    register_mirror(app)


def register_mirror(app: Flask) -> None:
    """Binance's own paths (the Binance-compatible mirror), with Binance's error shape."""
    from . import mirror_futures, mirror_signed, mirror_spot, mirror_user_data

    for bp in (mirror_spot.bp, mirror_futures.bp, mirror_futures.bp_v2, mirror_signed.spot_bp, mirror_signed.futures_bp,
               mirror_user_data.spot_bp, mirror_user_data.futures_bp, mirror_signed.unmirrored_bp):
        app.register_blueprint(bp)
