"""Server-Sent Events: curl -N and httpx streaming against treaty mock; treaty verify against a real
Starlette/sse-starlette provider, conforming and drifted; streams that misbehave end in reported
mismatches with timings, never a hang."""
from __future__ import annotations

import json
import shutil
import subprocess
import time

import httpx
import pytest

from conftest import run_treaty, start_mock
from providers.notifications import Server, create_app
from test_verify import assert_valid_junit

NOTIFICATIONS = "Contracts/web-shop--notifications.json"


def parse(text: str) -> list[dict]:
    """A small reference parser for the tests (LF only, as the mock sends)."""
    events, current = [], {}
    for line in text.split("\n"):
        if not line:
            if "data" in current:
                events.append(current)
            current = {}
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        current[field] = current["data"] + "\n" + value if field == "data" and "data" in current else value
    return events


@pytest.fixture(scope="module")
def mock():
    running = start_mock(NOTIFICATIONS, "--port", "0")
    yield running
    running.stop()


def test_curl_streams_the_events_with_their_gaps(mock):
    if not shutil.which("curl"):
        pytest.skip("curl not installed")
    started = time.monotonic()
    out = subprocess.run(["curl", "-sN", "-H", "Accept: text/event-stream", "-D", "-", f"{mock.urls['notifications']}/orders/42/events"],
                         capture_output=True, text=True, timeout=10)
    elapsed = time.monotonic() - started
    head, _, body = out.stdout.partition("\n\n")  # text mode turned CRLF into LF
    assert "content-type: text/event-stream" in head.lower() and "cache-control: no-cache" in head.lower()
    events = parse(body)
    assert [e.get("id") for e in events] == ["1", "2", "3"]
    assert json.loads(events[0]["data"]) == {"order": 42, "status": "paid"}
    assert events[2]["data"] == "Your order is on its way.\nTrack it in your account." and events[2]["retry"] == "5000"
    assert elapsed >= 0.25  # 50 + 100 + 100 ms of gaps


def test_httpx_reads_events_as_they_come_and_resumes_after_last_event_id(mock):
    base = mock.urls["notifications"]
    arrivals = []
    with httpx.Client(timeout=10) as client:
        started = time.monotonic()
        with client.stream("GET", f"{base}/orders/42/events", headers={"Accept": "text/event-stream"}) as response:
            assert response.status_code == 200
            for line in response.iter_lines():
                if line.startswith("id:"):
                    arrivals.append((line[4:], time.monotonic() - started))
        assert [a[0] for a in arrivals] == ["1", "2", "3"]
        assert arrivals[1][1] - arrivals[0][1] >= 0.08  # the events came apart, not in one write
        resumed = client.get(f"{base}/orders/42/events", headers={"Accept": "text/event-stream", "Last-Event-ID": "1"})
        assert [e["id"] for e in parse(resumed.text)] == ["2", "3"]


def test_the_mock_round_trips_through_the_verifier_over_http1_and_http2(mock, tmp_path):
    for extra in ([], ["--http2-prior-knowledge"]):
        result = run_treaty("verify", NOTIFICATIONS, "--base-url", mock.urls["notifications"], "--junit", str(tmp_path / "j.xml"),
                            "--message-url", mock.urls["notifications"] + "/_treaty/messages/produce", *extra)
        assert result.returncode == 0, result.stdout
        assert "7 interaction(s): 7 passed" in result.stdout
        assert_valid_junit(tmp_path / "j.xml")


def verify_against(drift: str | None, tmp_path, *extra: str):
    with Server(create_app(drift)) as provider:
        started = time.monotonic()
        result = run_treaty("verify", NOTIFICATIONS, "--base-url", provider.url, "--state-url", f"{provider.url}/_treaty/state",
                            "--junit", str(tmp_path / "junit.xml"), *extra)
        return result, time.monotonic() - started


def test_a_real_sse_provider_passes(tmp_path):
    result, _ = verify_against(None, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    suite = list(assert_valid_junit(tmp_path / "junit.xml"))[0]
    assert suite.tests == 7 and suite.failures == 0 and suite.errors == 0 and suite.skipped == 1  # the message: no --message-url


@pytest.mark.parametrize("drift, expected", [
    ("data", '$.events[0].data.status: expected "paid", got "lost"'),
    ("short", "expected event 3 of 3"),
    ("slow", "event 2 came"),
    ("garbage", "expected event 1 of 3"),
])
def test_a_drifted_stream_fails_with_the_event_that_differs(tmp_path, drift, expected):
    result, elapsed = verify_against(drift, tmp_path)
    assert result.returncode == 1, result.stdout
    assert expected in result.stdout, result.stdout
    failures = [case for suite in assert_valid_junit(tmp_path / "junit.xml") for case in suite
                if case.result and type(case.result[0]).__name__ != "Skipped"]  # the message: no --message-url
    assert failures and all(type(case.result[0]).__name__ == "Failure" for case in failures)
    assert elapsed < 15


def test_a_stream_that_never_sends_ends_at_the_timeout_not_a_hang(tmp_path):
    result, elapsed = verify_against("silent", tmp_path, "--timeout", "1", "--interaction", "follow an order")
    assert result.returncode == 1
    assert "no more came within --timeout after 0" in result.stdout, result.stdout
    assert elapsed < 8
