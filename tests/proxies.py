"""Real proxy servers for the tests, their outgoing side bound to 127.0.0.2:
microsocks (SOCKS5, Debian) and tinyproxy (HTTP with CONNECT, Debian)."""
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.conftest import closed_port

OUTGOING = "127.0.0.2"  # the fake exchange restricts 127.0.0.1 and serves 127.0.0.2


def _binary(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: `make test` installs it (Debian package {name})"
    return path


def _wait_listening(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"proxy exited with {proc.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("proxy did not start")


class Proxy:
    def __init__(self, proc: subprocess.Popen, url: str, tmp: tempfile.TemporaryDirectory = None):
        self.proc, self.url, self._tmp = proc, url, tmp

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self._tmp:
            self._tmp.cleanup()


def start_microsocks(user: str = None, password: str = None, scheme: str = "socks5h", hosts: str = None) -> Proxy:
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
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_listening(port, proc)
    auth = f"{user}:{password}@" if user else ""
    return Proxy(proc, f"{scheme}://{auth}127.0.0.1:{port}", tmp)


def start_tinyproxy() -> Proxy:
    port = closed_port()
    tmp = tempfile.TemporaryDirectory()
    config = Path(tmp.name) / "tinyproxy.conf"
    config.write_text(f"Port {port}\nListen 127.0.0.1\nBind {OUTGOING}\nTimeout 30\nMaxClients 50\n"
                      "LogLevel Critical\nAllow 127.0.0.1\nDisableViaHeader Yes\n")
    proc = subprocess.Popen([_binary("tinyproxy"), "-d", "-c", str(config)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_listening(port, proc)
    return Proxy(proc, f"http://127.0.0.1:{port}", tmp)
