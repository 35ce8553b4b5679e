#!/usr/bin/env python3
"""Validates Treaty contracts against Schemas/treaty-contract-v1.schema.json with an independent
JSON Schema implementation (python-jsonschema, draft 2020-12).

Checks, each counted as one pass or failure:
  * the schema itself is a valid draft 2020-12 schema (check_schema);
  * every contract under Contracts/ (recursively: *.json files whose top level is an object with a
    "treaty" key; other JSON files are data, such as bodyFile targets) is valid;
  * every JSON bodyFile a contract reads as a pattern (a body's or a multipart part's) is a valid
    pattern (matchers included);
  * known-bad documents are rejected, at the expected JSON pointer, so the check cannot pass
    vacuously; known-good documents are accepted;
  * with --lint TREATY (a built treaty binary), `treaty lint` agrees on every known document:
    known-bad ones give a lint error (or, where the loader only warns, a warning), known-good ones
    lint clean (see LINT_EXPECTED for the documented exceptions). Known documents may reference the
    files in LINT_FILES (bodies/…), which are written next to them for the lint run.

Pact files (no "treaty" key) are skipped: the schema describes Treaty contracts only.
Prints one line per check and ends with "N passed, M failed"; exits 1 on any failure.
Run from anywhere:
  python3 Tests/interop/validate_contracts.py [--lint .build/debug/treaty] [CONTRACT-FILE-OR-FOLDER...]
(default: the repository's Contracts/ folder).
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

REPO = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO / "Schemas" / "treaty-contract-v1.schema.json"
CONTRACTS = REPO / "Contracts"


class Tally:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def ok(self, line: str) -> None:
        self.passed += 1
        print(f"ok {line}")

    def fail(self, lines: list[str]) -> None:
        self.failed += 1
        for line in lines:
            print(line)


def pointer(path) -> str:
    """RFC 6901 JSON pointer for a jsonschema error path ("" is the whole document)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def shown(ptr: str) -> str:
    return ptr if ptr else "(root)"


def describe(error) -> str:
    message = error.message
    if error.validator in ("not", "anyOf", "oneOf") and isinstance(error.schema, dict) and "description" in error.schema:
        # "should not be valid under {}" or a dump of the whole value says little; the schema's own words say more.
        message = error.schema["description"]
    elif error.context:  # anyOf / oneOf without a description: say which branch came closest
        message += f" (closest: {best_match(error.context).message})"
    return message if len(message) <= 240 else message[:237] + "..."


def strict_load(path: Path):
    """Parses JSON like Treaty does: duplicate keys and NaN/Infinity are errors."""

    def pairs(members):
        seen = {}
        for key, value in members:
            if key in seen:
                raise ValueError(f'duplicate key "{key}"')
            seen[key] = value
        return seen

    def constant(name):
        raise ValueError(f"{name} is not JSON")

    text = path.read_bytes().decode("utf-8-sig")
    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        return str(path)


def validate_file(validator, path: Path, document, tally: Tally, label: str = "") -> None:
    errors = sorted(validator.iter_errors(document), key=lambda e: (pointer(e.absolute_path), e.message))
    if errors:
        tally.fail([f"FAIL {rel(path)}{label}: {shown(pointer(e.absolute_path))}: {describe(e)}" for e in errors])
    else:
        tally.ok(f"{rel(path)}{label}")


# ------------------------------------------------------------------------------------------ bodyFile

def example_text(value):
    """The example string of a header value, as the loader computes it (None when not a string)."""
    if isinstance(value, list):
        return example_text(value[0]) if value else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "$regex" in value:
            return value.get("example") if isinstance(value.get("example"), str) else None
        if "$type" in value:
            return example_text(value["$type"]) if not isinstance(value["$type"], (list, int, float, bool)) else None
        for key in ("$equals", "$string", "$include", "$date", "$time", "$datetime"):
            if key in value:
                return value[key] if isinstance(value[key], str) else None
    return None


def is_json_media_type(content_type: str) -> bool:
    essence = content_type.split(";", 1)[0].strip().lower()
    return essence in ("application/json", "text/json") or essence.endswith("+json")


def json_body_files(contract_path: Path, contract):
    """bodyFile targets the loader parses as JSON patterns (declared JSON, or no Content-Type and a .json name;
    not with "compare": "contentType"), of bodies and of multipart parts (whose contentType is their Content-Type)."""
    for interaction in contract.get("interactions") or []:
        if not isinstance(interaction, dict) or not isinstance(interaction.get("http"), dict):
            continue
        for side in ("request", "response"):
            message = interaction["http"].get(side)
            if not isinstance(message, dict):
                continue
            if isinstance(message.get("multipart"), list):
                holders = [(part, part.get("contentType") if isinstance(part.get("contentType"), str) else None)
                           for part in message["multipart"] if isinstance(part, dict)]
            else:
                headers = message.get("headers") if isinstance(message.get("headers"), dict) else {}
                holders = [(message, next((example_text(v) for k, v in headers.items() if k.lower() == "content-type"), None))]
            for holder, content_type in holders:
                if not isinstance(holder.get("bodyFile"), str) or holder.get("compare") == "contentType":
                    continue
                reference = holder["bodyFile"]
                declared_json = content_type is not None and is_json_media_type(content_type.lower())
                if declared_json or (content_type is None and reference.lower().endswith(".json")):
                    yield reference, (contract_path.parent / reference).resolve()


# ------------------------------------------------------------------------------ known documents

def contract(**overrides):
    base = {
        "treaty": 1,
        "consumer": "web-shop",
        "provider": "orders",
        "interactions": [
            {
                "name": "get an order",
                "http": {
                    "request": {"method": "GET", "path": "/orders/42"},
                    "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"id": 42}},
                },
            }
        ],
    }
    base.update(overrides)
    return base


def with_(path: list, value, document=None):
    """A copy of `document` (default: contract()) with the value at `path` replaced; None deletes it."""
    doc = copy.deepcopy(document if document is not None else contract())
    target = doc
    for step in path[:-1]:
        target = target[step]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


REQ = ["interactions", 0, "http", "request"]
RES = ["interactions", 0, "http", "response"]
I0 = "/interactions/0"
REQ_P = I0 + "/http/request"
CB = ["interactions", 0, "callbacks"]
RES_P = I0 + "/http/response"

# Files the known documents reference, written into the folder `treaty lint` runs in (its --root).
PNG_1X1 = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
LINT_FILES = {
    "bodies/cup.png": PNG_1X1,
    "bodies/note.txt": b"Espresso cup, 90 ml\n",
    "bodies/meta.json": b'{"alt": {"$string": "An espresso cup"}, "tags": ["kitchen"]}',
}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
FORM_REGEX = {"Content-Type": {"$regex": "^application/x-www-form-urlencoded(;.*)?$", "example": "application/x-www-form-urlencoded"}}


