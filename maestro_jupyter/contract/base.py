"""The base of every request model: one pydantic model per operation, named verb-noun.

A request names the service method that carries it out (:attr:`Request.operation`, ``"service.method"`` on
:class:`~maestro_jupyter.services.Services`) and the type of its result (:attr:`Request.result`), so that a transport
can run it in-process, or send it over a wire and parse the answer, without a table of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from .. import naming
from ..errors import InvalidParameter, PermissionDenied, first_validation_error

if TYPE_CHECKING:
    from ..settings import Settings


#: The verbs a request model's name starts with when the operation only reads (``GetModel``, ``ListJobs``,
#: ``ProfileData``, ``Predict``, ``SearchFeatureStore``, ``BuildTrainingSet``: a frame made from what the feature store
#: holds, which it leaves as it was): what :attr:`Request.changes` defaults to.
READ_VERBS = (
    "Get",
    "List",
    "Compare",
    "Estimate",
    "Render",
    "Discover",
    "Profile",
    "Download",
    "Predict",
    "Search",
    "Build",
)


class Request(BaseModel):
    """An operation's input. Unknown fields are refused, so a typo is an error rather than a silent default."""

    model_config = ConfigDict(extra="forbid")

    #: ``"service.method"``: the :class:`~maestro_jupyter.services.Services` attribute and its method, which takes
    #: ``(request, actor)``.
    operation: ClassVar[str]
    #: What the operation returns: a pydantic model, ``None``, or a type pydantic can parse (``list[X]``, ``X | Y``).
    result: ClassVar[Any] = None
    #: Whether carrying the request out may change something (a record, an alias, a job). Reads are cheap to repeat
    #: and safe to send again: they are not rate-limited, and an HTTP transport retries them after a failure; a
    #: change is never sent twice. Default: a request named with a reading verb (:data:`READ_VERBS`) only reads; a
    #: class body may say otherwise.
    changes: ClassVar[bool] = True

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "changes" not in vars(cls):
            cls.changes = not cls.__name__.startswith(READ_VERBS)

    @classmethod
    def build(cls, **fields: Any) -> Self:
        """The request from keyword arguments, as the SDK makes it: a bad value is an ``InvalidParameter`` naming the
        field (not pydantic's ``ValidationError``), so the SDK raises the same typed errors whatever the check."""
        try:
            return cls(**fields)
        except ValidationError as exc:
            raise InvalidParameter(first_validation_error(exc)) from None


@dataclass(frozen=True)
class Actor:
    """Who asks: the principal a request is carried out for, and all the services decide with.

    - ``user``: whom the work, approvals and edits are recorded for, and who owns jobs and deployments;
    - ``admin``: may set and delete budgets (and sees every budget and alert);
    - ``projects``: what work may be charged to; ``default_project``: the one charged when a request names none
      (one of ``projects``; ``None`` only when there are none).

    The edge that received the request builds it, never the request itself: on a laptop from the settings
    (:func:`laptop_actor`), on a team from the JupyterHub user who authenticated the request (:func:`hub_actor`).
    """

    user: str
    admin: bool = False
    projects: tuple[str, ...] = ()
    default_project: str | None = None

    def __post_init__(self) -> None:
        if self.default_project is not None and self.default_project not in self.projects:
            raise ValueError(f"default project {self.default_project!r} is not one of {self.projects!r}")

    def project_for(self, requested: str | None) -> str:
        """The project to charge work to: ``requested`` if it is one of the actor's projects, the default project
        when none is requested. Anything else is a ``PermissionDenied`` naming the projects the actor may charge."""
        if requested is None or requested == "":
            if self.default_project is None:
                raise PermissionDenied(
                    f"{self.user} belongs to no project, so no work can be charged: ask an admin to add you to a "
                    "project's hub group"
                )
            return self.default_project
        if requested in self.projects:
            return requested
        if not self.projects:
            raise PermissionDenied(f"{self.user} belongs to no project, so no work can be charged to {requested}")
        raise PermissionDenied(f"You may charge work to {_or_list(self.projects)}, not {requested}")


def _or_list(names: tuple[str, ...]) -> str:
    """``churn``, ``churn or ops``, ``churn, ops or web``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def laptop_actor(settings: Settings, user: str | None = None) -> Actor:
    """The actor of one person's Maestro (a laptop, or a member's own Jupyter server), from its settings: ``user``
    (the server's authenticated user) or ``MAESTRO_USER``; an admin when ``MAESTRO_ADMINS`` names them or, without
    that setting, when they are the settings' own user; work is charged to ``MAESTRO_PROJECT``.

    In team mode (``MAESTRO_TEAM``) settings carry no authority, so there is no such actor: a
    ``PermissionDenied`` says where identity comes from instead."""
    if settings.team:
        raise PermissionDenied(
            "Maestro runs in team mode (MAESTRO_TEAM): who you are comes from JupyterHub, not from settings; "
            "reach the Maestro service (MAESTRO_URL) with your hub token"
        )
    name = user or settings.user
    admin = name in settings.admins if settings.admins else name == settings.user
    return Actor(name, admin=admin, projects=(settings.project,), default_project=settings.project)


def hub_actor(model: Mapping[str, Any], settings: Settings) -> Actor:
    """The actor of a JupyterHub user model (``GET /hub/api/user`` for the request's token or cookie), on a team:
    the hub user's name; an admin when a hub admin or a member of the admin group (``MAESTRO_ADMIN_GROUP``); their
    projects are their groups named with the project prefix (``MAESTRO_PROJECT_PREFIX``, stripped), and the default
    project is the first of these in alphabetical order. A member of no project group may use Maestro, but work
    charged to a project (jobs, deployments, estimates) is refused until an admin adds them to one.

    Nothing of the environment names who acts: ``MAESTRO_USER``, ``MAESTRO_ADMINS`` and ``MAESTRO_PROJECT`` are
    ignored. Only hub users act: a hub service's token is refused (403)."""
    kind = str(model.get("kind") or "user")
    name = str(model.get("name") or "")
    if kind != "user" or not name:
        raise PermissionDenied(f"Maestro acts for hub users only; the {kind} {name or '(unnamed)'} is not one")
    groups = [str(group) for group in model.get("groups") or ()]
    prefix = settings.project_prefix
    # A group whose name is not a project name ("project-churn team!") is no project: work could not be labelled,
    # budgeted or reported under it as named (the hub config refuses to make such groups; see naming.project_name).
    projects = tuple(
        sorted(
            {
                g[len(prefix) :]
                for g in groups
                if g.startswith(prefix) and len(g) > len(prefix) and naming.is_project_name(g[len(prefix) :])
            }
        )
    )
    admin = model.get("admin") is True or bool(settings.admin_group and settings.admin_group in groups)
    return Actor(name, admin=admin, projects=projects, default_project=projects[0] if projects else None)


@dataclass(frozen=True)
class Document:
    """A file an operation makes (a zip of a version's artifacts, a card as PDF, a test report)."""

    content: bytes
    media_type: str
    file_name: str


class Lazy:
    """A :attr:`Request.result` whose type is imported on first use: ``Lazy(lambda: TestReport | None)`` with the
    import inside a function. For results defined next to heavy code (the analysis modules import numpy/pandas), so
    that importing a contract module stays light. Reading ``RequestClass.result`` gives the type itself."""

    def __init__(self, load: Callable[[], Any]) -> None:
        self._load = load

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        return self._load()
