"""``MaestroClient``: the SDK, and the one thing the magics import.

>>> from maestro_jupyter import MaestroClient
>>> ml = MaestroClient()
>>> ml.models.list(search="cancer")
>>> ml.models.get("breast-cancer-classifier", alias="champion")

The client runs the services in-process against the configured stores (the same ones the Jupyter server uses),
so what it changes shows up in the sidebar and the REST API at once. Errors are
:class:`~maestro_jupyter.errors.MaestroError` subclasses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .compute_client import DeploymentsAPI, TrainingAPI
from .costs_client import BudgetsAPI, CostsAPI
from .entities import (
    ExperimentPage,
    GateDecision,
    ModelDetail,
    ModelPage,
    ModelVersion,
    RunComparison,
    RunPage,
    RunSummary,
    VersionComparison,
    VersionDetail,
)
from .errors import InvalidParameter
from .services import Services
from .services.validation import file_safe
from .settings import Settings

if TYPE_CHECKING:
    from .analysis.cards import ModelCard
    from .analysis.features import FeatureReport
    from .analysis.modeltests import TestPolicy, TestReport, TestRunSummary
    from .analysis.profiling import ProfileResult


class ModelsAPI:
    """Registered models: ``ml.models``."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def list(
        self,
        search: str | None = None,
        tags: Mapping[str, str] | None = None,
        max_results: int = 100,
        page_token: str | None = None,
        order_by: str | None = None,
    ) -> ModelPage:
        """Models whose name contains ``search`` and that carry every tag in ``tags``; one page of them.

        ``order_by`` is one of ``"name ASC"`` (default), ``"name DESC"``, ``"last_updated_timestamp DESC"``,
        ``"last_updated_timestamp ASC"``. Pass the page's ``next_page_token`` as ``page_token`` for the next page.
        """
        return self._services.registry.list_models(search, tags, max_results, page_token, order_by)

    def get(
        self, name: str, *, version: int | str | None = None, alias: str | None = None
    ) -> ModelDetail | VersionDetail:
        """A model with its versions; or, given ``version`` or ``alias``, that version in detail."""
        if version is None and alias is None:
            return self._services.registry.get_model(name)
        return self._services.registry.get_version(name, version=version, alias=alias)

    def download(
        self,
        name: str,
        *,
        version: int | str | None = None,
        alias: str | None = None,
        dest: str | Path | None = None,
    ) -> Path:
        """Save a version's artifacts as a zip; returns its path.

        The version is ``version``, else the one ``alias`` points to, else the newest. ``dest`` is a file path or an
        existing folder (default: the current folder); the file is named ``NAME-vVERSION.zip`` in a folder.
        """
        registry = self._services.registry
        resolved = registry.resolve_version(name, version=version, alias=alias)
        target = Path(dest) if dest is not None else Path.cwd()
        if target.is_dir():
            target = target / f"{file_safe(name)}-v{resolved}.zip"
        if not target.parent.is_dir():
            raise InvalidParameter(f"Cannot write {target}: folder {target.parent} does not exist")
        return registry.download(name, resolved, target)

    def compare(
        self, name: str, metrics: Sequence[str] | None = None, *, versions: Sequence[int | str] | None = None
    ) -> VersionComparison:
        """Metrics across versions (oldest first), shown as charts and a table; ``.to_frame()``, ``.to_csv()``."""
        return self._services.registry.compare_versions(name, metrics, versions)

    def set_alias(
        self, name: str, alias: str, version: int | str, *, override_reason: str | None = None
    ) -> ModelVersion:
        """Point ``alias`` (e.g. ``"champion"``) at ``version``; returns that version.

        A gated alias (champion and production unless ``MAESTRO_GATED_ALIASES`` says otherwise) goes only to a
        version whose latest tests passed: otherwise ``GateRefused`` names the failed checks. ``override_reason``
        lets it through anyway and is recorded on the version (who, when, why)."""
        services = self._services
        return services.registry.set_alias(name, alias, version, override_reason, services.settings.user)

    def delete_alias(self, name: str, alias: str) -> None:
        """Remove an alias from a model."""
        self._services.registry.delete_alias(name, alias)

    def set_tag(self, name: str, key: str, value: str, *, version: int | str | None = None) -> None:
        """Tag the model, or one version of it."""
        self._services.registry.set_tag(name, key, value, version)

    def delete_tag(self, name: str, key: str, *, version: int | str | None = None) -> None:
        """Remove a tag from the model, or from one version of it."""
        self._services.registry.delete_tag(name, key, version)

    def update_description(
        self, name: str, description: str, *, version: int | str | None = None
    ) -> ModelDetail | VersionDetail:
        """Replace the description of the model, or of one version of it; returns what was updated."""
        return self._services.registry.update_description(name, description, version)

    def register(
        self,
        run_id: str,
        name: str,
        *,
        artifact_path: str = "model",
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> ModelVersion:
        """Register the model a run logged (at ``artifact_path``) as a new version of ``name``."""
        return self._services.registry.register(run_id, name, artifact_path, description, tags)


class ExperimentsAPI:
    """Experiments and runs: ``ml.experiments``."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def list(self, search: str | None = None, max_results: int = 100, page_token: str | None = None) -> ExperimentPage:
        """Active experiments, most recently updated first."""
        return self._services.experiments.list_experiments(search, max_results, page_token)

    def runs(
        self,
        experiment: str,
        *,
        order_by: str | Sequence[str] | None = None,
        filter: str = "",
        max_results: int = 100,
        page_token: str | None = None,
    ) -> RunPage:
        """Runs of an experiment (name or id) with their metrics, e.g. ``order_by="metrics.accuracy DESC"``."""
        return self._services.experiments.list_runs(experiment, order_by, filter, max_results, page_token)

    def run(self, run_id: str) -> RunSummary:
        """One run with its metrics, params and tags."""
        return self._services.experiments.get_run(run_id)

    def compare(self, run_ids: Sequence[str]) -> RunComparison:
        """Runs side by side; ``differing_params``/``differing_metrics`` name what changed."""
        return self._services.experiments.compare_runs(list(run_ids))


class DataAPI:
    """Datasets: ``ml.data``."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def profile(
        self,
        source: Any,
        *,
        minimal: bool = True,
        report: bool = True,
        sample: int | None = None,
        target: str | None = None,
        title: str | None = None,
        compare: Any = None,
        output: str | Path | None = None,
        log: bool = False,
    ) -> ProfileResult:
        """Profile a DataFrame or a CSV/TSV/Parquet path.

        The summary (counts, types, missing values, duplicates, warnings) is exact on all rows. The ydata-profiling
        report (``minimal=False`` for the full one) is computed on a random sample of ``sample`` rows (default
        100,000) when the data is larger. ``compare`` is a second frame or path to compare with, ``output`` an
        .html file to write, and ``log=True`` attaches the report to the active MLflow run. The same data profiles
        instantly the second time; changed data never reuses a report.
        """
        data = self._services.data
        result = data.profile(
            source, minimal=minimal, report=report, sample=sample, target=target, title=title, compare=compare
        )
        if output is not None:
            data.save_report(result, output)
        if log:
            data.log_report(result)
        return result

    def features(
        self,
        source: Any,
        target: str,
        *,
        task: str = "auto",
        top: int = 10,
        time_budget: float = 60.0,
        exclude: Sequence[str] = (),
    ) -> FeatureReport:
        """Rank the features of a DataFrame (or file) by how useful they are for predicting ``target``.

        It combines univariate association, mutual information and a gradient-boosted model's permutation
        importance on held-out data, within ``time_budget`` seconds, and flags leakage, redundancy, constant,
        mostly-missing and ID-like columns. ``.top_features`` and ``.to_frame()`` are there for code.
        """
        return self._services.data.features(
            source, target, task=task, top_k=top, time_budget=time_budget, exclude=exclude
        )


