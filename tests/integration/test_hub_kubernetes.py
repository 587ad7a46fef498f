"""The Kubernetes distribution of the hub (``jupyterhub/k8s/*.yaml``, ``jupyterhub/Dockerfile``), checked with real
components; no cluster, Docker engine or helm runs here. The users' pods and the hub's configuration
(``jupyterhub/values.yaml``) are checked in ``test_hub_kubernetes_values.py``, the Role in
``test_hub_kubernetes_rbac.py``.

- Every manifest validates against the official schemas (kubernetes-validate, strict), for the oldest Kubernetes the
  chart supports and the newest known here; the pieces (values.yaml, manifests) name each other consistently, and
  who refers to which Secret is the trust table of the README: members nothing, the Maestro service the rest.
- The Maestro service's Deployment runs the real service: its environment resolves to team mode with the team's DB,
  namespace and images, and the service answers its probe and refuses a request without a hub identity. Its Feast
  repo (the ConfigMap maestro-feature-repo) is what ``write_team_repo`` writes for the team's PostgreSQL, holds no
  password, and Feast reads it in the service's environment.
- The MLflow Deployment's settings run a real ``mlflow server --app-name basic-auth`` with the auth Secret's ini: it
  answers the Service's names, only with a login, and keeps artifacts.
- The NetworkPolicies of the manifests let the service reach what it needs and keep PostgreSQL to the service and
  MLflow.
- The wheel the images install builds (offline) and, installed, enables the server and lab extensions, and gives the
  hub's hook what it imports without any dependency; the Dockerfile agrees with the chart.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from maestro_jupyter.backends.compute import k8s_objects, k8s_status
from maestro_jupyter.backends.mlflow_auth import provision_member
from maestro_jupyter.feature_team import PASSWORD_ENV as FEAST_PASSWORD_ENV
from maestro_jupyter.server.service import service_argv
from maestro_jupyter.settings import SETTINGS, Settings
from tests.compute_helpers import poll
from tests.hub_distribution import (
    CHART_DEFAULTS,
    CHART_VERSION,
    HAND_MADE_SECRETS,
    HUB,
    HUB_MINOR,
    HUB_NAMESPACE,
    IMAGE,
    K8S_VERSIONS,
    MANIFESTS,
    REPO,
    SECRETS,
    SINGLEUSER,
    VALUES,
    WORKLOADS_NAMESPACE,
    Endpoint,
    container_env,
    dockerfile_copy,
    dockerfile_instructions,
    dockerfile_stages,
    dockerfile_value,
    env_list,
    find,
    http_status,
    kube_dns,
    nowhere_kubeconfig,
    only_container,
    start_mlflow,
    template_endpoint,
    traffic_allowed,
    walk,
)
from tests.live_server import spawn_logged, stop
from tests.prometheus_server import free_port

#: The hub service the Maestro service is registered as (values.yaml: hub.services.<key>).
SERVICE_KEY = "maestro"
#: Where the service's pod mounts the team's Feast repo (the ConfigMap maestro-feature-repo).
FEATURE_REPO_MOUNT = "/etc/maestro/feature-repo"

# --- manifests ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_every_manifest_is_a_valid_kubernetes_object(version: str) -> None:
    kinds = sorted(f"{d['kind']}/{d['metadata']['name']}" for d in MANIFESTS)
    assert kinds == [
        "ConfigMap/maestro-feature-repo",
        "ConfigMap/maestro-postgres-init",
        "Deployment/maestro",
        "Deployment/maestro-mlflow",
        "LimitRange/maestro-default-size",
        "Namespace/maestro-workloads",
        "NetworkPolicy/maestro",
        "NetworkPolicy/maestro-mlflow",
        "NetworkPolicy/maestro-postgres",
        "PersistentVolumeClaim/maestro-mlflow-artifacts",
        "Role/maestro-compute",
        "RoleBinding/maestro-compute",
        "Service/maestro",
        "Service/maestro-mlflow",
        "Service/maestro-postgres",
        "ServiceAccount/maestro",
        "StatefulSet/maestro-postgres",
    ]
    created = {HUB_NAMESPACE}  # made before (kubectl create namespace, for the Secrets)
    for doc in MANIFESTS:
        kubernetes_validate.validate(doc, version, strict=True)
        # `kubectl apply -f jupyterhub/k8s/` goes file by file, in name order: a namespace exists before its objects.
        if doc["kind"] == "Namespace":
            created.add(doc["metadata"]["name"])
        else:
            assert doc["metadata"]["namespace"] in created, doc["metadata"]


def service_url(url: str) -> tuple[dict[str, Any], int]:
    """The manifests' Service an in-cluster URL names (``http://<name>.<namespace>.svc:<port>/...``), and its port."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    name, namespace = parts.hostname.split(".")[:2]
    service = find("Service", name)
    assert service["metadata"]["namespace"] == namespace
    assert parts.port in [p["port"] for p in service["spec"]["ports"]]
    return service, parts.port


