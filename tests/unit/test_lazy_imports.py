"""Importing the package, loading the magics and loading the server extension module stay light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["mlflow", "sklearn", "data_profiling", "ydata_profiling", "kubernetes", "pandas", "fairlearn"]
HEAVY += ["altair", "vl_convert"]  # charts: their specs are plain dicts, the static fallback drawn when displayed
HEAVY += ["feast"]  # the feature store: ~3.5 s to import, only when a feature-store call runs

PROBE = """
import json, sys
{body}
print(json.dumps([m for m in {heavy} if m in sys.modules]))
"""


def heavy_modules_after(body: str) -> list[str]:
    code = PROBE.format(body=body, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "body",
    [
        "import maestro_jupyter",
        "from maestro_jupyter import MaestroClient; MaestroClient",
        "import maestro_jupyter; maestro_jupyter._jupyter_server_extension_points()",
        (
            "from IPython.core.interactiveshell import InteractiveShell\n"
            "InteractiveShell.instance().run_line_magic('load_ext', 'maestro_jupyter')"
        ),
    ],
)
def test_nothing_heavy_is_imported(body, tmp_path, monkeypatch):
    monkeypatch.setenv("MAESTRO_HOME", str(tmp_path))
    assert heavy_modules_after(body) == []


def test_the_client_is_built_without_opening_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("MAESTRO_HOME", str(tmp_path / "never"))
    assert heavy_modules_after("from maestro_jupyter import MaestroClient; MaestroClient()") == []
    assert not (tmp_path / "never").exists()
