"""Querysets compiled to SQL once per process and database, then run with new parameter values.

Every API request looks up its caller and the object it names. The ORM compiles such a lookup anew on
every call, and on a small server that compilation took longer than running the query. A
`CompiledQuery` lets the ORM write the SQL once, from the very queryset function the rest of the code
uses (so the scoping rules stay in one place), and then only swaps the parameter values in.

The queryset function receives stand-in values and must use them only in plain equality lookups,
where the ORM passes a value through to the parameters unchanged, and must not use select_related.
Rows become models as the ORM's own iterator makes them (from_db, the database's converters).
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connections
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

# Stand-ins that no real parameter equals: negative ids (still in the 32-bit range, or the ORM would
# compile the lookup away) and keys with a control character.
_INT_STAND_IN = -2_147_483_000
_STR_STAND_IN = "\x00compiled-query-parameter-"


def _stand_in(kind: type, index: int) -> Any:
    return _INT_STAND_IN + index if kind is int else f"{_STR_STAND_IN}{index}"


MAX_PREPARED = 64  # per connection; statements beyond run unprepared
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # driver connection -> prepared names
_PLACEHOLDER = re.compile(r"%%|%s")


def _numbered(sql: str) -> str:
    """The statement with `%s` placeholders as PostgreSQL's $1, $2, ... (and `%%` as a plain %)."""
    count = iter(range(1, 1_000_000))
    return _PLACEHOLDER.sub(lambda match: "%" if match.group() == "%%" else f"${next(count)}", sql)


def execute(cursor, sql: str, params: Sequence[Any]) -> None:
    """Run `sql` with `params` on a Django cursor. On PostgreSQL it becomes a prepared statement of the
    connection, so the server parses and plans it once per connection, not on every request (planning
    was most of PostgreSQL's work per annotation created). Parameters whose type the statement does not
    make clear must be cast in the SQL (`%s::integer`)."""
    database = cursor.db
    if database.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    names = _prepared.setdefault(database.connection, set())
    name = "q" + hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()
    if name not in names:
        if len(names) >= MAX_PREPARED:
            cursor.execute(sql, params)
            return
        cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")  # a session object: a rollback keeps it
        names.add(name)
    cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}", params)


class _Compiled:
    """The SQL of one queryset for one database, and how to turn its rows into models."""

    def __init__(self, queryset: QuerySet, alias: str, stand_ins: list[Any]):
        compiler = queryset.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        self.slots = [(stand_ins.index(p) if p in stand_ins else None, p) for p in params]
        if {slot for slot, _ in self.slots if slot is not None} != set(range(len(stand_ins))):
            raise ValueError("Each parameter must appear in the compiled query as it was passed in.")
        if compiler.klass_info is None or compiler.klass_info.get("related_klass_infos"):
            raise ValueError("A compiled query returns rows of one model, without select_related.")
        self.compiler, self.model, self.alias = compiler, queryset.model, alias
        self.model_columns = compiler.klass_info["select_fields"]
        if self.model_columns != list(range(self.model_columns[0], self.model_columns[-1] + 1)):
            raise ValueError("A compiled query reads the model's columns side by side.")
        self.attnames = [compiler.select[index][0].target.attname for index in self.model_columns]
        self.annotations = list(compiler.annotation_col_map.items())
        # Converters are pure functions of the values (JSON decoding, SQLite times), so the ones found with
        # the compiling thread's connection serve every thread; each run uses its own thread's cursor.
        self.converters = compiler.get_converters([column[0] for column in compiler.select])

    def run(self, values: tuple) -> list[Model]:
        params = [values[slot] if slot is not None else constant for slot, constant in self.slots]
        with connections[self.alias].cursor() as cursor:
            execute(cursor, self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        first, last = self.model_columns[0], self.model_columns[-1] + 1
        found = []
        for row in rows:
            obj = self.model.from_db(self.alias, self.attnames, row[first:last])
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


class CompiledQuery(Generic[M]):
    """`build(*parameters)` compiled once per database alias; `run(*values)` returns its rows as models.

    `kinds` gives each parameter's type (int or str). Annotations come back as attributes, as they do
    from the queryset itself.
    """

    def __init__(self, build: Callable[..., QuerySet[M]], *kinds: type):
        self.build, self.kinds = build, kinds
        self._compiled: dict[str, _Compiled] = {}

    def run(self, *values: Any, using: str = "default") -> list[M]:
        if using not in self._compiled:
            stand_ins = [_stand_in(kind, index) for index, kind in enumerate(self.kinds)]
            self._compiled[using] = _Compiled(self.build(*stand_ins), using, stand_ins)
        return self._compiled[using].run(values)

    def first(self, *values: Any, using: str = "default") -> M | None:
        rows = self.run(*values, using=using)
        return rows[0] if rows else None