class CardsAPI:
    """Model cards: ``ml.cards``. A card is built from what the registry knows about a version plus the sections
    people write; it is kept with the version (sections and approval as tags, rendered files as artifacts)."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def generate(
        self, name: str, *, version: int | str | None = None, alias: str | None = None, save: bool = True
    ) -> ModelCard:
        """The card of a version (``version``, else the one ``alias`` names, else the newest), built afresh from the
        registry. With ``save`` (default) its Markdown, HTML, PDF and JSON are stored as artifacts of the version.
        Render it with ``.to_markdown()``, ``.to_html()``, ``.to_pdf()``, ``.to_json()``."""
        return self._services.cards.generate(name, version, alias, save=save)

    def update(
        self,
        name: str,
        *,
        version: int | str | None = None,
        alias: str | None = None,
        markdown: str | None = None,
        status: str | None = None,
        comment: str | None = None,
        **sections: Any,
    ) -> ModelCard:
        """Write sections: ``ml.cards.update("churn", version=3, intended_use="...", owners=["Ana <ana@x.org>"])``.
        ``None`` clears a section. ``markdown`` is an edited ``card.md`` (text) to load back. An approved card that
        changes becomes a draft again. ``status="approved"`` (with ``comment``) approves the result in the same
        step, ``status="draft"`` withdraws an approval. See ``CardSections`` for the fields."""
        return self._services.cards.update(
            name,
            version,
            alias,
            sections=sections or None,
            markdown=markdown,
            status=status,
            comment=comment,
            user=self._services.settings.user,
        )

    def approve(
        self, name: str, *, version: int | str | None = None, alias: str | None = None, comment: str | None = None
    ) -> ModelCard:
        """Approve the card, recording who, when and ``comment``. The required sections must be written first."""
        return self._services.cards.approve(name, version, alias, user=self._services.settings.user, comment=comment)

    def reopen(self, name: str, *, version: int | str | None = None, alias: str | None = None) -> ModelCard:
        """Withdraw the approval: the card is a draft again."""
        return self._services.cards.reopen(name, version, alias, user=self._services.settings.user)

    def save(
        self,
        card: ModelCard | str,
        path: str | Path,
        *,
        version: int | str | None = None,
        alias: str | None = None,
        format: str | None = None,
    ) -> Path:
        """Write a card (a ``ModelCard``, or a model name to generate one) to ``path``: a file, or a folder for
        ``NAME-vVERSION-card.EXT``, under the current folder or ``MAESTRO_HOME``. The format is ``format``, else
        the file's extension, else HTML."""
        cards = self._services.cards
        if isinstance(card, str):
            card = cards.generate(card, version, alias)
        suffix = Path(path).suffix.lstrip(".")
        fmt = format or (suffix if suffix and not str(path).endswith("/") else None)
        return cards.write(cards.render(card, fmt), path, [Path.cwd(), self._services.settings.home])

    def schema(self) -> dict[str, Any]:
        """The JSON Schema every ``card.json`` validates against."""
        from .analysis.cards import card_json_schema

        return card_json_schema()


