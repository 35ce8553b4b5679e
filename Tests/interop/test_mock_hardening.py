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
