"""The client's address, the one way every part of the site reads it (throttles, logs).

Behind a reverse proxy REMOTE_ADDR is the proxy's own address, and X-Forwarded-For is whatever the client
chose to send plus what each proxy appended. Only the entries appended by proxies we run can be trusted:
with TRUSTED_PROXY_COUNT = n the client is the n-th address from the right. With 0 (no proxy configured)
the header is ignored, so nobody can pick their own address by sending it."""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    return address_from_meta(request.META)


def client_ip_or_none(request) -> str | None:
    """The client address when it is an IP address, else None (a request made in code has no peer): the
    login lockout stores it in an IP address column, which PostgreSQL checks."""
    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def address_from_meta(meta) -> str:
    """The same for a WSGI environ (gunicorn's access log has no request object)."""
    remote = meta.get("REMOTE_ADDR") or "unknown"
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        # Fewer entries than proxies: the request did not come through them all (e.g. from inside the
        # network), so no entry is one our proxies wrote: the peer itself is the client.
        return remote
    return forwarded[-hops]
