"""Helpers shared by several test files: the CLI in-process, file snapshots, exact-supply
parameters, figure artists by gid, and alliance files in the COW and ATOP layouts."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
from matplotlib.collections import PathCollection

from sim.cli import main
from sim.params import ModelParams

__all__ = [
    "ATOP_HEADER",
    "COW_HEADER",
    "EXACT_SUPPLY",
    "NATO_1990",
    "actor_points",
    "by_gid",
    "label_texts",
    "legend_texts",
    "run_cli",
    "snapshot",
    "write_atop",
    "write_cow",
]

#: Deliveries exactly as the data give them: no supply noise, no interdiction, output
#: independent of capability, volumes that do not follow the ties and no substitution. Tests
#: of routing and shocks use it; the new mechanisms have tests of their own.
EXACT_SUPPLY = ModelParams(
    volume_noise=0.0,
    interdiction_rate=0.0,
    direct_interdiction_rate=0.0,
    production_elasticity=0.0,
    trade_elasticity=0.0,
    substitution_rate=0.0,
)


def run_cli(*argv: str) -> tuple[int, str, str]:
    """Run ``alliance-sim`` in-process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` (hidden ones too) with its bytes: to prove nothing was written."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


# -- drawn figures: artists by their gid --------------------------------------------------------


def by_gid(ax, prefix: str) -> list:
    """The artists of `ax` whose gid starts with `prefix` (``"actors:"``, ``"label:"``, ...)."""
    artists = [*ax.collections, *ax.patches, *ax.lines, *ax.texts]
    return [a for a in artists if str(a.get_gid() or "").startswith(prefix)]


def actor_points(ax) -> np.ndarray:
    """The map positions of every actor marker, shape (n, 2)."""
    cols = [c for c in by_gid(ax, "actors:") if isinstance(c, PathCollection)]
    return np.vstack([c.get_offsets() for c in cols]) if cols else np.empty((0, 2))


def label_texts(ax) -> list[str]:
    """The texts of the map's actor labels."""
    return [t.get_text() for t in by_gid(ax, "label:")]


def legend_texts(ax) -> list[str]:
    """The entries of the axes' legend."""
    return [t.get_text() for t in ax.get_legend().get_texts()]


# -- alliance files in the exact layouts of the COW and ATOP member releases ---------------------

COW_HEADER = (
    "version4id,ccode,state_name,all_st_day,all_st_month,all_st_year,all_end_day,all_end_month,"
    "all_end_year,ss_type,mem_st_day,mem_st_month,mem_st_year,mem_end_day,mem_end_month,"
    "mem_end_year,left_censor,right_censor,defense,neutrality,nonaggression,entente,version"
)
ATOP_HEADER = (
    "atopid,cowid,member,yrent,moent,dayent,yrexit,moexit,dayexit,phase,"
    "defense,offense,neutral,nonagg,consul,version"
)

#: COW member rows around German and Yemeni unification in 1990.
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


def write_cow(tmp_path: Path, rows: list[str], name: str = "member.csv") -> Path:
    """A COW member file of `rows` under `tmp_path`."""
    path = tmp_path / name
    path.write_text("\n".join([COW_HEADER, *rows]) + "\n")
    return path


def write_atop(
    tmp_path: Path, rows: list[str], name: str = "atop_m.csv", header: str = ATOP_HEADER
) -> Path:
    """An ATOP member file of `rows` under `tmp_path` (another `header` for older releases)."""
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


#: A world file with six problems at once (a duplicate id, an unknown actor, a strength out of
#: range, an unknown commodity, a self-supply, an empty source): every reader must list them all.
BROKEN_WORLD = """\
[world]
name = "broken"
as_of = 2024-11-26

[[states]]
id = "IRN"
name = "Iran"
bloc = "axis"
lat = 35.7
lon = 51.4

[[states]]
id = "IRN"
name = "Iran again"
bloc = "axis"
lat = 35.7
lon = 51.4

[[ties]]
layer = "partnership"
between = ["IRN", "SYX"]
kind = "strategic_partnership"
strength = 1.5
since = 2001-03-12
source = "x"

[[ties]]
layer = "supply"
from = "IRN"
to = "IRN"
commodity = "drone"
volume = 10
since = 2022-08-01
source = ""
"""


def two_report_runs(root: Path):
    """Two small stored runs for the report tests: syria_loss (3 replicates) and dprk_stops (2),
    six months each, in `root`/a and `root`/b."""
    from sim.runner import run_scenario

    a = run_scenario(
        "syria_loss", replicates=3, steps=6, executor="serial", out=root / "a", quiet=True
    )
    b = run_scenario(
        "dprk_stops", replicates=2, steps=6, executor="serial", out=root / "b", quiet=True
    )
    return a, b


#: The real COW, ATOP, SIPRI and NMC files, beside the project (never copied into it); tests
#: that read them skip, naming the absent file, when they are not there.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def tie_pairs(ties) -> set[frozenset[str]]:
    """The unordered actor pairs of some ties."""
    return {frozenset((t.a, t.b)) for t in ties}
