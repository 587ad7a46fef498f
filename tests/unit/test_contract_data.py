"""The request models of profiles, features, cards and model tests: one source of data, the old messages, and
frames that come back from a JSON wire with the same content (so the profile cache still hits)."""

from __future__ import annotations

import pandas as pd
import pytest

from maestro_jupyter.contract.cards import RenderCard, UpdateCard
from maestro_jupyter.contract.data import DiscoverFeatures, ProfileData
from maestro_jupyter.contract.tests import GetTestReportFile, RunModelTests
from maestro_jupyter.errors import InvalidParameter
from maestro_jupyter.services.data import _cache_key


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "n": pd.array([1, None, 3], dtype="Int64"),
            "when": pd.to_datetime(["2026-01-01", "2026-02-01", None]),
            "kind": pd.Categorical(["a", "b", "a"]),
            "x": [0.5, float("nan"), 2.0],
        }
    )


def test_a_frame_survives_the_wire_with_its_content_and_cache_key(frame):
    sent = ProfileData.build(data=frame, target="kind", progress=True)
    received = ProfileData.model_validate_json(sent.model_dump_json())
    pd.testing.assert_frame_equal(received.data, frame)
    assert received.progress is False  # progress bars are drawn where the caller is, never on a server
    options = {"target": "kind"}
    assert _cache_key(received.data, None, options) == _cache_key(frame, None, options)


@pytest.mark.parametrize(
    ("model", "fields", "message"),
    [
        (ProfileData, {}, "one of path, data"),
        (ProfileData, {"path": "a.csv", "data": "FRAME"}, "one of path, data"),
        (ProfileData, {"path": "a.csv", "sample": 5}, "sample must be between 100 and 10,000,000 rows, not 5"),
        (ProfileData, {"path": "a.csv", "compare_path": "b.csv", "compare": "FRAME"}, "not both"),
        (DiscoverFeatures, {"path": "a.csv", "target": "y", "task": "ranking"}, "task must be one of"),
        (DiscoverFeatures, {"path": "a.csv", "target": "y", "top": 0}, "top must be between 1 and 1000"),
        (DiscoverFeatures, {"path": "a.csv", "target": "y", "time_budget": 0}, "time budget must be between"),
        (RunModelTests, {"name": "m", "path": "a.csv", "target": ""}, "target: name the column"),
        (RunModelTests, {"name": "m", "path": "a.csv", "target": "y", "reference_alias": "bad alias!"}, "alias"),
        (RunModelTests, {"name": "m", "path": "a.csv", "target": "y", "policy": {}, "policy_path": "p"}, "not both"),
        (RunModelTests, {"name": "m", "path": "a.csv", "target": "y", "sensitive": ["c"] * 101}, "at most 100"),
        (RunModelTests, {"name": "m", "version": "x", "path": "a.csv", "target": "y"}, "Invalid model version"),
        (GetTestReportFile, {"name": "m", "version": 1, "format": "pdf"}, "format must be one of"),
        (UpdateCard, {"name": "m", "comment": "x" * 2001}, "at most 2000 characters"),
        (RenderCard, {"name": "m", "format": "docx"}, "Unknown card format"),
        (RenderCard, {}, "Name the model"),
    ],
)
def test_bad_fields_are_invalid_parameters_with_the_old_messages(frame, model, fields, message):
    fields = {k: frame if v == "FRAME" else v for k, v in fields.items()}
    with pytest.raises(InvalidParameter, match=message):
        model.build(**fields)


def test_column_lists_accept_comma_separated_text():
    run = RunModelTests.build(name="m", path="a.csv", target="y", sensitive="sex, age,", slices=None)
    assert (run.sensitive, run.slices, run.reference_alias) == (["sex", "age"], None, "champion")


def test_results_of_heavy_modules_resolve_on_first_use():
    from maestro_jupyter.analysis.modeltests import TestReport
    from maestro_jupyter.analysis.profiling import ProfileResult

    assert ProfileData.result is ProfileResult
    assert RunModelTests.result is TestReport
