"""Reading the ICE snapshots shared with the build's second process: the same files in the
same order, and the earliest failing file's error, as a serial read."""

from __future__ import annotations

from datetime import date

import pytest

from analysis.ice import load


class Now:
    """A stand-in helper: runs the errand at once, here."""

    def __init__(self):
        self.calls = []

    def run(self, target, *args):
        module, name = target.split(":")
        assert module == load.__name__
        self.calls.append(args[0])
        try:
            value, error = getattr(load, name)(*args), None
        except Exception as exc:  # noqa: BLE001
            value, error = None, exc

        class Reply:
            def result(self):
                if error is not None:
                    raise error
                return value

        return Reply()


@pytest.fixture
def jobs(tmp_path, monkeypatch):
    paths = []
    for i, size in enumerate([10, 10, 40, 20, 20]):
        path = tmp_path / f"f{i}.xlsx"
        path.write_bytes(b"x" * size)
        paths.append((str(path), date(2020, 1, i + 1), f"f{i}.xlsx"))
    bad = set()

    def fake(job):
        if job[2] in bad:
            raise ValueError(f"cannot read {job[2]}")
        return job[2]

    monkeypatch.setattr(load, "_load", fake)
    return paths, bad


def test_the_helper_reads_the_first_files_and_the_order_is_kept(jobs):
    paths, _ = jobs
    assert load.helper_share(paths, 0.6) == 3  # 10 + 10 + 40 of 100 bytes
    helper = Now()
    assert load.load_shared(paths, helper) == [p[2] for p in paths]
    assert [j[2] for j in helper.calls[0]] == ["f0.xlsx", "f1.xlsx", "f2.xlsx"]


@pytest.mark.parametrize(
    ("bad", "first"), [({"f1.xlsx", "f4.xlsx"}, "f1"), ({"f3.xlsx", "f4.xlsx"}, "f3")]
)
def test_the_earliest_failing_file_is_named(jobs, bad, first):
    paths, broken = jobs
    broken |= bad
    with pytest.raises(ValueError, match=f"cannot read {first}.xlsx"):
        load.load_shared(paths, Now())
    with pytest.raises(ValueError, match=f"cannot read {first}.xlsx"):
        load.load_jobs(paths)