def form_request(body, headers=None):
    """A POST whose body is form fields (by default under Content-Type: application/x-www-form-urlencoded)."""
    return with_(REQ, {"method": "POST", "path": "/ratings", "headers": headers or FORM, "body": body})


def upload(parts, **extra):
    """A POST with a multipart body."""
    return with_(REQ, {"method": "POST", "path": "/images", "multipart": parts, **extra})


def file_response(**members):
    """A response built from `members` (bodyFile, compare, headers, …)."""
    return with_(RES, {"status": 200, **members})


# (name, document, JSON pointer an error must point at)
KNOWN_BAD = [
    ("missing consumer", with_(["consumer"], None), ""),
    ("empty provider", with_(["provider"], ""), "/provider"),
    ("treaty: 2", with_(["treaty"], 2), "/treaty"),
    ('treaty: "1"', with_(["treaty"], "1"), "/treaty"),
    ("unknown top-level key (the loader warns)", with_(["consumr"], "x"), ""),
    ("interactions not an array", with_(["interactions"], {}), "/interactions"),
    ("mock.port 70000", with_(["mock"], {"port": 70000}), "/mock/port"),
    ("mock.port as text", with_(["mock"], {"port": "8080"}), "/mock/port"),
    ("tcp length prefix of 3 bytes", with_(["interactions", 0], {"name": "t", "tcp": {"framing": {"length": 3}, "conversation": [{"client": "x"}]}}),
     "/interactions/0/tcp/framing"),
    ("tcp step with no side", with_(["interactions", 0], {"name": "t", "tcp": {"conversation": [{"after": "1s"}]}}), "/interactions/0/tcp/conversation/0"),
    ("tcp hex that is not hex", with_(["interactions", 0], {"name": "t", "tcp": {"conversation": [{"client": {"hex": "zz"}}]}}),
     "/interactions/0/tcp/conversation/0/client"),
    ("tcp until as a list", with_(["interactions", 0], {"name": "t", "tcp": {"framing": {"line": "\r\n"}, "conversation": [
        {"client": "EHLO shop"}, {"server": "250 OK", "until": ["250 OK"]}]}}), "/interactions/0/tcp/conversation/1/until"),
    ("udp without a request", with_(["interactions", 0], {"name": "u", "udp": {"response": "x"}}), "/interactions/0/udp"),
    ("udp retries 50", with_(["interactions", 0], {"name": "u", "udp": {"request": "x", "retries": 50}}), "/interactions/0/udp/retries"),
    ("udp echo range with both to and length", with_(["interactions", 0], {"name": "u", "udp": {
        "request": {"hex": "0102 0304"}, "response": {"hex": "0102 0304"}, "echo": {"from": 0, "to": 2, "length": 2}}}), "/interactions/0/udp/echo"),
    ("udp echo range to \"start\"", with_(["interactions", 0], {"name": "u", "udp": {
        "request": {"hex": "0102 0304"}, "response": {"hex": "0102 0304"}, "echo": {"from": 0, "to": "start"}}}), "/interactions/0/udp/echo"),
    ("udp echo as an empty list", with_(["interactions", 0], {"name": "u", "udp": {
        "request": {"hex": "0102 0304"}, "response": {"hex": "0102 0304"}, "echo": []}}), "/interactions/0/udp/echo"),
    ("blank interaction name", with_(["interactions", 0, "name"], "  "), I0 + "/name"),
    ("interaction without a kind", with_(["interactions", 0, "http"], None), I0),
    ("interaction with two kinds", with_(["interactions", 0, "sse"], {}), I0),
    ("given as a number", with_(["interactions", 0, "given"], 42), I0 + "/given"),
    ("provider state without a name", with_(["interactions", 0, "given"], [{"params": {"id": 1}}]), I0 + "/given/0"),
    ("provider state params as a list", with_(["interactions", 0, "given"], [{"state": "s", "params": [1]}]),
     I0 + "/given/0/params"),
    ("http without response", with_(RES, None), I0 + "/http"),
    ("method with a digit", with_(REQ + ["method"], "G3T"), I0 + "/http/request/method"),
    ("path without leading slash", with_(REQ + ["path"], "orders/42"), I0 + "/http/request/path"),
    ("path with a query string", with_(REQ + ["path"], "/orders?id=42"), I0 + "/http/request/path"),
    ("path as a number", with_(REQ + ["path"], 42), I0 + "/http/request/path"),
    ("$regex path whose example lacks the slash", with_(REQ + ["path"], {"$regex": "^orders/\\d+$", "example": "orders/4"}),
     I0 + "/http/request/path/example"),
    ("path as $integer", with_(REQ + ["path"], {"$integer": 1}), I0 + "/http/request/path"),
    ("status 700", with_(RES + ["status"], 700), I0 + "/http/response/status"),
    ("status 99", with_(RES + ["status"], 99), I0 + "/http/response/status"),
    ("both body and bodyFile", with_(RES + ["bodyFile"], "bodies/created-order.json"), I0 + "/http/response/bodyFile"),
    ("empty bodyFile", with_(RES + ["body"], None, with_(RES + ["bodyFile"], "")), I0 + "/http/response/bodyFile"),
    ("header with an empty list of values", with_(REQ + ["headers"], {"X-Ids": []}), I0 + "/http/request/headers/X-Ids"),
    ("header value null", with_(REQ + ["headers"], {"Accept": None}), I0 + "/http/request/headers/Accept"),
    ("header value $integer (example not a string)", with_(REQ + ["headers"], {"X-Count": {"$integer": 3}}),
     I0 + "/http/request/headers/X-Count"),
    ("header value plain object", with_(REQ + ["headers"], {"X-Obj": {"a": "b"}}), I0 + "/http/request/headers/X-Obj"),
    ("header name with a colon", with_(REQ + ["headers"], {"X:Y": "1"}), I0 + "/http/request/headers"),
    ("empty query parameter name", with_(REQ + ["query"], {"": "1"}), I0 + "/http/request/query"),
    ("query value $type with a number example", with_(REQ + ["query"], {"page": {"$type": 2}}),
     I0 + "/http/request/query/page/$type"),
    ('unknown matcher "$regx"', with_(RES + ["body", "id"], {"$regx": "^\\d+$", "example": "42"}),
     I0 + "/http/response/body/id"),
    ("$regex without example", with_(RES + ["body", "id"], {"$regex": "^\\d+$"}), I0 + "/http/response/body/id"),
    ("$regex example not a string", with_(RES + ["body", "id"], {"$regex": "^\\d+$", "example": 42}),
     I0 + "/http/response/body/id/example"),
    ("two matcher keys", with_(RES + ["body", "id"], {"$type": 1, "$regex": "a", "example": "a"}),
     I0 + "/http/response/body/id"),
    ("matcher mixed with plain keys", with_(RES + ["body"], {"id": 1, "$integer": 2}),
     I0 + "/http/response/body"),
    ('$integer as text', with_(RES + ["body", "id"], {"$integer": "42"}), I0 + "/http/response/body/id/$integer"),
    ("$integer with a fraction", with_(RES + ["body", "id"], {"$integer": 4.5}), I0 + "/http/response/body/id/$integer"),
    ("$decimal as text", with_(RES + ["body", "id"], {"$decimal": "4.5"}), I0 + "/http/response/body/id/$decimal"),
    ("$boolean as text", with_(RES + ["body", "id"], {"$boolean": "yes"}), I0 + "/http/response/body/id/$boolean"),
    ("$null not null", with_(RES + ["body", "id"], {"$null": 0}), I0 + "/http/response/body/id/$null"),
    ("$date with an empty format", with_(RES + ["body", "id"], {"$date": "2025-03-01", "format": ""}),
     I0 + "/http/response/body/id/format"),
    ("$eachLike min -1", with_(RES + ["body", "id"], {"$eachLike": 1, "min": -1}), I0 + "/http/response/body/id/min"),
    ("$eachLike examples as text", with_(RES + ["body", "id"], {"$eachLike": 1, "examples": "2"}),
     I0 + "/http/response/body/id/examples"),
    ("$eachLike unknown modifier", with_(RES + ["body", "id"], {"$eachLike": 1, "minimum": 1}),
     I0 + "/http/response/body/id"),
    ("bad matcher nested in $eachLike", with_(RES + ["body", "id"], {"$eachLike": {"n": {"$regx": "a"}}}),
     I0 + "/http/response/body/id/$eachLike/n"),
    ("bad matcher inside an array", with_(RES + ["body"], [{"$nul": None}]), I0 + "/http/response/body/0"),
    # $type with min/max
    ("$type min as text", with_(RES + ["body", "id"], {"$type": [1], "min": "1"}), I0 + "/http/response/body/id/min"),
    ("$type max -1", with_(RES + ["body", "id"], {"$type": [1], "max": -1}), I0 + "/http/response/body/id/max"),
    ("$type unknown modifier", with_(RES + ["body", "id"], {"$type": [1], "size": 1}), I0 + "/http/response/body/id"),
    # $eachKey
    ("$eachKey without example", with_(RES + ["body", "id"], {"$eachKey": {"$regex": "^[a-z]+$", "example": "ab"}}),
     I0 + "/http/response/body/id"),
    ("$eachKey example not an object", with_(RES + ["body", "id"], {"$eachKey": "a", "example": ["a"]}),
     I0 + "/http/response/body/id/example"),
    ("$eachKey key pattern $integer (not text)", with_(RES + ["body", "id"], {"$eachKey": {"$integer": 1}, "example": {}}),
     I0 + "/http/response/body/id/$eachKey"),
    ("$eachKey key pattern a plain object", with_(RES + ["body", "id"], {"$eachKey": {"a": "b"}, "example": {}}),
     I0 + "/http/response/body/id/$eachKey"),
    # $eachValue
    ("$eachValue example a string", with_(RES + ["body", "id"], {"$eachValue": 1, "example": "1"}),
     I0 + "/http/response/body/id/example"),
    ("bad matcher nested in $eachValue", with_(RES + ["body", "id"], {"$eachValue": {"n": {"$regx": "a"}}}),
     I0 + "/http/response/body/id/$eachValue/n"),
    # $values
    ("$values empty", with_(RES + ["body", "id"], {"$values": {}}), I0 + "/http/response/body/id/$values"),
    ("$values an array", with_(RES + ["body", "id"], {"$values": [1]}), I0 + "/http/response/body/id/$values"),
    ("$values a matcher", with_(RES + ["body", "id"], {"$values": {"$integer": 1}}), I0 + "/http/response/body/id/$values"),
    # $arrayContains
    ("$arrayContains empty", with_(RES + ["body", "id"], {"$arrayContains": []}), I0 + "/http/response/body/id/$arrayContains"),
    ("$arrayContains an object", with_(RES + ["body", "id"], {"$arrayContains": {"sku": "A"}}),
     I0 + "/http/response/body/id/$arrayContains"),
    # $semver
    ("$semver a number", with_(RES + ["body", "id"], {"$semver": 1}), I0 + "/http/response/body/id/$semver"),
    ("$semver example 1.2", with_(RES + ["body", "id"], {"$semver": "1.2"}), I0 + "/http/response/body/id/$semver"),
    ("$semver example v1.2.3", with_(RES + ["body", "id"], {"$semver": "v1.2.3"}), I0 + "/http/response/body/id/$semver"),
    ("$semver example 1.02.3", with_(RES + ["body", "id"], {"$semver": "1.02.3"}), I0 + "/http/response/body/id/$semver"),
    ("$semver as the path", with_(REQ + ["path"], {"$semver": "1.2.3"}), I0 + "/http/request/path/$semver"),
    # $notEmpty
    ('$notEmpty ""', with_(RES + ["body", "id"], {"$notEmpty": ""}), I0 + "/http/response/body/id/$notEmpty"),
    ("$notEmpty []", with_(RES + ["body", "id"], {"$notEmpty": []}), I0 + "/http/response/body/id/$notEmpty"),
    ("$notEmpty {}", with_(RES + ["body", "id"], {"$notEmpty": {}}), I0 + "/http/response/body/id/$notEmpty"),
    ("$notEmpty null", with_(RES + ["body", "id"], {"$notEmpty": None}), I0 + "/http/response/body/id/$notEmpty"),
    ("header value $notEmpty with a number example", with_(REQ + ["headers"], {"X-Count": {"$notEmpty": 5}}),
     I0 + "/http/request/headers/X-Count/$notEmpty"),
    # $and / $or
    ("$and empty", with_(RES + ["body", "id"], {"$and": []}), I0 + "/http/response/body/id/$and"),
    ("$and not an array", with_(RES + ["body", "id"], {"$and": {"$integer": 1}}), I0 + "/http/response/body/id/$and"),
    ("$and with a plain number", with_(RES + ["body", "id"], {"$and": [{"$integer": 1}, 1]}), I0 + "/http/response/body/id/$and/1"),
    ("$or with a plain object", with_(RES + ["body", "id"], {"$or": [{"sku": "A"}, {"$null": None}]}),
     I0 + "/http/response/body/id/$or/0"),
    ("$or with an empty object", with_(RES + ["body", "id"], {"$or": [{}]}), I0 + "/http/response/body/id/$or/0"),
    ("bad matcher nested in $or", with_(RES + ["body", "id"], {"$or": [{"$regx": "a"}]}), I0 + "/http/response/body/id/$or/0"),
    ("header value $or ending in a number matcher", with_(REQ + ["headers"], {"X-Mode": {"$or": [{"$string": "a"}, {"$integer": 1}]}}),
     I0 + "/http/request/headers/X-Mode/$or/1"),
    # $statusCode
    ('$statusCode class "fine"', with_(RES + ["status"], {"$statusCode": "fine"}), I0 + "/http/response/status/$statusCode"),
    ("$statusCode empty list", with_(RES + ["status"], {"$statusCode": []}), I0 + "/http/response/status/$statusCode"),
    ("$statusCode 99", with_(RES + ["status"], {"$statusCode": [200, 99]}), I0 + "/http/response/status/$statusCode"),
    ('$statusCode example "201"', with_(RES + ["status"], {"$statusCode": "success", "example": "201"}),
     I0 + "/http/response/status/example"),
    ("$statusCode example 700", with_(RES + ["status"], {"$statusCode": "serverError", "example": 700}),
     I0 + "/http/response/status/example"),
    ("status object without $statusCode", with_(RES + ["status"], {"example": 404}), I0 + "/http/response/status"),
    ("$statusCode unknown key (the loader warns)", with_(RES + ["status"], {"$statusCode": 404, "examples": 404}),
     I0 + "/http/response/status"),
    ("$statusCode in a body (not a value matcher)", with_(RES + ["body", "id"], {"$statusCode": 200}),
     I0 + "/http/response/body/id"),
    # "generate" (any matcher)
    ("unknown generator", with_(RES + ["body", "id"], {"$integer": 1, "generate": "random"}), I0 + "/http/response/body/id/generate"),
    ("generator object with two keys", with_(RES + ["body", "id"], {"$integer": 1, "generate": {"randomInt": [1, 9], "randomHex": 4}}),
     I0 + "/http/response/body/id/generate"),
    ("generator fromRequest outside the request", with_(RES + ["body", "id"], {"$integer": 1, "generate": {"fromRequest": "/cookies/a"}}),
     I0 + "/http/response/body/id/generate"),
    # multipart
    ("multipart an empty list", upload([]), REQ_P + "/multipart"),
    ("multipart an object", upload({"image": {"bodyFile": "bodies/cup.png"}}), REQ_P + "/multipart"),
    ("multipart part a string", upload(["image"]), REQ_P + "/multipart/0"),
    ("multipart part without a name", upload([{"body": "x"}]), REQ_P + "/multipart/0"),
    ("multipart part name a number", upload([{"name": 1}]), REQ_P + "/multipart/0/name"),
    ("multipart part filename a number", upload([{"name": "image", "filename": 1}]), REQ_P + "/multipart/0/filename"),
    ("multipart part contentType a list", upload([{"name": "image", "contentType": ["image/png"]}]), REQ_P + "/multipart/0/contentType"),
    ("multipart and body", with_(REQ + ["body"], "x", upload([{"name": "a"}])), REQ_P + "/multipart"),
    ("multipart and bodyFile in a response", with_(RES, {"multipart": [{"name": "a"}], "bodyFile": "bodies/note.txt"}), RES_P + "/multipart"),
    ("multipart part with body and bodyFile", upload([{"name": "a", "body": "x", "bodyFile": "bodies/note.txt"}]),
     REQ_P + "/multipart/0/bodyFile"),
    ("multipart part with an empty bodyFile", upload([{"name": "a", "bodyFile": ""}]), REQ_P + "/multipart/0/bodyFile"),
    ("bad matcher in a multipart part body", upload([{"name": "meta", "contentType": "application/json", "body": {"alt": {"$regx": "a"}}}]),
     REQ_P + "/multipart/0/body/alt"),
    ("multipart part with an unknown key (the loader warns)", upload([{"name": "a", "headers": {"X-A": "1"}}]), REQ_P + "/multipart/0"),
    ("form part field with an empty list", upload([{"name": "f", "contentType": "application/x-www-form-urlencoded", "body": {"tag": []}}]),
     REQ_P + "/multipart/0/body/tag"),
    ("form part field a plain object (contentType in any case, with parameters)",
     upload([{"name": "f", "contentType": "Application/X-WWW-Form-Urlencoded; charset=utf-8", "body": {"a": {"b": "c"}}}]),
     REQ_P + "/multipart/0/body/a"),
    # compare
    ('compare "bytes"', file_response(headers={"Content-Type": "image/png"}, bodyFile="bodies/cup.png", compare="bytes"), RES_P + "/compare"),
    ("compare a boolean", file_response(bodyFile="bodies/cup.png", compare=True), RES_P + "/compare"),
    ("compare without bodyFile (lint warns and ignores it)", with_(RES + ["compare"], "contentType"), RES_P),
    ('multipart part compare "sniff"', upload([{"name": "image", "bodyFile": "bodies/cup.png", "compare": "sniff"}]),
     REQ_P + "/multipart/0/compare"),
    # form bodies
    ("form body a number", form_request(42), REQ_P + "/body"),
    ("form body an array", form_request([{"stars": "5"}]), REQ_P + "/body"),
    ("form body null", form_request(None), REQ_P + "/body"),
    ("form field with an empty list", form_request({"tag": []}), REQ_P + "/body/tag"),
    ("form field with an empty name", form_request({"": "5"}), REQ_P + "/body"),
    ("form field value $integer", form_request({"stars": {"$integer": 5}}), REQ_P + "/body/stars"),
    ("form field value a plain object", form_request({"stars": {"min": "1"}}), REQ_P + "/body/stars"),
    ("form field value null", form_request({"stars": None}), REQ_P + "/body/stars"),
    ("form field plain object under content-type with a charset, in any case",
     form_request({"stars": {"min": "1"}}, {"content-type": "Application/X-WWW-Form-Urlencoded; charset=utf-8"}), REQ_P + "/body/stars"),
    ("form field plain object under a $regex Content-Type", form_request({"stars": ["1", {"a": "b"}]}, FORM_REGEX), REQ_P + "/body/stars/1"),
    ("form response body a number", with_(RES, {"headers": FORM, "body": 5}), RES_P + "/body"),
    # server-sent events
    ("sse without events", with_(["interactions", 0], {"name": "s", "sse": {"request": {"path": "/e"}}}), I0 + "/sse"),
    ("sse event without data", with_(["interactions", 0], {"name": "s", "sse": {"request": {"path": "/e"}, "events": [{"id": "1"}]}}),
     I0 + "/sse/events/0"),
    ("sse event id on two lines", with_(["interactions", 0], {"name": "s", "sse": {"request": {"path": "/e"},
                                                                                  "events": [{"id": "1\n2", "data": "x"}]}}),
     I0 + "/sse/events/0/id"),
    ("sse event after not a duration", with_(["interactions", 0], {"name": "s", "sse": {"request": {"path": "/e"},
                                                                                       "events": [{"data": "x", "after": 5}]}}),
     I0 + "/sse/events/0/after"),
    ("sse close not a boolean", with_(["interactions", 0], {"name": "s", "sse": {"request": {"path": "/e"}, "events": [], "close": "no"}}),
     I0 + "/sse/close"),
    # json-rpc
    ("jsonrpc without method", with_(["interactions", 0], {"name": "r", "jsonrpc": {"result": 1}}), I0 + "/jsonrpc"),
    ("jsonrpc reserved method", with_(["interactions", 0], {"name": "r", "jsonrpc": {"method": "rpc.discover", "result": 1}}),
     I0 + "/jsonrpc/method"),
    ("jsonrpc error without message", with_(["interactions", 0], {"name": "r", "jsonrpc": {"method": "m", "error": {"code": 1}}}),
     I0 + "/jsonrpc/error"),
    ("jsonrpc path with a query", with_(["interactions", 0], {"name": "r", "jsonrpc": {"path": "/rpc?x=1", "method": "m", "result": 1}}),
     I0 + "/jsonrpc/path"),
    # messages
    ("message without body", with_(["interactions", 0], {"name": "m", "message": {"metadata": {"topic": "t"}}}), I0 + "/message"),
    ("message metadata not an object", with_(["interactions", 0], {"name": "m", "message": {"body": {"a": 1}, "metadata": ["t"]}}),
     I0 + "/message/metadata"),
    # websocket
    ("websocket step with both sides", with_(["interactions", 0], {"name": "w", "websocket": {"request": {"path": "/w"}, "conversation": [
        {"client": {"text": "a"}, "server": {"text": "b"}}]}}), I0 + "/websocket/conversation/0"),
    ("websocket message with two kinds", with_(["interactions", 0], {"name": "w", "websocket": {"request": {"path": "/w"}, "conversation": [
        {"client": {"text": "a", "json": {}}}]}}), I0 + "/websocket/conversation/0/client"),
    ("websocket binary not base64", with_(["interactions", 0], {"name": "w", "websocket": {"request": {"path": "/w"}, "conversation": [
        {"server": {"binary": 5}}]}}), I0 + "/websocket/conversation/0/server/binary"),
    ("websocket close code out of range", with_(["interactions", 0], {"name": "w", "websocket": {"request": {"path": "/w"}, "conversation": [
        {"server": {"close": {"code": 999}}}]}}), I0 + "/websocket/conversation/0/server/close/code"),
    ("websocket without conversation", with_(["interactions", 0], {"name": "w", "websocket": {"request": {"path": "/w"}}}), I0 + "/websocket"),
    # long polling
    ("longPoll without hold", with_(["interactions", 0], {"name": "p", "longPoll": {"request": {"path": "/p"}, "response": {}}}), I0 + "/longPoll"),
    ("longPoll hold a number", with_(["interactions", 0], {"name": "p", "longPoll": {"request": {"path": "/p"}, "response": {}, "hold": 5}}),
     I0 + "/longPoll/hold"),
    ("longPoll hold with both until and untilCalled", with_(["interactions", 0], {"name": "p", "longPoll": {
        "request": {"path": "/p"}, "response": {}, "hold": {"until": "a", "untilCalled": "b"}}}), I0 + "/longPoll/hold"),
    ("longPoll timeout not a duration", with_(["interactions", 0], {"name": "p", "longPoll": {
        "request": {"path": "/p"}, "response": {}, "hold": {"until": "a"}, "timeout": "soon"}}), I0 + "/longPoll/timeout"),
    # callbacks
    ("callbacks an object", with_(CB, {"request": {"url": "http://x.test/h"}}), I0 + "/callbacks"),
    ("callback without request", with_(CB, [{"name": "c"}]), I0 + "/callbacks/0"),
    ("callback request without url", with_(CB, [{"request": {"method": "POST"}}]), I0 + "/callbacks/0/request"),
    ("callback url an array", with_(CB, [{"request": {"url": ["http://x.test/h"]}}]), I0 + "/callbacks/0/request/url"),
    ("callback with a path instead of a url (the loader warns)", with_(CB, [{"request": {"url": "http://x.test/h", "path": "/h"}}]),
     I0 + "/callbacks/0/request"),
    ("callback after not a duration", with_(CB, [{"after": 100, "request": {"url": "http://x.test/h"}}]), I0 + "/callbacks/0/after"),
]

