"""The ``alliance-sim sensitivity`` command: Sobol' or Morris indices of a scenario's outcome."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from sim.cli import _nonnegative, _positive  # one definition of the option types

__all__ = ["register"]

_EPILOG = """\
examples:
  alliance-sim sensitivity syria_uncertainty
  alliance-sim sensitivity syria_uncertainty --method morris --samples 20
  alliance-sim sensitivity syria_uncertainty --outcome cohesion:axis --samples 128 --out res/sa
  alliance-sim sensitivity syria_uncertainty --outcome cohesion:axis --samples 128 --out res/sa \
      --resume                                    # after an interruption
  alliance-sim sensitivity syria_uncertainty --executor processes --workers 2
  alliance-sim sensitivity syria_uncertainty --executor dask --scheduler tcp://HOST:8786

Sobol' runs samples * (d + 2) sample points (samples rounded up to a power of two), Morris
samples * (d + 1), for d uncertain inputs; each point runs the scenario's replicates with
paired baselines. Rerun with the same --out and --resume to finish an interrupted analysis
(a directory holding results is refused without it, as for `run`).
"""


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from sim.sensitivity.uncertain import load_uncertain_scenario, scenario_sensitivity
    from sim.store import Store

    us = load_uncertain_scenario(args.scenario)
    samples = args.samples or (64 if args.method == "sobol" else 10)
    # the same default as `run`: a process per core (dask when a scheduler is named)
    executor = args.executor or ("dask" if args.scheduler else "processes")
    name = us.spec.name
    out = (
        Path(args.out)
        if args.out
        else (
            Path("results") / name / f"sensitivity-{args.method}-{dt.datetime.now():%Y%m%d-%H%M%S}"
        )
    )
    stored = len(Store(out, "design").keys()) if args.resume and out.is_dir() else 0
    res = scenario_sensitivity(
        us,
        method=args.method,
        samples=samples,
        rng=args.seed,
        outcome=args.outcome,
        replicates=args.replicates,
        steps=args.steps,
        out=out,
        resume=args.resume,
        wait=args.wait,
        executor=executor,
        workers=args.workers,
        scheduler=args.scheduler,
        chunk_size=args.chunk_size,
        quiet=args.quiet,
    )
    print(res.to_string())
    from sim.sensitivity import design_notes

    for note in design_notes(res.table, method=args.method, samples=samples):
        print(note)
    per_point = args.replicates or us.spec.replicates
    if stored:
        print(f"\nresumed {out}: {stored} chunks were already stored; the time is for the rest")
    runs = res.runs * per_point  # a run is one replicate: its shocked and its baseline arm
    print(
        f"\n{res.runs} sample points x {per_point} replicates = {runs} runs (each a shocked and "
        f"a baseline arm) in {res.seconds:.1f} s: {runs / max(res.seconds, 1e-9):.1f} runs/s "
        f"on {executor}"
    )
    print(f"wrote {out / 'indices.csv'} and the sample points, outputs and manifest in {out}")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from sim.plotting import plot_sensitivity, save_figure
    except ImportError:  # pragma: no cover - plotting ships with the package
        return 0
    from sim.labels import outcome_label

    label = outcome_label(res.outcome, names=us.spec.to_record().get("actor_names"))
    ax = plot_sensitivity(res.table)
    ax.set_title(f"{name}: {label.title} ({args.method})")
    if args.method == "morris":
        ax.set_xlabel(f"elementary effect ({label.unit}, shocked − baseline)")
    for path in save_figure(ax, out / "sensitivity", formats=("png",)):
        print(f"wrote {path}")
    plt.close(ax.figure.figure)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``sensitivity`` to the ``alliance-sim`` subcommands.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``alliance-sim`` parser's subcommands, as returned by ``add_subparsers()``.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="alliance-sim")
    >>> register(parser.add_subparsers())
    >>> args = parser.parse_args(["sensitivity", "syria_loss", "--method", "morris"])
    >>> args.scenario, args.method, args.samples  # samples: the method's default, chosen later
    ('syria_loss', 'morris', None)
    """
    p = sub.add_parser(
        "sensitivity",
        help="Sobol' or Morris sensitivity of an outcome to a scenario's uncertain inputs",
        description="Vary the inputs in the scenario's [uncertainty] table over an experiment "
        "design, run each sample point with its replicates and paired baselines, and report "
        "which inputs drive the outcome (the paired difference shock - baseline at the final "
        "step): first- and total-order Sobol' indices with 95% confidence half-widths, or "
        "Morris mu* and sigma.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file or a shipped name")
    p.add_argument("--outcome", help="an outcome of the scenario (default: its first)")
    p.add_argument("--method", choices=("sobol", "morris"), default="sobol")
    p.add_argument(
        "--samples",
        type=_positive,
        default=None,
        metavar="N",
        help="Sobol' base samples (default 64) or Morris trajectories (default 10)",
    )
    p.add_argument("--replicates", type=_positive, metavar="N", help="replicates per point")
    p.add_argument("--steps", type=_positive, metavar="T", help="override the horizon (months)")
    p.add_argument(
        "--seed", type=_nonnegative, metavar="S", help="design seed (default: the scenario's)"
    )
    p.add_argument(
        "--executor",
        choices=("serial", "processes", "dask"),
        help="default: processes (as for run), or dask with --scheduler",
    )
    p.add_argument("--workers", type=_positive, metavar="N", help="processes or local Dask workers")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler, tcp://HOST:8786")
    p.add_argument("--chunk-size", type=_positive, metavar="N", help="sample points per task")
    p.add_argument("--out", metavar="DIR", help="results directory")
    p.add_argument("--resume", action="store_true", help="keep the chunks already stored in --out")
    p.add_argument(
        "--wait",
        action="store_true",
        help="if another process is writing to --out, wait for it instead of exiting with 2",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_sensitivity)
