"""A tiny Feast repository whose every value a test knows by heart: one entity, one view (``account``: ``balance``,
``tier``) over a Parquet file, TTL 10 days, applied (and, if asked, materialized) with Feast's own API.

Day ``n`` is ``DAY0 + n days``. The rows are chosen to probe point-in-time correctness:

- customer 1: balance 10 on day 1; 50 on day 5, corrected to 55 (same event time, created a day later); 90 on day 9;
  999 on day 8 at 01:00, a value that arrives *after* an entity row stamped day 8 00:00 and must not leak into it;
- customer 2: balance 20 on day 2, then nothing (on day 15 its last value is 13 days old: beyond the TTL);
- customer 3: nothing at all.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

DAY0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TTL = dt.timedelta(days=10)
VIEW = "account"


def day(n: float) -> dt.datetime:
    return DAY0 + dt.timedelta(days=n)


#: (customer_id, event day, created day, balance, tier)
ROWS = [
    (1, day(1), day(1), 10, "bronze"),
    (1, day(5), day(5), 50, "silver"),
    (1, day(5), day(6), 55, "silver"),
    (1, day(8) + dt.timedelta(hours=1), day(8) + dt.timedelta(hours=1), 999, "gold"),
    (1, day(9), day(9), 90, "gold"),
    (2, day(2), day(2), 20, "bronze"),
]


def build_tiny_repo(repo: Path, *, materialize_until: dt.datetime | None = None) -> Any:
    """Write, apply (and materialize up to ``materialize_until``) the tiny repo; returns Feast's FeatureStore."""
    import pandas as pd
    from feast import Entity, FeatureService, FeatureStore, FeatureView, Field, FileSource, ValueType
    from feast.types import Int64, String

    (repo / "data").mkdir(parents=True, exist_ok=True)
    (repo / "feature_store.yaml").write_text(
        "project: tiny\nregistry: data/registry.db\nprovider: local\n"
        "online_store:\n  type: sqlite\n  path: data/online_store.db\nentity_key_serialization_version: 3\n"
    )
    frame = pd.DataFrame(ROWS, columns=["customer_id", "event_timestamp", "created", "balance", "tier"])
    frame.to_parquet(repo / "data" / "account.parquet", index=False)
    customer = Entity(name="customer", join_keys=["customer_id"], value_type=ValueType.INT64)
    source = FileSource(
        name="account_source",
        path=str((repo / "data" / "account.parquet").resolve()),
        timestamp_field="event_timestamp",
        created_timestamp_column="created",
    )
    view = FeatureView(
        name=VIEW,
        entities=[customer],
        ttl=TTL,
        schema=[Field(name="balance", dtype=Int64), Field(name="tier", dtype=String)],
        source=source,
        owner="tests@example.com",
        description="Balances, with a correction and a late value planted.",
        tags={"kind": "planted"},
    )
    service = FeatureService(name="balances", features=[view[["balance"]]])
    store = FeatureStore(repo_path=str(repo))
    store.apply([customer, source, view, service])
    if materialize_until is not None:
        store.materialize(day(0), materialize_until)
    return store
