"""Idle streaming connections held by one treaty mock: N SSE subscribers, N WebSocket conversations
waiting for the client, N long polls waiting for a trigger, one kind at a time; RSS per connection;
then one message fanned out to all N SSE subscribers. Loopback only, bounded in time.

Usage: connections.py TREATY_BINARY OUT_DIR N   (prints a markdown section)
"""
from __future__ import annotations

import asyncio
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

TREATY, OUT, N = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
HOST = "127.0.0.1"


def free_port() -> int:
    s = socket.socket()
    s.bind((HOST, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def admin(base: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    # urllib would label the body a form; the admin API takes JSON only.
    request = urllib.request.Request(base + path, data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


async def open_all(port: int, request: bytes, wait_head: bool) -> list:
    async def one():
        reader, writer = await asyncio.open_connection(HOST, port)
        # RST on close: 3 x N connections in TIME_WAIT would exhaust the ephemeral ports.
        writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.write(request)
        if wait_head:
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        return reader, writer

    connections = []
    for start in range(0, N, 500):  # in batches: the accept backlog is finite
        connections += await asyncio.gather(*(one() for _ in range(min(500, N - start))))
    return connections


def close_all(connections) -> None:
    for _, writer in connections:
        writer.close()


async def main() -> None:
    contract = OUT / "contracts" / "streams.json"
    contract.write_text(json.dumps({"treaty": 1, "consumer": "bench", "provider": "streams", "interactions": [
        {"name": "idle conversation", "websocket": {"request": {"path": "/ws"}, "conversation": [{"client": {"text": "bye"}}]}},
        {"name": "held", "longPoll": {"request": {"path": "/poll"}, "hold": {"until": "never"}, "timeout": "10m",
                                      "response": {"status": 200}}},
        {"name": "news", "message": {"body": {"headline": "fan-out", "n": 1}}},
    ]}))
    def start():
        port, admin_port = free_port(), free_port()
        mock = subprocess.Popen([TREATY, "mock", str(contract), "--root", str(OUT), "--port", str(port), "--admin-port", str(admin_port),
                                 "--max-connections", str(2 * N), "--idle-timeout", "600", "--journal-size", "1000"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://{HOST}:{admin_port}"
        for _ in range(200):
            try:
                admin(base, "/health")
                break
            except OSError:
                time.sleep(0.05)
        time.sleep(0.3)
        return mock, port, base

    kinds = [
        ("SSE subscribers (GET /_treaty/messages)", b"GET /_treaty/messages HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n", True),
        ("WebSocket conversations waiting for the client", b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", True),
        ("long polls waiting for a trigger", b"GET /poll HTTP/1.1\r\nHost: x\r\n\r\n", False),
    ]
    rows, fanout, baseline = [], "", 0
    for name, request, wait_head in kinds:
        # A fresh mock per kind: memory freed by one kind would otherwise be reused by the next.
        mock, port, base = start()
        try:
            before = baseline = rss_kb(mock.pid)
            started = time.monotonic()
            connections = await open_all(port, request, wait_head)
            opened = time.monotonic() - started
            await asyncio.sleep(1)
            if not wait_head:
                held = admin(base, "/triggers")["held"].get("trigger:never", 0)
                assert held == N, f"only {held} of {N} long polls held"
            after = rss_kb(mock.pid)
            per = (after - before) * 1024 / N
            rows.append(f"| {name} | {N:,} | {opened:.1f} | {before // 1024} → {after // 1024} | {per / 1024:.1f} KiB |")
            print(f"{name}: {N} open in {opened:.1f} s, RSS {before // 1024} → {after // 1024} MB, {per / 1024:.1f} KiB each", file=sys.stderr)
            if name.startswith("SSE"):
                # The stream's opening comment first, then one message to everyone.
                await asyncio.gather(*(asyncio.wait_for(r.readuntil(b"\n\n"), 30) for r, _ in connections))
                published = time.monotonic()
                answer = admin(base, "/messages/publish", {"interaction": "news"})
                await asyncio.gather(*(asyncio.wait_for(r.readuntil(b"\n\n"), 60) for r, _ in connections))
                spread = time.monotonic() - published
                fanout = (f"One message published through the admin API reached all {answer['subscribers']:,} SSE subscribers "
                          f"in {spread * 1000:.0f} ms (from the publish call to the last subscriber's read).")
                print(fanout, file=sys.stderr)
            close_all(connections)
        finally:
            mock.terminate()
            try:
                mock.wait(timeout=15)
            except subprocess.TimeoutExpired:
                mock.kill()
        await asyncio.sleep(1)
    print(f"### Idle streaming connections ({time.strftime('%Y-%m-%d', time.gmtime())}, {N:,} of each kind)")
    print()
    print(f"A fresh `treaty mock` (release build, about {baseline // 1024} MB RSS idle) per kind; the connections opened by one asyncio "
          "client on loopback in batches of 500; RSS measured 1 s after the last one opened.")
    print()
    print("| connections | count | opened in (s) | RSS (MB) | per connection |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    print()
    print(fanout)


asyncio.run(main())
