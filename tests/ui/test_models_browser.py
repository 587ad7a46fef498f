"""Browsing models in the Maestro sidebar, in Chromium against a real ``jupyter lab``.

Versions and their metrics, aliases set / moved / removed through the form, the zip download, the load snippet
copied to the clipboard, tag filters, the version comparison (charts, table, CSV export, from the sidebar and from
the command palette), a version's run, and keyboard use. Displayed values are checked against the REST API.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.live_server import LabServer

from .conftest import ARTIFACTS
from .test_sidebar import (
    MODEL_ITEMS,
    MODEL_NAMES,
    SEEDED,
    SIDEBAR,
    SIDEBAR_TAB,
    expect_aliases,
    expect_models,
    is_models_request,
    open_lab,
    open_sidebar,
)

BREAST = "breast-cancer-classifier"
DIABETES = "diabetes-regressor"
IRIS = "iris-classifier"

VERSION_ITEMS = "li.maestro-version-item"
EXPANDED = re.compile(r"\bmaestro-mod-expanded\b")


# --------------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------------


def model_item(sidebar: Any, name: str) -> Any:
    return sidebar.locator(f'{MODEL_ITEMS}[data-model-name="{name}"]')


def version_item(item: Any, version: str | int) -> Any:
    return item.locator(f'{VERSION_ITEMS}[data-version="{version}"]')


def expand(sidebar: Any, name: str, versions: list[str]) -> Any:
    """Click the model's toggle; returns its item once it lists ``versions`` (newest first) with their metrics."""
    item = model_item(sidebar, name)
    toggle = item.locator(f'button.maestro-model-toggle[aria-label="Versions of {name}"]')
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect_expanded(item, name, versions)
    return item


def expect_expanded(item: Any, name: str, versions: list[str]) -> None:
    toggle = item.locator(f'button.maestro-model-toggle[aria-label="Versions of {name}"]')
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(item).to_have_class(EXPANDED)
    expect(item.locator(f"ul.maestro-version-list > {VERSION_ITEMS} .maestro-version-number")).to_have_text(
        [f"v{v}" for v in versions]
    )
    # The metrics come with the versions (one `compare` call): wait for them too.
    for version in versions:
        expect(
            version_item(item, version).locator("dl.maestro-version-metrics div.maestro-metric").first
        ).to_be_visible()
    expect(item.locator(".maestro-versions .maestro-loading")).to_have_count(0)


def expect_number(text: str, value: float, what: str = "") -> None:
    """``text`` (as displayed) is ``value`` rounded to the precision it shows (``0.958`` -> +/- 0.0005)."""
    try:
        shown = Decimal(text.strip())
    except InvalidOperation:
        pytest.fail(f"{what}: {text!r} is not a number (expected ≈ {value!r})")
    tolerance = Decimal(1).scaleb(shown.as_tuple().exponent) / 2  # type: ignore[arg-type]
    assert abs(float(shown) - value) <= float(tolerance) * 1.000001, f"{what}: shows {text!r}, the API says {value!r}"


