"""Who may do what over the API. Object-level rules live in the querysets of each view."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import Role


def is_coordinator(user):
    return bool(
        user and user.is_authenticated and (user.is_superuser or user.role in (Role.ADMIN, Role.COORDINATOR))
    )


def can_read_rounds(user):
    return is_coordinator(user) or bool(user and user.is_authenticated and user.role == Role.READER)


class IsStaffRole(BasePermission):
    """Coordinators and admins read and write; readers (central office) only read."""

    message = "Du saknar behörighet för detta."
    denied = (  # the API documentation's words for its 403
        "Not logged in (session or token), or a role that may not do this: readers only read, and "
        "respondents have no access."
    )

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return can_read_rounds(request.user)
        return is_coordinator(request.user)


class IsCoordinator(BasePermission):
    message = "Endast samordnare får göra detta."
    denied = "Not logged in (session or token) as a coordinator or an admin."

    def has_permission(self, request, view):
        return is_coordinator(request.user)
