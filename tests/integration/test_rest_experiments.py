"""Experiments and runs through the REST API."""

from __future__ import annotations

from maestro_jupyter.entities import ExperimentPage, RunComparison, RunPage


async def test_list_experiments_and_search(api):
    status, body = await api("GET", "experiments")
    assert status == 200
    names = {e.name for e in ExperimentPage.model_validate(body).experiments}
    assert {"maestro-demo-breast-cancer", "maestro-demo-diabetes", "maestro-demo-iris"} <= names
    _, body = await api("GET", "experiments", params={"search": "DIABETES"})
    assert [e["name"] for e in body["experiments"]] == ["maestro-demo-diabetes"]


async def test_runs_sorted_by_a_metric_both_ways(api):
    _, body = await api("GET", "experiments", "maestro-demo-diabetes", "runs", params={"order_by": "metrics.r2 DESC"})
    runs = RunPage.model_validate(body).runs
    r2 = [r.metrics["r2"] for r in runs]
    assert len(r2) == 2
    assert r2 == sorted(r2, reverse=True)
    _, body = await api("GET", "experiments", "maestro-demo-diabetes", "runs", params={"order_by": "metrics.r2 ASC"})
    assert [r["metrics"]["r2"] for r in body["runs"]] == sorted(r2)


async def test_runs_by_experiment_id_and_filter(api):
    _, exps = await api("GET", "experiments", params={"search": "breast"})
    exp_id = exps["experiments"][0]["experiment_id"]
    _, body = await api("GET", "experiments", exp_id, "runs", params={"filter": "params.algorithm = 'random-forest'"})
    assert [r["params"]["algorithm"] for r in body["runs"]] == ["random-forest"]


async def test_run_and_compare(api):
    _, body = await api("GET", "experiments", "maestro-demo-breast-cancer", "runs")
    ids = [r["run_id"] for r in body["runs"]]
    status, run = await api("GET", "runs", ids[0])
    assert (status, run["run_id"]) == (200, ids[0])

    status, body = await api("GET", "runs", "compare", params={"run_ids": ",".join(ids)})
    assert status == 200
    cmp = RunComparison.model_validate(body)
    assert [r.run_id for r in cmp.runs] == ids
    assert "algorithm" in cmp.differing_params
    assert "dataset" not in cmp.differing_params  # the same dataset for all three
    assert len(cmp.metrics["accuracy"]) == 3


async def test_compare_needs_two_runs(api):
    _, body = await api("GET", "experiments", "maestro-demo-iris", "runs")
    status, err = await api("GET", "runs", "compare", params={"run_ids": body["runs"][0]["run_id"]})
    assert (status, err["error"]) == (400, "INVALID_PARAMETER")
    assert "between 2 and" in err["message"]
