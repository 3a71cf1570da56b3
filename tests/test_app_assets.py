"""The dashboard's offline browser assets (sim.app_assets): which files Solara needs, and where."""

from __future__ import annotations

import re

import pytest

from sim.app_assets import cache_dir, ensure_assets, missing_assets, solara_packages


def test_asset_list_comes_from_solaras_own_template():
    pkgs = solara_packages()
    assert any(p.startswith("requirejs@") for p in pkgs)
    assert any(p.startswith("@widgetti/vue-grid-layout@") for p in pkgs)
    assert all(re.search(r"@\d", p) for p in pkgs)


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    import solara.server.settings as settings

    monkeypatch.setattr(settings.assets, "proxy_cache_dir", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_cache_is_where_solaras_proxy_looks(empty_cache):
    assert cache_dir() == empty_cache


def test_an_empty_cache_misses_every_file_the_page_loads(empty_cache):
    wanted = [f"{pkg}/{f}" for pkg, files in solara_packages().items() for f in files]
    assert missing_assets() == wanted and len(wanted) >= len(solara_packages())
    assert all(re.fullmatch(r"(@[\w.-]+/)?[\w.-]+@[\w.-]+/\S+", m) for m in missing_assets())


def test_a_full_cache_misses_nothing_and_fetches_nothing_without_npm(empty_cache):
    for pkg, files in solara_packages().items():
        for f in files:
            (empty_cache / pkg / f).parent.mkdir(parents=True, exist_ok=True)
            (empty_cache / pkg / f).write_text("x")
    assert missing_assets() == []
    assert ensure_assets(npm="no-such-npm-here") == []  # idempotent: npm is not even looked up


def test_a_missing_file_without_npm_is_a_clear_error(empty_cache):
    with pytest.raises(RuntimeError, match="npm is needed to fetch Solara's browser assets"):
        ensure_assets(npm="no-such-npm-here")
