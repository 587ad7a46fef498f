"""Costs on the embedded default: real jobs measured and priced into the ledger, concurrent writers, exact windows,
budgets refusing work before anything starts, and alerts that fire once per threshold (to a real webhook)."""

from __future__ import annotations

import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

from maestro_jupyter import MaestroClient
from maestro_jupyter import tagkeys as tk
from maestro_jupyter.backends.store import schema
from maestro_jupyter.backends.store.ledger import DAY_S, Ledger, Totals
from maestro_jupyter.errors import BudgetExceeded, InvalidParameter, PermissionDenied
from maestro_jupyter.settings import Settings
from tests.compute_helpers import poll, stop_everything, write_script
from tests.cost_helpers import usage_row
from tests.sdk_helpers import services_of

#: A CPU-bound job that registers what it trained, so its cost must reach the version.
BURN_AND_REGISTER = """
import mlflow, mlflow.sklearn
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
total = sum(i * i for i in range(4_000_000))
X, y = load_iris(return_X_y=True)
with mlflow.start_run():
    model = LogisticRegression(max_iter=300).fit(X, y)
    mlflow.sklearn.log_model(model, name="model", registered_model_name="costed", pip_requirements=["scikit-learn"])
print(total)
"""


@pytest.fixture
def priced(maestro_home: Path, db_url: str):
    """A client with easy rates: a CPU-second is a cent, a GiB-second a tenth of a cent."""
    settings = Settings.from_env(
        {},
        home=str(maestro_home),
        db_url=db_url,
        user="alice",
        project="churn",
        price_cpu_hour=36.0,
        price_gb_hour=3.6,
        gate_deployments=False,
        webhook_allow_hosts=("127.0.0.1",),  # the tests' webhook receivers listen on the loopback
    )
    client = MaestroClient(settings)
    yield client
    stop_everything(client)


def test_a_finished_job_is_priced_once_from_what_it_measured(priced, tmp_path):
    script = write_script(tmp_path, "burn.py", BURN_AND_REGISTER)
    job = priced.training.submit(script=str(script), cpus=1)
    assert job.estimate is not None
    # 1 CPU-hour at $36 plus 1 GiB-hour at $3.60 (the defaults: no earlier runs, nothing requested but the CPU)
    assert job.estimate.message == "about $39.60 per run; no budget applies"
    done = job.wait(timeout=120)
    assert done.status == "succeeded", done.logs()

    ledger = services_of(priced).store.ledger
    rows = ledger.rows("job", done.id)
    assert len(rows) == 1
    (entry,) = rows
    assert entry["measured_by"] == "rusage"
    assert entry["cpu_seconds"] == pytest.approx(done.cpu_seconds)
    assert entry["cpu_seconds"] > 0.3  # the loop alone burns that much
    assert entry["memory_gb_seconds"] == pytest.approx(done.memory_gb_seconds)
    assert 0 < entry["memory_gb_seconds"] < (done.peak_memory_mb / 1024) * done.duration_seconds * 1.05
    expected = round((entry["cpu_seconds"] * 36.0 + entry["memory_gb_seconds"] * 3.6) / 3600 * 1_000_000)
    assert entry["cost_micros"] == expected
    assert entry["rates"] == {"cpu_hour": 36.0, "gb_hour": 3.6, "gpu_hour": 0.5, "gpu_type": None, "currency": "USD"}
    assert (entry["user"], entry["project"], entry["model"], entry["version"]) == ("alice", "churn", "costed", "1")
    assert done.cost == pytest.approx(expected / 1_000_000)

    # Settling again writes nothing, and the summary sees the one row.
    assert priced.costs.settle() == 0
    summary = priced.costs.summary(by="model", window="1d")
    assert [(g.key, g.cost, g.records) for g in summary.groups] == [("costed", done.cost, 1)]

    # The cost reached the run and the version registered from it (cards and the compare view read it there).
    version = priced.models.get("costed", version=1)
    assert float(version.tags[tk.COST_TRAIN]) == pytest.approx(done.cost)
    assert float(version.tags[tk.COST_TRAIN_METRIC]) == pytest.approx(done.cost)
    assert json.loads(version.tags[tk.COST_RATES])["cpu_hour"] == 36.0
    comparison = priced.models.compare("costed", metrics=["cost_to_train"])
    assert comparison.versions[0].metrics["cost_to_train"] == pytest.approx(done.cost)


