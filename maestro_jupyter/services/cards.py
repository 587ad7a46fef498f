"""The model-card service: gather what the registry knows about a version, keep what people wrote, render, save.

Where things live (all on the model version, so a card travels with the registry):

- people's sections: version tags ``maestro.card.section.FIELD`` (readable in the MLflow UI, never touched by a
  regeneration);
- the review state: ``maestro.card.status``, ``approved_by``, ``approved_at``, ``approval_comment`` and the
  fingerprint of the facts the approval saw (the current state; each approval and withdrawal is also a row of its own
  in the Maestro DB's audit trail, the record of who approved what and when);
- the rendered card (``card.md``, ``card.html``, ``card.pdf``, ``card.json``): artifacts of the version's source
  run under ``maestro_card/NAME/vVERSION/`` (or of a run in the "Maestro model cards" experiment when the version
  has none), recorded in ``maestro.card.artifact_uri``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from traitlets.config import LoggingConfigurable

from .. import tagkeys as tk
from ..contract.base import Actor, Document
from ..entities.feature_lineage import feature_use
from ..errors import InvalidParameter, NotFound, first_validation_error
from ..naming import file_safe
from ..settings import Settings

if TYPE_CHECKING:
    from ..analysis.cards import CardFacts, CardSections, ModelCard
    from ..backends.mlflow_registry import MlflowRegistry
    from ..backends.store import MaestroStore
    from ..contract.cards import ApproveCard, GenerateCard, RenderCard, ReopenCard, UpdateCard
    from ..entities import VersionDetail
    from .registry import RegistryService

HOLDER_EXPERIMENT = "Maestro model cards"
CARD_FORMATS = ("md", "html", "pdf", "json")
#: Sections that must be written before a card can be approved (the registry's gaps are reported, not blocking).
REQUIRED_FOR_APPROVAL = (
    "owners",
    "license",
    "intended_use",
    "out_of_scope_use",
    "limitations",
    "ethical_considerations",
)
_STRUCTURED = ("owners", "references")  # stored as JSON text


class CardService(LoggingConfigurable):  # type: ignore[misc]
    """Generate, edit, approve and render model cards.

    Contract: a version is named by number or alias (``NotFound`` when it does not exist); a bad section is
    ``InvalidParameter``; approving with required sections missing is ``InvalidParameter`` naming them. Edits and
    approvals are recorded as the request's actor. Blocking.
    """

    def __init__(
        self,
        backend: MlflowRegistry,
        registry: RegistryService,
        settings: Settings,
        store: Callable[[], MaestroStore],
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.registry = registry
        self.settings = settings
        #: The Maestro DB, opened on first use (the audit trail of approvals).
        self._store = store

    # --- reading ---------------------------------------------------------------------------------------------------

    def build(self, name: str, version: str | int | None = None, alias: str | None = None) -> ModelCard:
        """The card as it stands now (nothing is saved)."""
        detail = self._detail(name, version, alias)
        return self._card(self.facts(detail), detail.tags)

    def render(self, request: RenderCard, actor: Actor) -> Document:
        """A card as a file: the request's ``card``, or the version's as it stands, in md, html, pdf or json."""
        from ..analysis.cards.render import FORMATS, check_format, render

        card = request.card
        if card is None:
            card = self.build(request.name or "", request.version, request.alias)
        fmt = check_format(request.format)
        media_type, ext = FORMATS[fmt]
        content = render(card, fmt, self.settings.card_templates)
        safe = file_safe(card.facts.model.name)
        return Document(content, media_type, f"{safe}-v{card.facts.model.version}-card.{ext}")

    def facts(self, detail: VersionDetail) -> CardFacts:
        """Everything the registry knows about a version, in the card's terms."""
        from ..analysis.cards.schema import (
            CardFacts,
            CostFacts,
            DatasetFacts,
            EvaluationFacts,
            FeatureFacts,
            ModelFacts,
            ParameterFacts,
            TrainingFacts,
        )

        run = detail.run
        run_tags: dict[str, str] = {}
        datasets: list[DatasetFacts] = []
        artifacts: str | None = None  # the run's artifact folder
        if run is not None:
            with contextlib.suppress(NotFound):
                inputs = self.backend.run_inputs(run.run_id)
                run_tags, artifacts = inputs.tags, inputs.artifact_uri
                datasets = [DatasetFacts(**d) for d in inputs.datasets]
        env = self.backend.model_environment(detail.name, detail.version)
        model = self.backend.get_model_summary(detail.name)
        signature = detail.signature
        flavors = detail.flavors
        main = next((f for f in flavors if f != "python_function"), None)
        framework = None
        if main is not None:
            label = {"sklearn": "scikit-learn"}.get(main, main)
            framework = f"{label} {env.flavor_versions[main]}" if main in env.flavor_versions else label
        # Where training ran: run tags, overridden by version tags.
        hardware = {
            k.removeprefix(tk.HARDWARE_PREFIX): val
            for k, val in [*run_tags.items(), *detail.tags.items()]
            if k.startswith(tk.HARDWARE_PREFIX)
        }
        return CardFacts(
            model=ModelFacts(
                name=detail.name,
                version=detail.version,
                model_uri=f"models:/{detail.name}/{detail.version}",
                description=detail.description,
                model_description=model.description,
                aliases=[a for a, ver in model.aliases.items() if ver == detail.version],
                registry_status=detail.status,
                created_at=detail.creation_timestamp or None,
                source=detail.source,
                run_id=detail.run_id,
                experiment_id=run.experiment_id if run else None,
                created_by=(run.user if run else None) or run_tags.get("mlflow.user") or None,
                flavors=flavors,
                framework=framework,
                architecture=run_tags.get("estimator_class") or run_tags.get("estimator_name"),
                tags={
                    k: val
                    for k, val in detail.tags.items()
                    if not tk.is_maestro_state(k) and not k.startswith(tk.HARDWARE_PREFIX)
                },
            ),
            parameters=ParameterFacts(
                hyperparameters=dict(run.params) if run else {},
                inputs=[_column(c) for c in signature.inputs] if signature else [],
                outputs=[_column(c) for c in signature.outputs] if signature else [],
                has_signature=signature is not None and bool(signature.inputs),
            ),
            training=TrainingFacts(
                run_name=run.run_name or None if run else None,
                started_at=run.start_time if run else None,
                duration_seconds=run.duration_seconds if run else None,
                datasets=datasets,
                profile=self._profile(artifacts) if artifacts else None,
                features=FeatureFacts(**use.model_dump()) if (use := feature_use(run_tags)) is not None else None,
                hardware=hardware,
                cost=_cost(detail.tags, CostFacts),
                requirements=env.requirements,
                python_version=env.python_version,
            ),
            evaluation=EvaluationFacts(
                metrics=_metrics(run.metrics if run else {}), tests=self._tests(detail, artifacts)
            ),
            load_snippet=self.registry.load_snippet(f"models:/{detail.name}/{detail.version}"),
        )

    def sections(self, tags: Mapping[str, str]) -> CardSections:
        """People's sections, from a version's tags."""
        from ..analysis.cards.schema import CardSections

        values: dict[str, Any] = {}
        for key, text in tags.items():
            if not key.startswith(tk.CARD_SECTION_PREFIX):
                continue
            field = key.removeprefix(tk.CARD_SECTION_PREFIX)
            if field not in CardSections.model_fields:
                continue
            if field in _STRUCTURED:
                with contextlib.suppress(ValueError):
                    values[field] = json.loads(text)
            else:
                values[field] = text
        try:
            return CardSections.model_validate(values)
        except ValueError:  # a tag edited by hand into something invalid: keep what is valid
            valid = {}
            for field, value in values.items():
                with contextlib.suppress(ValueError):
                    CardSections.model_validate({field: value})
                    valid[field] = value
            return CardSections.model_validate(valid)

    # --- writing ---------------------------------------------------------------------------------------------------

    def generate(self, request: GenerateCard, actor: Actor) -> ModelCard:
        """Build the card from the registry; with ``save``, store it (md, html, pdf, json) with the version."""
        detail = self._detail(request.name, request.version, request.alias)
        card = self._card(self.facts(detail), detail.tags)
        return self._save(card, detail.tags) if request.save else card

    def update(self, request: UpdateCard, actor: Actor) -> ModelCard:
        """Change a card and save it, in one step (see :meth:`_change`)."""
        return self._change(
            request.name,
            request.version,
            request.alias,
            sections=request.sections,
            markdown=request.markdown,
            status=request.status,
            comment=request.comment,
            user=actor.user,
        )

    def approve(self, request: ApproveCard, actor: Actor) -> ModelCard:
        """Approve the card as it stands, recording who, when, why, and what the model version looked like."""
        return self._change(
            request.name, request.version, request.alias, status="approved", comment=request.comment, user=actor.user
        )

    def reopen(self, request: ReopenCard, actor: Actor) -> ModelCard:
        """Withdraw an approval: the card is a draft again."""
        return self._change(request.name, request.version, request.alias, status="draft", user=actor.user)

    def _change(
        self,
        name: str,
        version: str | int | None,
        alias: str | None,
        *,
        sections: Mapping[str, Any] | None = None,
        markdown: str | None = None,
        status: str | None = None,
        comment: str | None = None,
        user: str,
    ) -> ModelCard:
        """Change a card and save it, in one step.

        ``sections`` maps fields to new values (``None`` clears one); ``markdown`` is an edited ``card.md`` whose
        sections replace the stored ones; an approved card whose sections change goes back to draft. ``status``
        ``"approved"`` then approves the result (recording who, when, ``comment`` and the facts it saw; the required
        sections must be written), ``"draft"`` withdraws an approval.
        """
        from ..analysis.cards import fingerprint

        detail = self._detail(name, version, alias)
        who = user
        tags = detail.tags
        writes: dict[str, str | None] = {}  # tag -> new value, None to delete
        if sections is not None or markdown is not None:
            writes.update(self._section_writes(detail.name, tags, sections or {}, markdown))
            if writes:
                writes.update({tk.CARD_UPDATED_BY: who, tk.CARD_UPDATED_AT: _now()})
                if tags.get(tk.CARD_STATUS) == "approved":
                    writes[tk.CARD_STATUS] = "draft"  # what was approved is no longer what the card says
        facts = self.facts(detail)
        if status == "approved":
            missing = [
                item.label
                for item in self._card(facts, _applied(tags, writes)).completeness.checklist
                if item.field in REQUIRED_FOR_APPROVAL and not item.filled
            ]
            if missing:
                raise InvalidParameter(
                    f"Cannot approve the card of {detail.name!r} version {detail.version}: "
                    f"write {', '.join(missing)} first"
                )
            writes.update(
                {
                    tk.CARD_STATUS: "approved",
                    tk.CARD_APPROVED_BY: who,
                    tk.CARD_APPROVED_AT: _now(),
                    tk.CARD_APPROVAL_COMMENT: comment or "",
                    tk.CARD_APPROVED_FINGERPRINT: json.dumps(fingerprint(facts), sort_keys=True),
                }
            )
        elif status == "draft":
            writes.update({tk.CARD_STATUS: "draft", tk.CARD_UPDATED_BY: who, tk.CARD_UPDATED_AT: _now()})
        self._audit(detail.name, detail.version, tags, writes, who, comment)
        for key, value in writes.items():
            if value is not None:
                self.backend.set_version_tag(detail.name, detail.version, key, value)
            elif key in tags:
                self.backend.delete_version_tag(detail.name, detail.version, key)
        tags = _applied(tags, writes)
        return self._save(self._card(facts, tags), tags)

    def _audit(
        self,
        name: str,
        version: str,
        tags: Mapping[str, str],
        writes: Mapping[str, str | None],
        who: str,
        comment: str | None,
    ) -> None:
        """Record an approval, or the withdrawal of one, in the audit trail: a row of its own, written before the
        card's state changes, so that no approval stands without its record."""
        from ..backends.store.audit import CARD_APPROVAL, CARD_REOPEN, AuditEvent

        new_status = writes.get(tk.CARD_STATUS)
        if new_status == "approved":
            details = {"fingerprint": json.loads(writes[tk.CARD_APPROVED_FINGERPRINT] or "{}")}
            event = AuditEvent(CARD_APPROVAL, name, version, who, comment or "", details=details)
        elif new_status == "draft" and tags.get(tk.CARD_STATUS) == "approved":
            # Withdrawn by hand, or by an edit of its sections (what was approved is no longer what the card says).
            edited = any(key.startswith(tk.CARD_SECTION_PREFIX) for key in writes)
            event = AuditEvent(CARD_REOPEN, name, version, who, comment or "", details={"sections_changed": edited})
        else:
            return
        self._store().audit.record(event)

    def _section_writes(
        self, model: str, tags: Mapping[str, str], sections: Mapping[str, Any], markdown: str | None
    ) -> dict[str, str | None]:
        """The section tags to set (or delete, ``None``) for the requested changes; validates them all first."""
        from ..analysis.cards.markdown_io import sections_from_markdown
        from ..analysis.cards.schema import CardSections

        current = self.sections(tags).model_dump()
        changes: dict[str, Any] = {}
        if markdown is not None:
            changes.update(sections_from_markdown(markdown, expected_model=model))
        for field, value in sections.items():
            if field not in CardSections.model_fields:
                known = ", ".join(CardSections.model_fields)
                raise InvalidParameter(f"Unknown card section {field!r}; the sections are: {known}")
            if field in _STRUCTURED and value is None:
                value = []  # clearing a list
            changes[field] = _owners(value) if field == "owners" else value
        merged = {**current, **{k: _blank_to_none(val) for k, val in changes.items()}}
        try:
            new = CardSections.model_validate(merged).model_dump()
        except ValueError as exc:
            raise InvalidParameter(f"Invalid card section: {first_validation_error(exc)}") from None
        writes: dict[str, str | None] = {}
        for field in (f for f in new if new[f] != current[f]):
            value = new[field]
            empty = value in (None, [], "")
            text = json.dumps(value, ensure_ascii=False) if field in _STRUCTURED else str(value)
            writes[tk.CARD_SECTION_PREFIX + field] = None if empty else text
        return writes

    # --- helpers ---------------------------------------------------------------------------------------------------

    def _detail(self, name: str, version: str | int | None, alias: str | None) -> VersionDetail:
        if version is None and alias is None:
            version = self.registry.resolve_version(name)
        return self.registry.version_detail(name, version=version, alias=alias)

    def _card(self, facts: CardFacts, tags: Mapping[str, str]) -> ModelCard:
        """The card of these facts with the sections and review state the version's ``tags`` hold."""
        from ..analysis.cards import build_card

        card = build_card(
            facts, self.sections(tags), _review(tags), _now(), artifact_uri=tags.get(tk.CARD_ARTIFACT_URI)
        )
        card._template_dir = self.settings.card_templates
        return card

    def _save(self, card: ModelCard, tags: Mapping[str, str]) -> ModelCard:
        """Store the card's four formats as artifacts of the version's run (``tags``: the version's, current)."""
        from ..analysis.cards.render import render

        model = card.facts.model
        run_id = tags.get(tk.CARD_RUN_ID) or model.run_id
        if run_id is None:
            run_id = self.backend.holder_run(HOLDER_EXPERIMENT, f"{model.name} v{model.version}")
            self.backend.set_version_tag(model.name, model.version, tk.CARD_RUN_ID, run_id)
        folder = f"maestro_card/{file_safe(model.name)}/v{model.version}"
        uri = self.backend.run_artifact_uri(run_id, folder)
        card = card.model_copy(update={"artifact_uri": uri})
        files = {f"card.{fmt}": render(card, fmt, self.settings.card_templates) for fmt in CARD_FORMATS}
        self.backend.log_files(run_id, files, folder)
        self._set_tags(
            model.name,
            model.version,
            {
                tk.CARD_ARTIFACT_URI: uri,
                tk.CARD_GENERATED_AT: card.generated_at,
                tk.CARD_COMPLETENESS: f"{card.completeness.score:.4f}",
            },
        )
        return card

    def _set_tags(self, name: str, version: str, tags: Mapping[str, str]) -> None:
        for key, value in tags.items():
            self.backend.set_version_tag(name, version, key, value)

    def _profile(self, artifacts: str) -> Any:
        from ..analysis.cards.schema import ProfileFacts

        text = self.backend.read_text(f"{artifacts}/{tk.PROFILE_SUMMARY_ARTIFACT}")
        if not text:
            return None
        try:
            data = json.loads(text)
            return ProfileFacts(
                rows=int(data["rows"]),
                columns=int(data["columns"]),
                missing_share=float(data.get("missing_share", 0.0)),
                duplicate_rows=int(data.get("duplicate_rows", 0)),
                warnings=[str(w["message"]) if isinstance(w, dict) else str(w) for w in data.get("warnings", ())],
                column_names=[str(c["name"]) for c in data.get("column_summaries", []) if isinstance(c, dict)],
            )
        except (ValueError, KeyError, TypeError):  # an unreadable summary is reported as absent
            return None

    def _tests(self, detail: VersionDetail, artifacts: str | None) -> Any:
        from ..analysis.cards.schema import ModelTestFacts

        verdict = detail.tags.get(tk.TESTS_VERDICT)
        if verdict not in ("passed", "failed"):
            return None
        report: dict[str, Any] = {}
        path = detail.tags.get(tk.TESTS_REPORT)
        test_run = detail.tags.get(tk.TESTS_RUN_ID)
        with contextlib.suppress(NotFound):  # the test run may have been deleted
            folder = self.backend.run_artifact_uri(test_run, "").rstrip("/") if test_run else artifacts
            if path and folder:
                with contextlib.suppress(ValueError):
                    report = json.loads(self.backend.read_text(f"{folder}/{path}") or "{}")
        fields = ("name", "category", "status", "value", "threshold", "detail")
        checks = [{k: c.get(k) for k in fields if k in c} for c in report.get("checks", []) if isinstance(c, dict)]
        try:
            return ModelTestFacts.model_validate(
                {"verdict": verdict, "ran_at": detail.tags.get(tk.TESTS_RAN_AT), "checks": checks}
            )
        except ValueError:
            return ModelTestFacts.model_validate({"verdict": verdict, "ran_at": detail.tags.get(tk.TESTS_RAN_AT)})


