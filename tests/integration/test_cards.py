"""Model cards on a real MLflow store with the seeded, really trained models: the SDK and ``%maestro card``."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import jsonschema
import pypdf
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from mlflow import MlflowClient

import maestro_jupyter
from maestro_jupyter import InvalidParameter, MaestroClient, NotFound, PermissionDenied
from maestro_jupyter.analysis.cards.markdown_io import MISSING_TEXT
from maestro_jupyter.analysis.cards.view import CardOutput

MODEL = "breast-cancer-classifier"
WRITTEN = {
    "owners": ["Ana Ruiz <ana@example.org>", "Risk team"],
    "license": "apache-2.0",
    "intended_use": "Second opinion for **screening** reviews.",
    "out_of_scope_use": "Diagnosis without a clinician.",
    "limitations": "Trained on 569 Wisconsin cases.",
    "ethical_considerations": "Errors fall on patients; keep a human in the loop.",
}


@pytest.fixture
def ml(settings):
    return MaestroClient(settings)


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages).split())


def test_a_generated_card_is_filled_from_the_registry(ml):
    card = ml.cards.generate(MODEL, alias="champion")
    version = ml.models.get(MODEL, alias="champion")
    facts = card.facts
    assert facts.model.version == version.version == "3"
    assert facts.model.aliases == ["champion"]
    assert facts.model.description == version.description
    assert facts.model.framework.startswith("scikit-learn ")
    assert facts.model.architecture == "sklearn.ensemble._gb.GradientBoostingClassifier"
    assert facts.parameters.hyperparameters == version.run.params
    assert [c.name for c in facts.parameters.inputs] == [c["name"] for c in version.signature.inputs]
    metrics = {m.name: m.value for m in facts.evaluation.metrics}
    assert metrics["accuracy"] == version.run.metrics["accuracy"]
    assert {d.context for d in facts.training.datasets} == {"training", "evaluation"}
    assert any(r.startswith("scikit-learn==") for r in facts.training.requirements)
    assert "models:/breast-cancer-classifier/3" in facts.load_snippet
    assert card.completeness.missing == [
        "Owners",
        "License",
        "Intended use",
        "Out-of-scope use",
        "Limitations",
        "Ethical considerations",
    ]
    assert facts.evaluation.tests.verdict == "passed"  # the demo seed tested every version
    assert "latency_p95_ms" in [c.name for c in facts.evaluation.tests.checks]
    assert card.approval.status == "draft"


def test_every_format_is_produced_and_saved_with_the_version(ml):
    card = ml.cards.generate(MODEL, version=2)
    assert card.artifact_uri
    assert card.artifact_uri.endswith("maestro_card/breast-cancer-classifier/v2")
    saved = Path(card.artifact_uri.removeprefix("file://"))
    assert sorted(p.name for p in saved.iterdir()) == ["card.html", "card.json", "card.md", "card.pdf"]
    stored = json.loads((saved / "card.json").read_text())
    jsonschema.validate(stored, ml.cards.schema())
    assert stored["facts"]["model"]["version"] == "2"
    assert (saved / "card.md").read_text().startswith("---\n")
    assert "<!DOCTYPE html>" in (saved / "card.html").read_text()
    text = pdf_text((saved / "card.pdf").read_bytes())
    accuracy = ml.models.get(MODEL, version=2).run.metrics["accuracy"]
    assert "Model card: breast-cancer-classifier v2" in text
    assert f"{accuracy:.4g}" in text
    tags = ml.models.get(MODEL, version=2).tags
    assert tags["maestro.card.artifact_uri"] == card.artifact_uri
    assert float(tags["maestro.card.completeness"]) == pytest.approx(card.completeness.score, abs=1e-4)
    assert len(card.to_markdown()) > 1000
    assert card.to_pdf().startswith(b"%PDF")


def test_people_sections_survive_regeneration_and_are_kept_on_the_version(ml, settings):
    ml.cards.update(MODEL, version=3, **WRITTEN)
    tags = ml.models.get(MODEL, version=3).tags
    assert tags["maestro.card.section.intended_use"] == WRITTEN["intended_use"]
    assert json.loads(tags["maestro.card.section.owners"]) == [
        {"name": "Ana Ruiz", "contact": "ana@example.org"},
        {"name": "Risk team", "contact": None},
    ]
    # A new client (another kernel, the server) regenerates from the registry alone.
    again = MaestroClient(settings).cards.generate(MODEL, version=3)
    assert again.sections.limitations == WRITTEN["limitations"]
    assert again.completeness.missing == []  # the demo seed ran the model tests
    assert "Second opinion for <strong>screening</strong> reviews." in again.to_html()
    assert "Diagnosis without a clinician." in pdf_text(again.to_pdf())
    # None clears one section; the rest stay.
    cleared = ml.cards.update(MODEL, version=3, limitations=None)
    assert cleared.sections.limitations is None
    assert cleared.sections.license == "apache-2.0"
    assert "maestro.card.section.limitations" not in ml.models.get(MODEL, version=3).tags


def test_an_edited_markdown_card_loads_back(ml, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ml.cards.update(MODEL, version=1, license="mit", intended_use="Teaching.")
    path = ml.cards.save(MODEL, tmp_path / "card.md", version=1)
    text = path.read_text()
    assert "Teaching." in text
    assert MISSING_TEXT in text
    edited = text.replace("Teaching.", "Teaching and demos.").replace("license: mit", "license: bsd-3-clause")
    card = ml.cards.update(MODEL, version=1, markdown=edited)
    assert card.sections.intended_use == "Teaching and demos."
    assert card.sections.license == "bsd-3-clause"
    assert card.sections.limitations is None  # placeholders are not content
    other = text.replace("model: breast-cancer-classifier", "model: iris-classifier")
    with pytest.raises(InvalidParameter, match="describes model 'breast-cancer-classifier'"):
        ml.cards.update("iris-classifier", version=1, markdown=text)
    assert ml.cards.update("iris-classifier", version=1, markdown=other).sections.license == "mit"


def test_approval_is_recorded_refused_when_incomplete_and_goes_stale(ml, settings):
    with pytest.raises(InvalidParameter, match="write Owners, License, Intended use"):
        ml.cards.approve(MODEL, alias="champion")
    ml.cards.update(MODEL, alias="champion", **WRITTEN)
    card = ml.cards.approve(MODEL, alias="champion", comment="Reviewed with the risk team")
    assert card.approval.status == "approved"
    assert not card.approval.stale
    assert card.approval.approved_by == settings.user
    assert card.approval.comment == "Reviewed with the risk team"
    tags = ml.models.get(MODEL, version=3).tags
    assert tags["maestro.card.status"] == "approved"
    assert tags["maestro.card.approved_by"] == settings.user
    assert "Approved by" in card.to_html()

    ml.models.set_tag(MODEL, "validated-on", "2026-Q4", version=3)  # the version changed after the approval
    stale = ml.cards.generate(MODEL, version=3)
    assert stale.approval.stale
    assert stale.approval.stale_reasons == ["version tags changed since the approval"]
    assert "stale" in stale.to_markdown()

    edited = ml.cards.update(MODEL, version=3, limitations="Also: not for children.")
    assert edited.approval.status == "draft"  # what was approved is not what the card says any more
    assert ml.cards.approve(MODEL, version=3).approval.status == "approved"
    assert ml.cards.reopen(MODEL, version=3).approval.status == "draft"


def test_a_version_without_run_or_signature_still_gets_a_valid_card(ml, settings, tmp_path):
    folder = tmp_path / "bare-model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"\0" * 16)
    client = MlflowClient(tracking_uri=settings.tracking_uri)
    client.create_registered_model("bare")
    client.create_model_version("bare", folder.as_uri())
    card = ml.cards.generate("bare")
    assert card.facts.model.run_id is None
    assert card.facts.parameters.has_signature is False
    assert {"Input and output schema", "Hyperparameters", "Evaluation metrics", "Requirements", "Training data"} <= set(
        card.completeness.missing
    )
    jsonschema.validate(json.loads(card.to_json()), ml.cards.schema())
    assert "The model was logged without a signature." in card.to_markdown()
    # Its files went to a run of its own, recorded on the version.
    tags = ml.models.get("bare", version=1).tags
    holder = client.get_run(tags["maestro.card.run_id"])
    assert client.get_experiment(holder.info.experiment_id).name == "Maestro model cards"
    assert card.artifact_uri.startswith(holder.info.artifact_uri)


def test_a_logged_training_profile_and_test_report_appear_on_the_card(ml, settings):
    client = MlflowClient(tracking_uri=settings.tracking_uri)
    run_id = ml.models.get("iris-classifier", version=1).run_id
    summary = {"rows": 112, "columns": 5, "missing_share": 0.0, "duplicate_rows": 1, "warnings": [], "memory_bytes": 1}
    client.log_text(run_id, json.dumps(summary), "maestro/profile/summary.json")
    report = {"checks": [{"name": "accuracy", "category": "performance", "status": "passed", "value": 0.97}]}
    client.log_text(run_id, json.dumps(report), "maestro_tests/report.json")
    # A report another tool left in the source run (no test run of Maestro's recorded on the version).
    client.delete_model_version_tag("iris-classifier", "1", "maestro.tests.run_id")
    for key, value in {
        "maestro.tests.verdict": "passed",
        "maestro.tests.ran_at": "2026-11-26T09:00:00+00:00",
        "maestro.tests.report": "maestro_tests/report.json",
        "maestro.cost.train": "0.42",
    }.items():
        client.set_model_version_tag("iris-classifier", "1", key, value)
    card = ml.cards.generate("iris-classifier", version=1)
    assert card.facts.training.profile.rows == 112
    assert card.facts.evaluation.tests.verdict == "passed"
    assert card.facts.evaluation.tests.checks[0].value == 0.97
    assert card.facts.training.cost.amount == 0.42
    assert "Model test results" not in card.completeness.missing
    text = pdf_text(card.to_pdf())
    assert "112 rows \u00d7 5 columns" in text  # as the Markdown and HTML cards say it
    assert "0.42 USD" in text


def test_bad_input_is_a_typed_error(ml, tmp_path, monkeypatch):
    with pytest.raises(NotFound):
        ml.cards.generate("no-such-model")
    with pytest.raises(NotFound):
        ml.cards.generate(MODEL, version=99)
    with pytest.raises(NotFound, match="no alias 'gold'"):
        ml.cards.generate(MODEL, alias="gold")
    with pytest.raises(InvalidParameter, match="Unknown card format"):
        ml.cards.save(MODEL, tmp_path / "card.docx", version=1)
    with pytest.raises(InvalidParameter, match="Unknown card section 'mood'"):
        ml.cards.update(MODEL, version=1, mood="sunny")
    with pytest.raises(InvalidParameter, match="license"):
        ml.cards.update(MODEL, version=1, license="x" * 500)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PermissionDenied, match="can only be saved under"):
        ml.cards.save(MODEL, "/etc/card.md", version=1)
    with pytest.raises(InvalidParameter, match="does not exist"):
        ml.cards.save(MODEL, tmp_path / "missing-folder" / "card.md", version=1)
    with pytest.raises(InvalidParameter, match="File name too long"):  # unwritable: the file system refuses it
        ml.cards.save(MODEL, tmp_path / ("x" * 300 + ".md"), version=1)
    assert ml.cards.save(MODEL, tmp_path, version=1, format="pdf").name == "breast-cancer-classifier-v1-card.pdf"


# --- %maestro card ---------------------------------------------------------------------------------------------


@pytest.fixture
def shell(maestro_home, monkeypatch, tmp_path):
    monkeypatch.setenv("MAESTRO_HOME", str(maestro_home))
    monkeypatch.chdir(tmp_path)
    sh = InteractiveShell.instance()
    maestro_jupyter.load_ipython_extension(sh)
    return sh


def test_magic_renders_each_format_inline(shell):
    html = shell.run_line_magic("maestro", f"card {MODEL}@champion")
    assert isinstance(html, CardOutput)
    bundle = html._repr_mimebundle_()
    assert 'sandbox=""' in bundle["text/html"]
    assert "Model card: breast-cancer-classifier" in bundle["text/html"]
    assert "completeness" in bundle["text/plain"]
    md = shell.run_line_magic("maestro", f"card {MODEL}/2 --format md")._repr_mimebundle_()
    assert md["text/markdown"].startswith("---\n")
    pdf = shell.run_line_magic("maestro", f"card {MODEL}/2 --format pdf")._repr_mimebundle_()
    assert pdf["application/pdf"].startswith("JVBERi0")  # base64 of %PDF-
    data = shell.run_line_magic("maestro", f"card {MODEL}/2 --format json")._repr_mimebundle_()
    assert data["application/json"]["facts"]["model"]["version"] == "2"


def test_magic_saves_loads_and_approves(shell, tmp_path):
    out = shell.run_line_magic("maestro", f"card {MODEL}/3 --save card.md")
    saved = tmp_path / "card.md"
    assert out.saved_to == str(saved)
    assert saved.read_text().startswith("---\n")
    text = saved.read_text()
    for field, value in WRITTEN.items():
        if field == "owners":
            text = text.replace("  owners: []", "  owners:\n  - name: Ana Ruiz")
        elif field == "license":
            text = text.replace("tags:\n", f"license: {value}\ntags:\n", 1)
        else:
            start = f"<!-- maestro:section {field} -->\n{MISSING_TEXT}"
            text = text.replace(start, f"<!-- maestro:section {field} -->\n{value}")
    saved.write_text(text)
    loaded = shell.run_line_magic("maestro", f"card {MODEL}/3 --load card.md --format json")
    sections = loaded._repr_mimebundle_()["application/json"]["sections"]
    assert sections["license"] == "apache-2.0"
    assert sections["limitations"] == WRITTEN["limitations"]
    approved = shell.run_line_magic("maestro", f"card {MODEL}/3 --approve --comment 'looks right'")
    assert "approved" in approved._repr_mimebundle_()["text/plain"]
    assert shell.run_line_magic("maestro", f"card {MODEL}/3 --save out.pdf --format pdf").saved_to.endswith("out.pdf")
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("card nope", "nope"),
        (f"card {MODEL}@gold", "no alias 'gold'"),
        (f"card {MODEL}/1 --format docx", "invalid choice: 'docx'"),
        (f"card {MODEL}/1 --save /etc/card.md", "can only be saved under"),
        (f"card {MODEL}/1 --load missing.md", "cannot read missing.md"),
        (f"card {MODEL}/1 --approve", "write Owners"),
    ],
)
def test_magic_errors_are_one_line(shell, capsys, line, message):
    result = shell.run_cell(f"%maestro {line}")
    assert isinstance(result.error_in_exec, UsageError)
    out = capsys.readouterr()
    text = (out.out + out.err).strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    assert message in text


def test_download_zip_does_not_include_card_files(ml, tmp_path):
    """Cards live beside the model, never inside it: the model's files are unchanged by a card."""
    before = zipfile.ZipFile(ml.models.download(MODEL, version=1, dest=tmp_path / "a.zip")).namelist()
    ml.cards.generate(MODEL, version=1)
    after = zipfile.ZipFile(ml.models.download(MODEL, version=1, dest=tmp_path / "b.zip")).namelist()
    assert before == after
    assert not any("card" in n for n in after)


