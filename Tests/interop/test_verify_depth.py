"""`treaty verify` for CI pipelines: every failure class from a real misbehaving server on loopback and
where it lands in JUnit; provider-state values injected into requests; TLS options; selection, shards
and --only-failed; the JSON and HTML reports; concurrency."""
from __future__ import annotations

import json
import re
import socket
import threading
import time
from pathlib import Path

import jsonschema
import junitparser
from flask import Flask, Response, jsonify, request

from conftest import ROOT, Provider, run_treaty, start_mock
from test_verify import assert_valid_junit

REPORT_SCHEMA = json.loads((ROOT / "Schemas" / "treaty-verify-report-v1.schema.json").read_text())


def write_contract(folder: Path, name: str, interactions: list[dict], provider: str = "p", consumer: str = "c") -> Path:
    path = folder / name
    path.write_text(json.dumps({"treaty": 1, "consumer": consumer, "provider": provider, "interactions": interactions}))
    return path


def ok(name: str, path: str, **extra) -> dict:
    return {"name": name, **extra, "http": {"request": {"path": path}, "response": {"status": 200, "body": {"ok": True}}}}


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def junit_outcomes(path: Path) -> dict[str, tuple[str, str]]:
    """name -> (element, type) for every test case: ("pass", ""), ("failure", rule) or ("error", kind)."""
    out = {}
    for suite in assert_valid_junit(path):
        for case in suite:
            if not case.result:
                out[case.name] = ("pass", "")
            elif isinstance(case.result[0], junitparser.Error):
                out[case.name] = ("error", case.result[0].type or "")
            elif isinstance(case.result[0], junitparser.Failure):
                out[case.name] = ("failure", case.result[0].type or "")
            else:
                out[case.name] = ("skipped", "")
    return out


