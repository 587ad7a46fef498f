"""Column typing, encoding and univariate statistics for :func:`.features.discover_features`.

Every feature column becomes one or more *units*: float arrays over a random sample of rows, NaN where missing.
Numeric and boolean columns are one unit; categoricals are one unit of integer codes (the 254 most frequent levels,
then one "other" code, so that HistGradientBoosting's native categorical support takes them); datetimes are one unit
per non-constant part (year, month, day, dayofweek, hour). Nothing here looks at the target while encoding.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import _identifiers as ids

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_CODES = 254  # HistGradientBoosting takes category codes below max_bins (255): 254 levels plus "other".
DATETIME_PARTS = ("year", "month", "day", "dayofweek", "hour")


@dataclass
class Unit:
    """One numeric input of the statistics and the model: a feature column, or one part of a datetime column."""

    name: str
    column: str
    values: FloatArray  # over the sampled rows; NaN where missing
    categorical: bool = False  # integer codes: HistGradientBoosting's native categorical support
    discrete: bool = False  # a discrete feature for mutual information


@dataclass
class Column:
    """One original feature column: its kind, profile flags and units."""

    name: str
    kind: str
    missing_share: float
    units: list[Unit] = field(default_factory=list)
    flags: dict[str, float] = field(default_factory=dict)  # flag kind -> the measured value


def column_kind(s: pd.Series[Any]) -> str:
    """``numeric``, ``categorical``, ``boolean`` or ``datetime`` from the dtype (object columns by their values)."""
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dt):
        return "datetime"
    if isinstance(dt, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_timedelta64_dtype(dt) or (
        pd.api.types.is_numeric_dtype(dt) and not pd.api.types.is_complex_dtype(dt)
    ):
        return "numeric"
    values = s.dropna()
    inferred = pd.api.types.infer_dtype(values, skipna=True) if len(values) else "empty"
    if inferred == "boolean":
        return "boolean"
    if inferred in ("datetime", "datetime64", "date"):
        return "datetime"
    if inferred == "string" and ids.looks_like_iso_dates(values.head(200)):
        return "datetime"
    return "categorical"


def _hashable(s: pd.Series[Any]) -> pd.Series[Any]:
    """``s``, or its text where cells hold unhashable values (lists, dicts, arrays)."""
    if s.dtype != object or all(t.__hash__ is not None for t in {type(v) for v in s.to_numpy()}):
        return s
    return s.where(s.isna(), s.astype(str))


def profile_column(
    name: str,
    s: pd.Series[Any],
    kind: str,
    sample: pd.Series[Any],
    duplicate_rows: Callable[[], pd.Series[Any]] | None = None,
) -> Column:
    """Kind, missing share and the target-free flags (constant, mostly_missing, id_like) of one column.

    ``s`` is the whole column, ``sample`` its sampled rows; the whole column is only scanned where the sample
    cannot decide (a column may look constant or unique on a sample). ``id_like`` is the profile's definition
    (:func:`._identifiers.id_like`); ``duplicate_rows`` gives the frame's repeated rows, which keep their ID.
    """
    n = len(s)
    missing = float(s.isna().mean()) if n else 0.0
    col = Column(name=name, kind=kind, missing_share=missing)
    if missing > 0.5:
        col.flags["mostly_missing"] = missing
    if kind in ("numeric", "boolean") and not pd.api.types.is_object_dtype(s.dtype):
        nonnull = s.dropna()
        distinct = 0 if nonnull.empty else (1 if nonnull.min() == nonnull.max() else 2)
    else:
        hs = _hashable(sample)
        distinct = int(hs.nunique(dropna=True))
        if distinct <= 1:
            distinct = int(_hashable(s).nunique(dropna=True))
    if distinct <= 1:
        col.flags["constant"] = float(distinct)
        return col
    if kind in ("numeric", "categorical"):
        # An identifier's sampled values are (nearly) all distinct: the cheap test first, the whole column after.
        seen = _hashable(sample.dropna())
        unique = len(seen) > ids.ID_MIN_ROWS and seen.nunique() >= 0.5 * len(seen)
        if unique and ids.id_like(s, duplicate_rows=duplicate_rows):
            col.flags["id_like"] = 1.0
    return col


def _as_float(s: pd.Series[Any]) -> FloatArray:
    if pd.api.types.is_timedelta64_dtype(s.dtype):
        s = s.dt.total_seconds()
    return np.asarray(s.to_numpy(dtype="float64", na_value=np.nan), dtype=np.float64)


def _datetimes(s: pd.Series[Any]) -> pd.Series[Any]:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s
    return pd.to_datetime(s, errors="coerce", utc=True, format="ISO8601")


def encode_units(col: Column, sample: pd.Series[Any]) -> None:
    """Fill ``col.units`` from the column's sampled rows (constant columns get none)."""
    if "constant" in col.flags:
        return
    name = col.name
    if col.kind == "numeric":
        values = _as_float(sample)
        present = values[~np.isnan(values)]
        few = len(np.unique(present[:20_000])) <= 20 and bool(np.all(present == np.round(present)))
        col.units = [Unit(name, name, values, discrete=few)]
    elif col.kind == "boolean":
        values = _as_float(sample.astype("boolean").astype("Float64"))
        col.units = [Unit(name, name, values, discrete=True)]
    elif col.kind == "datetime":
        dts = _datetimes(sample)
        for part in DATETIME_PARTS:
            values = _as_float(getattr(dts.dt, part).astype("Float64"))
            if np.nanmin(values, initial=np.inf) < np.nanmax(values, initial=-np.inf):
                col.units.append(Unit(f"{name}.{part}", name, values, discrete=True))
        if not col.units:  # varies below the hour only: the timestamp itself
            seconds = (dts - pd.Timestamp("1970-01-01", tz=dts.dt.tz)).dt.total_seconds()
            col.units = [Unit(f"{name}.timestamp", name, _as_float(seconds))]
    else:
        hs = _hashable(sample)
        top = hs.value_counts(dropna=True).index[:MAX_CODES]
        codes = pd.Categorical(hs, categories=top).codes.astype(np.float64)
        codes[codes < 0] = MAX_CODES  # a level outside the top ones: "other"
        codes[hs.isna().to_numpy()] = np.nan
        col.units = [Unit(name, name, codes, categorical=True, discrete=True)]


