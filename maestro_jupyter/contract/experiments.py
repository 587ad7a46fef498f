"""Requests about experiments and their runs."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, field_validator

from ..entities import ExperimentPage, RunComparison, RunPage, RunSummary
from ..errors import InvalidParameter
from . import rules
from .base import Request
from .registry import PageSize, PageToken

MAX_FILTER = 4000
MAX_COMPARE = 100
#: Runs one page of a run listing may hold: an experiment of a few thousand runs sorts in one table.
MAX_RUN_PAGE = 5000
DEFAULT_RUN_ORDER = "attributes.start_time DESC"

RunId = Annotated[str, BeforeValidator(rules.run_id), Field(description="A run id")]


def run_page_size(value: object) -> int:
    """Runs per page, 1-5000 (default 100)."""
    if value is None or value == "":
        return 100
    try:
        size = value if isinstance(value, int) and not isinstance(value, bool) else int(str(value))
    except (TypeError, ValueError):
        raise InvalidParameter(f"max_results must be a whole number, not {value!r}") from None
    if not 1 <= size <= MAX_RUN_PAGE:
        raise InvalidParameter(f"max_results must be between 1 and {MAX_RUN_PAGE}, not {size}")
    return size


RunPageSize = Annotated[int, BeforeValidator(run_page_size), Field(description=f"Page size, 1-{MAX_RUN_PAGE}")]


def experiment(value: object) -> str:
    """An experiment's name or id (an id may come as a number)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return rules.name(value, "experiment")


def run_order(value: object) -> list[str]:
    """``order_by`` as one clause or a list of them (none: the newest runs first)."""
    if value is None or value == "" or value == []:
        return [DEFAULT_RUN_ORDER]
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise InvalidParameter("order_by must be a string or a list of strings, e.g. 'metrics.accuracy DESC'")
    return rules.run_order(list(values))


def run_filter(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_FILTER:
        raise InvalidParameter(f"filter must be a string of at most {MAX_FILTER} characters")
    return value


class ListExperiments(Request):
    """Active experiments, most recently updated first; ``search`` matches part of the name."""

    operation: ClassVar[str] = "experiments.list_experiments"
    result: ClassVar[Any] = ExperimentPage

    search: str | None = Field(default=None, description="Part of the experiment name, case-insensitive")
    max_results: PageSize = 100
    page_token: PageToken = None


class ListRuns(Request):
    """Runs of an experiment (by name or id) with their metrics, sorted by ``order_by``; ``filter`` is MLflow's run
    search syntax."""

    operation: ClassVar[str] = "experiments.list_runs"
    result: ClassVar[Any] = RunPage

    experiment: Annotated[str, BeforeValidator(experiment), Field(description="An experiment's name or id")]
    order_by: Annotated[list[str], BeforeValidator(run_order)] = Field(
        default_factory=lambda: [DEFAULT_RUN_ORDER], description="e.g. 'metrics.accuracy DESC'"
    )
    filter: Annotated[str, BeforeValidator(run_filter)] = Field(
        default="", max_length=MAX_FILTER, description='MLflow run search filter, e.g. "metrics.accuracy > 0.9"'
    )
    max_results: RunPageSize = 100
    page_token: PageToken = None


class GetRun(Request):
    """One run with its metrics, params and tags."""

    operation: ClassVar[str] = "experiments.get_run"
    result: ClassVar[Any] = RunSummary

    run_id: RunId


class CompareRuns(Request):
    """Every param and metric of 2 to 100 runs, aligned, with the keys whose values differ."""

    operation: ClassVar[str] = "experiments.compare_runs"
    result: ClassVar[Any] = RunComparison

    run_ids: list[RunId] = Field(description=f"2 to {MAX_COMPARE} distinct run ids")

    @field_validator("run_ids", mode="after")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        ids = list(dict.fromkeys(value))
        if not 2 <= len(ids) <= MAX_COMPARE:
            raise InvalidParameter(f"Compare needs between 2 and {MAX_COMPARE} distinct run ids, got {len(ids)}")
        return ids
