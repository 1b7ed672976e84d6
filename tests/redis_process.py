"""A redis-server of a test's own, which the test may pause (SIGSTOP: it accepts
connections and never answers), kill and start again on the same port, empty."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time

import redis

from tests.conftest import closed_port


class RedisProcess:
    def __init__(self):
        self.binary = shutil.which("redis-server")
        assert self.binary, "redis-server is missing: `make test` installs it (Debian package redis-server)"
        self.port = closed_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None
        self.start()

    def start(self) -> "RedisProcess":
        """Starts (again) on the same port, with nothing stored (no persistence)."""
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = self.client()
        deadline = time.monotonic() + 30
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
            finally:
                client.close()

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5)

    def pause(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL ends a stopped process too
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.resume()
            self.proc.terminate()
            self.proc.wait(10)


def stored(server: RedisProcess, key: str):
    """The JSON value at `key`, or None (absent, or Redis not answering)."""
    client = server.client()
    try:
        raw = client.get(key)
    except redis.RedisError:
        return None
    finally:
        client.close()
    return None if raw is None else json.loads(raw)
