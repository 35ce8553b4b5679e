"""Raw TCP and UDP contracts with real peers: redis-server (Debian) verified by treaty verify with
the RESP contract, redis-cli and Python sockets talking to treaty mock, Python UDP servers (DNS-style)
verified, and the broken peers: garbage, half-open connections, oversized messages and datagrams,
silence."""
from __future__ import annotations

import os
import random
import shutil
import socket
import socketserver
import subprocess
import threading
import time
from concurrent import futures

import pytest

from conftest import run_treaty, start_mock
from test_verify import assert_valid_junit

CACHE = "Contracts/web-shop--cache.json"
RESOLVER = "Contracts/web-shop--resolver.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def host_port(url: str) -> tuple[str, int]:
    rest = url.split("://", 1)[1]
    host, port = rest.rsplit(":", 1)
    return host, int(port)


@pytest.fixture
def redis():
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed; make test installs it (Debian: redis-server)")
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield port
    process.terminate()
    process.wait(timeout=10)


def redis_cli(port: int, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True, timeout=10)


# --- TCP ------------------------------------------------------------------------------------------

def test_verify_real_redis(redis, tmp_path):
    result = run_treaty("verify", CACHE, "--base-url", f"tcp://127.0.0.1:{redis}", "--junit", str(tmp_path / "junit.xml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
    report = assert_valid_junit(tmp_path / "junit.xml")
    cases = [case for suite in report for case in suite]
    assert len(cases) == 4 and all(case.is_passed for case in cases)
    assert {case.name for case in cases} == {"ping", "store a session", "read a session", "read a missing session"}
    assert 'name="base-url" value="tcp://127.0.0.1:' in (tmp_path / "junit.xml").read_text()


def test_verify_real_redis_that_drifted(redis, tmp_path):
    # A provider whose data drifted: the key the contract says is missing exists.
    assert redis_cli(redis, "SET", "session:404", "stale").stdout.strip() == "OK"
    result = run_treaty("verify", CACHE, "--base-url", f"tcp://127.0.0.1:{redis}", "--junit", str(tmp_path / "junit.xml"))
    assert result.returncode == 1
    assert 'expected "$-1", got "$5"' in result.stdout, result.stdout
    assert "<failure" in (tmp_path / "junit.xml").read_text()


def test_redis_cli_against_the_mock():
    running = start_mock(CACHE, "--port", "0")
    try:
        _, port = host_port(running.urls["cache"])
        assert redis_cli(port, "PING").stdout.strip() == "PONG"
        assert redis_cli(port, "SET", "session:42", "ada").stdout.strip() == "OK"
        assert redis_cli(port, "GET", "session:42").stdout.strip() == "ada"
        assert redis_cli(port, "GET", "session:404").stdout.strip() == ""
        # A command the contract does not know: the mock closes the connection at once, and says why.
        started = time.monotonic()
        unknown = redis_cli(port, "FLUSHALL")
        assert time.monotonic() - started < 5 and "closed" in (unknown.stdout + unknown.stderr).lower()
        # One connection, several conversations in a row (what a Redis client does).
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$10\r\nsession:42\r\n")
            data = b""
            while data.count(b"\r\n") < 3:
                data += s.recv(100)
            assert data == b"+PONG\r\n$3\r\nada\r\n"
    finally:
        running.stop()
    assert 'unmatched tcp message' in running.process.stderr.read()


def test_many_connections_run_the_script_at_once():
    running = start_mock(CACHE, "--port", "0")
    try:
        _, port = host_port(running.urls["cache"])

        def ping(_):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                for _ in range(20):
                    s.sendall(b"*1\r\n$4\r\nPING\r\n")
                    assert s.recv(100) == b"+PONG\r\n"
            return True

        with futures.ThreadPoolExecutor(max_workers=20) as pool:
            assert all(pool.map(ping, range(40)))
    finally:
        running.stop()


def test_the_mock_survives_garbage_half_open_and_oversized_input():
    running = start_mock(CACHE, "--port", "0", "--idle-timeout", "1")
    try:
        _, port = host_port(running.urls["cache"])
        # Garbage: closed at once.
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(bytes(random.Random(7).randrange(256) for _ in range(200)) + b"\r\n")
            assert s.recv(100) == b""
        # Half-open: part of a command, then nothing: closed by the idle timeout.
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"*1\r\n$4\r\nPI")
            started = time.monotonic()
            assert s.recv(100) == b""
            assert 0.5 < time.monotonic() - started < 4
        # A line that never ends: refused past the message limit (1 MiB), not buffered forever.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            try:
                s.sendall(b"A" * (2 << 20))
                assert s.recv(100) == b""
            except ConnectionResetError:
                pass  # closed while the rest was still coming: a reset, as it should be
        # Still serving.
        assert redis_cli(port, "PING").stdout.strip() == "PONG"
    finally:
        running.stop()
    log = running.process.stderr.read()
    assert "unmatched tcp message" in log and "over the limit of 1048576" in log


class SilentOrRude(socketserver.BaseRequestHandler):
    mode = "silent"

    def handle(self):
        if self.mode == "silent":
            time.sleep(3)
        elif self.mode == "close":
            return
        elif self.mode == "garbage":
            self.request.recv(100)
            self.request.sendall(b"\x00\xff\xfe\x01 binary\r\n")
            time.sleep(1)


@pytest.mark.parametrize("mode, fragment", [
    ("silent", "nothing came"),
    ("close", "the server closed the connection"),
    ("garbage", "expected text, got bytes that are not UTF-8"),
])
def test_verify_a_broken_tcp_server(tmp_path, mode, fragment):
    handler = type("Handler", (SilentOrRude,), {"mode": mode})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        result = run_treaty("verify", CACHE, "--base-url", f"tcp://127.0.0.1:{server.server_address[1]}", "--interaction", "ping",
                            "--timeout", "1", "--junit", str(tmp_path / "junit.xml"), timeout=30)
        assert time.monotonic() - started < 10
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 1, result.stdout
    assert fragment in result.stdout, result.stdout
    assert_valid_junit(tmp_path / "junit.xml")


def test_verify_nothing_listening():
    port = free_port()
    result = run_treaty("verify", CACHE, "--base-url", f"tcp://127.0.0.1:{port}", "--interaction", "ping")
    assert result.returncode == 1 and "connection-refused" in result.stdout and f"tcp://127.0.0.1:{port}" in result.stdout
    started = time.monotonic()
    udp = run_treaty("verify", RESOLVER, "--base-url", f"udp://127.0.0.1:{port}", "--interaction", "resolve shop.example")
    assert udp.returncode == 1 and "connection-refused" in udp.stdout and "nothing listens there" in udp.stdout, udp.stdout
    assert time.monotonic() - started < 1.4  # refused at once, not after the retries


# --- UDP ------------------------------------------------------------------------------------------

def dns_query(name: str, ident: int) -> bytes:
    labels = b"".join(bytes([len(part)]) + part.encode() for part in name.split(".")) + b"\x00"
    return ident.to_bytes(2, "big") + b"\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + labels + b"\x00\x01\x00\x01"


def test_a_python_udp_client_against_the_mock():
    running = start_mock(RESOLVER, "--port", "0")
    try:
        address = host_port(running.urls["resolver"])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(2)
            for ident in (0xBEEF, 0x0001):
                s.sendto(dns_query("shop.example", ident), address)
                answer, _ = s.recvfrom(512)
                assert answer[:2] == ident.to_bytes(2, "big")   # the id is echoed
                assert answer[2:4] == b"\x81\x80" and answer[-4:] == bytes([10, 0, 0, 42])
            s.sendto(dns_query("nope.example", 7), address)
            assert s.recvfrom(512)[0][2:4] == b"\x81\x83"        # NXDOMAIN
            # Unknown, garbage and oversized datagrams are not answered; the mock keeps serving.
            for junk in (dns_query("other.example", 9), b"\xff" * 3, os.urandom(60_000)):
                s.sendto(junk, address)
            with pytest.raises(socket.timeout):
                s.recvfrom(512)
            s.sendto(dns_query("shop.example", 5), address)
            assert s.recvfrom(512)[0][:2] == b"\x00\x05"
    finally:
        running.stop()
    assert running.process.stderr.read().count("unmatched udp datagram") == 3


class DNS(socketserver.BaseRequestHandler):
    mode = "ok"

    def handle(self):
        data, sock = self.request
        if self.mode == "silent":
            return
        ident = data[:2] if self.mode != "no-echo" else b"\x00\x00"
        question = data[12:]
        name = question[:-4]
        if name == b"\x04shop\x07example\x00":
            ip = bytes([10, 0, 0, 43]) if self.mode == "drift" else bytes([10, 0, 0, 42])
            answer = ident + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + question + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x01\x2c\x00\x04" + ip
        else:
            answer = ident + b"\x81\x83\x00\x01\x00\x00\x00\x00\x00\x00" + question
        sock.sendto(answer, self.client_address)


@pytest.mark.parametrize("mode, code, fragments", [
    ("ok", 0, ["2 passed"]),
    ("drift", 1, ["bytes differ at offset 45: expected 2a, got 2b"]),
    ("no-echo", 1, ["the first 2 bytes must repeat the request's (hex 1234), got hex 0000"]),
    ("silent", 1, ["sent the request 3 time(s), 500 ms apart: nothing came"]),
])
def test_verify_a_udp_server(tmp_path, mode, code, fragments):
    handler = type("Handler", (DNS,), {"mode": mode})
    server = socketserver.ThreadingUDPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = run_treaty("verify", RESOLVER, "--base-url", f"udp://127.0.0.1:{server.server_address[1]}",
                            "--junit", str(tmp_path / "junit.xml"), timeout=30)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == code, result.stdout + result.stderr
    for fragment in fragments:
        assert fragment in result.stdout, result.stdout
    report = assert_valid_junit(tmp_path / "junit.xml")
    assert {case.name for suite in report for case in suite} == {"resolve shop.example", "resolve an unknown name"}


def test_mock_and_verify_round_trip(tmp_path):
    running = start_mock(CACHE, RESOLVER, "--port", "0")
    try:
        cache = run_treaty("verify", CACHE, "--base-url", running.urls["cache"])
        resolver = run_treaty("verify", RESOLVER, "--base-url", running.urls["resolver"])
    finally:
        running.stop()
    assert cache.returncode == 0 and "4 passed" in cache.stdout, cache.stdout
    assert resolver.returncode == 0 and "2 passed" in resolver.stdout, resolver.stdout


SMTP_LIKE = {
    "treaty": 1, "consumer": "web-shop", "provider": "mailer",
    "interactions": [
        {"name": "greeting and quit", "tcp": {"framing": {"line": "\r\n"}, "conversation": [
            {"server": {"text": {"$regex": "^220 .+$", "example": "220 mail.example ESMTP"}}},
            {"client": "QUIT"}, {"server": "221 bye"}]}},
        {"name": "hello", "tcp": {"framing": {"line": "\r\n"}, "conversation": [
            {"client": "EHLO shop.example"}, {"server": "250 mail.example"}]}},
    ],
}


class Mailer(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 smtp.test ESMTP ready\r\n")
        for line in self.rfile:
            command = line.strip()
            if command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            self.wfile.write(b"250 mail.example\r\n" if command.startswith(b"EHLO") else b"500 what?\r\n")


def test_a_greeting_opens_every_connection(tmp_path):
    import json
    contract = tmp_path / "mailer.json"
    contract.write_text(json.dumps(SMTP_LIKE))
    running = start_mock(str(contract), "--port", "0", "--root", str(tmp_path))
    try:
        address = host_port(running.urls["mailer"])
        for command, answer in [(b"EHLO shop.example\r\n", b"250 mail.example\r\n"), (b"QUIT\r\n", b"221 bye\r\n")]:
            with socket.create_connection(address, timeout=5) as s:
                reader = s.makefile("rb")
                assert reader.readline() == b"220 mail.example ESMTP\r\n"   # every connection is greeted
                s.sendall(command)
                assert reader.readline() == answer
        mock_run = run_treaty("verify", str(contract), "--base-url", running.urls["mailer"])
    finally:
        running.stop()
    assert mock_run.returncode == 0 and "2 passed" in mock_run.stdout, mock_run.stdout
    # A real line server that greets first: the verifier reads its greeting before "hello".
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Mailer)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        real = run_treaty("verify", str(contract), "--base-url", f"tcp://127.0.0.1:{server.server_address[1]}", "--verbose")
    finally:
        server.shutdown()
        server.server_close()
    assert real.returncode == 0 and "2 passed" in real.stdout, real.stdout
    assert "the greeting came" in real.stdout


# --- Echoed ranges: a DNS question repeated byte for byte (DNS 0x20) --------------------------------

def mixed_case(name: str, rng: random.Random) -> str:
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in name)