def test_fifty_concurrent_writers_lose_nothing(maestro_home, db_url):
    url = db_url
    settings = Settings.from_env({}, home=str(maestro_home), db_url=url)
    services_of(MaestroClient(settings)).store  # noqa: B018 - migrate first
    # A writer waits up to a minute for SQLite's file lock; PostgreSQL locks rows, not the database.
    connect_args = {"timeout": 60} if url.startswith("sqlite") else {}
    now = time.time()
    errors: list[BaseException] = []
    start = threading.Barrier(50)

    def writer(n: int) -> None:
        # Each writer has its own engine (its own connections), as separate processes would.
        engine = sa.create_engine(url, connect_args=connect_args)
        try:
            ledger = Ledger(engine)
            start.wait()
            for i in range(20):
                ledger.record(usage_row(f"job-{n}-{i}", 1_000 + n, end=now - i, user=f"user{n % 5}"))
        except BaseException as exc:  # the assertion below reports it
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    ledger = Ledger(sa.create_engine(url))
    assert ledger.engine.dialect.name == url.split(":")[0].split("+")[0]
    assert ledger.count() == 1000
    grouped = ledger.grouped("user", now - DAY_S, now + 1)
    assert grouped.total.records == 1000
    assert grouped.total.cost_micros == sum((1_000 + n) * 20 for n in range(50))
    with ledger.engine.connect() as conn:
        daily = conn.execute(sa.select(sa.func.sum(schema.usage_daily.c.records))).scalar_one()
    assert daily == 1000  # the daily sums agree with the ledger: no upsert lost an increment


