"""The Kubernetes distribution of the hub (``jupyterhub/k8s/*.yaml``, ``jupyterhub/Dockerfile``), checked with real
components; no cluster, Docker engine or helm runs here. The users' pods and the hub's configuration
(``jupyterhub/values.yaml``) are checked in ``test_hub_kubernetes_values.py``, the Role in
``test_hub_kubernetes_rbac.py``.

- Every manifest validates against the official schemas (kubernetes-validate, strict), for the oldest Kubernetes the
  chart supports and the newest known here; the pieces (values.yaml, manifests) name each other consistently.
- The MLflow Deployment's settings run a real ``mlflow server`` that answers the Service's names and keeps artifacts.
- The wheel the image installs builds (offline) and, installed, enables the server and lab extensions; the
  Dockerfile agrees with the chart (user 1000, port 8888, ``jupyterhub-singleuser`` at the hub's minor version).
"""

from __future__ import annotations

import fnmatch
import http.client
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest

from maestro_jupyter.backends.compute import k8s_status
from tests.compute_helpers import poll
from tests.hub_distribution import (
    CHART_DEFAULTS,
    DB_SECRET,
    DB_SECRET_KEYS,
    HUB_MINOR,
    IMAGE,
    K8S_VERSIONS,
    MANIFESTS,
    REPO,
    SECRET_VALUES,
    SINGLEUSER,
    VALUES,
    dockerfile_copy,
    dockerfile_instructions,
    dockerfile_value,
    find,
)
from tests.live_server import stop
from tests.prometheus_server import free_port


