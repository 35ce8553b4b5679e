"""gRPC: Python grpcio clients (no generated code: message classes built from the contract's
descriptor set) against treaty mock for all four call kinds, errors with google.rpc.Status details,
deadlines, gzip, health and server reflection; and treaty verify against a real grpcio server,
conforming and drifted."""
from __future__ import annotations

import time
from concurrent import futures

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
