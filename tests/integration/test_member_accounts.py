"""On a team's machine whose Maestro service runs as root (``MAESTRO_OS_ACCOUNT``), a member's job runs under the
member's own OS account: it cannot read what the service keeps (the launch file with the DB's URL), and its files
are its own. Needs root and a Python every account can run (``make`` picks one as root); skipped otherwise."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from maestro_jupyter.backends.compute.accounts import member_account, open_path
from maestro_jupyter.contract.base import Actor
from maestro_jupyter.contract.training import GetJob, GetJobLogs, SubmitJob
from maestro_jupyter.entities import JOB_FINAL
from maestro_jupyter.errors import Conflict
from maestro_jupyter.services import Services
from maestro_jupyter.settings import Settings
from tests.compute_helpers import poll, stop_everything_of

MEMBER = "acct-test"
ACCOUNT = f"maestro-{MEMBER}"
ACTOR = Actor(MEMBER, projects=("p",), default_project="p")
#: The job reports who it runs as, and whether it can read the service's launch file beside its code.
WHO_AM_I = """
import os, pathlib
launch = pathlib.Path(os.environ["MAESTRO_JOB_DIR"]) / "launch.json"
try:
    launch.read_text()
    readable = "readable"
except PermissionError:
    readable = "refused"
print("UID", os.getuid(), "HOME", os.environ["HOME"], "LAUNCH", readable, "CWD-OWNER", os.stat(".").st_uid)
"""


def _runs_for_others() -> bool:
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return False
    probe = ["runuser", "-u", "nobody", "--", sys.executable, "-c", "import maestro_jupyter"]
    return subprocess.run(probe, capture_output=True, cwd="/", check=False).returncode == 0


pytestmark = pytest.mark.skipif(
    not _runs_for_others(), reason="needs root and a Python (and this checkout) other accounts can run"
)


@pytest.fixture
def team() -> Iterator[Services]:
    """The services of a team, their home in a folder other accounts may pass through (pytest's is closed)."""
    try:
        pwd.getpwnam(ACCOUNT)
    except KeyError:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", ACCOUNT], check=True)
    root = Path(tempfile.mkdtemp(prefix="maestro-accounts-"))
    root.chmod(0o711)
    env = {"MAESTRO_TEAM": "1", "MAESTRO_OS_ACCOUNT": "maestro-{user}", "MAESTRO_COMPUTE": "local"}
    services = Services(Settings.from_env(env, home=str(root / "home")))
    try:
        yield services
    finally:
        stop_everything_of(services)
        shutil.rmtree(root, ignore_errors=True)


def test_a_members_job_runs_as_their_account_and_cannot_read_the_services_files(team: Services):
    job = team.execute(SubmitJob(source=WHO_AM_I, name="who-am-i"), ACTOR)
    done = poll(lambda: (j := team.execute(GetJob(job_id=job.id), ACTOR)).status in JOB_FINAL and j, "the job to end")
    text = team.execute(GetJobLogs(job_id=job.id), ACTOR).text
    assert done.status == "succeeded", text
    entry = pwd.getpwnam(ACCOUNT)
    assert f"UID {entry.pw_uid} HOME {entry.pw_dir} LAUNCH refused CWD-OWNER {entry.pw_uid}" in text


def test_no_account_no_job_and_paths_open_only_below_the_home(team: Services, tmp_path: Path):
    with pytest.raises(Conflict, match="nobody-here has no OS account"):
        member_account(team.settings, "nobody-here")
    with pytest.raises(ValueError, match="is not under"):
        open_path(tmp_path, team.settings.home)
