"""Deployments: serve a registered version behind ``POST deployments/{id}/predict``, scale it, roll it over to
another version, stop it.

A deployment (and an update to another version) goes through the promotion gate, as a gated alias does: only a
version whose latest tests passed is served, unless someone overrides with a reason (recorded in the audit trail).
``MAESTRO_GATE_DEPLOYMENTS=false`` turns that off. Readiness comes from the backend's health checks; a server-side
watcher keeps a starting deployment's record current, and any read refreshes it too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import naming
from ..contract.deployments import (
    CreateDeployment,
    DeleteDeployment,
    GetDeployment,
    ListDeployments,
    Predict,
    UpdateDeployment,
)
from ..entities import DEPLOYMENT_ACTIVE, Deployment, DeploymentList, Prediction, Resources
from ..errors import (
    BackendUnavailable,
    Conflict,
    InvalidParameter,
    MaestroError,
    NotFound,
    PermissionDenied,
    first_line,
)
from ..settings import Settings

if TYPE_CHECKING:
    from ..backends.compute.base import ComputeBackend, DeploymentLaunch, DeploymentUpdate, Handle
    from ..backends.mlflow_auth import MlflowAuthAdmin
    from ..backends.store import MaestroStore
    from ..contract.base import Actor
    from .costs import CostService
    from .entity_serving import EntityServing
    from .gate import PromotionGate
    from .registry import RegistryService

#: How long a deployment may take to answer its health check before it is reported failed.
READY_TIMEOUT_S = 120.0
PREDICT_TIMEOUT_S = 60.0
MAX_PREDICT_BYTES = 20_000_000
_SETTLED = ("ready", "failed", "stopped", "degraded")
_UNREADABLE = object()  # the registry could not say where an alias points


class DeploymentService:
    """Create, list, describe, scale, update, delete deployments, and proxy predictions to them."""

    def __init__(
        self,
        settings: Settings,
        store: Callable[[], MaestroStore],
        compute: Callable[[], ComputeBackend],
        registry: Callable[[], RegistryService],
        gate: Callable[[], PromotionGate],
        costs: Callable[[], CostService],
        mlflow_admin: Callable[[], MlflowAuthAdmin | None] = lambda: None,
        entity_serving: Callable[[], EntityServing] | None = None,
    ) -> None:
        self.settings = settings
        self._store, self._compute, self._registry, self._gate = store, compute, registry, gate
        self._costs = costs
        self._mlflow_admin = mlflow_admin
        self._entity_serving = entity_serving
        self._watchers: dict[str, threading.Thread] = {}
        self._watch_lock = threading.Lock()

    @property
    def store(self) -> MaestroStore:
        return self._store()

    # --- create ----------------------------------------------------------------------------------------------

    def create(self, request: CreateDeployment, actor: Actor) -> Deployment:
        """Serve the request's model at its ``version`` (or the version its ``alias`` names; default the newest) as
        deployment ``name`` (default ``<model>-<alias>`` or ``<model>-v<version>``), for ``actor``. Returns at once
        (status ``starting``); a watcher records when it is ready. It is charged to the request's project if it is
        one of the actor's (else their default project)."""
        project = actor.project_for(request.project)  # first: another's project is refused before anything is read
        model, alias, replicas = request.model, request.alias, request.replicas
        resources = Resources(cpus=request.cpus, memory=request.memory, gpus=request.gpus)
        self._compute().check_deployment(resources, replicas)  # e.g. a GPU this machine lacks: before anything
        resolved = self._registry().resolve_version(model, version=request.version, alias=alias)
        deployment_id = request.name or naming.dns_safe(
            f"{model}-{alias.lower() if alias else 'v' + resolved}", 63, "model"
        )
        user = actor.user
        self._free(deployment_id)
        self._gate_check(model, resolved, f"deploy as {deployment_id}", request.override_reason, actor)
        # A day of serving, against the budgets; over a hard limit nothing starts.
        estimate = self._costs().estimate("deployment", resources, replicas=replicas, user=user, project=project)
        self._costs().enforce(estimate)
        now = time.time()
        record = Deployment(
            id=deployment_id,
            model=model,
            version=resolved,
            alias=alias,
            status="starting",
            user=user,
            project=project,
            backend=self._compute().name,
            replicas=replicas,
            endpoint="",
            resources=resources,
            created_at=now,
            updated_at=now,
        )
        self.store.insert_deployment(record, {})
        try:
            handle = self._compute().create_deployment(self._launch(record, resolved))
        except Exception as exc:
            reason = exc.message if isinstance(exc, MaestroError) else f"could not start: {first_line(exc)}"
            self.store.update_deployment(deployment_id, status="failed", reason=reason, updated_at=time.time())
            raise
        self.store.update_deployment(deployment_id, handle=handle)
        self._watch(deployment_id)
        created = self._with_alias_target(self._get(deployment_id))
        return created.model_copy(update={"estimate": estimate})

    def _free(self, deployment_id: str) -> None:
        """Make room for a new deployment ``deployment_id``: refuse if one is active, forget a stopped one."""
        try:
            existing, _ = self.store.get_deployment(deployment_id)
        except NotFound:
            return
        if existing.active:
            raise Conflict(
                f"Deployment '{deployment_id}' already serves {existing.model} v{existing.version}; update it to "
                "another version, delete it, or choose another name"
            )
        self.store.delete_deployment_record(deployment_id)

    def _gate_check(self, model: str, version: str, action: str, override_reason: str | None, actor: Actor) -> None:
        if self.settings.gate_deployments:
            self._gate().enforce(model, version, action, override_reason=override_reason, actor=actor)

    def _launch(self, record: Deployment, version: str) -> DeploymentLaunch:
        from ..backends.compute.base import DeploymentLaunch

        env = {"MLFLOW_TRACKING_URI": self.settings.tracking_uri, "MLFLOW_REGISTRY_URI": self.settings.registry_uri}
        model_uri = f"models:/{record.model}/{version}"
        if self.settings.team and self._compute().name == "local":
            # A replica runs the model's code, a member's: on a team it gets the model's files, copied here by the
            # service, and no MLflow account (the service's is the admin's). The folder names the model's digest
            # too: two names may read the same once file-safe.
            digest = hashlib.sha256(record.model.encode()).hexdigest()[:12]
            folder = self.settings.ensure_home() / "models" / f"{naming.file_safe(record.model)}-{digest}" / version
            model_uri = str(self._registry().backend.copy_version(record.model, version, folder))
            from ..backends.compute.accounts import open_path

            open_path(folder, self.settings.home)  # a replica may run under its member's account
            env = {}
        elif (admin := self._mlflow_admin()) is not None:
            # Elsewhere (a cluster), a replica loads the model itself: with an MLflow account of the deployment's
            # own, which may read what any member may, never the service's admin account.
            env.update(admin.serving_account(record.id).env())
        return DeploymentLaunch(
            deployment_id=record.id,
            model=record.model,
            version=version,
            model_uri=model_uri,
            replicas=record.replicas,
            user=record.user,
            project=record.project,
            resources=record.resources,
            env=env,
        )

    # --- read ------------------------------------------------------------------------------------------------

    def get(self, request: GetDeployment, actor: Actor) -> Deployment:
        """The deployment as it is now (health-checked when active), with where its alias points now."""
        return self._with_alias_target(self._get(request.deployment_id))

    def _get(self, deployment_id: str) -> Deployment:
        record, handle = self.store.get_deployment(deployment_id)
        return self._refreshed(record, handle)

    def list(self, request: ListDeployments, actor: Actor) -> DeploymentList:
        """Active deployments (all of them with ``include_stopped``), newest first, with where their aliases point
        now."""
        statuses = None if request.include_stopped else list(DEPLOYMENT_ACTIVE)
        rows = self.store.list_deployments(user=request.user, statuses=statuses, limit=request.limit)
        seen: dict[tuple[str, str], object] = {}
        return DeploymentList(deployments=[self._with_alias_target(self._refreshed(r, h), seen) for r, h in rows])

    def _with_alias_target(
        self, deployment: Deployment, seen: dict[tuple[str, str], object] | None = None
    ) -> Deployment:
        """The deployment with ``alias_version``: the version its alias names in the registry now (None once the
        alias was removed). The record keeps the alias it was made through, but aliases move without it; a reader
        must not call a deployment "champion" after champion moved on. When the registry cannot be read the alias is
        assumed unmoved (``alias_version = version``), as before this was checked. ``seen`` caches the registry's
        answers across a list."""
        if not deployment.alias:
            return deployment
        seen = {} if seen is None else seen
        key = (deployment.model, deployment.alias)
        if key not in seen:
            try:
                seen[key] = self._registry().resolve_version(deployment.model, alias=deployment.alias)
            except NotFound:
                seen[key] = None
            except MaestroError:
                seen[key] = _UNREADABLE
        target = seen[key]
        return deployment.model_copy(update={"alias_version": deployment.version if target is _UNREADABLE else target})

    def _refreshed(self, record: Deployment, handle: Handle) -> Deployment:
        if not record.active or not handle:
            return record
        try:
            update = self._compute().refresh_deployment(record, handle)
        except MaestroError:
            return record
        if update.status == "starting" and time.time() - record.updated_at > READY_TIMEOUT_S:
            update.status, update.reason = "failed", f"not ready after {READY_TIMEOUT_S:.0f} s"
        self._apply(record, update, handle)
        fresh, _ = self.store.get_deployment(record.id)
        return fresh

    def _apply(self, record: Deployment, update: DeploymentUpdate, handle: Handle) -> None:
        # Only onto the deployment as it was read: a watcher's check that raced an owner's update or scale would
        # otherwise put back the replaced handle, and the new replicas would run unseen while the old ones served.
        self.store.update_deployment(
            record.id,
            only_if=DEPLOYMENT_ACTIVE,
            unchanged_since=record.updated_at,
            status=update.status,
            ready_replicas=update.ready_replicas,
            reason=update.reason,
            url=update.url,
            instances=update.instances,
            handle=handle,  # a refresh may retire replicas (after an update)
        )

    def wait(self, deployment_id: str, *, timeout: float = READY_TIMEOUT_S) -> Deployment:
        """Block until the deployment is ready (or failed, or ``timeout`` seconds pass): how the watcher keeps a
        starting deployment's record current."""
        deadline = time.monotonic() + timeout
        delay = 0.05
        while True:
            current = self._get(deployment_id)
            if current.status in _SETTLED or time.monotonic() >= deadline:
                return current
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    def _watch(self, deployment_id: str) -> None:
        def watch() -> None:
            try:
                with contextlib.suppress(MaestroError):  # a watcher only keeps the record current
                    self.wait(deployment_id, timeout=READY_TIMEOUT_S + 5)
            finally:
                with self._watch_lock:
                    self._watchers.pop(deployment_id, None)

        with self._watch_lock:
            if deployment_id not in self._watchers:
                thread = threading.Thread(target=watch, daemon=True, name=f"maestro-watch-{deployment_id}")
                self._watchers[deployment_id] = thread
                thread.start()

    # --- change ----------------------------------------------------------------------------------------------

    def update(self, request: UpdateDeployment, actor: Actor) -> Deployment:
        """Roll the deployment over to another ``version`` (or ``alias``) of its model, through the gate (the old
        version serves until the new one is ready), and/or run ``replicas`` replicas. Only its owner may."""
        if request.version is not None or request.alias is not None:
            self._roll(request, actor)
        if request.replicas is not None:
            self._scale(request.deployment_id, request.replicas, actor.user)
        return self._with_alias_target(self._get(request.deployment_id))

    def _roll(self, request: UpdateDeployment, actor: Actor) -> None:
        record, handle = self._owned(request.deployment_id, actor.user)
        resolved = self._registry().resolve_version(record.model, version=request.version, alias=request.alias)
        self._gate_check(record.model, resolved, f"deploy as {record.id}", request.override_reason, actor)
        launch = self._launch(record, resolved)
        self._meter(record, handle)  # the stretch so far belongs to the old version
        handle = self._compute().update_deployment(record, handle, launch)
        self.store.update_deployment(
            record.id, version=resolved, alias=request.alias, status="updating", handle=handle, updated_at=time.time()
        )
        self._watch(record.id)

    def _scale(self, deployment_id: str, replicas: int, user: str) -> None:
        record, handle = self._owned(deployment_id, user)
        self._meter(record, handle)  # the stretch so far, at the old size
        handle = self._compute().scale_deployment(record, handle, replicas)
        self.store.update_deployment(record.id, replicas=replicas, handle=handle, updated_at=time.time())
        self._watch(record.id)

    def delete(self, request: DeleteDeployment, actor: Actor) -> Deployment:
        """Stop serving; the record stays (status ``stopped``) for history."""
        record, handle = self._owned(request.deployment_id, actor.user, active=False)
        if record.status != "stopped":
            self._meter(record, handle)  # the last stretch, while its replicas can still be read
            self._compute().delete_deployment(record, handle)
            if (admin := self._mlflow_admin()) is not None and self._compute().name != "local":
                with contextlib.suppress(MaestroError):  # a leftover account only reads; the next delete retries
                    admin.remove_serving_account(record.id)
            self.store.update_deployment(
                record.id, status="stopped", ready_replicas=0, instances=[], updated_at=time.time(), reason=""
            )
        fresh, _ = self.store.get_deployment(record.id)
        return self._with_alias_target(fresh)

    def _meter(self, record: Deployment, handle: Handle) -> None:
        with contextlib.suppress(MaestroError):  # usage is bookkeeping: it never blocks a change
            self._costs().meter_deployment(record, handle, final=True)

    def _owned(self, deployment_id: str, user: str, active: bool = True) -> tuple[Deployment, Handle]:
        record, handle = self.store.get_deployment(deployment_id)
        if record.user != user:
            raise PermissionDenied(f"Deployment '{record.id}' belongs to {record.user}; only they can change it")
        if active and not record.active:
            raise Conflict(f"Deployment '{record.id}' is {record.status}; create it again to serve it")
        return record, handle

    # --- predict ---------------------------------------------------------------------------------------------

    def predict(self, request: Predict, actor: Actor) -> Prediction:
        """Send the request's MLflow scoring request (``{"dataframe_split": ...}``, ``{"dataframe_records": [...]}``,
        ``{"inputs": ...}`` or ``{"instances": ...}``) to the deployment; returns its predictions. Or ``entities``
        alone, for a version trained from a feature service: their online features are fetched and sent instead."""
        raw = json.dumps(request.scoring()).encode() if request.entities is None else b""
        if len(raw) > MAX_PREDICT_BYTES:
            raise InvalidParameter(f"The prediction request is larger than {MAX_PREDICT_BYTES:,} bytes")
        record, handle = self.store.get_deployment(request.deployment_id)
        if not record.active:
            raise Conflict(f"Deployment '{record.id}' is {record.status}; it serves no predictions")
        if request.entities is not None:
            if self._entity_serving is None:
                raise InvalidParameter("This Maestro serves no entity-keyed predictions: send full feature rows")
            scoring = self._entity_serving().scoring(record.model, record.version, request.entities, request.params)
            raw = json.dumps(scoring).encode()
            if len(raw) > MAX_PREDICT_BYTES:
                raise InvalidParameter(f"The entities' features are larger than {MAX_PREDICT_BYTES:,} bytes")
        from .metrics import REQUESTS

        started = time.perf_counter()
        try:
            answer = self._compute().predict(record, handle, raw, PREDICT_TIMEOUT_S)
        except MaestroError as exc:
            REQUESTS.observe(record.id, record.model, record.version, exc.status, time.perf_counter() - started)
            raise
        REQUESTS.observe(record.id, record.model, record.version, answer.status, time.perf_counter() - started)
        latency = round((time.perf_counter() - started) * 1000, 2)
        try:
            payload = json.loads(answer.body) if answer.body else {}
        except ValueError:
            payload = {"message": answer.body[:300].decode(errors="replace")}
        if answer.status >= 500:
            raise BackendUnavailable(f"The model server failed: {_message(payload)}")
        if answer.status >= 400:
            raise InvalidParameter(f"The model refused the input: {_message(payload)}")
        predictions = payload.get("predictions", payload) if isinstance(payload, dict) else payload
        return Prediction(
            deployment=record.id,
            model=record.model,
            version=record.version,
            predictions=predictions,
            replica=answer.replica,
            latency_ms=latency,
        )

    def reconcile(self) -> int:
        """Check every active deployment (at server start: re-attach to its replicas); returns how many."""
        rows = self.store.list_deployments(statuses=list(DEPLOYMENT_ACTIVE), limit=1000)
        for record, handle in rows:
            fresh = self._refreshed(record, handle)
            if fresh.status in ("starting", "updating"):
                self._watch(fresh.id)
        return len(rows)


def _message(payload: Any) -> str:
    if isinstance(payload, dict):
        return first_line(str(payload.get("message") or payload.get("error_code") or payload), 500)
    return first_line(str(payload), 500)
