"""Tests of the ATOP 5.1 importer on hand-written fixtures in the exact layouts."""

import datetime as dt
from pathlib import Path

import pytest

from sim.errors import ValidationError
from sim.io import (
    ImportReport,
    read_atop,
    world_from_atop,
)
from tests.helpers import ATOP_HEADER, SHARED_DATA, tie_pairs, write_atop

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


REAL = SHARED_DATA
ATOP = REAL / "atop5_1m.csv"
needs_atop = pytest.mark.skipif(not ATOP.exists(), reason=f"real ATOP member file absent: {ATOP}")


def test_exit_day_atop_fixture(tmp_path):
    rows = [  # CSCE: Yugoslavia suspended 8 Jul 1992; Ukraine and Kazakhstan join 30 Jan 1992
        "3800,,345,1975,8,1,1992,7,8,1,0,0,0,0,1,5.1",
        "3800,,369,1992,1,30,0,0,0,1,0,0,0,0,1,5.1",
        "3800,,705,1992,1,30,0,0,0,1,0,0,0,0,1,5.1",
        "3800,,2,1975,8,1,0,0,0,1,0,0,0,0,1,5.1",
    ]
    path = write_atop(tmp_path, rows)
    ties = read_atop(path, year=1992)
    # they overlap from 30 Jan to 8 Jul 1992: real members together, so tied in 1992
    assert frozenset(("YUG", "UKR")) in tie_pairs(ties)
    late = [r.replace("1992,1,30", "1992,7,9") for r in rows]
    assert frozenset(("YUG", "UKR")) not in tie_pairs(
        read_atop(write_atop(tmp_path, late), year=1992)
    )
    assert frozenset(("USA", "UKR")) in tie_pairs(read_atop(write_atop(tmp_path, late), year=1992))


@needs_atop
def test_exit_day_counts_real_atop():
    ties = read_atop(ATOP, year=1992)
    yug = {t.b if t.a == "YUG" else t.a for t in ties if "YUG" in (t.a, t.b)}
    assert not {"UKR", "KAZ"} & yug
    assert "USA" in yug


def test_atop_since_spans_phases_fixture(tmp_path):
    rows = [  # NATO in three phases for each member (Greece/Turkey 1952, FRG 1955 accessions)
        "3180,,2,1949,4,4,1952,2,17,1,1,0,0,0,1,5.1",
        "3180,,2,1952,2,18,1955,5,5,2,1,0,0,0,1,5.1",
        "3180,,2,1955,5,6,0,0,0,3,1,0,0,0,1,5.1",
        "3180,,200,1949,4,4,1952,2,17,1,1,0,0,0,1,5.1",
        "3180,,200,1952,2,18,1955,5,5,2,1,0,0,0,1,5.1",
        "3180,,200,1955,5,6,0,0,0,3,1,0,0,0,1,5.1",
        "3180,,640,1952,2,18,1955,5,5,2,1,0,0,0,1,5.1",
        "3180,,640,1955,5,6,0,0,0,3,1,0,0,0,1,5.1",
    ]
    ties = {
        frozenset((t.a, t.b)): t.since
        for t in read_atop(write_atop(tmp_path, rows), years=(2015, 2018))
    }
    assert ties == {
        frozenset(("USA", "GBR")): D(1949, 4, 4),
        frozenset(("USA", "TUR")): D(1952, 2, 18),
        frozenset(("GBR", "TUR")): D(1952, 2, 18),
    }


@needs_atop
def test_atop_since_real():
    ties = {(t.a, t.b): t for t in read_atop(ATOP, years=(2015, 2018))}
    assert ties["USA", "GBR"].since == D(1949, 4, 4)
    assert len(ties) == 4228
    # 2,105 ties came out dated inside 2015-2018 before the fix; what remains are pacts
    # signed in those years
    assert sum(t.since.year >= 2015 for t in ties.values()) == 134
    old = {frozenset((t.a, t.b)): t.since for t in read_atop(ATOP, year=1914)}
    assert old[frozenset(("DEU", "ITA"))].year == 1882


@needs_atop
def test_years_past_the_end_real_atop():
    with pytest.raises(
        ValidationError, match=r"2019 is outside the years this file holds \(1815-2018\)"
    ):
        read_atop(ATOP, year=2019)


def test_atop_version_from_file_fixture(tmp_path):
    rows = ["3180,,2,1949,4,4,0,0,0,1,1,0,0,0,1,4.01", "3180,,200,1949,4,4,0,0,0,1,1,0,0,0,1,4.01"]
    ties = read_atop(write_atop(tmp_path, rows), year=2000)
    assert ties[0].source == "ATOP 4.01, atopid 3180"
    bare = write_atop(
        tmp_path, [r.rsplit(",", 1)[0] for r in rows], header=ATOP_HEADER.rsplit(",", 1)[0]
    )
    rep = ImportReport()
    assert read_atop(bare, year=1949, report=rep)[0].source == "ATOP, atopid 3180"
    assert any("version" in m for m in rep.warnings)


@needs_atop
def test_atop_version_real():
    assert read_atop(ATOP, year=2000)[0].source.startswith("ATOP 5.1, atopid")
