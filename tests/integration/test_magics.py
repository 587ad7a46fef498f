"""``%maestro`` in a real IPython InteractiveShell on a real store."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import maestro_jupyter
from maestro_jupyter.entities import ModelDetail, ModelPage, VersionDetail
from maestro_jupyter.entities.display import Table


@pytest.fixture
def shell(maestro_home, monkeypatch):
    monkeypatch.setenv("MAESTRO_HOME", str(maestro_home))
    sh = InteractiveShell.instance()
    maestro_jupyter.load_ipython_extension(sh)  # a fresh %maestro with a fresh client for this home
    return sh


def run_line(shell: InteractiveShell, line: str):
    return shell.run_line_magic("maestro", line)


def one_line_error(shell: InteractiveShell, capsys, cell: str) -> str:
    result = shell.run_cell(cell)
    assert isinstance(result.error_in_exec, UsageError)
    out = capsys.readouterr()
    text = (out.out + out.err).strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    return text


def test_load_ext_registers_the_magic(shell):
    assert "maestro" in shell.magics_manager.magics["line"]
    assert "maestro" in shell.magics_manager.magics["cell"]


def test_help_lists_every_subcommand(shell):
    table = run_line(shell, "help")
    assert isinstance(table, Table)
    commands = [row[0] for row in table.rows]
    assert {"%maestro models", "%maestro model", "%maestro help"} <= set(commands)
    assert all(row[1] for row in table.rows)
    assert "<table" in table._repr_html_()
    assert isinstance(run_line(shell, ""), Table)  # a bare %maestro is help


def test_models_with_search_and_tag(shell):
    page = run_line(shell, "models cancer")
    assert isinstance(page, ModelPage)
    assert [m.name for m in page] == ["breast-cancer-classifier"]
    page = run_line(shell, "models --tag task=regression")
    assert [m.name for m in page] == ["diabetes-regressor"]
    assert "diabetes-regressor" in page._repr_html_()


def test_model_by_name_alias_and_version(shell):
    assert isinstance(run_line(shell, "model breast-cancer-classifier"), ModelDetail)
    champion = run_line(shell, "model breast-cancer-classifier@champion")
    assert isinstance(champion, VersionDetail)
    assert champion.version == "3"
    assert run_line(shell, "model iris-classifier/1").version == "1"


def test_runs_sorted(shell):
    from maestro_jupyter.magics.run_views import RunsTable

    page = run_line(shell, "runs maestro-demo-breast-cancer --order-by 'metrics.accuracy DESC'")
    assert isinstance(page, RunsTable)
    acc = [r.metrics["accuracy"] for r in page]
    assert acc == sorted(acc, reverse=True)


def test_subcommand_help_shows_and_returns_nothing(shell, capsys):
    assert run_line(shell, "model -h") is None
    assert "NAME[@ALIAS|/VERSION]" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("%maestro nope", "Unknown %maestro subcommand 'nope'"),
        ("%maestro modles", "Did you mean 'models'?"),
        ("%maestro model", "the following arguments are required"),
        ("%maestro model no-such-model", "not found"),
        ("%maestro model breast-cancer-classifier@ghost", "has no alias 'ghost'"),
        ("%maestro model breast-cancer-classifier@latest", "Invalid alias"),
        ("%maestro models --max many", "invalid int value"),
        ("%maestro models --max 0", "max_results must be between 1 and 1000"),
        ("%maestro models --tag novalue", "--tag takes KEY=VALUE"),
        ("%maestro models 'unclosed", "cannot parse the line"),
        ("%maestro runs no-such-experiment", "No experiment"),
    ],
)
def test_bad_input_is_one_readable_line(shell, capsys, cell, expected):
    text = one_line_error(shell, capsys, cell)
    assert text.startswith("UsageError: ")
    assert expected in text


def test_plain_mlflow_in_the_kernel_logs_where_maestro_looks(shell, maestro_home):
    shell.run_cell(
        "import mlflow\n"
        "mlflow.set_experiment('from-a-notebook')\n"
        "with mlflow.start_run():\n"
        "    mlflow.log_metric('m', 1.0)\n",
        store_history=False,
    ).raise_error()
    page = run_line(shell, "runs from-a-notebook")
    assert [r.metrics for r in page] == [{"m": 1.0}]
    assert (maestro_home / "mlflow.db").exists()
