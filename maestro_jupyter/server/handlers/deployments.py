"""REST handlers for deployments: create, list, describe, scale/update, delete, and the prediction proxy."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...entities import Deployment, DeploymentList, Prediction
from ...errors import InvalidParameter
from ...services import Services
from ..openapi import Operation, Param
from ..requests import CreateDeployment, ScoringRequest, UpdateDeployment
from .base import MaestroHandler


class DeploymentsHandler(MaestroHandler):
    path = "/deployments"
    operations = {
        "get": Operation(
            "Active deployments, newest first",
            DeploymentList,
            query=(Param("all", "1: include stopped and failed ones", "integer"), Param("user", "Only this user's")),
        ),
        "post": Operation(
            "Serve a model version (through the promotion gate); returns while it starts",
            Deployment,
            201,
            body=CreateDeployment,
        ),
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        everything = self.query("all") in ("1", "true")
        user = self.query("user")
        self.send(await self.call(lambda s: s.deployments.list(include_stopped=everything, user=user)))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        req = self.body(CreateDeployment)
        user = self.acting_user()
        created = await self.call(
            lambda s: s.deployments.create(
                req.model,
                version=req.version,
                alias=req.alias,
                name=req.name,
                replicas=req.replicas,
                cpus=req.cpus,
                memory=req.memory,
                gpus=req.gpus,
                override_reason=req.override_reason,
                user=user,
            )
        )
        self.send(created, 201)


class DeploymentHandler(MaestroHandler):
    path = "/deployments/{deployment_id}"
    operations = {
        "get": Operation("A deployment as it is now (health-checked)", Deployment),
        "patch": Operation(
            "Scale a deployment and/or roll it over to another version", Deployment, body=UpdateDeployment
        ),
        "delete": Operation("Stop a deployment (its record stays, stopped)", Deployment),
    }

    @web.authenticated
    @authorized
    async def get(self, deployment_id: str) -> None:
        self.send(await self.call(lambda s: s.deployments.get(deployment_id)))

    @web.authenticated
    @authorized
    async def patch(self, deployment_id: str) -> None:
        req = self.body(UpdateDeployment)
        if req.replicas is None and req.version is None and req.alias is None:
            raise InvalidParameter("Give replicas to scale, or a version or alias to update to")
        user = self.acting_user()

        def change(s: Services) -> Deployment:
            result = None
            if req.version is not None or req.alias is not None:
                result = s.deployments.update(
                    deployment_id, version=req.version, alias=req.alias, override_reason=req.override_reason, user=user
                )
            if req.replicas is not None:
                result = s.deployments.scale(deployment_id, req.replicas, user=user)
            assert result is not None
            return result

        self.send(await self.call(change))

    @web.authenticated
    @authorized
    async def delete(self, deployment_id: str) -> None:
        user = self.acting_user()
        self.send(await self.call(lambda s: s.deployments.delete(deployment_id, user=user)))


class PredictHandler(MaestroHandler):
    path = "/deployments/{deployment_id}/predict"
    rate_limited = False  # a POST that reads: serving traffic is not a stream of changes
    operations = {
        "post": Operation(
            "Predict with a deployment: MLflow's scoring JSON in, its predictions out", Prediction, body=ScoringRequest
        )
    }

    @web.authenticated
    @authorized
    async def post(self, deployment_id: str) -> None:
        raw = self.request.body or b""  # passed on as sent; the service checks its shape
        self.send(await self.call(lambda s: s.deployments.predict(deployment_id, raw)))
