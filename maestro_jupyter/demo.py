"""Seed the configured registry with real models trained on scikit-learn's bundled datasets.

``python -m maestro_jupyter.demo`` trains and registers:

- ``breast-cancer-classifier``: three versions (logistic regression, random forest, gradient boosting), aliases
  ``champion`` (best accuracy) and ``challenger`` (second best);
- ``diabetes-regressor``: two versions (ridge, random forest), alias ``champion`` (best R²);
- ``iris-classifier``: one version, alias ``champion``;

and the demo feature repo under ``MAESTRO_HOME/feature_repo`` (``maestro_jupyter.feature_demo``: churn features in
Feast, applied and materialized; its labels in ``data/labels.parquet``).

Every version comes from a run with params, metrics (incl. training time; per-stage learning curves for the boosted
models), artifacts (feature importances, a confusion matrix) and a signature, and has been through the
automated model tests on the held-out split (so the champion took its alias through the promotion gate). It is
idempotent: a model already seeded completely is left alone; one left half-seeded by an interrupted run is seeded
again.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .settings import Settings

if TYPE_CHECKING:
    from .feature_demo import FeatureDemo

SEED_TAG = "maestro.demo"
SEED_VERSION = "3"  # 3: runs have learning curves and artifacts
TRUSTED_SKLEARN_TYPES = ["sklearn.tree._tree.Tree", "numpy.dtype"]


@dataclass(frozen=True)
class DemoModel:
    name: str
    dataset: str
    task: str
    description: str
    candidates: tuple[tuple[str, Callable[[], Any], dict[str, Any]], ...]


def _candidates_classification() -> tuple[tuple[str, Callable[[], Any], dict[str, Any]], ...]:
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    return (
        (
            "logistic-regression",
            lambda: _imputed(LogisticRegression(C=0.01, max_iter=500), scale=True),
            {"C": 0.01},
        ),
        (
            "random-forest",
            lambda: RandomForestClassifier(n_estimators=50, max_depth=4, random_state=0),
            {"n_estimators": 50, "max_depth": 4},
        ),
        (
            "gradient-boosting",
            lambda: _imputed(GradientBoostingClassifier(n_estimators=100, random_state=0)),
            {"n_estimators": 100, "learning_rate": 0.1},
        ),
    )


def demo_models() -> list[DemoModel]:
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import LogisticRegression, Ridge

    return [
        DemoModel(
            "breast-cancer-classifier",
            "breast_cancer",
            "classification",
            "Predicts whether a breast mass is malignant from 30 cell-nucleus measurements.",
            _candidates_classification(),
        ),
        DemoModel(
            "diabetes-regressor",
            "diabetes",
            "regression",
            "Predicts disease progression one year after baseline from 10 clinical measurements.",
            (
                ("ridge", lambda: _imputed(Ridge(alpha=1.0)), {"alpha": 1.0}),
                (
                    "random-forest",
                    lambda: RandomForestRegressor(n_estimators=50, max_depth=6, random_state=0),
                    {"n_estimators": 50, "max_depth": 6},
                ),
            ),
        ),
        DemoModel(
            "iris-classifier",
            "iris",
            "classification",
            "Classifies iris flowers into three species from sepal and petal sizes.",
            (("logistic-regression", lambda: _imputed(LogisticRegression(max_iter=500)), {"max_iter": 500}),),
        ),
    ]


def _imputed(estimator: Any, scale: bool = False) -> Any:
    """``estimator`` behind a median imputer (and a scaler): served models meet missing values, and the
    robustness checks inject some."""
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    steps = [SimpleImputer(strategy="median"), *([StandardScaler()] if scale else []), estimator]
    return make_pipeline(*steps)


def _load(dataset: str) -> tuple[Any, Any]:
    from sklearn import datasets

    loader = {"breast_cancer": datasets.load_breast_cancer, "diabetes": datasets.load_diabetes}.get(
        dataset, datasets.load_iris
    )
    frame = loader(as_frame=True)
    return frame.data, frame.target


def _metrics(task: str, model: Any, x_test: Any, y_test: Any) -> dict[str, float]:
    from sklearn import metrics

    pred = model.predict(x_test)
    if task == "regression":
        return {
            "rmse": float(metrics.root_mean_squared_error(y_test, pred)),
            "mae": float(metrics.mean_absolute_error(y_test, pred)),
            "r2": float(metrics.r2_score(y_test, pred)),
        }
    proba = model.predict_proba(x_test)
    binary = proba.shape[1] == 2
    return {
        "accuracy": float(metrics.accuracy_score(y_test, pred)),
        "f1": float(metrics.f1_score(y_test, pred, average="binary" if binary else "macro")),
        "roc_auc": float(metrics.roc_auc_score(y_test, proba[:, 1] if binary else proba, multi_class="ovr")),
        "log_loss": float(metrics.log_loss(y_test, proba)),
    }


def _log_learning_curves(task: str, model: Any, x_test: Any, y_test: Any) -> None:
    """For a boosted model, the per-stage curves a run view draws: the training loss sklearn records at each stage
    and the held-out score after it (so the demo shows learning curves, not only last values)."""
    import mlflow
    from mlflow.entities import Metric
    from sklearn import metrics

    booster = model[-1] if hasattr(model, "steps") else model
    if not hasattr(booster, "train_score_") or not hasattr(booster, "staged_predict"):
        return
    prepared = model[:-1].transform(x_test) if hasattr(model, "steps") else x_test
    score = metrics.accuracy_score if task == "classification" else metrics.r2_score
    held_out_key = "staged_accuracy" if task == "classification" else "staged_r2"
    now = int(time.time() * 1000)
    series = [Metric("train_loss", float(loss), now, step) for step, loss in enumerate(booster.train_score_)]
    series += [
        Metric(held_out_key, float(score(y_test, pred)), now, step)
        for step, pred in enumerate(booster.staged_predict(prepared))
    ]
    run_id = mlflow.active_run().info.run_id  # type: ignore[union-attr]
    mlflow.MlflowClient().log_batch(run_id, metrics=series)


def _log_artifacts(task: str, model: Any, x_test: Any, y_test: Any) -> None:
    """What a run's artifacts browser previews: a table (the features' importances) and, for a classifier, an image
    (its confusion matrix on the held-out split)."""
    import tempfile
    from pathlib import Path

    import mlflow
    import pandas as pd

    estimator = model[-1] if hasattr(model, "steps") else model
    weights = getattr(estimator, "feature_importances_", None)
    if weights is None and getattr(estimator, "coef_", None) is not None:
        coef = estimator.coef_
        weights = abs(coef).mean(axis=0) if coef.ndim > 1 else abs(coef)
    with tempfile.TemporaryDirectory() as tmp:
        if weights is not None:
            frame = pd.DataFrame({"feature": list(x_test.columns), "importance": [float(w) for w in weights]})
            path = Path(tmp) / "feature_importances.csv"
            frame.sort_values("importance", ascending=False).to_csv(path, index=False)
            mlflow.log_artifact(str(path), "evaluation")
        if task == "classification":
            import matplotlib

            matplotlib.use("Agg")  # no display in a seed or a job
            from sklearn.metrics import ConfusionMatrixDisplay

            shown = ConfusionMatrixDisplay.from_estimator(model, x_test, y_test, colorbar=False)
            path = Path(tmp) / "confusion_matrix.png"
            shown.figure_.savefig(path, dpi=80, bbox_inches="tight")
            import matplotlib.pyplot as plt

            plt.close(shown.figure_)
            mlflow.log_artifact(str(path), "evaluation")


def _is_seeded(client: Any, spec: DemoModel) -> bool:
    from mlflow.exceptions import MlflowException

    try:
        rm = client.get_registered_model(spec.name)
    except MlflowException:
        return False
    if rm.tags.get(SEED_TAG) == SEED_VERSION:
        return True
    # Half-seeded (interrupted) or an older seed: start this model again.
    client.delete_registered_model(spec.name)
    return False


def seed(settings: Settings | None = None, log: Callable[[str], None] = print) -> list[str]:
    """Train and register the demo models into ``settings``' stores; returns the names it (re)created."""
    import mlflow
    import mlflow.data.pandas_dataset
    import sklearn
    import skops
    from mlflow.models import infer_signature
    from sklearn.model_selection import train_test_split

    from .services import Services

    services = Services(settings)
    backend = services.mlflow  # opens (and, when embedded, bootstraps) the store with Maestro's artifact root
    client = backend.client
    created = []
    tested: list[tuple[DemoModel, list[tuple[float, str]], Any]] = []
    # The fluent API (start_run, log_model) logs wherever MLflow's process-wide URIs point.
    with backend.mlflow_globals():
        for spec in demo_models():
            if _is_seeded(client, spec):
                log(f"{spec.name}: already seeded")
                continue
            x, y = _load(spec.dataset)
            stratify = y if spec.task == "classification" else None
            x_train, x_test, y_train, y_test = train_test_split(
                x, y, test_size=0.25, random_state=42, stratify=stratify
            )
            mlflow.set_experiment(f"maestro-demo-{spec.dataset.replace('_', '-')}")
            scores: list[tuple[float, str]] = []
            for algorithm, build, params in spec.candidates:
                with mlflow.start_run(run_name=f"{spec.name}-{algorithm}"):
                    model = build()
                    started = time.perf_counter()
                    model.fit(x_train, y_train)
                    elapsed = time.perf_counter() - started
                    results = _metrics(spec.task, model, x_test, y_test)
                    mlflow.log_params({"algorithm": algorithm, "dataset": spec.dataset, **params})
                    mlflow.log_metrics({**results, "training_time_s": elapsed})
                    _log_learning_curves(spec.task, model, x_test, y_test)
                    _log_artifacts(spec.task, model, x_test, y_test)
                    estimator = type(model[-1] if hasattr(model, "steps") else model)
                    mlflow.set_tags(
                        {
                            "task": spec.task,
                            "dataset": spec.dataset,
                            # What MLflow's sklearn autologging records, so cards name the architecture.
                            "estimator_class": f"{estimator.__module__}.{estimator.__name__}",
                            "estimator_name": estimator.__name__,
                        }
                    )
                    train = x_train.assign(target=y_train)
                    mlflow.log_input(
                        mlflow.data.pandas_dataset.from_pandas(train, name=f"{spec.dataset}-train", targets="target"),
                        context="training",
                    )
                    test = x_test.assign(target=y_test)
                    mlflow.log_input(
                        mlflow.data.pandas_dataset.from_pandas(test, name=f"{spec.dataset}-test", targets="target"),
                        context="evaluation",
                    )
                    info = mlflow.sklearn.log_model(
                        model,
                        name="model",
                        signature=infer_signature(x_test, model.predict(x_test)),
                        # Without this MLflow spends seconds inferring requirements by importing the model.
                        pip_requirements=[f"scikit-learn=={sklearn.__version__}", f"skops=={skops.__version__}"],
                        # MLflow saves with skops, which refuses tree internals unless trusted; we built these.
                        skops_trusted_types=TRUSTED_SKLEARN_TYPES,
                        registered_model_name=spec.name,
                    )
                    version = str(info.registered_model_version)
                    client.update_model_version(spec.name, version, description=f"{algorithm} on {spec.dataset}")
                    score = results["r2"] if spec.task == "regression" else results["accuracy"]
                    scores.append((score, version))
            client.update_registered_model(spec.name, description=spec.description)
            client.set_registered_model_tag(spec.name, "task", spec.task)
            client.set_registered_model_tag(spec.name, "dataset", spec.dataset)
            client.set_registered_model_tag(spec.name, "team", "demo")
            tested.append((spec, scores, x_test.assign(target=y_test)))
    for spec, scores, test_frame in tested:
        _test_and_promote(services, spec, scores, test_frame, log)
        client.set_registered_model_tag(spec.name, SEED_TAG, SEED_VERSION)  # last: marks the seed complete
        created.append(spec.name)
    return created


