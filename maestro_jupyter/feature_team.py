"""A team's Feast feature repository: the registry and the online store on PostgreSQL, the offline store on files.

On a laptop, Maestro's feature store is a local repo under ``MAESTRO_HOME`` (SQLite registry and online store). A
team shares one: ``MAESTRO_FEAST_REPO`` names a folder whose ``feature_store.yaml`` puts Feast's SQL registry and its
PostgreSQL online store in the team's database, so every definition applied, every feature service saved and every
value materialized is seen by the whole team. :func:`write_team_repo` writes that file for a hub admin::

    from maestro_jupyter.feature_team import write_team_repo
    repo = write_team_repo(Path("/srv/feature-repo"), "postgresql+psycopg://maestro:s3cret@db:5432/feast")
    repo.environment   # {"MAESTRO_FEAST_DB_PASSWORD": "s3cret"}: for the Maestro service's environment only

The file holds no secret: the password is written as ``${MAESTRO_FEAST_DB_PASSWORD}``, which Feast replaces with the
environment's value when it reads the file (``feast.repo_config.load_repo_config`` runs ``os.path.expandvars``).
Only the process that opens the store needs that variable: on a team, the Maestro service. Members' servers hold
neither the password nor the repo; their SDK, magics and sidebar send feature-store requests to the service.

Feast substitutes the variable as text, into a URL (the registry's) and into YAML (the online store's password): a
password of letters, digits and ``-._~`` reads the same in both, so others are refused (make one with
``secrets.token_urlsafe``) rather than written in a form that breaks one of the two.

Nothing here imports Feast: the hub imports this module when it starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

#: The environment variable ``feature_store.yaml`` takes the database password from.
PASSWORD_ENV = "MAESTRO_FEAST_DB_PASSWORD"  # noqa: S105 - the name of the variable, not a password
#: The feature_store.yaml's name in a repo (Feast's default).
STORE_YAML = "feature_store.yaml"
#: Characters a password may have: the same in a URL (unreserved, RFC 3986) and in a single-quoted YAML scalar.
_SAFE_PASSWORD = re.compile(r"[A-Za-z0-9._~-]+")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
#: What a user, host, database or schema name may not hold: control characters (a line break would end a YAML line)
#: and ``$``, which Feast's substitution would read as the start of a variable.
_UNSAFE_TEXT = re.compile(r"[\x00-\x1f\x7f$]")
_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")
#: How long the service keeps the registry in memory before it reads it again (Feast's default is 600 s): another
#: process's apply (an admin's ``feast apply``) shows within a minute; the service's own writes show at once.
DEFAULT_CACHE_TTL_S = 60


@dataclass(frozen=True)
class TeamRepo:
    """A team repo as written: where it is, and the environment the process that opens it needs (the password,
    for the Maestro service's environment and no one else's)."""

    path: Path
    yaml_path: Path
    environment: dict[str, str] = field(repr=False)


@dataclass(frozen=True)
class _Database:
    user: str
    password: str | None
    host: str
    port: int
    database: str
    sslmode: str | None


def _parse(db_url: str) -> _Database:
    parts = urlsplit(db_url)
    if parts.scheme not in _SCHEMES:
        raise ValueError(
            f"the team's feature store needs a PostgreSQL URL (postgresql+psycopg://...), not {parts.scheme!r}"
        )
    user = unquote(parts.username or "")
    database = unquote(parts.path.lstrip("/"))
    if not (user and parts.hostname and database):
        raise ValueError(
            "the PostgreSQL URL must name a user, a host and a database: postgresql+psycopg://user:pw@host:5432/db"
        )
    try:
        port = parts.port or 5432
    except ValueError as exc:  # a port that is not a number
        raise ValueError(f"the PostgreSQL URL's port is not a number: {exc}") from None
    sslmode = parse_qs(parts.query).get("sslmode", [None])[-1]
    password = unquote(parts.password) if parts.password is not None else None
    for what, value in (("user", user), ("host", parts.hostname), ("database", database), ("sslmode", sslmode or "")):
        _check_text(what, value)
    return _Database(user, password, parts.hostname, port, database, sslmode)


def _check_text(what: str, value: str) -> None:
    if _UNSAFE_TEXT.search(value):
        raise ValueError(f"the PostgreSQL {what} {value!r} holds a control character or '$', which Feast cannot read")


def _quoted(value: str) -> str:
    """``value`` as a single-quoted YAML scalar (always a string, whatever it looks like)."""
    return "'" + value.replace("'", "''") + "'"


def team_store_yaml(
    db_url: str,
    *,
    project: str = "maestro",
    password_env: str = PASSWORD_ENV,
    db_schema: str = "public",
    sslmode: str | None = None,
    cache_ttl_seconds: int = DEFAULT_CACHE_TTL_S,
) -> tuple[str, dict[str, str]]:
    """The text of a team's ``feature_store.yaml`` for the PostgreSQL database ``db_url``, and the environment it
    reads (``{password_env: password}``, empty when the URL has no password). ``sslmode``: libpq's, default the
    URL's ``?sslmode=`` or ``prefer``. Raises ``ValueError`` for a URL that is not PostgreSQL's, names no user, host
    or database, or has a password Feast cannot substitute safely."""
    if not _ENV_NAME.fullmatch(password_env):
        raise ValueError(f"{password_env!r} is not an environment variable's name (A-Z, 0-9, _)")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", project):
        raise ValueError(f"{project!r} is not a Feast project name: lower-case letters, digits and '_'")
    db = _parse(db_url)
    sslmode = sslmode or db.sslmode or "prefer"
    _check_text("schema", db_schema)
    _check_text("sslmode", sslmode)
    environment: dict[str, str] = {}
    if db.password is None:
        password, userinfo = "", quote(db.user, safe="")
    else:
        if not _SAFE_PASSWORD.fullmatch(db.password):
            raise ValueError(
                "the database password must be made of letters, digits and '-._~' only (Feast substitutes it, as "
                "text, into a URL and into YAML): make one with python -c 'import secrets; "
                "print(secrets.token_urlsafe(24))'"
            )
        environment[password_env] = db.password
        password = "${" + password_env + "}"
        userinfo = f"{quote(db.user, safe='')}:{password}"
    host = f"[{db.host}]" if ":" in db.host else db.host  # an IPv6 address, as a URL writes it
    registry_url = f"postgresql+psycopg://{userinfo}@{host}:{db.port}/{quote(db.database, safe='')}"
    registry_url += f"?sslmode={quote(sslmode, safe='')}"
    text = f"""\
