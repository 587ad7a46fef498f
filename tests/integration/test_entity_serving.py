"""Entity-keyed predictions on the local backend: a real ``mlflow models serve`` deployment of a model trained on the
demo's ``churn_v1`` training set (its run tagged with the feature service), and a real Feast repo (applied and
materialized by ``feature_demo.seed_feature_repo``).

A request with only entity keys predicts what the model predicts on the full row Feast's ``get_online_features``
gives; an unknown entity is a 404 naming it, a value older than its view's TTL a 409 naming the TTL, a version
trained without a feature service a 400; full feature rows work as before. Through the SDK, REST and the magic.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell

import maestro_jupyter
from maestro_jupyter import MaestroClient
from maestro_jupyter import tagkeys as tk
from maestro_jupyter.contract.deployments import Predict
from maestro_jupyter.entities import Prediction
from maestro_jupyter.errors import Conflict, InvalidParameter, NotFound
from maestro_jupyter.feature_demo import SERVICE, seed_feature_repo
from maestro_jupyter.sdk.deployments import entity_rows
from maestro_jupyter.settings import Settings
from tests.compute_helpers import stop_everything
from tests.integration.test_magics import one_line_error, run_line
from tests.sdk_helpers import services_of

MODEL = "churn-from-store"
DEPLOYMENT = "churn-store"
KNOWN = [1001, 1002, 1017]  # the demo's customers are 1001..1200
UNKNOWN = 999_999


@dataclass
class Served:
    """The module's deployment: where it lives and how to reach its data."""

    home: Path
    fresh: Path  # a repo materialized up to now
    stale: Path  # a repo whose activity (TTL 2 days) was last materialized 10 days ago
    columns: list[str]  # the model's input columns, in its signature's order
    model: object  # the fitted model, for in-process predictions
    #: The full online rows of KNOWN as Feast's get_online_features gives them (read before any IPython shell: see
    #: entity_serving._tolerant_sqlite_timestamps), in the model's column order.
    rows: pd.DataFrame

    def expected(self, ids: list[int]) -> list[float]:
        """What the model, in this process, predicts on the full online rows of ``ids``."""
        return [float(p) for p in self.model.predict(self.full(ids))]

    def full(self, ids: list[int]) -> pd.DataFrame:
        return self.rows.loc[ids, self.columns].reset_index(drop=True)

    def client(self, repo: Path | None = None) -> MaestroClient:
        """A client on the module's home whose feature store is ``repo`` (default: the fresh one)."""
        env = {"MAESTRO_FEAST_REPO": str(repo or self.fresh)}
        return MaestroClient(Settings.from_env(env, home=str(self.home)))


def feast_rows(repo: Path, ids: list[int]) -> pd.DataFrame:
    """The full online rows of ``ids`` as Feast itself gives them for the service (no Maestro in between)."""
    from feast import FeatureStore

    store = FeatureStore(repo_path=str(repo))
    response = store.get_online_features(
        features=store.get_feature_service(SERVICE), entity_rows=[{"customer_id": i} for i in ids]
    )
    return response.to_df()


