"""Progress for work that takes more than a second (profiling, feature ranking, model tests, a card's PDF, a
deployment coming up, a training job), in a notebook with or without ipywidgets.

* With ipywidgets importable, tqdm's notebook bar (what users of tqdm know).
* Without it, a plain HTML line (text/plain beside it) that updates in place through IPython's
  ``display(..., display_id=True)`` and ``update``: no widget, so it renders in JupyterLab, Notebook 7 and VS Code
  alike, and never tqdm's ``TqdmWarning: IProgress not found`` box.
* Outside a kernel (a terminal IPython, a script, the tests), a line on stderr when it is a terminal; else nothing.

Nothing shows for work done within ``delay`` seconds (a cached profile answers at once). The line ends as "done in
4.4 s" and stays, so the notebook keeps how long the work took.
"""

from __future__ import annotations

import html
import importlib.util
import sys
import threading
import time
import warnings
from types import TracebackType
from typing import Any

from ..entities import formatting as fmt


def widgets_available() -> bool:
    """Whether ipywidgets can be imported (tqdm's notebook bar needs it)."""
    return importlib.util.find_spec("ipywidgets") is not None


def in_kernel() -> bool:
    """Whether this process is a Jupyter kernel with a front end to display to."""
    if "ipykernel.zmqshell" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def quiet_tqdm_auto() -> None:
    """Let ``tqdm.auto`` make its choice in this kernel without its warning.

    ``tqdm.auto`` picks the notebook bar in a kernel, and when ipywidgets is missing it emits ``TqdmWarning:
    IProgress not found`` (a red box in the notebook) and falls back to the console bar. Libraries import it lazily
    (the profiling library; MLflow when it downloads artifacts), so the box appears in the middle of someone's
    work. Importing it once here, with that one warning silenced, settles the choice for the process: later imports
    get the module as it is. With ipywidgets present, nothing is done (the notebook bar works)."""
    if widgets_available() or "tqdm.autonotebook" in sys.modules or importlib.util.find_spec("tqdm") is None:
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*IProgress not found.*")
        import tqdm.auto  # noqa: F401 - imported for its side effect: the choice of bar, made silently


class _Line:
    """The in-place progress line: HTML (theme colours) and text."""

    def __init__(self, text: str, fraction: float | None, done: bool) -> None:
        self.text, self.fraction, self.done = text, fraction, done

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bar = ""
        if self.fraction is not None and not self.done:
            pct = max(0.0, min(1.0, self.fraction)) * 100
            bar = (
                '<span style="display:inline-block;width:120px;height:8px;margin-right:8px;vertical-align:middle;'
                'border-radius:4px;background:var(--jp-layout-color3,rgba(127,127,127,.3))">'
                f'<span style="display:block;height:100%;width:{pct:.0f}%;border-radius:4px;'
                'background:var(--jp-brand-color1,#1976d2)"></span></span>'
            )
        colour = "var(--jp-content-font-color2,inherit)" if self.done else "var(--jp-content-font-color1,inherit)"
        text = html.escape(self.text).replace("$", "&#36;")
        return {
            "text/html": f'<div class="maestro-progress mathjax_ignore tex2jax_ignore" style="color:{colour};'
            f'font-size:var(--jp-content-font-size1,13px)">{bar}{text}</div>',
            "text/plain": self.text,
        }


class Progress:
    """``with Progress("Profiling wine") as p: ...`` shows the work under way after ``delay`` seconds, with the time
    elapsed, updated in place; ``p.update(done, note)`` moves a bar when the work knows its ``total``.

    ``mode`` is chosen from the environment (``"widget"``, ``"html"``, ``"tty"`` or ``"none"``); pass it to force
    one (the tests do)."""

    def __init__(
        self,
        label: str,
        *,
        total: float | None = None,
        delay: float = 1.0,
        interval: float = 0.5,
        mode: str | None = None,
    ) -> None:
        self.label, self.total, self.delay, self.interval = label, total, delay, interval
        self.mode = mode or self._mode()
        self.done: float = 0.0
        self.note = ""
        self._start = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._handle: Any = None
        self._bar: Any = None
        self._lock = threading.Lock()
        self._shown = False

    @staticmethod
    def _mode() -> str:
        if in_kernel():
            return "widget" if widgets_available() else "html"
        return "tty" if sys.stderr.isatty() else "none"

    # --- what the caller uses --------------------------------------------------------------------------------

    def __enter__(self) -> Progress:
        self._start = time.monotonic()
        if self.mode == "none":
            return self
        if self.delay <= 0:
            self._render()
        self._thread = threading.Thread(target=self._tick, name="maestro-progress", daemon=True)
        self._thread.start()
        return self

    def update(self, done: float | None = None, note: str | None = None) -> None:
        """Record progress (``done`` of ``total``) and/or what is happening now."""
        if done is not None:
            self.done = done
        if note is not None:
            self.note = note

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._shown:
            elapsed = fmt.duration(time.monotonic() - self._start)
            self._render(final=f"{self.label}: {'done' if kind is None else 'stopped'} in {elapsed}")

    # --- rendering -------------------------------------------------------------------------------------------

    def elapsed(self) -> float:
        """Seconds since the work started."""
        return time.monotonic() - self._start

    def text(self) -> str:
        """The line as it reads now: ``Profiling wine… · 2 of 4 · columns · 3.2 s``."""
        parts = [f"{self.label}…"]
        if self.total:
            parts.append(f"{fmt.number(self.done)} of {fmt.number(self.total)}")
        if self.note:
            parts.append(self.note)
        parts.append(fmt.duration(self.elapsed()))
        return " · ".join(parts)

    def _tick(self) -> None:
        # Wait ``delay`` first (finished by then: nobody needed telling); with no delay, the line is already shown.
        if self._stop.wait(self.delay if self.delay > 0 else self.interval):
            return
        while True:
            self._render()
            if self._stop.wait(self.interval):
                return

    def _render(self, final: str | None = None) -> None:
        with self._lock:
            if self.mode == "widget":
                self._render_widget(final)
            elif self.mode == "html":
                self._render_html(final)
            elif self.mode == "tty":
                sys.stderr.write("\r" + (final or self.text()) + ("\n" if final else ""))
                sys.stderr.flush()
            self._shown = True

    def _render_html(self, final: str | None) -> None:
        from IPython.display import display

        fraction = self.done / self.total if self.total else None
        line = _Line(final or self.text(), fraction, final is not None)
        if self._handle is None:
            self._handle = display(line, display_id=True)  # type: ignore[no-untyped-call]
        else:
            self._handle.update(line)

    def _render_widget(self, final: str | None) -> None:
        if self._bar is None:
            from tqdm.notebook import tqdm

            self._bar = tqdm(total=self.total, desc=self.label, leave=True)
        bar = self._bar
        if self.total:
            bar.n = self.done
        bar.set_postfix_str(self.note, refresh=False)
        if final is not None:
            bar.close()
        else:
            bar.refresh()
