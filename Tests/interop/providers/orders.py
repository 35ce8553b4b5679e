"""A real Flask implementation of the orders provider in Contracts/web-shop--orders.json.

`broken=True` makes it drift from the contract the way real providers do (renamed fields, wrong
types, wrong statuses), so tests can check that `treaty verify` catches each difference.
"""
from __future__ import annotations

import threading
import uuid
from datetime import datetime, timezone

from flask import Flask, Response, jsonify, request


def create_app(broken: bool = False, failing_state: str | None = None) -> Flask:
    app = Flask("orders")
    orders: dict[int, dict] = {}
    calls: list[dict] = []
    lock = threading.Lock()
    app.config["state_calls"] = calls

    def order(order_id: int) -> dict:
        return {
            "id": order_id,
            "status": "paid",
            "total": 31.5,
            "currency": "EUR",
            "placedAt": "2026-11-20T10:15:00Z",
            "items": [{"sku": "ABC-1", "quantity": 2, "price": 15.75}],
            "note": None,
        }

    @app.post("/_treaty/state")
    def state():
        body = request.get_json(force=True)
        with lock:
            calls.append(body)
        if body.get("state") == failing_state:
            return Response("database is read-only", status=500, content_type="text/plain")
        if body.get("state") == "order exists":
            order_id = int(body.get("params", {}).get("id", 42))
            with lock:
                if body.get("action") == "setup":
                    orders[order_id] = order(order_id)
                else:
                    orders.pop(order_id, None)
        return jsonify({})

    @app.get("/orders/<int:order_id>")
    def get_order(order_id: int):
        with lock:
            found = orders.get(order_id)
        if found is None:
            return Response('{"title": "order not found", "status": 404}', status=404,
                            content_type="application/problem+json")
        if broken:
            found = dict(found, total=31, status="lost")
            del found["items"]
        return jsonify(found)

    @app.get("/orders")
    def list_orders():
        if request.args.get("customer") != "7":
            return jsonify({"orders": [], "next": None})
        return jsonify({"orders": [{"id": 42, "status": "paid"}, {"id": 43, "status": "pending"}],
                        "next": "/orders?customer=7&page=2"})

    @app.post("/orders")
    def place_order():
        body = request.get_json(force=True)
        created = {"id": 43, "status": "pending", "items": body["items"], "placedAt": "2026-11-25T09:30:00+01:00",
                   "trackingId": str(uuid.uuid4())}
        if broken:
            return jsonify(created), 200
        return jsonify(created), 201, {"Location": "/orders/43"}

    @app.get("/orders/<int:order_id>/status")
    def order_status(order_id: int):
        return Response("status: paid", content_type="text/plain")

    @app.get("/orders/<int:order_id>/tracking")
    def tracking(order_id: int):
        return jsonify({"orderId": order_id, "requestId": str(uuid.uuid4()),
                        "checkedAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "self": f"{request.host_url}orders/{order_id}/tracking"})

    @app.delete("/orders/<int:order_id>")
    def cancel_order(order_id: int):
        with lock:
            orders.pop(order_id, None)
        return Response(status=204)

    return app
