"""``%maestro card``: model cards."""

from __future__ import annotations

import argparse
from typing import Any

from IPython.core.error import UsageError

from .base import MagicContext, Subcommands

COMMANDS = Subcommands()


def _card_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ref", metavar="NAME[@ALIAS|/VERSION]", help="a model version (default: the newest)")
    p.add_argument("--format", default=None, choices=["md", "html", "pdf", "json"], help="what to show (default html)")
    p.add_argument("--save", default=None, metavar="PATH", help="also write the card to this file or folder")
    p.add_argument("--load", default=None, metavar="CARD.md", help="read an edited Markdown card back first")
    review = p.add_mutually_exclusive_group()
    review.add_argument("--approve", action="store_true", help="approve the card (records you and the time)")
    review.add_argument("--reopen", action="store_true", help="withdraw the approval")
    p.add_argument("--comment", default=None, help="why it was approved")
    p.add_argument("--preview", action="store_true", help="do not store the card with the version")


@COMMANDS.add(
    "card", "Model card: %maestro card NAME[@ALIAS|/VERSION] [--format md|html|pdf|json] [--save PATH]", _card_args
)
def _card(magics: MagicContext, args: argparse.Namespace, cell: str | None) -> Any:
    import warnings

    from ..sdk.cards import CardRenderWarning

    # What rendering lost (e.g. characters no installed font has in the PDF) is one printed line, not a warning
    # with a file name and a line of source; other warnings pass through as they came.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CardRenderWarning)
        shown = _show_card(magics, args)
    notes: list[str] = []
    for w in caught:
        if issubclass(w.category, CardRenderWarning):
            if str(w.message) not in notes:
                notes.append(str(w.message))
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    for note in notes:
        print(f"Note: {note}")
    return shown


def _show_card(magics: MagicContext, args: argparse.Namespace) -> Any:
    from pathlib import Path

    from ..contract.rules import ModelRef
    from ..sdk.cards import CardOutput
    from ..sdk.progress import Progress

    ref = ModelRef.parse(args.ref)
    cards = magics.client.cards
    where = {"version": ref.version, "alias": ref.alias}
    markdown = None
    if args.load:
        try:
            markdown = Path(args.load).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise UsageError(f"%maestro card: cannot read {args.load}: {reason}") from None
    status = "approved" if args.approve else "draft" if args.reopen else None
    fmt = args.format or "html"
    # A PDF takes seconds to typeset: the progress line shows after one (nothing shows for a quick card).
    with Progress(f"Making the model card of {args.ref}" + (" (PDF)" if fmt == "pdf" else "")):
        if markdown is not None or status is not None:  # one change, saved once
            card = cards.update(ref.name, markdown=markdown, status=status, comment=args.comment, **where)
        else:
            card = cards.generate(ref.name, save=not args.preview, **where)
        saved = str(cards.save(card, args.save, format=args.format)) if args.save else None
        rendered = card.render(fmt)
    return CardOutput(fmt, rendered, card.summary(), saved)
