"""Writes the seed corpora of the fuzz targets (Fixtures/fuzz/<target>/): small, realistic inputs in
each target's input format (see Sources/TreatyFuzzTargets). Run from the package root:

    python3 Fixtures/fuzz/make-seeds.py [PACT_DIR...]

PACT_DIR: folders of Pact files written by real tools (Tests/interop/pacts/generate.py for V3 and V4);
their files are copied into pact/. protoc (Debian's protobuf-compiler) encodes the protobuf seeds.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUZZ = ROOT / "Fixtures" / "fuzz"


def write(target: str, name: str, data: bytes) -> None:
    folder = FUZZ / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def tree(text: str, type_name: str = "fuzz.v1.Tree") -> bytes:
    """A message of tree.proto from protobuf text format, encoded by protoc (the reference)."""
    return subprocess.run(
        ["protoc", f"--encode={type_name}", "-I", str(FUZZ), "-I", "/usr/include", "tree.proto"],
        input=text.encode(), capture_output=True, check=True, cwd=FUZZ,
    ).stdout


def grpc_frame(message: bytes, compressed: bool = False) -> bytes:
    return bytes([1 if compressed else 0]) + len(message).to_bytes(4, "big") + message


# HTTP/2: frames and HPACK literal header fields without indexing (no Huffman), enough for seeds.
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def h2_frame(kind: int, flags: int, stream: int, payload: bytes) -> bytes:
    return len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") + payload


def hpack(headers: list[tuple[str, str]]) -> bytes:
    out = b""
    for name, value in headers:
        n, v = name.encode(), value.encode()
        assert len(n) < 127 and len(v) < 127
        out += b"\x00" + bytes([len(n)]) + n + bytes([len(v)]) + v
    return out


def h2_request(headers: list[tuple[str, str]], body: bytes | None = None) -> bytes:
    frames = PREFACE + h2_frame(4, 0, 0, b"")  # SETTINGS
    frames += h2_frame(1, 0x4 | (0 if body is not None else 0x1), 1, hpack(headers))
    if body is not None:
        frames += h2_frame(0, 0x1, 1, body)
    return frames


def ws_frame(opcode: int, payload: bytes, fin: bool = True) -> bytes:
    head = bytes([(0x80 if fin else 0) | opcode])
    if len(payload) < 126:
        head += bytes([len(payload)])
    elif len(payload) < 65536:
        head += bytes([126]) + len(payload).to_bytes(2, "big")
    else:
        head += bytes([127]) + len(payload).to_bytes(8, "big")
    return head + payload


def main(pact_dirs: list[str]) -> None:
    # json: the example contracts, a few broken ones, plain JSON.
    for contract in sorted((ROOT / "Contracts").glob("*.json")):
        write("json", contract.name, contract.read_bytes())
    for name in ["deep-nesting.json", "duplicate-keys.json", "unknown-matcher.json", "wrong-types.json", "with-bom.json",
                 "invalid-regex.json", "bad-date-examples.json"]:
        write("json", "broken-" + name, (ROOT / "Fixtures" / "broken-contracts" / name).read_bytes())
    write("json", "numbers.json", b'[0, -0, 1e400, -1.5E-7, 123456789012345678901234567890, 0.1, "\\u00e9\\ud83d\\ude00"]')
    write("json", "fuzz-contract.json", (FUZZ / "contract.json").read_bytes())

    # pact: Pact files from real tools, and a V2 one written by hand with V2 matching rule paths.
    for folder in pact_dirs:
        for i, pact in enumerate(sorted(Path(folder).glob("*.json"))):
            write("pact", f"{Path(folder).name}-{i}-{pact.name}", pact.read_bytes())
    v2 = {
        "consumer": {"name": "web-shop"}, "provider": {"name": "orders"},
        "interactions": [{
            "description": "get an order", "providerState": "order exists",
            "request": {"method": "GET", "path": "/orders/42", "query": "expand=items&page=1", "headers": {"Accept": "application/json"}},
            "response": {
                "status": 200, "headers": {"Content-Type": "application/json"},
                "body": {"id": 42, "items": [{"sku": "ABC-1", "quantity": 2}], "placedAt": "2026-11-20T10:15:00Z"},
                "matchingRules": {"$.body.id": {"match": "type"}, "$.body.items": {"min": 1, "match": "type"},
                                  "$.body.items[*].sku": {"regex": "^[A-Z]{3}-\\d+$"}, "$.headers.Content-Type": {"regex": "application/json.*"}},
            },
        }],
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }
    write("pact", "v2-orders.json", json.dumps(v2, indent=2).encode())
    v3_messages = {
        "consumer": {"name": "web-shop"}, "provider": {"name": "orders"},
        "messages": [{
            "description": "order shipped", "providerStates": [{"name": "order exists", "params": {"id": 42}}],
            "contents": {"event": "order.shipped", "order": 42, "at": "2026-11-26T10:00:00Z"},
            "metaData": {"topic": "orders.shipped", "contentType": "application/json"},
            "matchingRules": {"body": {"$.order": {"matchers": [{"match": "integer"}]},
                                       "$.at": {"matchers": [{"match": "timestamp", "timestamp": "yyyy-MM-dd'T'HH:mm:ssX"}]}}},
            "generators": {"body": {"$.at": {"type": "DateTime", "format": "yyyy-MM-dd'T'HH:mm:ssX"}}},
        }],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }
    write("pact", "v3-messages.json", json.dumps(v3_messages, indent=2).encode())

    # protobuf: byte 0 = type index << 2 | keep-unknown << 1 | json; then the message.
    types = ["fuzz.v1.Tree", "google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue",
             "google.protobuf.Any", "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.UInt64Value"]
    nested = ('name: "oak" children { name: "branch" children { name: "twig" count: 3 } only { name: "deep" only { name: "deeper" } } } '
              'named { key: "leaf" value { name: "leaf" blob: "\\001\\002" } } '
              'value { list_value { values { number_value: 1.5 } values { string_value: "two" } values { struct_value { fields { key: "k" value { null_value: NULL_VALUE } } } } } } '
              'attributes { fields { key: "height" value { number_value: 12.5 } } } at { seconds: 1795687220 nanos: 500000000 } '
              'took { seconds: 3 nanos: 1 } big { value: 18446744073709551615 } colour: GREEN small: [-1, 2, -3] wide: 7 score: 0.25 '
              'labels { key: 1 value: "one" } '
              'detail { type_url: "type.googleapis.com/google.protobuf.Duration" value: "\\010\\005" }')
    write("protobuf", "tree.bin", bytes([0 << 2]) + tree(nested))
    write("protobuf", "tree-keep-unknown.bin", bytes([0 << 2 | 2]) + tree(nested) + b"\xa8\x1f\x01")
    write("protobuf", "struct.bin", bytes([1 << 2]) + tree('fields { key: "a" value { list_value { values { bool_value: true } } } }', "google.protobuf.Struct"))
    write("protobuf", "value.bin", bytes([2 << 2]) + tree('struct_value { fields { key: "x" value { struct_value { fields { key: "y" value { string_value: "z" } } } } } }', "google.protobuf.Value"))
    write("protobuf", "timestamp.bin", bytes([5 << 2]) + tree("seconds: 253402300799 nanos: 999999999", "google.protobuf.Timestamp"))
    tree_json = {"name": "oak", "children": [{"name": "branch", "named": {"leaf": {"name": "leaf", "count": "3"}}}],
                 "value": {"list": [1, "two", {"three": None}]}, "attributes": {"height": 12.5}, "at": "2026-11-20T09:30:00.5Z",
                 "took": "1.5s", "big": "18446744073709551615", "colour": "GREEN", "small": [-1, 2], "wide": "7", "score": "NaN",
                 "labels": {"1": "one"}, "detail": {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "2s"}}
    write("protobuf", "tree.json", bytes([0 << 2 | 1]) + json.dumps(tree_json).encode())
    write("protobuf", "struct.json", bytes([1 << 2 | 1]) + b'{"a": {"b": [1, {"c": null}, [true]]}}')
    write("protobuf", "value.json", bytes([2 << 2 | 1]) + b'[[[[{"deep": [[1]]}]]]]')
    write("protobuf", "duration.json", bytes([6 << 2 | 1]) + b'"-315576000000.999999999s"')

    # sse: byte 0 = piece size - 1; then the stream.
    write("sse", "orders.txt", bytes([7]) + b'event: status\nid: 1\ndata: {"order": 42, "status": "paid"}\n\n'
          b'event: status\nid: 2\ndata: {"order": 42, "status": "shipped"}\n\n'
          b"id: 3\nretry: 5000\ndata: Your order is on its way.\ndata: Track it in your account.\n\n")
    write("sse", "crlf-comments.txt", bytes([0]) + b"\xef\xbb\xbf: comment\r\nevent:status\r\ndata\r\ndata: x\r\r\nid\r\nretry: 99999999999999999999\r\n\r\n")

    # socket-frames: byte 0 = framing index, byte 1 = limit | (piece size - 1) << 2 | (lines - 1) << 6; then the stream.
    resp = b"*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$10\r\nsession:42\r\n$3\r\nada\r\n+PONG\r\n$3\r\nada\r\n$-1\r\n"
    write("socket-frames", "resp-lines.bin", bytes([1, 2 | 5 << 2 | 2 << 6]) + resp)
    write("socket-frames", "length-prefixed.bin", bytes([4, 1 | 3 << 2]) + b"\x00\x05hello\x00\x00\x00\x03\x01\x00\x2a")
    write("socket-frames", "fixed.bin", bytes([9, 0]) + b"\xca\xfe\x00\x01\x02" * 3)
    write("socket-frames", "idle.bin", bytes([10, 0 | 15 << 2]) + b"+OK\r\n")
    write("socket-frames", "length-little-over.bin", bytes([7, 0]) + b"\xff\xff\xff\x7f")

    # websocket-frames: byte 0 = piece size - 1 (bit 7: a 64-byte message limit); then server frames.
    hello = json.dumps({"type": "hello", "order": 42}).encode()
    status = json.dumps({"type": "status", "status": "packed"}).encode()
    write("websocket-frames", "conversation.bin", bytes([5]) + ws_frame(1, hello) + ws_frame(9, b"ping?")
          + ws_frame(1, status[:10], fin=False) + ws_frame(0, status[10:]) + ws_frame(8, b"\x03\xe8done"))
    write("websocket-frames", "binary-long.bin", bytes([63]) + ws_frame(2, bytes(range(256)) * 2) + ws_frame(10, b""))
    write("websocket-frames", "limit.bin", bytes([0x80 | 3]) + ws_frame(1, b"x" * 70))

    # answers: byte 0 = interaction (HTTP and gRPC ones of contract.json, in order); then status, headers, blank line, body.
    order = json.dumps({"id": 42, "status": "paid", "total": 31.5, "placedAt": "2026-11-20T10:15:00Z",
                        "items": [{"sku": "ABC-1", "quantity": 2}], "note": None, "tags": ["new"]}).encode()
    write("answers", "order.txt", b"\x00200\nContent-Type: application/json\nETag: \"v1\"\n\n" + order)
    write("answers", "order-wrong.txt", b"\x00500\nContent-Type: text/html\n\n<html>oops</html>")
    write("answers", "created.txt", b"\x01201\nContent-Type: application/json\nLocation: /orders/43\n\n"
          b'{"id": 43, "uuid": "8b1f4c3e-9a55-4f5e-8d2a-3c1b2a4d5e6f"}')
    write("answers", "text.txt", b"\x02200\nContent-Type: text/plain\n\nhello world")
    grown = tree('name: "oak" children { name: "branch" named { key: "leaf" value { name: "leaf" count: 3 } } } '
                 'value { list_value { values { number_value: 1 } values { string_value: "two" } values { struct_value { fields { key: "three" value { null_value: NULL_VALUE } } } } } } '
                 'attributes { fields { key: "height" value { number_value: 12.5 } } } at { seconds: 1795685400 } colour: GREEN '
                 'labels { key: 1 value: "one" }')
    write("answers", "grpc-grow.bin", b"\x03200\ncontent-type: application/grpc\nx-served-by: trees\n~grpc-status: 0\n\n" + grpc_frame(grown))
    walk = [tree('fields { key: "step" value { number_value: 1 } } fields { key: "at" value { string_value: "root" } }', "google.protobuf.Struct"),
            tree('fields { key: "step" value { number_value: 2 } } fields { key: "path" value { list_value { values { string_value: "branch" } } } }', "google.protobuf.Struct")]
    write("answers", "grpc-walk.bin", b"\x04200\ncontent-type: application/grpc\n~grpc-status: 0\n\n" + b"".join(grpc_frame(m) for m in walk))
    write("answers", "grpc-not-found.bin", b"\x05200\ncontent-type: application/grpc\ngrpc-status: 5\ngrpc-message: no%20tree%20none\n\n")
    write("answers", "grpc-cut.bin", b"\x03200\ncontent-type: application/grpc\ngrpc-encoding: gzip\n~grpc-status: 0\n\n\x01\x00\x00\x00\x10\x1f\x8b")

    # mock-requests: byte 0 = piece size (0: all at once); then what the client sends.
    write("mock-requests", "http1-get.txt", b"\x00GET /orders/42?expand=items HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\r\n")
    place = b'{"sku": "ABC-1", "quantity": 1, "gift": true}'
    write("mock-requests", "http1-post-pipelined.txt", b"\x09POST /orders HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          b"Content-Length: %d\r\n\r\n%sGET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\n\r\n" % (len(place), place))
    chunks = [b'{"jsonrpc": "2.0", "method": "points.get",', b' "params": {"customer": "c-1"}, "id":', b" 1}"]
    write("mock-requests", "http1-chunked.txt", b"\x00POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
          + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n")
    write("mock-requests", "http1-sse.txt", b"\x00GET /orders/42/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nLast-Event-ID: 1\r\n\r\n")
    key = b"dGhlIHNhbXBsZSBub25jZQ=="
    mask = b"\x01\x02\x03\x04"
    sub = json.dumps({"type": "subscribe", "topics": ["status"]}).encode()
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(sub))
    write("mock-requests", "websocket.txt", b"\x00GET /orders/42/live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: orders.v1\r\n\r\n"
          + bytes([0x81, 0x80 | len(masked)]) + mask + masked + bytes([0x88, 0x82]) + mask + bytes([0x03 ^ 1, 0xE8 ^ 2]))
    write("mock-requests", "h2-get.bin", b"\x00" + h2_request([(":method", "GET"), (":scheme", "http"), (":path", "/orders/42?expand=all"),
                                                               (":authority", "localhost"), ("accept", "application/json")]))
    grpc_headers = [(":method", "POST"), (":scheme", "http"), (":path", "/fuzz.v1.Trees/Grow"), (":authority", "localhost"),
                    ("content-type", "application/grpc"), ("te", "trailers"), ("grpc-timeout", "5S"), ("x-garden", "north")]
    write("mock-requests", "h2-grpc-grow.bin", b"\x00" + h2_request(grpc_headers, grpc_frame(tree('name: "oak" children { name: "twig" }'))))
    walk_headers = [(k, v.replace("Grow", "Walk")) for k, v in grpc_headers]
    write("mock-requests", "h2-grpc-walk.bin", b"\x11" + h2_request(walk_headers, grpc_frame(tree('name: "oak"'))))


if __name__ == "__main__":
    main(sys.argv[1:])
