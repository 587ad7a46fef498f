"""Model tests and the promotion gate through the REST API of a real Jupyter server."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sklearn.datasets import load_breast_cancer

MODEL = "breast-cancer-classifier"
FAST = {"latency": {"warmup": 2, "samples": 20, "batch_size": 200, "batch_repeats": 1}}


@pytest.fixture
def data_files(jp_root_dir):
    (jp_root_dir / "data").mkdir()
    frame = load_breast_cancer(as_frame=True).frame
    frame.to_csv(jp_root_dir / "data" / "cancer.csv", index=False)
    frame.drop(columns=["mean radius"]).to_csv(jp_root_dir / "data" / "short.csv", index=False)
    (jp_root_dir / "data" / "strict.yaml").write_text("thresholds:\n  accuracy: 0.9999\n")
    return jp_root_dir


def version_tests(version: str) -> tuple[str, ...]:
    return ("models", MODEL, "versions", version, "tests")


async def test_post_runs_records_and_get_reads_back(api, jp_fetch, data_files):
    status, report = await api(
        "POST", *version_tests("2"), body={"path": "data/cancer.csv", "target": "target", "policy": FAST}
    )
    assert status == 201, report
    assert report["verdict"] in ("passed", "failed")
    assert report["reference"] == {"alias": "champion", "version": "3"}
    assert report["run_id"]
    status, overview = await api("GET", *version_tests("2"))
    assert status == 200
    assert overview["latest"] == report
    assert overview["history"][0]["run_id"] == report["run_id"]
    html = await jp_fetch("maestro", "api", "v1", *version_tests("2"), params={"format": "html"})
    assert html.headers["Content-Type"].startswith("text/html")
    assert report["verdict"].upper().encode() in html.body
    assert "script-src" not in html.headers["Content-Security-Policy"]
    junit = await jp_fetch("maestro", "api", "v1", *version_tests("2"), params={"format": "junit", "download": "1"})
    assert junit.headers["Content-Disposition"] == f'attachment; filename="{MODEL}-v2-tests-junit.xml"'
    suite = ET.fromstring(junit.body).find("testsuite")  # noqa: S314 - our own report
    assert int(suite.get("tests")) == len(report["checks"])
    status, runs = await api("GET", "models", MODEL, "tests")
    assert status == 200
    assert runs["runs"][0]["run_id"] == report["run_id"]


async def test_a_mismatched_file_is_a_failed_contract_not_an_error(api, data_files):
    status, report = await api("POST", *version_tests("1"), body={"path": "data/short.csv", "target": "target"})
    assert status == 201
    assert report["verdict"] == "failed"
    contract = next(c for c in report["checks"] if c["name"] == "data_contract")
    assert contract["status"] == "failed"
    assert contract["evidence"]["rows"] == [["mean radius", "double", "absent", "missing column"]]


async def test_policy_file_under_the_root(api, data_files):
    body = {"path": "data/cancer.csv", "target": "target", "policy_path": "data/strict.yaml", "record": False}
    status, report = await api("POST", *version_tests("3"), body=body)
    assert status == 201
    assert [c["name"] for c in report["checks"] if c["status"] == "failed"] == ["accuracy"]
    assert report["run_id"] is None


@pytest.mark.parametrize(
    ("body", "status", "match"),
    [
        ({"path": "data/cancer.csv"}, 400, "target"),
        ({"path": "data/cancer.csv", "target": "nope"}, 400, "No target column 'nope'"),
        ({"path": "../outside.csv", "target": "target"}, 403, "outside"),
        ({"path": "data/none.csv", "target": "target"}, 404, "none.csv"),
        ({"path": "data/cancer.csv", "target": "target", "policy": {"checks": ["vibes"]}}, 400, "Test policy"),
        ({"path": "data/cancer.csv", "target": "target", "policy": {}, "policy_path": "x.yaml"}, 400, "not both"),
        ({"path": "data/cancer.csv", "target": "target", "thresholds": {"accuracy": "lots"}}, 400, "accuracy"),
    ],
)
async def test_bad_requests_are_4xx_with_a_message(api, data_files, body, status, match):
    code, error = await api("POST", *version_tests("3"), body=body)
    assert code == status, error
    assert match.lower() in error["message"].lower()


async def test_never_tested_reports_404_and_an_empty_overview(api):
    status, overview = await api("GET", "models", "iris-classifier", "versions", "1", "tests")
    assert status == 200
    assert overview["latest"]["verdict"] == "passed"  # the demo seed tests every version
    await api("DELETE", "models", "iris-classifier", "versions", "1", "tags", "maestro.tests.run_id")
    status, overview = await api("GET", "models", "iris-classifier", "versions", "1", "tests")
    assert overview["latest"] is None
    status, error = await api("GET", "models", "iris-classifier", "versions", "1", "tests", params={"format": "html"})
    assert status == 404
    assert error["error"] == "NOT_FOUND"


async def test_the_gate_guards_alias_promotion(api):
    # A failed verdict (set as the test service would) is refused, naming the failed checks.
    for key, value in (("maestro.tests.verdict", "failed"), ("maestro.tests.failed", "accuracy,latency_p95_ms")):
        await api("PUT", "models", MODEL, "versions", "1", "tags", key, body={"value": value})
    status, decision = await api("GET", "models", MODEL, "versions", "1", "gate", params={"alias": "champion"})
    assert (status, decision["allowed"], decision["failed_checks"]) == (200, False, ["accuracy", "latency_p95_ms"])
    status, error = await api("PUT", "models", MODEL, "aliases", "champion", body={"version": "1"})
    assert status == 409
    assert error["error"] == "GATE_REFUSED"
    assert error["failed_checks"] == ["accuracy", "latency_p95_ms"]
    assert "accuracy, latency_p95_ms" in error["message"]
    _, model = await api("GET", "models", MODEL)
    assert model["aliases"]["champion"] == "3"
    # Not gated: any other alias.
    status, _ = await api("PUT", "models", MODEL, "aliases", "staging", body={"version": "1"})
    assert status == 200
    status, decision = await api("GET", "models", MODEL, "versions", "1", "gate", params={"alias": "staging"})
    assert (decision["gated"], decision["allowed"]) == (False, True)
    # An override is recorded with the server's user.
    body = {"version": "1", "override_reason": "Rollback while v3 is investigated"}
    status, version = await api("PUT", "models", MODEL, "aliases", "champion", body=body)
    assert status == 200
    assert "champion" in version["aliases"]
    _, overview = await api("GET", *version_tests("1"))
    (override,) = overview["overrides"]
    assert override["reason"] == "Rollback while v3 is investigated"
    assert override["action"] == "alias 'champion'"
    assert override["by"]
    status, error = await api(
        "PUT", "models", MODEL, "aliases", "champion", body={"version": "2", "override_reason": ""}
    )
    assert status == 400
