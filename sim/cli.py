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
    world.set_defaults(func=lambda a: _help(world))

    for register in _REGISTRY:
        register(sub)
    return parser


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return EXIT_USER


#: Functions ``register(subparsers)`` that add further commands (kept in their own modules).
_REGISTRY: list[Callable[[argparse._SubParsersAction], None]] = []


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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
