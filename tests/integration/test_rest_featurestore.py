"""The feature store through the REST API, on a real Jupyter server and a real Feast repo (the demo churn repo,
applied and materialized): browsing, search, point-in-time training sets (base64 Parquet both ways), online
values, saving a feature service, lineage; every route authenticated, and bad input a 4xx JSON error, never a 500."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from maestro_jupyter.entities.featurestore import (
    DataSourceList,
    EntityList,
    FeatureSearchResult,
    FeatureServiceInfo,
    FeatureServiceList,
    FeatureStoreOverview,
    FeatureViewList,
    FeatureViewSummary,
    OnlineFeatures,
    TrainingSet,
)
from tests.feature_helpers import FeatureDemo, copy_feature_repo, entity_frame

ROUTES = [
    ("GET", ("features", "store")),
    ("GET", ("features", "views")),
    ("GET", ("features", "views", "customer_profile")),
    ("GET", ("features", "entities")),
    ("GET", ("features", "sources")),
    ("GET", ("features", "services")),
    ("GET", ("features", "services", "churn_v1")),
    ("GET", ("features", "search")),
    ("GET", ("features", "lineage")),
    ("POST", ("features", "services")),
    ("POST", ("features", "training-set")),
    ("POST", ("features", "online")),
]


@pytest.fixture
def maestro_config(maestro_home: Path, feast_repo: FeatureDemo) -> dict[str, Any]:
    return {"home": str(maestro_home), "feast_repo": str(feast_repo.repo)}


def wire(frame: pd.DataFrame) -> str:
    """A frame as the API takes it: base64 Parquet."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def unwire(text: str) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(base64.b64decode(text)))


def assert_error(status: int, body: Any, expected: int, code: str, *words: str) -> None:
    """A 4xx JSON error with the expected code, whose message names ``words``."""
    assert status == expected, body
    assert isinstance(body, dict), body
    assert set(body) == {"error", "message"}, body
    assert body["error"] == code, body
    for word in words:
        assert word in body["message"], body["message"]


# --- authentication --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "parts"), ROUTES)
async def test_every_feature_store_route_refuses_a_request_without_a_token(api, method, parts):
    status, body = await api(method, *parts, body={} if method == "POST" else None, headers={"Authorization": ""})
    assert_error(status, body, 401, "UNAUTHENTICATED")


async def test_every_feature_store_route_is_in_the_openapi_document(api):
    status, spec = await api("GET", "openapi.json")
    assert status == 200
    documented = {(verb.upper(), path) for path, ops in spec["paths"].items() for verb in ops}
    for method, parts in ROUTES:
        path = "/" + "/".join(parts)
        path = path.replace("customer_profile", "{name}").replace("churn_v1", "{name}")
        assert (method, path) in documented


# --- browsing --------------------------------------------------------------------------------------------------


async def test_the_overview_counts_what_the_demo_repo_holds(api, feast_repo):
    status, body = await api("GET", "features", "store")
    assert status == 200, body
    overview = FeatureStoreOverview.model_validate(body)
    assert overview.project == feast_repo.project
    assert (overview.views, overview.on_demand_views, overview.services) == (2, 1, 1)
    assert overview.entities == 1
    assert overview.registry_version
    assert overview.last_materialized is not None


async def test_views_list_batch_and_on_demand_views_with_freshness_and_search_narrows_them(api, feast_repo):
    status, body = await api("GET", "features", "views")
    assert status == 200, body
    views = {v.name: v for v in FeatureViewList.model_validate(body).items}
    assert set(views) == {*feast_repo.views, *feast_repo.on_demand_views}
    profile = views["customer_profile"]
    assert (profile.kind, profile.entities) == ("batch", ["customer"])
    assert {"plan", "tenure_months", "monthly_charges"} <= {f.name for f in profile.features}
    assert profile.ttl_seconds
    assert profile.ttl_seconds > 0
    assert profile.last_materialized is not None
    assert profile.online_rows
    assert profile.online_rows > 0
    assert views["customer_ratios"].kind == "on_demand"

    status, body = await api("GET", "features", "views", params={"search": "support_tickets"})
    assert status == 200
    found = FeatureViewList.model_validate(body)
    assert [v.name for v in found.items] == ["customer_activity"]
    assert found.total == 3  # before the search narrowed them