KNOWN_GOOD = [
    ("minimal contract with no interactions", {"treaty": 1, "consumer": "a", "provider": "b", "interactions": []}),
    ("everything optional left out", with_(REQ + ["method"], None, with_(RES, {}))),
    ("given as one string", with_(["interactions", 0, "given"], "order 42 exists")),
    ("given with strings and objects", with_(["interactions", 0, "given"],
                                             ["a", {"state": "b"}, {"state": "c", "params": {"id": 1, "x": [1]}}])),
    ("lower-case and extension methods", with_(REQ + ["method"], "purge-cache")),
    ("headers: numbers, lists, nested matchers", with_(REQ + ["headers"], {
        "X-Count": 3, "X-Flag": True, "X-Ids": ["1", {"$regex": "^\\d+$", "example": "2"}],
        "X-Id": {"$type": {"$regex": "^[a-f0-9]+$", "example": "beef"}}, "Accept": {"$equals": "application/json"},
        "If-Modified-Since": {"$datetime": "Wed, 21 Oct 2015 07:28:00 GMT", "format": "EEE, dd MMM yyyy HH:mm:ss zzz"}})),
    ("query: repeated values and matchers", with_(REQ + ["query"], {
        "tag": ["kitchen", "sale"], "page": {"$regex": "^\\d+$", "example": "1"}, "q": {"$include": "cup"}, "n": 5})),
    ("path matchers", with_(REQ + ["path"], {"$type": {"$regex": "^/orders/\\d+$", "example": "/orders/1"}})),
    ("text body with a matcher", with_(RES, {"headers": {"Content-Type": "text/plain"}, "body": {"$include": "paid"}})),
    ("literal $ keys through $equals", with_(RES + ["body"], {"schema": {"$equals": {"$ref": "#/x", "$id": 1}}})),
    ("every matcher", with_(RES + ["body"], {
        "a": {"$equals": [1, {"$x": 2}]}, "b": {"$type": {"k": [1, {"$integer": 2}]}},
        "c": {"$regex": "^a+$", "example": "aa"}, "d": {"$integer": -7}, "e": {"$decimal": 1.0}, "f": {"$decimal": 1e3},
        "g": {"$number": 3}, "h": {"$boolean": False}, "i": {"$string": ""}, "j": {"$null": None},
        "k": {"$date": "01.03.2025", "format": "dd.MM.yyyy"}, "l": {"$time": "09:00"}, "m": {"$datetime": "2026-11-20T10:15:00Z"},
        "n": {"$eachLike": {"id": {"$integer": 1}}, "min": 0, "max": 3, "examples": 2}, "o": {"$include": "x"},
        "p": None, "q": [True, 1.5, "s", {}], "r": {}})),
    ("$type with min and max", with_(RES + ["body"], {
        "tags": {"$type": ["kitchen"], "min": 1, "max": 5}, "name": {"$type": "cup", "max": 40}, "attrs": {"$type": {}, "min": 0}})),
    ("new matchers in a body", with_(RES + ["body"], {
        "a": {"$eachKey": {"$regex": "^[a-z]{2}$", "example": "en"}, "example": {"en": "cup", "de": "Tasse"}},
        "a2": {"$eachKey": "only", "example": {"only": [1]}},
        "b": {"$eachValue": {"$integer": 3}, "example": {"ABC-1": 3, "XYZ-9": 1}},
        "b2": {"$eachValue": {"sku": "A"}}, "b3": {"$eachValue": "x", "example": ["a", "b"]},
        "c": {"$values": {"total": {"$integer": 3}, "note": "x"}},
        "d": {"$arrayContains": [{"sku": "ABC-1"}, {"$integer": 2}]},
        "e": {"$semver": "2.0.0-rc.1+build.5"}, "e2": {"$semver": "0.0.0"},
        "f": {"$notEmpty": "ABC"}, "f2": {"$notEmpty": [1]}, "f3": {"$notEmpty": {"a": 1}}, "f4": {"$notEmpty": 0},
        "g": {"$and": [{"$include": "-"}, {"$regex": "^[A-Z]+-\\d+$", "example": "ABC-1"}]},
        "h": {"$or": [{"$null": None}, {"$integer": 1}]},
        "i": {"$and": [{"$eachKey": {"$regex": "^[a-z]+$", "example": "a"}, "example": {"a": 1}},
                       {"$eachValue": {"$integer": 1}, "example": {"a": 1}}]},
        "j": {"$or": [{"$equals": [1, 2]}, {"$eachLike": 1, "min": 0}]},
        "k": {"$or": [{"$and": [{"$string": "x"}, {"$notEmpty": "x"}]}, {"$semver": "1.0.0"}]}})),
    ("new matchers where text is expected", with_(REQ, {
        "method": "GET", "path": {"$and": [{"$include": "orders"}, {"$regex": "^/orders/\\d+$", "example": "/orders/1"}]},
        "query": {"v": {"$semver": "1.2.3"}, "q": {"$notEmpty": {"$string": "cup"}}},
        "headers": {"X-Version": {"$semver": "1.0.0"}, "X-Id": {"$notEmpty": "abc"},
                    "X-Mode": {"$or": [{"$equals": "fast"}, {"$regex": "^slow-\\d+$", "example": "slow-1"}]},
                    "X-Key": {"$and": [{"$include": "k"}, {"$string": "key"}]}}})),
    ("$notEmpty path", with_(REQ + ["path"], {"$notEmpty": "/orders/1"})),
    ("$eachKey with a number as the key pattern", with_(RES + ["body"], {"$eachKey": 7, "example": {"7": True}})),
    ("$statusCode: a class with an example", with_(RES + ["status"], {"$statusCode": "success", "example": 201})),
    ("$statusCode: classes and codes", with_(RES + ["status"], {"$statusCode": ["clientError", 503], "example": 404})),
    ("$statusCode: one code, default example", with_(RES + ["status"], {"$statusCode": 204})),
    ("$statusCode: nonError, default example 200", with_(RES + ["status"], {"$statusCode": "nonError"})),
    ("$statusCode: a list of classes, default example", with_(RES + ["status"], {"$statusCode": ["redirect", "error"]})),
    ("generators", with_(RES + ["body"], {
        "id": {"$integer": 43, "generate": {"randomInt": [100, 999]}}, "at": {"$datetime": "2026-11-25T10:00:00Z", "generate": {"now": "+1d"}},
        "uuid": {"$regex": "^[0-9a-f-]{36}$", "example": "3f2b6c1e-8d4a-4f3b-9a61-2c7e5d9b0a14", "generate": "uuid"},
        "echo": {"$integer": 42, "generate": {"fromRequest": "/path/1"}}, "hex": {"$string": "ab", "generate": {"randomHex": 8}}})),
    ("XML response body", with_(RES, {"headers": {"Content-Type": "application/xml"},
                                       "body": '<order xmlns="urn:shop" id="42"><item sku="A">cup</item><item sku="B"/></order>'})),
    ("tcp conversation: RESP lines, a greeting-free script with timing",
     with_(["interactions", 0], {"name": "ping", "tcp": {"framing": {"line": "\r\n"}, "conversation": [
         {"client": "*1\r\n$4\r\nPING"}, {"server": {"text": {"$regex": "^\\+PONG$", "example": "+PONG"}}, "after": "5ms", "within": "1s"}]}})),
    ("tcp conversation: length-prefixed bytes with a mask and a prefix",
     with_(["interactions", 0], {"name": "bin", "tcp": {"framing": {"length": 2, "endian": "little"}, "maxMessageBytes": 4096, "conversation": [
         {"client": {"hex": "01 02 03", "mask": "ff 00 ff"}}, {"server": {"base64": "AQI=", "match": "prefix"}}]}})),
    ("tcp conversation: SMTP replies of any number of lines, read until a line starts with a code and a space",
     with_(["interactions", 0], {"name": "ehlo", "tcp": {"framing": {"line": "\r\n"}, "conversation": [
         {"server": {"text": {"$regex": "220 .*", "example": "220 mail.example ESMTP"}}},
         {"client": "EHLO shop"},
         {"server": {"text": {"$regex": "250[ -][\\s\\S]*", "example": "250-mail.example\r\n250-8BITMIME\r\n250 HELP"}}, "until": {"$regex": "\\d{3}( .*)?", "example": "250 HELP"}},
         {"client": "DATA"}, {"server": "354 go on"},
         {"client": {"text": {"$regex": "Subject: [\\s\\S]*", "example": "Subject: hi\r\n\r\nhello\r\n."}}, "until": "."}]}})),
    ("tcp conversation: fixed and idle framings",
     with_(["interactions", 0], {"name": "idle", "tcp": {"framing": {"idle": "20ms"}, "conversation": [{"client": "HELLO"}, {"server": "HI"}]}})),
    ("udp exchange with echo, timeout, retries and several responses",
     with_(["interactions", 0], {"name": "dns", "udp": {"request": {"hex": "1234 0100", "mask": "0000 ffff"},
                                                        "responses": [{"hex": "1234 8180"}, {"base64": "EjQA"}], "echo": 2, "timeout": "200ms", "retries": 1}})),
    ("udp exchange echoing the id and the question (DNS 0x20) but not the flags",
     with_(["interactions", 0], {"name": "dns", "udp": {"request": {"hex": "1234 0100 0001 0000 0000 0000 0161 0000 0100 01"},
                                                        "response": {"hex": "1234 8180 0001 0000 0000 0000 0161 0000 0100 01"},
                                                        "echo": [{"from": 0, "length": 2}, {"from": 12, "to": "end"}]}})),
    ("udp exchange echoing a range with an end offset", with_(["interactions", 0], {"name": "r", "udp": {
        "request": {"hex": "0102 0304"}, "response": {"hex": "0000 0000"}, "echo": {"from": 1, "to": 3}}})),
    # multipart
    ("multipart request: JSON, file, text, JSON file, bytes, form, XML and bodiless parts", upload([
        {"name": "meta", "contentType": "application/json", "body": {"alt": {"$string": "An espresso cup"}}},
        {"name": "image", "filename": "cup.png", "contentType": "image/png", "bodyFile": "bodies/cup.png", "compare": "contentType"},
        {"name": "note", "body": {"$include": "cup"}},
        {"name": "details", "bodyFile": "bodies/meta.json"},
        {"name": "raw", "filename": "note.txt", "bodyFile": "bodies/note.txt", "compare": "exact"},
        {"name": "fields", "contentType": "application/x-www-form-urlencoded", "body": {"$size": "1", "tag": ["a", "b"]}},
        {"name": "doc", "contentType": "application/xml", "body": '<a x="1"/>'},
        {"name": "anything"}], headers={"Content-Type": "multipart/form-data"})),
    ("multipart response", with_(RES, {"status": 200, "multipart": [
        {"name": "a", "body": "x"}, {"name": "b", "contentType": "image/png", "bodyFile": "bodies/cup.png", "compare": "contentType"}]})),
    # compare
    ("compare contentType: a PNG file under image/png", file_response(headers={"Content-Type": "image/png"}, bodyFile="bodies/cup.png",
                                                                      compare="contentType")),
    ("compare contentType without a Content-Type (the file's own type)", file_response(bodyFile="bodies/cup.png", compare="contentType")),
    ("compare contentType: +json and text/* types", with_(
        RES, {"status": 200, "headers": {"Content-Type": "text/csv"}, "bodyFile": "bodies/note.txt", "compare": "contentType"},
        with_(REQ, {"method": "POST", "path": "/problems", "headers": {"Content-Type": "application/problem+json"},
                    "bodyFile": "bodies/meta.json", "compare": "contentType"}))),
    ("compare exact on a JSON file (still a pattern)", file_response(headers={"Content-Type": "application/json"},
                                                                      bodyFile="bodies/meta.json", compare="exact")),
    ("compare contentType: a PNG file under image/jpeg (the schema cannot see files; treaty lint rejects it)",
     file_response(headers={"Content-Type": "image/jpeg"}, bodyFile="bodies/cup.png", compare="contentType")),
    # form bodies
    ("form body as a string", form_request("stars=5&comment=Lovely+cup&tag=a&tag=b")),
    ("form body: matchers, lists, numbers and $ field names", form_request({
        "stars": {"$regex": "^[1-5]$", "example": "5"}, "comment": {"$string": "Lovely cup"},
        "tag": ["kitchen", {"$include": "sale"}], "count": 3, "gift": False, "$ref": "#/x"})),
    ("form body under content-type with a charset, in any case",
     form_request({"$x": "1"}, {"content-type": "Application/X-WWW-Form-Urlencoded; charset=utf-8"})),
    ("form body under a $regex Content-Type", form_request({"$x": ["1", "2"]}, FORM_REGEX)),
    ("form response body, an empty string", with_(RES, {"headers": FORM, "body": ""})),
    ("sse stream with text and JSON events, matchers, timing", with_(["interactions", 0], {"name": "s", "sse": {
        "request": {"path": "/orders/1/events", "headers": {"Accept": "text/event-stream"}},
        "response": {"status": 200, "headers": {"Cache-Control": "no-cache"}},
        "events": [{"event": "status", "id": "1", "data": {"status": {"$regex": "^(paid|shipped)$", "example": "paid"}}, "after": "10ms",
                    "within": "1s"},
                   {"data": "two\nlines", "retry": 3000}, {"data": {"$integer": 3}}],
        "close": False}})),
    ("jsonrpc calls: result, error, notification", {"treaty": 1, "consumer": "c", "provider": "p", "interactions": [
        {"name": "a", "jsonrpc": {"method": "sum", "params": [1, {"$integer": 2}], "result": {"$integer": 3}}},
        {"name": "b", "jsonrpc": {"path": "/api", "method": "fail", "params": {"x": 1},
                                  "error": {"code": -32000, "message": {"$regex": "^boom", "example": "boom"}, "data": {"why": "x"}}}},
        {"name": "c", "jsonrpc": {"method": "log", "params": {"line": "x"}, "notification": True}}]}),
    ("message with matchers, content type and metadata", with_(["interactions", 0], {"name": "m", "message": {
        "contentType": "application/json", "metadata": {"topic": "orders", "key": {"$regex": "^o-\\d+$", "example": "o-1"}},
        "body": {"event": "shipped", "at": {"$datetime": "2026-01-01T00:00:00Z", "generate": "now"}}}})),
    ("websocket conversation with every message", with_(["interactions", 0], {"name": "w", "websocket": {
        "request": {"path": "/w", "headers": {"Authorization": "Bearer x"}}, "subprotocol": "orders.v1", "conversation": [
            {"server": {"json": {"type": "hello"}}}, {"client": {"text": {"$regex": "^sub .+$", "example": "sub a"}}, "within": "1s"},
            {"server": {"binary": "AAEC"}, "after": "10ms"}, {"client": {"ping": "hi"}}, {"server": {"ping": "you?"}},
            {"client": {"close": {"code": 1000, "reason": "bye"}}}]}})),
    ("longPoll with every hold", {"treaty": 1, "consumer": "c", "provider": "p", "interactions": [
        {"name": "timed", "longPoll": {"request": {"path": "/a"}, "hold": "300ms", "response": {"status": 200, "body": {"ok": True}}}},
        {"name": "triggered", "longPoll": {"request": {"path": "/b"}, "hold": {"until": "scan"}, "timeout": "5s",
                                           "response": {"status": 200}, "timeoutResponse": {"status": 304}}},
        {"name": "released", "longPoll": {"request": {"path": "/c"}, "hold": {"untilCalled": "release"}, "response": {"status": 200}}},
        {"name": "release", "http": {"request": {"method": "POST", "path": "/r"}, "response": {"status": 204}}}]}),
    ("callbacks with generators from the request", with_(CB, [
        {"name": "settled", "after": "100ms", "request": {
            "method": "PUT", "url": {"$regex": "^https?://.+$", "example": "http://127.0.0.1:9/h", "generate": {"fromRequest": "/body/cb"}},
            "headers": {"X-Id": {"$string": "1", "generate": {"fromRequest": "/path/1"}}},
            "body": {"id": {"$integer": 42, "generate": {"fromRequest": "/path/1"}}, "event": "done"}}},
        {"request": {"url": "https://hooks.example.test/x", "headers": {"Content-Type": "text/plain"}, "body": "done"}}])),
]


