"""Who may open the staff pages: readers (the central office) read, coordinators and admins also act.
Anonymous visitors are sent to the staff login; a signed-in respondent or a reader on a coordinator's page
gets a Swedish 403 page."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from ..permissions import can_read_rounds, is_coordinator


def _guard(check):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), "staff:login")
            if not check(request.user):
                return render(request, "surveys/staff/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = _guard(can_read_rounds)
coordinator_required = _guard(is_coordinator)
