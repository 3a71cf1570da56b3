"""The importers together (sim.io): the year range each file holds, refused past its end."""

import pytest

from sim.errors import ValidationError
from sim.io import (
    read_atop,
    read_cow,
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
