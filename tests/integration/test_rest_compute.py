"""The REST faces of jobs and deployments on a real Jupyter server: submit, follow, cancel; deploy, predict through
the proxy, scale, delete; every bad request a 4xx with ``{"error", "message"}`` before anything starts."""

from __future__ import annotations

import asyncio
import time

import pytest

from maestro_jupyter import tagkeys as tk
from tests.compute_helpers import WAIT_S, alive

MODEL = "iris-classifier"


async def until(check, what: str):
    """Poll an async ``check`` until it returns something truthy (bounded, never a fixed sleep)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_jobs_submit_follow_and_cancel(api, jp_root_dir):
    (jp_root_dir / "count.py").write_text("import sys\nfor i in range(3):\n    print('line', i, sys.argv[1:])\n")
    status, job = await api("POST", "training", "jobs", body={"script": "count.py", "params": {"n": 3}})
    assert status == 201, job
    assert job["status"] in ("starting", "running")
    assert job["source"] == "count.py"

    async def finished():
        _, current = await api("GET", "training", "jobs", job["id"])
        return current if current["status"] == "succeeded" else None

    done = await finished() or await until(finished, "the job to finish")
    assert done["exit_code"] == 0
    assert done["duration_seconds"] > 0
    status, logs = await api("GET", "training", "jobs", job["id"], "logs", params={"offset": "0"})
    assert status == 200
    assert logs["complete"] is True
    assert logs["text"].splitlines()[0] == "line 0 ['--n', '3']"
    _, tail = await api("GET", "training", "jobs", job["id"], "logs", params={"tail": "24"})
    assert tail["text"].endswith("line 2 ['--n', '3']\n")
    assert tail["next_offset"] == logs["next_offset"]
    status, listing = await api("GET", "training", "jobs", params={"status": "finished"})
    assert [j["id"] for j in listing["jobs"]] == [job["id"]]

    status, again = await api("POST", "training", "jobs", job["id"], "cancel", body={})
    assert status == 409
    assert again["error"] == "CONFLICT"

    status, slow = await api("POST", "training", "jobs", body={"source": "import time\ntime.sleep(300)"})
    assert status == 201
    await until(
        lambda: _status_is(api, slow["id"], "running"),
        "the slow job to run",
    )
    status, cancelled = await api("POST", "training", "jobs", slow["id"], "cancel", body={})
    assert status == 200
    assert cancelled["status"] == "cancelled"


async def _status_is(api, job_id: str, wanted: str) -> bool:
    _, current = await api("GET", "training", "jobs", job_id)
    return bool(current["status"] == wanted)


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"script": "nope.py"}, 404, "No such file"),
        ({"script": "../../etc/passwd.py"}, 403, "outside the Jupyter root"),
        ({"source": "print(1)", "cpus": -1}, 400, "cpus"),
        ({"source": "print(1)", "memory": "a lot"}, 400, "memory"),
        ({"source": "print(1)", "name": "UPPER_case"}, 400, "DNS-1123"),
        ({"source": "print(1)", "gpus": -1}, 400, "gpus"),
        ({"source": "print(1)", "surprise": True}, 400, "surprise"),
        ({"script": "a.py", "source": "print(1)"}, 400, "not both"),
        ({"source": "print(1)", "file_name": "notes.txt"}, 400, "a job runs a Python script"),
    ],
)
async def test_bad_job_specs_are_4xx_and_start_nothing(api, body, status, needle):
    code, error = await api("POST", "training", "jobs", body=body)
    assert code == status, error
    assert set(error) == {"error", "message"}
    assert needle in error["message"]
    _, listing = await api("GET", "training", "jobs")
    assert listing["jobs"] == []


async def test_deploy_predict_scale_and_delete_through_rest(api, maestro_home):
    status, created = await api("POST", "deployments", body={"model": MODEL, "alias": "champion"})
    assert status == 201, created
    assert created["status"] == "starting"
    assert created["id"] == f"{MODEL}-champion"

    async def ready():
        _, current = await api("GET", "deployments", created["id"])
        assert current["status"] != "failed", current["reason"]
        return current if current["status"] == "ready" else None

    await until(ready, "the deployment to be ready")
    row = {"sepal length (cm)": 6.7, "sepal width (cm)": 3.0, "petal length (cm)": 5.2, "petal width (cm)": 2.3}
    status, answer = await api(
        "POST",
        "deployments",
        created["id"],
        "predict",
        body={"dataframe_records": [row, {**row, "petal length (cm)": 1.4, "petal width (cm)": 0.2}]},
    )
    assert status == 200, answer
    assert answer["predictions"] == [2, 0]
    assert answer["version"] == "1"

    status, refused = await api("POST", "deployments", created["id"], "predict", body={"dataframe_records": [{"x": 1}]})
    assert status == 400
    assert refused["error"] == "INVALID_PARAMETER"
    assert "refused the input" in refused["message"]
    status, refused = await api("POST", "deployments", created["id"], "predict", body={"rows": []})
    assert status == 400
    assert "scoring format" in refused["message"]
    status, refused = await api("POST", "deployments", created["id"], "predict", body="{nope")
    assert status == 400
    assert "not valid JSON" in refused["message"]

    status, scaled = await api("PATCH", "deployments", created["id"], body={"replicas": 2})
    assert status == 200
    assert scaled["replicas"] == 2
    status, listing = await api("GET", "deployments")
    assert [d["id"] for d in listing["deployments"]] == [created["id"]]

    status, stopped = await api("DELETE", "deployments", created["id"])
    assert status == 200
    assert stopped["status"] == "stopped"
    assert not any(alive(i["pid"]) for i in scaled["instances"] if i["pid"])
    status, _gone = await api("POST", "deployments", created["id"], "predict", body={"dataframe_records": [row]})
    assert status == 409


async def test_bad_deployments_are_4xx(api, maestro_home):
    from maestro_jupyter.backends.mlflow_registry import MlflowRegistry
    from maestro_jupyter.settings import Settings

    MlflowRegistry(Settings.from_env({}, home=str(maestro_home))).set_version_tag(
        MODEL, "1", tk.TESTS_VERDICT, "failed"
    )
    cases = [
        ({"model": "ghost"}, 404),
        ({"model": MODEL, "name": "Not OK"}, 400),
        ({"model": MODEL, "replicas": 0}, 400),
        ({"model": MODEL, "replicas": 2, "memory": "huge"}, 400),
        ({"model": MODEL, "version": 1}, 409),  # its tests failed: the gate refuses
    ]
    for body, status in cases:
        code, error = await api("POST", "deployments", body=body)
        assert code == status, (body, error)
        assert error["message"]
    code, error = await api("POST", "deployments", body={"model": MODEL, "version": 1})
    assert error["error"] == "GATE_REFUSED"
    assert error["failed_checks"] == []
    _, listing = await api("GET", "deployments", params={"all": "1"})
    assert listing["deployments"] == []
    code, _ = await api("PATCH", "deployments", "nothing-here", body={"replicas": 2})
    assert code == 404
    code, _ = await api("PATCH", "deployments", "nothing-here", body={})
    assert code == 400
