"""Feature discovery: which columns of a DataFrame carry signal about a target, and which ones are traps.

:func:`discover_features` takes any DataFrame (numeric, categorical, boolean and datetime columns, missing values;
no preparation) and returns a :class:`FeatureReport`: per column the univariate evidence (Pearson, Spearman,
correlation ratio, Cramér's V, mutual information), the permutation importance of a fast gradient-boosted model on
held-out rows, one combined score and rank, and flags for leakage, redundant twins, constants, mostly-missing
columns and identifiers. Everything runs within a time budget. Pure: no printing, no IPython, no MLflow.
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, Field, PrivateAttr

from ..entities import display
from . import _encoding as enc
from . import _identifiers as ids
from ._encoding import Column, Evidence, FloatArray

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FeatureFlag", "FeatureReport", "FeatureScore", "discover_features"]

WEIGHTS = {"permutation": 0.5, "mutual_info": 0.25, "association": 0.25}
MI_ROWS = 20_000  # rows for the univariate statistics (mutual information dominates their cost)
PERM_ROWS = 10_000  # held-out rows permuted
MAX_ITER = 100
_DEMOTING = ("leakage", "constant", "id_like", "redundant")
_NOT_TOP = ("leakage", "constant", "id_like")


class FeatureScore(BaseModel):
    """The evidence for one original column (datetime parts aggregated back by max; they are listed in ``parts``)."""

    feature: str
    kind: str  # numeric | categorical | boolean | datetime
    rank: int  # 1 = most useful; flagged leakage/constant/id_like/redundant columns rank after all others
    score: float  # combined score in [0, 1]
    pearson: float | None = None  # numeric feature vs numeric or binary target
    spearman: float | None = None
    correlation_ratio: float | None = None  # eta: categorical vs numeric target, or numeric vs multiclass target
    cramers_v: float | None = None  # categorical or boolean feature vs class target (bias-corrected)
    mutual_info: float | None = None  # nats
    permutation_importance: float | None = None  # drop of the held-out score when the column is shuffled
    permutation_std: float | None = None
    missing_share: float = 0.0
    parts: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)  # leakage | redundant | constant | mostly_missing | id_like


class FeatureFlag(BaseModel):
    """A warning about one column or a pair (``redundant``: the flagged column first, then its twin)."""

    kind: str
    columns: list[str]
    message: str
    value: float | None = None


_STATS = ("score", "permutation_importance", "mutual_info", "pearson", "spearman", "correlation_ratio", "cramers_v")
_FRAME_COLUMNS = ["rank", "feature", "kind", *_STATS[:2], "permutation_std", *_STATS[2:], "missing_share"]
_HEADERS = ["#", "feature", "kind", "score", "permutation", "mutual_info", "pearson", "spearman", "eta"]
_HEADERS += ["cramers_v", "missing", "flags", "parts"]
_VIEW_HEADERS = ["feature view", "features", "best rank", "best score", "best features", "flags"]


class FeatureReport(BaseModel):
    """The result of :func:`discover_features`: features sorted by rank, flags, and how the model step went."""

    target: str
    task: str  # classification | regression
    rows: int
    rows_used: int  # rows the model-based step used (train + held-out)
    features: list[FeatureScore]
    flags: list[FeatureFlag]
    model: str  # "none" when no model could be fit (no time left, or no column to fit)
    holdout_metric: str
    holdout_score: float  # NaN when the model step could not run
    elapsed_seconds: float
    time_budget_seconds: float
    budget_exhausted: bool
    top_k: int = 10
    #: The feature view each column came from (``column -> view``) when the data is a training set built from the
    #: feature store (``ml.features.training_set``); the report then groups its findings by view. Empty otherwise.
    feature_views: dict[str, str] = Field(default_factory=dict)
    #: How many features the table and the chart show (``None``: all); the data stays whole. See :meth:`head`.
    _shown: int | None = PrivateAttr(default=None)

    def head(self, n: int) -> FeatureReport:
        """The same report, displayed with only its ``n`` best-ranked features in the table and the chart (what
        ``%maestro features --top N`` shows). Every flag is still listed, and ``features``, ``top_features`` and
        :meth:`to_frame` keep every column."""
        if n < 1:
            raise ValueError(f"head needs at least 1 feature, not {n}")
        copy = self.model_copy()
        copy._shown = n
        return copy

    def _displayed(self) -> list[FeatureScore]:
        return self.features if self._shown is None else self.features[: self._shown]

    @property
    def top_features(self) -> list[str]:
        """The ``top_k`` best-ranked columns, leaving out those flagged leakage, constant or id_like."""
        good = [f.feature for f in self.features if not set(f.flags) & set(_NOT_TOP)]
        return good[: self.top_k]

    def by_view(self) -> dict[str, list[FeatureScore]]:
        """The features grouped by the feature view they came from, each group in rank order and the groups by their
        best rank; columns that are not from the store (entity keys, timestamps, columns of one's own) are grouped
        under :data:`NOT_FROM_STORE`. Empty when the data did not come from the feature store."""
        return _grouped(self.features, self.feature_views)

    def to_frame(self) -> pd.DataFrame:
        """One row per feature (by rank): all numeric evidence as columns, then ``parts`` and ``flags`` as text
        (and ``view``, the feature view of each column, when the data came from the feature store)."""
        import pandas as pd

        rows = [
            {**f.model_dump(include=set(_FRAME_COLUMNS)), "parts": ",".join(f.parts), "flags": ",".join(f.flags)}
            for f in self.features
        ]
        frame = pd.DataFrame(rows, columns=[*_FRAME_COLUMNS, "parts", "flags"])
        if self.feature_views:
            frame["view"] = [self.feature_views.get(f.feature, NOT_FROM_STORE) for f in self.features]
        return frame.astype({k: float for k in (*_STATS, "permutation_std", "missing_share")})

    def _summary(self) -> str:
        budget = f"{self.elapsed_seconds:.1f} s of a {self.time_budget_seconds:g} s budget"
        if self.budget_exhausted:
            budget += " (budget exhausted: reduced rows or repeats)"
        model = f"{self.model} held-out {self.holdout_metric} {display.fmt_number(self.holdout_score)}"
        if self.model == "none":
            model = "no model (no time left, or no column to fit)"
        rows = f"{self.rows:,} rows, {self.rows_used:,} used"
        shown = len(self._displayed())
        top = f"; the top {shown} of {len(self.features)} features shown" if shown < len(self.features) else ""
        views = ""
        if self.feature_views:
            n = len({v for f in self.features if (v := self.feature_views.get(f.feature)) is not None})
            views = f"; grouped by feature view ({n} view{'' if n == 1 else 's'})"
        return f"Features for {self.target!r} ({self.task}, {rows}): {model}; {budget}{top}{views}"

    def _shown_in_order(self) -> list[FeatureScore]:
        """The displayed features: by rank, or, for data from the feature store, grouped by view."""
        shown = self._displayed()
        return [f for group in _grouped(shown, self.feature_views).values() for f in group] or shown

    def _headers(self) -> list[str]:
        return ["feature view", *_HEADERS] if self.feature_views else list(_HEADERS)

    def _rows(self) -> list[list[Any]]:
        def num(v: float | None) -> str:
            return display.fmt_number(None if v is None else float(v))  # 4 significant digits, as every metric

        def view(f: FeatureScore) -> list[str]:
            return [self.feature_views.get(f.feature, NOT_FROM_STORE)] if self.feature_views else []

        return [
            [*view(f), f.rank, f.feature, f.kind, *[num(getattr(f, k)) for k in _STATS], _share(f), *_tail(f)]
            for f in self._shown_in_order()
        ]

    def _view_rows(self) -> list[list[Any]]:
        """One row per feature view: its features' count, best rank and score, its best features and flags."""
        rows = []
        for view, group in _grouped(self._displayed(), self.feature_views).items():
            flagged = sorted({flag for f in group for flag in f.flags})
            best = [f.feature for f in group if not set(f.flags) & set(_NOT_TOP)][:3]
            top = group[0]
            rows.append(
                [view, len(group), top.rank, display.fmt_number(top.score), ", ".join(best), ", ".join(flagged)]
            )
        return rows

    def _repr_html_(self) -> str:
        """Notebook view: the summary, (for data from the feature store) a row per feature view, the evidence table
        and the flags (the chart is its own output: see :meth:`chart` and ``_ipython_display_``)."""
        rows, shown = self._rows(), self._shown_in_order()
        flagged = {i for i, f in enumerate(shown) if f.flags}
        at = len(self._headers()) - 2  # the flags column
        for row, f in zip(rows, shown, strict=True):
            row[at] = display.chips(f.flags)
        views = ""
        if self.feature_views:
            views = display.html_table(_VIEW_HEADERS, self._view_rows(), title="By feature view")
        notes = [[x.kind, ", ".join(x.columns), x.message] for x in self.flags]
        flags = display.html_table(["flag", "columns", "message"], notes, title="Flags") if notes else ""
        return (
            # mathjax_ignore: JupyterLab typesets $...$ pairs in HTML output; a column name may hold dollar signs
            f'<div class="mathjax_ignore tex2jax_ignore"><b>{display.esc(self._summary())}</b><br>'
            + views
            + display.html_table(self._headers(), rows, diff_rows=flagged)
            + flags
            + "</div>"
        )

    def chart(self, top: int = 20) -> Any:
        """The ``top`` best-ranked displayed features' scores as a :class:`~maestro_jupyter.charts.Chart`: a
        zero-based bar each on the score's [0, 1] axis, flagged ones in orange, tooltips with flags and ranks."""
        from ..charts import bar_chart

        shown = self._displayed()[:top]
        more = f" (top {len(shown)} of {len(self.features)})" if len(shown) < len(self.features) else ""
        return bar_chart(
            [f.feature for f in shown],
            [f.score for f in shown],
            value_title="Score",
            label_title="Feature",
            groups=["flagged" if f.flags else "not flagged" for f in shown],
            group_title="Flags",
            # Fixed mid-tones (the theme's blue, a warning orange): readable on light and dark backgrounds.
            palette={"not flagged": "#4c78a8", "flagged": "#f58518"},
            notes=[f"#{f.rank}" + (f" · {', '.join(f.flags)}" if f.flags else "") for f in shown],
            title=f"Feature scores for {self.target!r}{more}",
        )

    def _ipython_display_(self) -> None:
        # The chart, then the summary, table and flags: two outputs, since in one bundle the front end would show
        # only the HTML (it ranks above Vega-Lite).
        from ..charts import own_bundle, show

        show(self.chart(), own_bundle(self))

    def __str__(self) -> str:
        """Plain-text view: the summary, the evidence table and one line per flag."""
        lines = [self._summary()]
        if self.feature_views:
            lines.append(display.text_table(_VIEW_HEADERS, self._view_rows(), title="By feature view"))
        lines.append(display.text_table(self._headers(), self._rows()))
        lines += [f"! {x.kind}: {x.message}" for x in self.flags]
        return "\n".join(lines)


#: The group of a report's columns that are not from the feature store (entity keys, timestamps, one's own columns).
NOT_FROM_STORE = "(not from the store)"


def _grouped(features: Sequence[FeatureScore], views: dict[str, str]) -> dict[str, list[FeatureScore]]:
    """``features`` (in rank order) grouped by ``views`` (column -> view): the groups ordered by their best rank,
    columns without a view last, under :data:`NOT_FROM_STORE`. Empty without ``views``."""
    if not views:
        return {}
    groups: dict[str, list[FeatureScore]] = {}
    for f in sorted(features, key=lambda f: f.rank):
        groups.setdefault(views.get(f.feature, NOT_FROM_STORE), []).append(f)
    rest = groups.pop(NOT_FROM_STORE, None)
    return {**groups, NOT_FROM_STORE: rest} if rest else groups


def _share(f: FeatureScore) -> str:
    return f"{f.missing_share:.0%}"


def _tail(f: FeatureScore) -> list[str]:
    return [", ".join(f.flags), ", ".join(p.split(".")[-1] for p in f.parts)]


# --- the analysis ----------------------------------------------------------------------------------------------


def _threads() -> int:
    """OpenMP threads for HistGradientBoosting and sklearn's neighbour searches (mutual information): the CPUs that
    are idle (this process's CPUs minus the 1-minute load average, rounded; at least 1), never more than the
    caller's own threadpoolctl limit. A notebook machine is shared with other kernels, and OpenMP loops that
    compete for busy cores slow down many-fold (measured: 5-20x on 2 busy cores), far more than one thread loses."""
    from threadpoolctl import threadpool_info

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 2)
    busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else cpus / 2
    current = [int(i["num_threads"]) for i in threadpool_info() if i.get("user_api") == "openmp"]
    return max(1, min([round(cpus - busy), cpus, *current]))


