"""One bot's websocket, served on the socket the HTTP server hands over (gunicorn's gevent worker,
or werkzeug's in tests): wsproto (python-hyper's websocket protocol library) parses what the
client sends (masking, fragments, control frames, the close handshake); what the gateway sends
is a frame built once per message and shared by every client it goes to (server frames are
unmasked and uncompressed, so every client gets the same bytes).

Each connection has a writer of its own and a bounded queue: a client that reads slowly fills
its own queue and is closed when it is full, as Binance closes a client that falls behind; it
never makes the sender (the upstream reader, or the relay from the worker that owns the
upstream connections) wait. Binance's limits: a ping every PING_S, closed when no pong comes
within PONG_WAIT_S; at most `incoming_per_s` incoming messages a second, pings and pongs
included (then closed with 1008); a message larger than `max_message_bytes` closes with 1009."""
from __future__ import annotations

import base64
import hashlib
import logging
import struct
import threading
import time
from collections import deque
from collections.abc import Callable

from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, Pong, TextMessage
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

log = logging.getLogger(__name__)

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455's handshake constant
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA
PING_S = 20.0  # Binance's stream servers ping every 20 s
PONG_WAIT_S = 60.0  # and disconnect a client whose pong has not come within a minute
RECEIVE_BYTES = 65536


def frame(opcode: int, payload: bytes) -> bytes:
    """A final, unmasked server frame (RFC 6455 5.2)."""
    size = len(payload)
    if size < 126:
        head = struct.pack("!BB", 0x80 | opcode, size)
    elif size < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 126, size)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, size)
    return head + payload


def text_frame(text: str) -> bytes:
    return frame(TEXT, text.encode())


def close_frame(code: int, reason: str = "") -> bytes:
    return frame(CLOSE, struct.pack("!H", code) + reason.encode()[:120])


def handshake_answer(headers: Callable[[str], str | None]) -> bytes | None:
    """The 101 answer to a websocket upgrade request (`headers(name)` reads a request header), or
    None when the request is no websocket upgrade. No extension is taken up (no compression)."""
    key = headers("Sec-WebSocket-Key")
    upgrade = (headers("Upgrade") or "").lower()
    connection = (headers("Connection") or "").lower()
    if not key or upgrade != "websocket" or "upgrade" not in connection or headers("Sec-WebSocket-Version") != "13":
        return None
    accept = base64.b64encode(hashlib.sha1(key.strip().encode() + GUID).digest()).decode()
    return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode()


def _no_delay(sock) -> None:
    """Frames go out as they are written: Nagle's algorithm would hold a small frame until the client
    acknowledged the last one, and its delayed acknowledgement adds up to 40 ms (a socket pair has no Nagle)."""
    import socket

    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        pass


class TooSlow(Exception):
    """The client's queue is full."""


