"""Benchmark: the feature store through Maestro, against Feast called directly in the same run.

What is measured (a temporary MAESTRO_HOME, and Feast repos made here)
---------------------------------------------------------------------
1. A training set: ``--rows`` entity rows (default 1,000,000) x 20 features (two batch views of 10) through
   ``ml.features.training_set(entity_df, features=[...])`` (the SDK, in-process, as a notebook on a laptop calls it:
   checks, Feast's point-in-time join, every entity row kept in the caller's order), against
   ``store.get_historical_features(entity_df, features=[...]).to_df()`` on the same FeatureStore repo and the same
   entity frame, ``--repeat`` times each (default 3), interleaved. Goal: Maestro / Feast under 1.1 (best of each).
2. An online lookup through a deployment: a model trained on the demo's ``churn_v1`` service, served by a real
   ``mlflow models serve`` process; ``--requests`` predictions (default 300, after 30 warm-up) for one entity by its
   key (``entities=[{"customer_id": k}]``: Maestro fetches its online features first), against the same deployment
   given the full feature row. Goal: p95 of the entity-keyed predictions under 20 ms above the full-row p95.

How to run: ``.venv/bin/python benchmarks/bench_features_store.py`` (``make bench`` runs it). It takes a few minutes
and a few GB of memory at 1M rows. Run it alone: the machine has two cores, and another busy process shows up in
every figure.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from figures import percentile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FEATURES_PER_VIEW = 10
VIEWS = ("bench_usage", "bench_billing")


def quiet() -> contextlib.ExitStack:
    """Feast's progress bars and experimental-feature warnings, kept out of the figures."""
    stack = contextlib.ExitStack()
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    return stack


# --- 1. a training set of --rows entity rows x 20 features -----------------------------------------------------------


def wide_repo(repo: Path, customers: int, snapshots: int) -> list[str]:
    """A Feast repo of two batch views of 10 float features each over ``customers`` x ``snapshots`` rows (one snapshot
    a day); returns the 20 ``view:feature`` references."""
    import numpy as np
    import pandas as pd
    from feast import Entity, FeatureStore, FeatureView, Field, FileSource, ValueType
    from feast.types import Float64

    data = repo / "data"
    data.mkdir(parents=True)
    (repo / "feature_store.yaml").write_text(
        "project: bench\nprovider: local\nregistry: data/registry.db\nonline_store:\n  type: sqlite\n"
        "  path: data/online_store.db\noffline_store:\n  type: file\nentity_key_serialization_version: 3\n"
    )
    rng = np.random.default_rng(0)
    end = datetime(2026, 1, 1, tzinfo=UTC)
    ids = np.arange(customers, dtype="int64")
    at = pd.DatetimeIndex([end - timedelta(days=snapshots - d) for d in range(snapshots)])
    customer = Entity(name="customer", join_keys=["customer_id"], value_type=ValueType.INT64)
    objects: list[Any] = [customer]
    refs = []
    for v, view in enumerate(VIEWS):
        names = [f"{view.split('_')[1]}_{i}" for i in range(FEATURES_PER_VIEW)]
        frame = pd.DataFrame({"customer_id": np.repeat(ids, snapshots), "event_timestamp": np.tile(at, customers)})
        frame["event_timestamp"] = frame["event_timestamp"].dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
        for name in names:
            frame[name] = rng.normal(size=len(frame)).round(4)
        path = data / f"{view}.parquet"
        frame.to_parquet(path, index=False)
        source = FileSource(name=f"{view}_source", path=str(path), timestamp_field="event_timestamp")
        objects.append(source)
        objects.append(
            FeatureView(
                name=view,
                entities=[customer],
                ttl=timedelta(days=snapshots + 1 + v),
                schema=[Field(name=n, dtype=Float64) for n in names],
                source=source,
                online=False,
            )
        )
        refs += [f"{view}:{n}" for n in names]
    with quiet():
        FeatureStore(repo_path=str(repo)).apply(objects)
    return refs


def entity_frame(rows: int, customers: int, snapshots: int) -> Any:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    end = datetime(2026, 1, 1, tzinfo=UTC)
    offsets = rng.integers(0, snapshots * 86400, size=rows)
    return pd.DataFrame(
        {
            "customer_id": rng.integers(0, customers, size=rows).astype("int64"),
            "event_timestamp": pd.Timestamp(end - timedelta(days=snapshots)) + pd.to_timedelta(offsets, "s"),
        }
    )


def training_sets(ml: Any, repo: Path, refs: list[str], entity_df: Any, repeat: int) -> tuple[list[float], list[float]]:
    from feast import FeatureStore

    store = FeatureStore(repo_path=str(repo))
    maestro, feast = [], []
    shape = None
    with quiet():  # warm: Feast's imports and registry, Maestro's services and MLflow store
        store.get_historical_features(entity_df=entity_df.head(1000), features=refs).to_df()
        ml.features.training_set(entity_df.head(1000), features=refs)
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        with quiet():
            direct = store.get_historical_features(entity_df=entity_df, features=refs).to_df()
        feast.append(time.perf_counter() - start)
        direct_shape = direct.shape
        del direct
        gc.collect()
        start = time.perf_counter()
        with quiet():
            frame = ml.features.training_set(entity_df, features=refs)
        maestro.append(time.perf_counter() - start)
        shape = frame.shape
        assert len(frame) == len(entity_df), (len(frame), len(entity_df))  # every entity row kept
        del frame
    print(f"  frames: Maestro {shape[0]:,} x {shape[1]} columns, Feast {direct_shape[0]:,} x {direct_shape[1]}")
    return maestro, feast


# --- 2. an online lookup through a deployment ------------------------------------------------------------------------


