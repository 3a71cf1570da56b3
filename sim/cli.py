"""The ``alliance-sim`` command line.

Exit codes: 0 success, 2 a user error (a message listing every problem, no traceback),
1 an internal error (a bug: please report it with the traceback printed).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import SimError

if TYPE_CHECKING:
    from sim.runner import EnsembleResults
    from sim.world import World

__all__ = ["main"]

EXIT_OK, EXIT_INTERNAL, EXIT_USER = 0, 1, 2

_EPILOG = """\
examples:
  alliance-sim world list
  alliance-sim world show axis-2024
  alliance-sim world show axis-2024 --ties
  alliance-sim world validate my_world.toml
  alliance-sim world export axis-2024 --out world.json
  alliance-sim world plot axis-2024 --out world.png --svg
  alliance-sim world import --sipri trade-register.csv --year 2024 --out world.toml
  alliance-sim demo
  alliance-sim list
  alliance-sim run syria_loss --replicates 20 --out results/syria --csv
  alliance-sim report results/syria --out syria.html
"""


_IMPORT_EPILOG = """\
examples:
  alliance-sim world import --sipri trade-register.csv --year 2024 --out world.toml
  alliance-sim world import --cow alliance_v4.1_by_member_yearly.csv --year 1914 --out 1914.toml
  alliance-sim world import --atop atop5_1m.csv --years 1990-1995 --out atop-1990s.json
  alliance-sim world validate world.toml          # then check the result
"""

_RANK_EPILOG = """\
examples:
  alliance-sim rank axis-2024                     # what the axis (first bloc) loses most from
  alliance-sim rank axis-2024 --bloc west --items actors
  alliance-sim rank axis-2024 --bloc all          # the whole world's fulfilment
  alliance-sim rank axis-2024 --items actors --top 5
  alliance-sim rank syria_loss --metric giant     # a scenario's world, its patch applied
  alliance-sim rank my_world.toml --metric efficiency --layer supply
"""

_ATTACK_EPILOG = """\
examples:
  alliance-sim attack axis-2024                   # degree attack on the partnership layer
  alliance-sim attack axis-2024 --strategy random --seed 7
  alliance-sim attack axis-2024 --strategy adaptive-betweenness --out curve.csv
  alliance-sim attack axis-2024 --edges --strategy betweenness --layer supply
  alliance-sim attack my_world.toml --strategy capability --threshold 0.2
"""


def _fraction(text: str) -> float:
    """An argparse type: a number in (0, 1]."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < x <= 1:  # NaN fails too
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {text}")
    return x


class UserError(SimError):
    """A mistake in how the command was called (bad path, bad option value)."""


# -- world ------------------------------------------------------------------------------------


def _is_scenario_file(path: Path) -> bool:
    """Whether a TOML file has a top-level [scenario] table (False if it cannot be read)."""
    import tomllib

    try:
        return path.is_file() and "scenario" in tomllib.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError, OSError):  # syntax, UTF-8, digits, deep nesting
        return False  # the world reader reports the problem precisely


def _load_world_arg(name_or_path: str):
    from sim.worlds import load_world, resolve

    found = resolve(name_or_path, "world")  # an unknown name: UnknownNameError, exit 2
    if isinstance(found, Path) and found.suffix == ".toml" and _is_scenario_file(found):
        raise UserError(
            f"{name_or_path} is a scenario file, not a world; `alliance-sim validate` checks "
            "scenarios; `rank` and `attack` take one (its world, patched)"
        )
    return load_world(found)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


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
    if getattr(args, "ties", False) or getattr(args, "corridors", False):
        if args.ties:
            _print_ties(w)
        if args.corridors:
            _print_corridors(w)
        return EXIT_OK
    print(f"  {'id':<5} {'name':<28} {'kind':<10} {'bloc':<10} {'capab.':>6} {'stab.':>6}")
    for a in w.actors:
        print(
            f"  {a.id:<5} {_clip(a.name, 28):<28} {a.kind:<10} {a.bloc:<10} "
            f"{a.capability:>6.2f} {a.stability:>6.2f}"
        )
    return EXIT_OK


