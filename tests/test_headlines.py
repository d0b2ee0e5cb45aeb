"""Every page's headline agrees with reports/tables/key_findings.json (the rendered numbers
are compared, in the one format of analysis.report.findings), and the README quotes it."""

from __future__ import annotations

import pytest

from analysis import paths
from analysis.report.findings import format_value, read_key_findings
from analysis.report.key_findings import REQUIRED_IDS
from analysis.report.wording import visible_text

pytestmark = pytest.mark.mirror


@pytest.fixture(scope="module")
def findings(reports):
    return read_key_findings(paths.REPORTS / "tables" / "key_findings.json")


def page_text(name: str) -> str:
    return visible_text((paths.REPORTS / "html" / name).read_text(encoding="utf-8"))


def test_every_required_finding_is_in_the_file(findings):
    assert set(REQUIRED_IDS) <= {f["id"] for f in findings}
    assert len({f["snapshot_date"] for f in findings}) == 1


def test_each_finding_is_shown_as_in_the_file_on_its_page_the_summary_and_the_front_page(
    findings,
):
    missing = []
    for item in findings:
        shown = format_value(item["value"], item["unit"])
        for page in (f"{item['notebook']}.html", "90_summary.html", "index.html"):
            if shown not in page_text(page):
                missing.append((item["id"], shown, page))
    assert missing == []


def test_the_readme_quotes_the_findings_of_the_run(findings):
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    for item in findings:
        if item["id"] in REQUIRED_IDS:
            assert format_value(item["value"], item["unit"]) in readme, item["id"]
