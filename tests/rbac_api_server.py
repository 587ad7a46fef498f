"""The in-test Kubernetes API server (``tests/kube_api_server.py``) with authentication and RBAC: every request is
authenticated by its bearer token, then authorized against one Role and the RoleBindings that grant it, as the API
server's token authenticator and RBAC authorizer would, before it is served.

``RbacApiServer(role, bindings)`` issues tokens for identities (:meth:`RbacApiServer.token_for`, as the token
controller does for a service account); a request without a token is ``system:anonymous``, one with a token it did
not issue is answered 401. It records the attributes of each request it allowed (``allowed``) and refused
(``denied``, answered 403 with the API server's message), with the user that made it; ``request_attributes`` is the
authorizer's reading of a request (verb, API group, resource with its subresource, namespace, name),
``role_grants`` the (group, resource, verb) a Role grants and ``bound_users`` who the bindings grant it to.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from tests.kube_api_server import ApiError, KubeApiServer

#: Who a request without credentials is (the API server's anonymous authenticator).
ANONYMOUS = "system:anonymous"


@dataclass(frozen=True)
class Attributes:
    """What the API server's RBAC authorizer decides on (its RequestInfo), and who asked."""

    verb: str
    group: str
    resource: str  # with the subresource: "pods/log", "services/proxy"
    namespace: str
    name: str
    user: str = ""


def request_attributes(method: str, path: str, query: dict[str, str], user: str = "") -> Attributes:
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
    return Attributes(verb, group, resource, namespace, name, user)


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


def service_account_user(namespace: str, name: str) -> str:
    """The user name a service account's token authenticates as."""
    return f"system:serviceaccount:{namespace}:{name}"


def bound_users(role: dict[str, Any], bindings: list[dict[str, Any]]) -> set[str]:
    """Who the RoleBindings of ``role``'s namespace that refer to it grant it to (users and service accounts; this
    distribution binds no group)."""
    users = set()
    for binding in bindings:
        ref = binding["roleRef"]
        if binding["metadata"]["namespace"] != role["metadata"]["namespace"]:
            continue  # a RoleBinding grants in its own namespace only
        if (ref["kind"], ref["name"], ref.get("apiGroup")) != (
            "Role",
            role["metadata"]["name"],
            "rbac.authorization.k8s.io",
        ):
            continue
        for subject in binding.get("subjects", []):
            assert subject["kind"] in ("ServiceAccount", "User"), subject
            if subject["kind"] == "ServiceAccount":
                users.add(service_account_user(subject["namespace"], subject["name"]))
            else:
                users.add(subject["name"])
    return users


class RbacApiServer(KubeApiServer):
    """The in-test API server, authenticating every request's token and authorizing it against one Role as the RBAC
    authorizer would: granted to the users its bindings name, in its own namespace only, never cluster-scoped
    resources."""

    def __init__(self, role: dict[str, Any], bindings: list[dict[str, Any]]) -> None:
        self.role_namespace = role["metadata"]["namespace"]
        self.grants = role_grants(role)
        self.subjects = bound_users(role, bindings)
        super().__init__(user=sorted(self.subjects)[0] if self.subjects else ANONYMOUS)
        self.tokens: dict[str, str] = {}
        self.allowed: list[Attributes] = []
        self.denied: list[Attributes] = []
        self.unauthenticated = 0

    def token_for(self, user: str) -> str:
        """A bearer token that authenticates as ``user``."""
        token = secrets.token_urlsafe(24)
        self.tokens[token] = user
        return token

    def handle(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes, str]:
        authorization = headers.get("authorization", "")
        if not authorization:
            user = ANONYMOUS
        else:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or token not in self.tokens:
                self.unauthenticated += 1
                return (
                    401,
                    json.dumps(ApiError(401, "Unauthorized", "Unauthorized").status()).encode(),
                    "application/json",
                )
            user = self.tokens[token]
        attrs = request_attributes(method, path, query, user)
        if (
            user in self.subjects
            and attrs.namespace == self.role_namespace
            and (attrs.group, attrs.resource, attrs.verb) in self.grants
        ):
            self.allowed.append(attrs)
            return super().handle(method, path, query, headers, body)
        self.denied.append(attrs)
        where = f'in the namespace "{attrs.namespace}"' if attrs.namespace else "at the cluster scope"
        message = (
            f'{attrs.resource} is forbidden: User "{user}" cannot {attrs.verb} resource "{attrs.resource}" in '
            f'API group "{attrs.group}" {where}'
        )
        return 403, json.dumps(ApiError(403, message).status()).encode(), "application/json"
