"""The model-registry service: the business rules over registered models and their versions."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from traitlets.config import LoggingConfigurable

from .. import tagkeys
from ..entities import (
    ModelDetail,
    ModelPage,
    ModelVersion,
    RunSummary,
    VersionComparison,
    VersionDetail,
    VersionMetrics,
)
from ..errors import InvalidParameter, NotFound
from ..settings import Settings
from . import validation as v

if TYPE_CHECKING:
    from ..backends.mlflow_registry import MlflowRegistry
    from .gate import PromotionGate

#: Numeric version tags with this prefix are metrics of the version (model tests, costs and others write them).
METRIC_TAG_PREFIX = tagkeys.METRIC_PREFIX
#: Reported for every version: the metric if the run logged one, else the source run's duration.
TRAINING_TIME = "training_time_s"
MAX_COMPARED_VERSIONS = 200


class RegistryService(LoggingConfigurable):  # type: ignore[misc]
    """Search, read and curate registered models.

    Contract: every method validates its input first (raising ``InvalidParameter``), then calls the backend;
    a missing model, version or alias raises ``NotFound``; an unreachable store raises ``BackendUnavailable``.
    Methods are blocking; the server runs them on a worker thread.
    """

    def __init__(
        self, backend: MlflowRegistry, settings: Settings, gate: PromotionGate | None = None, **kwargs: object
    ) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.settings = settings
        self.gate = gate

    def list_models(
        self,
        search: str | None = None,
        tags: Mapping[str, str] | None = None,
        max_results: int | str | None = 100,
        page_token: str | None = None,
        order_by: str | None = None,
    ) -> ModelPage:
        """Models whose name contains ``search`` (case-insensitive) and that carry every tag in ``tags``."""
        from ..backends.mlflow_registry import sql_string

        clauses = []
        if search:
            clauses.append(f"name ILIKE {sql_string(f'%{search}%')}")
        for key, value in (tags or {}).items():
            clauses.append(f"tags.`{v.tag_key(key)}` = {sql_string(v.tag_value(value))}")
        return self.backend.search_models(
            " AND ".join(clauses), v.page_size(max_results), v.page_token(page_token), [v.model_order(order_by)]
        )

    def get_model(self, name: str) -> ModelDetail:
        """A model with its versions (newest first), aliases, tags and description."""
        return self.backend.get_model(v.name(name))

    def get_version(self, name: str, version: str | int | None = None, alias: str | None = None) -> VersionDetail:
        """One version, named by number or by alias, with its source run, signature and flavors."""
        name = v.name(name)
        if (version is None) == (alias is None):
            raise InvalidParameter("Give exactly one of version or alias")
        if alias is not None:
            mv = self.backend.get_version_by_alias(name, v.alias(alias))
            uri = f"models:/{name}@{alias}"
        else:
            mv = self.backend.get_version(name, v.version(version))
            uri = f"models:/{name}/{mv.version}"
        run = None
        if mv.run_id:
            with contextlib.suppress(NotFound):  # the run may have been deleted; the version still stands
                run = self.backend.get_run(mv.run_id)
        signature, flavors = self.backend.model_info(name, mv.version)
        return VersionDetail(
            **mv.model_dump(),
            model_uri=uri,
            run=run,
            signature=signature,
            flavors=flavors,
            load_snippet=self.load_snippet(uri),
        )

    def load_snippet(self, model_uri: str) -> str:
        """Code that loads the model in any Python with MLflow."""
        return (
            "import mlflow\n"
            f'mlflow.set_tracking_uri("{self.settings.public_dict()["tracking_uri"]}")\n'
            f'model = mlflow.pyfunc.load_model("{model_uri}")'
        )

    def set_alias(
        self,
        name: str,
        alias: str,
        version: str | int,
        override_reason: str | None = None,
        user: str | None = None,
    ) -> ModelVersion:
        """Point ``alias`` at ``version`` (moving it if another version held it).

        A gated alias (``MAESTRO_GATED_ALIASES``, default champion and production) goes only to a version whose
        latest tests passed; otherwise ``GateRefused`` names the failed checks, unless ``override_reason`` is given,
        which is recorded on the version with ``user`` and the time.
        """
        name, alias, version = v.name(name), v.alias(alias), v.version(version)
        if self.gate is not None and self.gate.is_gated(alias):
            self.gate.enforce(
                name, version, f"alias {alias!r}", override_reason=override_reason, user=user or self.settings.user
            )
        self.backend.set_alias(name, alias, version)
        return self.backend.get_version(name, version)

    def delete_alias(self, name: str, alias: str) -> None:
        self.backend.delete_alias(v.name(name), v.alias(alias))

    def set_tag(self, name: str, key: str, value: str, version: str | int | None = None) -> None:
        """Tag the model, or one of its versions when ``version`` is given."""
        name, key, value = v.name(name), v.tag_key(key), v.tag_value(value)
        if version is None:
            self.backend.set_model_tag(name, key, value)
        else:
            self.backend.set_version_tag(name, v.version(version), key, value)

    def delete_tag(self, name: str, key: str, version: str | int | None = None) -> None:
        name, key = v.name(name), v.tag_key(key)
        if version is None:
            self.backend.delete_model_tag(name, key)
        else:
            self.backend.delete_version_tag(name, v.version(version), key)

    def update_description(
        self, name: str, description: str, version: str | int | None = None
    ) -> ModelDetail | VersionDetail:
        """Replace the description of the model (or of one version); returns what was updated."""
        name, description = v.name(name), v.description(description)
        if version is None:
            self.backend.update_model_description(name, description)
            return self.backend.get_model(name)
        version = v.version(version)
        self.backend.update_version_description(name, version, description)
        return self.get_version(name, version=version)

    def compare_versions(
        self, name: str, metrics: Sequence[str] | None = None, versions: Sequence[str | int] | None = None
    ) -> VersionComparison:
        """Metrics across a model's versions, oldest first: the source runs' metrics, the training time, and
        ``maestro.metric.*`` version tags. ``metrics`` picks some (default: all); ``versions`` picks versions
        (default: the newest 200)."""
        detail = self.backend.get_model(v.name(name))
        wanted = [v.version(x) for x in versions] if versions else None
        if wanted is not None:
            missing = sorted(set(wanted) - {mv.version for mv in detail.versions}, key=int)
            if missing:
                raise NotFound(f"Model {name!r} has no version {', '.join(missing)}")
        chosen = [mv for mv in detail.versions if wanted is None or mv.version in wanted][:MAX_COMPARED_VERSIONS]
        values = {mv.version: self._version_metrics(mv) for mv in chosen}
        available = sorted({k for vals in values.values() for k in vals})
        picked = [v.tag_key(m) for m in metrics] if metrics else available
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
            )
            for mv in reversed(chosen)
        ]
        return VersionComparison(name=name, metrics=picked, available_metrics=available, versions=rows)

    def _version_metrics(self, mv: ModelVersion) -> dict[str, float]:
        found: dict[str, float] = {}
        run: RunSummary | None = None
        if mv.run_id:
            with contextlib.suppress(NotFound):
                run = self.backend.get_run(mv.run_id)
        if run is not None:
            found.update(run.metrics)
            if TRAINING_TIME not in found and run.duration_seconds is not None:
                found[TRAINING_TIME] = run.duration_seconds
        for key, text in mv.tags.items():
            if key.startswith(METRIC_TAG_PREFIX):
                with contextlib.suppress(ValueError):  # a non-numeric tag is not a metric
                    found[key.removeprefix(METRIC_TAG_PREFIX)] = float(text)
        return found

    def resolve_version(self, name: str, version: str | int | None = None, alias: str | None = None) -> str:
        """The version number a (version | alias | latest) reference points at."""
        name = v.name(name)
        if alias is not None:
            return self.backend.get_version_by_alias(name, v.alias(alias)).version
        if version is not None:
            return self.backend.get_version(name, v.version(version)).version
        detail = self.backend.get_model(name)
        if not detail.versions:
            raise NotFound(f"Model {name!r} has no versions")
        return detail.versions[0].version

    def download(self, name: str, version: str | int, dest_zip: Path) -> Path:
        """Write the version's artifacts to the zip file ``dest_zip``."""
        return self.backend.download_version(v.name(name), v.version(version), dest_zip)

    def download_to_temp(self, name: str, version: str | int) -> Path:
        """Zip the version into a new temporary file; the caller deletes it."""
        name, version = v.name(name), v.version(version)
        self.backend.get_version(name, version)  # NotFound before any file is created
        fd, name_ = tempfile.mkstemp(prefix="maestro-", suffix=".zip")
        os.close(fd)
        path = Path(name_)
        try:
            return self.backend.download_version(name, version, path)
        except BaseException:
            path.unlink(missing_ok=True)
            raise

    def register(
        self,
        run_id: str,
        name: str,
        artifact_path: str = "model",
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> ModelVersion:
        """Register the model logged by ``run_id`` at ``artifact_path`` as a new version of ``name``."""
        checked_tags = {v.tag_key(k): v.tag_value(val) for k, val in (tags or {}).items()}
        if not artifact_path or ".." in artifact_path.split("/"):
            raise InvalidParameter(f"Invalid artifact path {artifact_path!r}")
        return self.backend.register(
            v.run_id(run_id),
            artifact_path,
            v.new_model_name(name),
            v.description(description) if description is not None else None,
            checked_tags,
        )
