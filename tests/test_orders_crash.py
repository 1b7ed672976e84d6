"""Exactly once across a worker killed with SIGKILL (real gunicorn): between journalling a
placement and sending it, and between sending it and reading the answer. Each ends with
exactly one order at the fake exchange once the client repeats its request."""
import os
import signal
import sqlite3
import threading
from pathlib import Path

import pytest
import requests

from tests.support.exchange import API_KEY, API_SECRET, FIXTURE_FALLBACK
from tests.support.ports import closed_port
from tests.support.processes import INTERNAL_TOKEN, output_of, start_gateway, stop, wait_until_up
from tests.support.waiting import wait_until

pytestmark = pytest.mark.processes  # every test here starts gunicorn
TOKEN = {"X-Internal-Token": INTERNAL_TOKEN}
ORDER = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.00100", "clientOrderId": "crash-1"}


@pytest.fixture
def gateway(fake, tmp_path):
    port = closed_port()
    journal = tmp_path / "orders.sqlite3"
    proc = start_gateway({"BINANCE_BASE_URL": fake.url, "BINANCE_FUTURES_BASE_URL": fake.url,
                          "BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": API_SECRET, "TRADING_ENABLED": "true",
                          "ORDER_JOURNAL_PATH": str(journal), "BINANCE_TIMEOUT_S": "60", "GUNICORN_WORKERS": "1",
                          "FALLBACK_DATA_DIR": str(FIXTURE_FALLBACK), "STREAMS_ENABLED": "false"}, port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/api/status", proc)
        yield url, proc, journal
    finally:
        fake.orders.release()
        stop(proc)


def worker_pids(master: int) -> list[int]:
    """gunicorn's workers: the master's children, read from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                children.append(int(entry.name))
    return children


def journal_state(journal: Path):
    if not journal.exists():
        return None
    with sqlite3.connect(journal) as db:
        row = db.execute("SELECT state FROM orders WHERE client_order_id = ?", (ORDER["clientOrderId"],)).fetchone()
    return row[0] if row else None


def place_in_background(url: str) -> dict:
    outcome = {}

    def run():
        try:
            outcome["response"] = requests.post(url + "/api/binance/orders", json=ORDER, timeout=120, headers=TOKEN)
        except requests.RequestException as err:
            outcome["error"] = err
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    outcome["thread"] = thread
    return outcome


def kill_worker_and_wait_for_the_next(url: str, proc) -> None:
    (worker,) = worker_pids(proc.pid)
    os.kill(worker, signal.SIGKILL)
    wait_until(lambda: worker_pids(proc.pid) and worker not in worker_pids(proc.pid), "a new worker", 60)
    wait_until_up(url + "/api/status", proc)


def test_a_worker_killed_between_journal_and_send_sent_nothing_and_the_repeat_places_exactly_one(gateway, fake):
    url, proc, journal = gateway
    fake.add_fault("silent", route="/api/v3/time", times=1)  # the clock sync just before sending hangs
    pending = place_in_background(url)
    wait_until(lambda: fake.count("/api/v3/time") == 1, "the clock sync before the send", 60)
    assert journal_state(journal) == "pending"

    kill_worker_and_wait_for_the_next(url, proc)
    pending["thread"].join(60)

    assert "error" in pending, pending  # the client lost its answer with the worker
    assert fake.orders.orders() == [] and fake.count("/api/v3/order") == 0
    repeat = requests.post(url + "/api/binance/orders", json=ORDER, timeout=60, headers=TOKEN)
    assert repeat.status_code == 201, (repeat.text, output_of(proc))
    assert [o["clientOrderId"] for o in fake.orders.orders()] == ["crash-1"]
    assert journal_state(journal) == "placed"


def test_a_worker_killed_between_send_and_answer_is_recovered_by_query_with_exactly_one_order(gateway, fake):
    url, proc, journal = gateway
    fake.orders.drop_answers("hold")  # booked, and the answer held back until the worker is gone
    pending = place_in_background(url)
    assert fake.orders.wait_booked(1, timeout=60)
    assert journal_state(journal) == "sending"

    kill_worker_and_wait_for_the_next(url, proc)
    fake.orders.release()
    pending["thread"].join(60)

    assert "error" in pending, pending
    repeat = requests.post(url + "/api/binance/orders", json=ORDER, timeout=60, headers=TOKEN)
    body = repeat.json()
    assert repeat.status_code == 201, (body, output_of(proc))
    assert body["outcome"] == "placed" and body["recovered"] is True
    assert len(fake.orders.orders()) == 1 and len([r for r in fake.requests_to("/api/v3/order")
                                                    if r.method == "POST"]) == 1
    again = requests.post(url + "/api/binance/orders", json=ORDER, timeout=60, headers=TOKEN)
    assert again.status_code == 200 and len(fake.orders.orders()) == 1
