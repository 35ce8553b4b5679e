"""Asynchronous messages: httpx subscribers of the mock's message stream receive what `treaty publish`
publishes, and a Flask webhook receives it with its metadata; treaty verify asks a real Flask message
producer for each message (Pact's convention), conforming and drifted."""
from __future__ import annotations

import base64
import json
import threading
import time

import httpx
from flask import Flask, Response, jsonify, request

from conftest import Provider, run_treaty, start_mock
from test_verify import assert_valid_junit

NOTIFICATIONS = "Contracts/web-shop--notifications.json"
MESSAGE = "order shipped message"


def test_published_messages_reach_subscribers_and_a_webhook(tmp_path):
    received = []
    app = Flask("hooks")

    @app.post("/events")
    def events():
        received.append((request.get_json(force=True), request.headers.get("Content-Type"),
                         json.loads(base64.b64decode(request.headers["Pact-Message-Metadata"]))))
        return "", 204

    running = start_mock(NOTIFICATIONS, "--port", "0", "--admin-port", "0")
    try:
        base = running.urls["notifications"]
        streams: list[list[str]] = [[], []]

        def subscribe(lines: list[str]):
            with httpx.Client(timeout=10) as client:
                with client.stream("GET", f"{base}/_treaty/messages") as response:
                    for line in response.iter_lines():
                        lines.append(line)
                        if line.startswith("data:"):
                            return

        subscribers = [threading.Thread(target=subscribe, args=(lines,)) for lines in streams]
        for s in subscribers:
            s.start()
        deadline = time.monotonic() + 5
        while httpx.get(f"{running.admin}/messages").json()["subscribers"] < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        with Provider(app) as hooks:
            published = run_treaty("publish", "--admin", running.admin, "--interaction", MESSAGE, "--to", f"{hooks.url}/events")
            assert published.returncode == 0, published.stderr
            assert f'published "{MESSAGE}" of {NOTIFICATIONS} to 2 subscribers' in published.stdout
            for s in subscribers:
                s.join(timeout=10)
            deadline = time.monotonic() + 5
            while not received and time.monotonic() < deadline:
                time.sleep(0.05)
        for lines in streams:
            assert f"event: {MESSAGE}" in lines
            data = json.loads(next(line for line in lines if line.startswith("data:"))[5:])
            assert data["event"] == "order.shipped" and data["order"] == 42 and data["at"] != "2026-11-26T10:00:00Z"  # "now"
        body, content_type, metadata = received[0]
        assert body["event"] == "order.shipped" and content_type == "application/json"
        assert metadata == {"topic": "orders.shipped", "contentType": "application/json"}
        deliveries = httpx.get(f"{running.admin}/callbacks").json()
        assert deliveries["delivered"] == 1
        unknown = run_treaty("publish", "--admin", running.admin, "--interaction", "no such message")
        assert unknown.returncode == 1 and 'no message interaction "no such message"' in unknown.stderr
    finally:
        running.stop()
    nobody = run_treaty("publish", "--admin", "http://127.0.0.1:9", "--interaction", MESSAGE)
    assert nobody.returncode == 2 and "Is treaty mock running with --admin-port?" in nobody.stderr


def producer(drift: bool = False) -> Flask:
    app = Flask("producer")
    app.config["asked"] = []

    @app.post("/messages")
    def produce():
        asked = request.get_json(force=True)
        app.config["asked"].append(asked)
        if asked["description"] != MESSAGE:
            return Response("unknown message", status=404)
        body = {"event": "order.shipped", "order": 42, "carrier": "DHL", "at": "2026-11-26T09:00:00Z"}
        topic = "orders.shipped"
        if drift:
            body = {"event": "order.sent", "order": "42"}
            topic = "orders"
        metadata = base64.b64encode(json.dumps({"topic": topic}).encode()).decode()
        return Response(json.dumps(body), content_type="application/json; charset=utf-8", headers={"Pact-Message-Metadata": metadata})

    return app


def test_verify_asks_the_message_producer_and_matches_contents_and_metadata(tmp_path):
    good_app = producer()
    with Provider(good_app) as provider:
        good = run_treaty("verify", NOTIFICATIONS, "--base-url", provider.url, "--message-url", f"{provider.url}/messages",
                          "--interaction", MESSAGE, "--junit", str(tmp_path / "good.xml"))
    assert good.returncode == 0, good.stdout
    assert good_app.config["asked"] == [{"description": MESSAGE, "providerStates": [{"name": "order exists", "params": {"id": 42}}]}]
    assert_valid_junit(tmp_path / "good.xml")
    with Provider(producer(drift=True)) as provider:
        bad = run_treaty("verify", NOTIFICATIONS, "--base-url", provider.url, "--message-url", f"{provider.url}/messages",
                         "--interaction", MESSAGE, "--junit", str(tmp_path / "bad.xml"))
    assert bad.returncode == 1
    for expected in ['$.contents.event: expected "order.shipped", got "order.sent"', "$.contents.order: expected a number, got string", '$.contents.carrier: missing key "carrier"',
                     '$.metadata.topic: expected metadata "topic" "orders.shipped", got "orders"']:
        assert expected in bad.stdout, expected + "\n" + bad.stdout
    skipped = run_treaty("verify", NOTIFICATIONS, "--base-url", "http://127.0.0.1:9", "--interaction", MESSAGE, "--allow-empty")
    assert skipped.returncode == 0 and "SKIP" in skipped.stdout and "no --message-url given" in skipped.stdout


def test_a_websocket_subscriber_and_the_configured_webhook_get_published_messages():
    from websockets.sync.client import connect

    received = []
    app = Flask("hooks")

    @app.post("/default")
    def default():
        received.append(request.get_json(force=True))
        return "", 204

    with Provider(app) as hooks:
        running = start_mock(NOTIFICATIONS, "--port", "0", "--admin-port", "0", "--publish-url", f"{hooks.url}/default")
        try:
            with connect(running.urls["notifications"].replace("http://", "ws://") + "/_treaty/messages", open_timeout=5) as ws:
                published = run_treaty("publish", "--admin", running.admin, "--interaction", MESSAGE)
                assert published.returncode == 0, published.stderr
                message = json.loads(ws.recv(timeout=5))
                assert message["event"] == "order.shipped" and message["order"] == 42
            deadline = time.monotonic() + 5
            while not received and time.monotonic() < deadline:
                time.sleep(0.05)
            assert received and received[0]["event"] == "order.shipped"  # --publish-url, no --to given
        finally:
            running.stop()
