"""The team service's index of registered models: every model's summary in memory, so that listing and searching
models (by name and by tag) costs no MLflow request.

Why: MLflow's model search builds every listed model in full (tags, aliases, latest versions) and, filtered by tag,
runs its tag sub-query three times; under a team's load it is the slowest read (``benchmarks/bench_team.py``). The
service answers the same questions from this index instead, with the same order, paging tokens and matching rules.

How it stays true (MLflow remains the registry of record; only listing reads the index):

- **Writes through Maestro** (tags, aliases, descriptions, registrations) re-read that one model before the call
  returns (:meth:`ModelIndex.refresh`): whoever changed a model sees it in the list at once.
- **Other writes in MLflow** (plain ``mlflow`` in a kernel, a job's process, MLflow's UI): MLflow moves a model's
  ``last_updated_timestamp`` when it is created, gets or loses a version, or is renamed or described, and the
  index reads what moved every ``CATCH_UP_S`` seconds (one small request). A tag or alias set or removed directly
  in MLflow, and a model deleted there, move no timestamp (MLflow 3.17): the full re-read every ``sweep_s`` seconds
  (``MAESTRO_MODEL_INDEX_SWEEP``) picks them up.
- Until the first full read is done (a few seconds after the service starts), searches go to MLflow.

The laptop path (in-process, one person) never uses it: there MLflow's own search is exact and cheap enough.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from ..entities import ModelPage, ModelSummary
from ..errors import MaestroError, NotFound

log = logging.getLogger(__name__)

#: Seconds between reads of the models whose MLflow timestamp moved (a job that registers its model, in MLflow
#: itself, shows in the list this long after it ends).
CATCH_UP_S = 2.0
#: Models per request of a full read (MLflow's largest page is 1,000).
SWEEP_PAGE = 1000
#: Models per request of a catch-up read: most catch-ups find nothing new.
CATCH_UP_PAGE = 25


class ModelSource(Protocol):
    """What the index reads MLflow through (:class:`~maestro_jupyter.backends.mlflow_registry.MlflowRegistry`)."""

    def search_mlflow_models(
        self, filter_string: str, max_results: int, page_token: str | None, order_by: list[str]
    ) -> ModelPage: ...

    def get_model_summary(self, name: str) -> ModelSummary: ...


def _order_key(order_by: str) -> tuple[Callable[[ModelSummary], tuple[object, ...]], bool]:
    """A sort key and direction for one of the orders ListModels takes; ties go by name, ascending, as in MLflow."""
    if order_by.startswith("last_updated_timestamp"):
        descending = order_by.endswith("DESC")
        # Name ascending under either direction of the timestamp: the timestamp is negated, not the sort reversed.
        sign = -1 if descending else 1
        return (lambda m: (sign * m.last_updated_timestamp, m.name)), False
    return (lambda m: (m.name,)), order_by.endswith("DESC")


class ModelIndex:
    """Every registered model's summary (prompts aside, as MLflow's model search leaves them out)."""

    def __init__(self, source: ModelSource, sweep_s: float, is_prompt: Callable[[Mapping[str, str]], bool]) -> None:
        self.source = source
        self.sweep_s = sweep_s
        self._is_prompt = is_prompt
        self._lock = threading.Lock()
        self._models: dict[str, ModelSummary] | None = None  # None: not read yet
        #: When each model was last re-read by a write through Maestro (monotonic): a read that began before it
        #: must not put back what it saw.
        self._refreshed: dict[str, float] = {}
        self._watermark = 0  # the newest last_updated_timestamp seen
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- reading ---------------------------------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """Whether the first full read is done (searches before it go to MLflow)."""
        return self._models is not None

    def search(
        self,
        tags: Mapping[str, str],
        name_contains: str | None,
        order_by: str,
        max_results: int,
        offset: int,
    ) -> tuple[list[ModelSummary], bool] | None:
        """One page of the models carrying every tag in ``tags`` whose name contains ``name_contains``
        (case-insensitively, every character as itself), in ``order_by``, from ``offset``; and whether more follow.
        ``None`` before the first full read."""
        with self._lock:
            if self._models is None:
                return None
            models = list(self._models.values())
        needle = (name_contains or "").lower()
        found = [
            m
            for m in models
            if (not needle or needle in m.name.lower()) and all(m.tags.get(k) == v for k, v in tags.items())
        ]
        key, descending = _order_key(order_by)
        found.sort(key=key, reverse=descending)
        page = found[offset : offset + max_results]
        return page, offset + max_results < len(found)

    # --- keeping it true -------------------------------------------------------------------------------------------

    def refresh(self, name: str) -> None:
        """Re-read one model after a write through Maestro, so the next search shows it."""
        if self._models is None:
            return
        started = time.monotonic()
        try:
            summary: ModelSummary | None = self.source.get_model_summary(name)
        except NotFound:
            summary = None
        except MaestroError as exc:  # MLflow could not answer: the next sweep puts it right
            log.warning("Model index: re-reading %r after a write: %s", name, exc)
            return
        with self._lock:
            if self._models is None:
                return
            self._refreshed[name] = started
            self._put(name, summary)

    def sweep(self) -> None:
        """Read every model again (the only way to learn of tags and aliases changed directly in MLflow)."""
        started = time.monotonic()
        read: dict[str, ModelSummary] = {}
        token: str | None = None
        while True:
            page = self.source.search_mlflow_models("", SWEEP_PAGE, token, ["name ASC"])
            read.update((m.name, m) for m in page.models)
            token = page.next_page_token
            if not token:
                break
        with self._lock:
            if self._models is not None:  # what a write through Maestro re-read meanwhile is newer than this
                for name, at in self._refreshed.items():
                    if at >= started:
                        current = self._models.get(name)
                        if current is None:
                            read.pop(name, None)
                        else:
                            read[name] = current
            self._models = {n: m for n, m in read.items() if not self._is_prompt(m.tags)}
            self._refreshed = {n: at for n, at in self._refreshed.items() if at >= started}
            self._watermark = max((m.last_updated_timestamp for m in read.values()), default=self._watermark)

    def catch_up(self) -> int:
        """Read the models whose MLflow timestamp moved since the newest one seen; how many were read."""
        if self._models is None:
            return 0
        started = time.monotonic()
        since = self._watermark
        moved: list[ModelSummary] = []
        token: str | None = None
        while True:
            page = self.source.search_mlflow_models("", CATCH_UP_PAGE, token, ["last_updated_timestamp DESC"])
            moved += [m for m in page.models if m.last_updated_timestamp >= since]
            token = page.next_page_token
            if not token or not page.models or page.models[-1].last_updated_timestamp < since:
                break
        with self._lock:
            if self._models is None:
                return 0
            for model in moved:
                if self._refreshed.get(model.name, -1.0) < started:
                    self._put(model.name, model)
            self._watermark = max([since, *(m.last_updated_timestamp for m in moved)])
        return len(moved)

    def _put(self, name: str, summary: ModelSummary | None) -> None:
        assert self._models is not None
        if summary is None or self._is_prompt(summary.tags):
            self._models.pop(name, None)
        else:
            self._models[name] = summary

    # --- the thread that keeps it ------------------------------------------------------------------------------------

    def start(self) -> None:
        """Read every model now, then keep up in a thread of its own until :meth:`stop`."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="maestro-model-index", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        next_sweep = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() >= next_sweep:
                    self.sweep()
                    next_sweep = time.monotonic() + self.sweep_s
                else:
                    self.catch_up()
            except MaestroError as exc:  # MLflow is down or slow: searches still work, from what was read
                log.warning("Model index: %s", exc)
            except Exception:  # never let the thread die: listing would silently freeze
                log.exception("Model index: unexpected error")
            self._stop.wait(CATCH_UP_S)
