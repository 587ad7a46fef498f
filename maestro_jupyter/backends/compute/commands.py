"""The command lines jobs and serving replicas run, the same on every backend (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping

#: The port a serving replica listens on inside a pod (locally each replica takes a free port).
SERVING_PORT = 8080


def param_args(params: Mapping[str, str]) -> list[str]:
    """Parameters as ``--name value`` options, the way SageMaker and most training scripts' argparse take them."""
    args: list[str] = []
    for key, value in params.items():
        args += [f"--{key}", value]
    return args


def job_argv(python: str, kind: str, script: str, params: Mapping[str, str]) -> list[str]:
    """Run a script (or a ``%%maestro train`` cell saved as one) or execute a notebook, with its parameters."""
    if kind == "notebook":
        return [python, "-m", "maestro_jupyter.backends.compute.notebook", script, *param_args(params)]
    return [python, script, *param_args(params)]


def serving_argv(python: str, model_uri: str, host: str, port: int) -> list[str]:
    """``mlflow models serve`` for one replica: the current environment (no virtualenv/conda built), one worker."""
    return [
        python,
        "-m",
        "mlflow",
        "models",
        "serve",
        "--model-uri",
        model_uri,
        "--env-manager",
        "local",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        "1",
    ]
