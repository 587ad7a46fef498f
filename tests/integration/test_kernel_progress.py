"""In a real Jupyter kernel without ipywidgets: no ``TqdmWarning: IProgress not found`` box, and slow work shows one
progress output that updates in place (display_data, then update_display_data with the same display id)."""

from __future__ import annotations

import importlib.util
import os
import queue
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("ipywidgets") is not None, reason="ipywidgets is installed: tqdm's notebook bar is used"
)


@pytest.fixture
def kernel(tmp_path):
    env = {**os.environ, "MAESTRO_HOME": str(tmp_path / "home")}
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(tmp_path), env=env)
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run(client: Any, code: str, timeout: float = 300) -> list[dict[str, Any]]:
    """Execute ``code``; every iopub message it caused (output, errors, displays), in order."""
    msg_id = client.execute(code)
    messages = []
    while True:
        try:
            msg = client.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no answer from the kernel in {timeout} s to {code!r}")
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages
        messages.append(msg)


def stderr(messages: list[dict[str, Any]]) -> str:
    return "".join(
        m["content"]["text"] for m in messages if m["msg_type"] == "stream" and m["content"]["name"] == "stderr"
    )


def test_no_iprogress_warning_after_load_ext(kernel):
    out = run(kernel, "%load_ext maestro_jupyter")
    assert not [m for m in out if m["msg_type"] == "error"], out
    # What libraries do lazily (the profiling library, MLflow's artifact downloads): the choice is made, silently.
    out = run(kernel, "import tqdm.auto\nprint({c.__module__ for c in tqdm.auto.tqdm.__mro__} & {'tqdm.std'})")
    assert "IProgress" not in stderr(out)
    assert [m["content"]["text"].strip() for m in out if m["msg_type"] == "stream"] == ["{'tqdm.std'}"]


def test_slow_work_shows_one_progress_output_updated_in_place(kernel):
    run(kernel, "%load_ext maestro_jupyter")
    code = (
        "import time\n"
        "from maestro_jupyter.sdk.progress import Progress\n"
        "with Progress('Profiling wine', delay=0.2, interval=0.2) as p:\n"
        "    for i in range(4):\n"
        "        p.update(note=f'step {i}')\n"
        "        time.sleep(0.2)\n"  # the slow work itself, which the progress line reports on
    )
    out = run(kernel, code)
    assert "IProgress" not in stderr(out)
    displays = [m for m in out if m["msg_type"] in ("display_data", "update_display_data")]
    assert displays[0]["msg_type"] == "display_data"
    assert len(displays) >= 2
    assert all(m["msg_type"] == "update_display_data" for m in displays[1:])
    ids = {m["content"]["transient"]["display_id"] for m in displays}
    assert len(ids) == 1
    assert displays[0]["content"]["data"]["text/plain"].startswith("Profiling wine… · step")
    final = displays[-1]["content"]["data"]
    assert final["text/plain"].startswith("Profiling wine: done in ")
    assert "mathjax_ignore" in final["text/html"]
