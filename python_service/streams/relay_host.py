"""The stream mirror's frames from the worker that owns the upstream connections to the host's
other workers, over a unix socket in the host store's directory: a few microseconds a frame,
where the host file's rows (share_host.py) are read every 100 ms.

Each other worker keeps one connection to the owner's socket and says which streams its bots
want ("+spot btcusdt@trade\\n", "-spot btcusdt@trade\\n"); the owner sends it each frame of those
streams as it arrives (4 bytes of length, 1 byte market, 2 bytes of stream name length, the name,
the frame as Binance sent it); its first line names its pid, so that a worker that has just become
the owner never follows itself. Every follower has a bounded queue at the owner: one that stops
reading is cut off (it connects again and says what it wants), never slowing the upstream reader.
When the owner changes, the followers find the new one at the same path."""
from __future__ import annotations

import logging
import os
import socket
import struct
import threading
from collections import deque

from .connection import split_frame

log = logging.getLogger(__name__)

FILE_NAME = "stream-relay.sock"
MARKETS = ("spot", "futures")
HEAD = struct.Struct("!IBH")
CONFIRM = 255  # the market byte of the owner's "now sending you this stream" ("+market stream")
RETRY_S = 0.2
QUEUE_BYTES = 64 * 2**20  # what one follower may have waiting at the owner before it is cut off


def encode(market: str, stream: str, raw: str) -> bytes:
    name, body = stream.encode(), raw.encode()
    return HEAD.pack(HEAD.size - 4 + len(name) + len(body), MARKETS.index(market), len(name)) + name + body


def encode_confirmation(market: str, stream: str) -> bytes:
    body = f"{market} {stream}".encode()
    return HEAD.pack(HEAD.size - 4 + len(body), CONFIRM, len(body)) + body


class _Follower:
    """The owner's end of one other worker's connection."""

    def __init__(self, sock: socket.socket, relay: HostRelay):
        self.sock, self.relay = sock, relay
        self.wanted: set[tuple[str, str]] = set()
        self._queue: deque = deque()
        self._queued = 0
        self._lock = threading.Lock()  # with an event, not a Condition: a notify per frame is dear on gevent
        self._pending = threading.Event()
        self.closed = False
        threading.Thread(target=self._read, daemon=True, name="relay-follower-read").start()
        threading.Thread(target=self._write, daemon=True, name="relay-follower-write").start()

    def push(self, data: bytes) -> None:
        with self._lock:
            if self.closed:
                return
            if self._queued + len(data) > QUEUE_BYTES:
                log.warning("a worker fell %d bytes behind the stream relay: cut off", self._queued)
                self._close_locked()
                return
            self._queue.append(data)
            self._queued += len(data)
        if not self._pending.is_set():
            self._pending.set()

    def _write(self) -> None:
        while True:
            self._pending.wait()
            self._pending.clear()  # before taking the queue: what is pushed after this wakes the next round
            with self._lock:
                if self.closed:
                    return
                batch = b"".join(self._queue)
                self._queue.clear()
                self._queued = 0
            if not batch:
                continue
            try:
                self.sock.sendall(batch)
            except OSError:
                self.close()
                return

    def _read(self) -> None:
        buffer = b""
        while not self.closed:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            buffer += data
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                self._interest(line.decode(errors="replace"))
        self.close()

    def _interest(self, line: str) -> None:
        sign, market_stream = line[:1], line[1:]
        if sign == "=":  # the follower's pid: a worker that just became the owner may have reached itself
            if market_stream == str(os.getpid()):
                self.close()
            return
        market, _, stream = market_stream.partition(" ")
        if market not in MARKETS or not stream:
            return
        if sign == "+":
            self.wanted.add((market, stream))
            self.push(encode_confirmation(market, stream))
        elif sign == "-":
            self.wanted.discard((market, stream))

    def close(self) -> None:
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._queue.clear()
        self._pending.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.relay.forget(self)


