"""The families of checks the test suite can run, by name: the built-ins and installed plugins' entry points.

A check family is a :class:`CheckFamily`: a ``name`` (what a policy's ``checks`` lists, and the ``category`` of the
checks it reports), a ``label`` (the heading the report and the sidebar show), an optional ``options_model`` (the
shape of its knobs, which a policy gives under its name) and :meth:`CheckFamily.run`, which takes the suite's
:class:`~.families.SuiteContext` and returns :class:`~.report.Check` objects. A package adds one with an entry point
in the group ``maestro_jupyter.model_checks``::

    [project.entry-points."maestro_jupyter.model_checks"]
    prediction_range = "maestro_test_plugin.checks:PredictionRange"

The built-ins run in a fixed order (contract, performance, fairness, robustness, latency: the order reports have
always had), plugins after them by name. Names are read from the installed packages' metadata without importing
anything; a family is imported when a policy names it.
"""

from __future__ import annotations

import importlib
import logging
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import first_line

if TYPE_CHECKING:
    from pydantic import BaseModel

    from .families import SuiteContext
    from .report import Check

log = logging.getLogger(__name__)

#: The entry-point group a package declares its check families in (name -> ``module:Class``).
ENTRY_POINT_GROUP = "maestro_jupyter.model_checks"

#: The families that ship with Maestro, in the order they run, by import path.
BUILTIN_FAMILIES: dict[str, str] = {
    "contract": "maestro_jupyter.analysis.modeltests.families:ContractChecks",
    "performance": "maestro_jupyter.analysis.modeltests.families:PerformanceChecks",
    "fairness": "maestro_jupyter.analysis.modeltests.families:FairnessChecks",
    "robustness": "maestro_jupyter.analysis.modeltests.families:RobustnessChecks",
    "latency": "maestro_jupyter.analysis.modeltests.families:LatencyChecks",
}


class CheckFamilyError(ValueError):
    """A family that is not registered, cannot be imported or is not a check family; the message says which."""


class CheckFamily:
    """A family of checks: subclass it, set ``name`` and ``label``, implement :meth:`run`.

    ``run`` must not raise for a model that does badly: that is a failed check. A family that raises anyway is
    reported as one failed check named after it (a broken check must not pass a gate). Keep it pure: the context
    holds the model, the data and the predictions already made; do not reach for MLflow or the network.
    """

    #: The family's name: what a policy's ``checks`` lists and the ``category`` of its checks. It must be the name
    #: the entry point registers.
    name: ClassVar[str] = ""
    #: What the report and the sidebar title its checks with, e.g. ``"Prediction range"``.
    label: ClassVar[str] = ""
    #: A pydantic model of the family's options, which a policy gives under the family's name
    #: (``prediction_range: {low: 0, high: 1}``): the policy is refused when they do not fit it, and :meth:`options`
    #: returns them validated. ``None``: the mapping is passed as given (``context.policy.family_options(name)``).
    options_model: ClassVar[type[BaseModel] | None] = None

    def run(self, context: SuiteContext) -> list[Check]:
        """The family's checks of the model under test (add what was measured to ``context.metrics``)."""
        raise NotImplementedError

    def options(self, context: SuiteContext) -> Any:
        """This family's options in the context's policy: an ``options_model`` (its defaults when the policy gives
        none), else the mapping as given."""
        given = context.policy.family_options(self.name)
        return given if self.options_model is None else self.options_model.model_validate(given)


@cache
def _plugins() -> dict[str, EntryPoint]:
    """The installed packages' families by name, sorted; read once per process (see :func:`refresh`)."""
    found: dict[str, EntryPoint] = {}
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        taken = BUILTIN_FAMILIES.get(point.name) or (found[point.name].value if point.name in found else None)
        if taken is not None:
            log.warning("Ignoring model check family %s = %s: %s has that name", point.name, point.value, taken)
        else:
            found[point.name] = point
    return found


@cache
def _loaded(name: str, value: str) -> CheckFamily:
    """The family ``value`` points to, imported and built once (keyed by its target too, so a refresh that points
    the name elsewhere is seen)."""
    try:
        found = EntryPoint(name, value, ENTRY_POINT_GROUP).load()
    except Exception as exc:  # an ImportError, or whatever a plugin's module raises when imported
        raise CheckFamilyError(
            f"The check family {name!r} ({value}) cannot be loaded: {type(exc).__name__}: {first_line(exc)}"
        ) from exc
    family = found() if isinstance(found, type) else found
    if not (isinstance(getattr(family, "label", None), str) and callable(getattr(family, "run", None))):
        raise CheckFamilyError(f"The check family {name!r} ({value}) has no label or no run(context) method")
    if getattr(family, "name", None) != name:
        raise CheckFamilyError(
            f"The check family {name!r} ({value}) is named {family.name!r}: set its name to the entry point's"
        )
    return family  # type: ignore[no-any-return]


def refresh() -> None:
    """Read the entry points again, e.g. after a plugin was installed or removed in this process."""
    importlib.invalidate_caches()
    _plugins.cache_clear()
    _loaded.cache_clear()


def family_names() -> list[str]:
    """Every registered family's name, in the order they run: the built-ins, then plugins by name."""
    return [*BUILTIN_FAMILIES, *_plugins()]


def builtin_names() -> list[str]:
    """The built-in families, in the order they run."""
    return list(BUILTIN_FAMILIES)


def get_family(name: str) -> CheckFamily:
    """The family registered as ``name``, imported now; ``CheckFamilyError`` for one that is not registered (the
    message lists those that are) or cannot be loaded."""
    value = BUILTIN_FAMILIES.get(name)
    if value is None:
        point = _plugins().get(name)
        if point is None:
            raise CheckFamilyError(f"Unknown check family {name!r}; registered: {', '.join(sorted(family_names()))}")
        value = point.value
    return _loaded(name, value)


def family_label(name: str) -> str | None:
    """The label of the family ``name``; ``None`` when no family by that name can be loaded."""
    try:
        return get_family(name).label
    except CheckFamilyError:
        return None
