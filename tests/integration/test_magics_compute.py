"""``%maestro train / jobs / logs / cancel / deploy / deployments / predict / undeploy`` in a real IPython shell,
with real processes."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell

import maestro_jupyter
from maestro_jupyter.entities import Job, JobList, Prediction
from tests.compute_helpers import stop_everything
from tests.integration.test_magics import one_line_error, run_line


@pytest.fixture
def shell(maestro_home, monkeypatch, tmp_path):
    monkeypatch.setenv("MAESTRO_HOME", str(maestro_home))
    monkeypatch.chdir(tmp_path)
    sh = InteractiveShell.instance()
    maestro_jupyter.load_ipython_extension(sh)
    yield sh
    magics = sh.magics_manager.registry["MaestroMagics"]
    if magics._client is not None:
        stop_everything(magics._client)


def client(shell):
    return shell.magics_manager.registry["MaestroMagics"].client


def test_a_train_cell_runs_and_its_output_follows(shell, capsys):
    job = shell.run_cell_magic(
        "maestro", "train -p greeting=hi --name cell-job", "import sys\nprint('args', sys.argv[1:])\n"
    )
    assert isinstance(job, Job)
    assert job.name == "cell-job"
    assert job.kind == "cell"
    # The job shows itself, summary first (nothing printed besides): what it is, its state, its estimate, the
    # command to follow it; then the details folded, with times, resources and the estimate readable.
    assert capsys.readouterr().out == ""
    bundle = job._repr_mimebundle_()
    first = bundle["text/plain"].splitlines()[0]
    assert re.fullmatch(
        rf"Job {job.id} \(cell-job\) · (queued|starting|running)( · running for [\d.]+ s)? · est\. \$0\.06 per run · "
        rf"follow with %maestro logs {job.id} --follow",
        first,
    ), first
    html = bundle["text/html"]
    assert html.index('class="maestro-summary"') < html.index("<details>")
    assert f"<code>%maestro logs {job.id} --follow</code>" in html
    assert "$" not in html
    assert "created_at" not in html
    assert "{'" not in html

    run_line(shell, f"logs {job.id} --follow")
    out = capsys.readouterr().out
    assert "args ['--greeting', 'hi']" in out
    assert out.rstrip().endswith(f"{job.id} succeeded")

    jobs = run_line(shell, "jobs --status finished")
    assert isinstance(jobs, JobList)
    assert [j.id for j in jobs] == [job.id]
    assert jobs[0].status == "succeeded"
    assert job.id in jobs._repr_html_()
    run_line(shell, f"logs {job.id}")
    assert "args ['--greeting', 'hi']" in capsys.readouterr().out


def test_train_a_script_with_follow_and_cancel_one(shell, capsys, tmp_path):
    (tmp_path / "quick.py").write_text("print('quick done')\n")
    job = run_line(shell, "train quick.py --follow")
    assert job.status == "succeeded"
    assert "quick done" in capsys.readouterr().out

    slow = shell.run_cell_magic("maestro", "train", "import time\ntime.sleep(300)\n")
    run_line(shell, f"cancel {slow.id}")
    assert f"{slow.id} cancelled" in capsys.readouterr().out
    assert client(shell).training.get(slow.id).status == "cancelled"


def test_deploy_predict_list_and_undeploy(shell, capsys):
    deployed = run_line(shell, "deploy iris-classifier@champion")
    assert deployed.id == "iris-classifier-champion"
    assert deployed.status == "ready"
    assert capsys.readouterr().out == ""  # the estimate is in the summary, not printed beside it
    assert str(deployed).splitlines()[0] == (
        "Deployment iris-classifier-champion · ready · iris-classifier v1 (champion) · 1/1 replicas ready · "
        "est. $1.32 per day · predict with %maestro predict iris-classifier-champion DF"
    )
    assert "&#36;1.32" in deployed._repr_html_()
    assert "$" not in deployed._repr_html_()
    assert [d.id for d in run_line(shell, "deployments")] == ["iris-classifier-champion"]
    shell.user_ns["flowers"] = pd.DataFrame(
        [{"sepal length (cm)": 6.7, "sepal width (cm)": 3.0, "petal length (cm)": 5.2, "petal width (cm)": 2.3}]
    )
    answer = run_line(shell, "predict iris-classifier-champion flowers")
    assert isinstance(answer, Prediction)
    assert answer.predictions == [2]
    run_line(shell, "undeploy iris-classifier-champion")
    assert "iris-classifier-champion stopped" in capsys.readouterr().out
    assert run_line(shell, "deployments").deployments == []


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("%maestro train missing.py", "No such file"),
        ("%maestro train", "needs a SCRIPT"),
        ("%maestro train x.py -p novalue", "KEY=VALUE"),
        ("%%maestro train\ndef broken(:", "not valid Python"),
        ("%%maestro train --cpus -2\nprint(1)", "cpus"),
        ("%maestro logs ../etc/passwd", "Invalid job id"),
        ("%maestro cancel job-00000000", "not found"),
        ("%maestro deploy ghost-model@champion", "ghost-model"),
        ("%maestro deploy iris-classifier@champion --name Bad_Name", "DNS-1123"),
        ("%maestro undeploy nothing-here", "not found"),
    ],
)
def test_bad_input_is_one_readable_line(shell, capsys, cell, expected):
    assert expected in one_line_error(shell, capsys, cell)