class _Clock:
    def __init__(self, budget: float) -> None:
        self.start, self.budget, self.exhausted = time.perf_counter(), budget, False

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def left(self) -> float:
        return self.budget - self.elapsed()


@dataclass
class _ModelResult:
    name: str = "none"
    metric: str = ""
    score: float = float("nan")
    rows: int = 0
    perm: FloatArray | None = None  # per unit; NaN where not computed
    perm_std: FloatArray | None = None
    headroom: float = 1.0  # a perfect score minus chance: the most that shuffling a column could take away
    permuted: bool = False  # at least one column's permutation importance was computed


def _metric(model: Any, X: FloatArray, y: FloatArray, metric: str) -> float:
    if metric == "roc_auc":
        from sklearn.metrics import roc_auc_score

        return float(roc_auc_score(y, model.predict_proba(X)[:, 1]))
    if metric == "accuracy":
        return float((model.predict(X) == y).mean())
    from sklearn.metrics import r2_score

    return float(r2_score(y, model.predict(X)))


class _Columns:
    """A fitted model seen through a subset of its input columns, so that ``permutation_importance`` permutes just
    those (the ones the model splits on; the others have an importance of exactly 0) in chunks that can be timed."""

    def __init__(self, model: Any, X: FloatArray, cols: list[int], metric: str) -> None:
        self.model, self.X, self.cols, self.metric = model, X, cols, metric

    def fit(self, *args: Any) -> _Columns:  # check_scoring wants an estimator
        return self

    @staticmethod
    def scorer(view: _Columns, X_sub: FloatArray, y: FloatArray) -> float:
        X = view.X.copy()
        X[:, view.cols] = X_sub
        return _metric(view.model, X, y, view.metric)


