"""Input rules that the request models' validators apply (see :mod:`maestro_jupyter.contract`).

A value that breaks one raises :class:`InvalidParameter` with a message that says what was wrong and what would be
right, before anything reaches a backend.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import urllib.parse
from dataclasses import dataclass

from .. import naming
from ..entities import Resources
from ..errors import InvalidParameter

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ALIAS = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,254}$")
_RESERVED_ALIAS = re.compile(r"^(latest|v\d+|version\d+)$", re.IGNORECASE)
_VERSION = re.compile(r"^[1-9][0-9]{0,9}$")
_PAGE_TOKEN = re.compile(r"^[A-Za-z0-9+/=_-]{1,8192}$")
_RUN_ID = re.compile(r"^[0-9a-fA-F]{32}$|^[A-Za-z0-9_-]{1,64}$")
_RUN_ORDER = re.compile(r"^(?:(?:metrics|params|tags|attributes)\.)?(?:`[^`]+`|[\w.\-]+)(?: (?:ASC|DESC))?$", re.I)

MAX_NAME = 256
MAX_TAG_KEY = 250
MAX_TAG_VALUE = 5000
MAX_DESCRIPTION = 20000
MAX_PAGE = 1000
MODEL_ORDERS = ("name ASC", "name DESC", "last_updated_timestamp DESC", "last_updated_timestamp ASC")


def name(value: object, what: str = "model name") -> str:
    """A registered model (or experiment) name: 1-256 printable characters, none that could make it pass for another
    name (:func:`~maestro_jupyter.naming.text_problem`: NFC; no bidi controls, combining marks or other control,
    format or space characters but the plain space)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameter(f"The {what} must be a non-empty string")
    if value != value.strip() or len(value) > MAX_NAME or _CONTROL.search(value):
        raise InvalidParameter(
            f"Invalid {what} {value[:MAX_NAME]!r}: at most {MAX_NAME} printable characters, no leading or trailing "
            "spaces"
        )
    problem = naming.text_problem(value)
    if problem:
        raise InvalidParameter(f"Invalid {what} {value!r}: {problem}")
    return value


def project(value: object) -> str:
    """A project's name (a budget's ``project:NAME``, ``MAESTRO_PROJECT``, a hub group ``project-NAME``, the project
    a job or deployment is charged to): see :func:`~maestro_jupyter.naming.project_name`."""
    return naming.project_name(value)


def new_model_name(value: object) -> str:
    """A name for a model being created: also no ``/`` (it would not survive a URL path)."""
    checked = name(value)
    if "/" in checked or "@" in checked:
        raise InvalidParameter(f"Invalid model name {checked!r}: '/' and '@' are reserved for NAME/VERSION, NAME@ALIAS")
    return checked


def version(value: object) -> str:
    """A model version number, as a string."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not _VERSION.match(text):
        raise InvalidParameter(f"Invalid model version {value!r}: a positive whole number is expected")
    return text


def alias(value: object) -> str:
    """An alias: a letter, then letters, digits, '_' or '-'; not 'latest', 'v3' or 'version3'."""
    if not isinstance(value, str) or not _ALIAS.match(value) or _RESERVED_ALIAS.match(value):
        raise InvalidParameter(
            f"Invalid alias {value!r}: start with a letter, then letters, digits, '_' or '-' "
            "(and not 'latest', 'vN' or 'versionN', which MLflow reserves)"
        )
    return value


def tag_key(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_TAG_KEY or _CONTROL.search(value) or "`" in value:
        raise InvalidParameter(f"Invalid tag key {value!r}: 1-{MAX_TAG_KEY} printable characters, no backquote")
    return value


def tag_value(value: object) -> str:
    if not isinstance(value, str) or len(value) > MAX_TAG_VALUE:
        raise InvalidParameter(f"A tag value must be a string of at most {MAX_TAG_VALUE} characters")
    return value


def description(value: object) -> str:
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
        raise InvalidParameter(f"A description must be a string of at most {MAX_DESCRIPTION} characters")
    return value


def page_size(value: object, default: int = 100) -> int:
    if value is None or value == "":
        return default
    try:
        size = value if isinstance(value, int) else int(str(value))
    except (TypeError, ValueError):
        raise InvalidParameter(f"max_results must be a whole number, not {value!r}") from None
    if not 1 <= size <= MAX_PAGE:
        raise InvalidParameter(f"max_results must be between 1 and {MAX_PAGE}, not {size}")
    return size


def page_token(value: object) -> str | None:
    """An opaque page token as a previous page returned it, or none for the first page.

    The one place a token is checked, for every listing: MLflow's tokens are base64 of ``{"offset": N}``, and a
    token is passed on unchanged only when it decodes to that with ``N`` a whole number from 1 to
    :data:`MAX_PAGE_OFFSET` (MLflow would turn anything else into a database overflow or a crash)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _PAGE_TOKEN.match(value):
        raise InvalidParameter(_NOT_A_PAGE)
    try:
        decoded = json.loads(base64.b64decode(value, validate=True))
    except (ValueError, RecursionError):  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise InvalidParameter(_NOT_A_PAGE) from None
    offset = decoded.get("offset") if isinstance(decoded, dict) else None
    if isinstance(offset, bool) or not isinstance(offset, int) or not 1 <= offset <= MAX_PAGE_OFFSET:
        raise InvalidParameter(_NOT_A_PAGE)
    return value


#: The furthest a page token may point into a listing (far beyond any registry's size).
MAX_PAGE_OFFSET = 2**31 - 1
_NOT_A_PAGE = "Invalid page_token: pass back a next_page_token exactly as it was returned"


