"""``%maestro profile`` and ``features``: datasets in the notebook."""

from __future__ import annotations

import argparse
from typing import Any

from .base import MagicContext, Subcommands, data_source

COMMANDS = Subcommands()


def _profile_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="DF|PATH", help="a DataFrame in the notebook, or a CSV/TSV/Parquet file")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--minimal", dest="minimal", action="store_true", default=True, help="quick report (default)")
    mode.add_argument("--full", dest="minimal", action="store_false", help="the profiling library's full report")
    p.add_argument("--no-report", dest="report", action="store_false", help="only the exact summary")
    p.add_argument("--sample", type=int, default=None, help="rows for the report when the data is larger")
    p.add_argument("--target", default=None, help="the target column (adds the imbalance check)")
    p.add_argument("--title", default=None, help="the report's title")
    p.add_argument("--output", default=None, metavar="PATH.html", help="also write the report to this file")
    p.add_argument("--compare", default=None, metavar="OTHER", help="a second DataFrame or file to compare with")
    p.add_argument("--log", action="store_true", help="attach the report to the active MLflow run")


@COMMANDS.add("profile", "Profile a dataset: %maestro profile DF|PATH [--full] [--target COL] [--log]", _profile_args)
def _profile(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    source = data_source(magics, args.source)
    other = data_source(magics, args.compare) if args.compare else None
    result = magics.client.data.profile(
        source,
        minimal=args.minimal,
        report=args.report,
        sample=args.sample,
        target=args.target,
        title=args.title,
        compare=other,
        output=args.output,
        log=args.log,
    )
    if args.output:
        print(f"Report written to {args.output}")
    return result


def _features_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="DF|PATH", help="a DataFrame in the notebook, or a CSV/TSV/Parquet file")
    p.add_argument("--target", required=True, help="the column to predict")
    p.add_argument("--task", default="auto", choices=["auto", "classification", "regression"])
    p.add_argument("--top", type=int, default=10, help="how many of the best-ranked features to show")
    p.add_argument("--time-budget", type=float, default=60.0, help="seconds the model-based step may take")
    p.add_argument("--exclude", default="", help="comma-separated columns to leave out")


@COMMANDS.add("features", "Rank features for a target: %maestro features DF --target COL [--top K]", _features_args)
def _features(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    exclude = [c.strip() for c in args.exclude.split(",") if c.strip()]
    report = magics.client.data.features(
        data_source(magics, args.source),
        args.target,
        task=args.task,
        top=args.top,
        time_budget=args.time_budget,
        exclude=exclude,
    )
    return report.head(args.top)  # the table shows the top N; the flags, and the report's data, stay whole
