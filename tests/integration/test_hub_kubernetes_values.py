"""The users' pods and the hub's configuration of the Kubernetes distribution (``jupyterhub/values.yaml``), checked
with real components; no cluster, Docker engine or helm runs here.

- The pod the real KubeSpawner builds for each profile from ``values.yaml`` (mapped as the chart's
  ``jupyterhub_config.py`` maps it, hub.extraConfig included) validates against the official schemas
  (kubernetes-validate, strict), for the oldest Kubernetes the chart supports and the newest known here; it runs the
  image as the Dockerfile builds it (user 1000, port 8888), with the profile's size.
- Members hold no keys: the pod has MAESTRO_URL, and no service account token, no Secret reference, no DB URL, no
  admin credentials; nor does the hub's own environment (its pre-spawn hook asks the Maestro service for the member's
  MLflow account with the member's token: ``tests/hub/test_hub_kubernetes_hook.py`` runs it against a real hub,
  service and MLflow).
- The hub itself (JupyterHub's own initialisation) accepts the Maestro service and the roles, and a member's server
  token carries the scope the service checks; the network policies let members reach the service and MLflow, and
  not PostgreSQL or the API server.
- The profiles' sizes are real KubeSpawner traits with Kubernetes quantities, the workloads namespace's LimitRange
  gives unsized jobs the small one, and Maestro's own pods pass that namespace's Pod Security level.
- The hub: the team logs in with JupyterHub's shared-password authenticator, Prometheus gets a hub service with the
  scopes its scrapes need, and the postStart hook copies the notebooks from where the Dockerfile puts them into each
  user's home without overwriting edits.
"""

from __future__ import annotations

import asyncio
import copy
import importlib.metadata
import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes.utils import parse_quantity
from traitlets.config import Config

from maestro_jupyter.backends.compute import k8s_objects as objects
from maestro_jupyter.backends.compute.base import DeploymentLaunch, JobLaunch
from maestro_jupyter.entities import Resources
from maestro_jupyter.server.service import service_argv
from maestro_jupyter.settings import Settings
from tests.hub_distribution import (
    HUB_DIR,
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
    build_pod,
    chart_policies,
    container_env,
    dockerfile_copy,
    dockerfile_value,
    find,
    hub_config,
    hub_db,
    hub_environment,
    kube_dns,
    nowhere_kubeconfig,
    only_container,
    template_endpoint,
    traffic_allowed,
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


Render = Callable[..., tuple[Any, dict[str, Any]]]


@pytest.fixture
def render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Render:
    """``render(profile, user=...)`` -> (spawner, pod as JSON), for a member of a hub with an admin: the pod as
    KubeSpawner builds it, before the pre-spawn hook adds the member's MLflow account (which needs a running hub and
    Maestro service: ``tests/hub/test_hub_kubernetes_hook.py``). KubeSpawner has a kubeconfig pointing nowhere."""
    monkeypatch.setenv("KUBECONFIG", str(nowhere_kubeconfig(tmp_path)))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)

    def run(profile: str = "small", user: str = "alice") -> tuple[Any, dict[str, Any]]:
        db = hub_db({"admin": True, user: False})
        return asyncio.run(build_pod(hub_config(VALUES), db, user, profile, hook=False))

    return run


def pod_env(pod: dict[str, Any]) -> dict[str, str]:
    """A user pod's environment (members' pods have no Secret reference to resolve)."""
    return container_env(pod["spec"]["containers"][0]["env"], {})


def held_secrets() -> list[str]:
    """Every secret value the team's Secrets hold (with the chart's service tokens), and the DB URLs' password."""
    values = [value for keys in SECRETS.values() for value in keys.values() if len(value) > 8]
    return [*values, SECRETS["maestro-db"]["password"]]


