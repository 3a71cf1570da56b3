"""The dashboard: model, settings and figures in process, and the page end to end in Chromium."""

from __future__ import annotations

import datetime as dt
import inspect
import math
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

import sim.app
from sim.app import (
    DEFAULT_HORIZON,
    NO_SCENARIO,
    SLIDER_PARAMS,
    DashboardModel,
    Settings,
    cut_tie,
    metrics,
    remove_actor,
    restore_actor,
    scenario_settings,
    slider_spec,
    supply_pairs,
    time_label,
)
from sim.app_assets import missing_assets, solara_packages
from sim.app_figures import (
    country_outlines,
    map_figure,
    month_date,
    months,
    outline_image,
    series_figure,
    update_map,
    update_series,
)
from sim.errors import SimError, UnknownNameError, ValidationError
from sim.model import AllianceModel
from sim.params import ModelParams
from sim.shocks import RemoveState

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _row(model, key):
    """(label, shocked, baseline) of one row of the values panel."""
    return {k: (label, v, b) for k, label, v, b in metrics(model)}[key]


def _traces(fig):
    return {t.meta: t for t in fig.data}


def _points(trace) -> int:
    return 0 if trace.x is None else len(trace.x)


# -- the model behind the page --------------------------------------------------------------


def test_default_model_is_the_default_world_with_its_paired_baseline():
    m = DashboardModel()
    assert m.scenario_name == NO_SCENARIO and m.seed == 42 and m.horizon == DEFAULT_HORIZON
    assert m.world.name == "axis-2024" and len(m.world.actors) == 38
    assert m.shocks == [] and m.baseline.shocks == []
    label, shocked, baseline = _row(m, "fulfilment-axis")
    assert label == "Axis needs met (share)"
    assert shocked == baseline == m.datacollector.model_vars["fulfilment:axis"][0]
    # no shocks: the two arms are the same run
    m.run_for(3)
    assert m.baseline.time == m.time == 3
    assert all(v == b for _, _, v, b in metrics(m))


def test_the_page_parameter_cannot_collide_with_mesas_scenario():
    # Mesa 3.5 gives every model a `scenario` object; ours is `scenario_name`
    assert "scenario" not in inspect.signature(DashboardModel).parameters
    m = DashboardModel(scenario_name="syria_loss", rng="7")
    assert m.scenario_name == "syria_loss" and m.seed == 7
    assert type(m.scenario).__module__.startswith("mesa")
    with pytest.raises(SimError, match="scenario_name="):
        DashboardModel(scenario=m.scenario)


def test_scenario_brings_its_shocks_and_horizon_and_params_override():
    m = DashboardModel("syria_loss", "7", tie_gain=0.2)
    assert [type(s) for s in m.shocks] == [RemoveState]
    assert m.baseline.shocks == []
    assert m.params.tie_gain == m.baseline.params.tie_gain == 0.2
    assert m.horizon == 36
    m.step()
    assert not m.alive("SYR") and m.baseline.alive("SYR")
    _, shocked, baseline = _row(m, "alive-axis")
    assert (shocked, baseline) == (13, 14)


SCENARIO_WITH_PARAMS = """\
[scenario]
name = "slow_ties"
world = "axis-2024"
steps = 12
replicates = 2

[params]
tie_rate = 0.3
volume_noise = 0.05
anchor_draws = 8

[[shocks]]
type = "remove_state"
target = "SYR"
at = 1
"""


def test_choosing_a_scenario_moves_the_sliders_to_its_values(tmp_path):
    path = tmp_path / "slow_ties.toml"
    path.write_text(SCENARIO_WITH_PARAMS)
    start = Settings(seed="9")
    moved = scenario_settings(start, str(path))
    assert moved.scenario_name == str(path) and moved.seed == "9"
    assert moved.params["tie_rate"] == 0.3 and moved.params["volume_noise"] == 0.05
    assert moved.params["trade_elasticity"] == ModelParams().trade_elasticity  # not set there
    m = moved.build()
    assert (m.params.tie_rate, m.params.volume_noise) == (0.3, 0.05)
    assert m.params.anchor_draws == 8  # the scenario's non-slider params stand
    assert m.horizon == 12
    # a slider moved after choosing the scenario wins over the scenario's value
    m = Settings(str(path), "9", {**moved.params, "tie_rate": 0.4}).build()
    assert (m.params.tie_rate, m.params.volume_noise) == (0.4, 0.05)
    # back to no scenario: the defaults
    assert scenario_settings(moved, NO_SCENARIO).params == Settings().params
    with pytest.raises(UnknownNameError, match="syria_loss"):
        scenario_settings(start, "syria_los")


