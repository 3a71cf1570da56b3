"""Tests of the ATOP 5.1 importer on hand-written fixtures in the exact layouts."""

import datetime as dt
from pathlib import Path

import pytest

from sim.errors import ValidationError
from sim.io import ImportReport, read_atop, world_from_atop

DATA = Path(__file__).parent / "data" / "io"
D = dt.date


def _rows(ties):
    return [(t.a, t.b, t.kind, t.strength, t.since, t.source) for t in ties]


def test_dyad_year_file_2018():
    rep = ImportReport()
    ties = read_atop(DATA / "atop_dy.csv", year=2018, report=rep)
    assert (rep.format, rep.records) == ("atop-dyad-year", 13)
    assert _rows(ties) == [
        # no dates in dyad-years: since = first year of the unbroken run in the file
        ("USA", "GBR", "defence_pact", 1.0, D(2016, 1, 1), "ATOP 5.1, atopid 3180"),
        ("RUS", "BLR", "defence_pact", 1.0, D(2018, 1, 1), "ATOP 5.1, atopid 4825, 4850"),
        # consultation rows for 2001-03, 2005 and 2017-18: the run holding 2018 starts in 2017
        ("RUS", "CHN", "entente", 0.3, D(2017, 1, 1), "ATOP 5.1, atopid 4901"),
        ("AZE", "TUR", "neutrality", 0.6, D(2018, 1, 1), "ATOP 5.1, atopid 4950"),
        # an offence pact is read as a military alliance
        ("IRN", "SYR", "defence_pact", 1.0, D(2018, 1, 1), "ATOP 5.1, atopid 4960"),
    ]


def test_dyad_year_range_and_gap():
    ties = read_atop(DATA / "atop_dy.csv", years="2001-2003")
    assert _rows(ties) == [("RUS", "CHN", "entente", 0.3, D(2001, 1, 1), "ATOP 5.1, atopid 4900")]
    with pytest.raises(ValidationError, match="no alliance in force in 2004"):
        read_atop(DATA / "atop_dy.csv", year=2004)


def test_directed_dyad_years_collapse_to_max_and_mixed_case_header():
    rep = ImportReport()
    ties = read_atop(DATA / "atop_ddyr.csv", year=2018, report=rep)
    assert rep.format == "atop-directed-dyad-year"
    assert [(t.a, t.b, t.kind) for t in ties] == [
        ("USA", "GBR", "defence_pact"),
        # 365->731 non-aggression and consultation, 731->365 defence: the maximum
        ("RUS", "PRK", "defence_pact"),
    ]
    assert ties[0].source == "ATOP 5.1"  # the directed file has no atopid columns
    assert any("atopid" in w for w in rep.warnings)


def test_member_file_phases_open_exits_and_unknown_days():
    ties = read_atop(DATA / "atop_m.csv", year=2000)
    assert _rows(ties) == [
        ("USA", "GBR", "defence_pact", 1.0, D(1949, 8, 24), "ATOP 5.1, atopid 3180"),
        # France's two phases (exit and re-entry on 1 July 1966) are one membership: the pair
        # dates from when both first joined, not from the phase the year falls in
        ("USA", "FRA", "defence_pact", 1.0, D(1949, 8, 24), "ATOP 5.1, atopid 3180"),
        ("USA", "DEU", "defence_pact", 1.0, D(1990, 10, 1), "ATOP 5.1, atopid 3180"),
        ("GBR", "FRA", "defence_pact", 1.0, D(1949, 8, 24), "ATOP 5.1, atopid 3180"),
        ("GBR", "DEU", "defence_pact", 1.0, D(1990, 10, 1), "ATOP 5.1, atopid 3180"),
        ("FRA", "DEU", "defence_pact", 1.0, D(1990, 10, 1), "ATOP 5.1, atopid 3180"),
    ]
    # over a range covering both of France's phases, the earliest entry counts
    early = {(t.a, t.b): t.since for t in read_atop(DATA / "atop_m.csv", years=(1950, 1970))}
    assert early == {("USA", "GBR"): D(1949, 8, 24), ("USA", "FRA"): D(1949, 8, 24),
                     ("GBR", "FRA"): D(1949, 8, 24)}  # fmt: skip
    old = read_atop(DATA / "atop_m.csv", year=1815)
    assert [(t.a, t.b, t.kind) for t in old] == [("GBR", "AUH", "entente")]


def test_world_from_atop():
    w = world_from_atop(DATA / "atop_dy.csv", year=2018)
    assert w.ids == ("USA", "GBR", "RUS", "BLR", "AZE", "IRN", "TUR", "SYR", "CHN")  # by ccode
    assert w.actor("TUR").name == "Türkiye"
    assert len(w.ties) == 5


def test_wrong_atop_files_are_explained(tmp_path):
    p = tmp_path / "sy.csv"
    p.write_text("state,year,atopally,defense,offense,neutral,nonagg,consul\n2,2018,1,1,0,0,0,1\n")
    with pytest.raises(ValidationError, match="state-year file"):
        read_atop(p)
    p.write_text("atopid,cowid,begyr,begmo,begday,endyr\n3180,,1949,8,24,0\n")
    with pytest.raises(ValidationError, match="alliance-level file"):
        read_atop(p)
    with pytest.raises(ValidationError, match="COW alliance file"):
        read_atop(DATA / "cow_dyad.csv")
    p.write_text("atopid,member,yrent,yrexit\n3180,2,1949,0\n")
    with pytest.raises(ValidationError, match="no obligation columns"):
        read_atop(p)
