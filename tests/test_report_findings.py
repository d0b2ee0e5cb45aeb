import json

import pytest

from analysis.report.findings import (
    FIELDS,
    format_interval,
    format_p,
    format_value,
    read_key_findings,
)


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (1797, "count", "1,797"),
        (0.2449, "share", "24.5%"),
        (0.121, "pp per SD", "+0.1 pp per SD"),
        (12.14, "pp per SD", "+12.1 pp per SD"),
        (-0.5, "pp per SD", "-0.5 pp per SD"),
        (2.104, "hazard ratio", "2.10"),
        (0.8123, "AUC", "0.81"),
        (15.4, "days", "15 days"),
        (None, "count", "n/a"),
    ],
)
def test_each_unit_has_one_format(value, unit, shown):
    assert format_value(value, unit) == shown


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unknown unit"):
        format_value(1.0, "percent")


def test_interval_and_p():
    assert format_interval(1.12, 3.94, "hazard ratio") == "(1.12–3.94)"
    assert format_interval(0.1, 0.2, "share") == "(10.0%–20.0%)"
    assert format_p(0.3012) == "p = 0.30" and format_p(0.0042) == "p = 0.004"
    assert format_p(1e-9) == "p < 0.001"


def test_read_checks_fields(tmp_path):
    good = {field: None for field in FIELDS} | {"id": "agreements", "unit": "count"}
    path = tmp_path / "key_findings.json"
    path.write_text(json.dumps([good]))
    assert read_key_findings(path)[0]["id"] == "agreements"
    path.write_text(json.dumps([{"id": "x", "unit": "count"}]))
    with pytest.raises(ValueError, match="lacks"):
        read_key_findings(path)
