"""Roles are defined in code; only a superuser creates users or changes roles, flags, groups,
permissions or passwords, from the admin or anywhere else."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from rest_framework.authtoken.models import Token

from surveys.models import AuditEvent, User
from surveys.services.roles import GROUP_NAMES, sync_role_groups, user_set_role
from tests import factories

pytestmark = pytest.mark.django_db

RIGHTS = {"user", "group", "permission", "token", "tokenproxy"}


def _staff(role, username, **extra):
    return user_set_role(user=factories.UserFactory(username=username, **extra), role=role, actor=None)


@pytest.fixture
def coordinator():
    """As the demo once set it up: the coordinator group and, on top, every permission of the app."""
    user = _staff("coordinator", "samordnare")
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="surveys"))
    return user


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def target():
    return factories.UserFactory(username="kollega", role="reader")


def _form(user, **changes):
    data = {
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
    }
    data.update(changes)
    return data


def test_role_groups_exist_with_exactly_their_permissions():
    sync_role_groups()
    for name in GROUP_NAMES.values():
        codenames = set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        assert codenames, name
        assert not {c for c in codenames if c.split("_", 1)[1] in RIGHTS} - {"view_user"}, name
    coordinator = set(Group.objects.get(name="Samordnare").permissions.values_list("codename", flat=True))
    assert {"change_surveyround", "add_organisation", "view_response"} <= coordinator
    assert "delete_response" not in coordinator and "view_user" not in coordinator
    reader = set(Group.objects.get(name="Läsare").permissions.values_list("codename", flat=True))
    assert all(c.startswith("view_") for c in reader) and "view_accesstoken" not in reader


def test_coordinator_cannot_grant_superuser(coordinator_client, target):
    page = coordinator_client.post(
        f"/admin/surveys/user/{target.pk}/change/", _form(target, is_superuser="on", is_staff="on")
    )
    assert page.status_code == 403
    target.refresh_from_db()
    assert not target.is_superuser and not target.is_staff


def test_coordinator_cannot_grant_themself_superuser(coordinator_client, coordinator):
    page = coordinator_client.post(
        f"/admin/surveys/user/{coordinator.pk}/change/", _form(coordinator, is_superuser="on", role="admin")
    )
    assert page.status_code == 403
    coordinator.refresh_from_db()
    assert not coordinator.is_superuser and coordinator.role == "coordinator"


def test_coordinator_cannot_change_a_role_through_the_change_form(coordinator_client, target):
    coordinator_client.post(f"/admin/surveys/user/{target.pk}/change/", _form(target, role="admin"))
    target.refresh_from_db()
    assert target.role == "reader"


def test_coordinator_cannot_create_a_user_with_role_admin(coordinator_client):
    page = coordinator_client.post(
        "/admin/surveys/user/add/",
        {
            "username": "ny-chef",
            "usable_password": "true",
            "password1": "ett-langt-losenord-123",
            "password2": "ett-langt-losenord-123",
            "role": "admin",
        },
    )
    assert page.status_code == 403
    assert not User.objects.filter(username="ny-chef").exists()


def test_coordinator_cannot_open_another_users_password_form(coordinator_client, target):
    url = f"/admin/surveys/user/{target.pk}/password/"
    assert coordinator_client.get(url).status_code == 403
    page = coordinator_client.post(
        url, {"password1": "kapat-losenord-987", "password2": "kapat-losenord-987"}
    )
    assert page.status_code == 403
    target.refresh_from_db()
    assert target.check_password("secret-pass-123")


def test_coordinator_cannot_add_a_group_or_give_a_group_rights(coordinator_client, coordinator, target):
    admins = Group.objects.get(name="Systemförvaltare")
    coordinator_client.post(f"/admin/surveys/user/{target.pk}/change/", _form(target, groups=[admins.pk]))
    assert not target.groups.filter(pk=admins.pk).exists()
    own = Group.objects.get(name="Samordnare")
    everything = list(Permission.objects.values_list("pk", flat=True))
    page = coordinator_client.post(
        f"/admin/auth/group/{own.pk}/change/", {"name": own.name, "permissions": everything}
    )
    assert page.status_code == 403
    assert not own.permissions.filter(codename="change_user").exists()
    assert coordinator_client.post("/admin/auth/group/add/", {"name": "Egen"}).status_code == 403


def test_coordinator_cannot_bulk_delete_or_deactivate_users(coordinator_client, target):
    coordinator_client.post(
        "/admin/surveys/user/",
        {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"},
    )
    assert User.objects.filter(pk=target.pk, is_active=True).exists()


def test_coordinator_cannot_make_an_api_token_for_someone_else(coordinator_client):
    boss = factories.UserFactory(username="chef", is_superuser=True, is_staff=True, role="admin")
    page = coordinator_client.post("/admin/authtoken/tokenproxy/add/", {"user": boss.pk})
    assert page.status_code == 403
    assert not Token.objects.filter(user=boss).exists()


def test_coordinators_admin_shows_nothing_that_grants_rights(coordinator_client):
    page = coordinator_client.get("/admin/").content.decode()
    assert "/admin/surveys/surveyround/" in page
    for link in ("/admin/surveys/user/", "/admin/auth/group/", "/admin/authtoken/"):
        assert link not in page


def test_only_a_superuser_gives_roles_and_the_group_follows_the_role(client, target):
    coordinator = _staff("coordinator", "s2")
    with pytest.raises(PermissionDenied):
        user_set_role(user=target, role="admin", actor=coordinator)
    superuser = factories.UserFactory(username="root", is_superuser=True, is_staff=True, role="admin")
    client.force_login(superuser)
    page = client.post(f"/admin/surveys/user/{target.pk}/change/", _form(target, role="coordinator"))
    assert page.status_code == 302
    target.refresh_from_db()
    assert target.role == "coordinator" and target.is_staff
    assert list(target.groups.values_list("name", flat=True)) == ["Samordnare"]
    event = AuditEvent.objects.get(action="user.role")
    assert event.actor == superuser and event.detail == {"from": "reader", "to": "coordinator"}
    user_set_role(user=target, role="respondent", actor=superuser)
    target.refresh_from_db()
    assert not target.is_staff and not target.groups.exists()


def test_the_operator_gives_a_role_from_the_command_line(target):
    from django.core.management import call_command

    call_command("set_role", "kollega", "admin")
    target.refresh_from_db()
    assert target.role == "admin" and target.is_staff and not target.is_superuser
    assert list(target.groups.values_list("name", flat=True)) == ["Systemförvaltare"]