@pytest.mark.parametrize("profile", [p["slug"] for p in PROFILES])
def test_each_profile_renders_a_valid_user_pod_that_holds_no_keys(render: Render, profile: str, tmp_path: Path) -> None:
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
    # No Kubernetes credentials: no service account of Maestro's, and no token mounted at all.
    assert spec["automountServiceAccountToken"] is False
    assert spec.get("serviceAccountName") in (None, "default")
    assert not [v for v in spec.get("volumes", []) if "projected" in v or "secret" in v]
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

    # No keys: no Secret reference, and none of the team's secrets anywhere in the pod (DB URLs, MLflow's admin
    # password, the service's hub token...).
    assert '"secretKeyRef"' not in json.dumps(pod)
    leaked = [value for value in held_secrets() if value in json.dumps(pod)]
    assert not leaked
    env = pod_env(pod)
    assert "MAESTRO_DB_URL" not in env
    assert not {"MAESTRO_FEAST_REPO", "MAESTRO_FEAST_DB_PASSWORD"} & env.keys()  # the feature store is the service's
    assert "MLFLOW_TRACKING_PASSWORD" not in env  # the member's own: the pre-spawn hook adds it at each start
    maestro_names = {n for n in env if n.startswith(("MAESTRO_", "MLFLOW_"))}
    readers = settings_env_names() | {"MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD"}  # MLflow's own
    assert maestro_names <= readers, maestro_names - readers

    # Maestro in this pod: every operation to the team's service; its own settings name no store of the team's.
    settings = Settings.from_env(env, home=str(tmp_path / "home"))
    assert settings.url == SINGLEUSER["extraEnv"]["MAESTRO_URL"]
    assert settings.tracking_uri == SINGLEUSER["extraEnv"]["MLFLOW_TRACKING_URI"]
    assert settings.embedded_db  # no team DB: the service has it
    assert settings.team is False  # team mode is the service's
    assert settings.user == "alice"  # JUPYTERHUB_USER, a label with no authority
    assert settings.feast_repo == settings.home / "feature_repo"  # no team repo: feature-store calls go to the service


def test_the_hubs_own_environment_holds_no_key() -> None:
    """The hub pod's environment names the Maestro service and nothing else of Maestro's: no Secret, no MLflow
    admin. Its pre-spawn hook asks the service, with the member's own token, for the member's MLflow account."""
    assert hub_environment(VALUES) == {"MAESTRO_URL": SINGLEUSER["extraEnv"]["MAESTRO_URL"]}
    assert "secretKeyRef" not in json.dumps(VALUES["hub"].get("extraEnv", {}))
    assert "maestro_jupyter.hub_hooks" in VALUES["hub"]["extraConfig"]["maestro.py"]


# --- the hub ---------------------------------------------------------------------------------------------------------


