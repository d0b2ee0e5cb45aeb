"""Column specs and the schema helpers built from them, for every processed table.

A table is a list of ``Col`` specs plus its sort key, its row key and any table-wide checks
(a ``Table``). From that one description come (a) the pandera schema validated at the table
boundary, (b) ``Table.typed_frame``, which builds a frame with exactly those columns and dtypes
in a fixed row order, and (c) the committed data dictionary ``data/dictionaries/<table>.csv``
(tests check the committed file equals ``Table.dictionary_rows``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.io import DICTIONARY_FIELDS, dictionary_path

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
class Table:
    """One table: its columns in order, the sort key of its rows, the columns that identify a
    row (None: no such key) and table-wide pandera checks."""

    name: str
    columns: tuple[Col, ...]
    sort_key: tuple[str, ...]
    row_key: tuple[str, ...] | None = None
    checks: tuple[pa.Check, ...] = ()

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
                values = values.astype("object").where(values.notna(), None).astype("str")
            else:
                values = values.astype(col.dtype)
            out[col.name] = values.reset_index(drop=True)
        typed = pd.DataFrame(out, columns=self.column_names)
        return typed.sort_values(list(self.sort_key), kind="stable").reset_index(drop=True)

    def schema(self) -> pa.DataFrameSchema:
        columns = {
            c.name: pa.Column(
                c.dtype,
                nullable=c.nullable,
                unique=c.unique,
                checks=[pa.Check.isin(list(c.isin))] if c.isin else [],
                description=c.description,
            )
            for c in self.columns
        }
        return pa.DataFrameSchema(
            columns,
            checks=list(self.checks),
            strict=True,
            ordered=True,
            unique=list(self.row_key) if self.row_key else None,
            name=self.name,
        )

    def validate(self, df: pd.DataFrame) -> pd.DataFrame:
        """Validate ``df``; every error at once (lazy), so a reviewer sees them all."""
        return self.schema().validate(df, lazy=True)


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
