"""The profiling report comes from the maintained library: fg-data-profiling, imported as ``data_profiling``.

ydata-profiling announced it will no longer be updated; its authors continue it as fg-data-profiling, which keeps a
deprecated ``ydata_profiling`` alias. Maestro must use the maintained import, never the alias.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

PROBE = """
import json, sys, warnings
import pandas as pd
from maestro_jupyter.analysis.profiling import render_report
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    page = render_report(pd.DataFrame({"a": [1, 2, 3, 4], "b": ["x", "y", "x", "z"]}), title="t", progress=False)
print(json.dumps({
    "modules": [m for m in ("data_profiling", "ydata_profiling") if m in sys.modules],
    "page": "<html" in page.lower() and "Overview" in page,
    "deprecations": [str(w.message) for w in caught if "ydata_profiling" in str(w.message)],
}))
"""


def test_the_report_uses_fg_data_profiling_not_the_deprecated_alias():
    # A fresh interpreter: which modules the report imports is what is checked.
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=300)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["page"]
    assert found["modules"] == ["data_profiling"]
    assert found["deprecations"] == []
    major, minor = (int(x) for x in metadata.version("fg-data-profiling").split(".")[:2])
    assert (major, minor) >= (4, 20)
