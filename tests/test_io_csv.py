"""The fast CSV writer of ``analysis.io`` gives the bytes of pandas' ``to_csv``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import io


def reference(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d")


def awkward(n: int) -> pd.DataFrame:
    texts = ["plain", "a, comma", 'a "quote"', "line\nbreak", "cr\rhere", "", None, " lead", "é ü"]
    dates = pd.to_datetime(["2021-01-13", None, "2025-12-31"]).astype("datetime64[s]")
    return pd.DataFrame(
        {
            "text": pd.Series([texts[i % len(texts)] for i in range(n)], dtype="str"),
            "flag": np.arange(n) % 3 == 0,
            "count": np.arange(n, dtype=np.int64) - 5,
            "day": [dates[i % 3] for i in range(n)],
            "other": pd.Series([texts[(i * 7) % len(texts)] for i in range(n)], dtype="str"),
        }
    ).astype({"day": "datetime64[s]"})


@pytest.mark.parametrize("n", [0, 1, 9, 200])
def test_csv_text_equals_to_csv(n):
    frame = awkward(n)
    assert io.csv_text(frame) == reference(frame)


def test_unhandled_dtypes_fall_back():
    assert io.csv_text(pd.DataFrame({"x": [1.5, 2.0], "y": ["a", "b"]})) is None
    assert io.csv_text(pd.DataFrame({"x": pd.array([1, None], dtype="Int64"), "y": [1, 2]})) is None
    assert io.csv_text(pd.DataFrame({"x": ["a", "b"]})) is None


def test_write_table_bytes_equal_to_csv(tmp_path):
    frame = awkward(io.FAST_CSV_ROWS + 5)
    io.write_table(frame, "t", tmp_path, documented=False)
    assert (tmp_path / "t.csv").read_bytes() == reference(frame).encode("utf-8")
