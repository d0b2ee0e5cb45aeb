"""The environment's file of the Vega bundle is read when present, computed and written when not."""

import pytest

from analysis.report import vega_bundle


def test_bundle_file_read_when_present_computed_when_absent(tmp_path, monkeypatch):
    vl_convert = pytest.importorskip("vl_convert")
    calls = []
    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda: calls.append(1) or "js «ü»\n")
    path = vega_bundle.bundle_path(tmp_path)
    assert path.parent == tmp_path / "share" / "analysis" and path.name.startswith("vega-embed-")
    monkeypatch.setattr(vega_bundle, "bundle_path", lambda prefix=None: path)

    assert vega_bundle.javascript_bundle() == "js «ü»\n" and calls == [1]  # absent: computed
    assert path.read_bytes() == "js «ü»\n".encode() and list(path.parent.iterdir()) == [path]
    assert vega_bundle.javascript_bundle() == "js «ü»\n" and calls == [1]  # present: read
    path.write_text("from the file", encoding="utf-8")
    assert vega_bundle.javascript_bundle() == "from the file" and calls == [1]


def test_unwritable_prefix_still_computes(tmp_path, monkeypatch):
    vl_convert = pytest.importorskip("vl_convert")
    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda: "js")
    blocked = tmp_path / "file"
    blocked.write_text("")  # a file where the folder should be: nothing can be written
    assert vega_bundle.javascript_bundle(blocked / "share" / "vega-embed-x.js") == "js"
