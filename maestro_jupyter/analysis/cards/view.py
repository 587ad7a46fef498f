"""How a rendered card shows in a notebook: every format as the richest output the front end can display."""

from __future__ import annotations

import base64
import html
import json
from typing import Any


def framed(document: str, caption: str, height: int = 640) -> str:
    """An HTML card in a sandboxed frame, so that its styles stay out of the notebook (and scripts never run).

    The card is a printable page with dark ink of its own, so its frame is paper-white in either theme: the kernel
    cannot know the notebook's theme, and a sandboxed frame cannot read it (the sidebar's card view, which can,
    themes it)."""
    return (
        f"<div><small>{html.escape(caption)}</small>"
        f'<iframe sandbox="" title="Model card" srcdoc="{html.escape(document, quote=True)}" '
        f'style="width:100%;height:{height}px;border:1px solid var(--jp-border-color2,#ccc);background:white">'
        "</iframe></div>"
    )


class CardOutput:
    """A card rendered in one format, for ``%maestro card``: Markdown shows as Markdown, HTML framed, PDF in the
    notebook's PDF viewer, JSON in its JSON viewer; text/plain always says what it is."""

    def __init__(self, fmt: str, content: bytes, caption: str, saved_to: str | None = None) -> None:
        self.fmt, self.content, self.caption, self.saved_to = fmt, content, caption, saved_to

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        plain = self.caption + (f"\nSaved to {self.saved_to}" if self.saved_to else "")
        bundle: dict[str, Any] = {"text/plain": plain}
        if self.fmt == "md":
            bundle["text/markdown"] = self.content.decode()
            bundle["text/plain"] = self.content.decode()
        elif self.fmt == "html":
            bundle["text/html"] = framed(self.content.decode(), plain)
        elif self.fmt == "pdf":
            bundle["application/pdf"] = base64.b64encode(self.content).decode("ascii")
        else:
            bundle["application/json"] = json.loads(self.content)
            bundle["text/plain"] = self.content.decode()
        return bundle
