"""Hardening (issue 13): inputs that crashed the mock or the verifier, stalled an event loop, or
gave a wrong verdict, sent the way a real peer sends them (on the wire where they come from the
wire). Every crash test also proves the process goes on serving the next request."""
from __future__ import annotations

import base64
import os
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import httpx
import pytest
import requests

from conftest import ROOT, run_treaty, start_mock, treaty_binary
from providers.bad_grpc import framed
from test_grpc import INVENTORY, M, raw_grpc_call, stub, target

HARDENING = ROOT / "Fixtures" / "hardening"


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def varint(n: int) -> bytes:
    out = b""
    while n >= 0x80:
        out += bytes([n & 0x7F | 0x80])
        n >>= 7
    return out + bytes([n])


def deep_node(depth: int) -> bytes:
    """A tree.v1.Node nested `depth` levels through `children` (field 2)."""
    node = b"\x0a\x04leaf"
    for _ in range(depth):
        node = b"\x12" + varint(len(node)) + node
    return node


# MARK: crashes


@pytest.fixture(scope="module")
def inventory():
    running = start_mock(INVENTORY, "--port", "0")
    yield running
    running.stop()


@pytest.mark.parametrize("timeout", ["99999999H", "99999999M", "99999999S", "99999999m"])
def test_a_huge_grpc_timeout_is_clamped_not_a_crash(inventory, timeout):
    """Eight digits of hours overflowed an Int64 of nanoseconds and trapped the mock."""
    port = port_of(inventory.urls["inventory"])
    answer = raw_grpc_call(port, "/inventory.v1.Inventory/GetStock", framed(b"\x0a\x05ABC-1"),
                           [("grpc-timeout", timeout), ("x-shop-id", "web-shop")])
    status = answer["trailers"].get("grpc-status") or answer["headers"].get("grpc-status")
    assert status == "0", answer
    assert inventory.process.poll() is None
    with grpc.insecure_channel(target(inventory)) as channel:
        get = stub(channel, "GetStock", "unary", "StockRequest", "Stock")
        assert get(M["StockRequest"](sku="ABC-1"), metadata=[("x-shop-id", "web-shop")], timeout=5).sku == "ABC-1"


def test_a_huge_grpc_timeout_on_a_port_without_grpc():
    """The timeout was parsed before the port was known to serve gRPC: any HTTP/2 port crashed."""
    running = start_mock("Contracts/web-shop--orders.json", "--port", "0")
    try:
        port = port_of(running.urls["orders"])
        answer = raw_grpc_call(port, "/inventory.v1.Inventory/GetStock", framed(b""), [("grpc-timeout", "99999999H")])
        status = answer["trailers"].get("grpc-status") or answer["headers"].get("grpc-status")
        assert status == "12", answer  # UNIMPLEMENTED: this contract has no gRPC service
        assert running.process.poll() is None
        assert requests.get(running.urls["orders"] + "/orders/42", headers={"Accept": "application/json"}, timeout=5).status_code == 200
    finally:
        running.stop()


@pytest.fixture(scope="module")
def trees():
    running = start_mock(str(HARDENING / "trees.json"), "--port", "0", "--root", str(HARDENING))
    yield running
    running.stop()