def _volume(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def _route_text(route) -> str:
    via = " > ".join(route.via) if route.via else "direct"
    corridor = f" [{route.corridor}]" if route.corridor else ""
    share = f" at {route.capacity:.0%}" if route.capacity < 1 else ""
    return f"{via}{corridor}{share}"


def _print_ties(w) -> None:
    """Every tie of a world by layer: what a scenario's targets and outcomes can name."""
    from sim.world import COMMODITIES

    part = w.ties_in("partnership")
    print(f"partnership ({len(part)}): undirected; strength in [0, 1]")
    print(f"  {'ties':<10} {'kind':<22} {'strength':>8}  since")
    for tie in part:
        print(f"  {tie.a + '-' + tie.b:<10} {tie.kind:<22} {tie.strength:>8.2f}  {tie.since}")
    supply = w.ties_in("supply")
    print(f"\nsupply ({len(supply)}): directed supplier->recipient; volume in the commodity's unit")
    print(f"  {'tie':<10} {'commodity':<10} {'volume':>9}  {'unit':<42} route (alternatives)")
    for tie in supply:
        alts = "; ".join(_route_text(r) for r in tie.alternatives)
        print(
            f"  {tie.supplier + '->' + tie.recipient:<10} {tie.commodity:<10} "
            f"{_volume(tie.volume):>9}  {COMMODITIES.get(tie.commodity, ''):<42} "
            f"{_route_text(tie.route)}" + (f" (or {alts})" if alts else "")
        )
    rivalry = w.ties_in("rivalry")
    print(f"\nrivalry ({len(rivalry)}): undirected; intensity in [0, 1]")
    for tie in rivalry:
        print(f"  {tie.a + '-' + tie.b:<10} {tie.intensity:>5.2f}")
    print(
        "\nIn a scenario: outcomes strength:A-B and delivered:A->B; shocks cut_tie "
        'target = ["A", "B"] (docs/inputs.md lists every key).'
    )


def _print_corridors(w) -> None:
    """The named corridors: their transit actors and the supply they carry."""
    corridors: dict[str, list[tuple]] = {}
    for tie in w.ties_in("supply"):
        for rank, route in enumerate((tie.route, *tie.alternatives)):
            if route.corridor:
                corridors.setdefault(route.corridor, []).append((tie, route, rank))
    if not corridors:
        print(f"world {w.name!r} names no corridor on its supply routes")
        return
    print(f'corridors ({len(corridors)}): close one with block_transit target = "NAME"')
    for name in sorted(corridors):
        uses = corridors[name]
        transit = sorted({x for _, r, _ in uses for x in r.via})
        print(
            f"\n  {name}: " + (f"through {', '.join(transit)}" if transit else "no transit actor")
        )
        for tie, route, rank in uses:
            role = "main route" if rank == 0 else f"alternative at {route.capacity:.0%}"
            print(
                f"    {tie.supplier + '->' + tie.recipient:<10} {tie.commodity:<10} "
                f"{_volume(tie.volume):>9}  {role}: {_route_text(route)}"
            )


def _cmd_world_validate(args: argparse.Namespace) -> int:
    from sim.world import World

    failed = 0
    for path in args.files:
        p = Path(path)
        if p.suffix == ".toml" and _is_scenario_file(p):
            print(
                f"{path}: a scenario file, not a world: check it with `alliance-sim validate "
                f"{path}`",
                file=sys.stderr,
            )
            failed += 1
            continue
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

    if Path(args.out).is_dir():
        raise UserError(
            f"--out {args.out}: is a directory; give a file name (the format's suffix is added), "
            f"e.g. --out {Path(args.out) / 'map'}"
        )
    w = _load_world_arg(args.world)
    ax = plot_world(w, layer=args.layer, inset=None if args.inset == "none" else args.inset)
    formats = ("png", "svg") if args.svg else ("png",)
    fig = ax.figure.figure  # the root figure (plot_world made it)
    for path in save_figure(fig, args.out, formats=formats):
        print(f"wrote {path}")
    plt.close(fig)
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
    reader: Callable[..., World]
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
    p = wsub.add_parser(
        "show",
        help="a world's actors, or its ties (--ties) and corridors (--corridors)",
        epilog="examples:\n  alliance-sim world show axis-2024\n"
        "  alliance-sim world show axis-2024 --ties\n"
        "  alliance-sim world show my_world.toml --corridors\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("world", nargs="?", default="axis-2024", help="embedded name or file")
    p.add_argument("--ties", action="store_true", help="every tie by layer instead of the actors")
    p.add_argument(
        "--corridors", action="store_true", help="the named supply corridors and what they carry"
    )
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
    p.add_argument(
        "--inset",
        default="auto",
        choices=("auto", "levant", "none"),
        help="zoom on a crowded region below the map (auto: the Levant when it is crowded)",
    )
    p.set_defaults(func=_cmd_world_plot)
    p = wsub.add_parser(
        "import",
        help="build a world from a COW, ATOP or SIPRI file for a year or range",
        epilog=_IMPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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


def _register_sensitivity(sub: argparse._SubParsersAction) -> None:
    from sim.cli_sensitivity import register  # the command lives in its own module

    register(sub)


_REGISTRY.append(_register_sensitivity)


def _register_report(sub: argparse._SubParsersAction) -> None:
    from sim.cli_report import register  # the command lives in its own module

    register(sub)


_REGISTRY.append(_register_report)


def _register_history(sub: argparse._SubParsersAction) -> None:
    from sim.cli_history import register  # `world build` and `hindcast` live in their own module

    register(sub)


_REGISTRY.append(_register_history)


def _register_calibrate(sub: argparse._SubParsersAction) -> None:
    from sim.cli_calibrate import register  # `calibrate` lives in its own module

    register(sub)


_REGISTRY.append(_register_calibrate)


# -- structural robustness: rank and attack ---------------------------------------------------


def _load_world_or_scenario(arg: str):
    """A world, or a scenario's world (with its patch applied), and how to name it."""
    from sim.scenario import load_scenario
    from sim.worlds import load_world, resolve

    found = resolve(arg, "any")
    if isinstance(found, Path) and found.suffix == ".toml" and _is_scenario_file(found):
        spec = load_scenario(found)
        return spec.world, f"the world of scenario {spec.name!r} ({spec.world.name!r})"
    w = load_world(found)
    return w, repr(w.name)


def _cmd_rank(args: argparse.Namespace) -> int:
    from sim.robustness import criticality

    if args.top is not None and args.top < 1:
        raise UserError(f"--top must be a positive integer; got {args.top}")
    w, what = _load_world_or_scenario(args.world)
    metric, layer, why = _defaults_for_layers(w, args.metric, args.layer)
    bloc, whose = _rank_bloc(w, args.bloc)
    df = criticality(w, metric=metric, items=args.items, layer=layer, bloc=bloc)
    if args.top is not None:
        df = df.head(args.top)
    print(f"criticality in {what}: damage to the {metric} of {whose} when one item is lost{why}")
    print(df.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    return EXIT_OK


def _rank_bloc(w, bloc: str | None) -> tuple[str | None, str]:
    """The bloc `rank` scores (default: the world's first) and how to say so."""
    from sim.errors import suggest

    if bloc == "all":
        return None, "the whole world"
    if bloc is None:
        if not w.blocs:
            return None, "the whole world"
        first = w.blocs[0]
        return first, (
            f"bloc {first!r} (the world's first bloc; --bloc B for another, --bloc all for "
            "the whole world)"
        )
    if bloc not in w.blocs:
        hint = suggest(bloc, [*w.blocs, "all"])
        raise UserError(
            f"--bloc {bloc!r}: not a bloc of world {w.name!r}; allowed: "
            f"{', '.join(w.blocs)}, or all" + (f" ({hint})" if hint else "")
        )
    return bloc, f"bloc {bloc!r}"


def _cmd_attack(args: argparse.Namespace) -> int:
    from sim._files import atomic_write_text
    from sim.robustness import attack_curve, edge_attack_curve

    w, _ = _load_world_or_scenario(args.world)
    _, layer, why = _defaults_for_layers(w, "giant", args.layer)
    if args.edges:
        curve = edge_attack_curve(w.to_networkx(), args.strategy, rng=args.seed, layer=layer)
    else:
        curve = attack_curve(
            w.to_networkx(),
            args.strategy,
            rng=args.seed,
            layer=layer,
            threshold=args.threshold,
        )
    what = "edges" if args.edges else "nodes"
    print(
        f"{w.name}: {layer} layer, {args.strategy} attack on {what} (seed {args.seed}): "
        f"R = {curve.robustness:.4f}, critical fraction = {curve.critical_fraction:.4f} "
        f"(giant below {args.threshold:g} of N, or a single node){why}"
    )
    steps = len(curve.giant_fraction) - 1
    print(
        f"R (Schneider et al., PNAS 2011): the mean, over the {steps} removals, of the share of "
        f"all {len(w)} actors still in the largest connected "
        "group; near 0 = falls apart at once, at most 0.5 (a complete graph); compare "
        "strategies on the same layer"
    )
    print(
        "critical fraction: the share removed when the largest group first falls below the "
        "threshold (the network is then fragmented)"
    )
    if args.out:
        out = Path(args.out)
        atomic_write_text(out, curve.to_frame().to_csv(index=False))
        print(f"wrote {out}")
    return EXIT_OK


def _defaults_for_layers(world, metric: str | None, layer: str | None) -> tuple[str, str, str]:
    """The metric and layer to use when not given, chosen from the layers `world` has.

    Fulfilment needs supply ties; the giant component and efficiency need the chosen layer to
    have ties. An imported world often holds one layer only (alliances from COW/ATOP, arms
    from SIPRI): the defaults follow it, and the returned note says what was chosen and why.
    """
    has = [x for x in ("partnership", "supply", "rivalry") if world.ties_in(x)]
    notes = []
    if layer is None:
        layer = has[0] if has else "partnership"
        if layer != "partnership":
            notes.append(f"layer {layer} (the world has no partnership ties)")
    if metric is None:
        metric = "fulfilment" if world.ties_in("supply") else "giant"
        if metric != "fulfilment":
            notes.append("metric giant (the world has no supply ties to fulfil)")
    why = f"\n  defaults chosen from the world's layers ({', '.join(has) or 'none'}): " + (
        "; ".join(notes)
    )
    return metric, layer, why if notes else ""


def _register_robustness(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rank",
        help="rank actors, ties and corridors by the damage their loss does",
        description="Leave-one-out criticality ranking of a world: an embedded world, a "
        ".toml/.json world file, or a scenario (shipped name or file), whose world is ranked "
        "with the scenario's patch applied.",
        epilog=_RANK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("world", metavar="WORLD_OR_SCENARIO", help="world or scenario, name or file")
    p.add_argument(
        "--metric",
        choices=("fulfilment", "giant", "efficiency"),
        default=None,
        help="default: fulfilment, or giant on a world without supply ties",
    )
    p.add_argument("--items", choices=("all", "actors", "ties", "corridors"), default="all")
    p.add_argument(
        "--layer",
        choices=("partnership", "supply", "rivalry"),
        default=None,
        help="layer for --metric giant/efficiency (default: partnership, else the first layer "
        "the world has)",
    )
    p.add_argument("--top", type=int, default=None, help="show only the N most critical")
    p.add_argument(
        "--bloc",
        metavar="B",
        help="score the loss to bloc B (default: the world's first bloc, e.g. axis on "
        "axis-2024); 'all' scores the whole world",
    )
    p.set_defaults(func=_cmd_rank)
    p = sub.add_parser(
        "attack",
        help="removal curve of a world layer: prints R and the critical fraction",
        description="Remove nodes (or edges) in attack order and follow the giant component.",
        epilog=_ATTACK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("world", metavar="WORLD_OR_SCENARIO", help="world or scenario, name or file")
    p.add_argument(
        "--strategy",
        default="degree",
        help="random, degree, adaptive-degree, betweenness, adaptive-betweenness, "
        "or a node attribute such as capability (edges: random, betweenness, "
        "degree-product or an edge attribute)",
    )
    p.add_argument(
        "--layer",
        choices=("partnership", "supply", "rivalry"),
        default=None,
        help="default: partnership, else the first layer the world has",
    )
    p.add_argument("--edges", action="store_true", help="cut edges instead of removing nodes")
    p.add_argument("--seed", type=int, default=0, help="breaks ties and draws random orders")
    p.add_argument(
        "--threshold",
        type=_fraction,
        default=0.05,
        help="giant fraction that counts as fragmented, in (0, 1] (default 0.05)",
    )
    p.add_argument("--out", help="write the curve as CSV")
    p.set_defaults(func=_cmd_attack)


_REGISTRY.append(_register_robustness)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program's name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 (``EXIT_USER``) on a mistake of the user's (the message, on stderr,
        says what and where, never a traceback), 130 when interrupted, 141 on a broken pipe.

    Examples
    --------
    >>> main(["validate", "syria_loss"])  # doctest: +ELLIPSIS
    /...syria_loss.toml: valid (syria_loss: world 'axis-2024', 1 shock, 36 steps, ...)
    0
    >>> main(["run", "no_such_scenario"])  # the message goes to stderr
    2
    """
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
    except BrokenPipeError:  # the reader went away (`| head`): not a mistake, say nothing
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 141  # 128 + SIGPIPE, as a program killed by the broken pipe would report
    except OSError as exc:  # a path the user gave cannot be used (read-only, full, not a dir)
        where = f"{exc.filename!s}" if exc.filename is not None else "a file"
        print(f"alliance-sim: cannot use {where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USER
    except Exception:
        traceback.print_exc()
        print(
            "alliance-sim: internal error (a bug); please report it with the traceback above",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


# -- scenarios and ensembles ------------------------------------------------------------------

_RUN_EPILOG = """\
examples:
  alliance-sim list
  alliance-sim validate scenarios/*.toml
  alliance-sim run syria_loss --replicates 20 --out results/syria
  alliance-sim run my_scenario.toml --executor dask --scheduler tcp://10.0.0.5:8786
  alliance-sim run syria_loss --out results/syria --resume      # after an interruption
  alliance-sim run syria_loss --out results/syria --resume --wait   # once the other run ends
  alliance-sim run syria_loss --set tie_decay=0.05 --csv --out results/slow_decay
  alliance-sim compare results/syria results/syria_and_instc
"""


def _cmd_list(args: argparse.Namespace) -> int:
    from sim.scenario import list_scenarios, read_question, scenario_path
    from sim.worlds import list_worlds

    print("embedded worlds:")
    for name in list_worlds():
        print(f"  {name}")
    print("shipped scenarios (alliance-sim run NAME):")
    for name in list_scenarios():
        question = read_question(scenario_path(name))
        print(f"  {name:<22} {question}")
    return EXIT_OK


def _load_scenario_fully(name: str):
    """A scenario spec and its uncertain inputs (none without an ``[uncertainty]`` table).

    A file with an uncertainty table is checked whole, table included, in one pass.
    """
    import tomllib

    from sim.scenario import load_scenario, scenario_path

    path = scenario_path(name)
    try:
        has_uncertainty = path.is_file() and "uncertainty" in tomllib.loads(
            path.read_text(encoding="utf-8")
        )
    except (ValueError, RecursionError, OSError):  # syntax, UTF-8, digit limit, deep nesting
        has_uncertainty = False  # load_scenario reports the problem precisely
    if has_uncertainty:
        from sim.sensitivity.uncertain import load_uncertain_scenario

        uncertain = load_uncertain_scenario(name)
        return uncertain.spec, dict(uncertain.space)
    return load_scenario(name), {}


def _cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for name in args.scenarios:
        try:
            spec, space = _load_scenario_fully(name)
        except SimError as exc:
            print(exc, file=sys.stderr)
            failed += 1
        else:
            varied = f", {len(space)} uncertain inputs" if space else ""
            print(
                f"{spec.source}: valid ({spec.name}: world {spec.world.name!r}, "
                f"{len(spec.shocks)} shock{'s' if len(spec.shocks) != 1 else ''}, "
                f"{spec.steps} steps, {spec.replicates} replicates, "
                f"{len(spec.outcomes)} outcomes{varied})"
            )
    return EXIT_USER if failed else EXIT_OK


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {n}")
    return n


def _nonnegative(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {n}")
    return n


def _run_and_report(args: argparse.Namespace, scenario: str, default_out: Path) -> EnsembleResults:
    from sim.runner import run_scenario

    out = Path(args.out) if args.out else default_out
    spec = _scenario_with_settings(scenario, getattr(args, "set", None))
    replicates = _resumed_replicates(args, out)
    results = run_scenario(
        spec,
        replicates=replicates,
        seed=args.seed,
        steps=args.steps,
        executor=args.executor,
        workers=args.workers,
        scheduler=args.scheduler,
        out=out,
        resume=args.resume,
        quiet=args.quiet,
        wait=getattr(args, "wait", False),
    )
    print(results.format_summary())
    figures = _write_figures(results, out, svg=getattr(args, "svg", False), spec=spec)
    print(f"results in {out}; figures: {', '.join(str(f) for f in figures)}")
    if getattr(args, "csv", False):
        for path in write_csv(results, out):
            print(f"wrote {path}")
    return results


# -- run options: --set, --resume, --csv ---------------------------------------------------------


def _scenario_with_settings(scenario: str, settings: Sequence[str] | None):
    """The scenario's spec, with ``--set NAME=VALUE`` parameter overrides applied (checked)."""
    from sim.scenario import load_scenario, parse_param_settings

    spec = load_scenario(scenario)
    if settings:
        spec = spec.with_overrides(params=parse_param_settings(settings))
    return spec


def _resumed_replicates(args: argparse.Namespace, out: Path) -> int | None:
    """The replicate count of a run: on ``--resume`` without ``--replicates``, the stored run's.

    A resumed 6-replicate run once grew silently to the scenario's 20; now it keeps its size
    unless ``--replicates`` asks otherwise, and a change is said out loud.
    """
    import json

    manifest = out / "manifest.json"
    if not (getattr(args, "resume", False) and manifest.is_file()):
        return args.replicates
    try:
        stored = json.loads(manifest.read_text(encoding="utf-8")).get("replicates")
    except (ValueError, OSError):
        return args.replicates  # the store reports a damaged manifest itself
    if not isinstance(stored, int):
        return args.replicates
    if args.replicates is None:
        print(
            f"resuming {out}: {stored} replicates, as stored (--replicates N to change it)",
            file=sys.stderr,
        )
        return stored
    if args.replicates != stored:
        change = "growing" if args.replicates > stored else "shrinking"
        print(
            f"resuming {out}: {change} the run from {stored} to {args.replicates} replicates "
            "(--replicates)",
            file=sys.stderr,
        )
    return args.replicates


def write_csv(results, out: Path) -> list[Path]:
    """Tidy CSV copies of a run beside its Parquet parts: the model frame and the summary.

    Parameters
    ----------
    results : sim.runner.EnsembleResults
    out : Path
        The results directory.

    Returns
    -------
    list of Path
        ``model_frame.csv`` (one row per replicate, arm and month: ``scenario, replicate,
        seed, arm, step`` then one column per variable) and ``summary.csv`` (one row per
        outcome: means, paired difference, CI, resilience), each written atomically.
    """
    from sim._files import atomic_write_text

    frame = results.model_frame
    summary = results.summary().rename_axis("outcome").reset_index()
    return [
        atomic_write_text(out / "model_frame.csv", frame.to_csv(index=False)),
        atomic_write_text(out / "summary.csv", summary.to_csv(index=False)),
    ]


def _cmd_run(args: argparse.Namespace) -> int:
    import datetime as dt

    from sim.scenario import scenario_path

    if args.scheduler and args.executor != "dask":
        raise UserError("--scheduler needs --executor dask")
    name = scenario_path(args.scenario).stem
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    _run_and_report(args, args.scenario, Path("results") / name / stamp)
    return EXIT_OK


_DEMO_MARKER = ".alliance-sim-demo"


def _cmd_demo(args: argparse.Namespace) -> int:
    import shutil

    from sim.outcomes import kind_of

    default = Path("results") / "demo"
    target = Path(args.out) if args.out else default
    marker = target / _DEMO_MARKER
    # Each demo starts afresh, replacing only what an earlier demo wrote: a directory without
    # the demo's marker is someone's results, and the store refuses to overwrite it.
    if not args.resume and marker.is_file():
        shutil.rmtree(target)
    results = _run_and_report(args, "syria_loss", default)
    marker.write_text("written by `alliance-sim demo`; the next demo replaces this directory\n")
    summary = results.summary()
    print()
    print("What losing Syria did, shocked minus baseline at the horizon (95% CI):")
    for outcome in summary.index:
        if kind_of(outcome) in ("fulfilment", "cohesion", "strength"):
            r = summary.loc[outcome]
            print(f"  {outcome:<22} {r.difference:+.3f}  [{r.ci_low:+.3f}, {r.ci_high:+.3f}]")
    return EXIT_OK


def _cmd_compare(args: argparse.Namespace) -> int:
    from sim.runner import load_results

    a, b = load_results(args.a), load_results(args.b)
    print(compare_results(a, b))
    return EXIT_OK


def compare_results(a, b, *, level: float = 0.95) -> str:
    """A table of two runs' effects and the difference between them (see
    :func:`sim.analysis.compare_effects`, which holds the statistics)."""
    import numpy as np

    from sim.analysis import compare_effects

    common = [o for o in a.outcomes if o in b.outcomes]
    if not common:
        raise UserError(
            f"{a.root} and {b.root} share no outcome ({', '.join(a.outcomes)} vs "
            f"{', '.join(b.outcomes)})"
        )
    table = compare_effects(a.model_frame, b.model_frame, common, level=level)
    test = table["test"].iloc[0]
    pct = round(level * 100)
    ci_head = f"{pct}% CI"
    head = f"{'outcome':<24} {'effect A':>10} {'effect B':>10} {'B - A':>10} {ci_head:>22}"
    lines = [f"A = {a.scenario} ({a.root}), B = {b.scenario} ({b.root})", head, "-" * len(head)]
    notes = []
    for outcome, r in table.iterrows():
        ci = f"[{r.ci_low:+.4f}, {r.ci_high:+.4f}]" if np.isfinite(r.ci_low) else "n/a"
        lines.append(
            f"{outcome:<24} {r.effect_a:>+10.4f} {r.effect_b:>+10.4f} {r.difference:>+10.4f} "
            f"{ci:>22}"
        )
        if r.note and r.note not in notes:
            notes.append(r.note)
    lines.append("effect = shocked - baseline at the horizon, mean over replicates")
    if test.startswith("paired"):
        lines.append(
            "CI: paired t-interval over replicates matched by seed (both runs share their seeds)"
        )
    else:
        lines.append("CI: Welch t-interval (the runs do not share their replicate seeds)")
    lines += [f"note: {n}" for n in notes]
    from sim.report import comparison_notes

    lines += [f"note: {n}" for n in comparison_notes(a, b)]
    return "\n".join(lines)


def _write_figures(results, out: Path, *, svg: bool = False, spec=None) -> list[Path]:
    """The run's figures next to its results: each outcome over time, and tie strengths."""
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window from the command line
    import matplotlib.pyplot as plt

    from sim.plotting import save_figure
    from sim.report import outcome_figure, tie_figure

    formats = ("png", "svg") if svg else ("png",)
    fig = outcome_figure(results)
    written = list(save_figure(fig, out / "figure", formats=formats))
    plt.close(fig)
    ax = tie_figure(results, spec)
    if ax is not None:
        written += save_figure(ax.figure, out / "tie_strengths", formats=formats)
        plt.close(ax.figure)
    return written


def _add_run_options(p: argparse.ArgumentParser) -> None:
    from sim.executors import EXECUTORS

    p.add_argument("--replicates", type=_positive, metavar="N", help="override the scenario's")
    p.add_argument("--seed", type=_nonnegative, metavar="S", help="override the root seed")
    p.add_argument("--steps", type=_positive, metavar="T", help="override the horizon (months)")
    p.add_argument("--executor", choices=EXECUTORS, default="processes", help="default: processes")
    p.add_argument("--workers", type=_positive, metavar="N", help="processes or local Dask workers")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler (tcp://host:8786)")
    p.add_argument("--out", metavar="DIR", help="results directory")
    p.add_argument(
        "--resume",
        action="store_true",
        help="keep replicates already in --out (and their number, unless --replicates is given)",
    )
    p.add_argument(
        "--wait",
        action="store_true",
        help="if another process is writing to --out, wait for it instead of exiting with 2",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--svg", action="store_true", help="also write the figures as SVG")
    p.add_argument(
        "--csv",
        action="store_true",
        help="also write model_frame.csv and summary.csv (tidy, for a spreadsheet) in --out",
    )
    p.add_argument(
        "--set",
        action="append",
        metavar="PARAM=VALUE",
        help="override a model parameter, e.g. --set tie_decay=0.05 (repeatable; checked "
        "like [params]: docs/inputs.md)",
    )


def _register_scenario_commands(sub: argparse._SubParsersAction) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser(
        "run",
        help="run a scenario's ensemble with paired baselines",
        epilog=_RUN_EPILOG,
        formatter_class=fmt,
        description="Run every replicate's shocked arm and its baseline from the same seed; "
        "print the summary table (paired differences with 95% CIs, resilience) and write "
        "a figure. Results stream to --out (default results/NAME/TIMESTAMP).",
    )
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file or a shipped name")
    _add_run_options(p)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser(
        "validate",
        help="check scenario files; exit 2 listing every problem",
        description="Check scenario files (their world, patch, params, shocks, outcomes and "
        "[uncertainty] table) and report every problem at once, with file, line, value, what "
        "is allowed and a suggestion. Exit 0 when all are valid, 2 otherwise.",
        epilog="examples:\n  alliance-sim validate syria_loss\n"
        "  alliance-sim validate scenarios/*.toml my_scenario.toml\n",
        formatter_class=fmt,
    )
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "compare",
        help="compare the effects of two stored runs",
        description="Compare the paired effects (shock - baseline at the horizon) of two stored "
        "runs, outcome by outcome: paired by seed when both runs used the same replicate seeds, "
        "Welch otherwise, with a 95% confidence interval for the difference.",
        epilog="examples:\n  alliance-sim run syria_loss --out results/a\n"
        "  alliance-sim run syria_and_instc --out results/b\n"
        "  alliance-sim compare results/a results/b\n",
        formatter_class=fmt,
    )
    p.add_argument("a", metavar="RESULTS_A")
    p.add_argument("b", metavar="RESULTS_B")
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("list", help="embedded worlds and shipped scenarios")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser(
        "demo",
        help="run syria_loss and show what changed",
        description="Run the shipped syria_loss scenario (20 replicates, each against its "
        "paired baseline) and report how fulfilment, cohesion and the Russia-Iran tie changed; "
        "writes the figures. Rerunning replaces only an earlier demo's results.",
    )
    _add_run_options(p)
    p.set_defaults(func=_cmd_demo)


_REGISTRY.append(_register_scenario_commands)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
