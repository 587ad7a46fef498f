"""The promotion gate: a version takes a gated alias, or is deployed, only with a passing test report, unless
someone overrides it with a reason, which is recorded (who, when, why, for what) as a row of its own in the Maestro
DB's audit trail (:mod:`~maestro_jupyter.backends.store.audit`): never read, appended to and written back, so that
concurrent overrides cannot lose each other's records."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
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
    from ..backends.store import MaestroStore
    from ..backends.store.audit import AuditEvent

MAX_REASON = 1000
#: Overrides of a version shown (the newest); the audit trail keeps them all.
MAX_OVERRIDES = 500


def _refused(action: str) -> str:
    """What a refused ``action`` cannot do, as the end of "Version 3 of churn cannot ...": ``deploy as web`` ->
    ``be deployed as web``, ``alias 'champion'`` -> ``take the alias 'champion'``."""
    if action.startswith("deploy"):
        return "be deployed" + action.removeprefix("deploy")
    if action.startswith("alias "):
        return f"take the {action}"
    if action == "promotion or deployment":
        return "be promoted or deployed"
    return f"go ahead ({action})"


class PromotionGate(LoggingConfigurable):  # type: ignore[misc]
    """``decide`` says whether an action may proceed; ``enforce`` raises ``GateRefused`` when it may not and records
    an override when one is given. Deployments call ``enforce(name, version, "deploy ...")``."""

    def __init__(
        self,
        backend: MlflowRegistry,
        settings: Settings,
        store: Callable[[], MaestroStore],
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.settings = settings
        #: The Maestro DB, opened on first use (an override's record).
        self._store = store

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
                f"Version {version} of {name} cannot {_refused(action)}: its latest tests failed ({named}). "
                "Fix it and test it again, or have an admin override the gate with a reason."
            )
        else:
            message = (
                f"Version {version} of {name} cannot {_refused(action)}: it has no test report. Run "
                f"%maestro test {name}/{version} --data DF --target COL (or ml.tests.run) first, or have an admin "
                "override the gate with a reason."
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
        self,
        name: str,
        version: str | int,
        action: str,
        *,
        override_reason: str | None = None,
        actor: Actor,
        alias: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> GateDecision:
        """Let ``action`` through or raise ``GateRefused``; an admin's ``override_reason`` lets a refused version
        through and is recorded in the audit trail, with the ``alias`` it takes if any (anyone else's is a
        ``PermissionDenied``: an override is an admin's call, or the gate would hold only for those who do not know
        the word). ``tags``: the version's, when the caller has just read them (else the gate reads the version)."""
        reason = (override_reason or "").strip()
        if override_reason is not None and not reason:
            raise InvalidParameter("An override needs a reason")
        if len(reason) > MAX_REASON:
            raise InvalidParameter(f"The override reason is longer than {MAX_REASON} characters")
        name, version = v.name(name), v.version(version)
        if tags is None:
            tags = self.backend.get_version(name, version).tags
        decision = self._decide(name, version, action, True, tags)
        if decision.allowed:
            return decision
        if not reason:
            raise GateRefused(decision.message, decision.failed_checks)
        user = actor.user
        if not actor.admin:
            refusal = decision.message.rstrip(". ")  # the gate's message ends its own sentence
            raise PermissionDenied(f"{refusal}. Only an admin may override the gate ({user} is not one)")
        from ..backends.store.audit import GATE_OVERRIDE, AuditEvent

        details = {"action": action, "verdict": decision.verdict, "failed_checks": decision.failed_checks}
        event = AuditEvent(GATE_OVERRIDE, decision.name, decision.version, user, reason, alias=alias, details=details)
        self._store().audit.record(event)  # one INSERT of its own: nothing read back, nothing to lose
        override = _override(event)
        self.log.warning("Gate overridden by %s for %s v%s (%s): %s", user, name, version, action, reason)
        return decision.model_copy(
            update={"allowed": True, "override": override, "message": f"Overridden by {user}: {reason}"}
        )

    def overrides(self, name: str, version: str | int, tags: Mapping[str, str] | None = None) -> list[GateOverride]:
        """The recorded overrides of a version, oldest first (the newest ``MAX_OVERRIDES``): those of the audit
        trail, after any that an older Maestro kept in the version's tags (``tags``: the version's, when the caller
        has them already)."""
        from ..backends.store.audit import GATE_OVERRIDE

        name, version = v.name(name), v.version(version)
        if tags is None:
            tags = self.backend.get_version(name, version).tags
        events = self._store().audit.events(name, version, kinds=[GATE_OVERRIDE], limit=MAX_OVERRIDES)
        return [*self.overrides_in(tags), *map(_override, events)][-MAX_OVERRIDES:]

    @staticmethod
    def overrides_in(tags: Mapping[str, str]) -> list[GateOverride]:
        """The overrides an older Maestro recorded in a version's ``tags`` (a JSON list, no longer written), oldest
        first."""
        text = tags.get(tk.GATE_OVERRIDES)
        try:
            return [GateOverride.model_validate(item) for item in json.loads(text or "[]")]
        except (ValueError, TypeError):  # a hand-edited tag: the audit trail's records still show
            return []


def _override(event: AuditEvent) -> GateOverride:
    """An override as the API shows it, from its audit record."""
    details = event.details
    return GateOverride(
        by=event.actor,
        at=datetime.fromtimestamp(event.at, UTC).isoformat(timespec="seconds"),
        reason=event.reason,
        action=str(details.get("action") or ""),
        verdict=details.get("verdict"),
        failed_checks=list(details.get("failed_checks") or []),
    )
