"""Every operation of the contract by name: the request models, found in this package.

A wire names an operation by its request model's class name (``SetAlias``, ``SubmitJob``): the HTTP transport posts
to ``operations/{name}`` and the server parses the body with the class :func:`operations` gives for that name. A
request model is one that states its own :attr:`~.base.Request.operation`; its bases (``CardRequest``,
``DataRequest``) are not operations.

(:mod:`.registry` is the model registry's requests; this is the table of all of them.)
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil

from .base import Request


@functools.cache
def operations() -> dict[str, type[Request]]:
    """``{request class name: request class}`` for every operation, sorted by name. Imports the contract modules on
    the first call (they are light: results defined next to heavy code are :class:`~.base.Lazy`)."""
    package = importlib.import_module(__package__ or "maestro_jupyter.contract")
    found: dict[str, type[Request]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not (issubclass(cls, Request) and cls.__module__ == module.__name__ and "operation" in vars(cls)):
                continue
            name = cls.__name__
            if name in found and found[name] is not cls:
                raise TypeError(f"Two request models are named {name}: {found[name].__module__} and {cls.__module__}")
            found[name] = cls
    return dict(sorted(found.items()))
