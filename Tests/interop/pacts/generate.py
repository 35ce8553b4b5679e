"""Writes real Pact files (V3 and V4) for the orders provider with pact-python (the Pact FFI), as a
consumer's test suite would. Treaty must mock and verify them unchanged.

Usage: python generate.py OUTPUT_DIR SPEC (SPEC is V3 or V4)
"""
from __future__ import annotations

import sys
from pathlib import Path

import requests
from pact import Pact, match


def build(spec: str) -> Pact:
    pact = Pact("web-shop-pact", "orders").with_specification(spec)
    (
        pact.upon_receiving("get an existing order")
        .given("order exists", {"id": 42})
        .with_request("GET", "/orders/42")
        .with_header("Accept", "application/json")
        .will_respond_with(200)
        .with_header("Content-Type", "application/json")
        .with_body(
            {
                "id": match.int(42),
                "status": match.regex("paid", regex=r"^(pending|paid|shipped)$"),
                "total": match.decimal(31.5),
                "currency": "EUR",
                "items": match.each_like({"sku": match.regex("ABC-1", regex=r"^[A-Z]{3}-\d+$"), "quantity": match.int(2)}, min=1),
            },
            content_type="application/json",
        )
    )
    (
        pact.upon_receiving("list orders of a customer")
        .given("customer 7 has orders")
        .with_request("GET", "/orders")
        .with_query_parameter("customer", "7")
        .with_query_parameter("page", match.regex("1", regex=r"^\d+$"))
        .will_respond_with(200)
        .with_body({"orders": match.each_like({"id": match.int(42), "status": match.str("paid")}, min=0),
                    "next": match.like("/orders?customer=7&page=2")}, content_type="application/json")
    )
    (
        pact.upon_receiving("place an order")
        .given("product exists", {"sku": "ABC-1"})
        .with_request("POST", "/orders")
        .with_body({"items": [{"sku": "ABC-1", "quantity": 2}]}, content_type="application/json")
        .will_respond_with(201)
        .with_header("Location", match.regex("/orders/43", regex=r"^/orders/\d+$"))
        .with_body({"id": match.int(min=100, max=999), "status": "pending", "trackingId": match.uuid()}, content_type="application/json")
    )
    (
        pact.upon_receiving("a missing order")
        .with_request("GET", match.regex("/orders/404", regex=r"^/orders/40\d$"))
        .will_respond_with(404)
    )
    return pact


def main() -> None:
    out = Path(sys.argv[1])
    spec = sys.argv[2]
    pact = build(spec)
    # Exercise every interaction against Pact's own mock server, as a consumer test suite does.
    with pact.serve() as server:
        base = str(server.url).rstrip("/")
        requests.get(f"{base}/orders/42", headers={"Accept": "application/json"}, timeout=5)
        requests.get(f"{base}/orders", params={"customer": "7", "page": "1"}, timeout=5)
        requests.post(f"{base}/orders", json={"items": [{"sku": "ABC-1", "quantity": 2}]}, timeout=5)
        requests.get(f"{base}/orders/404", timeout=5)
    pact.write_file(out, overwrite=True)


if __name__ == "__main__":
    main()
