"""Tests of the COW Formal Alliances v4.1 importer on hand-written fixtures in the exact layouts."""

import datetime as dt
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import ValidationError
from sim.io import (
    DataImportWarning,
    ImportReport,
    country_codes,
    read_cow,
    world_from_cow,
)
from sim.world import PARTNERSHIP_KINDS, World
from tests.helpers import NATO_1990, SHARED_DATA, tie_pairs, write_cow

DATA = Path(__file__).parent / "data" / "io"
D = dt.date


def _rows(ties):
    return [(t.a, t.b, t.kind, t.strength, t.since, t.source.split("version4id ")[1]) for t in ties]


def test_dyad_yearly_1914_collapses_duplicates_and_reads_traps():
    rep = ImportReport()
    ties = read_cow(DATA / "cow_dyad_yearly.csv", year=1914, report=rep)
    assert rep.format == "cow-dyad-yearly"
    assert rep.records == 10
    assert _rows(ties) == [
        ("GBR", "FRA", "entente", 0.3, D(1904, 4, 8), "35"),
        ("GBR", "RUS", "entente", 0.3, D(1907, 8, 31), "40"),
        ("GBR", "JPN", "defence_pact", 1.0, D(1902, 1, 30), "30"),
        # day -9 is read as the 1st
        ("FRA", "RUS", "defence_pact", 1.0, D(1894, 1, 1), "20"),
        # duplicate dyad-year (defence 7 + neutrality 99) collapses to the strongest
        ("DEU", "AUH", "defence_pact", 1.0, D(1879, 10, 7), "7, 99"),
        ("DEU", "ITA", "defence_pact", 1.0, D(1882, 5, 20), "11"),
        ("AUH", "ITA", "defence_pact", 1.0, D(1882, 5, 20), "11"),
    ]
    assert all(t.source.startswith("COW Formal Alliances v4.1, version4id ") for t in ties)


def test_year_filter_and_range():
    ties_1913 = read_cow(DATA / "cow_dyad_yearly.csv", year=1913)
    assert _rows(ties_1913) == [
        ("FRA", "RUS", "entente", 0.3, D(1912, 7, 16), "50"),
        ("DEU", "AUH", "defence_pact", 1.0, D(1879, 10, 7), "7"),
    ]
    both = {(t.a, t.b): t for t in read_cow(DATA / "cow_dyad_yearly.csv", years=(1913, 1914))}
    assert len(both) == 7
    assert both["FRA", "RUS"].kind == "defence_pact"
    assert both["FRA", "RUS"].source.endswith("version4id 20, 50")


def test_directed_dyads_become_one_undirected_tie():
    ties = read_cow(DATA / "cow_directed_yearly.csv", year=1914)
    assert _rows(ties) == [
        ("DEU", "AUH", "defence_pact", 1.0, D(1879, 10, 7), "7, 11"),
        # Italy pledged only neutrality to Germany, Germany defence to Italy: the maximum
        ("DEU", "ITA", "defence_pact", 1.0, D(1882, 5, 20), "11"),
        ("AUH", "ROU", "non_aggression", 0.5, D(1883, 10, 30), "61"),
    ]


def test_dyad_file_missing_and_zero_end_dates_mean_in_force():
    rep = ImportReport()
    ties = read_cow(DATA / "cow_dyad.csv", year=2005, report=rep)
    assert rep.format == "cow-dyad"
    assert _rows(ties) == [
        ("USA", "GBR", "defence_pact", 1.0, D(1949, 8, 24), "3"),
        ("USA", "FRA", "defence_pact", 1.0, D(1949, 8, 24), "3"),
        ("GBR", "FRA", "defence_pact", 1.0, D(1949, 8, 24), "3"),
        ("RUS", "BLR", "defence_pact", 1.0, D(1992, 5, 1), "301"),  # end 0,0,0
        ("RUS", "CHN", "non_aggression", 0.5, D(2001, 7, 16), "330"),  # the 1950 treaty ended
        ("AUS", "C999", "entente", 0.3, D(1995, 1, 1), "333"),  # day and month -9
    ]
    assert read_cow(DATA / "cow_dyad.csv", year=1960)[-1].since == D(1950, 2, 14)


