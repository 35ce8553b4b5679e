"""treaty mock --verbose says in words what a client did when SwiftNIO reports it as an error: a raw
HTTP/2 client (the h2 library) that cancels a stream, TLS clients (Python's ssl module) that close
without close_notify over HTTP/1.1 and HTTP/2, that do not trust the certificate (TLS 1.2 and 1.3)
or speak plain HTTP to the TLS port, and a raw TCP client that resets its connection; the library
values (StreamClosed(…), uncleanShutdown, sslError, IOError) stay out of the log, and the mock keeps
serving."""
from __future__ import annotations

import json
import socket
import ssl
import time

import h2.config
import h2.connection
import h2.events
import h2.errors

from conftest import start_mock

SLOW_AND_FAST = {"treaty": 1, "consumer": "c", "provider": "slow", "interactions": [
    {"name": "slow", "mock": {"delay": "2s"}, "http": {"request": {"path": "/slow"}, "response": {"body": {"ok": True}}}},
    {"name": "fast", "http": {"request": {"path": "/fast"}, "response": {"body": {"fast": True}}}},
]}


def host_port(url: str) -> tuple[str, int]:
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    return host, int(port)


def read_until(sock: socket.socket, connection: h2.connection.H2Connection, done, deadline: float) -> list:
    events: list = []
    while time.monotonic() < deadline and not done(events):
        data = sock.recv(65536)
        if not data:
            break
        events += connection.receive_data(data)
        sock.sendall(connection.data_to_send())
    return events


def test_a_cancelled_http2_stream_is_logged_in_words(tmp_path):
    contract = tmp_path / "slow.json"
    contract.write_text(json.dumps(SLOW_AND_FAST))
    running = start_mock(str(contract), "--port", "0", "--root", str(tmp_path), "--verbose")
    try:
        with socket.create_connection(host_port(running.urls["slow"]), timeout=5) as sock:
            connection = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
            connection.initiate_connection()
            sock.sendall(connection.data_to_send())
            headers = [(":method", "GET"), (":scheme", "http"), (":authority", "127.0.0.1"), (":path", "/slow")]
            connection.send_headers(1, headers, end_stream=True)
            sock.sendall(connection.data_to_send())
            time.sleep(0.3)  # the mock holds the answer for 2 s; the client gives up first
            connection.reset_stream(1, error_code=h2.errors.ErrorCodes.CANCEL)
            connection.send_headers(3, headers[:3] + [(":path", "/fast")], end_stream=True)
            sock.sendall(connection.data_to_send())
            events = read_until(sock, connection, lambda seen: any(isinstance(e, h2.events.StreamEnded) and e.stream_id == 3 for e in seen),
                                time.monotonic() + 5)
            body = b"".join(e.data for e in events if isinstance(e, h2.events.DataReceived) and e.stream_id == 3)
            assert json.loads(body) == {"fast": True}  # the connection keeps serving after the cancel
            connection.close_connection()
            sock.sendall(connection.data_to_send())
        time.sleep(0.3)
    finally:
        running.stop()
    log = running.process.stderr.read()
    assert "client cancelled stream 1" in log, log
    assert "StreamClosed" not in log and "HTTP2ErrorCode" not in log and "NIOHTTP2" not in log, log


