"""The HTML rendering of a test report (a Jinja2 template next to this module)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .policy import CATEGORIES
from .report import format_value

if TYPE_CHECKING:
    from jinja2 import Template

    from .report import TestReport

#: The built-in categories' titles, for reports recorded before checks carried their family's label.
CATEGORY_TITLES = {
    "contract": "Data contract",
    "performance": "Performance",
    "latency": "Latency",
    "fairness": "Fairness",
    "robustness": "Robustness",
}


@lru_cache(maxsize=1)
def _template() -> Template:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("maestro_jupyter.analysis.modeltests", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = format_value
    return env.get_template("report.html.j2")


def render_html(report: TestReport, standalone: bool = True) -> str:
    groups: list[dict[str, Any]] = []
    order = [*CATEGORIES, *sorted({c.category for c in report.checks} - set(CATEGORIES))]
    for category in order:
        checks = [c for c in report.checks if c.category == category]
        if checks:
            label = next((c.label for c in checks if c.label), None)
            groups.append({"title": label or CATEGORY_TITLES.get(category, category.title()), "checks": checks})
    return _template().render(report=report, groups=groups, standalone=standalone)
