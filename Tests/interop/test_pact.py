"""Pact files written by pact-python (the Pact FFI) are served and verified by Treaty unchanged, and
cross-checked with Pact's own verifier and stub server (pact-python-cli)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import ROOT, Provider, run_treaty, start_mock
from providers.orders import create_app

PACT_BIN = Path(sys.executable).parent / "pact"
ENV = {**os.environ, "PACT_DO_NOT_TRACK": "true"}


@pytest.fixture(scope="module", params=["V3", "V4"])
def pact_file(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp(f"pact-{request.param}")
    subprocess.run([sys.executable, str(ROOT / "Tests/interop/pacts/generate.py"), str(out), request.param],
                   check=True, capture_output=True, timeout=120, env=ENV)
    files = list(out.glob("*.json"))
    assert len(files) == 1
    return files[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lint_accepts_the_pact_file(pact_file):
    result = run_treaty("lint", str(pact_file))
    assert result.returncode == 0, result.stdout
    assert "1 contract checked: 0 errors" in result.stdout


def test_treaty_verifies_a_real_provider_against_the_pact(pact_file, tmp_path):
    app = create_app()
    with Provider(app) as provider:
        result = run_treaty("verify", str(pact_file), "--base-url", provider.url, "--state-url",
                            f"{provider.url}/_treaty/state", "--junit", str(tmp_path / "junit.xml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 interaction(s): 4 passed" in result.stdout
    assert {"state": "order exists", "params": {"id": 42}, "action": "setup"} in app.config["state_calls"]


def test_treaty_catches_a_drifted_provider_with_the_pact(pact_file):
    with Provider(create_app(broken=True)) as provider:
        result = run_treaty("verify", str(pact_file), "--base-url", provider.url, "--state-url", f"{provider.url}/_treaty/state")
    assert result.returncode == 1
    assert "$.body.total: expected a decimal number, got 31" in result.stdout
    assert "$.status: expected status 201, got 200" in result.stdout


def test_pacts_own_verifier_passes_against_treaty_mock(pact_file):
    running = start_mock(str(pact_file), "--port", "0")
    try:
        port = running.urls["orders"].rsplit(":", 1)[1]
        result = subprocess.run([str(PACT_BIN), "verifier", "--file", str(pact_file), "--hostname", "127.0.0.1", "--port", port],
                                capture_output=True, text=True, timeout=120, env=ENV)
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        running.stop()


def test_treaty_verify_passes_against_pacts_stub_server(pact_file):
    port = free_port()
    stub = subprocess.Popen([str(PACT_BIN), "stub", "--file", str(pact_file), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        result = run_treaty("verify", str(pact_file), "--base-url", f"http://127.0.0.1:{port}")
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        stub.terminate()
        stub.wait(timeout=10)


def test_treaty_mock_serves_the_pact_to_a_client(pact_file):
    running = start_mock(str(pact_file), "--port", "0")
    try:
        base = running.urls["orders"]
        order = requests.get(f"{base}/orders/42", headers={"Accept": "application/json"}, timeout=5)
        assert order.status_code == 200 and order.json()["items"][0]["sku"] == "ABC-1"
        assert requests.get(f"{base}/orders/407", timeout=5).status_code == 404
        unmatched = requests.get(f"{base}/orders/42", headers={"Accept": "text/html"}, timeout=5)
        assert unmatched.headers.get("X-Treaty-Unmatched") == "true"
    finally:
        running.stop()


def test_imported_contract_lints_clean_and_verifies_the_same(pact_file, tmp_path):
    out = tmp_path / "imported"
    result = run_treaty("import", "pact", str(pact_file), "--output", str(out))
    assert result.returncode == 0, result.stderr
    contract = out / "web-shop-pact--orders.json"
    assert contract.exists()
    assert run_treaty("lint", str(contract), "--root", str(tmp_path)).returncode == 0
    with Provider(create_app(broken=True)) as provider:
        verified = run_treaty("verify", str(contract), "--base-url", provider.url, "--state-url", f"{provider.url}/_treaty/state")
    assert verified.returncode == 1
    assert "$.body.total: expected a decimal number, got 31" in verified.stdout
