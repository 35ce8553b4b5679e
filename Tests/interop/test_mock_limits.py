"""treaty mock under hostile and unusual clients: slow-loris, idle connections, oversized headers and
bodies, connection floods; CORS; the JSON access log; delays and faults seen by a real client."""
from __future__ import annotations

import json
import socket
import time

import pytest
import requests

from conftest import start_mock


@pytest.fixture
def strict_mock():
    running = start_mock("Contracts", "--port", "0", "--request-timeout", "1", "--idle-timeout", "2",
                         "--max-body", "1000", "--max-connections", "8", "--cors", "--verbose", "--log-format", "json")
    yield running
    running.stop()


def address(running) -> tuple[str, int]:
    host, port = running.urls["orders"].removeprefix("http://").split(":")
    return host, int(port)


def read_all(sock: socket.socket, limit: float) -> bytes:
    sock.settimeout(limit)
    chunks = []
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            chunks.append(chunk)
    except (socket.timeout, ConnectionResetError):
        pass
    return b"".join(chunks)


def test_a_slow_loris_gets_408_and_is_cut_off(strict_mock):
    with socket.create_connection(address(strict_mock), timeout=5) as s:
        s.sendall(b"GET /orders/42 HTTP/1.1\r\nHost: x\r\nAcc")
        started = time.monotonic()
        answer = read_all(s, 5)
        assert answer.startswith(b"HTTP/1.1 408 Request Timeout")
        assert time.monotonic() - started < 4


def test_an_idle_connection_is_closed(strict_mock):
    with socket.create_connection(address(strict_mock), timeout=5) as s:
        started = time.monotonic()
        assert read_all(s, 6) == b""
        assert 1.5 < time.monotonic() - started < 5


def test_oversized_headers_get_431_and_bodies_413(strict_mock):
    base = strict_mock.urls["orders"]
    assert requests.get(f"{base}/orders/42", headers={"X-Big": "a" * 100_000}, timeout=5).status_code == 431
    assert requests.post(f"{base}/orders", data=b"x" * 5000, headers={"Content-Type": "application/json"}, timeout=5).status_code == 413
    assert requests.get(f"{base}/orders/42", headers={"Accept": "application/json"}, timeout=5).status_code == 200


