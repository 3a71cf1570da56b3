"""One self-contained HTML page for stored runs: summary tables, figures, scenario, manifest.

The page embeds everything (figures as base64 PNG, styles inline, no script, no link to
anything outside it), so it opens offline in any browser and can be sent as one file. It reads
stored results only (and reruns one replicate for the tie figure when the scenario file is still
the one the run used).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "comparison_notes",
    "outcome_figure",
    "render_report",
    "run_spec",
    "tie_figure",
    "write_report",
]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #d0d0d0; padding: 0.3em 0.6em; text-align: right; }
th { background: #f3f3f3; } td.name, th.name { text-align: left; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #555; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.note { color: #555; font-size: 0.9em; } .meta { color: #555; }
"""


# -- figures ----------------------------------------------------------------------------------


def outcome_figure(results: Any):
    """A grid of every outcome over time, shocked arm against its paired baseline.

    Parameters
    ----------
    results : sim.runner.EnsembleResults

    Returns
    -------
    matplotlib.figure.Figure
        One panel per outcome (titles and units from :func:`sim.labels.outcome_label`), one
        legend below the grid.

    Examples
    --------
    A three-month run of ``syria_loss`` with two replicates:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sim.runner import run_scenario
    >>> out = Path(tempfile.mkdtemp()) / "syria"
    >>> run = run_scenario("syria_loss", replicates=2, steps=3, executor="serial", out=out,
    ...                    quiet=True)
    >>> fig = outcome_figure(run)
    >>> len(fig.axes), fig.axes[0].get_title()
    (6, 'axis bloc: need fulfilment')
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    from sim.labels import outcome_label
    from sim.plotting import plot_timeseries

    outcomes = list(results.outcomes)
    names = results.manifest["scenario"].get("actor_names")
    ncols = min(3, len(outcomes))
    nrows = -(-len(outcomes) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.8 * ncols, 3.6 * nrows + 0.6), squeeze=False, layout="constrained"
    )
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        plot_timeseries(results, outcome, ax=ax)
        label = outcome_label(outcome, names=names)
        ax.set_title("\n".join(textwrap.wrap(label.title, 40)), fontsize=10)
        ax.set_ylabel("\n".join(textwrap.wrap(label.unit, 30)), fontsize=9)
        ax.get_legend().remove()  # one legend for the grid, below it, covers no data
    for ax in list(axes.flat)[len(outcomes) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=8, frameon=False)
    fig.suptitle(f"{results.scenario}: shocked arm against its paired baseline")
    return fig


def run_spec(results: Any):
    """The scenario a stored run used, rebuilt from its file, or None when it cannot be.

    The file named in the manifest must still exist, and the rebuilt spec (with the run's
    steps, seed and parameter overrides) must hash to the run's world and parameters.

    Parameters
    ----------
    results : sim.runner.EnsembleResults
        A stored run.

    Returns
    -------
    sim.scenario.ScenarioSpec or None
        None when the file is gone, no longer parses, or no longer matches the run.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sim.runner import run_scenario
    >>> out = Path(tempfile.mkdtemp()) / "syria"
    >>> run = run_scenario("syria_loss", replicates=2, steps=3, executor="serial", out=out,
    ...                    quiet=True)
    >>> spec = run_spec(run)
    >>> spec.name, spec.steps  # the run's own steps, not the file's 36
    ('syria_loss', 3)
    """
    from sim.errors import SimError
    from sim.scenario import load_scenario

    record = results.manifest["scenario"]
    source = Path(record.get("source", ""))
    if not source.is_file():
        return None
    try:
        spec = load_scenario(source).with_overrides(
            steps=record["steps"], seed=record["seed"], params=record.get("params") or None
        )
    except (SimError, KeyError, OSError):
        return None
    mine = spec.to_record()
    same = all(mine.get(k) == record.get(k) for k in ("world_sha256", "params_sha256", "shocks"))
    return spec if same else None


def tie_figure(results: Any, spec: Any = None):
    """Partnership strengths over time, or None when the run has nothing to show.

    With the run's spec, every partnership inside the world's first bloc in replicate 0 (rerun
    from its seed: :func:`sim.runner.trace_ties`), the ones the shocks moved most; without it,
    the run's own ``strength:`` outcomes.

    Parameters
    ----------
    results : sim.runner.EnsembleResults
        A stored run.
    spec : sim.scenario.ScenarioSpec, optional
        The run's scenario (:func:`run_spec`), to rerun replicate 0 and trace every tie.

    Returns
    -------
    matplotlib.axes.Axes or None

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sim.runner import run_scenario
    >>> out = Path(tempfile.mkdtemp()) / "syria"
    >>> run = run_scenario("syria_loss", replicates=2, steps=3, executor="serial", out=out,
    ...                    quiet=True)
    >>> ax = tie_figure(run)  # the run's one strength outcome, strength:RUS-IRN
    >>> ax.get_title()
    'Partnership strengths over time (median over replicates)'
    >>> ax = tie_figure(run, run_spec(run))  # every axis partnership, rerun from its seed
    >>> ax.get_ylabel(), len(ax.lines)
    ('partnership strength (0–1)', 17)
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    from sim.outcomes import kind_of
    from sim.plotting import mark_shocks, plot_tie_trajectories

    if spec is not None and spec.world.ties_in("partnership"):
        from sim.runner import trace_ties

        bloc = spec.world.blocs[0]
        frame = trace_ties(spec, bloc=bloc)
        if sum(kind_of(c) == "strength" for c in frame.columns) > 1:
            ax = plot_tie_trajectories(
                frame,
                as_of=results.manifest["scenario"].get("world_as_of"),
                names=results.manifest["scenario"].get("actor_names"),
            )
            mark_shocks(ax, results)  # the shocks' times and labels are in the manifest
            ax.set_title(
                f"{results.scenario}: the {bloc} bloc's partnerships the shocks moved most "
                "(replicate 0)",
                fontsize=10,
            )
            return ax
    if any(kind_of(c) == "strength" for c in results.model_frame.columns):
        return plot_tie_trajectories(results)
    return None


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


