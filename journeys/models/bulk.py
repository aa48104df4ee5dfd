"""Bulk writes for the worker's batches, fast on PostgreSQL and plain Django elsewhere.

Django's bulk_create and bulk_update build and quote every value in Python (client-side
binding with psycopg 3); for the few thousand rows of a batch that cost more than all the
engine's decisions. On PostgreSQL new rows get their ids from the table's sequence up
front and go in with COPY; updates are one UPDATE ... FROM (VALUES ...)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model
from psycopg import sql

UPDATE_CHUNK = 1000


def insert_rows(model: type[Model], rows: Sequence[Model]) -> None:
    """Insert new rows; afterwards every row has its pk. Foreign keys must be set by id."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(rows, batch_size=500)
        return
    unnumbered = [row for row in rows if row.pk is None]
    if unnumbered:
        allocate_ids(model, unnumbered)
    fields = model._meta.concrete_fields
    wrapper = connections[DEFAULT_DB_ALIAS]  # the proxy's attribute look-ups add up per value
    prepare = [(field.attname, field.get_db_prep_save) for field in fields]
    copy_rows(
        model,
        [field.name for field in fields],
        ([save(getattr(row, name), wrapper) for name, save in prepare] for row in rows),
    )


def allocate_ids(model: type[Model], rows: Sequence[Model]) -> None:
    """Give unsaved rows ids from their table's sequence (PostgreSQL), so that rows that
    point at them can be built before anything is written."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk
        row._state.adding = False
        row._state.db = connection.alias


def copy_rows(model: type[Model], fields: Sequence[str], values: Iterable[Sequence[Any]]) -> None:
    """COPY tuples of these fields' database values into the model's table (PostgreSQL)."""
    columns = [sql.Identifier(_column(_field(model, name))) for name in fields]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(columns)
    )
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in values:
            copy.write_row(row)


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    """A concrete column of the model (relations are written by their `_id` column)."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field), f"{name} is not a column of {model.__name__}"
    return field


def _column(field: Field[Any, Any]) -> str:
    assert field.column is not None
    return field.column


def update_rows(model: type[Model], rows: Sequence[Model], fields: Sequence[str]) -> None:
    """Write these fields of these saved rows, one statement per 1,000 rows."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(rows, fields, batch_size=500)
        return
    columns = [_field(model, name) for name in fields]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    casts = [f"CAST(%s AS {pk.db_type(connection)})"]
    casts += [f"CAST(%s AS {field.db_type(connection)})" for field in columns]
    names = ", ".join(quote(name) for name in ["pk", *(_column(f) for f in columns)])
    assignments = ", ".join(f"{quote(_column(f))} = v.{quote(_column(f))}" for f in columns)
    table = quote(model._meta.db_table)
    for start in range(0, len(rows), UPDATE_CHUNK):
        chunk = rows[start : start + UPDATE_CHUNK]
        params: list[Any] = []
        for row in chunk:
            params.append(row.pk)
            params += [f.get_db_prep_save(getattr(row, f.attname), connection) for f in columns]
        values = ", ".join(f"({', '.join(casts)})" for _ in chunk)
        # Only quoted identifiers from the model's meta are interpolated; values are params.
        statement = (
            f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v({names}) "  # noqa: S608
            f"WHERE {table}.{quote(_column(pk))} = v.{quote('pk')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
