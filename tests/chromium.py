"""Where Debian's Chromium is, for the tests that drive it (report DOM dumps, Playwright)."""

from __future__ import annotations

import os
import shutil

import pytest


def chromium() -> str:
    """The Chromium executable; in CI its absence fails (``.ci/run`` installs it), else skips."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium package")
        pytest.skip("chromium not installed (apt-get install chromium)")
    return found