def _used_columns(model: Any, n: int) -> list[int]:
    try:  # the trees' split features (a private attribute: fall back to every column)
        used = np.zeros(n, dtype=bool)
        for trees in model._predictors:
            for tree in trees:
                used[tree.nodes["feature_idx"][tree.nodes["is_leaf"] == 0]] = True
        return [int(i) for i in np.flatnonzero(used)]
    except (AttributeError, KeyError, IndexError, TypeError, ValueError):
        return list(range(n))


def _model_step(
    X: FloatArray, y: FloatArray, categorical: list[bool], n_classes: int, clock: _Clock, random_state: int,
    report: Callable[[str, float], None],
) -> _ModelResult:  # fmt: skip
    """Fit HistGradientBoosting on a train split (rows cut to fit the budget) and permute on the held-out rows."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.inspection import permutation_importance
    from sklearn.model_selection import train_test_split

    estimator = HistGradientBoostingClassifier if n_classes else HistGradientBoostingRegressor
    metric = "roc_auc" if n_classes == 2 else "accuracy" if n_classes else "r2"
    cats = np.array(categorical) if any(categorical) else None

    def make(max_iter: int, early: bool) -> Any:
        kw = {"learning_rate": 0.2, "n_iter_no_change": 8, "categorical_features": cats}
        return estimator(max_iter=max_iter, early_stopping=early, random_state=random_state, **kw)

    n = len(y)
    allot = clock.left() * 0.45  # the fit's share of the time left; the permutations get the rest
    if n > 5000 and allot < 0.3:  # no time to calibrate: a small sample
        clock.exhausted, n = True, 2000
    elif n > 5000:  # calibrate: 5 iterations on 1,000 and on 5,000 rows; the difference is the cost per row
        took = []
        for m in (1000, 5000):
            t = time.perf_counter()
            make(5, False).fit(X[:m], y[:m])
            took.append(time.perf_counter() - t)
        per_row = max(took[1] - took[0], 0.2 * took[1]) / 4000 / 5 * MAX_ITER
        if took[1] + per_row * n * 0.75 > allot:
            clock.exhausted = True
            n = max(2000, int((allot - took[1]) / (per_row * 0.75)))
    stratify = None
    if n_classes and np.bincount(y[:n].astype(np.int64)).min() >= 2:
        stratify = y[:n]
    X_tr, X_te, y_tr, y_te = train_test_split(X[:n], y[:n], test_size=0.25, random_state=random_state,
                                              stratify=stratify)  # fmt: skip
    if n_classes and len(np.unique(y_tr)) < 2:  # a very rare class missed by the sample: nothing to fit
        return _ModelResult()
    model = make(MAX_ITER, len(y_tr) >= 200).fit(X_tr, y_tr)
    if metric == "roc_auc" and len(np.unique(y_te)) < 2:
        metric = "accuracy"
    result = _ModelResult(name=type(model).__name__, metric=metric, score=_metric(model, X_te, y_te, metric), rows=n)
    chance = 0.5 if metric == "roc_auc" else np.bincount(y_te.astype(np.int64)).max() / len(y_te) if n_classes else 0.0
    result.headroom = 1.0 - chance
    report("permutation", 0.7)
    used = _used_columns(model, X.shape[1])
    result.perm = np.full(X.shape[1], np.nan)
    result.perm_std = np.full(X.shape[1], np.nan)
    unused = [i for i in range(X.shape[1]) if i not in used]
    result.perm[unused] = 0.0
    result.perm_std[unused] = 0.0
    if not used:
        return result
    X_p, y_p = X_te[:PERM_ROWS], y_te[:PERM_ROWS]
    t = time.perf_counter()
    _metric(model, X_p, y_p, metric)
    per_score = time.perf_counter() - t
    left = clock.left() - 0.02 * clock.budget
    chunk = 4
    cost = per_score * (len(used) + -(-len(used) // chunk))
    repeats = 5 if cost * 5 <= left else 3
    if cost * repeats > left:
        rows = max(500, int(len(y_p) * left / (cost * repeats)))
        X_p, y_p = X_p[:rows], y_p[:rows]
        per_score *= rows / max(len(y_te[:PERM_ROWS]), 1)
    if repeats < 5 or len(y_p) < min(PERM_ROWS, len(y_te)):
        clock.exhausted = True
    for start in range(0, len(used), chunk):
        cols = used[start : start + chunk]
        if clock.left() < per_score * (len(cols) * repeats + 1):
            clock.exhausted = True
            break
        view = _Columns(model, X_p, cols, metric)
        r = permutation_importance(
            view, X_p[:, cols], y_p, scoring=_Columns.scorer, n_repeats=repeats, random_state=random_state + start
        )
        result.perm[cols], result.perm_std[cols], result.permuted = r.importances_mean, r.importances_std, True
        report("permutation", 0.7 + 0.25 * (start + len(cols)) / len(used))
    return result


def _combine(units: list[tuple[Column, Evidence]], headroom: float | None, y: FloatArray, n_classes: int) -> None:
    """Each unit's score: a weighted mean of three measures on absolute [0, 1] scales, so that noise scores near 0
    even when nothing is informative (see :func:`discover_features`)."""
    p = np.bincount(y.astype(np.int64)) / len(y) if n_classes else np.ones(1)
    entropy = float(-(p[p > 0] * np.log(p[p > 0])).sum())  # 0 for regression: unused
    for c, ev in units:
        mi = 1.0 - float(np.exp(-2 * ev.mi)) if not n_classes else min(1.0, ev.mi / entropy) if entropy else 0.0
        univariate = WEIGHTS["mutual_info"] * mi + WEIGHTS["association"] * min(1.0, ev.assoc)
        if headroom is None or (ev.perm is None and not set(c.flags) & set(_DEMOTING)):
            ev.score = univariate / (1 - WEIGHTS["permutation"])  # no model, or no time left to permute this unit
        else:
            share = min(1.0, max(0.0, ev.perm or 0.0) / headroom) if headroom > 0 else 0.0
            ev.score = WEIGHTS["permutation"] * share + univariate


def _strongest(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None and np.isfinite(v)]
    return max(present, key=abs) if present else None


def _score_column(c: Column, evs: list[Evidence]) -> FeatureScore:
    """A column's FeatureScore from its units' evidence (datetime parts: the strongest part of each statistic)."""
    best = max(range(len(evs)), key=lambda i: -np.inf if evs[i].perm is None else float(evs[i].perm or 0)) if evs else 0
    return FeatureScore(
        feature=c.name, kind=c.kind, rank=0, score=round(max((e.score for e in evs), default=0.0), 6),
        pearson=_strongest([e.pearson for e in evs]), spearman=_strongest([e.spearman for e in evs]),
        correlation_ratio=_strongest([e.eta for e in evs]), cramers_v=_strongest([e.cramers_v for e in evs]),
        mutual_info=max((e.mi for e in evs), default=0.0), permutation_importance=evs[best].perm if evs else None,
        permutation_std=evs[best].perm_std if evs else None, missing_share=c.missing_share,
        parts=[u.name for u in c.units if u.name != c.name],
        flags=[f for f in ("leakage", "redundant", "constant", "mostly_missing", "id_like") if f in c.flags],
    )  # fmt: skip


def _flag(
    c: Column, kind: str, twin: tuple[str, float, str] | None = None, leak: tuple[str, float] | None = None
) -> FeatureFlag:
    value = c.flags[kind]
    if kind == "leakage" and leak:
        msg = (
            f"{c.name!r} alone predicts the target almost perfectly ({leak[0]}; association {leak[1]:.3f} of 1): "
            "likely leakage (derived from the target, or only known after it); left out of the model and not "
            "recommended"
        )
    elif kind == "redundant" and twin:
        msg = f"{c.name!r} duplicates {twin[0]!r} ({twin[2]}); ranked below its twin and left out of the model"
        return FeatureFlag(kind=kind, columns=[c.name, twin[0]], value=twin[1], message=msg)
    elif kind == "constant":
        msg = f"{c.name!r} has {int(value)} distinct value(s): it carries no information"
    elif kind == "mostly_missing":
        msg = f"{c.name!r} is {value:.0%} missing"
    else:
        msg = f"{c.name!r} has a different value in every row: an identifier, left out of the model"
    return FeatureFlag(kind=kind, columns=[c.name], message=msg, value=value)


def discover_features(
    df: pd.DataFrame,
    target: str,
    *,
    task: str = "auto",
    top_k: int = 10,
    time_budget: float = 60.0,
    exclude: Sequence[str] = (),
    max_rows: int = 200_000,
    random_state: int = 0,
    progress: Callable[[str, float], None] | None = None,
) -> FeatureReport:
    """Rank the columns of ``df`` by how useful they are for predicting ``target``, and flag the traps.

    No preparation is needed: numeric, boolean, categorical (object, string or category dtype) and datetime
    columns (expanded to year, month, day, dayofweek and hour where those vary; each part is scored and the column
    gets its best part) with missing values. Rows with a missing target are left out. ``task="auto"`` means
    classification for a boolean, categorical, object or string target and for an integer-valued one with at most
    20 distinct values, regression otherwise. ``exclude`` names columns to leave out; ``top_k`` sets how many
    names :attr:`FeatureReport.top_features` gives; ``random_state`` makes the sampling and the model repeatable.

    Evidence per column:

    * univariate, on a random sample of at most 20,000 rows with missing pairs dropped: Pearson and Spearman
      (numeric vs numeric or binary target), the correlation ratio eta (categorical vs numeric target, numeric vs
      multiclass target), bias-corrected Cramér's V (categorical or boolean vs class target) and mutual information
      (sklearn; discrete features as such);
    * model-based: ``HistGradientBoosting{Classifier,Regressor}`` (native categorical and missing-value support,
      learning rate 0.2, early stopping, at most 100 iterations) fit on 75% of a random sample of at most
      ``max_rows`` rows, then sklearn's ``permutation_importance`` (5 repeats; 3 when time is short) on up to
      10,000 held-out rows, scored by ROC AUC (binary), accuracy (multiclass) or R². Only the columns the trees
      split on are permuted; the others have an importance of exactly 0.

    The combined ``score`` is ``0.5 * permutation + 0.25 * mutual information + 0.25 * association``, each term on
    an absolute [0, 1] scale so that noise scores near 0 even when nothing is informative: permutation importance
    as a share of the most a column could take away (a perfect score minus chance: ROC AUC 1 - 0.5, accuracy
    1 - the majority class's share, R² 1 - 0), mutual information as a share of the target's entropy
    (classification) or as ``1 - exp(-2 MI)`` (regression; r² for a Gaussian pair), and the association as it is
    (the larger of |Pearson| and |Spearman|, or eta, or Cramér's V).
    Without a permutation importance (no model, or no time left) the two univariate terms weigh half each.

    Flags: ``leakage`` (a single column predicts the target almost perfectly: AUC, |r|, Cramér's V or a held-out
    one-feature lookup model's balanced accuracy above 0.98, or its R² above 0.95), ``redundant`` (|Pearson r|
    above 0.95 with a better-ranked numeric column, or a categorical identical to one; the twin is named),
    ``constant``, ``mostly_missing`` (over 50% missing) and ``id_like`` (a distinct integer or string per row).
    Leakage, redundant and id_like columns are left out of the model (so that they do not mask the others); they,
    and constant columns, rank after all other columns.

    ``time_budget`` (seconds, from the call; a first call also imports scikit-learn) is checked between stages:
    the univariate statistics get up to a third, the model fit about half of what is left, the permutations the
    rest; when short, rows and repeats are cut and the report says ``budget_exhausted``. A stage under way is not
    interrupted, so the budget can be overrun by a fraction of a second. ``progress(stage, fraction_done)`` is
    called along the way (stages: profile, univariate, model, permutation, done).

    Raises ValueError (one line, naming the problem) for: not a DataFrame, an empty frame, an unknown target or
    excluded column, a target without values, with one value or with fewer than 20 rows with a value, no usable
    feature columns, an unknown task, a non-numeric target for regression, more than 200 classes.
    """
    clock = _Clock(time_budget)
    # scikit-learn takes a second or so to import on a first call: inside the budget, and before the thread limit
    # (which applies to the OpenMP runtime it loads)
    for module in ("ensemble", "feature_selection", "inspection", "metrics", "model_selection"):
        importlib.import_module(f"sklearn.{module}")
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=_threads(), user_api="openmp"):
        return _discover(df, target, task, top_k, clock, exclude, max_rows, random_state, progress)


def _discover(
    df: pd.DataFrame, target: str, task: str, top_k: int, clock: _Clock, exclude: Sequence[str], max_rows: int,
    random_state: int, progress: Callable[[str, float], None] | None,
) -> FeatureReport:  # fmt: skip
    time_budget = clock.budget
    report = progress or (lambda stage, fraction: None)
    report("profile", 0.0)
    target_label, labels = enc.validate(df, target, task, exclude, time_budget, top_k, max_rows)
    y_all = df[target_label]
    valid = np.flatnonzero(y_all.notna().to_numpy())
    if len(valid) == 0:
        raise ValueError(f"target {target!r} has no values (all missing)")
    if len(valid) < 20:
        raise ValueError(f"target {target!r} has only {len(valid)} rows with a value: at least 20 are needed")
    task, y_codes, n_classes = enc.encode_target(y_all.iloc[valid], task, str(target))
    rng = np.random.default_rng(random_state)
    order = rng.permutation(len(valid))[:max_rows]
    positions, y = valid[order], y_codes[order]
    columns: list[Column] = []
    repeated: list[pd.Series[Any]] = []

    def duplicate_rows() -> pd.Series[Any]:  # computed once, and only if a column is unique but for a few rows
        if not repeated:
            repeated.append(ids.duplicated_rows(df))
        return repeated[0]

    for label in labels:
        s = df[label]
        sample = s.iloc[positions]
        col = enc.profile_column(str(label), s, enc.column_kind(s), sample, duplicate_rows)
        enc.encode_units(col, sample)
        columns.append(col)
    units = [u for c in columns for u in c.units]
    if not units:
        raise ValueError("no usable feature columns: every feature column is constant or empty")
    report("univariate", 0.1)
    # Rows for the univariate statistics: up to MI_ROWS, fewer if they would overrun a third of the budget
    evid, n_uni, cut = enc.univariate_all(
        columns, y, n_classes, random_state, max_rows=MI_ROWS, deadline=time_budget / 3, elapsed=clock.elapsed,
        report=lambda done: report("univariate", 0.1 + 0.3 * done),
    )  # fmt: skip
    clock.exhausted |= cut
    leak_of: dict[str, tuple[str, float]] = {}
    for c in columns:
        leaks = [lk for u in c.units if (lk := evid[u.name].leak) is not None]
        if leaks and "id_like" not in c.flags:
            leak_of[c.name] = max(leaks, key=lambda lk: lk[1])
            c.flags["leakage"] = leak_of[c.name][1]
    eligible = [c for c in columns if c.units and not set(c.flags) & {"leakage", "constant", "id_like"}]
    categorical = {c.name for c in eligible if c.kind == "categorical"}
    raw = {str(label): df[label] for label in labels if str(label) in categorical}
    twins = enc.redundant_columns(eligible, evid, raw, n_uni)
    for name, (_, value, _) in twins.items():
        next(c for c in columns if c.name == name).flags["redundant"] = value
    report("model", 0.45)
    in_model = [u for c in columns if c.units and not set(c.flags) & set(_DEMOTING) for u in c.units]
    result = _ModelResult()
    if in_model and clock.left() > 0.05 * time_budget:
        X = np.column_stack([u.values for u in in_model])
        result = _model_step(X, y, [u.categorical for u in in_model], n_classes, clock, random_state, report)
        for j, u in enumerate(in_model):
            perm, std = result.perm, result.perm_std
            if perm is not None and std is not None and np.isfinite(perm[j]):
                evid[u.name].perm, evid[u.name].perm_std = float(perm[j]), float(std[j])
    elif in_model:
        clock.exhausted = True
    headroom = result.headroom if result.permuted else None
    _combine([(c, evid[u.name]) for c in columns for u in c.units], headroom, y[:n_uni], n_classes)
    scores = [_score_column(c, [evid[u.name] for u in c.units]) for c in columns]
    ranked = sorted(scores, key=lambda f: (bool(set(f.flags) & set(_DEMOTING)), -f.score))
    for i, f in enumerate(ranked, start=1):
        f.rank = i
    flags = []
    for kind in ("leakage", "redundant", "id_like", "constant", "mostly_missing"):
        for c in columns:
            if kind in c.flags:
                flags.append(_flag(c, kind, twin=twins.get(c.name), leak=leak_of.get(c.name)))
    report("done", 1.0)
    return FeatureReport(
        target=str(target_label), task=task, rows=len(df), rows_used=result.rows or n_uni, features=ranked,
        flags=flags, model=result.name, holdout_metric=result.metric or "none", holdout_score=result.score,
        elapsed_seconds=round(clock.elapsed(), 3), time_budget_seconds=time_budget, budget_exhausted=clock.exhausted,
        top_k=top_k,
    )  # fmt: skip
