"""The sidebar's TypeScript types are the served contract's: the checked-in ``labextension/openapi.json`` is the
document the server serves, and ``labextension/src/api/schema.ts`` is what the generator (openapi-typescript, run by
``jlpm gen:api``) makes of it. Either drifting fails with the command that regenerates both."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

LABEXTENSION = Path(__file__).resolve().parents[2] / "labextension"
DOCUMENT = LABEXTENSION / "openapi.json"
SCHEMA = LABEXTENSION / "src" / "api" / "schema.ts"
GENERATOR = LABEXTENSION / "node_modules" / ".bin" / "openapi-typescript"
REGENERATE = "make api-types"

pytestmark = pytest.mark.skipif(
    not GENERATOR.exists(), reason="labextension/node_modules is absent (no openapi-typescript): run `make install`"
)


def generator_arguments(document: Path, output: Path) -> list[str]:
    """The arguments of ``jlpm gen:api`` (package.json holds the generator's options once), on other files."""
    script = json.loads((LABEXTENSION / "package.json").read_text())["scripts"]["gen:api"].split()
    assert script[0] == "openapi-typescript", script
    assert "openapi.json" in script, script
    assert "src/api/schema.ts" in script, script
    paths = {"openapi.json": str(document), "src/api/schema.ts": str(output)}
    return [paths.get(arg, arg) for arg in script[1:]]


async def test_checked_in_openapi_document_is_the_served_one(api):
    status, served = await api("GET", "openapi.json")
    assert status == 200
    checked_in = json.loads(DOCUMENT.read_text())
    assert checked_in == served, f"labextension/openapi.json differs from the served document: run `{REGENERATE}`"


async def test_checked_in_types_are_generated_from_the_served_document(api, tmp_path):
    _, served = await api("GET", "openapi.json")
    document, output = tmp_path / "openapi.json", tmp_path / "schema.ts"
    document.write_text(json.dumps(served, indent=2))
    node = shutil.which("node")
    assert node, "node is not on PATH"
    subprocess.run(
        [node, str(GENERATOR), *generator_arguments(document, output)],
        cwd=LABEXTENSION,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert output.read_text() == SCHEMA.read_text(), (
        f"labextension/src/api/schema.ts is not what openapi-typescript makes of the served document: "
        f"run `{REGENERATE}`"
    )
