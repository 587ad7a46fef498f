"""Benchmark: ``%maestro profile`` on a large frame against fg-data-profiling's default report on the same frame.

What is measured
----------------
A seeded ``--rows`` x 20 mixed frame (default 1,000,000 rows): 12 float columns, 5 string columns of 20 levels
(3 ``object``, 2 ``category``), 2 columns with 5% missing values (a rounded float and an ``object`` string), and a
datetime column. In one process, in this order:

1. ``summarize(df)``: Maestro's exact summary and warnings on every row.
2. The same on a copy whose float columns are rounded to 2 decimals: no column is unique any more, so the
   duplicate-row check cannot be skipped and hashes every row (the worst case for that check).
3. ``profile(df)``: the exact summary plus fg-data-profiling's minimal report on the default 100,000-row sample,
   as ``%maestro profile`` runs it (fg-data-profiling's import, about 2 s once per kernel, is timed separately).
4. The obvious alternative: fg-data-profiling's DEFAULT report on the full frame,
   ``ProfileReport(df).to_html()`` (may take minutes; ``--skip-baseline`` leaves it out), and the ratio.

Peak memory is the process's peak resident set size (``resource.getrusage``) after each step; it only grows, so
each step's figure includes the frame and everything before it.

Goal (from the issue): ``profile(df)`` on the 1,000,000-row frame under 20 s on 2 cores; ``summarize`` a few
seconds. The script prints PASS/MISS but always exits 0 on a completed run: it reports figures, it is not a test.

How to run
----------
``.venv/bin/python benchmarks/bench_profile.py`` (the full run, several minutes with the baseline); quick:
``--rows 100000``; ``--skip-baseline`` leaves fg-data-profiling's default report out.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for maestro_jupyter

from maestro_jupyter.analysis.profiling import profile, summarize

PROFILE_GOAL_S = 20.0
SUMMARY_GOAL_S = 5.0


def build_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    """The benchmark frame: 12 floats, 5 strings of 20 levels, 2 columns 5% missing, 1 datetime."""
    rng = np.random.default_rng(seed)
    data: dict[str, Any] = {f"num_{i:02d}": rng.normal(i, 1 + i, size=rows) for i in range(12)}
    levels = np.array([f"level_{j:02d}" for j in range(20)], dtype=object)
    for i in range(5):
        values = levels[rng.integers(0, 20, size=rows)]
        data[f"cat_{i}"] = pd.Categorical(values, categories=levels) if i >= 3 else values
    income = rng.lognormal(10, 0.5, size=rows).round(2)
    income[rng.random(rows) < 0.05] = np.nan
    data["income"] = income
    segment = levels[rng.integers(0, 20, size=rows)].copy()
    segment[rng.random(rows) < 0.05] = None
    data["segment"] = segment
    data["created"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 5 * 365 * 86400, rows), unit="s")
    return pd.DataFrame(data)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the frame (1,000,000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the frame (0)")
    parser.add_argument("--skip-baseline", action="store_true", help="leave out fg-data-profiling's default report")
    args = parser.parse_args(argv)
    if args.rows < 100:
        parser.error("--rows must be at least 100")

    print("Maestro profiling benchmark")
    print(
        f"  machine: {platform.machine()}, {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}); "
        f"Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}"
    )
    print(f"  load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    df, seconds = timed(build_frame, args.rows, args.seed)
    memory = df.memory_usage(deep=True).sum() / 2**20
    print(f"  frame: {len(df):,} rows x {df.shape[1]} columns, {memory:,.0f} MB deep, built in {seconds:.1f} s")
    print(f"  peak RSS after building the frame: {peak_rss_mb():,.0f} MB")
    print()

    summary, t_summary = timed(summarize, df)
    print(f"summarize(df):                      {t_summary:7.2f} s   peak RSS {peak_rss_mb():,.0f} MB")
    print(
        f"  {summary.rows:,} rows, {summary.missing_cells:,} missing cells, {summary.duplicate_rows:,} duplicate "
        f"rows, {len(summary.warnings)} warning(s)"
    )
    rounded = df.round({c: 2 for c in df.columns if c.startswith("num_")})
    worst, t_worst = timed(summarize, rounded)
    print(f"summarize(rounded floats):          {t_worst:7.2f} s   peak RSS {peak_rss_mb():,.0f} MB")
    print(f"  duplicate rows: {worst.duplicate_rows:,} (every row hashed)")
    del rounded

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, t_import = timed(__import__, "data_profiling")
    print(f"import data_profiling (once):       {t_import:7.2f} s")
    result, t_profile = timed(profile, df, progress=False)
    print(f"profile(df) summary + report:       {t_profile:7.2f} s   peak RSS {peak_rss_mb():,.0f} MB")
    print(
        f"  report on {result.report_rows:,} of {result.summary.rows:,} rows (minimal), "
        f"{len(result.report_html or '') / 2**20:.1f} MB of HTML"
    )
    print()
    print(f"Goal summarize under {SUMMARY_GOAL_S:.0f} s:  {verdict(t_summary < SUMMARY_GOAL_S)} ({t_summary:.2f} s)")
    print(f"Goal profile under {PROFILE_GOAL_S:.0f} s:   {verdict(t_profile < PROFILE_GOAL_S)} ({t_profile:.2f} s)")

    if args.skip_baseline:
        print("Baseline skipped (--skip-baseline).")
        return 0
    print()
    print("Baseline: fg-data-profiling's default report on the full frame, ProfileReport(df).to_html() ...", flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from data_profiling import ProfileReport

        page, t_base = timed(lambda: ProfileReport(df, progress_bar=False).to_html())
    print(f"ProfileReport(df).to_html():        {t_base:7.2f} s   peak RSS {peak_rss_mb():,.0f} MB")
    print(f"  {len(page) / 2**20:.1f} MB of HTML")
    print(f"Ratio baseline / profile(df):       {t_base / t_profile:7.1f}x")
    print(f"Ratio baseline / summarize(df):     {t_base / t_summary:7.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
