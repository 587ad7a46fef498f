"""The SDK against a real embedded SQLite MLflow store."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile

import pytest

from maestro_jupyter import BackendUnavailable, InvalidParameter, MaestroClient, NotFound
from maestro_jupyter.entities import ModelDetail, VersionDetail

MODEL = "breast-cancer-classifier"


@pytest.fixture
def ml(settings):
    return MaestroClient(settings)


def test_client_reads_maestro_home_from_the_environment(maestro_home, monkeypatch):
    monkeypatch.setenv("MAESTRO_HOME", str(maestro_home))
    ml = MaestroClient()
    assert ml.settings.tracking_uri == f"sqlite:///{maestro_home / 'mlflow.db'}"
    assert {m.name for m in ml.models.list()} == {"breast-cancer-classifier", "diabetes-regressor", "iris-classifier"}


def test_list_get_by_alias_and_by_version(ml):
    page = ml.models.list(search="cancer")
    assert [m.name for m in page] == [MODEL]
    model = ml.models.get(MODEL)
    assert isinstance(model, ModelDetail)
    assert model.aliases == {"champion": "3", "challenger": "2"}
    champion = ml.models.get(MODEL, alias="champion")
    assert isinstance(champion, VersionDetail)
    assert champion.version == "3"
    assert champion.model_uri == f"models:/{MODEL}@champion"
    assert champion.run is not None
    assert champion.run.params["algorithm"] == "gradient-boosting"
    assert ml.models.get(MODEL, version=1).run.params["algorithm"] == "logistic-regression"


def test_load_snippet_really_loads_the_model(ml, tmp_path):
    """The snippet runs as it is in a fresh Python and predicts."""
    snippet = ml.models.get("iris-classifier", alias="champion").load_snippet
    script = (
        f"{snippet}\n"
        "from sklearn.datasets import load_iris\n"
        "print(model.predict(load_iris(as_frame=True).data.head(3)).tolist())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[0, 0, 0]"


def test_results_render_as_html_and_text(ml):
    page = ml.models.list()
    html = page._repr_html_()
    assert "<table" in html
    assert "breast-cancer-classifier" in html
    assert "champion→v3" in str(page)
    detail = ml.models.get(MODEL, alias="champion")
    text = str(detail)
    assert text.startswith(f"{MODEL} v{detail.version} · champion · READY · registered ")  # the summary first
    assert re.search(r"^accuracy +0\.\d{4}$", text, re.M)  # metrics to 4 significant digits, right-aligned
    assert "load_model" in detail._repr_html_()


def test_html_escapes_user_text(ml):
    ml.models.update_description("iris-classifier", "<script>alert(1)</script>")
    html = ml.models.list(search="iris")._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_set_move_and_delete_alias(ml):
    assert ml.models.set_alias(MODEL, "challenger", 1).aliases == ["challenger"]
    assert ml.models.get(MODEL).aliases["challenger"] == "1"
    ml.models.delete_alias(MODEL, "challenger")
    assert "challenger" not in ml.models.get(MODEL).aliases


def test_tags_and_descriptions_on_model_and_version(ml):
    ml.models.set_tag(MODEL, "owner", "ana")
    ml.models.set_tag(MODEL, "reviewed", "yes", version=2)
    ml.models.update_description(MODEL, "v2 text", version=2)
    assert ml.models.get(MODEL).tags["owner"] == "ana"
    v2 = ml.models.get(MODEL, version=2)
    assert (v2.tags["reviewed"], v2.description) == ("yes", "v2 text")
    ml.models.delete_tag(MODEL, "reviewed", version=2)
    assert "reviewed" not in ml.models.get(MODEL, version=2).tags


def test_download_to_folder_and_file(ml, tmp_path):
    path = ml.models.download(MODEL, alias="champion", dest=tmp_path)
    assert path == tmp_path / f"{MODEL}-v3.zip"
    assert "MLmodel" in zipfile.ZipFile(path).namelist()
    latest = ml.models.download("diabetes-regressor", dest=tmp_path / "latest.zip")
    assert "MLmodel" in zipfile.ZipFile(latest).namelist()
    with pytest.raises(InvalidParameter, match="does not exist"):
        ml.models.download(MODEL, version=1, dest=tmp_path / "missing" / "x.zip")


def test_register_from_a_run(ml):
    run = ml.experiments.runs("maestro-demo-diabetes", order_by="metrics.r2 DESC")[0]
    version = ml.models.register(run.run_id, "diabetes-best", description="best r2", tags={"source": "sdk"})
    assert (version.name, version.version, version.run_id) == ("diabetes-best", "1", run.run_id)
    again = ml.models.register(run.run_id, "diabetes-best")
    assert again.version == "2"


def test_experiments_runs_and_compare(ml):
    assert "maestro-demo-iris" in {e.name for e in ml.experiments.list()}
    runs = ml.experiments.runs("maestro-demo-breast-cancer", order_by="metrics.log_loss ASC")
    losses = [r.metrics["log_loss"] for r in runs]
    assert losses == sorted(losses)
    assert all(r.duration_seconds is not None and r.duration_seconds >= 0 for r in runs)
    cmp = ml.experiments.compare([r.run_id for r in runs])
    assert set(cmp.differing_params) >= {"algorithm"}
    assert "<table" in cmp._repr_html_()


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda ml: ml.models.get("no-such-model"), NotFound),
        (lambda ml: ml.models.get(MODEL, alias="ghost"), NotFound),
        (lambda ml: ml.models.get(MODEL, version=99), NotFound),
        (lambda ml: ml.models.get(MODEL, version="x"), InvalidParameter),
        (lambda ml: ml.models.get(MODEL, version=1, alias="champion"), InvalidParameter),
        (lambda ml: ml.models.set_alias(MODEL, "latest", 1), InvalidParameter),
        (lambda ml: ml.models.set_alias(MODEL, "ok", 99), NotFound),
        (lambda ml: ml.models.list(max_results=0), InvalidParameter),
        (lambda ml: ml.models.list(page_token="junk"), InvalidParameter),
        (lambda ml: ml.models.register("0123456789abcdef0123456789abcdef", "x"), NotFound),
        (lambda ml: ml.experiments.runs("no-such-experiment"), NotFound),
        (lambda ml: ml.experiments.runs("maestro-demo-iris", order_by="metrics.x; drop"), InvalidParameter),
        (lambda ml: ml.experiments.compare(["0123456789abcdef0123456789abcdef"]), InvalidParameter),
    ],
)
def test_typed_errors(ml, call, error):
    with pytest.raises(error) as info:
        call(ml)
    assert info.value.message


def test_unwritable_store_is_backend_unavailable(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(BackendUnavailable):
        MaestroClient(home=str(tmp_path), tracking_uri=f"sqlite:///{blocker}/sub/mlflow.db").models.list()


def test_nothing_is_written_to_the_current_directory(ml, tmp_path, monkeypatch):
    """MLflow falls back to ./mlflow.db and ./mlruns when its process-wide URIs are unset; Maestro never does."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    run = ml.experiments.runs("maestro-demo-iris")[0]
    ml.models.register(run.run_id, "iris-cwd-check")
    ml.models.get("iris-cwd-check", version=1)
    ml.models.download("iris-cwd-check", version=1, dest=tmp_path)
    assert list(cwd.iterdir()) == []


def test_the_sdk_suite_runs_over_a_json_wire(ml):
    """The integration conftest puts every client these tests make behind a JSON round trip; were it not there, the
    tests above would prove less than they claim."""
    from maestro_jupyter.sdk.transport import InProcessTransport, JsonRoundTripTransport

    assert isinstance(ml._transport, JsonRoundTripTransport)
    assert isinstance(ml._transport.inner, InProcessTransport)
