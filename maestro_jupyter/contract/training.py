"""Requests about training jobs: submit, list, describe, read the output of, and cancel a job.

What a job runs travels as its code (``source``): the SDK reads a script the user names in the kernel, the REST API
reads one under the Jupyter root (:func:`script_fields`), so the service that starts the job needs none of the
submitter's files.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePath
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from .. import naming
from ..entities import JOB_ACTIVE, JOB_FINAL, Job, JobList, JobLogs
from ..errors import InvalidParameter
from . import rules
from .base import Request
from .feature_lineage import FeatureStoreName
from .fields import Cpus, Gpus, Memory, Workers

#: A ConfigMap holds at most 1 MiB; the same bound everywhere keeps a job portable between backends.
MAX_CODE_BYTES = 1_000_000
MAX_LOG_CHUNK = 1_000_000
#: What a file's suffix makes of a job.
JOB_KINDS = {".py": "script", ".ipynb": "notebook"}
_JOB_ID = re.compile(r"^job-[0-9a-f]{1,32}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
#: What Maestro sets in a job's environment and a user may not replace.
_RESERVED_ENV = ("MLFLOW_", "MAESTRO_", "_MLFLOW_")


def job_id(value: object) -> str:
    if not isinstance(value, str) or not _JOB_ID.match(value):
        raise InvalidParameter(f"Invalid job id {value!r}: ids look like job-1a2b3c4d")
    return value


#: A job's id, as Maestro made it.
JobId = Annotated[str, BeforeValidator(job_id)]


def check_code_size(size: int, what: str) -> None:
    if size > MAX_CODE_BYTES:
        raise InvalidParameter(
            f"{what} is {size:,} bytes; a job's code may be at most {MAX_CODE_BYTES:,} (keep data out of it)"
        )


def script_fields(path: Path, shown: str) -> dict[str, str]:
    """The :class:`SubmitJob` fields for a script or notebook file, read where it is (in the kernel by the SDK,
    under the Jupyter root by the REST API): its code, the name it is shown by, and its folder (where the job runs on
    the local backend, so that its sibling modules and relative paths work as they did there)."""
    if path.suffix.lower() not in JOB_KINDS:
        raise InvalidParameter(f"{shown}: a job runs a Python script (.py) or a notebook (.ipynb)")
    check_code_size(path.stat().st_size, shown)
    try:
        source = path.read_bytes().decode("utf-8")  # as it is: no newline translation
    except UnicodeDecodeError:
        raise InvalidParameter(f"{shown}: not UTF-8 text") from None
    return {"source": source, "file_name": shown, "workdir": str(path.parent)}


def _statuses(value: object) -> list[str] | None:
    """A status filter: a status, a comma-separated list or a list; ``active`` and ``finished`` stand for their
    groups; ``all`` (or nothing) for no filter."""
    if value is None or value == [] or value == "all" or value == "":
        return None
    if isinstance(value, str):
        names = value.split(",")
    elif isinstance(value, list | tuple):
        names = list(value)
    else:
        raise InvalidParameter("status must be a status or a list of statuses")
    out: list[str] = []
    for item in (str(n).strip() for n in names):
        if item == "active":
            out += JOB_ACTIVE
        elif item == "finished":
            out += JOB_FINAL
        elif item in JOB_ACTIVE or item in JOB_FINAL:
            out.append(item)
        else:
            known = ", ".join(("active", "finished", *JOB_ACTIVE, *JOB_FINAL))
            raise InvalidParameter(f"Unknown job status {item!r}; use one of {known}")
    return list(dict.fromkeys(out))


class SubmitJob(Request):
    """Start a training job: a script or notebook under the Jupyter root (``script``), or Python code (``source``:
    a cell, or a file's content named by ``file_name``)."""

    operation: ClassVar[str] = "training.submit"
    result: ClassVar[Any] = Job

    script: str | None = Field(
        default=None,
        min_length=1,
        max_length=4096,
        description="A .py or .ipynb file, relative to the Jupyter root (REST; it is read there and sent as source)",
    )
    source: str | None = Field(
        default=None,
        description="Python code to run (or a notebook's JSON, with file_name); at most 1,000,000 bytes",
        json_schema_extra={"maxLength": MAX_CODE_BYTES},
    )
    file_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=4096,
        description="The file source was read from, shown as the job's source: .py runs as a script, .ipynb as a "
        "notebook; none: source is a cell",
    )
    #: The folder the code came from, where the local backend runs it. Not part of the REST body: the server sets it
    #: (the script's folder under the Jupyter root, or the root).
    workdir: SkipJsonSchema[str | None] = Field(default=None, max_length=4096)
    name: str | None = Field(default=None, max_length=63, description="A DNS-1123 label; default: the script's name")
    params: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Passed as --name value options (and as the run's params)"
    )
    experiment: str | None = Field(
        default=None, max_length=256, description="Default: maestro-training (on a team: the member's own, their name)"
    )
    cpus: Cpus = None
    memory: Memory = None
    gpus: Gpus = 0
    workers: Workers = 1
    env: dict[str, str] = Field(default_factory=dict, description="Extra environment variables for the job")
    features: FeatureStoreName | None = Field(
        default=None,
        description="A feature service of the feature store (Feast) the job trains on: checked before the job starts, "
        "recorded on its MLflow run (service, views, registry version) and given to it as MAESTRO_FEATURE_SERVICE",
    )
    project: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The project the job is charged to: one of the submitter's (default: their default project)",
    )
    #: On a team, the member's own MLflow account, which the job runs with (the service holds only MLflow's admin
    #: account, which no member's code may see). Their client sends what the hub gave their server; not documented
    #: in the REST API, since clients set it, not people.
    mlflow_username: SkipJsonSchema[str | None] = Field(default=None, max_length=256)
    mlflow_password: SkipJsonSchema[str | None] = Field(default=None, max_length=1024, repr=False)

    # The rules' own messages, for the SDK and REST alike (before pydantic's bounds, which document the API).
    @field_validator("project", mode="before")
    @classmethod
    def _project(cls, value: object) -> object:
        return None if value is None else rules.project(value)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: object) -> object:
        return None if value is None else naming.dns_label(value, "job name")

    @field_validator("experiment", mode="before")
    @classmethod
    def _experiment(cls, value: object) -> object:
        return rules.name(value, "experiment name") if value else None

    @field_validator("params", mode="before")
    @classmethod
    def _params(cls, value: object) -> object:
        return rules.job_params(value)

    @field_validator("env", mode="before")
    @classmethod
    def _env(cls, value: object) -> object:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise InvalidParameter("env must be a mapping of variable names to values")
        for key, item in value.items():
            if not isinstance(key, str) or not _ENV_NAME.match(key):
                raise InvalidParameter(f"Invalid environment variable name {key!r}")
            if key.startswith(_RESERVED_ENV):
                raise InvalidParameter(f"{key} is set by Maestro for the job's MLflow run; it cannot be replaced")
            if not isinstance(item, str) or "\x00" in item:
                raise InvalidParameter(f"Environment variable {key} must be a string")
        return value

    @field_validator("file_name", "workdir")
    @classmethod
    def _path_text(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise InvalidParameter("A file name or folder may not contain NUL characters")
        return value

    @model_validator(mode="after")
    def _code(self) -> SubmitJob:
        if (self.script is None) == (self.source is None):
            raise InvalidParameter("Give a script (a .py or .ipynb file) or the source code to run, not both")
        if self.source is None:
            return self
        if self.file_name is not None:
            if PurePath(self.file_name).suffix.lower() not in JOB_KINDS:
                raise InvalidParameter(f"{self.file_name}: a job runs a Python script (.py) or a notebook (.ipynb)")
            check_code_size(len(self.source.encode()), self.file_name)
            return self
        if not self.source.strip():
            raise InvalidParameter("The code to run is empty")
        check_code_size(len(self.source.encode()), "The cell")
        try:
            compile(self.source, "<cell>", "exec")
        except SyntaxError as exc:
            raise InvalidParameter(f"The cell is not valid Python: line {exc.lineno}: {exc.msg}") from None
        except ValueError as exc:  # e.g. NUL characters in the code
            raise InvalidParameter(f"The cell is not valid Python: {exc}") from None
        return self

    @property
    def kind(self) -> str:
        """``script``, ``notebook`` or ``cell``."""
        return JOB_KINDS[PurePath(self.file_name).suffix.lower()] if self.file_name else "cell"


class ListJobs(Request):
    """Jobs, newest first."""

    operation: ClassVar[str] = "training.list"
    result: ClassVar[Any] = JobList

    status: list[str] | None = Field(
        default=None, description="Statuses (a comma-separated string is split); active / finished stand for groups"
    )
    user: str | None = Field(default=None, max_length=256, description="Only this user's jobs")
    project: str | None = Field(default=None, max_length=256, description="Only this project's jobs")
    limit: int = Field(default=100, ge=1, le=rules.MAX_PAGE)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: object) -> object:
        return _statuses(value)

    @field_validator("limit", mode="before")
    @classmethod
    def _limit(cls, value: object) -> object:
        return rules.page_size(value)