def test_the_jobs_own_bookkeeping_is_not_a_model_result(ml, settings):
    client = MlflowClient(tracking_uri=settings.tracking_uri)
    run_id = ml.models.get("iris-classifier", version=1).run_id
    # What the job supervisor logs on a job's run: the job's usage, not the model's performance.
    client.log_metric(run_id, "maestro.job.cpu_seconds", 12.5)
    client.log_metric(run_id, "maestro.job.peak_memory_mb", 300.0)
    names = {m.name for m in ml.cards.generate("iris-classifier", version=1).facts.evaluation.metrics}
    assert "accuracy" in names
    assert not {n for n in names if n.startswith("maestro.")}


def test_magic_says_in_one_line_what_the_pdf_cannot_show(ml, shell, capsys):
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        pytest.skip("needs fontconfig's fc-list to pick a character no installed font has")
    chars = ("\U00013000", "\U0001e900", "\U00016a40")  # an Egyptian hieroglyph, Adlam, Mro
    free = [c for c in chars if not subprocess.run([fc_list, f":charset={ord(c):x}"], capture_output=True).stdout]
    if not free:
        pytest.skip("every candidate character has an installed font here")
    ml.cards.update(MODEL, version=2, limitations=f"Tested on the {free[0]} subset only.")
    capsys.readouterr()
    shown = shell.run_line_magic("maestro", f"card {MODEL}/2 --format pdf")
    out = capsys.readouterr()
    printed = [line for line in (out.out + out.err).splitlines() if line.strip()]
    assert len(printed) == 1, printed  # one line, however many times the card was rendered (saved, shown)
    assert printed[0].startswith(f"Note: The PDF card cannot show 1 character(s) ({free[0]})")
    pdf = base64.b64decode(shown._repr_mimebundle_()["application/pdf"])
    assert "Tested on the \u25a1 subset only." in pdf_text(pdf)  # a box where the character was
