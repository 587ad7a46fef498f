"""REST handlers for deployments: create, list, describe, scale/update, delete, and the prediction proxy."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...contract.deployments import (
    CreateDeployment,
    DeleteDeployment,
    GetDeployment,
    ListDeployments,
    Predict,
    ScoringRequest,
    UpdateDeployment,
)
from ...entities import Deployment, DeploymentList, Prediction
from ..openapi import Operation, Param, flag
from .base import MaestroHandler


class DeploymentsHandler(MaestroHandler):
    path = "/deployments"
    operations = {
        "get": Operation(
            "Active deployments, newest first",
            DeploymentList,
            query=(flag("all", "1: include stopped and failed ones"), Param("user", "Only this user's")),
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
        everything = self.query_int("all") == 1
        req = self.request_model(ListDeployments, body=False, include_stopped=everything, user=self.query("user"))
        self.send(await self.execute(req))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.send(await self.execute(self.request_model(CreateDeployment)), 201)


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
        self.send(await self.execute(self.request_model(GetDeployment, body=False, deployment_id=deployment_id)))

    @web.authenticated
    @authorized
    async def patch(self, deployment_id: str) -> None:
        self.send(await self.execute(self.request_model(UpdateDeployment, deployment_id=deployment_id)))

    @web.authenticated
    @authorized
    async def delete(self, deployment_id: str) -> None:
        self.send(await self.execute(self.request_model(DeleteDeployment, body=False, deployment_id=deployment_id)))


class PredictHandler(MaestroHandler):
    path = "/deployments/{deployment_id}/predict"
    rate_limited = False  # a POST that reads: serving traffic is not a stream of changes
    operations = {
        "post": Operation(
            "Predict with a deployment: MLflow's scoring JSON in, its predictions out",
            Prediction,
            # The body is the scoring request itself (Predict is it plus the path's deployment_id).
            body=ScoringRequest,
        )
    }

    @web.authenticated
    @authorized
    async def post(self, deployment_id: str) -> None:
        self.send(await self.execute(self.request_model(Predict, deployment_id=deployment_id)))
