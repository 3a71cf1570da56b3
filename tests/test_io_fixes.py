"""The importer fixes of issue 12, each proved on a hand-written fixture and on the real file.

The real files are read from ``../shared/data/`` beside the project; each such test skips with
the reason when its file is absent.
"""

import datetime as dt
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import ValidationError
from sim.io import (
    ImportReport,
    country_codes,
    read_atop,
    read_cow,
    sipri_party,
    world_from_atop,
    world_from_cow,
    world_from_sipri,
)

D = dt.date
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data"
COW = REAL / "alliance_v4.1_by_member.csv"
ATOP = REAL / "atop5_1m.csv"
SIPRI = REAL / "sipri-trade-register-2025-03-13.csv"
FIXTURES = Path(__file__).parent / "data" / "io"

needs_cow = pytest.mark.skipif(not COW.exists(), reason=f"real COW member file absent: {COW}")
needs_atop = pytest.mark.skipif(not ATOP.exists(), reason=f"real ATOP member file absent: {ATOP}")
needs_sipri = pytest.mark.skipif(not SIPRI.exists(), reason=f"real SIPRI export absent: {SIPRI}")

COW_HEADER = (
    "version4id,ccode,state_name,all_st_day,all_st_month,all_st_year,all_end_day,all_end_month,"
    "all_end_year,ss_type,mem_st_day,mem_st_month,mem_st_year,mem_end_day,mem_end_month,"
    "mem_end_year,left_censor,right_censor,defense,neutrality,nonaggression,entente,version"
)
ATOP_HEADER = (
    "atopid,cowid,member,yrent,moent,dayent,yrexit,moexit,dayexit,phase,"
    "defense,offense,neutral,nonagg,consul,version"
)


def _cow(tmp_path, rows, name="member.csv"):
    path = tmp_path / name
    path.write_text("\n".join([COW_HEADER, *rows]) + "\n")
    return path


def _atop(tmp_path, rows, name="atop_m.csv", header=ATOP_HEADER):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def _pairs(ties):
    return {frozenset((t.a, t.b)) for t in ties}


# -- 1. exit month and day count ---------------------------------------------------------------

NATO_1990 = [  # the German Federal Republic leaves on 2 Oct 1990, Germany joins on 3 Oct
    '3,2,"USA",4,4,1949,,,,"Type I: Defense Pact",4,4,1949,,,,0,1,1,0,0,1,4.1',
    '3,260,"GFR",4,4,1949,,,,"Type I: Defense Pact",9,5,1955,2,10,1990,0,0,1,0,0,1,4.1',
    '3,255,"Germany",4,4,1949,,,,"Type I: Defense Pact",3,10,1990,,,,0,1,1,0,0,1,4.1',
    # Arab League: the two Yemens end on 21 May 1990, Yemen starts on 22 May
    '9,651,"Egypt",22,3,1945,,,,"Type III: Entente",22,3,1945,,,,0,1,0,0,0,1,4.1',
    '9,678,"YAR",22,3,1945,,,,"Type III: Entente",22,3,1945,21,5,1990,0,0,0,0,0,1,4.1',
    '9,680,"YPR",22,3,1945,,,,"Type III: Entente",22,9,1971,21,5,1990,0,0,0,0,0,1,4.1',
    '9,679,"Yemen",22,3,1945,,,,"Type III: Entente",22,5,1990,,,,0,1,0,0,0,1,4.1',
]


def test_exit_day_counts_fixture(tmp_path):
    ties = read_cow(_cow(tmp_path, NATO_1990), year=1990)
    pairs = _pairs(ties)
    assert frozenset(("DEU", "GFR")) not in pairs  # never members on the same day
    assert {frozenset(("USA", "GFR")), frozenset(("USA", "DEU"))} <= pairs  # both in 1990
    assert not {frozenset(("YEM", "YAR")), frozenset(("YEM", "YPR"))} & pairs
    assert frozenset(("YAR", "YPR")) in pairs
    # on a single day only the members of that day are paired
    dec = _pairs(read_cow(_cow(tmp_path, NATO_1990), on=D(1990, 12, 31)))
    assert dec == {frozenset(("USA", "DEU")), frozenset(("EGY", "YEM"))}
    # an unknown exit day keeps the whole month: 260 then overlaps 255's first days
    rows = [r.replace("9,5,1955,2,10,1990", "9,5,1955,-9,10,1990") for r in NATO_1990]
    assert frozenset(("DEU", "GFR")) in _pairs(read_cow(_cow(tmp_path, rows), year=1990))


