"""The users' pods and the hub's configuration of the Kubernetes distribution (``jupyterhub/values.yaml``), checked
with real components; no cluster, Docker engine or helm runs here.

- The pod the real KubeSpawner builds for each profile from ``values.yaml`` (mapped as the chart's
  ``jupyterhub_config.py`` maps it, hub.extraConfig included) validates against the official schemas
  (kubernetes-validate, strict), for the oldest Kubernetes the chart supports and the newest known here; it runs the
  image as the Dockerfile builds it (user 1000, port 8888), with the profile's size.
- The hub's pre-spawn hook runs against a real JupyterHub database: the pod's environment resolves, through
  ``Settings.from_env``, to what a team needs (compute, tracking server, DB, user, admins, namespace, images).
- The profiles' sizes are real KubeSpawner traits with Kubernetes quantities, the workloads namespace's LimitRange
  gives unsized jobs the small one, and Maestro's own pods pass that namespace's Pod Security level.
- The hub: the team logs in with JupyterHub's shared-password authenticator, Prometheus gets a hub service with the
  scopes its scrapes need, the network policies let user pods reach what Maestro needs, and the postStart hook
  copies the notebooks from where the Dockerfile puts them into each user's home without overwriting edits.
"""

from __future__ import annotations

import asyncio
import copy
import importlib.metadata
import secrets
import shutil
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes
import kubernetes_validate
import pytest
import yaml
from kubernetes.utils import parse_quantity
from traitlets.config import Config

from maestro_jupyter.backends.compute import k8s_objects as objects
from maestro_jupyter.backends.compute.base import DeploymentLaunch, JobLaunch
from maestro_jupyter.entities import Resources
from maestro_jupyter.settings import Settings
from tests.hub_distribution import (
    CHART_DEFAULTS,
    DB_SECRET,
    HUB_DIR,
    IMAGE,
    K8S_VERSIONS,
    REPO,
    SECRET_VALUES,
    SINGLEUSER,
    VALUES,
    dockerfile_copy,
    dockerfile_value,
    find,
)

PROFILES: list[dict[str, Any]] = SINGLEUSER["profileList"]


def kubespawner_bytes(value: str) -> int:
    """A memory size as KubeSpawner reads it (JupyterHub's ByteSpecification trait, whose ``G`` is a GiB)."""
    from jupyterhub.traitlets import ByteSpecification

    return int(ByteSpecification().validate(None, value))


def settings_env_names() -> set[str]:
    """The environment variables ``Settings.from_env`` reads: its table's, and JUPYTERHUB_USER."""
    from maestro_jupyter.settings import SETTINGS

    return {spec.env for spec in SETTINGS} | {"JUPYTERHUB_USER"}


# --- the users' pods, as the chart builds them ---------------------------------------------------------------------

#: singleuser keys the chart's jupyterhub_config.py passes straight to a trait (those values.yaml uses).
PASSTHROUGH = {
    "cmd": ("Spawner", "cmd"),
    "defaultUrl": ("Spawner", "default_url"),
    "serviceAccountName": ("KubeSpawner", "service_account"),
    "startTimeout": ("KubeSpawner", "start_timeout"),
    "extraEnv": ("KubeSpawner", "environment"),
    "lifecycleHooks": ("KubeSpawner", "lifecycle_hooks"),
    "profileList": ("KubeSpawner", "profile_list"),
}


def spawner_config(values: dict[str, Any]) -> Config:
    """The KubeSpawner configuration the chart's ``jupyterhub_config.py`` makes of ``values``: the singleuser keys
    (a key not mapped here fails, rather than being silently left out), then ``hub.config``, then
    ``hub.extraConfig``, in that order."""
    c = Config()
    su = values["singleuser"]
    mapped = {*PASSTHROUGH, "image", "cpu", "memory", "storage", "networkPolicy"}  # networkPolicy: not a pod's
    assert set(su) <= mapped, f"singleuser keys this test does not map: {sorted(set(su) - mapped)}"
    for key, (section, trait) in PASSTHROUGH.items():
        if key in su:
            c[section][trait] = copy.deepcopy(su[key])
    for trait, value in CHART_DEFAULTS.items():
        c.KubeSpawner[trait] = value
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
    c.KubeSpawner.namespace = "jupyterhub"  # the chart: the hub pod's own namespace
    for section, settings in values["hub"]["config"].items():
        c[section].update(copy.deepcopy(settings))
    for name, code in sorted(values["hub"]["extraConfig"].items()):
        # What the chart does with hub.extraConfig: run it with the configuration object in scope.
        exec(compile(code, name, "exec"), {"c": c})  # noqa: S102 - our own values.yaml, as the hub runs it
    return c