def question(name: str) -> bytes:
    return b"".join(bytes([len(part)]) + part.encode() for part in name.split(".")) + b"\x00\x00\x01\x00\x01"


def letters_mask(name: str) -> bytes:
    """ff for every byte of the question but df on letters: the 0x20 bit (ASCII case) may differ."""
    mask = bytearray(b"\xff")
    for part in name.split("."):
        mask += b"".join(b"\xdf" if c.isalpha() else b"\xff" for c in part) + b"\xff"
    return bytes(mask[:-1]) + b"\xff" * 5


def dns_0x20_contract(name: str) -> dict:
    header = bytes.fromhex("1234 0100 0001 0000 0000 0000")
    request = header + question(name)
    mask = bytes.fromhex("0000 ffff ffff ffff ffff ffff") + letters_mask(name)
    assert len(mask) == len(request)
    response = bytes.fromhex("1234 8180 0001 0001 0000 0000") + question(name) + bytes.fromhex("c00c 0001 0001 0000 012c 0004 0a00 002a")
    return {"treaty": 1, "consumer": "web-shop", "provider": "resolver", "interactions": [
        {"name": "resolve shop.example, any letter case", "udp": {
            "request": {"hex": request.hex(), "mask": mask.hex()}, "response": {"hex": response.hex()},
            "echo": [{"from": 0, "length": 2}, {"from": 12, "to": "end"}], "timeout": "300ms", "retries": 1}}]}


