"""The Maestro SDK: :class:`MaestroClient` and one module per resource API (``ml.models``, ``ml.training``, ...).

The resource APIs build a request model (:mod:`maestro_jupyter.contract`) from their keyword arguments and hand it
to a transport (:mod:`.transport`), which returns the result model or raises the typed error. This package is the
only thing the magics import; importing it is light (the client is loaded on first use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import MaestroClient

__all__ = ["MaestroClient"]


def __getattr__(name: str) -> Any:
    if name == "MaestroClient":
        from .client import MaestroClient

        return MaestroClient
    raise AttributeError(f"module 'maestro_jupyter.sdk' has no attribute {name!r}")