def test_the_hub_accepts_the_maestro_service_and_members_server_tokens_reach_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JupyterHub's own initialisation with the configuration the chart makes of values.yaml; then a member's server
    token, as the hub makes it at a spawn, checked as the Maestro service checks its callers."""
    import jupyterhub.orm as orm
    import jupyterhub.roles as roles
    import jupyterhub.scopes as scopes
    from jupyterhub.app import JupyterHub
    from jupyterhub.services.auth import HubOAuth

    config = hub_config()
    config.JupyterHub.db_url = f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    config.JupyterHub.cookie_secret = secrets.token_bytes(32)
    config.ConfigurableHTTPProxy.should_start = False
    config.ConfigurableHTTPProxy.auth_token = secrets.token_hex(16)
    config.SharedPasswordAuthenticator.user_password = secrets.token_urlsafe(12)
    config.SharedPasswordAuthenticator.admin_password = secrets.token_urlsafe(32)
    config.Authenticator.allowed_users = {"alice"}
    monkeypatch.chdir(tmp_path)
    service_env = container_env(only_container("Deployment", "maestro")["env"])

    async def initialise() -> tuple[set[str], set[str], Any, set[str]]:
        hub = JupyterHub(config=config)
        await hub.initialize([])
        service = hub._service_map["maestro"]
        # Its token is the one the service's Deployment reads from the chart's Secret.
        token = orm.APIToken.find(hub.db, service_env["JUPYTERHUB_API_TOKEN"])
        assert token is not None
        assert token.service is not None
        assert token.service.name == "maestro"
        details = (service.url, service.prefix, service.oauth_client_id, service.oauth_redirect_uri,
                   service.oauth_no_confirm)  # fmt: skip
        alice = hub.users[orm.User.find(hub.db, "alice")]
        held = roles.roles_to_scopes(roles.get_roles_for(alice.orm_user))
        # The server token, as User.spawn makes it: the requested scopes, !server resolved to this server.
        requested = [
            f"{scope}=alice/" if scope.endswith("!server") else scope for scope in config.Spawner.server_token_scopes
        ]
        server_token = orm.APIToken.find(hub.db, alice.new_api_token(scopes=requested, note="Server at /user/alice/"))
        # JupyterHub's default, when server_token_scopes is not set: the "server" role's scopes, resolved alike.
        fallback = [f"{s}=alice/" if s.endswith("!server") else s for s in orm.Role.find(hub.db, "server").scopes]
        default = orm.APIToken.find(hub.db, alice.new_api_token(scopes=fallback, note="JupyterHub's default"))
        effective = set(scopes.get_scopes_for(server_token))
        return held, effective, details, set(scopes.get_scopes_for(default))

    held, effective, details, default = asyncio.run(initialise())
    url, prefix, client_id, redirect_uri, no_confirm = details
    assert url == VALUES["hub"]["services"]["maestro"]["url"]
    assert no_confirm is True
    # What HubOAuth makes of the service's environment (in a process of its own: HubOAuth reads some of it when
    # imported) agrees with what the hub registered.
    access = dict(a.removeprefix("--").split("=", 1) for a in service_argv(service_env, str(tmp_path)))
    scope = access["HubOAuth.access_scopes"]
    probe = (
        "import json; from jupyterhub.services.auth import HubOAuth; "
        f"a = HubOAuth(access_scopes={{{scope!r}}}); "
        "print(json.dumps([a.base_url, a.oauth_client_id, a.oauth_redirect_uri, a.api_url]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "MAESTRO_", "MLFLOW_"))}
    done = subprocess.run(
        [sys.executable, "-c", probe], env={**clean, **service_env}, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    base_url, oauth_client, oauth_redirect, api_url = json.loads(done.stdout)
    assert (prefix, client_id, redirect_uri) == (base_url, oauth_client, oauth_redirect)
    assert api_url == service_env["JUPYTERHUB_API_URL"]
    auth = HubOAuth(access_scopes={scope})
    # Every member holds access to the service, and their server's token (which their kernels inherit) carries it:
    # the service's own scope check admits it, and would refuse JupyterHub's default server token.
    assert "access:services!service=maestro" in held
    assert "access:services!service=maestro" in effective
    assert auth.check_scopes(auth.access_scopes, {"scopes": sorted(effective)})
    assert not auth.check_scopes(auth.access_scopes, {"scopes": sorted(default)})


def test_members_pods_reach_the_service_and_mlflow_but_no_store_or_api_server(render: Render) -> None:
    _, pod = render()
    member = Endpoint.pod("jupyter-alice", HUB_NAMESPACE, pod["metadata"]["labels"], "10.244.3.20")
    assert dict(member.labels)["component"] == "singleuser-server"
    policies = chart_policies() + [d for d in MANIFESTS if d["kind"] == "NetworkPolicy"]
    service = template_endpoint("Deployment", "maestro", "10.244.1.10")
    mlflow = template_endpoint("Deployment", "maestro-mlflow", "10.244.1.11")
    postgres = template_endpoint("StatefulSet", "maestro-postgres", "10.244.1.12")
    hub = Endpoint.pod("hub", HUB_NAMESPACE, {"component": "hub", "app": "jupyterhub"}, "10.244.1.13")
    prometheus = Endpoint.pod("prometheus", "monitoring", {"app.kubernetes.io/name": "prometheus"}, "10.244.2.3")

    def allowed(target: Endpoint, port: int, protocol: str = "TCP") -> bool:
        return traffic_allowed(policies, member, target, port, protocol)

    assert allowed(service, 8000)
    assert allowed(mlflow, 5000)
    assert allowed(hub, 8081)  # the chart's own rule: the server reports to the hub
    assert allowed(kube_dns(), 53, "UDP")
    assert allowed(Endpoint.address("pypi", "151.101.0.223"), 443)  # the internet, as the chart allows
    assert not allowed(postgres, 5432)
    assert not allowed(prometheus, 9090)
    assert not allowed(service, 5432)
    for api_server in ("10.96.0.1", "172.18.0.2", "192.168.49.2"):  # the Service's address, and nodes' ones
        for port in (443, 6443):
            assert not allowed(Endpoint.address("kube-apiserver", api_server), port), (api_server, port)
    # The hub's pre-spawn hook reaches MLflow (the hub's own egress is open; MLflow's policy admits it).
    assert traffic_allowed(policies, hub, mlflow, 5000)
    # A service account's token would be useless anyway: a job pod of Maestro's runs with none either.
    job = objects.make_job(
        JobLaunch("job-1", "train", "alice", "default", "script", "train.py", b"", None, {}, Resources(), {}),
        WORKLOADS_NAMESPACE, IMAGE,
    )  # fmt: skip
    assert job["spec"]["template"]["spec"]["automountServiceAccountToken"] is False


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
    import jupyterhub.orm as orm
    import jupyterhub.roles as roles

    hub = VALUES["hub"]
    role = {"name": "prometheus", **hub["loadRoles"]["prometheus"]}
    assert set(hub["services"]) == {"maestro", "prometheus"}
    assert role["services"] == ["prometheus"]
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
