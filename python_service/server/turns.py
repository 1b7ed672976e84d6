"""Requests take turns in a gevent worker.

A gevent worker is one event loop with no priorities. A keep-alive client that sends its
next request as soon as the last answer left keeps its greenlet running: the socket
always has the next request ready, so the greenlet never gives the loop back, and every
other connection of the worker (a health check of /api/status among them) waits until
it happens to. Under saturation that wait was hundreds of ms (docs/benchmarks.md).

So, in each turn of the loop, at most PER_TURN requests begin; any other waits, first
come first served, for a later turn. Between turns the loop looks at every socket again.
Nothing is held while a request runs: one that then waits on Binance, or streams for
minutes, costs no one a turn. Requests for what the worker already knows (/api/status,
/metrics: URGENT) go ahead of the others, but take at most half of a turn while others
wait, so a flood of them cannot shut the rest out.

Installed by gunicorn.conf.py's post_worker_init around the app, for gevent workers
only; the app itself (and its tests, with Flask's test client) never sees it."""
from __future__ import annotations

from collections import deque

PER_TURN = 4
URGENT = frozenset({"/api/status", "/metrics"})


class Turns:
    def __init__(self, app, per_turn: int = PER_TURN, urgent=URGENT):
        from gevent.hub import get_hub

        self.app, self.per_turn, self.urgent = app, per_turn, urgent
        self._loop = get_hub().loop
        self._waiting: deque = deque()
        self._urgent: deque = deque()
        self._begun = 0
        self._turn = self._loop.prepare(ref=False)  # runs before each poll: every turn of the loop
        self._turn.start(self._next_turn)
        # While requests wait, the poll must not block: their connections are not watched
        # (their request is already read), so no socket would wake it.
        self._spin = self._loop.idle(ref=False)

    def __call__(self, environ, start_response):
        urgent = environ.get("PATH_INFO") in self.urgent
        if self._may_begin(urgent):
            self._begun += 1
        else:
            self._wait(self._urgent if urgent else self._waiting)
        return self.app(environ, start_response)

    def _may_begin(self, urgent: bool) -> bool:
        """Now, in this turn: while it has room, and no one is ahead in the line."""
        if self._urgent:
            return False
        if urgent:
            return self._begun < (self.per_turn // 2 if self._waiting else self.per_turn)
        return self._begun < self.per_turn and not self._waiting

    def _wait(self, queue: deque) -> None:
        from gevent.hub import Waiter

        waiter = Waiter()
        queue.append(waiter)
        if not self._spin.active:
            self._spin.start(_nothing)
        try:
            waiter.get()  # until _next_turn lets it begin
        except BaseException:  # killed while it waited (a shutdown, a timeout): not woken later
            if waiter in queue:
                queue.remove(waiter)
            raise

    def _next_turn(self) -> None:
        """In the hub, before it polls: the first waiters begin, each running until it waits."""
        self._begun = 0
        self._begin(self._urgent, self.per_turn // 2)
        self._begin(self._waiting, self.per_turn)
        self._begin(self._urgent, self.per_turn)
        if not (self._waiting or self._urgent) and self._spin.active:
            self._spin.stop()

    def _begin(self, queue: deque, up_to: int) -> None:
        while queue and self._begun < up_to:
            self._begun += 1
            queue.popleft().switch(None)


def _nothing() -> None:
    pass
