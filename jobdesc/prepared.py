"""QuerySets compiled once per process: the few fixed-shape reads every request makes.

Django compiles a QuerySet to SQL each time it runs: 0.3–1 ms of Python per query, several
times what SQLite or PostgreSQL takes to answer a primary-key read. Every signed-in request
makes the same few such reads (the session, the user with their roles, the positions they
hold), so a ``PreparedQuery`` builds its QuerySet once per database, with sentinel values
standing for its arguments, keeps the SQL and its parameters, and answers later calls by
running that SQL with the arguments put in the sentinels' places: the same SQL and rows as the
QuerySet, without compiling it again.

Only for reads whose SQL does not depend on the arguments' values (a pk, a key — never a list
or a ``Q`` built from data), and whose arguments are ints or strings passed to the database as
they are (no field conversion: dates are compared in Python by the caller). Building checks
that each sentinel is one parameter of the SQL, exactly once, and fails loudly otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet

# Values no caller passes: a negative pk, a string with a NUL.
_INT_SENTINEL = -2_147_000_000  # inside 32 bits: PostgreSQL empties out-of-range lookups
_STR_SENTINEL = "\x00prepared-argument-"


class PreparedQuery:
    """``build(*arguments)`` → the QuerySet; ``arguments``: the type of each (int or str)."""

    def __init__(self, build: Callable[..., QuerySet], arguments: Sequence[type]) -> None:
        for kind in arguments:
            if kind not in (int, str):
                raise TypeError(f"PreparedQuery arguments are int or str, not {kind!r}")
        self._build = build
        self._kinds = tuple(arguments)
        self._compiled: dict[str, tuple[type[Model], str, tuple[Any, ...], tuple[int, ...]]] = {}

    def _sentinels(self) -> tuple[int | str, ...]:
        return tuple(
            _INT_SENTINEL - index if kind is int else f"{_STR_SENTINEL}{index}"
            for index, kind in enumerate(self._kinds)
        )

    def _compile(self, alias: str) -> tuple[type[Model], str, tuple[Any, ...], tuple[int, ...]]:
        compiled = self._compiled.get(alias)
        if compiled is None:
            sentinels = self._sentinels()
            queryset = self._build(*sentinels)
            sql, params = queryset.query.get_compiler(using=alias).as_sql()
            slots = []
            for sentinel in sentinels:
                found = [index for index, value in enumerate(params) if value == sentinel]
                if len(found) != 1:
                    raise RuntimeError(
                        f"PreparedQuery: argument {sentinel!r} is {len(found)} parameters of "
                        f"{sql!r}; it must be exactly one"
                    )
                slots.append(found[0])
            compiled = (queryset.model, sql, tuple(params), tuple(slots))
            self._compiled[alias] = compiled  # a race compiles twice, to the same
        return compiled

    def _params(self, compiled: tuple, arguments: tuple[Any, ...]) -> list[Any]:
        if len(arguments) != len(self._kinds):
            raise TypeError(f"PreparedQuery takes {len(self._kinds)} arguments")
        params = list(compiled[2])
        for slot, kind, value in zip(compiled[3], self._kinds, arguments, strict=True):
            if type(value) is not kind:
                raise TypeError(f"PreparedQuery argument {value!r} is not {kind.__name__}")
            params[slot] = value
        return params

    def objects(self, *arguments: int | str, using: str = "default") -> list[Model]:
        """The model instances (annotations included as attributes), fields converted as
        the QuerySet would."""
        compiled = self._compile(using)
        model, sql = compiled[0], compiled[1]
        manager = model._default_manager.db_manager(using)
        return list(manager.raw(sql, self._params(compiled, arguments)))

    def rows(self, *arguments: int | str, using: str = "default") -> list[tuple]:
        """The rows as the database returns them (no field conversion: for ints and strings)."""
        compiled = self._compile(using)
        with connections[using].cursor() as cursor:
            cursor.execute(compiled[1], self._params(compiled, arguments))
            return cursor.fetchall()
