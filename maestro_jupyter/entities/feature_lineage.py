"""Feature lineage: which features (a Feast feature service, or a list of ``view:feature``) a model version was
trained on, and from which store.

A training run records it as run tags (:mod:`maestro_jupyter.tagkeys` ``FEATURE_*``), written when a training job
names a feature service and when ``ml.features.training_set`` builds the run's training set. :func:`feature_use`
reads them back; the version's details, the comparison of versions and the model card show them, and
:class:`FeatureLineage` answers "which versions used this service or view" and "what did this version use".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from .. import tagkeys as tk
from . import display
from . import formatting as fmt
from .base import _Page

__all__ = ["FeatureLineage", "FeatureUse", "LineageEntry", "feature_use", "feature_use_tags", "split_names"]

#: Longest run tag value Maestro writes (MLflow's own limit is larger; a list of refs is cut with a note).
MAX_TAG_VALUE = 5000


class FeatureUse(BaseModel):
    """The features one training run used: the feature service (or the ``view:feature`` refs when no service was
    named), its feature views, and the Feast registry version and project that answered."""

    service: str | None = None
    views: list[str] = Field(default_factory=list)
    refs: list[str] = Field(default_factory=list)
    registry_version: str | None = None
    project: str | None = None

    def text(self) -> str:
        """One line: ``service churn_v1 · views customer_activity, customer_profile · registry 1a2b3c4d``."""
        what = f"service {self.service}" if self.service else fmt.count(len(self.refs), "feature")
        parts = [what]
        if self.views:
            parts.append(("view " if len(self.views) == 1 else "views ") + ", ".join(self.views))
        if self.registry_version:
            parts.append(f"registry {fmt.short_id(self.registry_version)}")
        if self.project:
            parts.append(f"project {self.project}")
        return " · ".join(parts)


def split_names(text: str | None) -> list[str]:
    """A comma-separated tag value as its names (empty parts dropped)."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def feature_use(tags: Mapping[str, str]) -> FeatureUse | None:
    """What a run's tags say about the features it trained on; ``None`` when they say nothing."""
    service = (tags.get(tk.FEATURE_SERVICE) or "").strip() or None
    refs = split_names(tags.get(tk.FEATURE_REFS))
    if service is None and not refs:
        return None
    return FeatureUse(
        service=service,
        views=split_names(tags.get(tk.FEATURE_VIEWS)),
        refs=refs,
        registry_version=(tags.get(tk.FEATURE_REGISTRY_VERSION) or "").strip() or None,
        project=(tags.get(tk.FEATURE_PROJECT) or "").strip() or None,
    )


def feature_use_tags(
    *,
    service: str | None,
    views: list[str],
    refs: list[str] | None = None,
    registry_version: str | None = None,
    project: str | None = None,
) -> dict[str, str]:
    """The run tags that record a training set's features (the inverse of :func:`feature_use`). A service is
    recorded by its name (its refs are the service's business); refs only when no service was named."""
    tags: dict[str, str] = {tk.FEATURE_VIEWS: _joined(sorted(set(views)))}
    if service:
        tags[tk.FEATURE_SERVICE] = service
    else:
        tags[tk.FEATURE_REFS] = _joined(list(refs or []))
    if registry_version:
        tags[tk.FEATURE_REGISTRY_VERSION] = registry_version
    if project:
        tags[tk.FEATURE_PROJECT] = project
    return tags


def _joined(names: list[str]) -> str:
    """Names joined by commas, cut at a name boundary to fit a tag (the cut is marked with ``,…``)."""
    text = ",".join(names)
    if len(text) <= MAX_TAG_VALUE:
        return text
    cut = text[: MAX_TAG_VALUE - 2].rsplit(",", 1)[0]
    return cut + ",…"


class LineageEntry(BaseModel):
    """One model version and the features its source run was trained on."""

    model: str
    version: str
    run_id: str
    service: str | None = None
    views: list[str] = Field(default_factory=list)
    refs: list[str] = Field(default_factory=list)
    registry_version: str | None = None
    project: str | None = None
    #: When the training run started (epoch seconds).
    trained_at: float | None = None


class FeatureLineage(_Page):
    """Model versions and the features they were trained on, newest training first: the versions trained on a
    feature service or view, or what one model's versions used."""

    items: list[LineageEntry] = Field(default_factory=list)
    #: What was asked, as a person reads it (``service churn_v1``, ``model churn v3``).
    query: str = ""

    def _items(self) -> list[LineageEntry]:
        return self.items

    def _table(self) -> tuple[str, list[str], list[list[Any]]]:
        versions = fmt.count(len(self.items), "model version")
        if self.query.startswith(("service ", "view ")):
            title = f"{versions} trained on {self.query}"
        elif self.query:  # a model or one version: what it was trained on
            title = f"Features {self.query} was trained on: {versions} with feature lineage"
        else:
            title = versions
        headers = ["model", "version", "service", "views", "registry version", "project", "trained"]
        rows = [
            [
                e.model,
                f"v{e.version}",
                e.service or (f"{fmt.count(len(e.refs), 'feature')}" if e.refs else ""),
                ", ".join(e.views),
                fmt.short_id(e.registry_version) if e.registry_version else "",
                e.project or "",
                fmt.relative(e.trained_at),
            ]
            for e in self.items
        ]
        return title, headers, rows

    def _repr_html_(self) -> str:
        title, headers, rows = self._table()
        return display.html_table(headers, rows, title=title)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self._repr_html_(), "text/plain": str(self)}

    def __str__(self) -> str:
        title, headers, rows = self._table()
        return display.text_table(headers, rows, title=title)