# What `treaty lint` says about a known document, where it is not the default (known-bad: "error",
# known-good: "clean"). The schema is stricter than the loader about unknown keys (lint warns) and
# about "compare" without "bodyFile" (lint warns and ignores it), and cannot see whether a body file looks like its type (lint checks it).
LINT_EXPECTED = {
    "unknown top-level key (the loader warns)": "warning",
    "$statusCode unknown key (the loader warns)": "warning",
    "multipart part with an unknown key (the loader warns)": "warning",
    "callback with a path instead of a url (the loader warns)": "warning",
    "compare without bodyFile (lint warns and ignores it)": "warning",
    "compare contentType: a PNG file under image/jpeg (the schema cannot see files; treaty lint rejects it)": "error",
}


def is_pact(document) -> bool:
    """A Pact file, as treaty detects one: consumer/provider objects and interactions or messages, no "treaty" key."""
    if not isinstance(document, dict) or "treaty" in document:
        return False
    parties = isinstance(document.get("consumer"), dict) or isinstance(document.get("provider"), dict)
    return parties and ("interactions" in document or "messages" in document)


def lint_outcome(treaty: str, document, folder: Path, index: int) -> tuple[str, str]:
    """("error" | "warning" | "clean", first diagnostic) for `treaty lint` on the document."""
    path = folder / f"known-{index}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    run = subprocess.run([treaty, "lint", str(path), "--root", str(folder)], capture_output=True, text=True, timeout=60)
    lines = [line for line in (run.stderr + run.stdout).splitlines() if ": error: " in line or ": warning: " in line]
    first = lines[0].split(": ", 1)[-1] if lines else ""
    if run.returncode not in (0, 1):
        return f"exit {run.returncode}", (run.stderr.strip().splitlines() or [""])[-1]
    if any(": error: " in line for line in lines):
        return ("error" if run.returncode == 1 else "error with exit 0"), first
    if run.returncode == 1:
        return "exit 1 without an error", first
    return ("warning" if lines else "clean"), first


