"""``%maestro`` / ``%%maestro``: one magic, many subcommands (``%maestro help`` lists them).

Each subcommand parses its arguments into a typed namespace and returns a display object; user errors (bad
arguments, unknown models, an unreachable tracking server) become one ``UsageError`` line, never a traceback.
The subcommands live in one module per group (:mod:`.registry`, :mod:`.runs`, :mod:`.data`, :mod:`.featurestore`,
:mod:`.cards`, :mod:`.tests`, :mod:`.compute`, :mod:`.costs`); :data:`GROUPS` lists them explicitly. They reach
Maestro only through the SDK (:mod:`maestro_jupyter.sdk`), built on first use.
"""

from __future__ import annotations

import difflib
import shlex
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class

from ..errors import MaestroError
from . import cards, compute, costs, data, featurestore, registry, runs, tests
from .base import HelpShown, Parser, Subcommand, Subcommands

if TYPE_CHECKING:
    from ..entities.display import Table
    from ..sdk import MaestroClient

_BUILTIN = Subcommands()

#: Every group of subcommands, in the order ``%maestro help`` lists them. A new group is one more entry here.
GROUPS: tuple[Subcommands, ...] = (
    _BUILTIN,
    registry.COMMANDS,
    runs.COMMANDS,
    data.COMMANDS,
    featurestore.COMMANDS,
    cards.COMMANDS,
    tests.COMMANDS,
    compute.COMMANDS,
    costs.COMMANDS,
)


def subcommands() -> dict[str, Subcommand]:
    """Every ``%maestro`` subcommand by name."""
    return {command.name: command for group in GROUPS for command in group}


@magics_class
class MaestroMagics(Magics):  # type: ignore[misc]
    """The ``%maestro`` magic."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self._client: MaestroClient | None = None
        self._commands = subcommands()

    @property
    def client(self) -> MaestroClient:
        """The kernel's SDK client, built from the environment on first use."""
        if self._client is None:
            from ..sdk import MaestroClient

            self._client = MaestroClient()
        return self._client

    @line_cell_magic  # type: ignore[misc]
    def maestro(self, line: str, cell: str | None = None) -> Any:
        """Maestro from a notebook: ``%maestro help`` lists the subcommands."""
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"%maestro: cannot parse the line ({exc})") from None
        name, args = (words[0], words[1:]) if words else ("help", [])
        sub = self._commands.get(name)
        if sub is None:
            close = difflib.get_close_matches(name, self._commands, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise UsageError(f"Unknown %maestro subcommand '{name}'.{hint} Try %maestro help.")
        parser = Parser(prog=f"%maestro {name}", description=sub.summary)
        sub.configure(parser)
        try:
            parsed = parser.parse_args(args)
            return sub.run(self, parsed, cell)
        except HelpShown:
            return None
        except MaestroError as exc:
            # One readable line: the kernel shows a UsageError without a traceback.
            raise UsageError(exc.message) from None


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics; point plain ``mlflow`` calls in this kernel at Maestro's store."""
    from ..sdk.kernel import prepare_kernel
    from ..sdk.progress import quiet_tqdm_auto

    prepare_kernel()
    quiet_tqdm_auto()
    ipython.register_magics(MaestroMagics)


@_BUILTIN.add("help", "List the %maestro subcommands")
def _help(magics: Any, args: Any, cell: str | None) -> Table:
    from ..entities.display import Table

    rows = [[f"%maestro {s.name}", s.summary] for s in subcommands().values()]
    return Table("Maestro — add -h to any subcommand for its options", ["command", "what it does"], rows)
