"""treaty mock over TLS (HTTP/2 and HTTP/1.1 chosen by ALPN) with httpx, requests, curl and Python's
ssl module; callbacks (webhooks) received by a real HTTP server; contracts added and replaced through
the admin API; the HTTP/2 idle timeout."""
from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
import requests
import trustme
from flask import Flask, request as flask_request

from conftest import Provider, run_treaty, start_mock

ORDERS = "Contracts/web-shop--orders.json"
PAYMENTS = "Contracts/web-shop--payments.json"


def host_port(url: str) -> tuple[str, int]:
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    return host, int(port)


def alpn(url: str, cafile: str, offered: list[str]) -> str | None:
    context = ssl.create_default_context(cafile=cafile)
    context.set_alpn_protocols(offered)
    with socket.create_connection(host_port(url), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return tls.selected_alpn_protocol()


def test_self_signed_tls_serves_http2_and_http11_by_alpn():
    running = start_mock(ORDERS, "--port", "0", "--tls-self-signed")
    try:
        base, cert = running.urls["orders"], running.certificate
        assert base.startswith("https://127.0.0.1:") and cert and Path(cert).exists()
        assert alpn(base, cert, ["h2", "http/1.1"]) == "h2"
        assert alpn(base, cert, ["http/1.1"]) == "http/1.1"

        with httpx.Client(http2=True, verify=ssl.create_default_context(cafile=cert), timeout=5) as client:
            answers = [client.get(f"{base}/orders/42", headers={"Accept": "application/json"}) for _ in range(3)]
        assert all(a.status_code == 200 and a.http_version == "HTTP/2" and a.json()["id"] == 42 for a in answers)
        with httpx.Client(http2=False, verify=ssl.create_default_context(cafile=cert), timeout=5) as client:
            one = client.get(f"{base}/orders/42", headers={"Accept": "application/json"})
        assert one.status_code == 200 and one.http_version == "HTTP/1.1"
        # requests (urllib3) speaks HTTP/1.1 over TLS; an unmatched request gets the diagnostic answer.
        assert requests.get(f"{base}/orders/42", headers={"Accept": "application/json"}, verify=cert, timeout=5).json()["id"] == 42
        missing = requests.get(f"{base}/nope", verify=cert, timeout=5)
        assert missing.status_code == 404 and missing.headers["X-Treaty-Unmatched"] == "true"
        # The certificate is real: a client that does not trust it refuses the connection.
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{base}/orders/42", timeout=5)
        if shutil.which("curl"):
            out = subprocess.run(["curl", "-sS", "--http2", "--cacert", cert, "-H", "Accept: application/json",
                                  "-o", "/dev/null", "-w", "%{http_version} %{http_code}", f"{base}/orders/42"],
                                 capture_output=True, text=True, timeout=10)
            assert out.stdout == "2 200", out.stderr
    finally:
        assert running.stop() == 0


def test_tls_with_a_given_certificate_and_key(tmp_path):
    authority = trustme.CA()
    server = authority.issue_cert("127.0.0.1", "localhost")
    cert, key, ca = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    server.cert_chain_pems[0].write_to_path(str(cert))
    for extra in server.cert_chain_pems[1:]:
        extra.write_to_path(str(cert), append=True)
    server.private_key_pem.write_to_path(str(key))
    authority.cert_pem.write_to_path(str(ca))
    running = start_mock(ORDERS, "--port", "0", "--tls-cert", str(cert), "--tls-key", str(key))
    try:
        base = running.urls["orders"]
        with httpx.Client(http2=True, verify=ssl.create_default_context(cafile=str(ca)), timeout=5) as client:
            answer = client.get(f"{base}/orders/42", headers={"Accept": "application/json"})
        assert answer.status_code == 200 and answer.http_version == "HTTP/2"
    finally:
        assert running.stop() == 0


def test_bad_tls_files_get_a_clear_message(tmp_path):
    garbage = tmp_path / "cert.pem"
    garbage.write_text("not a certificate\n")
    result = run_treaty("mock", ORDERS, "--port", "0", "--tls-cert", str(garbage), "--tls-key", str(garbage), timeout=30)
    assert result.returncode == 2 and "cannot read the TLS certificate" in result.stderr and str(garbage) in result.stderr

    authority = trustme.CA()
    one, other = authority.issue_cert("127.0.0.1"), authority.issue_cert("127.0.0.1")
    cert, key = tmp_path / "one.pem", tmp_path / "other-key.pem"
    one.cert_chain_pems[0].write_to_path(str(cert))
    other.private_key_pem.write_to_path(str(key))
    mismatched = run_treaty("mock", ORDERS, "--port", "0", "--tls-cert", str(cert), "--tls-key", str(key), timeout=30)
    assert mismatched.returncode == 2 and "does the key belong to the certificate?" in mismatched.stderr

    alone = run_treaty("mock", ORDERS, "--tls-cert", str(cert), timeout=30)
    assert alone.returncode != 0 and "--tls-cert and --tls-key go together" in alone.stderr


class Receiver:
    """A webhook receiver (Flask on werkzeug) that records what it gets and answers `status`."""

    def __init__(self, status: int = 204):
        self.received: list[dict] = []
        self.arrived = threading.Event()
        app = Flask("receiver")

        @app.post("/payment-events")
        def events():
            self.received.append({"path": flask_request.full_path, "headers": dict(flask_request.headers),
                                  "body": flask_request.get_json(silent=True)})
            self.arrived.set()
            return "", status

        self.provider = Provider(app)

    def __enter__(self):
        self.provider.__enter__()
        return self

    def __exit__(self, *exc):
        self.provider.__exit__(*exc)


def wait_for(predicate, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_callbacks_reach_a_real_receiver_and_failures_show_in_the_admin_api():
    running = start_mock(PAYMENTS, "--port", "0", "--admin-port", "0")
    try:
        base, admin = running.urls["payments"], running.admin
        with Receiver() as receiver, Receiver(status=500) as failing:
            started = time.monotonic()
            answer = requests.post(f"{base}/payments", json={"orderId": 77, "amount": 19.99,
                                                             "callbackUrl": f"{receiver.provider.url}/payment-events?from=treaty"},
                                   timeout=5)
            assert answer.status_code == 202 and answer.json()["status"] == "pending"
            assert answer.json()["paymentId"].startswith("pay_")
            assert receiver.arrived.wait(10), "the callback never arrived"
            assert time.monotonic() - started >= 0.1  # "after": "100ms"
            got = receiver.received[0]
            assert got["path"] == "/payment-events?from=treaty"
            assert got["body"] == {"event": "payment.settled", "orderId": 77, "amount": 19.99}
            assert got["headers"]["Content-Type"] == "application/json"

            requests.post(f"{base}/payments", json={"orderId": 78, "amount": 1.5,
                                                    "callbackUrl": f"{failing.provider.url}/payment-events"}, timeout=5)
            closed = socket.socket()
            closed.bind(("127.0.0.1", 0))
            dead_port = closed.getsockname()[1]
            closed.close()
            requests.post(f"{base}/payments", json={"orderId": 79, "amount": 2.5,
                                                    "callbackUrl": f"http://127.0.0.1:{dead_port}/payment-events"}, timeout=5)
            assert wait_for(lambda: all(d["outcome"] != "pending"
                                        for d in requests.get(f"{admin}/callbacks", timeout=5).json()["deliveries"]))
        report = requests.get(f"{admin}/callbacks", timeout=5).json()
        assert (report["delivered"], report["rejected"], report["failed"]) == (1, 1, 1)
        outcomes = {d["url"].split("/payment-events")[0]: d for d in report["deliveries"]}
        assert outcomes[f"http://127.0.0.1:{dead_port}"]["outcome"] == "failed"
        assert "cannot connect" in outcomes[f"http://127.0.0.1:{dead_port}"]["error"]
        assert [d["status"] for d in report["deliveries"] if d["outcome"] == "rejected"] == [500]
        assert all(d["interaction"] == "start a payment" and d["callback"] == "payment settled" for d in report["deliveries"])
        contracts = requests.get(f"{admin}/contracts", timeout=5).json()
        assert contracts[0]["interactions"][0]["callbacks"] == 1
        assert requests.post(f"{admin}/reset", headers={"Content-Type": "application/json"}, timeout=5).status_code == 200
        assert requests.get(f"{admin}/callbacks", timeout=5).json()["deliveries"] == []
    finally:
        assert running.stop() == 0
    stderr = running.process.stderr.read()
    assert "not delivered" in stderr and f"127.0.0.1:{dead_port}" in stderr and "answered 500" in stderr


def test_admin_api_adds_and_replaces_contracts_at_run_time():
    running = start_mock(ORDERS, "--port", "0", "--admin-port", "0")
    try:
        base, admin = running.urls["orders"], running.admin
        stock = {"treaty": 1, "consumer": "web-shop", "provider": "stock", "interactions": [
            {"name": "count", "http": {"request": {"path": "/stock/1"}, "response": {"body": {"count": 3}}}}]}
        added = requests.post(f"{admin}/contracts", json=stock, timeout=5)
        assert added.status_code == 201, added.text
        assert added.json()["replaced"] is False and added.json()["file"] == "admin/web-shop-stock.json"
        stock_url = added.json()["url"]
        assert stock_url != base and requests.get(f"{stock_url}/stock/1", timeout=5).json() == {"count": 3}

        # The same consumer and provider again: replaced in place, same port.
        stock["interactions"][0]["http"]["response"]["body"] = {"count": 9}
        again = requests.post(f"{admin}/contracts", json=stock, timeout=5)
        assert again.status_code == 200 and again.json()["replaced"] is True and again.json()["url"] == stock_url
        assert requests.get(f"{stock_url}/stock/1", timeout=5).json() == {"count": 9}

        # Replace a contract served from a file, by its file name.
        orders = {"treaty": 1, "consumer": "web-shop", "provider": "orders", "interactions": [
            {"name": "ping", "http": {"request": {"path": "/ping"}, "response": {"status": 204}}}]}
        replaced = requests.post(f"{admin}/contracts", params={"file": ORDERS}, json=orders, timeout=5)
        assert replaced.status_code == 200 and replaced.json()["url"] == base
        assert requests.get(f"{base}/ping", timeout=5).status_code == 204
        assert requests.get(f"{base}/orders/42", timeout=5).status_code == 404
        served = requests.get(f"{admin}/contracts", timeout=5).json()
        assert [[i["name"] for i in c["interactions"]] for c in served] == [["ping"], ["count"]]
        expectations = requests.get(f"{admin}/expectations", timeout=5).json()
        assert expectations["neverCalled"] == []

        # A contract that does not load changes nothing and says where it is wrong.
        broken = requests.post(f"{admin}/contracts", data=b'{"treaty": 1,\n "consumer": 5}',
                               headers={"Content-Type": "application/json"}, timeout=5)
        assert broken.status_code == 400
        assert any(":2:14: error:" in d and "consumer" in d for d in broken.json()["diagnostics"]), broken.text
        taken = requests.post(f"{admin}/contracts", params={"port": str(host_port(base)[1])},
                              json={**stock, "provider": "other"}, timeout=5)
        assert taken.status_code == 409 and "cannot listen" in taken.json()["error"]
        assert requests.get(f"{base}/ping", timeout=5).status_code == 204
    finally:
        assert running.stop() == 0


def test_an_idle_http2_connection_is_closed():
    running = start_mock(ORDERS, "--port", "0", "--idle-timeout", "1")
    try:
        with socket.create_connection(host_port(running.urls["orders"]), timeout=5) as s:
            # Connection preface and an empty SETTINGS frame: HTTP/2 with prior knowledge, then silence.
            s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))
            started = time.monotonic()
            s.settimeout(6)
            received = b""
            try:
                while chunk := s.recv(4096):
                    received += chunk
            except (socket.timeout, ConnectionResetError):
                pass
            elapsed = time.monotonic() - started
        assert received[3] == 4  # the server's SETTINGS frame came first
        assert 0.5 < elapsed < 4, elapsed
    finally:
        running.stop()