def test_a_flood_of_connections_is_capped_and_the_mock_keeps_serving(strict_mock):
    host, port = address(strict_mock)
    held = [socket.create_connection((host, port), timeout=5) for _ in range(8)]
    try:
        extra = socket.create_connection((host, port), timeout=5)
        assert read_all(extra, 2) == b""  # closed at once
        extra.close()
        held[0].sendall(b"GET /orders/404 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_all(held[0], 1).startswith(b"HTTP/1.1 404")
    finally:
        for s in held:
            s.close()
    time.sleep(0.3)
    assert requests.get(f"{strict_mock.urls['orders']}/orders/404", timeout=5).status_code == 404


def test_cors_preflight_and_allowed_origin(strict_mock):
    base = strict_mock.urls["catalog"]
    preflight = requests.options(f"{base}/products/ABC-1", headers={
        "Origin": "http://shop.test", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "accept"}, timeout=5)
    assert preflight.status_code == 204
    # A bare --cors allows any origin, without credentials (test_mock_hardening.py has the allow-list).
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Headers"] == "accept"
    answer = requests.get(f"{base}/products/ABC-1", headers={"Origin": "http://shop.test", "Accept": "application/json"}, timeout=5)
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*" and "Access-Control-Allow-Credentials" not in answer.headers


def test_the_access_log_is_json_lines():
    running = start_mock("Contracts/web-shop--orders.json", "--port", "0", "--verbose", "--log-format", "json")
    try:
        base = running.urls["orders"]
        requests.get(f"{base}/orders/42", headers={"Accept": "application/json"}, timeout=5)
        requests.get(f"{base}/nope", timeout=5)
    finally:
        running.stop()
    lines = [json.loads(line) for line in running.process.stderr.read().splitlines() if line.startswith("{")]
    matched = next(line for line in lines if line.get("target") == "/orders/42")
    assert matched["status"] == 200 and matched["interaction"] == "get an existing order"
    unmatched = next(line for line in lines if line.get("target") == "/nope")
    assert unmatched["interaction"] is None and unmatched["mismatches"]


def test_delays_and_faults_reach_a_real_client(tmp_path):
    contract = tmp_path / "faults.json"
    contract.write_text(json.dumps({"treaty": 1, "consumer": "c", "provider": "faulty", "interactions": [
        {"name": "slow", "mock": {"delay": "400ms"}, "http": {"request": {"path": "/slow"}, "response": {"body": {"ok": True}}}},
        {"name": "reset", "mock": {"fault": "reset"}, "http": {"request": {"path": "/reset"}, "response": {"body": {"ok": True}}}},
        {"name": "trickle", "mock": {"fault": {"trickle": {"bytes": 10, "every": "10ms"}}},
         "http": {"request": {"path": "/trickle"}, "response": {"body": {"ok": True, "pad": "x" * 50}}}},
    ]}))
    running = start_mock(str(contract), "--port", "0", "--root", str(tmp_path))
    try:
        base = running.urls["faulty"]
        started = time.monotonic()
        assert requests.get(f"{base}/slow", timeout=5).json() == {"ok": True}
        assert time.monotonic() - started >= 0.4
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{base}/reset", timeout=5)
        assert requests.get(f"{base}/trickle", timeout=5).json()["ok"] is True
    finally:
        running.stop()


def test_shutdown_finishes_the_request_in_flight(tmp_path):
    contract = tmp_path / "slow.json"
    contract.write_text(json.dumps({"treaty": 1, "consumer": "c", "provider": "slow", "interactions": [
        {"name": "slow", "mock": {"delay": "800ms"}, "http": {"request": {"path": "/slow"}, "response": {"body": {"ok": True}}}}]}))
    running = start_mock(str(contract), "--port", "0", "--root", str(tmp_path))
    host, port = running.urls["slow"].removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as busy, socket.create_connection((host, int(port)), timeout=5) as idle:
        busy.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)
        running.process.send_signal(15)
        answer = read_all(busy, 5)
        assert answer.startswith(b"HTTP/1.1 200 OK") and answer.endswith(b'{"ok":true}')
        assert read_all(idle, 3) == b""  # the idle connection is closed, not left hanging
    assert running.process.wait(timeout=10) == 0


def test_pipelined_requests_are_answered_in_order_even_behind_a_delay(tmp_path):
    contract = tmp_path / "pipeline.json"
    contract.write_text(json.dumps({"treaty": 1, "consumer": "c", "provider": "pipeline", "interactions": [
        {"name": "slow", "mock": {"delay": "300ms"}, "http": {"request": {"path": "/slow"}, "response": {"body": {"n": "slow"}}}},
        {"name": "fast", "http": {"request": {"path": "/fast"}, "response": {"body": {"n": "fast"}}}},
        {"name": "head", "http": {"request": {"method": "HEAD", "path": "/fast"}, "response": {"body": {"n": "fast"}}}},
    ]}))
    running = start_mock(str(contract), "--port", "0", "--root", str(tmp_path))
    try:
        host, port = running.urls["pipeline"].removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as s:
            # Four requests in one write: a slow one first, then a HEAD, then two fast ones, the last closing.
            s.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
                      b"HEAD /fast HTTP/1.1\r\nHost: x\r\n\r\n"
                      b"GET /fast HTTP/1.1\r\nHost: x\r\n\r\n"
                      b"GET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = read_all(s, 5)
        heads = [part for part in answer.split(b"HTTP/1.1 ")[1:]]
        assert len(heads) == 4, answer
        assert answer.index(b'{"n":"slow"}') < answer.index(b'{"n":"fast"}')
        assert all(h.startswith(b"200 OK") for h in heads)
        assert answer.count(b'{"n":"fast"}') == 2  # the HEAD answer has headers only
        assert b"Content-Length: 12" in heads[1] and heads[1].endswith(b"\r\n\r\n")
        assert b"Connection: close" in heads[3]
    finally:
        running.stop()