def test_exit_day_atop_fixture(tmp_path):
    rows = [  # CSCE: Yugoslavia suspended 8 Jul 1992; Ukraine and Kazakhstan join 30 Jan 1992
        "3800,,345,1975,8,1,1992,7,8,1,0,0,0,0,1,5.1",
        "3800,,369,1992,1,30,0,0,0,1,0,0,0,0,1,5.1",
        "3800,,705,1992,1,30,0,0,0,1,0,0,0,0,1,5.1",
        "3800,,2,1975,8,1,0,0,0,1,0,0,0,0,1,5.1",
    ]
    path = _atop(tmp_path, rows)
    ties = read_atop(path, year=1992)
    # they overlap from 30 Jan to 8 Jul 1992: real members together, so tied in 1992
    assert frozenset(("YUG", "UKR")) in _pairs(ties)
    late = [r.replace("1992,1,30", "1992,7,9") for r in rows]
    assert frozenset(("YUG", "UKR")) not in _pairs(read_atop(_atop(tmp_path, late), year=1992))
    assert frozenset(("USA", "UKR")) in _pairs(read_atop(_atop(tmp_path, late), year=1992))


@needs_cow
def test_exit_day_counts_real_cow():
    pairs = _pairs(read_cow(COW, year=1990))
    assert frozenset(("DEU", "GFR")) not in pairs
    assert {frozenset(("USA", "GFR")), frozenset(("USA", "DEU"))} <= pairs
    assert not {frozenset(("YEM", "YAR")), frozenset(("YEM", "YPR"))} & pairs


@needs_atop
def test_exit_day_counts_real_atop():
    ties = read_atop(ATOP, year=1992)
    yug = {t.b if t.a == "YUG" else t.a for t in ties if "YUG" in (t.a, t.b)}
    assert not {"UKR", "KAZ"} & yug
    assert "USA" in yug


# -- 2. ATOP since = when the pair first joined ------------------------------------------------


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
        frozenset((t.a, t.b)): t.since for t in read_atop(_atop(tmp_path, rows), years=(2015, 2018))
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


# -- 3. years past the end of the file ---------------------------------------------------------


def test_years_past_the_end_refused_fixture(tmp_path):
    path = _cow(tmp_path, NATO_1990)
    with pytest.raises(
        ValidationError, match=r"2030 is outside the years this file holds \(1945-2012\)"
    ):
        read_cow(path, year=2030)
    with pytest.raises(ValidationError, match=r"outside"):
        read_cow(path, years=(2010, 2013))
    assert read_cow(path, year=2012)  # the release's last year is still inside
    rows = ["3180,,2,1949,4,4,0,0,0,1,1,0,0,0,1,4.01", "3180,,200,1949,4,4,0,0,0,1,1,0,0,0,1,4.01"]
    with pytest.raises(ValidationError, match=r"\(1949-2016\)"):  # ATOP 4.01 ends in 2016
        read_atop(_atop(tmp_path, rows), year=2017)


@needs_cow
def test_years_past_the_end_cli_real(tmp_path, capsys):
    out = tmp_path / "w.toml"
    code = main(["world", "import", "--cow", str(COW), "--year", "2030", "--out", str(out)])
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "2030 is outside the years this file holds (1816-2012)" in err


@needs_atop
def test_years_past_the_end_real_atop():
    with pytest.raises(
        ValidationError, match=r"2019 is outside the years this file holds \(1815-2018\)"
    ):
        read_atop(ATOP, year=2019)


# -- 4. states that no longer exist ------------------------------------------------------------


def test_ended_states_dropped_and_named_fixture(tmp_path):
    rows = [  # the WEU: the file leaves the German Federal Republic's membership open
        '218,200,"UK",17,3,1948,,,,"Type I: Defense Pact",17,3,1948,,,,0,1,1,0,0,1,4.1',
        '218,220,"France",17,3,1948,,,,"Type I: Defense Pact",17,3,1948,,,,0,1,1,0,0,1,4.1',
        '218,260,"GFR",17,3,1948,,,,"Type I: Defense Pact",5,5,1955,,,,0,1,1,0,0,1,4.1',
        '218,255,"Germany",17,3,1948,,,,"Type I: Defense Pact",3,10,1990,,,,0,1,1,0,0,1,4.1',
    ]
    rep = ImportReport()
    w = world_from_cow(_cow(tmp_path, rows), year=2012, report=rep)
    assert "GFR" not in w and "DEU" in w
    assert rep.skipped["tie of a state that no longer existed"] == 3
    assert any("260 (German Federal Republic)" in m and "to 1990" in m for m in rep.warnings)
    assert "GFR" in world_from_cow(_cow(tmp_path, rows), year=1990)  # still there in 1990


