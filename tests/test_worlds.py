"""The embedded worlds (sim.worlds): ``axis-2024`` (the default) and ``axis-2025``, their content,
conventions and sources, and scenarios run on them."""

import datetime as dt

import pytest

from sim.model import AllianceModel
from sim.world import LAYERS, SupplyTie, World
from sim.worlds import DEFAULT_WORLD, list_worlds, load_world, world_path

SIPRI = "SIPRI Arms Transfers Database, trade register (13 Mar 2025 export)"


#: Capital coordinates of the 35 states (countryinfo 1.0.1, as tabulated for the project).
CAPITALS = {
    "RUS": (55.7504, 37.6175),
    "IRN": (35.7006, 51.4014),
    "SYR": (33.5131, 36.3096),
    "PRK": (39.0195, 125.7534),
    "CHN": (39.9062, 116.3913),
    "BLR": (53.9023, 27.5619),
    "IRQ": (33.3024, 44.3788),
    "LBN": (33.8959, 35.4784),
    "YEM": (15.3539, 44.2059),
    "AZE": (40.3754, 49.8327),
    "ARM": (40.1776, 44.5126),
    "KAZ": (51.1282, 71.4307),
    "TKM": (37.9397, 58.3874),
    "IND": (28.6142, 77.2023),
    "VEN": (10.5061, -66.9146),
    "CUB": (23.1353, -82.3590),
    "NIC": (12.1460, -86.2747),
    "UKR": (50.4500, 30.5241),
    "USA": (38.8950, -77.0366),
    "GBR": (51.5073, -0.1276),
    "FRA": (48.8567, 2.3515),
    "DEU": (52.5170, 13.3889),
    "POL": (52.2337, 21.0714),
    "TUR": (39.9208, 32.8541),
    "ISR": (31.7783, 35.2251),
    "SAU": (24.6320, 46.7151),
    "QAT": (25.2856, 51.5264),
    "ARE": (24.4748, 54.3706),
    "EGY": (30.0488, 31.2437),
    "GEO": (41.6935, 44.8015),
    "KGZ": (42.8766, 74.6070),
    "TJK": (38.5426, 68.8152),
    "KOR": (37.5667, 126.9783),
    "JPN": (35.6828, 139.7595),
    "JOR": (31.9516, 35.9240),
}


#: SIPRI TIV of deliveries 2020-24 (13 Mar 2025 export) behind the arms volumes (TIV / 60).
SIPRI_TIV_2020_24 = {
    ("RUS", "BLR"): 605,
    ("RUS", "IRN"): 70,
    ("RUS", "SYR"): 90,
    ("IRN", "HOU"): 44,
    ("IRN", "VEN"): 68,
    ("IRN", "HEZ"): 1,
    ("RUS", "IND"): 4383,
    ("RUS", "CHN"): 1846,
    ("CHN", "RUS"): 18,
    ("RUS", "KAZ"): 1229,
    ("RUS", "EGY"): 514,
    ("RUS", "ARM"): 29,
    ("TUR", "AZE"): 60,
    ("ISR", "AZE"): 23,
    ("USA", "UKR"): 5652,
    ("DEU", "UKR"): 1539,
    ("POL", "UKR"): 1373,
    ("GBR", "UKR"): 521,
    ("FRA", "UKR"): 395,
    ("TUR", "UKR"): 225,
    ("USA", "ISR"): 1577,
    ("DEU", "ISR"): 909,
    ("USA", "SAU"): 7306,
    ("USA", "QAT"): 4746,
    ("FRA", "QAT"): 1769,
    ("USA", "ARE"): 1582,
    ("FRA", "ARE"): 647,
    ("USA", "POL"): 1519,
    ("FRA", "IND"): 3356,
    ("FRA", "EGY"): 893,
    ("USA", "EGY"): 335,
    ("USA", "TUR"): 292,
}


@pytest.fixture(scope="module")
def world() -> World:
    return load_world()


def supply(world, src, dst, commodity):
    (tie,) = [
        t
        for t in world.ties_in("supply")
        if (t.supplier, t.recipient, t.commodity) == (src, dst, commodity)
    ]
    return tie


def partnership(world, a, b):
    (tie,) = [t for t in world.ties_in("partnership") if {t.a, t.b} == {a, b}]
    return tie


