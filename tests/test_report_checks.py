import numpy as np
import pytest

from analysis.report.checks import ChecksFailed, checks_markdown, failed_checks


def test_passed_checks_are_listed():
    text = checks_markdown({"counties are unique": True, "shares in [0, 1]": np.bool_(True)})
    assert text.startswith("All 2 checks")
    assert "- ✓ counties are unique" in text and "- ✓ shares in [0, 1]" in text


def test_failed_checks_are_named():
    checks = {"a holds": True, "b holds": np.bool_(False), "c holds": 0}
    assert failed_checks(checks) == ["b holds", "c holds"]
    with pytest.raises(ChecksFailed, match="2 of 3 checks failed: b holds; c holds"):
        checks_markdown(checks)


def test_no_checks_is_an_error():
    with pytest.raises(ValueError):
        checks_markdown({})
