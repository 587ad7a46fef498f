"""Requests about datasets: profiles and feature discovery.

The data is either a frame (``data``: the SDK reads a file the user named in the kernel and sends its frame) or a
``path`` (REST: relative to the Jupyter root, which the handler confines it to, as the file browser shows it).
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from ..entities.frames import Frame
from ..errors import InvalidParameter
from .base import Lazy, Request

TASKS = ("auto", "classification", "regression")
MIN_SAMPLE, MAX_SAMPLE = 100, 10_000_000
MAX_TIME_BUDGET = 3600.0


def _profile_result() -> Any:
    from ..analysis.profiling import ProfileResult

    return ProfileResult


def _feature_report() -> Any:
    from ..analysis.features import FeatureReport

    return FeatureReport


class DataRequest(Request):
    """A request about one dataset: exactly one of ``path`` and ``data``."""

    path: str | None = Field(
        default=None,
        min_length=1,
        max_length=4096,
        description="A CSV/TSV/Parquet file, relative to the Jupyter root as the file browser shows it",
    )
    data: Frame | None = Field(default=None, description="The data itself (base64 Parquet), instead of a path")

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.path is None) == (self.data is None):
            raise InvalidParameter("Give the data as a path or a data frame (one of path, data)")
        return self


class ProfileData(DataRequest):
    """Profile a dataset: the exact summary and (unless ``report`` is false) the fg-data-profiling report, computed on
    a sample of ``sample`` rows of larger data. ``compare`` (or ``compare_path``) is a second dataset to compare
    with. The same data and options give the cached result."""

    operation: ClassVar[str] = "data.profile"
    result: ClassVar[Any] = Lazy(_profile_result)

    minimal: bool = True
    report: bool = True
    sample: int | None = Field(default=None, ge=MIN_SAMPLE, le=MAX_SAMPLE)
    target: str | None = Field(default=None, max_length=1000)
    title: str | None = Field(default=None, max_length=500)
    compare_path: str | None = Field(
        default=None, min_length=1, max_length=4096, description="A second file to compare with, under the root"
    )
    compare: Frame | None = Field(default=None, description="A second data frame to compare with")
    #: Progress bars where the profile is computed: the SDK asks for them in-process (the notebook shows them);
    #: never sent over a wire, so a server never draws them in its log.
    progress: SkipJsonSchema[bool] = Field(default=False, exclude=True)

    @field_validator("sample", mode="before")
    @classmethod
    def _sample(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and not MIN_SAMPLE <= value <= MAX_SAMPLE:
            raise InvalidParameter(f"sample must be between 100 and 10,000,000 rows, not {value}")
        return value

    @model_validator(mode="after")
    def _one_comparison(self) -> Self:
        if self.compare is not None and self.compare_path is not None:
            raise InvalidParameter("Give compare or compare_path, not both")
        return self


class DiscoverFeatures(DataRequest):
    """Rank the features of a dataset by how useful they are for predicting ``target``, with the evidence and the
    warnings (leakage, redundancy, constant, mostly-missing and ID-like columns)."""

    operation: ClassVar[str] = "data.features"
    result: ClassVar[Any] = Lazy(_feature_report)

    target: str = Field(min_length=1, max_length=1000)
    task: str = Field(default="auto", json_schema_extra={"enum": list(TASKS)})
    top: int = Field(default=10, ge=1, le=1000)
    time_budget: float = Field(default=60.0, ge=1, le=MAX_TIME_BUDGET)
    exclude: list[str] = Field(default_factory=list, max_length=10_000)

    @field_validator("task", mode="before")
    @classmethod
    def _task(cls, value: Any) -> Any:
        if value not in TASKS:
            raise InvalidParameter(f"task must be one of {', '.join(TASKS)}, not {value!r}")
        return value

    @field_validator("top", mode="before")
    @classmethod
    def _top(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and not 1 <= value <= 1000:
            raise InvalidParameter(f"top must be between 1 and 1000, not {value}")
        return value

    @field_validator("time_budget", mode="before")
    @classmethod
    def _time_budget(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool) and not 1 <= value <= MAX_TIME_BUDGET:
            raise InvalidParameter(f"time budget must be between 1 and 3600 seconds, not {value:g}")
        return value