def test_every_failure_class_from_a_misbehaving_mock_lands_in_the_right_junit_element(tmp_path):
    # The provider: treaty mock playing a broken service (faults, delays, wrong answers).
    served = write_contract(tmp_path, "broken.json", [
        ok("answers", "/ok"),
        {"name": "wrong status", "http": {"request": {"path": "/status"}, "response": {"status": 500, "body": {"ok": True}}}},
        {"name": "wrong body", "http": {"request": {"path": "/body"}, "response": {"status": 200, "body": {"ok": "yes"}}}},
        ok("reset", "/reset", mock={"fault": "reset"}),
        ok("empty", "/empty", mock={"fault": "empty"}),
        ok("malformed", "/malformed", mock={"fault": "malformed"}),
        ok("slow", "/slow", mock={"delay": "3s"}),
    ], provider="broken")
    expected = write_contract(tmp_path, "expected.json", [
        ok("answers", "/ok"), ok("wrong status", "/status"), ok("wrong body", "/body"), ok("reset", "/reset"),
        ok("empty", "/empty"), ok("malformed", "/malformed"), ok("slow", "/slow"),
    ], provider="broken")
    running = start_mock(str(served), "--port", "0", "--root", str(tmp_path))
    try:
        result = run_treaty("verify", str(expected), "--root", str(tmp_path), "--base-url", running.urls["broken"],
                            "--timeout", "1", "--concurrency", "4", "--junit", str(tmp_path / "junit.xml"),
                            "--json", str(tmp_path / "report.json"), "--html", str(tmp_path / "report.html"))
    finally:
        running.stop()
    assert result.returncode == 1, result.stdout + result.stderr
    outcomes = junit_outcomes(tmp_path / "junit.xml")
    assert outcomes == {
        "answers": ("pass", ""),
        "wrong status": ("failure", "mismatch"),
        "wrong body": ("failure", "mismatch"),
        "reset": ("error", "connection-reset"),
        "empty": ("error", "empty-response"),
        "malformed": ("error", "malformed-response"),
        "slow": ("error", "timeout"),
    }, outcomes
    # Each error says what to check.
    for advice in ["closed the connection mid-exchange", "closed the connection without answering", "not valid HTTP",
                   "did not answer in time"]:
        assert advice in result.stdout, advice
    # Console: in contract order, with the summary table.
    names = re.findall(r"^  (?:PASS|FAIL|ERROR)\s+(\S.*?) \(\d+ ms\)$", result.stdout, re.M)
    assert names == ["answers", "wrong status", "wrong body", "reset", "empty", "malformed", "slow"], result.stdout
    assert re.search(r"expected\.json\s+c → broken\s+1\s+2\s+4\s+0", result.stdout), result.stdout
    # JSON report: valid against its schema, same verdicts.
    report = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(report, REPORT_SCHEMA)
    cases = {c["name"]: c for c in report["suites"][0]["cases"]}
    assert cases["reset"]["outcome"] == "error" and cases["reset"]["errorKind"] == "connection-reset"
    assert cases["wrong status"]["mismatches"][0]["path"] == "$.status"
    assert report["totals"] == {"tests": 7, "passed": 1, "failed": 2, "errors": 4, "skipped": 0}
    html = (tmp_path / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "wrong body" in html and "connection-reset" in html

    # --only-failed re-runs exactly the failures and errors of that report (here against a healthy mock).
    healthy = start_mock(str(expected), "--port", "0", "--root", str(tmp_path))
    try:
        rerun = run_treaty("verify", str(expected), "--root", str(tmp_path), "--base-url", healthy.urls["broken"],
                           "--only-failed", str(tmp_path / "report.json"), "--json", str(tmp_path / "rerun.json"))
    finally:
        healthy.stop()
    assert rerun.returncode == 0, rerun.stdout
    rerun_names = [c["name"] for c in json.loads((tmp_path / "rerun.json").read_text())["suites"][0]["cases"]]
    assert rerun_names == ["wrong status", "wrong body", "reset", "empty", "malformed", "slow"]


def test_connection_refused_and_name_resolution_are_errors(tmp_path):
    contract = write_contract(tmp_path, "c.json", [ok("one", "/x")])
    refused = run_treaty("verify", str(contract), "--root", str(tmp_path), "--base-url", f"http://127.0.0.1:{closed_port()}",
                         "--junit", str(tmp_path / "refused.xml"))
    assert refused.returncode == 1 and "Is the provider running" in refused.stdout
    assert junit_outcomes(tmp_path / "refused.xml") == {"one": ("error", "connection-refused")}
    unknown = run_treaty("verify", str(contract), "--root", str(tmp_path), "--base-url", "http://no-such-host.invalid:8080",
                         "--timeout", "10", "--junit", str(tmp_path / "dns.xml"))
    assert unknown.returncode == 1 and "Check the host name" in unknown.stdout
    assert junit_outcomes(tmp_path / "dns.xml") == {"one": ("error", "name-resolution")}


def test_tls_options_against_a_self_signed_mock(tmp_path):
    running = start_mock("Contracts/web-shop--catalog.json", "--port", "0", "--tls-self-signed")
    try:
        base = running.urls["catalog"]
        untrusted = run_treaty("verify", "Contracts/web-shop--catalog.json", "--base-url", base, "--junit", str(tmp_path / "tls.xml"))
        assert untrusted.returncode == 1
        assert set(junit_outcomes(tmp_path / "tls.xml").values()) == {("error", "tls")}
        assert "Check the provider's certificate" in untrusted.stdout
        trusted = run_treaty("verify", "Contracts/web-shop--catalog.json", "--base-url", base, "--cacert", running.certificate)
        assert trusted.returncode == 0, trusted.stdout
        insecure = run_treaty("verify", "Contracts/web-shop--catalog.json", "--base-url", base, "--insecure", "--quiet")
        assert insecure.returncode == 0, insecure.stdout
        assert "  PASS  " not in insecure.stdout  # --quiet prints failures and the summary only
    finally:
        running.stop()


def state_provider() -> Flask:
    app = Flask("stateful")
    app.config["calls"] = []
    created: dict[str, int] = {}

    @app.post("/_state")
    def state():
        body = request.get_json(force=True)
        app.config["calls"].append((body["state"], body["action"]))
        if body["state"] == "an order was created" and body["action"] == "setup":
            created["id"] = 7000 + len(app.config["calls"])
            return jsonify({"id": created["id"], "token": f"t-{created['id']}", "path": f"/orders/{created['id']}"})
        if body["state"] == "the database is down":
            return Response("cannot connect to postgres at db:5432", status=503)
        return "", 204

    @app.get("/orders/<int:order_id>")
    def get_order(order_id):
        if order_id != created.get("id") or request.headers.get("X-Token") != f"t-{order_id}":
            return jsonify({"error": "unknown order"}), 404
        return jsonify({"id": order_id})

    @app.get("/slow")
    def slow():
        time.sleep(0.2)
        return jsonify({"ok": True})

    return app


def test_a_failing_state_is_an_error_with_the_state_answer(tmp_path):
    contract = write_contract(tmp_path, "stateful.json", [
        {"name": "needs the database", "given": ["the database is down"],
         "http": {"request": {"path": "/slow"}, "response": {"status": 200}}},
        {"name": "no state", "http": {"request": {"path": "/slow"}, "response": {"status": 200}}},
    ])
    app = state_provider()
    with Provider(app) as provider:
        result = run_treaty("verify", str(contract), "--root", str(tmp_path), "--base-url", provider.url,
                            "--state-url", f"{provider.url}/_state", "--junit", str(tmp_path / "junit.xml"))
    assert result.returncode == 1
    assert junit_outcomes(tmp_path / "junit.xml") == {"needs the database": ("error", "state-setup"), "no state": ("pass", "")}
    assert "answered 503: cannot connect to postgres at db:5432" in result.stdout
    # Teardown still runs after a failed setup.
    assert app.config["calls"] == [("the database is down", "setup"), ("the database is down", "teardown")]


def test_state_values_fill_the_request(tmp_path):
    contract = write_contract(tmp_path, "stateful.json", [
        {"name": "read the created order", "given": [{"state": "an order was created"}],
         "http": {"request": {"path": {"$regex": "^/orders/\\d+$", "example": "/orders/42", "generate": {"fromState": "path"}},
                              "headers": {"X-Token": {"$string": "t-42", "generate": {"fromState": "token"}}}},
                  "response": {"status": 200, "body": {"id": {"$integer": 42}}}}},
    ])
    app = state_provider()
    with Provider(app) as provider:
        result = run_treaty("verify", str(contract), "--root", str(tmp_path), "--base-url", provider.url,
                            "--state-url", f"{provider.url}/_state", "--verbose")
    assert result.returncode == 0, result.stdout
    # The provider created the order and said which id it got: the path and header carry it.
    assert re.search(r"> GET http://127\.0\.0\.1:\d+/orders/70\d\d", result.stdout), result.stdout
    assert "> X-Token: t-70" in result.stdout


def test_selection_by_name_state_consumer_and_shards(tmp_path):
    interactions = [ok(f"item {i}", f"/items/{i}") for i in range(30)]
    interactions.append(ok("with state", "/stateful", given=["ready"]))
    served = write_contract(tmp_path, "many.json", interactions, provider="p")
    running = start_mock(str(served), "--port", "0", "--root", str(tmp_path))
    try:
        base = running.urls["p"]

        def names(*args: str) -> list[str]:
            out = tmp_path / "r.json"
            result = run_treaty("verify", str(served), "--root", str(tmp_path), "--base-url", base, "--json", str(out), *args)
            assert result.returncode == 0, result.stdout + result.stderr
            report = json.loads(out.read_text())
            return [c["name"] for s in report["suites"] for c in s["cases"]]

        assert names("--interaction", "item 7", "--interaction", "^item 2\\d$") == ["item 7"] + [f"item {i}" for i in range(20, 30)]
        assert names("--state", "ready") == ["with state"]
        assert names("--consumer", "someone else", "--allow-empty") == []
        shards = [names("--shard", f"{i}/3", "--concurrency", "8") for i in (1, 2, 3)]
        everything = [n for shard in shards for n in shard]
        assert sorted(everything) == sorted(i["name"] for i in interactions) and len(everything) == len(set(everything))
        assert all(shards)
        assert shards[0] == names("--shard", "1/3")  # stable
        bad = run_treaty("verify", str(served), "--root", str(tmp_path), "--base-url", base, "--shard", "4/3")
        assert bad.returncode == 2 and "--shard must look like I/N" in bad.stderr
    finally:
        running.stop()


def test_several_providers_each_with_its_base_url_and_a_bearer_token(tmp_path, monkeypatch):
    monkeypatch.setenv("TREATY_TEST_TOKEN", "s3cr3t")
    seen: list[str | None] = []
    app = Flask("auth")

    @app.get("/me")
    def me():
        seen.append(request.headers.get("Authorization"))
        return jsonify({"ok": True})

    mine = write_contract(tmp_path, "auth.json", [ok("me", "/me")], provider="auth")
    running = start_mock("Contracts/web-shop--catalog.json", "--port", "0")
    try:
        with Provider(app) as provider:
            result = run_treaty("verify", str(mine), "Contracts/web-shop--catalog.json", "--root", ".",
                                "--base-url", f"auth={provider.url}", "--base-url", f"catalog={running.urls['catalog']}",
                                "--bearer-token-env", "TREATY_TEST_TOKEN", "--junit", str(tmp_path / "j.xml"),
                                "--json", str(tmp_path / "r.json"), "--verbose")
    finally:
        running.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert seen == ["Bearer s3cr3t"]
    # The token reaches the provider but never the logs or reports.
    assert "s3cr3t" not in result.stdout and "s3cr3t" not in (tmp_path / "j.xml").read_text()
    assert "s3cr3t" not in (tmp_path / "r.json").read_text() and "Authorization: *** (masked)" in result.stdout
    suites = list(assert_valid_junit(tmp_path / "j.xml"))
    assert len(suites) == 2  # one file, every contract
    properties = {p.name: p.value for p in suites[0].properties()}
    assert properties["consumer"] == "c" and properties["provider"] == "auth" and properties["contract"].endswith("auth.json")
    missing = run_treaty("verify", str(mine), "--root", ".", "--base-url", "catalog=http://127.0.0.1:9")
    assert missing.returncode == 2 and 'no --base-url for provider "auth"' in missing.stderr


def test_a_pact_files_provider_state_generators_fill_the_request(tmp_path):
    pact = tmp_path / "pact.json"
    pact.write_text(json.dumps({
        "consumer": {"name": "c"}, "provider": {"name": "p"},
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
        "interactions": [{
            "description": "read the created order", "providerStates": [{"name": "an order was created"}],
            "request": {"method": "GET", "path": "/orders/42", "headers": {"X-Token": "t-42"},
                        "generators": {"path": {"type": "ProviderState", "expression": "/orders/${id}"},
                                       "header": {"X-Token": {"type": "ProviderState", "expression": "${token}"}}}},
            "response": {"status": 200, "body": {"id": 42}, "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}}},
        }],
    }))
    app = state_provider()
    with Provider(app) as provider:
        result = run_treaty("verify", str(pact), "--root", str(tmp_path), "--base-url", provider.url,
                            "--state-url", f"{provider.url}/_state", "--verbose")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "generators" not in result.stderr  # carried over, no warning
    assert re.search(r"> GET http://127\.0\.0\.1:\d+/orders/70\d\d", result.stdout), result.stdout


def test_a_proxy_carries_every_exchange(tmp_path):
    """A small forward proxy (absolute-form request targets) in front of the mock."""
    import http.server
    import urllib.request

    seen: list[str] = []

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            with urllib.request.urlopen(urllib.request.Request(self.path, headers={"Accept": self.headers.get("Accept", "*/*")}),
                                        timeout=5) as upstream:
                body = upstream.read()
                self.send_response(upstream.status)
                for name, value in upstream.headers.items():
                    if name.lower() not in ("transfer-encoding", "connection"):
                        self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    running = start_mock("Contracts/web-shop--catalog.json", "--port", "0")
    try:
        result = run_treaty("verify", "Contracts/web-shop--catalog.json", "--base-url", running.urls["catalog"],
                            "--proxy", f"http://127.0.0.1:{proxy.server_port}", "--interaction", "get a product")
    finally:
        running.stop()
        proxy.shutdown()
        thread.join(timeout=5)
    assert result.returncode == 0, result.stdout
    assert seen and seen[0].startswith(running.urls["catalog"] + "/products/")


def test_a_client_certificate_reaches_a_provider_that_demands_one(tmp_path):
    import ssl
    import trustme
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    authority = trustme.CA()
    server_cert = authority.issue_cert("127.0.0.1")
    client_cert = authority.issue_cert("verifier@example.test")
    ca, cert, key = tmp_path / "ca.pem", tmp_path / "client.pem", tmp_path / "client-key.pem"
    authority.cert_pem.write_to_path(str(ca))
    client_cert.cert_chain_pems[0].write_to_path(str(cert))
    client_cert.private_key_pem.write_to_path(str(key))
    peers: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            peers.append(str(self.connection.getpeercert().get("subjectAltName")))
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)
    authority.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    contract = write_contract(tmp_path, "mtls.json", [ok("me", "/me")])
    base = f"https://127.0.0.1:{server.server_port}"
    try:
        refused = run_treaty("verify", str(contract), "--root", str(tmp_path), "--base-url", base, "--cacert", str(ca), "--timeout", "5",
                             "--junit", str(tmp_path / "refused.xml"))
        accepted = run_treaty("verify", str(contract), "--root", str(tmp_path), "--base-url", base, "--cacert", str(ca),
                              "--cert", str(cert), "--key", str(key))
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert refused.returncode == 1 and set(junit_outcomes(tmp_path / "refused.xml").values()) <= {("error", "tls"), ("error", "connection-reset")}
    assert accepted.returncode == 0, accepted.stdout
    assert len(peers) == 1 and "verifier@example.test" in peers[0]  # the server saw (and verified) the client's certificate
