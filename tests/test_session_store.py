"""The session engine (backend/sessions.py) loads as Django's database sessions do, in one statement."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.sessions import SessionStore


def saved(data, *, expiry=3600):
    store = SessionStore()
    store.update(data)
    store.set_expiry(expiry)
    store.save()
    return store.session_key


@pytest.mark.django_db
def test_a_session_loads_what_was_saved_in_one_statement_as_djangos_store_does():
    key = saved({"respondent_links": {"12": 34}, "respondent_current": 12, "name": "Åsa"})
    with CaptureQueriesContext(connection) as queries:
        loaded = SessionStore(key).load()
    assert len(queries) == 1
    assert loaded == {
        "respondent_links": {"12": 34},
        "respondent_current": 12,
        "name": "Åsa",
        "_session_expiry": 3600,
    }
    assert loaded == db.SessionStore(key).load()


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["expired", "unknown", "deleted"])
def test_an_expired_unknown_or_deleted_session_is_empty_and_its_key_is_not_reused(case):
    key = saved({"respondent_links": {"1": 2}})
    if case == "expired":
        Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    elif case == "unknown":
        key = "x" * 32
    else:
        SessionStore(key).delete()
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None
    store["a"] = 1
    store.save()
    assert store.session_key != key  # a new session, never the old (or a guessed) key


@pytest.mark.django_db
def test_no_session_cookie_reads_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert SessionStore().load() == {}
    assert len(queries) == 0


def test_the_site_uses_it(settings):
    assert settings.SESSION_ENGINE == "backend.sessions"