async def test_one_view_entities_sources_services_and_search(api, feast_repo):
    status, body = await api("GET", "features", "views", "customer_activity")
    assert status == 200, body
    view = FeatureViewSummary.model_validate(body)
    assert view.name == "customer_activity"
    assert "churn_v1" in view.services
    assert view.owner
    assert view.description

    _, body = await api("GET", "features", "entities")
    assert [(e.name, e.join_keys) for e in EntityList.model_validate(body).items] == [("customer", ["customer_id"])]

    _, body = await api("GET", "features", "sources")
    sources = {s.name: s for s in DataSourceList.model_validate(body).items}
    assert sources["customer_profile_source"].timestamp_field == "event_timestamp"
    assert "customer_profile" in sources["customer_profile_source"].views

    _, body = await api("GET", "features", "services")
    assert [s.name for s in FeatureServiceList.model_validate(body).items] == ["churn_v1"]
    status, body = await api("GET", "features", "services", "churn_v1")
    assert status == 200
    service = FeatureServiceInfo.model_validate(body)
    assert service.features == feast_repo.service_features

    status, body = await api("GET", "features", "search", params={"q": "tenure"})
    assert status == 200, body
    hits = FeatureSearchResult.model_validate(body)
    assert ("feature", "tenure_months", "customer_profile") in {(h.kind, h.name, h.view) for h in hits.items}


# --- training sets ---------------------------------------------------------------------------------------------


async def test_a_training_set_travels_as_parquet_and_keeps_every_entity_row_in_order(api, feast_repo):
    entities = entity_frame(feast_repo).sample(60, random_state=3).reset_index(drop=True)
    body = {"entity_df": wire(entities), "service": feast_repo.service}
    status, answer = await api("POST", "features", "training-set", body=body)
    assert status == 200, answer
    ts = TrainingSet.model_validate(answer)
    frame = unwire(answer["frame"])
    assert len(frame) == ts.rows == 60
    assert frame["customer_id"].tolist() == entities["customer_id"].tolist()
    assert frame["event_timestamp"].tolist() == entities["event_timestamp"].tolist()
    names = [ref.split(":")[1] for ref in feast_repo.service_features]
    assert set(names) <= set(frame.columns)
    assert (ts.service, sorted(ts.views)) == (feast_repo.service, sorted([*feast_repo.views, "customer_ratios"]))
    assert ts.registry_version
    assert ts.project == feast_repo.project
    assert ts.columns_by_view["customer_activity"] == ["logins_7d", "support_tickets_30d", "data_gb_7d"]


async def test_a_training_set_from_a_feature_list_is_the_same_as_in_the_kernel(api, feast_repo, feast_settings):
    from maestro_jupyter import MaestroClient

    entities = entity_frame(feast_repo, rows=40)
    features = ["customer_profile:plan", "customer_activity"]
    status, answer = await api(
        "POST", "features", "training-set", body={"entity_df": wire(entities), "features": features}
    )
    assert status == 200, answer
    over_http = unwire(answer["frame"])
    in_kernel = MaestroClient(feast_settings).features.training_set(entities, features=features)
    pd.testing.assert_frame_equal(over_http.reset_index(drop=True), in_kernel.reset_index(drop=True))


