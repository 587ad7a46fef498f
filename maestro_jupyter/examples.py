"""The example notebooks, into a user's home: what a hub does at every server start (``jupyterhub_config.py`` on one
machine, the postStart hook of ``values.yaml`` on Kubernetes)::

    python -m maestro_jupyter.examples SOURCE_FOLDER TARGET_FOLDER

Only the notebooks the target lacks are copied, so a user's edits survive every restart and new examples still
arrive.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def copy_new(source: Path, target: Path) -> list[Path]:
    """Copy each ``*.ipynb`` of ``source`` that ``target`` lacks; the copies made."""
    copied = []
    for notebook in sorted(source.glob("*.ipynb")):
        destination = target / notebook.name
        if not destination.exists():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(notebook, destination)
            copied.append(destination)
    return copied


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        raise SystemExit("usage: python -m maestro_jupyter.examples SOURCE_FOLDER TARGET_FOLDER")
    copy_new(Path(args[0]), Path(args[1]))


if __name__ == "__main__":
    main()
