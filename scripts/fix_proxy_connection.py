#!/usr/bin/env python3
"""Find and configure a working route to Binance from a restricted region.

1. Diagnoses direct access to the configured Binance root (BINANCE_BASE_URL,
   from the environment or .env) step by step: DNS, TCP connect, TLS (https),
   and the HTTP answer to GET /api/v3/ping (200 ok, 451 restricted, 403
   blocked, 418/429 banned, timeout), each step with its time.
2. Tries each candidate proxy: --proxy URL (repeatable), --proxy-file FILE
   (one URL per line, '#' comments), the configured BINANCE_PROXY_URL, and
   HTTPS_PROXY / ALL_PROXY from the environment (unless --no-env-proxies).
   Schemes: http://, https://, socks5:// (names resolved here) and socks5h://
   (names resolved by the proxy: no DNS leak). Reports for each whether it
   works, or why not, and its latency.
3. Picks the fastest working route (direct wins when it works).
   --write puts the chosen proxy into the env file as BINANCE_PROXY_URL
   (atomic write, other keys and comments kept, the old file kept as
   <file>.bak); --check (the default) only reports; --json prints a
   machine-readable report on stdout.

Candidate URLs with a control character (a line break, tab...) are refused.
A user name or password is percent-encoded (all but letters, digits and
-._~; %XX escapes kept), so the proxy receives the same credentials and the
URL is written in single quotes with nothing in it that python-dotenv, Node's
dotenv and honcho could read differently.

Passwords in proxy URLs are never printed: they are shown as '***'.

Exit codes: 0 a working route is configured or found, 1 no route works,
2 usage error (bad option or proxy URL, unreadable --proxy-file).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import ssl
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests

from python_service.settings import PROXY_SCHEMES, Settings, SettingsError, mask_url, refuse_control_characters

PING = "/api/v3/ping"
ENV_PROXIES = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
# URL characters that python-dotenv, Node's dotenv and honcho (shlex) all read alike inside single
# quotes: no quote, backslash, '#', '$' (python-dotenv expands ${VAR}), backtick, space or non-ASCII.
WRITABLE = re.compile(r"[A-Za-z0-9\-._~:/?\[\]@!&()*+,;=%]+")
ESCAPE = re.compile(r"(%[0-9A-Fa-f]{2})")


class UsageError(Exception):
    pass


def timed(action):
    """(result, milliseconds, error) of calling `action`."""
    started = time.perf_counter()
    try:
        return action(), _ms(started), None
    except Exception as exc:  # noqa: BLE001 - every failure is a finding to report
        return None, _ms(started), exc


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def classify_http(response: requests.Response) -> tuple[bool, str]:
    status = response.status_code
    if status == 200:
        return True, "200 OK"
    if status == 451:
        try:
            message = response.json().get("msg", "")
        except ValueError:
            message = ""
        return False, f"451 restricted location: {message}".strip()
    if status == 403:
        return False, "403 blocked (firewall or CDN refused this address)"
    if status in (418, 429):
        kind = "banned (418)" if status == 418 else "rate limited (429)"
        return False, f"{kind}, Retry-After {response.headers.get('Retry-After', '?')} s"
    return False, f"HTTP {status}"


def classify_exception(exc: Exception) -> str:
    if isinstance(exc, requests.exceptions.ProxyError):
        return "the proxy refused or failed the connection"
    if isinstance(exc, requests.exceptions.Timeout) or isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, (requests.exceptions.SSLError, ssl.SSLError)):
        return "TLS handshake failed"
    if isinstance(exc, socket.gaierror):
        return "name does not resolve"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    text = str(exc).lower()
    for needle, reason in (("refused", "connection refused"), ("reset", "connection reset"),
                           ("resolve", "name does not resolve"), ("name or service", "name does not resolve"),
                           ("socks", "SOCKS negotiation failed")):
        if needle in text:
            return reason
    return type(exc).__name__


def diagnose_direct(base_url: str, timeout: float) -> dict:
    parts = urlsplit(base_url)
    host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    steps = []

    def step(name, action, describe):
        result, ms, error = timed(action)
        steps.append({"step": name, "ok": error is None, "ms": ms,
                      "detail": describe(result) if error is None else classify_exception(error)})
        return error is None, result

    ok, addresses = step("dns", lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM),
                         lambda r: ", ".join(sorted({a[4][0] for a in r})))
    if ok:
        ok, sock = step("tcp", lambda: socket.create_connection((host, port), timeout=timeout),
                        lambda s: f"connected to {s.getpeername()[0]}:{port}")
        if ok and parts.scheme == "https":
            context = ssl.create_default_context()
            ok, sock = step("tls", lambda: context.wrap_socket(sock, server_hostname=host),
                            lambda s: s.version())
        if sock:
            sock.close()
    if ok:
        result, ms, error = timed(lambda: _session().get(base_url + PING, timeout=timeout))
        works, detail = classify_http(result) if error is None else (False, classify_exception(error))
        steps.append({"step": "http", "ok": works, "ms": ms, "detail": detail})
    works = all(s["ok"] for s in steps) and steps[-1]["step"] == "http"
    return {"route": "direct", "works": works, "steps": steps,
            "latency_ms": steps[-1]["ms"] if works else None, "why": None if works else steps[-1]["detail"]}


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # only the proxy we are testing, never one from the environment
    return session


def try_proxy(base_url: str, proxy: str, timeout: float) -> dict:
    report = {"route": "proxy", "proxy": mask_url(proxy), "works": False, "latency_ms": None, "why": None,
              "resolves_names": not proxy.lower().startswith("socks5://")}
    parts = urlsplit(proxy)
    _, ms, error = timed(lambda: socket.create_connection((parts.hostname, parts.port), timeout=timeout).close())
    report["proxy_connect_ms"] = ms
    if error is not None:
        report["why"] = f"proxy unreachable: {classify_exception(error)}"
        return report
    session = _session()
    session.proxies = {"http": proxy, "https": proxy}
    response, ms, error = timed(lambda: session.get(base_url + PING, timeout=timeout))
    if error is not None:
        report["why"] = classify_exception(error)
        return report
    works, detail = classify_http(response)
    report.update(works=works, latency_ms=ms if works else None, why=None if works else f"Binance answered {detail}")
    return report


def encode_userinfo(url: str) -> str:
    """`url` with its user name and password percent-encoded: all but RFC 3986 unreserved characters,
    valid %XX escapes kept. requests, urllib3, websockets and the SOCKS code decode them, so the proxy
    receives the same credentials. The userinfo runs to the last '@' (a password may hold '@', '/'...)."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not (sep and at):
        return url
    user, colon, password = userinfo.partition(":")
    return f"{scheme}://{_encode(user)}{colon}{_encode(password)}@{host}"