def test_same_seed_text_gives_the_same_run_and_a_blank_seed_a_recorded_one():
    a, b = DashboardModel(rng="5"), DashboardModel(rng=5)
    a.run_for(4)
    b.run_for(4)
    assert metrics(a) == metrics(b)
    fresh = DashboardModel(rng="")
    again = DashboardModel(rng=fresh.seed)
    fresh.run_for(4)
    again.run_for(4)
    assert metrics(fresh) == metrics(again)
    assert DashboardModel(rng="").seed != fresh.seed  # 1 in 2**32 to fail


@pytest.mark.parametrize("seed", ["abc", "-3", "1.5"])
def test_bad_seed_is_a_validation_error(seed):
    with pytest.raises(ValidationError, match="Random seed"):
        DashboardModel(rng=seed)


def test_unknown_scenario_and_parameter_suggest_names():
    with pytest.raises(UnknownNameError, match="syria_loss"):
        DashboardModel("syria_los")
    with pytest.raises(ValidationError, match="tie_gain"):
        DashboardModel(tie_gian=0.3)


def test_no_model_lives_at_module_level():
    # one module-level model was shared by every browser session
    assert not [k for k, v in vars(sim.app).items() if isinstance(v, AllianceModel)]
    assert callable(sim.app.Page)


# -- interventions ------------------------------------------------------------------------


def test_remove_then_restore_an_actor_touches_the_shocked_run_only():
    m = DashboardModel(rng=1)
    m.run_for(2)
    before = m.delivered("IRN", "HEZ")
    assert "SYR removed at month 2" in remove_actor(m, "SYR")
    with pytest.raises(SimError, match="already removed"):
        remove_actor(m, "SYR")
    with pytest.raises(SimError, match="step first"):
        restore_actor(m, "SYR")
    m.step()
    assert not m.alive("SYR") and m.baseline.alive("SYR")
    assert _row(m, "alive-axis")[1:] == (13, 14)
    # the land bridge runs through Syria: Iran's deliveries to Hezbollah collapse
    assert m.delivered("IRN", "HEZ") < 0.25 * before
    assert m.baseline.delivered("IRN", "HEZ") > 0.5 * before
    assert "SYR restored at month 3" in restore_actor(m, "SYR")
    m.step()
    assert m.alive("SYR")
    assert _row(m, "alive-axis")[1] == 14


def test_restore_needs_a_removal_and_names_must_exist():
    m = DashboardModel()
    with pytest.raises(SimError, match="nothing to restore"):
        restore_actor(m, "IRN")
    with pytest.raises(UnknownNameError):
        remove_actor(m, "SYRIA")


def test_cut_tie_stops_deliveries_of_that_pair_only():
    m = DashboardModel(rng=3)
    m.step()
    assert "IRN→HEZ" in supply_pairs(m)
    cut_tie(m, ("IRN", "HEZ"))
    m.step()
    assert m.delivered("IRN", "HEZ") == 0.0
    assert m.baseline.delivered("IRN", "HEZ") > 0
    assert m.delivered("RUS", "IRN") > 0


# -- what the panels show ----------------------------------------------------------------------


def test_values_panel_has_every_bloc_and_the_watched_pair():
    m = DashboardModel()
    keys = [k for k, *_ in metrics(m)]
    for bloc in m.world.blocs:
        for what in ("fulfilment", "cohesion", "giant", "alive"):
            assert f"{what}-{bloc}" in keys
    assert _row(m, "delivered")[0] == "Delivered IRN→HEZ last month"
    assert 0 < _row(m, "strength")[1] < 1


