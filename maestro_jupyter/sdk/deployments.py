"""Deployments: ``ml.deployments``.

>>> dep = ml.deployments.create("churn", alias="champion", replicas=2, wait=True)
>>> dep.predict(df).predictions
>>> ml.deployments.predict("churn-champion", entities=[{"customer_id": 7}])  # features from the store
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..contract.deployments import (
    CreateDeployment,
    DeleteDeployment,
    GetDeployment,
    ListDeployments,
    Predict,
    UpdateDeployment,
)
from ..entities import Deployment, DeploymentList, Prediction

if TYPE_CHECKING:
    from .transport import Transport

#: Statuses a starting or updating deployment settles in.
_SETTLED = ("ready", "failed", "stopped", "degraded")


class ModelDeployment:
    """A deployment: its latest known state and what you can do with it."""

    def __init__(self, transport: Transport, deployment: Deployment) -> None:
        self._transport = transport
        self.deployment = deployment

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["deployment"], name)

    def refresh(self) -> ModelDeployment:
        self.deployment = self._transport.call(GetDeployment(deployment_id=self.deployment.id))
        return self

    def wait(self, timeout: float = 120.0) -> ModelDeployment:
        """Block until ready (or failed, or ``timeout`` seconds pass), showing progress after a second."""
        from .progress import Progress

        deadline = time.monotonic() + timeout
        delay = 0.05
        d = self.deployment
        with Progress(f"Starting deployment {d.id}", total=d.replicas) as progress:
            while True:
                self.refresh()
                d = self.deployment
                progress.update(d.ready_replicas, f"{d.status}, {d.ready_replicas}/{d.replicas} replicas ready")
                if d.status in _SETTLED or time.monotonic() >= deadline:
                    return self
                time.sleep(delay)
                delay = min(delay * 1.5, 0.5)

    def predict(self, data: Any = None, params: Mapping[str, Any] | None = None, *, entities: Any = None) -> Prediction:
        """Predictions for ``data``: a pandas DataFrame, a CSV/Parquet file, a list of records (dicts), or an MLflow
        scoring request. Or, for a version trained from a feature service, ``entities`` instead: entity keys only
        (a list of dicts such as ``[{"customer_id": 7}]``, one dict, or a DataFrame of key columns), whose online
        features the deployment fetches from the feature store."""
        if entities is not None:
            if data is not None:
                from ..errors import InvalidParameter

                raise InvalidParameter("predict takes data (full feature rows) or entities (keys), not both")
            request = Predict.build(
                entities=entity_rows(entities),
                params=dict(params) if params else None,
                deployment_id=self.deployment.id,
            )
        else:
            if data is None:
                from ..errors import InvalidParameter

                raise InvalidParameter("predict needs data (full feature rows) or entities=[{key: value}, ...]")
            if isinstance(data, str | Path):
                from ..contract.sources import read_table

                data, _ = read_table(data)  # read here, in the kernel: the frame is what travels
            request = Predict.build(**{**scoring_request(data, params), "deployment_id": self.deployment.id})
        result: Prediction = self._transport.call(request)
        return result

    def scale(self, replicas: int) -> ModelDeployment:
        """Run ``replicas`` replicas."""
        self.deployment = self._transport.call(
            UpdateDeployment.build(deployment_id=self.deployment.id, replicas=replicas)
        )
        return self

    def update(
        self, *, version: int | str | None = None, alias: str | None = None, override_reason: str | None = None
    ) -> ModelDeployment:
        """Roll over to another version of the model (the old one serves until the new one is ready)."""
        request = UpdateDeployment.build(
            deployment_id=self.deployment.id, version=version, alias=alias, override_reason=override_reason
        )
        self.deployment = self._transport.call(request)
        return self

    def delete(self) -> ModelDeployment:
        """Stop serving."""
        self.deployment = self._transport.call(DeleteDeployment(deployment_id=self.deployment.id))
        return self

    def _repr_html_(self) -> str:
        return self.deployment._repr_html_()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self.deployment._repr_mimebundle_(include, exclude)

    def __repr__(self) -> str:
        d = self.deployment
        return f"ModelDeployment(id={d.id!r}, model={d.model!r}, version={d.version!r}, status={d.status!r})"


class DeploymentsAPI:
    """Model deployments: ``ml.deployments``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def create(
        self,
        model: str,
        *,
        version: int | str | None = None,
        alias: str | None = None,
        name: str | None = None,
        replicas: int = 1,
        cpus: float | None = None,
        memory: str | None = None,
        gpus: int = 0,
        override_reason: str | None = None,
        project: str | None = None,
        wait: bool = True,
        timeout: float = 120.0,
    ) -> ModelDeployment:
        """Serve ``model`` at ``version`` (or the one ``alias`` names; default the newest) with ``replicas``
        replicas, charged to ``project`` (one of yours; default: your default project). The version must have
        passing tests (the promotion gate) unless ``override_reason`` says why not.
        By default waits until it answers (``wait=False`` returns while it starts)."""
        request = CreateDeployment.build(
            model=model,
            version=version,
            alias=alias,
            name=name,
            replicas=replicas,
            cpus=cpus,
            memory=memory,
            gpus=gpus,
            override_reason=override_reason,
            project=project,
        )
        created: Deployment = self._transport.call(request)
        deployment = ModelDeployment(self._transport, created)
        if wait:
            deployment.wait(timeout)
            # The estimate is part of what creating it answered; keep it on the settled state.
            deployment.deployment = deployment.deployment.model_copy(update={"estimate": created.estimate})
        return deployment

    def get(self, deployment_id: str) -> ModelDeployment:
        return ModelDeployment(self._transport, self._transport.call(GetDeployment.build(deployment_id=deployment_id)))

    def list(self, *, include_stopped: bool = False) -> DeploymentList:
        """Active deployments (all with ``include_stopped``), newest first."""
        result: DeploymentList = self._transport.call(ListDeployments.build(include_stopped=include_stopped))
        return result

    def predict(
        self, deployment_id: str, data: Any = None, params: Mapping[str, Any] | None = None, *, entities: Any = None
    ) -> Prediction:
        """Predictions from a deployment, for ``data`` (full feature rows) or ``entities`` (keys only, for a version
        trained from a feature service; see :meth:`ModelDeployment.predict`)."""
        return self.get(deployment_id).predict(data, params, entities=entities)

    def delete(self, deployment_id: str) -> ModelDeployment:
        return self.get(deployment_id).delete()


