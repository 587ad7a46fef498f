"""``%maestro`` / ``%%maestro``: one magic, many subcommands (``%maestro help`` lists them).

Each subcommand parses its arguments into a typed namespace and returns a display object; user errors (bad
arguments, unknown models, an unreachable tracking server) become one ``UsageError`` line, never a traceback.
Later features add subcommands with :func:`subcommand`. Only :mod:`maestro_jupyter.client` is imported from here,
and only on first use.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class

from .display import Table
from .errors import MaestroError
from .settings import Settings

if TYPE_CHECKING:
    from .client import MaestroClient


class _HelpShown(Exception):
    """``-h`` printed a subcommand's help; nothing else to do."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors as a ``UsageError`` instead of exiting the kernel."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} -h)")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            print(message)
        raise _HelpShown()


@dataclass(frozen=True)
class Subcommand:
    name: str
    summary: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[MaestroMagics, argparse.Namespace, str | None], Any]


SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(
    name: str, summary: str, configure: Callable[[argparse.ArgumentParser], None] = lambda p: None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``%maestro NAME``: ``configure`` adds its arguments; the decorated function returns what to show."""

    def register(run: Callable[..., Any]) -> Callable[..., Any]:
        SUBCOMMANDS[name] = Subcommand(name, summary, configure, run)
        return run

    return register


@magics_class
class MaestroMagics(Magics):  # type: ignore[misc]
    """The ``%maestro`` magic."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self._client: MaestroClient | None = None

    @property
    def client(self) -> MaestroClient:
        """The kernel's SDK client, built from the environment on first use."""
        if self._client is None:
            from .client import MaestroClient

            self._client = MaestroClient()
        return self._client

    @line_cell_magic  # type: ignore[misc]
    def maestro(self, line: str, cell: str | None = None) -> Any:
        """Maestro from a notebook: ``%maestro help`` lists the subcommands."""
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"%maestro: cannot parse the line ({exc})") from None
        name, args = (words[0], words[1:]) if words else ("help", [])
        sub = SUBCOMMANDS.get(name)
        if sub is None:
            close = difflib.get_close_matches(name, SUBCOMMANDS, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise UsageError(f"Unknown %maestro subcommand '{name}'.{hint} Try %maestro help.")
        parser = _Parser(prog=f"%maestro {name}", description=sub.summary)
        sub.configure(parser)
        try:
            parsed = parser.parse_args(args)
            return sub.run(self, parsed, cell)
        except _HelpShown:
            return None
        except MaestroError as exc:
            # One readable line: the kernel shows a UsageError without a traceback.
            raise UsageError(exc.message) from None


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics; point plain ``mlflow`` calls in this kernel at Maestro's store."""
    settings = Settings.from_env()
    if settings.embedded_tracking:
        settings.ensure_home()  # MLflow's SQLite store needs the folder to exist
        settings.export_artifact_root()
    # So that `mlflow.start_run()` in the notebook logs where the sidebar and the SDK look.
    os.environ.setdefault("MLFLOW_TRACKING_URI", settings.tracking_uri)
    ipython.register_magics(MaestroMagics)


# --- the foundation's subcommands --------------------------------------------------------------------------------


@subcommand("help", "List the %maestro subcommands")
def _help(magics: MaestroMagics, args: argparse.Namespace, cell: str | None) -> Table:
    rows = [[f"%maestro {s.name}", s.summary] for s in SUBCOMMANDS.values()]
    return Table("Maestro — add -h to any subcommand for its options", ["command", "what it does"], rows)


def _models_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("search", nargs="?", default=None, help="part of the model name")
    p.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE", help="only models with this tag")
    p.add_argument("--max", type=int, default=100, dest="max_results", help="page size (1-1000)")
    p.add_argument("--page-token", default=None, help="next_page_token of a previous listing")


@subcommand("models", "List registered models: %maestro models [SEARCH] [--tag KEY=VALUE]", _models_args)
def _models(magics: MaestroMagics, args: argparse.Namespace, cell: str | None) -> Any:
    tags = {}
    for item in args.tag:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"%maestro models: --tag takes KEY=VALUE, not {item!r}")
        tags[key] = value
    return magics.client.models.list(args.search, tags, args.max_results, args.page_token)


def _model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar="NAME[@ALIAS|/VERSION]", help="a model, or one version by alias or number")


