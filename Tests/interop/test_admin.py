"""The mock's admin API and --expect-all, driven as a consumer test suite would."""
from __future__ import annotations

import requests

from conftest import start_mock


def test_admin_api_reports_contracts_journal_unmatched_and_expectations():
    running = start_mock("Contracts/web-shop--orders.json", "--port", "0", "--admin-port", "0", "--journal-size", "5")
    try:
        base, admin = running.urls["orders"], running.admin
        assert admin and admin.startswith("http://127.0.0.1:")
        assert requests.get(f"{admin}/health", timeout=5).json() == {"status": "ok"}
        for _ in range(3):
            requests.get(f"{base}/orders/42", headers={"Accept": "application/json"}, timeout=5)
        requests.get(f"{base}/orders/42", headers={"Accept": "text/html"}, timeout=5)
        for i in range(4):
            requests.get(f"{base}/orders/404", timeout=5)

        contracts = requests.get(f"{admin}/contracts", timeout=5).json()
        calls = {i["name"]: i["calls"] for i in contracts[0]["interactions"]}
        assert calls["get an existing order"] == 3 and calls["get a missing order"] == 4 and calls["place an order"] == 0

        journal = requests.get(f"{admin}/journal", timeout=5).json()
        assert journal["recorded"] == 8 and journal["capacity"] == 5 and len(journal["entries"]) == 5  # a ring: flat memory
        unmatched = requests.get(f"{admin}/unmatched", timeout=5).json()["entries"]
        assert [e["nearest"] for e in unmatched] == ["get an existing order"]
        assert unmatched[0]["mismatches"][0]["path"] == "$.headers.Accept"

        expectations = requests.get(f"{admin}/expectations", timeout=5).json()
        assert expectations["satisfied"] is False
        assert {"contract": "Contracts/web-shop--orders.json", "interaction": "place an order"} in expectations["neverCalled"]

        assert requests.post(f"{admin}/reset", timeout=5).json() == {"reset": True}
        assert requests.get(f"{admin}/journal", timeout=5).json()["recorded"] == 0
        assert requests.get(f"{admin}/nope", timeout=5).status_code == 404
    finally:
        assert running.stop() == 0


def test_admin_token_is_required_when_set():
    running = start_mock("Contracts/web-shop--orders.json", "--port", "0", "--admin-port", "0", env={"TREATY_ADMIN_TOKEN": "s3cret"})
    try:
        assert requests.get(f"{running.admin}/contracts", timeout=5).status_code == 401
        ok = requests.get(f"{running.admin}/contracts", headers={"Authorization": "Bearer s3cret"}, timeout=5)
        assert ok.status_code == 200
    finally:
        running.stop()


def test_expect_all_fails_at_shutdown_when_interactions_were_never_called():
    running = start_mock("Contracts/web-shop--orders.json", "--port", "0", "--expect-all")
    requests.get(f"{running.urls['orders']}/orders/404", timeout=5)
    assert running.stop() == 1
    stderr = running.process.stderr.read()
    assert "never called (--expect-all)" in stderr and "place an order" in stderr and "get a missing order" not in stderr


def test_scenarios_sequences_and_state_selection_through_cli_and_admin():
    running = start_mock("Fixtures/e2e/stateful.json", "--port", "0", "--admin-port", "0", "--state", "card is valid")
    try:
        base, admin = running.urls["payments"], running.admin
        assert requests.post(f"{base}/cards/charge", timeout=5).status_code == 200
        assert requests.get(f"{admin}/states", timeout=5).json()["selected"] == ["card is valid"]
        assert requests.put(f"{admin}/states", json={"states": ["card is declined"]}, timeout=5).status_code == 200
        assert requests.post(f"{base}/cards/charge", timeout=5).status_code == 402

        assert requests.get(f"{base}/orders/7/payment", timeout=5).json() == {"paid": False}
        assert requests.put(f"{admin}/scenarios", json={"payment": "Paid"}, timeout=5).json() == {"payment": "Paid"}
        assert requests.get(f"{base}/orders/7/payment", timeout=5).json() == {"paid": True}
        refused = requests.post(f"{base}/orders/7/payment", timeout=5)
        assert refused.status_code == 404 and "scenario \"payment\"" in refused.json()["nearest"]["mismatches"][0]["message"]

        assert [requests.get(f"{base}/jobs/1", timeout=5).json()["state"] for _ in range(4)] == ["queued", "running", "done", "done"]
        requests.post(f"{admin}/reset", timeout=5)
        assert requests.get(f"{base}/jobs/1", timeout=5).json()["state"] == "queued"
        assert requests.get(f"{admin}/scenarios", timeout=5).json() == {"payment": "Started"}
    finally:
        running.stop()
