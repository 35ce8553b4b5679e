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