def _test_and_promote(
    services: Any, spec: DemoModel, scores: list[tuple[float, str]], test_frame: Any, log: Callable[[str], None]
) -> None:
    """Run the model tests on every version, then give the aliases through the promotion gate."""
    from .contract.base import Actor
    from .contract.registry import SetAlias
    from .contract.tests import RunModelTests

    actor = Actor(services.settings.user)
    verdicts = {}
    for _score, version in scores:
        run = RunModelTests(name=spec.name, version=version, data=test_frame, target="target", reference_alias=None)
        verdicts[version] = services.execute(run, actor).verdict
    ranked = [v for _, v in sorted(scores, reverse=True)]
    services.execute(SetAlias(name=spec.name, alias="champion", version=ranked[0]), actor)  # gated: refused if failed
    if len(ranked) > 1:
        services.execute(SetAlias(name=spec.name, alias="challenger", version=ranked[1]), actor)
    tests = ", ".join(f"v{v} {verdicts[v]}" for _, v in scores)
    log(f"{spec.name}: {len(ranked)} version(s), champion v{ranked[0]}; tests: {tests}")


def seed_features(settings: Settings, log: Callable[[str], None] = print) -> FeatureDemo | None:
    """Seed the demo feature repo (``maestro_jupyter.feature_demo``) at ``settings.feast_repo`` when that is the
    default one under ``MAESTRO_HOME``; a team's repo (``MAESTRO_FEAST_REPO`` elsewhere) is left alone. Seeding again
    re-applies the same definitions and moves the data's window to now, so the online values are fresh again."""
    from .feature_demo import seed_feature_repo

    repo = settings.feast_repo
    if repo.resolve() != (settings.home / "feature_repo").resolve():
        log(f"Feature repo {repo} is set by MAESTRO_FEAST_REPO: not seeded with the demo")
        return None
    demo = seed_feature_repo(repo)
    views = ", ".join([*demo.views, *demo.on_demand_views])
    log(f"Demo feature repo {repo}: views {views}; service {demo.service}; materialized to {demo.end:%Y-%m-%d %H:%M}Z")
    return demo


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m maestro_jupyter.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    seed(settings, log=(lambda _m: None) if args.quiet else print)
    seed_features(settings, log=(lambda _m: None) if args.quiet else print)
    if not args.quiet:
        print(f"Demo registry ready at {settings.public_dict()['tracking_uri']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
