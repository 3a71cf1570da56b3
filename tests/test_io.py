"""The importers together (sim.io): the year range every reader takes (one rule for `year=`,
`years=` and `on=`), refused past the end of the file it reads."""

import datetime as dt
import re

import pytest

from sim.errors import ValidationError
from sim.io import (
    YearRange,
    read_atop,
    read_cow,
    year_range,
)
from tests.helpers import NATO_1990, write_atop, write_cow


def test_years_past_the_end_refused_fixture(tmp_path):
    path = write_cow(tmp_path, NATO_1990)
    with pytest.raises(
        ValidationError, match=r"2030 is outside the years this file holds \(1945-2012\)"
    ):
        read_cow(path, year=2030)
    with pytest.raises(ValidationError, match=r"outside"):
        read_cow(path, years=(2010, 2013))
    assert read_cow(path, year=2012)  # the release's last year is still inside
    rows = ["3180,,2,1949,4,4,0,0,0,1,1,0,0,0,1,4.01", "3180,,200,1949,4,4,0,0,0,1,1,0,0,0,1,4.01"]
    with pytest.raises(ValidationError, match=r"\(1949-2016\)"):  # ATOP 4.01 ends in 2016
        read_atop(write_atop(tmp_path, rows), year=2017)


@pytest.mark.parametrize(
    ("kwargs", "first", "last", "label"),
    [
        ({}, None, None, "all years"),
        ({"year": 1990}, 1990, 1990, "1990"),
        ({"years": (1990, 1995)}, 1990, 1995, "1990-1995"),
        ({"years": range(1990, 1996)}, 1990, 1995, "1990-1995"),
        ({"years": "1990-1995"}, 1990, 1995, "1990-1995"),
        ({"years": " 2001 "}, 2001, 2001, "2001"),
        ({"on": dt.date(2004, 12, 31)}, 2004, 2004, "2004"),
    ],
)
def test_every_way_of_giving_years_is_one_inclusive_range(kwargs, first, last, label):
    r = year_range(**kwargs)
    assert (r.first, r.last, r.label) == (first, last, label)
    if first is not None:
        assert first in r and last in r and first - 1 not in r and last + 1 not in r
    else:
        assert 1816 in r and 2024 in r
    assert "1990" not in r  # a year is an int, never its text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"year": 1990, "years": (1990, 1991)}, "give year= or years=, not both"),
        ({"on": dt.date(2000, 1, 1), "year": 2000}, "give on=, year= or years=, not several"),
        ({"years": "soon"}, "expected 'YYYY' or 'YYYY-YYYY'"),
        ({"years": range(5, 5)}, "years: empty range"),
        ({"years": (1995, 1990)}, "first year 1995 is after last year 1990"),
    ],
)
def test_contradictory_or_unreadable_years_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        year_range(**kwargs)


def test_a_span_overlaps_a_range_when_they_share_a_year():
    r = YearRange(1990, 1995)
    assert r.overlaps(1995, 2000) and r.overlaps(1980, 1990) and r.overlaps(1980, None)
    assert not r.overlaps(1996, None) and not r.overlaps(1980, 1989)
    assert YearRange().overlaps(1816, 1817)  # the whole file meets every span