def test_a_deeply_nested_request_gets_a_status_not_a_stack_overflow(trees):
    port = port_of(trees.urls["trees"])
    answer = raw_grpc_call(port, "/tree.v1.Trees/Echo", framed(deep_node(200_000)))
    status = answer["trailers"].get("grpc-status") or answer["headers"].get("grpc-status")
    message = (answer["trailers"].get("grpc-message") or answer["headers"].get("grpc-message", "")).replace("%20", " ")
    assert status == "13", answer
    assert "nest deeper than 100 levels" in message, message
    assert trees.process.poll() is None
    # 99 levels below the root is within protobuf's limit: it decodes (and is judged by the contract).
    inner = deep_node(98)
    shallow = raw_grpc_call(port, "/tree.v1.Trees/Echo", framed(b"\x0a\x04root\x12" + varint(len(inner)) + inner))
    assert (shallow["trailers"].get("grpc-status") or shallow["headers"].get("grpc-status")) in ("0", "5"), shallow
    assert "nest deeper" not in (shallow["trailers"].get("grpc-message") or shallow["headers"].get("grpc-message", "")).replace("%20", " ")
    exact = raw_grpc_call(port, "/tree.v1.Trees/Echo", framed(b"\x0a\x04root"))
    assert (exact["trailers"].get("grpc-status") or exact["headers"].get("grpc-status")) == "0", exact


class DeepTreeServer:
    """A raw HTTP/2 gRPC server whose every answer is a tree.v1.Node nested 200,000 levels deep."""

    def __init__(self):
        import h2.config
        import h2.connection
        import h2.events
        self.h2 = (h2.config, h2.connection, h2.events)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(connection,), daemon=True).start()

    def serve(self, sock):
        config, connection, events = self.h2
        sock.settimeout(10)
        conn = connection.H2Connection(config=config.H2Configuration(client_side=False))
        conn.initiate_connection()
        conn.update_settings({0x4: 1 << 24})  # a large window so the answer goes in one go
        sock.sendall(conn.data_to_send())
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    return
                for event in conn.receive_data(data):
                    if isinstance(event, events.StreamEnded):
                        payload = framed(deep_node(200_000))
                        conn.send_headers(event.stream_id, [(":status", "200"), ("content-type", "application/grpc")])
                        while payload:
                            window = min(conn.local_flow_control_window(event.stream_id), conn.max_outbound_frame_size)
                            if window <= 0:
                                sock.sendall(conn.data_to_send())
                                for more in conn.receive_data(sock.recv(65536)):
                                    pass
                                continue
                            conn.send_data(event.stream_id, payload[:window])
                            payload = payload[window:]
                            sock.sendall(conn.data_to_send())
                        conn.send_headers(event.stream_id, [("grpc-status", "0")], end_stream=True)
                sock.sendall(conn.data_to_send())
        except OSError:
            return
        finally:
            sock.close()

    def stop(self):
        self.listener.close()


def test_the_verifier_judges_a_deeply_nested_answer_without_overflowing(tmp_path):
    server = DeepTreeServer()
    try:
        result = run_treaty("verify", str(HARDENING / "trees.json"), "--root", str(HARDENING), "--base-url", server.url,
                            "--timeout", "10", "--junit", str(tmp_path / "junit.xml"), timeout=60)
    finally:
        server.stop()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "nest deeper than 100 levels" in result.stdout, result.stdout
    assert (tmp_path / "junit.xml").exists()


def test_the_verifier_judges_json_as_deep_as_the_parser_allows(tmp_path):
    """511 levels of JSON (the parser stops at 512) overflowed the verifier's 1 MiB thread stacks."""
    from flask import Flask, Response
    from conftest import Provider
    app = Flask("deep")

    @app.get("/deep")
    def deep():
        return Response('{"a":' * 511 + "1" + "}" * 511, content_type="application/json")

    contract = tmp_path / "deep.json"
    contract.write_text("""{"treaty": 1, "consumer": "c", "provider": "deep", "interactions": [
      {"name": "deep", "http": {"request": {"path": "/deep"}, "response": {"status": 200, "body": {"a": {"a": "text"}}}}}]}""")
    with Provider(app) as provider:
        result = run_treaty("verify", str(contract), "--base-url", provider.url, "--junit", str(tmp_path / "junit.xml"),
                            "--html", str(tmp_path / "report.html"), timeout=60)
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert "1 failed" in result.stdout


# MARK: stalls and unbounded memory


