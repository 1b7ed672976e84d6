"""What we know about Binance right now, and whether we may call it.

States: ok, restricted (451), rate_limited (429), banned (418), unreachable
(transient failures; the breaker opens after `breaker_threshold` in a row),
unknown (nothing observed yet). Kept in a store so workers can share it."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from .errors import Banned, HeldBack, RateLimited, Restricted, State, Unreachable, UpstreamError

STATE_KEY = "upstream:state"
PROBE_KEY = "upstream:probe"
FAILURES_KEY = "upstream:failures"


DEFAULT_WAIT = {State.RATE_LIMITED: 60.0, State.BANNED: 300.0}


@dataclass(frozen=True)
class StatePolicy:
    restriction_cooldown_s: float = 60.0
    breaker_threshold: int = 3  # consecutive failed attempts (one call with 3 attempts opens it)
    breaker_cooldown_s: float = 30.0


class UpstreamState:
    def __init__(self, store, policy: StatePolicy = StatePolicy(), clock: Callable[[], float] = time.time):
        self.store, self.policy, self.clock = store, policy, clock

    def snapshot(self) -> dict:
        record = self.store.get(STATE_KEY) or {"state": State.UNKNOWN}
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

    def admit(self) -> None:
        """Raises HeldBack when Binance must not be called now."""
        record = self.store.get(STATE_KEY)
        if not record or not record.get("until"):
            return
        now, until, state = self.clock(), record["until"], record["state"]
        if state in (State.RATE_LIMITED, State.BANNED):
            if now < until:
                raise HeldBack(f"Binance asked us to wait ({state}); not calling it until the wait is over",
                               state, retry_after=until - now)
            return
        # restricted or breaker open: nothing until the cool-down ends, then one probe per cool-down.
        # The probe slot is named after this cool-down's end, so each cool-down has exactly one.
        cooldown = self._cooldown(state)
        if now < until or not self.store.add(f"{PROBE_KEY}:{until}", now, ttl=cooldown):
            raise HeldBack(f"upstream {state}; next probe after the cool-down", state,
                           retry_after=max(until - now, 1.0), reason=record.get("message"))

    def record_success(self) -> None:
        record = self.store.get(STATE_KEY) or {}
        now = self.clock()
        already_ok = record.get("state") == State.OK
        if already_ok and now - (record.get("last_success") or 0) < 1:
            return  # nothing new worth a write
        self.store.set(STATE_KEY, {"state": State.OK, "since": record.get("since") if already_ok else now,
                                   "last_success": now, "last_error": record.get("last_error")})
        self.store.delete(FAILURES_KEY)

    def record_failure(self, err: UpstreamError) -> None:
        if isinstance(err, HeldBack):
            return
        now = self.clock()
        record = self.store.get(STATE_KEY) or {}
        last_error = {"at": now, "message": err.message, "status": err.status, "code": err.code}
        state, until = err.state, None
        if isinstance(err, Restricted):
            until = now + self.policy.restriction_cooldown_s
        elif isinstance(err, (RateLimited, Banned)):
            until = now + (err.retry_after if err.retry_after is not None else DEFAULT_WAIT[state])
        elif isinstance(err, Unreachable):
            failures = self.store.incr(FAILURES_KEY, 1, ttl=3600)
            if failures >= self.policy.breaker_threshold:
                until = now + self.policy.breaker_cooldown_s
        else:  # Rejected: Binance answered, so it is reachable
            self.store.delete(FAILURES_KEY)
            state = State.OK
        since = record.get("since") if record.get("state") == state else now
        self.store.set(STATE_KEY, {"state": state, "since": since, "until": until,
                                   "message": err.message if state != State.OK else None,
                                   "last_success": record.get("last_success"), "last_error": last_error})

    def note_transient(self, err: Unreachable) -> None:
        """A failed attempt that will be retried still counts toward the breaker."""
        self.store.incr(FAILURES_KEY, 1, ttl=3600)

    def _cooldown(self, state: str) -> float:
        return self.policy.restriction_cooldown_s if state == State.RESTRICTED else self.policy.breaker_cooldown_s