# -- the page ---------------------------------------------------------------------------------


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _num(x: float, fmt: str = "{:.4f}") -> str:
    return fmt.format(x) if np.isfinite(x) else "–"


def _summary_table(results: Any) -> str:
    from sim.labels import outcome_label

    s = results.summary()
    names = results.manifest["scenario"].get("actor_names")
    rows = []
    for outcome, r in s.iterrows():
        label = outcome_label(outcome, names=names)
        dropped = f"{r.dropped:.0%}" if np.isfinite(r.dropped) else "–"
        if not np.isfinite(r.dropped):
            rec = "–"
        elif r.dropped == 0:
            rec = "no drop"
        elif r.recovered == 0:
            rec = "never"
        else:
            rec = f"{r.time_to_recovery:.0f} months" + (
                f" ({r.recovered:.0%})" if r.recovered < 1 else ""
            )
        rows.append(
            "<tr>"
            f'<td class="name">{_esc(label.title)}<br><small><code>{_esc(outcome)}</code> · '
            f"{_esc(label.unit)}</small></td>"
            f"<td>{_num(r.shock_mean)}</td><td>{_num(r.baseline_mean)}</td>"
            f"<td>{_num(r.difference, '{:+.4f}')}</td>"
            f"<td>[{_num(r.ci_low, '{:+.4f}')}, {_num(r.ci_high, '{:+.4f}')}]</td>"
            f"<td>{_num(r.robustness, '{:.3f}')}</td><td>{_num(r.loss, '{:.3f}')}</td>"
            f"<td>{dropped}</td><td>{_esc(rec)}</td></tr>"
        )
    head = (
        '<tr><th class="name">outcome</th><th>shocked</th><th>baseline</th><th>difference</th>'
        "<th>95% CI</th><th>robustness</th><th>loss (months)</th><th>dropped</th>"
        "<th>recovery</th></tr>"
    )
    return (
        f'<table class="summary">{head}{"".join(rows)}</table>'
        '<p class="note">Values at the horizon, mean over replicates. difference = shocked − '
        "baseline, paired by replicate (both arms of a replicate share a seed), with its 95% "
        "t-interval. robustness = the lowest ratio of the shocked arm to the mean baseline after "
        "the first shock; loss = the integral of the shortfall below 1, in months; dropped = the "
        "share of replicates that fell more than 5% below the baseline; recovery = mean months "
        "until back within 5% (in brackets, the share of those that dropped which recovered).</p>"
    )