@subcommand("model", "Show a model, or one version: %maestro model NAME[@ALIAS|/VERSION]", _model_args)
def _model(magics: MaestroMagics, args: argparse.Namespace, cell: str | None) -> Any:
    from .services.validation import ModelRef

    ref = ModelRef.parse(args.ref)
    return magics.client.models.get(ref.name, version=ref.version, alias=ref.alias)


def _experiments_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("search", nargs="?", default=None, help="part of the experiment name")


@subcommand("experiments", "List experiments: %maestro experiments [SEARCH]", _experiments_args)
def _experiments(magics: MaestroMagics, args: argparse.Namespace, cell: str | None) -> Any:
    return magics.client.experiments.list(args.search)


def _runs_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("experiment", help="experiment name or id")
    p.add_argument("--order-by", action="append", default=None, help="e.g. 'metrics.accuracy DESC'")
    p.add_argument("--filter", default="", help="MLflow run filter, e.g. 'metrics.accuracy > 0.9'")
    p.add_argument("--max", type=int, default=100, dest="max_results", help="page size (1-1000)")


@subcommand("runs", "List an experiment's runs: %maestro runs EXPERIMENT [--order-by 'metrics.m DESC']", _runs_args)
def _runs(magics: MaestroMagics, args: argparse.Namespace, cell: str | None) -> Any:
    return magics.client.experiments.runs(
        args.experiment, order_by=args.order_by, filter=args.filter, max_results=args.max_results
    )


def _compare_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", metavar="NAME", help="a registered model")
    p.add_argument("--metrics", default=None, help="comma-separated metric names (default: all)")
    p.add_argument("--versions", default=None, help="comma-separated version numbers (default: all)")


@subcommand("compare", "Chart metrics across a model's versions: %maestro compare NAME [--metrics a,b]", _compare_args)
def _compare(magics: MaestroMagics, args: argparse.Namespace, cell: str | None) -> Any:
    def split(text: str | None) -> list[str] | None:
        return [part.strip() for part in text.split(",") if part.strip()] if text else None

    return magics.client.models.compare(args.name, split(args.metrics), versions=split(args.versions))


# --- data: profile and features ----------------------------------------------------------------------------------


def _data_source(magics: MaestroMagics, text: str) -> Any:
    """A name in the notebook's namespace, else a file path."""
    namespace = magics.shell.user_ns if magics.shell is not None else {}
    if text in namespace:
        return namespace[text]
    if os.path.splitext(text)[1].lower() in (".csv", ".tsv", ".parquet", ".pq") or os.path.exists(text):
        return text
    raise UsageError(f"No DataFrame named '{text}' in the notebook, and no file '{text}'")


def _profile_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="DF|PATH", help="a DataFrame in the notebook, or a CSV/TSV/Parquet file")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--minimal", dest="minimal", action="store_true", default=True, help="quick report (default)")
    mode.add_argument("--full", dest="minimal", action="store_false", help="ydata-profiling's full report")
    p.add_argument("--no-report", dest="report", action="store_false", help="only the exact summary")
    p.add_argument("--sample", type=int, default=None, help="rows for the report when the data is larger")
    p.add_argument("--target", default=None, help="the target column (adds the imbalance check)")
    p.add_argument("--title", default=None, help="the report's title")
    p.add_argument("--output", default=None, metavar="PATH.html", help="also write the report to this file")
    p.add_argument("--compare", default=None, metavar="OTHER", help="a second DataFrame or file to compare with")
    p.add_argument("--log", action="store_true", help="attach the report to the active MLflow run")


@subcommand("profile", "Profile a dataset: %maestro profile DF|PATH [--full] [--target COL] [--log]", _profile_args)
def _profile(magics: MaestroMagics, args: argparse.Namespace, cell: str | None) -> Any:
    source = _data_source(magics, args.source)
    other = _data_source(magics, args.compare) if args.compare else None
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
    p.add_argument("--top", type=int, default=10, help="how many features count as the top ones")
    p.add_argument("--time-budget", type=float, default=60.0, help="seconds the model-based step may take")
    p.add_argument("--exclude", default="", help="comma-separated columns to leave out")


@subcommand("features", "Rank features for a target: %maestro features DF --target COL [--top K]", _features_args)
def _features(magics: MaestroMagics, args: argparse.Namespace, cell: str | None) -> Any:
    exclude = [c.strip() for c in args.exclude.split(",") if c.strip()]
    return magics.client.data.features(
        _data_source(magics, args.source),
        args.target,
        task=args.task,
        top=args.top,
        time_budget=args.time_budget,
        exclude=exclude,
    )


# --- model cards ---------------------------------------------------------------------------------------------------


