"""A model search's ``%``, ``_``, backslash and quotes match themselves, on MLflow's SQL store over SQLite and over
PostgreSQL (which escape LIKE patterns differently: SQLite not at all, PostgreSQL with a backslash), through the SDK
and the REST API, with full pages that page on exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlflow import MlflowClient

from maestro_jupyter import MaestroClient
from maestro_jupyter.settings import Settings

NAMES = (
    "50%_off",
    "50xxoff",
    "5000-off",
    "a_b",
    "axb",
    "A_B-two",
    "back\\slash",
    "backxslash",
    'it\'s "quoted"',
    "its xquotedx",
    "plain",
)


@pytest.fixture(params=["sqlite", "postgresql"])
def tracking_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """MLflow's SQL store on a fresh SQLite file or a fresh database on the session's PostgreSQL, holding models
    named with the characters a LIKE pattern gives a meaning to, and near misses for each."""
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    else:
        uri = str(request.getfixturevalue("postgres").create_database())
    mlflow = MlflowClient(tracking_uri=uri, registry_uri=uri)
    for name in NAMES:
        mlflow.create_registered_model(name)
    return uri


@pytest.fixture
def ml(tracking_uri: str, tmp_path: Path) -> MaestroClient:
    return MaestroClient(Settings.from_env({}, home=str(tmp_path / "home"), tracking_uri=tracking_uri))


def names(page) -> list[str]:
    return [m.name for m in page.models]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("%", ["50%_off"]),
        ("_", ["50%_off", "A_B-two", "a_b"]),
        ("%_", ["50%_off"]),
        ("a_b", ["A_B-two", "a_b"]),  # case-insensitive still
        ("\\", ["back\\slash"]),
        ("k\\s", ["back\\slash"]),
        ("'s \"", ['it\'s "quoted"']),
        ("off", ["50%_off", "5000-off", "50xxoff"]),  # name order: "%" sorts before "0"
        ("50__off", []),
    ],
)
def test_search_characters_match_themselves(ml, search, expected):
    assert names(ml.models.list(search=search)) == expected


@pytest.mark.parametrize(("search", "size"), [("_", 1), ("_", 2), ("%", 1), ("s", 3), ("x", 2)])
def test_pages_of_a_search_are_full_and_page_on_exactly(ml, search, size):
    seen, token = [], None
    while True:
        page = ml.models.list(search=search, max_results=size, page_token=token)
        assert len(page.models) == size or page.next_page_token is None
        seen += names(page)
        token = page.next_page_token
        if token is None:
            break
    assert seen == names(ml.models.list(search=search))
    assert seen == sorted((n for n in NAMES if search.lower() in n.lower()), key=lambda n: n.encode())


@pytest.mark.parametrize("tracking_uri", ["sqlite"], indirect=True)
async def test_the_rest_search_is_literal_too(tracking_uri, api):
    status, body = await api("GET", "models", params={"search": "%"})
    assert status == 200, body
    assert [m["name"] for m in body["models"]] == ["50%_off"]
    status, body = await api("GET", "models", params={"search": "a_b"})
    assert [m["name"] for m in body["models"]] == ["A_B-two", "a_b"]


@pytest.fixture
def maestro_config(maestro_home: Path, tracking_uri: str) -> dict[str, str]:
    return {"home": str(maestro_home), "tracking_uri": tracking_uri}
