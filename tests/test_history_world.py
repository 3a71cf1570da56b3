"""The world builder (sim.history.world) on hand-written fixtures and, where present, on the
real data files in ../shared/data/."""

import datetime as dt
import random
from pathlib import Path

import networkx as nx
import pytest

from sim.errors import ValidationError
from sim.history import (
    NONALIGNED,
    build_world,
    detect_blocs,
    rivalries,
)
from sim.world import Actor, PartnershipTie, SupplyTie, World
from tests.helpers import SHARED_DATA

HERE = Path(__file__).parent
DATA = HERE / "data" / "history"
SIPRI, COW, NMC = DATA / "sipri.csv", DATA / "cow_member.csv", DATA / "nmc.csv"
REAL = SHARED_DATA
REAL_SIPRI = REAL / "sipri-trade-register-2025-03-13.csv"
REAL_COW = REAL / "alliance_v4.1_by_member.csv"
REAL_ATOP = REAL / "atop5_1m.csv"
REAL_NMC = REAL / "NMC-60-abridged.csv"
needs_real = pytest.mark.skipif(
    not all(p.exists() for p in (REAL_SIPRI, REAL_COW, REAL_ATOP, REAL_NMC)),
    reason=f"real data files absent from {REAL}",
)


@pytest.fixture(scope="module")
def world():
    return build_world(2004, sipri=SIPRI, alliances=COW, capabilities=NMC, window=3)


def test_supply_volumes_are_window_tiv_per_month(world):
    vol = {(t.supplier, t.recipient): t.volume for t in world.ties_in("supply")}
    assert vol == pytest.approx(
        {
            ("USA", "EGY"): 180 / 36,  # 360 over 2001-02: only 2002 is in 2002-04
            ("RUS", "SYR"): 60 / 36,
            ("RUS", "LBY"): 120 / 36,
            ("FRA", "LBY"): 10 / 36,
            ("USA", "ISR"): 900 / 36,
            ("RUS", "IRN"): 12 / 36,
            ("CHN", "IRN"): 20 / 36,  # half of 40 over 2004-05
            ("USA", "GBR"): 300 / 36,
            ("IRN", "HEZ"): 1 / 36,
        }
    )
    assert world.as_of == dt.date(2004, 12, 31) and world.name == "history-2004"


def test_partnerships_on_31_december_and_continuators(world):
    pairs = {frozenset((t.a, t.b)): t for t in world.ties_in("partnership")}
    assert frozenset(("USA", "DEU")) in pairs  # Germany joined NATO in 1990
    assert "GFR" not in world  # left on 2 Oct 1990
    assert pairs[frozenset(("RUS", "SYR"))].kind == "entente"
    assert pairs[frozenset(("RUS", "SYR"))].strength == 0.3
    assert pairs[frozenset(("EGY", "LBY"))].kind == "defence_pact"
    assert world.actor("DEU").name == "Germany"


def test_capability_scaled_to_strongest(world):
    cap = {a.id: a.capability for a in world.actors}
    assert cap["USA"] == 1.0
    assert cap["CHN"] == pytest.approx(0.13 / 0.15)
    assert cap["RUS"] == pytest.approx(0.04 / 0.15)
    assert cap["HEZ"] == 0.0  # no CINC score: said in the description
    assert "2 actor(s) without a score at 0 (DEU, HEZ)" in world.description
    plain = build_world(2004, sipri=SIPRI, window=3)
    assert {a.capability for a in plain.actors} == {0.5}
    assert "no NMC file" in plain.description


def test_fallbacks_are_said(tmp_path):
    w = build_world(2006, sipri=SIPRI, alliances=COW, capabilities=NMC, window=3)
    assert "CINC 2004" in w.description and "2004 stands in for 2006" in w.description
    short = tmp_path / "cow_to_2003.csv"  # no release stated: the file ends at its last year
    header = COW.read_text().splitlines()[0]
    short.write_text(
        "\n".join(
            [
                header,
                '3,2,"USA",4,4,1949,,,,"Type I",4,4,1949,,,,0,1,1,0,0,1,',
                '3,200,"UK",4,4,1949,,,,"Type I",4,4,1949,,,,0,1,1,0,0,1,',
                '5,651,"Egypt",1,1,1990,,,,"Type III",1,1,1990,31,12,2003,0,0,0,0,0,1,',
                '5,652,"Syria",1,1,1990,,,,"Type III",1,1,1990,,,,0,1,0,0,0,1,',
            ]
        )
        + "\n"
    )
    w = build_world(2004, sipri=SIPRI, alliances=short, window=3)
    assert "ends in 2003; the alliances in force on 31 Dec 2003 stand in for 2004" in w.description


