"""MLflow behind authentication: members' MLflow accounts and what they may do in the registry (team mode).

On a team, the MLflow tracking server runs MLflow's own basic-auth app (``mlflow server --app-name basic-auth``,
which needs ``mlflow[auth]``, in this package's ``hub`` extra). The Maestro service holds the MLflow *admin*
credentials, in the standard ``MLFLOW_TRACKING_USERNAME`` / ``MLFLOW_TRACKING_PASSWORD`` (every MLflow client call it
makes, registering included, then runs as that admin). Members get accounts of their own from this module.

Set-up of the MLflow server (done once by whoever deploys it)::

    write_auth_config(path, db_uri, admin_user, admin_password)      # the auth app's ini, its own user database
    env = {**os.environ, **auth_server_env(path, secret_key)}         # MLFLOW_AUTH_CONFIG_PATH + the CSRF key
    mlflow server --app-name basic-auth --backend-store-uri ... --host ... --port ...

At each spawn of a member's server, the service calls :func:`provision_member`, which creates the member's MLflow
user if missing or else gives it a new random password, and puts the answer's :meth:`MemberCredentials.env` into the
member's server environment. Plain ``mlflow`` in the member's notebooks then runs as the member.

The permission mapping (checked against MLflow 3.17's ``mlflow/server/auth``)
---------------------------------------------------------------------------------
MLflow resolves a permission per experiment and per registered model: a user's grant on the resource, else the
server's ``default_permission``; a positive grant never resolves *below* the default
(``requirements.floor_positive_permission``), and admins pass every check. What the operations need
(``BEFORE_REQUEST_HANDLERS`` in ``mlflow/server/auth/__init__.py``):

====================================  ============================================================================
operation                             requires
====================================  ============================================================================
CreateExperiment, CreateRegistered-   nothing but not being denied (workspaces off); the creator is then granted
Model                                 MANAGE on what they created (``set_can_manage_*_permission``)
CreateRun, LogMetric/Param/Batch      *update* (EDIT or MANAGE) on the run's experiment
CreateModelVersion                    *update* on the registered model (``_authorize_create_version``)
SetRegisteredModelAlias               *update* on the model, and *read* on its versions
                                      (``validate_can_set_model_or_prompt_version_alias``)
DeleteRegisteredModelAlias            *delete* (MANAGE) on the model, and *read* on its versions
UpdateModelVersion, set tags, ...     *update* on the model
====================================  ============================================================================

So, with ``default_permission = READ`` (what :func:`write_auth_config` writes; EDIT or MANAGE are refused there,
since with them every member could move any alias):

- members read every experiment, run, model and artifact (a team shares its work), and the MLflow UI shows it all;
- a member creates experiments and gets MANAGE on them: their runs log there, recording their MLflow user
  (``mlflow.user``, which the MLflow client takes from ``MLFLOW_TRACKING_USERNAME``), and other members can only
  read them. The shared ``Default`` experiment stays read-only for members: notebooks name an experiment
  (``mlflow.set_experiment(...)``, or ``MLFLOW_EXPERIMENT_NAME`` in the member's environment, which MLflow creates
  on first use);
- models registered through Maestro are created by the service's admin user, so no member holds a grant on them
  and they resolve to READ: setting or deleting an alias (``champion``, ``production``, any other), adding a version,
  tagging or deleting is refused by MLflow itself (HTTP 403, ``PERMISSION_DENIED``). The only way to a gated alias is
  the Maestro service and its gate. :func:`grant_model_read` records READ for a member explicitly (it also lowers a
  higher grant they held), and :func:`secure_model` lowers every member's grant on a model to READ: the service
  calls it after registering, because a member may have created a model of that name first (MLflow made them its
  MANAGE-holder, and Maestro's register adds a version to an existing model).

A model a member registers with plain ``mlflow`` is theirs (MANAGE): they may alias it as they like, and Maestro's
gate does not cover it until the service takes it over with :func:`secure_model`.

The MLflow UI
-------------
The UI is the same server, behind the same login: the browser asks for a user name and password (HTTP basic auth)
and the UI then shows and allows exactly what MLflow allows that user (an alias change on a Maestro model fails
there too). A member signs in with the credentials their server was given (``%env MLFLOW_TRACKING_PASSWORD`` in a
notebook shows it); they change at each spawn of the member's server, as :func:`provision_member` rotates them.
Only admins may create users (``/signup`` included).

All HTTP goes through the standard library (``urllib``), with bounded timeouts and no redirects followed (the admin
credentials are never sent anywhere but the tracking URI).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from ..errors import BackendUnavailable, Conflict, InvalidParameter, NotFound, PermissionDenied, first_line

#: Hub user names, and so the MLflow user names of members.
MEMBER_NAME = re.compile(r"^[a-z][a-z0-9._-]{0,38}$")
#: What ``default_permission`` may be: anything that includes *update* would let every member set any alias.
SAFE_DEFAULT_PERMISSIONS = ("READ", "NO_PERMISSIONS")
#: Permissions MLflow accepts on a registered model.
MODEL_PERMISSIONS = ("READ", "USE", "EDIT", "MANAGE")
#: MLflow refuses passwords shorter than this (``mlflow.utils.validation._validate_password``).
MIN_PASSWORD_LENGTH = 12
DEFAULT_TIMEOUT_S = 30.0

_USERS = "/api/2.0/mlflow/users"
_GRANTS = "/api/3.0/mlflow/users/permissions"  # MLflow's unified grant API
_EXPERIMENTS = "/api/2.0/mlflow/experiments"
_ABOVE_READ = ("USE", "EDIT", "MANAGE")
#: What a job's run needs of its experiment: MLflow's *update*.
CAN_LOG = ("EDIT", "MANAGE")


@dataclass(frozen=True)
class _Resource:
    """A kind of resource MLflow grants permissions on: its name in the unified grant API, and in the API before it
    (removed in its favour)."""

    resource_type: str
    label: str
    legacy_path: str
    legacy_key: str


_MODEL = _Resource("registered_model", "model", "/api/2.0/mlflow/registered-models/permissions", "name")
_EXPERIMENT = _Resource("experiment", "experiment", "/api/2.0/mlflow/experiments/permissions", "experiment_id")


@dataclass(frozen=True)
class MemberCredentials:
    """A member's MLflow account: what their server's environment gets (never logged: the password is hidden)."""

    username: str
    password: str = field(repr=False)

    def env(self) -> dict[str, str]:
        """The standard variables every MLflow client reads."""
        return {"MLFLOW_TRACKING_USERNAME": self.username, "MLFLOW_TRACKING_PASSWORD": self.password}


def _serving_name(deployment_id: str) -> str:
    """The MLflow account of a deployment's model servers (deployment ids are DNS labels)."""
    if not re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", deployment_id or ""):
        raise InvalidParameter(f"Not a deployment id: {deployment_id!r}")
    return f"_serving-{deployment_id}"


