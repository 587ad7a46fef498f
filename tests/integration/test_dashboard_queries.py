"""The Grafana dashboard and the Prometheus configuration of ``jupyterhub/monitoring`` against the real exposition.

Fast checks: the dashboard JSON is well formed (unique panel ids, every panel on the ``datasource`` variable, every
target with an ``expr`` and a ``refId``, no undefined variable), its expressions parse (``promtool check rules``),
and ``prometheus.yml`` is a valid configuration that scrapes ``/user/<name>/maestro/api/v1/metrics`` with a Bearer
token read from a file.

The live check: a real ``jupyter lab`` runs training jobs, has a project budget and serves iris-classifier, which
answers good and refused predictions; a real Prometheus then scrapes the server's ``maestro/api/v1/metrics`` with the
server's token as a Bearer token while more predictions come in. Every expression of every panel, with Grafana's
variables replaced by their defaults, must give at least one finite value.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.compute_helpers import poll
from tests.live_server import LabServer, start_lab, stop
from tests.prometheus_server import PrometheusServer, require_prometheus, scraping_prometheus

MONITORING = Path(__file__).resolve().parents[2] / "jupyterhub" / "monitoring"
DASHBOARD = MONITORING / "grafana" / "dashboards" / "maestro.json"
PROMETHEUS_YML = MONITORING / "prometheus.yml"
PROVISIONED_DASHBOARDS = MONITORING / "grafana" / "provisioning" / "dashboards" / "maestro.yaml"
PROVISIONED_DATASOURCES = MONITORING / "grafana" / "provisioning" / "datasources" / "prometheus.yaml"

#: What Grafana's built-in variables become in the test: windows that hold the whole scraped history (the server is
#: scraped for well under a minute) and at least two samples of it.
BUILTINS = {
    "__rate_interval": "1m",
    "__range": "1m",
    "__range_s": "60",
    "__range_ms": "60000",
    "__interval": "15s",
    "__interval_ms": "15000",
}
DATASOURCE_REF = {"type": "prometheus", "uid": "${datasource}"}
METRICS_PATH = "maestro/api/v1/metrics"

MODEL = "iris-classifier"
GOOD_ROW = {"sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2}
#: The model's signature has none of these columns: MLflow's server answers 400, a non-2xx request.
BAD_ROW = {"x": 1}
#: Bounds of the live test's waits (polled, never slept through).
JOB_WAIT_S = 45.0
SCRAPE_WAIT_S = 30.0

_VARIABLE = re.compile(r"\$\{(\w+)(?::[\w-]+)?\}|\[\[(\w+)(?::[\w-]+)?\]\]|\$(\w+)")


# --- the dashboard ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    panel_id: int
    panel: str
    ref_id: str
    expr: str

    @property
    def id(self) -> str:
        return f"{self.panel_id}-{self.ref_id}-{re.sub(r'[^a-z0-9]+', '-', self.panel.lower()).strip('-')}"


def load_dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def all_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every panel, those nested in (collapsed) rows included."""
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels") or [])


def targets_of(dashboard: dict[str, Any]) -> list[Target]:
    return [
        Target(panel["id"], panel.get("title", ""), target.get("refId", ""), target.get("expr", ""))
        for panel in all_panels(dashboard["panels"])
        for target in panel.get("targets") or []
    ]


def variable_defaults(dashboard: dict[str, Any]) -> dict[str, str]:
    """Each templating variable's default (``current``) value as Grafana would interpolate it into PromQL; "All"
    becomes the variable's ``allValue`` (or ``.*``)."""
    values = dict(BUILTINS)
    for variable in dashboard.get("templating", {}).get("list", []):
        value = variable.get("current", {}).get("value")
        if isinstance(value, list):
            value = value[0] if len(value) == 1 else "(" + "|".join(map(re.escape, value)) + ")"
        if value in (None, "$__all"):
            value = variable.get("allValue") or ".*"
        values[variable["name"]] = str(value)
    return values


def substitute(expr: str, values: dict[str, str]) -> str:
    """``expr`` with ``$name``, ``${name}``, ``${name:format}`` and ``[[name]]`` replaced; KeyError if undefined."""

    def one(match: re.Match[str]) -> str:
        name = next(group for group in match.groups() if group)
        if name not in values:
            raise KeyError(f"undefined variable ${name} in {expr!r}")
        return values[name]

    return _VARIABLE.sub(one, expr)