def test_rivalries_active_in_the_year_between_present_actors(world):
    riv = {frozenset((t.a, t.b)) for t in world.ties_in("rivalry")}
    assert riv == {
        frozenset(p) for p in (("USA", "CHN"), ("USA", "IRN"), ("ISR", "SYR"), ("ISR", "IRN"))
    }
    assert all(t.intensity == 0.6 for t in world.ties_in("rivalry"))
    table = rivalries()
    assert all(r.source.startswith("Thompson & Dreyer") for r in table)
    usa_rus = next(r for r in table if {r.a, r.b} == {"USA", "RUS"})
    assert usa_rus.active(1962) and not usa_rus.active(1995)


def test_blocs_named_after_most_capable_member_and_deterministic(world):
    blocs = {a.id: a.bloc for a in world.actors}
    assert blocs["USA"] == "USA" and blocs["RUS"] == "RUS" and blocs["CHN"] == "CHN"
    cap = {a.id: a.capability for a in world.actors}
    for b in set(blocs.values()) - {NONALIGNED}:
        members = [a for a, x in blocs.items() if x == b]
        assert max(members, key=lambda a: cap[a]) == b
    again = build_world(2004, sipri=SIPRI, alliances=COW, capabilities=NMC, window=3)
    assert again == world


def test_detect_blocs_two_cliques_and_an_isolate():
    ids = ["A1", "A2", "A3", "B1", "B2", "B3", "Z"]
    actors = [Actor(id=i, name=i, capability=0.9 if i in ("A2", "B3") else 0.1) for i in ids]
    d = dt.date(2000, 1, 1)
    ties = [
        PartnershipTie(a=x, b=y, kind="defence_pact", strength=1.0, since=d, source="t")
        for grp in (("A1", "A2", "A3"), ("B1", "B2", "B3"))
        for k, x in enumerate(grp)
        for y in grp[k + 1 :]
    ]
    ties.append(SupplyTie(supplier="A1", recipient="B1", volume=1.0, since=d, source="t"))
    ties.append(PartnershipTie(a="Z", b="A1", kind="entente", strength=0.3, since=d, source="t"))
    w = World(actors=actors, ties=ties)
    blocs = detect_blocs(w)
    assert blocs == {"A1": "A2", "A2": "A2", "A3": "A2", "B1": "B3", "B2": "B3", "B3": "B3",
                     "Z": NONALIGNED}  # fmt: skip
    # the order actors are listed in does not change the result
    shuffled = actors[:]
    random.Random(3).shuffle(shuffled)
    assert detect_blocs(World(actors=shuffled, ties=ties)) == blocs


def test_build_errors_listed_at_once(tmp_path):
    with pytest.raises(ValidationError) as err:
        build_world(2009, sipri=SIPRI, alliances=SIPRI, capabilities=COW, window=3)
    text = str(err.value)
    assert "3 problems" in text
    assert "2009 is outside the SIPRI deliveries" in text and "2001-2007" in text
    assert "not a COW Formal Alliances or ATOP file" in text
    assert "not a COW National Material Capabilities file" in text
    with pytest.raises(ValidationError, match="is a COW file, not ATOP"):
        build_world(2004, sipri=SIPRI, alliances=COW, window=3, alliance_kind="ATOP")
    with pytest.raises(ValidationError, match="window"):
        build_world(2004, sipri=SIPRI, window=0)


@needs_real
@pytest.mark.slow
def test_world_build_valid_for_sampled_years_real(tmp_path):
    from sim.io import ImportReport, read_sipri_records

    records = read_sipri_records(REAL_SIPRI, report=ImportReport())
    years = [1950, *sorted(random.Random(12).sample(range(1951, 2016), 6)), 2016]
    for year in years:
        alliances = REAL_COW if year <= 2012 else REAL_ATOP
        w = build_world(year, sipri=records, alliances=alliances, capabilities=REAL_NMC)
        out = tmp_path / f"{year}.toml"
        w.to_toml(out)
        assert World.from_toml(out) == w  # valid, and round-trips
        assert len(w) > 50 and w.ties_in("partnership") and w.ties_in("supply")
        assert max(a.capability for a in w.actors) == 1.0
        assert "USA" in w and w.actor("USA").bloc == "USA"
        g = w.layer("supply")
        assert nx.number_of_nodes(g) == len(w)
