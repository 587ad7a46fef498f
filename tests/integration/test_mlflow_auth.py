"""MLflow behind authentication: a real ``mlflow server --app-name basic-auth`` on 127.0.0.1 with the ini that
``write_auth_config`` writes, its backend store in SQLite (and in PostgreSQL, when the private cluster can run).

What must hold: members provisioned by the service log with plain ``mlflow`` under their own name and cannot touch
each other's experiments; a model registered through Maestro (by the MLflow admin) takes no alias from a member,
and one from the admin; credentials are checked and rotated."""

from __future__ import annotations

import base64
import configparser
import os
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

from maestro_jupyter import MaestroClient
from maestro_jupyter.backends.mlflow_auth import (
    MemberCredentials,
    MlflowAuthAdmin,
    auth_server_env,
    grant_model_read,
    model_permission,
    provision_member,
    secure_model,
    write_auth_config,
)
from maestro_jupyter.errors import InvalidParameter, PermissionDenied
from tests.live_server import spawn_logged, stop
from tests.prometheus_server import free_port

ADMIN = "maestro-svc"
# A "%" on purpose: MLflow reads the ini with configparser's interpolation, so the writer must escape it.
ADMIN_PASSWORD = "s3rvice-%pass-%(x)s-long"
STARTUP_TIMEOUT_S = 120.0

#: ``as_user(name, password)``: who plain ``mlflow`` in this process talks to the server as.
AsUser = Callable[[str, str], None]


