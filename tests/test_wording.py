"""No report words an association as a cause (outside a marked methods note)."""

import pytest

from analysis import paths
from analysis.report.wording import causal_phrases, visible_text


def test_causal_phrases_are_found_with_their_context():
    html = (
        "<p>The mandate <b>caused</b> adoption; partisanship drives it.</p>"
        "<p>Counties with a higher share are more likely to adopt.</p>"
    )
    found = causal_phrases(html)
    assert [phrase for phrase, _ in found] == ["caused", "drives"]
    assert "The mandate caused adoption" in found[0][1]


def test_methods_notes_scripts_and_styles_are_exempt():
    html = (
        '<div class="note methods"><p>The bootstrap <em>leads to</em> valid p-values.</p></div>'
        "<script>var impact = 1;</script><style>.impact{}</style><img src='x.png'>"
        "<p>Fixed effects absorb state differences.</p>"
    )
    assert causal_phrases(html) == []
    assert "Fixed effects absorb" in visible_text(html)


@pytest.mark.mirror
def test_no_rendered_report_uses_causal_wording(reports):
    pages = sorted((paths.REPORTS / "html").rglob("*.html"))
    assert pages, "no rendered pages"
    offending = {
        page.name: hits
        for page in pages
        if (hits := causal_phrases(page.read_text(encoding="utf-8")))
    }
    assert offending == {}
