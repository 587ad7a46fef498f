"""The Kubernetes builders, validated against the official schemas (strict: no field Kubernetes does not know)."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import replace
from typing import Any

import kubernetes_validate
import pytest

from maestro_jupyter.backends.compute import commands
from maestro_jupyter.backends.compute import k8s_objects as objects
from maestro_jupyter.backends.compute.base import DeploymentLaunch, JobLaunch
from maestro_jupyter.entities import Resources
from maestro_jupyter.errors import InvalidParameter

#: The Kubernetes version whose schemas the builders must satisfy (bundled by kubernetes-validate >= 1.31).
K8S_SCHEMA_VERSION = "1.31"

DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")

NASTY = ["Job_ABC", "x" * 100, "ÄÖÜ-über", "---", "a.b.c", "UPPER lower", "9starts-with-digit", "job-1a2b3c4d"]
NASTY_USERS = ["Jane.Doe+ml@Example.COM", "-_.weird_.-", "u" * 100, "名前", "jovyan"]


def validate(obj: dict[str, Any]) -> None:
    kubernetes_validate.validate(obj, K8S_SCHEMA_VERSION, strict=True)


def job_launch(**changes: Any) -> JobLaunch:
    launch = JobLaunch(
        job_id="job-1a2b3c4d",
        name="Train the iris model",
        user="alice@example.com",
        project="Vision Team",
        kind="script",
        file_name="train.py",
        code=b"print('hello')\n",
        workdir="/home/jovyan/project",
        params={"lr": "0.1", "epochs": "3"},
        resources=Resources(),
        env={"MLFLOW_TRACKING_URI": "http://mlflow:5000", "MLFLOW_RUN_ID": "r" * 32, "MLFLOW_EXPERIMENT_ID": "7"},
    )
    return replace(launch, **changes)


def deployment_launch(**changes: Any) -> DeploymentLaunch:
    launch = DeploymentLaunch(
        deployment_id="iris",
        model="Iris Classifier",
        version="3",
        model_uri="models:/Iris Classifier/3",
        replicas=2,
        user="alice@example.com",
        project="vision",
        resources=Resources(cpus=1, memory="1Gi"),
        env={"MLFLOW_TRACKING_URI": "http://mlflow:5000"},
    )
    return replace(launch, **changes)


def container(pod_spec: dict[str, Any]) -> dict[str, Any]:
    (only,) = pod_spec["containers"]
    assert isinstance(only, dict)
    return only


def env_of(c: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in c["env"]}


def assert_labels_valid(labels: dict[str, str]) -> None:
    for key, value in labels.items():
        assert len(value) <= 63, (key, value)
        assert LABEL_VALUE.match(value), (key, value)


# --- code ConfigMap ----------------------------------------------------------------------------------------------


def test_configmap_ships_the_code_as_the_file_the_job_runs() -> None:
    cm = objects.make_code_configmap(job_launch(), "team-a")
    validate(cm)
    assert cm["metadata"]["name"] == "maestro-job-1a2b3c4d-code"
    assert cm["metadata"]["namespace"] == "team-a"
    assert cm["data"] == {"train.py": "print('hello')\n"}
    assert cm["immutable"] is True
    job = objects.make_job(job_launch(), "team-a", "img")
    volume = job["spec"]["template"]["spec"]["volumes"][0]
    assert volume["configMap"]["name"] == cm["metadata"]["name"]
    assert container(job["spec"]["template"]["spec"])["args"][1] == f"{objects.CODE_MOUNT}/train.py"


def test_configmap_keeps_binary_code_intact_and_sanitises_the_key() -> None:
    code = b"\xff\xfe not utf-8 \x00"
    cm = objects.make_code_configmap(job_launch(code=code, file_name="my notebook (1).ipynb"), "ns")
    validate(cm)
    ((key, encoded),) = cm["binaryData"].items()
    assert re.match(r"^[-._a-zA-Z0-9]+$", key)
    assert key.endswith(".ipynb")
    assert base64.b64decode(encoded) == code
    assert "data" not in cm


def test_configmap_refuses_code_too_large_and_says_what_to_do() -> None:
    with pytest.raises(InvalidParameter, match="MAESTRO_K8S_CODE_PVC"):
        objects.make_code_configmap(job_launch(code=b"x" * 1_000_001), "ns")


# --- Job ---------------------------------------------------------------------------------------------------------


def test_job_runs_the_script_once_with_its_params_and_run_context() -> None:
    launch = job_launch()
    job = objects.make_job(launch, "team-a", "registry.example/job:1")
    validate(job)
    spec = job["spec"]
    assert spec["backoffLimit"] == 0
    assert spec["ttlSecondsAfterFinished"] == objects.JOB_TTL_SECONDS
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["automountServiceAccountToken"] is False
    c = container(pod)
    assert c["image"] == "registry.example/job:1"
    assert c["args"] == commands.job_argv("python", "script", "/maestro/code/train.py", launch.params)
    assert c["args"][-4:] == ["--lr", "0.1", "--epochs", "3"]
    env = env_of(c)
    assert env["MLFLOW_RUN_ID"] == "r" * 32
    assert env["MLFLOW_TRACKING_URI"] == "http://mlflow:5000"
    assert (env["MAESTRO_USER"], env["MAESTRO_PROJECT"]) == ("alice@example.com", "Vision Team")
    assert c["volumeMounts"] == [{"name": "code", "mountPath": "/maestro/code", "readOnly": True}]
    assert "resources" not in c
    labels = job["metadata"]["labels"]
    assert labels[objects.MANAGED_BY] == "maestro"
    assert labels[objects.LABEL_JOB] == "job-1a2b3c4d"
    assert labels[objects.LABEL_USER] == "alice_example.com"
    assert spec["template"]["metadata"]["labels"] == labels
    assert job["metadata"]["annotations"][objects.ANNOTATION_JOB_NAME] == "Train the iris model"


def test_notebook_job_runs_the_notebook_runner() -> None:
    job = objects.make_job(job_launch(kind="notebook", file_name="eda.ipynb"), "ns", "img")
    validate(job)
    args = container(job["spec"]["template"]["spec"])["args"]
    assert args[:4] == ["python", "-m", "maestro_jupyter.backends.compute.notebook", "/maestro/code/eda.ipynb"]


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        (Resources(cpus=0.5, memory="2Gi", gpus=2), {"cpu": "500m", "memory": "2Gi", "nvidia.com/gpu": "2"}),
        (Resources(cpus=2), {"cpu": "2"}),
        (Resources(cpus=1.25, memory="512Mi"), {"cpu": "1250m", "memory": "512Mi"}),
        (Resources(gpus=1), {"nvidia.com/gpu": "1"}),
    ],
)
def test_resources_become_requests_and_limits(resources: Resources, expected: dict[str, str]) -> None:
    job = objects.make_job(job_launch(resources=resources), "ns", "img")
    validate(job)
    pod = job["spec"]["template"]["spec"]
    assert container(pod)["resources"] == {"requests": expected, "limits": expected}
    tolerations = pod.get("tolerations", [])
    assert (resources.gpus > 0) == any(t["key"] == "nvidia.com/gpu" for t in tolerations)


def test_pvc_code_path_mounts_the_volume_and_runs_the_file_there() -> None:
    launch = job_launch(code_path="/home/jovyan/project/train.py")
    job = objects.make_job(launch, "ns", "img", code_pvc="claim-alice", code_mount="/home/jovyan")
    validate(job)
    pod = job["spec"]["template"]["spec"]
    assert pod["volumes"] == [{"name": "code", "persistentVolumeClaim": {"claimName": "claim-alice"}}]
    c = container(pod)
    assert c["volumeMounts"] == [{"name": "code", "mountPath": "/home/jovyan"}]
    assert c["args"][:2] == ["python", "/home/jovyan/project/train.py"]
    assert c["workingDir"] == "/home/jovyan/project"
    # A path relative to the volume means the same file.
    relative = objects.make_job(replace(launch, code_path="project/train.py"), "ns", "img", code_pvc="claim-alice")
    assert container(relative["spec"]["template"]["spec"])["args"] == c["args"]


@pytest.mark.parametrize("path", ["/etc/passwd", "../../etc/passwd", "/home/jovyan/../root/x.py"])
def test_pvc_code_path_outside_the_volume_is_refused(path: str) -> None:
    with pytest.raises(InvalidParameter, match="outside the code volume"):
        objects.make_job(job_launch(code_path=path), "ns", "img", code_pvc="claim-alice", code_mount="/home/jovyan")


def test_code_path_without_a_pvc_falls_back_to_the_configmap() -> None:
    job = objects.make_job(job_launch(code_path="/home/jovyan/train.py"), "ns", "img", code_pvc=None)
    assert "configMap" in job["spec"]["template"]["spec"]["volumes"][0]


# --- PyTorchJob --------------------------------------------------------------------------------------------------


def test_pytorch_job_has_one_master_and_the_other_workers() -> None:
    launch = job_launch(resources=Resources(cpus=4, memory="8Gi", gpus=1, workers=3))
    pj = objects.make_pytorch_job(launch, "team-a", "img")
    json.dumps(pj)  # plain data, as the custom objects API sends it
    assert (pj["apiVersion"], pj["kind"]) == ("kubeflow.org/v1", "PyTorchJob")
    assert pj["metadata"]["name"] == objects.job_object_name(launch.job_id)
    assert pj["spec"]["runPolicy"] == {
        "backoffLimit": 0,
        "ttlSecondsAfterFinished": objects.JOB_TTL_SECONDS,
        "cleanPodPolicy": "None",
    }
    replicas = pj["spec"]["pytorchReplicaSpecs"]
    assert set(replicas) == {"Master", "Worker"}
    assert (replicas["Master"]["replicas"], replicas["Worker"]["replicas"]) == (1, 2)
    for spec in replicas.values():
        assert spec["restartPolicy"] == "Never"
        template = spec["template"]
        # Each replica's template is a pod template as core/v1 defines it.
        validate({"apiVersion": "v1", "kind": "PodTemplate", "metadata": pj["metadata"], "template": template})
        c = container(template["spec"])
        assert c["name"] == "pytorch"  # the name the training operator looks for
        assert c["resources"]["limits"]["nvidia.com/gpu"] == "1"
        assert env_of(c)["MLFLOW_RUN_ID"] == "r" * 32
        assert template["metadata"]["labels"][objects.LABEL_JOB] == launch.job_id
    assert replicas["Master"]["template"] is not replicas["Worker"]["template"]


def test_pytorch_job_needs_two_workers() -> None:
    with pytest.raises(InvalidParameter, match="at least 2"):
        objects.make_pytorch_job(job_launch(), "ns", "img")


# --- names and labels --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ident", NASTY)
def test_object_names_are_dns_labels_for_any_id(ident: str) -> None:
    job_name = objects.job_object_name(ident)
    assert DNS1035_LABEL.match(job_name)
    assert len(job_name) <= objects.MAX_JOB_NAME
    assert DNS1123_SUBDOMAIN.match(objects.code_configmap_name(ident))
    name = objects.deployment_object_name(ident)
    assert DNS1035_LABEL.match(name)
    assert len(name) <= 63
    cm = objects.make_code_configmap(job_launch(job_id=ident), "ns")
    validate(cm)
    assert_labels_valid(cm["metadata"]["labels"])


def test_names_keep_ids_apart_that_read_alike_once_sanitised() -> None:
    ids = ["job-a", "Job_A", "JOB-A", "x" * 100, "x" * 101, "x" * 55 + "-1", "x" * 55 + "-2"]
    assert len({objects.job_object_name(i) for i in ids}) == len(ids)
    assert len({objects.deployment_object_name(i) for i in ids}) == len(ids)
    assert objects.job_object_name("job-1a2b3c4d") == "maestro-job-1a2b3c4d"
    assert objects.deployment_object_name("iris") == "maestro-iris"


@pytest.mark.parametrize("user", NASTY_USERS)
def test_labels_are_valid_for_any_user_project_and_model(user: str) -> None:
    job = objects.make_job(job_launch(user=user, project=user), "ns", "img")
    validate(job)
    assert_labels_valid(job["metadata"]["labels"])
    dep = objects.make_deployment(deployment_launch(user=user, model=f"{user}/model v2"), "ns", "img")
    validate(dep)
    assert_labels_valid(dep["metadata"]["labels"])
    assert_labels_valid(dep["spec"]["template"]["metadata"]["labels"])
    # The exact user still reaches the code, whatever its label had to become.
    assert env_of(container(job["spec"]["template"]["spec"]))["MAESTRO_USER"] == user


# --- Deployment and Service --------------------------------------------------------------------------------------


def test_deployment_serves_the_model_with_rolling_updates_and_a_readiness_probe() -> None:
    launch = deployment_launch()
    dep = objects.make_deployment(launch, "team-a", "registry.example/serve:1")
    validate(dep)
    spec = dep["spec"]
    assert spec["replicas"] == 2
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
    template = spec["template"]
    c = container(template["spec"])
    assert c["image"] == "registry.example/serve:1"
    assert c["args"] == commands.serving_argv("python", "models:/Iris Classifier/3", "0.0.0.0", 8080)  # noqa: S104
    assert c["readinessProbe"]["httpGet"] == {"path": "/ping", "port": commands.SERVING_PORT}
    assert c["ports"][0]["containerPort"] == commands.SERVING_PORT
    assert c["resources"]["limits"] == {"cpu": "1", "memory": "1Gi"}
    assert env_of(c)["MLFLOW_TRACKING_URI"] == "http://mlflow:5000"
    selector = spec["selector"]["matchLabels"]
    # The selector (immutable) must match the pods of every version, so it names no version.
    assert selector.items() <= template["metadata"]["labels"].items()
    assert objects.LABEL_VERSION not in selector
    labels = template["metadata"]["labels"]
    assert (labels[objects.LABEL_MODEL], labels[objects.LABEL_VERSION]) == ("Iris_Classifier", "3")
    assert labels[objects.LABEL_DEPLOYMENT] == "iris"


def test_service_fronts_the_deployment_on_8080() -> None:
    launch = deployment_launch()
    svc = objects.make_service(launch, "team-a")
    validate(svc)
    dep = objects.make_deployment(launch, "team-a", "img")
    assert svc["metadata"]["name"] == dep["metadata"]["name"] == "maestro-iris"
    assert svc["spec"]["type"] == "ClusterIP"
    assert svc["spec"]["ports"] == [{"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"}]
    assert svc["spec"]["selector"] == dep["spec"]["selector"]["matchLabels"]
    assert objects.service_url(svc["metadata"]["name"], "team-a") == "http://maestro-iris.team-a.svc:8080"


def test_gpu_deployment_asks_for_gpus() -> None:
    dep = objects.make_deployment(deployment_launch(resources=Resources(gpus=1)), "ns", "img")
    validate(dep)
    pod = dep["spec"]["template"]["spec"]
    assert container(pod)["resources"]["limits"] == {"nvidia.com/gpu": "1"}
    assert pod["tolerations"][0]["key"] == "nvidia.com/gpu"
