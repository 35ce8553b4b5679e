"""A real Starlette + sse-starlette implementation of Contracts/web-shop--notifications.json, run by
uvicorn in a thread. `drift` makes it misbehave the ways real streams do."""
from __future__ import annotations

import asyncio
import socket
import threading
import time

import uvicorn
from sse_starlette.sse import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

EVENTS = [
    ServerSentEvent(event="status", id="1", data='{"order": 42, "status": "paid"}'),
    ServerSentEvent(event="status", id="2", data='{"order": 42, "status": "shipped", "carrier": "DHL", "eta": "2026-11-27"}'),
    ServerSentEvent(id="3", data="Your order is on its way.\nTrack it in your account.", retry=5000),
]


def create_app(drift: str | None = None) -> Starlette:
    """drift: None (conforming), "data" (a wrong status), "short" (ends after two events), "slow" (the
    second event 2.5 s late), "garbage" (bytes that are not an event stream), "silent" (opens, never sends),
    "impatient" (long polls answer at once instead of waiting), "rude" (the WebSocket says something else
    and never closes)."""
    calls: list[dict] = []
    delivered: dict[str, asyncio.Event] = {}

    def delivery_event(order: str) -> asyncio.Event:
        return delivered.setdefault(order, asyncio.Event())

    async def wait_for_delivery(request: Request):
        order = request.path_params["order"]
        if drift == "impatient":
            return Response(status_code=204)
        try:
            await asyncio.wait_for(delivery_event(order).wait(), timeout=float(request.query_params.get("wait", "30")))
        except asyncio.TimeoutError:
            return Response(status_code=204)
        delivered.pop(order, None)
        return JSONResponse({"order": int(order), "delivered": True, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})

    async def mark_delivered(request: Request):
        delivery_event(request.path_params["order"]).set()
        return Response(status_code=204)

    async def live(websocket: WebSocket):
        offered = websocket.headers.get("sec-websocket-protocol", "")
        await websocket.accept(subprotocol="orders.v1" if "orders.v1" in offered else None)
        await websocket.send_json({"type": "hello", "order": 42})
        try:
            subscribe = await websocket.receive_json()
            if subscribe.get("type") != "subscribe":
                await websocket.close(code=1008)
                return
            await asyncio.sleep(0.05)
            status = "lost" if drift == "rude" else "packed"
            await websocket.send_json({"type": "status", "order": 42, "status": status})
            bye = await websocket.receive_json()  # pings are answered by uvicorn's websockets
            if drift == "rude":
                await asyncio.sleep(30)
                return
            if bye.get("type") == "bye":
                await websocket.close(code=1000, reason="bye")
        except WebSocketDisconnect:
            pass

    async def scans(request: Request):
        await asyncio.sleep(0 if drift == "impatient" else float(request.query_params.get("wait", "30")))
        return Response(status_code=204)

    async def state(request: Request):
        calls.append(await request.json())
        return JSONResponse({})

    async def events(request: Request):
        if drift == "garbage":
            return Response(b"\x00\xff this is not an event stream", media_type="text/event-stream")
        last = request.headers.get("last-event-id")
        start = next((i + 1 for i, e in enumerate(EVENTS) if e.id == last), 0)

        async def stream():
            for i, event in enumerate(EVENTS[start:], start):
                if drift == "silent":
                    await asyncio.sleep(30)
                await asyncio.sleep(2.5 if drift == "slow" and i == 1 else 0.02)
                if drift == "short" and i == 2:
                    return
                if drift == "data" and i == 0:
                    event = ServerSentEvent(event="status", id="1", data='{"order": 42, "status": "lost"}')
                yield event

        return EventSourceResponse(stream(), ping=600)

    app = Starlette(routes=[Route("/orders/{order}/events", events), Route("/_treaty/state", state, methods=["POST"]),
                            Route("/orders/{order}/delivery", wait_for_delivery), Route("/orders/{order}/scans", scans),
                            Route("/orders/{order}/delivered", mark_delivered, methods=["POST"]),
                            WebSocketRoute("/orders/{order}/live", live)])
    app.state.calls = calls
    return app


class Server:
    """uvicorn on an ephemeral loopback port, in a thread; stops on exit."""

    def __init__(self, app):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()
