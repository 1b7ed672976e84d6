"""Every call the gateway makes to Binance goes through `Upstream.fetch`: an endpoint by its
name (endpoints.py), sent through the SDK (sdk.py) under admission, the weight budget,
retries and the record of what happened (attempts.py). Callers never see python-binance."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from ..settings import Settings, mask_url
from . import sdk
from .attempts import Attempts, Lane
from .budget import WeightBudget
from .endpoints import ENDPOINTS, Endpoint, Market
from .errors import Rejected, Unreachable
from .state import UpstreamState

log = logging.getLogger(__name__)
TIMESTAMP_OUTSIDE_WINDOW = -1021


class Upstream:
    def __init__(self, settings: Settings, client, lanes: dict[Market, Lane], attempts: Attempts,
                 clock: Callable[[], float] = time.time):
        self.settings, self.client, self.lanes, self.attempts, self.clock = settings, client, lanes, attempts, clock
        self._synced_at: float | None = None
        self._sync_lock = threading.Lock()

    @property
    def state(self) -> UpstreamState:
        """Spot's state (what connection-status and the top level of /api/status show)."""
        return self.lanes[Market.SPOT].state

    def state_of(self, market: Market) -> UpstreamState:
        return self.lanes[market].state

    def budget(self, market: Market) -> WeightBudget:
        return self.lanes[market].budget

    # ----- the one path to Binance -----
    def fetch(self, name: str, **params) -> Any:
        """The endpoint `name` with `params`, under admission, budget and retries (attempts.py)."""
        endpoint = ENDPOINTS[name]
        return self.attempts.call(self.lanes[endpoint.market], name, endpoint.weight(params),
                                  lambda: self._send(endpoint, params), retryable=endpoint.idempotent)

    def _send(self, endpoint: Endpoint, params: dict) -> Any:
        try:
            result = getattr(self.client, endpoint.method)(**params)
        except Exception as exc:  # noqa: BLE001 - sdk.translate turns every failure into ours
            raise sdk.translate(exc, self.settings.timeout_s) from None
        if not endpoint.shape(result, params):  # a 2xx body of the wrong shape is as bad as a malformed one
            raise Unreachable(f"Binance's answer to {endpoint.method} is not the expected shape")
        return result

    # ----- connectivity -----
    def ping(self) -> float:
        """Round trip of GET /api/v3/ping in milliseconds."""
        started = time.perf_counter()
        self.fetch("ping")
        return (time.perf_counter() - started) * 1000

    def server_time_offset_ms(self) -> float:
        """Binance's clock minus ours, measured at the midpoint of the request. The SDK
        stamps signed requests with time.time(), so that is the clock compared here."""
        before = time.time()
        server_ms = self.fetch("server_time").get("serverTime")
        if not isinstance(server_ms, int):
            raise Unreachable("Binance time answer had no serverTime")
        after = time.time()
        return server_ms - (before + after) / 2 * 1000

    # ----- signed -----
    def signed(self, name: str, **params) -> Any:
        """A signed call with the local clock corrected by Binance's; -1021 forces a re-sync and one more try."""
        self._sync_clock(force=False)
        try:
            return self.fetch(name, **params)
        except Rejected as err:
            if err.code != TIMESTAMP_OUTSIDE_WINDOW:
                raise
            self._sync_clock(force=True)
            if not ENDPOINTS[name].idempotent:
                raise  # re-synced; the caller decides whether to send again
            return self.fetch(name, **params)

    def prepare_signed(self) -> None:
        """Syncs the clock when due, so that a signed call made next sends at once."""
        self._sync_clock(force=False)

    def server_time_ms(self) -> int:
        """Binance's clock now, as a signed request made now would be stamped (local clock + offset)."""
        return int(time.time() * 1000 + (self.clock_offset_ms or 0))

    @property
    def recv_window_ms(self) -> int:
        """How long after its timestamp Binance still accepts a signed request (python-binance sets it)."""
        return int(self.client.REQUEST_RECVWINDOW or 5000)

    def _sync_clock(self, force: bool) -> None:
        with self._sync_lock:
            due = self._synced_at is None or self.clock() - self._synced_at >= self.settings.time_sync_interval_s
            if not (force or due):
                return
            offset = self.server_time_offset_ms()
            self.client.timestamp_offset = int(offset)
            self._synced_at = self.clock()
            log.info("clock offset to Binance: %d ms", offset)

    @property
    def clock_offset_ms(self) -> int | None:
        return self.client.timestamp_offset if self._synced_at is not None else None

    def describe(self) -> dict:
        return {"base_url": self.settings.base_url, "futures_base_url": self.settings.futures_base_url,
                "testnet": self.settings.testnet, "proxy": mask_url(self.settings.proxy_url),
                "proxy_resolves_names": self.settings.proxy_resolves_names}