def test_a_tls_client_that_closes_without_close_notify_is_logged_in_words(tmp_path):
    contract = tmp_path / "slow.json"
    contract.write_text(json.dumps(SLOW_AND_FAST))
    running = start_mock(str(contract), "--port", "0", "--root", str(tmp_path), "--tls-self-signed", "--verbose")
    try:
        context = ssl.create_default_context(cafile=running.certificate)
        context.set_alpn_protocols(["http/1.1"])
        for _ in range(2):
            tls = context.wrap_socket(socket.create_connection(host_port(running.urls["slow"]), timeout=5), server_hostname="127.0.0.1")
            tls.sendall(b"GET /fast HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = b""
            while b'{"fast":true}' not in answer.replace(b" ", b""):
                chunk = tls.recv(4096)
                assert chunk, answer
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")
            # SSLSocket.shutdown drops the TLS session and shuts the socket down: no close_notify alert
            # goes out (unwrap() would send one), as many clients close.
            tls.shutdown(socket.SHUT_RDWR)
            tls.close()
        time.sleep(0.3)
    finally:
        running.stop()
    log = running.process.stderr.read()
    assert log.count("client closed the TLS connection without close_notify") == 2, log
    assert "uncleanShutdown" not in log, log


def test_a_raw_tcp_client_that_resets_is_logged_in_words(tmp_path):
    import struct
    contract = tmp_path / "ping.json"
    contract.write_text(json.dumps({"treaty": 1, "consumer": "c", "provider": "pinger", "interactions": [
        {"name": "ping", "tcp": {"conversation": [{"client": "PING"}, {"server": "PONG"}]}}]}))
    running = start_mock(str(contract), "--port", "0", "--root", str(tmp_path), "--verbose")
    try:
        address = host_port(running.urls["pinger"])
        with socket.create_connection(address, timeout=5) as sock:
            sock.sendall(b"PING\n")
            assert sock.makefile("rb").readline() == b"PONG\n"
            sock.sendall(b"PI")  # half a message, then a reset (SO_LINGER 0 sends RST instead of FIN)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with socket.create_connection(address, timeout=5) as sock:  # the port keeps serving
            sock.sendall(b"PING\n")
            assert sock.makefile("rb").readline() == b"PONG\n"
        time.sleep(0.3)
    finally:
        running.stop()
    log = running.process.stderr.read()
    assert ": client reset the connection" in log, log
    assert "Connection reset by peer (errno: 104)" not in log and "IOError" not in log, log


def test_failed_tls_handshakes_and_unclean_http2_closes_are_logged_in_words(tmp_path):
    contract = tmp_path / "slow.json"
    contract.write_text(json.dumps(SLOW_AND_FAST))
    running = start_mock(str(contract), "--port", "0", "--root", str(tmp_path), "--tls-self-signed", "--verbose")
    try:
        address = host_port(running.urls["slow"])
        # Clients that do not trust the self-signed certificate: TLS 1.2 sends an alert the mock
        # reads; an OpenSSL TLS 1.3 client breaks off with one the mock cannot decrypt.
        for maximum in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            untrusting = ssl.create_default_context()
            untrusting.maximum_version = maximum
            with socket.create_connection(address, timeout=5) as raw:
                try:
                    untrusting.wrap_socket(raw, server_hostname="127.0.0.1")
                    raise AssertionError("the handshake should fail")
                except ssl.SSLCertVerificationError:
                    pass
        with socket.create_connection(address, timeout=5) as plain:  # plain HTTP on the TLS port
            plain.sendall(b"GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                plain.recv(4096)
            except ConnectionResetError:
                pass
        # HTTP/2 over TLS, closed without close_notify after an answer.
        context = ssl.create_default_context(cafile=running.certificate)
        context.set_alpn_protocols(["h2"])
        tls = context.wrap_socket(socket.create_connection(address, timeout=5), server_hostname="127.0.0.1")
        assert tls.selected_alpn_protocol() == "h2"
        connection = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
        connection.initiate_connection()
        connection.send_headers(1, [(":method", "GET"), (":scheme", "https"), (":authority", "127.0.0.1"), (":path", "/fast")], end_stream=True)
        tls.sendall(connection.data_to_send())
        events = read_until(tls, connection, lambda seen: any(isinstance(e, h2.events.StreamEnded) for e in seen), time.monotonic() + 5)
        assert b"".join(e.data for e in events if isinstance(e, h2.events.DataReceived)) == b'{"fast":true}'
        tls.shutdown(socket.SHUT_RDWR)
        tls.close()
        time.sleep(0.3)
    finally:
        running.stop()
    log = running.process.stderr.read()
    assert "TLS handshake failed: the client does not trust the mock's certificate (TLSV1_ALERT_UNKNOWN_CA)" in log, log
    assert "TLS handshake failed: the client broke off the handshake, as a TLS 1.3 client that does not trust" in log, log
    assert "TLS handshake failed: the client does not speak TLS (plain HTTP on a TLS port?) (HTTP_REQUEST)" in log, log
    assert "client closed the TLS connection without close_notify" in log, log
    assert "sslError" not in log and "uncleanShutdown" not in log, log
