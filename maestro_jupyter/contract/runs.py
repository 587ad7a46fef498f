"""Requests about one run's details: its metric histories (learning curves) and its artifacts."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, field_validator

from ..entities import ArtifactList, ArtifactPreview, MetricHistories, MetricHistory
from ..errors import InvalidParameter
from .base import Document, Request
from .experiments import RunId

#: Points a history answer holds at most, by default and at the most a caller may ask for.
DEFAULT_POINTS = 1000
MAX_POINTS = 10_000
MIN_POINTS = 10
#: Runs and keys one overlay request may ask for.
MAX_HISTORY_RUNS = 100
MAX_HISTORY_KEYS = 10
MAX_METRIC_KEY = 250
MAX_ARTIFACT_PATH = 1000

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def metric_key(value: object) -> str:
    """A metric's name as MLflow takes it: 1-250 printable characters."""
    if not isinstance(value, str) or not value or len(value) > MAX_METRIC_KEY or _CONTROL.search(value):
        raise InvalidParameter(f"Invalid metric key {str(value)[:100]!r}: 1-{MAX_METRIC_KEY} printable characters")
    return value


def artifact_path(value: object) -> str:
    """A path inside a run's artifacts: relative, ``/``-separated, with no ``.`` or ``..`` segment, no empty segment,
    no backslash and no control character (NUL included). ``""`` is the artifacts' root; a trailing ``/`` is dropped.

    Artifacts are read through MLflow, never by joining a path onto a folder; the rule still refuses anything that
    could climb out of the run's artifacts in any store (a local folder, S3 keys, an HTTP artifact proxy)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidParameter("path must be a string: a path inside the run's artifacts, e.g. 'model/MLmodel'")
    text = value.rstrip("/") if value != "/" else value
    if not text:
        return ""
    problem = None
    if len(text) > MAX_ARTIFACT_PATH:
        problem = f"longer than {MAX_ARTIFACT_PATH} characters"
    elif _CONTROL.search(text):
        problem = "it holds a control character"
    elif "\\" in text:
        problem = "use '/' between folders, not '\\'"
    elif text.startswith("/") or re.match(r"^[A-Za-z]:", text) or "://" in text:
        problem = "it must be relative to the run's artifacts, not absolute"
    elif any(part in ("", ".", "..") for part in text.split("/")):
        problem = "no '.', '..' or empty folder names"
    if problem:
        raise InvalidParameter(f"Invalid artifact path {text[:200]!r}: {problem}")
    return text


MetricKey = Annotated[str, BeforeValidator(metric_key), Field(description="A metric's name")]
ArtifactPath = Annotated[
    str, BeforeValidator(artifact_path), Field(description="A path inside the run's artifacts ('' for the root)")
]
MaxPoints = Annotated[
    int,
    Field(ge=MIN_POINTS, le=MAX_POINTS, description=f"Points to return at most, {MIN_POINTS}-{MAX_POINTS}"),
]


def _distinct(values: list[str], what: str, most: int) -> list[str]:
    unique = list(dict.fromkeys(values))
    if not 1 <= len(unique) <= most:
        raise InvalidParameter(f"Give between 1 and {most} distinct {what}, not {len(unique)}")
    return unique


class GetMetricHistory(Request):
    """Every value a run logged for a metric, in step order, downsampled to at most ``max_points`` keeping the shape
    (the lowest and highest point of each bucket of consecutive points, and the first and last)."""

    operation: ClassVar[str] = "runs.get_metric_history"
    result: ClassVar[Any] = MetricHistory

    run_id: RunId
    key: MetricKey
    max_points: MaxPoints = DEFAULT_POINTS


class GetMetricHistories(Request):
    """Metric histories of up to 100 runs and 10 keys, for overlaid learning curves: one series per (run, key)."""

    operation: ClassVar[str] = "runs.get_metric_histories"
    result: ClassVar[Any] = MetricHistories

    run_ids: list[RunId] = Field(description=f"1 to {MAX_HISTORY_RUNS} run ids")
    keys: list[MetricKey] = Field(description=f"1 to {MAX_HISTORY_KEYS} metric keys")
    max_points: MaxPoints = DEFAULT_POINTS

    @field_validator("run_ids", mode="after")
    @classmethod
    def _runs(cls, value: list[str]) -> list[str]:
        return _distinct(value, "run ids", MAX_HISTORY_RUNS)

    @field_validator("keys", mode="after")
    @classmethod
    def _keys(cls, value: list[str]) -> list[str]:
        return _distinct(value, "metric keys", MAX_HISTORY_KEYS)


class ListArtifacts(Request):
    """The files and folders directly under ``path`` of a run's artifacts."""

    operation: ClassVar[str] = "runs.list_artifacts"
    result: ClassVar[Any] = ArtifactList

    run_id: RunId
    #: Not ``path``: the operations endpoint takes a field of that name for a file on the server.
    artifact_path: ArtifactPath = ""


class GetArtifactPreview(Request):
    """What a run view shows of one artifact: text, an image, a table's first rows, or only its size."""

    operation: ClassVar[str] = "runs.get_artifact_preview"
    result: ClassVar[Any] = ArtifactPreview

    run_id: RunId
    artifact_path: ArtifactPath

    @field_validator("artifact_path", mode="after")
    @classmethod
    def _a_file(cls, value: str) -> str:
        if not value:
            raise InvalidParameter("Name a file of the run's artifacts (path)")
        return value


class DownloadArtifact(Request):
    """One artifact file, as a download."""

    operation: ClassVar[str] = "runs.download_artifact"
    result: ClassVar[Any] = Document

    run_id: RunId
    artifact_path: ArtifactPath

    @field_validator("artifact_path", mode="after")
    @classmethod
    def _a_file(cls, value: str) -> str:
        if not value:
            raise InvalidParameter("Name a file of the run's artifacts (path)")
        return value
