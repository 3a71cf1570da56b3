"""The ``alliance-sim world build`` and ``alliance-sim hindcast`` commands (worlds from data
for any year, and hindcasts of historical episodes against null models)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.errors import Problem, ValidationError

__all__ = ["register"]

_BUILD_EPILOG = """\
examples:
  alliance-sim world build --year 1978 --sipri sipri.csv --atop atop5_1m.csv \\
      --nmc NMC-60-abridged.csv --out 1978.toml
  alliance-sim world build --year 1962 --sipri sipri.csv --cow alliance_v4.1_by_member.csv \\
      --window 3 --out 1962.json
"""

_HINDCAST_EPILOG = """\
examples:
  alliance-sim hindcast scenarios/history/egypt_realignment_1972.toml --sipri sipri.csv \\
      --atop atop5_1m.csv --nmc NMC-60-abridged.csv --json egypt.json
  alliance-sim hindcast scenarios/history/*.toml --sipri sipri.csv --atop atop5_1m.csv \\
      --nmc NMC-60-abridged.csv --markdown     # the table of docs/validation.md
  alliance-sim hindcast scenarios/history/*.toml --sipri sipri.csv --atop atop5_1m.csv \\
      --nmc NMC-60-abridged.csv --out results/hindcasts --resume   # resumable
"""


def _alliances(args: argparse.Namespace) -> tuple[str | None, str | None]:
    if args.cow:
        return args.cow, "COW"
    if args.atop:
        return args.atop, "ATOP"
    return None, None


def _cmd_world_build(args: argparse.Namespace) -> int:
    from sim.history import build_world

    out = Path(args.out)
    if out.suffix not in (".toml", ".json"):
        raise ValidationError(
            [Problem("--out", "unknown format", out.suffix, ".toml or .json")], what="--out"
        )
    if args.window < 1:
        raise ValidationError([Problem("--window", "must be >= 1", args.window)], what="--window")
    path, kind = _alliances(args)
    w = build_world(
        args.year,
        sipri=args.sipri,
        alliances=path,
        capabilities=args.nmc,
        window=args.window,
        alliance_kind=kind,
    )
    print(w.summary())
    print(f"  {w.description}")
    if out.suffix == ".json":
        w.to_json(out)
    else:
        w.to_toml(out)
    print(f"wrote {out}: {len(w)} actors, {len(w.ties)} ties")
    return 0


def _cmd_hindcast(args: argparse.Namespace) -> int:
    from sim._files import atomic_write_text
    from sim.history import hindcast
    from sim.io import ImportReport, SipriDeal, read_sipri_records

    path, kind = _alliances(args)
    if args.json and len(args.episodes) > 1:
        raise ValidationError(
            [Problem("--json", "one JSON file per episode", args.json, "a single EPISODE.toml")],
            what="--json",
        )
    try:  # read the large export once for every episode
        sipri: str | Path | list[SipriDeal] = read_sipri_records(args.sipri, report=ImportReport())
    except ValidationError:
        sipri = args.sipri  # the hindcast reports it with the other problems
    results = []
    for episode in args.episodes:
        out = Path(args.out) / Path(episode).stem if args.out else None
        h = hindcast(
            episode,
            sipri=sipri,
            alliances=path,
            capabilities=args.nmc,
            alliance_kind=kind,
            out=out,
            resume=args.resume,
            wait=args.wait,
            quiet=args.quiet,
        )
        results.append(h)
        if not args.markdown:
            print(h.table())
            for note in h.notes:
                print(f"  note: {note}")
            print(f"  ({h.seconds:.1f} s, {h.episode.replicates} replicates)")
        if out is not None and not args.markdown:
            print(f"  replicates and scores in {out}")
        if args.json:
            atomic_write_text(args.json, json.dumps(h.to_dict(), indent=2) + "\n")
            print(f"wrote {args.json}")
    if args.markdown:
        print(markdown_table(results))
    return 0


def markdown_table(results) -> str:
    """The hindcast table of ``docs/validation.md``: episode x predictor x metric."""
    import math

    def f(x):
        return "n/a" if x is None or not math.isfinite(x) else f"{x:+.2f}"

    def ci(pair):
        lo, hi = pair
        return "" if not (math.isfinite(lo) and math.isfinite(hi)) else f" [{lo:+.2f}, {hi:+.2f}]"

    lines = [
        "| episode | after-window | dyads | predictor | Spearman ρ [95% CI] | "
        "direction accuracy [95% CI] |",
        "|---|---|---|---|---|---|",
    ]
    for h in results:
        a, b = h.after_years
        for p in ("model", "persistence", "direct"):
            m = h.metrics[p]
            lines.append(
                f"| {h.episode.name} | {a}-{b} | {len(h.dyads)} | {p} | "
                f"{f(m['spearman'])}{ci(m['ci']['spearman'])} | "
                f"{f(m['direction_accuracy'])}{ci(m['ci']['direction_accuracy'])} |"
            )
    return "\n".join(lines)


def _data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sipri", required=True, metavar="FILE", help="SIPRI trade-register CSV")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--cow", metavar="FILE", help="COW Formal Alliances v4.1 CSV")
    src.add_argument("--atop", metavar="FILE", help="ATOP member or dyad-year CSV")
    p.add_argument("--nmc", metavar="FILE", help="COW National Material Capabilities CSV")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``world build`` (under the existing ``world`` command) and ``hindcast``.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``alliance-sim`` parser's subcommands, as returned by ``add_subparsers()``.
        It must already hold a ``world`` command with subcommands of its own.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="alliance-sim")
    >>> sub = parser.add_subparsers()
    >>> _ = sub.add_parser("world").add_subparsers()
    >>> register(sub)
    >>> args = parser.parse_args(["world", "build", "--year", "1978", "--sipri", "trade.csv",
    ...                           "--out", "w1978.toml"])
    >>> args.year, args.window, args.out
    (1978, 5, 'w1978.toml')
    """
    world = sub.choices["world"]
    wsub = next(a for a in world._actions if isinstance(a, argparse._SubParsersAction))
    p = wsub.add_parser(
        "build",
        help="the world at the end of a year, from SIPRI, COW or ATOP, and NMC files",
        description="Build the world as it stood at the end of YEAR: SIPRI deliveries of the "
        "WINDOW years up to it (supply), alliances in force on 31 December (partnership), CINC "
        "scores (capability), the shipped strategic-rivalry table, and blocs found as "
        "communities. The world's description says every fallback taken.",
        epilog=_BUILD_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--year", type=int, required=True, help="e.g. 1978")
    _data_options(p)
    p.add_argument("--window", type=int, default=5, help="years of SIPRI data (default 5)")
    p.add_argument("--out", required=True, help="output file, .toml or .json")
    p.set_defaults(func=_cmd_world_build)

    p = sub.add_parser(
        "hindcast",
        help="score the model's predicted arms flows after a historical episode",
        description="Build the world of the episode's year, run the paired ensemble over its "
        "window, and compare each dyad's predicted change in arms flows with the change SIPRI "
        "recorded, for the model and the null models 'persistence' and 'direct' (Spearman's "
        "rho, direction accuracy, bootstrap 95% intervals).",
        epilog=_HINDCAST_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("episodes", nargs="+", metavar="EPISODE.toml")
    _data_options(p)
    p.add_argument("--json", metavar="OUT.json", help="write the scores as JSON")
    p.add_argument(
        "--out",
        metavar="DIR",
        help="store each episode's ensemble in DIR/EPISODE (one part per replicate, the "
        "scores in its manifest); resumable with --resume",
    )
    p.add_argument("--resume", action="store_true", help="keep the replicates already in --out")
    p.add_argument(
        "--wait",
        action="store_true",
        help="if another process is writing to --out, wait for it instead of exiting with 2",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--markdown", action="store_true", help="print one Markdown table for all episodes"
    )
    p.set_defaults(func=_cmd_hindcast)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: alliance-sim hindcast ... / alliance-sim world build ...")