def test_size_blocs_and_layers(world):
    assert world.name == DEFAULT_WORLD and world.as_of == dt.date(2024, 11, 26)
    assert len(world) >= 38
    assert set(world.blocs) == {"axis", "west", "hedging"}
    for layer in LAYERS:
        assert len(world.ties_in(layer)) >= 20, layer
    bloc = {a.id: a.bloc for a in world.actors}
    assert {bloc[x] for x in ("RUS", "IRN", "SYR", "PRK", "HEZ", "HOU", "IQM")} == {"axis"}
    assert {bloc[x] for x in ("USA", "UKR", "ISR", "POL")} == {"west"}
    assert {bloc[x] for x in ("IND", "TUR", "AZE", "KAZ", "TKM", "IRQ")} == {"hedging"}


def test_every_actor_takes_part(world):
    involved = set()
    for t in world.ties:
        involved |= set(t.ends)
        if t.layer == "supply":
            for r in (t.route, *t.alternatives):
                involved |= set(r.via)
    assert involved == set(world.ids)
    assert all(any(a.id in t.ends for t in world.ties) for a in world.actors)


def test_capabilities_are_relative_to_the_united_states(world):
    caps = {a.id: a.capability for a in world.actors}
    assert caps["USA"] == 1.0 == max(caps.values())
    assert caps["CHN"] > caps["RUS"] > caps["IRN"] > caps["SYR"]


def test_syria_is_fragile_and_tied_in_every_way(world):
    syr = world.actor("SYR")
    assert syr.stability <= 0.35 < world.actor("IRN").stability
    assert world.actor("HEZ").stability < 0.5
    partners = {
        t.a if t.b == "SYR" else t.b for t in world.ties_in("partnership") if "SYR" in t.ends
    }
    assert {"RUS", "IRN"} <= partners
    assert partnership(world, "RUS", "SYR").kind == "basing"
    into_syria = {t.supplier for t in world.ties_in("supply") if t.recipient == "SYR"}
    assert {"RUS", "IRN"} <= into_syria
    transits = [t for t in world.ties_in("supply") if "SYR" in t.route.via]
    assert {(t.supplier, t.recipient) for t in transits} == {("IRN", "HEZ")}


@pytest.mark.parametrize("commodity", ["arms", "funding"])
def test_losing_syria_cuts_at_least_90_percent_to_hezbollah(world, commodity):
    tie = supply(world, "IRN", "HEZ", commodity)
    assert tie.route.via == ("IRQ", "SYR") and tie.route.corridor == "land bridge"
    assert tie.alternatives, "the smuggling routes are part of the data"
    assert all(r.capacity <= 0.1 for r in tie.alternatives)
    survives = sum(r.capacity for r in tie.alternatives if "SYR" not in r.via)
    assert survives <= 0.1


def test_hezbollah_funding_matches_the_treasury_figure(world):
    # ~$700 m/yr (US Treasury, 2018) in USD million per month
    assert supply(world, "IRN", "HEZ", "funding").volume == pytest.approx(700 / 12, rel=0.01)


def test_instc_branches_and_capacities(world):
    routes = {}
    for t in world.ties_in("supply"):
        if {t.supplier, t.recipient} == {"RUS", "IRN"}:
            for r in (t.route, *t.alternatives):
                routes.setdefault(r.corridor, set()).add(frozenset(r.via))
    assert routes["INSTC west"] == {frozenset({"AZE"})}
    assert routes["INSTC east"] == {frozenset({"KAZ", "TKM"})}
    assert routes["Caspian"] == {frozenset()}
    drones = supply(world, "IRN", "RUS", "drones")
    assert drones.route.corridor == "Caspian"
    alt = {r.corridor: r for r in drones.alternatives}
    # capacities follow Mt/yr relative to the Caspian main route: west 3/10, east 2/10
    assert alt["INSTC west"].capacity == pytest.approx(0.3)
    assert alt["INSTC east"].capacity == pytest.approx(0.2)
    assert alt["INSTC east"].via == ("TKM", "KAZ")  # in order, from Iran


