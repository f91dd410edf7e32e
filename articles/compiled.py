"""Querysets compiled to SQL once per process and database, then run with new parameter values.

Every API request looks up its caller and the object it names. The ORM compiles such a lookup anew on
every call, and on a small server that compilation took longer than running the query. A
`CompiledQuery` lets the ORM write the SQL once, from the very queryset function the rest of the code
uses (so the scoping rules stay in one place), and then only swaps the parameter values in.

The queryset function receives stand-in values and must use them only in plain equality lookups,
where the ORM passes a value through to the parameters unchanged, and must not use select_related.
Rows become models as the ORM's own iterator makes them (from_db, the database's converters); where
each value lands in a row is read from Django's SQL compiler, a private API, in `_read_select` alone.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

import django
from django.conf import settings
from django.db import DatabaseError, connections
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
# SQLSTATE classes only running a statement raises (data, integrity, rollback, lock), and "already
# prepared": after these the PREPARE sent with the failed EXECUTE stands (it outlives a rollback).
_PREPARE_STOOD = ("22", "23", "40", "55", "42P05")


def _numbered(sql: str) -> str:
    """The statement with `%s` placeholders as PostgreSQL's $1, $2, ... (`%%` stays for the driver)."""
    count = iter(range(1, 1_000_000))
    return _PLACEHOLDER.sub(lambda match: "%%" if match.group() == "%%" else f"${next(count)}", sql)


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
    run = f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"
    if name in names:
        cursor.execute(run, params)
    elif len(names) >= MAX_PREPARED:
        cursor.execute(sql, params)
    else:
        _prepare_and_run(cursor, name, f"PREPARE {name} AS {_numbered(sql)}; {run}", params, names)


def _prepare_and_run(cursor, name: str, statements: str, params: Sequence[Any], names: set[str]) -> None:
    """Prepare and run in one round trip, so a connection's first request costs what later ones do.

    After a failure that leaves unclear whether the PREPARE stood (a timeout, say) the name is not
    recorded; if it did stand, the next PREPARE fails once as "already prepared", which records it.
    """
    try:
        cursor.execute(statements, params)
    except DatabaseError as error:
        if (getattr(error.__cause__, "pgcode", None) or "").startswith(_PREPARE_STOOD):
            names.add(name)
        raise
    names.add(name)


DJANGO_CHECKED = (5, 2)  # the Django release whose SQL compiler `_read_select` was written against


@dataclass(frozen=True)
class _Select:
    """What Django's SQL compiler made of a queryset: its SQL, and where each value lands in a row."""

    sql: str
    params: tuple
    model_columns: list[int]  # the positions of the model's own columns (none when rows are not models)
    attnames: list[str]  # the model field each of those columns fills
    annotations: list[tuple[str, int]]  # each annotation's name and position
    joins_related: bool  # select_related: the rows carry other models too
    convert: Callable[[list[tuple]], Iterable[Sequence[Any]]]  # the database's converters (JSON, SQLite times)


def _read_select(queryset: QuerySet, alias: str) -> _Select:
    """Compile the queryset and read its select list from Django's SQL compiler.

    The one use of the compiler's private API (klass_info, annotation_col_map, select, converters):
    tests/test_django_internals.py checks what it reads against the queryset's own results and fails,
    naming the Django version, when an upgrade changes it.
    """
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    try:
        info = compiler.klass_info
        columns = list(info["select_fields"]) if info else []
        expressions = [column[0] for column in compiler.select]
        converters = compiler.get_converters(expressions)
        return _Select(
            sql=sql,
            params=tuple(params),
            model_columns=columns,
            attnames=[expressions[index].target.attname for index in columns],
            annotations=list(compiler.annotation_col_map.items()),
            joins_related=bool(info and info.get("related_klass_infos")),
            convert=partial(compiler.apply_converters, converters=converters) if converters else list,
        )
    except (AttributeError, KeyError, IndexError, TypeError) as error:
        checked = ".".join(map(str, DJANGO_CHECKED))
        raise RuntimeError(
            f"Django {django.get_version()} changed the SQL compiler internals that articles/compiled.py reads "
            f"(written against Django {checked}): {error!r}"
        ) from error


class _Compiled:
    """The SQL of one queryset for one database, and how to turn its rows into models."""

    def __init__(self, queryset: QuerySet, alias: str, stand_ins: list[Any]):
        select = _read_select(queryset, alias)
        self.slots = [(stand_ins.index(p) if p in stand_ins else None, p) for p in select.params]
        if {slot for slot, _ in self.slots if slot is not None} != set(range(len(stand_ins))):
            raise ValueError("Each parameter must appear in the compiled query as it was passed in.")
        if not select.model_columns or select.joins_related:
            raise ValueError("A compiled query returns rows of one model, without select_related.")
        first, last = select.model_columns[0], select.model_columns[-1] + 1
        if select.model_columns != list(range(first, last)):
            raise ValueError("A compiled query reads the model's columns side by side.")
        # The converters are pure functions of the values, so the ones found with the compiling thread's
        # connection serve every thread; each run uses its own thread's cursor.
        self.select, self.columns, self.model, self.alias = select, slice(first, last), queryset.model, alias

    def run(self, values: tuple) -> list[Model]:
        params = [values[slot] if slot is not None else constant for slot, constant in self.slots]
        with connections[self.alias].cursor() as cursor:
            execute(cursor, self.select.sql, params)
            rows = cursor.fetchall()
        found = []
        for row in self.select.convert(rows):
            obj = self.model.from_db(self.alias, self.select.attnames, row[self.columns])
            for name, position in self.select.annotations:
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
