"""Reading one row by primary key with a statement built once, for the few reads made on
nearly every request: building a query with the ORM took about three times as long as the
database took to answer it."""

from collections.abc import Callable, Sequence
from typing import Any, cast

from django.db import connections, models
from django.db.models.expressions import Col

type Converters = list[tuple[int, list[Callable[..., Any]]]]


class RowByKey[M: models.Model]:
    """`SELECT <fields> FROM <model's table> WHERE <pk> = %s`, with the values converted as the
    ORM converts them (on SQLite, text to aware datetimes). Fields are every concrete field of
    `model` unless named."""

    def __init__(self, model: type[M], fields: Sequence[str] = ()) -> None:
        self.model = model
        meta = model._meta
        named = [cast(models.Field, meta.get_field(name)) for name in fields]
        self.fields: list[models.Field] = named or list(meta.concrete_fields)
        self.names = [field.attname for field in self.fields]
        self._built: dict[str, tuple[str, list[Col], Converters]] = {}

    def values(self, pk: Any) -> list[Any] | None:
        """The fields' values of the row with this key, converted, or None if there is none."""
        alias = self.model._default_manager.db
        connection = connections[alias]
        sql, columns, converters = self._statement(alias)
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for index, convert in converters:
            for converter in convert:
                values[index] = converter(values[index], columns[index], connection)
        return values

    def instance(self, pk: Any) -> M | None:
        """The model instance as `objects.get(pk=pk)` loads it (these fields only), or None."""
        values = self.values(pk)
        if values is None:
            return None
        return self.model.from_db(self.model._default_manager.db, self.names, values)

    def _statement(self, alias: str) -> tuple[str, list[Col], Converters]:
        """Built on first use for each database. The converters depend only on the database's
        vendor and the settings, so one process keeps them for every thread's connection."""
        built = self._built.get(alias)
        if built is None:
            connection = connections[alias]
            meta, quote = self.model._meta, connection.ops.quote_name
            columns = [Col(meta.db_table, field) for field in self.fields]
            selected = ", ".join(quote(cast(str, column.target.column)) for column in columns)
            key = quote(cast(str, meta.pk.column))
            sql = f"SELECT {selected} FROM {quote(meta.db_table)} WHERE {key} = %s"
            ops = connection.ops
            converters = [
                (index, [*ops.get_db_converters(col), *col.get_db_converters(connection)])
                for index, col in enumerate(columns)
            ]
            found = [(index, convert) for index, convert in converters if convert]
            built = self._built[alias] = (sql, columns, found)
        return built
