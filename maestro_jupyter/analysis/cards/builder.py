"""Assemble a :class:`ModelCard` from the registry's facts, the people's sections and the review state.

Pure: the card service reads the registry and hands everything in. The builder decides what is complete, what is
missing and whether an approved card has gone stale.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from .schema import Approval, CardFacts, CardSections, ChecklistItem, Completeness, ModelCard


@dataclass(frozen=True)
class ReviewState:
    """The card's review state as stored on the version."""

    status: str = "draft"
    approved_by: str | None = None
    approved_at: str | None = None
    comment: str | None = None
    approved_fingerprint: Mapping[str, str] = field(default_factory=dict)
    updated_by: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True)
class _Check:
    field: str
    label: str
    required: bool
    hint: str
    # -> (filled, filled by the registry rather than by people)
    test: Callable[[CardFacts, CardSections], tuple[bool, bool]]


def _people(name: str) -> Callable[[CardFacts, CardSections], tuple[bool, bool]]:
    def test(_facts: CardFacts, sections: CardSections) -> tuple[bool, bool]:
        value = getattr(sections, name)
        return bool(value.strip() if isinstance(value, str) else value), False

    return test


def _registry(pick: Callable[[CardFacts], object]) -> Callable[[CardFacts, CardSections], tuple[bool, bool]]:
    return lambda facts, _sections: (bool(pick(facts)), True)


def _description(facts: CardFacts, _sections: CardSections) -> tuple[bool, bool]:
    return bool(facts.model.description.strip() or facts.model.model_description.strip()), True


def _training_data(facts: CardFacts, sections: CardSections) -> tuple[bool, bool]:
    if sections.training_data and sections.training_data.strip():
        return True, False
    return bool(facts.training.datasets or facts.training.profile or facts.training.features), True


#: How any section people write is filled: said once, above the checklist and in the views, rather than as the hint
#: of every such section (a card repeated it 15 times). Their checklist items carry no hint of their own.
EDIT_HINT = (
    "Sections people write are filled by editing the card: Edit in the sidebar, ml.cards.update, "
    "or a loaded Markdown card."
)
_EDIT = ""
CHECKS: tuple[_Check, ...] = (
    _Check("description", "Description", True, "describe the version or the model in the registry", _description),
    _Check("owners", "Owners", True, _EDIT, _people("owners")),
    _Check("license", "License", True, _EDIT, _people("license")),
    _Check("intended_use", "Intended use", True, _EDIT, _people("intended_use")),
    _Check("out_of_scope_use", "Out-of-scope use", True, _EDIT, _people("out_of_scope_use")),
    _Check("limitations", "Limitations", True, _EDIT, _people("limitations")),
    _Check("ethical_considerations", "Ethical considerations", True, _EDIT, _people("ethical_considerations")),
    _Check(
        "training_data",
        "Training data",
        True,
        "log the training set with mlflow.log_input, or describe it in the card",
        _training_data,
    ),
    _Check(
        "signature",
        "Input and output schema",
        True,
        "log the model with a signature (mlflow.models.infer_signature)",
        _registry(lambda f: f.parameters.has_signature),
    ),
    _Check(
        "hyperparameters",
        "Hyperparameters",
        True,
        "log the training parameters (mlflow.log_params or autolog)",
        _registry(lambda f: f.parameters.hyperparameters),
    ),
    _Check(
        "metrics",
        "Evaluation metrics",
        True,
        "log evaluation metrics on the source run",
        _registry(lambda f: [m for m in f.evaluation.metrics if m.stage == "evaluation"]),
    ),
    _Check(
        "requirements",
        "Requirements",
        True,
        "log the model with MLflow so that it records its requirements",
        _registry(lambda f: f.training.requirements),
    ),
    _Check(
        "tests",
        "Model test results",
        True,
        "run the automated model tests (%maestro test)",
        _registry(lambda f: f.evaluation.tests),
    ),
    _Check("intended_users", "Intended users", False, _EDIT, _people("intended_users")),
    _Check("bias_risks", "Bias, risks and harms", False, _EDIT, _people("bias_risks")),
    _Check("tradeoffs", "Trade-offs", False, _EDIT, _people("tradeoffs")),
    _Check("recommendations", "Recommendations", False, _EDIT, _people("recommendations")),
    _Check("evaluation_data", "Evaluation data", False, _EDIT, _people("evaluation_data")),
    _Check("preprocessing", "Preprocessing", False, _EDIT, _people("preprocessing")),
    _Check("references", "References", False, _EDIT, _people("references")),
    _Check("citation", "Citation", False, _EDIT, _people("citation")),
    _Check(
        "data_profile",
        "Training-data profile",
        False,
        "profile the training data with %maestro profile DF --log inside the training run",
        _registry(lambda f: f.training.profile),
    ),
    _Check(
        "cost",
        "Training cost",
        False,
        "train through Maestro (ml.training.submit) to record cost",
        _registry(lambda f: f.training.cost),
    ),
    _Check(
        "hardware",
        "Training hardware",
        False,
        "train through Maestro to record the hardware",
        _registry(lambda f: f.training.hardware),
    ),
    _Check("environmental_impact", "Environmental impact notes", False, _EDIT, _people("environmental_impact")),
)