class TestsAPI:
    """Automated model tests and the promotion gate: ``ml.tests``."""

    __test__ = False  # not a pytest test class

    def __init__(self, services: Services) -> None:
        self._services = services

    def run(
        self,
        name: str,
        data: Any,
        target: str,
        *,
        version: int | str | None = None,
        alias: str | None = None,
        sensitive: Sequence[str] | None = None,
        slices: Sequence[str] | None = None,
        policy: Mapping[str, Any] | str | Path | None = None,
        thresholds: Mapping[str, Any] | None = None,
        reference: str | None = "champion",
        record: bool = True,
    ) -> TestReport:
        """Test a version on ``data`` (a DataFrame or CSV/Parquet path) whose ``target`` column holds the truth.

        Checks the data contract, performance (per ``slices`` too, and no regression against the version holding
        the ``reference`` alias), latency, fairness across ``sensitive`` columns and robustness. Thresholds come
        from the defaults, ``MAESTRO_TEST_POLICY``, the model's ``maestro.tests.*`` tags, ``policy`` (a mapping or a
        YAML file) and ``thresholds`` (e.g. ``{"accuracy": 0.9, "latency_p95_ms": "< 50"}``), later winning. With
        ``record`` (default) the report is kept with the version: verdict tags, metrics, HTML and JUnit files.
        """
        services = self._services
        return services.tests.run(
            name,
            version,
            alias,
            data=data,
            target=target,
            sensitive=sensitive,
            slices=slices,
            policy=policy,
            thresholds=thresholds,
            reference_alias=reference,
            record=record,
            user=services.settings.user,
        )

    def get(self, name: str, *, version: int | str | None = None, alias: str | None = None) -> TestReport | None:
        """The latest recorded report of a version (``None`` if it was never tested)."""
        return self._services.tests.latest(name, version, alias)

    def history(self, name: str, *, version: int | str | None = None, max_results: int = 100) -> list[TestRunSummary]:
        """Recorded test runs of a model, or of one version, newest first."""
        return self._services.tests.history(name, version, max_results)

    def policy(self, name: str, policy: Mapping[str, Any] | str | Path | None = None) -> TestPolicy:
        """The policy a test of ``name`` would use now (defaults, team file, model tags, then ``policy``)."""
        return self._services.tests.policy(name, policy)

    def gate(self, name: str, *, version: int | str | None = None, alias: str | None = None) -> GateDecision:
        """Whether the version may be promoted to a gated alias or deployed now, and why not."""
        services = self._services
        resolved = services.registry.resolve_version(name, version=version, alias=alias)
        return services.gate.decide(name, resolved, "promotion or deployment")


class MaestroClient:
    """The Maestro SDK. ``MaestroClient()`` reads the settings from the environment (see ``settings.py``);
    keyword arguments override them, e.g. ``MaestroClient(tracking_uri="http://mlflow:5000")``."""

    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        if settings is not None and overrides:
            settings = settings.with_overrides(**overrides)
        self._services = Services(settings or Settings.from_env(**overrides))
        self.models = ModelsAPI(self._services)
        self.experiments = ExperimentsAPI(self._services)
        self.data = DataAPI(self._services)
        self.cards = CardsAPI(self._services)
        self.tests = TestsAPI(self._services)
        self.training = TrainingAPI(self._services)
        self.deployments = DeploymentsAPI(self._services)
        self.costs = CostsAPI(self._services)
        self.budgets = BudgetsAPI(self._services)

    @property
    def settings(self) -> Settings:
        """The resolved settings this client uses."""
        return self._services.settings

    def __repr__(self) -> str:
        s = self.settings.public_dict()
        return f"MaestroClient(tracking_uri={s['tracking_uri']!r}, user={s['user']!r}, project={s['project']!r})"
