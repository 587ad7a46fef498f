"""``%maestro test``: automated model tests."""

from __future__ import annotations

import argparse
from typing import Any

from IPython.core.error import UsageError

from ..entities import formatting as fmt
from ..entities.display import Table
from .base import MagicContext, Subcommands, data_source, split_names

COMMANDS = Subcommands()


def _test_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar="NAME[@ALIAS|/VERSION]", help="a model version (default: the newest)")
    p.add_argument("--data", metavar="DF|PATH", help="test data: a DataFrame in the notebook, or a CSV/Parquet file")
    p.add_argument("--target", help="the column holding the true labels or values")
    p.add_argument("--sensitive", default=None, metavar="COL,...", help="columns to measure fairness across")
    p.add_argument("--slices", default=None, metavar="COL,...", help="columns whose groups get their own metrics")
    p.add_argument("--policy", default=None, metavar="FILE.yaml", help="a YAML test policy (thresholds, knobs)")
    p.add_argument(
        "--threshold", action="append", default=[], metavar="METRIC=SPEC", help="e.g. accuracy=0.9, latency_p95_ms=<50"
    )
    p.add_argument("--reference", default="champion", metavar="ALIAS", help="compare with this alias ('none': skip)")
    p.add_argument("--no-record", dest="record", action="store_false", help="do not keep the report with the version")
    p.add_argument("--history", action="store_true", help="show the recorded test runs instead of testing")


@COMMANDS.add(
    "test",
    "Test a model version: %maestro test NAME[@ALIAS|/VERSION] --data DF --target COL [--sensitive COL,...]",
    _test_args,
)
def _test(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    from ..contract.rules import ModelRef

    ref = ModelRef.parse(args.ref)
    tests = magics.client.tests
    if args.history:
        version = ref.version
        if ref.alias is not None:
            version = magics.client.models.get(ref.name, alias=ref.alias).version  # type: ignore[union-attr]
        runs = tests.history(ref.name, version=version)
        rows = [
            [
                fmt.relative(r.ran_at),
                f"v{r.version}",
                r.verdict,
                r.passed,
                r.failed,
                r.skipped,
                ", ".join(r.failed_checks),
                r.ran_by or "",
            ]
            for r in runs
        ]
        title = f"Test runs of {ref.name}" + (f" v{version}" if version else "")
        headers = ["ran", "version", "verdict", "passed", "failed", "skipped", "failed checks", "by"]
        return Table(f"{title} · {fmt.count(len(rows), 'run')}", headers, rows)
    if not args.data or not args.target:
        raise UsageError("%maestro test: give --data DF and --target COL (or --history)")
    thresholds = {}
    for item in args.threshold:
        metric, sep, spec = item.partition("=")
        if not sep or not metric.strip():
            raise UsageError(f"%maestro test: --threshold takes METRIC=SPEC, e.g. accuracy=0.9, not {item!r}")
        thresholds[metric.strip()] = spec.strip()
    return tests.run(
        ref.name,
        data_source(magics, args.data),
        args.target,
        version=ref.version,
        alias=ref.alias,
        sensitive=split_names(args.sensitive),
        slices=split_names(args.slices),
        policy=args.policy,
        thresholds=thresholds or None,
        reference=None if args.reference.lower() == "none" else args.reference,
        record=args.record,
    )
