"""What the tests of the hub's Kubernetes distribution share (``tests/integration/test_hub_kubernetes*.py``):
where ``jupyterhub/`` is, ``values.yaml`` and the manifests of ``jupyterhub/k8s/`` as loaded, the names and versions
the chart and the images agree on, ``jupyterhub/Dockerfile`` read stage by stage; and, with real components:

- :func:`hub_config`: the hub's configuration as the chart's ``jupyterhub_config.py`` makes it of ``values.yaml``;
- :func:`container_env`: a container's environment as the kubelet resolves it (Secret references read from
  :data:`SECRETS`, the values the README's commands give the Secrets);
- :func:`start_mlflow`: a real ``mlflow server`` run with the MLflow Deployment's command and environment;
- :func:`traffic_allowed`: whether NetworkPolicies let one pod or address reach another, as a CNI would decide.
"""

from __future__ import annotations

import asyncio
import copy
import ipaddress
import os
import re
import secrets
import sys
import types
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kubernetes
import kubernetes_validate
import yaml
from traitlets.config import Config

from tests.compute_helpers import poll
from tests.live_server import spawn_logged, stop
from tests.prometheus_server import free_port

REPO = Path(__file__).resolve().parents[1]
HUB_DIR = REPO / "jupyterhub"
VALUES: dict[str, Any] = yaml.safe_load((HUB_DIR / "values.yaml").read_text())
HUB: dict[str, Any] = VALUES["hub"]
SINGLEUSER: dict[str, Any] = VALUES["singleuser"]
IMAGE = f"{SINGLEUSER['image']['name']}:{SINGLEUSER['image']['tag']}"
#: Zero to JupyterHub 4.4.0 runs JupyterHub 5.5 in its hub pod and supports Kubernetes 1.32 and later.
CHART_VERSION = "4.4.0"
HUB_MINOR = "5.5"
K8S_VERSIONS = ("1.32.0", kubernetes_validate.utils.latest_version())
#: The namespace the chart is installed in (the README's `helm --namespace`), and the workloads' namespace.
HUB_NAMESPACE = "jupyterhub"
WORKLOADS_NAMESPACE = "maestro-workloads"
#: The MLflow admin of the README's commands (never a hub user name: the hub's names are members).
MLFLOW_ADMIN = "maestro-admin"
#: Every Secret a manifest or values.yaml refers to, with what the README's commands put in it ("hub" is the chart's
#: own, whose service tokens it generates). The MLflow auth app's ini is written per test (:func:`start_mlflow`).
SECRETS: dict[str, dict[str, str]] = {
    "maestro-db": {
        "password": "pg-password-0123",
        "mlflow-url": "postgresql+psycopg://maestro:pg-password-0123@maestro-postgres.jupyterhub.svc:5432/mlflow",
        "maestro-url": "postgresql+psycopg://maestro:pg-password-0123@maestro-postgres.jupyterhub.svc:5432/maestro",
    },
    "maestro-mlflow-admin": {"username": MLFLOW_ADMIN, "password": "mlflow-admin-" + secrets.token_hex(12)},
    "maestro-mlflow-auth": {"basic_auth.ini": "(written per test)", "flask-secret-key": secrets.token_hex(32)},
    "hub": {
        "hub.services.maestro.apiToken": secrets.token_hex(32),
        "hub.services.prometheus.apiToken": secrets.token_hex(32),
    },
    "maestro-service": {"alert-webhook": "https://hooks.example.invalid/services/T0/B0/x"},
}
#: Of those, the Secrets a person creates (the README's Install): never shipped in a manifest.
HAND_MADE_SECRETS = {"maestro-db", "maestro-mlflow-admin", "maestro-mlflow-auth", "maestro-service"}
#: What the chart sets for user pods when values.yaml says nothing (singleuser.uid, singleuser.fsGid).
CHART_DEFAULTS = {"uid": 1000, "fs_gid": 100}
#: The labels the chart gives every user pod: KubeSpawner.common_labels (release "maestro-hub", as the README's helm
#: command names it) and the default singleuser.extraLabels, which the hub's NetworkPolicy admits to its API.
CHART_USER_POD_LABELS = {
    "common_labels": {"app": "jupyterhub", "heritage": "jupyterhub", "release": "maestro-hub",
                      "chart": f"jupyterhub-{CHART_VERSION}"},
    "extra_labels": {"hub.jupyter.org/network-access-hub": "true"},
}  # fmt: skip


