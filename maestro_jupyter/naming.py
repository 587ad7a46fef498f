"""Naming rules for what people read and what reaches the filesystem or Kubernetes: names that cannot pass for
others (:func:`text_problem`, user and project names), file-safe names, DNS-1123 labels, label values.

A leaf module (it imports only :mod:`maestro_jupyter.errors`), so that backends, services and the SDK share one
definition without importing each other.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import InvalidParameter

_DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE_BAD = re.compile(r"[^A-Za-z0-9_.-]+")


#: Characters that reorder or hide text (the bidi embeddings, overrides and isolates): a name holding one can show
#: as another (``evil\u202egnp.exe``). They are format characters (Cf), refused with the rest of category C; named
#: here for the message.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be a name that people read and tell apart, or ``None`` when it can.

    A name is NFC (one spelling per name: ``é`` is one code point, not ``e`` and a combining accent), and holds no
    character of Unicode category C (controls, format characters such as the bidi controls and zero-width joiners,
    private use, unassigned), M (combining marks, which stack on a neighbour and make look-alikes) or Z other than
    the plain space (no-break, zero-width and line separators). So two names that look the same are the same."""
    for char in text:
        category = unicodedata.category(char)
        if char in BIDI_CONTROLS:
            return f"it holds the bidirectional control U+{ord(char):04X}, which reorders how text is shown"
        if category[0] == "C":
            return f"it holds the control or format character U+{ord(char):04X}"
        if category[0] == "M":
            return f"it holds the combining mark U+{ord(char):04X}"
        if category[0] == "Z" and char != " ":
            return f"it holds the space character U+{ord(char):04X} (only the plain space is allowed)"
    if not unicodedata.is_normalized("NFC", text):
        return "it is not in Unicode NFC form (write accented letters as one character)"
    return None


#: The longest user or project name Maestro takes (a budget's subject, a job's project).
MAX_SUBJECT = 200


def subject_name(value: object, what: str = "user or project name") -> str:
    """A user's or project's name as given (a budget's subject): surrounding spaces stripped, then 1-200 characters
    that :func:`text_problem` finds nothing wrong with, and no ``/`` (it would not survive the URL path that names a
    budget). A hub's user and group names pass; ``" "`` does not."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidParameter(f"A {what} is a non-empty string, not {value!r}")
    if len(text) > MAX_SUBJECT or "/" in text:
        raise InvalidParameter(f"Invalid {what} {text[:MAX_SUBJECT]!r}: at most {MAX_SUBJECT} characters, no '/'")
    problem = text_problem(text)
    if problem:
        raise InvalidParameter(f"Invalid {what} {text!r}: {problem}")
    return text


_PROJECT = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$")


def project_name(value: object, what: str = "project name") -> str:
    """A project's name: 1-63 letters, digits, ``-``, ``_`` or ``.``, starting and ending with a letter or digit.

    A project becomes a Kubernetes label on its jobs and deployments, a hub group (``project-<name>``), the
    ``project:<name>`` of its budget and a word in cost reports: a name such as ``"churn team!"`` would be changed
    behind the user's back in some of those and not in others, so it is refused where it is first given."""
    text = value.strip() if isinstance(value, str) else value
    if not isinstance(text, str) or not _PROJECT.match(text):
        raise InvalidParameter(
            f"Invalid {what} {value!r}: use 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter "
            "or digit (e.g. churn-team)"
        )
    return text


def is_project_name(value: object) -> bool:
    """Whether ``value`` is a valid project name (see :func:`project_name`)."""
    return isinstance(value, str) and bool(_PROJECT.match(value))


def file_safe(name: str) -> str:
    """A model name as a file or folder name: letters, digits, ``_.-`` (every other run becomes ``_``)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "model"


def dns_label(value: object, what: str = "name") -> str:
    """A name given by a user that becomes a Kubernetes object name (or a URL segment): a DNS-1123 label, checked,
    not silently changed, so the user finds their deployment under the name they chose."""
    if not isinstance(value, str) or not _DNS1123.match(value) or len(value) > 63:
        raise InvalidParameter(
            f"Invalid {what} {value!r}: use 1-63 lowercase letters, digits and '-', starting and ending with a letter "
            "or digit (a Kubernetes DNS-1123 label)"
        )
    return value


def dns_safe(text: str, limit: int = 63, fallback: str = "x") -> str:
    """Any text made into a DNS-1123 label (for names Maestro derives: a model's, a user's)."""
    label = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    label = re.sub(r"-{2,}", "-", label)[:limit].strip("-")
    return label or fallback


def label_value(text: str) -> str:
    """Any text made into a Kubernetes label value (63 characters of ``[A-Za-z0-9_.-]``, alphanumeric at the ends)."""
    value = _LABEL_VALUE_BAD.sub("_", text)[:63]
    return value.strip("_.-")
