"""``analysis build`` trusts nothing: outputs missing, truncated, edited or unreadable are named
and rebuilt; an interrupted write leaves no half-written table and no stamp vouching for one."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.build import cache, stages
from analysis.io import write_table

ALTERED = "was altered since it was built"


@pytest.fixture
def tiny_stages(monkeypatch, tmp_path):
    """Two stages: ``first`` writes table ``alpha`` (its values set by ``version``), ``second``
    writes ``beta``; each call is counted."""
    calls = {"first": 0, "second": 0}
    version = {"value": 1}

    def first(raw_dir, out_dir):
        calls["first"] += 1
        frame = pd.DataFrame({"x": range(200), "y": [version["value"]] * 200})
        return {"alpha": write_table(frame, "alpha", out_dir, documented=False)}

    def second(raw_dir, out_dir):
        calls["second"] += 1
        return {"beta": write_table(pd.DataFrame({"z": [1, 2]}), "beta", out_dir, documented=False)}

    monkeypatch.setattr(stages, "STAGES", {"first": first, "second": second})
    out = tmp_path / "processed"
    messages: list[str] = []

    def build(*names, force=False):
        messages.clear()
        stages.build(names, tmp_path / "raw", out, force=force, echo=messages.append)
        return list(messages)

    return build, out, calls, version


def test_unchanged_outputs_are_skipped(tiny_stages):
    build, out, calls, _ = tiny_stages
    build()
    assert build() == ["build first: unchanged", "build second: unchanged"]
    assert calls == {"first": 1, "second": 1}
    stamp = cache.read_stamp(out, "first")
    assert set(stamp["outputs"]) == {"alpha.parquet", "alpha.csv"}
    assert stamp["outputs"]["alpha.csv"] == cache.sha256_of(out / "alpha.csv")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.write_bytes(p.read_bytes()[:100]), f"alpha.parquet {ALTERED}"),
        (lambda p: p.with_suffix(".csv").write_text("x,y\n0,9\n"), f"alpha.csv {ALTERED}"),
        (lambda p: p.unlink(), "alpha.parquet is missing"),
    ],
    ids=["truncated", "edited", "missing"],
)  # fmt: skip
def test_damaged_output_is_named_and_rebuilt(tiny_stages, damage, message):
    build, out, calls, _ = tiny_stages
    build()
    good = {p.name: p.read_bytes() for p in out.glob("alpha.*")}
    damage(out / "alpha.parquet")
    lines = build()
    assert f"build first: {message}; rebuilding" in lines
    assert calls["first"] == 2
    assert {p.name: p.read_bytes() for p in out.glob("alpha.*")} == good
    assert pd.read_parquet(out / "alpha.parquet")["y"].eq(1).all()
    assert build()[0] == "build first: unchanged"


def test_unreadable_output_is_named(tiny_stages):
    build, out, _, _ = tiny_stages
    build()
    (out / "beta.csv").unlink()
    (out / "beta.csv").mkdir()  # opening it fails, as an unreadable file would
    assert [p.split(" (")[0] for p in cache.stale_outputs(out, "second")] == [
        "beta.csv is unreadable"
    ]
    assert not cache.is_current(out, "second", cache.read_stamp(out, "second")["fingerprint"])


def test_new_upstream_outputs_rebuild_later_stages(tiny_stages):
    build, out, calls, version = tiny_stages
    build()
    version["value"] = 2
    build("first", force=True)
    assert calls == {"first": 2, "second": 1}
    assert build("second")[0].startswith("build second: beta (2 rows) in ")
    assert calls["second"] == 2  # its fingerprint includes the outputs of the stage before


def test_interrupted_write_leaves_no_partial_table(tiny_stages, monkeypatch):
    build, out, calls, version = tiny_stages
    build()
    old_csv = (out / "alpha.csv").read_bytes()
    version["value"] = 3
    real_to_csv = pd.DataFrame.to_csv

    def interrupted(self, path, *args, **kwargs):
        real_to_csv(self.head(3), path, *args, **kwargs)  # a partial file under the temp name
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build("first", force=True)
    monkeypatch.setattr(pd.DataFrame, "to_csv", real_to_csv)
    assert (out / "alpha.csv").read_bytes() == old_csv  # the old table, whole
    assert not [p.name for p in out.iterdir() if p.name.endswith(".part")]
    # The Parquet file was replaced before the interruption; the stamp still holds the old
    # hashes, so the next build names it and finishes the stage.
    assert "build first: alpha.parquet was altered since it was built; rebuilding" in build()
    assert pd.read_csv(out / "alpha.csv")["y"].eq(3).all()


def test_the_command_line_lists_the_stages_in_their_order():
    from analysis.build import STAGE_NAMES
    from analysis.build.stages import STAGES as REAL_STAGES

    assert tuple(REAL_STAGES) == STAGE_NAMES
