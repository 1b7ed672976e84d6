"""Notices at once that an HTTP client closed its connection while a long answer (an event
stream) waits for something to send, instead of at a later write that fails. A thread
(under gevent a greenlet, whose select is cooperative) waits for the client's socket to
turn readable: end of file, or a reset, means the client has gone. Bytes instead (a
pipelined request) are left alone and the watch ends; a failing write still ends the
stream then, as before."""
from __future__ import annotations

import select
import socket
import threading
from collections.abc import Callable, Iterator

WAKE_S = 1.0  # how often a watch looks whether its stream has ended by itself


class ClientWatch:
    def __init__(self, sock: socket.socket | None, on_gone: Callable[[], None]):
        self.sock, self.on_gone = sock, on_gone  # sock: gunicorn's `gunicorn.socket`; None elsewhere
        self._ended = threading.Event()

    def around(self, events: Iterator[str]) -> Iterator[str]:
        """`events`, watched from their first step to their last (or to the client's leaving)."""
        if self.sock is not None:
            threading.Thread(target=self._watch, name="client-watch", daemon=True).start()
        try:
            yield from events
        finally:
            self._ended.set()

    def _watch(self) -> None:
        while not self._ended.is_set():
            try:
                readable, _, _ = select.select([self.sock], [], [], WAKE_S)
            except (OSError, ValueError):  # the connection is closed already: its stream has ended
                return
            if readable:
                if not self._ended.is_set() and self._at_end_of_file():
                    self.on_gone()
                return

    def _at_end_of_file(self) -> bool:
        try:
            return self.sock.recv(1, socket.MSG_PEEK) == b""
        except (BlockingIOError, InterruptedError, TimeoutError):
            return False
        except OSError:  # reset, or closed under us
            return True