def test_a_half_sent_http2_request_gets_408_and_frees_the_connection():
    """A stream that sends its headers and never its end no longer holds the connection forever."""
    import h2.config
    import h2.connection
    import h2.events
    running = start_mock("Contracts/web-shop--orders.json", "--port", "0", "--request-timeout", "1")
    try:
        port = port_of(running.urls["orders"])
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
        conn.initiate_connection()
        stream = conn.get_next_available_stream_id()
        conn.send_headers(stream, [(":method", "POST"), (":scheme", "http"), (":authority", f"127.0.0.1:{port}"),
                                   (":path", "/orders"), ("content-type", "application/json")])
        conn.send_data(stream, b'{"items": [')  # and never the rest
        sock.sendall(conn.data_to_send())
        started = time.monotonic()
        status, ended = None, False
        while not ended and time.monotonic() - started < 8:
            data = sock.recv(65536)
            if not data:
                break
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived):
                    status = dict(event.headers)[b":status"]
                elif isinstance(event, (h2.events.StreamEnded, h2.events.StreamReset)):
                    ended = True
            sock.sendall(conn.data_to_send())
        assert status == b"408" and ended, (status, ended)
        assert time.monotonic() - started < 5
        sock.close()
        assert requests.get(running.urls["orders"] + "/orders/42", headers={"Accept": "application/json"}, timeout=5).status_code == 200
    finally:
        running.stop()


def test_a_half_sent_grpc_call_ends_with_a_status():
    """A unary call whose request never ends gets DEADLINE_EXCEEDED after --request-timeout."""
    import h2.config
    import h2.connection
    import h2.events
    running = start_mock(INVENTORY, "--port", "0", "--request-timeout", "1")
    try:
        port = port_of(running.urls["inventory"])
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
        conn.initiate_connection()
        stream = conn.get_next_available_stream_id()
        conn.send_headers(stream, [(":method", "POST"), (":scheme", "http"), (":authority", f"127.0.0.1:{port}"),
                                   (":path", "/inventory.v1.Inventory/GetStock"), ("content-type", "application/grpc"),
                                   ("te", "trailers"), ("x-shop-id", "web-shop")])
        conn.send_data(stream, b"\x00\x00\x00\x00\x07\x0a\x05AB")  # half a message, and never the end
        sock.sendall(conn.data_to_send())
        started, status = time.monotonic(), None
        while status is None and time.monotonic() - started < 8:
            data = sock.recv(65536)
            if not data:
                break
            for event in conn.receive_data(data):
                if isinstance(event, (h2.events.TrailersReceived, h2.events.ResponseReceived)):
                    status = dict(event.headers).get(b"grpc-status", status)
            sock.sendall(conn.data_to_send())
        sock.close()
        assert status == b"4", status
        assert time.monotonic() - started < 4
        with grpc.insecure_channel(target(running)) as channel:
            get = stub(channel, "GetStock", "unary", "StockRequest", "Stock")
            assert get(M["StockRequest"](sku="ABC-1"), metadata=[("x-shop-id", "web-shop")], timeout=5).sku == "ABC-1"
    finally:
        running.stop()


def test_requests_pipelined_behind_a_held_answer_are_bounded():
    running = start_mock(str(HARDENING / "callbacks.json"), "--port", "0", "--request-timeout", "1")
    try:
        port = port_of(running.urls["webhooks"])
        # Too many requests behind a held answer: the connection closes instead of queueing them all.
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"GET /held HTTP/1.1\r\nHost: x\r\n\r\n" + b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\n" * 40)
        started = time.monotonic()
        received = b""
        while time.monotonic() - started < 8:
            data = sock.recv(65536)
            if not data:
                break
            received += data
        assert time.monotonic() - started < 2, "closed at once"
        assert b"plain" not in received
        sock.close()
        # A few requests behind a held answer that outlasts --request-timeout: closed after it.
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"GET /held HTTP/1.1\r\nHost: x\r\n\r\n" + b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
        started = time.monotonic()
        while time.monotonic() - started < 8 and sock.recv(65536):
            pass
        assert 0.8 < time.monotonic() - started < 2.5
        sock.close()
        # Pipelining behind an answer that comes in time still works, in order.
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
        received = b""
        while received.count(b"plain") < 3:
            received += sock.recv(65536)
        sock.close()
    finally:
        running.stop()


