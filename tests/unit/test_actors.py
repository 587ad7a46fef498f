"""Who acts: the actor's project rule, the laptop's actor (from settings) and the team's (from the JupyterHub user
model, with no say for the environment), and the options that make a Jupyter server the team's Maestro service."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from maestro_jupyter.contract.base import Actor, hub_actor, laptop_actor
from maestro_jupyter.errors import PermissionDenied
from maestro_jupyter.settings import Settings

# --- Actor.project_for --------------------------------------------------------------------------------------------


def test_work_is_charged_to_the_project_asked_for_when_it_is_the_actors():
    alice = Actor("alice", projects=("churn", "ops"), default_project="churn")
    assert alice.project_for("ops") == "ops"
    assert alice.project_for("churn") == "churn"


@pytest.mark.parametrize("requested", [None, ""])
def test_no_project_asked_for_is_the_default_project(requested):
    alice = Actor("alice", projects=("churn", "ops"), default_project="ops")
    assert alice.project_for(requested) == "ops"


@pytest.mark.parametrize(
    ("projects", "message"),
    [
        (("churn",), "You may charge work to churn, not fraud"),
        (("churn", "ops"), "You may charge work to churn or ops, not fraud"),
        (("churn", "ops", "web"), "You may charge work to churn, ops or web, not fraud"),
    ],
)
def test_another_project_is_a_403_naming_the_actors_projects(projects, message):
    alice = Actor("alice", projects=projects, default_project=projects[0])
    with pytest.raises(PermissionDenied) as refused:
        alice.project_for("fraud")
    assert str(refused.value) == message
    assert refused.value.status == 403


def test_an_actor_of_no_project_can_charge_nothing():
    dana = Actor("dana")
    for requested in (None, "churn"):
        with pytest.raises(PermissionDenied, match="dana belongs to no project"):
            dana.project_for(requested)


def test_an_admin_charges_only_their_own_projects_too():
    boss = Actor("boss", admin=True, projects=("ops",), default_project="ops")
    with pytest.raises(PermissionDenied, match="to ops, not churn"):
        boss.project_for("churn")


def test_the_default_project_is_one_of_the_actors_projects():
    with pytest.raises(ValueError, match="default project"):
        Actor("alice", projects=("churn",), default_project="fraud")
    with pytest.raises(ValueError, match="default project"):
        Actor("alice", default_project="churn")


# --- a laptop (or one person's server): the actor comes from the settings -----------------------------------------


def test_on_a_laptop_the_settings_user_is_the_admin_and_charges_maestro_project():
    settings = Settings.from_env({"MAESTRO_USER": "ana", "MAESTRO_PROJECT": "churn"})
    assert laptop_actor(settings) == Actor("ana", admin=True, projects=("churn",), default_project="churn")
    # Another user of the same server (a hub admin visiting it, say) is no admin there.
    assert laptop_actor(settings, "bob") == Actor("bob", admin=False, projects=("churn",), default_project="churn")


def test_maestro_admins_names_the_admins():
    settings = Settings.from_env({"MAESTRO_USER": "ana", "MAESTRO_ADMINS": "carol, dave"})
    assert laptop_actor(settings).admin is False  # the settings' user is not named
    assert laptop_actor(settings, "carol").admin is True
    assert laptop_actor(settings, "dave").projects == ("default",)


def test_in_team_mode_settings_make_no_actor():
    settings = Settings.from_env({"MAESTRO_TEAM": "true", "MAESTRO_USER": "boss", "MAESTRO_ADMINS": "boss"})
    with pytest.raises(PermissionDenied, match="team mode"):
        laptop_actor(settings)
    with pytest.raises(PermissionDenied, match="team mode"):
        laptop_actor(settings, "boss")


def test_the_in_process_transport_acts_as_the_laptop_actor_and_refuses_team_mode(tmp_path):
    from maestro_jupyter.sdk.transport import InProcessTransport
    from maestro_jupyter.services import Services

    settings = Settings.from_env({"MAESTRO_USER": "ana", "MAESTRO_PROJECT": "vision"}, home=str(tmp_path))
    assert InProcessTransport(Services(settings)).actor == laptop_actor(settings)
    with pytest.raises(PermissionDenied, match="MAESTRO_URL"):
        InProcessTransport(Services(settings.with_overrides(team=True)))


# --- a team: the actor comes from the hub's user model ------------------------------------------------------------

TEAM = Settings.from_env({"MAESTRO_TEAM": "true"})


def hub_user(name: str, groups: list[str] | None = None, admin: bool = False, **more: object) -> dict[str, object]:
    """A user model as ``GET /hub/api/user`` answers it (its identify fields and more)."""
    return {"kind": "user", "name": name, "admin": admin, "groups": groups or [], "scopes": [], **more}


def test_project_groups_are_the_projects_without_their_prefix_and_the_first_is_the_default():
    model = hub_user("alice", ["project-ops", "data-eng", "project-churn", "project-", "projects-x"])
    assert hub_actor(model, TEAM) == Actor("alice", admin=False, projects=("churn", "ops"), default_project="churn")


def test_hub_admins_and_the_admin_group_are_admins():
    assert hub_actor(hub_user("boss", admin=True), TEAM).admin is True
    assert hub_actor(hub_user("carol", ["maestro-admins", "project-ops"]), TEAM).admin is True
    assert hub_actor(hub_user("alice", ["project-churn", "admins"]), TEAM).admin is False
    # Only a true admin flag counts (a model read with fewer scopes may lack it).
    assert hub_actor(hub_user("eve", admin="yes"), TEAM).admin is False  # type: ignore[arg-type]


def test_the_admin_group_and_the_project_prefix_are_settings():
    settings = Settings.from_env(
        {"MAESTRO_TEAM": "1", "MAESTRO_ADMIN_GROUP": "ml-leads", "MAESTRO_PROJECT_PREFIX": "p."}
    )
    actor = hub_actor(hub_user("carol", ["ml-leads", "p.churn", "project-ops", "maestro-admins"]), settings)
    assert actor == Actor("carol", admin=True, projects=("churn",), default_project="churn")
    assert hub_actor(hub_user("dave", ["maestro-admins"]), settings).admin is False


def test_a_member_of_no_project_group_is_refused_work_with_a_clear_403():
    bare = hub_actor(hub_user("dana", ["data-eng"]), TEAM)
    assert (bare.projects, bare.default_project, bare.admin) == ((), None, False)
    with pytest.raises(PermissionDenied, match=r"dana belongs to no project.*hub group"):
        bare.project_for(None)


def test_a_hub_service_is_not_an_actor():
    with pytest.raises(PermissionDenied, match="hub users only; the service prometheus"):
        hub_actor({"kind": "service", "name": "prometheus", "scopes": []}, TEAM)
    with pytest.raises(PermissionDenied):
        hub_actor({"kind": "user", "name": ""}, TEAM)


def test_in_team_mode_the_environment_names_no_one(monkeypatch):
    """MAESTRO_USER, MAESTRO_ADMINS, MAESTRO_PROJECT (and JUPYTERHUB_USER) change nothing of a hub user's actor."""
    model = hub_user("alice", ["project-churn"])
    plain = hub_actor(model, Settings.from_env({"MAESTRO_TEAM": "true"}))
    loaded = {
        "MAESTRO_TEAM": "true",
        "MAESTRO_USER": "boss",
        "MAESTRO_ADMINS": "alice,boss",
        "MAESTRO_PROJECT": "fraud",
        "JUPYTERHUB_USER": "boss",
    }
    for name, value in loaded.items():
        monkeypatch.setenv(name, value)
    assert hub_actor(model, Settings.from_env()) == plain == Actor("alice", False, ("churn",), "churn")
    with pytest.raises(PermissionDenied, match="to churn, not fraud"):
        plain.project_for("fraud")