def entity_rows(entities: Any) -> list[dict[str, Any]]:
    """Entity keys as the request carries them: a list of dicts, from a list of dicts, one dict, or a DataFrame of
    key columns (numpy scalars made plain JSON values)."""
    import json

    from ..errors import InvalidParameter

    if isinstance(entities, Mapping):
        entities = [entities]
    if hasattr(entities, "to_json") and hasattr(entities, "columns"):
        rows: list[dict[str, Any]] = json.loads(entities.to_json(orient="records", date_format="iso"))
        return rows
    if isinstance(entities, list | tuple) and all(isinstance(row, Mapping) for row in entities):
        # A numpy integer (a key read from a frame) is no JSON value: made plain through pandas' writer.
        return [{str(key): _plain(value) for key, value in row.items()} for row in entities]
    raise InvalidParameter(
        'entities are a list of dicts ([{"customer_id": 7}]), one dict, or a DataFrame of entity key columns'
    )


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)  # numpy scalars
    return item() if callable(item) else value


def scoring_request(data: Any, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """MLflow's scoring JSON for a DataFrame (``dataframe_split``), a list of records, or a request as it is."""
    import json

    from ..errors import InvalidParameter

    if isinstance(data, dict):
        request = dict(data)
    elif isinstance(data, list):
        request = {"dataframe_records": data}
    elif hasattr(data, "to_json") and hasattr(data, "columns"):
        # pandas writes numpy scalars, NaN and timestamps as JSON the scoring server reads back.
        request = {"dataframe_split": json.loads(data.to_json(orient="split", index=False, date_format="iso"))}
    else:
        raise InvalidParameter("predict takes a pandas DataFrame, a list of records or an MLflow scoring request")
    if params:
        request["params"] = dict(params)
    return request
