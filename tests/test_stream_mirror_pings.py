"""A bot's connection is pinged as Binance pings (every 20 s; closed when no pong comes within a
minute), on a socket pair with short intervals: the frames the gateway writes, read raw."""
import os
import socket
import struct
import threading

from python_service.streams.downstream import DownstreamSocket
from tests.support.waiting import wait_until

PING, PONG, CLOSE = 0x9, 0xA, 0x8


def read_frame(sock) -> tuple[int, bytes]:
    """One unmasked server frame: (opcode, payload)."""
    head = _exactly(sock, 2)
    size = head[1] & 0x7F
    if size == 126:
        size = struct.unpack("!H", _exactly(sock, 2))[0]
    elif size == 127:
        size = struct.unpack("!Q", _exactly(sock, 8))[0]
    return head[0] & 0x0F, _exactly(sock, size)


def _exactly(sock, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        assert chunk, "the gateway closed the socket"
        data += chunk
    return data


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame (RFC 6455 5.3)."""
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return struct.pack("!BB", 0x80 | opcode, 0x80 | len(payload)) + mask + masked


def served(ping_s: float, pong_wait_s: float):
    ours, theirs = socket.socketpair()
    theirs.settimeout(10)
    downstream = DownstreamSocket(ours, 65536, 65536, 5, ping_s=ping_s, pong_wait_s=pong_wait_s)
    return downstream, theirs


def test_a_client_that_answers_the_pings_stays_connected():
    downstream, client = served(ping_s=0.25, pong_wait_s=0.6)  # 4 pongs a second: under Binance's 5
    reader = threading.Thread(target=downstream.receive, daemon=True)  # as MirrorSession.run reads
    reader.start()
    try:
        for _ in range(8):  # eight pings, each answered: well past pong_wait_s in all
            opcode, payload = read_frame(client)
            assert opcode == PING and payload.isdigit()  # Binance's pings carry a millisecond time
            client.sendall(client_frame(PONG, payload))
        assert not downstream.closed
    finally:
        downstream.close()
        client.close()
        reader.join(5)
        downstream.sock.close()


def test_a_client_that_never_answers_a_ping_is_closed_with_binances_reason():
    downstream, client = served(ping_s=0.05, pong_wait_s=0.3)
    try:
        frames = []
        while len(frames) < 40 and (not frames or frames[-1][0] != CLOSE):  # pong_wait_s is 6 pings
            frames.append(read_frame(client))
        opcodes = [opcode for opcode, _ in frames]
        assert set(opcodes[:-1]) == {PING} and len(opcodes) >= 2
        code, reason = struct.unpack("!H", frames[-1][1][:2])[0], frames[-1][1][2:].decode()
        assert (code, reason) == (1008, "Ping/Pong timeout")
        wait_until(lambda: downstream.closed, "the connection closed")
    finally:
        downstream.sock.close()
        client.close()


def test_pings_keep_their_pace_while_data_flows():
    from python_service.streams.downstream import text_frame

    downstream, client = served(ping_s=0.25, pong_wait_s=5)
    reader = threading.Thread(target=downstream.receive, daemon=True)
    reader.start()
    stop = threading.Event()

    def feed() -> None:  # a frame every 10 ms: the queue is never idle for a whole ping interval
        while not stop.wait(0.01):
            downstream.push(text_frame('{"e":"trade"}'))
    threading.Thread(target=feed, daemon=True).start()
    try:
        opcodes = []
        while opcodes.count(PING) < 3:
            opcode, payload = read_frame(client)
            opcodes.append(opcode)
            if opcode == PING:
                client.sendall(client_frame(PONG, payload))
        assert opcodes.count(0x1) > opcodes.count(PING)  # data came between the pings, and pings still came
        assert not downstream.closed
    finally:
        stop.set()
        downstream.close()
        client.close()
        reader.join(5)
        downstream.sock.close()
