"""Query expressions Django lacks on both of thidua's engines."""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, TextField


class JoinedText(Aggregate):
    """The group's values as one text, joined by `separator`: GROUP_CONCAT or STRING_AGG.

    For reading many small facts per holder in one row: the database groups them, and the
    application splits one string instead of receiving a row per fact. The order inside a
    group is unspecified. With `distinct`, each value appears once (SQLite then joins with
    commas only).
    """

    function = "GROUP_CONCAT"
    allow_distinct = True
    output_field = TextField()

    def __init__(self, expression: Any, *, separator: str = ",", distinct: bool = False) -> None:
        if len(separator) != 1 or separator in "'\\%":
            raise ValueError("separator: one plain character")
        if distinct and separator != ",":
            raise ValueError("SQLite joins distinct values with commas only")
        self.separator, self.joins_distinct = separator, distinct
        super().__init__(expression, distinct=distinct)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        joined = "" if self.joins_distinct else f", '{self.separator}'"
        template = f"%(function)s(%(distinct)s%(expressions)s{joined})"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = f"%(function)s(%(distinct)s(%(expressions)s)::text, '{self.separator}')"
        return self.as_sql(compiler, connection, function="STRING_AGG", template=template, **extra)
