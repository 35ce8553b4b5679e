"""Long polling: a requests client against treaty mock (a timed hold, a trigger fired through the admin
API, a hold released by another call, the timeout answer); treaty verify against a real Starlette
provider that holds, and one that answers at once."""
from __future__ import annotations

import threading
import time

import requests

from conftest import run_treaty, start_mock
from providers.notifications import Server, create_app
from test_verify import assert_valid_junit

NOTIFICATIONS = "Contracts/web-shop--notifications.json"


def timed(call):
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def test_a_long_poll_client_against_the_mock():
    running = start_mock(NOTIFICATIONS, "--port", "0", "--admin-port", "0")
    try:
        base, admin = running.urls["notifications"], running.admin
        # Nothing happens: the timeout answer after the contract's 1 s.
        answer, held = timed(lambda: requests.get(f"{base}/orders/42/scans", params={"wait": "1"}, timeout=10))
        assert answer.status_code == 204 and 0.9 < held < 3
        # The trigger fires (admin API) while two clients wait: both get the answer at once.
        answers = []
        waiters = [threading.Thread(target=lambda: answers.append(timed(lambda: requests.get(
            f"{base}/orders/42/scans", params={"wait": "1"}, timeout=10)))) for _ in range(2)]
        for w in waiters:
            w.start()
        time.sleep(0.3)
        assert requests.get(f"{admin}/triggers", timeout=5).json() == {"held": {"trigger:courier-scan": 2}}
        assert requests.post(f"{admin}/triggers/courier-scan", headers={"Content-Type": "application/json"}, timeout=5).json() == {"trigger": "courier-scan", "released": 2}
        for w in waiters:
            w.join(timeout=10)
        assert [a.json() for a, _ in answers] == [{"order": 42, "scan": "hub Leipzig"}] * 2
        assert all(0.25 < held < 0.9 for _, held in answers)
        # Held until another interaction is called.
        result = []
        waiter = threading.Thread(target=lambda: result.append(timed(lambda: requests.get(
            f"{base}/orders/42/delivery", params={"wait": "5"}, timeout=10))))
        waiter.start()
        time.sleep(0.4)
        assert requests.post(f"{base}/orders/42/delivered", timeout=5).status_code == 204
        waiter.join(timeout=10)
        answer, held = result[0]
        assert answer.status_code == 200 and answer.json()["delivered"] is True and 0.35 < held < 2
        assert answer.json()["at"] != "2026-11-26T10:00:00Z"  # generated when answered ("now")
        # A client that gives up is forgotten: nothing stays held.
        try:
            requests.get(f"{base}/orders/42/scans", params={"wait": "1"}, timeout=0.2)
        except requests.exceptions.ReadTimeout:
            pass
        time.sleep(0.2)
        assert requests.get(f"{admin}/triggers", timeout=5).json() == {"held": {}}
    finally:
        assert running.stop() == 0


def test_verify_checks_hold_and_answer_against_real_providers(tmp_path):
    with Server(create_app()) as provider:
        good = run_treaty("verify", NOTIFICATIONS, "--base-url", provider.url, "--state-url", f"{provider.url}/_treaty/state",
                          "--junit", str(tmp_path / "good.xml"))
    assert good.returncode == 0, good.stdout
    assert_valid_junit(tmp_path / "good.xml")
    with Server(create_app("impatient")) as provider:
        bad = run_treaty("verify", NOTIFICATIONS, "--base-url", provider.url, "--state-url", f"{provider.url}/_treaty/state",
                         "--interaction", "wait for delivery", "--interaction", "no courier scan yet")
    assert bad.returncode == 1
    assert 'expected the request held until "mark the order delivered" is called' in bad.stdout, bad.stdout
    assert "expected the request held about 1000 ms" in bad.stdout
