"""`treaty mock` against real HTTP clients (requests, raw sockets)."""
from __future__ import annotations

import signal
import socket
import time

import requests

from conftest import start_mock


def test_serves_the_documented_answers(mock):
    orders = mock.urls["orders"]
    response = requests.get(f"{orders}/orders/42", headers={"Accept": "application/json"}, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["id"] == 42 and body["status"] == "paid" and body["items"][0]["sku"] == "ABC-1"

    created = requests.post(f"{orders}/orders", json={"items": [{"sku": "ABC-1", "quantity": 2}]}, timeout=5)
    assert created.status_code == 201
    assert created.headers["Location"] == "/orders/43"
    assert created.json()["status"] == "pending"

    listed = requests.get(f"{orders}/orders", params={"customer": "7", "page": "5"}, timeout=5)
    assert listed.status_code == 200 and len(listed.json()["orders"]) == 2

    assert requests.delete(f"{orders}/orders/42", timeout=5).status_code == 204
    catalog = mock.urls["catalog"]
    product = requests.get(f"{catalog}/products/ABC-1", headers={"Accept": "application/json"}, timeout=5)
    assert product.json()["releasedOn"] == "2025-03-01"


def test_unmatched_requests_get_a_diagnostic_answer(mock):
    response = requests.post(f"{mock.urls['orders']}/orders", json={"items": [{"sku": "XYZ-9", "quantity": 2}]}, timeout=5)
    assert response.status_code == 404
    assert response.headers["X-Treaty-Unmatched"] == "true"
    body = response.json()
    assert body["nearest"]["interaction"] == "place an order"
    assert body["nearest"]["mismatches"] == [{
        "path": "$.body.items[0].sku", "rule": "equality", "expected": '"ABC-1"', "actual": '"XYZ-9"',
        "message": 'expected "ABC-1", got "XYZ-9"',
    }]


def test_keep_alive_reuses_one_connection(mock):
    with requests.Session() as session:
        for _ in range(20):
            assert session.get(f"{mock.urls['orders']}/orders/404", timeout=5).status_code == 404


def test_garbage_and_vanishing_clients_do_not_stop_the_mock(mock):
    host, port = mock.urls["orders"].removeprefix("http://").split(":")
    for garbage in [b"\x00\xff garbage\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
                    b"GET /orders/42 HTTP/1.1\r\nHo", b"POST /orders HTTP/1.1\r\nContent-Length: 10\r\n\r\n{\"it"]:
        with socket.create_connection((host, int(port)), timeout=5) as s:
            s.sendall(garbage)
            s.shutdown(socket.SHUT_WR)
            s.settimeout(5)
            try:
                s.recv(4096)
            except (ConnectionResetError, socket.timeout):
                pass
    assert requests.get(f"{mock.urls['orders']}/orders/404", timeout=5).status_code == 404


def test_sigterm_and_sigint_shut_down_gracefully():
    for sig in (signal.SIGTERM, signal.SIGINT):
        running = start_mock("Contracts/web-shop--orders.json", "--port", "0")
        started = time.monotonic()
        assert running.stop(sig) == 0
        assert time.monotonic() - started < 5
        assert "received, shutting down" in running.process.stderr.read()


def test_binds_loopback_by_default(mock):
    assert all(url.split("://", 1)[1].startswith("127.0.0.1:") for url in mock.urls.values())
    assert {url.split("://", 1)[0] for url in mock.urls.values()} == {"http", "tcp", "udp"}


def test_http2_prior_knowledge_and_http1_share_a_port(mock):
    import subprocess
    url = f"{mock.urls['orders']}/orders/42"
    for flag, version in [("--http2-prior-knowledge", "2"), ("--http1.1", "1.1")]:
        result = subprocess.run(["curl", "-s", flag, "-H", "Accept: application/json", "-o", "/dev/null",
                                 "-w", "%{http_version} %{http_code}", url], capture_output=True, text=True, timeout=10)
        assert result.stdout == f"{version} 200"
    # Many concurrent HTTP/2 streams on one connection (h2load multiplexes; curl 7.88 cannot reuse h2c).
    result = subprocess.run(["h2load", "-n", "200", "-c", "1", "-m", "20", f"{mock.urls['orders']}/orders/404"],
                            capture_output=True, text=True, timeout=30)
    assert "200 done" in result.stdout and "200 4xx" in result.stdout, result.stdout