def test_member_file_gives_all_pairs_of_active_members():
    ties = read_cow(DATA / "cow_member.csv", year=1914)
    assert _rows(ties) == [
        ("DEU", "AUH", "defence_pact", 1.0, D(1882, 5, 20), "11"),
        ("DEU", "ITA", "defence_pact", 1.0, D(1882, 5, 20), "11"),
        ("DEU", "ROU", "defence_pact", 1.0, D(1883, 10, 30), "11"),
        ("AUH", "ITA", "defence_pact", 1.0, D(1882, 5, 20), "11"),
        ("AUH", "ROU", "defence_pact", 1.0, D(1883, 10, 30), "11"),
        ("ITA", "ROU", "defence_pact", 1.0, D(1883, 10, 30), "11"),
    ]
    league = read_cow(DATA / "cow_member.csv", year=1881)
    assert [(t.a, t.b, t.kind) for t in league] == [
        ("DEU", "AUH", "neutrality"),
        ("DEU", "RUS", "neutrality"),
        ("AUH", "RUS", "neutrality"),
    ]
    nato = read_cow(DATA / "cow_member.csv", year=2000)
    assert {(t.a, t.b): t.since for t in nato} == {
        ("USA", "GBR"): D(1949, 8, 24),
        ("USA", "FRA"): D(1949, 8, 24),
        ("USA", "DEU"): D(1990, 10, 3),  # the pair exists once both are members
        ("GBR", "FRA"): D(1949, 8, 24),
        ("GBR", "DEU"): D(1990, 10, 3),
        ("FRA", "DEU"): D(1990, 10, 3),
    }


def test_world_1914_has_named_placed_actors():
    w = world_from_cow(DATA / "cow_dyad_yearly.csv", year=1914)
    assert w.as_of == D(1914, 12, 31)
    assert w.name == "cow-1914"
    assert w.ids == ("GBR", "FRA", "DEU", "AUH", "ITA", "RUS", "JPN")
    rus = w.actor("RUS")
    assert (rus.name, rus.lat, rus.lon) == ("Russia", 59.94, 30.31)  # St Petersburg in 1914
    assert w.actor("AUH").name == "Austria-Hungary"
    assert w.actor("DEU").lat == 52.5170
    assert len(w.ties_in("partnership")) == 7


def test_unknown_ccode_becomes_placeholder_actor_with_warning():
    rep = ImportReport()
    w = world_from_cow(DATA / "cow_dyad.csv", year=2005, report=rep)
    a = w.actor("C999")
    assert (a.lat, a.lon) == (0.0, 0.0)
    assert any("999" in msg for msg in rep.warnings)
    with pytest.warns(DataImportWarning, match="999"):
        world_from_cow(DATA / "cow_dyad.csv", year=2005)


def test_headers_match_case_insensitively(tmp_path):
    text = (DATA / "cow_dyad_yearly.csv").read_text()
    head, rest = text.split("\n", 1)
    p = tmp_path / "upper.csv"
    p.write_text(head.upper() + "\n" + rest)
    assert read_cow(p, year=1914) == read_cow(DATA / "cow_dyad_yearly.csv", year=1914)


def test_bad_files_raise_validation_errors(tmp_path):
    with pytest.raises(ValidationError, match="file not found"):
        read_cow(tmp_path / "nope.csv", year=1914)
    with pytest.raises(ValidationError, match="not a COW"):
        read_cow(DATA / "atop_dy.csv", year=2018)
    with pytest.raises(ValidationError, match="no alliance in force in 1920"):
        read_cow(DATA / "cow_dyad_yearly.csv", year=1920)
    p = tmp_path / "short.csv"
    p.write_text("version4id,ccode1,ccode2\n1,2,200\n")
    with pytest.raises(ValidationError, match="lacks column"):
        read_cow(p)
    p.write_text((DATA / "cow_dyad_yearly.csv").read_text().replace(",1914,4.1", ",19x4,4.1", 1))
    with pytest.raises(ValidationError) as err:
        read_cow(p, year=1914)
    assert err.value.problems[0].where.endswith(":3 year")


def test_partnership_kinds_and_code_table():
    assert {"neutrality", "non_aggression", "entente", "defence_pact"} <= set(PARTNERSHIP_KINDS)
    codes = country_codes()
    ids = {}
    for r in codes.rows:  # one id per COW code period, no id shared by two codes
        if r.ccode is not None:
            assert ids.setdefault(r.id, r.ccode) == r.ccode, r
    for ccode, iso in [(300, "AUH"), (255, "DEU"), (325, "ITA"), (365, "RUS"), (200, "GBR"),
                       (220, "FRA"), (640, "TUR"), (345, "SRB"), (355, "BGR"), (360, "ROU"),
                       (350, "GRC"), (740, "JPN"), (2, "USA"), (211, "BEL"), (210, "NLD"),
                       (230, "ESP"), (235, "PRT"), (380, "SWE"), (385, "NOR"), (390, "DNK"),
                       (225, "CHE"), (341, "MNE")]:  # fmt: skip
        assert codes.by_ccode(ccode, 1914).id == iso
    assert codes.by_ccode(640, 1914).name == "Ottoman Empire"
    assert codes.by_ccode(345, 1995).id == "YUG"
    assert codes.by_ccode(365, 1980).name == "Soviet Union"


