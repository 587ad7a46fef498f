"""Maestro for Jupyter: the ML platform inside JupyterLab.

One package, four faces: the ``MaestroClient`` SDK, the ``%maestro`` magics (``%load_ext maestro_jupyter``), a
Jupyter server extension (REST API under ``maestro/api/v1``) and a JupyterLab sidebar. Importing this package is
cheap: MLflow, scikit-learn and the server machinery load only when first needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    BackendUnavailable,
    Conflict,
    GateRefused,
    InvalidParameter,
    MaestroError,
    NotFound,
    PermissionDenied,
)

if TYPE_CHECKING:
    from .sdk import MaestroClient

__all__ = [
    "BackendUnavailable",
    "Conflict",
    "GateRefused",
    "InvalidParameter",
    "MaestroClient",
    "MaestroError",
    "NotFound",
    "PermissionDenied",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name == "MaestroClient":
        from .sdk import MaestroClient

        return MaestroClient
    raise AttributeError(f"module 'maestro_jupyter' has no attribute {name!r}")


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server.extension import Maestro

    return [{"module": "maestro_jupyter", "app": Maestro}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "maestro-jupyter"}]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext maestro_jupyter``: register ``%maestro`` / ``%%maestro``."""
    from .magics import load_ipython_extension as load

    load(ipython)
