"""treaty mock --watch: edits apply without a restart; a broken edit keeps the last good version."""
from __future__ import annotations

import json
import time

import requests

from conftest import start_mock


def contract(body: dict) -> str:
    return json.dumps({"treaty": 1, "consumer": "c", "provider": "live", "interactions": [
        {"name": "greeting", "http": {"request": {"path": "/hello"}, "response": {"body": body}}}]})


def wait_for(check, timeout: float = 20.0) -> bool:  # generous: CI machines can be busy
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_edits_reload_and_broken_edits_keep_the_last_good_version(tmp_path):
    path = tmp_path / "live.json"
    path.write_text(contract({"text": "one"}))
    running = start_mock(str(path), "--port", "0", "--root", str(tmp_path), "--watch")
    try:
        url = running.urls["live"] + "/hello"
        assert requests.get(url, timeout=5).json() == {"text": "one"}
        path.write_text(contract({"text": "two", "extra": 1}))
        assert wait_for(lambda: requests.get(url, timeout=5).json() == {"text": "two", "extra": 1})
        path.write_text('{"treaty": 1, "consumer": "c", "provider": "live", "interactions": [')  # broken
        time.sleep(1.5)
        assert requests.get(url, timeout=5).json() == {"text": "two", "extra": 1}
        path.write_text(contract({"text": "three"}))
        assert wait_for(lambda: requests.get(url, timeout=5).json() == {"text": "three"})
    finally:
        running.stop()
    stderr = running.process.stderr.read()
    assert "error: invalid JSON" in stderr and "still serving the last good contracts" in stderr
    assert stderr.count("reloaded") >= 2


def test_a_change_reloads_only_the_contract_that_changed(tmp_path):
    """Editing one contract keeps the others' state: call counts, scenarios and sequences go on."""
    stateful = {"treaty": 1, "consumer": "c", "provider": "stateful", "interactions": [
        {"name": "unpaid", "scenario": {"name": "payment", "state": "Started"},
         "http": {"request": {"path": "/payment"}, "response": {"body": {"paid": False}}}},
        {"name": "pay", "scenario": {"name": "payment", "state": "Started", "next": "Paid"},
         "http": {"request": {"method": "POST", "path": "/payment"}, "response": {"status": 201}}},
        {"name": "paid", "scenario": {"name": "payment", "state": "Paid"},
         "http": {"request": {"path": "/payment"}, "response": {"body": {"paid": True}}}},
        {"name": "job", "http": {"request": {"path": "/job"}, "responses": [
            {"body": {"state": "queued"}}, {"body": {"state": "running"}}, {"body": {"state": "done"}}]}}]}
    (tmp_path / "stateful.json").write_text(json.dumps(stateful))
    edited = tmp_path / "live.json"
    edited.write_text(contract({"text": "one"}))
    running = start_mock(str(tmp_path), "--port", "0", "--root", str(tmp_path), "--watch", "--admin-port", "0")
    try:
        base, live, admin = running.urls["stateful"], running.urls["live"], running.admin
        assert requests.get(f"{base}/payment", timeout=5).json() == {"paid": False}
        assert requests.post(f"{base}/payment", timeout=5).status_code == 201
        assert requests.get(f"{base}/job", timeout=5).json() == {"state": "queued"}
        assert requests.get(f"{live}/hello", timeout=5).json() == {"text": "one"}

        edited.write_text(contract({"text": "two"}))
        assert wait_for(lambda: requests.get(f"{live}/hello", timeout=5).json() == {"text": "two"})
        time.sleep(1.2)  # two more polls: nothing else is reloaded late

        assert requests.get(f"{admin}/scenarios", timeout=5).json() == {"payment": "Paid"}
        assert requests.get(f"{base}/payment", timeout=5).json() == {"paid": True}
        assert requests.get(f"{base}/job", timeout=5).json() == {"state": "running"}
        calls = {c["provider"]: {i["name"]: i["calls"] for i in c["interactions"]}
                 for c in requests.get(f"{admin}/contracts", timeout=5).json()}
        assert calls["stateful"] == {"unpaid": 1, "pay": 1, "paid": 1, "job": 2}
        assert calls["live"] == {"greeting": 1}  # the edited contract starts again: only the call after the reload
    finally:
        running.stop()
    stderr = running.process.stderr.read()
    assert "reloaded" in stderr and f"reloaded {tmp_path}/live.json" in stderr.replace("//", "/")
    assert "stateful.json" not in stderr
