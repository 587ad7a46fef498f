"""Every registered version's run metrics, aliases and training time, for the metrics exposition.

One registry search for the versions, then one run read per version; finished runs do not change, so their facts are
kept (the most recently used :data:`MAX_VERSIONS`, enough for every version a scrape reports) and a scrape costs one
search once the cache is warm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlflow.exceptions import MlflowException

from .mlflow_registry import MlflowRegistry, VersionCache, translate_errors

MAX_VERSIONS = 5000


@dataclass(frozen=True)
class VersionFacts:
    model: str
    version: str
    aliases: tuple[str, ...]
    metrics: dict[str, float] = field(default_factory=dict)
    #: How long the source run took, in seconds (``None``: no run, or still running).
    training_seconds: float | None = None
    tags: dict[str, str] = field(default_factory=dict)


#: Finished runs' metrics and duration, by run id.
_runs: VersionCache[tuple[dict[str, float], float | None]] = VersionCache(limit=MAX_VERSIONS)


def version_facts(registry: MlflowRegistry) -> list[VersionFacts]:
    """The facts of every registered version (up to :data:`MAX_VERSIONS`)."""
    client = registry.client
    with translate_errors("Listing the registered versions"):
        versions = list(client.search_model_versions(max_results=MAX_VERSIONS))
        aliases = _aliases(client, {mv.name for mv in versions})
        facts = []
        for mv in versions:
            metrics, seconds = _run_facts(client, mv.run_id) if mv.run_id else ({}, None)
            facts.append(
                VersionFacts(
                    model=mv.name,
                    version=str(mv.version),
                    aliases=tuple(sorted(aliases.get((mv.name, str(mv.version)), ()))),
                    metrics=metrics,
                    training_seconds=seconds,
                    tags=dict(mv.tags or {}),
                )
            )
    return facts


def _aliases(client: Any, names: set[str]) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for model in client.search_registered_models(max_results=1000):
        if model.name in names:
            for alias, version in (model.aliases or {}).items():
                found.setdefault((model.name, str(version)), []).append(alias)
    return found


def _run_facts(client: Any, run_id: str) -> tuple[dict[str, float], float | None]:
    cached = _runs.get(run_id)
    if cached is not None:
        return cached
    try:
        run = client.get_run(run_id)
    except MlflowException:  # a version whose run was deleted still has its own facts
        return {}, None
    info = run.info
    seconds = (info.end_time - info.start_time) / 1000 if info.end_time and info.start_time else None
    facts = ({k: float(v) for k, v in run.data.metrics.items()}, seconds)
    if info.status != "RUNNING":
        _runs.put(run_id, facts)
    return facts
