"""The ``alliance-sim calibrate`` command: ABC-SMC fits of the calibrated parameters."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from sim.cli import _nonnegative, _positive  # one definition of the option types
from sim.errors import Problem, ValidationError

__all__ = ["register"]

_EPILOG = """\
examples:
  alliance-sim calibrate --data ../shared/data --out results/calib
  alliance-sim calibrate --data ../shared/data --out results/calib --resume --generations 4
  alliance-sim calibrate --episodes none --held-out-episodes none --population 100 \\
      --generations 5 --out results/calib
  alliance-sim calibrate --data DATA --patterns iran-removal-houthis,rus-removal-china \\
      --executor dask --scheduler tcp://HOST:8786 --out results/calib

--data DIR holds the SIPRI trade register (sipri*.csv), ATOP (atop*.csv) or COW alliances
(alliance_v4*.csv) and NMC (NMC*.csv); --sipri/--atop/--cow/--nmc name files one by one.
The same --seed gives the same posterior on every executor. Outputs: docs/calibration.md.
"""


def _names(text: str) -> list[str]:
    return (
        [] if text.strip().lower() == "none" else [t.strip() for t in text.split(",") if t.strip()]
    )


def _data_files(args: argparse.Namespace) -> dict:
    problems = []
    data: dict = {}
    if args.data:
        d = Path(args.data)
        if not d.is_dir():
            raise ValidationError(
                [
                    Problem(
                        "--data",
                        "not a folder",
                        args.data,
                        "a folder with the SIPRI, ATOP/COW and NMC files",
                    )
                ],
                what="--data",
            )

        def first(pattern):
            found = sorted(d.glob(pattern))
            return found[0] if found else None

        data["sipri"] = first("sipri*.csv")
        atop, cow = first("atop*.csv"), first("alliance_v4*.csv")
        data["alliances"], data["alliance_kind"] = (atop, "ATOP") if atop else (cow, "COW")
        data["capabilities"] = first("NMC*.csv")
        if data["sipri"] is None:
            problems.append(
                Problem(
                    "--data",
                    "no SIPRI trade register (sipri*.csv) in the folder",
                    args.data,
                    "a folder holding sipri*.csv",
                )
            )
    for key, opt, kind in (
        ("sipri", "sipri", None),
        ("alliances", "atop", "ATOP"),
        ("alliances", "cow", "COW"),
        ("capabilities", "nmc", None),
    ):
        v = getattr(args, opt)
        if v:
            data[key] = Path(v)
            if kind:
                data["alliance_kind"] = kind
    for key in ("sipri", "alliances", "capabilities"):
        if data.get(key) is not None and not Path(data[key]).is_file():
            problems.append(Problem(f"--{key}", "no such file", str(data[key]), "a CSV file"))
    if problems:
        raise ValidationError(problems, what="data files")
    return {k: v for k, v in data.items() if v is not None}


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.calibrate import calibrate, episode_paths, resolve_patterns
    from sim.executors import make_executor

    patterns, episodes = _names(args.patterns), _names(args.episodes)
    held = _names(args.held_out_episodes)
    problems: list[Problem] = []
    for check, names in ((resolve_patterns, patterns), (episode_paths, episodes + held)):
        try:
            check(names)
        except ValidationError as exc:
            problems.extend(exc.problems)
    if not patterns and not episodes:
        problems.append(
            Problem(
                "--patterns/--episodes",
                "nothing to fit to",
                "none",
                "at least one pattern or episode",
            )
        )
    try:
        data = _data_files(args)
    except ValidationError as exc:
        problems.extend(exc.problems)
        data = {}
    if problems:
        raise ValidationError(problems, what="calibrate options")
    executor = args.executor or ("dask" if args.scheduler else "processes")

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    with make_executor(executor, workers=args.workers, scheduler=args.scheduler) as ex:
        rec = calibrate(
            args.out,
            patterns=patterns,
            episodes=episodes,
            held_out_episodes=held,
            data=data,
            population=args.population,
            generations=args.generations,
            budget=args.budget,
            min_acceptance=args.min_acceptance,
            target_ess=args.target_ess,
            replicates=args.replicates,
            predictive_draws=args.draws,
            seed=args.seed,
            executor=ex,
            progress=say,
            command=_command(args),
            resume=args.resume,
            wait=args.wait,
        )
    for name, p in rec["parameters"].items():
        print(
            f"{name}: median {p['median']:.4g}, 90% interval [{p['q05']:.4g}, {p['q95']:.4g}] "
            f"(prior {p['prior'][0]:g}–{p['prior'][1]:g})"
        )
    print(
        f"{rec['generations_completed']} generations, {rec['simulations']} simulations, "
        f"{rec['failures']} failures, stopped: {rec['stop']}, {rec['seconds']:.0f} s on {executor}"
    )
    print(
        f"wrote the store (manifest.json, parts/: posterior, history, failures, predictive "
        f"draws), pairs.png, predictive.csv, predictive.md, defaults.toml in {args.out}"
    )
    return 0


def _command(args: argparse.Namespace) -> str:
    """The command line that reproduces this run (every option, defaults included)."""
    parts = ["alliance-sim", "calibrate"]
    for key, value in sorted(vars(args).items()):
        if key in ("func", "record_argv", "command") or value is None or value is False:
            continue
        if value is True:
            parts.append(f"--{key.replace('_', '-')}")
            continue
        parts += [f"--{key.replace('_', '-')}", str(value)]
    return shlex.join(parts)


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}") from None
    if not v > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return v


def _fraction(text: str) -> float:
    v = float(text)
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {text}")
    return v


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``calibrate`` to the ``alliance-sim`` subcommands.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``alliance-sim`` parser's subcommands, as returned by ``add_subparsers()``.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="alliance-sim")
    >>> register(parser.add_subparsers())
    >>> args = parser.parse_args(["calibrate", "--out", "cal"])
    >>> args.out, args.seed, args.population, args.method
    ('cal', 0, 40, 'abc')
    """
    from sim.calibrate import HELD_OUT_EPISODES, TRAINING_EPISODES, TRAINING_PATTERNS

    p = sub.add_parser(
        "calibrate",
        help="fit the calibrated parameters to the calibration patterns and episodes (ABC-SMC)",
        description="Fit the parameters docs/model.md declares as calibrated to the training "
        "patterns and episodes by approximate Bayesian computation (ABC-SMC with pyabc's "
        "kernel), then score the held-out patterns and episodes by the posterior predictive "
        "and write the suggested defaults with their provenance.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--patterns",
        default=",".join(TRAINING_PATTERNS),
        metavar="ID,...",
        help="training patterns (default: the calibration patterns)",
    )
    p.add_argument(
        "--episodes",
        default=",".join(TRAINING_EPISODES),
        metavar="NAME,...",
        help="training episodes, or 'none' (default: %(default)s)",
    )
    p.add_argument(
        "--held-out-episodes",
        default=",".join(HELD_OUT_EPISODES),
        metavar="NAME,...",
        help="episodes scored by the posterior predictive, or 'none'",
    )
    p.add_argument("--method", choices=("abc",), default="abc", help="ABC-SMC (the only one)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (a results store)")
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the calibration stored in --out after its last complete generation",
    )
    p.add_argument(
        "--wait",
        action="store_true",
        help="if another process is writing to --out, wait for it instead of exiting with 2",
    )
    p.add_argument("--seed", type=_nonnegative, default=0, metavar="S", help="default 0")
    p.add_argument(
        "--population",
        type=_positive,
        default=40,
        metavar="N",
        help="particles per generation (default 40)",
    )
    p.add_argument("--generations", type=_positive, default=3, metavar="G", help="default 3")
    p.add_argument(
        "--budget",
        type=_positive,
        default=400,
        metavar="N",
        help="total simulations, checked during a generation (default 400)",
    )
    p.add_argument(
        "--min-acceptance",
        type=_fraction,
        default=0.02,
        metavar="R",
        help="stop when a generation's acceptance rate must fall below R (0.02)",
    )
    p.add_argument(
        "--target-ess",
        type=_positive_float,
        metavar="N",
        help="a generation also needs this effective sample size",
    )
    p.add_argument(
        "--replicates",
        type=_positive,
        default=2,
        metavar="N",
        help="paired seeds per pattern statistic (default 2)",
    )
    p.add_argument(
        "--draws",
        type=_positive,
        default=10,
        metavar="N",
        help="posterior draws for the held-out predictive (default 10)",
    )
    p.add_argument("--data", metavar="DIR", help="folder of the SIPRI, ATOP/COW and NMC files")
    p.add_argument("--sipri", metavar="FILE", help="SIPRI trade-register CSV")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--cow", metavar="FILE", help="COW Formal Alliances v4.1 CSV")
    src.add_argument("--atop", metavar="FILE", help="ATOP member or dyad-year CSV")
    p.add_argument("--nmc", metavar="FILE", help="COW National Material Capabilities CSV")
    p.add_argument(
        "--executor",
        choices=("serial", "processes", "dask"),
        help="default: processes, or dask with --scheduler",
    )
    p.add_argument("--workers", type=_positive, metavar="N", help="processes or local Dask workers")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler, tcp://HOST:8786")
    p.set_defaults(func=_cmd_calibrate)
