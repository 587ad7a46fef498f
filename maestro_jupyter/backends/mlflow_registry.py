"""The MLflow adapter: tracking store and model registry behind one small interface.

The services reach MLflow only through this adapter (its siblings :mod:`.mlflow_models` and :mod:`.registry_facts`
load models and read run facts for it). It turns MLflow's entities into Maestro's and MLflow's exceptions into
:class:`~maestro_jupyter.errors.MaestroError` subclasses, so the services above never see either. Outside the
services, MLflow is imported only where the work happens in the user's own process: the job supervisor, the demo
seed, and the SDK's logging to a notebook's active run. It works
with any tracking URI: the embedded SQLite store, a database URL or an ``http(s)://`` tracking server.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import tempfile
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from mlflow import MlflowClient
from mlflow.entities import ViewType
from mlflow.exceptions import MlflowException, RestException
from sqlalchemy.exc import SQLAlchemyError

from .. import tagkeys as tk
from ..entities import (
    Experiment,
    ExperimentPage,
    ModelDetail,
    ModelPage,
    ModelSummary,
    ModelVersion,
    RunPage,
    RunSummary,
    Signature,
)
from ..errors import BackendUnavailable, Conflict, InvalidParameter, MaestroError, NotFound, first_line
from ..settings import Settings

if TYPE_CHECKING:
    from .model_index import ModelIndex

#: Run tags a version registered from the run takes with it.
COST_TAGS = (tk.COST_TRAIN, tk.COST_CURRENCY, tk.COST_RATES, tk.COST_TRAIN_METRIC)

_NOT_FOUND = {"RESOURCE_DOES_NOT_EXIST", "NOT_FOUND", "ENDPOINT_NOT_FOUND"}
_CONFLICT = {"RESOURCE_ALREADY_EXISTS", "ALREADY_EXISTS", "RESOURCE_CONFLICT", "ABORTED"}
_INVALID = {"INVALID_PARAMETER_VALUE", "BAD_REQUEST", "INVALID_STATE", "MALFORMED_REQUEST"}
_UNAVAILABLE = {"TEMPORARILY_UNAVAILABLE", "SERVICE_UNDER_MAINTENANCE", "REQUEST_LIMIT_EXCEEDED"}

# Bootstrapping the embedded store runs MLflow's migrations; do it once per process and database.
_bootstrapped: set[str] = set()
_bootstrap_lock = threading.Lock()
# Some MLflow internals (resolving a LoggedModel while registering or downloading it) use MLflow's process-wide
# URIs instead of the client's; those calls run under this lock with the globals pointed at our store.
_globals_lock = threading.RLock()


@contextlib.contextmanager
def translate_errors(what: str) -> Iterator[None]:
    """Re-raise MLflow and connection errors as Maestro errors; ``what`` names the operation for the message."""
    try:
        yield
    except MaestroError:
        raise
    except MlflowException as exc:
        raise _translate(exc, what) from exc
    except OSError as exc:  # connection refused, DNS failure, disk errors from the artifact store
        raise BackendUnavailable(f"{what}: the tracking store is unreachable ({exc})") from exc
    except SQLAlchemyError as exc:  # a database-backed store that cannot be opened, or is locked
        raise BackendUnavailable(f"{what}: the tracking database failed ({first_line(str(exc), 300)})") from exc


def _translate(exc: MlflowException, what: str) -> MaestroError:
    code = exc.error_code or ""
    message = exc.message if isinstance(exc.message, str) else str(exc)
    if code in _NOT_FOUND:
        return NotFound(message)
    if code in _CONFLICT:
        return Conflict(message)
    if code in _INVALID:
        return InvalidParameter(message)
    if code in _UNAVAILABLE or _is_connection_failure(exc):
        return BackendUnavailable(f"{what}: the MLflow tracking server is unavailable ({first_line(message, 300)})")
    if isinstance(exc, RestException) or "database is locked" in message:
        return BackendUnavailable(f"{what}: the tracking store failed ({first_line(message, 300)})")
    return MaestroError(f"{what}: {message}")


#: SQL stores hold times and compare whole numbers as signed 64-bit integers.
_INT64 = 2**63


def check_run_filter(filter_string: str) -> None:
    """Refuse (400) a run filter that MLflow's parser takes but its store cannot run: a syntax error is MLflow's
    ``INVALID_PARAMETER_VALUE`` (a 400 through :func:`translate_errors`); a whole number beyond 64 bits
    (``attributes.start_time > -99999999999999999999999``) would overflow the database driver, an internal error."""
    from mlflow.utils.search_utils import SearchUtils

    if not filter_string:
        return
    for clause in SearchUtils.parse_search_filter(filter_string):  # type: ignore[no-untyped-call]
        value = clause.get("value")
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(item, int) and not isinstance(item, bool) and not -_INT64 <= item < _INT64:
                raise InvalidParameter(
                    f"Invalid filter: {clause.get('key')} is compared with {item}, beyond a 64-bit whole number"
                )


#: Alias names MLflow reserves (``latest``, and ``v3`` for version 3): never an alias a model has.
_RESERVED_ALIAS = re.compile(r"^(latest|v\d+)$", re.IGNORECASE)

#: The tag MLflow marks a prompt (a registered model of another kind) and each of its versions with.
PROMPT_TAG = "mlflow.prompt.is_prompt"


def is_prompt(tags: Mapping[str, str]) -> bool:
    """Whether a registered model's or version's tags make it a prompt's, which MlflowClient's model calls refuse."""
    return PROMPT_TAG in tags


def _is_connection_failure(exc: BaseException) -> bool:
    text = str(exc)
    markers = ("Max retries exceeded", "Connection refused", "failed with exception", "Read timed out")
    return any(m in text for m in markers) or isinstance(exc.__cause__, OSError)


#: What means something in a LIKE pattern (``%``, ``_``, and ``\\``, PostgreSQL's escape) or in a filter string's
#: quoting. MLflow passes its ILIKE patterns on with no ESCAPE clause: SQLite then has no escape at all, PostgreSQL
#: takes a backslash (checked against both, with MLflow's SQL store). So no pattern says "a literal %" on every store.
_LIKE_SPECIAL = re.compile(r"""[%_\\'"]""")


#: The most store pages one page of a search for text holding such characters reads while it drops near misses
#: (then the page may be short; its next_page_token goes on from where the reading stopped).
MAX_SEARCH_READS = 10


def contains_pattern(text: str) -> tuple[str, bool]:
    """An ``ILIKE`` pattern (quoted) for names that contain ``text``, on any MLflow store, and whether it may also
    match names that do not (the caller then drops them). Each character that means something to a pattern or to
    the filter's quoting becomes ``_`` (any one character), which matches it too."""
    return sql_string(f"%{_LIKE_SPECIAL.sub('_', text)}%"), _LIKE_SPECIAL.search(text) is not None


def _page_offset(token: str | None) -> int:
    """Where an MLflow page token points: MLflow's stores make them base64 of ``{"offset": N}`` (and
    :func:`~maestro_jupyter.contract.rules.page_token` lets no other kind through)."""
    if not token:
        return 0
    try:
        offset = json.loads(base64.b64decode(token))["offset"]
    except (ValueError, KeyError, TypeError):
        offset = None
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InvalidParameter("Invalid page_token: pass back a next_page_token exactly as it was returned")
    return offset


def _offset_token(offset: int) -> str:
    """An MLflow page token for the results from ``offset`` on, as MLflow's own stores make them."""
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def sql_string(value: str) -> str:
    """Quote ``value`` for an MLflow filter string."""
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise InvalidParameter("A search value may not contain both single and double quotes")


#: Versions whose model-file facts a process keeps (the least recently used go first): a few hundred bytes each.
MAX_CACHED_VERSIONS = 4096

_T = TypeVar("_T")


class VersionCache(Generic[_T]):
    """A bounded, thread-safe least-recently-used map from ``(name, version)`` (or a run's id) to what never changes
    about it (what a READY version's MLmodel file says, which run it came from, a finished run's metrics)."""

    def __init__(self, limit: int = MAX_CACHED_VERSIONS) -> None:
        self.limit = limit
        self._items: OrderedDict[Hashable, _T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> _T | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: _T) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


#: Sources that name a model through the registry or tracking store rather than where its files are: MLflow
#: resolves them (``get_model_version_download_uri``); any other source is where the files are.
_INDIRECT_SCHEMES = ("models:", "runs:")


def files_location(source: str | None) -> str | None:
    """Where a version's files are, from its ``source`` alone when that says it (a file path or an artifact store
    URI: MLflow's own download URI is then that source), else ``None`` (MLflow must be asked)."""
    if not source or source.startswith(_INDIRECT_SCHEMES):
        return None
    return source.rstrip("/")


class MlflowRegistry:
    """Registry and tracking operations over one MLflow tracking/registry URI pair."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.tracking_uri = settings.tracking_uri
        self.registry_uri = settings.registry_uri
        _configure_http(settings)
        if settings.embedded_tracking:
            settings.ensure_home()
            _bootstrap_embedded(settings)
        with translate_errors("Opening the MLflow store"):  # MLflow opens a database store right here
            self.client = MlflowClient(tracking_uri=self.tracking_uri, registry_uri=self.registry_uri)
        # What a version's model files say, by (name, version), with the location they were read from: a
        # version's files never change, but a model deleted and registered again numbers its versions from 1.
        self._model_info_cache: VersionCache[tuple[str | None, Signature | None, list[str]]] = VersionCache()
        self._environment_cache: VersionCache[tuple[str | None, ModelEnvironment]] = VersionCache()
        self._run_ids: VersionCache[str] = VersionCache()
        #: The team service's index of models (set by :class:`~maestro_jupyter.services.Services`): it answers model
        #: searches, and every write here that changes a model's summary re-reads that model into it.
        self.model_index: ModelIndex | None = None

    def _changed(self, name: str) -> None:
        if self.model_index is not None:
            self.model_index.refresh(name)

    # --- registered models -----------------------------------------------------------------------------------

    def search_models(
        self,
        tags: Mapping[str, str],
        max_results: int,
        page_token: str | None,
        order_by: str,
        name_contains: str | None = None,
    ) -> ModelPage:
        """One page of the models that carry every tag in ``tags`` and, with ``name_contains``, whose name contains
        that text, case-insensitively, each character as itself (``%``, ``_``, quotes and backslashes too). From the
        team service's model index once it is read (:mod:`.model_index`), else from MLflow."""
        if self.model_index is not None:
            found = self.model_index.search(tags, name_contains, order_by, max_results, _page_offset(page_token))
            if found is not None:
                indexed, more = found
                after = _offset_token(_page_offset(page_token) + len(indexed)) if more else None
                return ModelPage(models=indexed, next_page_token=after)
        filter_string = " AND ".join(f"tags.`{key}` = {sql_string(value)}" for key, value in tags.items())
        if not name_contains:
            return self.search_mlflow_models(filter_string, max_results, page_token, [order_by])
        pattern, inexact = contains_pattern(name_contains)
        filter_string = " AND ".join(c for c in (f"name ILIKE {pattern}", filter_string) if c)
        if not inexact:
            return self.search_mlflow_models(filter_string, max_results, page_token, [order_by])
        # The pattern also matches near misses: drop them, reading on until the page is full. A page may end in the
        # middle of the store's page: its token is then the store's kind (an offset) pointing just after it.
        needle = name_contains.lower()
        offset = _page_offset(page_token)
        models: list[ModelSummary] = []
        for _ in range(MAX_SEARCH_READS):
            page = self.search_mlflow_models(filter_string, max_results, page_token, [order_by])
            for index, model in enumerate(page.models):
                if needle in model.name.lower():
                    models.append(model)
                if len(models) == max_results:
                    more = index + 1 < len(page.models) or page.next_page_token is not None
                    after = _offset_token(offset + index + 1) if more else None
                    return ModelPage(models=models, next_page_token=after)
            offset, page_token = offset + len(page.models), page.next_page_token
            if page_token is None:
                break
        return ModelPage(models=models, next_page_token=page_token)

    def search_mlflow_models(
        self, filter_string: str, max_results: int, page_token: str | None, order_by: list[str]
    ) -> ModelPage:
        """One page of MLflow's own model search (never the model index)."""
        with translate_errors("Searching models"):
            page = self.client.search_registered_models(
                filter_string=filter_string or None,
                max_results=max_results,
                order_by=order_by,
                page_token=page_token or None,
            )
        return ModelPage(models=[_model_summary(rm) for rm in page], next_page_token=page.token or None)

    def get_model(self, name: str) -> ModelDetail:
        with translate_errors(f"Reading model {name!r}"):
            rm = self.client.get_registered_model(name)
            versions = self.client.search_model_versions(filter_string=f"name={sql_string(name)}")
        summary = _model_summary(rm)
        # search_model_versions leaves versions' aliases empty; the model's alias map is the truth.
        by_version: dict[str, list[str]] = {}
        for alias, version in summary.aliases.items():
            by_version.setdefault(version, []).append(alias)
        ordered = sorted(versions, key=lambda v: int(v.version), reverse=True)
        detail = [
            _model_version(v).model_copy(update={"aliases": sorted(by_version.get(str(v.version), []))})
            for v in ordered
        ]
        return ModelDetail(**summary.model_dump(), versions=detail)

    def get_model_summary(self, name: str) -> ModelSummary:
        """A model without its versions: one registry read."""
        with translate_errors(f"Reading model {name!r}"):
            return _model_summary(self.client.get_registered_model(name))

    def update_model_description(self, name: str, description: str) -> None:
        with translate_errors(f"Updating model {name!r}"):
            self.client.update_registered_model(name, description=description)
        self._changed(name)

    def set_model_tag(self, name: str, key: str, value: str) -> None:
        with translate_errors(f"Tagging model {name!r}"):
            self.client.set_registered_model_tag(name, key, value)
        self._changed(name)

    def delete_model_tag(self, name: str, key: str) -> None:
        with translate_errors(f"Removing tag {key!r} from model {name!r}"):
            rm = self.client.get_registered_model(name)
            if key not in rm.tags:
                raise NotFound(f"Model {name!r} has no tag {key!r}")
            self.client.delete_registered_model_tag(name, key)
        self._changed(name)

    # --- versions ----------------------------------------------------------------------------------------------

    def get_version(self, name: str, version: str) -> ModelVersion:
        with translate_errors(f"Reading {name!r} version {version}"):
            mv = _model_version(self.client.get_model_version(name, version))
        if mv.run_id:
            self._run_ids.put((name, mv.version), mv.run_id)
        return mv

    def known_run_id(self, name: str, version: str) -> str | None:
        """The source run of a version read before in this process (a version's run never changes, but a model
        deleted and registered again numbers its versions from 1: a guess to check against the version)."""
        return self._run_ids.get((name, version))

    def get_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """The version ``alias`` points at, in one request."""
        missing = NotFound(f"Model {name!r} has no alias {alias!r}")
        with translate_errors(f"Reading {name!r}@{alias}"):
            if _RESERVED_ALIAS.match(alias):  # MLflow reads these as versions; no alias can have such a name
                self.client.get_registered_model(name)  # a missing model is the error to report first
                raise missing
            try:
                mv = self.client.get_model_version_by_alias(name, alias)
            except MlflowException as exc:
                if exc.error_code in _INVALID:  # MLflow calls an unknown alias a bad parameter; to a user it is missing
                    raise missing from None
                raise
            if is_prompt(mv.tags):  # a prompt's version: MlflowClient's model calls say there is no such model
                raise NotFound(f"Registered Model with name={name} not found")
            return _model_version(mv)

    def set_alias(self, name: str, alias: str, version: str, read: ModelVersion | None = None) -> None:
        """Point ``alias`` at ``version``. ``read``: the version as the caller has just read it (so it exists, and
        its tags say whether it is a prompt's), which spares MLflow two reads: the version's and the model's."""
        with translate_errors(f"Setting alias {alias!r} on {name!r}"):
            if read is None:
                self.client.get_model_version(name, version)
                self.client.set_registered_model_alias(name, alias, version)
            else:
                if is_prompt(read.tags):  # what MlflowClient's own check would refuse
                    raise NotFound(f"Registered Model with name={name} not found")
                self._registry().set_registered_model_alias(name, alias, version)
        self._changed(name)

    def delete_alias(self, name: str, alias: str) -> None:
        with translate_errors(f"Removing alias {alias!r} from {name!r}"):
            rm = self.client.get_registered_model(name)
            if alias not in (rm.aliases or {}):
                raise NotFound(f"Model {name!r} has no alias {alias!r}")
            self.client.delete_registered_model_alias(name, alias)
        self._changed(name)

    def set_version_tag(self, name: str, version: str, key: str, value: str) -> None:
        with translate_errors(f"Tagging {name!r} version {version}"):
            self.client.set_model_version_tag(name, version, key, value)

    def delete_version_tag(self, name: str, version: str, key: str) -> None:
        with translate_errors(f"Removing tag {key!r} from {name!r} version {version}"):
            mv = self.client.get_model_version(name, version)
            if key not in mv.tags:
                raise NotFound(f"{name!r} version {version} has no tag {key!r}")
            self.client.delete_model_version_tag(name, version, key)

    def update_version_description(self, name: str, version: str, description: str) -> None:
        with translate_errors(f"Updating {name!r} version {version}"):
            self.client.update_model_version(name, version, description=description)

    def model_info(
        self, name: str, version: str, source: str | None = None, ready: bool = True
    ) -> tuple[Signature | None, list[str]]:
        """Signature and flavors from the version's MLmodel file; cached, since a version's files never change.

        ``source`` (the version's, when the caller has read it) says where the files are, sparing MLflow a request
        for the download URI, and checks the cached facts: a version of a model deleted and registered again has
        another source. A version not ``ready`` (its files may be still on their way) is read but not cached."""
        key = (name, version)
        cached = self._model_info_cache.get(key)
        if cached is not None and (source is None or cached[0] == source):
            return cached[1], cached[2]
        from mlflow.models import Model

        with translate_errors(f"Reading the MLmodel of {name!r} version {version}"), _scratch() as tmp:
            location = self._files_location(name, version, source)
            path = self._read_file(location, "MLmodel", tmp)
            if path is None:  # not an MLflow model: nothing to describe
                signature, flavors = None, []
            else:
                model = Model.load(path)
                signature = None
                if model.signature is not None:
                    outputs = model.signature.outputs.to_dict() if model.signature.outputs else []
                    signature = Signature(inputs=model.signature.inputs.to_dict(), outputs=outputs)
                flavors = sorted(model.flavors)
        if ready:
            self._model_info_cache.put(key, (source, signature, flavors))
        return signature, flavors

    def model_environment(self, name: str, version: str, source: str | None = None) -> ModelEnvironment:
        """Requirements, Python version and flavor details of a version's model files; cached like ``model_info``."""
        key = (name, version)
        cached = self._environment_cache.get(key)
        if cached is not None and (source is None or cached[0] == source):
            return cached[1]
        env = ModelEnvironment()
        with translate_errors(f"Reading the environment of {name!r} version {version}"), _scratch() as tmp:
            location = self._files_location(name, version, source)
            mlmodel = self._read_file(location, "MLmodel", tmp)
            if mlmodel is not None:
                import yaml

                meta = yaml.safe_load(Path(mlmodel).read_text()) or {}
                flavors = meta.get("flavors") or {}
                env.python_version = (flavors.get("python_function") or {}).get("python_version")
                env.flavor_versions = {
                    f: str(conf[f"{f}_version"])
                    for f, conf in flavors.items()
                    if isinstance(conf, dict) and conf.get(f"{f}_version")
                }
                requirements = self._read_file(location, "requirements.txt", tmp)
                if requirements is not None:
                    lines = Path(requirements).read_text().splitlines()
                    env.requirements = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
        self._environment_cache.put(key, (source, env))
        return env

    def _registry(self) -> Any:
        """MLflow's registry client under ``self.client``: the same calls without the registered-model read that
        ``MlflowClient`` makes before each one to refuse prompts (a round trip of its own), for the calls whose
        caller has read the model or version already and refuses prompts itself (:func:`is_prompt`)."""
        registry = getattr(self.client, "_get_registry_client", None)
        return registry() if registry is not None else self.client

    def _files_location(self, name: str, version: str, source: str | None) -> str:
        """Where a version's files are: its ``source`` when that says it, else MLflow's download URI for it."""
        known = None if str(self.registry_uri or "").startswith("databricks") else files_location(source)
        if known is not None:
            return known
        return str(self._registry().get_model_version_download_uri(name, version)).rstrip("/")

    def _read_file(self, location: str, file_name: str, dst: str) -> str | None:
        """One file of a version's folder at ``location`` in ``dst``, in one request to the artifact store (not
        ``download_artifacts``, which first lists the path to learn whether it is a folder); ``None`` if there is no
        such file."""
        from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

        local = os.path.join(dst, file_name)
        try:
            try:  # mlflow-artifacts:/ URIs resolve against this store's tracking URI, not MLflow's globals (a lock)
                repo = get_artifact_repository(location, tracking_uri=self.tracking_uri, registry_uri=self.registry_uri)
            except TypeError:  # an MLflow whose registry takes the URI alone
                with self.mlflow_globals():
                    repo = get_artifact_repository(location)
            download_file = getattr(repo, "_download_file", None)
            if download_file is None:  # an artifact repository of another kind: MLflow's public path
                return self._download(f"{location}/{file_name}", dst)
            download_file(file_name, local)
        except (MlflowException, OSError):
            return None
        return local if os.path.isfile(local) else None

    def _download_optional(self, uri: str, dst: str) -> str | None:
        try:
            return self._download(uri, dst)
        except (MlflowException, OSError):
            return None

    def run_inputs(self, run_id: str) -> RunInputs:
        """The datasets a run logged as inputs (name, digest, source, context, rows, columns), all its tags
        (MLflow's own included) and where its artifacts are."""
        with translate_errors(f"Reading run {run_id}"):
            run = self.client.get_run(run_id)
        datasets = []
        for item in getattr(run.inputs, "dataset_inputs", None) or []:
            ds = item.dataset
            context = next((t.value for t in item.tags or [] if t.key == "mlflow.data.context"), None)
            datasets.append(
                {
                    "name": ds.name,
                    "digest": ds.digest,
                    "source_type": ds.source_type,
                    "source": _short(ds.source),
                    "context": context,
                    "rows": _json_field(ds.profile, "num_rows"),
                    "columns": [c.get("name") for c in _json_field(ds.schema, "mlflow_colspec") or [] if c.get("name")],
                }
            )
        return RunInputs(datasets, dict(run.data.tags), run.info.artifact_uri.rstrip("/"))

    def read_text(self, uri: str) -> str | None:
        """A text artifact, or ``None`` if there is no such file."""
        with translate_errors(f"Reading {uri}"), _scratch() as tmp:
            local = self._download_optional(uri, tmp)
            return Path(local).read_text(encoding="utf-8", errors="replace") if local else None

    def log_files(self, run_id: str, files: dict[str, bytes], artifact_dir: str) -> str:
        """Write ``files`` (name -> content) under ``artifact_dir`` of a run (replacing earlier ones); returns their
        folder's URI."""
        with translate_errors(f"Saving files to run {run_id}"), _scratch() as tmp:
            for file_name, content in files.items():
                Path(tmp, file_name).write_bytes(content)
            self.client.log_artifacts(run_id, tmp, artifact_dir)
        return self.run_artifact_uri(run_id, artifact_dir)

    def run_artifact_uri(self, run_id: str, artifact_dir: str) -> str:
        """The URI of ``artifact_dir`` inside a run's artifacts."""
        with translate_errors(f"Reading run {run_id}"):
            run = self.client.get_run(run_id)
        return f"{run.info.artifact_uri.rstrip('/')}/{artifact_dir}"

    def holder_run(self, experiment_name: str, run_name: str) -> str:
        """A finished run in ``experiment_name`` (created if missing) to keep files that belong to no run."""
        with translate_errors(f"Creating a run in {experiment_name!r}"):
            exp = self.client.get_experiment_by_name(experiment_name)
            experiment_id = exp.experiment_id if exp else self.client.create_experiment(experiment_name)
            run = self.client.create_run(experiment_id, run_name=run_name)
            self.client.set_terminated(run.info.run_id)
        return str(run.info.run_id)

    def create_job_run(
        self, experiment_name: str, run_name: str, tags: dict[str, str], params: dict[str, str]
    ) -> tuple[str, str]:
        """A RUNNING run for a training job in ``experiment_name`` (created if missing), its params logged; returns
        ``(experiment_id, run_id)``. The job's script resumes it through ``MLFLOW_RUN_ID``."""
        from mlflow.entities import Param

        with translate_errors(f"Creating a run in experiment {experiment_name!r}"):
            exp = self.client.get_experiment_by_name(experiment_name)
            experiment_id = exp.experiment_id if exp else self.client.create_experiment(experiment_name)
            run = self.client.create_run(experiment_id, run_name=run_name, tags=tags)
            if params:
                self.client.log_batch(run.info.run_id, params=[Param(k, v[:6000]) for k, v in params.items()])
        return str(experiment_id), str(run.info.run_id)

    def versions_of_run(self, run_id: str) -> list[ModelVersion]:
        """The registered versions whose source is a run."""
        if not re.fullmatch(r"[0-9a-f]{1,64}", run_id):
            return []
        with translate_errors(f"Finding the versions of run {run_id}"):
            found = self.client.search_model_versions(f"run_id = '{run_id}'")
        return [_model_version(mv) for mv in found]

    def set_run_tags(self, run_id: str, tags: dict[str, str]) -> None:
        from mlflow.entities import RunTag

        with translate_errors(f"Tagging run {run_id}"):
            self.client.log_batch(run_id, tags=[RunTag(k, v) for k, v in tags.items()])

    def end_run(self, run_id: str, status: str) -> None:
        """Mark a run FINISHED, FAILED or KILLED if it is still running."""
        with translate_errors(f"Closing run {run_id}"):
            if self.client.get_run(run_id).info.status == "RUNNING":
                self.client.set_terminated(run_id, status)

    def copy_version(self, name: str, version: str, folder: Path) -> Path:
        """The version's model files in ``folder`` (downloaded on first use; a version's files never change): what a
        replica on a team serves, so that it needs no MLflow credentials."""
        if (folder / "MLmodel").is_file():
            return folder
        folder.parent.mkdir(parents=True, exist_ok=True)
        with translate_errors(f"Downloading {name!r} version {version}"), _scratch() as tmp:
            uri = self.client.get_model_version_download_uri(name, version)
            local = Path(self._download(uri, tmp))
            if not (local / "MLmodel").is_file():
                raise InvalidParameter(f"{name!r} version {version} is not an MLflow model (it has no MLmodel)")
            staged = Path(tempfile.mkdtemp(prefix=".copy-", dir=folder.parent))
            shutil.copytree(local, staged, dirs_exist_ok=True)
            for item in [staged, *staged.rglob("*")]:  # readable by the account a replica runs under
                item.chmod(0o755 if item.is_dir() else 0o644)
            try:
                staged.rename(folder)  # whole or not at all: a replica never sees half a model
            except OSError:
                shutil.rmtree(staged, ignore_errors=True)  # another request copied it first
        return folder

    def download_version(self, name: str, version: str, zip_path: Path) -> Path:
        """Write every artifact of a version into the zip file ``zip_path``."""
        with translate_errors(f"Downloading {name!r} version {version}"), _scratch() as tmp:
            uri = self.client.get_model_version_download_uri(name, version)
            local = Path(self._download(uri, tmp))
            files = [local] if local.is_file() else sorted(p for p in local.rglob("*") if p.is_file())
            with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for f in files:
                    zf.write(f, f.name if f == local else f.relative_to(local).as_posix())
        return zip_path

    def register(
        self, run_id: str, artifact_path: str, name: str, description: str | None, tags: dict[str, str]
    ) -> ModelVersion:
        """Register the model a run logged at ``artifact_path`` as a new version of ``name``."""
        with translate_errors(f"Registering {name!r} from run {run_id}"):
            run = self.client.get_run(run_id)
            source, model_id = self._model_source(run, artifact_path)
            # What training the run cost travels with the version registered from it (cards and compare show it).
            tags = {**{k: v for k, v in run.data.tags.items() if k in COST_TAGS}, **tags}
            try:
                self.client.create_registered_model(name)
            except MlflowException as exc:
                if exc.error_code not in _CONFLICT:
                    raise
            with self.mlflow_globals():
                mv = self.client.create_model_version(
                    name, source, run_id=run_id, tags=tags, description=description, model_id=model_id
                )
        self._changed(name)
        return _model_version(mv)

    def _model_source(self, run: Any, artifact_path: str) -> tuple[str, str | None]:
        # MLflow 3 logs a LoggedModel per log_model call; MLflow 2 put the model among the run's artifacts.
        page = self.client.search_logged_models(
            experiment_ids=[run.info.experiment_id], filter_string=f"name = {sql_string(artifact_path)}"
        )
        found = [m for m in page if m.source_run_id == run.info.run_id]
        if found:
            return f"models:/{found[-1].model_id}", found[-1].model_id
        from mlflow.artifacts import list_artifacts

        # The run's own artifact folder, not runs:/ (whose resolution goes through MLflow's global client).
        root = f"{run.info.artifact_uri.rstrip('/')}/{artifact_path}"
        listed = list_artifacts(artifact_uri=root, tracking_uri=self.tracking_uri)
        if any(a.path.rsplit("/", 1)[-1] == "MLmodel" for a in listed):
            return root, None
        raise NotFound(f"Run {run.info.run_id} logged no model at {artifact_path!r}")

    def _download(self, uri: str, dst: str) -> str:
        from mlflow.artifacts import download_artifacts

        with self.mlflow_globals():
            return download_artifacts(
                artifact_uri=uri, dst_path=dst, tracking_uri=self.tracking_uri, registry_uri=self.registry_uri
            )

    @contextlib.contextmanager
    def mlflow_globals(self) -> Iterator[None]:
        """Point MLflow's process-wide tracking and registry URIs at this store for the duration."""
        from mlflow.tracking._model_registry import utils as registry_utils
        from mlflow.tracking._tracking_service import utils as tracking_utils

        # MLflow's own set_tracking_uri/_use_tracking_uri also write and then *delete* MLFLOW_TRACKING_URI in
        # os.environ: a request thread reading the environment meanwhile (requests does, for proxies) met a
        # changing dict and failed, and the kernel lost the variable `%load_ext maestro_jupyter` exported. The
        # module globals alone decide where MLflow's fluent calls go (get_tracking_uri reads them first).
        with _globals_lock:
            previous = (getattr(tracking_utils, "_tracking_uri", None), getattr(registry_utils, "_registry_uri", None))
            setattr(tracking_utils, "_tracking_uri", self.tracking_uri)  # noqa: B010 - private globals
            setattr(registry_utils, "_registry_uri", self.registry_uri)  # noqa: B010
            try:
                yield
            finally:
                setattr(tracking_utils, "_tracking_uri", previous[0])  # noqa: B010
                setattr(registry_utils, "_registry_uri", previous[1])  # noqa: B010

    def log_to_active_run(self, files: dict[str, str]) -> str:
        """Attach text files (artifact path -> content) to this process's active MLflow run; returns its id."""
        import mlflow

        run = mlflow.active_run()
        if run is None:
            raise InvalidParameter("No active MLflow run: start one with mlflow.start_run(), or drop --log")
        with translate_errors(f"Logging to run {run.info.run_id}"):
            for artifact_file, text in files.items():
                self.client.log_text(run.info.run_id, text, artifact_file)
        return str(run.info.run_id)

    # --- experiments and runs -------------------------------------------------------------------------------

    def search_experiments(self, filter_string: str, max_results: int, page_token: str | None) -> ExperimentPage:
        with translate_errors("Listing experiments"):
            page = self.client.search_experiments(
                view_type=ViewType.ACTIVE_ONLY,
                filter_string=filter_string or None,
                max_results=max_results,
                page_token=page_token or None,
                order_by=["last_update_time DESC"],
            )
        return ExperimentPage(experiments=[_experiment(e) for e in page], next_page_token=page.token or None)

    def get_experiment(self, id_or_name: str) -> Experiment:
        with translate_errors(f"Reading experiment {id_or_name!r}"):
            exp = self.client.get_experiment_by_name(id_or_name)
            if exp is None and id_or_name.isdigit():
                exp = self.client.get_experiment(id_or_name)
        if exp is None:
            raise NotFound(f"No experiment with name or id {id_or_name!r}")
        return _experiment(exp)

    def search_runs(
        self, experiment_id: str, filter_string: str, order_by: list[str], max_results: int, page_token: str | None
    ) -> RunPage:
        with translate_errors(f"Searching runs of experiment {experiment_id}"):
            check_run_filter(filter_string)
            page = self.client.search_runs(
                [experiment_id],
                filter_string=filter_string,
                run_view_type=ViewType.ACTIVE_ONLY,
                max_results=max_results,
                order_by=order_by,
                page_token=page_token or None,
            )
        return RunPage(runs=[self.summary(r) for r in page], next_page_token=page.token or None)

    def get_run(self, run_id: str) -> RunSummary:
        with translate_errors(f"Reading run {run_id}"):
            return self.summary(self.client.get_run(run_id))

    def summary(self, run: Any) -> RunSummary:
        """A run's summary with its experiment's name and its link into MLflow's UI (when one is configured)."""
        from .mlflow_runs import ExperimentNames, run_url

        names = self.__dict__.get("_experiment_names")
        if names is None:  # made on first use (a sibling module: see mlflow_runs)
            names = self.__dict__["_experiment_names"] = ExperimentNames(self)
        exp_id = str(run.info.experiment_id)
        return run_summary(
            run,
            experiment_name=names.get(exp_id),
            mlflow_url=run_url(self.settings.mlflow_ui_url, exp_id, run.info.run_id),
        )


@dataclass
class ModelEnvironment:
    """What a version's model files say about running it."""

    requirements: list[str] = field(default_factory=list)
    python_version: str | None = None
    flavor_versions: dict[str, str] = field(default_factory=dict)


@dataclass
class RunInputs:
    """What a run logged besides params and metrics."""

    datasets: list[dict[str, Any]]
    tags: dict[str, str]
    artifact_uri: str


def _json_field(text: str | None, key: str) -> Any:
    import json

    try:
        data = json.loads(text) if text else None
    except ValueError:
        return None
    return data.get(key) if isinstance(data, dict) else None


def _short(source: str | None) -> str | None:
    """A dataset's source: MLflow stores it as JSON such as ``{"uri": ...}``; keep the readable part."""
    import json

    if not source:
        return None
    try:
        data = json.loads(source)
    except ValueError:
        return source[:500]
    if isinstance(data, dict):
        for key in ("uri", "url", "path", "table_name", "name"):
            if data.get(key):
                return str(data[key])[:500]
        return None
    return str(data)[:500]


# --- conversions -------------------------------------------------------------------------------------------------


def _model_summary(rm: Any) -> ModelSummary:
    latest = [int(v.version) for v in (rm.latest_versions or [])]
    return ModelSummary(
        name=rm.name,
        description=rm.description or "",
        tags=dict(rm.tags or {}),
        aliases={a: str(v) for a, v in (rm.aliases or {}).items()},
        latest_version=str(max(latest)) if latest else None,
        creation_timestamp=rm.creation_timestamp or 0,
        last_updated_timestamp=rm.last_updated_timestamp or 0,
    )


def _model_version(mv: Any) -> ModelVersion:
    return ModelVersion(
        name=mv.name,
        version=str(mv.version),
        aliases=sorted(mv.aliases or []),
        status=mv.status or "READY",
        status_message=mv.status_message or None,
        description=mv.description or "",
        creation_timestamp=mv.creation_timestamp or 0,
        last_updated_timestamp=mv.last_updated_timestamp or 0,
        run_id=mv.run_id or None,
        source=mv.source or "",
        tags=dict(mv.tags or {}),
    )


def run_summary(run: Any, experiment_name: str = "", mlflow_url: str | None = None) -> RunSummary:
    from .mlflow_runs import run_source

    info, data = run.info, run.data
    duration = (info.end_time - info.start_time) / 1000 if info.end_time and info.start_time else None
    return RunSummary(
        run_id=info.run_id,
        run_name=info.run_name or "",
        experiment_id=str(info.experiment_id),
        experiment_name=experiment_name,
        source=run_source(data.tags),
        mlflow_url=mlflow_url,
        status=info.status,
        start_time=info.start_time,
        end_time=info.end_time,
        duration_seconds=duration,
        user=info.user_id or "",
        metrics=dict(data.metrics),
        params=dict(data.params),
        tags={k: v for k, v in data.tags.items() if not k.startswith("mlflow.")},
    )


def _experiment(exp: Any) -> Experiment:
    return Experiment(
        experiment_id=str(exp.experiment_id),
        name=exp.name,
        artifact_location=exp.artifact_location or "",
        lifecycle_stage=exp.lifecycle_stage,
        tags={k: v for k, v in (exp.tags or {}).items() if not k.startswith("mlflow.")},
        creation_time=exp.creation_time,
        last_update_time=exp.last_update_time,
    )


# --- process-wide MLflow configuration --------------------------------------------------------------------------


def _configure_http(settings: Settings) -> None:
    """Bound how long an unreachable tracking server keeps a user waiting (unless the user configured MLflow)."""
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", str(settings.mlflow_retries))
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", str(settings.mlflow_timeout))
    # Progress bars for one-file downloads would litter notebook cells and server logs.
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")


def _bootstrap_embedded(settings: Settings) -> None:
    """Create the embedded SQLite store with its artifact root under ``MAESTRO_HOME``.

    MLflow would otherwise give the Default experiment (and any experiment a notebook creates) ``./mlruns``
    relative to whatever directory the process happens to run in.
    """
    settings.export_artifact_root()
    with _bootstrap_lock:
        if settings.tracking_uri in _bootstrapped:
            return
        from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

        with translate_errors("Opening the embedded MLflow store"):
            SqlAlchemyStore(settings.tracking_uri, settings.artifact_root)  # type: ignore[no-untyped-call]
        _bootstrapped.add(settings.tracking_uri)


@contextlib.contextmanager
def _scratch() -> Iterator[str]:
    path = tempfile.mkdtemp(prefix="maestro-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
