"""Naming rules for what reaches the filesystem or Kubernetes: file-safe names, DNS-1123 labels, label values.

A leaf module (it imports only :mod:`maestro_jupyter.errors`), so that backends, services and the SDK share one
definition without importing each other.
"""

from __future__ import annotations

import re

from .errors import InvalidParameter

_DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE_BAD = re.compile(r"[^A-Za-z0-9_.-]+")


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
