"""Read COW National Material Capabilities (NMC 6.0) files: the CINC score per state and year.

The abridged file ``NMC-60-abridged.csv`` (and the full ``NMC-60-wsupplementary.csv``) have one
row per state-year with the columns ``stateabb, ccode, year, ..., cinc``; the variant does not
matter, only those columns are read (matched case-insensitively).

References
----------
Singer, J. David, Stuart Bremer and John Stuckey. 1972. "Capability Distribution, Uncertainty,
and Major Power War, 1820-1965." In Bruce Russett (ed.), *Peace, War, and Numbers*, 19-48.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sim.errors import Problem, ValidationError
from sim.io._common import ImportReport, read_csv_rows, read_data_text, to_int
from sim.io.codes import country_codes

__all__ = ["Capabilities", "read_nmc"]

_NEEDED = ("ccode", "year", "cinc")


@dataclass(frozen=True)
class Capabilities:
    """CINC scores by COW code and year, as read from an NMC file.

    Attributes
    ----------
    source : str
        The file read.
    first, last : int
        The years the file holds.
    cinc : dict
        ``(ccode, year) -> CINC`` (a share of world capabilities, in [0, 1]).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sim.io import ImportReport
    >>> from sim.io.nmc import read_nmc
    >>> path = Path(tempfile.mkdtemp()) / "NMC-60-abridged.csv"
    >>> _ = path.write_text(
    ...     "stateabb,ccode,year,milex,milper,irst,pec,tpop,upop,cinc,version\\n"
    ...     "USA,2,2003,0,0,0,0,0,0,0.15,2021\\n"
    ...     "UKG,200,2003,0,0,0,0,0,0,0.03,2021\\n"
    ... )
    >>> capabilities = read_nmc(path, report=ImportReport())
    >>> capabilities.cinc
    {(2, 2003): 0.15, (200, 2003): 0.03}
    """

    source: str
    first: int
    last: int
    cinc: dict[tuple[int, int], float]

    def for_year(self, year: int) -> tuple[int, dict[str, float]]:
        """Scores for `year` by actor id (the latest year <= `year` the file holds).

        Returns
        -------
        year_used : int
        scores : dict
            Actor id (from the country-code table, for the year used) -> CINC. A code the
            table lacks is keyed ``"C" + ccode``.

        Raises
        ------
        ValidationError
            `year` is before the file's first year.
        """
        if year < self.first:
            raise ValidationError(
                [
                    Problem(
                        self.source,
                        f"{year} is before the first year of this NMC file",
                        year,
                        f"years {self.first}-{self.last}",
                    )
                ],
                what=self.source,
            )
        used = min(year, self.last)
        codes = country_codes()
        out: dict[str, float] = {}
        for (c, y), v in self.cinc.items():
            if y == used:
                row = codes.by_ccode(c, used)
                out[row.id if row else f"C{c}"] = v
        return used, out


def read_nmc(path: str | Path, *, report: ImportReport | None = None) -> Capabilities:
    """Read the CINC scores of a COW National Material Capabilities file.

    Parameters
    ----------
    path : str or Path
        ``NMC-60-abridged.csv`` or any NMC file with ``ccode, year, cinc`` columns.
    report : ImportReport, optional
        Gets the format and the number of records.

    Returns
    -------
    Capabilities

    Raises
    ------
    ValidationError
        A missing file, a file of another kind (no ``ccode, year, cinc`` columns), or
        unreadable values (every problem at once).

    Notes
    -----
    Missing CINC scores (``-9`` or empty) are left out.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sim.io import ImportReport
    >>> from sim.io.nmc import read_nmc
    >>> path = Path(tempfile.mkdtemp()) / "NMC-60-abridged.csv"
    >>> _ = path.write_text(
    ...     "stateabb,ccode,year,milex,milper,irst,pec,tpop,upop,cinc,version\\n"
    ...     "USA,2,2003,0,0,0,0,0,0,0.15,2021\\n"
    ...     "UKG,200,2003,0,0,0,0,0,0,0.03,2021\\n"
    ... )
    >>> capabilities = read_nmc(path, report=ImportReport())
    >>> capabilities.first, capabilities.last
    (2003, 2003)
    >>> capabilities.cinc[(200, 2003)]
    0.03
    """
    rep = report if report is not None else ImportReport()
    rep.source = str(path)
    header, rows = read_csv_rows(read_data_text(path, rep), str(path))
    missing = [c for c in _NEEDED if c not in header]
    if missing:
        hint = ""
        if "recipient" in header or any("supplier" in h for h in header):
            hint = "this looks like a SIPRI export: use --sipri"
        elif "ccode1" in header or "mem_st_year" in header or "atopid" in header:
            hint = "this looks like an alliance file: use --cow or --atop"
        raise ValidationError(
            [
                Problem(
                    f"{path}:1",
                    "not a COW National Material Capabilities file: no "
                    + ", ".join(missing)
                    + " column",
                    ",".join(header)[:200],
                    "the header of NMC-60-abridged.csv (stateabb,ccode,year,...,cinc)",
                    hint,
                )
            ],
            what=str(path),
        )
    rep.format = "cow-nmc"
    rep.records = len(rows)
    problems: list[Problem] = []
    cinc: dict[tuple[int, int], float] = {}
    for line, row in rows:
        try:
            c, y = to_int(row["ccode"]), to_int(row["year"])
            v = float(row["cinc"]) if row["cinc"] not in ("", "NA", ".") else None
        except ValueError:
            problems.append(
                Problem(
                    f"{path}:{line}",
                    "ccode and year must be integers and cinc a number",
                    [row.get("ccode"), row.get("year"), row.get("cinc")],
                )
            )
            continue
        if c is None or y is None:
            problems.append(Problem(f"{path}:{line}", "missing ccode or year"))
            continue
        if v is None or v < 0:
            rep.skipped["state-year without a CINC score"] += 1
            continue
        cinc[c, y] = v
    if problems:
        raise ValidationError(problems, what=str(path))
    if not cinc:
        raise ValidationError([Problem(str(path), "no CINC scores in the file")], what=str(path))
    years = [y for _, y in cinc]
    return Capabilities(str(path), min(years), max(years), cinc)
