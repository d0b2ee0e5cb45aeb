"""Fetching: hash verification, atomic writes, mirror and HTTP paths, clear errors."""

from __future__ import annotations

import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from analysis import paths
from analysis.cli import main
from analysis.fetch import CatalogEntry, FetchError, fetch_all, fetch_one, load_catalog

CONTENT = b"STATE,COUNTY\nTEXAS,Bowie County\n"


def entry(path="demo/file.csv", content=CONTENT, url="", **kw) -> CatalogEntry:
    values = dict(
        path=path, sha256=hashlib.sha256(content).hexdigest(), bytes=len(content), url=url,
        license="public domain", landing_page="", description="", source_ref="",
        derive_from_url="", derive_from_sha256="", derive_recipe="",
    )  # fmt: skip
    values.update(kw)
    return CatalogEntry(**values)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file() and p.name.endswith(".part"))


@pytest.fixture
def mirror(tmp_path):
    root = tmp_path / "mirror"
    (root / "demo").mkdir(parents=True)
    (root / "demo" / "file.csv").write_bytes(CONTENT)
    return root


def test_mirror_copy_then_present(tmp_path, mirror):
    raw = tmp_path / "raw"
    rec = fetch_one(entry(), raw_dir=raw, mirror=mirror)
    assert rec.source == "mirror"
    assert (raw / "demo" / "file.csv").read_bytes() == CONTENT
    assert fetch_one(entry(), raw_dir=raw, mirror=mirror).source == "present"


def test_mirror_byte_changed_is_refused_and_nothing_lands(tmp_path, mirror):
    (mirror / "demo" / "file.csv").write_bytes(CONTENT.replace(b"TEXAS", b"TEXAZ"))
    raw = tmp_path / "raw"
    with pytest.raises(FetchError, match=r"demo/file\.csv: sha256 mismatch"):
        fetch_one(entry(), raw_dir=raw, mirror=mirror)
    assert not (raw / "demo" / "file.csv").exists()
    assert leftovers(raw) == []
    # After restoring the mirror file, the fetch succeeds.
    (mirror / "demo" / "file.csv").write_bytes(CONTENT)
    assert fetch_one(entry(), raw_dir=raw, mirror=mirror).source == "mirror"


def test_wrong_file_in_raw_is_replaced(tmp_path, mirror):
    raw = tmp_path / "raw"
    (raw / "demo").mkdir(parents=True)
    (raw / "demo" / "file.csv").write_bytes(b"stale")
    assert fetch_one(entry(), raw_dir=raw, mirror=mirror).source == "mirror"
    assert (raw / "demo" / "file.csv").read_bytes() == CONTENT


def test_file_missing_from_mirror_names_file_and_url(tmp_path, mirror):
    e = entry(path="demo/absent.csv", url="https://example.org/absent.csv")
    with pytest.raises(FetchError) as err:
        fetch_one(e, raw_dir=tmp_path / "raw", mirror=mirror)
    assert "demo/absent.csv" in str(err.value)
    assert "https://example.org/absent.csv" in str(err.value)


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes]] = {}

    def do_GET(self):  # noqa: N802 (http.server API)
        status, body = self.routes.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Handler.routes
    httpd.shutdown()
    _Handler.routes.clear()


def test_download_verified(tmp_path, server):
    base, routes = server
    routes["/file.csv"] = (200, CONTENT)
    rec = fetch_one(entry(url=f"{base}/file.csv"), raw_dir=tmp_path / "raw")
    assert rec.source == "download"
    assert (tmp_path / "raw" / "demo" / "file.csv").read_bytes() == CONTENT


def test_download_wrong_hash_leaves_nothing(tmp_path, server):
    base, routes = server
    routes["/file.csv"] = (200, b"something else")
    with pytest.raises(FetchError, match="sha256 mismatch"):
        fetch_one(entry(url=f"{base}/file.csv"), raw_dir=tmp_path / "raw")
    assert not (tmp_path / "raw" / "demo" / "file.csv").exists()
    assert leftovers(tmp_path / "raw") == []


def test_download_404_is_clear(tmp_path, server):
    base, _ = server
    with pytest.raises(FetchError) as err:
        fetch_one(entry(url=f"{base}/gone.csv"), raw_dir=tmp_path / "raw", retries=2)
    message = str(err.value)
    assert "demo/file.csv" in message and f"{base}/gone.csv" in message and "404" in message
    assert "ANALYSIS_MIRROR" in message


def test_no_network_no_mirror_is_clear(tmp_path):
    # Port 9 on loopback: nothing listens, so the connection is refused at once.
    e = entry(url="http://127.0.0.1:9/file.csv")
    with pytest.raises(FetchError, match="ANALYSIS_MIRROR"):
        fetch_one(e, raw_dir=tmp_path / "raw", retries=1)
    assert leftovers(tmp_path / "raw") == []


def test_derived_file_rebuilt_from_original(tmp_path, server):
    base, routes = server
    original = (
        b"lat,lon,name,admin1,admin2,cc\r\n1,2,Austin,Texas,Travis County,US\r\n3,4,Paris,,,FR"
    )
    routes["/rg.csv"] = (200, original)
    derived = b"lat,lon,name,admin1,admin2,cc\n1,2,Austin,Texas,Travis County,US\n"
    e = entry(
        path="geo/us.csv", content=derived, derive_from_url=f"{base}/rg.csv",
        derive_from_sha256=hashlib.sha256(original).hexdigest(), derive_recipe="filter_country_us",
    )  # fmt: skip
    assert fetch_one(e, raw_dir=tmp_path / "raw").source == "derived"
    assert (tmp_path / "raw" / "geo" / "us.csv").read_bytes() == derived
    assert sorted(p.name for p in (tmp_path / "raw" / "geo").iterdir()) == ["us.csv"]


def test_fetch_all_writes_manifest(tmp_path, mirror):
    raw = tmp_path / "raw"
    fetch_all([entry()], raw_dir=raw, mirror=mirror, progress=False, echo=lambda m: None)
    manifest = (raw / "MANIFEST.csv").read_text().splitlines()
    assert manifest[0] == "path,sha256,bytes,source,origin,retrieved_utc"
    assert manifest[1].startswith(f"demo/file.csv,{entry().sha256},{len(CONTENT)},mirror,")


def test_catalog_is_well_formed():
    entries = load_catalog()
    assert len({e.path for e in entries}) == len(entries)
    for e in entries:
        assert e.url.startswith("https://") or e.derive_recipe, e.path
        assert e.license and e.landing_page, e.path


def test_cli_fetch_reports_mismatch_without_traceback(tmp_path, mirror, monkeypatch, capsys):
    (mirror / "demo" / "file.csv").write_bytes(b"tampered")
    monkeypatch.setattr("analysis.fetch.load_catalog", lambda *a, **k: [entry()])
    monkeypatch.setattr(paths, "RAW", tmp_path / "raw")
    monkeypatch.setattr("analysis.fetch.paths.RAW", tmp_path / "raw")
    monkeypatch.setenv(paths.MIRROR_ENV, str(mirror))
    code = main(["fetch", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: demo/file.csv: sha256 mismatch")
    assert "Traceback" not in err


@pytest.mark.mirror
def test_every_catalogued_file_verifies(raw_dir):
    manifest = (raw_dir / "MANIFEST.csv").read_text().splitlines()
    assert len(manifest) - 1 >= len(load_catalog())