def section_states(card: ModelCard) -> dict[str, Literal["written", "recorded", "missing"]]:
    """What each section people write shows, read from the card's own checklist so that a section and its checklist
    item never disagree: ``written`` (people wrote it), ``recorded`` (unwritten, but the registry holds the fact, e.g.
    the training datasets the source run logged) or ``missing``."""
    by_field = {item.field: item for item in card.completeness.checklist}
    states: dict[str, Literal["written", "recorded", "missing"]] = {}
    for name in CardSections.model_fields:
        value = getattr(card.sections, name)
        if value.strip() if isinstance(value, str) else value:
            states[name] = "written"
        elif name in by_field and by_field[name].filled:
            states[name] = "recorded"
        else:
            states[name] = "missing"
    return states


def completeness(facts: CardFacts, sections: CardSections) -> Completeness:
    """The checklist and the share of required fields that are filled."""
    items = []
    for check in CHECKS:
        filled, by_registry = check.test(facts, sections)
        origin: Literal["registry", "people", "missing"] = (
            ("registry" if by_registry else "people") if filled else "missing"
        )
        items.append(
            ChecklistItem(
                field=check.field,
                label=check.label,
                required=check.required,
                filled=filled,
                origin=origin,
                hint="" if filled else check.hint,
            )
        )
    required = [i for i in items if i.required]
    done = len([i for i in required if i.filled])
    return Completeness(
        score=round(done / len(required), 4),
        filled=done,
        required=len(required),
        missing=[i.label for i in required if not i.filled],
        checklist=items,
    )


def fingerprint(facts: CardFacts) -> dict[str, str]:
    """A short digest per group of facts: what an approval saw, to tell later what changed."""
    groups: dict[str, object] = {
        "model source": [facts.model.source, facts.model.run_id],
        "description": [facts.model.description, facts.model.model_description],
        "signature": facts.parameters.model_dump(include={"inputs", "outputs"}),
        "hyperparameters": facts.parameters.hyperparameters,
        "metrics": sorted((m.name, m.slice or "", m.value) for m in facts.evaluation.metrics),
        "model tests": facts.evaluation.tests.model_dump() if facts.evaluation.tests else None,
        "training data": _training_data_facts(facts),
        "requirements": facts.training.requirements,
        "version tags": facts.model.tags,
    }
    return {
        group: hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]
        for group, value in groups.items()
    }


def _training_data_facts(facts: CardFacts) -> dict[str, object]:
    """What an approval saw of the training data. Features only when recorded, so that a card approved before
    Maestro recorded features keeps its fingerprint."""
    seen = facts.training.model_dump(include={"datasets", "profile"})
    if facts.training.features is not None:
        seen["features"] = facts.training.features.model_dump()
    return seen


def build_card(
    facts: CardFacts,
    sections: CardSections,
    review: ReviewState,
    generated_at: str,
    artifact_uri: str | None = None,
) -> ModelCard:
    """The card, with its completeness and its review state (stale when an approved card's facts changed)."""
    stale_reasons: list[str] = []
    if review.status == "approved":
        current = fingerprint(facts)
        if not review.approved_fingerprint:
            stale_reasons.append("the approval recorded no fingerprint of the model version")
        else:
            changed = [g for g, digest in current.items() if review.approved_fingerprint.get(g) != digest]
            stale_reasons.extend(f"{group} changed since the approval" for group in changed)
    approval = Approval(
        status="approved" if review.status == "approved" else "draft",
        stale=bool(stale_reasons),
        stale_reasons=stale_reasons,
        approved_by=review.approved_by if review.status == "approved" else None,
        approved_at=review.approved_at if review.status == "approved" else None,
        comment=review.comment if review.status == "approved" else None,
        updated_by=review.updated_by,
        updated_at=review.updated_at,
    )
    return ModelCard(
        generated_at=generated_at,
        facts=facts,
        sections=sections,
        approval=approval,
        completeness=completeness(facts, sections),
        artifact_uri=artifact_uri,
    )
