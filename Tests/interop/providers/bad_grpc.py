"""A misbehaving gRPC server on raw HTTP/2 (the h2 library): each mode breaks the protocol one way,
so tests can check that treaty verify classifies what came instead of crashing or hanging."""
from __future__ import annotations

import socket
import threading

import h2.config
import h2.connection
import h2.events

# A valid inventory.v1.Stock: sku "ABC-1", available 12, warehouses ["berlin"].
STOCK = b"\x0a\x05ABC-1\x10\x0c\x22\x06berlin"


def framed(message: bytes) -> bytes:
    return b"\x00" + len(message).to_bytes(4, "big") + message


class BadGRPCServer:
    """Modes: no-trailers, truncated, html, garbage, status-text, silent."""

    def __init__(self, mode: str):
        self.mode = mode
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.stopped = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.stopped:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(connection,), daemon=True).start()

    def serve(self, sock: socket.socket):
        sock.settimeout(10)
        h2conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
        h2conn.initiate_connection()
        sock.sendall(h2conn.data_to_send())
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    return
                for event in h2conn.receive_data(data):
                    if isinstance(event, h2.events.StreamEnded):
                        self.answer(h2conn, event.stream_id)
                sock.sendall(h2conn.data_to_send())
        except OSError:
            return
        finally:
            sock.close()

    def answer(self, conn: h2.connection.H2Connection, stream: int):
        grpc = [(":status", "200"), ("content-type", "application/grpc")]
        if self.mode == "silent":
            return
        if self.mode == "no-trailers":
            conn.send_headers(stream, grpc)
            conn.send_data(stream, framed(STOCK), end_stream=True)
        elif self.mode == "truncated":
            conn.send_headers(stream, grpc)
            conn.send_data(stream, b"\x00\x00\x00\x00\x64abc")
            conn.send_headers(stream, [("grpc-status", "0")], end_stream=True)
        elif self.mode == "html":
            conn.send_headers(stream, [(":status", "200"), ("content-type", "text/html")])
            conn.send_data(stream, b"<html>oops</html>")
            conn.send_headers(stream, [("grpc-status", "0")], end_stream=True)
        elif self.mode == "garbage":
            conn.send_headers(stream, grpc)
            conn.send_data(stream, framed(b"\xff\xff\xff\xff"))
            conn.send_headers(stream, [("grpc-status", "0")], end_stream=True)
        elif self.mode == "status-text":
            conn.send_headers(stream, grpc + [("grpc-status", "fine"), ("x-served-by", "inventory")], end_stream=True)

    def stop(self):
        self.stopped = True
        self.listener.close()
