"""The importers together (sim.io): the year range each file holds, refused past its end."""

import pytest

from sim.errors import ValidationError
from sim.io import (
    read_atop,
    read_cow,
)

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