def test_volumes_follow_the_cited_figures(world):
    assert supply(world, "IRN", "RUS", "drones").volume == pytest.approx(4600 / 36, rel=0.05)
    assert supply(world, "PRK", "RUS", "shells").volume == pytest.approx(6000 / 12, rel=0.05)
    assert 10 <= supply(world, "PRK", "RUS", "troops").volume <= 12
    assert supply(world, "RUS", "IND", "energy").volume == pytest.approx(1700, rel=0.06)
    assert supply(world, "IRN", "CHN", "energy").volume == pytest.approx(1480)
    assert supply(world, "IRN", "IRQ", "energy").volume == pytest.approx(300, rel=0.1)
    # 108.5 Mt of crude in 2024 at 7.33 bbl/t, in thousand bbl per day
    assert supply(world, "RUS", "CHN", "energy").volume == pytest.approx(
        108.5e3 * 7.33 / 366, rel=0.01
    )


@pytest.mark.parametrize(("pair", "tiv"), sorted(SIPRI_TIV_2020_24.items()))
def test_arms_volumes_are_sipri_tiv_over_60_months(world, pair, tiv):
    tie = supply(world, *pair, "arms")
    assert tie.volume * 60 == pytest.approx(tiv, rel=0.02, abs=0.1)
    assert SIPRI in tie.source and tie.since.year >= 2020


def test_coordinates_of_the_35_states(world):
    assert len(CAPITALS) == 35
    for iso, (lat, lon) in CAPITALS.items():
        a = world.actor(iso)
        assert a.kind == "state"
        assert abs(a.lat - lat) <= 0.1 and abs(a.lon - lon) <= 0.1, iso


def test_non_state_actors(world):
    non_state = {a.id for a in world.actors if a.kind == "non_state"}
    assert non_state == {"HEZ", "HOU", "IQM"}
    assert (world.actor("HEZ").lat, world.actor("HEZ").lon) == CAPITALS["LBN"]
    assert (world.actor("HOU").lat, world.actor("HOU").lon) == CAPITALS["YEM"]
    assert (world.actor("IQM").lat, world.actor("IQM").lon) == CAPITALS["IRQ"]


def test_every_tie_is_sourced_dated_and_explained(world):
    for i, t in enumerate(world.ties):
        assert t.source.strip(), i
        assert t.since <= world.as_of, (i, t.since)  # a snapshot holds nothing from its future
    # a supply volume is a derived figure: its note must say where it comes from
    assert all(t.note.strip() for t in world.ties_in("supply"))
    # technology intensities are judgement, general-knowledge sources are unverified
    for t in world.ties:
        if getattr(t, "commodity", None) == "technology" or t.source.startswith("general"):
            assert not t.verified, t
    n_unverified = sum(not t.verified for t in world.ties)
    assert 0 < n_unverified < len(world.ties)


def test_treaty_of_2025_is_the_observed_outcome_not_a_tie(world):
    tie = partnership(world, "RUS", "IRN")
    assert tie.kind == "strategic_partnership" and 0.4 <= tie.strength <= 0.5
    assert "17 Jan 2025" in tie.note and "OBSERVED OUTCOME" in tie.note
    assert partnership(world, "RUS", "PRK").strength == 1.0
    assert partnership(world, "RUS", "ARM").strength < 0.5  # froze CSTO participation


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_round_trip(world, tmp_path, suffix):
    assert World.from_toml(world_path()) == world
    path = tmp_path / f"axis{suffix}"
    (world.to_toml if suffix == ".toml" else world.to_json)(path)
    back = World.from_toml(path) if suffix == ".toml" else World.from_json(path)
    assert back == world


def _imports_and_exports(world):
    imports: dict[str, set[str]] = {a.id: set() for a in world.actors}
    exports: dict[str, set[str]] = {a.id: set() for a in world.actors}
    for t in world.ties_in("supply"):
        imports[t.recipient].add(t.commodity)
        exports[t.supplier].add(t.commodity)
    return imports, exports


def test_every_actor_has_sourced_domestic_output(world):
    """Import dependence is defined for every import, and each figure says where it is from."""
    imports, exports = _imports_and_exports(world)
    for a in world.actors:
        assert a.domestic, a.id
        assert "arms" in a.domestic, a.id  # so a shock to any actor's own arms can touch it
        missing = (imports[a.id] | exports[a.id]) - set(a.domestic)
        assert not missing, (a.id, missing)
        assert all(v > 0 for v in a.domestic.values()), a.id
        for c in a.domestic:  # the source covers each commodity it gives
            assert c in a.domestic_source, (a.id, c)


