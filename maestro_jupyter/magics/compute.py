"""``%maestro train``, ``jobs``, ``logs``, ``cancel``, ``deploy``, ``deployments``, ``predict``, ``undeploy``."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from IPython.core.error import UsageError

from .base import MagicContext, Subcommands, data_source

COMMANDS = Subcommands()


def _train_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "script", nargs="?", metavar="SCRIPT", help="a .py or .ipynb file (omit in a %%%%maestro train cell)"
    )
    p.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE", help="a parameter (repeatable)")
    p.add_argument("--name", default=None, help="the job's name (default: the script's)")
    p.add_argument("--experiment", default=None, help="the MLflow experiment (default: maestro-training)")
    p.add_argument("--cpus", type=float, default=None)
    p.add_argument("--memory", default=None, help="e.g. 4Gi")
    p.add_argument("--gpus", type=int, default=0)
    p.add_argument("--workers", type=int, default=1, help="more than 1: distributed (Kubernetes)")
    p.add_argument("--features", default=None, metavar="SERVICE", help="a feature service to train on, e.g. churn_v1")
    p.add_argument("--follow", action="store_true", help="print the job's output here until it ends")


@COMMANDS.add(
    "train",
    "Run a training job: %maestro train SCRIPT [-p k=v]... [--cpus N] [--features SERVICE] [--follow], or "
    "%%maestro train",
    _train_args,
)
def _train(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    params = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"%maestro train: a parameter is KEY=VALUE, not {item!r}")
        params[key.strip()] = value
    if cell is not None and args.script:
        raise UsageError("%%maestro train runs the cell; give no SCRIPT (or use the line magic)")
    if cell is None and not args.script:
        raise UsageError("%maestro train needs a SCRIPT (or use %%maestro train with the code in the cell)")
    job = magics.client.training.submit(
        args.script,
        source=cell,
        params=params,
        name=args.name,
        experiment=args.experiment,
        cpus=args.cpus,
        memory=args.memory,
        gpus=args.gpus,
        workers=args.workers,
        features=args.features,
    )
    # The job shows itself: a summary line (status, estimate, the command to follow it), the details folded.
    if args.follow:
        estimate = job.estimate
        _print_following(magics, job.id)
        return job.refresh().job.model_copy(update={"estimate": estimate})
    return job.job


def _jobs_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--status", default=None, help="a status, a comma-separated list, active or finished")
    p.add_argument("--user", default=None, help="only this user's jobs")
    p.add_argument("--limit", type=int, default=50)


@COMMANDS.add("jobs", "List training jobs: %maestro jobs [--status active] [--user NAME]", _jobs_args)
def _jobs(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    return magics.client.training.list(status=args.status, user=args.user, limit=args.limit)


def _logs_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("job_id", metavar="ID")
    p.add_argument("--follow", "-f", action="store_true", help="keep printing until the job ends (interrupt to stop)")


@COMMANDS.add("logs", "Show a job's output: %maestro logs ID [--follow]", _logs_args)
def _logs(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    if args.follow:
        _print_following(magics, args.job_id)
        return None
    text = magics.client.training.logs(args.job_id)
    print(text if text else f"(no output from {args.job_id} yet)", end="" if text else "\n")
    return None


def _print_following(magics: MagicContext, job_id: str) -> None:
    try:
        for text in magics.client.training.logs(job_id, follow=True):
            sys.stdout.write(text)
            sys.stdout.flush()
    except KeyboardInterrupt:  # stop following; the job goes on
        print(f"\n(stopped following {job_id}; it is still running)")
        return
    job = magics.client.training.get(job_id).job
    print(f"\n{job.id} {job.status}" + (f": {job.reason}" if job.reason else ""))


def _cancel_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("job_id", metavar="ID")


@COMMANDS.add("cancel", "Cancel a training job: %maestro cancel ID", _cancel_args)
def _cancel(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    job = magics.client.training.cancel(args.job_id).job
    print(f"{job.id} {job.status}" + (f": {job.reason}" if job.reason else ""))
    return None


def _deploy_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar="NAME[@ALIAS|/VERSION]")
    p.add_argument("--name", default=None, help="the deployment's id (default: NAME-ALIAS or NAME-vVERSION)")
    p.add_argument("--replicas", type=int, default=1)
    p.add_argument("--cpus", type=float, default=None)
    p.add_argument("--memory", default=None)
    p.add_argument("--override", default=None, metavar="REASON", help="deploy despite failed or missing tests")
    p.add_argument("--no-wait", dest="wait", action="store_false", help="return while it starts")


@COMMANDS.add(
    "deploy", "Serve a model version: %maestro deploy NAME@ALIAS [--replicas N] [--override REASON]", _deploy_args
)
def _deploy(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    from ..contract.rules import ModelRef

    ref = ModelRef.parse(args.ref)
    deployment = magics.client.deployments.create(
        ref.name,
        version=ref.version,
        alias=ref.alias,
        name=args.name,
        replicas=args.replicas,
        cpus=args.cpus,
        memory=args.memory,
        override_reason=args.override,
        wait=args.wait,
    )
    d = deployment.deployment  # shows itself: status, version, replicas, the estimate, how to call it
    if d.status == "failed":
        raise UsageError(f"Deployment {d.id} failed: {d.reason}")
    return d


def _deployments_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--all", action="store_true", help="include stopped and failed deployments")


@COMMANDS.add("deployments", "List deployments: %maestro deployments [--all]", _deployments_args)
def _deployments(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    return magics.client.deployments.list(include_stopped=args.all)


def _predict_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("deployment_id", metavar="ID")
    p.add_argument("data", nargs="?", metavar="DF|PATH", help="a DataFrame in the notebook, or a CSV/Parquet file")
    p.add_argument(
        "--entity",
        action="append",
        default=[],
        metavar="KEY=VALUE[,KEY=VALUE]",
        help="an entity's keys (repeatable), for a model trained from a feature service: its online features are "
        "fetched from the store",
    )
    p.add_argument(
        "--entities", default=None, metavar="VAR", help="a DataFrame (or list of dicts) of entity keys in the notebook"
    )


@COMMANDS.add(
    "predict",
    "Predict with a deployment: %maestro predict ID DF|PATH, or by entity keys: %maestro predict ID --entity "
    "customer_id=7",
    _predict_args,
)
def _predict(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    keyed = bool(args.entity) or args.entities is not None
    if keyed and args.data:
        raise UsageError("%maestro predict takes DF|PATH (full feature rows) or --entity/--entities (keys), not both")
    if not keyed:
        if not args.data:
            raise UsageError("%maestro predict needs DF|PATH, or --entity KEY=VALUE for a model served from a store")
        return magics.client.deployments.predict(args.deployment_id, data_source(magics, args.data))
    entities: Any = [_entity_keys(text) for text in args.entity]
    if args.entities is not None:
        namespace = magics.shell.user_ns if magics.shell is not None else {}
        if args.entities not in namespace:
            raise UsageError(f"No variable named '{args.entities}' in the notebook (a DataFrame of entity keys)")
        given = namespace[args.entities]
        if entities:
            raise UsageError("%maestro predict takes --entity or --entities, not both")
        entities = given
    return magics.client.deployments.predict(args.deployment_id, entities=entities)


def _entity_keys(text: str) -> dict[str, Any]:
    """``customer_id=7,region=eu`` -> ``{"customer_id": 7, "region": "eu"}`` (numbers as numbers)."""
    keys: dict[str, Any] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"%maestro predict: an entity is KEY=VALUE[,KEY=VALUE], not {text!r}")
        keys[key.strip()] = _number_or_text(value.strip())
    return keys


def _number_or_text(value: str) -> Any:
    # Only plain decimals are numbers: "007" or "nan" stay the text a string key may be.
    if re.fullmatch(r"-?(0|[1-9]\d*)", value):
        return int(value)
    if re.fullmatch(r"-?(0|[1-9]\d*)\.\d+", value):
        return float(value)
    return value


def _undeploy_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("deployment_id", metavar="ID")


@COMMANDS.add("undeploy", "Stop a deployment: %maestro undeploy ID", _undeploy_args)
def _undeploy(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    d = magics.client.deployments.delete(args.deployment_id).deployment
    print(f"{d.id} {d.status}")
    return None
