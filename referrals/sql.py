"""Written-out SQL of the referrals app: only what the ORM cannot express.

Each statement returns a small frozen dataclass (or plain ids), never a half-filled model;
each has its own test. Table and column names come from the models' `_meta`, and values
the SQL compares against come from the Python constants they mirror.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from operator import itemgetter
from typing import cast

from django.db import connection, models

# --- Sign-up ingestion ----------------------------------------------------------------------
# A batch of a thousand sign-ups writes four tables; bulk_create's INSERTs are several times
# slower than COPY, which the ORM does not offer. PostgreSQL only: the caller falls back to
# bulk_create elsewhere (the demo's SQLite).


def ids_draw(*, model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys from `model`'s id sequence, in ascending order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def rows_copy(*, model: type[models.Model], instances: Sequence[models.Model]) -> None:
    """COPY complete model instances (primary keys set) into `model`'s table: what
    bulk_create would insert, several times faster for a thousand rows. The columns are the
    model's concrete fields; without primary keys, the table's identity draws them.
    Database errors surface as Django's (IntegrityError, …)."""
    if not instances:
        return
    with_pk = instances[0].pk is not None
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    # A concrete field always has a column (the stubs allow None).
    columns = ", ".join(connection.ops.quote_name(cast(str, field.column)) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    # A model instance keeps every concrete field's value in its __dict__ under attname.
    values = itemgetter(*(field.attname for field in fields))
    json_at = [i for i, field in enumerate(fields) if isinstance(field, models.JSONField)]
    with (
        connection.wrap_database_errors,
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for instance in instances:
            row = list(values(instance.__dict__))
            for i in json_at:
                row[i] = json.dumps(row[i])
            copy.write_row(row)


# --- End of sign-up ingestion ---------------------------------------------------------------