# --- input checks and the target ------------------------------------------------------------------------------


def _resolve(df: pd.DataFrame, name: Hashable, what: str) -> Hashable:
    if name in df.columns:
        return name
    matches = [c for c in df.columns if str(c) == str(name)]
    if len(matches) == 1:
        return matches[0]
    shown = ", ".join(map(str, list(df.columns)[:20])) + (", ..." if df.shape[1] > 20 else "")
    raise ValueError(f"unknown {what} column {name!r}; the columns are: {shown}")


def validate(
    df: Any, target: str, task: str, exclude: Sequence[str], time_budget: float, top_k: int, max_rows: int
) -> tuple[Hashable, list[Hashable]]:
    """The target's column label and the feature columns' labels, or a one-line ValueError naming the problem.
    Names are matched exactly, or by their text (``"3"`` finds an integer column label 3)."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"discover_features needs a pandas DataFrame, got {type(df).__name__}")
    if df.shape[0] == 0 or df.shape[1] == 0:
        raise ValueError(f"the DataFrame is empty ({df.shape[0]} rows, {df.shape[1]} columns)")
    if task not in ("auto", "classification", "regression"):
        raise ValueError(f"unknown task {task!r}: use 'auto', 'classification' or 'regression'")
    for ok, what in ((time_budget > 0, "time_budget must be positive"), (top_k >= 1, "top_k must be at least 1"),
                     (max_rows >= 100, "max_rows must be at least 100")):  # fmt: skip
        if not ok:
            raise ValueError(f"{what} (time_budget={time_budget!r}, top_k={top_k!r}, max_rows={max_rows!r})")
    if df.columns.has_duplicates:
        dupes = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise ValueError(f"duplicate column names: {', '.join(dupes)}")
    if isinstance(exclude, str):
        exclude = [exclude]
    target_label = _resolve(df, target, "target")
    excluded = {_resolve(df, e, "exclude") for e in exclude} | {target_label}
    features: list[Hashable] = [c for c in df.columns if c not in excluded]
    if not features:
        raise ValueError("no usable feature columns: every column is the target or excluded")
    return target_label, features


def encode_target(y: pd.Series[Any], task: str, name: str) -> tuple[str, FloatArray, int]:
    """(task, target values as floats — class codes for classification —, number of classes)."""
    if y.nunique() <= 1:
        raise ValueError(f"target {name!r} is constant ({y.iloc[0]!r} in every row with a value): nothing to predict")
    if task == "auto":
        if column_kind(y) in ("numeric",) and not pd.api.types.is_timedelta64_dtype(y.dtype):
            values = y.to_numpy(dtype="float64")
            integral = bool(np.all(values == np.round(values)))
            task = "classification" if integral and y.nunique() <= 20 else "regression"
        else:
            task = "classification"
    if task == "regression":
        if not (pd.api.types.is_numeric_dtype(y.dtype) or pd.api.types.is_bool_dtype(y.dtype)):
            raise ValueError(f"task 'regression' needs a numeric target; {name!r} has dtype {y.dtype}")
        return task, np.asarray(y.to_numpy(dtype="float64"), dtype=np.float64), 0
    try:
        codes, classes = pd.factorize(y, sort=True)
    except TypeError:
        codes, classes = pd.factorize(y.astype(str), sort=True)
    if len(classes) > 200:
        raise ValueError(f"target {name!r} has {len(classes)} classes (at most 200): use task='regression'?")
    return task, codes.astype(np.float64), len(classes)


# --- univariate statistics -----------------------------------------------------------------------------------


def pearson(x: FloatArray, y: FloatArray) -> float | None:
    """Pearson's r, or None when either side is constant or there are fewer than 3 pairs."""
    if len(x) < 3:
        return None
    xc, yc = x - x.mean(), y - y.mean()
    denom = float(np.sqrt((xc @ xc) * (yc @ yc)))
    return None if denom <= 0 else float(np.clip((xc @ yc) / denom, -1.0, 1.0))