def _review(tags: Mapping[str, str]) -> Any:
    from ..analysis.cards import ReviewState

    fingerprint: dict[str, str] = {}
    with contextlib.suppress(ValueError, TypeError):
        fingerprint = dict(json.loads(tags.get(tk.CARD_APPROVED_FINGERPRINT, "") or "{}"))
    return ReviewState(
        status=tags.get(tk.CARD_STATUS, "draft"),
        approved_by=tags.get(tk.CARD_APPROVED_BY),
        approved_at=tags.get(tk.CARD_APPROVED_AT),
        comment=tags.get(tk.CARD_APPROVAL_COMMENT) or None,
        approved_fingerprint=fingerprint,
        updated_by=tags.get(tk.CARD_UPDATED_BY),
        updated_at=tags.get(tk.CARD_UPDATED_AT),
    )


def _column(spec: dict[str, Any]) -> Any:
    from ..analysis.cards.schema import ColumnSpec

    kind = spec.get("type", "unknown")
    if kind == "tensor":
        tensor = spec.get("tensor-spec") or {}
        kind = f"tensor {tensor.get('dtype', '')} {tensor.get('shape', '')}".strip()
    return ColumnSpec(name=spec.get("name"), type=str(kind), required=bool(spec.get("required", True)))


def _metrics(values: Mapping[str, float]) -> list[Any]:
    """Run metrics as card metrics: ``name/slice`` keys are per-slice values, ``training_*`` are training-set ones.
    Maestro's own bookkeeping on the run (``maestro.job.cpu_seconds``...) describes the job, not the model: left out
    (the card shows the training cost on its own)."""
    from ..analysis.cards.schema import MetricValue

    out = []
    for key, value in sorted(values.items()):
        if key.startswith("maestro."):
            continue
        name, _, slice_ = key.partition("/")
        stage = "training" if name.startswith("training_") else "evaluation"
        out.append(MetricValue.model_validate({"name": name, "value": value, "slice": slice_ or None, "stage": stage}))
    return out


def _cost(tags: Mapping[str, str], kind: Any) -> Any:
    amount = tags.get(tk.COST_TRAIN)
    if amount is None:
        return None
    try:
        return kind(amount=float(amount), currency=tags.get(tk.COST_CURRENCY, "USD"), rates=tags.get(tk.COST_RATES))
    except ValueError:
        return None


def _owners(value: Any) -> Any:
    """Owners may be given as ``"Name <contact>"`` strings (the SDK and the sidebar's one-per-line form)."""
    if isinstance(value, str):
        value = [line for line in value.splitlines() if line.strip()]
    if not isinstance(value, list):
        return value
    owners = []
    for item in value:
        if isinstance(item, str):
            match = re.fullmatch(r"\s*(.*?)\s*(?:<([^>]*)>)?\s*", item)
            name, contact = (match.group(1), match.group(2)) if match else (item.strip(), None)
            owners.append({"name": name, "contact": (contact or "").strip() or None})
        else:
            owners.append(item)
    return owners


def _applied(tags: Mapping[str, str], writes: Mapping[str, str | None]) -> dict[str, str]:
    """``tags`` after ``writes`` (``None`` deletes)."""
    out = dict(tags)
    for key, value in writes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
