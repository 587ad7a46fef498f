"""Compute backends: where training jobs and deployments run. :func:`open_backend` picks one from the settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...settings import Settings
    from ..store import MaestroStore
    from .base import ComputeBackend


def open_backend(settings: Settings, store: MaestroStore) -> ComputeBackend:
    """The backend ``MAESTRO_COMPUTE`` names: ``local`` (processes on this machine) or ``kubernetes``."""
    if settings.compute == "kubernetes":
        from .kubernetes import KubernetesCompute

        return KubernetesCompute(settings)
    from .local import LocalCompute

    return LocalCompute(settings, store)
