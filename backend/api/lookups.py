"""`field__anyof=[...]`: membership in a long list as ONE array parameter on PostgreSQL.

`field__in=[...]` renders a placeholder per value, and with a thousand values (a sign-up
batch) quoting and compiling them costs more than running the query. `anyof` renders
`field = ANY(%s::type[])` instead; on other databases (SQLite, the demo) it is `IN`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


def _any_sql(lookup: In, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
    lhs, lhs_params = lookup.process_lhs(compiler, connection)
    values = [value for value in lookup.rhs if value is not None]
    if not values:
        raise EmptyResultSet
    db_type = lookup.lhs.output_field.cast_db_type(connection)
    return f"{lhs} = ANY(%s::{db_type}[])", [*lhs_params, values]


@Field.register_lookup
class AnyOf(In):
    lookup_name = "anyof"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return _any_sql(self, compiler, connection)


@ForeignObject.register_lookup
class RelatedAnyOf(RelatedIn):
    lookup_name = "anyof"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return _any_sql(self, compiler, connection)