def ranks(x: FloatArray) -> FloatArray:
    """Average ranks (for Spearman's rho as Pearson's r of ranks)."""
    from scipy.stats import rankdata

    return np.asarray(rankdata(x), dtype=np.float64)


def correlation_ratio(groups: IntArray, values: FloatArray) -> float | None:
    """Eta: how much of the variance of ``values`` the groups explain, adjusted for the number of groups (so that
    a many-level categorical does not look associated by chance)."""
    n = len(values)
    if n < 3:
        return None
    counts = np.bincount(groups).astype(np.float64)
    k = int((counts > 0).sum())
    total = float(((values - values.mean()) ** 2).sum())
    if total <= 0 or k < 2 or n <= k:
        return None
    sums = np.bincount(groups, weights=values)
    present = counts > 0
    means = sums[present] / counts[present]
    between = float((counts[present] * (means - values.mean()) ** 2).sum())
    eta2 = min(1.0, between / total)
    adjusted = 1.0 - (1.0 - eta2) * (n - 1) / (n - k)
    return float(np.sqrt(max(0.0, adjusted)))


def contingency(a: IntArray, b: IntArray) -> FloatArray:
    """The contingency table of two code arrays, empty rows and columns dropped."""
    ka, kb = int(a.max()) + 1, int(b.max()) + 1
    table = np.bincount(a * kb + b, minlength=ka * kb).reshape(ka, kb).astype(np.float64)
    return np.asarray(table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0], dtype=np.float64)


def cramers_v(a: IntArray, b: IntArray) -> float | None:
    """Bias-corrected Cramér's V (Bergsma 2013) of two categorical code arrays."""
    n = len(a)
    if n < 3:
        return None
    table = contingency(a, b)
    r, k = table.shape
    if r < 2 or k < 2:
        return None
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    phi2 = float(((table - expected) ** 2 / expected).sum()) / n
    phi2c = max(0.0, phi2 - (k - 1) * (r - 1) / (n - 1))
    rc, kc = r - (r - 1) ** 2 / (n - 1), k - (k - 1) ** 2 / (n - 1)
    denom = min(kc - 1, rc - 1)
    return None if denom <= 0 else float(min(1.0, np.sqrt(phi2c / denom)))


