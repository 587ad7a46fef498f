"""Compute backends: where training jobs and deployments run. :func:`open_backend` builds the one the settings name;
:mod:`.registry` says which class a name stands for (the built-ins and installed plugins' entry points)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...settings import Settings
    from ..store import MaestroStore
    from .base import ComputeBackend


def open_backend(
    settings: Settings, store: MaestroStore, backend_class: type[ComputeBackend] | None = None
) -> ComputeBackend:
    """The backend ``MAESTRO_COMPUTE`` names (``local``, ``kubernetes`` or a plugin's), built as
    ``cls(settings, store)``; ``backend_class``, when given, is built instead (the server's
    ``c.Maestro.compute_backend_class``).

    An unknown name raises ``InvalidParameter`` listing the registered ones: settings do not check the name (a plugin
    may be installed after they are read), so this is where a typo surfaces, on the first job or deployment request.
    """
    from .registry import backend_class as registered

    cls = backend_class if backend_class is not None else registered(settings.compute)
    return cls(settings, store)
