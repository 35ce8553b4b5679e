"""Writes the benchmark contracts: the same catalogue API with 1 and with N interactions, as Treaty
contracts and as Pact V3 files (for the Pact stub server in the same run)."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def interaction(i: int) -> tuple[dict, dict]:
    body = {"id": i, "name": f"item {i}", "price": 9.5, "tags": ["a", "b"]}
    treaty = {
        "name": f"get item {i}",
        "http": {
            "request": {"method": "GET", "path": f"/items/{i}"},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                         "body": {"id": {"$integer": i}, "name": {"$string": f"item {i}"}, "price": {"$decimal": 9.5},
                                  "tags": {"$eachLike": "a", "examples": 2}}},
        },
    }
    pact = {
        "description": f"get item {i}",
        "request": {"method": "GET", "path": f"/items/{i}"},
        "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": body,
                     "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]},
                                                "$.name": {"matchers": [{"match": "type"}]},
                                                "$.tags": {"matchers": [{"match": "type", "min": 1}]}}}},
    }
    return treaty, pact


def write(out: Path, count: int) -> None:
    pairs = [interaction(i) for i in range(count)]
    treaty = {"treaty": 1, "consumer": "bench", "provider": f"items-{count}", "interactions": [t for t, _ in pairs]}
    pact = {"consumer": {"name": "bench"}, "provider": {"name": f"items-{count}"}, "interactions": [p for _, p in pairs],
            "metadata": {"pactSpecification": {"version": "3.0.0"}}}
    (out / f"treaty-{count}.json").write_text(json.dumps(treaty))
    (out / f"pact-{count}.json").write_text(json.dumps(pact))
    # wrk script spreading requests over every path of the contract.
    (out / f"paths-{count}.lua").write_text(
        f'local n = {count}\nrequest = function()\n  return wrk.format("GET", "/items/" .. math.random(0, n - 1))\nend\n')


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for count in map(int, sys.argv[2:]):
        write(out, count)
