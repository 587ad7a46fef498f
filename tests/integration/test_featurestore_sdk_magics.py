"""The feature store from a notebook: ``ml.features`` (every call through a JSON wire, see the integration
conftest) and ``%maestro featurestore`` in a real IPython InteractiveShell, on a real Feast repo (the demo churn
repo, applied and materialized). Also ``%maestro features`` on a training set from the store: grouped by view."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import maestro_jupyter
from maestro_jupyter import MaestroClient, tagkeys
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
from maestro_jupyter.errors import Conflict, InvalidParameter, MaestroError, NotFound
from maestro_jupyter.settings import Settings
from tests.feature_helpers import FeatureDemo, copy_feature_repo, entity_frame

RATIOS = "customer_ratios"


@pytest.fixture
def features(feast_settings: Settings):
    return MaestroClient(feast_settings).features


@pytest.fixture
def own_repo(feast_repo: FeatureDemo, tmp_path: Path) -> FeatureDemo:
    """A private copy of the demo repo, for tests that change its registry."""
    return copy_feature_repo(feast_repo, tmp_path / "own-repo")


def shell_on(home: Path, repo: Path, monkeypatch: pytest.MonkeyPatch) -> InteractiveShell:
    monkeypatch.setenv("MAESTRO_HOME", str(home))
    monkeypatch.setenv("MAESTRO_FEAST_REPO", str(repo))
    sh = InteractiveShell.instance()
    maestro_jupyter.load_ipython_extension(sh)  # a fresh %maestro with a fresh client for this home
    return sh


@pytest.fixture
def shell(maestro_home, feast_repo, monkeypatch):
    return shell_on(maestro_home, feast_repo.repo, monkeypatch)


def run_line(shell: InteractiveShell, line: str):
    return shell.run_line_magic("maestro", line)


def one_line_error(shell: InteractiveShell, capsys, line: str) -> str:
    """Run ``%maestro LINE`` as a cell: it must fail with one readable line and no traceback."""
    capsys.readouterr()
    result = shell.run_cell(f"%maestro {line}")
    assert isinstance(result.error_in_exec, UsageError), result.error_in_exec
    out = capsys.readouterr()
    text = (out.out + out.err).strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    return text


# --- the SDK ---------------------------------------------------------------------------------------------------


def test_browse_the_store_from_the_sdk(features, feast_repo):
    overview = features.overview()
    assert isinstance(overview, FeatureStoreOverview)
    assert overview.project == feast_repo.project

    views = features.views()
    assert isinstance(views, FeatureViewList)
    assert {v.name for v in views} == {*feast_repo.views, RATIOS}
    assert [v.name for v in features.views(search="logins")] == ["customer_activity"]

    view = features.view("customer_profile")
    assert isinstance(view, FeatureViewSummary)
    assert view.kind == "batch"
    assert isinstance(features.entities(), EntityList)
    assert isinstance(features.sources(), DataSourceList)
    services = features.services()
    assert isinstance(services, FeatureServiceList)
    assert [s.name for s in services] == ["churn_v1"]
    assert features.service("churn_v1").features == feast_repo.service_features
    hits = features.search("tenure")
    assert isinstance(hits, FeatureSearchResult)
    assert "tenure_months" in {h.name for h in hits.items}


def test_a_training_set_is_a_frame_that_keeps_its_rows_and_says_where_its_columns_came_from(features, feast_repo):
    entities = entity_frame(feast_repo).sample(50, random_state=1).reset_index(drop=True)
    frame = features.training_set(entities, service=feast_repo.service)
    assert isinstance(frame, pd.DataFrame)
    assert frame["customer_id"].tolist() == entities["customer_id"].tolist()
    assert frame["churned"].tolist() == entities["churned"].tolist()  # the entity frame's own columns stay
    views = frame.attrs["maestro_feature_views"]
    assert views["tenure_months"] == "customer_profile"
    assert views["logins_7d"] == "customer_activity"
    assert views["tickets_per_login"] == RATIOS
    assert "customer_id" not in views
    assert frame.attrs["maestro_feature_service"] == feast_repo.service
    assert frame.attrs["maestro_registry_version"]


def test_a_training_set_from_a_list_of_features_and_from_a_file(features, feast_repo):
    frame = features.training_set(feast_repo.labels, features=["customer_profile:plan", "customer_activity"])
    assert len(frame) == feast_repo.rows["labels"]
    assert {"plan", "logins_7d", "support_tickets_30d", "data_gb_7d"} <= set(frame.columns)
    assert "tenure_months" not in frame.columns
    assert frame.attrs["maestro_feature_service"] is None
    result = features.build_training_set(entity_frame(feast_repo, rows=5), features=["customer_profile:plan"])
    assert isinstance(result, TrainingSet)
    assert (result.rows, result.refs, result.views) == (5, ["customer_profile:plan"], ["customer_profile"])


def test_inside_an_mlflow_run_the_training_set_is_recorded_on_the_run(features, feast_repo, feast_settings):
    mlflow.set_tracking_uri(feast_settings.tracking_uri)
    try:
        with mlflow.start_run() as run:
            features.training_set(entity_frame(feast_repo, rows=20), service=feast_repo.service)
        tags = mlflow.MlflowClient().get_run(run.info.run_id).data.tags
    finally:
        mlflow.set_tracking_uri(None)  # back to the default, so the next test's kernel picks its own
    assert tags[tagkeys.FEATURE_SERVICE] == feast_repo.service
    assert set(tags[tagkeys.FEATURE_VIEWS].split(",")) == {*feast_repo.views, RATIOS}
    assert tags[tagkeys.FEATURE_REGISTRY_VERSION]
    assert tags[tagkeys.FEATURE_PROJECT] == feast_repo.project


def test_in_a_training_job_the_service_defaults_to_the_jobs(features, feast_repo, monkeypatch):
    entities = entity_frame(feast_repo, rows=10)
    with pytest.raises(InvalidParameter, match="feature service"):
        features.training_set(entities)
    monkeypatch.setenv("MAESTRO_FEATURE_SERVICE", feast_repo.service)
    frame = features.training_set(entities)
    assert frame.attrs["maestro_feature_service"] == feast_repo.service
    assert "charges_per_gb" in frame.columns


@pytest.mark.parametrize(
    ("entities", "kwargs", "error", "words"),
    [
        (lambda e: e.drop(columns=["event_timestamp"]), {"service": "churn_v1"}, InvalidParameter, "event_timestamp"),
        (lambda e: e.rename(columns={"customer_id": "id"}), {"service": "churn_v1"}, InvalidParameter, "customer_id"),
        (lambda e: e, {"features": ["customer_profile:nope"]}, NotFound, "nope"),
        (lambda e: e, {"features": ["no_view"]}, NotFound, "no_view"),
        (lambda e: e, {"service": "no_service"}, NotFound, "no_service"),
        (lambda e: e, {"service": "churn_v1", "features": ["customer_profile"]}, InvalidParameter, "exactly one"),
        (lambda e: 42, {"service": "churn_v1"}, InvalidParameter, "DataFrame"),
    ],
    ids=["no-timestamp", "wrong-key", "unknown-feature", "unknown-view", "unknown-service", "both", "not-a-frame"],
)
def test_bad_training_sets_raise_typed_errors(features, feast_repo, entities, kwargs, error, words):
    with pytest.raises(error, match=words):
        features.training_set(entities(entity_frame(feast_repo, rows=5)), **kwargs)


def test_online_values_from_a_mapping_a_list_or_a_frame(features, feast_repo):
    known = entity_frame(feast_repo, rows=2)["customer_id"]  # numpy integers: sent as plain ones
    online = features.online({"customer_id": known[0]}, service=feast_repo.service)
    assert isinstance(online, OnlineFeatures)
    assert online.rows[0]["customer_id"] == int(known[0])
    assert online.rows[0]["tenure_months"] is not None
    assert not online.missing
    online = features.online(pd.DataFrame({"customer_id": known}), features=["customer_profile:plan"])
    assert [row["customer_id"] for row in online.rows] == [int(k) for k in known]
    assert len(features.online([{"customer_id": 123456789}], service=feast_repo.service).missing) > 0
    with pytest.raises(InvalidParameter, match="mapping"):
        features.online(7, service=feast_repo.service)


def test_save_a_service_then_train_on_it(maestro_home, own_repo):
    features = MaestroClient(Settings.from_env({}, home=str(maestro_home), feast_repo=str(own_repo.repo))).features
    saved = features.save_service("churn_small", ["customer_profile:tenure_months", "customer_activity:logins_7d"])
    assert isinstance(saved, FeatureServiceInfo)
    assert saved.views == ["customer_profile", "customer_activity"]
    with pytest.raises(Conflict, match="churn_small"):
        features.save_service("churn_small", ["customer_profile"])
    frame = features.training_set(entity_frame(own_repo, rows=8), service="churn_small")
    assert {"tenure_months", "logins_7d"} <= set(frame.columns)
    assert "monthly_charges" not in frame.columns


def test_lineage_needs_exactly_one_subject(features):
    assert list(features.lineage(service="churn_v1").items) == []
    with pytest.raises(MaestroError):
        features.lineage()
    with pytest.raises(MaestroError):
        features.lineage(service="churn_v1", view="customer_profile")


# --- the magics -------------------------------------------------------------------------------------------------


def test_featurestore_magic_browses_the_store(shell, feast_repo):
    assert isinstance(run_line(shell, "featurestore"), FeatureStoreOverview)
    assert isinstance(run_line(shell, "featurestore overview"), FeatureStoreOverview)
    views = run_line(shell, "featurestore views --search logins")
    assert [v.name for v in views] == ["customer_activity"]
    view = run_line(shell, "featurestore view customer_profile")
    assert isinstance(view, FeatureViewSummary)
    html = view._repr_html_()
    assert html.index("customer_profile") < html.index("tenure_months")  # the summary comes first
    assert "var(--jp-" in html
    assert isinstance(run_line(shell, "featurestore entities"), EntityList)
    assert isinstance(run_line(shell, "featurestore sources"), DataSourceList)
    assert [s.name for s in run_line(shell, "featurestore services")] == ["churn_v1"]
    assert run_line(shell, "featurestore service churn_v1").features == feast_repo.service_features
    hits = run_line(shell, "featurestore search tenure months")
    assert isinstance(hits, FeatureSearchResult)
    assert hits.query == "tenure months"
    assert list(run_line(shell, "featurestore lineage --service churn_v1").items) == []
    assert list(run_line(shell, "featurestore lineage --model breast-cancer-classifier --version 1").items) == []


def test_featurestore_magic_builds_a_training_set_into_a_variable(shell, feast_repo, capsys):
    shell.user_ns["entities"] = entity_frame(feast_repo, rows=30)
    result = run_line(shell, "featurestore training-set entities --service churn_v1 --as train")
    assert isinstance(result, TrainingSet)
    train = shell.user_ns["train"]
    assert isinstance(train, pd.DataFrame)
    assert len(train) == 30
    assert train.attrs["maestro_feature_views"]["logins_7d"] == "customer_activity"
    assert "Training set stored in train: 30 rows" in capsys.readouterr().out
    text = str(result)
    assert text.splitlines()[0].startswith("Training set")

    run_line(shell, f"featurestore training-set {feast_repo.labels} --features customer_profile:plan,customer_activity")
    assert {"plan", "logins_7d"} <= set(shell.user_ns["training_set"].columns)


def test_featurestore_magic_saves_a_service(maestro_home, own_repo, monkeypatch):
    shell = shell_on(maestro_home, own_repo.repo, monkeypatch)
    saved = run_line(
        shell,
        "featurestore save-service churn_two --features customer_profile:tenure_months,customer_activity:logins_7d "
        "--description 'Two features' --tag team=growth",
    )
    assert isinstance(saved, FeatureServiceInfo)
    assert (saved.name, saved.description, saved.tags) == ("churn_two", "Two features", {"team": "growth"})
    assert {s.name for s in run_line(shell, "featurestore services")} == {"churn_v1", "churn_two"}


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("featurestore view no_such_view", "no_such_view"),
        ("featurestore service no_such_service", "no_such_service"),
        ("featurestore bogus", "invalid choice"),
        ("featurestore training-set entities", "--service"),
        ("featurestore training-set nowhere_df --service churn_v1", "nowhere_df"),
        ("featurestore training-set entities --features customer_profile:nope", "nope"),
        ("featurestore training-set no_ts --service churn_v1", "event_timestamp"),
        ("featurestore training-set entities --service churn_v1 --as 2x", "variable"),
        ("featurestore lineage", "--service"),
        ("featurestore lineage --service churn_v1 --version 2", "--model"),
        ("featurestore save-service x", "--features"),
        ("featurestore search", "TEXT"),
    ],
)
def test_featurestore_magic_errors_are_one_readable_line(shell, feast_repo, capsys, line, words):
    shell.user_ns["entities"] = entity_frame(feast_repo, rows=5)
    shell.user_ns["no_ts"] = entity_frame(feast_repo, rows=5).drop(columns=["event_timestamp"])
    assert words in one_line_error(shell, capsys, line)


def test_features_on_a_training_set_from_the_store_groups_findings_by_view(shell, feast_repo):
    shell.user_ns["entities"] = entity_frame(feast_repo)
    run_line(shell, "featurestore training-set entities --service churn_v1 --as train")
    report = run_line(shell, "features train --target churned --time-budget 20 --exclude customer_id,event_timestamp")
    groups = report.by_view()
    assert set(groups) == {"customer_profile", "customer_activity", RATIOS}
    assert {f.feature for f in groups["customer_activity"]} == {"logins_7d", "support_tickets_30d", "data_gb_7d"}
    for group in groups.values():
        assert [f.rank for f in group] == sorted(f.rank for f in group)
    best = [min(f.rank for f in group) for group in groups.values()]
    assert best == sorted(best)  # views by their best feature
    html = report._repr_html_()
    assert "By feature view" in html
    assert html.index("By feature view") > html.index("grouped by feature view")  # the summary line first
    assert report.to_frame().set_index("feature").loc["logins_7d", "view"] == "customer_activity"
    text = str(report)
    assert text.splitlines()[0].startswith("Features for 'churned'")
    assert "customer_activity" in text

    # A frame of one's own (no attrs) reports as before: no grouping.
    shell.user_ns["plain"] = pd.DataFrame(shell.user_ns["train"])
    shell.user_ns["plain"].attrs.clear()
    plain = run_line(shell, "features plain --target churned --time-budget 20 --exclude customer_id,event_timestamp")
    assert plain.by_view() == {}
    assert "By feature view" not in plain._repr_html_()


# --- the SDK over HTTP (MAESTRO_URL): a real jupyter lab carries the same calls --------------------------------------


@pytest.fixture(scope="module")
def live_features(seeded_home: Path, feast_repo: FeatureDemo, tmp_path_factory: pytest.TempPathFactory):
    """A ``jupyter lab`` whose feature store is the demo repo, and the in-process client on the same stores."""
    import shutil

    from tests.live_server import start_lab, stop

    home = tmp_path_factory.mktemp("features-http-home")
    shutil.copy(seeded_home / "mlflow.db", home / "mlflow.db")
    server = start_lab(tmp_path_factory.mktemp("features-http-lab"), home, {"MAESTRO_FEAST_REPO": str(feast_repo.repo)})
    try:
        yield server, Settings.from_env({}, home=str(home), feast_repo=str(feast_repo.repo))
    finally:
        stop(server.process)


def test_over_http_a_training_set_arrives_as_in_the_kernel_and_errors_stay_typed(live_features, feast_repo):
    from maestro_jupyter.sdk.http import HttpTransport

    server, settings = live_features
    over_http = MaestroClient(transport=HttpTransport(Settings.from_env({}, url=server.url), server.token)).features
    in_kernel = MaestroClient(settings).features
    entities = entity_frame(feast_repo).sample(40, random_state=5).reset_index(drop=True)
    remote = over_http.training_set(entities, service=feast_repo.service)
    here = in_kernel.training_set(entities, service=feast_repo.service)
    pd.testing.assert_frame_equal(remote, here)  # dtypes too: the frame travelled as Parquet
    assert remote.attrs["maestro_feature_views"] == here.attrs["maestro_feature_views"]
    assert remote.attrs["maestro_registry_version"] == here.attrs["maestro_registry_version"]

    def described(views):  # what the registry says of each view, lists as sets (freshness is of the moment)
        return {v.name: (v.kind, {f.name for f in v.features}, set(v.entities), set(v.sources)) for v in views}

    assert described(over_http.views()) == described(in_kernel.views())
    with pytest.raises(NotFound, match="no_such_view"):
        over_http.training_set(entities, features=["no_such_view"])
    with pytest.raises(InvalidParameter, match="event_timestamp"):
        over_http.training_set(entities.drop(columns=["event_timestamp"]), service=feast_repo.service)