def _encode(part: str) -> str:
    return "".join(piece if n % 2 else quote(piece, safe="") for n, piece in enumerate(ESCAPE.split(part)))


def validate_proxy(url: str, origin: str) -> str:
    """The proxy URL as it is tried and written (userinfo percent-encoded), or UsageError."""
    try:
        url = encode_userinfo(refuse_control_characters("BINANCE_PROXY_URL", url.strip()))
        Settings.from_env({"BINANCE_PROXY_URL": url})
    except SettingsError as err:
        raise UsageError(f"{origin}: {str(err).replace('BINANCE_PROXY_URL', 'proxy URL')}") from None
    except UnicodeEncodeError:
        raise UsageError(f"{origin}: the proxy URL is not valid text") from None
    if not WRITABLE.fullmatch(url):
        raise UsageError(f"{origin}: the proxy URL's host, port and path may only hold ASCII URL characters "
                         f"other than '#', '$' and quotes: {mask_url(url)!r}")
    return url


def candidates(args, configured: str | None) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for url in args.proxy or []:
        found.append((validate_proxy(url, "--proxy"), "--proxy"))
    if args.proxy_file:
        try:
            lines = Path(args.proxy_file).read_text().splitlines()
        except OSError as err:
            raise UsageError(f"--proxy-file: {err.strerror}: {args.proxy_file}") from None
        for number, line in enumerate(lines, 1):
            line = line.split("#", 1)[0].strip()
            if line:
                found.append((validate_proxy(line, f"{args.proxy_file}:{number}"), "file"))
    if configured:
        found.append((configured, "configured"))
    if not args.no_env_proxies:
        for name in ENV_PROXIES:
            value = os.environ.get(name, "").strip()
            if value.partition("://")[0].lower() in PROXY_SCHEMES:
                try:
                    found.append((validate_proxy(value, name), name))
                except UsageError as err:
                    print(f"not trying {err}", file=sys.stderr)
    unique, seen = [], set()
    for url, origin in found:
        if url not in seen:
            seen.add(url)
            unique.append((url, origin))
    return unique


