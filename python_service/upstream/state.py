"""What we know about one market's root (spot or futures) right now, and whether we may call it.

States: ok, restricted (451), rate_limited (429), banned (418, or a 403 from
Binance's firewall), unreachable (transient failures; the breaker opens after
`breaker_threshold` in a row), unknown (nothing observed yet). Kept in a store
so workers can share it.

A record with an active `until` (ban, rate limit, restriction cool-down, open
breaker) is only ever made stricter: answers to requests that were already in
flight when it was set (a late 200, a late timeout, a late 4xx) cannot lift or
shorten it. It ends at its own expiry, or by a successful probe after it."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import Banned, Blocked, HeldBack, RateLimited, Restricted, State, Unreachable, UpstreamError

DEFAULT_WAIT = {State.RATE_LIMITED: 60.0, State.BANNED: 300.0}
LONGEST_BAN_S = 3 * 24 * 3600.0  # Binance bans for 2 minutes up to 3 days


@dataclass(frozen=True)
class StatePolicy:
    restriction_cooldown_s: float = 60.0
    breaker_threshold: int = 3  # consecutive failed attempts (one call with 3 attempts opens it)
    breaker_cooldown_s: float = 30.0
    firewall_backoff_s: float = 300.0  # after a 403 without Retry-After


def _active(record: dict | None, now: float) -> bool:
    return bool(record) and bool(record.get("until")) and record["until"] > now


class UpstreamState:
    def __init__(self, store, policy: StatePolicy = StatePolicy(), clock: Callable[[], float] = time.time,
                 prefix: str = "upstream:spot:"):
        self.store, self.policy, self.clock = store, policy, clock
        self.key, self.probe_key, self.failures_key = prefix + "state", prefix + "probe", prefix + "failures"
        store.keep_through_outages(self.key, self._stricter)

    def snapshot(self) -> dict:
        record = self.store.get(self.key) or {"state": State.UNKNOWN}
        now = self.clock()
        until = record.get("until")
        return {
            "state": State(record["state"]),
            "since": record.get("since"),
            "until": until,
            "retry_after_s": round(until - now, 3) if until and until > now else None,
            "message": record.get("message"),
            "last_error": record.get("last_error"),
            "last_success": record.get("last_success"),
        }

    def admit(self, holding: str | None = None) -> str | None:
        """Raises HeldBack when Binance must not be called now. Returns the probe slot the
        caller holds after a cool-down (pass it back as `holding` for the call's next attempt)."""
        record = self.store.get(self.key)
        if not record or not record.get("until"):
            return None
        now, until, state = self.clock(), record["until"], record["state"]
        if state in (State.RATE_LIMITED, State.BANNED):
            if now < until:
                raise HeldBack(f"Binance asked us to wait ({state}); not calling it until the wait is over",
                               state, retry_after=until - now)
            return None
        # restricted or breaker open: nothing until the cool-down ends, then one probe per cool-down.
        # The probe slot is named after this cool-down's end, so each cool-down has exactly one.
        slot = f"{self.probe_key}:{until}"
        if now >= until and (holding == slot or self.store.add(slot, now, ttl=self._cooldown(state))):
            return slot
        raise HeldBack(f"upstream {state}; next probe after the cool-down", state,
                       retry_after=max(until - now, 1.0), reason=record.get("message"))

    def record_success(self) -> None:
        now = self.clock()
        record = self.store.get(self.key) or {}
        if record.get("state") == State.OK and now - (record.get("last_success") or 0) < 1:
            return  # nothing new worth a write

        def change(record):
            record = record or {}
            if _active(record, now):  # a late answer to a request sent before the ban: noted, nothing lifted
                return {**record, "last_success": now}
            already_ok = record.get("state") == State.OK
            return {"state": State.OK, "since": record.get("since") if already_ok else now,
                    "last_success": now, "last_error": record.get("last_error")}

        if self.store.update(self.key, change).get("state") == State.OK:
            self.store.delete(self.failures_key)

    def record_failure(self, err: UpstreamError) -> None:
        if isinstance(err, HeldBack):
            return
        now = self.clock()
        last_error = {"at": now, "message": err.message, "status": err.status, "code": err.code}
        state, until = err.state, self._until(err, now)
        if isinstance(err, Unreachable):
            failures = self.store.incr(self.failures_key, 1, ttl=3600)
            if failures >= self.policy.breaker_threshold:
                until = now + self.policy.breaker_cooldown_s
        elif until is None:  # Rejected: Binance answered, so it is reachable
            self.store.delete(self.failures_key)
            state = State.OK

        def change(record):
            record = record or {}
            if _active(record, now) and (until or 0) <= record["until"]:
                return {**record, "last_error": last_error}  # never looser than what is in force
            since = record.get("since") if record.get("state") == state else now
            return {"state": state, "since": since, "until": until,
                    "message": err.message if state != State.OK else None,
                    "last_success": record.get("last_success"), "last_error": last_error}

        self.store.update(self.key, change)

    def _until(self, err: UpstreamError, now: float) -> float | None:
        """When a restriction's cool-down, rate limit, ban or firewall block ends."""
        if isinstance(err, Restricted):
            return now + self.policy.restriction_cooldown_s
        if isinstance(err, Banned) and err.retry_after is None and err.banned_until and err.banned_until > now:
            return min(err.banned_until, now + LONGEST_BAN_S)  # Binance's "IP banned until <ms>"
        if isinstance(err, Blocked):
            return now + (err.retry_after if err.retry_after is not None else self.policy.firewall_backoff_s)
        if isinstance(err, (RateLimited, Banned)):
            return now + (err.retry_after if err.retry_after is not None else DEFAULT_WAIT[err.state])
        return None

    def note_transient(self, err: Unreachable) -> None:
        """A failed attempt that will be retried still counts toward the breaker."""
        self.store.incr(self.failures_key, 1, ttl=3600)

    def _stricter(self, theirs: dict | None, ours: dict | None) -> dict | None:
        """Which record to keep when two copies met (Redis back after an outage): the one
        that holds Binance off longer."""
        now = self.clock()
        if _active(ours, now) and not (_active(theirs, now) and theirs["until"] >= ours["until"]):
            return ours
        return theirs

    def _cooldown(self, state: str) -> float:
        return self.policy.restriction_cooldown_s if state == State.RESTRICTED else self.policy.breaker_cooldown_s