class GetJob(Request):
    """A job as it is now (an active one checked with its backend first)."""

    operation: ClassVar[str] = "training.get"
    result: ClassVar[Any] = Job

    job_id: JobId


class GetJobLogs(Request):
    """A job's output from byte ``offset`` (or its last ``tail`` bytes), at most ``limit`` bytes."""

    operation: ClassVar[str] = "training.logs"
    result: ClassVar[Any] = JobLogs

    job_id: JobId
    offset: int = Field(default=0, description="Start at this byte")
    limit: int = Field(default=65536, description="At most this many bytes (1 to 1,000,000)")
    tail: int | None = Field(default=None, description="Instead: the last this many bytes")

    @field_validator("offset")
    @classmethod
    def _offset(cls, value: int) -> int:
        if value < 0:
            raise InvalidParameter("offset must be 0 or more (use tail for the end of the log)")
        return value

    @field_validator("limit")
    @classmethod
    def _limit(cls, value: int) -> int:
        return min(max(value, 1), MAX_LOG_CHUNK)

    @field_validator("tail")
    @classmethod
    def _tail(cls, value: int | None) -> int | None:
        if value is not None and not 0 < value <= MAX_LOG_CHUNK:
            raise InvalidParameter(f"tail must be from 1 to {MAX_LOG_CHUNK} bytes")
        return value


class CancelJob(Request):
    """Cancel a job: stop it and everything it started (only its owner may)."""

    operation: ClassVar[str] = "training.cancel"
    result: ClassVar[Any] = Job

    job_id: JobId
