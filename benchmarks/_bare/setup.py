"""Create the baseline's tables, one user with a logged-in session per client, and count the statements
of one create: `python -m benchmarks._bare.setup N` prints JSON."""

import json
import os
import sys


def main(n):
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks._bare.settings"
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks._bare.models import Item

    call_command("migrate", verbosity=0)
    with connection.schema_editor() as editor:
        editor.create_model(Item)  # the one table, without a migration of its own
    clients = []
    for i in range(n + 1):
        user = get_user_model().objects.create_user(f"bench{i}")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        clients.append({"session": session.session_key, "owner": user.pk})
    probe = clients.pop()
    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"] = probe["session"]
    client.cookies["csrftoken"] = "a" * 32
    body = {"owner": probe["owner"], "value": {"answer": "ja"}}
    client.post("/items/", body, "application/json", HTTP_X_CSRFTOKEN="a" * 32)  # warm
    with CaptureQueriesContext(connection) as queries:
        created = client.post("/items/", body, "application/json", HTTP_X_CSRFTOKEN="a" * 32)
    assert created.status_code == 201, created.content
    print(json.dumps({"clients": clients, "statements": len(queries)}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