def api_ok(lab: LabServer, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    got, payload = lab.api(method, path, body)
    assert got == status, f"{method} {path} -> {got} {payload!r}"
    return payload


def model_aliases(lab: LabServer, name: str) -> dict[str, str]:
    return dict(api_ok(lab, "GET", f"models/{name}")["aliases"])


def comparison(lab: LabServer, name: str) -> dict[str, dict[str, Any]]:
    """The REST comparison of all metrics, by version (oldest first)."""
    body = api_ok(lab, "GET", f"models/{name}/compare")
    return {str(v["version"]): v for v in body["versions"]}


def data_attribute(locator: Any, attribute: str) -> list[str]:
    return list(locator.evaluate_all(f"els => els.map(e => e.getAttribute({attribute!r}))"))


def is_focused(locator: Any) -> bool:
    return bool(locator.evaluate("el => el === document.activeElement"))


def press_until_focused(page: Any, key: str, target: Any, max_presses: int = 12) -> int:
    """Press ``key`` until ``target`` has the focus; returns the number of presses (fails after ``max_presses``)."""
    for presses in range(1, max_presses + 1):
        page.keyboard.press(key)
        if is_focused(target):
            return presses
    active = page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
    pytest.fail(f"{key} x{max_presses} never reached the target; the focus is on {active}")


def remove_alias_quietly(lab: LabServer, name: str, alias: str) -> None:
    status, body = lab.api("DELETE", f"models/{name}/aliases/{alias}")
    assert status in (204, 404), (status, body)


# --------------------------------------------------------------------------------------------------------------------
# Versions
# --------------------------------------------------------------------------------------------------------------------


def test_expanded_model_lists_versions_with_their_metrics(
    lab: LabServer, page: Any, request: pytest.FixtureRequest
) -> None:
    api = comparison(lab, BREAST)
    assert list(api) == ["1", "2", "3"]

    open_lab(page, lab, request)
    sidebar = open_sidebar(page)
    item = expand(sidebar, BREAST, ["3", "2", "1"])

    # Only the expanded model shows versions.
    expect(sidebar.locator(VERSION_ITEMS)).to_have_count(3)
    expect(model_item(sidebar, DIABETES)).not_to_have_class(EXPANDED)
    expect(item.locator("button.maestro-compare-button")).to_have_attribute(
        "aria-label", f"Compare versions of {BREAST}"
    )

    for version in ("3", "2", "1"):
        row = version_item(item, version)
        status = row.locator("span.maestro-version-status")
        expect(status).to_have_text("READY")
        expect(status).to_have_attribute("data-status", "READY")
        expect(row.locator("span.maestro-version-created")).to_have_text(re.compile(r"\d"))

        shown = row.locator("dl.maestro-version-metrics > div.maestro-metric")
        metrics = data_attribute(shown, "data-metric")
        assert "accuracy" in metrics, metrics
        assert set(metrics) <= set(api[version]["metrics"]), metrics
        for metric in metrics:
            text = row.locator(f'div.maestro-metric[data-metric="{metric}"] dd.maestro-metric-value').inner_text()
            expect_number(text, api[version]["metrics"][metric], f"v{version} {metric}")

        expected_aliases = sorted(api[version]["aliases"])
        assert sorted(data_attribute(row.locator("li.maestro-version-alias"), "data-alias")) == expected_aliases

    expect(version_item(item, 3).locator('li.maestro-version-alias[data-alias="champion"]')).to_be_visible()
    expect(version_item(item, 2).locator('li.maestro-version-alias[data-alias="challenger"]')).to_be_visible()
    expect(version_item(item, 1).locator("li.maestro-version-alias")).to_have_count(0)

    # Collapse again.
    item.locator("button.maestro-model-toggle").click()
    expect(item.locator("button.maestro-model-toggle")).to_have_attribute("aria-expanded", "false")
    expect(item.locator(VERSION_ITEMS)).to_have_count(0)
    # ... and expand again, for the screenshot.
    item.locator("button.maestro-model-toggle").click()
    expect_expanded(item, BREAST, ["3", "2", "1"])


# --------------------------------------------------------------------------------------------------------------------
# Aliases
# --------------------------------------------------------------------------------------------------------------------


def answer_dialog(page: Any, button: str) -> str:
    """Wait for JupyterLab's dialog (a confirmation), click its button labelled ``button`` ("Cancel", "Move alias",
    ...) and wait for it to close; returns its title and body text."""
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_be_visible()
    text = f"{dialog.locator('.jp-Dialog-header').inner_text()}\n{dialog.locator('.jp-Dialog-body').inner_text()}"
    dialog.get_by_role("button", name=button, exact=True).click()
    expect(dialog).to_have_count(0)
    return text


def set_alias_through_form(row: Any, alias: str, *, confirm: str | None = None) -> Any:
    """Open the version's alias form, type ``alias`` and Save (answering the confirmation with ``confirm`` when the
    alias moves from another version); returns the form."""
    button = row.locator('button.maestro-set-alias[aria-label="Set alias"]')
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    form = row.locator("form.maestro-alias-form")
    field = form.locator('input.maestro-alias-input[aria-label="Alias name"]')
    expect(field).to_be_focused()
    field.fill(alias)
    submit = form.locator("button.maestro-alias-submit")
    expect(submit).to_have_text("Save")
    submit.click()
    if confirm is not None:
        answer_dialog(row.page, confirm)
    return form


def test_set_move_and_remove_an_alias(lab: LabServer, page: Any, request: pytest.FixtureRequest) -> None:
    assert "staging" not in model_aliases(lab, BREAST)
    invalid_status, invalid = lab.api("PUT", f"models/{BREAST}/aliases/latest", {"version": "1"})
    assert invalid_status == 400, invalid

    open_lab(page, lab, request)
    sidebar = open_sidebar(page)
    item = expand(sidebar, BREAST, ["3", "2", "1"])
    v1, v2 = version_item(item, 1), version_item(item, 2)
    staging_v1 = v1.locator('li.maestro-version-alias[data-alias="staging"]')
    staging_v2 = v2.locator('li.maestro-version-alias[data-alias="staging"]')
    try:
        # Set on v1: a chip on v1, and a model-level chip.
        form = set_alias_through_form(v1, "staging")
        expect(staging_v1).to_be_visible()
        expect(form).to_have_count(0)
        expect(v1.locator("button.maestro-set-alias")).to_have_attribute("aria-expanded", "false")
        expect_aliases(item, ["champion → v3", "challenger → v2", "staging → v1"])
        assert model_aliases(lab, BREAST) == {"champion": "3", "challenger": "2", "staging": "1"}

        # Move it to v2 through v2's form, which asks first: it leaves v1.
        set_alias_through_form(v2, "staging", confirm="Move alias")
        expect(staging_v2).to_be_visible()
        expect(staging_v1).to_have_count(0)
        expect_aliases(item, ["champion → v3", "challenger → v2", "staging → v2"])
        assert model_aliases(lab, BREAST) == {"champion": "3", "challenger": "2", "staging": "2"}
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-moved.png"))

        # Remove it with the chip's button, which asks first: Cancel changes nothing.
        remove = staging_v2.locator('button.maestro-alias-remove[aria-label="Remove alias staging"]')
        remove.click()
        asked = answer_dialog(page, "Cancel")
        assert asked.startswith("Remove alias staging?"), asked
        expect(staging_v2).to_be_visible()
        assert model_aliases(lab, BREAST) == {"champion": "3", "challenger": "2", "staging": "2"}
        remove.click()
        with page.expect_response(lambda r: r.request.method == "DELETE" and "/aliases/staging" in r.url) as deleted:
            answer_dialog(page, "Remove alias")
        assert deleted.value.status == 204
        expect(staging_v2).to_have_count(0)
        expect(item.locator('li.maestro-version-alias[data-alias="staging"]')).to_have_count(0)
        expect_aliases(item, ["champion → v3", "challenger → v2"])
        assert model_aliases(lab, BREAST) == {"champion": "3", "challenger": "2"}

        # An alias the server refuses: its message, in the form, which stays open.
        form = set_alias_through_form(v1, "latest")
        error = form.locator(".maestro-alias-error")
        expect(error).to_have_attribute("role", "alert")
        expect(error).to_have_text(invalid["message"])
        expect(form.locator("input.maestro-alias-input")).to_have_attribute("aria-invalid", "true")
        expect(v1.locator("li.maestro-version-alias")).to_have_count(0)
        assert "latest" not in model_aliases(lab, BREAST)
        expect_aliases(item, ["champion → v3", "challenger → v2"])
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-invalid.png"))
        # Escape closes the form.
        form.locator("input.maestro-alias-input").press("Escape")
        expect(form).to_have_count(0)
        expect(v1.locator("button.maestro-set-alias")).to_have_attribute("aria-expanded", "false")
    finally:
        remove_alias_quietly(lab, BREAST, "staging")


# --------------------------------------------------------------------------------------------------------------------
# Download and load snippet
# --------------------------------------------------------------------------------------------------------------------


def test_download_a_version_as_a_zip(lab: LabServer, page: Any, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    open_lab(page, lab, request)
    sidebar = open_sidebar(page)
    item = expand(sidebar, BREAST, ["3", "2", "1"])
    link = version_item(item, 2).locator("a.maestro-download[aria-label=Download]")
    expect(link).to_have_attribute("download", "")

    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == f"{BREAST}-v2.zip"
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert "MLmodel" in names, names
        assert "requirements.txt" in names, names
        mlmodel = archive.read("MLmodel").decode()
        requirements = archive.read("requirements.txt").decode()
    assert "sklearn" in mlmodel, mlmodel
    assert re.search(r"^flavors:", mlmodel, re.MULTILINE), mlmodel
    assert "scikit-learn" in requirements, requirements


def test_copy_the_load_snippet(lab: LabServer, page: Any, request: pytest.FixtureRequest) -> None:
    snippet = api_ok(lab, "GET", f"models/{BREAST}/versions/3")["load_snippet"]
    assert snippet
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab.url.rstrip("/"))

    open_lab(page, lab, request)
    sidebar = open_sidebar(page)
    item = expand(sidebar, BREAST, ["3", "2", "1"])
    row = version_item(item, 3)
    button = row.locator('button.maestro-copy-snippet[aria-label="Copy load snippet"]')
    expect(button).to_have_attribute("data-state", "idle")

    button.click()
    expect(button).to_have_attribute("data-state", "copied")
    expect(button).to_have_text("Copied")
    expect(row.get_by_role("status")).to_have_text("Load snippet copied")
    expect(row.locator(".maestro-version-error")).to_have_count(0)
    assert page.evaluate("() => navigator.clipboard.readText()") == snippet

    # The feedback goes away by itself.
    expect(button).to_have_attribute("data-state", "idle")
    expect(button).to_have_text("Snippet")


# --------------------------------------------------------------------------------------------------------------------
# Tag filter
# --------------------------------------------------------------------------------------------------------------------


def is_tagged_request(response: Any, tags: list[str]) -> bool:
    return is_models_request(response) and parse_qs(urlsplit(response.url).query).get("tag", []) == tags


def test_filter_by_tag(lab: LabServer, page: Any, request: pytest.FixtureRequest) -> None:
    open_lab(page, lab, request)
    sidebar = open_sidebar(page)
    field = sidebar.locator('input.maestro-tag-filter-input[aria-label="Filter by tag"]')
    chips = sidebar.locator("li.maestro-tag-chip")
    error = sidebar.locator(".maestro-tag-filter-error")

    with page.expect_response(lambda r: is_tagged_request(r, ["task=regression"])) as response:
        field.fill("task=regression")
        field.press("Enter")
    assert response.value.status == 200
    expect_models(sidebar, [DIABETES])
    chip = sidebar.locator('li.maestro-tag-chip[data-tag="task=regression"]')
    expect(chip).to_be_visible()
    expect(chips).to_have_count(1)
    expect(field).to_have_value("")

    # Not key=value: an error, nothing else changes.
    field.fill("novalue")
    field.press("Enter")
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_have_text("A tag filter must be key=value, not “novalue”.")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(chips).to_have_count(1)
    expect_models(sidebar, [DIABETES])
    # Escape clears the input and the error.
    field.press("Escape")
    expect(error).to_have_count(0)
    expect(field).to_have_value("")

    # Removing the chip lists every model again.
    with page.expect_response(lambda r: is_tagged_request(r, [])):
        chip.locator('button.maestro-chip-remove[aria-label="Remove tag filter task=regression"]').click()
    expect(chips).to_have_count(0)
    expect_models(sidebar, SEEDED)

    # Two filters must both match.
    field.fill("task=classification")
    field.press("Enter")
    expect_models(sidebar, [BREAST, IRIS])
    with page.expect_response(lambda r: is_tagged_request(r, ["task=classification", "dataset=iris"])):
        field.fill("dataset=iris")
        field.press("Enter")
    expect_models(sidebar, [IRIS])
    expect(chips).to_have_count(2)


# --------------------------------------------------------------------------------------------------------------------
# Compare
# --------------------------------------------------------------------------------------------------------------------


def expect_chart(widget: Any, metric: str, versions: list[str]) -> Any:
    """The Vega-Lite chart of a metric by version: named for screen readers, a bar per version with a value, every
    version labelled on the x axis (small charts are drawn in SVG)."""
    chart = widget.locator(f'figure.maestro-chart[data-metric="{metric}"]')
    image = chart.locator(f'[role=img][aria-label="{metric} by version"]')
    expect(image).to_be_visible()
    svg = image.locator("svg.marks")
    expect(svg).to_be_visible()
    expect(svg.locator(".mark-rect path")).to_have_count(len(versions))
    labels = svg.locator(".role-axis-label text").all_text_contents()  # SVG text has no innerText
    assert {f"v{version}" for version in versions} <= set(labels), labels
    return chart


def compare_widget(page: Any, name: str) -> Any:
    widget = page.locator(f"#maestro-compare-{name}.maestro-compare")
    expect(widget).to_be_visible()
    expect(widget).to_have_attribute("data-model-name", name)
    tab = page.locator(f'#jp-main-dock-panel .lm-TabBar-tab[data-id="maestro-compare-{name}"]')
    expect(tab).to_have_class(re.compile(r"\blm-mod-current\b"))
    expect(tab).to_contain_text(f"Compare: {name}")
    return widget


def test_compare_versions_from_the_sidebar(
    lab: LabServer, page: Any, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    api = comparison(lab, BREAST)
    open_lab(page, lab, request)
    sidebar = open_sidebar(page)
    item = expand(sidebar, BREAST, ["3", "2", "1"])
    item.locator(f'button.maestro-compare-button[aria-label="Compare versions of {BREAST}"]').click()

    widget = compare_widget(page, BREAST)
    expect_chart(widget, "accuracy", ["1", "2", "3"])

    # The table: one row per version, oldest first, as the API.
    rows = widget.locator("table.maestro-compare-table tbody tr[data-version]")
    expect(rows).to_have_count(3)
    assert data_attribute(rows, "data-version") == list(api)
    for version, data in api.items():
        cell = widget.locator(f'tr[data-version="{version}"] td[data-metric="accuracy"]')
        expect_number(cell.inner_text(), data["metrics"]["accuracy"], f"table v{version} accuracy")
    expect(widget.locator('tr[data-version="3"] .maestro-compare-alias')).to_have_text(["champion"])

    # Adding a metric adds its chart and its column; removing one removes them.
    picker = widget.locator("fieldset.maestro-metric-picker")
    log_loss = picker.locator('label.maestro-metric-option[data-metric="log_loss"] input[type=checkbox][name=metric]')
    expect(log_loss).not_to_be_checked()
    expect(widget.locator('figure.maestro-chart[data-metric="log_loss"]')).to_have_count(0)
    log_loss.check()
    expect(log_loss).to_be_checked()
    expect_chart(widget, "log_loss", ["1", "2", "3"])
    expect(widget.locator('table.maestro-compare-table th[data-metric="log_loss"]')).to_have_count(1)
    for version, data in api.items():
        cell = widget.locator(f'tr[data-version="{version}"] td[data-metric="log_loss"]')
        expect_number(cell.inner_text(), data["metrics"]["log_loss"], f"table v{version} log_loss")

    training = picker.locator('input[type=checkbox][name=metric][value="training_time_s"]')
    if training.is_checked():
        training.uncheck()
        expect(widget.locator('figure.maestro-chart[data-metric="training_time_s"]')).to_have_count(0)
        expect(widget.locator('table.maestro-compare-table th[data-metric="training_time_s"]')).to_have_count(0)

    checked = data_attribute(picker.locator("input[name=metric]:checked"), "value")
    charts = data_attribute(widget.locator("figure.maestro-chart"), "data-metric")
    assert set(charts) == set(checked), (charts, checked)
    assert {"accuracy", "log_loss"} <= set(charts)
    assert "training_time_s" not in charts

    # Export CSV: the chosen metrics, in the order of the charts.
    export = widget.locator("button.maestro-export-csv")
    expect(export).to_have_text("Export CSV")
    with page.expect_download() as info:
        export.click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == f"{BREAST}-versions.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert lines[0] == ["version", "aliases", *charts]
    assert len(lines) == 4, lines
    for row, (version, data) in zip(lines[1:], api.items(), strict=True):
        assert row[0] == version
        assert sorted(row[1].split()) == sorted(data["aliases"])
        for metric, value in zip(charts, row[2:], strict=True):
            assert float(value) == pytest.approx(data["metrics"][metric], rel=1e-12), (version, metric, value)

    # Comparing again shows the same widget (no second one).
    item.locator("button.maestro-compare-button").click()
    expect(page.locator(".maestro-compare")).to_have_count(1)
    expect(log_loss).to_be_checked()

    # The widget stays in front for the screenshot.
    expect(widget).to_be_visible()
    widget.locator('figure.maestro-chart[data-metric="accuracy"]').scroll_into_view_if_needed()


def test_compare_versions_from_the_command_palette(lab: LabServer, page: Any, request: pytest.FixtureRequest) -> None:
    api = comparison(lab, DIABETES)
    open_lab(page, lab, request)

    page.keyboard.press("Control+Shift+C")
    palette = page.locator("#modal-command-palette")
    expect(palette).to_be_visible()
    palette.locator(".lm-CommandPalette-input").fill("Compare versions")
    active = palette.locator(".lm-CommandPalette-item.lm-mod-active")
    expect(active).to_have_attribute("data-command", "maestro:compare-versions")
    page.keyboard.press("Enter")

    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Registered model name")
    field = dialog.locator("input")
    expect(field).to_be_focused()
    field.fill(DIABETES)
    field.press("Enter")
    expect(dialog).to_have_count(0)

    widget = compare_widget(page, DIABETES)
    expect_chart(widget, "r2", ["1", "2"])
    rows = widget.locator("table.maestro-compare-table tbody tr[data-version]")
    expect(rows).to_have_count(2)
    for version, data in api.items():
        cell = widget.locator(f'tr[data-version="{version}"] td[data-metric="r2"]')
        expect_number(cell.inner_text(), data["metrics"]["r2"], f"table v{version} r2")


# --------------------------------------------------------------------------------------------------------------------
# Run
# --------------------------------------------------------------------------------------------------------------------


def test_open_the_run_of_a_version(lab: LabServer, page: Any, request: pytest.FixtureRequest) -> None:
    detail = api_ok(lab, "GET", f"models/{BREAST}/versions/3")
    run_id = detail["run_id"]
    run_api = detail["run"]
    info = api_ok(lab, "GET", "info")

    open_lab(page, lab, request)
    sidebar = open_sidebar(page)
    item = expand(sidebar, BREAST, ["3", "2", "1"])
    version_item(item, 3).locator('button.maestro-open-run[aria-label="Open run"]').click()

    run = page.locator(f"#maestro-run-{run_id}.maestro-run")
    expect(run).to_be_visible()
    expect(run).to_have_attribute("data-run-id", run_id)
    expect(run.locator(".maestro-run-title")).to_have_text(run_api["run_name"])
    tab = page.locator(f'#jp-main-dock-panel .lm-TabBar-tab[data-id="maestro-run-{run_id}"]')
    expect(tab).to_contain_text(f"Run {run_api['run_name']}")

    params = run.locator('section.maestro-run-section[data-section="params"]')
    expect(params.locator('tr[data-key="algorithm"] td')).to_have_text("gradient-boosting")
    expect(params.locator("tr[data-key]")).to_have_count(len(run_api["params"]))
    for key, value in run_api["params"].items():
        expect(params.locator(f'tr[data-key="{key}"] td')).to_have_text(str(value))

    # The metrics logged at every boosting stage are learning curves; the others, one value each, a table.
    curves = run.locator('section.maestro-run-section[data-section="curves"]')
    staged = ["staged_accuracy", "train_loss"]
    expect(curves.locator("figure.maestro-run-chart")).to_have_count(len(staged))
    for key in staged:
        chart = curves.locator(f'figure.maestro-run-chart[data-metric="{key}"]')
        expect(chart.locator(".maestro-vega-chart :is(svg.marks, canvas)")).to_be_visible()
    metrics = run.locator('section.maestro-run-section[data-section="metrics"]')
    single = {key: value for key, value in run_api["metrics"].items() if key not in staged}
    expect(metrics.locator("tr[data-key]")).to_have_count(len(single))
    for key, value in single.items():
        expect_number(metrics.locator(f'tr[data-key="{key}"] td').inner_text(), value, f"run metric {key}")

    # Its artifacts: the seed's evaluation folder, opened to its two files.
    artifacts = run.locator('section.maestro-run-section[data-section="artifacts"]')
    artifacts.get_by_role("button", name="evaluation", exact=False).first.click()
    expect(artifacts.get_by_text("confusion_matrix.png")).to_be_visible()
    expect(artifacts.get_by_text("feature_importances.csv")).to_be_visible()

    tags = run.locator('section.maestro-run-section[data-section="tags"]')
    expect(tags.locator('tr[data-key="task"] td')).to_have_text("classification")

    # No MLflow UI configured (neither the setting nor the server): no MLflow links.
    assert not info.get("mlflow_ui_url"), info
    expect(run.locator("a.maestro-mlflow-run-link")).to_have_count(0)


# --------------------------------------------------------------------------------------------------------------------
# Keyboard
# --------------------------------------------------------------------------------------------------------------------


def test_keyboard_reaches_the_tabs_and_expands_models(
    lab: LabServer, page: Any, request: pytest.FixtureRequest
) -> None:
    open_lab(page, lab, request)
    sidebar = open_sidebar(page)

    tablist = sidebar.locator("div.maestro-tab-bar[role=tablist]")
    tab = tablist.locator("button.maestro-tab[role=tab]#maestro-tab-models")
    expect(tab).to_have_attribute("aria-selected", "true")
    expect(tab).to_have_attribute("aria-controls", "maestro-tabpanel-models")
    panel = sidebar.locator("#maestro-tabpanel-models[role=tabpanel]")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("aria-labelledby", "maestro-tab-models")

    # From the search box, Shift+Tab reaches the (selected) tab; arrow keys move between the tabs, selecting them.
    sidebar.get_by_role("searchbox", name="Search models").focus()
    press_until_focused(page, "Shift+Tab", tab, max_presses=4)
    page.keyboard.press("ArrowRight")
    experiments = tablist.locator("button.maestro-tab[role=tab]#maestro-tab-experiments")
    expect(experiments).to_be_focused()
    expect(experiments).to_have_attribute("aria-selected", "true")
    page.keyboard.press("End")
    budgets = tablist.locator("button.maestro-tab[role=tab]#maestro-tab-budgets")
    expect(budgets).to_be_focused()
    page.keyboard.press("Home")
    expect(tab).to_be_focused()
    expect(tab).to_have_attribute("aria-selected", "true")
    expect(panel).to_be_visible()

    # Tab on to the first model's expand toggle; Enter expands it, Space collapses it.
    breast = model_item(sidebar, BREAST)
    toggle = breast.locator(f'button.maestro-model-toggle[aria-label="Versions of {BREAST}"]')
    press_until_focused(page, "Tab", toggle, max_presses=8)
    page.keyboard.press("Enter")
    expect_expanded(breast, BREAST, ["3", "2", "1"])
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(breast.locator(VERSION_ITEMS)).to_have_count(0)

    # The model items: arrows move between them, ArrowRight / ArrowLeft expand and collapse.
    breast.focus()
    page.keyboard.press("ArrowDown")
    diabetes = model_item(sidebar, DIABETES)
    expect(diabetes).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect_expanded(diabetes, DIABETES, ["2", "1"])
    page.keyboard.press("End")
    iris = model_item(sidebar, IRIS)
    expect(iris).to_be_focused()
    iris_toggle = iris.locator(f'button.maestro-model-toggle[aria-label="Versions of {IRIS}"]')
    iris_toggle.focus()
    page.keyboard.press("Space")
    expect_expanded(iris, IRIS, ["1"])
    expect(page.locator(SIDEBAR).locator(f"{MODEL_ITEMS}.maestro-mod-expanded")).to_have_count(2)


# --------------------------------------------------------------------------------------------------------------------
# Sort, and expanding by the name
# --------------------------------------------------------------------------------------------------------------------


def show_sidebar(page: Any) -> Any:
    """The sidebar, opened if the workspace did not restore it open."""
    sidebar = page.locator(SIDEBAR)
    if not sidebar.is_visible():
        page.locator(SIDEBAR_TAB).click()
    expect(sidebar).to_be_visible()
    return sidebar


def test_sort_the_models(lab: LabServer, page: Any, request: pytest.FixtureRequest) -> None:
    """Last updated (newest first) by default, by name, or by the best value of a metric among the versions (one
    comparison per loaded model); the choice is remembered for the session."""
    newest_first = [m["name"] for m in api_ok(lab, "GET", "models?order_by=last_updated_timestamp%20DESC")["models"]]
    best: dict[str, float] = {}
    for name in SEEDED:
        values = [v["metrics"].get("accuracy") for v in comparison(lab, name).values()]
        numbers = [value for value in values if isinstance(value, (int, float))]
        if numbers:
            best[name] = max(numbers)
    assert best, "the seed logs accuracy"
    by_accuracy = sorted(best, key=lambda n: (-best[n], n)) + sorted(n for n in SEEDED if n not in best)

    open_lab(page, lab, request, sort_by_name=False)
    sidebar = show_sidebar(page)
    expect(sidebar.locator(MODEL_NAMES)).to_have_text(newest_first)
    sort = sidebar.get_by_role("combobox", name="Sort by", exact=True)
    expect(sort).to_have_value("updated")

    with page.expect_response(lambda r: is_models_request(r) and "order_by=name" in r.url):
        sort.select_option("name")
    expect(sidebar.locator(MODEL_NAMES)).to_have_text(sorted(SEEDED))

    sort.select_option("metric")
    metric = sidebar.get_by_role("combobox", name="Metric to sort by")
    expect(metric).to_be_visible()
    metric.select_option("accuracy")
    expect(sidebar.locator(MODEL_NAMES)).to_have_text(by_accuracy)
    expect(sidebar.locator(".maestro-models-sort-note")).to_contain_text(f"for the {len(SEEDED)} models loaded")
    for name, value in best.items():
        shown = model_item(sidebar, name).locator(".maestro-model-best-value").inner_text()
        expect_number(shown, value, f"{name} best accuracy")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-by-accuracy.png"))

    # Remembered for the session: a reload of the page sorts the same way.
    open_lab(page, lab, request, sort_by_name=False)
    sidebar = show_sidebar(page)
    expect(sidebar.get_by_role("combobox", name="Sort by", exact=True)).to_have_value("metric")
    expect(sidebar.get_by_role("combobox", name="Metric to sort by")).to_have_value("accuracy")
    expect(sidebar.locator(MODEL_NAMES)).to_have_text(by_accuracy)


def test_expand_a_model_by_its_name(lab: LabServer, page: Any, request: pytest.FixtureRequest) -> None:
    open_lab(page, lab, request)
    sidebar = open_sidebar(page)
    item = model_item(sidebar, IRIS)
    button = item.get_by_role("button", name=f"Versions of {IRIS}")
    expect(button).to_have_attribute("aria-expanded", "false")
    # The name is part of the button: clicking it expands the model.
    item.locator(".maestro-model-name").click()
    expect_expanded(item, IRIS, ["1"])
    # Enter on the focused item collapses it again.
    item.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(item.locator(VERSION_ITEMS)).to_have_count(0)
