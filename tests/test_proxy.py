"""Restricted regions end to end, with real proxies on loopback: the fake
exchange answers 451 to 127.0.0.1 and 200 to 127.0.0.2, where the proxies'
outgoing side is bound."""
import importlib.util
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
import requests
from dotenv import dotenv_values
from honcho.environ import parse as honcho_parse
from hypothesis import given, settings
from hypothesis import strategies as st
from requests.adapters import HTTPAdapter
from requests.auth import _basic_auth_str
from requests.utils import get_auth_from_url

from python_service.settings import Settings
from tests.support.ports import closed_port
from tests.support.processes import ROOT, output_of, start_gateway, stop, wait_until_up
from tests.support.proxies import start_microsocks, start_tinyproxy

PROXY_PASSWORD = "pr0xy-canary-Zq81"
FIX = [sys.executable, "scripts/fix_proxy_connection.py"]
ONLY_VIA_PROXY = "binance-only-via-proxy.test"


@pytest.fixture
def restricted_here(fake):
    fake.add_fault("restricted", from_addr="127.0.0.1")
    return fake


@pytest.fixture
def socks(starts_processes):
    proxy = start_microsocks("gateway", PROXY_PASSWORD)
    yield proxy
    proxy.stop()


@pytest.fixture
def http_proxy(starts_processes):
    proxy = start_tinyproxy()
    yield proxy
    proxy.stop()


def run_fix(fake, *args, env_file=None, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BINANCE_")
                   and k not in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")}
    environment.update(BINANCE_BASE_URL=fake.url, **env)
    command = FIX + ["--timeout", "2"] + (["--env-file", str(env_file)] if env_file else []) + list(args)
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)


