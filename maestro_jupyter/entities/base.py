"""The base classes of Maestro's results: they display themselves in a notebook and print readably."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from . import display


class _Displayable(BaseModel):
    def _repr_html_(self) -> str:
        return display.to_html(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """HTML where the front end renders it, and the same content as text (VS Code, Notebook 7, terminals)."""
        return display.mimebundle(self)

    def __str__(self) -> str:
        return display.to_text(self)


class _Page(_Displayable):
    """A page of results that iterates, indexes and counts like the list it holds."""

    def _items(self) -> list[Any]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())

    def __getitem__(self, index: int) -> Any:
        return self._items()[index]
