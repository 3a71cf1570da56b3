"""The ``alliance-sim`` command line.

Exit codes: 0 success, 2 a user error (a message listing every problem, no traceback),
1 an internal error (a bug: please report it with the traceback printed).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from sim.errors import SimError

__all__ = ["main"]

EXIT_OK, EXIT_INTERNAL, EXIT_USER = 0, 1, 2

_EPILOG = """\
examples:
  alliance-sim world list
  alliance-sim world show axis-2024
  alliance-sim world validate my_world.toml
  alliance-sim world export axis-2024 --out world.json
  alliance-sim world plot axis-2024 --out world.png --svg
  alliance-sim world import --sipri trade-register.csv --year 2024 --out world.toml
  alliance-sim demo
"""


class UserError(SimError):
    """A mistake in how the command was called (bad path, bad option value)."""


# -- world ------------------------------------------------------------------------------------


def _load_world_arg(name_or_path: str):
    from sim.worlds import list_worlds, load_world

    p = Path(name_or_path)
    if p.suffix in (".toml", ".json") or p.exists():
        return load_world(p)
    if name_or_path in list_worlds():
        return load_world(name_or_path)
    from sim.errors import suggest

    hint = suggest(name_or_path, list_worlds())
    raise UserError(
        f"{name_or_path!r} is neither a world file nor an embedded world "
        f"({', '.join(list_worlds())})" + (f"; {hint}" if hint else "")
    )


def _cmd_world_list(args: argparse.Namespace) -> int:
    from sim.worlds import list_worlds, load_world

    for name in list_worlds():
        w = load_world(name)
        print(f"{name:<16} {len(w):>4} actors  {len(w.ties):>4} ties  {w.description}")
    return EXIT_OK


def _cmd_world_show(args: argparse.Namespace) -> int:
    w = _load_world_arg(args.world)
    print(w.summary())
    if w.description:
        print(f"  {w.description}")
    print()
    print(f"  {'id':<5} {'name':<28} {'kind':<10} {'bloc':<10} {'capab.':>6} {'stab.':>6}")
    for a in w.actors:
        print(
            f"  {a.id:<5} {a.name[:28]:<28} {a.kind:<10} {a.bloc:<10} "
            f"{a.capability:>6.2f} {a.stability:>6.2f}"
        )
    return EXIT_OK


def _cmd_world_validate(args: argparse.Namespace) -> int:
    from sim.world import World

    failed = 0
    for path in args.files:
        p = Path(path)
        try:
            w = World.from_json(p) if p.suffix == ".json" else World.from_toml(p)
        except SimError as exc:
            print(exc, file=sys.stderr)
            failed += 1
        else:
            print(f"{path}: valid ({len(w)} actors, {len(w.ties)} ties)")
    return EXIT_USER if failed else EXIT_OK


def _cmd_world_export(args: argparse.Namespace) -> int:
    w = _load_world_arg(args.world)
    out = Path(args.out)
    if out.suffix == ".json":
        w.to_json(out)
    elif out.suffix == ".toml":
        w.to_toml(out)
    else:
        raise UserError(f"--out {out}: unknown format {out.suffix!r}; use .toml or .json")
    print(f"wrote {out}")
    return EXIT_OK


def _cmd_world_plot(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window from the command line
    import matplotlib.pyplot as plt

    from sim.plotting import plot_world, save_figure

    w = _load_world_arg(args.world)
    ax = plot_world(w, layer=args.layer)
    formats = ("png", "svg") if args.svg else ("png",)
    for path in save_figure(ax.figure, args.out, formats=formats):
        print(f"wrote {path}")
    plt.close(ax.figure)
    return EXIT_OK


def _cmd_world_import(args: argparse.Namespace) -> int:
    from sim.io import ImportReport, world_from_atop, world_from_cow, world_from_sipri

    out = Path(args.out)
    if out.suffix not in (".toml", ".json"):
        raise UserError(f"--out {out}: unknown format {out.suffix!r}; use .toml or .json")
    years = None
    if args.years is not None:
        first, sep, last = args.years.partition("-")
        if not (first.strip().isdigit() and (not sep or last.strip().isdigit())):
            raise UserError(f"--years {args.years!r}: expected A-B, e.g. 1990-1995")
        years = (int(first), int(last) if sep else int(first))
        if years[0] > years[1]:
            raise UserError(f"--years {args.years!r}: the first year is after the last")
    if args.cow:
        reader, path = world_from_cow, args.cow
    elif args.atop:
        reader, path = world_from_atop, args.atop
    else:
        reader, path = world_from_sipri, args.sipri
    report = ImportReport()
    w = reader(path, year=args.year, years=years, report=report)
    for line in report.lines():
        print(line, file=sys.stderr)
    if out.suffix == ".json":
        w.to_json(out)
    else:
        w.to_toml(out)
    print(f"wrote {out}: {len(w)} actors, {len(w.ties)} ties")
    return EXIT_OK


# -- parser -----------------------------------------------------------------------------------


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alliance-sim",
        description="Simulate how an alliance network between states withstands shocks.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from sim import __version__

    parser.add_argument("--version", action="version", version=f"alliance-sim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    world = sub.add_parser("world", help="list, show, validate, export and import worlds")
    wsub = world.add_subparsers(dest="world_command", metavar="ACTION")
    p = wsub.add_parser("list", help="the embedded worlds")
    p.set_defaults(func=_cmd_world_list)
    p = wsub.add_parser("show", help="a world's actors and layers")
    p.add_argument("world", nargs="?", default="axis-2024", help="embedded name or file")
    p.set_defaults(func=_cmd_world_show)
    p = wsub.add_parser("validate", help="check world files; exit 2 listing every problem")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=_cmd_world_validate)
    p = wsub.add_parser("export", help="write a world as TOML or JSON")
    p.add_argument("world", help="embedded name or file")
    p.add_argument("--out", required=True, help="output file, .toml or .json")
    p.set_defaults(func=_cmd_world_export)
    p = wsub.add_parser("plot", help="draw a world on a map (PNG, and SVG with --svg)")
    p.add_argument("world", help="embedded name or file")
    p.add_argument("--out", required=True, help="output file; the suffix is set per format")
    p.add_argument("--layer", default="all", choices=("all", "partnership", "supply", "rivalry"))
    p.add_argument("--svg", action="store_true", help="also write an SVG")
    p.set_defaults(func=_cmd_world_plot)
    p = wsub.add_parser(
        "import", help="build a world from a COW, ATOP or SIPRI file for a year or range"
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--cow", metavar="FILE", help="COW Formal Alliances v4.1 CSV")
    src.add_argument("--atop", metavar="FILE", help="ATOP 5.1 member or dyad-year CSV")
    src.add_argument("--sipri", metavar="FILE", help="SIPRI trade-register CSV export")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--year", type=int, help="one year, e.g. 1914")
    when.add_argument("--years", metavar="A-B", help="a range of years, e.g. 2020-2024")
    p.add_argument("--out", required=True, help="output file, .toml or .json")
    p.set_defaults(func=_cmd_world_import)
    world.set_defaults(func=lambda a: _help(world))

    for register in _REGISTRY:
        register(sub)
    return parser


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return EXIT_USER


#: Functions ``register(subparsers)`` that add further commands (kept in their own modules).
_REGISTRY: list[Callable[[argparse._SubParsersAction], None]] = []


# -- structural robustness: rank and attack ---------------------------------------------------


def _cmd_rank(args: argparse.Namespace) -> int:
    from sim.robustness import criticality

    if args.top is not None and args.top < 1:
        raise UserError(f"--top must be a positive integer; got {args.top}")
    w = _load_world_arg(args.world)
    df = criticality(w, metric=args.metric, items=args.items, layer=args.layer)
    if args.top is not None:
        df = df.head(args.top)
    print(f"criticality in {w.name!r}: damage to {args.metric} when one item is lost")
    print(df.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    return EXIT_OK


def _cmd_attack(args: argparse.Namespace) -> int:
    from sim.robustness import attack_curve, edge_attack_curve
    from sim.world import _write_atomic

    w = _load_world_arg(args.world)
    if args.edges:
        curve = edge_attack_curve(w.to_networkx(), args.strategy, rng=args.seed, layer=args.layer)
    else:
        curve = attack_curve(
            w.to_networkx(),
            args.strategy,
            rng=args.seed,
            layer=args.layer,
            threshold=args.threshold,
        )
    what = "edges" if args.edges else "nodes"
    print(
        f"{w.name}: {args.layer} layer, {args.strategy} attack on {what} (seed {args.seed}): "
        f"R = {curve.robustness:.4f}, critical fraction = {curve.critical_fraction:.4f} "
        f"(giant below {args.threshold:g} of N)"
    )
    if args.out:
        out = Path(args.out)
        _write_atomic(out, curve.to_frame().to_csv(index=False))
        print(f"wrote {out}")
    return EXIT_OK


def _register_robustness(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rank",
        help="rank actors, ties and corridors by the damage their loss does",
        description="Leave-one-out criticality ranking of a world (scenario files: not yet; "
        "give an embedded world name or a .toml/.json world file).",
    )
    p.add_argument("world", help="embedded world name or world file (scenarios not yet)")
    p.add_argument("--metric", choices=("fulfilment", "giant", "efficiency"), default="fulfilment")
    p.add_argument("--items", choices=("all", "actors", "ties", "corridors"), default="all")
    p.add_argument(
        "--layer",
        choices=("partnership", "supply", "rivalry"),
        default="partnership",
        help="layer for --metric giant/efficiency",
    )
    p.add_argument("--top", type=int, default=None, help="show only the N most critical")
    p.set_defaults(func=_cmd_rank)
    p = sub.add_parser(
        "attack",
        help="removal curve of a world layer: prints R and the critical fraction",
        description="Remove nodes (or edges) in attack order and follow the giant component.",
    )
    p.add_argument("world", help="embedded world name or world file")
    p.add_argument(
        "--strategy",
        default="degree",
        help="random, degree, adaptive-degree, betweenness, adaptive-betweenness, "
        "or a node attribute such as capability (edges: random, betweenness, "
        "degree-product or an edge attribute)",
    )
    p.add_argument("--layer", choices=("partnership", "supply", "rivalry"), default="partnership")
    p.add_argument("--edges", action="store_true", help="cut edges instead of removing nodes")
    p.add_argument("--seed", type=int, default=0, help="breaks ties and draws random orders")
    p.add_argument(
        "--threshold", type=float, default=0.05, help="giant fraction that counts as fragmented"
    )
    p.add_argument("--out", help="write the curve as CSV")
    p.set_defaults(func=_cmd_attack)


_REGISTRY.append(_register_robustness)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not hasattr(args, "func"):
        parser.print_help()
        return EXIT_USER
    try:
        return int(args.func(args) or 0)
    except SimError as exc:
        print(f"alliance-sim: {exc}", file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        print("alliance-sim: interrupted", file=sys.stderr)
        return 130
    except Exception:
        traceback.print_exc()
        print(
            "alliance-sim: internal error (a bug); please report it with the traceback above",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
