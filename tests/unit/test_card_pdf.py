"""The PDF card: the same content as the Markdown card, every script it can show, headings kept with their text."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import warnings

import pypdf
import pytest
from markdown_it import MarkdownIt

from maestro_jupyter.analysis.cards import ReviewState, build_card
from maestro_jupyter.analysis.cards.markdown_io import strip_markup
from maestro_jupyter.analysis.cards.pdf import NOTO_CJK
from maestro_jupyter.analysis.cards.render import CardRenderWarning, render
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

NOW = "2026-11-26T10:00:00+00:00"


def card_facts(description: str = "Gradient boosting on 12 account features.") -> CardFacts:
    return CardFacts(
        model=ModelFacts(
            name="churn",
            version="4",
            model_uri="models:/churn/4",
            description=description,
            model_description="Predicts which accounts leave within 90 days.",
            architecture="sklearn.ensemble.GradientBoostingClassifier",
        ),
        parameters=ParameterFacts(
            hyperparameters={"max_depth": "6", "learning_rate": "0.1"},
            inputs=[ColumnSpec(name="tenure", type="long")],
            outputs=[ColumnSpec(type="long")],
            has_signature=True,
        ),
        training=TrainingFacts(
            datasets=[
                DatasetFacts(
                    name="churn-train",
                    context="training",
                    rows=750,
                    digest="77aa01",
                    source_type="s3",
                    source="s3://bucket/churn/train.parquet",
                ),
            ],
            requirements=["scikit-learn==1.5.2"],
        ),
        evaluation=EvaluationFacts(
            metrics=[
                MetricValue(name="accuracy", value=0.9125),
                MetricValue(name="training_accuracy", value=0.99, stage="training"),
            ]
        ),
        load_snippet='import mlflow\nmodel = mlflow.pyfunc.load_model("models:/churn/4")',
    )


SECTIONS = CardSections(
    owners=[{"name": "Ana Ruiz", "contact": "ana@example.org"}],
    license="apache-2.0",
    intended_use="Rank accounts by **churn risk** for the `retention` team.",
    limitations="Trained on 2025 data only.",
)


def card(facts: CardFacts | None = None, sections: CardSections = SECTIONS):
    return build_card(facts or card_facts(), sections, ReviewState(), NOW)


def pdf_pages(data: bytes) -> list[str]:
    # pypdf reads the 2-byte codes of a CFF font with an embedded CMap (Noto Sans CJK) as NUL + character; the
    # ToUnicode map fpdf2 writes is right (poppler's pdftotext extracts the text cleanly): the NULs are pypdf's.
    return [page.extract_text().replace("\x00", "") for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def squeeze(text: str) -> str:
    """Text without whitespace: line and cell wrapping in the PDF do not count as differences."""
    return "".join(text.split())


def visible_pieces(markdown: str) -> list[str]:
    """Each piece of text a reader sees in the Markdown card: headings, paragraphs, list items, cells, code."""
    pieces = []
    for token in MarkdownIt("commonmark").enable("table").parse(strip_markup(markdown)):
        if token.type == "inline":
            text = "".join(c.content if c.type not in ("softbreak", "hardbreak") else " " for c in token.children)
            pieces.append(text)
        elif token.type in ("fence", "code_block"):
            pieces.extend(token.content.splitlines())
    return [p for p in pieces if p.strip()]


def test_the_pdf_says_everything_the_markdown_says():
    model_card = card()
    markdown = render(model_card, "md").decode()
    text = squeeze(" ".join(pdf_pages(render(model_card, "pdf"))))
    missing = [piece for piece in visible_pieces(markdown) if squeeze(piece) not in text]
    assert missing == []
    # What the PDF used to leave out: the description, the training-metrics line, the datasets' source column.
    for expected in (
        "Gradient boosting on 12 account features.",
        "Predicts which accounts leave within 90 days.",
        "Training metrics: training_accuracy = 0.99.",
        "s3 s3://bucket/churn/train.parquet",
    ):
        assert squeeze(expected) in text, expected


def test_a_user_markdown_template_shapes_the_pdf_too(tmp_path):
    (tmp_path / "card.md.j2").write_text("# {{ model.name }} for {{ sections.owners[0].name }}\n\nHouse style.\n")
    (tmp_path / "card.pdf.html.j2").write_text("<p>the retired PDF template</p>")
    with pytest.warns(CardRenderWarning, match=r"card\.pdf\.html\.j2 .* no longer used"):
        pages = pdf_pages(render(card(), "pdf", str(tmp_path)))
    assert squeeze(" ".join(pages)) == squeeze("churn for Ana Ruiz House style.")


@pytest.mark.skipif(not NOTO_CJK.is_file(), reason="needs Debian's fonts-noto-cjk (make system-deps installs it)")
def test_chinese_japanese_and_korean_are_typeset():
    words = "中文说明 日本語のテキスト 한국어 설명"
    model_card = card(card_facts(description=f"Churn model {words}."))
    with warnings.catch_warnings():
        warnings.simplefilter("error", CardRenderWarning)
        data = render(model_card, "pdf")
    text = " ".join(pdf_pages(data))
    for word in words.split():
        assert word in text, word
    fonts = {
        str(font.get("/BaseFont"))
        for page in pypdf.PdfReader(io.BytesIO(data)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("NotoSansCJK" in f for f in fonts), fonts
    assert any("DejaVuSans" in f for f in fonts), fonts


def _unshowable() -> str:
    """A character no font installed here has, as fontconfig tells."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        pytest.skip("needs fontconfig's fc-list to pick a character no installed font has")
    for char in ("\U00013000", "\U0001e900", "\U00016a40", "\U00011400"):  # hieroglyph, Adlam, Mro, Newa
        found = subprocess.run([fc_list, f":charset={ord(char):x}"], capture_output=True, text=True, check=True)
        if not found.stdout.strip():
            return char
    pytest.skip("every candidate character has an installed font here")


def test_characters_no_font_has_are_said_not_dropped():
    char = _unshowable()
    model_card = card(card_facts(description=f"Named after the sign {char} of the dataset."))
    with pytest.warns(CardRenderWarning, match=r"cannot show 1 character"):
        data = render(model_card, "pdf")
    text = " ".join(" ".join(pdf_pages(data)).split())
    assert "Named after the sign \u25a1 of the dataset." in text  # a box where it was, not nothing
    assert f"U+{ord(char):04X}" in text  # and the PDF says which
    assert "no font installed where this PDF was made" in text


def headings_of(markdown: str) -> set[str]:
    return {
        " ".join(line.lstrip("#").split()) for line in strip_markup(markdown).splitlines() if re.match("#{1,6} ", line)
    }


@pytest.mark.parametrize("lines", range(0, 45, 3))
def test_no_page_ends_with_a_heading(lines):
    # Longer and longer sections move every heading through every position on the page, the foot included.
    filler = "\n\n".join(
        f"Paragraph {i} of the intended use, long enough to fill most of one line." for i in range(lines)
    )
    sections = SECTIONS.model_copy(update={"intended_use": filler or "Short.", "out_of_scope_use": filler or "None."})
    model_card = card(sections=sections)
    headings = headings_of(render(model_card, "md").decode())
    pages = pdf_pages(render(model_card, "pdf"))
    for number, page in enumerate(pages[:-1], start=1):
        last = " ".join(page.strip().splitlines()[-1].split())
        assert last not in headings, f"page {number} ends with the heading {last!r}"
