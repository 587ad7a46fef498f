"""The contract's own rules: every request model names a service method that exists and a result type pydantic can
parse, and the JSON round trip keeps every typed error."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from pydantic import TypeAdapter

import maestro_jupyter.contract as contract
from maestro_jupyter import errors
from maestro_jupyter.contract.base import Document, Request
from maestro_jupyter.services import Services


def request_models() -> list[type[Request]]:
    found = []
    for info in pkgutil.iter_modules(contract.__path__):
        module = importlib.import_module(f"{contract.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Request) and cls.__module__ == module.__name__ and "operation" in vars(cls):
                found.append(cls)
    return sorted(set(found), key=lambda c: c.__name__)


def test_there_is_a_contract():
    names = {m.__name__ for m in request_models()}
    assert {"SetBudget", "EstimateCost", "SubmitJob", "CreateDeployment", "SetAlias", "RunModelTests"} <= names


@pytest.mark.parametrize("model", request_models(), ids=lambda m: m.__name__)
def test_each_request_names_a_service_method_and_a_parsable_result(model):
    service_name, _, method = model.operation.partition(".")
    service_class = inspect.signature(getattr(Services, service_name).func).return_annotation
    service = importlib.import_module(f"maestro_jupyter.services.{_service_module(service_name)}")
    cls = getattr(service, service_class) if isinstance(service_class, str) else service_class
    parameters = list(inspect.signature(getattr(cls, method)).parameters.values())[1:]
    assert len(parameters) == 2, f"{cls.__name__}.{method} takes (request, actor), not {parameters}"
    if model.result is not Document:
        TypeAdapter(model.result)  # a wire can parse it


def _service_module(name: str) -> str:
    return {"tests": "modeltests"}.get(name, name)


@pytest.mark.parametrize(
    "error",
    [
        errors.InvalidParameter("bad"),
        errors.NotFound("gone"),
        errors.PermissionDenied("no"),
        errors.BudgetExceeded("over"),
        errors.Conflict("taken"),
        errors.GateRefused("tests failed", ["performance.accuracy"]),
        errors.RateLimited("slow down", 7),
        errors.BackendUnavailable("down"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_every_typed_error_survives_its_json_body(error):
    back = errors.error_from_dict(error.to_dict(), error.status)
    assert type(back) is type(error)
    assert back.message == error.message
    assert back.to_dict() == error.to_dict()


def test_an_unknown_code_falls_back_to_the_class_of_its_status():
    back = errors.error_from_dict({"error": "SOMETHING_NEW", "message": "m"}, 404)
    assert type(back) is errors.NotFound
    assert back.message == "m"