def hub_db(users: dict[str, bool]) -> Any:
    """A real (in-memory) JupyterHub database with these users (name -> admin)."""
    from jupyterhub import orm

    db = orm.new_session_factory("sqlite://")()
    for name, admin in users.items():
        db.add(orm.User(name=name, admin=admin))
    db.commit()
    return db


async def build_pod(config: Config, db: Any, user_name: str, profile: str) -> tuple[Any, dict[str, Any]]:
    """What the hub does before KubeSpawner creates a user's pod: the pre-spawn hook, the chosen profile's
    overrides, the manifest. The user and hub objects are stand-ins with the attributes a spawner reads."""
    from jupyterhub import orm
    from jupyterhub.objects import Hub
    from kubespawner import KubeSpawner

    row = db.query(orm.User).filter_by(name=user_name).one()
    user = types.SimpleNamespace(name=user_name, id=row.id, url=f"/user/{user_name}/", db=db)
    spawner = KubeSpawner(config=config, user=user, hub=Hub(ip="hub", port=8081, base_url="/hub/"), _mock=True)
    spawner.api_token = secrets.token_hex(16)  # the hub issues one per spawn
    hooked = spawner.run_pre_spawn_hook()
    if asyncio.iscoroutine(hooked):
        await hooked
    spawner.user_options = {"profile": profile}
    await spawner.load_user_options()
    pod = await spawner.get_pod_manifest()
    with kubernetes.client.ApiClient() as api:
        return spawner, api.sanitize_for_serialization(pod)


@pytest.fixture
def render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[Any, dict[str, Any]]]:
    """``render(profile, user=..., users=..., values=...)`` -> (spawner, pod as JSON).

    KubeSpawner loads a client configuration when it is made, though building a manifest calls no API: give it one
    pointing nowhere, so that no cluster (a developer's included) is ever touched."""
    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "none", "cluster": {"server": "http://127.0.0.1:9"}}],
        "users": [{"name": "none", "user": {}}],
        "contexts": [{"name": "none", "context": {"cluster": "none", "user": "none"}}],
        "current-context": "none",
    }
    (tmp_path / "kubeconfig").write_text(yaml.safe_dump(kubeconfig))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kubeconfig"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)

    def run(
        profile: str = "small",
        user: str = "alice",
        users: dict[str, bool] | None = None,
        values: dict[str, Any] = VALUES,
    ) -> tuple[Any, dict[str, Any]]:
        db = hub_db(users or {"admin": True, "alice": False, "carol": True})
        return asyncio.run(build_pod(spawner_config(values), db, user, profile))

    return run


def pod_settings(pod: dict[str, Any], tmp_path: Path, drop: tuple[str, ...] = ()) -> Settings:
    """The Maestro settings a server in this pod resolves (Secret references read as the kubelet would)."""
    env: dict[str, str] = {}
    for item in pod["spec"]["containers"][0]["env"]:
        if item["name"] in drop:
            continue
        if "valueFrom" in item:
            ref = item["valueFrom"]["secretKeyRef"]
            assert ref["name"] == DB_SECRET
            env[item["name"]] = SECRET_VALUES[ref["key"]]
        else:
            env[item["name"]] = item["value"]
    return Settings.from_env(env, home=str(tmp_path / "home"))