def walk(obj: Any) -> Iterator[dict[str, Any]]:
    """Every mapping inside ``obj``."""
    if isinstance(obj, dict):
        yield obj
        for value in obj.values():
            yield from walk(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from walk(value)


# --- manifests ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_every_manifest_is_a_valid_kubernetes_object(version: str) -> None:
    kinds = sorted(f"{d['kind']}/{d['metadata']['name']}" for d in MANIFESTS)
    assert kinds == [
        "ConfigMap/maestro-postgres-init",
        "Deployment/maestro-mlflow",
        "LimitRange/maestro-default-size",
        "Namespace/maestro-workloads",
        "PersistentVolumeClaim/maestro-mlflow-artifacts",
        "Role/maestro-compute",
        "RoleBinding/maestro-compute",
        "Service/maestro-mlflow",
        "Service/maestro-postgres",
        "ServiceAccount/maestro",
        "StatefulSet/maestro-postgres",
    ]
    created = {"jupyterhub"}  # made before (kubectl create namespace, for the Secret)
    for doc in MANIFESTS:
        kubernetes_validate.validate(doc, version, strict=True)
        # `kubectl apply -f jupyterhub/k8s/` goes file by file, in name order: a namespace exists before its objects.
        if doc["kind"] == "Namespace":
            created.add(doc["metadata"]["name"])
        else:
            assert doc["metadata"]["namespace"] in created, doc["metadata"]


def test_the_pieces_name_each_other_consistently() -> None:
    env = SINGLEUSER["extraEnv"]
    account = find("ServiceAccount", SINGLEUSER["serviceAccountName"])
    hub_namespace = account["metadata"]["namespace"]
    binding = find("RoleBinding", "maestro-compute")
    role = find("Role", binding["roleRef"]["name"])
    workloads = env["MAESTRO_K8S_NAMESPACE"]
    # The users' service account is bound, in the namespace Maestro sends its workloads to, and only there.
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "maestro", "namespace": hub_namespace}]
    assert binding["roleRef"]["kind"] == "Role"
    assert role["metadata"]["namespace"] == binding["metadata"]["namespace"] == workloads != hub_namespace
    assert find("Namespace", workloads)["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "baseline"
    assert find("LimitRange", "maestro-default-size")["metadata"]["namespace"] == workloads

    # MLFLOW_TRACKING_URI is the MLflow Service, by a name its server answers to.
    tracking = urlsplit(env["MLFLOW_TRACKING_URI"])
    assert tracking.hostname is not None
    service_name, namespace = tracking.hostname.split(".")[:2]
    service = find("Service", service_name)
    assert service["metadata"]["namespace"] == namespace == hub_namespace
    assert [p["port"] for p in service["spec"]["ports"]] == [tracking.port]
    mlflow = find("Deployment", "maestro-mlflow")
    (server,) = mlflow["spec"]["template"]["spec"]["containers"]
    allowed = {e["name"]: e.get("value") for e in server["env"]}["MLFLOW_SERVER_ALLOWED_HOSTS"].split(",")
    assert tracking.netloc in allowed
    # Training and serving pods can reach it: it is neither a local file nor this machine's loopback.
    assert not k8s_status.unreachable_uri(env["MLFLOW_TRACKING_URI"])
    # One image for users, their jobs (by the hook) and the MLflow server.
    assert server["image"] == IMAGE

    # Every database credential comes from the one Secret; each of its keys is used.
    refs = [m["secretKeyRef"] for m in walk([VALUES, MANIFESTS]) if "secretKeyRef" in m]
    assert {r["name"] for r in refs} == {DB_SECRET}
    assert {r["key"] for r in refs} == DB_SECRET_KEYS
    # Secrets are created by hand, never shipped with a placeholder value.
    assert not [d for d in MANIFESTS if d["kind"] == "Secret"]


# --- MLflow --------------------------------------------------------------------------------------------------------


def request(port: int, method: str, path: str, host: str, body: bytes | None = None) -> tuple[int, bytes]:
    """One request with the Host header a client of the Service would send."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_the_mlflow_deployments_settings_run_a_server_that_answers_the_services_names(tmp_path: Path) -> None:
    deployment = find("Deployment", "maestro-mlflow")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    manifest_env = {e["name"]: e.get("value") for e in container["env"]}
    # The Secret's PostgreSQL URL and the volume's path become a SQLite file and a folder of the test's; the rest of
    # the container's environment, and its command, are the manifest's.
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MAESTRO_", "_MLFLOW"))}
    env.update({k: v for k, v in manifest_env.items() if v is not None})
    env.update(
        MLFLOW_BACKEND_STORE_URI=f"sqlite:///{tmp_path / 'mlflow.db'}",
        MLFLOW_ARTIFACTS_DESTINATION=str(tmp_path / "artifacts"),
        MLFLOW_HOST="127.0.0.1",
        MLFLOW_PORT=str(port),
    )
    assert container["command"][0] == "mlflow"
    command = [str(Path(sys.executable).parent / "mlflow"), *container["command"][1:], *container.get("args", [])]
    log = (tmp_path / "mlflow.log").open("wb")
    process = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    probe = container["readinessProbe"]["httpGet"]["path"]

    def healthy() -> bool:
        assert process.poll() is None, (tmp_path / "mlflow.log").read_text()[-3000:]
        try:
            # As the kubelet probes: the pod's IP as Host.
            return request(port, "GET", probe, "10.244.1.7:5000")[0] == 200
        except OSError:
            return False

    try:
        poll(healthy, "the MLflow server to answer its health probe", timeout=90)
        search = "/api/2.0/mlflow/experiments/search?max_results=1"
        for host in manifest_env["MLFLOW_SERVER_ALLOWED_HOSTS"].split(","):
            assert request(port, "GET", search, host)[0] == 200, host
        tracking = urlsplit(SINGLEUSER["extraEnv"]["MLFLOW_TRACKING_URI"]).netloc
        assert request(port, "GET", search, tracking)[0] == 200
        # Any other name (a DNS-rebinding attempt) is refused.
        assert request(port, "GET", search, "maestro-mlflow.attacker.example:5000")[0] == 403
        # Artifacts go through the server to its destination (the volume in the cluster).
        status, _ = request(port, "PUT", "/api/2.0/mlflow-artifacts/artifacts/0/run/model.txt", tracking, b"weights")
        assert status == 200
        assert (tmp_path / "artifacts" / "0" / "run" / "model.txt").read_bytes() == b"weights"
    finally:
        stop(process)
        log.close()


# --- the image -------------------------------------------------------------------------------------------------------


def test_the_dockerfile_builds_the_users_image_the_chart_expects() -> None:
    steps = dockerfile_instructions()
    # An official Python base, named without a registry host.
    assert steps[0] == ("FROM", "python:3.11-slim")
    # jupyterhub-singleuser of the hub's minor release.
    assert dockerfile_value("ARG") == f"JUPYTERHUB_VERSION={HUB_MINOR}.*"
    # jovyan, uid 1000, home /home/jovyan: the chart's uid and the home volume's mount point.
    useradd = next(rest.split() for key, rest in steps if key == "RUN" and rest.startswith("useradd"))
    assert useradd[-1] == "jovyan"
    assert useradd[useradd.index("--uid") + 1] == str(CHART_DEFAULTS["uid"])
    assert useradd[useradd.index("--home-dir") + 1] == SINGLEUSER["storage"]["homeMountPath"]
    assert dockerfile_value("USER") == str(CHART_DEFAULTS["uid"])
    assert dockerfile_value("WORKDIR") == SINGLEUSER["storage"]["homeMountPath"]
    # The MLflow server runs the same image as the same user.
    mlflow_pod = find("Deployment", "maestro-mlflow")["spec"]["template"]["spec"]
    assert mlflow_pod["securityContext"]["runAsUser"] == CHART_DEFAULTS["uid"]
    # The wheel, the single-user server, and the driver the database URLs name.
    assert dockerfile_copy("dist/maestro_jupyter-*.whl") == "/tmp/wheels/"
    install = next(rest for key, rest in steps if key == "RUN" and rest.startswith("pip install"))
    assert install.startswith('pip install /tmp/wheels/maestro_jupyter-*.whl "jupyterhub==${JUPYTERHUB_VERSION}"')
    assert '"psycopg[binary]>=3.1"' in install
    from sqlalchemy.engine import make_url

    assert make_url(SECRET_VALUES["maestro-url"]).get_dialect().driver == "psycopg"
    # The command the chart runs (singleuser.cmd), a console script of jupyterhub.
    assert dockerfile_value("CMD") == json.dumps([SINGLEUSER["cmd"]])
    scripts = importlib.metadata.entry_points(group="console_scripts", name=SINGLEUSER["cmd"])
    assert {script.dist.name for script in scripts if script.dist} == {"jupyterhub"}
    assert dockerfile_value("EXPOSE") == "8888"


def test_the_wheel_the_image_installs_enables_the_server_and_lab_extensions(tmp_path: Path) -> None:
    for backend in ("hatchling", "hatch_jupyter_builder", "hatch_nodejs_version"):
        pytest.importorskip(backend, reason="building the wheel offline needs the build backend in the venv")
    if not (REPO / "maestro_jupyter" / "labextension" / "static" / "style.js").exists():
        pytest.skip("the lab extension is not built (make build): the wheel would rebuild it with jlpm")
    stray = REPO / "maestro_jupyter" / "labextension" / "install.json"
    assert not stray.exists(), (
        f"{stray} makes the wheel hold install.json twice (hatchling refuses to build it): pip wrote it there "
        "through .venv's link to the build output when `make install` reinstalled the package. Delete it."
    )
    dist = tmp_path / "dist"
    # As the README builds it, but offline: no build isolation (the backend is installed), no index.
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(dist), "."],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = dist.iterdir()
    assert fnmatch.fnmatch(wheel.name, "maestro_jupyter-*.whl")  # what the Dockerfile COPYs
    version = wheel.name.split("-")[1]
    data = f"maestro_jupyter-{version}.data/data/"
    labextension = data + "share/jupyter/labextensions/maestro-jupyter/"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        server_config = json.loads(archive.read(data + "etc/jupyter/jupyter_server_config.d/maestro_jupyter.json"))
        package = json.loads(archive.read(labextension + "package.json"))
        metadata = archive.read(f"maestro_jupyter-{version}.dist-info/METADATA").decode()
    assert server_config == {"ServerApp": {"jpserver_extensions": {"maestro_jupyter": True}}}
    assert labextension + package["jupyterlab"]["_build"]["load"] in names
    assert labextension + "install.json" in names
    requires = {
        re.split(r"[<>=!~ ;\[]", line.removeprefix("Requires-Dist: "))[0].lower()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist: ")
    }
    assert {"mlflow", "jupyterlab", "jupyter-server", "kubernetes", "sqlalchemy"} <= {
        r.replace("_", "-") for r in requires
    }

    # Installed into a prefix (as pip does into the image's /usr/local), Jupyter finds and enables both extensions.
    prefix = tmp_path / "prefix"
    # --ignore-installed: the package may be installed (editable) in this venv already, and must still land here.
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed",
         "--prefix", str(prefix), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    site = next(prefix.glob("lib/python*/site-packages"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "MAESTRO_", "MLFLOW_"))}
    env.update(
        PYTHONPATH=str(site),  # the wheel's own copy of the package is the one validated
        JUPYTER_CONFIG_DIR=str(prefix / "etc" / "jupyter"),
        JUPYTER_PATH=str(prefix / "share" / "jupyter"),
        NO_COLOR="1",
    )
    jupyter = str(Path(sys.executable).parent / "jupyter")

    def listing(*args: str) -> str:
        done = subprocess.run([jupyter, *args], env=env, capture_output=True, text=True, timeout=120, check=True)
        return re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)

    servers = listing("server", "extension", "list")
    section = servers.split(f"Config dir: {prefix / 'etc' / 'jupyter'}")[1].split("Config dir:")[0]
    assert "maestro_jupyter enabled" in section
    assert f"maestro_jupyter {version} OK" in section
    labs = listing("labextension", "list")
    section = labs.split(str(prefix / "share" / "jupyter" / "labextensions"))[1].split("\n\n")[0]
    assert re.search(rf"maestro-jupyter v{re.escape(version)} enabled\s+OK", section), labs
