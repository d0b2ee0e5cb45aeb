"""The build's second process: a preparable stage that reads an earlier stage is built apart,
beside the independent stages; messages keep data-flow order and errors reach the caller."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from analysis.build import stages
from analysis.errors import UserError
from analysis.io import read_table, write_table

FAIL = {"second": False}


def first(raw_dir, out_dir):
    frame = pd.DataFrame({"x": range(50), "pid": os.getpid()})
    return {"alpha": write_table(frame, "alpha", out_dir, documented=False)}


def prepare(raw_dir):
    (raw_dir / "prepared").write_text(str(os.getpid()))


def second(raw_dir, out_dir):
    if FAIL["second"]:
        raise UserError("second cannot be built")
    alpha = read_table("alpha", out_dir)
    frame = pd.DataFrame({"y": alpha["x"] * 2, "pid": os.getpid()})
    return {"beta": write_table(frame, "beta", out_dir, documented=False)}


def third(raw_dir, out_dir):
    frame = pd.DataFrame({"z": [1, 2], "pid": os.getpid()})
    return {"gamma": write_table(frame, "gamma", out_dir, documented=False)}


@pytest.fixture
def lazy_stages(monkeypatch, tmp_path):
    here = __name__
    monkeypatch.setattr(
        stages,
        "STAGES",
        {
            "first": stages.LazyStage(f"{here}:first"),
            "second": stages.LazyStage(f"{here}:second", reads=("first",), prepare="prepare"),
            "third": stages.LazyStage(f"{here}:third"),
        },
    )
    raw, out = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    FAIL["second"] = False
    yield raw, out
    FAIL["second"] = False


def lines(raw, out, **kwargs):
    messages: list[str] = []
    stages.build([], raw, out, echo=messages.append, **kwargs)
    return messages


def test_the_reading_stage_is_built_apart_in_order(lazy_stages):
    raw, out = lazy_stages
    said = lines(raw, out)
    assert [m.split(":")[0] for m in said] == ["build first", "build second", "build third"]
    pids = {t: int(read_table(t, out)["pid"].iloc[0]) for t in ("alpha", "beta", "gamma")}
    assert pids["alpha"] == pids["gamma"] == os.getpid() != pids["beta"]
    assert (raw / "prepared").read_text() == str(pids["beta"])
    assert read_table("beta", out)["y"].tolist() == [2 * x for x in range(50)]
    assert lines(raw, out) == [f"build {s}: unchanged" for s in ("first", "second", "third")]


def test_serial_build_gives_the_same_bytes(lazy_stages, monkeypatch, tmp_path):
    raw, out = lazy_stages
    lines(raw, out)
    monkeypatch.setattr(stages, "PARALLEL", False)
    serial = tmp_path / "serial"
    lines(raw, serial)
    for name in ("alpha", "beta", "gamma"):
        a = read_table(name, out).drop(columns="pid")
        b = read_table(name, serial).drop(columns="pid")
        pd.testing.assert_frame_equal(a, b)


def test_an_error_apart_reaches_the_caller_after_the_stages_before(lazy_stages):
    raw, out = lazy_stages
    FAIL["second"] = True
    said: list[str] = []
    with pytest.raises(UserError, match="second cannot be built"):
        stages.build([], raw, out, echo=said.append)
    assert said[0].startswith("build first: alpha (50 rows)")
    assert not any(m.startswith("build second") for m in said)
    FAIL["second"] = False
    assert lines(raw, out)[1].startswith("build second: beta (50 rows)")


def where(value):
    if value < 0:
        raise UserError(f"errand refused {value}")
    return value * 2, os.getpid()


def helped_first(raw_dir, out_dir, helper=None):
    value = int((raw_dir / "value").read_text()) if (raw_dir / "value").exists() else 21
    doubled, pid = helper.run(f"{__name__}:where", value).result() if helper else where(value)
    frame = pd.DataFrame({"x": [doubled], "pid": os.getpid(), "errand_pid": pid})
    return {"alpha": write_table(frame, "alpha", out_dir, documented=False)}


@pytest.fixture
def helped_stages(monkeypatch, lazy_stages):
    here = __name__
    monkeypatch.setitem(
        stages.STAGES, "first", stages.LazyStage(f"{here}:helped_first", helped=True)
    )
    return lazy_stages


def test_a_helped_stage_runs_its_errand_in_the_other_process(helped_stages):
    raw, out = helped_stages
    said = lines(raw, out)
    assert [m.split(":")[0] for m in said] == ["build first", "build second", "build third"]
    alpha, beta = read_table("alpha", out), read_table("beta", out)
    assert alpha["x"].tolist() == [42]
    assert int(alpha["pid"].iloc[0]) == os.getpid()
    assert int(alpha["errand_pid"].iloc[0]) == int(beta["pid"].iloc[0]) != os.getpid()
    assert (raw / "prepared").read_text() == str(beta["pid"].iloc[0])  # prepared after it


def test_an_errand_error_is_the_helped_stage_error(helped_stages):
    raw, out = helped_stages
    (raw / "value").write_text("-1")
    said: list[str] = []
    with pytest.raises(UserError, match="errand refused -1"):
        stages.build([], raw, out, echo=said.append)
    assert said == []
