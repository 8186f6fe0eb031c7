"""Staff roles defined in code: one Django group per role with an explicit permission set, and the one
service that gives a user a role (and so its group).

Only a superuser creates users and changes roles, flags, groups, permissions or passwords of others; no
group below grants any permission on users, groups, permissions or API tokens, so nothing reached through a
role can grant rights."""

from __future__ import annotations

from django.apps.registry import Apps
from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import Role, User
from .audit import audit_record

# Group names as the admin shows them.
GROUP_NAMES = {
    Role.COORDINATOR: "Samordnare",
    Role.READER: "Läsare",
    Role.ADMIN: "Systemförvaltare",
}

# The roles that log in to the admin (is_staff follows the role).
STAFF_ROLES = frozenset(GROUP_NAMES)

ALL = ("add", "change", "delete", "view")

# What a coordinator does: keep the plan, the organisations and the questionnaires, run rounds. Rounds,
# responses, links, e-mails and exports change only through the admin's actions, which call the services;
# the "change" permission on them is what those actions require.
COORDINATOR_PERMISSIONS = {
    "organisation": ALL,
    "contact": ALL,
    "programme": ALL,
    "goalarea": ALL,
    "focusarea": ALL,
    "activity": ALL,
    "indicator": ALL,
    "questionnaire": ALL,
    "questionnaireversion": ALL,
    "section": ALL,
    "question": ALL,
    "option": ALL,
    "scoringscheme": ALL,
    "scoringcategory": ALL,
    "scoringrule": ALL,
    "surveyround": ALL,
    "assignment": ("change", "view"),
    "response": ("change", "view"),
    "answer": ("view",),
    "responserevision": ("view",),
    "accesstoken": ("change", "view"),
    "indexresult": ("view",),
    "outboundemail": ("change", "view"),
    "exportjob": ("add", "view"),
    "auditevent": ("view",),
}

# The central office reads rounds and results; it never sees respondents' links or the outbox.
READER_PERMISSIONS = {
    model: ("view",)
    for model in COORDINATOR_PERMISSIONS
    if model not in {"accesstoken", "outboundemail", "auditevent"}
}

# The system manager does what a coordinator does and may look at the users (not change them).
ADMIN_PERMISSIONS = {**COORDINATOR_PERMISSIONS, "user": ("view",)}

ROLE_PERMISSIONS = {
    Role.COORDINATOR: COORDINATOR_PERMISSIONS,
    Role.READER: READER_PERMISSIONS,
    Role.ADMIN: ADMIN_PERMISSIONS,
}


def role_codenames(role: str) -> set[str]:
    """The permission codenames (app "surveys") of a role's group."""
    return {
        f"{action}_{model}" for model, actions in ROLE_PERMISSIONS.get(role, {}).items() for action in actions
    }


def sync_role_groups(*, apps: Apps | None = None) -> dict[str, object]:
    """Create or update the role groups so each holds exactly its permission set. Safe to call again; the
    data migration and every `migrate` (post_migrate) call it. `apps` is a migration's app registry."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groups = {}
    for role, name in GROUP_NAMES.items():
        wanted = role_codenames(role)
        group, _ = Group.objects.get_or_create(name=name)
        permissions = list(Permission.objects.filter(content_type__app_label="surveys", codename__in=wanted))
        group.permissions.set(permissions)
        groups[role] = group
    return groups


def _require_superuser(actor: User | None) -> None:
    # actor None: a management command run by whoever operates the server.
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied("Bara en superanvändare får ändra roller och behörigheter.")


@transaction.atomic
def user_set_role(*, user: User, role: str, actor: User | None) -> User:
    """Give `user` the role `role`: its group (and no other role's group) and the admin login for staff
    roles. Only a superuser (or the command line, actor None) may do this."""
    _require_superuser(actor)
    if role not in Role.values:
        raise PermissionDenied(f"Okänd roll: {role}.")
    groups = sync_role_groups()
    before = User.objects.filter(pk=user.pk).values_list("role", flat=True).first()
    user.role = role
    user.is_staff = role in STAFF_ROLES or user.is_superuser
    user.save(update_fields=["role", "is_staff"])
    user.groups.remove(*groups.values())
    if role in groups:
        user.groups.add(groups[role])
    if before != role:
        audit_record(
            actor=actor,
            action="user.role",
            target=user.get_username(),
            detail={"from": before, "to": role},
        )
    return user
