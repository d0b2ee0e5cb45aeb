"""Causal wording the reports must not use outside a marked methods context.

The county models measure associations; the pages say so ("counties with … are more likely
to …", "is associated with", "conditional on"). :func:`causal_phrases` scans a rendered page's
visible text for the phrases below and reports each with its context, skipping any element
whose class list contains ``methods`` (where a method is described, e.g. "the wild bootstrap
imposes the null"), scripts and styles.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

CAUSAL_PHRASES = (
    "effect of", "effects of", "impact", "causes", "caused", "causal effect", "compelled",
    "leads to", "led to", "drives", "driven by", "because of", "holding the other",
    "other characteristics fixed",
)  # fmt: skip
EXEMPT_CLASS = "methods"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: does it hide its text?
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        hidden = tag in ("script", "style") or EXEMPT_CLASS in classes
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The page's text as a reader sees it (no scripts, styles or methods notes), one space
    between words."""
    parser = _VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def causal_phrases(html: str, phrases=CAUSAL_PHRASES) -> list[tuple[str, str]]:
    """(phrase, 60 characters either side) for every causal phrase in the visible text."""
    text = visible_text(html)
    found = []
    for phrase in phrases:
        for match in re.finditer(r"\b" + re.escape(phrase) + r"\b", text, flags=re.I):
            start, end = max(0, match.start() - 60), match.end() + 60
            found.append((phrase, text[start:end]))
    return found
