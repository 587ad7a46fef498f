"""A run in depth through the REST API, on a real MLflow store: metric histories (downsampled keeping the shape),
artifacts (listed, previewed, downloaded, never outside the run), the run's experiment name, source and MLflow link,
and comparisons of 100 runs."""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from maestro_jupyter.entities import ArtifactList, ArtifactPreview, MetricHistories, MetricHistory, RunSummary
from maestro_jupyter.services import Services
from tests.runs_helpers import (
    DIP,
    DIP_STEP,
    EXPERIMENT,
    GIT_COMMIT,
    SPIKE,
    SPIKE_STEP,
    STEPS,
    LoggedRun,
    log_many_runs,
    log_run,
    png,
)

UI = "http://mlflow.example:5000"
UNKNOWN_RUN = "f" * 32


@pytest.fixture
def maestro_config(maestro_home: Path) -> dict[str, Any]:
    return {"home": str(maestro_home), "mlflow_ui_url": UI}


@pytest.fixture
def logged(settings, tmp_path: Path) -> LoggedRun:
    return log_run(Services(settings).mlflow.client, tmp_path / "artifacts")


# --- metric histories --------------------------------------------------------------------------------------------


async def test_a_long_history_is_downsampled_keeping_its_spike_dip_ends_and_order(api, logged):
    status, body = await api("GET", "runs", logged.run_id, "metrics", "loss", "history", params={"max_points": 100})
    assert status == 200
    history = MetricHistory.model_validate(body)
    assert (history.run_id, history.key, history.total_points, history.downsampled) == (
        logged.run_id,
        "loss",
        STEPS,
        True,
    )
    assert 50 <= len(history.points) <= 100
    steps = [p.step for p in history.points]
    assert steps == sorted(steps)
    assert len(set(steps)) == len(steps)
    assert (steps[0], steps[-1]) == (0, STEPS - 1)
    by_step = {p.step: p.value for p in history.points}
    assert by_step[SPIKE_STEP] == SPIKE  # every-n-th sampling would drop these two
    assert by_step[DIP_STEP] == DIP
    assert all(p.timestamp > 0 for p in history.points)


async def test_the_default_cap_is_1000_and_a_short_history_comes_whole(api, logged):
    _, body = await api("GET", "runs", logged.run_id, "metrics", "loss", "history")
    assert len(body["points"]) <= 1000
    assert body["downsampled"] is True
    _, body = await api("GET", "runs", logged.run_id, "metrics", "loss", "history", params={"max_points": 10000})
    assert len(body["points"]) == STEPS
    assert body["downsampled"] is False
    _, body = await api("GET", "runs", logged.run_id, "metrics", "accuracy", "history")
    assert body["points"][0]["value"] == 0.91
    assert body["total_points"] == 1


@pytest.mark.parametrize("points", ["10001", "9", "0", "many"])
async def test_max_points_out_of_bounds_is_a_400(api, logged, points):
    status, body = await api("GET", "runs", logged.run_id, "metrics", "loss", "history", params={"max_points": points})
    assert (status, body["error"]) == (400, "INVALID_PARAMETER")


async def test_an_unknown_run_or_key_is_a_404(api, logged):
    status, body = await api("GET", "runs", UNKNOWN_RUN, "metrics", "loss", "history")
    assert (status, body["error"]) == (404, "NOT_FOUND")
    status, body = await api("GET", "runs", logged.run_id, "metrics", "no-such-metric", "history")
    assert (status, set(body)) == (404, {"error", "message"})
    assert "no-such-metric" in body["message"]


async def test_a_metric_key_with_a_slash_is_reached_encoded(
    settings, logged, jp_serverapp, http_server_client, jp_base_url, jp_auth_header
):
    Services(settings).mlflow.client.log_metric(logged.run_id, "train/loss", 0.5, step=3)
    # jp_fetch would escape the %; a browser's fetch (and the sidebar's) sends %2F as it is.
    key = urllib.parse.quote("train/loss", safe="")
    url = f"{jp_base_url}maestro/api/v1/runs/{logged.run_id}/metrics/{key}/history"
    response = await http_server_client.fetch(url, headers=jp_auth_header, raise_error=False)
    body = json.loads(response.body)
    assert response.code == 200, body
    assert (body["key"], body["points"][0]["step"]) == ("train/loss", 3)


