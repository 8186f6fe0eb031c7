"""The API's token login, guarded against password guessing like every other login (django-axes)."""

from axes.handlers.proxy import AxesProxyHandler
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken

from ..lockout import lockout_response
from .schema import VALIDATION_ERROR, error


class LockableObtainAuthToken(ObtainAuthToken):
    """DRF's token view. Axes counts its failures through authenticate() (DRF passes its own request
    object there), so the lockout flag lands on that object rather than on the request the axes
    middleware sees: the view answers the lockout itself, before and after checking the password."""

    @extend_schema(
        auth=[],
        summary="Get an API token",
        description="A staff user's username and password give their token, to send as "
        "`Authorization: Token <token>` on every other call (the same token each time). Repeated failed "
        "logins lock the login for a while, as on every login page (429).",
        responses={
            200: inline_serializer("AuthToken", {"token": serializers.CharField()}),
            400: VALIDATION_ERROR,
            429: error("Too many failed logins: the login is locked for a while."),
        },
    )
    def post(self, request, *args, **kwargs):
        username = request.data.get("username") if hasattr(request.data, "get") else None
        # Only a name can be counted; anything else is refused by the serializer below (400).
        credentials = {"username": username if isinstance(username, str) else None}
        if not AxesProxyHandler.is_allowed(request._request, credentials):
            return lockout_response(request._request, None, credentials)
        response = super().post(request, *args, **kwargs)
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request._request, response, credentials)
        return response


obtain_auth_token = LockableObtainAuthToken.as_view()
