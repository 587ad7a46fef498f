"""``%maestro models``, ``model``, ``experiments``, ``compare`` and ``alias``: the registry and its experiments (an
experiment's runs and one run: :mod:`.runs`)."""

from __future__ import annotations

import argparse
from typing import Any

from IPython.core.error import UsageError

from .base import MagicContext, Subcommands

COMMANDS = Subcommands()


def _models_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("search", nargs="?", default=None, help="part of the model name")
    p.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE", help="only models with this tag")
    p.add_argument("--max", type=int, default=100, dest="max_results", help="page size (1-1000)")
    p.add_argument("--page-token", default=None, help="next_page_token of a previous listing")


@COMMANDS.add("models", "List registered models: %maestro models [SEARCH] [--tag KEY=VALUE]", _models_args)
def _models(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    tags = {}
    for item in args.tag:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"%maestro models: --tag takes KEY=VALUE, not {item!r}")
        tags[key] = value
    return magics.client.models.list(args.search, tags, args.max_results, args.page_token)


def _model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar="NAME[@ALIAS|/VERSION]", help="a model, or one version by alias or number")


@COMMANDS.add("model", "Show a model, or one version: %maestro model NAME[@ALIAS|/VERSION]", _model_args)
def _model(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    from ..contract.rules import ModelRef

    ref = ModelRef.parse(args.ref)
    return magics.client.models.get(ref.name, version=ref.version, alias=ref.alias)


def _experiments_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("search", nargs="?", default=None, help="part of the experiment name")


@COMMANDS.add("experiments", "List experiments: %maestro experiments [SEARCH]", _experiments_args)
def _experiments(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    return magics.client.experiments.list(args.search)


def _compare_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", metavar="NAME", help="a registered model")
    p.add_argument("--metrics", default=None, help="comma-separated metric names (default: all)")
    p.add_argument("--versions", default=None, help="comma-separated version numbers (default: all)")


@COMMANDS.add(
    "compare", "Chart metrics across a model's versions: %maestro compare NAME [--metrics a,b]", _compare_args
)
def _compare(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    def split(text: str | None) -> list[str] | None:
        return [part.strip() for part in text.split(",") if part.strip()] if text else None

    return magics.client.models.compare(args.name, split(args.metrics), versions=split(args.versions))


def _alias_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar="NAME/VERSION", help="the version the alias goes to")
    p.add_argument("alias", help="e.g. champion; gated aliases need passing tests")
    p.add_argument("--override", default=None, metavar="REASON", help="promote despite the tests; recorded")


@COMMANDS.add(
    "alias", "Point an alias at a version: %maestro alias NAME/VERSION ALIAS [--override REASON]", _alias_args
)
def _alias(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    from ..contract.rules import ModelRef

    ref = ModelRef.parse(args.ref)
    if ref.version is None:
        raise UsageError("%maestro alias: name the version as NAME/VERSION")
    mv = magics.client.models.set_alias(ref.name, args.alias, ref.version, override_reason=args.override)
    note = " (gate overridden; recorded)" if args.override else ""
    print(f"{args.alias} -> {ref.name} v{mv.version}{note}")
    return None


# The compute subcommands (train, jobs, logs, deploy, ...) register themselves on import.