def load_manifests() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted((HUB_DIR / "k8s").glob("*.yaml")):
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


MANIFESTS = load_manifests()


def find(kind: str, name: str) -> dict[str, Any]:
    (found,) = [d for d in MANIFESTS if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


def only_container(workload: str, name: str) -> dict[str, Any]:
    containers: list[dict[str, Any]] = find(workload, name)["spec"]["template"]["spec"]["containers"]
    (container,) = containers
    return container


def walk(obj: Any) -> Iterator[dict[str, Any]]:
    """Every mapping inside ``obj``."""
    if isinstance(obj, dict):
        yield obj
        for value in obj.values():
            yield from walk(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from walk(value)


# --- environments, as the kubelet resolves them ----------------------------------------------------------------------


def container_env(items: list[dict[str, Any]], secrets_: Mapping[str, Mapping[str, str]] = SECRETS) -> dict[str, str]:
    """A container's ``env`` as its process sees it: values as they are, Secret references read from ``secrets_``
    (a missing optional key leaves the variable unset, a missing required one fails, as the kubelet does)."""
    env: dict[str, str] = {}
    for item in items:
        if "valueFrom" not in item:
            env[item["name"]] = item["value"]
            continue
        ref = item["valueFrom"]["secretKeyRef"]
        value = secrets_.get(ref["name"], {}).get(ref["key"])
        if value is None:
            assert ref.get("optional"), f"{item['name']}: Secret {ref['name']!r} has no key {ref['key']!r}"
            continue
        env[item["name"]] = value
    return env


def env_list(extra_env: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The chart's ``extraEnv`` object notation as a container's ``env`` list (the key names the variable)."""
    return [
        {"name": name, "value": spec} if isinstance(spec, str) else {"name": name, **spec}
        for name, spec in extra_env.items()
    ]


# --- the hub's configuration, as the chart makes it --------------------------------------------------------------

#: singleuser keys the chart's jupyterhub_config.py passes straight to a trait (those values.yaml uses).
PASSTHROUGH = {
    "cmd": ("Spawner", "cmd"),
    "defaultUrl": ("Spawner", "default_url"),
    "serviceAccountName": ("KubeSpawner", "service_account"),
    "startTimeout": ("KubeSpawner", "start_timeout"),
    "extraEnv": ("KubeSpawner", "environment"),
    "extraPodConfig": ("KubeSpawner", "extra_pod_config"),
    "lifecycleHooks": ("KubeSpawner", "lifecycle_hooks"),
    "profileList": ("KubeSpawner", "profile_list"),
}
#: hub keys that configure the hub pod rather than JupyterHub (checked by the tests that use them).
HUB_POD_KEYS = {"image", "extraEnv", "networkPolicy"}


def hub_config(values: dict[str, Any] = VALUES, secrets_: Mapping[str, Mapping[str, str]] = SECRETS) -> Config:
    """The configuration the chart's ``jupyterhub_config.py`` makes of ``values``: the singleuser keys (a key not
    mapped here fails, rather than being silently left out), hub.services (tokens from the chart's Secret "hub") and
    hub.loadRoles, then ``hub.config``, then ``hub.extraConfig`` executed, in that order."""
    c = Config()
    su, hub = values["singleuser"], values["hub"]
    mapped = {*PASSTHROUGH, "image", "cpu", "memory", "storage", "networkPolicy"}  # networkPolicy: not a pod's
    assert set(su) <= mapped, f"singleuser keys this test does not map: {sorted(set(su) - mapped)}"
    hub_mapped = {*HUB_POD_KEYS, "config", "extraConfig", "services", "loadRoles"}
    assert set(hub) <= hub_mapped, f"hub keys this test does not map: {sorted(set(hub) - hub_mapped)}"
    for key, (section, trait) in PASSTHROUGH.items():
        if key in su:
            c[section][trait] = copy.deepcopy(su[key])
    for trait, value in {**CHART_DEFAULTS, **CHART_USER_POD_LABELS}.items():
        c.KubeSpawner[trait] = copy.deepcopy(value)
    c.KubeSpawner.image = f"{su['image']['name']}:{su['image']['tag']}"
    c.KubeSpawner.image_pull_policy = su["image"]["pullPolicy"]
    c.KubeSpawner.cpu_guarantee, c.KubeSpawner.cpu_limit = su["cpu"]["guarantee"], su["cpu"]["limit"]
    c.KubeSpawner.mem_guarantee, c.KubeSpawner.mem_limit = su["memory"]["guarantee"], su["memory"]["limit"]
    storage = su["storage"]
    assert storage["type"] == "dynamic"
    dynamic = storage["dynamic"]
    c.KubeSpawner.pvc_name_template = dynamic["pvcNameTemplate"]
    c.KubeSpawner.storage_pvc_ensure = True
    c.KubeSpawner.storage_access_modes = dynamic["storageAccessModes"]
    c.KubeSpawner.storage_capacity = storage["capacity"]
    c.KubeSpawner.volumes = [
        {"name": dynamic["volumeNameTemplate"], "persistentVolumeClaim": {"claimName": dynamic["pvcNameTemplate"]}}
    ]
    c.KubeSpawner.volume_mounts = [{"mountPath": storage["homeMountPath"], "name": dynamic["volumeNameTemplate"]}]
    c.KubeSpawner.namespace = HUB_NAMESPACE  # the chart: the hub pod's own namespace
    c.JupyterHub.services = []
    for key, service in copy.deepcopy(hub.get("services", {})).items():
        service.setdefault("name", key)
        service.pop("apiToken", None)
        service["api_token"] = secrets_["hub"][f"hub.services.{key}.apiToken"]
        c.JupyterHub.services.append(service)
    c.JupyterHub.load_roles = [{"name": key, **role} for key, role in copy.deepcopy(hub.get("loadRoles", {})).items()]
    for section, settings in hub["config"].items():
        c[section].update(copy.deepcopy(settings))
    for name, code in sorted(hub["extraConfig"].items()):
        # What the chart does with hub.extraConfig: run it with the configuration object in scope.
        exec(compile(code, name, "exec"), {"c": c})  # noqa: S102 - our own values.yaml, as the hub runs it
    return c


def hub_environment(values: dict[str, Any] = VALUES, maestro_url: str | None = None) -> dict[str, str]:
    """The hub pod's hub.extraEnv as its process sees it; ``maestro_url`` stands for the Maestro Service's address."""
    env = container_env(env_list(values["hub"].get("extraEnv", {})))
    if maestro_url is not None:
        assert env["MAESTRO_URL"] == SINGLEUSER["extraEnv"]["MAESTRO_URL"]
        env["MAESTRO_URL"] = maestro_url
    return env


# --- users' pods, as KubeSpawner builds them ------------------------------------------------------------------------


def nowhere_kubeconfig(folder: Path) -> Path:
    """A kubeconfig whose cluster is nowhere: KubeSpawner loads a client configuration when it is made (though
    building a manifest calls no API), and no cluster, a developer's included, must ever be touched."""
    path = folder / "kubeconfig"
    path.write_text(
        yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "none",
            "clusters": [{"name": "none", "cluster": {"server": "http://127.0.0.1:9"}}],
            "users": [{"name": "none", "user": {}}],
            "contexts": [{"name": "none", "context": {"cluster": "none", "user": "none"}}],
        })
    )  # fmt: skip
    return path


def hub_db(users: dict[str, bool]) -> Any:
    """A real (in-memory) JupyterHub database with these users (name -> admin)."""
    import jupyterhub.orm as orm

    db = orm.new_session_factory("sqlite://")()
    for name, admin in users.items():
        db.add(orm.User(name=name, admin=admin))
    db.commit()
    return db


async def build_pod(
    config: Config, db: Any, user_name: str, profile: str, *, hook: bool = True, api_token: str | None = None
) -> tuple[Any, dict[str, Any]]:
    """What the hub does before KubeSpawner creates a user's pod: the pre-spawn hook (unless ``hook`` is false),
    the chosen profile's overrides, the manifest. The user and hub objects are stand-ins with the attributes a
    spawner reads; ``api_token`` is the server token the hub issued for the spawn (default: a random one)."""
    import jupyterhub.orm as orm
    from jupyterhub.objects import Hub
    from kubespawner import KubeSpawner

    row = db.query(orm.User).filter_by(name=user_name).one()
    user = types.SimpleNamespace(name=user_name, id=row.id, url=f"/user/{user_name}/", db=db)
    spawner = KubeSpawner(config=config, user=user, hub=Hub(ip="hub", port=8081, base_url="/hub/"), _mock=True)
    spawner.api_token = api_token or secrets.token_hex(16)  # the hub issues one per spawn
    if hook:
        hooked = spawner.run_pre_spawn_hook()
        if asyncio.iscoroutine(hooked):
            await hooked
    spawner.user_options = {"profile": profile}
    await spawner.load_user_options()
    pod = await spawner.get_pod_manifest()
    with kubernetes.client.ApiClient() as api:
        return spawner, api.sanitize_for_serialization(pod)


# --- jupyterhub/Dockerfile -------------------------------------------------------------------------------------------


def dockerfile_stages() -> dict[str, list[tuple[str, str]]]:
    """Each build stage of jupyterhub/Dockerfile (by its ``AS`` name): its (INSTRUCTION, arguments), continuation
    lines joined, comments dropped. The FROM line opens its stage."""
    text = re.sub(r"\\\n", " ", (HUB_DIR / "Dockerfile").read_text())
    stages: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        step = (keyword.upper(), " ".join(rest.split()))
        if step[0] == "FROM":
            base, _, name = step[1].partition(" AS ")
            current = stages[name] = [("FROM", base)]
            continue
        assert current is not None, "an instruction before the first FROM"
        current.append(step)
    return stages


#: The stage ``docker build`` builds without --target: the last.
USERS_STAGE = list(dockerfile_stages())[-1]


def dockerfile_instructions(stage: str = USERS_STAGE) -> list[tuple[str, str]]:
    return dockerfile_stages()[stage]


def dockerfile_value(keyword: str, stage: str = USERS_STAGE) -> str:
    (value,) = {rest for key, rest in dockerfile_instructions(stage) if key == keyword}
    return value


def dockerfile_copy(source: str, stage: str = USERS_STAGE) -> str:
    """Where the Dockerfile copies ``source`` to."""
    (destination,) = [
        rest.split()[1] for key, rest in dockerfile_instructions(stage) if key == "COPY" and rest.split()[0] == source
    ]
    return destination


# --- MLflow, as the Deployment runs it -----------------------------------------------------------------------------


@dataclass
class MlflowServer:
    """A real ``mlflow server`` started from the MLflow Deployment: ``url`` on 127.0.0.1, its admin's credentials,
    and where its artifacts land."""

    url: str
    port: int
    admin: tuple[str, str]
    artifacts: Path
    log_path: Path
    process: Any = field(repr=False)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def http_status(url: str, host: str | None = None, auth: tuple[str, str] | None = None, method: str = "GET",
                body: bytes | None = None) -> int:  # fmt: skip
    """The status of one request, with the Host header a client of the Service sends and HTTP basic auth."""
    import base64

    request = urllib.request.Request(url, data=body, method=method)  # noqa: S310 - our loopback server
    if host is not None:
        request.add_header("Host", host)
    if auth is not None:
        request.add_header("Authorization", "Basic " + base64.b64encode(":".join(auth).encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        with exc:
            return int(exc.code)


@contextmanager
def start_mlflow(workdir: Path) -> Iterator[MlflowServer]:
    """The MLflow Deployment's container, run here: its command, and its environment as the kubelet resolves it,
    with the auth Secret's ini written by ``write_auth_config`` (the README's command) into the folder the Secret is
    mounted at. The Secret's PostgreSQL URLs and the volume's path become SQLite files and a folder of the test's, and
    it listens on a free loopback port; the rest is the manifest's."""
    from maestro_jupyter.backends.mlflow_auth import write_auth_config

    deployment = find("Deployment", "maestro-mlflow")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    (auth_volume,) = [
        name for name, v in volumes.items() if v.get("secret", {}).get("secretName") == "maestro-mlflow-auth"
    ]
    (item,) = volumes[auth_volume]["secret"]["items"]
    mounted = mounts[auth_volume]
    auth_dir = workdir / "mlflow-auth"
    admin = (SECRETS["maestro-mlflow-admin"]["username"], SECRETS["maestro-mlflow-admin"]["password"])
    # The Secret's key holds what write_auth_config writes; here its user database is SQLite.
    ini = write_auth_config(auth_dir / item["path"], f"sqlite:///{workdir / 'mlflow-auth.db'}", *admin)
    secrets_ = {**SECRETS, "maestro-mlflow-auth": {**SECRETS["maestro-mlflow-auth"], item["key"]: ini.read_text()}}
    manifest_env = container_env(container["env"], secrets_)
    # The ini is read where the volume puts it.
    assert manifest_env["MLFLOW_AUTH_CONFIG_PATH"] == f"{mounted}/{item['path']}"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MAESTRO_", "_MLFLOW"))}
    env.update(manifest_env)
    # Clients here reach it at its loopback address, which stands for the Service's names (the manifest's list, which
    # the tests check with those names as Host).
    allowed_hosts = f"{manifest_env['MLFLOW_SERVER_ALLOWED_HOSTS']},127.0.0.1:{port}"
    env.update(
        MLFLOW_SERVER_ALLOWED_HOSTS=allowed_hosts,
        MLFLOW_AUTH_CONFIG_PATH=str(ini),
        MLFLOW_BACKEND_STORE_URI=f"sqlite:///{workdir / 'mlflow.db'}",
        MLFLOW_ARTIFACTS_DESTINATION=str(workdir / "artifacts"),
        MLFLOW_HOST="127.0.0.1",
        MLFLOW_PORT=str(port),
    )
    assert container["command"][0] == "mlflow"
    command = [str(Path(sys.executable).parent / "mlflow"), *container["command"][1:], *container.get("args", [])]
    log_path = workdir / "mlflow.log"
    process = spawn_logged(command, workdir, env, log_path)
    server = MlflowServer(f"http://127.0.0.1:{port}", port, admin, workdir / "artifacts", log_path, process)
    probe = container["readinessProbe"]["httpGet"]["path"]

    def healthy() -> bool:
        assert process.poll() is None, server.log()
        try:
            # As the kubelet probes: the pod's IP as Host, no credentials.
            return http_status(f"{server.url}{probe}", host="10.244.1.7:5000") == 200
        except OSError:
            return False

    try:
        poll(healthy, "the MLflow server to answer its health probe", timeout=180)
        yield server
    finally:
        stop(process)


# --- NetworkPolicies, as a CNI enforces them -------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One end of a connection: a pod (its namespace and labels; ``ip`` its pod IP) or, with ``namespace`` None, an
    address outside the pod network (the API server, a webhook)."""

    name: str
    namespace: str | None
    labels: tuple[tuple[str, str], ...]
    ip: str

    @classmethod
    def pod(cls, name: str, namespace: str, labels: Mapping[str, str], ip: str = "10.244.3.9") -> Endpoint:
        return cls(name, namespace, tuple(sorted(labels.items())), ip)

    @classmethod
    def address(cls, name: str, ip: str) -> Endpoint:
        return cls(name, None, (), ip)


def _selects(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    assert set(selector) <= {"matchLabels"}, f"selector not modelled here: {selector}"
    return dict(selector.get("matchLabels", {})).items() <= dict(labels).items()


def _peer_matches(peer: Mapping[str, Any], policy_namespace: str, other: Endpoint) -> bool:
    if "ipBlock" in peer:
        address = ipaddress.ip_address(other.ip)
        block = peer["ipBlock"]
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(excepted) for excepted in block.get("except", [])
        )
    if other.namespace is None:
        return False
    if "namespaceSelector" in peer:
        if not _selects(peer["namespaceSelector"], {"kubernetes.io/metadata.name": other.namespace}):
            return False
    elif other.namespace != policy_namespace:
        return False
    return _selects(peer.get("podSelector", {}), dict(other.labels))


def _side_allows(
    policies: list[dict[str, Any]], kind: str, pod: Endpoint, other: Endpoint, port: int, protocol: str
) -> bool:
    if pod.namespace is None:
        return True  # not a pod: no NetworkPolicy applies
    selecting = [
        p for p in policies
        if p["metadata"]["namespace"] == pod.namespace and kind in p["spec"]["policyTypes"]
        and _selects(p["spec"]["podSelector"], dict(pod.labels))
    ]  # fmt: skip
    if not selecting:
        return True  # a pod no policy selects is open on that side
    key = "to" if kind == "Egress" else "from"
    for policy in selecting:
        for rule in policy["spec"].get(kind.lower(), []):
            ports = rule.get("ports")
            if ports and not any(p["port"] == port and p.get("protocol", "TCP") == protocol for p in ports):
                continue
            peers = rule.get(key)
            if not peers or any(_peer_matches(peer, policy["metadata"]["namespace"], other) for peer in peers):
                return True
    return False


def traffic_allowed(
    policies: list[dict[str, Any]], source: Endpoint, target: Endpoint, port: int, protocol: str = "TCP"
) -> bool:
    """Whether ``source`` may open a connection to ``target``'s ``port``: the policies selecting the source allow it
    out and those selecting the target allow it in (matchLabels selectors and ipBlocks, as NetworkPolicy defines)."""
    return _side_allows(policies, "Egress", source, target, port, protocol) and _side_allows(
        policies, "Ingress", target, source, port, protocol
    )


#: The private ranges the chart's egressAllowRules distinguish, and the cloud metadata server.
PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
CLOUD_METADATA = "169.254.169.254/32"


def chart_policies(values: dict[str, Any] = VALUES) -> list[dict[str, Any]]:
    """The chart's NetworkPolicies of the hub and of users' servers (templates hub/netpol.yaml and
    singleuser/netpol.yaml of Zero to JupyterHub 4.x) with their extra rules from ``values``, and the egress its
    egressAllowRules give with their defaults (users: DNS and non-private addresses, no private one nor the cloud
    metadata server; the hub: everything)."""

    def policy(name: str, component: str, ingress: list[Any], egress: list[Any]) -> dict[str, Any]:
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": HUB_NAMESPACE},
            "spec": {
                "podSelector": {"matchLabels": {"component": component}},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": ingress,
                "egress": egress,
            },
        }

    su, hub = values["singleuser"]["networkPolicy"], values["hub"]["networkPolicy"]
    for chart_rules in (su.get("egressAllowRules", {}), hub.get("egressAllowRules", {})):
        assert not chart_rules, f"egressAllowRules changed from the chart's defaults: {chart_rules}"
    dns = {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}
    everything = {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}
    non_private = {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": [*PRIVATE_RANGES, CLOUD_METADATA]}}]}
    singleuser = policy(
        "singleuser",
        "singleuser-server",
        [{"from": [{"podSelector": {"matchLabels": {"hub.jupyter.org/network-access-singleuser": "true"}}}],
          "ports": [{"port": 8888}]}, *su.get("ingress", [])],
        [{"to": [{"podSelector": {"matchLabels": {"component": "hub"}}}], "ports": [{"port": 8081}]},
         dns, non_private, *su.get("egress", [])],
    )  # fmt: skip
    hub_policy = policy(
        "hub",
        "hub",
        [{"from": [{"podSelector": {"matchLabels": {"hub.jupyter.org/network-access-hub": "true"}}}],
          "ports": [{"port": 8081}]}, *hub.get("ingress", [])],
        [everything, *hub.get("egress", [])],
    )  # fmt: skip
    return [singleuser, hub_policy]


def kube_dns() -> Endpoint:
    return Endpoint.pod("kube-dns", "kube-system", {"k8s-app": "kube-dns"}, "10.244.0.2")


def template_endpoint(kind: str, name: str, ip: str) -> Endpoint:
    """A pod of one of the manifests' workloads."""
    workload = find(kind, name)
    return Endpoint.pod(name, workload["metadata"]["namespace"], workload["spec"]["template"]["metadata"]["labels"], ip)