@pytest.mark.processes
def test_direct_451_then_the_script_writes_the_proxy_and_the_service_serves_live(restricted_here, socks, http_proxy,
                                                                                  tmp_path):
    fake = restricted_here
    env_file = tmp_path / ".env"
    env_file.write_text("# gateway settings\nBINANCE_TIMEOUT_S=2\nGATEWAY_PORT=1234\n")
    base = {"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url}
    port = closed_port()
    before = start_gateway(base, port)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/status", before)
        direct = requests.get(f"http://127.0.0.1:{port}/api/binance/price/BTCUSDT", timeout=10)
    finally:
        stop(before)
    assert direct.headers["X-Data-Source"] == "fallback"

    fixed = run_fix(fake, "--proxy", socks.url, "--proxy", "http://127.0.0.1:1", "--proxy", http_proxy.url,
                    "--write", env_file=env_file)

    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "451 restricted location" in fixed.stdout and "proxy unreachable: connection refused" in fixed.stdout
    written = env_file.read_text()
    assert written.startswith("# gateway settings\nBINANCE_TIMEOUT_S=2\nGATEWAY_PORT=1234\n")
    assert "BINANCE_PROXY_URL=" in written and (socks.url in written or http_proxy.url in written)
    assert (tmp_path / ".env.bak").read_text().startswith("# gateway settings")
    assert PROXY_PASSWORD not in fixed.stdout + fixed.stderr

    fake.log.clear()
    port = closed_port()
    after = start_gateway({**base, "ENV_FILE": str(env_file), "GATEWAY_PORT": str(port)}, port)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/status", after)
        live = requests.get(f"http://127.0.0.1:{port}/api/binance/price/BTCUSDT", timeout=10)
        status = requests.get(f"http://127.0.0.1:{port}/api/binance/connection-status", timeout=10).json()
        logs = output_of(after)
    finally:
        stop(after)
    assert live.headers["X-Data-Source"] == "live"
    assert status["reachable"] is True and status["restricted"] is False and status["proxy"]
    assert {r.client_addr for r in fake.log} == {"127.0.0.2"}
    assert PROXY_PASSWORD not in json.dumps(status) + logs


@pytest.mark.parametrize("which", ["socks", "http_proxy"])
@pytest.mark.processes
def test_every_upstream_call_goes_through_the_proxy(restricted_here, make_app, request, which):
    proxy = request.getfixturevalue(which)
    client = make_app(BINANCE_PROXY_URL=proxy.url, BINANCE_API_KEY="test-key-5f2c",
                      BINANCE_API_SECRET="test-secret-a91e").test_client()

    answers = [client.get(url) for url in ("/api/binance/prices", "/api/binance/ticker/24hr?symbol=BTCUSDT",
                                           "/api/binance/trading/status", "/api/binance/connection-status")]

    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert answers[0].get_json()["source"] == "live" and answers[2].get_json()["authenticated"] is True
    assert {r.client_addr for r in restricted_here.log} == {"127.0.0.2"}
    assert {r.path for r in restricted_here.log} >= {"/api/v3/ticker/price", "/api/v3/account", "/api/v3/ping"}


@pytest.mark.processes
def test_socks5h_resolves_a_name_only_the_proxy_side_knows_and_socks5_cannot(restricted_here, make_app, tmp_path):
    proxy = start_microsocks(scheme="socks5h", hosts=f"127.0.0.1 localhost\n127.0.0.1 {ONLY_VIA_PROXY}\n")
    try:
        root = restricted_here.url.replace("127.0.0.1", ONLY_VIA_PROXY)
        remote = make_app(BINANCE_BASE_URL=root, BINANCE_PROXY_URL=proxy.url).test_client()
        local = make_app(BINANCE_BASE_URL=root, BINANCE_PROXY_URL=proxy.url.replace("socks5h://", "socks5://"),
                         BINANCE_TIMEOUT_S="1",  # another host: it shares no last known good with `remote`
                         LAST_KNOWN_GOOD_DIR=str(tmp_path / "lkg-local")).test_client()

        through_proxy = remote.get("/api/binance/price/BTCUSDT")
        status = remote.get("/api/binance/connection-status").get_json()
        resolved_here = local.get("/api/binance/price/BTCUSDT")
        local_status = local.get("/api/status").get_json()["upstream"]
    finally:
        proxy.stop()

    assert through_proxy.get_json()["source"] == "live"
    assert status["proxy_resolves_names"] is True and status["reachable"] is True
    assert resolved_here.get_json()["source"] == "fallback"
    assert local_status["proxy_resolves_names"] is False and local_status["state"] == "unreachable"


def test_a_dead_proxy_gives_a_clear_error_and_fallback_without_hanging(restricted_here, make_app):
    client = make_app(BINANCE_PROXY_URL=f"socks5h://gateway:{PROXY_PASSWORD}@127.0.0.1:{closed_port()}",
                      BINANCE_TIMEOUT_S="1").test_client()

    started = time.monotonic()
    price = client.get("/api/binance/price/BTCUSDT")
    elapsed = time.monotonic() - started
    status = client.get("/api/binance/connection-status").get_json()

    assert price.get_json()["source"] == "fallback" and elapsed < 1 * 3 + 1
    assert "proxy" in json.dumps(status["last_error"]).lower()
    assert restricted_here.count() == 0
    assert PROXY_PASSWORD not in price.get_data(as_text=True) + json.dumps(status)
    assert status["proxy"] == f"socks5h://***@127.0.0.1:{status['proxy'].rsplit(':', 1)[1]}"


def test_the_proxy_password_never_shows_in_status_errors_or_logs(restricted_here, make_app, socks, caplog):
    client = make_app(BINANCE_PROXY_URL=socks.url).test_client()
    broken = make_app(BINANCE_PROXY_URL=socks.url.replace(PROXY_PASSWORD, PROXY_PASSWORD + "x")).test_client()

    texts = [client.get(u).get_data(as_text=True) for u in ("/api/status", "/api/binance/connection-status",
                                                            "/api/binance/price/BTCUSDT")]
    texts += [broken.get(u).get_data(as_text=True) for u in ("/api/binance/connection-status", "/api/binance/prices")]

    everything = "".join(texts) + caplog.text
    assert PROXY_PASSWORD not in everything
    assert "***@127.0.0.1" in everything and "gateway:" not in everything


@pytest.mark.processes
def test_script_with_no_working_route_exits_1_and_writes_nothing(restricted_here, tmp_path):
    env_file = tmp_path / ".env"
    result = run_fix(restricted_here, "--proxy", f"http://127.0.0.1:{closed_port()}", "--write", env_file=env_file)

    assert result.returncode == 1
    assert "no working route" in result.stdout
    assert not env_file.exists()


@pytest.mark.processes
def test_script_json_report_names_each_step_and_candidate_without_passwords(restricted_here, socks, tmp_path):
    proxy_file = tmp_path / "proxies.txt"
    proxy_file.write_text(f"# candidates\n{socks.url}  # the good one\n\nhttp://127.0.0.1:{closed_port()}\n")

    result = run_fix(restricted_here, "--proxy-file", str(proxy_file), "--json", env_file=tmp_path / ".env")

    report = json.loads(result.stdout)
    assert result.returncode == 0
    assert [s["step"] for s in report["direct"]["steps"]] == ["dns", "tcp", "http"]
    assert report["direct"]["works"] is False and report["direct"]["why"].startswith("451")
    assert [p["works"] for p in report["proxies"]] == [True, False]
    assert report["chosen"]["proxy"].startswith("socks5h://***@") and report["written_to"] is None
    assert PROXY_PASSWORD not in result.stdout + result.stderr


@pytest.mark.processes
def test_script_takes_candidates_from_https_proxy_and_all_proxy(restricted_here, http_proxy, tmp_path):
    result = run_fix(restricted_here, "--json", env_file=tmp_path / ".env", ALL_PROXY=http_proxy.url)

    report = json.loads(result.stdout)
    assert result.returncode == 0
    assert report["proxies"][0]["origin"] == "ALL_PROXY" and report["proxies"][0]["works"] is True


@pytest.mark.processes
def test_script_when_direct_access_works_needs_no_proxy(fake, tmp_path):
    result = run_fix(fake, env_file=tmp_path / ".env")

    assert result.returncode == 0 and "direct access works" in result.stdout


@pytest.mark.parametrize("args", [["--proxy", "ftp://proxy:21"], ["--write", "--check"], ["--timeout", "0"],
                                  ["--proxy-file", "/nonexistent/proxies.txt"]])
@pytest.mark.processes
def test_script_usage_errors_exit_2(fake, tmp_path, args):
    assert run_fix(fake, *args, env_file=tmp_path / ".env").returncode == 2


# ----- the env file --write leaves: every reader of it (python-dotenv: python_service; Node's dotenv:
# express_api; honcho: `make run`) reads the same URL, and it carries the same credentials -----

def load_script():
    spec = importlib.util.spec_from_file_location("fix_proxy_connection", ROOT / "scripts" / "fix_proxy_connection.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fix = load_script()
NODE_READS = ("const fs = require('fs'), dotenv = require('dotenv');"
              "console.log(JSON.stringify(process.argv.slice(1).map((f) => dotenv.parse(fs.readFileSync(f)))));")


def read_three_ways(*env_files: Path) -> list[tuple[dict, dict, dict]]:
    """Each file as python-dotenv, honcho and Node's dotenv (express_api's) read it."""
    node = subprocess.run(["node", "-e", NODE_READS, *map(str, env_files)], cwd=ROOT / "express_api",
                          capture_output=True, text=True, timeout=30, check=True)
    return [(dotenv_values(path), honcho_parse(path.read_text(encoding="utf-8")), by_node)
            for path, by_node in zip(env_files, json.loads(node.stdout), strict=True)]


HOSTILE_PASSWORDS = ["it's", 'say"hi"', "back\\slash", "hash#tag", "dollar$", "${HOME}", "two words", "at@sign",
                     "slash/ed", "100%", "%41", "ünïcödé", "key=value", "back`tick", "col:on", "'\\\"#$ @/%=`ü"]


@pytest.mark.processes
def test_script_writes_hostile_proxy_passwords_so_every_env_reader_reads_back_the_same_url(tmp_path):
    written = {}
    for n, password in enumerate(HOSTILE_PASSWORDS):
        env_file = tmp_path / str(n) / ".env"
        env_file.parent.mkdir()
        env_file.write_text("# gateway settings\nBINANCE_TIMEOUT_S=2\n")
        url = fix.validate_proxy(f"socks5h://gate way:{password}@127.0.0.1:1080", "--proxy")
        fix.write_env_value(env_file, "BINANCE_PROXY_URL", url)  # as --write does
        written[password] = env_file

    for (password, env_file), readers in zip(written.items(), read_three_ways(*written.values()), strict=True):
        by_dotenv, by_honcho, by_node = (reader["BINANCE_PROXY_URL"] for reader in readers)
        assert by_dotenv == by_honcho == by_node, password
        url = by_dotenv
        assert env_file.read_text() == f"# gateway settings\nBINANCE_TIMEOUT_S=2\nBINANCE_PROXY_URL='{url}'\n"
        assert (env_file.parent / ".env.bak").read_text() == "# gateway settings\nBINANCE_TIMEOUT_S=2\n"
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        assert Settings.from_env({"BINANCE_PROXY_URL": url}).proxy_url == url
        # the credentials the proxy receives: "%41" already meant "A" to requests, and still does
        credentials = ("gate way", unquote(password))
        assert get_auth_from_url(url) == credentials, password
        assert HTTPAdapter().proxy_headers(url) == {"Proxy-Authorization": _basic_auth_str(*credentials)}
        assert re.fullmatch(r"socks5h://gate%20way:([\w.~-]|%[0-9A-Fa-f]{2})+@127\.0\.0\.1:1080", url, re.ASCII), url
    assert fix.validate_proxy("socks5h://u:%41%zz@127.0.0.1:1080", "--proxy") == "socks5h://u:%41%25zz@127.0.0.1:1080"


CREDENTIAL = st.lists(st.one_of(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                                st.sampled_from(["%41", "%", "%zz", "%C3%BC", "${HOME}", "\\'"]))).map("".join)


@settings(max_examples=300, deadline=None)
@given(user=CREDENTIAL.filter(lambda user: ":" not in user), password=CREDENTIAL)
def test_any_user_name_and_password_are_written_readably_and_decode_to_themselves(user, password):
    url = fix.validate_proxy(f"socks5h://{user}:{password}@127.0.0.1:1080", "--proxy")

    assert get_auth_from_url(url) == (unquote(user), unquote(password))
    with tempfile.TemporaryDirectory() as tmp:
        env_file = Path(tmp) / ".env"
        fix.write_env_value(env_file, "BINANCE_PROXY_URL", url)
        assert env_file.read_text() == f"BINANCE_PROXY_URL='{url}'\n"
        assert dotenv_values(env_file)["BINANCE_PROXY_URL"] == url
        assert honcho_parse(env_file.read_text())["BINANCE_PROXY_URL"] == url


@pytest.mark.processes
def test_script_writes_a_proxy_whose_odd_credentials_still_authenticate_end_to_end(restricted_here, make_app, tmp_path):
    user, password = "gäte way", "p'a\"s\\s#$x${HOME} @/%41=`ü€:"  # as typed: "%41" is "A" to the proxy
    proxy = start_microsocks(user, unquote(password))
    env_file = tmp_path / ".env"
    env_file.write_text("# gateway settings\nBINANCE_PROXY_URL='socks5h://old:x@127.0.0.1:1'\nGATEWAY_PORT=1234\n")
    try:
        port = proxy.url.rsplit(":", 1)[1]
        fixed = run_fix(restricted_here, "--proxy", f"socks5h://{user}:{password}@127.0.0.1:{port}", "--write",
                        env_file=env_file)
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
        (by_dotenv, by_honcho, by_node), = read_three_ways(env_file)
        url = by_dotenv["BINANCE_PROXY_URL"]
        restricted_here.log.clear()
        live = make_app(BINANCE_PROXY_URL=url).test_client().get("/api/binance/price/BTCUSDT")
    finally:
        proxy.stop()

    assert by_dotenv == by_honcho == by_node == {"BINANCE_PROXY_URL": url, "GATEWAY_PORT": "1234"}
    assert env_file.read_text() == f"# gateway settings\nBINANCE_PROXY_URL='{url}'\nGATEWAY_PORT=1234\n"
    assert get_auth_from_url(url) == (user, unquote(password))
    assert live.get_json()["source"] == "live" and {r.client_addr for r in restricted_here.log} == {"127.0.0.2"}
    shown = fixed.stdout + fixed.stderr
    assert "socks5h://***@127.0.0.1" in shown
    assert not [secret for secret in (user, password, unquote(password), url.rpartition("@")[0]) if secret in shown]


@pytest.mark.parametrize("control", ["\n", "\r", "\t", "\x1b", "\x7f", "\x85", "\u2028"])
@pytest.mark.processes
def test_script_refuses_a_proxy_url_with_a_control_character_and_writes_nothing(fake, tmp_path, control):
    env_file = tmp_path / ".env"
    env_file.write_text("BINANCE_TIMEOUT_S=2\n")

    result = run_fix(fake, "--proxy", f"socks5h://gateway:{PROXY_PASSWORD}{control}x@127.0.0.1:{closed_port()}",
                     "--write", env_file=env_file)

    assert result.returncode == 2, result.stdout + result.stderr
    assert "--proxy: proxy URL must not contain control characters" in result.stderr
    assert env_file.read_text() == "BINANCE_TIMEOUT_S=2\n" and not (tmp_path / ".env.bak").exists()
    assert PROXY_PASSWORD not in result.stdout + result.stderr


@pytest.mark.processes
def test_script_does_not_try_an_environment_proxy_with_a_control_character(restricted_here, tmp_path):
    result = run_fix(restricted_here, "--write", env_file=tmp_path / ".env",
                     ALL_PROXY=f"http://gateway:{PROXY_PASSWORD}\nx@127.0.0.1:{closed_port()}")

    assert result.returncode == 1
    assert "not trying ALL_PROXY: proxy URL must not contain control characters" in result.stderr
    assert "trying http" not in result.stdout and not (tmp_path / ".env").exists()
    assert PROXY_PASSWORD not in result.stdout + result.stderr
