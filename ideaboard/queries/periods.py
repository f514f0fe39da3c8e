"""Time in SQL for reports: days between two timestamps on either database, and calendar
quarters (UTC), so aggregates run in the database and never row by row in Python."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, Integer, case, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class days_between(FunctionElement):  # a SQL function, named like one
    """Fractional days from `earlier` to `later`: julianday() on SQLite, the epoch
    difference on PostgreSQL."""
    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


@compiles(days_between, "postgresql")
def _days_postgresql(element, compiler, **kw) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1–4

    @property
    def start(self) -> datetime:
        return datetime(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> datetime:
        return self.following().start

    def following(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    @classmethod
    def of(cls, moment: datetime) -> Quarter:
        return cls(moment.year, (moment.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, key: str | None) -> Quarter | None:
        """'2026-Q3' → Quarter(2026, 3); anything else → None."""
        try:
            year, number = (key or "").split("-Q")
            quarter = cls(int(year), int(number))
        except ValueError:
            return None
        return quarter if 1 <= quarter.number <= 4 and 2000 <= quarter.year <= 2100 else None


def last_quarters(now: datetime, count: int) -> list[Quarter]:
    """The `count` quarters up to and including the one `now` is in, oldest first."""
    quarters = [Quarter.of(now)]
    while len(quarters) < count:
        quarters.insert(0, quarters[0].previous())
    return quarters


def quarter_index(column: ColumnElement, quarters: list[Quarter]) -> ColumnElement:
    """The position (0…) of `column`'s quarter among `quarters`, or NULL outside them: a
    CASE of plain comparisons, the same on every database."""
    whens = [(column >= quarter.start, index)
             for index, quarter in reversed(list(enumerate(quarters)))]
    return case(*whens, else_=literal(None)) if whens else literal(None)


class whole_days_between(FunctionElement):  # a SQL function, named like one
    """Whole days (rounded down) from `earlier` to `later`, for day-by-day histograms."""
    type = Integer()
    inherit_cache = True
    name = "whole_days_between"


@compiles(whole_days_between, "sqlite")
def _whole_days_sqlite(element, compiler, **kw) -> str:  # CAST truncates: days are ≥ 0
    return f"CAST({compiler.process(days_between(*element.clauses), **kw)} AS INTEGER)"


@compiles(whole_days_between, "postgresql")
def _whole_days_postgresql(element, compiler, **kw) -> str:
    return f"CAST(FLOOR({compiler.process(days_between(*element.clauses), **kw)}) AS INTEGER)"
