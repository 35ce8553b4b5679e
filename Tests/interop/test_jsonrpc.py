"""JSON-RPC 2.0: a requests client against treaty mock (single calls, a batch with a notification,
the standard's error objects); treaty verify against a real Flask JSON-RPC provider, conforming and
drifted."""
from __future__ import annotations

import requests
from flask import Flask, Response, jsonify, request

from conftest import Provider, run_treaty, start_mock
from test_verify import assert_valid_junit

LOYALTY = "Contracts/web-shop--loyalty.json"


def test_a_client_against_the_mock():
    running = start_mock(LOYALTY, "--port", "0")
    try:
        url = running.urls["loyalty"] + "/rpc"
        one = requests.post(url, json={"jsonrpc": "2.0", "id": 7, "method": "points.get", "params": {"customer": "c-1"}}, timeout=5)
        assert one.json() == {"jsonrpc": "2.0", "id": 7, "result": {"customer": "c-1", "points": 120, "tier": "silver"}}
        batch = requests.post(url, json=[
            {"jsonrpc": "2.0", "id": "r1", "method": "points.redeem", "params": {"customer": "c-1", "points": 99999}},
            {"jsonrpc": "2.0", "method": "visits.record", "params": ["c-1", "/products/ABC-1"]},
            {"jsonrpc": "2.0", "id": 3, "method": "points.get", "params": {"customer": "c-2"}},
            {"jsonrpc": "2.0", "id": 4, "method": "points.burn"},
            {"id": 5, "method": "points.get"},
        ], timeout=5).json()
        assert [answer["id"] for answer in batch] == ["r1", 3, 4, None]  # the notification gets no answer
        assert batch[0]["error"] == {"code": -32001, "message": "not enough points", "data": {"available": 120}}
        assert batch[1]["error"]["code"] == -32602 and batch[1]["error"]["data"]["mismatches"][0]["path"] == "$.params.customer"
        assert batch[2]["error"]["code"] == -32601 and "points.get" in batch[2]["error"]["data"]["known"]
        assert batch[3]["error"]["code"] == -32600
        notification = requests.post(url, json={"jsonrpc": "2.0", "method": "visits.record", "params": ["c-1", "/x"]}, timeout=5)
        assert notification.status_code == 204 and notification.content == b""
        assert requests.post(url, data=b"{oops", timeout=5).json()["error"]["code"] == -32700
        assert requests.post(url, json=[], timeout=5).json()["error"]["code"] == -32600
    finally:
        running.stop()
    assert "unmatched jsonrpc /rpc: no call \"points.burn\"" in running.process.stderr.read()


def provider(drift: bool = False) -> Flask:
    app = Flask("loyalty")

    @app.post("/rpc")
    def rpc():
        call = request.get_json(force=True)
        if "id" not in call:
            return Response(status=204)
        if call["method"] == "points.get":
            result = {"customer": call["params"]["customer"], "points": "120" if drift else 95, "tier": "gold"}
            return jsonify({"jsonrpc": "2.0", "id": "other" if drift else call["id"], "result": result})
        if call["method"] == "points.redeem":
            if drift:
                return jsonify({"jsonrpc": "2.0", "id": call["id"], "result": {"redeemed": 0}})
            return jsonify({"jsonrpc": "2.0", "id": call["id"],
                            "error": {"code": -32001, "message": "not enough points (95 left)", "data": {"available": 95}}})
        return jsonify({"jsonrpc": "2.0", "id": call["id"], "error": {"code": -32601, "message": "Method not found"}})

    return app


def test_verify_a_real_json_rpc_provider(tmp_path):
    http_calls = "^(get points|redeem more points than there are|record a visit)$"  # Flask speaks no WebSocket
    with Provider(provider()) as good:
        result = run_treaty("verify", LOYALTY, "--base-url", good.url, "--junit", str(tmp_path / "good.xml"), "--interaction", http_calls)
    assert result.returncode == 0, result.stdout
    assert_valid_junit(tmp_path / "good.xml")
    with Provider(provider(drift=True)) as bad:
        drifted = run_treaty("verify", LOYALTY, "--base-url", bad.url, "--interaction", http_calls)
    assert drifted.returncode == 1
    for expected in ['$.id: expected the id of the call, 1, got "other"', "$.result.points: expected an integer",
                     "$.error: expected an error object, got a result"]:
        assert expected in drifted.stdout, expected + "\n" + drifted.stdout


def test_json_rpc_over_a_websocket_with_the_mock_and_a_websockets_server():
    import json
    import threading

    from websockets.sync.client import connect
    from websockets.sync.server import serve

    running = start_mock(LOYALTY, "--port", "0")
    try:
        with connect(running.urls["loyalty"].replace("http://", "ws://") + "/rpc/ws", open_timeout=5) as ws:
            ws.send(json.dumps({"jsonrpc": "2.0", "id": 9, "method": "points.get", "params": {"customer": "c-1"}}))
            assert json.loads(ws.recv(timeout=5)) == {"jsonrpc": "2.0", "id": 9, "result": {"customer": "c-1", "points": 120}}
    finally:
        running.stop()

    def handler(ws):
        for message in ws:
            call = json.loads(message)
            ws.send(json.dumps({"jsonrpc": "2.0", "id": call["id"], "result": {"customer": "c-1", "points": 77, "since": "2020"}}))

    with serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        result = run_treaty("verify", LOYALTY, "--base-url", f"http://127.0.0.1:{server.socket.getsockname()[1]}",
                            "--interaction", "watch points over a websocket")
        server.shutdown()
        thread.join(timeout=5)
    assert result.returncode == 0, result.stdout