@pytest.mark.parametrize(
    ("change", "status", "code", "words"),
    [
        (lambda e, b: b.update(entity_df=wire(e.drop(columns=["event_timestamp"]))), 400, "INVALID_PARAMETER",
         ["event_timestamp"]),
        (lambda e, b: b.update(entity_df=wire(e.rename(columns={"customer_id": "user_id"}))), 400,
         "INVALID_PARAMETER", ["customer_id"]),
        (lambda e, b: b.update(service=None, features=["customer_profile:no_such_feature"]), 404, "NOT_FOUND",
         ["no_such_feature"]),
        (lambda e, b: b.update(service=None, features=["no_such_view"]), 404, "NOT_FOUND", ["no_such_view"]),
        (lambda e, b: b.update(service="no_such_service"), 404, "NOT_FOUND", ["no_such_service"]),
        (lambda e, b: b.update(features=["customer_profile"]), 400, "INVALID_PARAMETER", ["exactly one"]),
        (lambda e, b: b.pop("service"), 400, "INVALID_PARAMETER", ["exactly one"]),
        (lambda e, b: b.update(entity_df="not parquet"), 400, "INVALID_PARAMETER", ["Parquet"]),
        (lambda e, b: b.update(entity_df=12), 400, "INVALID_PARAMETER", []),
        (lambda e, b: b.update(timestamp_column="label_time"), 400, "INVALID_PARAMETER", ["label_time"]),
        (lambda e, b: b.update(surprise=1), 400, "INVALID_PARAMETER", ["surprise"]),
    ],
    ids=["no-timestamp", "wrong-key", "unknown-feature", "unknown-view", "unknown-service", "both", "neither",
         "not-parquet", "not-text", "unknown-timestamp-column", "unknown-field"],
)  # fmt: skip
async def test_bad_training_set_requests_are_clear_4xx_errors(api, feast_repo, change, status, code, words):
    entities = entity_frame(feast_repo, rows=10)
    body: dict[str, Any] = {"entity_df": wire(entities), "service": feast_repo.service}
    change(entities, body)
    got, answer = await api("POST", "features", "training-set", body=body)
    assert_error(got, answer, status, code, *words)


async def test_a_training_set_request_without_a_body_or_with_bad_json_is_a_400(api):
    assert_error(*(await api("POST", "features", "training-set")), 400, "INVALID_PARAMETER", "entity_df")
    got, answer = await api("POST", "features", "training-set", body="{not json")
    assert_error(got, answer, 400, "INVALID_PARAMETER", "JSON")


# --- bad browsing requests -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "params", "status", "code"),
    [
        (("features", "views", "no_such_view"), None, 404, "NOT_FOUND"),
        (("features", "services", "no_such_service"), None, 404, "NOT_FOUND"),
        (("features", "views", "bad name!"), None, 400, "INVALID_PARAMETER"),
        (("features", "search"), None, 400, "INVALID_PARAMETER"),
        (("features", "search"), {"q": ""}, 400, "INVALID_PARAMETER"),
        (("features", "search"), {"q": "x" * 300}, 400, "INVALID_PARAMETER"),
        (("features", "views"), {"search": ""}, 400, "INVALID_PARAMETER"),
        (("features", "lineage"), None, 400, "INVALID_PARAMETER"),
        (("features", "lineage"), {"service": "churn_v1", "view": "customer_profile"}, 400, "INVALID_PARAMETER"),
        (("features", "lineage"), {"version": "1"}, 400, "INVALID_PARAMETER"),
        (("features", "lineage"), {"model": "m", "version": "one"}, 400, "INVALID_PARAMETER"),
    ],
)
async def test_bad_browsing_requests_are_clear_4xx_errors(api, parts, params, status, code):
    got, body = await api("GET", *parts, params=params or {})
    assert_error(got, body, status, code)


class TestMissingRepo:
    @pytest.fixture
    def maestro_config(self, maestro_home: Path, tmp_path: Path) -> dict[str, Any]:
        return {"home": str(maestro_home), "feast_repo": str(tmp_path / "nowhere")}

    async def test_a_feature_repo_that_does_not_exist_is_a_clear_error_naming_it(self, api):
        for parts in (("features", "store"), ("features", "views"), ("features", "services", "churn_v1")):
            got, body = await api("GET", *parts)
            assert got in (404, 503), body
            assert set(body) == {"error", "message"}, body
            assert "nowhere" in body["message"], body