def deploy_churn_model(ml: Any, repo: Path) -> tuple[Any, list[str]]:
    """A Ridge model trained on the demo's ``churn_v1`` training set, its run tagged with the service, registered
    and deployed; returns the deployment and the model's input columns."""
    import mlflow
    import pandas as pd
    from feast import FeatureStore
    from mlflow.models import infer_signature
    from sklearn.linear_model import Ridge

    from maestro_jupyter import tagkeys as tk
    from maestro_jupyter.feature_demo import SERVICE, seed_feature_repo

    with quiet():
        demo = seed_feature_repo(repo)
        store = FeatureStore(repo_path=str(repo))
        frame = store.get_historical_features(
            pd.read_parquet(demo.labels), features=store.get_feature_service(SERVICE)
        ).to_df()
    columns = [ref.split(":", 1)[1] for ref in demo.service_features]
    model = Ridge().fit(frame[columns], frame["churned"].astype("float64"))
    services = ml._transport.services
    with services.mlflow.mlflow_globals(), quiet(), mlflow.start_run(run_name="bench-churn"):
        mlflow.set_tags({tk.FEATURE_SERVICE: SERVICE, tk.FEATURE_PROJECT: demo.project})
        signature = infer_signature(frame[columns], model.predict(frame[columns]))
        mlflow.sklearn.log_model(model, name="model", signature=signature, registered_model_name="bench-churn")
    dep = ml.deployments.create("bench-churn", version=1, override_reason="benchmark", timeout=180)
    assert dep.status == "ready", dep.reason
    return dep, columns


def online_lookups(ml: Any, repo: Path, requests: int) -> tuple[list[float], list[float]]:
    from feast import FeatureStore

    from maestro_jupyter.feature_demo import SERVICE

    dep, columns = deploy_churn_model(ml, repo)
    try:
        store = FeatureStore(repo_path=str(repo))
        ids = list(range(1001, 1201))
        rows = store.get_online_features(
            features=store.get_feature_service(SERVICE), entity_rows=[{"customer_id": i} for i in ids]
        ).to_df()
        full = {i: rows[rows["customer_id"] == i][columns].reset_index(drop=True) for i in ids}
        warm = 30
        for n in range(warm):  # first requests open MLflow's store, the FeatureStore, the version's plan
            k = ids[n % len(ids)]
            by_key = dep.predict(entities=[{"customer_id": k}]).predictions
            by_row = dep.predict(full[k]).predictions  # (the SDK writes a frame's floats with 10 digits)
            same = all(abs(a - b) <= 1e-8 * max(1.0, abs(b)) for a, b in zip(by_key, by_row, strict=True))
            assert same, f"customer {k}: the entity-keyed prediction {by_key} differs from the full row's {by_row}"
        keyed, plain = [], []
        for n in range(requests):  # interleaved: a busy moment costs both alike
            k = ids[n % len(ids)]
            start = time.perf_counter()
            dep.predict(full[k])
            plain.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            dep.predict(entities=[{"customer_id": k}])
            keyed.append((time.perf_counter() - start) * 1000)
        return keyed, plain
    finally:
        dep.delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="entity rows of the training set")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--snapshots", type=int, default=10, help="feature rows per customer and view (one a day)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--skip-training-set", action="store_true")
    parser.add_argument("--skip-online", action="store_true")
    args = parser.parse_args()

    from maestro_jupyter import MaestroClient
    from maestro_jupyter.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="maestro-bench-features-"))
    try:
        home = tmp / "home"
        if not args.skip_training_set:
            print(
                f"1. Training set: {args.rows:,} entity rows x {2 * FEATURES_PER_VIEW} features "
                f"({args.customers:,} customers x {args.snapshots} snapshots per view), best of {args.repeat}"
            )
            wide = tmp / "wide_repo"
            refs = wide_repo(wide, args.customers, args.snapshots)
            entity_df = entity_frame(args.rows, args.customers, args.snapshots)
            ml = MaestroClient(Settings.from_env({"MAESTRO_FEAST_REPO": str(wide)}, home=str(home)))
            maestro, feast = training_sets(ml, wide, refs, entity_df, args.repeat)
            ratio = min(maestro) / min(feast)
            print(f"  {'':<40} {'best':>9} {'median':>9}")
            for label, values in (
                ("Maestro ml.features.training_set", maestro),
                ("Feast get_historical_features().to_df()", feast),
            ):
                print(f"  {label:<40} {min(values):>8.2f}s {statistics.median(values):>8.2f}s")
            verdict = "met" if ratio < 1.1 else "NOT met"
            medians = statistics.median(maestro) / statistics.median(feast)
            print(
                f"  ratio Maestro / Feast: best {ratio:.3f}, medians {medians:.3f}  (goal < 1.1 on the best: {verdict})"
            )
            del entity_df, ml
            gc.collect()
        if not args.skip_online:
            print(f"2. Online lookup of one entity through a deployment: {args.requests:,} requests each, interleaved")
            demo_repo = tmp / "demo_repo"
            ml = MaestroClient(Settings.from_env({"MAESTRO_FEAST_REPO": str(demo_repo)}, home=str(home)))
            keyed, plain = online_lookups(ml, demo_repo, args.requests)
            print(f"  {'':<34} {'p50':>8} {'p95':>8} {'p99':>8}")
            for label, values in (("full feature row (dataframe_split)", plain), ("entity key only", keyed)):
                p50, p95, p99 = (percentile(values, q) for q in (50, 95, 99))
                print(f"  {label:<34} {p50:>6.2f}ms {p95:>6.2f}ms {p99:>6.2f}ms")
            added = percentile(keyed, 95) - percentile(plain, 95)
            verdict = "met" if added < 20 else "NOT met"
            print(f"  added by the lookup at p95: {added:.2f} ms  (goal < 20 ms: {verdict})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
