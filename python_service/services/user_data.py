"""Bots' listenKeys: `POST`, `PUT`, `DELETE /api/v3/userDataStream` (spot; gone at Binance since
2026-02-20, kept working here) and `/fapi/v1/listenKey` (USDT-M futures).

Called with the configured account's API key, they are answered here with a gateway listenKey
(streams/listen_keys.py) whose stream on the stream mirror carries the account's events from the
gateway's own user data streams: nothing reaches Binance, and Binance's weight for the call (spot 2,
futures 1) counts against the calling bot's share. Any other key gets Binance's own answer: 410 for
spot (Binance removed the endpoint), the request passed through for futures, budgeted and held back
during a ban like every call that reaches Binance."""
from __future__ import annotations

import hmac
import json

from ..errors import BinanceError
from ..upstream import Market
from ..upstream.passthrough import Answer, PassThrough, SignedRequest

WEIGHTS = {Market.SPOT: 2, Market.FUTURES: 1}
SPOT_REMOVED = BinanceError(410, -1000, "This endpoint has been removed. Subscribe to the User Data Stream "
                                        "through the WebSocket API (userDataStream.subscribe.signature).")
NO_SUCH_KEY = BinanceError(400, -1125, "This listenKey does not exist.")
MISSING_KEY = BinanceError(400, -1102, "Mandatory parameter 'listenKey' was not sent, was empty/null, or malformed.")


class UserDataStreams:
    def __init__(self, settings, upstream, listen_keys):
        self.settings, self.upstream, self.keys = settings, upstream, listen_keys
        self.passthrough = PassThrough(upstream)

    def answer(self, request: SignedRequest) -> Answer:
        """The answer to one listenKey request, as Binance's would be."""
        if not self._account_key(request.api_key):
            if request.market is Market.SPOT:
                raise SPOT_REMOVED
            return self.passthrough.send(request)
        shares = self.upstream.lanes[request.market].shares
        if shares is not None:
            shares.charge(WEIGHTS[request.market])
        market = request.market.value
        given = request.params.get("listenKey")
        if request.method == "POST":
            return _ok({"listenKey": self.keys.open(market)})
        if request.market is Market.SPOT and not given:
            raise MISSING_KEY  # spot names the key; futures finds the account's own
        if request.method == "PUT":
            kept = self.keys.keep_alive(market, given or None)
            if kept is None:
                raise NO_SUCH_KEY
            return _ok({} if request.market is Market.SPOT else {"listenKey": kept})
        if not self.keys.close(market, given or None) and request.market is Market.SPOT:
            raise NO_SUCH_KEY
        return _ok({})

    def _account_key(self, api_key: str | None) -> bool:
        """The configured account's API key (compared in constant time)."""
        configured = self.settings.api_key if self.settings.keys_configured else None
        return bool(api_key) and bool(configured) and hmac.compare_digest(api_key.encode(), configured.encode())


def _ok(payload: dict) -> Answer:
    return Answer(200, json.dumps(payload, separators=(",", ":")).encode(), "application/json;charset=UTF-8", {})
