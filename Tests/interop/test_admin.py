"""The mock's admin API and --expect-all, driven as a consumer test suite would."""
from __future__ import annotations

import os
import shutil
import subprocess
from urllib.parse import urlsplit

import requests

from conftest import ROOT, start_mock, treaty_binary

JSON = {"Content-Type": "application/json"}  # what every mutating admin call sends
ORDERS = "Contracts/web-shop--orders.json"


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

        assert requests.post(f"{admin}/reset", headers=JSON, timeout=5).json() == {"reset": True}
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
        requests.post(f"{admin}/reset", headers=JSON, timeout=5)
        assert requests.get(f"{base}/jobs/1", timeout=5).json()["state"] == "queued"
        assert requests.get(f"{admin}/scenarios", timeout=5).json() == {"payment": "Started"}
    finally:
        running.stop()


def test_admin_api_refuses_what_a_web_page_could_send(tmp_path):
    """CSRF and DNS rebinding, sent on the wire: a page can make a browser send a simple POST (text/plain,
    or no body) with its own Origin, and a rebound name arrives as a foreign Host. None may change state."""
    (tmp_path / ".env").write_text("SECRET=hunter2\n")
    (tmp_path / "c.json").write_text('{"treaty": 1, "consumer": "c", "provider": "p", "interactions": ['
                                     '{"name": "hi", "http": {"request": {"path": "/hi"}, "response": {"body": {"ok": true}}}}]}')
    running = start_mock(str(tmp_path / "c.json"), "--root", str(tmp_path), "--port", "0", "--admin-port", "0")
    try:
        base, admin = running.urls["p"], running.admin
        port = urlsplit(admin).port
        assert requests.get(f"{base}/hi", timeout=5).status_code == 200  # one request in the journal

        rebound = requests.get(f"{admin}/journal", headers={"Host": f"attacker.example:{port}"}, timeout=5)
        assert rebound.status_code == 403 and "DNS rebinding" in rebound.json()["error"]
        rebound_post = requests.post(f"{admin}/reset", headers={**JSON, "Host": f"attacker.example:{port}"}, timeout=5)
        assert rebound_post.status_code == 403

        for origin in ("https://attacker.example", "null", "http://localhost.attacker.example"):
            cross = requests.post(f"{admin}/reset", headers={**JSON, "Origin": origin}, timeout=5)
            assert cross.status_code == 403 and "other sites" in cross.json()["error"], origin

        # A form or fetch(mode: "no-cors") needs no preflight: text/plain, a form type, or no body at all.
        stolen = ('{"treaty": 1, "consumer": "evil", "provider": "leak", "interactions": [{"name": "x", "http": {'
                  '"request": {"path": "/x"}, "response": {"bodyFile": ".env"}}}]}')
        for headers, body in (({"Content-Type": "text/plain"}, stolen),
                              ({"Content-Type": "application/x-www-form-urlencoded"}, stolen),
                              ({}, None)):
            contract = requests.post(f"{admin}/contracts", params={"file": str(tmp_path / "evil.json"), "port": "0"},
                                     data=body, headers=headers, timeout=5)
            assert contract.status_code == 415 and "application/json" in contract.json()["error"], headers
        published = requests.post(f"{admin}/messages/publish", data='{"interaction": "x", "to": "http://127.0.0.1:9/"}',
                                  headers={"Content-Type": "text/plain"}, timeout=5)
        assert published.status_code == 415
        for path in ("/reset", "/triggers/anything"):
            assert requests.post(f"{admin}{path}", timeout=5).status_code == 415
        assert requests.put(f"{admin}/scenarios", data='{"s": "x"}', headers={"Content-Type": "text/plain"}, timeout=5).status_code == 415

        # Nothing changed: the journal still has its request, no contract leaked the .env file.
        assert requests.get(f"{admin}/journal", timeout=5).json()["recorded"] == 1
        assert [c["provider"] for c in requests.get(f"{admin}/contracts", timeout=5).json()] == ["p"]

        # What a developer's tools send still works: loopback names, a loopback page, JSON.
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"app.localhost:{port}"):
            assert requests.get(f"{admin}/health", headers={"Host": host}, timeout=5).status_code == 200, host
        local = requests.post(f"{admin}/reset", headers={**JSON, "Origin": "http://localhost:3000"}, timeout=5)
        assert local.status_code == 200 and local.json() == {"reset": True}
        assert requests.post(f"{admin}/reset", headers={"Content-Type": "application/json; charset=utf-8"}, timeout=5).status_code == 200
        assert requests.get(f"{admin}/journal", timeout=5).json()["recorded"] == 0
        if shutil.which("curl"):  # the README's form
            out = subprocess.run(["curl", "-s", "-X", "POST", f"localhost:{port}/reset", "-H", "Content-Type: application/json"],
                                 capture_output=True, text=True, timeout=10)
            assert '"reset" : true' in out.stdout or '"reset": true' in out.stdout, out.stdout
    finally:
        assert running.stop() == 0


def test_admin_api_beyond_loopback_needs_a_token():
    env = {k: v for k, v in os.environ.items() if k != "TREATY_ADMIN_TOKEN"}
    refused = subprocess.run([treaty_binary(), "mock", ORDERS, "--port", "0", "--admin-port", "0", "--admin-host", "0.0.0.0"],
                             cwd=ROOT, capture_output=True, text=True, timeout=30, env={**env, "NO_COLOR": "1"})
    assert refused.returncode == 2 and "only with a token" in refused.stderr, refused.stderr

    running = start_mock(ORDERS, "--port", "0", "--admin-port", "0", "--admin-host", "0.0.0.0", env={"TREATY_ADMIN_TOKEN": "s3cret"})
    try:
        assert running.admin.startswith("http://0.0.0.0:")
        admin = f"http://127.0.0.1:{urlsplit(running.admin).port}"  # traffic stays on loopback
        missing = requests.post(f"{admin}/reset", headers=JSON, timeout=5)
        assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Bearer"
        wrong = requests.post(f"{admin}/reset", headers={**JSON, "Authorization": "Bearer s3cre"}, timeout=5)
        assert wrong.status_code == 401
        assert requests.get(f"{admin}/contracts", timeout=5).status_code == 401
        ok = requests.post(f"{admin}/reset", headers={**JSON, "Authorization": "Bearer s3cret"}, timeout=5)
        assert ok.status_code == 200 and ok.json() == {"reset": True}
    finally:
        assert running.stop() == 0