@pytest.mark.parametrize("profile", [p["slug"] for p in PROFILES])
def test_each_profile_renders_a_valid_user_pod_with_maestro_wired(
    render: Callable[..., tuple[Any, dict[str, Any]]], profile: str, tmp_path: Path
) -> None:
    spawner, pod = render(profile)
    for version in K8S_VERSIONS:
        kubernetes_validate.validate(pod, version, strict=True)
    spec = pod["spec"]
    (container,) = spec["containers"]
    override = next(p for p in PROFILES if p["slug"] == profile)["kubespawner_override"]

    # The image's server, as the Dockerfile runs it, as user 1000, on the port it exposes.
    assert container["image"] == IMAGE
    assert container["args"][:1] == ["jupyterhub-singleuser"]
    assert "--LabApp.news_url=None" in container["args"]
    assert container["ports"][0]["containerPort"] == int(dockerfile_value("EXPOSE"))
    assert container["securityContext"]["runAsUser"] == int(dockerfile_value("USER"))
    # The service account of the Role, with its token mounted (KubeSpawner does when it is set explicitly).
    assert spec["serviceAccountName"] == "maestro"
    assert spec.get("automountServiceAccountToken") is not False
    # The home volume.
    (volume,) = spec["volumes"]
    assert volume["persistentVolumeClaim"]["claimName"] == spawner.pvc_name == "claim-alice"
    assert container["volumeMounts"] == [{"mountPath": "/home/jovyan", "name": volume["name"]}]
    assert container["lifecycle"]["postStart"] == SINGLEUSER["lifecycleHooks"]["postStart"]

    # The profile's size.
    resources = container["resources"]
    assert parse_quantity(resources["requests"]["cpu"]) == parse_quantity(str(override["cpu_guarantee"]))
    assert parse_quantity(resources["limits"]["cpu"]) == parse_quantity(str(override["cpu_limit"]))
    assert int(resources["requests"]["memory"]) == kubespawner_bytes(override["mem_guarantee"])
    assert int(resources["limits"]["memory"]) == kubespawner_bytes(override["mem_limit"])
    if "extra_resource_limits" in override:
        assert resources["limits"]["nvidia.com/gpu"] == "1"
        keys = {t["key"] for t in spec["tolerations"]}
        assert {"nvidia.com/gpu", "hub.jupyter.org/dedicated", "hub.jupyter.org_dedicated"} <= keys
    else:
        assert "nvidia.com/gpu" not in resources["limits"]

    # Maestro's settings, as the server in this pod resolves them.
    names = {item["name"] for item in container["env"]}
    maestro_names = {n for n in names if n.startswith(("MAESTRO_", "MLFLOW_"))}
    assert maestro_names <= settings_env_names(), maestro_names - settings_env_names()
    settings = pod_settings(pod, tmp_path)
    assert settings.compute == "kubernetes"
    assert settings.tracking_uri == SINGLEUSER["extraEnv"]["MLFLOW_TRACKING_URI"]
    assert settings.db_url == SECRET_VALUES["maestro-url"]
    assert settings.prometheus_url == SINGLEUSER["extraEnv"]["MAESTRO_PROMETHEUS_URL"]
    assert settings.k8s_namespace == "maestro-workloads"
    assert (settings.user, settings.admins) == ("alice", ("admin", "carol"))
    assert settings.job_image == settings.serving_image == IMAGE
    assert settings.k8s_code_pvc is None  # ReadWriteOnce homes: the code travels in a ConfigMap
    # Without the hook's MAESTRO_USER, the hub's JUPYTERHUB_USER names the same user.
    assert pod_settings(pod, tmp_path, drop=("MAESTRO_USER",)).user == "alice"


def test_the_hook_reads_the_hubs_admins_and_shared_homes_at_each_start(
    render: Callable[..., tuple[Any, dict[str, Any]]], tmp_path: Path
) -> None:
    _, pod = render(users={"admin": True, "bob": False}, user="bob")
    assert pod_settings(pod, tmp_path).admins == ("admin",)
    # An admin made since (in the admin panel): in MAESTRO_ADMINS at the next start.
    _, pod = render(users={"admin": True, "bob": False, "dana": True}, user="bob")
    settings = pod_settings(pod, tmp_path)
    assert (settings.user, settings.admins) == ("bob", ("admin", "dana"))

    # With ReadWriteMany homes, jobs run files from the user's own volume, mounted where the server has it.
    shared = copy.deepcopy(VALUES)
    shared["singleuser"]["storage"]["dynamic"]["storageAccessModes"] = ["ReadWriteMany"]
    spawner, pod = render(values=shared)
    settings = pod_settings(pod, tmp_path)
    assert settings.k8s_code_pvc == spawner.pvc_name == "claim-alice"
    assert settings.k8s_code_mount == SINGLEUSER["storage"]["homeMountPath"]


def test_profiles_override_real_kubespawner_traits_with_kubernetes_sizes() -> None:
    from kubespawner import KubeSpawner

    traits = set(KubeSpawner.class_trait_names(config=True))
    assert [p["slug"] for p in PROFILES] == ["small", "medium", "large", "gpu"]
    assert [p["slug"] for p in PROFILES if p.get("default")] == ["small"]
    for profile in PROFILES:
        override = profile["kubespawner_override"]
        assert set(override) <= traits, set(override) - traits
        cpu = [parse_quantity(str(override[k])) for k in ("cpu_guarantee", "cpu_limit")]
        memory = [parse_quantity(override[k]) for k in ("mem_guarantee", "mem_limit")]
        assert 0 < cpu[0] <= cpu[1]
        assert 0 < memory[0] == memory[1]  # memory is never overcommitted
        for amount in override.get("extra_resource_limits", {}).values():
            assert parse_quantity(amount) >= 1
    limits = [parse_quantity(str(p["kubespawner_override"]["cpu_limit"])) for p in PROFILES[:3]]
    assert limits == sorted(limits)


