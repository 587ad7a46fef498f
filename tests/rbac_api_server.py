"""The in-test Kubernetes API server (``tests/kube_api_server.py``) with RBAC: every request is authorized against
one Role, as the API server's RBAC authorizer would, before it is served.

``RbacApiServer(role)`` records the attributes of each request it allowed (``allowed``) and refused (``denied``,
answered 403 with the API server's message); ``request_attributes`` is the authorizer's reading of a request (verb,
API group, resource with its subresource, namespace, name) and ``role_grants`` the (group, resource, verb) a Role
grants.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from tests.kube_api_server import ApiError, KubeApiServer


@dataclass(frozen=True)
class Attributes:
    """What the API server's RBAC authorizer decides on (its RequestInfo)."""

    verb: str
    group: str
    resource: str  # with the subresource: "pods/log", "services/proxy"
    namespace: str
    name: str


def request_attributes(method: str, path: str, query: dict[str, str]) -> Attributes:
    parts = [unquote(p) for p in path.strip("/").split("/")]
    if parts[:2] == ["api", "v1"]:
        group, rest = "", parts[2:]
    else:
        assert parts[0] == "apis", path
        group, rest = parts[1], parts[3:]
    namespace = ""
    if rest[:1] == ["namespaces"] and len(rest) >= 3:
        namespace, rest = rest[1], rest[2:]
    name = rest[1] if len(rest) > 1 else ""
    resource = f"{rest[0]}/{rest[2]}" if len(rest) > 2 else rest[0]
    if method == "GET":
        verb = "get" if name else ("watch" if query.get("watch") in ("1", "true") else "list")
    elif method == "DELETE":
        verb = "delete" if name else "deletecollection"
    else:
        verb = {"POST": "create", "PUT": "update", "PATCH": "patch"}[method]
    return Attributes(verb, group, resource, namespace, name)


def role_grants(role: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(group, resource, verb) of every rule (no wildcards or resourceNames: this Role uses none)."""
    grants = set()
    for rule in role["rules"]:
        assert "resourceNames" not in rule
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                for verb in rule["verbs"]:
                    assert "*" not in (group, resource, verb)
                    grants.add((group, resource, verb))
    return grants


class RbacApiServer(KubeApiServer):
    """The in-test API server, authorizing every request against one Role as the RBAC authorizer would: a Role
    covers its own namespace only, never cluster-scoped resources."""

    def __init__(self, role: dict[str, Any]) -> None:
        super().__init__(user="system:serviceaccount:jupyterhub:maestro")
        self.role_namespace = role["metadata"]["namespace"]
        self.grants = role_grants(role)
        self.allowed: list[Attributes] = []
        self.denied: list[Attributes] = []

    def handle(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes, str]:
        attrs = request_attributes(method, path, query)
        if attrs.namespace == self.role_namespace and (attrs.group, attrs.resource, attrs.verb) in self.grants:
            self.allowed.append(attrs)
            return super().handle(method, path, query, headers, body)
        self.denied.append(attrs)
        where = f'in the namespace "{attrs.namespace}"' if attrs.namespace else "at the cluster scope"
        message = (
            f'{attrs.resource} is forbidden: User "{self.user}" cannot {attrs.verb} resource "{attrs.resource}" in '
            f'API group "{attrs.group}" {where}'
        )
        return 403, json.dumps(ApiError(403, message).status()).encode(), "application/json"
