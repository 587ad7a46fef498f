"""Every registry route through a real Jupyter server, on real demo models in a real MLflow store."""

from __future__ import annotations

import io
import zipfile

from maestro_jupyter.entities import ModelDetail, ModelPage, ModelVersion, VersionDetail

MODEL = "breast-cancer-classifier"


async def test_list_models_returns_every_seeded_model(api):
    status, body = await api("GET", "models")
    assert status == 200
    page = ModelPage.model_validate(body)
    assert [m.name for m in page.models] == ["breast-cancer-classifier", "diabetes-regressor", "iris-classifier"]
    cancer = page.models[0]
    assert cancer.latest_version == "3"
    assert set(cancer.aliases) == {"champion", "challenger"}
    assert cancer.tags["task"] == "classification"


async def test_search_is_a_case_insensitive_name_substring(api):
    _, body = await api("GET", "models", params={"search": "CANCER"})
    assert [m["name"] for m in body["models"]] == [MODEL]
    _, body = await api("GET", "models", params={"search": "no-such-model"})
    assert body["models"] == []


async def test_tag_filter_combines_with_search(api):
    _, body = await api("GET", "models", params={"tag": "task=regression"})
    assert [m["name"] for m in body["models"]] == ["diabetes-regressor"]
    _, body = await api("GET", "models", params={"tag": "task=classification", "search": "iris"})
    assert [m["name"] for m in body["models"]] == ["iris-classifier"]


async def test_pagination_tokens_walk_all_models_once(api):
    seen, token = [], None
    while True:
        params = {"max_results": "1", **({"page_token": token} if token else {})}
        status, body = await api("GET", "models", params=params)
        assert status == 200
        seen += [m["name"] for m in body["models"]]
        token = body["next_page_token"]
        if not token:
            break
    assert seen == ["breast-cancer-classifier", "diabetes-regressor", "iris-classifier"]


async def test_get_model_lists_versions_newest_first(api):
    status, body = await api("GET", "models", MODEL)
    assert status == 200
    model = ModelDetail.model_validate(body)
    assert [v.version for v in model.versions] == ["3", "2", "1"]
    holder = {a: v.version for v in model.versions for a in v.aliases}
    assert holder == model.aliases
    assert model.description.startswith("Predicts whether a breast mass")


async def test_version_detail_has_run_metrics_params_signature_and_flavor(api):
    status, body = await api("GET", "models", MODEL, "versions", "1")
    assert status == 200
    detail = VersionDetail.model_validate(body)
    assert detail.run is not None
    assert 0.8 < detail.run.metrics["accuracy"] <= 1.0
    assert detail.run.params["algorithm"] == "logistic-regression"
    assert detail.signature is not None
    assert {c["name"] for c in detail.signature.inputs} >= {"mean radius", "worst area"}
    assert "sklearn" in detail.flavors
    assert detail.status == "READY"
    assert detail.creation_timestamp > 0
    assert 'load_model("models:/breast-cancer-classifier/1")' in detail.load_snippet


async def test_alias_set_move_read_and_delete(api):
    status, body = await api("PUT", "models", MODEL, "aliases", "staging", body={"version": 1})
    assert status == 200
    assert ModelVersion.model_validate(body).aliases == ["staging"]
    _, body = await api("GET", "models", MODEL, "aliases", "staging")
    assert body["version"] == "1"

    await api("PUT", "models", MODEL, "aliases", "staging", body={"version": "2"})  # move it
    _, model = await api("GET", "models", MODEL)
    assert model["aliases"]["staging"] == "2"

    status, _ = await api("DELETE", "models", MODEL, "aliases", "staging")
    assert status == 204
    status, body = await api("GET", "models", MODEL, "aliases", "staging")
    assert (status, body["error"]) == (404, "NOT_FOUND")


async def test_model_and_version_tags(api):
    status, body = await api("PUT", "models", MODEL, "tags", "owner", body={"value": "ana"})
    assert (status, body) == (200, {"key": "owner", "value": "ana"})
    _, model = await api("GET", "models", MODEL)
    assert model["tags"]["owner"] == "ana"
    assert (await api("DELETE", "models", MODEL, "tags", "owner"))[0] == 204
    _, model = await api("GET", "models", MODEL)
    assert "owner" not in model["tags"]

    assert (await api("PUT", "models", MODEL, "versions", "2", "tags", "validated", body={"value": "yes"}))[0] == 200
    _, version = await api("GET", "models", MODEL, "versions", "2")
    assert version["tags"]["validated"] == "yes"
    assert (await api("DELETE", "models", MODEL, "versions", "2", "tags", "validated"))[0] == 204
    status, body = await api("DELETE", "models", MODEL, "versions", "2", "tags", "validated")
    assert (status, body["error"]) == (404, "NOT_FOUND")


async def test_update_descriptions(api):
    status, body = await api("PATCH", "models", MODEL, body={"description": "New words"})
    assert (status, body["description"]) == (200, "New words")
    status, body = await api("PATCH", "models", MODEL, "versions", "3", body={"description": "GBM, tuned"})
    assert (status, body["description"]) == (200, "GBM, tuned")


async def test_a_version_is_named_in_the_path_not_in_a_models_body(api):
    status, body = await api("PATCH", "models", MODEL, body={"description": "x", "version": "2"})
    assert (status, body["error"]) == (400, "INVALID_PARAMETER")
    status, body = await api("PUT", "models", MODEL, "tags", "owner", body={"value": "ana", "version": "2"})
    assert (status, body["error"]) == (400, "INVALID_PARAMETER")
    # The path wins over a body naming another model.
    status, body = await api(
        "PUT", "models", MODEL, "aliases", "staging", body={"version": 1, "name": "iris-classifier"}
    )
    assert (status, body["name"]) == (200, MODEL)


async def test_download_is_a_zip_of_the_model_artifacts(api):
    status, raw = await api("GET", "models", MODEL, "versions", "2", "download")
    assert status == 200
    names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
    assert "MLmodel" in names
    assert "requirements.txt" in names
    mlmodel = zipfile.ZipFile(io.BytesIO(raw)).read("MLmodel").decode()
    assert "sklearn" in mlmodel
    status, body = await api("GET", "models", MODEL, "versions", "9", "download")
    assert (status, body["error"]) == (404, "NOT_FOUND")


async def test_register_a_model_from_a_run(api):
    _, runs = await api(
        "GET", "experiments", "maestro-demo-iris", "runs", params={"order_by": "attributes.start_time DESC"}
    )
    run_id = runs["runs"][0]["run_id"]
    status, body = await api("POST", "models", body={"run_id": run_id, "name": "iris-copy", "tags": {"from": "api"}})
    assert status == 201
    assert (body["name"], body["version"], body["run_id"]) == ("iris-copy", "1", run_id)
    _, detail = await api("GET", "models", "iris-copy", "versions", "1")
    assert "sklearn" in detail["flavors"]
    assert detail["tags"] == {"from": "api"}


async def test_model_names_with_spaces_survive_the_url(api):
    _, runs = await api("GET", "experiments", "maestro-demo-iris", "runs")
    run_id = runs["runs"][0]["run_id"]
    status, _ = await api("POST", "models", body={"run_id": run_id, "name": "iris with spaces"})
    assert status == 201
    status, body = await api("GET", "models", "iris with spaces")
    assert (status, body["name"]) == (200, "iris with spaces")