def test_the_mock_repeats_a_randomised_question_but_not_the_flags(tmp_path):
    import json
    contract = tmp_path / "resolver.json"
    contract.write_text(json.dumps(dns_0x20_contract("shop.example")))
    running = start_mock(str(contract), "--port", "0", "--root", str(tmp_path))
    rng = random.Random(20)
    try:
        address = host_port(running.urls["resolver"])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(2)
            spellings = set()
            for ident in (0xBEEF, 0x0102, 0x7F00, 0x0001, 0xFFFF):
                name = mixed_case("shop.example", rng)
                spellings.add(name)
                query = dns_query(name, ident)
                s.sendto(query, address)
                answer, _ = s.recvfrom(512)
                assert answer[:2] == query[:2]                       # the id
                assert answer[2:4] == b"\x81\x80"                    # the contract's flags, not the query's 0100
                assert answer[12:12 + len(question(name))] == query[12:]  # the question as the resolver spelled it
                assert answer[-4:] == bytes([10, 0, 0, 42]) and len(answer) == len(query) + 16
            assert len(spellings) > 1
            # Another name (letters differ beyond case) matches nothing and is not answered.
            s.sendto(dns_query("shoq.example", 9), address)
            with pytest.raises(socket.timeout):
                s.recvfrom(512)
    finally:
        running.stop()