def auc(x: FloatArray, positive: npt.NDArray[np.bool_]) -> float | None:
    """ROC AUC of ``x`` as a score for the positive class, folded so that 0.5 is no signal and 1 is perfect."""
    n1 = int(positive.sum())
    n0 = len(x) - n1
    if n1 == 0 or n0 == 0:
        return None
    r = ranks(x)
    value = (float(r[positive].sum()) - n1 * (n1 + 1) / 2) / (n1 * n0)
    return max(value, 1.0 - value)


def one_feature_score(x: FloatArray, y: FloatArray, discrete: bool, n_classes: int) -> tuple[str, float] | None:
    """Held-out skill of a model that sees only ``x`` (fit on even rows, scored on odd; rows are in random order):
    a lookup table of the values when discrete, else a decision tree of at most 64 leaves (it finds the thresholds
    that cut the target apart). (what was measured, e.g. ``"balanced accuracy 0.997"``, its skill normalised to
    [0, 1]): balanced accuracy rescaled so that chance is 0 (classes), or sqrt(R²) (a correlation's scale)."""
    x_train, x_test, y_train, y_test = x[::2], x[1::2], y[::2], y[1::2]
    if len(x_test) < 10:
        return None
    classification = n_classes > 0
    if discrete:
        codes = np.asarray(pd.factorize(x)[0], dtype=np.int64)
        train, test = codes[::2], codes[1::2]
        n_codes = int(codes.max()) + 1
        counts = np.bincount(train, minlength=n_codes).astype(np.float64)
        if classification:
            yi = y_train.astype(np.int64)
            k = int(y.max()) + 1
            table = np.bincount(train * k + yi, minlength=n_codes * k).reshape(n_codes, k)
            predicted = np.where(counts > 0, table.argmax(axis=1), np.bincount(yi, minlength=k).argmax())[test]
        else:
            sums = np.bincount(train, weights=y_train, minlength=n_codes)
            predicted = np.where(counts > 0, sums / np.maximum(counts, 1), y_train.mean())[test]
    else:
        from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

        tree = DecisionTreeClassifier if classification else DecisionTreeRegressor
        model = tree(max_leaf_nodes=64, random_state=0).fit(x_train.reshape(-1, 1), y_train)
        predicted = model.predict(x_test.reshape(-1, 1))
    if classification:
        truth = y_test.astype(np.int64)
        present = np.unique(truth)
        balanced = float(np.mean([(predicted[truth == c] == c).mean() for c in present]))
        chance = 1.0 / max(2, len(np.unique(y)))
        return f"one-feature balanced accuracy {balanced:.3f}", max(0.0, (balanced - chance) / (1.0 - chance))
    total = float(((y_test - y_test.mean()) ** 2).sum())
    if total <= 0:
        return None
    r2 = 1.0 - float(((y_test - predicted) ** 2).sum()) / total
    return f"one-feature R² {r2:.3f}", float(np.sqrt(max(0.0, r2)))


