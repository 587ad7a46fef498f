"""The registry tag keys Maestro reads and writes, in one place, so that every feature agrees on them.

Model cards, model tests and cost tracking each keep their state on the model version as tags (visible in the
MLflow UI, copied with the registry, readable by any MLflow client).
"""

from __future__ import annotations

#: Numeric version tags under this prefix are metrics of the version (tests and costs write them).
METRIC_PREFIX = "maestro.metric."

# --- model cards -----------------------------------------------------------------------------------------------
#: Every card tag starts with this; a card's human sections are ``maestro.card.section.FIELD``.
CARD_PREFIX = "maestro.card."
CARD_SECTION_PREFIX = "maestro.card.section."
CARD_STATUS = "maestro.card.status"
CARD_APPROVED_BY = "maestro.card.approved_by"
CARD_APPROVED_AT = "maestro.card.approved_at"
CARD_APPROVAL_COMMENT = "maestro.card.approval_comment"
#: JSON {fact group: digest} of the facts the approval saw; a changed fact makes the card stale.
CARD_APPROVED_FINGERPRINT = "maestro.card.approved_fingerprint"
CARD_UPDATED_BY = "maestro.card.updated_by"
CARD_UPDATED_AT = "maestro.card.updated_at"
CARD_COMPLETENESS = "maestro.card.completeness"
CARD_GENERATED_AT = "maestro.card.generated_at"
CARD_ARTIFACT_URI = "maestro.card.artifact_uri"
#: The run holding a card's files when the version has no source run of its own.
CARD_RUN_ID = "maestro.card.run_id"

# --- model tests (written by the model-testing feature) ---------------------------------------------------------
TESTS_VERDICT = "maestro.tests.verdict"
TESTS_RAN_AT = "maestro.tests.ran_at"
#: Artifact path, relative to the run ``TESTS_RUN_ID`` (else the source run), of the latest JSON test report:
#: {"verdict", "ran_at", "checks": [...]}.
TESTS_REPORT = "maestro.tests.report"
#: The MLflow run (experiment ``maestro-model-tests``) that recorded the latest test report.
TESTS_RUN_ID = "maestro.tests.run_id"
#: Comma-separated names of the checks that failed in the latest run (so the gate can name them cheaply).
TESTS_FAILED = "maestro.tests.failed"
#: Model tags: a whole test policy (YAML or JSON), and single thresholds ``maestro.tests.threshold.METRIC``.
TESTS_POLICY = "maestro.tests.policy"
TESTS_THRESHOLD_PREFIX = "maestro.tests.threshold."
#: Run tags of a recorded test run: which model version it tested.
TESTS_MODEL = "maestro.tests.model"
TESTS_VERSION = "maestro.tests.version"
TESTS_RAN_BY = "maestro.tests.ran_by"

# --- the promotion gate -----------------------------------------------------------------------------------------
#: Version tag: JSON list of the overrides of a failed or missing test verdict, oldest first, as Maestro recorded them
#: before its audit trail (the Maestro DB's ``maestro_audit``, one row per override); read still, never written.
GATE_OVERRIDES = "maestro.gate.overrides"

# --- cost and hardware (written by the training and cost features) ----------------------------------------------
COST_TRAIN = "maestro.cost.train"
COST_CURRENCY = "maestro.cost.currency"
COST_RATES = "maestro.cost.rates"
#: The same amount as a version metric, so the compare view charts cost-to-train beside accuracy.
COST_TRAIN_METRIC = METRIC_PREFIX + "cost_to_train"
#: Run tag: what the job that ran it cost.
COST_RUN = "maestro.cost.run"
#: Run tag: the Maestro training job that ran the run (``job-…``; set when the job is submitted).
JOB_ID = "maestro.job.id"
#: Run tags ``maestro.hardware.KEY`` (cpus, memory, gpus, gpu_type, node...) describe where training ran.
HARDWARE_PREFIX = "maestro.hardware."

# --- feature store lineage (written when a run trains on features from the Feast store) -------------------------
#: Run tag: the Feast feature service a run's training set came from.
FEATURE_SERVICE = "maestro.features.service"
#: Run tag: comma-separated names of the feature views in that training set.
FEATURE_VIEWS = "maestro.features.views"
#: Run tag: comma-separated ``view:feature`` references of a training set built from a feature list (no service).
FEATURE_REFS = "maestro.features.refs"
#: Run tag: the Feast registry's version id when the training set was built.
FEATURE_REGISTRY_VERSION = "maestro.features.registry_version"
#: Run tag: the Feast project.
FEATURE_PROJECT = "maestro.features.project"

#: The training-data profile ``%maestro profile --log`` attaches to a run.
PROFILE_SUMMARY_ARTIFACT = "maestro/profile/summary.json"


#: On a team, the member who registered a model through Maestro first: they (and admins) change it through Maestro.
MODEL_OWNER = "maestro.owner"


def is_reserved(key: str) -> bool:
    """Tags only Maestro writes: its state and a model's owner. Members may not set or delete them as tags."""
    return is_maestro_state(key) or key == MODEL_OWNER


def is_maestro_state(key: str) -> bool:
    """Tags Maestro keeps its own state in (not facts about the model)."""
    return key.startswith((CARD_PREFIX, "maestro.tests.", "maestro.gate.", "maestro.cost."))