def test_jobs_that_ask_for_no_size_get_the_small_size() -> None:
    """The LimitRange of maestro-workloads gives a container with no requests the default server size."""
    small = PROFILES[0]["kubespawner_override"]
    (limits,) = find("LimitRange", "maestro-default-size")["spec"]["limits"]
    assert limits["type"] == "Container"
    assert parse_quantity(limits["defaultRequest"]["cpu"]) == parse_quantity(str(small["cpu_guarantee"]))
    assert parse_quantity(limits["default"]["cpu"]) == parse_quantity(str(small["cpu_limit"]))
    assert parse_quantity(limits["defaultRequest"]["memory"]) == kubespawner_bytes(small["mem_guarantee"])
    assert parse_quantity(limits["default"]["memory"]) == kubespawner_bytes(small["mem_limit"])
    # The chart's size for a server started without a profile (the REST API) is the same.
    assert SINGLEUSER["cpu"] == {"guarantee": small["cpu_guarantee"], "limit": small["cpu_limit"]}
    assert SINGLEUSER["memory"] == {"guarantee": small["mem_guarantee"], "limit": small["mem_limit"]}


def test_maestros_own_pods_pass_the_workloads_namespaces_pod_security_level() -> None:
    """baseline refuses privileged containers, host namespaces, hostPath volumes, host ports and added
    capabilities: none of Maestro's builders asks for them, GPU jobs included."""
    resources = Resources(cpus=2, memory="4Gi", gpus=1, workers=2)
    job = JobLaunch("job-1", "train", "alice", "default", "script", "train.py", b"", None, {}, resources, {})
    served = DeploymentLaunch("iris", "iris", "1", "models:/iris/1", 1, "alice", "default", resources, {})
    pods = [
        objects.make_job(job, "maestro-workloads", IMAGE)["spec"]["template"]["spec"],
        objects.make_pytorch_job(job, "maestro-workloads", IMAGE)["spec"]["pytorchReplicaSpecs"]["Worker"]["template"][
            "spec"
        ],
        objects.make_deployment(served, "maestro-workloads", IMAGE)["spec"]["template"]["spec"],
    ]
    for spec in pods:
        assert not {"hostNetwork", "hostPID", "hostIPC"} & set(spec)
        assert not [v for v in spec.get("volumes", []) if "hostPath" in v]
        for container in spec["containers"]:
            context = container.get("securityContext", {})
            assert not context.get("privileged")
            assert not context.get("capabilities", {}).get("add")
            assert not [p for p in container.get("ports", []) if "hostPort" in p]


# --- the hub ---------------------------------------------------------------------------------------------------------


def test_the_team_logs_in_with_jupyterhubs_shared_password_authenticator() -> None:
    hub_config = VALUES["hub"]["config"]
    # The passwords are given at install time, never in values.yaml.
    assert "SharedPasswordAuthenticator" not in hub_config
    (entry,) = importlib.metadata.entry_points(
        group="jupyterhub.authenticators", name=hub_config["JupyterHub"]["authenticator_class"]
    )
    config = Config(copy.deepcopy(hub_config))
    team, admins = secrets.token_urlsafe(12), secrets.token_urlsafe(32)
    config.SharedPasswordAuthenticator.user_password = team
    config.SharedPasswordAuthenticator.admin_password = admins
    authenticator = entry.load()(config=config)
    authenticator.check_allow_config()
    assert authenticator.admin_users == {"admin"}
    assert authenticator.validate_username("alice")
    assert not authenticator.validate_username("Alice")
    assert not authenticator.validate_username("../alice")

    def login(name: str, password: str) -> Any:
        return asyncio.run(authenticator.authenticate(None, {"username": name, "password": password}))

    assert login("alice", team) == {"name": "alice", "admin": False, "groups": []}
    assert login("admin", admins) == {"name": "admin", "admin": True, "groups": []}
    assert login("admin", team) is None  # an admin needs the admins' password
    assert login("alice", "wrong") is None