def test_months_are_singular_or_plural_and_dated_from_the_worlds_date():
    assert [months(t) for t in (0, 1, 2.0)] == ["0 months", "1 month", "2 months"]
    m = DashboardModel()
    assert m.world.as_of == dt.date(2024, 11, 26)
    assert time_label(m) == "Month 0 of 60 · 26 Nov 2024"
    m.step()
    assert time_label(m) == "Month 1 of 60 · 26 Dec 2024"
    assert month_date(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert month_date(dt.date(2024, 11, 26), 14) == dt.date(2026, 1, 26)


def test_sliders_have_human_names_units_and_ranges_from_model_params():
    meta = {f.name: f for f in fields(ModelParams)}
    for name in SLIDER_PARAMS:
        spec = slider_spec(name)
        lo, hi = meta[name].metadata["range"]
        assert (spec["min"], spec["max"], spec["default"]) == (lo, hi, meta[name].default)
        assert spec["units"] == meta[name].metadata["units"]
        assert "_" not in spec["label"] and spec["label"][0].isupper()
        # the default is a slider position: the slider must not snap it off on load
        k = (spec["default"] - lo) / spec["step"]
        assert math.isclose(k, round(k), abs_tol=1e-9), name
        assert 20 <= (hi - lo) / spec["step"] <= 1000
        DashboardModel(**{name: spec["max"]})  # every slider position builds a model


def test_asset_list_comes_from_solaras_own_template():
    pkgs = solara_packages()
    assert any(p.startswith("requirejs@") for p in pkgs)
    assert any(p.startswith("@widgetti/vue-grid-layout@") for p in pkgs)
    assert all(re.search(r"@\d", p) for p in pkgs)


# -- the figures ---------------------------------------------------------------------------


def test_country_outlines_never_jump_across_the_map():
    (land_x, _), (border_x, border_y) = country_outlines()
    assert len(land_x) > 1000 and len(border_x) > 1000
    for x in (land_x, border_x):
        finite = np.isfinite(x[:-1]) & np.isfinite(x[1:])
        assert np.nanmin(x) >= -180 and np.nanmax(x) <= 180
        assert np.max(np.abs(np.diff(x))[finite]) < 180
    # Cyprus's outline is there, near its real coordinates
    near = (np.abs(border_x - 33.2) < 1.5) & (np.abs(border_y - 35.1) < 0.8)
    assert near.sum() >= 5


def test_map_shows_actors_with_their_values_and_the_lost_ones():
    m = DashboardModel(rng=1)
    fig = map_figure(m.world)
    t = _traces(fig)
    assert _points(t["actors:axis"]) == 0  # the static part only
    (outlines,) = fig.layout.images
    assert outlines.source == outline_image() and outlines.source.startswith("data:image/svg")
    assert (outlines.x, outlines.y, outlines.sizex, outlines.sizey) == (-180, 90, 360, 180)
    update_map(fig, m)
    axis = _traces(fig)["actors:axis"]
    assert len(axis.x) == 14 and "SYR" in axis.text
    i = list(axis.text).index("SYR")
    assert "<b>Syria</b> (SYR)" in axis.customdata[i]
    assert f"capability: {m.capability('SYR'):.2f}" in axis.customdata[i]
    assert sum(_points(t[f"partnership:{c}"]) for c in ("weak", "medium", "strong")) > 0
    remove_actor(m, "SYR")
    m.step()
    update_map(fig, m)
    t = _traces(fig)
    assert list(t["actors:lost"].text) == ["SYR"] and "lost" in t["actors:lost"].customdata[0]
    assert "SYR" not in t["actors:axis"].text
    # Syria's supply ties are cut, and say so when hovered
    cut = [s for s in t["ties:hover"].text if "<b>cut</b>" in s]
    assert any("→SYR" in s or "SYR→" in s for s in cut)


def test_actors_sharing_a_capital_are_drawn_apart():
    m = DashboardModel()
    beirut = [
        a
        for a in m.world.actors
        if (a.lon, a.lat) == (m.world.actor("HEZ").lon, m.world.actor("HEZ").lat)
    ]
    assert len(beirut) >= 2  # Hezbollah at Lebanon's capital
    fig = update_map(map_figure(m.world), m)
    xy = {}
    for t in fig.data:
        if str(t.meta).startswith("actors:") and t.text:
            xy.update({a: (x, y) for a, x, y in zip(t.text, t.x, t.y, strict=True)})
    points = [xy[a.id] for a in beirut]
    assert len(set(points)) == len(points)
    for x, y in points:
        assert math.dist((x, y), (beirut[0].lon, beirut[0].lat)) == pytest.approx(0.5)


def test_map_layer_and_bloc_selectors():
    m = DashboardModel(rng=2)
    fig = update_map(map_figure(m.world), m, layer="supply", blocs=["axis"])
    t = _traces(fig)
    for name in ("rivalry", "partnership:weak", "partnership:medium", "partnership:strong"):
        assert _points(t[name]) == 0, name
    assert _points(t["supply"]) > 0
    assert _points(t["actors:west"]) == 0 and _points(t["actors:axis"]) == 14
    axis_ids = {a.id for a in m.world.actors if a.bloc == "axis"}
    for text in t["ties:hover"].text:
        src, dst = re.match(r"supply (\w+)→(\w+)", text).groups()
        assert {src, dst} <= axis_ids
    with pytest.raises(UnknownNameError, match="supply"):
        update_map(fig, m, layer="suply")
    with pytest.raises(UnknownNameError, match="axis"):
        update_map(fig, m, blocs=["axsi"])


def test_map_update_changes_data_only_and_keeps_the_view():
    m = DashboardModel(rng=2)
    fig = go.FigureWidget(map_figure(m.world))
    update_map(fig, m)
    fig.layout.xaxis.range = [30, 50]  # the user zoomed in
    layout = fig.layout.to_plotly_json()
    m.step()
    update_map(fig, m)
    assert _points(_traces(fig)["actors:axis"]) == 14
    assert fig.layout.to_plotly_json() == layout  # the zoom and the outlines are left alone
    # a redraw of the same state sends nothing
    sent = []
    fig._send_restyle_msg = lambda *a, **k: sent.append(a)
    fig._send_update_msg = lambda *a, **k: sent.append(a)
    update_map(fig, m)
    assert sent == []
    # a changed selection is sent
    update_map(fig, m, layer="supply")
    assert sent and _points(_traces(fig)["partnership:strong"]) == 0


def test_series_show_both_arms_on_dates_with_labelled_shocks():
    m = DashboardModel("syria_loss", rng=4)
    m.run_for(3)
    fig = update_series(
        go.FigureWidget(series_figure()),  # what the page draws on
        m.datacollector.model_vars,
        m.baseline.datacollector.model_vars,
        bloc="axis",
        as_of=m.world.as_of,
        shocks=m.shocks,
        until=m.horizon,
    )
    t = _traces(fig)
    shocked, baseline = t["giant:shock"], t["giant:baseline"]
    assert list(shocked.x) == ["2024-11-26", "2024-12-26", "2025-01-26", "2025-02-26"]
    assert fig.layout.xaxis.type == "date"
    assert tuple(fig.layout.xaxis.range) == ("2024-11-26", "2027-11-26")  # the 36 months
    assert baseline.line.dash == "dash" and shocked.line.color == baseline.line.color
    assert shocked.y[-1] < baseline.y[-1] == 1.0  # losing Syria splits the axis
    assert [a.text for a in fig.layout.annotations] == ["remove state: SYR"]
    assert fig.layout.shapes[0].x0 == "2024-11-26"
    assert "date" in fig.layout.xaxis.title.text
    with pytest.raises(UnknownNameError, match="axis"):
        update_series(fig, m.datacollector.model_vars, None, bloc="axsi")


# -- end to end in headless Chromium -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"solara exited early with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"solara did not answer on port {port} within {timeout:.0f} s")


@dataclass(frozen=True)
class Dashboard:
    """A running ``solara run sim/app.py``: its address and its log."""

    url: str
    log: Path

    def assert_no_server_errors(self) -> None:
        # an exception in a component or effect, or a message the server could not send
        text = self.log.read_text()
        assert "Traceback" not in text and "ERROR" not in text, text[-3000:]


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: run 'make browsers' as root (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it (.ci/run runs as root): never skip there
        pytest.skip(message)
    if missing := missing_assets():
        pytest.fail(f"Solara's browser assets are missing ({missing[0]}, ...): run 'make browsers'")
    port = _free_port()
    solara = Path(sys.executable).parent / "solara"
    log = tmp_path_factory.mktemp("solara") / "server.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's sim, not an installed one
    cmd = [str(solara), "run", "sim/app.py", "--production", "--host", "127.0.0.1"]
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*cmd, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, proc, timeout=90)
        yield Dashboard(f"http://127.0.0.1:{port}/", log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _open(browser, url):
    """A page in a browser context of its own (its own cookies: its own Solara session)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1500})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.js_errors = errors
    page.goto(url, timeout=60_000)
    page.locator(".metric-fulfilment-axis").wait_for(timeout=60_000)
    page.locator(".network-map .js-plotly-plot").wait_for(timeout=60_000)
    return page


def _text(page, css: str) -> str:
    return page.locator(css).inner_text().strip()


def _value(page, key: str) -> float:
    return float(_text(page, f".metric-{key}"))


def _step(page, to_month: int) -> None:
    page.get_by_role("button", name="Step", exact=True).click()
    page.locator(".metric-time", has_text=f"Month {to_month} ").wait_for(timeout=30_000)


def _no_traceback(page) -> None:
    body = page.inner_text("body")
    for marker in ("Traceback", "TypeError", "Error:"):
        assert marker not in body, body[:2000]
    assert page.js_errors == []


def _choose(page, label: str, option: str) -> None:
    page.locator(".v-select", has_text=label).first.click()
    page.locator(".menuable__content__active .v-list-item", has_text=option).first.click()


def _map_point(page, actor: str) -> tuple[float, float] | None:
    """Where `actor`'s marker is on the screen, from plotly's own axes."""
    return page.evaluate(
        """(actor) => {
            const gd = document.querySelector('.network-map .js-plotly-plot');
            const fl = gd._fullLayout, box = gd.getBoundingClientRect();
            for (const t of gd._fullData) {
                if (!String(t.meta || '').startsWith('actors:')) continue;
                const i = (t.text || []).indexOf(actor);
                if (i >= 0) return [box.left + fl.xaxis._offset + fl.xaxis.l2p(t.x[i]),
                                    box.top + fl.yaxis._offset + fl.yaxis.l2p(t.y[i])];
            }
            return null;
        }""",
        actor,
    )


def _map_centre(page) -> tuple[float, float]:
    return page.evaluate(
        """() => {
            const gd = document.querySelector('.network-map .js-plotly-plot');
            const fl = gd._fullLayout, box = gd.getBoundingClientRect();
            return [box.left + fl.xaxis._offset + fl.xaxis._length / 2,
                    box.top + fl.yaxis._offset + fl.yaxis._length / 2];
        }"""
    )


def _map_trace_points(page, meta: str) -> int:
    return page.evaluate(
        """(meta) => {
            const gd = document.querySelector('.network-map .js-plotly-plot');
            const t = gd.data.find(t => t.meta === meta);
            return t && t.x ? t.x.length : 0;
        }""",
        meta,
    )


def _map_range(page) -> list[float]:
    return page.evaluate(
        "() => document.querySelector('.network-map .js-plotly-plot')._fullLayout.xaxis.range"
    )


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_reset_rebuilds_from_the_chosen_scenario_seed_and_slider(dashboard, browser):
    page = _open(browser, dashboard.url)
    assert _text(page, ".metric-time") == "Month 0 of 60 · 26 Nov 2024"
    assert _text(page, ".run-identity") == "Scenario none · seed 42"
    _step(page, 1)

    # a user's mistake is a message beside the controls, and the running model stays
    page.get_by_label("Random seed").fill("seven")
    page.get_by_label("Random seed").press("Enter")
    page.get_by_role("button", name="Reset", exact=True).click()
    page.locator(".setup-error", has_text="Random seed").wait_for(timeout=30_000)
    assert "not a non-negative integer" in _text(page, ".setup-error")
    assert _text(page, ".metric-time").startswith("Month 1 ")

    _choose(page, "Scenario", "syria_loss")
    page.get_by_label("Random seed").fill("7")
    page.get_by_label("Random seed").press("Enter")
    thumb = page.locator(".param-collapse_threshold [role=slider]")
    thumb.focus()
    thumb.press("End")  # the top of its range
    page.locator(".param-label-collapse_threshold", has_text="0.3 ").wait_for(timeout=10_000)
    assert "Collapse threshold: 0.3 (stability units)" in _text(
        page, ".param-label-collapse_threshold"
    )
    page.locator(".setup-pending").wait_for(timeout=10_000)
    # nothing applies before Reset
    assert _text(page, ".run-identity") == "Scenario none · seed 42"

    page.get_by_role("button", name="Reset", exact=True).click()
    page.locator(".run-identity", has_text="syria_loss").wait_for(timeout=30_000)
    _no_traceback(page)
    assert _text(page, ".run-identity") == "Scenario syria_loss · seed 7"
    assert _text(page, ".metric-time") == "Month 0 of 36 · 26 Nov 2024"
    assert "Collapse threshold 0.3" in _text(page, ".run-params")
    assert "remove state: SYR at month 0" in _text(page, ".shock-list")
    page.locator(".setup-pending").wait_for(state="detached", timeout=10_000)
    assert page.locator(".setup-error").count() == 0
    # the scenario's shock acts in the first step, on the shocked run only
    _step(page, 1)
    assert _value(page, "alive-axis") == 13
    assert float(_text(page, ".baseline-alive-axis")) == 14
    # and the rebuilt model is the one the seed makes
    expected = DashboardModel("syria_loss", 7, collapse_threshold=0.3)
    expected.step()
    assert _text(page, ".metric-fulfilment-axis") == f"{_row(expected, 'fulfilment-axis')[1]:.3f}"
    dashboard.assert_no_server_errors()


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_two_sessions_have_models_of_their_own(dashboard, browser):
    a = _open(browser, dashboard.url)
    a.get_by_role("button", name="Remove actor", exact=True).click()
    a.locator(".intervention-message", has_text="SYR removed").wait_for(timeout=30_000)
    _step(a, 1)
    _step(a, 2)
    assert _value(a, "alive-axis") == 13

    b = _open(browser, dashboard.url)  # opened after A stepped: still at the start
    assert _text(b, ".metric-time").startswith("Month 0 ")
    assert _value(b, "alive-axis") == 14
    assert b.locator(".shock-list").count() == 0
    _step(b, 1)
    assert _text(a, ".metric-time").startswith("Month 2 ")  # A did not move with B
    assert _value(b, "alive-axis") == 14
    # B plays on its own; A stays where it was
    b.get_by_role("button", name="Play", exact=True).click()
    b.locator(".metric-time", has_text="Month 4 ").wait_for(timeout=30_000)
    # The sidebar re-renders every month while playing, so a pointer click can land on the row
    # around the button (CI saw it retry until the run reached its horizon): send the click to
    # the button itself
    b.get_by_role("button", name="Pause", exact=True).dispatch_event("click")
    b.get_by_role("button", name="Play", exact=True).wait_for(timeout=10_000)
    paused = _text(b, ".metric-time")
    assert int(paused.split()[1]) < 60, paused  # Pause stopped it, not the end of the run
    b.wait_for_timeout(1000)
    assert _text(b, ".metric-time") == paused  # paused means paused
    assert _text(a, ".metric-time").startswith("Month 2 ")
    _no_traceback(a)
    _no_traceback(b)
    dashboard.assert_no_server_errors()


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_intervention_then_map_hover_zoom_and_layers(dashboard, browser):
    page = _open(browser, dashboard.url)
    delivered0 = _value(page, "delivered")
    assert delivered0 > 10
    assert "SYR" in page.locator(".v-select", has_text="Actor").inner_text()
    page.get_by_role("button", name="Remove actor", exact=True).click()
    page.locator(".intervention-message", has_text="SYR removed at month 0").wait_for(
        timeout=30_000
    )
    _step(page, 1)
    assert _value(page, "alive-axis") == 13
    assert _value(page, "delivered") < 0.25 * delivered0  # the land bridge ran through Syria
    assert float(_text(page, ".baseline-delivered")) > 0.5 * delivered0
    assert "remove state: SYR at month 0" in _text(page, ".shock-list")

    # hover Syria on the map: its values, and that it is lost
    page.wait_for_function(
        "() => document.querySelector('.network-map .js-plotly-plot')"
        "._fullData.some(t => t.meta === 'actors:lost' && t.text && t.text.includes('SYR'))",
        timeout=30_000,
    )
    x, y = _map_point(page, "IRN")
    page.mouse.move(x, y)
    page.locator(".network-map .hoverlayer .hovertext", has_text="Iran").wait_for(timeout=10_000)
    hover = page.locator(".network-map .hoverlayer").text_content()
    assert "capability" in hover and "needs met" in hover

    # zoom with the wheel on the Levant; a step keeps the zoom
    wide = _map_range(page)
    x, y = _map_point(page, "SYR")
    page.mouse.move(x, y)
    for _ in range(24):
        page.mouse.wheel(0, -200)
        page.wait_for_timeout(250)
    zoomed = _map_range(page)
    assert zoomed[1] - zoomed[0] < 0.25 * (wide[1] - wide[0])
    x, y = _map_point(page, "SYR")
    page.mouse.move(x, y)
    page.locator(".network-map .hoverlayer .hovertext", has_text="Syria").wait_for(timeout=10_000)
    assert "lost" in page.locator(".network-map .hoverlayer").text_content()
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.locator(".network-map").screenshot(path=str(IMAGES / "dashboard-map-zoom.png"))
    _step(page, 2)
    assert _map_range(page) == pytest.approx(zoomed)

    # the layer selector: supply only
    page.mouse.dblclick(*_map_centre(page))  # back to the whole map
    page.wait_for_function(
        f"() => document.querySelector('.network-map .js-plotly-plot')"
        f"._fullLayout.xaxis.range[0] < {wide[0] + 1}",
        timeout=10_000,
    )
    page.locator(".layer-select button", has_text="supply").click()
    page.wait_for_function(
        "() => { const gd = document.querySelector('.network-map .js-plotly-plot');"
        " const t = gd.data.find(t => t.meta === 'partnership:strong');"
        " return !t.x || t.x.length === 0; }",
        timeout=30_000,
    )
    assert _map_trace_points(page, "supply") > 0
    assert _map_trace_points(page, "supply:cut") > 0  # Syria's ties
    page.locator(".layer-select button", has_text="all").click()
    page.wait_for_function(
        "() => { const gd = document.querySelector('.network-map .js-plotly-plot');"
        " const t = gd.data.find(t => t.meta === 'partnership:strong');"
        " return t.x && t.x.length > 0; }",
        timeout=30_000,
    )
    for month in range(3, 13):
        _step(page, month)
    # the chart: both arms, month by month from the world's date
    series = page.evaluate(
        "() => Object.fromEntries(document.querySelector('.series-chart .js-plotly-plot')"
        ".data.map(t => [t.meta, t.x]))"
    )
    assert len(series["giant:shock"]) == len(series["giant:baseline"]) == 13
    assert series["giant:shock"][:2] == ["2024-11-26", "2024-12-26"]
    page.wait_for_timeout(1500)  # let plotly finish drawing before the picture
    shot = IMAGES / "dashboard.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 50_000
    _no_traceback(page)
    dashboard.assert_no_server_errors()