@pytest.mark.parametrize("name", ["axis-2024", "axis-2025"])
def test_domestic_comment_repeats_the_source(name):
    """The TOML comment above each ``domestic`` key carries the same arithmetic and source,
    word for word, in every embedded world."""
    lines = world_path(name).read_text(encoding="utf-8").splitlines()
    for a in load_world(name).actors:
        start = lines.index(f'id = "{a.id}"')
        key = next(i for i in range(start, len(lines)) if lines[i].startswith("domestic = "))
        j = key
        while lines[j - 1].startswith("# "):
            j -= 1
        comment = " ".join(line[2:] for line in lines[j:key])
        assert comment == "domestic (own output for own use, per month): " + a.domestic_source


@pytest.fixture(scope="module")
def w2025() -> World:
    return load_world("axis-2025")


def _partnership(world, a, b):
    (tie,) = [t for t in world.ties_in("partnership") if {t.a, t.b} == {a, b}]
    return tie


def test_both_worlds_are_listed_and_2024_stays_default():
    assert {"axis-2024", "axis-2025"} <= set(list_worlds())
    assert DEFAULT_WORLD == "axis-2024"


def test_every_tie_is_sourced_and_dated_by_the_end_of_2025(w2025):
    assert w2025.as_of == dt.date(2025, 12, 31)
    assert len(w2025) >= 38
    for t in w2025.ties:
        assert t.source.strip(), t
        assert t.since <= dt.date(2025, 12, 31), t
    for a in w2025.actors:
        assert a.domestic and a.domestic_source, a.id


def test_the_2025_events_are_in_the_world(w2025):
    rus_irn = _partnership(w2025, "RUS", "IRN")
    assert rus_irn.kind == "strategic_partnership" and rus_irn.strength == 0.5
    assert rus_irn.since == dt.date(2025, 10, 2)  # in force, no defence clause
    assert _partnership(w2025, "RUS", "VEN").since == dt.date(2025, 5, 7)
    assert w2025.actor("SYR").bloc == "hedging"
    assert not [t for t in w2025.ties_in("partnership") if {t.a, t.b} == {"IRN", "SYR"}]
    assert _partnership(w2025, "RUS", "SYR").strength < 0.5  # bases kept, alliance gone
    # Iran's supply to Hezbollah no longer crosses Syria.
    for t in w2025.ties_in("supply"):
        if isinstance(t, SupplyTie) and (t.supplier, t.recipient) == ("IRN", "HEZ"):
            assert "SYR" not in t.route.via


def test_judgement_is_marked(w2025):
    judged = [t for t in w2025.ties if "general knowledge" in t.source]
    assert judged and all(not t.verified for t in judged)


def test_axis_2025_runs(w2025):
    m = AllianceModel(w2025, rng=7)
    for _ in range(3):
        m.step()
    assert 0.45 <= m.strength("RUS", "IRN") <= 0.55


@pytest.mark.parametrize("name", ["venezuela_2026", "iran_war_2026"])
def test_2026_scenarios_run_on_axis_2025_and_bite(name):
    from sim.runner import run_scenario
    from sim.scenario import load_scenario

    spec = load_scenario(name)
    assert spec.world.name == "axis-2025"
    at = max(s.at for s in spec.shocks)
    assert at == {"venezuela_2026": 0, "iran_war_2026": 1}[name]  # dates counted from 31 Dec 2025
    res = run_scenario(spec, replicates=2, steps=at + 3, executor="serial", quiet=True)
    mf = res.model_frame
    end = mf[mf["step"] == at + 3].set_index(["replicate", "arm"])
    out = "delivered:VEN->CUB" if name == "venezuela_2026" else "capability:IRN"
    assert (end.xs("shock", level="arm")[out] < end.xs("baseline", level="arm")[out]).all()


def test_venezuela_defection_stops_its_oil_to_cuba(w2025):
    from sim.shocks import Defect

    m = AllianceModel(w2025, shocks=(Defect("VEN", at=1, to_bloc="hedging"),), rng=3)
    m.step()
    before = m.delivered("VEN", "CUB", "energy")
    for _ in range(3):
        m.step()
    assert before > 0 and m.delivered("VEN", "CUB", "energy") == 0


def test_every_domestic_commodity_is_named_in_its_source(w2025):
    for a in w2025.actors:
        for c in a.domestic:
            assert c in a.domestic_source, (a.id, c)
