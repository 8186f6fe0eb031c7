"""A respondent's access: which assignments a browser session may answer, and the check every respondent
page and API call makes.

A magic link opens a session (`remember_link`); the session remembers, per assignment, the access link it
was opened with. Every later request asks `respondent_access`, which reads that link with what the check
needs in one indexed query (the link, its contact, the assignment, the round, the version and the
response, all by primary or unique key) and applies the one link rule (`tokens.check_token`). The
organisation is not joined (a seventh table doubled PostgreSQL's planning of the query): what shows its
name reads it by key when it renders (`load_organisation`), so saves and redirects never read it.

That query runs on every respondent request, so its SQL is written once per connection (`rows`):
building the same five-join query anew through the ORM on each request cost more than running it (2.1
against 0.9 ms per check on PostgreSQL)."""

from collections.abc import MutableMapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import Http404
from django.utils import timezone

from ..models import AccessToken, Assignment, Organisation, SurveyRound
from .rows import built_for, by_pk, connection_for, model_rows
from .tokens import check_token

SESSION_LINKS = "respondent_links"  # {assignment id: access token id}
SESSION_CURRENT = "respondent_current"  # the assignment of the link opened last
MARK_USED_EVERY = timedelta(minutes=5)


def remember_link(session: MutableMapping, access: AccessToken) -> None:
    """Let this session answer the link's assignment (and make it the one /enkat/ follows)."""
    links = dict(session.get(SESSION_LINKS, {}))
    links[str(access.assignment_id)] = access.pk
    session[SESSION_LINKS] = links
    session[SESSION_CURRENT] = access.assignment_id
    # A respondent's session lasts a working day, not the site's default of weeks.
    session.set_expiry(settings.RESPONDENT_SESSION_SECONDS)


def session_links(session: MutableMapping) -> dict[str, int]:
    """{assignment id: access token id} of the links this session opened."""
    return session.get(SESSION_LINKS) or {}


def latest_assignment_id(session: MutableMapping) -> int | None:
    """The assignment of the link this browser opened last (/enkat/ and the results page follow it)."""
    links = session_links(session)
    current = session.get(SESSION_CURRENT)
    if current is not None and str(current) in links:
        return int(current)
    return max((int(k) for k in links), default=None)


def respondent_access(session: MutableMapping, assignment_id: int) -> AccessToken:
    """The access link this session holds for `assignment_id`, with its contact, assignment, round,
    version and response; Http404 for an assignment the session never opened (another organisation's),
    TokenRefused when the link has ended since (revoked, expired, erased or removed contact)."""
    token_id = session_links(session).get(str(assignment_id))
    if not token_id:
        raise Http404("Ingen behörighet till den här enkäten.")
    access = _access_query().get(token_id, assignment_id)
    if access is None:
        raise Http404("Ingen behörighet till den här enkäten.")
    check_token(access)
    return access


def load_organisation(assignment: Assignment) -> None:
    """Read the assignment's organisation by key, once: for what shows its name (a page, not a save)."""
    if not Assignment._meta.get_field("organisation").is_cached(assignment):
        assignment.organisation = by_pk(Organisation, assignment.organisation_id)


def mark_used(access: AccessToken, *, now: datetime | None = None) -> None:
    """A save or a submit is a human action (a mail scanner only GETs): the coordinator sees the link
    was used. Recorded at most every few minutes, so a run of autosaves writes it once."""
    now = now or timezone.now()
    if access.last_used_at is not None and timedelta(0) <= now - access.last_used_at < MARK_USED_EVERY:
        return
    AccessToken.objects.filter(pk=access.pk).update(last_used_at=now)
    access.last_used_at = now


class _AccessQuery:
    """The link with its contact, assignment, round, version and response, by the link's id and
    assignment: what `AccessToken.objects.select_related("contact", "assignment__round__version",
    "assignment__response")` reads, written once for a database connection (`rows`)."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        version = SurveyRound._meta.get_field("version").related_model
        response = Assignment._meta.get_field("response").related_model  # the reverse one-to-one
        contact = AccessToken._meta.get_field("contact").related_model
        # (model, the model it hangs from, the relation's name there), each table once.
        self.shape = (
            (model_rows(AccessToken, connection), None, ""),
            (model_rows(contact, connection), AccessToken, "contact"),
            (model_rows(Assignment, connection), AccessToken, "assignment"),
            (model_rows(SurveyRound, connection), Assignment, "round"),
            (model_rows(version, connection), SurveyRound, "version"),
            (model_rows(response, connection), Assignment, "response"),
        )
        tables = {rows.model: rows for rows, _, _ in self.shape}
        link = tables[AccessToken]
        joins = []
        for rows, parent, relation in self.shape[1:]:
            if relation == "response":  # the response's row points back at the assignment
                on = f"{rows.column('assignment')} = {tables[parent].pk_column}"
                joins.append(f"LEFT OUTER JOIN {rows.table} ON {on}")
            else:
                on = f"{rows.pk_column} = {tables[parent].column(relation)}"
                joins.append(f"INNER JOIN {rows.table} ON {on}")
        columns = ", ".join(column for rows, _, _ in self.shape for column in rows.columns)
        self.sql = (
            f"SELECT {columns} FROM {link.table} {' '.join(joins)} "
            f"WHERE {link.pk_column} = %s AND {link.column('assignment')} = %s"
        )

    def get(self, token_id: int, assignment_id: int) -> AccessToken | None:
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, [token_id, assignment_id])
            row = cursor.fetchone()
        if row is None:
            return None
        objects, start = {}, 0
        for rows, parent, relation in self.shape:
            instance = rows.instance(row[start : start + len(rows.columns)])
            start += len(rows.columns)
            if instance is None:
                continue  # no response row (the outer join): looked up on demand, as the ORM would
            objects[rows.model] = instance
            if parent is not None:
                setattr(objects[parent], relation, instance)
        return objects[AccessToken]


def _access_query() -> _AccessQuery:
    connection = connection_for(AccessToken)
    return built_for(connection, _AccessQuery, _AccessQuery)
