"""What every group of ``%maestro`` subcommands shares: the subcommand record, a collector per group, the argument
parser that reports errors as one line, and the helpers that read names from the notebook.

Group modules import this module and the SDK only; the dispatcher imports the groups (never the other way round),
so there is no import cycle.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

from IPython.core.error import UsageError

if TYPE_CHECKING:
    from ..sdk import MaestroClient


class MagicContext(Protocol):
    """What a subcommand may use of the magic: the kernel's SDK client and the IPython shell."""

    @property
    def client(self) -> MaestroClient: ...

    @property
    def shell(self) -> Any: ...


class HelpShown(Exception):
    """``-h`` printed a subcommand's help; nothing else to do."""


class Parser(argparse.ArgumentParser):
    """argparse that reports errors as a ``UsageError`` instead of exiting the kernel."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} -h)")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            print(message)
        raise HelpShown()


@dataclass(frozen=True)
class Subcommand:
    """``%maestro NAME``: ``configure`` adds its arguments; ``run`` returns what to show."""

    name: str
    summary: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[MagicContext, argparse.Namespace, str | None], Any]


class Subcommands:
    """The subcommands of one group, in the order they were declared."""

    def __init__(self) -> None:
        self._commands: dict[str, Subcommand] = {}

    def add(
        self, name: str, summary: str, configure: Callable[[argparse.ArgumentParser], None] = lambda p: None
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Declare ``%maestro NAME`` with the decorated function as its body."""

        def declare(run: Callable[..., Any]) -> Callable[..., Any]:
            self._commands[name] = Subcommand(name, summary, configure, run)
            return run

        return declare

    def __iter__(self) -> Iterator[Subcommand]:
        return iter(self._commands.values())


def data_source(magics: MagicContext, text: str) -> Any:
    """A name in the notebook's namespace, else a file path."""
    namespace = magics.shell.user_ns if magics.shell is not None else {}
    if text in namespace:
        return namespace[text]
    if os.path.splitext(text)[1].lower() in (".csv", ".tsv", ".parquet", ".pq") or os.path.exists(text):
        return text
    raise UsageError(f"No DataFrame named '{text}' in the notebook, and no file '{text}'")


def split_names(text: str | None) -> list[str] | None:
    return [part.strip() for part in text.split(",") if part.strip()] if text else None