def test_prometheus_gets_a_hub_service_with_the_scopes_its_scrapes_need() -> None:
    from jupyterhub import orm, roles

    hub = VALUES["hub"]
    role = {"name": "prometheus", **hub["loadRoles"]["prometheus"]}
    assert set(hub["services"]) == set(role["services"]) == {"prometheus"}
    # The hub's own code accepts the role and gives the service exactly the scopes of monitoring/prometheus.yml.
    db = hub_db({})
    service = orm.Service(name="prometheus")
    db.add(service)
    granted = roles.create_role(db, {k: v for k, v in role.items() if k != "services"})
    roles.grant_role(db, service, granted)
    assert roles.roles_to_scopes(service.roles) == {"access:servers", "read:metrics"}
    # What it scrapes: the users' servers through proxy-public, and the hub's port, which the hub's network policy
    # opens to Prometheus.
    scrape = yaml.safe_load((HUB_DIR / "monitoring" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in scrape["scrape_configs"]}
    hub_target = jobs["jupyterhub"]["static_configs"][0]["targets"][0]
    assert hub_target == "hub:8081"
    (rule,) = hub["networkPolicy"]["ingress"]
    assert [p["port"] for p in rule["ports"]] == [8081]


def network_policy(kind: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    key = kind.lower()
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": f"check-{key}", "namespace": "jupyterhub"},
        "spec": {"podSelector": {}, "policyTypes": [kind], key: rules},
    }


def test_user_pods_may_reach_what_maestro_needs_under_the_charts_network_policy() -> None:
    egress = SINGLEUSER["networkPolicy"]["egress"]
    for version in K8S_VERSIONS:
        kubernetes_validate.validate(network_policy("Egress", egress), version, strict=True)
        hub_ingress = network_policy("Ingress", VALUES["hub"]["networkPolicy"]["ingress"])
        kubernetes_validate.validate(hub_ingress, version, strict=True)

    def allows(port: int, labels: dict[str, str] | None = None, namespace: str | None = None) -> bool:
        for rule in egress:
            if port not in [p["port"] for p in rule["ports"]]:
                continue
            for peer in rule["to"]:
                selected = peer.get("namespaceSelector", {}).get("matchLabels", {})
                if namespace is None and "namespaceSelector" in peer:
                    continue
                if namespace is not None and selected.get("kubernetes.io/metadata.name") != namespace:
                    continue
                if labels is None and "ipBlock" in peer:
                    return True
                if labels is not None and peer.get("podSelector", {}).get("matchLabels", {}).items() <= labels.items():
                    return True
        return False

    # MLflow and PostgreSQL, in the hub's namespace: each Service's pods, on its target port.
    for service_name, workload in (("maestro-mlflow", "Deployment"), ("maestro-postgres", "StatefulSet")):
        service = find("Service", service_name)
        template = find(workload, service_name)["spec"]["template"]
        assert service["spec"]["selector"].items() <= template["metadata"]["labels"].items()
        (port,) = service["spec"]["ports"]
        (container,) = template["spec"]["containers"]
        number = next(p["containerPort"] for p in container["ports"] if p["name"] == port["targetPort"])
        assert allows(number, template["metadata"]["labels"]), service_name
    # Prometheus, in its own namespace.
    prometheus = urlsplit(SINGLEUSER["extraEnv"]["MAESTRO_PROMETHEUS_URL"])
    assert prometheus.hostname is not None
    assert prometheus.port is not None
    assert allows(prometheus.port, {"app.kubernetes.io/name": "prometheus"}, prometheus.hostname.split(".")[1])
    # The Kubernetes API server, wherever the cluster has it.
    assert allows(443)
    assert allows(6443)


def test_the_example_notebooks_reach_each_users_home_without_overwriting_edits(tmp_path: Path) -> None:
    command = SINGLEUSER["lifecycleHooks"]["postStart"]["exec"]["command"]
    source_in_image, target_in_pod = command[-2:]
    # It reads where the Dockerfile puts the notebooks and writes into the home volume.
    assert dockerfile_copy("notebooks/") == source_in_image + "/"
    assert target_in_pod.startswith(SINGLEUSER["storage"]["homeMountPath"] + "/")
    assert command[0] == "python3"

    shipped = sorted((REPO / "notebooks").glob("*.ipynb"))
    assert shipped, "the image ships the repository's notebooks/"
    source, home = tmp_path / "image-notebooks", tmp_path / "home" / "maestro-notebooks"
    source.mkdir()
    for notebook in shipped:
        shutil.copy(notebook, source)

    def post_start() -> None:
        subprocess.run([sys.executable, *command[1:-2], str(source), str(home)], check=True, timeout=60)

    post_start()
    assert sorted(p.name for p in home.iterdir()) == [p.name for p in shipped]
    edited = home / shipped[0].name
    edited.write_text("the user's own version")
    (source / "99-new.ipynb").write_text("{}")
    post_start()  # the next start: the new notebook arrives, the edit stays
    assert edited.read_text() == "the user's own version"
    assert (home / "99-new.ipynb").read_text() == "{}"
