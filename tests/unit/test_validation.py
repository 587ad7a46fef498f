from __future__ import annotations

import pytest

from maestro_jupyter.contract import rules as v
from maestro_jupyter.contract.rules import ModelRef
from maestro_jupyter.errors import InvalidParameter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("churn", ModelRef("churn")),
        ("churn@champion", ModelRef("churn", alias="champion")),
        ("churn/3", ModelRef("churn", version="3")),
        ("team/churn", ModelRef("team/churn")),
        ("team/churn/2", ModelRef("team/churn", version="2")),
        ("  churn@prod-eu  ", ModelRef("churn", alias="prod-eu")),
    ],
)
def test_model_refs(text, expected):
    assert ModelRef.parse(text) == expected
    assert ModelRef.parse(str(expected)) == expected


@pytest.mark.parametrize("text", ["", "@champion", "churn@", "churn@latest", "churn@v2", "churn/0"])
def test_bad_model_refs(text):
    with pytest.raises(InvalidParameter):
        ModelRef.parse(text)


@pytest.mark.parametrize("alias", ["champion", "prod_eu", "a-1", "A"])
def test_good_aliases(alias):
    assert v.alias(alias) == alias


@pytest.mark.parametrize("alias", ["", "latest", "LATEST", "v3", "version12", "1st", "has space", "x" * 300, None])
def test_bad_aliases(alias):
    with pytest.raises(InvalidParameter):
        v.alias(alias)


@pytest.mark.parametrize(("value", "expected"), [(1, "1"), ("12", "12"), (" 7 ", "7")])
def test_versions(value, expected):
    assert v.version(value) == expected


@pytest.mark.parametrize("value", [0, "0", "-1", "1.5", "abc", True, None, "12345678901"])
def test_bad_versions(value):
    with pytest.raises(InvalidParameter):
        v.version(value)


def test_names():
    assert v.name("breast cancer") == "breast cancer"
    for bad in ["", "  ", " lead", "trail ", "tab\tname", "x" * 257, 3]:
        with pytest.raises(InvalidParameter):
            v.name(bad)
    with pytest.raises(InvalidParameter, match="reserved"):
        v.new_model_name("a/b")


def test_page_size():
    assert v.page_size(None) == 100
    assert v.page_size("1000") == 1000
    for bad in ["0", "1001", "-5", "ten"]:
        with pytest.raises(InvalidParameter):
            v.page_size(bad)


def test_run_order():
    assert v.run_order(["metrics.accuracy DESC", "params.C", "attributes.start_time ASC", "metrics.`a b` DESC"])
    for bad in ["metrics.accuracy SIDEWAYS", "metrics.x; DROP TABLE runs", "metrics.a DESC, params.b"]:
        with pytest.raises(InvalidParameter):
            v.run_order([bad])


def test_tags_and_descriptions():
    assert v.tag_key("team") == "team"
    for bad in ["", "a`b", "x" * 251, "new\nline"]:
        with pytest.raises(InvalidParameter):
            v.tag_key(bad)
    with pytest.raises(InvalidParameter):
        v.tag_value("x" * 5001)
    with pytest.raises(InvalidParameter):
        v.description(None)


# --- the request models apply the same rules, with the same messages, for the SDK and REST alike -------------------


def test_request_models_raise_the_rules_messages():
    from maestro_jupyter.contract.experiments import CompareRuns, ListRuns
    from maestro_jupyter.contract.registry import GetVersion, ListModels, SetAlias

    with pytest.raises(InvalidParameter, match="Invalid alias 'latest'"):
        SetAlias.model_validate({"name": "m", "alias": "latest", "version": 1})
    with pytest.raises(InvalidParameter, match="An override needs a reason"):
        SetAlias.build(name="m", alias="champion", version=1, override_reason="  ")
    with pytest.raises(InvalidParameter, match="exactly one of version or alias"):
        GetVersion.build(name="m", version=1, alias="champion")
    with pytest.raises(InvalidParameter, match="max_results must be between 1 and 1000"):
        ListModels.model_validate({"max_results": "0"})
    with pytest.raises(InvalidParameter, match="Invalid tag key"):
        ListModels.build(tags={"a`b": "x"})
    with pytest.raises(InvalidParameter, match="between 2 and 100 distinct run ids, got 1"):
        CompareRuns.build(run_ids=["0123456789abcdef0123456789abcdef"] * 2)
    with pytest.raises(InvalidParameter, match="Invalid order_by"):
        ListRuns.build(experiment="e", order_by="metrics.x; DROP TABLE runs")
    with pytest.raises(InvalidParameter, match="version: Field required"):
        SetAlias.build(name="m", alias="champion")


def test_request_models_normalise_and_survive_json():
    from maestro_jupyter.contract.experiments import ListRuns
    from maestro_jupyter.contract.registry import CompareVersions, SetAlias

    alias = SetAlias.build(name="m", alias="champion", version=3, override_reason=" rollback ")
    assert (alias.version, alias.override_reason) == ("3", "rollback")
    assert SetAlias.model_validate_json(alias.model_dump_json()) == alias
    assert CompareVersions.build(name="m", versions=[3, " 1 "], metrics=[]).model_dump() == {
        "name": "m",
        "metrics": None,
        "versions": ["3", "1"],
    }
    runs = ListRuns.build(experiment=7, order_by="metrics.accuracy DESC")
    assert (runs.experiment, runs.order_by) == ("7", ["metrics.accuracy DESC"])
    assert ListRuns.build(experiment="e").order_by == ["attributes.start_time DESC"]
