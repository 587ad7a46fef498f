"""Model cards, pure: completeness, staleness, the Markdown round trip, the JSON Schema, rendering and templates."""

from __future__ import annotations

import io
import json
import re

import jsonschema
import pypdf
import pytest

from maestro_jupyter.analysis.cards import ReviewState, build_card, card_json_schema, fingerprint
from maestro_jupyter.analysis.cards.builder import EDIT_HINT
from maestro_jupyter.analysis.cards.markdown_io import MISSING_TEXT, RECORDED_TEXT, sections_from_markdown
from maestro_jupyter.analysis.cards.render import render
from maestro_jupyter.analysis.cards.schema import (
    CardFacts,
    CardSections,
    ColumnSpec,
    DatasetFacts,
    EvaluationFacts,
    MetricValue,
    ModelFacts,
    ParameterFacts,
    TrainingFacts,
)
from maestro_jupyter.errors import InvalidParameter

NOW = "2026-11-26T10:00:00+00:00"


def facts(**model: object) -> CardFacts:
    return CardFacts(
        model=ModelFacts(**{"name": "churn", "version": "4", "model_uri": "models:/churn/4", **model}),
        parameters=ParameterFacts(
            hyperparameters={"max_depth": "6"},
            inputs=[ColumnSpec(name="tenure", type="long"), ColumnSpec(name="plan", type="string", required=False)],
            outputs=[ColumnSpec(type="long")],
            has_signature=True,
        ),
        training=TrainingFacts(
            datasets=[DatasetFacts(name="churn-train", rows=1000, context="training")],
            requirements=["scikit-learn==1.5.2"],
        ),
        evaluation=EvaluationFacts(
            metrics=[
                MetricValue(name="accuracy", value=0.9125),
                MetricValue(name="accuracy", value=0.8731, slice="plan=basic"),
                MetricValue(name="training_accuracy", value=0.99, stage="training"),
            ]
        ),
        load_snippet='import mlflow\nmodel = mlflow.pyfunc.load_model("models:/churn/4")',
    )


FULL = CardSections(
    owners=[{"name": "Ana Ruiz", "contact": "ana@example.org"}],
    license="apache-2.0",
    references=["https://example.org/churn-design"],
    intended_use="Rank accounts by **churn risk** for the retention team.",
    out_of_scope_use="Credit decisions.",
    limitations="Trained on 2025 data only.",
    ethical_considerations="No protected attributes are inputs.",
)


def test_completeness_counts_required_fields_and_names_the_missing_ones():
    empty = build_card(facts(), CardSections(), ReviewState(), NOW)
    required = [i for i in empty.completeness.checklist if i.required]
    assert empty.completeness.required == len(required) == 13
    missing = set(empty.completeness.missing)
    assert {"Owners", "License", "Intended use", "Description", "Model test results"} <= missing
    assert "Input and output schema" not in missing
    assert "Training data" not in missing
    assert empty.completeness.score == pytest.approx(empty.completeness.filled / 13, abs=1e-4)
    by_field = {i.field: i for i in empty.completeness.checklist}
    assert by_field["signature"].origin == "registry"
    assert by_field["owners"].origin == "missing"
    assert by_field["owners"].hint == ""  # how people fill a section is said once (EDIT_HINT), not per section
    assert "%maestro test" in by_field["tests"].hint

    full = build_card(facts(description="Gradient boosting on 12 features"), FULL, ReviewState(), NOW)
    assert full.completeness.missing == ["Model test results"]
    assert {i.field: i.origin for i in full.completeness.checklist}["owners"] == "people"
    assert full.completeness.score > empty.completeness.score


def test_a_section_reads_the_checklists_fact_and_the_edit_hint_is_said_once():
    """The source run logged its training set: the checklist ticks Training data, so the section must not say
    "Not written yet" (it did, in both the HTML and the Markdown card); and the way to edit the card is said once,
    not beside each of the 15 unwritten sections."""
    card = build_card(facts(), CardSections(), ReviewState(), NOW)
    assert {i.field: i for i in card.completeness.checklist}["training_data"].filled

    page = render(card, "html").decode()
    section = re.search(r'<section [^>]*data-section="training_data".*?</section>', page, re.S)
    assert section is not None
    assert 'data-state="recorded"' in section.group(0)
    assert "Not written yet" not in section.group(0)
    assert page.count("ml.cards.update") == 1
    assert page.count(EDIT_HINT) == 1

    text = render(card, "md").decode()
    assert text.count("ml.cards.update") == 1
    training = text.split("### Training data", 1)[1].split("####", 1)[0]
    assert RECORDED_TEXT in training
    assert MISSING_TEXT not in training
    assert sections_from_markdown(text, expected_model="churn")["training_data"] is None  # reads back as unwritten

    bare = facts()
    bare.training.datasets = []
    unlogged = build_card(bare, CardSections(), ReviewState(), NOW)
    assert not {i.field: i for i in unlogged.completeness.checklist}["training_data"].filled
    assert 'data-section="training_data" data-state="missing"' in render(unlogged, "html").decode()

    written = build_card(facts(), CardSections(training_data="Accounts from 2025."), ReviewState(), NOW)
    assert "Accounts from 2025." in render(written, "html").decode()
    assert EDIT_HINT in render(written, "html").decode()  # other sections are still unwritten