def container_port(workload: str, name: str, service: dict[str, Any], port: int) -> int:
    """The container port a Service's port leads to, in the workload its selector picks."""
    template = find(workload, name)["spec"]["template"]
    assert service["spec"]["selector"].items() <= template["metadata"]["labels"].items()
    (target,) = [p["targetPort"] for p in service["spec"]["ports"] if p["port"] == port]
    (container,) = template["spec"]["containers"]
    return int(next(p["containerPort"] for p in container["ports"] if target in (p["name"], p["containerPort"])))


def test_the_pieces_name_each_other_consistently() -> None:
    users_env = SINGLEUSER["extraEnv"]
    deployment = find("Deployment", "maestro")
    pod = deployment["spec"]["template"]["spec"]
    service_env = {e["name"]: e for e in only_container("Deployment", "maestro")["env"]}
    value = {name: item.get("value") for name, item in service_env.items()}

    # The Role is bound to the service's account, in the namespace the service sends workloads to, and only there.
    account = find("ServiceAccount", pod["serviceAccountName"])
    assert account["metadata"]["namespace"] == deployment["metadata"]["namespace"] == HUB_NAMESPACE
    assert pod["automountServiceAccountToken"] is True
    binding = find("RoleBinding", "maestro-compute")
    role = find("Role", binding["roleRef"]["name"])
    assert binding["roleRef"]["kind"] == "Role"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "maestro", "namespace": HUB_NAMESPACE}]
    workloads = value["MAESTRO_K8S_NAMESPACE"]
    assert role["metadata"]["namespace"] == binding["metadata"]["namespace"] == workloads == WORKLOADS_NAMESPACE
    assert workloads != HUB_NAMESPACE
    assert find("Namespace", workloads)["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "baseline"
    assert find("LimitRange", "maestro-default-size")["metadata"]["namespace"] == workloads
    # Users' pods run as no service account of Maestro's, with no token mounted.
    assert "serviceAccountName" not in SINGLEUSER
    assert SINGLEUSER["extraPodConfig"]["automountServiceAccountToken"] is False

    # MAESTRO_URL is the service's Service, under the prefix the hub gives the service it is registered as.
    maestro_url = users_env["MAESTRO_URL"]
    service, port = service_url(maestro_url)
    assert container_port("Deployment", "maestro", service, port) == urlsplit(value["JUPYTERHUB_SERVICE_URL"]).port
    registered = HUB["services"][SERVICE_KEY]
    assert service_url(registered["url"]) == (service, port)
    assert urlsplit(registered["url"]).path in ("", "/")
    assert value["JUPYTERHUB_SERVICE_NAME"] == SERVICE_KEY
    assert value["JUPYTERHUB_SERVICE_PREFIX"] == f"/services/{SERVICE_KEY}/" == urlsplit(maestro_url).path + "/"
    assert value["JUPYTERHUB_CLIENT_ID"] == f"service-{SERVICE_KEY}"
    assert registered["oauth_no_confirm"] is True
    # It reaches the chart's hub Service, with the token the chart keeps for it in the Secret "hub".
    api = urlsplit(value["JUPYTERHUB_API_URL"])
    assert (api.hostname, api.port, api.path) == (f"hub.{HUB_NAMESPACE}.svc", 8081, "/hub/api")
    token_ref = service_env["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert token_ref == {"name": "hub", "key": f"hub.services.{SERVICE_KEY}.apiToken"}
    # Its probes go to the service itself, under its prefix.
    container = only_container("Deployment", "maestro")
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"].startswith(value["JUPYTERHUB_SERVICE_PREFIX"])

    # MLFLOW_TRACKING_URI is the MLflow Service for members and the service alike (the service hands it out with
    # each member's account), by a name it answers to; the hub reaches the service at the members' MAESTRO_URL.
    tracking = users_env["MLFLOW_TRACKING_URI"]
    assert tracking == value["MLFLOW_TRACKING_URI"]
    assert HUB["extraEnv"] == {"MAESTRO_URL": maestro_url}
    service, port = service_url(tracking)
    assert service["metadata"]["name"] == "maestro-mlflow"
    mlflow_env = {e["name"]: e.get("value") for e in only_container("Deployment", "maestro-mlflow")["env"]}
    assert urlsplit(tracking).netloc in mlflow_env["MLFLOW_SERVER_ALLOWED_HOSTS"].split(",")
    # Training and serving pods can reach it: it is neither a local file nor this machine's loopback.
    assert not k8s_status.unreachable_uri(tracking)

    # One image for users, the service, its jobs and deployments, and the MLflow server.
    assert container["image"] == value["MAESTRO_JOB_IMAGE"] == value["MAESTRO_SERVING_IMAGE"] == IMAGE
    assert only_container("Deployment", "maestro-mlflow")["image"] == IMAGE


def secret_refs(obj: Any) -> set[tuple[str, str]]:
    """(Secret, key) of every secretKeyRef and Secret volume item inside ``obj``."""
    refs = {(m["secretKeyRef"]["name"], m["secretKeyRef"]["key"]) for m in walk(obj) if "secretKeyRef" in m}
    for volume in walk(obj):
        if "secret" in volume and "secretName" in volume["secret"]:
            items = volume["secret"].get("items")
            assert items, f"Secret volume {volume['name']} mounts every key: project the ones needed"
            refs |= {(volume["secret"]["secretName"], item["key"]) for item in items}
    return refs


def test_who_holds_which_secret() -> None:
    """The trust table of the README, as the files say it: each Secret key reaches only the pods listed."""
    holders = {
        "members' servers": secret_refs(SINGLEUSER),
        "hub": secret_refs(env_list(HUB["extraEnv"])),
        "Maestro service": secret_refs(find("Deployment", "maestro")),
        "MLflow": secret_refs(find("Deployment", "maestro-mlflow")),
        "PostgreSQL": secret_refs(find("StatefulSet", "maestro-postgres")),
    }
    assert holders == {
        "members' servers": set(),
        "hub": set(),  # its pre-spawn hook asks the service, as the member, for the member's MLflow account
        "Maestro service": {
            ("maestro-db", "maestro-url"),
            ("maestro-db", "password"),  # the feature store's database (Feast's registry and online store)
            ("maestro-mlflow-admin", "username"),
            ("maestro-mlflow-admin", "password"),
            ("hub", f"hub.services.{SERVICE_KEY}.apiToken"),
            ("maestro-service", "alert-webhook"),
        },
        "MLflow": {
            ("maestro-db", "mlflow-url"),
            ("maestro-mlflow-auth", "basic_auth.ini"),
            ("maestro-mlflow-auth", "flask-secret-key"),
        },
        "PostgreSQL": {("maestro-db", "password")},
    }
    # Every key of the Secrets a person creates is used, and nothing refers to a Secret the README does not make.
    used = set().union(*holders.values())
    made = {(name, key) for name in HAND_MADE_SECRETS for key in SECRETS[name]}
    assert made <= used
    assert {name for name, _ in used} <= set(SECRETS)
    assert secret_refs([VALUES, MANIFESTS]) == used
    # Secrets are created by hand (or by the chart), never shipped with a placeholder value.
    assert not [d for d in MANIFESTS if d["kind"] == "Secret"]
    # The webhook is optional: without that Secret the service still starts.
    webhook = next(m for m in walk(find("Deployment", "maestro")) if m.get("name") == "MAESTRO_ALERT_WEBHOOK")
    assert webhook["valueFrom"]["secretKeyRef"]["optional"] is True


# --- the Maestro service -------------------------------------------------------------------------------------------


def test_the_service_deployment_resolves_to_team_mode_with_the_teams_stores(tmp_path: Path) -> None:
    container = only_container("Deployment", "maestro")
    env = container_env(container["env"])
    settings = Settings.from_env(env, home=str(tmp_path))
    assert settings.team is True
    assert settings.db_url == SECRETS["maestro-db"]["maestro-url"]
    assert settings.compute == "kubernetes"
    assert settings.k8s_namespace == WORKLOADS_NAMESPACE
    assert settings.job_image == settings.serving_image == IMAGE
    assert settings.tracking_uri == SINGLEUSER["extraEnv"]["MLFLOW_TRACKING_URI"]
    assert settings.prometheus_url == "http://prometheus-operated.monitoring.svc:9090"
    assert settings.alert_webhook == SECRETS["maestro-service"]["alert-webhook"]
    assert settings.url is None  # it is the service: its operations run in its own process
    assert str(settings.feast_repo) == FEATURE_REPO_MOUNT  # the team's Feast repo (the ConfigMap maestro-feature-repo)
    # Without the optional webhook Secret, no webhook (and no failure).
    without = {name: keys for name, keys in SECRETS.items() if name != "maestro-service"}
    assert Settings.from_env(container_env(container["env"], without), home=str(tmp_path)).alert_webhook is None

    # Every variable set is one that is read: Maestro's settings, the hub's service variables, MLflow's credentials.
    readers = {spec.env for spec in SETTINGS} | {"PYTHONUNBUFFERED", "MLFLOW_TRACKING_USERNAME", FEAST_PASSWORD_ENV}
    readers |= {"MLFLOW_TRACKING_PASSWORD", "JUPYTERHUB_API_URL", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_CLIENT_ID"}
    readers |= {"JUPYTERHUB_SERVICE_NAME", "JUPYTERHUB_SERVICE_URL", "JUPYTERHUB_SERVICE_PREFIX"}
    assert set(env) <= readers, set(env) - readers

    # The server options the service makes of that environment: all of the pod's addresses on the container's port,
    # the hub's prefix, and callers must hold access to the service the hub knows it as.
    argv = dict(arg.removeprefix("--").split("=", 1) for arg in service_argv(env, str(tmp_path)))
    assert argv["ServerApp.ip"] == "0.0.0.0"  # noqa: S104 - what the pod's manifest asks for; tests never bind it
    assert int(argv["ServerApp.port"]) == container["ports"][0]["containerPort"]
    assert argv["ServerApp.base_url"] == f"/services/{SERVICE_KEY}/"
    assert argv["HubOAuth.access_scopes"] == f"access:services!service={SERVICE_KEY}"
    assert argv["Maestro.team"] == "True"
    assert "--allow-root" not in container["command"]  # the container runs as uid 1000
    assert find("Deployment", "maestro")["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == 1000


def test_the_service_deployment_runs_the_service(tmp_path: Path) -> None:
    """The Deployment's command and environment, run here: the Secrets' values as the kubelet resolves them, the
    database a SQLite file, the hub, MLflow and Prometheus addresses of the test's where nothing listens, on a free
    loopback port, with no cluster. The probe's path answers without a login; Maestro's API wants a hub identity."""
    container = only_container("Deployment", "maestro")
    env = container_env(container["env"])
    port = free_port()
    env.update(
        JUPYTERHUB_SERVICE_URL=f"http://127.0.0.1:{port}",
        JUPYTERHUB_API_URL=f"http://127.0.0.1:{free_port()}/hub/api",
        MAESTRO_DB_URL=f"sqlite:///{tmp_path / 'maestro.db'}",
        MLFLOW_TRACKING_URI=f"http://127.0.0.1:{free_port()}",
        MAESTRO_PROMETHEUS_URL=f"http://127.0.0.1:{free_port()}",
    )
    home = tmp_path / "home"
    home.mkdir()
    kubeconfig = nowhere_kubeconfig(tmp_path)  # the service must not touch a developer's cluster
    leaky = ("MAESTRO_", "MLFLOW_", "JUPYTER", "JPY_", "KUBERNETES_")
    process_env = {k: v for k, v in os.environ.items() if not k.startswith(leaky)}
    process_env.update(env, HOME=str(home), KUBECONFIG=str(kubeconfig))
    assert container["command"][:1] == ["python"]
    command = [sys.executable, *container["command"][1:], *(["--allow-root"] if os.geteuid() == 0 else [])]
    process = spawn_logged(command, tmp_path, process_env, tmp_path / "service.log")
    url = f"http://127.0.0.1:{port}"
    probe = container["readinessProbe"]["httpGet"]["path"]

    def up() -> bool:
        assert process.poll() is None, (tmp_path / "service.log").read_text()[-3000:]
        try:
            return http_status(url + probe, host="10.244.2.5:8000") == 200  # as the kubelet probes
        except OSError:
            return False

    try:
        poll(up, "the Maestro service to answer its probe", timeout=90)
        prefix = env["JUPYTERHUB_SERVICE_PREFIX"]
        assert http_status(f"{url}{prefix}maestro/api/v1/info") == 401  # no credentials: unauthenticated
        assert http_status(f"{url}{prefix}maestro/api/v1/operations/ListJobs", method="POST", body=b"{}") == 401
        # Nothing of the Jupyter server but Maestro's API: no contents, no kernels.
        assert http_status(f"{url}{prefix}api/contents") == 403
    finally:
        stop(process)
    log = (tmp_path / "service.log").read_text()
    assert "team mode" in log
    assert SECRETS["hub"][f"hub.services.{SERVICE_KEY}.apiToken"] not in log


# --- MLflow --------------------------------------------------------------------------------------------------------


def test_the_mlflow_deployment_runs_mlflow_behind_its_login_on_the_services_names(tmp_path: Path) -> None:
    container = only_container("Deployment", "maestro-mlflow")
    assert container["command"][1:] == ["server", "--app-name", "basic-auth"]
    manifest_env = {e["name"]: e.get("value") for e in container["env"]}
    tracking = urlsplit(SINGLEUSER["extraEnv"]["MLFLOW_TRACKING_URI"]).netloc
    search = "/api/2.0/mlflow/experiments/search?max_results=1"
    with start_mlflow(tmp_path) as server:
        admin = server.admin
        for host in manifest_env["MLFLOW_SERVER_ALLOWED_HOSTS"].split(","):
            assert http_status(server.url + search, host=host, auth=admin) == 200, host
        # A login is needed: none, or a wrong password, is refused.
        assert http_status(server.url + search, host=tracking) == 401
        assert http_status(server.url + search, host=tracking, auth=(admin[0], "not-the-password")) == 401
        # Any other name (a DNS-rebinding attempt) is refused.
        assert http_status(server.url + search, host="maestro-mlflow.attacker.example:5000", auth=admin) == 403
        # Artifacts go through the server to its destination (the volume in the cluster).
        upload = "/api/2.0/mlflow-artifacts/artifacts/0/run/model.txt"
        assert http_status(server.url + upload, host=tracking, auth=admin, method="PUT", body=b"weights") == 200
        assert (server.artifacts / "0" / "run" / "model.txt").read_bytes() == b"weights"
        # The admin makes members' accounts; a member reads, and may not make accounts.
        member = provision_member(server.url, *admin, "alice")
        assert http_status(server.url + search, auth=(member.username, member.password)) == 200
        create = "/api/2.0/mlflow/users/create"
        body = json.dumps({"username": "mallory", "password": "x" * 16}).encode()
        refused = http_status(server.url + create, auth=(member.username, member.password), method="POST", body=body)
        assert refused == 403


def test_the_postgres_init_makes_every_database_the_secrets_name() -> None:
    init = find("ConfigMap", "maestro-postgres-init")["data"]["10-maestro.sql"]
    made = set(re.findall(r"CREATE DATABASE (\w+);", init))
    env = {e["name"]: e.get("value") for e in only_container("StatefulSet", "maestro-postgres")["env"]}
    made.add(env["POSTGRES_DB"])
    # maestro-db's URLs, and the auth app's database (the README's write_auth_config command names it).
    named = {urlsplit(url).path.strip("/") for key, url in SECRETS["maestro-db"].items() if key.endswith("-url")}
    readme = (REPO / "jupyterhub" / "README.md").read_text()
    (auth_db,) = set(re.findall(r"maestro-postgres\.jupyterhub\.svc:5432/(mlflow_auth)\b", readme))
    # ... and the feature store's, which the Feast repo's file names.
    feast_db = yaml.safe_load(find("ConfigMap", "maestro-feature-repo")["data"]["feature_store.yaml"])["online_store"]
    assert made == named | {auth_db, feast_db["database"]} == {"mlflow", "maestro", "mlflow_auth", "feast"}


def test_the_services_feature_repo_is_the_writers_for_the_teams_postgres_and_holds_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ConfigMap maestro-feature-repo is what ``write_team_repo`` writes for the team's PostgreSQL (its Service,
    the user of maestro-db's URLs, the database "feast"); mounted where the service's MAESTRO_FEAST_REPO says, it is
    the repo Feast opens in the service's environment, with the Secret's password and nothing else."""
    from feast.repo_config import load_repo_config

    from maestro_jupyter.feature_team import team_store_yaml

    shipped = find("ConfigMap", "maestro-feature-repo")["data"]["feature_store.yaml"]
    maestro_url = urlsplit(SECRETS["maestro-db"]["maestro-url"])
    password = SECRETS["maestro-db"]["password"]
    team_url = maestro_url._replace(path="/feast").geturl()
    expected, needs = team_store_yaml(team_url)
    assert shipped == expected, "regenerate the ConfigMap's feature_store.yaml with team_store_yaml (see its comment)"
    assert password not in shipped
    postgres, port = service_url(f"http://{maestro_url.hostname}:{maestro_url.port}/")
    assert postgres["metadata"]["name"] == "maestro-postgres"

    container = only_container("Deployment", "maestro")
    env = container_env(container["env"])
    assert needs == {FEAST_PASSWORD_ENV: password} == {FEAST_PASSWORD_ENV: env[FEAST_PASSWORD_ENV]}
    pod = find("Deployment", "maestro")["spec"]["template"]["spec"]
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == env["MAESTRO_FEAST_REPO"]]
    assert mount["readOnly"] is True
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    assert volume["configMap"]["name"] == "maestro-feature-repo"
    assert "items" not in volume["configMap"]  # the key is the file's name: feature_store.yaml

    # Feast, in the service's environment, reads the mounted file (written here as the kubelet projects it).
    repo = tmp_path / "feature-repo"
    repo.mkdir()
    (repo / "feature_store.yaml").write_text(shipped)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config = load_repo_config(repo, repo / "feature_store.yaml")
    assert config.registry.registry_type == "sql"
    server = maestro_url.netloc.rsplit("@", 1)[1]
    assert config.registry.path == f"postgresql+psycopg://maestro:{password}@{server}/feast?sslmode=prefer"
    online = config.online_store
    assert (online.type, online.host, online.port, online.database) == ("postgres", maestro_url.hostname, port, "feast")
    assert (online.user, online.password) == (maestro_url.username, password)


# --- network policies of the manifests -----------------------------------------------------------------------------


def test_the_service_reaches_its_stores_and_postgres_only_the_service_and_mlflow() -> None:
    policies = [d for d in MANIFESTS if d["kind"] == "NetworkPolicy"]
    service = template_endpoint("Deployment", "maestro", "10.244.1.10")
    mlflow = template_endpoint("Deployment", "maestro-mlflow", "10.244.1.11")
    postgres = template_endpoint("StatefulSet", "maestro-postgres", "10.244.1.12")
    hub = Endpoint.pod("hub", HUB_NAMESPACE, {"component": "hub", "app": "jupyterhub"}, "10.244.1.13")
    proxy = Endpoint.pod("proxy", HUB_NAMESPACE, {"component": "proxy", "app": "jupyterhub"}, "10.244.1.14")
    member = Endpoint.pod("jupyter-alice", HUB_NAMESPACE, {"component": "singleuser-server", "app": "jupyterhub"})
    prometheus = Endpoint.pod("prometheus", "monitoring", {"app.kubernetes.io/name": "prometheus"}, "10.244.2.3")
    job = Endpoint.pod("job", WORKLOADS_NAMESPACE, job_pod_labels(), "10.244.4.4")
    api_servers = [Endpoint.address("kubernetes.default", "10.96.0.1"), Endpoint.address("apiserver", "172.18.0.2")]
    webhook = Endpoint.address("hooks.slack.com", "203.0.113.10")

    def allowed(source: Endpoint, target: Endpoint, port: int, protocol: str = "TCP") -> bool:
        return traffic_allowed(policies, source, target, port, protocol)

    # The service reaches the hub's API, its database, MLflow, Prometheus, the API server, webhooks and DNS.
    assert allowed(service, hub, 8081)
    assert allowed(service, postgres, 5432)
    assert allowed(service, mlflow, 5000)
    assert allowed(service, prometheus, 9090)
    for api in api_servers:
        assert allowed(service, api, 443)
        assert allowed(service, api, 6443)
    assert allowed(service, webhook, 443)
    assert allowed(service, kube_dns(), 53, "UDP")
    assert not allowed(service, member, 8888)  # nothing else
    # Who reaches the service: the proxy, the hub and members, on its port only.
    for source in (proxy, hub, member):
        assert allowed(source, service, 8000), source.name
        assert not allowed(source, service, 8888)
    assert not allowed(job, service, 8000)
    # PostgreSQL: the service and MLflow, no one else (members, jobs, the proxy, the hub).
    assert allowed(mlflow, postgres, 5432)
    for source in (member, job, proxy, hub, prometheus):
        assert not allowed(source, postgres, 5432), source.name
    # MLflow: members, the service, the hub (members' accounts), and jobs and deployments; its login does the rest.
    for source in (member, service, hub, job):
        assert allowed(source, mlflow, 5000), source.name
    assert not allowed(proxy, mlflow, 5000)


def job_pod_labels() -> dict[str, str]:
    """The labels of a training pod as Maestro's Kubernetes backend makes it."""
    from maestro_jupyter.backends.compute.base import JobLaunch
    from maestro_jupyter.entities import Resources

    launch = JobLaunch("job-1", "train", "alice", "default", "script", "train.py", b"", None, {}, Resources(), {})
    labels: dict[str, str] = k8s_objects.make_job(launch, WORKLOADS_NAMESPACE, IMAGE)["spec"]["template"]["metadata"][
        "labels"
    ]
    return labels


# --- the images ------------------------------------------------------------------------------------------------------


def test_the_dockerfile_builds_the_users_image_the_chart_expects() -> None:
    stages = dockerfile_stages()
    assert list(stages) == ["hub", "users"]  # the users' image is the last stage: the default target
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
    # The MLflow server and the Maestro service run the same image as the same user.
    for workload, name in (("Deployment", "maestro-mlflow"), ("Deployment", "maestro")):
        assert find(workload, name)["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == CHART_DEFAULTS["uid"]
    # The wheel with its "hub" extra (JupyterHub's client for the service, MLflow's auth app) and its "postgres" one
    # (the driver the database URLs name; Feast's PostgreSQL registry and online store, which the service's feature
    # repo names), and the single-user server.
    assert dockerfile_copy("dist/maestro_jupyter-*.whl") == "/tmp/wheels/"
    install = next(rest for key, rest in steps if key == "RUN" and rest.startswith("pip install"))
    assert install.startswith(
        'pip install "$(echo /tmp/wheels/maestro_jupyter-*.whl)[hub,postgres]" "jupyterhub==${JUPYTERHUB_VERSION}"'
    )
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    postgres_extra = [re.split(r"[<>=!~;\s]", requirement, maxsplit=1)[0] for requirement in extras["postgres"]]
    assert {"psycopg[binary]", "feast[postgres]"} <= set(postgres_extra)
    from sqlalchemy.engine import make_url

    for key in ("maestro-url", "mlflow-url"):
        assert make_url(SECRETS["maestro-db"][key]).get_dialect().driver == "psycopg"
    # The command the chart runs (singleuser.cmd), a console script of jupyterhub.
    assert dockerfile_value("CMD") == json.dumps([SINGLEUSER["cmd"]])
    scripts = importlib.metadata.entry_points(group="console_scripts", name=SINGLEUSER["cmd"])
    assert {script.dist.name for script in scripts if script.dist} == {"jupyterhub"}
    assert dockerfile_value("EXPOSE") == "8888"


def test_the_dockerfile_builds_the_hub_image_the_chart_expects() -> None:
    steps = dockerfile_instructions("hub")
    # The chart's own hub image, at the chart's version, with Maestro's package and none of its dependencies.
    assert steps[0] == ("FROM", f"quay.io/jupyterhub/k8s-hub:{CHART_VERSION}")
    assert dockerfile_copy("dist/maestro_jupyter-*.whl", "hub") == "/tmp/wheels/"
    install = next(rest for key, rest in steps if key == "RUN" and rest.startswith("pip install"))
    assert "--no-deps /tmp/wheels/maestro_jupyter-*.whl" in install
    # Installed as root, then the hub runs as the chart's uid again.
    users = [rest for key, rest in steps if key == "USER"]
    assert users == ["root", str(CHART_DEFAULTS["uid"])]
    assert HUB["image"] == {"name": "maestro-hub", "tag": "0.1.0"}
    assert HUB["image"]["tag"] == SINGLEUSER["image"]["tag"]  # built from the same wheel


def hook_imports() -> set[str]:
    """The modules hub.extraConfig's code imports."""
    found = set()
    for code in HUB["extraConfig"].values():
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
    return found


def test_the_wheel_the_images_install_enables_the_extensions_and_serves_the_hub(tmp_path: Path) -> None:
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
    requires = [
        line.removeprefix("Requires-Dist: ") for line in metadata.splitlines() if line.startswith("Requires-Dist: ")
    ]
    names_of = {re.split(r"[<>=!~ ;\[]", r)[0].lower().replace("_", "-") for r in requires if "extra ==" not in r}
    assert {"mlflow", "jupyterlab", "jupyter-server", "kubernetes", "sqlalchemy"} <= names_of
    # The users' image's [hub] extra: JupyterHub (the service's hub auth) and MLflow's auth app (Flask-WTF).
    assert "Provides-Extra: hub" in metadata
    hub_extra = [r for r in requires if re.search(r"extra\s*==\s*['\"]hub['\"]", r)]
    assert any(r.startswith("jupyterhub") for r in hub_extra), hub_extra
    assert any(r.startswith("mlflow[auth]") for r in hub_extra), hub_extra
    # ... and its [postgres] extra: the driver of the team's URLs, and Feast's PostgreSQL stores (the feature store).
    postgres = [r for r in requires if re.search(r"extra\s*==\s*['\"]postgres['\"]", r)]
    assert any(r.startswith("psycopg[binary") for r in postgres), postgres
    assert any(r.startswith("feast[postgres]") for r in postgres), postgres

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

    # The hub image has the wheel without its dependencies: what the pre-spawn hook imports needs none. An interpreter
    # without site-packages (-S) or the environment's paths (-I) imports it from the wheel's files alone.
    modules = sorted(hook_imports() - set(sys.stdlib_module_names))
    assert modules == ["maestro_jupyter.hub_hooks"]
    script = f"import sys; sys.path.insert(0, {str(site)!r}); " + "; ".join(f"import {m}" for m in modules)
    script += "; top = {m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) - {'__main__'}"
    script += "; print(sorted(top))"
    done = subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert set(ast.literal_eval(done.stdout.strip())) == {"maestro_jupyter"}
