"""``%maestro cost``, ``estimate``, ``budget`` and ``alerts``."""

from __future__ import annotations

import argparse
from typing import Any

from IPython.core.error import UsageError

from .base import MagicContext, Subcommands

COMMANDS = Subcommands()


def _cost_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--by", default="project", choices=("user", "project", "model", "version", "kind"))
    p.add_argument(
        "--window", default="30d", help="how far back: 12h (rolling), or 30d, 4w in whole UTC days (default 30d)"
    )
    p.add_argument("--user", default=None, help="only this user's spend")
    p.add_argument("--project", default=None, help="only this project's spend")


@COMMANDS.add("cost", "Spend: %maestro cost [--by user|project|model|version|kind] [--window 30d]", _cost_args)
def _cost(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    return magics.client.costs.summary(args.by, args.window, user=args.user, project=args.project)


def _estimate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", nargs="?", default="job", choices=("job", "deployment"))
    p.add_argument("--cpus", type=float, default=None)
    p.add_argument("--memory", default=None, help="e.g. 4Gi")
    p.add_argument("--gpus", type=int, default=0)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--replicas", type=int, default=1)
    p.add_argument("--hours", type=float, default=None, help="a job's run time (default: its past runs)")
    p.add_argument("--name", default=None, help="the job's name, to look up its past runs")


@COMMANDS.add(
    "estimate", "What it would cost: %maestro estimate [job|deployment] [--cpus N] [--hours H]", _estimate_args
)
def _estimate(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    estimate = magics.client.costs.estimate(
        args.kind,
        cpus=args.cpus,
        memory=args.memory,
        gpus=args.gpus,
        workers=args.workers,
        replicas=args.replicas,
        hours=args.hours,
        name=args.name,
    )
    print(f"Estimated cost: {estimate.message} ({estimate.basis})")


def _budget_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", nargs="?", default="list", choices=("list", "set", "delete"))
    p.add_argument("budget", nargs="?", metavar="SCOPE:NAME", help="project:churn or user:alice")
    p.add_argument("amount", nargs="?", type=float, metavar="DOLLARS")
    period = p.add_mutually_exclusive_group()
    period.add_argument("--monthly", dest="period", action="store_const", const="monthly")
    period.add_argument("--weekly", dest="period", action="store_const", const="weekly")
    p.add_argument("--thresholds", default=None, help="alert at these percentages (default 50,80,100)")
    limit = p.add_mutually_exclusive_group()
    limit.add_argument("--hard", dest="hard_limit", action="store_const", const=True, help="refuse overspending work")
    limit.add_argument("--soft", dest="hard_limit", action="store_const", const=False, help="only alert")
    p.add_argument("--webhook", default=None, help="POST alerts to this URL")


@COMMANDS.add(
    "budget",
    "Budgets: %maestro budget | budget set project:churn 500 [--monthly|--weekly] [--hard] | budget delete ID",
    _budget_args,
)
def _budget(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    budgets = magics.client.budgets
    if args.action == "list":
        return budgets.list()
    if not args.budget:
        raise UsageError(f"%maestro budget {args.action} needs a budget: project:NAME or user:NAME")
    if args.action == "delete":
        budgets.delete(args.budget)
        print(f"Removed the budget {args.budget}")
        return None
    if args.amount is None:
        raise UsageError("%maestro budget set needs an amount in dollars, e.g. 500")
    thresholds = None
    if args.thresholds is not None:
        try:
            thresholds = [int(t) for t in args.thresholds.split(",") if t.strip()]
        except ValueError:
            raise UsageError(f"--thresholds takes whole percentages, e.g. 50,80,100, not {args.thresholds!r}") from None
    return budgets.set(
        args.budget,
        args.amount,
        period=args.period,
        thresholds=thresholds,
        hard_limit=args.hard_limit,
        webhook=args.webhook,
    )


def _alerts_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", type=int, default=20)


@COMMANDS.add("alerts", "Budget alerts, newest first: %maestro alerts [--limit N]", _alerts_args)
def _alerts(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    return magics.client.budgets.alerts(limit=args.limit)
