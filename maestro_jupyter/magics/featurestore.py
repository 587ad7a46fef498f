"""``%maestro featurestore``: the Feast feature store from a cell.

``%maestro featurestore`` gives the overview; ``views [--search X]``, ``view NAME``, ``entities``, ``sources``,
``services [--search X]``, ``service NAME`` and ``search TEXT`` browse it; ``lineage`` says which model versions
were trained on which features; ``training-set ENTITY_DF (--service S | --features a:b,c) [--as VAR]`` builds a
point-in-time-correct training set into a notebook variable; ``save-service NAME --features a:b,c`` saves a
selection as a feature service.
"""

from __future__ import annotations

import argparse
from typing import Any

from IPython.core.error import UsageError

from .base import MagicContext, Subcommands, data_source, split_names

COMMANDS = Subcommands()
_PROG = "%maestro featurestore"


def _args(p: argparse.ArgumentParser) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", title="actions (none: the overview)")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = actions.add_parser(name, help=help_text, description=help_text)
        return sub

    add("overview", "the store at a glance (the default)")
    views = add("views", "feature views, with schema size, TTL and freshness")
    views.add_argument("--search", default=None, help="part of a name, description, tag or feature")
    view = add("view", "one feature view: schema, owner, tags, TTL, freshness")
    view.add_argument("name", metavar="NAME")
    add("entities", "entities and their join keys")
    add("sources", "data sources")
    services = add("services", "feature services")
    services.add_argument("--search", default=None, help="part of a name, description or feature")
    service = add("service", "one feature service and its features")
    service.add_argument("name", metavar="NAME")
    search = add("search", "search views, features, entities, sources and services")
    search.add_argument("text", nargs="+", metavar="TEXT")
    lineage = add("lineage", "which model versions were trained on which features")
    which = lineage.add_mutually_exclusive_group(required=True)
    which.add_argument("--service", default=None, help="the versions trained from this feature service")
    which.add_argument("--view", default=None, help="the versions trained on this view's features")
    which.add_argument("--model", default=None, help="the features this model's versions were trained on")
    lineage.add_argument("--version", default=None, help="with --model: one version")
    training = add("training-set", "a point-in-time-correct training set into a notebook variable")
    training.add_argument("entity_df", metavar="ENTITY_DF", help="a DataFrame (or file) of entity keys and timestamps")
    selection = training.add_mutually_exclusive_group(required=True)
    selection.add_argument("--service", default=None, help="a feature service")
    selection.add_argument("--features", default=None, metavar="VIEW:FEATURE,...", help="features or whole views")
    training.add_argument("--as", dest="target", default="training_set", metavar="VAR", help="default training_set")
    training.add_argument("--timestamp-column", default="event_timestamp", metavar="COL")
    save = add("save-service", "save a selection of features as a feature service")
    save.add_argument("name", metavar="NAME")
    save.add_argument("--features", required=True, metavar="VIEW:FEATURE,...", help="features or whole views")
    save.add_argument("--description", default="")
    save.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE", help="a tag (repeatable)")
    save.add_argument("--overwrite", action="store_true", help="replace a service of the same name")


@COMMANDS.add(
    "featurestore",
    "The feature store: %maestro featurestore [views|view NAME|services|search TEXT|lineage|training-set DF "
    "--service S|save-service NAME --features a:b,...] (-h lists every action)",
    _args,
)
def _featurestore(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    features = magics.client.features
    action = args.action or "overview"
    if action == "overview":
        return features.overview()
    if action == "views":
        return features.views(args.search)
    if action == "view":
        return features.view(args.name)
    if action == "entities":
        return features.entities()
    if action == "sources":
        return features.sources()
    if action == "services":
        return features.services(args.search)
    if action == "service":
        return features.service(args.name)
    if action == "search":
        return features.search(" ".join(args.text))
    if action == "lineage":
        if args.version is not None and args.model is None:
            raise UsageError(f"{_PROG} lineage: --version goes with --model")
        return features.lineage(service=args.service, view=args.view, model=args.model, version=args.version)
    if action == "training-set":
        return _training_set(magics, args)
    if action == "save-service":
        return _save_service(magics, args)
    raise UsageError(f"{_PROG}: unknown action {action!r}")  # pragma: no cover - argparse refuses it first


def _training_set(magics: MagicContext, args: argparse.Namespace) -> Any:
    target = args.target
    if not target.isidentifier():
        raise UsageError(f"{_PROG} training-set: --as takes a Python variable name, not {target!r}")
    selected = split_names(args.features)
    if args.features is not None and not selected:
        raise UsageError(f"{_PROG} training-set: --features names no feature")
    result = magics.client.features.build_training_set(
        data_source(magics, args.entity_df),
        features=selected,
        service=args.service,
        timestamp_column=args.timestamp_column,
    )
    magics.shell.user_ns[target] = result.frame
    print(f"Training set stored in {target}: {result.rows:,} rows, {len(result.frame.columns):,} columns")
    return result


def _save_service(magics: MagicContext, args: argparse.Namespace) -> Any:
    selected = split_names(args.features)
    if not selected:
        raise UsageError(f"{_PROG} save-service: --features names no feature")
    tags = {}
    for item in args.tag:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{_PROG} save-service: --tag takes KEY=VALUE, not {item!r}")
        tags[key.strip()] = value
    return magics.client.features.save_service(
        args.name, selected, description=args.description, tags=tags, overwrite=args.overwrite
    )
