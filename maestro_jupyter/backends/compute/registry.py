"""Which class a compute backend's name (``MAESTRO_COMPUTE``) stands for.

Two sources fill the registry: the built-in backends, and the entry points of the group
``maestro_jupyter.compute_backends`` that installed packages declare, e.g. in a plugin's ``pyproject.toml``::

    [project.entry-points."maestro_jupyter.compute_backends"]
    inline = "maestro_test_plugin.compute:InlineCompute"

Both are resolved only when a backend is asked for: the built-ins are import paths (naming ``kubernetes`` must not
import the kubernetes client, which is slow to import and only needed on a cluster) and an entry point is loaded
only once its name is picked. A plugin cannot take a built-in's name; to replace a built-in, set the server's
``c.Maestro.compute_backend_class`` (or pass ``backend_class`` to :func:`~maestro_jupyter.backends.compute.
open_backend`).
"""

from __future__ import annotations

import importlib
import logging
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from ...errors import BackendUnavailable, InvalidParameter, MaestroError, first_line

if TYPE_CHECKING:
    from .base import ComputeBackend

log = logging.getLogger(__name__)

#: The entry-point group a package declares its compute backends in (name -> ``module:Class``).
ENTRY_POINT_GROUP = "maestro_jupyter.compute_backends"

#: The backends that ship with Maestro, by import path.
BUILTIN_BACKENDS: dict[str, str] = {
    "local": "maestro_jupyter.backends.compute.local:LocalCompute",
    "kubernetes": "maestro_jupyter.backends.compute.kubernetes:KubernetesCompute",
}


@cache
def _plugins() -> dict[str, EntryPoint]:
    """The installed packages' backends by name; read once per process (see :func:`refresh`)."""
    found: dict[str, EntryPoint] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        taken = BUILTIN_BACKENDS.get(point.name) or (found[point.name].value if point.name in found else None)
        if taken is not None:
            log.warning("Ignoring compute backend %s = %s: %s has that name", point.name, point.value, taken)
        else:
            found[point.name] = point
    return found


def refresh() -> None:
    """Read the entry points again, e.g. after a plugin was installed or removed in this process."""
    importlib.invalidate_caches()
    _plugins.cache_clear()


def backend_names() -> list[str]:
    """Every registered backend's name, sorted."""
    return sorted({*BUILTIN_BACKENDS, *_plugins()})


def backend_class(name: str) -> type[ComputeBackend]:
    """The class registered as ``name``, imported now.

    Raises ``InvalidParameter`` for a name nothing registered (the message lists those that are),
    ``BackendUnavailable`` when the backend's module cannot be imported (a plugin or a client library missing or
    broken), and ``MaestroError`` when what it names is not a :class:`~.base.ComputeBackend`.
    """
    from .base import ComputeBackend

    builtin = BUILTIN_BACKENDS.get(name)
    point = EntryPoint(name, builtin, ENTRY_POINT_GROUP) if builtin else _plugins().get(name)
    if point is None:
        raise InvalidParameter(f"Unknown compute backend {name!r}; registered: {', '.join(backend_names())}")
    try:
        found = point.load()
    except Exception as exc:  # an ImportError, or whatever a plugin's module raises when imported
        raise BackendUnavailable(
            f"The compute backend {name!r} ({point.value}) cannot be loaded: {type(exc).__name__}: {first_line(exc)}"
        ) from exc
    if not (isinstance(found, type) and issubclass(found, ComputeBackend)):
        raise MaestroError(
            f"The compute backend {name!r} ({point.value}) is not a ComputeBackend subclass "
            "(see maestro_jupyter/backends/compute/base.py)"
        )
    return found