# The team's Feast repository (maestro_jupyter.feature_team.write_team_repo): the registry (SQL) and the online
# store in PostgreSQL {db.host}:{db.port}/{db.database}, the offline store on files. No secret here: Feast reads
# the password from the environment variable {password_env}, which only the Maestro service has.
project: {project}
provider: local
registry:
  registry_type: sql
  path: {_quoted(registry_url)}
  cache_ttl_seconds: {int(cache_ttl_seconds)}
  sqlalchemy_config_kwargs:
    echo: false
    pool_pre_ping: true
online_store:
  type: postgres
  host: {_quoted(db.host)}
  port: {db.port}
  database: {_quoted(db.database)}
  db_schema: {_quoted(db_schema)}
  user: {_quoted(db.user)}
  password: {_quoted(password)}
  sslmode: {_quoted(sslmode)}
offline_store:
  type: file
entity_key_serialization_version: 3
"""
    return text, environment


def write_team_repo(
    repo: Path,
    db_url: str,
    *,
    project: str = "maestro",
    password_env: str = PASSWORD_ENV,
    db_schema: str = "public",
    sslmode: str | None = None,
    cache_ttl_seconds: int = DEFAULT_CACHE_TTL_S,
) -> TeamRepo:
    """Write ``repo/feature_store.yaml`` for a team whose Feast registry and online store are in the PostgreSQL
    database ``db_url`` (the folder is made if missing; a yaml already there is replaced, the rest of the folder,
    e.g. ``features.py`` or data files, is left alone). The password is not written: the answer's ``environment``
    is what the process that opens the store must have (give it to the Maestro service, as its
    ``MAESTRO_FEAST_REPO`` is ``repo``). Apply definitions to it with Feast (``feast apply`` in the folder, with the
    variable set) or Maestro's ``seed_feature_repo``. See :func:`team_store_yaml` for the options."""
    text, environment = team_store_yaml(
        db_url,
        project=project,
        password_env=password_env,
        db_schema=db_schema,
        sslmode=sslmode,
        cache_ttl_seconds=cache_ttl_seconds,
    )
    repo = Path(repo).expanduser().resolve()
    repo.mkdir(parents=True, exist_ok=True)
    yaml_path = repo / STORE_YAML
    # Replaced in one step: a reader (the service reopening the store) never sees half a file.
    partial = yaml_path.with_name(f".{STORE_YAML}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(yaml_path)
    return TeamRepo(repo, yaml_path, environment)
