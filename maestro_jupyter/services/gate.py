"""The promotion gate: a version takes a gated alias, or is deployed, only with a passing test report, unless
someone overrides it with a reason, which is recorded on the version (who, when, why, for what)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from traitlets.config import LoggingConfigurable

from .. import tagkeys as tk
from ..contract import rules as v
from ..contract.base import Actor
from ..contract.registry import GetGateDecision
from ..entities import GateDecision, GateOverride
from ..errors import GateRefused, InvalidParameter, PermissionDenied
from ..settings import Settings

if TYPE_CHECKING:
    from ..backends.mlflow_registry import MlflowRegistry

MAX_REASON = 1000
#: Overrides kept on a version (the oldest drop off); each is a few hundred bytes of a 100 kB tag.
MAX_OVERRIDES = 50


class PromotionGate(LoggingConfigurable):  # type: ignore[misc]
    """``decide`` says whether an action may proceed; ``enforce`` raises ``GateRefused`` when it may not and records
    an override when one is given. Deployments call ``enforce(name, version, "deploy ...")``."""

    def __init__(self, backend: MlflowRegistry, settings: Settings, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.settings = settings

    def is_gated(self, alias: str) -> bool:
        gated = self.settings.gated_aliases
        return "*" in gated or alias.lower() in gated

    def decide(self, name: str, version: str | int, action: str, gated: bool = True) -> GateDecision:
        """Whether ``action`` may happen to the version now, from its latest test verdict."""
        name, version = v.name(name), v.version(version)
        return self._decide(name, version, action, gated, self.backend.get_version(name, version).tags)

    def get_decision(self, request: GetGateDecision, actor: Actor) -> GateDecision:
        """Whether the version the request names may take ``promote_to`` (or, without it, any gated alias or a
        deployment) now, and why not."""
        from .registry import resolve_version

        version = resolve_version(self.backend, request.name, request.version, request.alias)
        if request.promote_to is None:
            return self.decide(request.name, version, "promotion or deployment")
        alias = request.promote_to
        return self.decide(request.name, version, f"alias {alias!r}", gated=self.is_gated(alias))

    def _decide(self, name: str, version: str, action: str, gated: bool, tags: Mapping[str, str]) -> GateDecision:
        verdict, ran_at = tags.get(tk.TESTS_VERDICT), tags.get(tk.TESTS_RAN_AT)
        failed = [c for c in (tags.get(tk.TESTS_FAILED) or "").split(",") if c]
        if not gated:
            message = f"{action} is not gated: no test report needed"
            return GateDecision(
                name=name,
                version=version,
                action=action,
                gated=False,
                allowed=True,
                verdict=verdict,
                ran_at=ran_at,
                failed_checks=failed,
                message=message,
            )
        if verdict == "passed":
            message = f"Version {version} of {name!r} passed its tests ({ran_at})"
        elif verdict == "failed":
            named = ", ".join(failed) if failed else "see the report"
            message = (
                f"Version {version} of {name!r} cannot take {action}: its latest tests failed ({named}). "
                "Fix and test it again, or override with a reason."
            )
        else:
            message = (
                f"Version {version} of {name!r} cannot take {action}: it has no test report. Run "
                f"%maestro test {name}/{version} --data DF --target COL (or ml.tests.run) first, or override with a "
                "reason."
            )
        return GateDecision(
            name=name,
            version=version,
            action=action,
            gated=True,
            allowed=verdict == "passed",
            verdict=verdict,
            ran_at=ran_at,
            failed_checks=failed,
            message=message,
        )

    def enforce(
        self, name: str, version: str | int, action: str, *, override_reason: str | None = None, actor: Actor
    ) -> GateDecision:
        """Let ``action`` through or raise ``GateRefused``; an admin's ``override_reason`` lets a refused version
        through and is recorded on it (anyone else's is a ``PermissionDenied``: an override is an admin's call, or
        the gate would hold only for those who do not know the word)."""
        reason = (override_reason or "").strip()
        if override_reason is not None and not reason:
            raise InvalidParameter("An override needs a reason")
        if len(reason) > MAX_REASON:
            raise InvalidParameter(f"The override reason is longer than {MAX_REASON} characters")
        name, version = v.name(name), v.version(version)
        tags = self.backend.get_version(name, version).tags
        decision = self._decide(name, version, action, True, tags)
        if decision.allowed:
            return decision
        if not reason:
            raise GateRefused(decision.message, decision.failed_checks)
        user = actor.user
        if not actor.admin:
            raise PermissionDenied(f"{decision.message}. Only an admin may override the gate ({user} is not one)")
        override = GateOverride(
            by=user,
            at=datetime.now(UTC).isoformat(timespec="seconds"),
            reason=reason,
            action=action,
            verdict=decision.verdict,
            failed_checks=decision.failed_checks,
        )
        history = [*self.overrides_in(tags), override][-MAX_OVERRIDES:]
        payload = json.dumps([o.model_dump() for o in history])
        self.backend.set_version_tag(decision.name, decision.version, tk.GATE_OVERRIDES, payload)
        self.log.warning("Gate overridden by %s for %s v%s (%s): %s", user, name, version, action, reason)
        return decision.model_copy(
            update={"allowed": True, "override": override, "message": f"Overridden by {user}: {reason}"}
        )

    def overrides(self, name: str, version: str) -> list[GateOverride]:
        """The recorded overrides of a version, oldest first."""
        return self.overrides_in(self.backend.get_version(v.name(name), v.version(version)).tags)

    @staticmethod
    def overrides_in(tags: Mapping[str, str]) -> list[GateOverride]:
        """The overrides recorded in a version's ``tags``, oldest first."""
        text = tags.get(tk.GATE_OVERRIDES)
        try:
            return [GateOverride.model_validate(item) for item in json.loads(text or "[]")]
        except (ValueError, TypeError):  # a hand-edited tag: keep going, the new override replaces it
            return []
