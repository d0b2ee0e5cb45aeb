"""Column specs and the schema helpers built from them, for every processed table.

A table is a list of ``Col`` specs plus its sort key, its row key and any table-wide checks
(a ``Table``). From that one description come (a) the pandera schema validated at the table
boundary, (b) ``Table.typed_frame``, which builds a frame with exactly those columns and dtypes
in a fixed row order, and (c) the committed data dictionary ``data/dictionaries/<table>.csv``
(tests check the committed file equals ``Table.dictionary_rows``).

``Table.validate`` first runs the schema's checks itself, vectorised, on a frame of exactly the
dtypes ``typed_frame`` makes (:meth:`Table.passes`: the same checks, each at least as strict as
pandera's); only a frame that does not pass them is handed to pandera, whose error it raises.
So pandera, slow to import and to run, is imported only for a table with a problem, and the
errors are pandera's own.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.io import DICTIONARY_FIELDS, dictionary_path

if TYPE_CHECKING:
    import pandera.pandas as pa

DATE = "datetime64[s]"


@dataclass(frozen=True)
class Col:
    name: str
    dtype: str  # str | bool | int64 | Int64 | float64 | datetime64[s]
    description: str
    source: str
    nullable: bool = False
    isin: tuple | None = None
    unique: bool = False


@dataclass(frozen=True)
class RowCheck:
    """A table-wide check: ``test(df)`` gives a bool per row (True: the row is fine); pandera
    reports ``error`` for the failing rows (it is ``pa.Check(test, error=error)``)."""

    test: Callable[[pd.DataFrame], pd.Series]
    error: str

    def check(self) -> pa.Check:
        import pandera.pandas as pa

        return pa.Check(self.test, error=self.error)


@cache
def _exact_dtypes() -> dict[str, object]:
    """Col dtype -> the one dtype ``typed_frame`` gives it, which pandera accepts whatever the
    values (tests check pandera does, for each)."""
    return {
        "str": pd.Series([], dtype="str").dtype,
        "bool": np.dtype(bool),
        "int64": np.dtype("int64"),
        "Int64": pd.Int64Dtype(),
        "float64": np.dtype("float64"),
        DATE: np.dtype(DATE),
    }


def _has_dtype(values: pd.Series, dtype: str) -> bool:
    expected = _exact_dtypes().get(dtype)
    return (
        expected is not None and type(values.dtype) is type(expected) and values.dtype == expected
    )


def _all_true(ok) -> bool:
    """``ok`` is True, or a Series of bool (or of nullable boolean without NA) all True."""
    if isinstance(ok, (bool, np.bool_)):
        return bool(ok)
    if not isinstance(ok, pd.Series):
        return False
    if isinstance(ok.dtype, pd.BooleanDtype):
        return not ok.isna().any() and bool(ok.all())
    return ok.dtype == np.dtype(bool) and bool(ok.all())


@dataclass(frozen=True)
class Table:
    """One table: its columns in order, the sort key of its rows, the columns that identify a
    row (None: no such key) and table-wide pandera checks."""

    name: str
    columns: tuple[Col, ...]
    sort_key: tuple[str, ...]
    row_key: tuple[str, ...] | None = None
    checks: tuple[RowCheck, ...] = ()  # (a pandera Check is run by pandera alone)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def dictionary_rows(self) -> list[dict[str, str]]:
        """Rows of the data dictionary ``data/dictionaries/<name>.csv``."""
        return [
            {"column": c.name, "dtype": c.dtype, "description": c.description, "source": c.source}
            for c in self.columns
        ]

    def typed_frame(self, records: list[dict] | pd.DataFrame) -> pd.DataFrame:
        """A frame with exactly the table's columns, in order, cast to their dtypes, sorted."""
        frame = pd.DataFrame(records)
        out = {}
        for col in self.columns:
            values = frame[col.name] if col.name in frame else pd.Series([None] * len(frame))
            if col.dtype == DATE:
                values = pd.to_datetime(values).astype(DATE)
            elif col.dtype == "str":
                if not _has_dtype(values, "str"):  # (a str column already is what this gives)
                    values = values.astype("object").where(values.notna(), None).astype("str")
            else:
                values = values.astype(col.dtype)
            out[col.name] = values.reset_index(drop=True)
        typed = pd.DataFrame(out, columns=self.column_names)
        return typed.sort_values(list(self.sort_key), kind="stable").reset_index(drop=True)

    def schema(self) -> pa.DataFrameSchema:
        return _schema(self)

    def passes(self, df: pd.DataFrame) -> bool:
        """Whether ``df`` passes every check of :meth:`schema`, checked here: True only when
        pandera would pass it too (exactly the columns in order, each of the dtype
        ``typed_frame`` gives; no nulls where not nullable; unique columns and row key; allowed
        values; each ``RowCheck`` True on every row). False: pandera decides."""
        columns = [
            (c.name, c.dtype, c.nullable, c.unique,
             lambda v, c=c: not c.isin or v.dropna().isin(list(c.isin)).all())
            for c in self.columns
        ]  # fmt: skip
        return _frame_passes(df, columns, self.row_key, self.checks)

    def validate(self, df: pd.DataFrame) -> pd.DataFrame:
        """Validate ``df``; every error at once (lazy), so a reviewer sees them all. A frame that
        :meth:`passes` is returned as it is, without running pandera."""
        if self.passes(df):
            return df
        return self.schema().validate(df, lazy=True)


