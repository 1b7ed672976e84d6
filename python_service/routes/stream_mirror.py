"""The stream mirror's paths: Binance's market streams for bots, as websockets on the gateway's
port. Spot: /ws, /ws/<stream>[/<stream>...], /stream?streams=a/b, and the same under /stream/
(ccxt.pro takes a connection for spot only when its URL holds "/stream"); USDT-M futures the same
under /fstream, /fstream/public, /fstream/market and /fstream/private (a gateway listenKey's
user data, also named by `?listenKey=`). The socket is handed to the service once the
handshake is answered; the HTTP server then lets go of the connection."""
from __future__ import annotations

from flask import Blueprint, Response, g, request

from .mirror_respond import binance_json
from .respond import services

bp = Blueprint("stream_mirror", __name__)
ROOTS = {"spot": ("", "/stream"), "futures": ("/fstream", "/fstream/public", "/fstream/market", "/fstream/private")}


class _Handled(Response):
    """The answer after a websocket: nothing more may be written on its connection."""

    def __call__(self, environ, start_response):
        if "gunicorn.socket" in environ:
            raise StopIteration  # gunicorn closes the connection without writing to it
        start_response("101 Switching Protocols", [])  # werkzeug (tests): the socket is already shut
        return []


def _not_websocket(**_):
    """A plain HTTP request on a stream path."""
    return binance_json({"code": -1, "msg": "This path takes websocket connections only."}, 426)


def _serve(market: str, names: list[str], combined: bool):
    from ..streams.downstream import handshake_answer

    sock = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    answer = handshake_answer(request.headers.get)
    if answer is None or sock is None:
        return _not_websocket()
    services().stream_mirror.serve(sock, answer, market, names, combined)
    return _Handled(status=101)


def _listen_keys() -> list[str]:
    """`?listenKey=`: how python-binance and ccxt.pro name a futures listenKey (`/private/ws?listenKey=`)."""
    return [key for key in request.args.getlist("listenKey") if key]


def _raw_view(market: str):
    def view(names: str = ""):
        named = [n for n in names.split("/") if n]
        if names:
            g.logged_path = _logged_path(market, named)
        return _serve(market, named + _listen_keys(), combined=False)
    return view


def _logged_path(market: str, names: list[str]) -> str:
    """The path as the request log shows it: a name that is no stream may be a listenKey, which is a
    bearer credential for the account's events and never reaches a log."""
    from ..streams.stream_names import valid

    shown = "/".join(name if valid(market, name) else "<not a stream>" for name in names)
    return request.path[:len(request.path) - len(request.view_args.get("names", ""))] + shown


def _combined_view(market: str):
    def view():
        names = [n for raw in request.args.getlist("streams") for n in raw.split("/") if n]
        return _serve(market, names + _listen_keys(), combined=True)
    return view


for _market, _roots in ROOTS.items():
    for _root in _roots:
        _name = (_market + _root.replace("/", "_")) or _market
        for _path, _view in ((f"{_root}/ws", _raw_view(_market)), (f"{_root}/ws/<anything:names>", _raw_view(_market)),
                             (f"{_root}/stream", _combined_view(_market))):
            _endpoint = _name + _path.replace("/", "_").replace("<anything:names>", "named")
            # werkzeug matches a websocket request only to a websocket rule, and a plain one only to the other
            bp.add_url_rule(_path, _endpoint, _view, methods=["GET"], websocket=True)
            bp.add_url_rule(_path, _endpoint + "_http", _not_websocket, methods=["GET"])
