"""The example notebooks in ``notebooks/`` run top to bottom, as a user would run them, and are committed clean.

Each notebook runs in a real kernel (the ``python3`` kernel of this venv, started by nbclient) from a copy in a
folder of its own, on a fresh MAESTRO_HOME, with the developer's MAESTRO_/MLFLOW_/JUPYTER settings out of the kernel's
environment. The quickstart's REST cells call a real ``jupyter lab`` on the same home, found the way the notebook says:
through ``list_running_servers()`` in the runtime directory the kernel is given. Afterwards the registry, the ledger
and the process table show what the notebooks did, and that nothing they started is left running.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from maestro_jupyter import MaestroClient
from maestro_jupyter.settings import Settings
from tests.compute_helpers import stop_everything
from tests.live_server import LabServer, lab_env, start_lab, stop

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb"))
QUICKSTART = "01-quickstart.ipynb"
PROFILE = "02-profile-and-features.ipynb"
TRAIN = "03-train-register-card-test.ipynb"
DEPLOY = "04-deploy-and-costs.ipynb"
FEATURES = "05-feature-store.ipynb"

#: Bounds: one cell (a training job, a deployment), the kernel's start, and the processes' exit after the kernel's.
CELL_TIMEOUT_S = 300
KERNEL_STARTUP_S = 60
EXIT_WAIT_S = 15.0

#: Run after a notebook's own cells: which Python ran it, on which home, from where.
PROBE = """import json, os, sys
print(json.dumps({"python": sys.executable, "home": os.environ.get("MAESTRO_HOME"), "cwd": os.getcwd()}))"""


@dataclass
class Executed:
    """A notebook as it ran: the executed copy, its home and folder, how long it took (or why it failed)."""

    name: str
    home: Path
    workdir: Path
    notebook: nbformat.NotebookNode | None = None
    seconds: float = 0.0
    error: BaseException | None = None
    probe: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        """Everything the cells printed or displayed as text."""
        assert self.notebook is not None
        parts = []
        for cell in self.notebook.cells:
            for output in cell.get("outputs", []):
                parts.append(output.get("text", ""))
                parts.append(output.get("data", {}).get("text/plain", ""))
        return "\n".join(parts)


class Runner:
    """Runs each notebook once per module (the tests that check its effects share the run)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lab: LabServer | None = None
        self.runs: dict[str, Executed] = {}
        self.homes: list[Path] = []

    @property
    def lab_home(self) -> Path:
        return self.root / "lab-maestro-home"

    def start_lab(self) -> LabServer:
        if self.lab is None:
            self.lab = start_lab(self.root, self.lab_home)
            self.homes.append(self.lab_home)
        return self.lab

    def get(self, name: str) -> Executed:
        if name not in self.runs:
            # The quickstart talks to the lab, which must read the same home; the others get one of their own.
            home = self.lab_home if name == QUICKSTART else self.root / f"home-{Path(name).stem}"
            if name == QUICKSTART:
                self.start_lab()
            self.runs[name] = self.execute(name, home, self.root / "notebooks" / Path(name).stem)
        run = self.runs[name]
        if run.error is not None:
            raise run.error
        return run

    def execute(self, name: str, home: Path, workdir: Path) -> Executed:
        """Run a copy of the notebook in ``workdir`` on ``home``; a failing cell is recorded as ``error``."""
        if home not in self.homes:
            self.homes.append(home)
        workdir.mkdir(parents=True, exist_ok=True)
        shutil.copy(NOTEBOOKS_DIR / name, workdir / name)
        notebook = nbformat.read(workdir / name, as_version=4)
        notebook.cells.append(nbformat.v4.new_code_cell(PROBE))
        run = Executed(name, home, workdir, notebook)
        client = NotebookClient(
            notebook,
            kernel_name="python3",
            timeout=CELL_TIMEOUT_S,
            startup_timeout=KERNEL_STARTUP_S,
            resources={"metadata": {"path": str(workdir)}},
        )
        started = time.monotonic()
        with pytest.MonkeyPatch.context() as mp:
            # The kernelspec is looked up in this process: only this venv's (or the native one) may answer.
            for var in [v for v in os.environ if v.startswith(("JUPYTER", "IPYTHON"))]:
                mp.delenv(var)
            mp.setenv("JUPYTER_DATA_DIR", str(self.root / "jupyter-data"))
            mp.setenv("JUPYTER_RUNTIME_DIR", str(self.root / "kernel-runtime"))
            try:
                client.execute(env=self.kernel_env(home))
            except Exception as exc:  # CellExecutionError names the cell and carries its traceback
                run.error = exc
        run.seconds = time.monotonic() - started
        if run.error is None:
            run.probe = json.loads(notebook.cells[-1].outputs[0]["text"])
        return run

    def kernel_env(self, home: Path) -> dict[str, str]:
        """The lab's environment (the developer's MAESTRO_/MLFLOW_/JUPYTER variables dropped; its runtime
        directory, where ``list_running_servers`` looks) on ``home``, without MLflow's telemetry."""
        env = lab_env(self.root, home)
        env["MLFLOW_DISABLE_TELEMETRY"] = "true"
        return env

    @property
    def lab_group(self) -> int | None:
        """The lab's process group (it leads it): its processes run on the quickstart's home by design."""
        return self.lab.process.pid if self.lab is not None else None

    def close(self) -> None:
        try:
            for home in self.homes:  # a notebook that failed halfway may have left a job or a deployment
                if (home / "maestro.db").exists():
                    client = client_on(home)
                    client.deployments.list()  # opens the store, which stop_everything looks for
                    stop_everything(client)
        finally:
            if self.lab is not None:
                stop(self.lab.process)


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    run = Runner(tmp_path_factory.mktemp("notebooks"))
    yield run
    run.close()