def _scenario_text(results: Any) -> str:
    import hashlib

    record = results.manifest["scenario"]
    source = Path(record.get("source", ""))
    if source.is_file():
        text = source.read_text(encoding="utf-8")
        if hashlib.sha256(text.encode("utf-8")).hexdigest() == record.get("sha256"):
            return (
                f'<p class="meta">File <code>{_esc(source)}</code> (sha256 '
                f"<code>{_esc(record['sha256'][:12])}…</code>, as run):</p><pre>{_esc(text)}</pre>"
            )
        note = "changed since the run; the record the run stored follows"
    else:
        note = "not found; the record the run stored follows"
    shown = {k: record[k] for k in ("name", "world", "steps", "replicates", "seed", "params")}
    shown |= {k: record.get(k) for k in ("outcomes", "shocks", "baseline_shocks", "patch")}
    return (
        f'<p class="meta">File <code>{_esc(source)}</code>: {note}.</p>'
        f"<pre>{_esc(json.dumps(shown, indent=2, default=str))}</pre>"
    )


def _versions_table(manifest: dict) -> str:
    versions = manifest.get("versions", {})
    rows = "".join(
        f'<tr><td class="name">{_esc(k)}</td><td class="name">{_esc(v)}</td></tr>'
        for k, v in sorted(versions.items())
    )
    return (
        f'<table><tr><th class="name">package</th><th class="name">version</th></tr>{rows}</table>'
    )


def _comparison(first: Any, other: Any) -> str:
    from sim.analysis import compare_effects

    common = [o for o in first.outcomes if o in other.outcomes]
    if not common:
        return '<p class="note">The runs share no outcome: nothing to compare.</p>'
    table = compare_effects(first.model_frame, other.model_frame, common)
    rows = "".join(
        f'<tr><td class="name"><code>{_esc(o)}</code></td><td>{_num(r.effect_a, "{:+.4f}")}</td>'
        f"<td>{_num(r.effect_b, '{:+.4f}')}</td><td>{_num(r.difference, '{:+.4f}')}</td>"
        f"<td>[{_num(r.ci_low, '{:+.4f}')}, {_num(r.ci_high, '{:+.4f}')}]</td>"
        f"<td>{_esc(r.test)}</td></tr>"
        for o, r in table.iterrows()
    )
    notes = comparison_notes(first, other)
    return (
        f"<p>A = <b>{_esc(first.scenario)}</b> (<code>{_esc(first.root)}</code>), B = "
        f"<b>{_esc(other.scenario)}</b> (<code>{_esc(other.root)}</code>); effect = shocked − "
        "baseline at the horizon.</p>"
        '<table><tr><th class="name">outcome</th><th>effect A</th><th>effect B</th>'
        f"<th>B − A</th><th>95% CI</th><th>test</th></tr>{rows}</table>"
        + "".join(f'<p class="note">Note: {_esc(n)}</p>' for n in notes)
    )


def comparison_notes(a: Any, b: Any) -> list[str]:
    """What a reader of a comparison must know: sizes that differ, outcomes left out.

    Parameters
    ----------
    a, b : sim.runner.EnsembleResults
        The runs compared (only their ``replicates`` and ``outcomes`` are read).

    Returns
    -------
    list of str
        One sentence per note; empty when the runs match in size and outcomes.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> a = SimpleNamespace(replicates=[0, 1], outcomes=["giant:axis", "strength:RUS-IRN"])
    >>> b = SimpleNamespace(replicates=[0, 1, 2], outcomes=["giant:axis"])
    >>> for note in comparison_notes(a, b):  # doctest: +NORMALIZE_WHITESPACE
    ...     print(note)
    the runs differ in size: A has 2 replicates, B has 3; each effect is the mean over its own
    run's replicates
    not compared, only in A: strength:RUS-IRN
    >>> comparison_notes(a, a)
    []
    """
    notes = []
    na, nb = len(a.replicates), len(b.replicates)
    if na != nb:
        notes.append(
            f"the runs differ in size: A has {na} replicates, B has {nb}; each effect is the "
            "mean over its own run's replicates"
        )
    only_a = [o for o in a.outcomes if o not in b.outcomes]
    only_b = [o for o in b.outcomes if o not in a.outcomes]
    if only_a:
        notes.append(f"not compared, only in A: {', '.join(only_a)}")
    if only_b:
        notes.append(f"not compared, only in B: {', '.join(only_b)}")
    return notes


