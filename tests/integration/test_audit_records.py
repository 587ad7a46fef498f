"""Gate overrides and card approvals are audit records in the Maestro DB: one row each, inserted on its own, so that
concurrent overrides keep every record (they were a JSON list in a version tag, read, appended to and written back:
50 concurrent overrides kept 13, 8 and 15 of 50), on SQLite and on PostgreSQL; the test overview shows them."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from maestro_jupyter import MaestroClient
from maestro_jupyter import tagkeys as tk
from maestro_jupyter.backends.store import schema
from maestro_jupyter.backends.store.audit import CARD_APPROVAL, CARD_REOPEN, GATE_OVERRIDE
from maestro_jupyter.contract.base import laptop_actor
from maestro_jupyter.contract.tests import GetTestOverview
from maestro_jupyter.errors import PermissionDenied
from maestro_jupyter.settings import Settings
from tests.sdk_helpers import WRITTEN, services_of

WRITERS = 50
MODEL = "iris-classifier"
CARDED = "breast-cancer-classifier"


@pytest.fixture
def settings(maestro_home: Path, db_url: str) -> Settings:
    """An admin's Maestro (the settings' own user is its admin) on the test's Maestro DB."""
    return Settings.from_env({}, home=str(maestro_home), db_url=db_url, user="boss", project="churn")


def _audit_rows(url: str) -> list[dict[str, object]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(schema.audit.select().order_by(schema.audit.c.id)).mappings()]
    finally:
        engine.dispose()


def test_fifty_concurrent_gate_overrides_keep_fifty_records(settings: Settings, db_url: str) -> None:
    first = MaestroClient(settings)
    registry = services_of(first).mlflow
    registry.set_version_tag(MODEL, "1", tk.TESTS_VERDICT, "failed")
    registry.set_version_tag(MODEL, "1", tk.TESTS_FAILED, "accuracy")
    services_of(first).store  # noqa: B018 - migrate first, so the writers race on the records, not the schema
    # Each writer has a client of its own (its own services, MLflow client and gate), as each request or replica
    # would; all start at once.
    clients = [MaestroClient(settings) for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def override(n: int) -> None:
        try:
            start.wait()
            clients[n].models.set_alias(MODEL, "champion", 1, override_reason=f"release {n}")
        except BaseException as exc:  # the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=override, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors[:3]

    # What the sidebar's tests view shows: every override, each once.
    actor = laptop_actor(settings)
    shown = services_of(first).execute(GetTestOverview(name=MODEL, version="1"), actor).overrides
    assert sorted(o.reason for o in shown) == sorted(f"release {n}" for n in range(WRITERS))
    assert {(o.by, o.action, o.verdict, tuple(o.failed_checks)) for o in shown} == {
        ("boss", "alias 'champion'", "failed", ("accuracy",))
    }
    # The record is the Maestro DB's: one row per override, not a tag on the version.
    rows = _audit_rows(db_url)
    assert len(rows) == WRITERS
    assert {(r["kind"], r["model"], r["version"], r["alias"], r["actor"]) for r in rows} == {
        (GATE_OVERRIDE, MODEL, "1", "champion", "boss")
    }
    assert tk.GATE_OVERRIDES not in registry.get_version(MODEL, "1").tags


def test_a_refused_override_records_nothing(maestro_home: Path, db_url: str) -> None:
    member = MaestroClient(Settings.from_env({}, home=str(maestro_home), db_url=db_url, user="ana", admins=("boss",)))
    services_of(member).mlflow.set_version_tag(MODEL, "1", tk.TESTS_VERDICT, "failed")
    services_of(member).store  # noqa: B018 - the audit table exists: it stays empty
    with pytest.raises(PermissionDenied, match="Only an admin may override the gate"):
        member.models.set_alias(MODEL, "champion", 1, override_reason="trust me")
    assert _audit_rows(db_url) == []


def test_overrides_an_older_maestro_kept_in_a_tag_still_show_before_the_new(settings: Settings) -> None:
    ml = MaestroClient(settings)
    services = services_of(ml)
    legacy = [{"by": "carol", "at": "2025-01-02T03:04:05+00:00", "reason": "hotfix", "action": "alias 'champion'"}]
    services.mlflow.set_version_tag(MODEL, "1", tk.GATE_OVERRIDES, json.dumps(legacy))
    services.mlflow.set_version_tag(MODEL, "1", tk.TESTS_VERDICT, "failed")
    ml.models.set_alias(MODEL, "production", 1, override_reason="audit day")
    shown = services.gate.overrides(MODEL, "1")
    assert [(o.by, o.reason) for o in shown] == [("carol", "hotfix"), ("boss", "audit day")]


def test_card_approvals_and_withdrawals_are_recorded(settings: Settings, db_url: str) -> None:
    ml = MaestroClient(settings)
    ml.cards.update(CARDED, version=1, **WRITTEN)
    ml.cards.approve(CARDED, version=1, comment="Reviewed with the risk team")
    ml.cards.update(CARDED, version=1, limitations="Also: not for children.")  # an edit withdraws the approval
    ml.cards.approve(CARDED, version=1)
    ml.cards.reopen(CARDED, version=1)
    ml.cards.reopen(CARDED, version=1)  # a draft has no approval to withdraw: nothing to record

    rows = _audit_rows(db_url)
    assert [(r["kind"], r["version"], r["actor"], r["reason"]) for r in rows] == [
        (CARD_APPROVAL, "1", "boss", "Reviewed with the risk team"),
        (CARD_REOPEN, "1", "boss", ""),
        (CARD_APPROVAL, "1", "boss", ""),
        (CARD_REOPEN, "1", "boss", ""),
    ]
    assert [r["details"].get("sections_changed") for r in rows if r["kind"] == CARD_REOPEN] == [True, False]
    fingerprint = json.loads(ml.models.get(CARDED, version=1).tags.get(tk.CARD_APPROVED_FINGERPRINT) or "{}")
    assert rows[2]["details"]["fingerprint"] == fingerprint  # what the approval saw
    events = services_of(ml).store.audit.events(CARDED, "1", kinds=[CARD_APPROVAL])
    assert [e.reason for e in events] == ["Reviewed with the risk team", ""]
