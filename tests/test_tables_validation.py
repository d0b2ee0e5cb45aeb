"""``Table.validate`` checks a frame itself and hands pandera only a frame that fails: the fast
checks must pass a frame only when pandera passes it, and a bad frame still gets pandera's
error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.errors
import pytest

from analysis.covariates import schemas as covariate_schemas
from analysis.ice import schemas as ice_schemas
from analysis.locate import schemas as locate_schemas
from analysis.tables import (
    _DTYPE_NAMES,
    DATE,
    Col,
    Field,
    FrameSchema,
    RowCheck,
    Rule,
    Table,
    _exact_dtypes,
)

SAMPLES = {
    "str": ["a", None],
    "bool": [True, False],
    "int64": [1, 2],
    "Int64": [1, None],
    "float64": [0.5, None],
    DATE: ["2025-01-31", None],
}


def _positive(df: pd.DataFrame) -> pd.Series:
    return df["n"] > 0


SPEC = Table(
    "t",
    (
        Col("key", "str", "the key", "here", unique=True),
        Col("day", DATE, "a day", "here", nullable=True),
        Col("n", "int64", "a count", "here", isin=(1, 2)),
        Col("kind", "str", "a kind", "here", nullable=True, isin=("x", "y")),
        Col("m", "Int64", "a nullable count", "here", nullable=True),
    ),
    ("key",),
    ("n", "kind"),
    (RowCheck(_positive, "n must be positive"),),
)
GOOD = [
    {"key": "a", "day": "2025-01-31", "n": 1, "kind": "x", "m": 3},
    {"key": "b", "n": 2, "kind": None},
    {"key": "c", "n": 2, "kind": "y", "m": None},
]


@pytest.mark.parametrize("dtype", sorted(SAMPLES))
def test_pandera_accepts_every_dtype_the_fast_check_accepts(dtype):
    spec = Table("one", (Col("v", dtype, "v", "here", nullable=True),), ("v",))
    for records in ([], [{"v": v} for v in SAMPLES[dtype]]):
        frame = spec.typed_frame(records)
        assert frame["v"].dtype == _exact_dtypes()[dtype]
        assert spec.passes(frame)
        spec.schema().validate(frame, lazy=True)  # pandera agrees


def test_a_good_frame_passes_both_ways():
    frame = SPEC.typed_frame(GOOD)
    assert SPEC.passes(frame)
    assert SPEC.validate(frame) is frame
    SPEC.schema().validate(frame, lazy=True)


BAD = {
    "null key": lambda f: f.assign(key=pd.Series(["a", None, "c"], dtype="str")),
    "repeated key": lambda f: f.assign(key=pd.Series(["a", "a", "c"], dtype="str")),
    "value not allowed": lambda f: f.assign(n=[1, 3, 2]),
    "nullable value not allowed": lambda f: f.assign(kind=pd.Series(["x", None, "z"], dtype="str")),
    "repeated row key": lambda f: f.assign(n=[2, 2, 2], kind=pd.Series(["y"] * 3, dtype="str")),
    "row check": lambda f: f.assign(n=[1, 2, 2]).pipe(
        lambda g: g.assign(n=g["n"].where(g.index != 0, 0))
    ),
    "object dtype with a number": lambda f: f.assign(key=pd.Series(["a", 1, "c"], dtype=object)),
    "other dtype": lambda f: f.assign(n=f["n"].astype("int32")),
    "extra column": lambda f: f.assign(extra=1),
    "missing column": lambda f: f.drop(columns="m"),
    "columns out of order": lambda f: f[["day", "key", "n", "kind", "m"]],
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_frame_gets_pandera_s_error(name):
    frame = BAD[name](SPEC.typed_frame(GOOD))
    assert not SPEC.passes(frame)
    with pytest.raises(pandera.errors.SchemaErrors) as fast:
        SPEC.validate(frame)
    with pytest.raises(pandera.errors.SchemaErrors) as slow:
        SPEC.schema().validate(frame, lazy=True)
    assert str(fast.value) == str(slow.value)


def test_a_frame_the_fast_check_does_not_know_is_left_to_pandera():
    frame = SPEC.typed_frame(GOOD)
    strings = frame.assign(key=frame["key"].astype(object))  # pandera looks at the values
    assert not SPEC.passes(strings)
    pd.testing.assert_frame_equal(SPEC.validate(strings), strings)


def test_a_check_that_raises_or_gives_na_is_left_to_pandera():
    def broken(df):
        raise KeyError("nope")

    def with_na(df):
        return pd.Series([True, pd.NA, True], dtype="boolean")

    frame = SPEC.typed_frame(GOOD)
    for test in (broken, with_na):
        spec = Table("t", SPEC.columns, SPEC.sort_key, SPEC.row_key, (RowCheck(test, "bad"),))
        assert not spec.passes(frame)
    nullable_ok = Table(
        "t", SPEC.columns, SPEC.sort_key, checks=(RowCheck(lambda df: df["m"].notna() | True, "x"),)
    )
    assert nullable_ok.passes(frame)


@pytest.mark.parametrize(
    "table",
    [t for registry in (ice_schemas, locate_schemas) for t in registry.TABLES.values()],
    ids=lambda t: t.name,
)
def test_every_table_s_empty_typed_frame_passes(table):
    frame = table.typed_frame([])
    assert table.passes(frame)
    table.schema().validate(frame, lazy=True)
    assert all(isinstance(c, RowCheck) for c in table.checks)
    assert not table.passes(frame.assign(extra=np.array([], dtype=int)))


# ---------------------------------------------------------------------------------------------
# FrameSchema (the covariate tables)

FRAME = FrameSchema(
    {
        "fips": Field(str, Rule("str_matches", (r"^\d{5}$",)), unique=True),
        "share": Field(float, (Rule("in_range", (0, 1)),), nullable=True),
        "count": Field("Int64", Rule("gt", (0,))),
        "region": Field(int, Rule("isin", ([1, 2],))),
        "note": Field(str, Rule("str_length", options=(("min_value", 3),))),
        "flag": Field(bool),
        "day": Field(DATE, nullable=True),
    },
    checks=RowCheck(lambda df: df.fips.is_monotonic_increasing, "sorted by fips"),
    unique=("region", "flag"),
)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "fips": pd.Series(["01001", "01003"], dtype="str"),
            "share": [0.0, np.nan],
            "count": pd.Series([1, 5], dtype="Int64"),
            "region": [1, 2],
            "note": pd.Series(["abc", "abcd"], dtype="str"),
            "flag": [True, False],
            "day": pd.Series(["2020-01-01", None], dtype=DATE),
        }
    )


def test_a_good_frame_passes_the_frame_schema_both_ways():
    frame = _frame()
    assert FRAME.passes(frame) and FRAME.validate(frame) is frame
    FRAME.schema().validate(frame)


FRAME_BAD = {
    "pattern": lambda f: f.assign(fips=pd.Series(["01001", "1003"], dtype="str")),
    "range": lambda f: f.assign(share=[1.5, np.nan]),
    "gt": lambda f: f.assign(count=pd.Series([0, 5], dtype="Int64")),
    "null count": lambda f: f.assign(count=pd.Series([None, 5], dtype="Int64")),
    "isin": lambda f: f.assign(region=[1, 3]),
    "length": lambda f: f.assign(note=pd.Series(["ab", "abcd"], dtype="str")),
    "frame check": lambda f: f.iloc[::-1].reset_index(drop=True),
    "unique": lambda f: f.assign(fips=pd.Series(["01001", "01001"], dtype="str")),
    "unique rows": lambda f: f.assign(region=[1, 1], flag=[True, True]),
    "dtype": lambda f: f.assign(region=[1.0, 2.0]),
    "extra column": lambda f: f.assign(extra=1),
}


@pytest.mark.parametrize("name", sorted(FRAME_BAD))
def test_a_bad_frame_gets_pandera_s_first_error(name):
    frame = FRAME_BAD[name](_frame())
    assert not FRAME.passes(frame)
    errors = (pandera.errors.SchemaError, pandera.errors.SchemaErrors)
    with pytest.raises(errors) as fast:
        FRAME.validate(frame)
    with pytest.raises(errors) as slow:
        FRAME.schema().validate(frame)
    assert str(fast.value) == str(slow.value)


def test_an_unknown_rule_is_left_to_pandera():
    spec = FrameSchema({"n": Field(int, Rule("le", (5,)))})
    frame = pd.DataFrame({"n": [1, 2]})
    assert not spec.passes(frame)
    spec.validate(frame)  # pandera passes it


@pytest.mark.parametrize(
    "name", ["COUNTY_SCHEMA", "QA_SCHEMA", "INPUTS_SCHEMA", "STATE_AGGREGATES_SCHEMA",
             "STATE_POLICIES_SCHEMA"],
)  # fmt: skip
def test_the_covariate_schemas_know_every_rule_they_use(name):
    schema = getattr(covariate_schemas, name)
    for field in schema.columns.values():
        empty = pd.Series([], dtype=_exact_dtypes()[_DTYPE_NAMES.get(field.dtype, field.dtype)])
        for rule in field.checks:
            assert rule.holds(empty) is not None, rule
    assert all(isinstance(c, RowCheck) for c in schema.checks)


def _typed_frame_before(table: Table, records) -> pd.DataFrame:
    """typed_frame as it was before it skipped converting a column already of dtype str."""
    frame = pd.DataFrame(records)
    out = {}
    for col in table.columns:
        values = frame[col.name] if col.name in frame else pd.Series([None] * len(frame))
        if col.dtype == DATE:
            values = pd.to_datetime(values).astype(DATE)
        elif col.dtype == "str":
            values = values.astype("object").where(values.notna(), None).astype("str")
        else:
            values = values.astype(col.dtype)
        out[col.name] = values.reset_index(drop=True)
    typed = pd.DataFrame(out, columns=table.column_names)
    return typed.sort_values(list(table.sort_key), kind="stable").reset_index(drop=True)


@pytest.mark.parametrize(
    "records",
    [
        GOOD,
        [],
        pd.DataFrame(GOOD).astype({"key": "str", "kind": "str"}),
        pd.DataFrame(GOOD).astype({"key": object, "kind": object}),
        [{"key": 1, "n": 1, "kind": float("nan")}, {"key": "b", "n": 2, "kind": "x"}],
    ],
)
def test_typed_frame_equals_the_conversion_of_every_str_column(records):
    pd.testing.assert_frame_equal(SPEC.typed_frame(records), _typed_frame_before(SPEC, records))
