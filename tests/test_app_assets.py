"""The dashboard's offline browser assets (sim.app_assets): which files Solara needs, and where."""

from __future__ import annotations

import re

from sim.app_assets import solara_packages


def test_asset_list_comes_from_solaras_own_template():
    pkgs = solara_packages()
    assert any(p.startswith("requirejs@") for p in pkgs)
    assert any(p.startswith("@widgetti/vue-grid-layout@") for p in pkgs)
    assert all(re.search(r"@\d", p) for p in pkgs)
