"""Run a notebook as a training job: ``python -m maestro_jupyter.backends.compute.notebook NB.ipynb [--name value]``.

Parameters go in a cell inserted after the one tagged ``parameters`` (papermill's convention), or first. Cells run in
a fresh kernel (nbclient); each cell's printed output goes to standard output as it comes, so the job's log can be
followed. The executed notebook is saved next to the input as ``<name>.output.ipynb`` and, inside an MLflow run,
logged as its artifact. A failing cell fails the job.
"""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path
from typing import Any


def parameters_cell(params: dict[str, str]) -> str:
    """Python assignments for the parameters: numbers and booleans as such, everything else as strings."""
    lines = ["# Parameters given to the Maestro job"]
    for key, text in params.items():
        name = key.replace("-", "_").replace(".", "_")
        lines.append(f"{name} = {_literal(text)!r}")
    return "\n".join(lines)


def _literal(text: str) -> Any:
    if text in ("True", "true"):
        return True
    if text in ("False", "false"):
        return False
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, int | float) else text


def parse_params(args: list[str]) -> dict[str, str]:
    if len(args) % 2 or any(not a.startswith("--") for a in args[::2]):
        raise SystemExit("parameters must come as --name value pairs")
    return {args[i][2:]: args[i + 1] for i in range(0, len(args), 2)}


def run(path: Path, params: dict[str, str]) -> int:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    if params:
        at = next((i + 1 for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])), 0)
        cell = nbformat.v4.new_code_cell(parameters_cell(params))  # type: ignore[no-untyped-call]
        cell.metadata["tags"] = ["injected-parameters"]
        nb.cells.insert(at, cell)

    class StreamingClient(NotebookClient):  # type: ignore[misc]
        def output(self, outs: Any, msg: Any, display_id: Any, cell_index: int) -> Any:
            content = msg.get("content", {})
            if msg.get("msg_type") == "stream":
                print(content.get("text", ""), end="", flush=True)
            elif msg.get("msg_type") == "error":
                print("\n".join(content.get("traceback", [])), flush=True)
            return super().output(outs, msg, display_id, cell_index)

    client = StreamingClient(nb, timeout=None, kernel_name="python3", resources={"metadata": {"path": os.getcwd()}})
    code = 0
    try:
        client.execute()
    except CellExecutionError as exc:
        print(f"\nmaestro: a cell failed: {str(exc).strip().splitlines()[-1] if str(exc).strip() else exc}")
        code = 1
    out = path.with_name(f"{path.stem}.output.ipynb")
    nbformat.write(nb, out)  # type: ignore[no-untyped-call]
    if os.environ.get("MLFLOW_RUN_ID"):
        from mlflow.tracking import MlflowClient

        MlflowClient().log_artifact(os.environ["MLFLOW_RUN_ID"], str(out), "notebook")
    return code


def main() -> int:
    if len(sys.argv) < 2:
        print("usage: python -m maestro_jupyter.backends.compute.notebook NOTEBOOK [--name value]...", file=sys.stderr)
        return 2
    return run(Path(sys.argv[1]), parse_params(sys.argv[2:]))


if __name__ == "__main__":
    sys.exit(main())
