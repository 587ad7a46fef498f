"""The demo feature repo: a generated churn dataset, its Feast definitions, and a seeder that applies and materializes.

``seed_feature_repo(repo)`` makes ``repo`` a working Feast repository (what ``make lab`` does under
``MAESTRO_HOME/feature_repo``, and what the tests share):

- ``feature_store.yaml`` (only when absent: a team's repo keeps its own): local provider, project ``maestro``, SQLite
  registry and online store under ``data/``, Parquet offline store;
- ``data/profile.parquet`` and ``data/activity.parquet``: customer profiles (a snapshot every 30 days) and daily
  activity, each row with an ``event_timestamp`` and a later ``created`` time; ``data/labels.parquet``: one churn
  label per customer, at a time in the second half of the window: the entity frame a training set starts from;
- ``features.py``: the definitions below written out as a readable Feast file, for people to read and edit;
- the definitions applied (entity ``customer``, batch views ``customer_profile`` and ``customer_activity``, on-demand
  view ``customer_ratios``, feature service ``churn_v1``) and materialized into the online store up to ``end``.

The label depends on the features as they were at the label's time (short contracts, many support tickets per
login, few logins churn), so a model trained on a point-in-time-correct training set learns something real.
Feast is imported only inside the functions that need it (``import feast`` takes seconds).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

PROJECT = "maestro"
ENTITY = "customer"
JOIN_KEY = "customer_id"
PROFILE_VIEW = "customer_profile"
ACTIVITY_VIEW = "customer_activity"
RATIOS_VIEW = "customer_ratios"
SERVICE = "churn_v1"
LABEL = "churned"
OWNER = "growth-team@example.com"
#: A profile is re-snapshotted every 30 days; activity is summarized daily. The TTLs leave a margin over both.
PROFILE_TTL = timedelta(days=45)
ACTIVITY_TTL = timedelta(days=2)
SNAPSHOT_EVERY_DAYS = 30

FEATURE_STORE_YAML = f"""\
# The demo feature repo Maestro seeded (maestro_jupyter.feature_demo). Everything is local: a SQLite registry and
# online store under data/, Parquet files as the offline store. A team points MAESTRO_FEAST_REPO at its own repo.
project: {PROJECT}
provider: local
registry: data/registry.db
online_store:
  type: sqlite
  path: data/online_store.db
offline_store:
  type: file
entity_key_serialization_version: 3
"""

FEATURES_PY = '''\
"""The demo churn features, as Maestro seeded them (maestro_jupyter.feature_demo.definitions).

