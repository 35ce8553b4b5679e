"""Exact matching on the wire: a `$regex` path refuses a trailing encoded newline, numbers compare by
exact value (not through a double), the later of two duplicate keys in a body is the one that
counts, and `$integer` on a 64-bit protobuf field takes the string proto3 JSON makes of it, in the
mock (a grpcio client) and in `treaty verify` (a grpcio server)."""
from __future__ import annotations

import json
import shutil
from concurrent import futures
from pathlib import Path

import grpc
import pytest
import requests
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from conftest import ROOT, run_treaty, start_mock

HTTP_CONTRACT = {
    "treaty": 1, "consumer": "web", "provider": "exact",
    "interactions": [
        {"name": "an order by number", "http": {
            "request": {"path": {"$regex": "^/orders/\\d+$", "example": "/orders/1"}},
            "response": {"status": 200, "body": {"ok": True}}}},
        {"name": "a transfer of an exact amount", "http": {
            "request": {"method": "POST", "path": "/transfers",
                        "headers": {"Content-Type": "application/json"},
                        "body": {"account": 1234567890123456789, "amount": "AMOUNT", "kind": "credit"}},
            "response": {"status": 201}}},
    ],
}


@pytest.fixture(scope="module")
def http_mock(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exact")
    # 1e400 as written: Python's json would make it Infinity.
    (folder / "exact.json").write_text(json.dumps(HTTP_CONTRACT).replace('"AMOUNT"', "1e400"))
    running = start_mock(str(folder / "exact.json"), "--port", "0")
    yield running.urls["exact"]
    running.stop()


def send_json(url: str, text: str) -> requests.Response:
    return requests.post(url, data=text.encode(), headers={"Content-Type": "application/json"}, timeout=5)


@pytest.mark.parametrize("path, status", [
    ("/orders/42", 200),
    ("/orders/42%0A", 404),
    ("/orders/42%0D%0A", 404),
    ("/orders/42%E2%80%A8", 404),
])
def test_a_regex_path_matches_the_whole_path(http_mock, path, status):
    response = requests.get(http_mock + path, timeout=5)
    assert response.status_code == status, response.text
    if status == 404:
        assert response.json()["nearest"]["mismatches"][0]["path"] == "$.path"


@pytest.mark.parametrize("account, amount, status", [
    ("1234567890123456789", "1e400", 201),
    ("1234567890123456789.0", "10e399", 201),   # equal values, written otherwise
    ("1234567890123456788", "1e400", 404),      # equal as doubles, not as numbers
    ("1234567890123456789", "2e400", 404),      # both infinite as doubles
])
def test_numbers_compare_by_exact_value(http_mock, account, amount, status):
    body = f'{{"account": {account}, "amount": {amount}, "kind": "credit"}}'
    response = send_json(http_mock + "/transfers", body)
    assert response.status_code == status, response.text


@pytest.mark.parametrize("body, status", [
    ('{"account": 1234567890123456789, "amount": 1e400, "kind": "debit", "kind": "credit"}', 201),
    ('{"account": 1234567890123456789, "amount": 1e400, "kind": "credit", "kind": "debit"}', 404),
])
def test_the_later_of_duplicate_keys_counts(http_mock, body, status):
    # As json.loads reads the same text.
    assert (json.loads(body)["kind"] == "credit") == (status == 201)
    response = send_json(http_mock + "/transfers", body)
    assert response.status_code == status, response.text
    if status == 404:
        assert response.json()["nearest"]["mismatches"][0]["path"] == "$.body.kind"
    # The mock keeps serving after each of them.
    assert requests.get(http_mock + "/orders/7", timeout=5).status_code == 200


@pytest.mark.parametrize("source", ["a{2,9223372036854775807}", "x{9223372036854775807,}", "((a{1000}){1000}){1000}"])
def test_a_regex_generator_with_huge_counts_sends_the_example_and_the_mock_keeps_serving(tmp_path, source):
    contract = {"treaty": 1, "consumer": "web", "provider": "gen", "interactions": [
        {"name": "a code", "http": {"request": {"path": "/code"}, "response": {
            "status": 200, "body": {"code": {"$string": "fallback", "generate": {"regex": source}}}}}}]}
    (tmp_path / "gen.json").write_text(json.dumps(contract))
    running = start_mock(str(tmp_path / "gen.json"), "--port", "0")
    try:
        for _ in range(3):
            response = requests.get(running.urls["gen"] + "/code", timeout=10)
            assert response.status_code == 200
            assert response.json() == {"code": "fallback"}
        assert running.process.poll() is None
    finally:
        running.stop()


SHOP_PB = ROOT / "Fixtures" / "protobuf" / "shop.pb"
GRPC_CONTRACT = {
    "treaty": 1, "consumer": "web", "provider": "shop", "protobuf": {"descriptorSet": "shop.pb"},
    "interactions": [{"name": "get an order", "grpc": {
        "method": "shop.v1.Orders/GetOrder",
        "request": {"message": {"id": {"$integer": 1}}},
        "response": {"message": {"id": {"$integer": 9007199254740993}, "big": {"$integer": 18446744073709551615},
                                 "sf64": {"$number": -5}, "status": "PAID"}}}}],
}


def shop_classes() -> dict:
    files = descriptor_pb2.FileDescriptorSet.FromString(SHOP_PB.read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName("shop.v1." + name))
            for name in ["GetOrderRequest", "Order"]}


@pytest.fixture(scope="module")
def grpc_contract(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("exact-grpc")
    shutil.copy(SHOP_PB, folder / "shop.pb")
    (folder / "shop.json").write_text(json.dumps(GRPC_CONTRACT))
    return folder / "shop.json"


def test_lint_no_longer_warns_about_integer_on_64_bit_fields(grpc_contract):
    result = run_treaty("lint", str(grpc_contract), "--root", str(grpc_contract.parent))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "64-bit" not in result.stdout + result.stderr


@pytest.mark.parametrize("order_id", [9007199254740993, -9223372036854775808, 0])
def test_the_mock_matches_integer_on_an_int64_request_field(grpc_contract, order_id):
    classes = shop_classes()
    running = start_mock(str(grpc_contract), "--port", "0", "--root", str(grpc_contract.parent))
    try:
        with grpc.insecure_channel(running.urls["shop"].removeprefix("http://")) as channel:
            call = channel.unary_unary("/shop.v1.Orders/GetOrder",
                                       request_serializer=classes["GetOrderRequest"].SerializeToString,
                                       response_deserializer=classes["Order"].FromString)
            order = call(classes["GetOrderRequest"](id=order_id), timeout=5)
    finally:
        running.stop()
    assert order.id == 9007199254740993
    assert order.big == 18446744073709551615
    assert order.sf64 == -5


@pytest.mark.parametrize("big", [18446744073709551615, 7])
def test_verify_judges_integer_on_64_bit_response_fields(grpc_contract, big):
    classes = shop_classes()
    seen = []

    def get_order(request, context):
        seen.append(request.id)
        return classes["Order"](id=request.id * 3, big=big, sf64=-(2 ** 63), status=1)

    handler = grpc.unary_unary_rpc_method_handler(get_order, request_deserializer=classes["GetOrderRequest"].FromString,
                                                  response_serializer=classes["Order"].SerializeToString)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("shop.v1.Orders", {"GetOrder": handler}),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        result = run_treaty("verify", str(grpc_contract), "--root", str(grpc_contract.parent),
                            "--base-url", f"http://127.0.0.1:{port}")
    finally:
        server.stop(None)
    assert seen == [1]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