def check_lint(treaty: str, tally: Tally) -> None:
    cases = [(name, document, "error") for name, document, _ in KNOWN_BAD] + [(name, document, "clean") for name, document in KNOWN_GOOD]
    with tempfile.TemporaryDirectory(prefix="treaty-known-") as folder:
        for name, content in LINT_FILES.items():
            (Path(folder) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(folder) / name).write_bytes(content)
        for index, (name, document, default) in enumerate(cases):
            expected = LINT_EXPECTED.get(name, default)
            try:
                outcome, first = lint_outcome(treaty, document, Path(folder), index)
            except (OSError, subprocess.TimeoutExpired) as error:
                tally.fail([f"FAIL treaty lint on {name!r}: {error}"])
                continue
            if outcome == expected:
                tally.ok(f"treaty lint agrees: {name} ({outcome})")
            else:
                tally.fail([f"FAIL treaty lint disagrees on {name!r}: expected {expected}, got {outcome}" + (f" ({first})" if first else "")])


def main() -> int:
    arguments = argparse.ArgumentParser(description="Validate Treaty contracts against the JSON Schema.")
    arguments.add_argument("paths", nargs="*", help="contract files or folders (default: Contracts/)")
    arguments.add_argument("--lint", metavar="TREATY", help="a treaty binary: also check that `treaty lint` agrees on the known documents")
    options = arguments.parse_args()
    tally = Tally()
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))

    try:
        Draft202012Validator.check_schema(schema)
        tally.ok(f"{rel(SCHEMA_PATH)} is a valid draft 2020-12 schema")
    except Exception as error:  # SchemaError, or anything unexpected
        tally.fail([f"FAIL {rel(SCHEMA_PATH)}: not a valid schema: {error}"])
        print(f"{tally.passed} passed, {tally.failed} failed")
        return 1

    validator = Draft202012Validator(schema)
    pattern_validator = Draft202012Validator({
        "$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/pattern"})

    # Like treaty: files named on the command line are contracts; in folders (default Contracts/),
    # *.json files with a top-level "treaty" key are contracts and other parseable JSON is data.
    candidates: list[tuple[Path, bool]] = []
    for argument in options.paths or [str(CONTRACTS)]:
        root = Path(argument).resolve()
        if root.is_dir():
            candidates += [(p, False) for p in sorted(root.rglob("*.json"))]
        else:
            candidates.append((root, True))

    contracts = 0
    for path, named in candidates:
        try:
            document = strict_load(path)
        except OSError as error:
            tally.fail([f"FAIL {rel(path)}: cannot read: {error.strerror}"])
            continue
        except (ValueError, UnicodeDecodeError) as error:
            # Treaty reports unparseable JSON in contract folders; so do we.
            tally.fail([f"FAIL {rel(path)}: (root): not valid JSON: {error}"])
            continue
        if is_pact(document):
            if named:
                print(f"skip {rel(path)}: a Pact file (the schema describes Treaty contracts)")
            continue
        if not named and not (isinstance(document, dict) and "treaty" in document):
            continue  # data, such as a bodyFile target
        contracts += 1
        validate_file(validator, path, document, tally)
        for reference, target in json_body_files(path, document):
            label = f" (bodyFile \"{reference}\" of {rel(path)})"
            try:
                body = strict_load(target)
            except FileNotFoundError:
                tally.fail([f"FAIL {rel(target)}{label}: not found"])
                continue
            except (ValueError, UnicodeDecodeError) as error:
                tally.fail([f"FAIL {rel(target)}{label}: not valid JSON: {error}"])
                continue
            validate_file(pattern_validator, target, body, tally, label)
    if contracts == 0:
        tally.fail([f"FAIL no contracts found in {', '.join(options.paths) or rel(CONTRACTS)}"])

    for name, document, expected in KNOWN_BAD:
        errors = list(validator.iter_errors(document))
        pointers = sorted({pointer(e.absolute_path) for e in errors})
        if not errors:
            tally.fail([f"FAIL known-bad document accepted: {name}"])
        elif expected not in pointers:
            tally.fail([f"FAIL known-bad document {name!r} rejected, but not at {shown(expected)}; errors at: "
                        + ", ".join(shown(p) for p in pointers)])
        else:
            tally.ok(f"rejects {name} (at {shown(expected)})")

    for name, document in KNOWN_GOOD:
        errors = sorted(validator.iter_errors(document), key=lambda e: pointer(e.absolute_path))
        if errors:
            tally.fail([f"FAIL known-good document rejected: {name}"]
                       + [f"  {shown(pointer(e.absolute_path))}: {describe(e)}" for e in errors])
        else:
            tally.ok(f"accepts {name}")

    if options.lint:
        check_lint(options.lint, tally)

    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