TARGETS = targets_of(load_dashboard())


# --- fast checks -----------------------------------------------------------------------------------------------------


def test_the_dashboard_is_well_formed() -> None:
    dashboard = load_dashboard()
    assert dashboard["uid"] == "maestro"
    assert dashboard["schemaVersion"] >= 36
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert variables["metric"]["type"] in ("custom", "query")
    assert variables["metric"]["current"]["value"] == "accuracy"
    for name, variable in variables.items():
        if variable["type"] == "query":
            assert variable["datasource"] == DATASOURCE_REF, name

    panels = list(all_panels(dashboard["panels"]))
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)), f"duplicate panel ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    values = variable_defaults(dashboard)
    for panel in panels:
        where = f"panel {panel['id']} {panel.get('title')!r}"
        grid = panel["gridPos"]
        assert grid["x"] >= 0, where
        assert grid["x"] + grid["w"] <= 24, where
        if panel["type"] == "row":
            assert not panel.get("targets"), where
            continue
        assert panel["datasource"] == DATASOURCE_REF, where
        targets = panel.get("targets") or []
        assert targets, f"{where} has no query"
        ref_ids = [t.get("refId") for t in targets]
        assert all(ref_ids), f"{where}: a target without refId"
        assert len(set(ref_ids)) == len(ref_ids), f"{where}: duplicate refIds {ref_ids}"
        for target in targets:
            assert target.get("expr", "").strip(), f"{where} {target.get('refId')}: no expr"
            assert target.get("datasource", DATASOURCE_REF) == DATASOURCE_REF, where
            substitute(target["expr"], values)  # every variable it uses is defined
    titles = " | ".join(p.get("title", "") for p in panels).lower()
    for wanted in ("by version", "training", "latency", "error rate", "cost per model", "cost per user", "budget"):
        assert wanted in titles, f"no {wanted!r} panel in {titles}"
    assert "replicas" in titles


def test_every_dashboard_expression_parses(tmp_path: Path) -> None:
    if shutil.which("promtool") is None:
        pytest.skip("promtool not on PATH (Debian: apt-get install prometheus)")
    values = variable_defaults(load_dashboard())
    rules = [
        {"record": f"maestro:dashboard:p{t.panel_id}_{t.ref_id}", "expr": substitute(t.expr, values)} for t in TARGETS
    ]
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, sort_keys=False))
    done = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr


