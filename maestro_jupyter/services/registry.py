"""The model-registry service: the business rules over registered models and their versions."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from traitlets.config import LoggingConfigurable

from .. import tagkeys
from ..contract.base import Actor, Document
from ..contract.registry import (
    CompareVersions,
    DeleteAlias,
    DeleteTag,
    DownloadVersion,
    GetModel,
    GetVersion,
    ListModels,
    RegisterModel,
    SetAlias,
    SetTag,
    UpdateDescription,
)
from ..entities import (
    ModelDetail,
    ModelPage,
    ModelVersion,
    RunSummary,
    VersionComparison,
    VersionDetail,
    VersionMetrics,
)
from ..entities.feature_lineage import feature_use
from ..errors import InvalidParameter, NotFound, PermissionDenied
from ..naming import file_safe
from ..settings import Settings

if TYPE_CHECKING:
    from ..backends.mlflow_auth import MlflowAuthAdmin
    from ..backends.mlflow_registry import MlflowRegistry
    from ..entities.feature_lineage import FeatureUse
    from .gate import PromotionGate

#: Numeric version tags with this prefix are metrics of the version (model tests, costs and others write them).
METRIC_TAG_PREFIX = tagkeys.METRIC_PREFIX
#: Reported for every version: the metric if the run logged one, else the time from the run's start until the model
#: was logged (see ``RegistryService._training_seconds``).
TRAINING_TIME = "training_time_s"
MAX_COMPARED_VERSIONS = 200
#: Registry reads made while another is (a version's source run while the version or its model files are read; the
#: version while its model's owner is): one request each, bounded.
_READS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="maestro-registry-read")


class RegistryService(LoggingConfigurable):  # type: ignore[misc]
    """Search, read and curate registered models.

    Contract: an operation takes its request model (checked when it was built: ``InvalidParameter``) and the actor;
    a missing model, version or alias raises ``NotFound``; an unreachable store raises ``BackendUnavailable``.
    ``version_detail``, ``resolve_version`` and ``load_snippet`` are plain helpers for other services.
    Methods are blocking; the server runs them on a worker thread.
    """

    def __init__(
        self,
        backend: MlflowRegistry,
        settings: Settings,
        gate: PromotionGate | None = None,
        mlflow_admin: Callable[[], MlflowAuthAdmin | None] = lambda: None,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.settings = settings
        self.gate = gate
        self._mlflow_admin = mlflow_admin

    def list_models(self, request: ListModels, actor: Actor) -> ModelPage:
        """Models whose name contains ``search`` (case-insensitive; ``%``, ``_`` and quotes match themselves) and that
        carry every tag in ``tags``."""
        return self.backend.search_models(
            request.tags,
            request.max_results,
            request.page_token,
            request.order_by,
            name_contains=request.search or None,
        )

    def get_model(self, request: GetModel, actor: Actor) -> ModelDetail:
        """A model with its versions (newest first), aliases, tags and description."""
        return self.backend.get_model(request.name)

    def get_version(self, request: GetVersion, actor: Actor) -> VersionDetail:
        """One version, named by number or by alias, with its source run, signature and flavors."""
        return self.version_detail(request.name, version=request.version, alias=request.alias)

    def version_detail(self, name: str, version: str | int | None = None, alias: str | None = None) -> VersionDetail:
        """One version, named by number or by alias (for other services; checks its input)."""
        checked = GetVersion.build(name=name, version=version, alias=alias)
        name, version, alias = checked.name, checked.version, checked.alias
        # A version read before names its source run: that run is read while the version is (and checked after).
        guess = self.backend.known_run_id(name, str(version)) if alias is None else None
        early = _READS.submit(self._source_run, guess) if guess else None
        try:
            if alias is not None:
                mv = self.backend.get_version_by_alias(name, alias)
                uri = f"models:/{name}@{alias}"
            else:
                mv = self.backend.get_version(name, str(version))
                uri = f"models:/{name}/{mv.version}"
        except BaseException:
            if early is not None:
                early.cancel()
            raise
        pending = early
        if mv.run_id != guess:  # the model was registered again since
            if early is not None:
                early.cancel()
            # The source run and the model files are read at once (the files from where the version's source
            # says, once per version and process: they never change).
            pending = _READS.submit(self._source_run, mv.run_id) if mv.run_id else None
        try:
            signature, flavors = self.backend.model_info(name, mv.version, mv.source, ready=mv.status == "READY")
        finally:
            run = pending.result() if pending is not None else None
        return VersionDetail(
            **mv.model_dump(),
            model_uri=uri,
            run=run,
            signature=signature,
            flavors=flavors,
            load_snippet=self.load_snippet(uri),
            features=feature_use(run.tags) if run is not None else None,
        )

    def _source_run(self, run_id: str) -> RunSummary | None:
        with contextlib.suppress(NotFound):  # the run may have been deleted; the version still stands
            return self.backend.get_run(run_id)
        return None

    def load_snippet(self, model_uri: str) -> str:
        """Code that loads the model in any Python with MLflow."""
        return (
            "import mlflow\n"
            f'mlflow.set_tracking_uri("{self.settings.public_dict()["tracking_uri"]}")\n'
            f'model = mlflow.pyfunc.load_model("{model_uri}")'
        )

    def set_alias(self, request: SetAlias, actor: Actor) -> ModelVersion:
        """Point ``alias`` at ``version`` (moving it if another version held it).

        A gated alias (``MAESTRO_GATED_ALIASES``, default champion and production) goes only to a version whose
        latest tests passed; otherwise ``GateRefused`` names the failed checks, unless ``override_reason`` is given,
        which is recorded in the audit trail with the actor, the alias and the time.
        """
        name, alias, version = request.name, request.alias, request.version
        # One read of the version: the gate's test report, the check that it exists, and the answer; on a team, made
        # while the model's owner is read (the owner's verdict comes first).
        if self.settings.team and not actor.admin:
            reading = _READS.submit(self.backend.get_version, name, version)
            try:
                self._may_change(name, actor, f"move its alias {alias!r}")
            except BaseException:
                reading.cancel()
                raise
            mv = reading.result()
        else:
            self._may_change(name, actor, f"move its alias {alias!r}")  # nothing to read off a team or for an admin
            mv = self.backend.get_version(name, version)
        if self.gate is not None and self.gate.is_gated(alias):
            reason = request.override_reason
            self.gate.enforce(
                name, version, f"alias {alias!r}", override_reason=reason, actor=actor, alias=alias, tags=mv.tags
            )
        self.backend.set_alias(name, alias, mv.version, read=mv)
        return mv.model_copy(update={"aliases": sorted({*mv.aliases, alias})})

    def delete_alias(self, request: DeleteAlias, actor: Actor) -> None:
        self._may_change(request.name, actor, f"delete its alias {request.alias!r}")
        self.backend.delete_alias(request.name, request.alias)

    def set_tag(self, request: SetTag, actor: Actor) -> None:
        """Tag the model, or one of its versions when ``version`` is given."""
        self._may_tag(request.name, request.key, actor)
        if request.version is None:
            self.backend.set_model_tag(request.name, request.key, request.value)
        else:
            self.backend.set_version_tag(request.name, request.version, request.key, request.value)

    def delete_tag(self, request: DeleteTag, actor: Actor) -> None:
        self._may_tag(request.name, request.key, actor)
        if request.version is None:
            self.backend.delete_model_tag(request.name, request.key)
        else:
            self.backend.delete_version_tag(request.name, request.version, request.key)

    def update_description(self, request: UpdateDescription, actor: Actor) -> ModelDetail | VersionDetail:
        """Replace the description of the model (or of one version); returns what was updated."""
        name, description, version = request.name, request.description, request.version
        self._may_change(name, actor, "describe it")
        if version is None:
            self.backend.update_model_description(name, description)
            return self.backend.get_model(name)
        self.backend.update_version_description(name, version, description)
        return self.version_detail(name, version=version)

    def compare_versions(self, request: CompareVersions, actor: Actor) -> VersionComparison:
        """Metrics across a model's versions, oldest first: the source runs' metrics, the training time, and
        ``maestro.metric.*`` version tags. ``metrics`` picks some (default: all); ``versions`` picks versions
        (default: the newest 200)."""
        name = request.name
        detail = self.backend.get_model(name)
        wanted = request.versions
        if wanted is not None:
            missing = sorted(set(wanted) - {mv.version for mv in detail.versions}, key=int)
            if missing:
                raise NotFound(f"Model {name!r} has no version {', '.join(missing)}")
        chosen = [mv for mv in detail.versions if wanted is None or mv.version in wanted][:MAX_COMPARED_VERSIONS]
        read = {mv.version: self._version_metrics(mv) for mv in chosen}
        values = {version: found for version, (found, _) in read.items()}
        available = sorted({k for vals in values.values() for k in vals})
        picked = list(request.metrics) if request.metrics else available
        unknown = [m for m in picked if m not in available]
        if unknown:
            known = ", ".join(available) or "none"
            raise InvalidParameter(f"No version of {name!r} has metric(s) {', '.join(unknown)}; available: {known}")
        rows = [
            VersionMetrics(
                version=mv.version,
                aliases=mv.aliases,
                creation_timestamp=mv.creation_timestamp,
                run_id=mv.run_id,
                metrics={m: values[mv.version].get(m) for m in picked},
                features=read[mv.version][1],
            )
            for mv in reversed(chosen)
        ]
        return VersionComparison(name=name, metrics=picked, available_metrics=available, versions=rows)

    def _version_metrics(self, mv: ModelVersion) -> tuple[dict[str, float], FeatureUse | None]:
        """A version's metrics, and the features its source run trained on (read with the run)."""
        found: dict[str, float] = {}
        run: RunSummary | None = None
        if mv.run_id:
            with contextlib.suppress(NotFound):
                run = self.backend.get_run(mv.run_id)
        if run is not None:
            found.update(run.metrics)
            if TRAINING_TIME not in found:
                seconds = self._training_seconds(mv, run)
                if seconds is not None:
                    found[TRAINING_TIME] = seconds
        for key, text in mv.tags.items():
            if key.startswith(METRIC_TAG_PREFIX):
                with contextlib.suppress(ValueError):  # a non-numeric tag is not a metric
                    found[key.removeprefix(METRIC_TAG_PREFIX)] = float(text)
        return found, feature_use(run.tags) if run is not None else None

    def _training_seconds(self, mv: ModelVersion, run: RunSummary) -> float | None:
        """A version's training time when its run logged none: from the run's start until MLflow began logging the
        version's model (saving, uploading and registering the model are not training: the whole run's duration
        made a 0.5 s fit read 4.4 s); the run's duration only for a model MLflow recorded no start of."""
        from ..backends.mlflow_runs import MlflowRuns

        started = MlflowRuns(self.backend).model_logging_started(mv.source)
        if started is not None and run.start_time is not None and started >= run.start_time:
            return (started - run.start_time) / 1000
        return run.duration_seconds

    def resolve_version(self, name: str, version: str | int | None = None, alias: str | None = None) -> str:
        """The version number a (version | alias | latest) reference points at."""
        checked = DownloadVersion.build(name=name, version=version, alias=alias)
        return resolve_version(self.backend, checked.name, checked.version, checked.alias)

    def download(self, request: DownloadVersion, actor: Actor) -> Document:
        """The version's artifacts as a zip, named ``NAME-vVERSION.zip``."""
        version = resolve_version(self.backend, request.name, request.version, request.alias)
        with tempfile.TemporaryDirectory(prefix="maestro-") as tmp:
            path = self.backend.download_version(request.name, version, Path(tmp) / "version.zip")
            content = path.read_bytes()
        return Document(content, "application/zip", f"{file_safe(request.name)}-v{version}.zip")

    def register(self, request: RegisterModel, actor: Actor) -> ModelVersion:
        """Register the model logged by ``run_id`` at ``artifact_path`` as a new version of ``name``.

        On a team whose MLflow has a login, the model is then the service's alone: a member who made a model of that
        name first with plain ``mlflow`` (and so could move its aliases) is lowered to READ, so its gated aliases
        move only through the gate."""
        owner = None
        if self.settings.team:
            with contextlib.suppress(NotFound):  # a new model is its registrant's
                owner = self._owner(request.name)
                if not actor.admin:
                    self._check_owner(request.name, owner, actor, "add a version to it")
        registered = self.backend.register(
            request.run_id, request.artifact_path, request.name, request.description, dict(request.tags)
        )
        if self.settings.team:
            if owner is None:
                self.backend.set_model_tag(request.name, tagkeys.MODEL_OWNER, actor.user)
            admin = self._mlflow_admin()
            if admin is not None:
                admin.secure_model(request.name)
        return registered

    # --- who may change a model ----------------------------------------------------------------------------------

    def _may_tag(self, name: str, key: str, actor: Actor) -> None:
        if tagkeys.is_reserved(key) and not actor.admin:
            raise PermissionDenied(
                f"{key} is Maestro's own record (tests, the gate, cards, costs, the owner): Maestro's commands write "
                "it, not a tag"
            )
        self._may_change(name, actor, "tag it")

    def _may_change(self, name: str, actor: Actor, what: str) -> None:
        """On a team, a model changes through Maestro by its owner's hand (who registered it through Maestro) or an
        admin's; a model only ever registered with plain MLflow, by whoever MLflow lets change it. One person's
        Maestro (not a team) has no one else to keep out."""
        if self.settings.team and not actor.admin:
            self._check_owner(name, self._owner(name), actor, what)

    def _owner(self, name: str) -> str | None:
        """Who registered the model through Maestro first (``None``: nobody did)."""
        return self.backend.get_model_summary(name).tags.get(tagkeys.MODEL_OWNER)

    def _check_owner(self, name: str, owner: str | None, actor: Actor, what: str) -> None:
        if owner == actor.user:
            return
        if owner is None:
            admin = self._mlflow_admin()
            if admin is not None and admin.model_permission(name, actor.user) in ("EDIT", "MANAGE"):
                return
            raise PermissionDenied(f"MLflow does not let {actor.user} change model {name!r}, so neither may Maestro")
        raise PermissionDenied(f"Model {name!r} is {owner}'s: only they or an admin may {what}")


def resolve_version(backend: MlflowRegistry, name: str, version: str | None, alias: str | None) -> str:
    """The version number of a checked (version | alias | latest) reference: ``NotFound`` if there is none."""
    if alias is not None:
        return backend.get_version_by_alias(name, alias).version
    if version is not None:
        return backend.get_version(name, version).version
    detail = backend.get_model(name)
    if not detail.versions:
        raise NotFound(f"Model {name!r} has no versions")
    return detail.versions[0].version