Edit and apply with `feast apply` in this folder (or `python -m maestro_jupyter.demo` to seed again);
the data files are under data/.
"""

from datetime import timedelta
from pathlib import Path

import pandas as pd
from feast import Entity, FeatureService, FeatureView, Field, FileSource, ValueType
from feast.on_demand_feature_view import on_demand_feature_view
from feast.types import Float64, Int64, String

DATA = Path(__file__).resolve().parent / "data"
OWNER = "growth-team@example.com"

customer = Entity(
    name="customer",
    join_keys=["customer_id"],
    value_type=ValueType.INT64,
    description="A subscriber of the service.",
    owner=OWNER,
    tags={"team": "growth"},
)

profile_source = FileSource(
    name="customer_profile_source",
    path=str(DATA / "profile.parquet"),
    timestamp_field="event_timestamp",
    created_timestamp_column="created",
    description="Customer profile snapshots, one every 30 days.",
)

activity_source = FileSource(
    name="customer_activity_source",
    path=str(DATA / "activity.parquet"),
    timestamp_field="event_timestamp",
    created_timestamp_column="created",
    description="Daily usage summaries per customer.",
)

customer_profile = FeatureView(
    name="customer_profile",
    entities=[customer],
    ttl=timedelta(days=45),
    schema=[
        Field(name="plan", dtype=String, description="Subscription plan: basic, standard or premium."),
        Field(name="tenure_months", dtype=Int64, description="Months since the customer signed up."),
        Field(name="monthly_charges", dtype=Float64, description="What the customer pays a month, in dollars."),
        Field(name="contract_months", dtype=Int64, description="Contract length: 1, 12 or 24 months."),
    ],
    source=profile_source,
    online=True,
    description="Who the customer is and what they pay; snapshotted every 30 days.",
    owner=OWNER,
    tags={"team": "growth", "domain": "churn", "pii": "false"},
)

customer_activity = FeatureView(
    name="customer_activity",
    entities=[customer],
    ttl=timedelta(days=2),
    schema=[
        Field(name="logins_7d", dtype=Int64, description="Logins over the last 7 days."),
        Field(name="support_tickets_30d", dtype=Int64, description="Support tickets opened over the last 30 days."),
        Field(name="data_gb_7d", dtype=Float64, description="Data used over the last 7 days, in GB."),
    ],
    source=activity_source,
    online=True,
    description="How the customer uses the service, summarized daily.",
    owner=OWNER,
    tags={"team": "growth", "domain": "churn"},
)


@on_demand_feature_view(
    sources=[customer_profile[["monthly_charges"]], customer_activity],
    schema=[
        Field(name="tickets_per_login", dtype=Float64),
        Field(name="charges_per_gb", dtype=Float64),
    ],
    mode="pandas",
    # Feast's inference compares these fields with the ones it infers, which carry no descriptions.
    description="Ratios computed at request time: tickets_per_login (support tickets over 30 days per login "
    "over 7 days) and charges_per_gb (monthly charges per GB used over 7 days).",
    owner=OWNER,
    tags={"team": "growth", "domain": "churn"},
)
def customer_ratios(inputs: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame()
    out["tickets_per_login"] = inputs["support_tickets_30d"].astype("float64") / (inputs["logins_7d"] + 1)
    out["charges_per_gb"] = inputs["monthly_charges"].astype("float64") / (inputs["data_gb_7d"] + 1.0)
    return out


churn_v1 = FeatureService(
    name="churn_v1",
    features=[
        customer_profile[["tenure_months", "monthly_charges", "contract_months"]],
        customer_activity,
        customer_ratios,
    ],
    description="The numeric churn features: tenure, charges, contract, activity and their ratios.",
    owner=OWNER,
    tags={"team": "growth", "model": "churn"},
)
'''


@dataclass(frozen=True)
class FeatureDemo:
    """A seeded demo repo: where it is, what it defines, and what it holds."""

    repo: Path
    project: str
    entity: str
    join_key: str
    views: list[str]
    on_demand_views: list[str]
    service: str
    #: rows written per data file (``profile``, ``activity``, ``labels``)
    rows: dict[str, int]
    #: the entity frame to build a training set from: customer_id, event_timestamp, churned
    labels: Path
    #: the end of the data's window (and of the materialization)
    end: datetime
    service_features: list[str] = field(default_factory=list)

    @property
    def data_dir(self) -> Path:
        return self.repo / "data"


def churn_frames(
    customers: int = 200, days: int = 60, seed: int = 0, end: datetime | None = None
) -> dict[str, pd.DataFrame]:
    """The generated churn dataset: ``profile``, ``activity`` and ``labels`` frames (deterministic for a seed and
    ``end``; ``end`` defaults to now, rounded down to the hour).

    Timestamps are UTC. Activity rows fall once a day, the last one an hour before ``end``; profile snapshots every
    30 days from the window's start; each row's ``created`` is 5 to 120 minutes after its ``event_timestamp``.
    """
    import numpy as np
    import pandas as pd

    if customers < 1 or days < 2:
        raise ValueError("the demo needs at least one customer and two days")
    end = _utc(end) if end is not None else datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    rng = np.random.default_rng(seed)
    ids = np.arange(1001, 1001 + customers, dtype="int64")

    # Per customer: plan, contract, tenure at the window's start, and how engaged they are.
    plans = np.array(["basic", "standard", "premium"])
    plan_of = rng.choice(3, size=customers, p=[0.45, 0.35, 0.20])
    contract_of = rng.choice(np.array([1, 12, 24]), size=customers, p=[0.5, 0.3, 0.2])
    tenure0 = rng.integers(1, 72, size=customers)
    base_charges = np.array([29.0, 59.0, 99.0])[plan_of] + rng.normal(0, 6, size=customers).round(2)
    engagement = rng.gamma(2.0, 5.0, size=customers)  # mean weekly logins
    trouble = rng.gamma(1.2, 1.0, size=customers)  # mean monthly support tickets
    usage = rng.gamma(2.0, 3.0, size=customers)  # GB a week
    drift = rng.normal(0, 0.01, size=customers)  # engagement drifts up or down over the window

    snapshots = [k for k in range(days // SNAPSHOT_EVERY_DAYS + 1) if k * SNAPSHOT_EVERY_DAYS < days]
    profile_rows = []
    for k in snapshots:
        at = start + timedelta(days=k * SNAPSHOT_EVERY_DAYS, hours=1)
        profile_rows.append(
            pd.DataFrame(
                {
                    JOIN_KEY: ids,
                    "event_timestamp": at,
                    "plan": plans[plan_of],
                    "tenure_months": (tenure0 + k).astype("int64"),
                    # Prices go up a little at each snapshot.
                    "monthly_charges": (base_charges * (1 + 0.02 * k)).round(2),
                    "contract_months": contract_of.astype("int64"),
                }
            )
        )
    profile = pd.concat(profile_rows, ignore_index=True)

    day_index = np.arange(days)
    at_days = [start + timedelta(days=int(d) + 1, hours=-1) for d in day_index]
    trend = np.clip(1 + np.outer(drift, day_index), 0.1, None)  # customers x days
    logins = rng.poisson(engagement[:, None] * trend)
    tickets = rng.poisson(trouble[:, None] / np.sqrt(trend))
    data_gb = (rng.gamma(4.0, 1.0, size=(customers, days)) * usage[:, None] / 4.0 * trend).round(2)
    activity = pd.DataFrame(
        {
            JOIN_KEY: np.repeat(ids, days),
            "event_timestamp": np.tile(pd.DatetimeIndex(at_days), customers),
            "logins_7d": logins.ravel().astype("int64"),
            "support_tickets_30d": tickets.ravel().astype("int64"),
            "data_gb_7d": data_gb.ravel(),
        }
    )

    # One label per customer, at a time in the window's second half; it depends on the features as of that time.
    half = days * 24 // 2
    label_hours = rng.integers(half, days * 24 - 1, size=customers)
    label_at = pd.to_datetime([start + timedelta(hours=int(h), minutes=30) for h in label_hours], utc=True)
    day_of_label = np.array([(t - start).total_seconds() // 86400 for t in label_at], dtype=int)
    # The last activity row at or before the label: day d's row is at start + d + 1 days - 1 hour.
    seen_day = np.where(
        label_at >= pd.to_datetime([at_days[d] for d in day_of_label], utc=True), day_of_label, day_of_label - 1
    )
    rows = np.arange(customers)
    logins_then = logins[rows, seen_day]
    tickets_then = tickets[rows, seen_day]
    snapshot_then = np.minimum(day_of_label // SNAPSHOT_EVERY_DAYS, len(snapshots) - 1)
    tenure_then = tenure0 + snapshot_then
    tickets_per_login = tickets_then / (logins_then + 1)
    logit = (
        -0.2
        + 1.6 * (contract_of == 1)
        - 0.6 * (contract_of == 24)
        - 0.035 * tenure_then
        + 2.2 * tickets_per_login
        - 0.08 * logins_then
        + 0.012 * (base_charges - 60)
    )
    churned = (rng.random(customers) < 1 / (1 + np.exp(-2.0 * logit))).astype("int64")
    labels = pd.DataFrame({JOIN_KEY: ids, "event_timestamp": label_at, LABEL: churned})

    # The time a row reached the source: a few minutes to two hours after the event.
    for frame in (profile, activity):
        frame["event_timestamp"] = pd.to_datetime(frame["event_timestamp"], utc=True).astype("datetime64[ns, UTC]")
        frame["created"] = frame["event_timestamp"] + pd.to_timedelta(rng.integers(5, 121, size=len(frame)), "m")
    labels["event_timestamp"] = labels["event_timestamp"].astype("datetime64[ns, UTC]")
    return {"profile": profile, "activity": activity, "labels": labels}


def definitions(data_dir: Path) -> list[Any]:
    """The demo's Feast objects over the Parquet files in ``data_dir``: entity ``customer``, two file sources, the
    batch views ``customer_profile`` and ``customer_activity``, the on-demand view ``customer_ratios`` (pandas) and
    the feature service ``churn_v1`` (its numeric features, for a model)."""
    from feast import Entity, FeatureService, FeatureView, Field, FileSource, ValueType
    from feast.on_demand_feature_view import on_demand_feature_view
    from feast.types import Float64, Int64, String

    data_dir = Path(data_dir).resolve()
    customer = Entity(
        name=ENTITY,
        join_keys=[JOIN_KEY],
        value_type=ValueType.INT64,
        description="A subscriber of the service.",
        owner=OWNER,
        tags={"team": "growth"},
    )
    profile_source = FileSource(
        name="customer_profile_source",
        path=str(data_dir / "profile.parquet"),
        timestamp_field="event_timestamp",
        created_timestamp_column="created",
        description="Customer profile snapshots, one every 30 days.",
    )
    activity_source = FileSource(
        name="customer_activity_source",
        path=str(data_dir / "activity.parquet"),
        timestamp_field="event_timestamp",
        created_timestamp_column="created",
        description="Daily usage summaries per customer.",
    )
    customer_profile = FeatureView(
        name=PROFILE_VIEW,
        entities=[customer],
        ttl=PROFILE_TTL,
        schema=[
            Field(name="plan", dtype=String, description="Subscription plan: basic, standard or premium."),
            Field(name="tenure_months", dtype=Int64, description="Months since the customer signed up."),
            Field(name="monthly_charges", dtype=Float64, description="What the customer pays a month, in dollars."),
            Field(name="contract_months", dtype=Int64, description="Contract length: 1, 12 or 24 months."),
        ],
        source=profile_source,
        online=True,
        description="Who the customer is and what they pay; snapshotted every 30 days.",
        owner=OWNER,
        tags={"team": "growth", "domain": "churn", "pii": "false"},
    )
    customer_activity = FeatureView(
        name=ACTIVITY_VIEW,
        entities=[customer],
        ttl=ACTIVITY_TTL,
        schema=[
            Field(name="logins_7d", dtype=Int64, description="Logins over the last 7 days."),
            Field(name="support_tickets_30d", dtype=Int64, description="Support tickets opened over the last 30 days."),
            Field(name="data_gb_7d", dtype=Float64, description="Data used over the last 7 days, in GB."),
        ],
        source=activity_source,
        online=True,
        description="How the customer uses the service, summarized daily.",
        owner=OWNER,
        tags={"team": "growth", "domain": "churn"},
    )

    # Defined here, not at module level: Feast's decorator rewrites the function's module to __main__ so that dill
    # ships its code by value (a reader of the registry needs no copy of this module); pandas is imported inside it
    # for the same reason.
    # No annotations: Feast checks the return type with get_type_hints, which cannot resolve them in this module.
    def customer_ratios(inputs):  # type: ignore[no-untyped-def]
        import pandas as pd

        out = pd.DataFrame()
        out["tickets_per_login"] = inputs["support_tickets_30d"].astype("float64") / (inputs["logins_7d"] + 1)
        out["charges_per_gb"] = inputs["monthly_charges"].astype("float64") / (inputs["data_gb_7d"] + 1.0)
        return out

    ratios = on_demand_feature_view(
        name=RATIOS_VIEW,
        # Projections, not whole views: a training set with this view then holds no input it did not ask for.
        sources=[customer_profile[["monthly_charges"]], customer_activity],
        schema=[
            Field(name="tickets_per_login", dtype=Float64),
            Field(name="charges_per_gb", dtype=Float64),
        ],
        mode="pandas",
        # Feast's inference compares these fields with the ones it infers, which carry no descriptions.
        description="Ratios computed at request time: tickets_per_login (support tickets over 30 days per login "
        "over 7 days) and charges_per_gb (monthly charges per GB used over 7 days).",
        owner=OWNER,
        tags={"team": "growth", "domain": "churn"},
    )(customer_ratios)
    churn_v1 = FeatureService(
        name=SERVICE,
        features=[
            customer_profile[["tenure_months", "monthly_charges", "contract_months"]],
            customer_activity,
            ratios,
        ],
        description="The numeric churn features: tenure, charges, contract, activity and their ratios.",
        owner=OWNER,
        tags={"team": "growth", "model": "churn"},
    )
    return [customer, profile_source, activity_source, customer_profile, customer_activity, ratios, churn_v1]


def service_features() -> list[str]:
    """The ``view:feature`` references of ``churn_v1``, in its order."""
    return [
        f"{PROFILE_VIEW}:tenure_months",
        f"{PROFILE_VIEW}:monthly_charges",
        f"{PROFILE_VIEW}:contract_months",
        f"{ACTIVITY_VIEW}:logins_7d",
        f"{ACTIVITY_VIEW}:support_tickets_30d",
        f"{ACTIVITY_VIEW}:data_gb_7d",
        f"{RATIOS_VIEW}:tickets_per_login",
        f"{RATIOS_VIEW}:charges_per_gb",
    ]


def seed_feature_repo(
    repo: Path,
    *,
    customers: int = 200,
    days: int = 60,
    seed: int = 0,
    end: datetime | None = None,
) -> FeatureDemo:
    """Write, apply and materialize the demo feature repo in ``repo`` (see the module's docstring); returns what it
    holds. Seeding again rewrites the data for the new ``end``, re-applies the same objects (Feast upserts them: no
    duplicates) and materializes again, so a repo seeded days ago is fresh again. An existing ``feature_store.yaml``
    or ``features.py`` is kept."""
    from feast import FeatureStore

    repo = Path(repo)
    data_dir = repo / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    if not (repo / "feature_store.yaml").exists():
        (repo / "feature_store.yaml").write_text(FEATURE_STORE_YAML)
    if not (repo / "features.py").exists():
        (repo / "features.py").write_text(FEATURES_PY)
    frames = churn_frames(customers=customers, days=days, seed=seed, end=end)
    for name, frame in frames.items():
        # Written to a temporary name first: a reader never sees half a file.
        partial = data_dir / f".{name}.parquet.partial"
        frame.to_parquet(partial, index=False)
        partial.replace(data_dir / f"{name}.parquet")
    end_at = _window_end(frames)
    store = FeatureStore(repo_path=str(repo))
    # Feast prints coloured progress and warns that on-demand views are experimental: a seeder reports for itself.
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore", RuntimeWarning)
        store.apply(definitions(data_dir))
        store.materialize(end_at - timedelta(days=days + 1), end_at, feature_views=[PROFILE_VIEW, ACTIVITY_VIEW])
    return FeatureDemo(
        repo=repo,
        project=store.project,
        entity=ENTITY,
        join_key=JOIN_KEY,
        views=[PROFILE_VIEW, ACTIVITY_VIEW],
        on_demand_views=[RATIOS_VIEW],
        service=SERVICE,
        rows={name: len(frame) for name, frame in frames.items()},
        labels=data_dir / "labels.parquet",
        end=end_at,
        service_features=service_features(),
    )


def _window_end(frames: dict[str, pd.DataFrame]) -> datetime:
    """The end of the data's window: an hour after the last activity row (see ``churn_frames``)."""
    last = frames["activity"]["event_timestamp"].max().to_pydatetime()
    return _utc(last + timedelta(hours=1))


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
