"""A redis-server of the tests' or a benchmark's own on a free loopback port, nothing persisted.
Its user may pause it (SIGSTOP: it accepts connections and never answers), kill it, and start
it again on the same port, empty."""
from __future__ import annotations

import json
import os
import shutil
import signal

import redis

from tests.support.ports import closed_port
from tests.support.processes import output_of, start, stop
from tests.support.waiting import wait_until


class RedisServer:
    def __init__(self):
        self.binary = shutil.which("redis-server")
        assert self.binary, "redis-server is missing: `make test` installs it (Debian package redis-server)"
        self.port = closed_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> RedisServer:
        """Starts (again) on the same port, with nothing stored, and waits until it answers."""
        self.proc = start([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                           "--appendonly", "no"])
        wait_until(self._answers, "redis-server to answer", 30, interval=0.05, detail=lambda: output_of(self.proc))
        return self

    def _answers(self) -> bool:
        assert self.proc.poll() is None, f"redis-server exited with {self.proc.returncode}:\n{output_of(self.proc)}"
        client = self.client()
        try:
            return client.ping()
        except redis.ConnectionError:
            return False
        finally:
            client.close()

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5)

    def pause(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL ends a paused process too
        self.proc.wait(10)
        self.proc.output.close()

    def stop(self) -> None:
        if self.proc is not None and not self.proc.output.closed:
            stop(self.proc)


def stored(server: RedisServer, key: str):
    """The JSON value at `key`, or None (absent, or Redis not answering)."""
    client = server.client()
    try:
        raw = client.get(key)
    except redis.RedisError:
        return None
    finally:
        client.close()
    return None if raw is None else json.loads(raw)
