"""Stream data for the services: `fresh(market, key)` is a Sourced("stream") while that
market's stream is healthy, else None and the caller uses REST at once. `want` notes a
client's interest, which keeps an on-demand stream subscribed (see subscriptions.py).

Nothing starts at import or in create_app: `start()` is called by gunicorn's
post_worker_init hook, or on the first use. With a share (the host's file, or Redis), only
the worker holding the lease connects; the others read what it publishes (share.py)."""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from ..sourcing.provenance import Source, Sourced
from .account import AccountState
from .board import Board, Entry, healthy
from .connection import Feed
from .hub import Hub
from .subscriptions import RAW
from .user_feed import UserFeed
from .user_stream import FuturesUserStream, SpotUserStream, UserStream

MARKETS = ("spot", "futures")


class Streams:
    def __init__(self, settings, upstream, board: Board | None = None, share=None,
                 clock: Callable[[], float] = time.time, attempts=None, relay=None, mirror_hooks: dict | None = None,
                 listen_keys=None):
        """`attempts`: the deployment's websocket connection attempts (upstream/ws_attempts.py);
        `relay(hub)`: makes what carries the mirror's frames to the host's other workers (relay_host.py);
        `listen_keys`: bots' gateway listenKeys (listen_keys.py), whose connections `user_feed` serves."""
        self.settings, self.upstream, self.clock = settings, upstream, clock
        self.enabled = settings.streams_enabled
        self.board = board or Board()
        self.share = share
        self.attempts = attempts
        self.hub = Hub(self._note_mirror, refresh_s=min(1.0, settings.stream_idle_s / 3), **(mirror_hooks or {}))
        self.relay = relay(self.hub) if relay is not None else None
        self._interest: dict[str, dict[str, tuple[float, Any]]] = {m: {} for m in MARKETS}
        self._feeds: dict[str, Feed] = {}
        self._users: dict[str, UserStream] = {}
        self.account = AccountState(self.board, clock)
        self.listen_keys = listen_keys
        self.user_feed = UserFeed(self.board, listen_keys, clock=clock) if listen_keys is not None else None
        self._started = False
        self._lock = threading.Lock()

    # ----- lifecycle -----
    def start(self) -> None:
        """Idempotent. Connects (or, with a share, joins the election). No-op when disabled."""
        with self._lock:
            if self._started or not self.enabled:
                return
            self._started = True
        if self.relay is not None:
            self.relay.start_following()
        if self.share is not None:
            self.share.start(self)
        else:
            self.own()

    def own(self) -> None:
        """This worker connects: one feed per market, and the account's user data streams when
        keys are configured."""
        roots = {"spot": self.settings.ws_url, "futures": self.settings.futures_ws_url}
        if self.relay is not None:
            self.relay.serve()
        for market in MARKETS:
            feed = Feed(market, roots[market], self.upstream, self.board, lambda m=market: self.interest(m),
                        self.settings.proxy_url, self.settings.timeout_s, self.settings.stream_max_age_s,
                        attempts=self.attempts, on_frame=self._on_frame, clock=self.clock)
            self._feeds[market] = feed
            feed.start()
        if self.settings.keys_configured:
            for kind in (SpotUserStream, FuturesUserStream):
                user = kind(self.settings, self.upstream, self.board, self.account, self.clock, attempts=self.attempts)
                self._users[user.market] = user
                user.start()

    def disown(self) -> None:
        """This worker stops connecting (it lost the lease, or the service stops)."""
        feeds, self._feeds = self._feeds, {}
        users, self._users = self._users, {}
        for connection in [*feeds.values(), *users.values()]:
            connection.stop()
        if self.relay is not None:
            self.relay.unserve()

    def stop(self) -> None:
        if self.share is not None:
            self.share.stop()
        self.disown()
        if self.relay is not None:
            self.relay.stop()

    # ----- the stream mirror -----
    def _on_frame(self, market: str, stream: str, raw: str, payload: str) -> None:
        """A frame from Binance, as it came: to this worker's bots, and to the other workers' (the relay)."""
        self.hub.deliver(market, stream, raw, payload)
        if self.relay is not None:
            self.relay.publish(market, stream, raw)

    def _note_mirror(self, market: str, streams: list[str]) -> None:
        """Bots' connections want these streams now: the owner keeps them subscribed (STREAM_IDLE_S after the last)."""
        if not self.enabled:
            return
        self.start()
        keys = [RAW + stream for stream in streams]
        now = self.clock()
        with self._lock:
            for key in keys:
                self._interest[market][key] = (now, None)
        if self.share is not None:
            self.share.note_interests(market, keys)

    @property
    def owner(self) -> bool:
        return bool(self._feeds)

    # ----- read side -----
    def fresh(self, market: str, key: str) -> Sourced | None:
        if not self.enabled:
            return None
        self.start()
        if not healthy(self.board.meta(market), self.settings.stream_silence_s, self.clock()):
            return None
        entry = self._authoritative(market, key) if key.startswith("book:") else self.board.get(market, key)
        if entry is None:
            return None
        return Sourced(entry.data, Source.STREAM, entry.event_s)

    def _authoritative(self, market: str, key: str) -> Entry | None:
        """A book as the owner keeps it now: the owner writes it to the share before it sends the event on
        (connection.py), while this worker's copy may trail by a read; a bot syncing its book to the
        mirror's events needs a snapshot that is never behind them."""
        if self.share is None or self.owner:
            return self.board.get(market, key)
        try:
            found = self.share.backend.snapshot(market, key)
        except Exception:  # noqa: BLE001 - the share is away: this worker's copy
            return self.board.get(market, key)
        return None if found is None else Entry(*found)

    def account_state(self, market: str, key: str) -> Sourced | None:
        """The account's `key` as its user data stream keeps it (account.py), while that stream is up
        and reconciled; None: read it over REST."""
        if not self.enabled or not self.settings.keys_configured:
            return None
        self.start()
        if self.board.meta(f"user:{market}").get("state") != "up":
            return None
        entry = self.board.get(market, key)
        return None if entry is None else Sourced(entry.data, Source.STREAM, entry.event_s)

    def want(self, market: str, key: str, detail: Any = None) -> None:
        """A client asked for `key`: keep (or start) its on-demand stream for `stream_idle_s`."""
        if not self.enabled:
            return
        self.start()
        with self._lock:
            previous = self._interest[market].get(key)
            if previous and isinstance(previous[1], int) and isinstance(detail, int):
                detail = max(detail, previous[1])
            self._interest[market][key] = (self.clock(), detail)
        if self.share is not None:
            self.share.note_interest(market, key, detail)

    def interest(self, market: str) -> dict[str, Any]:
        """{key: detail} asked for within the idle period (here, or in other workers via the share)."""
        now = self.clock()
        if self.share is not None:
            for key, (at, detail) in self.share.interest(market).items():
                self._merge_interest(market, key, at, detail)
        with self._lock:
            table = self._interest[market]
            for key in [k for k, (at, _) in table.items() if now - at > self.settings.stream_idle_s]:
                del table[key]
            return {k: detail for k, (_, detail) in table.items()}

    def _merge_interest(self, market: str, key: str, at: float, detail: Any) -> None:
        with self._lock:
            known = self._interest[market].get(key)
            if known is None or known[0] < at:
                self._interest[market][key] = (at, detail)

    def describe(self) -> dict:
        """For /api/status: each market's state, lag and last message."""
        if not self.enabled:
            return {"enabled": False}
        now = self.clock()
        shown: dict[str, Any] = {"enabled": True, "started": self._started, "owner": self.owner,
                                 "shared": self.share is not None, "pid": os.getpid()}
        if self.attempts is not None:  # the deployment's websocket connection attempts (Binance: 300 per 5 min per IP)
            shown["connect_attempts_5m"] = {"used": self.attempts.used(), "limit": self.attempts.limit}
        for market in MARKETS:
            meta = self.board.meta(market)
            state = meta.get("state", "not_started")
            if state == "up" and not healthy(meta, self.settings.stream_silence_s, now):
                state = "silent"
            last_message, last_event = meta.get("last_message_at"), meta.get("last_event_s")
            shown[market] = {
                "state": state, "serving": state == "up",
                "url": meta.get("url") or (self.settings.ws_url if market == "spot" else self.settings.futures_ws_url),
                "connected_since": meta.get("connected_at") if state in ("up", "silent") else None,
                "last_message_at": last_message,
                "silent_s": round(now - last_message, 3) if last_message else None,
                "lag_s": round(max(0.0, now - last_event), 3) if last_event else None,
                "streams": meta.get("streams", 0), "reconnects": meta.get("reconnects", 0),
                "book_reseeds": meta.get("book_reseeds", 0), "last_error": meta.get("last_error"),
            }
        if self.settings.keys_configured:
            shown["user_data"] = {market: self._user_view(market) for market in MARKETS}
        return shown

    def _user_view(self, market: str) -> dict:
        meta = self.board.meta(f"user:{market}")
        state = meta.get("state", "not_started")
        return {"state": state, "serving": state == "up", "connected_since": meta.get("connected_at"),
                "reconciled_at": meta.get("reconciled_at"), "last_message_at": meta.get("last_message_at"),
                "reconnects": meta.get("reconnects", 0), "reconciles": meta.get("reconciles", 0),
                "last_error": meta.get("last_error")}
