"""The table of operations a wire names (``operations/{Name}``), which of them change something, and the settings
and client wiring of the HTTP transport (``MAESTRO_URL``)."""

from __future__ import annotations

import pytest

from maestro_jupyter.contract.base import READ_VERBS, Request
from maestro_jupyter.contract.operations import operations
from maestro_jupyter.errors import InvalidParameter
from maestro_jupyter.settings import Settings
from tests.unit.test_contract import request_models
from tests.unit.test_lazy_imports import heavy_modules_after

#: Every operation that may change something: rate-limited, needs write permission, never sent twice.
CHANGES = {
    "ApproveCard",
    "CancelJob",
    "CreateDeployment",
    "DeleteAlias",
    "DeleteBudget",
    "DeleteDeployment",
    "DeleteTag",
    "GenerateCard",  # saves the rendered card with the version unless save=False
    "ProvisionMlflowAccount",  # a new password for the caller's MLflow account
    "RegisterModel",
    "ReopenCard",
    "RunModelTests",  # records the report unless record=False
    "SaveFeatureService",  # applies a feature service to the Feast registry
    "SetAlias",
    "SetBudget",
    "SetTag",
    "SettleUsage",
    "SubmitJob",
    "UpdateCard",
    "UpdateDeployment",
    "UpdateDescription",
}


def test_the_table_is_every_request_model_by_its_name():
    table = operations()
    assert table == {model.__name__: model for model in request_models()}
    assert list(table) == sorted(table)
    assert operations() is table  # built once
    assert "DataRequest" not in table  # a base of operations is none itself
    assert "CardRequest" not in table


def test_exactly_the_operations_that_change_something_say_so():
    assert {name for name, model in operations().items() if model.changes} == CHANGES
    for name, model in operations().items():
        assert model.changes == (not name.startswith(READ_VERBS)), name


def test_a_request_model_may_say_otherwise_than_its_name():
    class GetAndStamp(Request):
        operation = "x.get_and_stamp"
        changes = True

    class ListThings(Request):
        operation = "x.list"

    class Recount(ListThings):
        pass

    assert (GetAndStamp.changes, ListThings.changes, Recount.changes) == (True, False, True)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("http://hub:8081/services/maestro/", "http://hub:8081/services/maestro"), ("https://m.example.org", None)],
)
def test_the_url_setting_keeps_an_http_url_without_its_trailing_slash(given, expected):
    assert Settings.from_env({"MAESTRO_URL": given}).url == (expected or given)
    assert Settings.from_env({}).url is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MAESTRO_URL": "hub:8081"}, "MAESTRO_URL must be an http"),
        ({"MAESTRO_URL": "http://"}, "MAESTRO_URL must be an http"),
        ({"MAESTRO_HTTP_TIMEOUT": "0"}, "MAESTRO_HTTP_TIMEOUT must be a number of seconds above 0"),
        ({"MAESTRO_HTTP_TIMEOUT": "nan"}, "MAESTRO_HTTP_TIMEOUT must be a number of seconds above 0"),
        ({"MAESTRO_HTTP_RETRIES": "-1"}, "MAESTRO_HTTP_RETRIES must be a whole number from 0 to 10"),
        ({"MAESTRO_HTTP_RETRIES": "two"}, "MAESTRO_HTTP_RETRIES must be a number"),
    ],
)
def test_bad_transport_settings_are_refused_naming_the_variable(env, message):
    with pytest.raises(InvalidParameter, match=message):
        Settings.from_env(env)


def test_the_transport_settings_default_to_bounded_waits():
    settings = Settings.from_env({})
    assert (settings.http_timeout, settings.http_retries) == (30.0, 2)


def test_a_client_with_a_url_talks_http_and_opens_no_services(tmp_path, monkeypatch):
    monkeypatch.setenv("MAESTRO_HOME", str(tmp_path / "never"))
    monkeypatch.setenv("MAESTRO_URL", "http://127.0.0.1:9")
    body = (
        "from maestro_jupyter import MaestroClient\n"
        "ml = MaestroClient()\n"
        "assert type(ml._transport).__name__ == 'HttpTransport', ml._transport\n"
        "assert repr(ml) == \"MaestroClient(url='http://127.0.0.1:9')\", repr(ml)\n"
        "assert 'maestro_jupyter.services' not in sys.modules\n"
    )
    assert heavy_modules_after(body) == []
    assert not (tmp_path / "never").exists()


def test_every_field_that_names_a_file_on_the_server_is_confined_by_the_operations_endpoint():
    from maestro_jupyter.server.handlers.operations import ROOT_FILES

    named = {
        field
        for model in operations().values()
        for field in model.model_fields
        if field.endswith("path") or field in ("script", "workdir")
    }
    # script and workdir are SubmitJob's, which the endpoint reads and places under the root itself;
    # artifact_path is a path inside a run's artifacts, not on the server.
    assert named == {*ROOT_FILES, "script", "workdir", "artifact_path"}
