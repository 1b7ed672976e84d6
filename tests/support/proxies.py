"""Real proxy servers for the tests, their outgoing side bound to 127.0.0.2:
microsocks (SOCKS5, Debian) and tinyproxy (HTTP with CONNECT, Debian)."""
from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from tests.support.ports import closed_port
from tests.support.processes import output_of, start, stop
from tests.support.waiting import wait_until

OUTGOING = "127.0.0.2"  # the fake exchange restricts 127.0.0.1 and serves 127.0.0.2


def _binary(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: `make test` installs it (Debian package {name})"
    return path


def _listening(port: int, proc: subprocess.Popen) -> bool:
    assert proc.poll() is None, f"proxy exited with {proc.returncode}:\n{output_of(proc)}"
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


class Proxy:
    def __init__(self, command: list, port: int, url: str, tmp: tempfile.TemporaryDirectory | None = None):
        self.proc, self.url, self._tmp = start(command), url, tmp
        try:
            wait_until(lambda: _listening(port, self.proc), "the proxy to listen", 10, interval=0.05)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        stop(self.proc, 5)
        if self._tmp:
            self._tmp.cleanup()


def start_microsocks(user: str | None = None, password: str | None = None, scheme: str = "socks5h",
                     hosts: str | None = None) -> Proxy:
    """SOCKS5 on 127.0.0.1; with `hosts`, it runs in its own mount namespace whose
    /etc/hosts is that text: names only the proxy side can resolve."""
    port = closed_port()
    command = [_binary("microsocks"), "-i", "127.0.0.1", "-p", str(port), "-b", OUTGOING]
    if user:
        command += ["-u", user, "-P", password]
    tmp = None
    if hosts is not None:
        tmp = tempfile.TemporaryDirectory()
        hosts_file = Path(tmp.name) / "hosts"
        hosts_file.write_text(hosts)
        inner = " ".join(f"'{part}'" for part in command)
        command = [_binary("unshare"), "-m", "sh", "-c", f"mount --bind '{hosts_file}' /etc/hosts && exec {inner}"]
    auth = f"{user}:{password}@" if user else ""
    return Proxy(command, port, f"{scheme}://{auth}127.0.0.1:{port}", tmp)


def start_tinyproxy() -> Proxy:
    port = closed_port()
    tmp = tempfile.TemporaryDirectory()
    config = Path(tmp.name) / "tinyproxy.conf"
    config.write_text(f"Port {port}\nListen 127.0.0.1\nBind {OUTGOING}\nTimeout 30\nMaxClients 50\n"
                      "LogLevel Critical\nAllow 127.0.0.1\nDisableViaHeader Yes\n")
    return Proxy([_binary("tinyproxy"), "-d", "-c", str(config)], port, f"http://127.0.0.1:{port}", tmp)