def client_on(home: Path) -> MaestroClient:
    return MaestroClient(Settings.from_env({}, home=str(home)))


def processes_of(home: Path, exclude_group: int | None = None) -> list[str]:
    """Live processes started for ``home`` (it is in their environment or command line), but this one's."""
    marker = str(home).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            cmdline = (entry / "cmdline").read_bytes()
            group = os.getpgid(int(entry.name))
        except (OSError, ProcessLookupError):  # gone meanwhile, or not ours to read
            continue
        if group == exclude_group or not cmdline:  # the lab itself, or a zombie
            continue
        if marker in environ or marker in cmdline:
            command = cmdline.replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{entry.name}: {command[:200]}")
    return found


def assert_nothing_left_running(home: Path, exclude_group: int | None = None) -> None:
    deadline = time.monotonic() + EXIT_WAIT_S  # a supervisor exits just after recording its job's end
    while (left := processes_of(home, exclude_group)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == [], "\n".join(left)


# --- the committed notebooks ---------------------------------------------------------------------------------------


def test_the_five_examples_are_there():
    assert NOTEBOOKS == [QUICKSTART, PROFILE, TRAIN, DEPLOY, FEATURES]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebooks_are_stripped(name):
    notebook = nbformat.read(NOTEBOOKS_DIR / name, as_version=nbformat.NO_CONVERT)
    nbformat.validate(notebook)
    assert notebook.nbformat == 4
    assert notebook.metadata == {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [], cell.source[:80]
        assert cell.execution_count is None, cell.source[:80]
    assert notebook.cells[0].cell_type == "markdown"  # each one starts by saying what it is about


# --- running them --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_top_to_bottom_in_this_venvs_kernel(runner, name):
    run = runner.get(name)
    assert run.probe["python"] == sys.executable  # the python3 kernel resolved to this venv's Python
    assert run.probe["home"] == str(run.home)
    assert run.probe["cwd"] == str(run.workdir)
    # The kernel's plain mlflow calls went to Maestro's store, never to an ./mlflow.db or ./mlruns of the folder.
    assert not (run.workdir / "mlflow.db").exists()
    assert not (run.workdir / "mlruns").exists()
    # Jobs, their supervisors and the deployments' replicas all ended with the notebook (or soon after).
    assert_nothing_left_running(run.home, exclude_group=runner.lab_group)
    print(f"{name}: {run.seconds:.1f} s")


def test_the_quickstart_creates_what_it_shows_and_calls_the_real_api(runner):
    run = runner.get(QUICKSTART)
    text = run.text()
    assert "No running Jupyter server found" not in text
    assert "REST: quickstart-cancer latest v2" in text
    ml = client_on(run.home)
    model = ml.models.get("quickstart-cancer")
    assert [v.version for v in model.versions] == ["2", "1"]
    assert model.aliases == {"candidate": "2"}
    # One tag set through the SDK, one through the REST API of the lab: the same store.
    assert model.tags == {"task": "classification", "reviewed-by": "quickstart"}
    assert runner.lab is not None
    status, body = runner.lab.api("GET", "models/quickstart-cancer")
    assert status == 200
    assert body["tags"]["task"] == "classification"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_notebook_shows_tqdm_s_ipywidgets_warning(runner, name):
    # Without ipywidgets, tqdm.auto warns "IProgress not found" in a red box when a library first imports it.
    assert "IProgress not found" not in runner.get(name).text()


def test_the_profile_notebook_finds_the_planted_problems(runner):
    run = runner.get(PROFILE)
    text = run.text()
    # As the results read in text (the profile's warnings, the feature report's flags), not as a field dump.
    for problem in ("warning constant: ", "warning high_missing: ", "warning id_like: ", "! leakage: "):
        assert problem in text
    assert "kind='" not in text
    assert "second profile: 0.0" in text  # the cached profile
    assert sorted(p.name for p in run.workdir.iterdir()) == [PROFILE]  # it wrote nothing next to itself


def test_the_training_notebook_promotes_a_tested_version_with_an_approved_card(runner):
    run = runner.get(TRAIN)
    ml = client_on(run.home)
    jobs = ml.training.list()
    assert [j.status for j in jobs] == ["succeeded", "succeeded"]
    assert all(j.cost is not None for j in jobs)
    model = ml.models.get("tutorial-cancer-classifier")
    assert model.aliases == {"champion": "2", "challenger": "1"}
    assert ml.tests.get("tutorial-cancer-classifier", version=2).verdict == "passed"
    assert ml.tests.get("tutorial-cancer-classifier", version=1).verdict == "failed"
    card = ml.cards.generate("tutorial-cancer-classifier", alias="champion", save=False)
    assert card.approval.status == "approved"
    assert card.completeness.missing == []


def test_the_deployment_notebook_serves_prices_and_stops(runner):
    run = runner.get(DEPLOY)
    ml = client_on(run.home)
    assert ml.deployments.list().deployments == []
    stopped = ml.deployments.list(include_stopped=True)
    assert [(d.id, d.status) for d in stopped] == [("tutorial-cancer-api", "stopped")]
    spend = ml.costs.summary(by="kind", window="1d", project="maestro-tutorial")
    assert [g.key for g in spend.groups] == ["deployment"]
    assert spend.total > 0
    budget = ml.budgets.get("project:maestro-tutorial")
    assert (budget.amount, budget.period, budget.thresholds, budget.hard_limit) == (
        5.0,
        "monthly",
        [50, 80, 100],
        False,
    )


def test_the_deployment_notebook_runs_again_on_the_same_home(runner):
    """Its names are fixed (a deployment id, a project budget): a second run must reuse them, not trip on them."""
    first = runner.get(DEPLOY)
    again = runner.execute(DEPLOY, first.home, runner.root / "notebooks" / "deploy-again")
    if again.error is not None:
        raise again.error
    ml = client_on(first.home)
    assert [v.version for v in ml.models.get("tutorial-served-cancer").versions] == ["2", "1"]
    assert ml.deployments.list().deployments == []
    assert_nothing_left_running(first.home)


def test_notebook_05_trains_from_the_store_and_serves_by_entity_key(runner):
    """The feature-store notebook left what it says: the demo repo seeded under its home, its selection saved as a
    feature service, a version trained from that service with the lineage on its run, and its deployment stopped
    after answering requests that carried only entity keys."""
    run = runner.get(FEATURES)
    ml = client_on(run.home)
    assert (run.home / "feature_repo" / "feature_store.yaml").exists()  # seeded where Maestro looks by default
    service = ml.features.service("churn_tutorial")
    assert service.features  # the discovery's numeric top features, as view:feature
    assert all(":" in ref for ref in service.features)
    assert "customer_profile:plan" not in service.features  # text: the notebook keeps the numeric ones
    [entry] = ml.features.lineage(service="churn_tutorial").items
    assert (entry.model, entry.version) == ("tutorial-churn", "1")
    assert entry.registry_version
    version = ml.models.get("tutorial-churn", version="1")
    assert version.run is not None
    assert version.run.tags["maestro.features.service"] == "churn_tutorial"
    assert ml.deployments.list().deployments == []
    [stopped] = ml.deployments.list(include_stopped=True)
    assert (stopped.id, stopped.status) == ("tutorial-churn-api", "stopped")
    text = run.text()
    assert "grouped by feature view" in text  # %maestro features on the store's training set
    assert "NotFound: " in text  # the unknown customer's clear error