@pytest.fixture(scope="module")
def served(seeded_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A private home (a copy of the seeded registry) with two demo feature repos, a model trained on ``churn_v1``
    (its run tagged as a training job from the store would be) registered as version 1, and a deployment of it."""
    root = tmp_path_factory.mktemp("entity-serving")
    home = root / "home"
    home.mkdir()
    shutil.copy(seeded_home / "mlflow.db", home / "mlflow.db")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fresh = seed_feature_repo(root / "fresh")
        stale = seed_feature_repo(root / "stale", end=datetime.now(UTC) - timedelta(days=10))

        from feast import FeatureStore
        from sklearn.linear_model import Ridge

        store = FeatureStore(repo_path=str(fresh.repo))
        labels = pd.read_parquet(fresh.labels)
        frame = store.get_historical_features(labels, features=store.get_feature_service(SERVICE)).to_df()
    features = [ref.split(":", 1)[1] for ref in fresh.service_features]
    # Not the service's order: the deployment must send the columns in the order the model's signature says.
    columns = sorted(features, reverse=True)
    x, y = frame[columns], frame["churned"].astype("float64")
    model = Ridge(alpha=1.0).fit(x, y)  # continuous predictions: equal answers are the same features, not luck

    client = MaestroClient(Settings.from_env({"MAESTRO_FEAST_REPO": str(fresh.repo)}, home=str(home)))
    with services_of(client).mlflow.mlflow_globals():
        from mlflow.models import infer_signature

        with mlflow.start_run(run_name="churn-from-store"):
            mlflow.set_tags(
                {
                    tk.FEATURE_SERVICE: SERVICE,
                    tk.FEATURE_VIEWS: ",".join(fresh.views + fresh.on_demand_views),
                    tk.FEATURE_REGISTRY_VERSION: str(store.registry.proto().version_id),
                    tk.FEATURE_PROJECT: fresh.project,
                }
            )
            mlflow.sklearn.log_model(
                model, name="model", signature=infer_signature(x, model.predict(x)), registered_model_name=MODEL
            )
    dep = client.deployments.create(MODEL, version=1, name=DEPLOYMENT, override_reason="entity serving test")
    assert dep.status == "ready", dep.reason
    rows = feast_rows(fresh.repo, KNOWN).set_index("customer_id")
    stale_rows = feast_rows(stale.repo, KNOWN).set_index("customer_id")
    # The stale repo holds the same values, only old: Feast itself reads them back as present.
    assert stale_rows.loc[KNOWN, columns].equals(rows.loc[KNOWN, columns])
    yield Served(home=home, fresh=fresh.repo, stale=stale.repo, columns=columns, model=model, rows=rows)
    stop_everything(client)


def test_entity_keys_predict_what_the_full_online_row_predicts(served):
    ml = served.client()
    dep = ml.deployments.get(DEPLOYMENT)
    by_keys = dep.predict(entities=[{"customer_id": i} for i in KNOWN])
    assert isinstance(by_keys, Prediction)
    assert (by_keys.model, by_keys.version) == (MODEL, "1")

    assert by_keys.predictions == served.expected(KNOWN)
    assert len(set(by_keys.predictions)) == len(KNOWN)  # three customers, three different answers
    # Full feature rows still work. (The SDK writes a DataFrame with pandas' 10 significant digits, hence approx;
    # the REST test sends the full row exactly.)
    assert dep.predict(served.full(KNOWN)).predictions == pytest.approx(by_keys.predictions, rel=1e-8)

    # The same through ml.deployments.predict, with keys from a frame (numpy integers) or one dict.
    keys = pd.DataFrame({"customer_id": np.array(KNOWN, dtype="int64")})
    assert ml.deployments.predict(DEPLOYMENT, entities=keys).predictions == by_keys.predictions
    # (One row, not a slice of the three: the model's arithmetic on a batch may differ in the last bit.)
    one = ml.deployments.predict(DEPLOYMENT, entities={"customer_id": KNOWN[1]})
    assert one.predictions == served.expected(KNOWN[1:2])
    with pytest.raises(InvalidParameter, match="not both"):
        dep.predict(served.full(KNOWN), entities=[{"customer_id": KNOWN[0]}])
    with pytest.raises(InvalidParameter, match="customer_id"):
        dep.predict(entities=[{"client": KNOWN[0]}])  # not the service's key


def test_the_version_and_its_service_are_read_once(served):
    """A version's feature service and signature never change: the second request reads no registry."""
    ml = served.client()
    services = services_of(ml)
    reads: list[tuple[str, str]] = []
    real = services.registry.version_detail

    def counted(name, version=None, alias=None):
        reads.append((name, str(version)))
        return real(name, version=version, alias=alias)

    services.registry.version_detail = counted  # type: ignore[method-assign]
    for i in KNOWN:
        ml.deployments.predict(DEPLOYMENT, entities=[{"customer_id": i}])
    assert reads == [(MODEL, "1")]


def test_an_unknown_entity_is_not_found_naming_it(served):
    ml = served.client()
    with pytest.raises(NotFound) as missing:
        ml.deployments.predict(DEPLOYMENT, entities=[{"customer_id": KNOWN[0]}, {"customer_id": UNKNOWN}])
    message = missing.value.message
    assert f"customer_id={UNKNOWN}" in message
    assert f"customer_id={KNOWN[0]}" not in message  # only the one the store lacks
    assert SERVICE in message


def test_a_value_older_than_its_views_ttl_is_a_conflict(served):
    """The stale repo's activity was materialized 10 days ago; the view's TTL is 2 days. Feast's own lookup says
    PRESENT: Maestro compares the values' event times with the TTL."""
    ml = served.client(served.stale)
    with pytest.raises(Conflict) as stale:
        ml.deployments.predict(DEPLOYMENT, entities=[{"customer_id": KNOWN[0]}])
    message = stale.value.message
    assert f"customer_id={KNOWN[0]}" in message
    assert "customer_activity" in message
    assert "2 days" in message
    assert "materialize" in message.lower()
    assert "customer_profile" not in message  # its 45-day TTL still covers its last snapshot


def test_a_version_trained_without_a_feature_service_refuses_entity_keys(served):
    ml = served.client()
    dep = ml.deployments.create(
        "breast-cancer-classifier", alias="champion", name="cancer-by-keys", wait=False, override_reason="test"
    )
    with pytest.raises(InvalidParameter) as refused:
        dep.predict(entities=[{"customer_id": KNOWN[0]}])
    message = refused.value.message
    assert "breast-cancer-classifier version 3" in message
    assert "full feature rows" in message
    assert tk.FEATURE_SERVICE in message
    dep.delete()


def test_requests_are_checked_before_anything_is_read():
    assert Predict.build(deployment_id="d", entities=[{"customer_id": 7}]).scoring() == {}
    with pytest.raises(InvalidParameter, match="entities or dataframe_split, not both"):
        Predict.build(deployment_id="d", entities=[{"customer_id": 7}], dataframe_split={"columns": [], "data": []})
    with pytest.raises(InvalidParameter, match="entities"):
        Predict.build(deployment_id="d", entities=[])
    with pytest.raises(InvalidParameter, match="one is empty"):
        Predict.build(deployment_id="d", entities=[{"customer_id": 7}, {}])
    assert entity_rows(pd.DataFrame({"customer_id": np.array([7, 8], dtype="int64")})) == [
        {"customer_id": 7},
        {"customer_id": 8},
    ]
    assert entity_rows([{"customer_id": np.int64(7)}]) == [{"customer_id": 7}]
    with pytest.raises(InvalidParameter, match="list of dicts"):
        entity_rows([7, 8])


# --- REST ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def maestro_config(served) -> dict[str, str]:
    """The Jupyter server's settings: the module's home and its fresh feature repo."""
    return {"home": str(served.home), "feast_repo": str(served.fresh)}


async def test_rest_takes_entity_keys_and_says_what_is_wrong(api, served):
    full = served.full(KNOWN)
    status, answer = await api(
        "POST", "deployments", DEPLOYMENT, "predict", body={"entities": [{"customer_id": i} for i in KNOWN]}
    )
    assert status == 200, answer
    assert answer["predictions"] == served.expected(KNOWN)
    status, rows = await api(
        "POST", "deployments", DEPLOYMENT, "predict", body={"dataframe_split": full.to_dict(orient="split")}
    )
    assert status == 200, rows
    assert rows["predictions"] == answer["predictions"]

    status, missing = await api(
        "POST", "deployments", DEPLOYMENT, "predict", body={"entities": [{"customer_id": UNKNOWN}]}
    )
    assert status == 404
    assert missing["error"] == "NOT_FOUND"
    assert f"customer_id={UNKNOWN}" in missing["message"]

    both = {"entities": [{"customer_id": KNOWN[0]}], "dataframe_records": [{"tenure_months": 1}]}
    for body, needle in [(both, "not both"), ({"entities": []}, "entities"), ({"entities": "1001"}, "entities")]:
        status, refused = await api("POST", "deployments", DEPLOYMENT, "predict", body=body)
        assert status == 400, refused
        assert refused["error"] == "INVALID_PARAMETER"
        assert needle in refused["message"]


# --- the magic -------------------------------------------------------------------------------------------------------


@pytest.fixture
def shell(served, monkeypatch, tmp_path):
    monkeypatch.setenv("MAESTRO_HOME", str(served.home))
    monkeypatch.setenv("MAESTRO_FEAST_REPO", str(served.fresh))
    monkeypatch.chdir(tmp_path)
    sh = InteractiveShell.instance()
    maestro_jupyter.load_ipython_extension(sh)
    yield sh
    magics = sh.magics_manager.registry["MaestroMagics"]
    magics._client = None  # the next test's shell opens a client on its own settings


def test_the_predict_magic_takes_entity_keys(served, shell, capsys):
    answer = run_line(shell, f"predict {DEPLOYMENT} --entity customer_id={KNOWN[0]} --entity customer_id={KNOWN[1]}")
    assert isinstance(answer, Prediction)
    assert answer.predictions == served.expected(KNOWN[:2])
    shell.user_ns["keys"] = pd.DataFrame({"customer_id": KNOWN[:2]})
    assert run_line(shell, f"predict {DEPLOYMENT} --entities keys").predictions == answer.predictions

    shell.user_ns["rows"] = served.full(KNOWN[:1])
    assert run_line(shell, f"predict {DEPLOYMENT} rows").predictions == pytest.approx(answer.predictions[:1], rel=1e-8)
    assert f"customer_id={UNKNOWN}" in one_line_error(
        shell, capsys, f"%maestro predict {DEPLOYMENT} --entity customer_id={UNKNOWN}"
    )
    assert "KEY=VALUE" in one_line_error(shell, capsys, f"%maestro predict {DEPLOYMENT} --entity {KNOWN[0]}")
    assert "not both" in one_line_error(shell, capsys, f"%maestro predict {DEPLOYMENT} rows --entity customer_id=1")
    assert "No variable named 'nothing'" in one_line_error(
        shell, capsys, f"%maestro predict {DEPLOYMENT} --entities nothing"
    )
    assert "needs DF|PATH" in one_line_error(shell, capsys, f"%maestro predict {DEPLOYMENT}")