def test_http2_streams_in_flight_survive_the_idle_limit_and_finish_at_shutdown(tmp_path):
    contract = tmp_path / "slow.json"
    contract.write_text(json.dumps({"treaty": 1, "consumer": "c", "provider": "slow", "interactions": [
        {"name": "slow", "mock": {"delay": "1500ms"}, "http": {"request": {"path": "/slow"}, "response": {"body": {"ok": True}}}}]}))
    running = start_mock(str(contract), "--port", "0", "--root", str(tmp_path), "--idle-timeout", "1")
    base = running.urls["slow"]
    answers: list[httpx.Response] = []
    # httpx with http1=False speaks HTTP/2 with prior knowledge over cleartext.
    with httpx.Client(http1=False, http2=True, timeout=10) as client:
        # Longer than --idle-timeout with no frames on the connection: the open stream keeps it.
        first = client.get(f"{base}/slow")
        assert first.status_code == 200 and first.http_version == "HTTP/2" and first.json() == {"ok": True}
        worker = threading.Thread(target=lambda: answers.append(client.get(f"{base}/slow")))
        worker.start()
        time.sleep(0.3)
        running.process.send_signal(15)  # shutdown while the second stream waits for its answer
        worker.join(timeout=10)
    assert answers and answers[0].status_code == 200 and answers[0].json() == {"ok": True}
    assert running.process.wait(timeout=10) == 0


def test_a_tls_port_survives_plaintext_garbage_and_stalled_handshakes():
    running = start_mock(ORDERS, "--port", "0", "--tls-self-signed", "--idle-timeout", "1")
    try:
        base, cert = running.urls["orders"], running.certificate
        with socket.create_connection(host_port(base), timeout=5) as plain:
            plain.sendall(b"GET /orders/42 HTTP/1.1\r\nHost: x\r\n\r\n" + bytes(range(256)))
            plain.settimeout(5)
            try:
                answer = plain.recv(4096)
                assert not answer.startswith(b"HTTP/")  # a TLS alert or nothing: no plaintext answer
            except (ConnectionResetError, socket.timeout):
                pass
        with socket.create_connection(host_port(base), timeout=5) as stalled:
            started = time.monotonic()
            stalled.settimeout(5)
            try:
                assert stalled.recv(4096) == b""  # closed by the idle limit, not held forever
            except ConnectionResetError:
                pass
            assert time.monotonic() - started < 4
        with httpx.Client(http2=True, verify=ssl.create_default_context(cafile=cert), timeout=5) as client:
            assert client.get(f"{base}/orders/42", headers={"Accept": "application/json"}).status_code == 200
    finally:
        assert running.stop() == 0
