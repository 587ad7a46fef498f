"""The team service's model index (issue 18): it answers model listing and search exactly as MLflow's own search
does, shows writes through Maestro at once, and picks up writes made directly in MLflow within its stated bounds.
On MLflow's SQL store over SQLite, every answer compared with MLflow's own."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from mlflow import MlflowClient
from mlflow.entities.model_registry import RegisteredModelTag
from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore

from maestro_jupyter.backends.mlflow_registry import PROMPT_TAG, MlflowRegistry
from maestro_jupyter.backends.model_index import ModelIndex
from maestro_jupyter.contract import rules
from maestro_jupyter.services import Services
from maestro_jupyter.settings import Settings

TEAMS = ("search", "ads", "risk")
START_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MLflow SQL store (SQLite) with 40 models: tags, versions, aliases, descriptions, names that differ in case,
    and a prompt (which model searches leave out)."""
    root = tmp_path_factory.mktemp("model-index")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    mlflow = MlflowClient(tracking_uri=uri, registry_uri=uri)
    source = root / "model"
    source.mkdir()
    for i in range(40):
        name = f"Model-{i:02d}" if i % 7 == 0 else f"model-{i:02d}"
        tags = {"team": TEAMS[i % 3], "task": "classification" if i % 2 else "regression"}
        mlflow.create_registered_model(name, tags=tags, description=f"number {i}" if i % 4 == 0 else None)
        for _ in range(i % 3):
            mlflow.create_model_version(name, str(source))
        if i % 3 == 2:
            mlflow.set_registered_model_alias(name, "champion", "1")
    # A prompt as MLflow's prompt registry stores one (its client refuses to make one through the model calls).
    tags = [RegisteredModelTag(PROMPT_TAG, "true"), RegisteredModelTag("team", "ads")]
    SqlAlchemyStore(uri).create_registered_model("a-prompt", tags=tags)
    return root


@pytest.fixture
def tracking_uri(seeded_store: Path, tmp_path: Path) -> str:
    """A test's own copy of the seeded store."""
    shutil.copy(seeded_store / "mlflow.db", tmp_path / "mlflow.db")
    (tmp_path / "model").mkdir()
    return f"sqlite:///{tmp_path / 'mlflow.db'}"


def team_services(tracking_uri: str, home: Path) -> Services:
    return Services(Settings.from_env({"MAESTRO_TEAM": "1"}, home=str(home), tracking_uri=tracking_uri))


def indexed_registry(tracking_uri: str, home: Path) -> MlflowRegistry:
    """The team service's registry, its index read once."""
    registry = team_services(tracking_uri, home).mlflow
    assert registry.model_index is not None
    registry.model_index.sweep()
    return registry


def plain_registry(tracking_uri: str, home: Path) -> MlflowRegistry:
    """The laptop's registry on the same store: MLflow's own search."""
    registry = Services(Settings.from_env({}, home=str(home), tracking_uri=tracking_uri)).mlflow
    assert registry.model_index is None
    return registry


@pytest.fixture
def indexed(tracking_uri: str, tmp_path: Path) -> MlflowRegistry:
    return indexed_registry(tracking_uri, tmp_path / "service")


@pytest.fixture
def plain(tracking_uri: str, tmp_path: Path) -> MlflowRegistry:
    return plain_registry(tracking_uri, tmp_path / "laptop")


@pytest.fixture(scope="module")
def both(seeded_store: Path) -> tuple[MlflowRegistry, MlflowRegistry]:
    """The index and MLflow's search on the seeded store itself, which the comparisons only read."""
    uri = f"sqlite:///{seeded_store / 'mlflow.db'}"
    return indexed_registry(uri, seeded_store / "service"), plain_registry(uri, seeded_store / "laptop")


def every_page(registry: MlflowRegistry, size: int, **query: Any) -> list[list[dict[str, Any]]]:
    pages, token = [], None
    while True:
        page = registry.search_models(query.get("tags", {}), size, token, query["order_by"], query.get("search"))
        pages.append([m.model_dump() for m in page.models])
        token = page.next_page_token
        if not token:
            return pages


QUERIES = [
    {},
    {"tags": {"team": "ads"}},
    {"tags": {"team": "risk", "task": "regression"}},
    {"tags": {"team": "nobody"}},
    {"search": "MODEL-1"},
    {"search": "0", "tags": {"task": "classification"}},
    {"search": "prompt"},
]


@pytest.mark.parametrize("order_by", rules.MODEL_ORDERS)
@pytest.mark.parametrize("query", QUERIES, ids=lambda q: ",".join(f"{k}={v}" for k, v in q.items()) or "all")
def test_every_page_is_what_mlflow_answers(both: tuple[MlflowRegistry, MlflowRegistry], query, order_by):
    indexed, plain = both
    for size in (7, 100):
        assert every_page(indexed, size, order_by=order_by, **query) == every_page(
            plain, size, order_by=order_by, **query
        )


