"""One real Feast repo for the tests: the demo churn repo, seeded (applied + materialized) once per session.

``tests/conftest.py`` exposes it as the session fixture ``feast_repo`` (a ``FeatureDemo``) and, per test, as
``feast_settings`` (the ``settings`` fixture pointed at it). The shared repo is read-only for tests: one that changes
the registry (saves a feature service, applies a view) or the online store works on its own copy,
``copy_feature_repo(feast_repo, tmp_path / "repo")`` (fast: no Feast import or materialization), or seeds its own,
``seed_feature_repo(tmp_path / "repo", ...)`` (e.g. with another ``end``, to make online values stale).
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest

from maestro_jupyter.feature_demo import FeatureDemo, seed_feature_repo
from maestro_jupyter.settings import Settings

__all__ = [
    "FeatureDemo",
    "copy_feature_repo",
    "entity_frame",
    "feature_repo",
    "feature_settings",
    "open_store",
    "seed_feature_repo",
]


def feature_repo(tmp_path_factory: pytest.TempPathFactory) -> FeatureDemo:
    """Seed the demo repo where Maestro looks by default, ``MAESTRO_HOME/feature_repo`` of a fresh temp home."""
    home = tmp_path_factory.mktemp("feast-home")
    return seed_feature_repo(home / "feature_repo")


def copy_feature_repo(demo: FeatureDemo, dest: Path) -> FeatureDemo:
    """A private copy of a seeded repo (its registry and online store) at ``dest``, for a test that changes them.

    The copy's file sources still name the original's Parquet files (absolute paths in the registry): read them,
    never rewrite them."""
    shutil.copytree(demo.repo, dest)
    return dataclasses.replace(demo, repo=Path(dest), labels=Path(dest) / "data" / "labels.parquet")


def feature_settings(home: Path, demo: FeatureDemo, **overrides: Any) -> Settings:
    """Settings on ``home`` whose feature store is ``demo``'s repo."""
    return Settings.from_env({}, home=str(home), feast_repo=str(demo.repo), **overrides)


def entity_frame(demo: FeatureDemo, rows: int | None = None) -> Any:
    """The demo's labels (customer_id, event_timestamp, churned): the entity frame a training set starts from."""
    import pandas as pd

    frame = pd.read_parquet(demo.labels)
    return frame if rows is None else frame.head(rows).reset_index(drop=True)


def open_store(demo: FeatureDemo) -> Any:
    """Feast's own ``FeatureStore`` on the repo: what tests compare Maestro's answers with."""
    from feast import FeatureStore

    return FeatureStore(repo_path=str(demo.repo))
