"""WebSocket conversations: Python `websockets` against treaty mock (the conversation as written, a
message that differs, an unmasked frame); treaty verify against a real Starlette/uvicorn WebSocket
server, conforming and drifted, and against a raw server that breaks the protocol."""
from __future__ import annotations

import json
import socket
import struct
import threading
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from conftest import run_treaty, start_mock
from providers.notifications import Server, create_app
from test_verify import assert_valid_junit

NOTIFICATIONS = "Contracts/web-shop--notifications.json"


@pytest.fixture(scope="module")
def mock():
    running = start_mock(NOTIFICATIONS, "--port", "0")
    yield running
    running.stop()


def ws_url(mock) -> str:
    return mock.urls["notifications"].replace("http://", "ws://") + "/orders/42/live"


def test_a_websockets_client_has_the_conversation_with_the_mock(mock):
    with connect(ws_url(mock), subprotocols=["orders.v1"], open_timeout=5) as ws:
        assert ws.subprotocol == "orders.v1"
        assert json.loads(ws.recv(timeout=5)) == {"type": "hello", "order": 42}
        ws.send(json.dumps({"type": "subscribe", "topics": ["status", "eta"]}))
        started = time.monotonic()
        status = json.loads(ws.recv(timeout=5))
        assert status == {"type": "status", "order": 42, "status": "packed"} and time.monotonic() - started >= 0.04
        assert ws.ping(b"still there?").wait(5)
        ws.send(json.dumps({"type": "bye"}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
        assert closed.value.rcvd.code == 1000 and closed.value.rcvd.reason == "bye"


def test_a_message_that_differs_closes_with_1008_and_says_why(mock):
    with connect(ws_url(mock), subprotocols=["orders.v1"], open_timeout=5) as ws:
        ws.recv(timeout=5)
        ws.send(json.dumps({"type": "unsubscribe"}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd.code == 1008
    assert '$.conversation[1].type: expected "subscribe", got "unsubscribe"' in closed.value.rcvd.reason


def test_the_mock_refuses_what_is_not_a_proper_upgrade_or_frame(mock):
    host, port = mock.urls["notifications"].removeprefix("http://").split(":")
    with pytest.raises(Exception):  # no subprotocol offered: 400
        with connect(ws_url(mock), open_timeout=5):
            pass
    with socket.create_connection((host, int(port)), timeout=5) as s:  # a plain GET: 426
        s.sendall(b"GET /orders/42/live HTTP/1.1\r\nHost: x\r\n\r\n")
        assert s.recv(4096).startswith(b"HTTP/1.1 426 Upgrade Required")
    with socket.create_connection((host, int(port)), timeout=5) as s:  # an unmasked client frame: 1002
        s.sendall(b"GET /orders/42/live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: orders.v1\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(1)
        assert b"101 Switching Protocols" in head and b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in head  # RFC 6455's own example
        payload = b'{"type": "subscribe", "topics": ["status"]}'
        s.sendall(bytes([0x81, len(payload)]) + payload)  # no mask bit
        data = b""
        s.settimeout(5)
        try:
            while chunk := s.recv(4096):
                data += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        close = data[data.rfind(b"\x88"):]
        assert struct.unpack("!H", close[2:4])[0] == 1002 and b"unmasked" in close


def test_the_verifier_round_trips_with_the_mock(mock, tmp_path):
    result = run_treaty("verify", NOTIFICATIONS, "--base-url", mock.urls["notifications"], "--interaction", "live order updates",
                        "--junit", str(tmp_path / "j.xml"))
    assert result.returncode == 0, result.stdout
    assert_valid_junit(tmp_path / "j.xml")


def test_a_real_websocket_server_passes_and_a_drifted_one_fails(tmp_path):
    with Server(create_app()) as provider:
        good = run_treaty("verify", NOTIFICATIONS, "--base-url", provider.url, "--interaction", "live order updates", "--verbose")
    assert good.returncode == 0, good.stdout
    assert "< pong still there?" in good.stdout
    with Server(create_app("rude")) as provider:
        started = time.monotonic()
        bad = run_treaty("verify", NOTIFICATIONS, "--base-url", provider.url, "--interaction", "live order updates",
                         "--junit", str(tmp_path / "bad.xml"))
    assert bad.returncode == 1 and time.monotonic() - started < 15
    assert '$.conversation[2].status: "lost" does not match' in bad.stdout, bad.stdout
    case = list(assert_valid_junit(tmp_path / "bad.xml"))[0]
    assert [type(c.result[0]).__name__ for c in case] == ["Failure"]


def raw_server(answer: bytes) -> tuple[socket.socket, threading.Thread]:
    """A server that accepts one upgrade request and answers `answer` (then closes)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve():
        conn, _ = listener.accept()
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(4096)
            conn.sendall(answer)
            time.sleep(0.5)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


@pytest.mark.parametrize("answer, expected", [
    (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "expected the upgrade (101 Switching Protocols), got 200"),
    (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong\r\n"
     b"Sec-WebSocket-Protocol: orders.v1\r\n\r\n", "Sec-WebSocket-Accept does not answer the key"),
])
def test_a_broken_upgrade_is_reported(tmp_path, answer, expected):
    listener, thread = raw_server(answer)
    try:
        result = run_treaty("verify", NOTIFICATIONS, "--base-url", f"http://127.0.0.1:{listener.getsockname()[1]}",
                            "--interaction", "live order updates", "--timeout", "3")
    finally:
        listener.close()
        thread.join(timeout=5)
    assert result.returncode == 1 and expected in result.stdout, result.stdout


def test_a_server_written_with_websockets_is_verified():
    """The `websockets` library's own server (not Starlette) plays the provider."""
    from websockets.sync.server import serve

    def handler(ws):
        ws.send(json.dumps({"type": "hello", "order": 42}))
        if json.loads(ws.recv())["type"] != "subscribe":
            return ws.close(1008)
        time.sleep(0.05)
        ws.send(json.dumps({"type": "status", "order": 42, "status": "shipped"}))
        if json.loads(ws.recv()).get("type") == "bye":  # the library answers the ping before this
            ws.close(1000, "bye")

    with serve(handler, "127.0.0.1", 0, subprotocols=["orders.v1"]) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        port = server.socket.getsockname()[1]
        result = run_treaty("verify", NOTIFICATIONS, "--base-url", f"http://127.0.0.1:{port}", "--interaction", "live order updates",
                            "--verbose")
        server.shutdown()
        thread.join(timeout=5)
    assert result.returncode == 0, result.stdout
    assert "< close 1000 bye" in result.stdout


def test_an_oversized_message_closes_with_1009():
    running = start_mock(NOTIFICATIONS, "--port", "0", "--max-body", "1000")
    try:
        with connect(running.urls["notifications"].replace("http://", "ws://") + "/orders/42/live", subprotocols=["orders.v1"],
                     open_timeout=5, max_size=None) as ws:
            ws.recv(timeout=5)
            ws.send(json.dumps({"type": "subscribe", "topics": ["x" * 5000]}))
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=5)
        assert closed.value.rcvd.code == 1009
        # The mock keeps serving.
        with connect(running.urls["notifications"].replace("http://", "ws://") + "/orders/42/live", subprotocols=["orders.v1"],
                     open_timeout=5) as ws:
            assert json.loads(ws.recv(timeout=5))["type"] == "hello"
    finally:
        running.stop()
