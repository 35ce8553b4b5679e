#!/usr/bin/env python3
"""Validates Treaty contracts against Schemas/treaty-contract-v1.schema.json with an independent
JSON Schema implementation (python-jsonschema, draft 2020-12).

Checks, each counted as one pass or failure:
  * the schema itself is a valid draft 2020-12 schema (check_schema);
  * every contract under Contracts/ (recursively: *.json files whose top level is an object with a
    "treaty" key; other JSON files are data, such as bodyFile targets) is valid;
  * every JSON bodyFile a contract reads as a pattern is a valid pattern (matchers included);
  * known-bad documents are rejected, at the expected JSON pointer, so the check cannot pass
    vacuously; known-good documents are accepted.

Prints one line per check and ends with "N passed, M failed"; exits 1 on any failure.
Run from anywhere: python3 Tests/interop/validate_contracts.py [CONTRACT-FILE-OR-FOLDER...]
(default: the repository's Contracts/ folder).
"""

from __future__ import annotations

import copy
import json
import sys
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
    """bodyFile targets the loader parses as JSON patterns (declared JSON, or no Content-Type and a .json name)."""
    for interaction in contract.get("interactions") or []:
        if not isinstance(interaction, dict) or not isinstance(interaction.get("http"), dict):
            continue
        for side in ("request", "response"):
            message = interaction["http"].get(side)
            if not isinstance(message, dict) or not isinstance(message.get("bodyFile"), str):
                continue
            headers = message.get("headers") if isinstance(message.get("headers"), dict) else {}
            content_type = next((example_text(v) for k, v in headers.items() if k.lower() == "content-type"), None)
            reference = message["bodyFile"]
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
    ("matcher mixed with plain keys (the loader warns and drops them)", with_(RES + ["body"], {"id": 1, "$integer": 2}),
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
    ("reserved kind (the schema allows it; treaty lint says 'not supported yet')",
     with_(["interactions", 0], {"name": "stream", "sse": {"anything": True}})),
]


def main() -> int:
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
    for argument in sys.argv[1:] or [str(CONTRACTS)]:
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
        tally.fail([f"FAIL no contracts found in {', '.join(sys.argv[1:]) or rel(CONTRACTS)}"])

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

    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