def test_world_round_trips_through_toml(tmp_path):
    w = world_from_cow(DATA / "cow_member.csv", year=1914)
    w.to_toml(tmp_path / "w.toml")
    assert World.from_toml(tmp_path / "w.toml") == w


def test_members_who_were_never_in_the_alliance_together_make_no_tie(tmp_path):
    header = (DATA / "cow_member.csv").read_text().splitlines()[0]
    rows = [  # Sweden leaves in 1905, Denmark joins in 1910: each meets 1900-1915, not each other
        '7,380,"Sweden",1,1,1900,1,1,1930,"Type III: Entente",1,1,1900,1,1,1905,0,0,0,0,0,1,4.1',
        '7,390,"Denmark",1,1,1900,1,1,1930,"Type III: Entente",1,1,1910,1,1,1930,0,0,0,0,0,1,4.1',
        '7,385,"Norway",1,1,1900,1,1,1930,"Type III: Entente",1,1,1900,1,1,1930,0,0,0,0,0,1,4.1',
    ]
    path = tmp_path / "member.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    report = ImportReport()
    ties = read_cow(path, years=(1900, 1915), report=report)
    assert {frozenset((t.a, t.b)) for t in ties} == {
        frozenset(("SWE", "NOR")),
        frozenset(("DNK", "NOR")),
    }
    assert report.skipped["member pair never in the alliance together in the range"] == 1


REAL = SHARED_DATA
COW = REAL / "alliance_v4.1_by_member.csv"
needs_cow = pytest.mark.skipif(not COW.exists(), reason=f"real COW member file absent: {COW}")


def test_exit_day_counts_fixture(tmp_path):
    ties = read_cow(write_cow(tmp_path, NATO_1990), year=1990)
    pairs = tie_pairs(ties)
    assert frozenset(("DEU", "GFR")) not in pairs  # never members on the same day
    assert {frozenset(("USA", "GFR")), frozenset(("USA", "DEU"))} <= pairs  # both in 1990
    assert not {frozenset(("YEM", "YAR")), frozenset(("YEM", "YPR"))} & pairs
    assert frozenset(("YAR", "YPR")) in pairs
    # on a single day only the members of that day are paired
    dec = tie_pairs(read_cow(write_cow(tmp_path, NATO_1990), on=D(1990, 12, 31)))
    assert dec == {frozenset(("USA", "DEU")), frozenset(("EGY", "YEM"))}
    # an unknown exit day keeps the whole month: 260 then overlaps 255's first days
    rows = [r.replace("9,5,1955,2,10,1990", "9,5,1955,-9,10,1990") for r in NATO_1990]
    assert frozenset(("DEU", "GFR")) in tie_pairs(read_cow(write_cow(tmp_path, rows), year=1990))


@needs_cow
def test_exit_day_counts_real_cow():
    pairs = tie_pairs(read_cow(COW, year=1990))
    assert frozenset(("DEU", "GFR")) not in pairs
    assert {frozenset(("USA", "GFR")), frozenset(("USA", "DEU"))} <= pairs
    assert not {frozenset(("YEM", "YAR")), frozenset(("YEM", "YPR"))} & pairs


@needs_cow
def test_years_past_the_end_cli_real(tmp_path, capsys):
    out = tmp_path / "w.toml"
    code = main(["world", "import", "--cow", str(COW), "--year", "2030", "--out", str(out)])
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "2030 is outside the years this file holds (1816-2012)" in err


def test_ended_states_dropped_and_named_fixture(tmp_path):
    rows = [  # the WEU: the file leaves the German Federal Republic's membership open
        '218,200,"UK",17,3,1948,,,,"Type I: Defense Pact",17,3,1948,,,,0,1,1,0,0,1,4.1',
        '218,220,"France",17,3,1948,,,,"Type I: Defense Pact",17,3,1948,,,,0,1,1,0,0,1,4.1',
        '218,260,"GFR",17,3,1948,,,,"Type I: Defense Pact",5,5,1955,,,,0,1,1,0,0,1,4.1',
        '218,255,"Germany",17,3,1948,,,,"Type I: Defense Pact",3,10,1990,,,,0,1,1,0,0,1,4.1',
    ]
    rep = ImportReport()
    w = world_from_cow(write_cow(tmp_path, rows), year=2012, report=rep)
    assert "GFR" not in w and "DEU" in w
    assert rep.skipped["tie of a state that no longer existed"] == 3
    assert any("260 (German Federal Republic)" in m and "to 1990" in m for m in rep.warnings)
    assert "GFR" in world_from_cow(write_cow(tmp_path, rows), year=1990)  # still there in 1990


@needs_cow
def test_ended_states_real():
    rep = ImportReport()
    w = world_from_cow(COW, year=2012, report=rep)
    assert "GFR" not in w and "DEU" in w
    assert any("COW code 260" in m for m in rep.warnings)