# --- the team service's options and authorizer --------------------------------------------------------------------


def test_the_service_listens_where_the_hub_says_in_team_mode_with_the_hubs_auth():
    from maestro_jupyter.server.service import service_argv

    env = {"JUPYTERHUB_SERVICE_NAME": "maestro", "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:10101"}
    argv = service_argv(env, "/tmp/empty")
    assert "--ServerApp.ip=127.0.0.1" in argv
    assert "--ServerApp.port=10101" in argv
    assert "--ServerApp.base_url=/services/maestro/" in argv
    assert "--ServerApp.root_dir=/tmp/empty" in argv
    assert "--ServerApp.allow_unauthenticated_access=False" in argv
    assert "--ServerApp.identity_provider_class=maestro_jupyter.server.hub_identity.HubIdentityProvider" in argv
    # As the server parses them (HubOAuth is not among its classes): the one scope a caller's token must have.
    from jupyterhub.services.auth import HubOAuth
    from traitlets.config import Application

    parsed = Application()
    parsed.parse_command_line(argv)
    hub_auth = HubOAuth(config=parsed.config)
    assert (hub_auth.access_scopes, hub_auth.cache_max_age) == ({"access:services!service=maestro"}, 60)
    assert argv[-1] == "--Maestro.team=True"
    prefixed = service_argv({**env, "JUPYTERHUB_SERVICE_PREFIX": "/hub-x/services/maestro/"}, "/r")
    assert "--ServerApp.base_url=/hub-x/services/maestro/" in prefixed


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"JUPYTERHUB_SERVICE_NAME": "maestro"},
        {"JUPYTERHUB_SERVICE_NAME": "maestro", "JUPYTERHUB_SERVICE_URL": "unix:/tmp/x"},
    ],
)
def test_the_service_needs_the_hubs_variables(env, capsys):
    from maestro_jupyter.server.service import ServiceConfigError, main, service_argv

    with pytest.raises(ServiceConfigError):
        service_argv(env, "/r")
    if not env:
        assert main([]) == 2
        assert "JUPYTERHUB_SERVICE_URL" in capsys.readouterr().err


def test_the_service_authorizer_opens_only_maestro_to_users_with_access():
    from jupyterhub.services.auth import HubOAuth

    from maestro_jupyter.server.hub_identity import HubIdentityProvider, MaestroAuthorizer

    provider = HubIdentityProvider()
    provider.hub_auth = HubOAuth(access_scopes={"access:services!service=maestro"}, api_token="x")
    authorizer = MaestroAuthorizer(identity_provider=provider)
    member = SimpleNamespace(hub_user=hub_user("alice", scopes=["access:services!service=maestro"]))
    admin = SimpleNamespace(hub_user=hub_user("boss", admin=True, scopes=["access:services"]))
    other = SimpleNamespace(hub_user=hub_user("eve", scopes=["access:services!service=mlflow"]))
    for action in ("read", "write", "execute"):
        assert authorizer.is_authorized(None, member, action, "maestro") is True
        assert authorizer.is_authorized(None, admin, action, "maestro") is True
        assert authorizer.is_authorized(None, other, action, "maestro") is False
        for resource in ("contents", "kernels", "terminals", "sessions", "api", "server"):
            assert authorizer.is_authorized(None, member, action, resource) is False
            assert authorizer.is_authorized(None, admin, action, resource) is False
    assert authorizer.is_authorized(None, SimpleNamespace(username="anonymous"), "read", "maestro") is False
    # The service's own hub token is never offered as the server's token.
    assert provider.token == ""