class HostRelay:
    def __init__(self, directory: str, hub):
        self.path, self.hub = os.path.join(directory, FILE_NAME), hub
        self._server: socket.socket | None = None
        self._followers: list[_Follower] = []
        self._lock = threading.Lock()
        self._link: socket.socket | None = None
        self._link_lock = threading.Lock()  # one line at a time on the link
        self._stop = threading.Event()
        self.serving = False
        hub.set_owner(False)  # until this worker serves: frames come through the relay
        hub.listen(self._tell_owner)

    # ----- the owner -----
    def serve(self) -> None:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            os.unlink(self.path)  # a dead owner's
        except FileNotFoundError:
            pass
        server.bind(self.path)
        server.listen(64)
        self._server, self.serving = server, True
        self._drop_link()
        self.hub.set_owner(True)
        threading.Thread(target=self._accept, args=(server,), daemon=True, name="relay-accept").start()

    def unserve(self) -> None:
        self.serving = False
        self.hub.set_owner(False)
        server, self._server = self._server, None
        if server is not None:
            server.close()
        with self._lock:
            followers, self._followers = list(self._followers), []
        for follower in followers:
            follower.close()

    def _accept(self, server: socket.socket) -> None:
        while self.serving and self._server is server:
            try:
                sock, _ = server.accept()
            except OSError:
                return
            with self._lock:
                self._followers.append(_Follower(sock, self))

    def forget(self, follower: _Follower) -> None:
        with self._lock:
            if follower in self._followers:
                self._followers.remove(follower)

    def publish(self, market: str, stream: str, raw: str) -> None:
        with self._lock:
            followers = [f for f in self._followers if (market, stream) in f.wanted]
        if followers:
            data = encode(market, stream, raw)
            for follower in followers:
                follower.push(data)

    def followers(self) -> int:
        with self._lock:
            return len(self._followers)

    # ----- the other workers -----
    def start_following(self) -> None:
        threading.Thread(target=self._follow, daemon=True, name="relay-follow").start()

    def stop(self) -> None:
        self._stop.set()
        self.unserve()
        self._drop_link()

    def _follow(self) -> None:
        while not self._stop.is_set():
            if self.serving or not self.hub.wanted():
                self._stop.wait(RETRY_S)
                continue
            try:
                self._receive(self._connect())
            except OSError:
                pass
            self._drop_link()
            self._stop.wait(RETRY_S)

    def _connect(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(self.path)
            with self._link_lock:
                self._link = sock  # from now on each change is told; first, who asks and all that is wanted now
                sock.sendall(f"={os.getpid()}\n".encode() +
                             b"".join(f"+{m} {s}\n".encode() for m, s in self.hub.wanted()))
        except OSError:
            sock.close()
            raise
        return sock

    def _receive(self, sock: socket.socket) -> None:
        buffer = bytearray()
        while not self._stop.is_set() and not self.serving:
            data = sock.recv(1 << 20)
            if not data:
                return
            buffer += data
            while len(buffer) >= 4:
                size = struct.unpack_from("!I", buffer)[0]
                if len(buffer) < 4 + size:
                    break
                _, market, name_len = HEAD.unpack_from(buffer)
                name = bytes(buffer[HEAD.size:HEAD.size + name_len]).decode()
                raw = bytes(buffer[HEAD.size + name_len:4 + size]).decode()
                del buffer[:4 + size]
                if market == CONFIRM:
                    confirmed_market, _, stream = name.partition(" ")
                    self.hub.mark_live(confirmed_market, stream)
                    continue
                split = split_frame(raw)
                self.hub.deliver(MARKETS[market], name, raw, split[1] if split else raw)

    def _tell_owner(self, market: str, stream: str, wanted: bool) -> None:
        link = self._link
        if link is None:
            return
        try:
            with self._link_lock:
                link.sendall(f"{'+' if wanted else '-'}{market} {stream}\n".encode())
        except OSError:
            self._drop_link()

    def _drop_link(self) -> None:
        self.hub.forget_live()
        link, self._link = self._link, None
        if link is not None:
            try:
                link.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            link.close()