def _schema(table: Table) -> pa.DataFrameSchema:
    import pandera.pandas as pa

    columns = {
        c.name: pa.Column(
            c.dtype,
            nullable=c.nullable,
            unique=c.unique,
            checks=[pa.Check.isin(list(c.isin))] if c.isin else [],
            description=c.description,
        )
        for c in table.columns
    }
    return pa.DataFrameSchema(
        columns,
        checks=[c.check() if isinstance(c, RowCheck) else c for c in table.checks],
        strict=True,
        ordered=True,
        unique=list(table.row_key) if table.row_key else None,
        name=table.name,
    )


# ---------------------------------------------------------------------------------------------
# Schemas of frames not built by typed_frame (the covariate tables)

_DTYPE_NAMES = {str: "str", bool: "bool", int: "int64", float: "float64"}


@dataclass(frozen=True)
class Rule:
    """One of pandera's built-in column checks, by its name (``in_range``, ``gt``, ``isin``,
    ``str_matches``, ``str_length``) and arguments: ``Rule("in_range", (0, 1))`` is
    ``pa.Check.in_range(0, 1)``. Like pandera's, it looks at the non-null values only."""

    name: str
    args: tuple = ()
    options: tuple[tuple[str, object], ...] = ()  # keyword arguments

    def check(self) -> pa.Check:
        import pandera.pandas as pa

        return getattr(pa.Check, self.name)(*self.args, **dict(self.options))

    def holds(self, values: pd.Series) -> bool | None:
        """Whether every non-null value passes (pandera's own test); None: not a known rule."""
        values = values.dropna()
        options = dict(self.options)
        if self.name == "in_range" and len(self.args) == 2 and not options:
            low, high = self.args
            return _all_true((low <= values) & (high >= values))
        if self.name == "gt" and len(self.args) == 1 and not options:
            return _all_true(values > self.args[0])
        if self.name == "isin" and len(self.args) == 1 and not options:
            return _all_true(values.isin(self.args[0]))
        if self.name == "str_matches" and len(self.args) == 1 and not options:
            return _all_true(values.str.match(self.args[0], na=False))
        if self.name == "str_length" and not self.args and set(options) == {"min_value"}:
            return _all_true(values.str.len() >= options["min_value"])
        return None


@dataclass(frozen=True, eq=False)
class Field:
    """A column of a :class:`FrameSchema`: ``pa.Column(dtype, checks, nullable=, unique=)``."""

    dtype: type | str  # str | bool | int | float | "Int64" | "datetime64[s]"
    checks: tuple[Rule, ...] = ()  # (or one Rule, or a list)
    nullable: bool = False
    unique: bool = False

    def __post_init__(self):
        checks = (self.checks,) if isinstance(self.checks, Rule) else tuple(self.checks)
        object.__setattr__(self, "checks", checks)

    def column(self) -> pa.Column:
        import pandera.pandas as pa

        return pa.Column(
            self.dtype,
            [rule.check() for rule in self.checks],
            nullable=self.nullable,
            unique=self.unique,
        )


