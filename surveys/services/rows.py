"""SQL written once, for the few statements every respondent request runs.

Django's ORM builds a statement's SQL anew on every call, and on the respondent's hot path (the access
check, the answers a page or a save reads, the organisation by key, the save's INSERTs) building it cost
more than the database took to answer. Here the SQL comes from the models' metadata, once per database
connection. Rows become instances through `Model.from_db` after each field's database converters (the
backend's, then the field's own `from_db_value`, in the ORM's order); values are stored through each
field's `pre_save` and `get_db_prep_save`, as `bulk_create` stores them. Everything else uses the ORM.
`tests/test_respondent_hot_path.py` compares every field with the ORM's, on SQLite and PostgreSQL."""

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

M = TypeVar("M", bound=Model)
T = TypeVar("T")


class ModelRows:
    """One model's concrete fields as SQL columns (its table's name is the alias: a query that uses
    this joins each table once) and the instance made from their values, for one connection."""

    def __init__(self, model: type[Model], connection: BaseDatabaseWrapper) -> None:
        self.model = model
        self.connection = connection  # the converters are bound to it (connections are per thread)
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        fields = model._meta.concrete_fields
        self.columns = tuple(f"{self.table}.{quote(field.column)}" for field in fields)
        self.attnames = tuple(field.attname for field in fields)
        self.pk_index = fields.index(model._meta.pk)
        self.pk_column = self.columns[self.pk_index]
        converters = []
        for i, field in enumerate(fields):
            column = field.get_col(self.table)
            found = (*connection.ops.get_db_converters(column), *column.get_db_converters(connection))
            if found:
                converters.append((i, column, found))
        self.converters = tuple(converters)

    def column(self, name: str) -> str:
        """The SQL of one field's column (by field name), for a WHERE or a JOIN."""
        return self.columns[self.attnames.index(self.model._meta.get_field(name).attname)]

    def instance(self, values: Sequence[Any]) -> Model | None:
        """The instance of these values (this model's columns, in order); None for the nulls of an
        outer join that found no row."""
        if values[self.pk_index] is None:
            return None
        values = list(values)
        for i, column, converters in self.converters:
            for convert in converters:
                values[i] = convert(values[i], column, self.connection)
        return self.model.from_db(self.connection.alias, self.attnames, values)

    def fetch(self, where: str, params: Sequence[Any]) -> list[Model]:
        """The instances of the rows `WHERE {where}` selects (SQL with %s for each of `params`)."""
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(self.columns)} FROM {self.table} WHERE {where}", params)
            return [self.instance(row) for row in cursor.fetchall()]


_built = threading.local()  # per thread, as Django's connections are


def connection_for(model: type[Model]) -> BaseDatabaseWrapper:
    return connections[router.db_for_read(model)]


def built_for(connection: BaseDatabaseWrapper, key: object, build: Callable[[BaseDatabaseWrapper], T]) -> T:
    """`build(connection)`, made once per connection and kept while the connection is the thread's: what
    is built holds converters bound to it."""
    cache = _built.__dict__.setdefault("cache", {})
    entry = cache.get((connection.alias, key))
    if entry is None or entry[0] is not connection:
        entry = cache[(connection.alias, key)] = (connection, build(connection))
    return entry[1]


def model_rows(model: type[M], connection: BaseDatabaseWrapper) -> ModelRows:
    return built_for(connection, model, lambda c: ModelRows(model, c))


def by_pk(model: type[M], pk: Any) -> M | None:
    """The instance with this primary key, or None."""
    rows = model_rows(model, connection_for(model))
    found = rows.fetch(f"{rows.pk_column} = %s", [pk])
    return found[0] if found else None


def insert_rows(objects: Sequence[Model], *, unique: Sequence[str] = (), update: Sequence[str] = ()) -> None:
    """INSERT `objects` (of one model) in one statement, as the ORM's `bulk_create` would store them
    (each field's `pre_save` and `get_db_prep_save`), without reading back their ids. With `unique`
    (the fields of a unique constraint) a row already there gets the `update` fields instead: one
    upsert (ON CONFLICT ... DO UPDATE, on PostgreSQL and SQLite alike)."""
    if not objects:
        return
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    params = [
        field.get_db_prep_save(field.pre_save(instance, True), connection)
        for instance in objects
        for field in fields
    ]
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES {', '.join([row] * len(objects))}"
    )
    if unique:
        columns = [quote(model._meta.get_field(name).column) for name in update]
        sql += (
            f" ON CONFLICT ({', '.join(quote(model._meta.get_field(name).column) for name in unique)}) "
            f"DO UPDATE SET {', '.join(f'{column} = EXCLUDED.{column}' for column in columns)}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
