"""What the tests of the hub's Kubernetes distribution share (``tests/integration/test_hub_kubernetes*.py``):
where ``jupyterhub/`` is, ``values.yaml`` and the manifests of ``jupyterhub/k8s/`` as loaded, the names and versions
the chart and the image agree on, and ``jupyterhub/Dockerfile`` read instruction by instruction.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

REPO = Path(__file__).resolve().parents[1]
HUB_DIR = REPO / "jupyterhub"
VALUES: dict[str, Any] = yaml.safe_load((HUB_DIR / "values.yaml").read_text())
SINGLEUSER: dict[str, Any] = VALUES["singleuser"]
IMAGE = f"{SINGLEUSER['image']['name']}:{SINGLEUSER['image']['tag']}"
#: Zero to JupyterHub 4.4.0 runs JupyterHub 5.5 in its hub pod and supports Kubernetes 1.32 and later.
HUB_MINOR = "5.5"
K8S_VERSIONS = ("1.32.0", kubernetes_validate.utils.latest_version())
#: The Secret the database URLs come from, and its keys (created by hand, see postgres.yaml's header).
DB_SECRET = "maestro-db"
DB_SECRET_KEYS = {"password", "mlflow-url", "maestro-url"}
#: What a user's pod would read from that Secret.
SECRET_VALUES = {"maestro-url": "postgresql+psycopg://maestro:pw@maestro-postgres.jupyterhub.svc:5432/maestro"}
#: What the chart sets for user pods when values.yaml says nothing (singleuser.uid, singleuser.fsGid).
CHART_DEFAULTS = {"uid": 1000, "fs_gid": 100}


def load_manifests() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted((HUB_DIR / "k8s").glob("*.yaml")):
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


MANIFESTS = load_manifests()


def find(kind: str, name: str) -> dict[str, Any]:
    (found,) = [d for d in MANIFESTS if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of jupyterhub/Dockerfile, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (HUB_DIR / "Dockerfile").read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), " ".join(rest.split())))
    return found


def dockerfile_value(keyword: str) -> str:
    (value,) = [rest for key, rest in dockerfile_instructions() if key == keyword]
    return value


def dockerfile_copy(source: str) -> str:
    """Where the Dockerfile copies ``source`` to."""
    (destination,) = [
        rest.split()[1] for key, rest in dockerfile_instructions() if key == "COPY" and rest.split()[0] == source
    ]
    return destination
