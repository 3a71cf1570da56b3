"""The ``alliance-sim report`` command: one self-contained HTML page for stored runs."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["register"]

_EPILOG = """\
examples:
  alliance-sim report results/syria
  alliance-sim report results/syria results/syria_and_instc --out syria-report.html

The page embeds its figures (PNG), styles and text: send the one file; it opens offline in any
browser. With several runs, the first is compared with each of the others.
"""


def _cmd_report(args: argparse.Namespace) -> int:
    from sim.cli import UserError
    from sim.report import write_report
    from sim.runner import load_results

    out = Path(args.out) if args.out else Path(args.runs[0]) / "report.html"
    if out.suffix.lower() not in (".html", ".htm"):
        raise UserError(f"--out {out}: the report is an HTML page; give a .html file name")
    if out.is_dir():
        raise UserError(
            f"--out {out}: is a directory; give a file name, e.g. {out / 'report.html'}"
        )
    runs = [load_results(r) for r in args.runs]
    path = write_report(runs, out, title=args.title)
    size = path.stat().st_size / 1e6
    print(f"wrote {path} ({size:.1f} MB, self-contained: open it in any browser)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``report`` to the ``alliance-sim`` subcommands.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``alliance-sim`` parser's subcommands, as returned by ``add_subparsers()``.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="alliance-sim")
    >>> register(parser.add_subparsers())
    >>> args = parser.parse_args(["report", "runs/a", "runs/b", "--title", "Syria"])
    >>> args.runs, args.out, args.title
    (['runs/a', 'runs/b'], None, 'Syria')
    """
    p = sub.add_parser(
        "report",
        help="one self-contained HTML page for stored runs (tables, figures, scenario)",
        description="Write one HTML page for one or more stored runs: the summary table with "
        "95% confidence intervals, the figures (embedded), the scenario file, the manifest "
        "(seeds, parameters, hashes) and the package versions. With several runs, the first "
        "is compared with each of the others.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("runs", nargs="+", metavar="RUN_DIR", help="results directories (run --out)")
    p.add_argument("--out", metavar="FILE.html", help="default: report.html in the first RUN_DIR")
    p.add_argument("--title", help="the page's title (default: the scenarios' names)")
    p.set_defaults(func=_cmd_report)
