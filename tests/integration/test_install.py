"""After install, Jupyter reports both halves of Maestro enabled and valid."""

from __future__ import annotations

import re
import subprocess
import sys


def jupyter(*args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "jupyter", *args], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)  # drop colour codes


def test_server_extension_is_enabled_and_ok():
    text = jupyter("server", "extension", "list")
    assert re.search(r"maestro_jupyter\s+enabled", text)
    assert re.search(r"maestro_jupyter\s+\S+\s+OK", text)


def test_lab_extension_is_enabled_and_ok():
    text = jupyter("labextension", "list")
    assert re.search(r"maestro-jupyter v\S+\s+enabled\s+OK", text)