class CaseDNS(socketserver.BaseRequestHandler):
    """A resolver's server side: "ok" copies the question as asked; "lowercase" writes the name in
    lower case (breaks DNS 0x20); "copy-flags" repeats the query's flags instead of setting its own."""
    mode = "ok"

    def handle(self):
        data, sock = self.request
        asked = data[12:]
        flags = data[2:4] if self.mode == "copy-flags" else b"\x81\x80"
        repeated = asked.lower() if self.mode == "lowercase" else asked
        answer = data[:2] + flags + b"\x00\x01\x00\x01\x00\x00\x00\x00" + repeated + bytes.fromhex("c00c 0001 0001 0000 012c 0004 0a00 002a")
        sock.sendto(answer, self.client_address)


@pytest.mark.parametrize("mode, code, fragment", [
    ("ok", 0, "1 passed"),
    ("lowercase", 1, "the 18 bytes from offset 12 must repeat the request's (hex 0453684f50074578416d506c450000010001), "
                     "got hex 0473686f70076578616d706c650000010001, first at offset 13"),
    ("copy-flags", 1, "bytes differ at offset 2: expected 81, got 01"),
])
def test_verify_judges_the_echoed_question(tmp_path, mode, code, fragment):
    import json
    contract = tmp_path / "resolver.json"
    contract.write_text(json.dumps(dns_0x20_contract("ShOP.ExAmPlE")))
    server = socketserver.ThreadingUDPServer(("127.0.0.1", 0), type("Handler", (CaseDNS,), {"mode": mode}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = run_treaty("verify", str(contract), "--base-url", f"udp://127.0.0.1:{server.server_address[1]}", timeout=30)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == code, result.stdout + result.stderr
    assert fragment in result.stdout, result.stdout
    # And the mock, verified with the same contract, repeats it right.
    running = start_mock(str(contract), "--port", "0", "--root", str(tmp_path))
    try:
        against_mock = run_treaty("verify", str(contract), "--base-url", running.urls["resolver"])
    finally:
        running.stop()
    assert against_mock.returncode == 0, against_mock.stdout


# --- Replies of any number of lines: SMTP's EHLO, read until a line starts "NNN " -------------------

REPLY_END = {"$regex": "\\d{3}( .*)?", "example": "250 HELP"}
EHLO_REPLY = {"text": {"$regex": "(250-[^\\r\\n]*\\r\\n)*250 [^\\r\\n]*", "example": "250-mail.example\r\n250-8BITMIME\r\n250 HELP"}}


def code(digits: str, example: str) -> dict:
    return {"text": {"$regex": digits + " .*", "example": example}}


SMTP = {
    "treaty": 1, "consumer": "web-shop", "provider": "mailer",
    "interactions": [
        {"name": "send an order confirmation", "tcp": {"framing": {"line": "\r\n"}, "conversation": [
            {"server": code("220", "220 mail.example ESMTP")},
            {"client": {"text": {"$regex": "(?i)ehlo shop\\.example", "example": "EHLO shop.example"}}},
            {"server": EHLO_REPLY, "until": REPLY_END},
            {"client": {"text": {"$regex": "(?i)mail FROM:<[^>]+>.*", "example": "MAIL FROM:<orders@shop.example>"}}},
            {"server": code("250", "250 OK")},
            {"client": {"text": {"$regex": "(?i)rcpt TO:<[^>]+>.*", "example": "RCPT TO:<ada@example.org>"}}},
            {"server": code("250", "250 OK")},
            {"client": {"text": {"$regex": "(?i)data", "example": "DATA"}}},
            {"server": code("354", "354 End data with <CR><LF>.<CR><LF>")},
            {"client": {"text": {"$regex": "[\\s\\S]*\\r\\nSubject: Order 42\\r\\n[\\s\\S]*",
                                 "example": "From: orders@shop.example\r\nTo: ada@example.org\r\nSubject: Order 42\r\n\r\nYour order has shipped.\r\n."}},
             "until": "."},
            {"server": code("250", "250 Message accepted for delivery")},
            {"client": {"text": {"$regex": "(?i)quit", "example": "QUIT"}}},
            {"server": code("221", "221 Bye")}]}},
        {"name": "hello", "tcp": {"framing": {"line": "\r\n"}, "conversation": [
            {"client": "EHLO probe.example"},
            {"server": EHLO_REPLY, "until": REPLY_END},
            {"client": "QUIT"},
            {"server": code("221", "221 Bye")}]}},
    ],
}


class TinySMTP(socketserver.StreamRequestHandler):
    """A line server that answers EHLO with one line (no extensions)."""

    def handle(self):
        self.wfile.write(b"220 tiny.test ready\r\n")
        for line in self.rfile:
            verb = line.strip().split(b" ")[0].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                for body in self.rfile:
                    if body == b".\r\n":
                        break
                self.wfile.write(b"250 queued\r\n")
                continue
            answers = {b"EHLO": b"250 tiny.test", b"MAIL": b"250 sender ok", b"RCPT": b"250 recipient ok", b"QUIT": b"221 bye"}
            self.wfile.write(answers.get(verb, b"500 what?") + b"\r\n")
            if verb == b"QUIT":
                return


def smtp_servers():
    """Three SMTP servers whose EHLO replies have 5, 3 and 1 lines: aiosmtpd as it comes, aiosmtpd
    without SIZE and SMTPUTF8, and the one-line TinySMTP."""
    from aiosmtpd.controller import Controller

    class Accept:
        async def handle_DATA(self, server, session, envelope):
            return "250 Message accepted for delivery"

    controllers = []
    for options in ({}, {"data_size_limit": None, "enable_SMTPUTF8": False}):
        controller = Controller(Accept(), hostname="127.0.0.1", port=free_port(), server_hostname="mail.test", **options)
        controller.start()
        controllers.append(controller)
    tiny = socketserver.ThreadingTCPServer(("127.0.0.1", 0), TinySMTP)
    tiny.daemon_threads = True
    threading.Thread(target=tiny.serve_forever, daemon=True).start()
    ports = [c.port for c in controllers] + [tiny.server_address[1]]

    def stop():
        for controller in controllers:
            controller.stop()
        tiny.shutdown()
        tiny.server_close()
    return ports, stop


def ehlo_lines(port: int) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        reader = s.makefile("rb")
        reader.readline()
        s.sendall(b"EHLO probe\r\n")
        count = 0
        while True:
            count += 1
            if reader.readline()[3:4] == b" ":
                return count


def test_one_contract_verifies_smtp_servers_with_different_ehlo_replies(tmp_path):
    import json
    contract = tmp_path / "mailer.json"
    contract.write_text(json.dumps(SMTP))
    ports, stop = smtp_servers()
    try:
        assert [ehlo_lines(port) for port in ports] == [5, 3, 1]
        for port in ports:
            started = time.monotonic()
            result = run_treaty("verify", str(contract), "--base-url", f"tcp://127.0.0.1:{port}", "--timeout", "10", "--verbose")
            elapsed = time.monotonic() - started
            assert result.returncode == 0 and "2 passed" in result.stdout, result.stdout + result.stderr
            # Each reply is judged when its last line comes, not after --timeout.
            assert elapsed < 5, (port, elapsed)
        # Without "until" a step is as many lines as its example (3): the one-line server leaves the
        # verifier waiting for --timeout, which is what "until" fixes.
        counted = json.loads(json.dumps(SMTP))
        for interaction in counted["interactions"]:
            for step in interaction["tcp"]["conversation"]:
                step.pop("until", None) if "server" in step else None
        contract.write_text(json.dumps(counted))
        started = time.monotonic()
        old = run_treaty("verify", str(contract), "--base-url", f"tcp://127.0.0.1:{ports[2]}", "--timeout", "1", "--interaction", "hello")
        assert old.returncode == 1 and "within 1000 ms" in old.stdout and time.monotonic() - started >= 1, old.stdout
        # A literal reply of three lines is judged on the first line that differs, not after --timeout.
        for interaction in counted["interactions"]:
            for step in interaction["tcp"]["conversation"]:
                if step.get("server") == EHLO_REPLY:
                    step["server"] = EHLO_REPLY["text"]["example"]
        contract.write_text(json.dumps(counted))
        started = time.monotonic()
        literal = run_treaty("verify", str(contract), "--base-url", f"tcp://127.0.0.1:{ports[2]}", "--timeout", "10", "--interaction", "hello")
        assert literal.returncode == 1 and time.monotonic() - started < 5, literal.stdout
        assert 'expected "250-mail.example\\r\\n250-8BITMIME\\r\\n250 HELP", got "250 tiny.test"' in literal.stdout, literal.stdout
    finally:
        stop()


def test_smtplib_sends_mail_of_any_length_through_the_mock(tmp_path):
    import json
    import smtplib
    contract = tmp_path / "mailer.json"
    contract.write_text(json.dumps(SMTP))
    running = start_mock(str(contract), "--port", "0", "--root", str(tmp_path), "--verbose")
    try:
        host, port = host_port(running.urls["mailer"])
        for lines in (1, 40):
            body = "".join(f"line {i} of the order\r\n" for i in range(lines))
            message = f"From: orders@shop.example\r\nTo: ada@example.org\r\nSubject: Order 42\r\n\r\n{body}"
            with smtplib.SMTP(host, port, local_hostname="shop.example", timeout=5) as client:
                code, features = client.ehlo()
                assert code == 250 and client.has_extn("8bitmime")  # the three-line reply came whole
                assert client.sendmail("orders@shop.example", ["ada@example.org"], message) == {}
        # A body without the subject does not match: the mock says so and closes.
        with smtplib.SMTP(host, port, local_hostname="shop.example", timeout=5) as client:
            client.ehlo()
            with pytest.raises(smtplib.SMTPServerDisconnected):
                client.sendmail("orders@shop.example", ["ada@example.org"], "From: x\r\n\r\nno subject\r\n")
        verified = run_treaty("verify", str(contract), "--base-url", running.urls["mailer"])
    finally:
        running.stop()
    assert verified.returncode == 0 and "2 passed" in verified.stdout, verified.stdout
    log = running.process.stderr.read()
    assert log.count('conversation with') >= 2 and "step 10 does not match" in log, log
