"""Reading and writing the processed tables.

Every processed table is written twice, as Parquet (for code) and CSV (for reviewers), with
rows in a fixed order, so two builds from the same inputs are byte-identical. Each table has a
committed data dictionary, ``data/dictionaries/<name>.csv`` (column, dtype, description,
source); writing a table whose columns differ from its dictionary is an error.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
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
    _atomic(out_dir / f"{name}.csv", lambda p: _write_csv(frame, p))
    return len(frame)


FAST_CSV_ROWS = 10_000
"""From this many rows on, a table whose columns are all text, bool, int64 or dates is written
by :func:`csv_text` (the same bytes as pandas' ``to_csv``, in a fraction of the time)."""


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    text = csv_text(frame) if len(frame) >= FAST_CSV_ROWS else None
    if text is None:
        frame.to_csv(path, index=False, lineterminator="\n", date_format="%Y-%m-%d")
    else:
        path.write_bytes(text.encode("utf-8"))


_NEEDS_QUOTES = '[,"\r\n]'


def _csv_column(values: pd.Series):
    """The column's CSV fields as a pyarrow string array, or None for a dtype not handled."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = values.dtype
    if dtype == np.bool_:
        return pa.array(np.where(values.to_numpy(), "True", "False"))
    if dtype == np.int64:
        return pa.array(values.to_numpy().astype(str))
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        return pc.fill_null(pa.array(values.dt.strftime("%Y-%m-%d").array, type=pa.string()), "")
    if str(dtype) not in ("str", "string"):
        return None
    arr = pa.array(values.array)
    if arr.type == pa.large_string():
        arr = arr.cast(pa.string())
    if arr.type != pa.string():
        return None
    arr = pc.fill_null(arr, "")
    quote = pc.match_substring_regex(arr, _NEEDS_QUOTES)
    if pc.any(quote).as_py():  # the few such fields are quoted by the csv module itself
        fields = arr.to_numpy(zero_copy_only=False).astype(object)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for i in np.flatnonzero(quote.to_numpy(zero_copy_only=False)):
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([fields[i]])
            fields[i] = buffer.getvalue()[:-1]
        arr = pa.array(fields, type=pa.string())
    return arr


def csv_text(frame: pd.DataFrame) -> str | None:
    """``frame.to_csv(index=False, lineterminator="\\n", date_format="%Y-%m-%d")`` as text, built
    column by column with pyarrow; None when a column's dtype is not one it handles (floats,
    nullable integers...) or the frame has fewer than two columns."""
    import pyarrow.compute as pc

    if frame.shape[1] < 2:
        return None
    columns = []
    for name in frame.columns:
        column = _csv_column(frame[name])
        if column is None:
            return None
        columns.append(column)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow([str(c) for c in frame.columns])
    if frame.empty:
        return header.getvalue()
    lines = pc.binary_join_element_wise(*columns, ",")
    return header.getvalue() + "\n".join(lines.to_pylist()) + "\n"


def read_table(name: str, out_dir: Path | None = None) -> pd.DataFrame:
    path = (out_dir or paths.PROCESSED) / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist; run `analysis build` (or `make reproduce`)"
        )
    return pd.read_parquet(path)