def _card_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar="NAME[@ALIAS|/VERSION]", help="a model version (default: the newest)")
    p.add_argument("--format", default=None, choices=["md", "html", "pdf", "json"], help="what to show (default html)")
    p.add_argument("--save", default=None, metavar="PATH", help="also write the card to this file or folder")
    p.add_argument("--load", default=None, metavar="CARD.md", help="read an edited Markdown card back first")
    review = p.add_mutually_exclusive_group()
    review.add_argument("--approve", action="store_true", help="approve the card (records you and the time)")
    review.add_argument("--reopen", action="store_true", help="withdraw the approval")
    p.add_argument("--comment", default=None, help="why it was approved")
    p.add_argument("--preview", action="store_true", help="do not store the card with the version")


@subcommand(
    "card", "Model card: %maestro card NAME[@ALIAS|/VERSION] [--format md|html|pdf|json] [--save PATH]", _card_args
)
def _card(magics: MaestroMagics, args: argparse.Namespace, cell: str | None) -> Any:
    from pathlib import Path

    from .analysis.cards.view import CardOutput
    from .services.validation import ModelRef

    ref = ModelRef.parse(args.ref)
    cards = magics.client.cards
    where = {"version": ref.version, "alias": ref.alias}
    markdown = None
    if args.load:
        try:
            markdown = Path(args.load).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise UsageError(f"%maestro card: cannot read {args.load}: {reason}") from None
    status = "approved" if args.approve else "draft" if args.reopen else None
    if markdown is not None or status is not None:  # one change, saved once
        card = cards.update(ref.name, markdown=markdown, status=status, comment=args.comment, **where)
    else:
        card = cards.generate(ref.name, save=not args.preview, **where)
    saved = str(cards.save(card, args.save, format=args.format)) if args.save else None
    fmt = args.format or "html"
    return CardOutput(fmt, card.render(fmt), card.summary(), saved)


# --- model tests and the promotion gate ---------------------------------------------------------------------------


def _split_names(text: str | None) -> list[str] | None:
    return [part.strip() for part in text.split(",") if part.strip()] if text else None


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


@subcommand(
    "test",
    "Test a model version: %maestro test NAME[@ALIAS|/VERSION] --data DF --target COL [--sensitive COL,...]",
    _test_args,
)
def _test(magics: MaestroMagics, args: argparse.Namespace, cell: str | None) -> Any:
    from .services.validation import ModelRef

    ref = ModelRef.parse(args.ref)
    tests = magics.client.tests
    if args.history:
        version = ref.version
        if ref.alias is not None:
            version = magics.client.models.get(ref.name, alias=ref.alias).version  # type: ignore[union-attr]
        runs = tests.history(ref.name, version=version)
        rows = [
            [r.ran_at, f"v{r.version}", r.verdict, f"{r.passed}/{r.failed}/{r.skipped}", ", ".join(r.failed_checks)]
            for r in runs
        ]
        title = f"Test runs of {ref.name}" + (f" v{version}" if version else "")
        return Table(title, ["ran at", "version", "verdict", "passed/failed/skipped", "failed checks"], rows)
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
        _data_source(magics, args.data),
        args.target,
        version=ref.version,
        alias=ref.alias,
        sensitive=_split_names(args.sensitive),
        slices=_split_names(args.slices),
        policy=args.policy,
        thresholds=thresholds or None,
        reference=None if args.reference.lower() == "none" else args.reference,
        record=args.record,
    )


def _alias_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar="NAME/VERSION", help="the version the alias goes to")
    p.add_argument("alias", help="e.g. champion; gated aliases need passing tests")
    p.add_argument("--override", default=None, metavar="REASON", help="promote despite the tests; recorded")


@subcommand("alias", "Point an alias at a version: %maestro alias NAME/VERSION ALIAS [--override REASON]", _alias_args)
def _alias(magics: MaestroMagics, args: argparse.Namespace, cell: str | None) -> Any:
    from .services.validation import ModelRef

    ref = ModelRef.parse(args.ref)
    if ref.version is None:
        raise UsageError("%maestro alias: name the version as NAME/VERSION")
    mv = magics.client.models.set_alias(ref.name, args.alias, ref.version, override_reason=args.override)
    note = " (gate overridden; recorded)" if args.override else ""
    print(f"{args.alias} -> {ref.name} v{mv.version}{note}")
    return None


# The compute subcommands (train, jobs, logs, deploy, ...) register themselves on import.
from . import magics_compute, magics_costs  # noqa: E402, F401
