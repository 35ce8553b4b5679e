"""Shared fixtures: the treaty binary, a running `treaty mock`, and Flask providers on loopback."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))


def treaty_binary() -> str:
    binary = os.environ.get("TREATY_BIN") or str(ROOT / ".build" / "debug" / "treaty")
    if not Path(binary).exists():
        pytest.exit(f"treaty binary not found at {binary}; run `make test` (it builds first)", returncode=2)
    return binary


@pytest.fixture(scope="session")
def treaty() -> str:
    return treaty_binary()


def run_treaty(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Runs treaty to completion (bounded in time) from the repository root."""
    return subprocess.run([treaty_binary(), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "NO_COLOR": "1"})


class RunningMock:
    def __init__(self, process: subprocess.Popen, urls: dict[str, str], admin: str | None = None,
                 certificate: str | None = None):
        self.process = process
        self.urls = urls  # provider name -> base URL
        self.admin = admin  # admin API base URL, when started with --admin-port
        self.certificate = certificate  # the generated certificate's PEM file, with --tls-self-signed

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


def start_mock(*args: str, env: dict[str, str] | None = None) -> RunningMock:
    process = subprocess.Popen([treaty_binary(), "mock", *args], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1", **(env or {})})
    urls: dict[str, str] = {}
    certificate = None
    deadline = time.monotonic() + 30
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                raise RuntimeError(f"treaty mock exited {process.returncode}: {process.stderr.read()}")
            continue
        generated = re.match(r"self-signed certificate: (\S+)", line)
        if generated:
            certificate = generated.group(1)
            continue
        lines.append(line)
        match = re.match(r"((?:https?|tcp|udp)://\S+)\s+\S+ → (\S+)\s", line)
        if match:
            urls[match.group(2)] = match.group(1)
        if lines and len(urls) > 0 and len(lines) >= 2 + len(urls) and expected_rows(lines) == len(urls):
            if "--admin-port" in args:
                admin = re.match(r"admin API: (http://\S+)", process.stdout.readline())
                return RunningMock(process, urls, admin.group(1) if admin else None, certificate)
            return RunningMock(process, urls, certificate=certificate)
    process.kill()
    raise RuntimeError("treaty mock did not print its table in time: " + "".join(lines))


def expected_rows(lines: list[str]) -> int:
    match = re.search(r"serving (\d+) contract", lines[0])
    return int(match.group(1)) if match else -1


@pytest.fixture
def mock():
    running = start_mock("Contracts", "--port", "0")
    yield running
    running.stop()


class Provider:
    """A WSGI app served by werkzeug on an ephemeral loopback port, in a thread."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)