def raw_websocket(port: int, path: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def ws_frame(opcode: int, payload: bytes, fin: bool = True, mask: bool = True) -> bytes:
    first = (0x80 if fin else 0) | opcode
    length = len(payload)
    if length < 126:
        header = bytes([first, (0x80 if mask else 0) | length])
    elif length < 65536:
        header = bytes([first, (0x80 if mask else 0) | 126]) + length.to_bytes(2, "big")
    else:
        header = bytes([first, (0x80 if mask else 0) | 127]) + length.to_bytes(8, "big")
    if not mask:
        return header + payload
    key = os.urandom(4)
    return header + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def close_code(sock: socket.socket) -> int | None:
    """Reads frames until a close frame; its code (None when the connection just ended)."""
    data = b""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
        while len(data) >= 2:
            opcode, length = data[0] & 0x0F, data[1] & 0x7F
            offset = 2
            if length == 126:
                length, offset = int.from_bytes(data[2:4], "big"), 4
            if len(data) < offset + length:
                break
            payload, data = data[offset:offset + length], data[offset + length:]
            if opcode == 0x8:
                return int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
    return None


@pytest.mark.parametrize("frames, code", [
    ([ws_frame(0x1, b'{"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {}}', mask=False)], 1002),
    ([ws_frame(0x1, b"a" * 40_000, fin=False)] + [ws_frame(0x0, b"a" * 40_000, fin=False)] * 2, 1009),
    ([ws_frame(0x1, b'{"jsonrpc": "2.0", "id": 1, "method": "\xff\xfe"}')], 1007),
    ([ws_frame(0x0, b"orphan")], 1002),
])
def test_jsonrpc_over_websocket_checks_frames_like_conversations(frames, code):
    running = start_mock(str(HARDENING / "callbacks.json"), "--port", "0", "--max-body", "65536")
    try:
        port = port_of(running.urls["webhooks"])
        sock = raw_websocket(port, "/rpc")
        for frame in frames:
            sock.sendall(frame)
        assert close_code(sock) == code
        sock.close()
        # The port still answers calls.
        sock = raw_websocket(port, "/rpc")
        sock.sendall(ws_frame(0x1, b'{"jsonrpc": "2.0", "id": 7, "method": "ping", "params": {}}'))
        answer = sock.recv(65536)
        assert b'"pong"' in answer and b'"id":7' in answer.replace(b" ", b""), answer
        sock.close()
    finally:
        running.stop()


def test_a_grpc_client_stream_is_capped():
    """Client-streaming messages are kept until the call is judged: past 10,000 messages the call
    gets RESOURCE_EXHAUSTED instead of growing without bound."""
    running = start_mock(INVENTORY, "--port", "0")
    try:
        with grpc.insecure_channel(target(running)) as channel:
            restock = stub(channel, "Restock", "client", "StockChange", "RestockSummary")
            with pytest.raises(grpc.RpcError) as error:
                restock(iter([M["StockChange"](sku="ABC-1", delta=1)] * 10_001), metadata=[("x-shop-id", "web-shop")], timeout=30)
            assert error.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert "10000 messages" in error.value.details()
            get = stub(channel, "GetStock", "unary", "StockRequest", "Stock")
            assert get(M["StockRequest"](sku="ABC-1"), metadata=[("x-shop-id", "web-shop")], timeout=5).sku == "ABC-1"
    finally:
        running.stop()


def test_a_full_stderr_never_stalls_the_mock():
    """Standard error is a pipe nobody reads: with --verbose every request logs a line, and the
    mock goes on answering (lines beyond the writer's queue are dropped and counted)."""
    process = subprocess.Popen([treaty_binary(), "mock", "Contracts/web-shop--orders.json", "--port", "0", "--verbose"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        while "http://" not in line:
            line = process.stdout.readline()
        url = line.split()[0]
        started = time.monotonic()
        with httpx.Client(timeout=5) as client:
            # Each logged line is over 60 bytes: 3,000 of them are far more than a pipe holds (64 KiB).
            for _ in range(3_000):
                assert client.get(url + "/orders/42/nothing-here-" + "x" * 40).status_code == 404
        assert time.monotonic() - started < 60
    finally:
        process.terminate()
        _, err = process.communicate(timeout=15)
    assert "unmatched" in err


def test_adding_a_contract_does_not_stall_the_other_ports(tmp_path):
    """POST /contracts runs protoc off the event loops: a slow protoc does not hold other answers."""
    slow = tmp_path / "slow-protoc"
    slow.write_text("#!/bin/sh\nsleep 3\nexec protoc \"$@\"\n")
    slow.chmod(0o755)
    running = start_mock("Contracts/web-shop--orders.json", "--port", "0", "--admin-port", "0", "--root", str(ROOT),
                         env={"TREATY_PROTOC": str(slow)})
    try:
        contract = (HARDENING / "trees.json").read_bytes()
        with ThreadPoolExecutor(1) as pool:
            added = pool.submit(requests.post, running.admin + "/contracts", params={"file": "Fixtures/hardening/trees.json", "port": "0"},
                                data=contract, headers={"Content-Type": "application/json"}, timeout=30)
            time.sleep(0.5)
            started = time.monotonic()
            answer = requests.get(running.urls["orders"] + "/orders/42", headers={"Accept": "application/json"}, timeout=10)
            assert answer.status_code == 200
            assert time.monotonic() - started < 1.5, "the orders port waited for protoc"
            assert added.result().status_code == 201, added.result().text
    finally:
        running.stop()


class EndlessStream:
    """An HTTP server whose event stream is one line that never ends (and never a blank line)."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        try:
            sock, _ = self.listener.accept()
        except OSError:
            return
        sock.recv(65536)
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: ")
        chunk = b"x" * 65536
        try:
            for _ in range(2_000):  # 128 MiB at most, well past the cap
                sock.sendall(chunk)
        except OSError:
            pass
        sock.close()

    def stop(self):
        self.listener.close()


def test_an_endless_event_stream_is_cut_off(tmp_path):
    contract = tmp_path / "stream.json"
    contract.write_text("""{"treaty": 1, "consumer": "c", "provider": "endless", "interactions": [
      {"name": "one event", "sse": {"request": {"path": "/events"}, "events": [{"data": "hello"}]}}]}""")
    server = EndlessStream()
    try:
        result = run_treaty("verify", str(contract), "--base-url", server.url, "--timeout", "30",
                            "--junit", str(tmp_path / "junit.xml"), timeout=60)
    finally:
        server.stop()
    assert result.returncode == 1
    assert "stopped reading after" in result.stdout, result.stdout
    assert (tmp_path / "junit.xml").stat().st_size < 1 << 20


def test_a_huge_body_line_is_clipped_in_the_reports(tmp_path):
    from flask import Flask
    from conftest import Provider
    app = Flask("huge")

    @app.get("/orders/42")
    def order():
        return {"id": 42, "note": "x" * 5_000_000}

    contract = tmp_path / "huge.json"
    contract.write_text("""{"treaty": 1, "consumer": "c", "provider": "huge", "interactions": [
      {"name": "an order", "http": {"request": {"path": "/orders/42"},
        "response": {"status": 200, "body": {"id": 42, "note": "short"}}}}]}""")
    with Provider(app) as provider:
        result = run_treaty("verify", str(contract), "--base-url", provider.url, "--junit", str(tmp_path / "junit.xml"),
                            "--html", str(tmp_path / "report.html"), timeout=60)
    assert result.returncode == 1
    assert "more characters cut" in (tmp_path / "junit.xml").read_text()
    assert (tmp_path / "junit.xml").stat().st_size < 1 << 20
    assert (tmp_path / "report.html").stat().st_size < 1 << 20


# MARK: exact verdicts in the mock's run-time state


def test_the_journal_keeps_exactly_the_last_n_requests():
    running = start_mock("Contracts/web-shop--orders.json", "--port", "0", "--admin-port", "0", "--journal-size", "10")
    try:
        with requests.Session() as session:  # one keep-alive connection
            for i in range(30):
                session.get(running.urls["orders"] + f"/journal-probe/{i}", timeout=5)
        entries = requests.get(running.admin + "/journal", params={"limit": "100"}, timeout=5).json()["entries"]
        assert [e["target"] for e in entries] == [f"/journal-probe/{i}" for i in range(20, 30)]
    finally:
        running.stop()


def test_a_scenario_step_is_taken_once_under_concurrent_clients():
    running = start_mock(str(HARDENING / "scenario.json"), "--port", "0", "--admin-port", "0", "--threads", "2")
    try:
        url = running.urls["tickets"] + "/tickets/7/claim"
        for _ in range(20):
            requests.post(running.admin + "/reset", headers={"Content-Type": "application/json"}, timeout=5)
            barrier = threading.Barrier(8)

            def claim(_):
                with requests.Session() as session:
                    session.get(running.urls["tickets"] + "/warm-up", timeout=5)  # connect first
                    barrier.wait(timeout=10)
                    return session.post(url, timeout=5).status_code

            with ThreadPoolExecutor(8) as pool:
                statuses = list(pool.map(claim, range(8)))
            assert statuses.count(200) == 1 and statuses.count(409) == 7, statuses
    finally:
        running.stop()


def callbacks_of(running) -> list[dict]:
    return requests.get(running.admin + "/callbacks", timeout=5).json()["deliveries"]


def test_callbacks_of_an_answer_that_never_went_out_are_cancelled():
    running = start_mock(str(HARDENING / "callbacks.json"), "--port", "0", "--admin-port", "0")
    try:
        base = running.urls["webhooks"]
        # The client leaves while the answer is delayed.
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.post(base + "/slow", timeout=0.3)
        # … and while it is held.
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(base + "/held", timeout=0.3)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(d["outcome"] == "pending" for d in callbacks_of(running)):
            time.sleep(0.1)
        outcomes = {d["callback"]: (d["outcome"], d.get("error", "")) for d in callbacks_of(running)}
        assert outcomes["slow done"][0] == "cancelled" and "closed the connection" in outcomes["slow done"][1], outcomes
        assert outcomes["held done"][0] == "cancelled", outcomes
        # A refused upgrade: its callback is cancelled, and does not fire after a later request.
        refused = requests.get(base + "/feed", timeout=5)
        assert refused.status_code == 426
        assert requests.get(base + "/plain", timeout=5).text == "plain"
        time.sleep(0.5)
        feed = [d for d in callbacks_of(running) if d["callback"] == "feed opened"]
        assert [d["outcome"] for d in feed] == ["cancelled"], feed
        counts = requests.get(running.admin + "/callbacks", timeout=5).json()
        assert counts["cancelled"] == 3
        # A fault is the answer the contract asks for: its callbacks are sent (port 9 refuses: failed).
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.post(base + "/dropped", timeout=5)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(d["callback"] == "dropped anyway" and d["outcome"] != "pending"
                                                      for d in callbacks_of(running)):
            time.sleep(0.1)
        dropped = [d for d in callbacks_of(running) if d["callback"] == "dropped anyway"]
        assert [d["outcome"] for d in dropped] == ["failed"], dropped
    finally:
        running.stop()