# --- online values ---------------------------------------------------------------------------------------------


async def test_online_values_of_known_and_unknown_entities(api, feast_repo):
    known = int(entity_frame(feast_repo, rows=1)["customer_id"][0])
    body = {"entities": [{"customer_id": known}, {"customer_id": 987654321}], "service": feast_repo.service}
    status, answer = await api("POST", "features", "online", body=body)
    assert status == 200, answer
    online = OnlineFeatures.model_validate(answer)
    assert [row["customer_id"] for row in online.rows] == [known, 987654321]
    assert online.rows[0]["tenure_months"] is not None
    assert online.missing
    assert all("987654321" in m for m in online.missing)

    got, answer = await api("POST", "features", "online", body={"entities": [], "service": feast_repo.service})
    assert_error(got, answer, 400, "INVALID_PARAMETER")
    got, answer = await api("POST", "features", "online", body={"entities": [{"customer_id": [1]}], "service": "x"})
    assert_error(got, answer, 400, "INVALID_PARAMETER")


# --- saving a feature service (on a copy of the repo: it changes the registry) -------------------------------------


class TestSaveService:
    @pytest.fixture
    def maestro_config(self, maestro_home: Path, feast_repo: FeatureDemo, tmp_path: Path) -> dict[str, Any]:
        repo = copy_feature_repo(feast_repo, tmp_path / "repo")
        return {"home": str(maestro_home), "feast_repo": str(repo.repo)}

    async def test_save_a_selection_as_a_service_then_conflict_then_overwrite(self, api):
        body = {
            "name": "churn_small",
            "features": ["customer_profile:tenure_months", "customer_activity:logins_7d"],
            "description": "Two features",
            "tags": {"team": "growth"},
        }
        status, answer = await api("POST", "features", "services", body=body)
        assert status == 201, answer
        saved = FeatureServiceInfo.model_validate(answer)
        assert saved.features == body["features"]
        assert saved.tags == {"team": "growth"}

        status, answer = await api("GET", "features", "services", "churn_small")
        assert status == 200
        assert answer["description"] == "Two features"

        got, answer = await api("POST", "features", "services", body=body)
        assert_error(got, answer, 409, "CONFLICT", "churn_small")

        body.update(overwrite=True, features=["customer_activity"])
        status, answer = await api("POST", "features", "services", body=body)
        assert status == 201, answer
        assert answer["features"] == [
            "customer_activity:logins_7d",
            "customer_activity:support_tickets_30d",
            "customer_activity:data_gb_7d",
        ]

    @pytest.mark.parametrize(
        ("body", "code", "status"),
        [
            ({"name": "bad name", "features": ["customer_profile"]}, "INVALID_PARAMETER", 400),
            ({"name": "ok", "features": []}, "INVALID_PARAMETER", 400),
            ({"name": "ok", "features": ["customer_profile:nope"]}, "NOT_FOUND", 404),
            ({"name": "ok"}, "INVALID_PARAMETER", 400),
        ],
    )
    async def test_bad_services_are_refused_and_nothing_is_saved(self, api, body, code, status):
        got, answer = await api("POST", "features", "services", body=body)
        assert_error(got, answer, status, code)
        _, listed = await api("GET", "features", "services")
        assert [s["name"] for s in listed["items"]] == ["churn_v1"]


# --- lineage ---------------------------------------------------------------------------------------------------


async def test_lineage_of_a_service_nothing_was_trained_on_is_empty(api):
    status, body = await api("GET", "features", "lineage", params={"service": "churn_v1"})
    assert status == 200, body
    assert body["items"] == []