def test_an_approved_card_goes_stale_when_a_fact_changes_and_says_which():
    before = facts()
    review = ReviewState(
        status="approved", approved_by="ana", approved_at=NOW, approved_fingerprint=fingerprint(before)
    )
    assert not build_card(before, FULL, review, NOW).approval.stale
    after = before.model_copy(deep=True)
    after.evaluation.metrics[0].value = 0.5
    after.model.tags["owner-team"] = "growth"
    card = build_card(after, FULL, review, NOW)
    assert card.approval.stale
    assert card.approval.stale_reasons == [
        "metrics changed since the approval",
        "version tags changed since the approval",
    ]
    assert card.approval.approved_by == "ana"


def test_markdown_round_trip_keeps_every_section():
    card = build_card(facts(), FULL, ReviewState(), NOW)
    text = render(card, "md").decode()
    assert text.startswith("---\nlicense: apache-2.0\n")
    assert MISSING_TEXT in text  # unwritten sections show a placeholder...
    back = sections_from_markdown(text, expected_model="churn")
    assert CardSections.model_validate(back) == FULL  # ...which reads back as empty

    edited = text.replace("Credit decisions.", "Credit decisions.\n\nAnd pricing.").replace(
        "license: apache-2.0", "license: mit"
    )
    edited = edited.replace(f"{MISSING_TEXT}", "Retention analysts.", 1)  # the first empty section: intended users
    again = CardSections.model_validate(sections_from_markdown(edited, expected_model="churn"))
    assert again.out_of_scope_use == "Credit decisions.\n\nAnd pricing."
    assert again.license == "mit"
    assert again.intended_users == "Retention analysts."


def test_markdown_without_markers_is_read_by_headings():
    text = "# My card\n\n## Intended use\n\nFraud triage.\n\n## Limitations\n\nEU only.\n"
    assert sections_from_markdown(text) == {"intended_use": "Fraud triage.", "limitations": "EU only."}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just some words", "no Maestro card sections"),
        ("---\nlicense: [unclosed\n---\n## Intended use\nx", "not valid YAML"),
        ("---\nmaestro:\n  model: other\n---\n## Intended use\nx", "describes model 'other'"),
        ("---\nmaestro:\n  owners: 5\n---\n", "must be a list"),
    ],
)
def test_bad_markdown_is_a_clear_error(text, message):
    with pytest.raises(InvalidParameter, match=message):
        sections_from_markdown(text, expected_model="churn")


def test_json_validates_against_the_published_schema():
    card = build_card(facts(), FULL, ReviewState(), NOW)
    document = json.loads(render(card, "json"))
    schema = card_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(document, schema)
    document["sections"]["owners"] = [{"contact": "nobody"}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


def test_html_is_self_contained_and_escapes_what_people_write():
    sections = FULL.model_copy(update={"limitations": "<script>alert(1)</script> and <img src=x onerror=y>"})
    html = render(build_card(facts(), sections, ReviewState(), NOW), "html").decode()
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>churn risk</strong>" in html  # Markdown in a section is rendered
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://example.org" in html
    assert "@media print" in html


def test_pdf_is_a_real_document_with_the_cards_text():
    card = build_card(facts(description="Gradient boosting \u2265 v3 \u2014 \u00fcber"), FULL, ReviewState(), NOW)
    pdf = render(card, "pdf")
    assert pdf.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    for expected in ("Model card: churn v4", "0.9125", "plan=basic", "0.8731", "Ana Ruiz", "Credit decisions."):
        assert expected in text, expected
    assert "\u2265 v3 \u2014 \u00fcber" in text  # Unicode survives (DejaVu, not the PDF core fonts)


def test_unknown_format_is_refused():
    with pytest.raises(InvalidParameter, match="Unknown card format 'docx'"):
        render(build_card(facts(), FULL, ReviewState(), NOW), "docx")


def test_a_user_template_folder_overrides_one_template(tmp_path):
    (tmp_path / "card.md.j2").write_text("# {{ model.name }} v{{ model.version }} by {{ sections.owners[0].name }}\n")
    card = build_card(facts(), FULL, ReviewState(), NOW)
    assert render(card, "md", str(tmp_path)).decode() == "# churn v4 by Ana Ruiz\n"
    assert "<!DOCTYPE html>" in render(card, "html", str(tmp_path)).decode()  # the others stay built in
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "card.html.j2").write_text("{{ no_such_thing.attribute }}")
    with pytest.raises(InvalidParameter, match=r"card\.html\.j2"):
        render(card, "html", str(broken))
    with pytest.raises(InvalidParameter, match="is not a folder"):
        render(card, "md", str(tmp_path / "nowhere"))
