"""``%maestro runs`` and ``%maestro run``: an experiment's runs as a sortable table, and one run in full with its
learning curves."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from .base import MagicContext, Subcommands
from .run_views import RunsTable, RunView

if TYPE_CHECKING:
    from ..entities import MetricHistory, RunSummary

COMMANDS = Subcommands()
#: Keys one history request may name (the contract's limit).
KEYS_PER_REQUEST = 10
#: Learning curves a run view draws at most (the metrics with the most steps first).
MAX_CURVES = 12


def _runs_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "experiment",
        nargs="?",
        default=None,
        help="experiment name or id (default: $MLFLOW_EXPERIMENT_NAME, else the most recently updated experiment)",
    )
    p.add_argument("--filter", default="", help='MLflow\'s run search syntax, e.g. "metrics.accuracy > 0.9"')
    p.add_argument(
        "--sort",
        action="append",
        default=None,
        metavar="KEY [ASC|DESC]",
        help="e.g. metrics.accuracy (a metric alone: best first) or 'params.C ASC'; repeatable",
    )
    p.add_argument("--order-by", action="append", default=None, dest="order_by", help=argparse.SUPPRESS)
    p.add_argument("--max", type=int, default=100, dest="max_results", help="runs to show, 1-5000 (default 100)")


def sort_clause(text: str) -> str:
    """``--sort`` as MLflow's ``order_by``: a clause with a direction is taken as it is; a metric alone sorts best
    first (lowest first for a loss, error or time), anything else ascending."""
    from .run_views import lower_is_better

    clause = " ".join(text.split())
    if clause.upper().endswith((" ASC", " DESC")):
        return clause
    if clause.startswith("metrics."):
        return f"{clause} {'ASC' if lower_is_better(clause.removeprefix('metrics.')) else 'DESC'}"
    return f"{clause} ASC"


@COMMANDS.add(
    "runs",
    "An experiment's runs, best values marked: %maestro runs [EXPERIMENT] [--filter F] [--sort metrics.m]",
    _runs_args,
)
def _runs(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> RunsTable:
    experiments = magics.client.experiments
    name = args.experiment or os.environ.get("MLFLOW_EXPERIMENT_NAME") or None
    if name is None:
        recent = experiments.list(max_results=1)
        if not len(recent):
            raise UsageError("%maestro runs: there are no experiments yet: log a run with mlflow.start_run()")
        name = recent[0].name
    order = [sort_clause(s) for s in (args.sort or [])] + list(args.order_by or [])
    page = experiments.runs(name, order_by=order or None, filter=args.filter, max_results=args.max_results)
    shown = page.runs[0].experiment_name if page.runs and page.runs[0].experiment_name else name
    return RunsTable(page.runs, shown, order_by=order, filter=args.filter, more=page.next_page_token is not None)


def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("run_id", metavar="RUN_ID", help="the run's id")
    p.add_argument("--x", choices=("step", "time"), default="step", help="learning curves against step or time")


@COMMANDS.add(
    "run", "One run: params, metrics, tags, artifacts and learning curves: %maestro run RUN_ID [--x time]", _run_args
)
def _run(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> RunView:
    experiments = magics.client.experiments
    run = experiments.run(args.run_id)
    histories = _histories(magics, run)
    artifacts = experiments.artifacts(run.run_id)
    return RunView(run, histories, artifacts, chart=_curves(run, histories, args.x))


def _histories(magics: MagicContext, run: RunSummary) -> list[MetricHistory]:
    """Every metric's history of the run (a few keys per request)."""
    keys = sorted(run.metrics)
    found: list[MetricHistory] = []
    for start in range(0, len(keys), KEYS_PER_REQUEST):
        found += magics.client.experiments.metric_histories(run.run_id, keys[start : start + KEYS_PER_REQUEST]).series
    return found


def _curves(run: RunSummary, histories: list[MetricHistory], x: str) -> Any:
    """The learning curves of the metrics logged at more than one step, or ``None`` when there are none."""
    import pandas as pd

    from ..charts import history_chart

    curves = sorted((h for h in histories if h.total_points > 1), key=lambda h: -h.total_points)[:MAX_CURVES]
    if not curves:
        return None
    label = run.run_name or run.run_id[:8]
    frame = pd.DataFrame(
        [(label, h.key, p.step, p.timestamp, p.value) for h in curves for p in h.points],
        columns=["run", "key", "step", "timestamp", "value"],
    )
    frame["value"] = frame["value"].astype(float)
    return history_chart(frame, x=x, title=f"Learning curves of {label}")
