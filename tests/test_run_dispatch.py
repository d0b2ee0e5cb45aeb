"""The order in which the runner hands notebooks to its workers."""

import pytest

from analysis.runner.run import (
    NotebookSpec,
    RunConfigError,
    dispatch_order,
    jobs_at_once,
    load_params,
)


def spec(name, needs=()):
    return NotebookSpec(name=name, title=name, summary="", needs=list(needs))


def test_gating_notebooks_first_then_longest_then_params_order():
    specs = [spec("00_a"), spec("10_b"), spec("20_c"), spec("30_d"), spec("90_e", ["20_c"])]
    seconds = {"00_a": 3.0, "10_b": 30.0, "20_c": 1.0}  # 30_d never ran: 0
    order = sorted(specs, key=lambda s: dispatch_order(specs, seconds)[s.name])
    assert [s.name for s in order] == ["20_c", "10_b", "00_a", "30_d", "90_e"]


def test_without_history_the_params_order_is_kept_after_gating_ones():
    specs = [spec("00_a"), spec("10_b"), spec("90_c", ["10_b"])]
    order = sorted(specs, key=lambda s: dispatch_order(specs, {})[s.name])
    assert [s.name for s in order] == ["10_b", "00_a", "90_c"]


def test_one_core_is_left_to_the_zygote_while_it_imports():
    assert jobs_at_once(2, zygote_warming=True) == 1
    assert jobs_at_once(2, zygote_warming=False) == 2
    assert jobs_at_once(1, zygote_warming=True) == 1  # never none
    assert jobs_at_once(4, zygote_warming=True) == 3


def test_without_history_the_typical_seconds_of_params_yaml_order_them():
    specs = [spec("00_a"), spec("10_b"), spec("20_c"), spec("90_d", ["10_b", "20_c"])]
    for s, hint in zip(specs, [2, 1, 5, 9], strict=True):
        s.typical_seconds = hint
    seconds = {"10_b": 7.0}  # a recorded time wins over the hint
    order = sorted(specs, key=lambda s: dispatch_order(specs, seconds)[s.name])
    assert [s.name for s in order] == ["10_b", "20_c", "90_d", "00_a"]


def test_a_typical_seconds_that_is_not_a_number_is_a_config_error(tmp_path):
    (tmp_path / "00_a.ipynb").write_text("{}")
    params = tmp_path / "params.yaml"
    params.write_text("notebooks:\n  - {name: 00_a, title: A, summary: a, typical_seconds: soon}\n")
    with pytest.raises(RunConfigError, match="00_a.*typical_seconds must be a number"):
        load_params(params, tmp_path)