def read_env_file(path: Path) -> dict:
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None} if path.exists() else {}


def write_env_value(path: Path, key: str, value: str) -> Path | None:
    """Sets key='value' in the env file (python-dotenv's set_key: other lines kept, written through a
    temporary file and a rename), the old file kept as <file>.bak, the file readable by its owner only
    (it may hold a proxy password). Only a WRITABLE value: every reader of the file reads it alike."""
    from dotenv import set_key

    if not WRITABLE.fullmatch(value):
        raise ValueError(f"{key}: only URL characters without quotes, '#' or '$' are written")
    backup = None
    if path.exists():
        backup = path.with_name(path.name + ".bak")
        shutil.copy2(path, backup)
    else:
        path.touch(mode=0o600)
    set_key(path, key, value, quote_mode="always")
    path.chmod(0o600)
    return backup


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proxy", action="append", metavar="URL", help="a candidate proxy (repeatable)")
    parser.add_argument("--proxy-file", metavar="FILE", help="candidate proxies, one per line, '#' comments")
    parser.add_argument("--no-env-proxies", action="store_true", help="ignore HTTPS_PROXY / ALL_PROXY")
    parser.add_argument("--base-url", help="Binance root to test (default: BINANCE_BASE_URL, else api.binance.com)")
    parser.add_argument("--env-file", default=os.environ.get("ENV_FILE") or ".env",
                        help="the env file read and, with --write, updated (default: .env or $ENV_FILE)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per step (default 5)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the chosen proxy into the env file")
    mode.add_argument("--check", action="store_true", help="only report (the default)")
    parser.add_argument("--json", action="store_true", help="print a machine-readable report on stdout")
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    say = ((lambda text: print(text, file=sys.stderr, flush=True)) if args.json
           else (lambda text: print(text, flush=True)))
    env_file = Path(args.env_file)
    from_file = read_env_file(env_file)

    def setting(name: str) -> str | None:
        return os.environ.get(name) or from_file.get(name)  # the environment wins, as in the service

    try:
        settings = Settings.from_env({"BINANCE_BASE_URL": args.base_url or setting("BINANCE_BASE_URL") or "",
                                      "BINANCE_PROXY_URL": setting("BINANCE_PROXY_URL") or ""})
        proxies = candidates(args, settings.proxy_url)
    except (SettingsError, UsageError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    base = settings.base_url
    say(f"Binance root: {base}")
    say("direct access:")
    direct = diagnose_direct(base, args.timeout)
    for step in direct["steps"]:
        say(f"  {step['step']:<5} {'ok  ' if step['ok'] else 'FAIL'} {step['ms']:>8.1f} ms  {step['detail']}")
    tried = []
    for url, origin in proxies:
        say(f"trying {mask_url(url)} ({origin}) ...")
        result = {**try_proxy(base, url, args.timeout), "origin": origin}
        say(f"  {'works' if result['works'] else 'fails'}: " +
            (f"{result['latency_ms']:.1f} ms" if result["works"] else result["why"]))
        tried.append((url, result))
    return conclude(args, say, env_file, settings, direct, tried)


def conclude(args, say, env_file, settings, direct, tried) -> int:
    working = sorted((r for r in tried if r[1]["works"]), key=lambda r: r[1]["latency_ms"])
    chosen_url, chosen = (None, direct) if direct["works"] else (working[0] if working else (None, None))
    written = backup = None
    if chosen is None:
        say("no working route: direct access fails and no candidate proxy works")
    elif chosen_url is None:
        say("direct access works: no proxy needed")
    elif chosen_url == settings.proxy_url:
        say(f"the configured proxy {chosen['proxy']} works; nothing to change")
    elif args.write:
        backup = write_env_value(env_file, "BINANCE_PROXY_URL", chosen_url)
        written = str(env_file)
        say(f"wrote BINANCE_PROXY_URL={chosen['proxy']} to {env_file}"
            + (f" (previous file kept as {backup})" if backup else ""))
        say("restart python_service to use it")
    else:
        say(f"fastest working proxy: {chosen['proxy']} ({chosen['latency_ms']:.1f} ms); "
            "run with --write to configure it")
    if args.json:
        print(json.dumps({"base_url": settings.base_url, "direct": direct,
                          "proxies": [r for _, r in tried], "chosen": chosen, "written_to": written,
                          "backup": str(backup) if backup else None}, indent=2))
    return 0 if chosen is not None else 1


if __name__ == "__main__":
    sys.exit(main())