def validate_member_name(name: str) -> str:
    """``name`` if it is a hub user name (``^[a-z][a-z0-9._-]{0,38}$``), else :class:`InvalidParameter`."""
    if not isinstance(name, str) or not MEMBER_NAME.fullmatch(name):
        raise InvalidParameter(f"Not a member name: {name!r} (expected {MEMBER_NAME.pattern})")
    return name


def team_mlflow_admin(tracking_uri: str, environ: Mapping[str, str] | None = None) -> MlflowAuthAdmin | None:
    """The service's MLflow admin on a team's MLflow behind its login (an http(s) tracking URI and the admin's
    credentials in the environment); ``None`` for an MLflow without one."""
    env = os.environ if environ is None else environ
    if urlsplit(tracking_uri or "").scheme not in ("http", "https") or not env.get("MLFLOW_TRACKING_PASSWORD"):
        return None
    return MlflowAuthAdmin(tracking_uri, *admin_credentials_from_env(env))


def admin_credentials_from_env(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The MLflow admin's user name and password from ``MLFLOW_TRACKING_USERNAME`` / ``MLFLOW_TRACKING_PASSWORD``."""
    env = os.environ if environ is None else environ
    user, password = env.get("MLFLOW_TRACKING_USERNAME", ""), env.get("MLFLOW_TRACKING_PASSWORD", "")
    if not user or not password:
        raise InvalidParameter(
            "The MLflow admin credentials are not set: give the Maestro service MLFLOW_TRACKING_USERNAME and "
            "MLFLOW_TRACKING_PASSWORD (the admin of the basic-auth MLflow server)"
        )
    return user, password


# --- the server's configuration ------------------------------------------------------------------------------------


def write_auth_config(
    path: str | Path,
    db_uri: str | Path,
    admin_user: str,
    admin_password: str,
    default_permission: str = "READ",
) -> Path:
    """Write the basic-auth app's ini (point ``MLFLOW_AUTH_CONFIG_PATH`` at it, see :func:`auth_server_env`).

    ``db_uri`` is the auth app's own user database: a SQLAlchemy URL (PostgreSQL on a team, e.g.
    ``postgresql+psycopg://...``), or a folder, which gets a SQLite file ``mlflow-auth.db``. The admin is created
    with ``admin_password`` the first time the app starts on an empty database (later, the update-password API
    changes it). The file holds that password, so it is written readable by its owner only. Returns the path."""
    if default_permission not in SAFE_DEFAULT_PERMISSIONS:
        raise InvalidParameter(
            f"default_permission must be one of {', '.join(SAFE_DEFAULT_PERMISSIONS)}, not {default_permission!r}: "
            "with a permission that can update, every member could set aliases on the models Maestro registers"
        )
    if not isinstance(admin_user, str) or not admin_user or admin_user != admin_user.strip():
        raise InvalidParameter(f"Bad MLflow admin user name: {admin_user!r}")
    if not isinstance(admin_password, str) or len(admin_password) < MIN_PASSWORD_LENGTH:
        raise InvalidParameter(f"The MLflow admin password must have at least {MIN_PASSWORD_LENGTH} characters")
    folder = Path(db_uri).expanduser().resolve() if isinstance(db_uri, Path) or "://" not in db_uri else None
    database_uri = str(db_uri) if folder is None else f"sqlite:///{folder / 'mlflow-auth.db'}"
    values = {
        "default_permission": default_permission,
        "database_uri": database_uri,
        "admin_username": admin_user,
        "admin_password": admin_password,
    }
    lines = ["[mlflow]"]
    for key, value in values.items():
        # MLflow reads the file with configparser's default interpolation ("%" starts a reference) and strips
        # values: escape "%", and refuse what one line cannot carry as it is.
        if "\n" in value or "\r" in value or value != value.strip():
            raise InvalidParameter(f"{key} cannot have line breaks or leading or trailing spaces")
        lines.append(f"{key} = {value.replace('%', '%%')}")
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT: narrow it before the password goes in
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return target


def auth_server_env(config_path: str | Path, secret_key: str | None = None) -> dict[str, str]:
    """The variables ``mlflow server --app-name basic-auth`` needs on top of the usual: the ini, and the static
    Flask secret key of its CSRF protection (one per deployment, the same for every worker; a random one when
    ``None``, fine for a single server process)."""
    return {
        "MLFLOW_AUTH_CONFIG_PATH": str(Path(config_path).resolve()),
        "MLFLOW_FLASK_SERVER_SECRET_KEY": secret_key or secrets.token_urlsafe(32),
    }


# --- the admin's calls ---------------------------------------------------------------------------------------------


class _MlflowError(Exception):
    """An MLflow error answer, before it becomes the right :class:`MaestroError`."""

    def __init__(self, status: int, code: str | None, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class MlflowAuthAdmin:
    """The admin side of MLflow's auth REST API, as the Maestro service uses it (the functions below wrap it)."""

    def __init__(
        self, tracking_uri: str, admin_user: str, admin_password: str, *, timeout: float = DEFAULT_TIMEOUT_S
    ) -> None:
        parts = urlsplit(tracking_uri or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidParameter(f"MLflow authentication needs an http(s) tracking server, not {tracking_uri!r}")
        if not admin_user or not admin_password:
            raise InvalidParameter("The MLflow admin user name and password are both needed")
        self.base = tracking_uri.rstrip("/")
        self.admin_user = admin_user
        self._where = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path.rstrip('/')}"
        token = base64.b64encode(f"{admin_user}:{admin_password}".encode()).decode("ascii")
        self._authorization = f"Basic {token}"
        self.timeout = timeout
        self._legacy_grants: bool | None = None  # learnt on first use

    # HTTP

    def _call(self, method: str, path: str, *, params: Mapping[str, str] | None = None, body: Any = None) -> Any:
        import urllib.request

        from .plain_http import exchange

        url = self.base + path + (f"?{urlencode(params)}" if params else "")
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (scheme checked)
        request.add_header("Authorization", self._authorization)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        status, raw = exchange(request, self.timeout, f"The MLflow server at {self._where} cannot be reached")
        try:
            answer = json.loads(raw) if raw else {}
        except ValueError:
            answer = None
        if 200 <= status < 300:
            return answer if isinstance(answer, dict) else {}
        if status == 401:
            raise PermissionDenied(
                f"The MLflow server at {self._where} refused the admin credentials of {self.admin_user!r} (HTTP 401): "
                "check MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD of the Maestro service"
            )
        if status == 403:
            raise PermissionDenied(
                f"The MLflow user {self.admin_user!r} may not {method} {path} on {self._where} (HTTP 403): "
                "the Maestro service needs an MLflow admin"
            )
        if isinstance(answer, dict) and "error_code" in answer:
            raise _MlflowError(status, str(answer["error_code"]), str(answer.get("message", "")))
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise _MlflowError(status, None, first_line(text) or f"HTTP {status}")

    def _fail(self, what: str, exc: _MlflowError) -> Exception:
        message = f"{what}: {first_line(exc.message)}"
        if exc.code == "RESOURCE_DOES_NOT_EXIST":
            return NotFound(message)
        if exc.code == "RESOURCE_ALREADY_EXISTS":
            return Conflict(message)
        if exc.status == 400 or exc.code == "INVALID_PARAMETER_VALUE":
            return InvalidParameter(message)
        if exc.code is None and exc.status == 404:
            return BackendUnavailable(
                f"{what}: the MLflow server at {self._where} has no such API (HTTP 404): is it a recent MLflow running "
                "`mlflow server --app-name basic-auth`?"
            )
        return BackendUnavailable(f"{what}: MLflow answered HTTP {exc.status}: {first_line(exc.message)}")

    # users

    def get_user(self, username: str) -> dict[str, Any] | None:
        """The user (``{"id", "username", "is_admin"}``), or ``None`` when there is none of that name."""
        try:
            answer = self._call("GET", f"{_USERS}/get", params={"username": username})
        except _MlflowError as exc:
            if exc.code == "RESOURCE_DOES_NOT_EXIST":
                return None
            raise self._fail(f"Looking up MLflow user {username!r}", exc) from None
        user = answer.get("user")
        if not isinstance(user, dict):
            raise BackendUnavailable(f"The MLflow server at {self._where} sent an unexpected user: {answer!r:.200}")
        return user

    def list_users(self) -> list[dict[str, Any]]:
        try:
            answer = self._call("GET", f"{_USERS}/list")
        except _MlflowError as exc:
            raise self._fail("Listing MLflow users", exc) from None
        users = answer.get("users")
        if not isinstance(users, list):
            raise BackendUnavailable(f"The MLflow server at {self._where} sent an unexpected user list")
        return [u for u in users if isinstance(u, dict)]

    def provision(self, member: str) -> MemberCredentials:
        """Create ``member``'s user with a new random password, or give the existing one a new password."""
        validate_member_name(member)
        if member == self.admin_user:
            raise PermissionDenied(f"{member!r} is the MLflow admin of the Maestro service, not a member")
        password = secrets.token_urlsafe(32)  # 256 bits
        if self.get_user(member) is None and self._create_user(member, password, f"Creating MLflow user {member!r}"):
            return MemberCredentials(member, password)
        user = self.get_user(member)  # it existed, or was created meanwhile
        if user is None or user.get("is_admin"):
            # Resetting an admin's password would hand a member the keys to every model and experiment.
            raise PermissionDenied(f"The MLflow user {member!r} is an MLflow admin: Maestro provisions members only")
        self._reset_password(member, password, f"Resetting the password of MLflow user {member!r}")
        return MemberCredentials(member, password)

    def serving_account(self, deployment_id: str) -> MemberCredentials:
        """An MLflow account of a deployment's own, for its model servers to load the model with: a new password on
        each call, no grant (so the server's default, READ: what any member may read anyway). Its name cannot be a
        hub user's (they start with a letter), so making it never touches a member's account."""
        name = _serving_name(deployment_id)
        password = secrets.token_urlsafe(32)
        what = f"the MLflow account of deployment {deployment_id!r}"
        if not self._create_user(name, password, f"Creating {what}"):
            self._reset_password(name, password, f"Renewing {what}")
        return MemberCredentials(name, password)

    def _create_user(self, name: str, password: str, what: str) -> bool:
        """Create user ``name``; ``False`` if one of that name exists already."""
        try:
            self._call("POST", f"{_USERS}/create", body={"username": name, "password": password})
        except _MlflowError as exc:
            if exc.code != "RESOURCE_ALREADY_EXISTS":
                raise self._fail(what, exc) from None
            return False
        return True

    def _reset_password(self, name: str, password: str, what: str) -> None:
        try:
            self._call("PATCH", f"{_USERS}/update-password", body={"username": name, "password": password})
        except _MlflowError as exc:
            raise self._fail(what, exc) from None

    def remove_serving_account(self, deployment_id: str) -> None:
        """Delete a stopped deployment's MLflow account (gone already is fine)."""
        try:
            self._call("DELETE", f"{_USERS}/delete", body={"username": _serving_name(deployment_id)})
        except _MlflowError as exc:
            if exc.code != "RESOURCE_DOES_NOT_EXIST":
                raise self._fail(f"Deleting the MLflow account of deployment {deployment_id!r}", exc) from None

    # grants on registered models

    def set_model_permission(self, model: str, member: str, permission: str) -> None:
        """Make ``member``'s own grant on registered model ``model`` exactly ``permission`` (replacing any other)."""
        self._set_permission(_MODEL, model, member, permission)

    def set_experiment_permission(self, experiment_id: str, member: str, permission: str) -> None:
        """Make ``member``'s own grant on experiment ``experiment_id`` exactly ``permission``."""
        self._set_permission(_EXPERIMENT, experiment_id, member, permission)

    def model_permission(self, model: str, member: str) -> str:
        """``member``'s effective permission on ``model`` as MLflow resolves it (grants, roles, the default)."""
        return self._permission(_MODEL, model, member)

    def experiment_permission(self, experiment_id: str, member: str) -> str:
        """``member``'s effective permission on experiment ``experiment_id``."""
        return self._permission(_EXPERIMENT, experiment_id, member)

    def _set_permission(self, kind: _Resource, resource_id: str, member: str, permission: str) -> None:
        validate_member_name(member)
        if permission not in MODEL_PERMISSIONS:
            raise InvalidParameter(f"Not a permission on {kind.label}: {permission!r} (one of {MODEL_PERMISSIONS})")
        what = f"Granting {permission} on {kind.label} {resource_id!r} to {member!r}"
        if self._legacy_grants is not True:
            grant = {"username": member, "resource_type": kind.resource_type, "resource_id": resource_id}
            try:
                self._grant(grant, permission)
                self._legacy_grants = False
                return
            except _MlflowError as exc:
                if exc.code is not None or exc.status != 404 or self._legacy_grants is False:
                    raise self._fail(what, exc) from None
                self._legacy_grants = True  # an MLflow from before the unified grant API
        body = {kind.legacy_key: resource_id, "username": member, "permission": permission}
        try:
            try:
                self._call("POST", f"{kind.legacy_path}/create", body=body)
            except _MlflowError as exc:
                if exc.code != "RESOURCE_ALREADY_EXISTS":
                    raise
                self._call("PATCH", f"{kind.legacy_path}/update", body=body)
        except _MlflowError as exc:
            raise self._fail(what, exc) from None

    def _grant(self, grant: dict[str, str], permission: str) -> None:
        try:
            self._call("POST", f"{_GRANTS}/grant", body={**grant, "permission": permission})
        except _MlflowError as exc:
            if exc.code != "RESOURCE_ALREADY_EXISTS":
                raise
            # One grant per (user, resource): replace it. In between, the member has the default (READ at most).
            try:
                self._call("POST", f"{_GRANTS}/revoke", body=grant)
            except _MlflowError as gone:
                if gone.code != "RESOURCE_DOES_NOT_EXIST":
                    raise
            self._call("POST", f"{_GRANTS}/grant", body={**grant, "permission": permission})

    def _permission(self, kind: _Resource, resource_id: str, member: str) -> str:
        params = {"username": member, "resource_type": kind.resource_type, "resource_id": resource_id}
        try:
            answer = self._call("GET", f"{_GRANTS}/get", params=params)
        except _MlflowError as exc:
            raise self._fail(f"Reading {member!r}'s permission on {kind.label} {resource_id!r}", exc) from None
        permission = answer.get("permission")
        if not isinstance(permission, str):
            raise BackendUnavailable(
                f"The MLflow server at {self._where} sent an unexpected permission: {answer!r:.200}"
            )
        return permission

    def member_experiment(self, name: str, member: str) -> str:
        """The id of experiment ``name``, where a job of ``member``'s logs its run with the member's own MLflow
        credentials: made for them (and theirs, MANAGE) when missing; :class:`PermissionDenied` when it is someone
        else's (MLflow would refuse the job's every metric)."""
        validate_member_name(member)
        try:
            answer = self._call("GET", f"{_EXPERIMENTS}/get-by-name", params={"experiment_name": name})
            experiment_id = str(answer.get("experiment", {}).get("experiment_id", ""))
        except _MlflowError as exc:
            if exc.code != "RESOURCE_DOES_NOT_EXIST":
                raise self._fail(f"Looking up experiment {name!r}", exc) from None
            experiment_id = ""
        if not experiment_id:
            try:
                experiment_id = str(self._call("POST", f"{_EXPERIMENTS}/create", body={"name": name})["experiment_id"])
            except _MlflowError as exc:
                raise self._fail(f"Creating experiment {name!r}", exc) from None
            except KeyError:
                raise BackendUnavailable(f"The MLflow server at {self._where} made no experiment {name!r}") from None
            self.set_experiment_permission(experiment_id, member, "MANAGE")
            return experiment_id
        permission = self.experiment_permission(experiment_id, member)
        if permission not in CAN_LOG:
            raise PermissionDenied(
                f"MLflow lets {member} only read experiment {name!r} ({permission}), so a job of theirs cannot log "
                f"there: name an experiment of theirs (the default is {member!r})"
            )
        return experiment_id

    def secure_model(self, model: str, members: Iterable[str] | None = None) -> list[str]:
        """Lower to READ every member's access to ``model`` above READ; returns who was lowered, sorted.

        ``members`` defaults to every non-admin MLflow user. Raises :class:`PermissionDenied` when someone still
        has more than READ afterwards (a role grant, which only an admin can make and only an admin can undo)."""
        if members is None:
            names = [str(u["username"]) for u in self.list_users() if not u.get("is_admin") and u.get("username")]
        else:
            names = [validate_member_name(m) for m in members]
        lowered = []
        for member in sorted(set(names) - {self.admin_user}):
            if self.model_permission(model, member) in _ABOVE_READ:
                self.set_model_permission(model, member, "READ")
                lowered.append(member)
                still = self.model_permission(model, member)
                if still in _ABOVE_READ:
                    raise PermissionDenied(
                        f"{member!r} still has {still} on model {model!r} through an MLflow role: an MLflow admin must "
                        "remove it before Maestro can gate this model"
                    )
        return lowered


# --- the functions the hub wiring calls ----------------------------------------------------------------------------


def provision_member(tracking_uri: str, admin_user: str, admin_password: str, member: str) -> MemberCredentials:
    """Fresh MLflow credentials for ``member``, for their server's environment at spawn.

    Creates the member's MLflow user (not an admin) with a strong random password, or, if it exists, gives it a
    new one: calling it again is safe, and the previous password stops working. Refuses a name that is not a hub
    user name, the service's admin, and any MLflow admin."""
    return MlflowAuthAdmin(tracking_uri, admin_user, admin_password).provision(member)


def grant_model_read(tracking_uri: str, admin_user: str, admin_password: str, model: str, member: str) -> None:
    """Give ``member`` READ on registered model ``model`` (replacing a grant they had): they see it and its
    versions, and MLflow refuses them any change, aliases included."""
    MlflowAuthAdmin(tracking_uri, admin_user, admin_password).set_model_permission(model, member, "READ")


def secure_model(
    tracking_uri: str, admin_user: str, admin_password: str, model: str, members: Iterable[str] | None = None
) -> list[str]:
    """Make ``model`` the service's alone: every member (``members``, or every non-admin MLflow user) who could
    change it is lowered to READ. Call it after registering a version through Maestro. Returns who was lowered."""
    return MlflowAuthAdmin(tracking_uri, admin_user, admin_password).secure_model(model, members)


def model_permission(tracking_uri: str, admin_user: str, admin_password: str, model: str, member: str) -> str:
    """``member``'s effective permission on ``model`` (``READ``, ``EDIT``, ``MANAGE``, ...), as MLflow decides it."""
    return MlflowAuthAdmin(tracking_uri, admin_user, admin_password).model_permission(model, member)
