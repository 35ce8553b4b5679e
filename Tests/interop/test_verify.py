"""`treaty verify` against real Flask providers, with JUnit reports checked by schema and junitparser."""
from __future__ import annotations

import subprocess
from pathlib import Path

import junitparser

from conftest import ROOT, Provider, run_treaty
from providers.orders import create_app

SCHEMA = ROOT / "Fixtures" / "junit" / "junit-10.xsd"
ORDERS = "Contracts/web-shop--orders.json"


def assert_valid_junit(path: Path) -> junitparser.JUnitXml:
    subprocess.run(["xmllint", "--noout", "--schema", str(SCHEMA), str(path)], check=True, capture_output=True, timeout=30)
    return junitparser.JUnitXml.fromfile(str(path))


def test_a_conforming_provider_passes(tmp_path):
    app = create_app()
    with Provider(app) as provider:
        result = run_treaty("verify", ORDERS, "--base-url", provider.url, "--state-url", f"{provider.url}/_treaty/state",
                            "--junit", str(tmp_path / "junit.xml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 interaction(s): 7 passed, 0 failed, 0 error(s)" in result.stdout
    xml = assert_valid_junit(tmp_path / "junit.xml")
    suites = list(xml)
    assert len(suites) == 1 and suites[0].tests == 7 and suites[0].failures == 0
    assert [case.name for case in suites[0]][:2] == ["get an existing order", "get a missing order"]
    calls = app.config["state_calls"]
    assert {"state": "order exists", "params": {"id": 42}, "action": "setup"} in calls
    assert {"state": "order exists", "params": {"id": 42}, "action": "teardown"} in calls
    assert calls.index({"state": "order exists", "params": {"id": 42}, "action": "setup"}) < \
        calls.index({"state": "order exists", "params": {"id": 42}, "action": "teardown"})


def test_a_drifted_provider_fails_with_mismatches_and_junit_failures(tmp_path):
    with Provider(create_app(broken=True)) as provider:
        result = run_treaty("verify", ORDERS, "--base-url", provider.url, "--state-url", f"{provider.url}/_treaty/state",
                            "--junit", str(tmp_path / "junit.xml"))
    assert result.returncode == 1, result.stdout + result.stderr
    for line in ["FAIL   get an existing order",
                 '$.body.status: "lost" does not match /^(pending|paid|shipped)$/',
                 "$.body.total: expected a decimal number, got 31",
                 '$.body.items: missing key "items"',
                 "FAIL   place an order",
                 "$.status: expected status 201, got 200",
                 '$.headers.Location: missing header "Location"']:
        assert line in result.stdout, line + "\n" + result.stdout
    suite = list(assert_valid_junit(tmp_path / "junit.xml"))[0]
    assert suite.failures == 2 and suite.errors == 0
    failed = {case.name: case.result[0] for case in suite if case.result}
    assert set(failed) == {"get an existing order", "place an order"}
    assert failed["place an order"].message.startswith("2 mismatches: $.status: expected status 201, got 200")
    assert "$.headers.Location" in failed["place an order"].text


def test_a_failing_state_setup_is_an_error_with_the_answer(tmp_path):
    with Provider(create_app(failing_state="product exists")) as provider:
        result = run_treaty("verify", ORDERS, "--base-url", provider.url, "--state-url", f"{provider.url}/_treaty/state",
                            "--junit", str(tmp_path / "junit.xml"))
    assert result.returncode == 1
    suite = list(assert_valid_junit(tmp_path / "junit.xml"))[0]
    errors = {case.name: case.result[0] for case in suite if case.result}
    assert list(errors) == ["place an order"]
    assert isinstance(errors["place an order"], junitparser.Error)
    assert errors["place an order"].type == "state-setup"
    assert "answered 500: database is read-only" in errors["place an order"].message


def test_verify_against_the_mock_round_trips(mock, tmp_path):
    for provider, contract in [("orders", ORDERS), ("catalog", "Contracts/web-shop--catalog.json")]:
        out = tmp_path / f"{provider}.xml"
        result = run_treaty("verify", contract, "--base-url", mock.urls[provider], "--junit", str(out))
        assert result.returncode == 0, result.stdout
        assert_valid_junit(out)


def test_nothing_listening_is_a_connection_refused_error(tmp_path):
    result = run_treaty("verify", ORDERS, "--base-url", "http://127.0.0.1:9", "--timeout", "5",
                        "--junit", str(tmp_path / "junit.xml"))
    assert result.returncode == 1
    assert "connection-refused" in result.stdout
    suite = list(assert_valid_junit(tmp_path / "junit.xml"))[0]
    assert suite.errors == 7


def test_exit_codes_for_usage_and_contract_errors(tmp_path):
    assert run_treaty("verify", ORDERS).returncode == 2  # missing --base-url
    assert run_treaty("verify", ORDERS, "--base-url", "ftp://x").returncode == 2
    broken = run_treaty("verify", "Fixtures/broken-contracts/invalid-regex.json", "--base-url", "http://127.0.0.1:9")
    assert broken.returncode == 2
    assert "invalid-regex.json:7:42: error: invalid regular expression" in broken.stderr
    assert run_treaty("lint", "Contracts").returncode == 0
    lint = run_treaty("lint", "Fixtures/broken-contracts", "--root", "Fixtures/broken-contracts")
    assert lint.returncode == 1
    assert lint.stdout.endswith("19 contracts checked: 37 errors, 7 warnings\n")


def test_a_run_that_verified_nothing_is_not_green(tmp_path):
    """A filter that matches nothing, or a run whose every interaction is skipped, fails unless --allow-empty."""
    nothing = run_treaty("verify", ORDERS, "--base-url", "http://127.0.0.1:9", "--interaction", "no such interaction",
                         "--junit", str(tmp_path / "empty.xml"))
    assert nothing.returncode == 1, nothing.stdout + nothing.stderr
    assert "nothing was verified (no interaction selected); give --allow-empty" in nothing.stderr
    assert (tmp_path / "empty.xml").exists()  # the reports are still written
    allowed = run_treaty("verify", ORDERS, "--base-url", "http://127.0.0.1:9", "--interaction", "no such interaction", "--allow-empty")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr

    # Only a message interaction, and no --message-url: it is skipped, so nothing was verified.
    notifications = "Contracts/web-shop--notifications.json"
    skipped = run_treaty("verify", notifications, "--base-url", "http://127.0.0.1:9", "--interaction", "order shipped message")
    assert skipped.returncode == 1 and "SKIP" in skipped.stdout
    assert "nothing was verified (1 interaction selected, all skipped)" in skipped.stderr
    assert run_treaty("verify", notifications, "--base-url", "http://127.0.0.1:9", "--interaction", "order shipped message",
                      "--allow-empty").returncode == 0

    # One interaction verified is enough, even with others skipped.
    with Provider(create_app()) as provider:
        some = run_treaty("verify", ORDERS, "--base-url", provider.url, "--state-url", f"{provider.url}/_treaty/state",
                          "--interaction", "get an existing order")
    assert some.returncode == 0 and "nothing was verified" not in some.stderr
