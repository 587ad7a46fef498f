"""Members' OS accounts: on a team's machine where the Maestro service runs as root, a member's job and model
servers run under the member's own account (``MAESTRO_OS_ACCOUNT``, e.g. ``maestro-{user}``, the account their
JupyterLab runs under), never the service's: the service's files and processes hold the team's keys, and a job or a
model runs the member's code.

What the member's code must reach (its script, a model's files) is opened to it here; nothing else of the service's
is.
"""

from __future__ import annotations

import os
import pwd
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import Conflict

if TYPE_CHECKING:
    from ...settings import Settings


@dataclass(frozen=True)
class MemberAccount:
    """The OS account a member's code runs under."""

    name: str
    uid: int
    gid: int
    home: str

    def popen(self) -> dict[str, Any]:
        """``subprocess.Popen`` arguments that start a process as this account, with none of root's groups."""
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


def member_account(settings: Settings, user: str) -> MemberAccount | None:
    """The account ``user``'s code runs under, or ``None`` (one person's Maestro, or no ``MAESTRO_OS_ACCOUNT``, or a
    service that is not root and so could not switch accounts anyway). A member without one yet is a ``Conflict``."""
    if not settings.team or not settings.os_account or os.geteuid() != 0:
        return None
    name = settings.os_account.replace("{user}", user)
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise Conflict(
            f"{user} has no OS account ({name}) on this machine yet: it is made when their JupyterLab first starts"
        ) from None
    if entry.pw_uid == 0:
        raise Conflict(f"The OS account {name} of {user} is root's: a member's code never runs as root")
    return MemberAccount(name, entry.pw_uid, entry.pw_gid, entry.pw_dir)


def open_path(path: Path, root: Path) -> None:
    """Let other accounts pass through (not list) every folder from ``path`` up to ``root``, both included, so that
    a member's process can reach what was opened to it below ``path``."""
    if not path.is_relative_to(root):
        raise ValueError(f"{path} is not under {root}")
    folder = path
    while True:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
        if folder == root:
            return
        folder = folder.parent


def give(path: Path, account: MemberAccount) -> None:
    """Make ``path`` (a file or a folder tree) the account's own."""
    for item in [path, *(path.rglob("*") if path.is_dir() else [])]:
        os.chown(item, account.uid, account.gid, follow_symlinks=False)