class DownstreamSocket:
    def __init__(self, sock, max_message_bytes: int, queue_bytes: int, incoming_per_s: int,
                 ping_s: float = PING_S, pong_wait_s: float = PONG_WAIT_S,
                 clock: Callable[[], float] = time.monotonic, preface: bytes = b""):
        """`preface`: the handshake's answer, written first, when `open()` is called (frames queued
        before are kept for after it)."""
        self.sock, self.max_message_bytes, self.queue_bytes = sock, max_message_bytes, queue_bytes
        _no_delay(sock)
        self.incoming_per_s, self.ping_s, self.pong_wait_s, self.clock = incoming_per_s, ping_s, pong_wait_s, clock
        self.protocol = Connection(ConnectionType.SERVER)
        self.closed = False
        self.close_code: int | None = None  # what the gateway closed it with (None: the client left)
        self.too_slow = False  # closed because its queue was full
        self._queue: deque = deque()
        self._queued = 0
        # a plain lock and an event, not a Condition: on gevent a Condition's notify per frame cost ~20 us
        # a frame per connection (the writer woke for each); the writer now wakes once for what is queued
        self._lock = threading.Lock()
        self._pending = threading.Event()
        self._incoming: deque = deque()  # times of the last incoming messages (the rate limit)
        self._partial: list[str] = []
        self._partial_bytes = 0
        self._pong_due: float | None = None
        self.sent_frames = 0
        self._preface = preface
        self._opened = threading.Event()
        if not preface:
            self._opened.set()
        self._writer = threading.Thread(target=self._write, daemon=True, name="downstream-writer")
        self._writer.start()

    # ----- sending -----
    def push(self, data: bytes) -> bool:
        """Queues a frame (from text_frame); False when the connection is closed. A client whose
        queue would grow past `queue_bytes` is closed (1008), as Binance closes one that falls behind."""
        with self._lock:
            if self.closed:
                return False
            overflow = bool(self._queue) and self._queued + len(data) > self.queue_bytes  # one frame always fits
            if not overflow:
                self._queue.append(data)
                self._queued += len(data)
        if not overflow and not self._pending.is_set():
            self._pending.set()
        if overflow:
            self.too_slow = True
            self.close(1008, "Client is too slow: its messages were not read", flush=False)
            self._shutdown()  # it does not read: the writer, blocked on its full socket, is let go at once
            return False
        return True

    def send_text(self, text: str) -> bool:
        return self.push(text_frame(text))

    def close(self, code: int = 1000, reason: str = "", flush: bool = True) -> None:
        """Sends a close frame after what is queued (or instead of it: `flush` False), then ends the connection."""
        with self._lock:
            if self.closed:
                return
            self.closed, self.close_code = True, code
            if not flush:
                self._queue.clear()
                self._queued = 0
            self._queue.append(close_frame(code, reason))
        self._pending.set()

    def open(self) -> None:
        """The handshake's answer may go now: the connection is open for the client."""
        self._opened.set()

    def _write(self) -> None:
        self._opened.wait()
        if self._preface:
            try:
                self.sock.sendall(self._preface)
            except OSError:
                self._mark_closed()
                self._shutdown()
                return
        next_ping = self.clock() + self.ping_s
        while True:
            self._pending.wait(max(0.0, next_ping - self.clock()))
            self._pending.clear()  # before taking the queue: a frame pushed after this wakes the next round
            with self._lock:
                batch = list(self._queue)
                self._queue.clear()
                self._queued = 0
                closing = self.closed
            if not closing and self.clock() >= next_ping:  # every ping_s, data flowing or not
                ping, next_ping = self._ping(), self.clock() + self.ping_s
                if ping is None:
                    break
                batch += ping
            if not batch:
                if closing:
                    break
                continue
            try:
                self.sock.sendall(b"".join(batch))
                self.sent_frames += len(batch)
            except OSError:
                self._mark_closed()
                break
            if closing:
                break
        self._shutdown(write_only=True)  # the client reads what was sent, then closes its side (finish)

    def _ping(self) -> list | None:
        """A ping, or None when the last one was never answered (the connection is closed)."""
        now = self.clock()
        if self._pong_due is not None and now >= self._pong_due:
            self.close(1008, "Ping/Pong timeout")
            with self._lock:
                batch = list(self._queue)
                self._queue.clear()
            return batch or None
        if self._pong_due is None:
            self._pong_due = now + self.pong_wait_s
        return [frame(PING, str(int(time.time() * 1000)).encode())]

    def _mark_closed(self) -> None:
        with self._lock:
            self.closed = True
            self._queue.clear()
        self._pending.set()

    def _shutdown(self, write_only: bool = False) -> None:
        import socket

        try:
            self.sock.shutdown(socket.SHUT_WR if write_only else socket.SHUT_RDWR)
        except OSError:
            pass

    def finish(self, seconds: float = 2.0) -> None:
        """After the close: what the client still sends is read and dropped until it closes its side (or
        `seconds` pass). Closing with unread input would reset the connection, and a reset loses the
        answers and the close frame the client has not read yet."""
        self.close()
        self._opened.set()
        self._writer.join(seconds)
        deadline = self.clock() + seconds
        try:
            while self.clock() < deadline:
                self.sock.settimeout(max(0.01, deadline - self.clock()))
                if not self.sock.recv(RECEIVE_BYTES):
                    break
        except OSError:
            pass
        self._shutdown()

    # ----- receiving -----
    def receive(self) -> str | None:
        """The client's next text message; None once the connection is over (either side closed it)."""
        while not self.closed:
            for event in self.protocol.events():
                message = self._event(event)
                if message is not None:
                    return message
                if self.closed:
                    return None
            try:
                data = self.sock.recv(RECEIVE_BYTES)
            except OSError:
                data = b""
            if not data:
                self._mark_closed()
                return None
            try:
                self.protocol.receive_data(data)
            except RemoteProtocolError:
                self.close(1002, "Protocol error")
        return None

    def _event(self, event) -> str | None:
        if isinstance(event, (Ping, Pong, TextMessage, BytesMessage)) and not self._count_incoming():
            return None
        if isinstance(event, Ping):
            self.push(frame(PONG, bytes(event.payload)))
        elif isinstance(event, Pong):
            self._pong_due = None
        elif isinstance(event, CloseConnection):
            self._answer_close(event)
        elif isinstance(event, (TextMessage, BytesMessage)):
            return self._message_part(event)
        return None

    def _count_incoming(self) -> bool:
        """Binance's limit on incoming messages a second (pings and pongs count); past it: closed."""
        now = self.clock()
        while self._incoming and now - self._incoming[0] >= 1.0:
            self._incoming.popleft()
        self._incoming.append(now)
        if len(self._incoming) > self.incoming_per_s:
            self.close(1008, "Too many requests")
            return False
        return True

    def _message_part(self, event) -> str | None:
        part = event.data if isinstance(event, TextMessage) else bytes(event.data).decode("utf-8", "replace")
        self._partial_bytes += len(part)
        if self._partial_bytes > self.max_message_bytes:
            self.close(1009, "Message too big")
            return None
        self._partial.append(part)
        if not event.message_finished:
            return None
        message, self._partial, self._partial_bytes = "".join(self._partial), [], 0
        return message

    def _answer_close(self, event: CloseConnection) -> None:
        code = event.code if 1000 <= int(event.code) < 5000 and int(event.code) not in (1005, 1006, 1015) else 1000
        try:
            if self.protocol.state is ConnectionState.REMOTE_CLOSING:
                self.protocol.send(event.response())
        except LocalProtocolError:
            pass
        with self._lock:
            if not self.closed:
                self.closed = True
                self._queue.clear()
                self._queue.append(close_frame(int(code)))
        self._pending.set()
