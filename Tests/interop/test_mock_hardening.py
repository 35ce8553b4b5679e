"""What a hostile web page or a local user could do to a developer's `treaty mock`, checked on the wire: CORS
that reflects origins with credentials, a predictable certificate folder; and URLs the mock names for itself."""
from __future__ import annotations

import os
import stat
import subprocess

import requests

from conftest import ROOT, start_mock, treaty_binary

CATALOG = "Contracts/web-shop--catalog.json"
ORDERS = "Contracts/web-shop--orders.json"


def preflight(base: str, origin: str) -> requests.Response:
    return requests.options(f"{base}/products/ABC-1", headers={
        "Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}, timeout=5)


def get(base: str, origin: str) -> requests.Response:
    return requests.get(f"{base}/products/ABC-1", headers={"Origin": origin, "Accept": "application/json"}, timeout=5)


def test_cors_allow_list_gives_credentials_only_to_listed_origins():
    running = start_mock(CATALOG, "--port", "0", "--cors", "http://localhost:3000,https://shop.test")
    try:
        base = running.urls["catalog"]
        for origin in ("http://localhost:3000", "https://shop.test"):
            allowed = preflight(base, origin)
            assert allowed.status_code == 204 and allowed.headers["Access-Control-Allow-Origin"] == origin
            assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
            answer = get(base, origin)
            assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == origin
            assert answer.headers["Access-Control-Allow-Credentials"] == "true" and "Origin" in answer.headers["Vary"]

        refused = preflight(base, "https://attacker.example")
        assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers
        answer = get(base, "https://attacker.example")  # the mock answers; the browser keeps it from the page
        assert answer.status_code == 200
        assert "Access-Control-Allow-Origin" not in answer.headers and "Access-Control-Allow-Credentials" not in answer.headers
        assert get(base, "https://attacker.example").json() == answer.json()  # the connection goes on
    finally:
        assert running.stop() == 0
    assert "CORS preflight from https://attacker.example refused" in running.process.stderr.read()


def test_a_bare_cors_allows_any_origin_without_credentials_and_a_path_after_it_stays_a_path():
    running = start_mock("--cors", CATALOG, "--port", "0")
    try:
        base = running.urls["catalog"]
        for origin in ("https://attacker.example", "http://localhost:3000"):
            answer = get(base, origin)
            assert answer.headers["Access-Control-Allow-Origin"] == "*", origin
            assert "Access-Control-Allow-Credentials" not in answer.headers
            assert preflight(base, origin).headers["Access-Control-Allow-Origin"] == "*"
    finally:
        running.stop()

    both = start_mock(CATALOG, "--port", "0", "--cors", "*,http://localhost:3000")
    try:
        base = both.urls["catalog"]
        assert get(base, "http://localhost:3000").headers["Access-Control-Allow-Credentials"] == "true"
        anyone = get(base, "https://attacker.example")
        assert anyone.headers["Access-Control-Allow-Origin"] == "*" and "Access-Control-Allow-Credentials" not in anyone.headers
    finally:
        both.stop()


def test_cors_entries_that_are_not_origins_are_usage_errors():
    for value in ("--cors=localhost:3000", "--cors=http://localhost:3000/app"):
        result = subprocess.run([treaty_binary(), "mock", CATALOG, "--port", "0", value], cwd=ROOT, capture_output=True,
                                text=True, timeout=30)
        assert result.returncode == 2 and "--cors takes origins" in result.stderr, result.stderr


def test_the_self_signed_certificate_is_in_a_private_folder_removed_at_exit():
    running = start_mock(ORDERS, "--port", "0", "--tls-self-signed")
    try:
        certificate = running.certificate
        folder = os.path.dirname(certificate)
        info = os.lstat(folder)
        assert stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o700 and info.st_uid == os.getuid()
        # Not /tmp/treaty-mock-PID: another user cannot make the folder first and plant a certificate.
        assert os.path.basename(folder) != f"treaty-mock-{running.process.pid}"
        assert os.path.basename(folder).startswith("treaty-mock-")
        assert "BEGIN CERTIFICATE" in open(certificate).read()
        assert requests.get(f"{running.urls['orders']}/orders/42", headers={"Accept": "application/json"},
                            verify=certificate, timeout=5).status_code == 200
    finally:
        assert running.stop() == 0
    assert not os.path.exists(folder)


def test_mock_server_url_names_https_when_the_mock_serves_tls():
    running = start_mock(ORDERS, "--port", "0", "--tls-self-signed")
    try:
        base = running.urls["orders"]
        assert base.startswith("https://")
        tracking = requests.get(f"{base}/orders/42/tracking", verify=running.certificate, timeout=5).json()
        assert tracking["self"] == f"{base}/orders/42/tracking"
    finally:
        running.stop()
    plain = start_mock(ORDERS, "--port", "0")
    try:
        base = plain.urls["orders"]
        assert requests.get(f"{base}/orders/42/tracking", timeout=5).json()["self"] == f"{base}/orders/42/tracking"
    finally:
        plain.stop()