async def test_histories_of_several_runs_overlay_one_series_per_run_and_key(api, logged):
    status, body = await api(
        "GET",
        "runs",
        "metrics",
        "history",
        params={"run_ids": f"{logged.run_id},{logged.other_run_id}", "keys": "loss,accuracy", "max_points": 50},
    )
    assert status == 200
    series = MetricHistories.model_validate(body).series
    assert [(s.run_id, s.key) for s in series] == [
        (logged.run_id, "loss"),
        (logged.run_id, "accuracy"),
        (logged.other_run_id, "loss"),
        (logged.other_run_id, "accuracy"),
    ]
    assert len(series[0].points) <= 50
    assert series[0].downsampled
    assert series[2].points == []
    assert series[2].total_points == 0
    assert series[3].points[0].value == 0.95


async def test_histories_refuse_unknown_runs_and_too_many_keys(api, logged):
    status, body = await api(
        "GET", "runs", "metrics", "history", params={"run_ids": f"{logged.run_id},{UNKNOWN_RUN}", "keys": "loss"}
    )
    assert (status, body["error"]) == (404, "NOT_FOUND")
    assert UNKNOWN_RUN in body["message"]
    keys = ",".join(f"k{i}" for i in range(11))
    status, body = await api("GET", "runs", "metrics", "history", params={"run_ids": logged.run_id, "keys": keys})
    assert (status, body["error"]) == (400, "INVALID_PARAMETER")


# --- artifacts ---------------------------------------------------------------------------------------------------


async def test_artifacts_are_listed_folders_first_and_by_folder(api, logged):
    status, body = await api("GET", "runs", logged.run_id, "artifacts")
    assert status == 200
    listing = ArtifactList.model_validate(body)
    assert listing.path == ""
    assert [(f.path, f.is_dir) for f in listing.files][:1] == [("eval", True)]
    assert {f.path for f in listing.files} == {"eval", "blob.bin", "fake.png", "notes.txt", "page.html"}
    assert next(f.file_size for f in listing.files if f.path == "blob.bin") == 1024
    _, body = await api("GET", "runs", logged.run_id, "artifacts", params={"path": "eval/"})
    assert [f["path"] for f in body["files"]] == ["eval/plot.png", "eval/table.csv"]
    status, body = await api("GET", "runs", logged.run_id, "artifacts", params={"path": "nowhere"})
    assert status == 404


async def preview(api: Any, run_id: str, path: str) -> ArtifactPreview:
    status, body = await api("GET", "runs", run_id, "artifacts", "preview", params={"path": path})
    assert status == 200, body
    return ArtifactPreview.model_validate(body)


async def test_previews_of_text_image_table_and_bytes(api, logged):
    text = await preview(api, logged.run_id, "notes.txt")
    assert (text.kind, text.text, text.truncated, text.size) == ("text", "first line\nsecond line\n", False, 23)

    image = await preview(api, logged.run_id, "eval/plot.png")
    assert image.kind == "image"
    assert image.image is not None
    assert image.image.startswith("data:image/png;base64,")
    assert base64.b64decode(image.image.split(",", 1)[1]) == png()

    table = await preview(api, logged.run_id, "eval/table.csv")
    assert table.kind == "table"
    assert table.table is not None
    assert table.table.columns == ["feature", "importance"]
    assert len(table.table.rows) == 100
    assert table.truncated
    assert table.table.rows[0] == ["f0", 1.0]

    blob = await preview(api, logged.run_id, "blob.bin")
    assert (blob.kind, blob.text, blob.image, blob.table) == ("binary", None, None, None)


async def test_a_file_named_like_an_image_is_never_inlined_as_one(api, logged):
    fake = await preview(api, logged.run_id, "fake.png")
    assert fake.kind == "binary"
    assert fake.image is None
    page = await preview(api, logged.run_id, "page.html")
    assert page.kind == "text"  # its source, to read; nothing renders it