def test_prometheus_config_scrapes_the_maestro_endpoint_with_a_bearer_token(tmp_path: Path) -> None:
    config = yaml.safe_load(PROMETHEUS_YML.read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for name, job in jobs.items():
        assert job["authorization"]["type"] == "Bearer", name
        assert job["authorization"]["credentials_file"].startswith("/"), name
        assert "credentials" not in job["authorization"], f"{name}: a token written into the configuration"
    maestro = jobs["maestro"]
    groups = maestro["static_configs"]
    assert groups
    for group in groups:
        user = group["labels"]["jupyterhub_user"]
        assert _relabelled_path(maestro, group["labels"]) == f"/user/{user}/{METRICS_PATH}"

    if shutil.which("promtool") is None:
        pytest.skip("promtool not on PATH: the configuration was not validated by promtool")
    token = tmp_path / "token"
    token.write_text("not-a-real-token\n")
    for job in config["scrape_configs"]:
        job["authorization"]["credentials_file"] = str(token)  # promtool insists that the file exists
    checked = tmp_path / "prometheus.yml"
    checked.write_text(yaml.safe_dump(config, sort_keys=False))
    done = subprocess.run(["promtool", "check", "config", str(checked)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr


def _relabelled_path(job: dict[str, Any], labels: dict[str, str]) -> str:
    """The metrics path Prometheus derives for a target with ``labels`` (the ``replace`` relabellings only)."""
    target = {**labels, "__metrics_path__": job.get("metrics_path", "/metrics")}
    for rule in job.get("relabel_configs", []):
        assert rule.get("action", "replace") == "replace", rule
        source = rule.get("separator", ";").join(target.get(name, "") for name in rule["source_labels"])
        match = re.fullmatch(rule.get("regex", "(.*)"), source)
        if match:
            groups = match.groups()
            target[rule["target_label"]] = re.sub(
                r"\$\{(\d+)\}|\$(\d+)", lambda m, g=groups: g[int(m[1] or m[2]) - 1], rule["replacement"]
            )
    return target["__metrics_path__"]


def test_grafana_provisioning_loads_the_dashboard_and_the_datasource() -> None:
    providers = yaml.safe_load(PROVISIONED_DASHBOARDS.read_text())["providers"]
    assert [p["type"] for p in providers] == ["file"]
    assert providers[0]["options"]["path"]
    datasources = yaml.safe_load(PROVISIONED_DATASOURCES.read_text())["datasources"]
    assert [d["type"] for d in datasources] == ["prometheus"]
    dashboard = load_dashboard()
    default = next(v for v in dashboard["templating"]["list"] if v["name"] == "datasource")["current"]["value"]
    assert default == datasources[0]["uid"], "the dashboard's default datasource is not the provisioned one"


# --- the live check --------------------------------------------------------------------------------------------------


@dataclass
class Scraped:
    prometheus: PrometheusServer
    #: When the queries are evaluated: once the scraped history holds the needed samples.
    at: float
    project: str
    deployment: str


@pytest.fixture(scope="module")
def scraped(seeded_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scraped]:
    require_prometheus()
    started = time.monotonic()
    tmp = tmp_path_factory.mktemp("dashboard")
    home = tmp / "home"
    home.mkdir()
    shutil.copy(seeded_home / "mlflow.db", home / "mlflow.db")
    server = start_lab(tmp / "lab", home, {"MAESTRO_METER_INTERVAL": "1", "MAESTRO_GATE_DEPLOYMENTS": "false"})
    deployment: str | None = None
    try:
        status, dep = server.api("POST", "deployments", {"model": MODEL, "version": "1"})
        assert status == 201, dep
        deployment = dep["id"]
        jobs = []
        for i in range(3):
            status, job = server.api("POST", "training/jobs", {"source": f"print({i})"})
            assert status == 201, job
            jobs.append(job)
        project = jobs[0]["project"]
        status, budget = server.api("PUT", f"budgets/project/{project}", {"amount": 1})
        assert status == 200, budget
        for job in jobs:
            poll(lambda j=job: _job_finished(server, j["id"]), f"job {job['id']} to finish", JOB_WAIT_S)
        poll(lambda: _deployment_ready(server, deployment), f"deployment {deployment} to be ready", JOB_WAIT_S)
        _predict(server, deployment, good=20, bad=3)
        status, costs = server.api("GET", "costs")  # settles the usage into the ledger
        assert status == 200, costs

        url = urllib.parse.urlsplit(server.url)
        with scraping_prometheus(
            [url.netloc],
            tmp / "prometheus",
            bearer_token=server.token,
            metrics_path=f"{url.path}{METRICS_PATH}",
            scrape_interval=1.0,
        ) as prometheus:
            _wait_scraped(prometheus, 'up{job="maestro"} == 1')
            # rate() needs the counters to change between samples inside its window: more traffic while scraped.
            _predict(server, deployment, good=10, bad=2)
            _wait_scraped(prometheus, "count(sum by (code) (rate(maestro_deployment_requests_total[1m])) > 0) >= 2")
            _wait_scraped(prometheus, "min(count_over_time(maestro_cost_dollars_total[1m])) >= 2")
            print(f"\nlive activity and scraping ready after {time.monotonic() - started:.1f} s")
            yield Scraped(prometheus, time.time(), project, deployment)
    finally:
        try:
            if deployment is not None:
                server.api("DELETE", f"deployments/{deployment}")
        finally:
            stop(server.process)


def _job_finished(server: LabServer, job_id: str) -> bool:
    status, job = server.api("GET", f"training/jobs/{job_id}")
    assert status == 200, job
    assert job["status"] not in ("failed", "lost", "cancelled"), job
    return bool(job["status"] == "succeeded")


def _deployment_ready(server: LabServer, deployment: str) -> bool:
    status, dep = server.api("GET", f"deployments/{deployment}")
    assert status == 200, dep
    assert dep["status"] != "failed", dep.get("reason")
    return bool(dep["status"] == "ready")


def _predict(server: LabServer, deployment: str, *, good: int, bad: int) -> None:
    for _ in range(good):
        status, answer = server.api("POST", f"deployments/{deployment}/predict", {"dataframe_records": [GOOD_ROW]})
        assert status == 200, answer
    for _ in range(bad):
        status, answer = server.api("POST", f"deployments/{deployment}/predict", {"dataframe_records": [BAD_ROW]})
        assert status == 400, answer


def _wait_scraped(prometheus: PrometheusServer, expr: str) -> None:
    """Poll (bounded) until ``expr`` has a result; on time-out, fail with the scrape target's last error."""
    try:
        prometheus.wait_for(expr, timeout=SCRAPE_WAIT_S)
    except TimeoutError as exc:
        with urllib.request.urlopen(f"{prometheus.url}/api/v1/targets", timeout=10) as response:  # noqa: S310 (ours)
            targets = json.load(response)["data"]["activeTargets"]
        health = [(t["scrapeUrl"], t["health"], t["lastError"]) for t in targets]
        pytest.fail(f"{exc}\nscrape targets: {health}")


def _finite_values(result: list[Any]) -> list[float]:
    samples = [item["value"][1] for item in result if isinstance(item, dict) and "value" in item]
    return [value for value in map(float, samples) if math.isfinite(value)]


@pytest.mark.parametrize("target", TARGETS, ids=[t.id for t in TARGETS])
def test_every_dashboard_query_has_data(scraped: Scraped, target: Target) -> None:
    expr = substitute(target.expr, variable_defaults(load_dashboard()))
    result = scraped.prometheus.query(expr, at=scraped.at)
    where = f"panel {target.panel_id} {target.panel!r}, target {target.ref_id}:\n{expr}"
    assert result, f"no series for {where}"
    assert _finite_values(result), f"no finite value for {where}\n{result}"


def test_the_panels_show_the_activity(scraped: Scraped) -> None:
    """Beyond "some data": the values the activity must produce."""
    values = variable_defaults(load_dashboard())
    by_title: dict[str, list[Target]] = {}
    for target in TARGETS:
        by_title.setdefault(target.panel, []).append(target)

    def query(title: str, ref_id: str = "A") -> list[dict[str, Any]]:
        target = next(t for t in by_title[title] if t.ref_id == ref_id)
        return scraped.prometheus.query(substitute(target.expr, values), at=scraped.at)

    def by(result: list[dict[str, Any]], label: str) -> dict[str, float]:
        return {item["metric"].get(label, ""): float(item["value"][1]) for item in result}

    accuracy = by(query("$metric by version"), "model_version")
    assert 0.8 < accuracy[f"{MODEL} v1"] <= 1.0, accuracy
    assert "diabetes-regressor v1" not in accuracy  # a regressor logs no accuracy

    errors = by(query("Error rate (non-2xx)"), "deployment")
    assert 0 < errors[scraped.deployment] < 1, errors  # 2 refused of 12 while scraped
    p50 = by(query("Inference latency (p50 / p95)", "A"), "deployment")[scraped.deployment]
    p95 = by(query("Inference latency (p50 / p95)", "B"), "deployment")[scraped.deployment]
    assert 0 < p50 <= p95, (p50, p95)

    mean = {
        (r["metric"]["project"], r["metric"]["status"]): float(r["value"][1])
        for r in query("Mean training job duration")
    }
    assert mean[(scraped.project, "succeeded")] > 0, mean
    replicas = {(r["metric"]["deployment"], r["metric"]["state"]): float(r["value"][1]) for r in query("Replicas")}
    assert replicas[(scraped.deployment, "desired")] == replicas[(scraped.deployment, "ready")] == 1, replicas

    usage = by(query("Budget usage"), "budget")
    assert f"project:{scraped.project}" in usage, usage
    assert usage[f"project:{scraped.project}"] >= 0
    assert by(query("Cost per user"), "user"), "no user spent anything"
    per_model = by(query("Cost per model"), "model")
    assert set(per_model) <= {MODEL, "(no model)"}, per_model
