"""How numbers, money, times and sizes read in every result a person sees (magics, SDK results, their text/plain).

One module, so that the same quantity reads the same everywhere: metrics to four significant digits, money in
dollars with cents, durations in the largest useful units ("4.4 s", "3 min 12 s"), times relative to now
("2 min ago") with the absolute UTC time beside them where there is room, sizes in binary units ("1.2 MB"), counts
with thousands separators. Pure standard library: imported by :mod:`.display`, which the entities import.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
import re
import time
from typing import Any

#: Significant digits of a metric or any other measured float.
SIGNIFICANT = 4


def number(value: Any, digits: int = SIGNIFICANT) -> str:
    """A number as a person reads it: floats to ``digits`` significant digits, trailing zeros kept so a column's
    values line up (``0.9580``, ``0.9674``), thousands separated (``45,860``); integers with separators; ``None``
    as an empty string; anything else as its text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value == 0:
            return "0"
        magnitude = math.floor(math.log10(abs(value)))
        if magnitude >= digits - 1:  # 1234.5 -> "1,235"; 45859.8 -> "45,860": no decimals left to show
            return f"{round(value, digits - 1 - magnitude):,.0f}"
        if magnitude < -4:  # 0.0000123 -> "1.230e-05"
            return f"{value:.{digits - 1}e}"
        return f"{value:#.{digits}g}".rstrip(".")
    return str(value)


def count(value: int | None, noun: str = "", plural: str | None = None) -> str:
    """``1,234 runs``; ``1 run``; the bare number without a noun."""
    if value is None:
        return ""
    if not noun:
        return f"{value:,}"
    return f"{value:,} {noun if value == 1 else (plural or noun + 's')}"


def money(amount: float | None, *, rate: bool = False) -> str:
    """``$1,234.56``; amounts under a cent but above zero read ``<$0.01``; ``None`` is empty. A ``rate`` (a price
    per hour) keeps the digits that matter below a dollar: ``$0.005``, ``$0.05``."""
    if amount is None:
        return ""
    if rate and 0 < abs(amount) < 1:
        digits = f"{abs(amount):.4g}"
        if len(digits.partition(".")[2]) < 2:
            digits = f"{abs(amount):.2f}"
        return f"${digits}" if amount > 0 else f"-${digits}"
    if 0 < abs(amount) < 0.005:
        return "<$0.01"
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


def percent(share: float | None, digits: int = 1) -> str:
    """A share of 1 as a percentage: ``0.125`` -> ``12.5%``."""
    return "" if share is None else f"{share * 100:.{digits}f}%"


def duration(seconds: float | None, *, coarse: bool = False) -> str:
    """``0.50 s``, ``4.4 s``, ``3 min 12 s``, ``2 h 05 min``, ``3 d 4 h``; ``None`` is empty. ``coarse`` (for a
    time still running, in a summary) drops the seconds past a minute: ``3 min``."""
    if seconds is None:
        return ""
    if seconds < 0:
        return "-" + duration(-seconds, coarse=coarse)
    if coarse and seconds >= 60:
        seconds = 60 * (seconds // 60)
    if seconds < 1:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def size(n_bytes: float | None) -> str:
    """Bytes in binary units, as file managers show them: ``512 B``, ``1.2 KB``, ``3.4 MB``, ``1.0 GB``."""
    if n_bytes is None:
        return ""
    value = float(n_bytes)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(value) < 1024 or unit == "TB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return ""  # pragma: no cover - the loop always returns


def _epoch_seconds(when: float | int | str | _dt.datetime | None, *, ms: bool = False) -> float | None:
    if when is None or when == "" or (isinstance(when, int | float) and when <= 0):
        return None
    if isinstance(when, _dt.datetime):
        return (when if when.tzinfo else when.replace(tzinfo=_dt.UTC)).timestamp()
    if isinstance(when, str):
        try:
            parsed = _dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError:
            return None
        return _epoch_seconds(parsed)
    return float(when) / 1000 if ms else float(when)


def relative(when: float | int | str | _dt.datetime | None, *, ms: bool = False, now: float | None = None) -> str:
    """How long ago (or from now): ``just now``, ``2 min ago``, ``3 h ago``, ``yesterday``, ``5 days ago``, ``in
    4 days``; a date (``2026-11-02``) past a month. ``when`` is epoch seconds (``ms=True``: milliseconds), an ISO
    8601 string or a datetime."""
    at = _epoch_seconds(when, ms=ms)
    if at is None:
        return ""
    delta = (time.time() if now is None else now) - at
    ahead, delta = delta < 0, abs(delta)
    if delta < 45:
        return "just now"
    if delta < 3600:
        text = f"{round(delta / 60)} min"
    elif delta < 86400:
        text = f"{round(delta / 3600)} h"
    elif delta < 2 * 86400 and not ahead:
        return "yesterday"
    elif delta < 31 * 86400:
        text = f"{round(delta / 86400)} days"
    else:
        return absolute(at)[:10]
    return f"in {text}" if ahead else f"{text} ago"


def absolute(when: float | int | str | _dt.datetime | None, *, ms: bool = False) -> str:
    """``2026-12-05 02:09 UTC``."""
    at = _epoch_seconds(when, ms=ms)
    if at is None:
        return ""
    return _dt.datetime.fromtimestamp(at, tz=_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def when(value: float | int | str | _dt.datetime | None, *, ms: bool = False, now: float | None = None) -> str:
    """Relative, then absolute: ``2 min ago (2026-12-05 02:09 UTC)``; empty for ``None``."""
    rel = relative(value, ms=ms, now=now)
    return f"{rel} ({absolute(value, ms=ms)})" if rel else ""


def short_id(text: str | None, keep: int = 8) -> str:
    """A long hex id (an MLflow run id) cut to ``keep`` characters and an ellipsis; short ids stay whole."""
    if not text:
        return ""
    return text if len(text) <= keep + 2 else text[:keep] + "…"


def html_text(value: Any) -> str:
    """Text for HTML: escaped, and with every dollar sign as ``&#36;`` so that no pair of them is typeset as math
    (JupyterLab runs MathJax over HTML and Markdown output: "$1.32 per day; $5.00" would become an equation)."""
    return "" if value is None else html.escape(str(value)).replace("$", "&#36;")


#: What a formatted number looks like: a sign or bound, a currency, digits with separators and decimals, an
#: exponent, a unit; or two of those (a duration "3 min 12 s", a ratio "1/2").
_NUMERIC = re.compile(
    r"^(?:[<>≈~]\s?)?[-+]?\$?-?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?"
    r"(?:\s?(?:%|s|ms|min|h|d|B|KB|MB|GB|TB|x))?"
    r"(?:(?:\s|/)\d[\d,]*(?:\.\d+)?(?:\s?(?:%|s|ms|min|h|d))?)?$"
)


def is_numeric(value: Any) -> bool:
    """Whether a cell holds a number (a Python number, or text formatted by this module as one): it is
    right-aligned in tables."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and bool(_NUMERIC.match(value.strip()))