def test_the_index_answers_without_mlflow(indexed: MlflowRegistry, plain: MlflowRegistry, tmp_path: Path):
    """Once read, a search is the index's: MLflow's store can be gone and the list still answers."""
    expected = every_page(plain, 100, tags={"team": "ads"}, order_by="name ASC")
    (tmp_path / "mlflow.db").rename(tmp_path / "moved.db")
    assert every_page(indexed, 100, tags={"team": "ads"}, order_by="name ASC") == expected


def names(registry: MlflowRegistry, **tags: str) -> list[str]:
    return [m.name for m in registry.search_models(tags, 100, None, "name ASC").models]


def test_writes_through_maestro_show_at_once(indexed: MlflowRegistry, tmp_path: Path):
    indexed.set_model_tag("model-01", "team", "vision")
    assert names(indexed, team="vision") == ["model-01"]
    indexed.delete_model_tag("model-01", "team")
    assert names(indexed, team="vision") == []
    indexed.update_model_description("model-02", "now described")
    indexed.set_alias("model-04", "champion", "1")
    listed = {m.name: m for m in indexed.search_models({}, 100, None, "name ASC").models}
    assert listed["model-02"].description == "now described"
    assert listed["model-04"].aliases == {"champion": "1"}
    indexed.delete_alias("model-04", "champion")
    assert indexed.search_models({}, 100, None, "name ASC").models[4].aliases == {}


def test_direct_mlflow_writes_show_within_the_stated_bounds(
    indexed: MlflowRegistry, plain: MlflowRegistry, tracking_uri: str, tmp_path: Path
):
    """A model made or given a version in MLflow moves its timestamp: the next catch-up reads it. A tag set or a
    model deleted there moves none: the next full read does."""
    index = indexed.model_index
    assert index is not None
    mlflow = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    mlflow.create_registered_model("made-in-mlflow", tags={"team": "ads"})
    mlflow.create_model_version("model-05", str(tmp_path / "model"))
    assert index.catch_up() >= 2
    assert "made-in-mlflow" in names(indexed, team="ads")
    listed = {m.name: m for m in indexed.search_models({}, 100, None, "name ASC").models}
    assert listed["model-05"].latest_version == "3"

    mlflow.set_registered_model_tag("model-06", "team", "vision")
    mlflow.delete_registered_model("model-09")
    index.sweep()
    assert names(indexed, team="vision") == ["model-06"]
    assert "model-09" not in names(indexed)
    assert every_page(indexed, 100, order_by="name ASC") == every_page(plain, 100, order_by="name ASC")


def test_a_full_read_keeps_what_a_write_re_read_meanwhile(tracking_uri: str, tmp_path: Path):
    """A write through Maestro while a full read is under way: the read saw the model before the write, and must not
    put that back over what the write re-read."""
    registry = team_services(tracking_uri, tmp_path / "service").mlflow
    index = registry.model_index
    assert index is not None
    index.sweep()

    class WriteMidway:
        """The registry, with alice's tag write landing between the full read's page and its merge."""

        def __init__(self) -> None:
            self.pages = 0

        def search_mlflow_models(self, *args: Any) -> Any:
            page = registry.search_mlflow_models(*args)
            self.pages += 1
            if self.pages == 1:
                registry.set_model_tag("model-08", "team", "late")
            return page

        def get_model_summary(self, name: str) -> Any:
            return registry.get_model_summary(name)

    index.source = WriteMidway()
    index.sweep()
    assert names(registry, team="late") == ["model-08"]


def test_the_service_reads_its_index_in_the_background(tracking_uri: str, tmp_path: Path):
    services = team_services(tracking_uri, tmp_path / "service")
    index = services.mlflow.model_index
    assert index is not None
    assert not index.ready  # until read, MLflow answers
    assert len(names(services.mlflow, team="ads")) == 13
    index.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not index.ready:
            assert time.monotonic() < deadline, "the index was not read"
            time.sleep(0.05)
        assert len(names(services.mlflow, team="ads")) == 13
    finally:
        services.close()


def test_the_index_is_the_team_services_alone(tracking_uri: str, tmp_path: Path):
    env = {"MAESTRO_TEAM": "1", "MAESTRO_MODEL_INDEX_SWEEP": "0"}
    off = Settings.from_env(env, home=str(tmp_path / "a"), tracking_uri=tracking_uri)
    assert Services(off).mlflow.model_index is None
    assert isinstance(team_services(tracking_uri, tmp_path / "b").mlflow.model_index, ModelIndex)