async def test_a_download_is_an_attachment_with_a_type_no_browser_renders(api, jp_fetch, logged):
    status, raw = await api("GET", "runs", logged.run_id, "artifacts", "download", params={"path": "blob.bin"})
    assert (status, raw) == (200, bytes(range(256)) * 4)

    async def headers(path: str) -> Any:
        response = await jp_fetch(
            "maestro", "api", "v1", "runs", logged.run_id, "artifacts", "download", params={"path": path}
        )
        assert response.code == 200
        return response.headers

    sent = await headers("page.html")
    assert sent["Content-Type"] == "application/octet-stream"
    assert sent["Content-Disposition"] == 'attachment; filename="page.html"'
    assert sent["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in sent["Content-Security-Policy"]
    assert (await headers("eval/plot.png"))["Content-Type"] == "image/png"
    assert (await headers("eval/table.csv"))["Content-Type"].startswith("text/csv")
    # Named like an image: sent as one, but never sniffed into a page, and always saved rather than shown.
    assert (await headers("fake.png"))["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "path",
    ["../x", "eval/../../etc/passwd", "/etc/passwd", "C:/Windows", "a\\..\\b", "a/./b", "a//b", "file:///etc/passwd"],
)
@pytest.mark.parametrize("route", [(), ("preview",), ("download",)])
async def test_a_path_out_of_the_run_is_a_400(api, logged, path, route):
    status, body = await api("GET", "runs", logged.run_id, "artifacts", *route, params={"path": path})
    assert (status, body["error"]) == (400, "INVALID_PARAMETER"), body


@pytest.mark.parametrize("encoded", ["%2e%2e/x", "%2E%2E%2Fx", "eval%2F..%2F..%2Fx", "a%00b"])
async def test_an_encoded_traversal_or_nul_is_a_400(
    logged, encoded, jp_serverapp, http_server_client, jp_base_url, jp_auth_header
):
    url = f"{jp_base_url}maestro/api/v1/runs/{logged.run_id}/artifacts/preview?path={encoded}"
    response = await http_server_client.fetch(url, headers=jp_auth_header, raise_error=False)
    assert response.code == 400, response.body
    assert json.loads(response.body)["error"] == "INVALID_PARAMETER"


async def test_an_unknown_run_or_artifact_is_a_404_and_a_folder_is_not_a_file(api, logged):
    status, _ = await api("GET", "runs", UNKNOWN_RUN, "artifacts")
    assert status == 404
    status, _ = await api("GET", "runs", logged.run_id, "artifacts", "preview", params={"path": "ghost.txt"})
    assert status == 404
    status, body = await api("GET", "runs", logged.run_id, "artifacts", "download", params={"path": "eval"})
    assert (status, body["error"]) == (400, "INVALID_PARAMETER")
    status, _ = await api("GET", "runs", logged.run_id, "artifacts", "preview")
    assert status == 400  # path is required


# --- the run itself, and many runs ---------------------------------------------------------------------------------


async def test_a_run_names_its_experiment_source_and_mlflow_page(api, logged):
    status, body = await api("GET", "runs", logged.run_id)
    assert status == 200
    run = RunSummary.model_validate(body)
    assert run.experiment_name == EXPERIMENT
    assert run.source is not None
    assert run.source.model_dump() == {
        "type": "SCRIPT",
        "name": "/home/ana/train.py",
        "job_id": None,
        "git_commit": GIT_COMMIT,
    }
    assert run.mlflow_url == f"{UI}/#/experiments/{logged.experiment_id}/runs/{logged.run_id}"
    _, other = await api("GET", "runs", logged.other_run_id)
    assert other["source"] == {"type": "JOB", "name": "", "job_id": "job-0a1b2c3d", "git_commit": None}
    _, page = await api("GET", "experiments", EXPERIMENT, "runs")
    assert {r["experiment_name"] for r in page["runs"]} == {EXPERIMENT}


async def test_a_hundred_runs_are_compared_and_a_hundred_and_one_refused(api, settings):
    ids = log_many_runs(Services(settings).mlflow.client, 101)
    status, body = await api("GET", "runs", "compare", params={"run_ids": ",".join(ids[:100])})
    assert status == 200
    assert [r["run_id"] for r in body["runs"]] == ids[:100]
    assert {r["experiment_name"] for r in body["runs"]} == {"many-runs"}
    assert len(body["metrics"]["accuracy"]) == 100
    assert "accuracy" in body["differing_metrics"]
    status, body = await api("GET", "runs", "compare", params={"run_ids": ",".join(ids)})
    assert (status, body["error"]) == (400, "INVALID_PARAMETER")
    status, body = await api("GET", "runs", "compare", params={"run_ids": f"{ids[0]},{UNKNOWN_RUN}"})
    assert (status, body["error"]) == (404, "NOT_FOUND")
    assert UNKNOWN_RUN in body["message"]


async def test_a_run_listing_takes_pages_of_up_to_5000(api, settings):
    log_many_runs(Services(settings).mlflow.client, 30)
    status, body = await api("GET", "experiments", "many-runs", "runs", params={"max_results": "5000"})
    assert (status, len(body["runs"])) == (200, 30)
    status, body = await api("GET", "experiments", "many-runs", "runs", params={"max_results": "5001"})
    assert (status, body["error"]) == (400, "INVALID_PARAMETER")
    seen: list[str] = []
    params = {"max_results": "7", "order_by": "metrics.accuracy DESC"}
    while True:
        _, body = await api("GET", "experiments", "many-runs", "runs", params=params)
        seen += [r["run_id"] for r in body["runs"]]
        if not body["next_page_token"]:
            break
        params = {**params, "page_token": body["next_page_token"]}
    assert len(seen) == len(set(seen)) == 30