def run_id(value: object) -> str:
    if not isinstance(value, str) or not _RUN_ID.match(value):
        raise InvalidParameter(f"Invalid run id {value!r}")
    return value


def run_order(values: list[str]) -> list[str]:
    for v in values:
        if not _RUN_ORDER.match(v.strip()):
            raise InvalidParameter(
                f"Invalid order_by {v!r}: use e.g. 'metrics.accuracy DESC', 'params.C', 'attributes.start_time ASC'"
            )
    return [v.strip() for v in values]


def model_order(value: str | None) -> str:
    if not value:
        return MODEL_ORDERS[0]
    if value not in MODEL_ORDERS:
        raise InvalidParameter(f"Invalid order_by {value!r}: one of {', '.join(MODEL_ORDERS)}")
    return value


@dataclass(frozen=True)
class ModelRef:
    """``NAME``, ``NAME@ALIAS`` or ``NAME/VERSION`` as users type it."""

    name: str
    alias: str | None = None
    version: str | None = None

    @classmethod
    def parse(cls, text: str) -> ModelRef:
        text = text.strip()
        if "@" in text:
            model, _, al = text.rpartition("@")
            return cls(name(model), alias=alias(al))
        model, slash, ver = text.rpartition("/")
        if slash and ver.isdigit():
            return cls(name(model), version=version(ver))
        return cls(name(text))

    def __str__(self) -> str:
        if self.alias:
            return f"{self.name}@{self.alias}"
        return f"{self.name}/{self.version}" if self.version else self.name


# --- compute: names and resources that reach Kubernetes or the process table ------------------------------------

_MEMORY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$")
_MEMORY_UNITS = {None: 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
_MEMORY_UNITS.update({"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40})
_PARAM_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$")
MAX_CPUS = 256
MAX_GPUS = 16
MAX_REPLICAS = 20
MAX_WORKERS = 64
#: The most memory a job or a replica may ask for: about what the largest machines clouds rent hold, so that a
#: slip of the keyboard (``999999999999999999999999999999``) is refused rather than priced or scheduled.
MAX_MEMORY = "4Ti"
MAX_MEMORY_BYTES = 4 * 2**40


def memory_bytes(value: object) -> int:
    """A Kubernetes memory quantity (``512Mi``, ``4Gi``, ``1G``, ``1000000``) in bytes: at least a byte, at most
    :data:`MAX_MEMORY`."""
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    match = _MEMORY.match(text) if len(text) <= 32 else None
    size = int(float(match.group(1)) * _MEMORY_UNITS[match.group(2)]) if match else 0
    if size < 1:
        raise InvalidParameter(f"Invalid memory {value!r}: a positive quantity such as '512Mi' or '4Gi'")
    if size > MAX_MEMORY_BYTES:
        raise InvalidParameter(f"Invalid memory {value!r}: at most {MAX_MEMORY} ({MAX_MEMORY_BYTES:,} bytes)")
    return size


def cpus(value: object) -> float | None:
    """A CPU request: a positive number of cores, at most 256 (``None``: the backend's default)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= MAX_CPUS:
        raise InvalidParameter(f"Invalid cpus {value!r}: a positive number of cores, at most {MAX_CPUS}")
    return float(value)


def resources(cpus_: object = None, memory: object = None, gpus: object = 0, workers: object = 1) -> Resources:
    """What a job or a replica asks for, checked: cores, a memory quantity (kept as written), GPUs, workers."""
    if memory is not None:
        memory_bytes(memory)
    return Resources(
        cpus=cpus(cpus_),
        memory=None if memory is None else str(memory).strip(),
        gpus=count(gpus, "gpus", 0, MAX_GPUS),
        workers=count(workers, "workers", 1, MAX_WORKERS),
    )


MAX_WEBHOOK = 2000


def webhook_url(value: object) -> str:
    """A webhook's form: an ``http(s)://`` URL with a host (and a valid port, if any), at most 2000 characters,
    no spaces or control characters. Where the host leads (no loopback, link-local, metadata or unspecified
    address) is checked by the service that delivers to it: see :mod:`maestro_jupyter.services.webhooks`."""
    if isinstance(value, str) and len(value) <= MAX_WEBHOOK and not re.search(r"[\x00-\x20\x7f]", value):
        # urlsplit raises ValueError for a broken [IPv6] host, .port for a port that is not a number up to 65535
        with contextlib.suppress(ValueError):
            parts = urllib.parse.urlsplit(value)
            if parts.scheme.lower() in ("http", "https") and parts.hostname and parts.port != 0:
                return value
    raise InvalidParameter(
        f"A webhook is an http(s) URL with a host (and a port from 1 to 65535, if any), at most {MAX_WEBHOOK} "
        f"characters, no spaces; not {str(value)[:100]!r}"
    )


def count(value: object, what: str, low: int, high: int) -> int:
    """A whole number in ``[low, high]`` (GPUs, workers, replicas)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidParameter(f"Invalid {what} {value!r}: a whole number from {low} to {high}")
    return value


def job_params(values: object) -> dict[str, str]:
    """Job parameters: names usable as ``--name`` options, values as text (numbers and booleans converted)."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise InvalidParameter("params must be a mapping of names to values")
    out = {}
    for key, value in values.items():
        if not isinstance(key, str) or not _PARAM_KEY.match(key):
            raise InvalidParameter(f"Invalid parameter name {key!r}: letters, digits, '_', '.', '-'; not first a digit")
        if value is None or isinstance(value, dict | list):
            raise InvalidParameter(f"Parameter {key!r} must be a string, number or boolean")
        text = str(value)
        if len(text) > 6000 or _CONTROL.search(text.replace("\t", "")):
            raise InvalidParameter(f"Parameter {key!r} is too long or holds control characters")
        out[key] = text
    return out