@dataclass(frozen=True, eq=False)
class FrameSchema:
    """A strict, ordered pandera schema described without pandera: ``validate`` checks the
    frame here first (:meth:`passes`, True only when pandera passes it too) and hands pandera
    only a frame that does not pass, whose ``SchemaError`` it raises."""

    columns: dict[str, Field]
    checks: tuple[RowCheck, ...] = ()  # (or one RowCheck, or a list)
    unique: tuple[str, ...] | None = None

    def __post_init__(self):
        checks = (self.checks,) if isinstance(self.checks, RowCheck) else tuple(self.checks)
        object.__setattr__(self, "checks", checks)

    def schema(self) -> pa.DataFrameSchema:
        import pandera.pandas as pa

        checks = [c.check() for c in self.checks]
        return pa.DataFrameSchema(
            {name: field.column() for name, field in self.columns.items()},
            strict=True,
            ordered=True,
            unique=list(self.unique) if self.unique else None,
            checks=checks[0] if len(checks) == 1 else checks,
        )

    def passes(self, df: pd.DataFrame) -> bool:
        columns = [
            (name, _DTYPE_NAMES.get(field.dtype, field.dtype), field.nullable, field.unique,
             lambda v, rules=field.checks: _rules_hold(rules, v))
            for name, field in self.columns.items()
        ]  # fmt: skip
        return _frame_passes(df, columns, self.unique, self.checks)

    def validate(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df`` when it passes; else pandera's validation (non-lazy: its first error)."""
        if self.passes(df):
            return df
        return self.schema().validate(df)


def _frame_passes(df, columns, row_key, checks) -> bool:
    """The checks of ``Table.passes`` and ``FrameSchema.passes``: exactly the ``columns``
    ``(name, dtype, nullable, unique, values_ok)`` in order, each of its exact dtype, without
    nulls where not nullable, unique where asked, ``values_ok(column)`` true; ``row_key``
    unique; every table-wide check true."""
    if not isinstance(df, pd.DataFrame) or list(df.columns) != [c[0] for c in columns]:
        return False
    for name, dtype, nullable, unique, values_ok in columns:
        values = df[name]
        if not _has_dtype(values, dtype):
            return False
        if not nullable and values.isna().any():
            return False
        if unique and not values.is_unique:
            return False
        if not values_ok(values):
            return False
    if row_key and df.duplicated(subset=list(row_key)).any():
        return False
    return _checks_pass(checks, df)


def _rules_hold(rules, values: pd.Series) -> bool:
    """Every rule holds on ``values`` (False when one is not known or raises: pandera decides)."""
    try:
        return all(rule.holds(values) for rule in rules)
    except Exception:  # noqa: BLE001 - pandera reports it
        return False


def _checks_pass(checks, df: pd.DataFrame) -> bool:
    for check in checks:
        if not isinstance(check, RowCheck):
            return False
        try:
            ok = check.test(df)
        except Exception:  # noqa: BLE001 - pandera reports it
            return False
        if not _all_true(ok):
            return False
    return True


class Tables(dict[str, Table]):
    """A layer's tables by name, with the helpers of each table called by its name."""

    def __init__(self, *specs: Table):
        super().__init__((t.name, t) for t in specs)

    def dictionary_rows(self, table: str) -> list[dict[str, str]]:
        """Rows of the data dictionary ``data/dictionaries/<table>.csv``."""
        return self[table].dictionary_rows()

    def typed_frame(self, records: list[dict] | pd.DataFrame, table: str) -> pd.DataFrame:
        """A frame with exactly the table's columns, in order, cast to their dtypes, sorted."""
        return self[table].typed_frame(records)

    def schema(self, table: str) -> pa.DataFrameSchema:
        return self[table].schema()

    def validate(self, df: pd.DataFrame, table: str) -> pd.DataFrame:
        """Validate ``df`` as ``table``; every error at once (lazy)."""
        return self[table].validate(df)

    def write_dictionaries(self) -> list[Path]:
        """Rewrite the committed data dictionaries of these tables (after changing one)."""
        return write_dictionaries(self.values())


def write_dictionaries(tables: Iterable[Table]) -> list[Path]:
    """Rewrite the committed data dictionaries of ``tables`` (after changing their columns)."""
    written = []
    for table in tables:
        path = dictionary_path(table.name)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=DICTIONARY_FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(table.dictionary_rows())
        written.append(path)
    return written