def mutual_info(
    x: FloatArray, y: FloatArray, *, classification: bool, discrete: bool, n_classes: int, random_state: int
) -> float:
    """Mutual information (nats) by sklearn's estimators; a discrete feature against a class target gets the
    Miller-Madow correction, so many-level categoricals do not look informative by chance."""
    from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

    n = len(x)
    if n < 10:
        return 0.0
    if discrete:  # at most one level per 20 rows (the rarer ones pooled): less bias, and far faster for many levels
        levels, codes, counts = np.unique(x, return_inverse=True, return_counts=True)
        keep = max(2, n // 20)
        if len(levels) > keep:
            rank = np.empty(len(levels), dtype=np.int64)
            rank[np.argsort(-counts, kind="stable")] = np.arange(len(levels))
            x = np.minimum(rank[codes], keep - 1).astype(np.float64)
    xs = x.reshape(-1, 1)
    mask = np.array([discrete])
    if classification:
        mi = float(mutual_info_classif(xs, y.astype(np.int64), discrete_features=mask, random_state=random_state)[0])
        if discrete:
            mi -= (len(np.unique(x)) - 1) * (n_classes - 1) / (2 * n)
    else:
        mi = float(mutual_info_regression(xs, y, discrete_features=mask, random_state=random_state)[0])
    return max(0.0, mi)


# --- per-unit evidence and redundancy ----------------------------------------------------------------------------

#: Leakage: one column alone nearly determines the target. Every measure is first put on one scale, a normalised
#: association in [0, 1] (0: nothing, 1: the column determines the target), and one threshold applies to all of them.
LEAK_ASSOCIATION = 0.98
REDUNDANT_R = 0.95


@dataclass
class Evidence:
    """Everything measured about one unit; ``score`` is filled in by the combination step."""

    pearson: float | None = None
    spearman: float | None = None
    eta: float | None = None
    cramers_v: float | None = None
    mi: float = 0.0
    assoc: float = 0.0
    perm: float | None = None
    perm_std: float | None = None
    leak: tuple[str, float] | None = None  # (what was measured, normalised association) when it nearly determines y
    score: float = 0.0


def entropy(y: FloatArray) -> float:
    """The entropy (nats) of class codes."""
    p = np.bincount(y.astype(np.int64)) / len(y)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def univariate(u: Unit, kind: str, x: FloatArray, y: FloatArray, n_classes: int, random_state: int) -> Evidence:
    """The univariate evidence of one unit on its non-missing rows (``n_classes`` 0: a regression target).

    Leakage is one rule whatever the kinds of the column and the target: every measure that applies is put on the
    scale of a normalised association in [0, 1] (1: the column alone determines the target), and the strongest
    above :data:`LEAK_ASSOCIATION` flags the column. The measures: |Pearson r| and |Spearman rho| (numeric or
    binary target), the correlation ratio eta (numeric column and class target, categorical column and numeric
    target), Cramér's V (categorical or boolean column and class target), 2 AUC - 1 (binary target), mutual
    information (as a share of the target's entropy for classes; as Linfoot's sqrt(1 - exp(-2 MI)) for a numeric
    target, |r| for a Gaussian pair), and the held-out skill of a one-feature model (:func:`one_feature_score`).
    """
    ev = Evidence()
    present = ~np.isnan(x)
    x, y = x[present], y[present]
    if len(x) < 10 or np.all(x == x[0]):
        return ev
    classification, binary = n_classes > 0, n_classes == 2
    measures: list[tuple[str, float]] = []  # (what was measured, normalised association in [0, 1])
    if u.categorical:
        if classification:
            ev.cramers_v = cramers_v(x.astype(np.int64), y.astype(np.int64))
        else:
            ev.eta = correlation_ratio(x.astype(np.int64), y)
        ev.assoc = (ev.cramers_v if classification else ev.eta) or 0.0
    else:
        if binary or not classification:
            ev.pearson = pearson(x, y)
            ev.spearman = pearson(ranks(x), ranks(y))
            ev.assoc = max(abs(ev.pearson or 0.0), abs(ev.spearman or 0.0))
            r, rho = abs(ev.pearson or 0.0), abs(ev.spearman or 0.0)
            measures += [(f"|Pearson r| {r:.3f}", r), (f"|Spearman rho| {rho:.3f}", rho)]
        else:
            ev.eta = correlation_ratio(y.astype(np.int64), x)
            ev.assoc = ev.eta or 0.0
        if binary:
            area = auc(x, y == 1) or 0.5
            measures.append((f"AUC {area:.3f}", 2 * area - 1))
        if kind == "boolean" and classification:
            ev.cramers_v = cramers_v(x.astype(np.int64), y.astype(np.int64))
            ev.assoc = max(ev.assoc, ev.cramers_v or 0.0)
    if ev.eta is not None:
        measures.append((f"correlation ratio {ev.eta:.3f}", ev.eta))
    if ev.cramers_v is not None:
        measures.append((f"Cramér's V {ev.cramers_v:.3f}", ev.cramers_v))
    ev.mi = mutual_info(
        x, y, classification=classification, discrete=u.discrete, n_classes=n_classes, random_state=random_state
    )
    if classification:
        h = entropy(y)
        measures.append((f"mutual information {ev.mi:.3f} nats", min(1.0, ev.mi / h) if h > 0 else 0.0))
    else:
        measures.append((f"mutual information {ev.mi:.3f} nats", float(np.sqrt(1.0 - np.exp(-2.0 * ev.mi)))))
    one = one_feature_score(x, y, u.discrete, n_classes)
    if one is not None:
        measures.append(one)
    leaks = [(what, value) for what, value in measures if value > LEAK_ASSOCIATION]
    ev.leak = max(leaks, key=lambda mv: mv[1]) if leaks else None
    return ev


def univariate_all(
    columns: list[Column], y: FloatArray, n_classes: int, random_state: int, *, max_rows: int, deadline: float,
    elapsed: Callable[[], float], report: Callable[[float], None],
) -> tuple[dict[str, Evidence], int, bool]:  # fmt: skip
    """Evidence for every unit on up to ``max_rows`` rows; fewer when the statistics (timed on up to 5,000 rows
    of a continuous unit) would not be done by ``deadline`` (in ``elapsed()`` seconds), and fewer still for the
    remaining units when the machine turns out slower than planned half-way. (evidence, rows planned, rows cut)"""
    units = [(c.kind, u) for c in columns for u in c.units]
    kind, probe = next(((k, u) for k, u in units if not u.discrete), units[0])
    m = min(len(y), 5000)
    t = time.perf_counter()
    univariate(probe, kind, probe.values[:m], y[:m], n_classes, random_state)
    per_row = (time.perf_counter() - t) / m * len(units) * 1.3
    n = rows = min(len(y), max_rows)
    affordable = int((deadline - elapsed()) / max(per_row, 1e-12))
    cut = affordable < n
    if cut:
        n = rows = max(min(n, 500), affordable)
    evid: dict[str, Evidence] = {}
    started, done = elapsed(), 0
    for i, (kind, u) in enumerate(units):
        if done:
            fits = int((deadline - elapsed()) / ((elapsed() - started) / done * (len(units) - i)))
            if fits < 0.8 * rows and rows > 500:
                cut, rows = True, max(500, fits)
        evid[u.name] = univariate(u, kind, u.values[:rows], y[:rows], n_classes, random_state)
        done += rows
        report((i + 1) / len(units))
    return evid, n, cut


def redundant_columns(
    cols: list[Column], evid: dict[str, Evidence], raw: dict[str, pd.Series[Any]], n: int
) -> dict[str, tuple[str, float, str]]:
    """Redundant columns -> (twin, value, how).

    Greedily, in order of univariate strength (MI plus association), a column is redundant when a column already
    kept is its twin: |Pearson r| > 0.95 between numeric/boolean columns (on up to 20,000 rows), or a categorical
    identical up to relabelling (``raw``: the categoricals' whole columns; the sampled rows come first in ``n``).
    """
    order = sorted(cols, key=lambda c: -(evid[c.units[0].name].mi + evid[c.units[0].name].assoc))
    numeric = [c for c in order if c.kind in ("numeric", "boolean")]
    index = {c.name: i for i, c in enumerate(numeric)}
    corr: FloatArray = np.zeros((0, 0))
    if len(numeric) > 1:
        block = np.column_stack([c.units[0].values[: min(n, 20_000)] for c in numeric])
        if np.isnan(block).any():
            corr = np.abs(pd.DataFrame(block).corr(min_periods=30).to_numpy())
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                corr = np.abs(np.corrcoef(block, rowvar=False))
    keys = {c.name: _partition(c.units[0].values[:n]).tobytes() for c in order if c.kind == "categorical"}
    kept: list[Column] = []
    out: dict[str, tuple[str, float, str]] = {}
    for c in order:
        for k in kept:
            if c.name in index and k.name in index:
                r = float(np.nan_to_num(corr[index[c.name], index[k.name]]))
                if r > REDUNDANT_R:
                    out[c.name] = (k.name, r, f"|Pearson r| = {r:.3f}")
                    break
            elif c.name in keys and keys.get(k.name) == keys[c.name] and _same_partition(raw[c.name], raw[k.name]):
                out[c.name] = (k.name, 1.0, "identical up to relabelling")
                break
        else:
            kept.append(c)
    return out


def _partition(values: FloatArray) -> IntArray:
    return np.asarray(pd.factorize(values, use_na_sentinel=True)[0], dtype=np.int64)


def _same_partition(a: pd.Series[Any], b: pd.Series[Any]) -> bool:
    def codes(s: pd.Series[Any]) -> IntArray:
        return np.asarray(pd.factorize(_hashable(s))[0], dtype=np.int64)

    return bool(np.array_equal(codes(a), codes(b)))