@dataclass
class AuthServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def _status(url: str, auth: tuple[str, str] | None = None) -> tuple[int, Message]:
    """The status and the (case-insensitive) headers of a GET."""
    request = urllib.request.Request(url)  # noqa: S310 - our loopback server
    if auth is not None:
        request.add_header("Authorization", "Basic " + base64.b64encode(":".join(auth).encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers


def _start(workdir: Path, backend_uri: str, auth_db: str | Path) -> AuthServer:
    config = write_auth_config(workdir / "basic_auth.ini", auth_db, ADMIN, ADMIN_PASSWORD)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env.update(auth_server_env(config))
    cmd = [
        sys.executable, "-m", "mlflow", "server", "--app-name", "basic-auth",
        "--backend-store-uri", backend_uri,
        "--artifacts-destination", (workdir / "artifacts").as_uri(),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    log_path = workdir / "mlflow.log"
    server = AuthServer(f"http://127.0.0.1:{port}", spawn_logged(cmd, workdir, env, log_path), log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"mlflow server --app-name basic-auth exited:\n{server.log()}")
        try:
            if _status(f"{server.url}/health")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)  # polling for readiness, within the deadline
    stop(server.process)
    pytest.fail(f"mlflow server not ready in {STARTUP_TIMEOUT_S:.0f}s:\n{server.log()}")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthServer]:
    workdir = tmp_path_factory.mktemp(f"mlflow-auth-{request.param}")
    if request.param == "sqlite":
        backend, auth_db = f"sqlite:///{workdir / 'mlflow.db'}", workdir / "auth"
    else:
        postgres = request.getfixturevalue("postgres")  # skips, saying what to install, without PostgreSQL
        backend, auth_db = postgres.create_database(), postgres.create_database()
    srv = _start(workdir, backend, auth_db)
    yield srv
    stop(srv.process)


@pytest.fixture
def as_user(server: AuthServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[AsUser]:
    """``as_user(name, password)``: plain ``mlflow`` in this process now talks to the server as that user, as a
    member's kernel does with the variables the service put in its environment."""
    import mlflow.tracking._tracking_service.utils as tracking_utils
    from mlflow.tracking import fluent

    monkeypatch.setattr(tracking_utils, "_tracking_uri", None)  # the variable decides, as in a fresh kernel
    monkeypatch.setattr(fluent, "_active_experiment_id", None)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_ID", "")  # restored (to absent) after the test: set_experiment sets it
    monkeypatch.delenv("MLFLOW_EXPERIMENT_ID")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)

    def switch(username: str, password: str) -> None:
        monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", username)
        monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", password)

    yield switch
    if fluent.active_run() is not None:
        fluent.end_run()


def _member(server: AuthServer, name: str) -> MemberCredentials:
    return provision_member(server.url, ADMIN, ADMIN_PASSWORD, name)


def _refused(call: Callable[..., object], *args: object) -> None:
    """``call(*args)`` is refused by MLflow's authorization: HTTP 403, ``PERMISSION_DENIED``."""
    from mlflow.exceptions import MlflowException

    with pytest.raises(MlflowException) as refused:
        call(*args)
    status = refused.value.get_http_status_code()  # type: ignore[no-untyped-call]
    assert (refused.value.error_code, status) == ("PERMISSION_DENIED", 403), refused.value


def _register_through_maestro(server: AuthServer, as_user: AsUser, tmp_path: Path, name: str) -> str:
    """As the service does: the MLflow admin logs a model and registers it with ``MaestroClient`` (in-process
    services, MLflow over HTTP with the admin's credentials). Returns the version."""
    import mlflow
    from sklearn.linear_model import LogisticRegression

    as_user(ADMIN, ADMIN_PASSWORD)
    mlflow.set_experiment("maestro-training")
    with mlflow.start_run() as run:
        model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
        mlflow.sklearn.log_model(model, name="model", pip_requirements=["scikit-learn"])
    ml = MaestroClient(home=str(tmp_path / "maestro-home"), tracking_uri=server.url)
    return ml.models.register(run.info.run_id, name).version


# --- the server's ini ----------------------------------------------------------------------------------------------


def test_auth_config_reads_back_through_mlflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlflow.server.auth.config import read_auth_config

    path = write_auth_config(tmp_path / "conf" / "auth.ini", tmp_path / "authdb", ADMIN, ADMIN_PASSWORD)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds the admin password
    monkeypatch.setenv("MLFLOW_AUTH_CONFIG_PATH", str(path))
    monkeypatch.delenv("MLFLOW_AUTH_ADMIN_USERNAME", raising=False)
    monkeypatch.delenv("MLFLOW_AUTH_ADMIN_PASSWORD", raising=False)
    config = read_auth_config()
    assert config.default_permission == "READ"
    assert config.admin_username == ADMIN
    assert config.admin_password == ADMIN_PASSWORD  # "%" survived interpolation
    assert config.database_uri == f"sqlite:///{(tmp_path / 'authdb').resolve() / 'mlflow-auth.db'}"
    assert (tmp_path / "authdb").is_dir()

    pg = "postgresql+psycopg://mlflow:p%40ss@db.internal:5432/auth"
    write_auth_config(path, pg, ADMIN, ADMIN_PASSWORD, default_permission="NO_PERMISSIONS")
    config = read_auth_config()
    assert (config.database_uri, config.default_permission) == (pg, "NO_PERMISSIONS")


@pytest.mark.parametrize("permission", ["EDIT", "MANAGE", "USE", "read"])
def test_auth_config_refuses_a_default_that_could_move_aliases(tmp_path: Path, permission: str) -> None:
    with pytest.raises(InvalidParameter, match="default_permission"):
        write_auth_config(tmp_path / "auth.ini", tmp_path, ADMIN, ADMIN_PASSWORD, default_permission=permission)
    assert not (tmp_path / "auth.ini").exists()


def test_auth_config_refuses_what_the_ini_cannot_carry(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameter, match="12 characters"):
        write_auth_config(tmp_path / "a.ini", tmp_path, ADMIN, "short")
    with pytest.raises(InvalidParameter, match="line breaks"):
        write_auth_config(tmp_path / "a.ini", tmp_path, ADMIN, "long-enough-pass\nx = y")
    parser = configparser.ConfigParser()
    assert not parser.read(tmp_path / "a.ini")


# --- members log as themselves -------------------------------------------------------------------------------------


@pytest.mark.parametrize("server", ["sqlite"], indirect=True)  # the store-independent parts: SQLite only, for time
def test_member_logs_runs_under_their_own_name(server: AuthServer, as_user: AsUser) -> None:
    import mlflow
    from mlflow import MlflowClient

    alice, bob = _member(server, "alice"), _member(server, "bob")
    assert alice.env() == {"MLFLOW_TRACKING_USERNAME": "alice", "MLFLOW_TRACKING_PASSWORD": alice.password}
    assert alice.password not in repr(alice)

    as_user(*alice.env().values())
    experiment = mlflow.set_experiment("alice-churn")
    with mlflow.start_run() as run:
        mlflow.log_param("depth", 3)
        mlflow.log_metric("auc", 0.91)
    logged = MlflowClient().get_run(run.info.run_id)
    assert logged.info.user_id == "alice"
    assert logged.data.tags["mlflow.user"] == "alice"
    assert logged.data.metrics == {"auc": 0.91}

    as_user(*bob.env().values())
    assert MlflowClient().get_run(run.info.run_id).info.user_id == "alice"  # the team reads each other's work
    _refused(MlflowClient().log_metric, run.info.run_id, "auc", 0.99)
    _refused(MlflowClient().set_experiment_tag, experiment.experiment_id, "owner", "bob")
    _refused(MlflowClient().create_run, experiment.experiment_id)
    _refused(MlflowClient().create_run, "0")  # the shared Default experiment is read-only for members
    # Bob's own experiment works the same way for him.
    with mlflow.start_run(experiment_id=mlflow.set_experiment("bob-churn").experiment_id) as bob_run:
        mlflow.log_metric("auc", 0.5)
    assert MlflowClient().get_run(bob_run.info.run_id).info.user_id == "bob"
    assert MlflowClient().get_run(run.info.run_id).data.metrics == {"auc": 0.91}


# --- the gate: aliases on models registered through Maestro ----------------------------------------------------------


def test_member_cannot_alias_a_maestro_model_but_the_service_can(
    server: AuthServer, as_user: AsUser, tmp_path: Path
) -> None:
    from mlflow import MlflowClient

    alice = _member(server, "alice")
    name = f"fraud-detector-{tmp_path.name}"
    version = _register_through_maestro(server, as_user, tmp_path, name)
    grant_model_read(server.url, ADMIN, ADMIN_PASSWORD, name, "alice")
    grant_model_read(server.url, ADMIN, ADMIN_PASSWORD, name, "alice")  # again: replaces, does not fail
    assert model_permission(server.url, ADMIN, ADMIN_PASSWORD, name, "alice") == "READ"

    as_user(*alice.env().values())
    client = MlflowClient()
    assert client.get_model_version(name, version).version == version  # she sees it
    for alias in ("champion", "production", "staging"):
        _refused(client.set_registered_model_alias, name, alias, version)
    _refused(client.create_model_version, name, f"models:/{name}/{version}")
    _refused(client.set_model_version_tag, name, version, "maestro.tests", "passed")

    as_user(ADMIN, ADMIN_PASSWORD)
    MlflowClient().set_registered_model_alias(name, "champion", version)
    as_user(*alice.env().values())
    assert MlflowClient().get_model_version_by_alias(name, "champion").version == version
    _refused(MlflowClient().delete_registered_model_alias, name, "champion")
    assert MlflowClient().get_model_version_by_alias(name, "champion").version == version


@pytest.mark.parametrize("server", ["sqlite"], indirect=True)  # the store-independent parts: SQLite only, for time
def test_a_model_a_member_created_first_is_taken_over(server: AuthServer, as_user: AsUser, tmp_path: Path) -> None:
    from mlflow import MlflowClient
    from mlflow.server.auth.client import AuthServiceClient

    alice, bob = _member(server, "alice"), _member(server, "bob")
    name = f"squatted-{tmp_path.name}"
    as_user(*alice.env().values())
    MlflowClient().create_registered_model(name)  # before Maestro registers under that name
    AuthServiceClient(server.url).grant_user_permission("bob", "registered_model", name, "EDIT")
    assert model_permission(server.url, ADMIN, ADMIN_PASSWORD, name, "alice") == "MANAGE"
    assert model_permission(server.url, ADMIN, ADMIN_PASSWORD, name, "bob") == "EDIT"

    version = _register_through_maestro(server, as_user, tmp_path, name)  # Maestro adds to the existing model
    assert secure_model(server.url, ADMIN, ADMIN_PASSWORD, name) == ["alice", "bob"]
    assert secure_model(server.url, ADMIN, ADMIN_PASSWORD, name) == []  # nothing left to lower
    for member in (alice, bob):
        assert model_permission(server.url, ADMIN, ADMIN_PASSWORD, name, member.username) == "READ"
        as_user(*member.env().values())
        _refused(MlflowClient().set_registered_model_alias, name, "champion", version)
    as_user(*alice.env().values())
    # Nor can she hand herself MANAGE back.
    _refused(AuthServiceClient(server.url).grant_user_permission, "alice", "registered_model", name, "MANAGE")
    as_user(ADMIN, ADMIN_PASSWORD)
    MlflowClient().set_registered_model_alias(name, "champion", version)


@pytest.mark.parametrize("server", ["sqlite"], indirect=True)
def test_a_deployments_serving_account_loads_models_and_changes_nothing(
    server: AuthServer, as_user: AsUser, tmp_path: Path
) -> None:
    """What a cluster's model server gets: an account of the deployment's own that reads what any member may, and
    no more; renewed at each launch, deleted with the deployment, and no obstacle to securing a model."""
    import mlflow.pyfunc
    from mlflow import MlflowClient

    name = f"served-{tmp_path.name}"
    version = _register_through_maestro(server, as_user, tmp_path, name)
    admin = MlflowAuthAdmin(server.url, ADMIN, ADMIN_PASSWORD)
    serving = admin.serving_account("churn-champion")
    assert serving.username == "_serving-churn-champion"
    as_user(*serving.env().values())
    assert mlflow.pyfunc.load_model(f"models:/{name}/{version}").predict([[0.0], [3.0]]).tolist() == [0, 1]
    _refused(MlflowClient().set_registered_model_alias, name, "champion", version)
    _refused(MlflowClient().set_model_version_tag, name, version, "maestro.tests.verdict", "passed")

    assert secure_model(server.url, ADMIN, ADMIN_PASSWORD, name) == []  # it holds no grant to lower
    search = f"{server.url}/api/2.0/mlflow/experiments/search?max_results=1"
    renewed = admin.serving_account("churn-champion")
    assert _status(search, (serving.username, serving.password))[0] == 401  # the last launch's password is gone
    assert _status(search, (renewed.username, renewed.password))[0] == 200
    admin.remove_serving_account("churn-champion")
    admin.remove_serving_account("churn-champion")  # gone already: fine
    assert _status(search, (renewed.username, renewed.password))[0] == 401
    with pytest.raises(InvalidParameter, match="Not a deployment id"):
        admin.serving_account("../admin")


# --- credentials ---------------------------------------------------------------------------------------------------


def test_credentials_are_checked_and_rotated(server: AuthServer) -> None:
    search = f"{server.url}/api/2.0/mlflow/experiments/search?max_results=1"
    carol = _member(server, "carol")
    assert _status(search, ("carol", carol.password))[0] == 200
    assert _status(search, ("carol", carol.password + "x"))[0] == 401
    status, headers = _status(search)
    assert status == 401
    assert headers.get("WWW-Authenticate", "").startswith("Basic")  # the browser asks: the UI's login
    assert _status(f"{server.url}/", ("carol", carol.password))[0] == 200  # and the UI then opens

    again = _member(server, "carol")
    assert again.username == "carol"
    assert again.password != carol.password
    assert len(again.password) >= 32
    assert _status(search, ("carol", carol.password))[0] == 401  # the old password is gone
    assert _status(search, ("carol", again.password))[0] == 200


def test_provisioning_refuses_admins_and_bad_names(server: AuthServer) -> None:
    from mlflow.server.auth.client import AuthServiceClient

    search = f"{server.url}/api/2.0/mlflow/experiments/search?max_results=1"
    with pytest.raises(PermissionDenied, match="admin"):
        _member(server, ADMIN)
    assert _status(search, (ADMIN, ADMIN_PASSWORD))[0] == 200  # untouched

    # Another MLflow admin (made by hand): provisioning a member of that name would hand out admin rights.
    with pytest.MonkeyPatch.context() as mp:  # AuthServiceClient takes its credentials from the environment
        mp.setenv("MLFLOW_TRACKING_USERNAME", ADMIN)
        mp.setenv("MLFLOW_TRACKING_PASSWORD", ADMIN_PASSWORD)
        admins = AuthServiceClient(server.url)
        admins.create_user("ops", "ops-original-password")
        admins.update_user_admin("ops", True)
    with pytest.raises(PermissionDenied, match="admin"):
        _member(server, "ops")
    assert _status(search, ("ops", "ops-original-password"))[0] == 200

    for bad in ("Alice", "../x", "", "a" * 40, "9lives", "al ice"):
        with pytest.raises(InvalidParameter):
            _member(server, bad)
    with pytest.raises(PermissionDenied, match="MLFLOW_TRACKING_PASSWORD"):
        provision_member(server.url, ADMIN, "wrong-password-123", "dave")
    carol = _member(server, "carol")
    with pytest.raises(PermissionDenied, match="needs an MLflow admin"):  # a member is no admin
        provision_member(server.url, "carol", carol.password, "dave")


def test_the_service_provisions_the_callers_own_account_and_only_behind_a_login(server: AuthServer) -> None:
    from maestro_jupyter.contract.access import ProvisionMlflowAccount
    from maestro_jupyter.contract.base import Actor
    from maestro_jupyter.errors import Conflict
    from maestro_jupyter.services.access import AccessService
    from maestro_jupyter.settings import Settings

    settings = Settings.from_env({}, tracking_uri=server.url)
    access = AccessService(settings, mlflow_admin=lambda: MlflowAuthAdmin(server.url, ADMIN, ADMIN_PASSWORD))
    erin = Actor("erin", admin=False, projects=("churn",), default_project="churn")
    account = access.provision_mlflow_account(ProvisionMlflowAccount(), erin)
    assert (account.username, account.tracking_uri) == ("erin", server.url)
    assert account.password not in repr(account)
    search = f"{server.url}/api/2.0/mlflow/experiments/search?max_results=1"
    assert _status(search, auth=(account.username, account.password))[0] == 200
    # The request names no one: asking for another member's account is refused before anything is made.
    with pytest.raises(InvalidParameter):
        ProvisionMlflowAccount.build(username="alice")
    # The MLflow admin of the service is not a member: its password is never handed out.
    with pytest.raises(PermissionDenied):
        access.provision_mlflow_account(ProvisionMlflowAccount(), Actor(ADMIN, admin=True, projects=()))
    # Without MLflow's login (a laptop's MLflow) there is no account to give.
    laptop = AccessService(settings, mlflow_admin=lambda: None)
    with pytest.raises(Conflict, match="no login"):
        laptop.provision_mlflow_account(ProvisionMlflowAccount(), erin)