def test_windows_are_exact_at_day_edges(maestro_home, db_url):
    ledger = services_of(MaestroClient(Settings.from_env({}, home=str(maestro_home), db_url=db_url))).store.ledger
    rng = random.Random(8)
    now = time.time()
    rows = []
    for i in range(600):
        end = now - rng.uniform(0, 40 * DAY_S)
        rows.append(
            usage_row(f"job-{i}", rng.randint(1, 50_000), end=end, user=rng.choice("abc"), model=rng.choice(["", "m"]))
        )
        ledger.record(rows[-1])
    for since in (now - 30 * DAY_S, now - 7.5 * DAY_S, now - 3600, (now // DAY_S - 3) * DAY_S):
        grouped = ledger.grouped("user", since, now + 1)
        for user in "abc":
            expected = sum(r.cost_micros for r in rows if r.user == user and since <= r.period_end < now + 1)
            assert grouped.groups.get(user, Totals()).cost_micros == expected
    by_version = ledger.grouped("version", now - 50 * DAY_S, now + 1)
    assert set(by_version.groups) == {"", "m/"}


def test_summaries_in_days_cover_whole_utc_days_and_in_hours_roll(maestro_home, db_url):
    client = MaestroClient(Settings.from_env({}, home=str(maestro_home), db_url=db_url))
    ledger = services_of(client).store.ledger
    now = time.time()
    midnight = now // DAY_S * DAY_S
    ledger.record(usage_row("today", 1_000_000, end=midnight + 1))  # today, however early
    ledger.record(usage_row("first-day", 2_000_000, end=midnight - 6 * DAY_S + 1))  # the first of "7d"'s days
    ledger.record(usage_row("before", 4_000_000, end=midnight - 6 * DAY_S - 1))  # the day before it
    week = client.costs.summary(by="user", window="7d")
    assert week.since == midnight - 6 * DAY_S
    assert week.total == 3.0  # today and the 6 days before it, whole: not "before"
    assert client.costs.summary(by="user", window="1w").total == 3.0
    hours = client.costs.summary(by="user", window="1h")
    assert hours.since == pytest.approx(hours.until - 3600)
    assert hours.total == (1.0 if now - 3600 <= midnight + 1 else 0.0)


def test_a_hard_limit_refuses_a_job_and_a_deployment_before_anything_starts(priced, tmp_path):
    services = services_of(priced)
    services.store.ledger.record(usage_row("job-earlier", 9_000_000))  # $9 spent
    priced.budgets.set("project:churn", 10, hard_limit=True)
    script = write_script(tmp_path, "train.py", "print('never')\n")
    runs_before = _training_runs(priced)

    with pytest.raises(BudgetExceeded, match=r"project:churn has \$1.00 left of its \$10.00 monthly hard limit"):
        priced.training.submit(script=str(script), cpus=1)
    assert services.store.list_jobs() == []
    jobs_dir = Path(services.settings.home) / "jobs"
    assert not jobs_dir.exists() or not any(jobs_dir.iterdir())
    assert _training_runs(priced) == runs_before

    with pytest.raises(BudgetExceeded):
        priced.deployments.create("iris-classifier", version=1, name="refused")
    assert services.store.list_deployments() == []

    # A soft budget only warns: the estimate says so and the job runs.
    priced.budgets.set("project:churn", 10, hard_limit=False)
    job = priced.training.submit(script=str(script))
    assert job.estimate.allowed is True
    assert "left this month in project:churn" in job.estimate.message
    assert job.wait(timeout=60).status == "succeeded"


def _training_runs(client: MaestroClient) -> int:
    experiment = services_of(client).mlflow.client.get_experiment_by_name("maestro-training")
    if experiment is None:
        return 0
    return len(services_of(client).mlflow.client.search_runs([experiment.experiment_id]))


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook():
    _Hook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Hook.received
    server.shutdown()


def test_each_threshold_alerts_once_per_period_and_reaches_the_webhook(priced, webhook):
    url, received = webhook
    budgets, ledger = services_of(priced).budgets, services_of(priced).store.ledger
    priced.budgets.set("project:churn", 1.00, thresholds=[50, 80, 100], webhook=url)
    now = time.time()

    ledger.record(usage_row("job-a", 600_000, end=now - 3))  # 60%
    checkers = [threading.Thread(target=budgets.check, args=([("project", "churn")],)) for _ in range(10)]
    for t in checkers:
        t.start()
    for t in checkers:
        t.join()
    assert [a.threshold for a in priced.budgets.alerts()] == [50]

    ledger.record(usage_row("job-b", 450_000, end=now - 2))  # 105%: crosses 80 and 100 at once
    budgets.check([("project", "churn")])
    budgets.check([("project", "churn")])
    alerts = priced.budgets.alerts()
    assert [a.threshold for a in alerts] == [100, 80, 50]
    assert alerts[0].message == "project churn has spent $1.05 of its $1.00 monthly budget (100% alert)"

    poll(lambda: len(received) == 3, "three webhook deliveries")
    assert sorted(r["alert"]["threshold"] for r in received) == [50, 80, 100]
    assert all(r["text"].startswith("project churn has spent") for r in received)
    poll(lambda: all(a.delivery == "sent" for a in priced.budgets.alerts()), "deliveries recorded as sent")
    assert [a.threshold for a in priced.budgets.alerts(after=alerts[1].id)] == [100]


def test_a_failed_webhook_is_recorded_on_the_alert(priced):
    priced.budgets.set("user:alice", 0.01, thresholds=[100], webhook="http://127.0.0.1:9/nothing-listens")
    services_of(priced).store.ledger.record(usage_row("job-c", 20_000))
    services_of(priced).budgets.check([("user", "alice")])
    alert = poll(lambda: [a for a in priced.budgets.alerts() if a.delivery.startswith("failed")], "a failed delivery")
    assert "refused" in alert[0].delivery.lower()


def test_only_admins_change_budgets_and_bad_budgets_are_refused(maestro_home, db_url):
    settings = Settings.from_env({}, home=str(maestro_home), db_url=db_url, user="bob", admins=("carol",))
    bob = MaestroClient(settings)
    with pytest.raises(PermissionDenied, match="Only an admin may change budgets"):
        bob.budgets.set("project:churn", 100)
    carol = MaestroClient(settings.with_overrides(user="carol"))
    carol.budgets.set("project:churn", 100, period="weekly")
    carol.budgets.set("user:dave", 5)
    assert [b.id for b in bob.budgets.list()] == ["project:churn"]  # not someone else's user budget
    assert bob.budgets.list().can_edit is False
    assert carol.budgets.get("project:churn").period == "weekly"
    for bad, message in (
        (("churn", 10), "scope:name"),
        (("team:churn", 10), "user or project"),
        (("project:churn", -1), "more than \\$0"),
        (("project:churn", 10, {"period": "daily"}), "monthly or weekly"),
        (("project:churn", 10, {"thresholds": [0]}), "from 1 to 1000"),
        (("project:churn", 10, {"webhook": "file:///etc/passwd"}), "http"),
    ):
        kwargs = bad[2] if len(bad) > 2 else {}
        with pytest.raises(InvalidParameter, match=message):
            carol.budgets.set(bad[0], bad[1], **kwargs)
    with pytest.raises(InvalidParameter, match="window"):
        carol.costs.summary(window="forever")
