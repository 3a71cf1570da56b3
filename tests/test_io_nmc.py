"""The COW National Material Capabilities reader (sim.io.nmc): CINC scores by code and year,
the latest year at or before the one asked for, and every bad row at once."""

from pathlib import Path

import pytest

from sim.errors import ValidationError
from sim.io import ImportReport, read_nmc
from tests.helpers import SHARED_DATA

NMC = Path(__file__).parent / "data" / "history" / "nmc.csv"
HEADER = "stateabb,ccode,year,milex,milper,irst,pec,tpop,upop,cinc,version"
REAL = SHARED_DATA / "NMC-60-abridged.csv"


def _write(tmp_path, *rows, header=HEADER):
    path = tmp_path / "nmc.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_scores_are_read_by_code_and_year_and_the_years_bound_the_file():
    rep = ImportReport()
    caps = read_nmc(NMC, report=rep)
    assert (caps.first, caps.last) == (2003, 2004)
    assert rep.format == "cow-nmc" and rep.records == 12
    assert caps.cinc[(2, 2003)] == 0.15 and caps.cinc[(710, 2004)] == 0.13
    assert len(caps.cinc) == 12


def test_a_year_is_keyed_by_actor_id_for_the_year_the_file_holds():
    caps = read_nmc(NMC)
    used, scores = caps.for_year(2004)
    assert used == 2004 and len(scores) == 11
    assert scores["USA"] == 0.15 and scores["CHN"] == 0.13 and scores["SYR"] == 0.002
    assert sum(scores.values()) == pytest.approx(0.405)
    # after the file's last year: the latest year it holds
    assert caps.for_year(2030) == (2004, scores)
    # the first year holds one state only
    assert caps.for_year(2003) == (2003, {"USA": 0.15})


def test_a_year_before_the_file_is_refused_with_the_years_it_holds():
    with pytest.raises(ValidationError, match="2002 is before the first year") as info:
        read_nmc(NMC).for_year(2002)
    assert info.value.problems[0].allowed == "years 2003-2004"


def test_missing_scores_are_skipped_and_counted(tmp_path):
    rep = ImportReport()
    caps = read_nmc(
        _write(
            tmp_path,
            "USA,2,2004,0,0,0,0,0,0,0.15,2021",
            "RUS,365,2004,0,0,0,0,0,0,-9,2021",
            "CHN,710,2004,0,0,0,0,0,0,,2021",
        ),
        report=rep,
    )
    assert caps.cinc == {(2, 2004): 0.15}
    assert rep.skipped["state-year without a CINC score"] == 2


def test_every_bad_row_is_reported_at_once_with_its_line(tmp_path):
    path = _write(
        tmp_path, "USA,2,2004,0,0,0,0,0,0,x,2021", "RUS,365,,0,0,0,0,0,0,0.04,2021",
        "CHN,710,2004,0,0,0,0,0,0,0.13,2021",
    )  # fmt: skip
    with pytest.raises(ValidationError) as info:
        read_nmc(path)
    got = [(p.where, p.message) for p in info.value.problems]
    assert got == [
        (f"{path}:2", "ccode and year must be integers and cinc a number"),
        (f"{path}:3", "missing ccode or year"),
    ]


@pytest.mark.parametrize(
    ("header", "hint"),
    [
        ("Recipient,Supplier,Year of order", "this looks like a SIPRI export: use --sipri"),
        ("atopid,member,yrent", "this looks like an alliance file: use --cow or --atop"),
        ("a,b,c", ""),
    ],
)
def test_a_file_of_another_kind_names_the_columns_it_lacks(tmp_path, header, hint):
    with pytest.raises(ValidationError) as info:
        read_nmc(_write(tmp_path, "1,2,3", header=header))
    (p,) = info.value.problems
    assert p.message.startswith("not a COW National Material Capabilities file: no ")
    assert p.suggestion == hint


def test_a_file_without_any_score_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="no CINC scores in the file"):
        read_nmc(_write(tmp_path, "USA,2,2004,0,0,0,0,0,0,-9,2021"))


@pytest.mark.skipif(not REAL.exists(), reason=f"real NMC file absent: {REAL}")
def test_the_real_file_holds_shares_of_world_capabilities():
    caps = read_nmc(REAL)
    assert caps.first == 1816 and caps.last >= 2012
    used, scores = caps.for_year(2012)
    assert used == 2012
    assert all(0 <= v <= 1 for v in scores.values())
    assert sum(scores.values()) == pytest.approx(1.0, abs=0.01)  # shares of the world total
    assert max(scores, key=scores.get) in {"USA", "CHN"}
