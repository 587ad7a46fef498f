"""Input rules that the request models' validators apply (see :mod:`maestro_jupyter.contract`).

A value that breaks one raises :class:`InvalidParameter` with a message that says what was wrong and what would be
right, before anything reaches a backend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    """A registered model (or experiment) name: 1-256 printable characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameter(f"The {what} must be a non-empty string")
    if value != value.strip() or len(value) > MAX_NAME or _CONTROL.search(value):
        raise InvalidParameter(
            f"Invalid {what} {value!r}: at most {MAX_NAME} printable characters, no leading or trailing spaces"
        )
    return value


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
    """An opaque page token as a previous page returned it (base64), or none for the first page."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _PAGE_TOKEN.match(value):
        raise InvalidParameter("Invalid page_token: pass back a next_page_token exactly as it was returned")
    return value


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


def memory_bytes(value: object) -> int:
    """A Kubernetes memory quantity (``512Mi``, ``4Gi``, ``1G``, ``1000000``) in bytes, positive."""
    match = _MEMORY.match(str(value).strip()) if isinstance(value, str | int) else None
    if match is None or float(match.group(1)) <= 0:
        raise InvalidParameter(f"Invalid memory {value!r}: a positive quantity such as '512Mi' or '4Gi'")
    return int(float(match.group(1)) * _MEMORY_UNITS[match.group(2)])


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
