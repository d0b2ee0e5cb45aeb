"""Reading and writing the processed tables.

Every processed table is written twice, as Parquet (for code) and CSV (for reviewers), with
rows in a fixed order, so two builds from the same inputs are byte-identical. Each table has a
committed data dictionary, ``data/dictionaries/<name>.csv`` (column, dtype, description,
source); writing a table whose columns differ from its dictionary is an error.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd

from analysis import paths

DICTIONARY_FIELDS = ["column", "dtype", "description", "source"]


class DictionaryMismatch(ValueError):
    """A table's columns and its committed data dictionary disagree."""


def dictionary_path(name: str) -> Path:
    return paths.DATA / "dictionaries" / f"{name}.csv"


def read_dictionary(name: str) -> list[dict[str, str]]:
    path = dictionary_path(name)
    if not path.exists():
        raise DictionaryMismatch(f"{path}: no data dictionary for table {name!r}")
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != DICTIONARY_FIELDS:
            raise DictionaryMismatch(f"{path}: header must be {','.join(DICTIONARY_FIELDS)}")
        return list(reader)


def check_against_dictionary(df: pd.DataFrame, name: str) -> None:
    documented = [row["column"] for row in read_dictionary(name)]
    actual = list(df.columns)
    if documented != actual:
        extra = [c for c in actual if c not in documented]
        missing = [c for c in documented if c not in actual]
        raise DictionaryMismatch(
            f"table {name!r} vs {dictionary_path(name)}: undocumented columns {extra}, "
            f"documented but absent {missing}"
            + ("" if extra or missing else " (same columns, different order)")
        )


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.part")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_table(
    df: pd.DataFrame, name: str, out_dir: Path | None = None, *, documented: bool = True
) -> int:
    """Write ``<name>.parquet`` and ``<name>.csv``; return the row count."""
    out_dir = out_dir or paths.PROCESSED
    if documented:
        check_against_dictionary(df, name)
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = df.reset_index(drop=True)
    _atomic(out_dir / f"{name}.parquet", lambda p: frame.to_parquet(p, index=False))
    _atomic(
        out_dir / f"{name}.csv",
        lambda p: frame.to_csv(p, index=False, lineterminator="\n", date_format="%Y-%m-%d"),
    )
    return len(frame)


def read_table(name: str, out_dir: Path | None = None) -> pd.DataFrame:
    path = (out_dir or paths.PROCESSED) / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist; run `analysis build` (or `make reproduce`)"
        )
    return pd.read_parquet(path)
