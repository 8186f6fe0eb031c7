"""Django's database sessions, read with one plain statement.

Every request of a signed-in coordinator and of a respondent reads its session, and building the ORM
query for it cost more than the database took to answer (on the respondent's hot path, a sixth of a
save). Loading is the only change: the same table, the same rows and the same rules (an expired or
unknown key is an empty session that gets a new key when it is saved); saving, deleting and clearing
are Django's own. Set `SESSION_ENGINE = "backend.sessions"`."""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self):
        if self.session_key is None:
            return {}
        connection = connections[router.db_for_read(self.model)]
        quote = connection.ops.quote_name
        meta = self.model._meta
        column = {
            name: quote(meta.get_field(name).column)
            for name in ("session_key", "session_data", "expire_date")
        }
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column['session_data']} FROM {quote(meta.db_table)} "
                f"WHERE {column['session_key']} = %s AND {column['expire_date']} > %s",
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's: the key is not reused
            return {}
        return self.decode(row[0])