@needs_cow
def test_ended_states_real():
    rep = ImportReport()
    w = world_from_cow(COW, year=2012, report=rep)
    assert "GFR" not in w and "DEU" in w
    assert any("COW code 260" in m for m in rep.warnings)


# -- 5. code-table gaps -----------------------------------------------------------------------


def test_code_table_gaps_fixture():
    codes = country_codes()
    assert (codes.by_ccode(946).id, codes.by_ccode(947).id) == ("KIR", "TUV")
    for name, iso in [("Kiribati", "KIR"), ("Marshall Islands", "MHL"), ("Micronesia", "FSM"),
                      ("Palau", "PLW"), ("Tuvalu", "TUV")]:  # fmt: skip
        p = sipri_party(name)
        assert (p.category, p.id) == ("state", iso)
        assert (p.lat, p.lon) != (0.0, 0.0)
    assert sipri_party("unknown rebel group*").category == "unknown_party"


@needs_atop
def test_code_table_gaps_real_atop():
    w = world_from_atop(ATOP, year=1985)
    assert {"KIR", "TUV"} <= set(w.ids)
    assert not [a for a in w.ids if a[0] == "C" and a[1:].isdigit()]  # no placeholder actors
    assert w.actor("KIR").lat != 0.0


@needs_sipri
def test_unknown_rebels_not_placed_real():
    rep = ImportReport()
    w = world_from_sipri(SIPRI, years=(1950, 2024), report=rep)
    assert not any("could not be placed" in m for m in rep.warnings)
    assert not [a for a in w.actors if (a.lat, a.lon) == (0.0, 0.0)]


# -- 6. CLI defaults follow the world's layers -------------------------------------------------


def test_cli_defaults_follow_layers_fixture(tmp_path, capsys):
    alliances = tmp_path / "a.toml"
    world_from_cow(_cow(tmp_path, NATO_1990), year=1990).to_toml(alliances)
    assert main(["rank", str(alliances), "--items", "actors"]) == 0
    out = capsys.readouterr().out
    assert "damage to the giant" in out and "no supply ties" in out
    assert "0.0000" not in out.splitlines()[3]  # the most critical actor scores above zero
    arms = tmp_path / "s.toml"
    world_from_sipri(
        FIXTURES / "sipri_register.csv", years=(2020, 2024), report=ImportReport()
    ).to_toml(arms)
    assert main(["attack", str(arms)]) == 0
    out = capsys.readouterr().out
    assert "supply layer" in out and "no partnership ties" in out


@needs_sipri
def test_cli_attack_default_real(tmp_path, capsys):
    arms = tmp_path / "s.toml"
    world_from_sipri(SIPRI, years=(2020, 2024)).to_toml(arms)
    assert main(["attack", str(arms)]) == 0
    out = capsys.readouterr().out
    assert "supply layer" in out
    r = float(out.split("R = ")[1].split(",")[0])
    assert r > 0.05  # the partnership layer of this world is empty (R = 0.006 before)


# -- 7. the ATOP version is read from the file --------------------------------------------------


def test_atop_version_from_file_fixture(tmp_path):
    rows = ["3180,,2,1949,4,4,0,0,0,1,1,0,0,0,1,4.01", "3180,,200,1949,4,4,0,0,0,1,1,0,0,0,1,4.01"]
    ties = read_atop(_atop(tmp_path, rows), year=2000)
    assert ties[0].source == "ATOP 4.01, atopid 3180"
    bare = _atop(
        tmp_path, [r.rsplit(",", 1)[0] for r in rows], header=ATOP_HEADER.rsplit(",", 1)[0]
    )
    rep = ImportReport()
    assert read_atop(bare, year=1949, report=rep)[0].source == "ATOP, atopid 3180"
    assert any("version" in m for m in rep.warnings)


@needs_atop
def test_atop_version_real():
    assert read_atop(ATOP, year=2000)[0].source.startswith("ATOP 5.1, atopid")
