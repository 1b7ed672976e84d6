"""Hold and release: park matching requests so a test can order concurrent
events exactly (a request in flight while another is answered 418, ...)
without sleeping on luck."""
from __future__ import annotations

import threading
from collections import deque

from .faults import MARKETS, Fault, market_of

# A parked request never waits longer than this: a test that forgets to
# release must not hang the fake's threads (or its own client) for ever.
MAX_PARK_S = 60.0


def as_fault(fault: Fault | str | dict | None) -> Fault | None:
    if fault is None or isinstance(fault, Fault):
        return fault
    if isinstance(fault, str):
        return Fault(fault)
    return Fault(**fault)


class _Ticket:
    """One parked request: released by its event, with the fault it should then act out."""

    def __init__(self):
        self.event = threading.Event()
        self.fault: Fault | None = None


class Gate:
    """Parks the requests it matches until released. See FakeBinance.hold."""

    def __init__(self, gate_id: int, route: str | None = None, market: str | None = None,
                 times: int | None = None, from_addr: str | None = None):
        if market is not None and market not in MARKETS:
            raise ValueError(f"unknown market {market!r}; one of {sorted(MARKETS)}")
        self.id, self.route, self.market, self.from_addr = gate_id, route, market, from_addr
        self.times = times  # how many more requests it will catch; None = no limit
        self.arrived = 0  # requests parked here so far (released ones included)
        self._then: Fault | None = None
        self._parked: deque[_Ticket] = deque()
        self._permits = 0  # releases given before their requests arrived
        self._permit_fault: Fault | None = None  # the fault those early releases asked for
        self._open = False  # release() without n: everything passes from now on
        self._cond = threading.Condition()

    # ----- what tests call -----
    def then(self, fault: Fault | str | dict | None) -> Gate:
        """Released requests act out `fault` (a Fault, a kind, or Fault's fields) instead of answering normally."""
        with self._cond:
            self._then = as_fault(fault)
        return self

    def wait_arrived(self, n: int = 1, timeout: float = 5.0) -> bool:
        """Blocks until `n` requests in all have been parked here; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self.arrived >= n, timeout)

    def release(self, n: int | None = None, fault: Fault | str | dict | None = None) -> int:
        """Lets the `n` oldest parked requests go (all of them, and every later one, when n is None);
        a release for a request not yet parked lets it through on arrival. `fault` overrides then().
        Returns how many parked requests were let go now."""
        fault = as_fault(fault)
        with self._cond:
            if n is None:
                self._open = True
                n = len(self._parked)
            let_go = 0
            while n > 0 and self._parked:
                self._free(self._parked.popleft(), fault)
                n, let_go = n - 1, let_go + 1
            if n > 0:
                self._permits += n
                self._permit_fault = fault
            return let_go

    @property
    def parked(self) -> int:
        with self._cond:
            return len(self._parked)

    def describe(self) -> dict:
        with self._cond:
            return {"id": self.id, "route": self.route, "market": self.market, "from_addr": self.from_addr,
                    "times": self.times, "arrived": self.arrived, "parked": len(self._parked),
                    "open": self._open, "then": self._then.describe() if self._then else None}

    # ----- what the server calls -----
    def catches(self, path: str, client_addr: str) -> bool:
        """True (and counts one catch) when this gate should park the request."""
        if self._open or self.times == 0:
            return False
        if self.route is not None and self.route != path:
            return False
        if self.market is not None and self.market != market_of(path):
            return False
        if self.from_addr is not None and self.from_addr != client_addr:
            return False
        if self.times is not None:
            self.times -= 1
        return True

    def park(self, stopping: threading.Event) -> Fault | None:
        """Waits for a release; returns the fault the request should act out (None: answer normally)."""
        ticket = _Ticket()
        with self._cond:
            self.arrived += 1
            if self._permits > 0:
                self._permits -= 1
                self._free(ticket, self._permit_fault)
            else:
                self._parked.append(ticket)
            self._cond.notify_all()
        if not ticket.event.wait(MAX_PARK_S):
            with self._cond:
                if ticket in self._parked:
                    self._parked.remove(ticket)
        return None if stopping.is_set() else ticket.fault

    def _free(self, ticket: _Ticket, fault: Fault | None) -> None:
        ticket.fault = fault or self._then
        ticket.event.set()


class GateBook:
    """The gates in place; a request is parked by the first that catches it."""

    def __init__(self):
        self._gates: list[Gate] = []
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, **kwargs) -> Gate:
        with self._lock:
            gate = Gate(self._next_id, **kwargs)
            self._next_id += 1
            self._gates.append(gate)
        return gate

    def get(self, gate_id: int) -> Gate:
        with self._lock:
            for gate in self._gates:
                if gate.id == gate_id:
                    return gate
        raise KeyError(gate_id)

    def catch(self, path: str, client_addr: str) -> Gate | None:
        with self._lock:
            for gate in self._gates:
                with gate._cond:
                    if gate.catches(path, client_addr):
                        return gate
        return None

    def release_all(self) -> None:
        """Opens and forgets every gate (reset, stop): nothing stays parked."""
        with self._lock:
            gates, self._gates = self._gates, []
        for gate in gates:
            gate.release()

    def describe(self) -> list[dict]:
        with self._lock:
            return [g.describe() for g in self._gates]