def render_report(runs: Sequence[Any], *, title: str | None = None) -> str:
    """The HTML page for one or more stored runs.

    Parameters
    ----------
    runs : sequence of sim.runner.EnsembleResults
    title : str, optional
        The page title (default: the scenarios' names).

    Returns
    -------
    str
        A complete HTML document with every figure embedded as a base64 PNG; it refers to no
        file or address outside itself.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sim.runner import run_scenario
    >>> out = Path(tempfile.mkdtemp()) / "syria"
    >>> run = run_scenario("syria_loss", replicates=2, steps=3, executor="serial", out=out,
    ...                    quiet=True)
    >>> page = render_report([run])
    >>> page.startswith("<!DOCTYPE html>"), page.count("data:image/png;base64")
    (True, 2)
    >>> "<title>alliance-sim report: syria_loss</title>" in page
    True
    """
    from sim import __version__

    title = title or "alliance-sim report: " + ", ".join(r.scenario for r in runs)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
        f'<p class="meta">Written by alliance-sim {_esc(__version__)} on {now} from '
        f"{len(runs)} stored run{'s' if len(runs) != 1 else ''}.</p>",
    ]
    if len(runs) > 1:
        parts.append("<h2>Comparison</h2>")
        for other in runs[1:]:
            parts.append(_comparison(runs[0], other))
    for i, res in enumerate(runs, start=1):
        record = res.manifest["scenario"]
        question = record.get("question") or record.get("description") or ""
        parts += [
            f'<h2 id="run-{i}">{_esc(res.scenario)}</h2>',
            f"<p><i>{_esc(question)}</i></p>" if question else "",
            f'<p class="meta">Results <code>{_esc(res.root)}</code>: {len(res.replicates)} '
            f"replicates × 2 arms (shocked and paired baseline), {record.get('steps')} months "
            f"on world <code>{_esc(record.get('world_name', record.get('world')))}</code>"
            + (f" (month 0 = {_esc(record['world_as_of'])})" if record.get("world_as_of") else "")
            + f", root seed {_esc(record.get('seed'))}, run {_esc(res.manifest.get('created'))}"
            f" with the {_esc(res.manifest.get('executor'))} executor.</p>",
            "<h3>Summary</h3>",
            _summary_table(res),
            "<h3>Figures</h3>",
            f'<figure><img alt="{_esc(res.scenario)}: every outcome over time" '
            f'src="data:image/png;base64,{_png(outcome_figure(res))}">'
            "<figcaption>Each outcome over time: the median over replicates with 50% and 90% "
            "bands, shocked arm against its paired baseline; dashed lines mark the shocks."
            "</figcaption></figure>",
        ]
        ax = tie_figure(res, run_spec(res))
        if ax is not None:
            parts.append(
                f'<figure><img alt="{_esc(res.scenario)}: partnership strengths over time" '
                f'src="data:image/png;base64,{_png(ax.figure)}">'
                "<figcaption>Partnership strengths: shocked arm solid, baseline dashed."
                "</figcaption></figure>"
            )
        parts += [
            "<h3>Scenario</h3>",
            _scenario_text(res),
            "<h3>Package versions</h3>",
            _versions_table(res.manifest),
            "<details><summary>Manifest (seeds, parameters, hashes)</summary>",
            f"<pre>{_esc(json.dumps(res.manifest, indent=2, default=str))}</pre></details>",
        ]
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)


def write_report(runs: Sequence[Any], out: str | Path, *, title: str | None = None) -> Path:
    """Write :func:`render_report` to `out` atomically; returns the path.

    Parameters
    ----------
    runs : sequence of sim.runner.EnsembleResults
        The runs; with several, the first is compared with each of the others.
    out : str or Path
        The HTML file to write (replaced whole, never left half-written).
    title : str, optional
        The page title (default: the scenarios' names).

    Returns
    -------
    Path
        `out`.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sim.runner import run_scenario
    >>> out = Path(tempfile.mkdtemp()) / "syria"
    >>> run = run_scenario("syria_loss", replicates=2, steps=3, executor="serial", out=out,
    ...                    quiet=True)
    >>> path = write_report([run], out / "report.html", title="Syria, three months")
    >>> path.name, "<title>Syria, three months</title>" in path.read_text()
    ('report.html', True)
    """
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window
    from sim._files import atomic_write_text

    return atomic_write_text(Path(out), render_report(runs, title=title))
