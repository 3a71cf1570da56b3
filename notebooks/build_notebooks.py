"""Write the example notebooks (``notebooks/*.ipynb``) from the cells below, without outputs.

The notebooks are generated so that their code stays reviewable as Python and so that no output
is ever stored in git: edit this file, then run ``python notebooks/build_notebooks.py``.
``tests/test_notebooks.py`` checks the committed files match this script and runs each one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

# The replicate count the notebooks use; small so that each runs in seconds. Raise it for
# tighter intervals (the runner's intervals shrink like 1/sqrt(replicates)).
SETUP = """\
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import sim

REPLICATES = 8  # small so the notebook runs in seconds; 50+ for publication-grade intervals
"""


def md(text: str):
    return new_markdown_cell(text.strip())


def code(text: str):
    return new_code_cell(text.strip())


NOTEBOOKS: dict[str, list] = {}

# -- 01 ---------------------------------------------------------------------------------------
NOTEBOOKS["01_syria_loss"] = [
    md("""
# 01 — The loss of Syria, end to end

On 8 December 2024 the Assad government fell. For the "axis" around Russia and Iran this cut
the land bridge Iran → Iraq → Syria → Lebanon that supplied Hezbollah, and removed a state that
hosted Russian bases. Six weeks later, on 17 January 2025, Russia and Iran signed a
*Comprehensive Strategic Partnership Treaty* — twenty years, closer cooperation, but no mutual
defence clause — whose text had been settled before Syria fell (the draft approved in September
2024, called ready for signing in October). The treaty is an event, not evidence that Syria's
fall drew the two together.

This notebook runs the seed story of the project through every layer: the default world
(`axis-2024`, as of 26 November 2024), the shock (`RemoveState("SYR", at=0)`), an ensemble of
paired runs (each shocked run has a baseline run with the same random numbers), and the
questions: *what broke*, and *how did the Russia–Iran tie move* — an open question the model
answers (no parameter was set from it), and then what a treaty, added as an event, changes.
"""),
    code(SETUP),
    md("""
## The world before the shock

38 actors in three blocs, with partnership, supply and rivalry layers. Supply ties follow
routes through transit states; Iran's arms to Hezbollah go through Iraq and Syria.
"""),
    code("""
world = sim.load_world()
print(world.summary())
route = next(t for t in world.ties_in("supply") if (t.supplier, t.recipient) == ("IRN", "HEZ"))
print("IRN -> HEZ route:", " -> ".join(["IRN", *route.route.via, "HEZ"]))
"""),
    md("""
## The scenario and the ensemble

`scenarios/syria_loss.toml` removes Syria in the first month. `run_scenario` runs each
replicate twice from the same seed — with and without the shock — and stores both arms; the
summary reports the paired difference at the horizon (36 months) with a t-interval over
replicates, and resilience figures of the shocked arm against the baseline.
"""),
    code("""
spec = sim.load_scenario("syria_loss")
print(spec.question)
results = sim.run_scenario(spec, replicates=REPLICATES, executor="serial", quiet=True)
print(results.format_summary())
"""),
    md("""
## What broke

The supply of Hezbollah is the direct casualty: deliveries from Iran fall to the small volume
the air route can carry, and Hezbollah's capability decays towards what that supports. The
axis loses one member (its giant component drops by one actor out of 14) and its average
fulfilment falls. The map shows the state after three months: Syria crossed out, and the supply
ties whose delivered volume fell to zero drawn dotted.
"""),
    code("""
from sim.plotting import plot_before_after, plot_timeseries

model = sim.AllianceModel(world, shocks=spec.shocks, rng=1)
model.run_for(3)
axes = plot_before_after((world, model), layer="supply", titles=("26 Nov 2024", "after 3 months"))
plt.show()
"""),
    code("""
fig, axs = plt.subplots(1, 3, figsize=(15, 4), layout="constrained")
for ax, outcome in zip(axs, ["delivered:IRN->HEZ", "capability:HEZ", "fulfilment:axis"]):
    plot_timeseries(results, outcome, ax=ax)
plt.show()
"""),
    code("""
summary = results.summary()
hez = summary.loc["delivered:IRN->HEZ"]
print(f"IRN->HEZ deliveries at 36 months: {hez.shock_mean:.1f} vs {hez.baseline_mean:.1f} "
      f"without the shock ({hez.shock_mean / hez.baseline_mean:.0%} of the baseline)")
assert hez.ci_high < 0, "losing Syria must cut Iran's deliveries to Hezbollah"
"""),
    md("""
## How the Russia–Iran tie moved

In the model a partnership's target strength shifts, in log-odds, with the relative change of
what the partners deliver to each other, of how much each depends on the other and of the
threat they share. Losing Syria changes each of these a little; the paired difference below is
the model's answer to "did the shock push Russia and Iran together?" — with its interval.
"""),
    code("""
frame = results.model_frame
paired = frame.pivot_table(index=["replicate", "step"], columns="arm", values="strength:RUS-IRN")
diff = (paired["shock"] - paired["baseline"]).groupby(level="step").agg(["mean", "std", "count"])
diff["ci"] = 1.96 * diff["std"] / np.sqrt(diff["count"])
ax = plot_timeseries(results, "strength:RUS-IRN")
plt.show()
print(diff.loc[[1, 2, 6, 12, 36], ["mean", "ci"]].round(4))
"""),
    md("""
## The answer, and the treaty as an event

The model's answer is a small effect, well inside the ±0.05 an expert would expect of either
sign: losing a 0.03-capability ally moves a tie between two large partners very little. It is
not a validation of the treaty — the treaty's text predates the shock — and the model is not
asked to produce treaties. A scenario can *add* one: `rus_irn_defence_clause` signs the treaty in
January 2025 in both arms, as signed (a strategic partnership) in the baseline and with a mutual
defence clause in the shocked arm, and then strikes Iran's industry in June 2025. The difference
is the effect of the clause alone.
"""),
    code("""
at_12 = diff.loc[12]
print(f"RUS-IRN strength, shocked minus baseline, at 12 months: "
      f"{at_12['mean']:+.4f} ± {at_12['ci']:.4f}")
assert abs(at_12["mean"]) < 0.05, "a small effect, of either sign"

clause = sim.run_scenario("rus_irn_defence_clause", replicates=REPLICATES, executor="serial",
                          quiet=True)
print(clause.format_summary())
"""),
]

# -- 02 ---------------------------------------------------------------------------------------
NOTEBOOKS["02_failure_vs_attack"] = [
    md("""
# 02 — Random failure against targeted attack

Networks with heterogeneous degrees are robust to random failures and fragile to attacks on
their hubs (Albert, Jeong & Barabási 2000). This notebook measures both on the default world's
partnership layer, on synthetic worlds, and on Erdős–Rényi graphs where percolation theory gives
the exact curve, and checks the measured curves against theory.

A curve gives the fraction of the *original* actors in the largest connected component after a
fraction *f* of actors is removed — at random, or in decreasing order of degree or betweenness
(`sim.robustness.attack_curve`, one Newman–Ziff sweep per curve). Its mean over *f* is the
robustness *R* of Schneider et al. (2011).
"""),
    code(SETUP),
    code("""
import networkx as nx

from sim.plotting import plot_attack_curves
from sim.robustness import attack_curve
from sim.worlds import synthetic

world = sim.load_world()
curves = {s: attack_curve(world, s, rng=1) for s in ["degree", "adaptive-degree", "betweenness"]}
randoms = [attack_curve(world, "random", rng=seed) for seed in range(REPLICATES)]
curves["random"] = randoms[0]
plot_attack_curves(curves)
plt.show()
print("R (random, mean of", REPLICATES, "orders):", round(np.mean([c.robustness for c in randoms]), 3))
for name, c in curves.items():
    print(f"{name:>16}: R = {c.robustness:.3f}, fragmented after {c.critical_fraction:.0%}")
"""),
    md("""
The default world falls apart several times faster under attack than under random failure: a
few hubs (Russia, the United States, Iran) hold each bloc's layer together. Recomputing the
degree after each removal (`adaptive-degree`) is at least as damaging as the static order.
"""),
    code("""
r_random = np.mean([c.robustness for c in randoms])
assert curves["degree"].robustness < r_random
assert curves["adaptive-degree"].robustness <= curves["degree"].robustness + 1e-12
"""),
    md("""
## Theory: Erdős–Rényi graphs

For an Erdős–Rényi graph of mean degree *c*, removing a random fraction *f* of nodes leaves an
Erdős–Rényi graph of mean degree *c(1 − f)*, whose giant component is the solution *S* of
*S = 1 − exp(−c(1 − f) S)*; as a fraction of the original nodes it is *(1 − f) S*, and it
vanishes at *f_c = 1 − 1/c* (Molloy–Reed). We compare this with measured curves on graphs of
2,000 nodes.
"""),
    code("""
def er_giant(f, c):
    f = np.asarray(f, dtype=float)
    s = np.ones_like(f)
    for _ in range(500):  # fixed-point iteration converges from S = 1
        s = 1 - np.exp(-c * (1 - f) * s)
    return (1 - f) * s

c = 4.0
n = 2000
er = [nx.gnp_random_graph(n, c / n, seed=seed) for seed in range(REPLICATES)]
measured = [attack_curve(G, "random", rng=seed) for seed, G in enumerate(er)]
f = measured[0].fraction_removed
mean_curve = np.mean([m.giant_fraction for m in measured], axis=0)
ax = plot_attack_curves({"random (ER, c = 4)": measured[0],
                         "degree (ER, c = 4)": attack_curve(er[0], "degree", rng=0)},
                        theory=lambda x: er_giant(x, c))
plt.show()
gap = np.max(np.abs(mean_curve - er_giant(f, c)))
print(f"largest gap between theory and the mean of {REPLICATES} measured curves: {gap:.3f}")
print(f"f_c theory {1 - 1 / c:.2f}; measured where the mean curve falls below 0.05: "
      f"{f[np.argmax(mean_curve < 0.05)]:.2f}")
assert gap < 0.05
"""),
    md("""
Away from the threshold the measured curves follow the theory to within finite-size noise;
near *f_c* the finite graph keeps small clusters a little longer, which is the expected
finite-size rounding of a continuous transition.

## Synthetic worlds

`sim.worlds.synthetic` builds random worlds with two rival blocs (and hedgers), partnerships
inside the blocs, supply ties and transit routes. Their partnership layers are split in
blocs, so even intact their giant component is below one. Generalising the Molloy–Reed
criterion with the measured degree distribution, *f_c = 1 − 1/(κ − 1)* with *κ = ⟨k²⟩/⟨k⟩*,
estimates where random failure fragments them.
"""),
    code("""
rows = []
for seed in range(REPLICATES):
    w = synthetic(300, mean_degree=4, rng=seed)
    G = w.layer("partnership").to_undirected()
    deg = np.array([d for _, d in G.degree()], dtype=float)
    kappa = (deg ** 2).mean() / deg.mean()
    rnd = attack_curve(w, "random", rng=seed)
    att = attack_curve(w, "degree", rng=seed)
    rows.append({"seed": seed, "giant0": rnd.giant_fraction[0], "kappa": kappa,
                 "fc_molloy_reed": 1 - 1 / (kappa - 1),
                 "R_random": rnd.robustness, "R_degree": att.robustness})
table = pd.DataFrame(rows).set_index("seed")
print(table.round(3))
print(table.mean().round(3))
assert (table.R_degree < table.R_random).all()
"""),
    md("""
In every synthetic world the targeted attack is more damaging than random failure, as on the
default world and on Erdős–Rényi graphs: that ordering is the robust stylised fact. The
Molloy–Reed estimate is only a guide here, because the blocs are not one random graph.
"""),
]

# -- 03 ---------------------------------------------------------------------------------------
NOTEBOOKS["03_which_ally_matters"] = [
    md("""
# 03 — Which ally matters?

A *criticality* ranking removes one item at a time — an actor, a supply tie, or a transit
corridor — and measures how much a metric falls (`sim.robustness.criticality`). This notebook
ranks the default world's actors, ties and corridors by two metrics and compares the structural
ranking with the model's dynamic answer for a few of them.

- **fulfilment**: the share of supply needs met when everything flows (structural: removed
  actors send, receive and transit nothing, a closed corridor closes every route through it);
- **giant**: the fraction of actors in the largest component of the partnership layer.
"""),
    code(SETUP),
    code("""
from sim.plotting import plot_criticality
from sim.robustness import criticality

world = sim.load_world()
by_supply = criticality(world, metric="fulfilment")
by_structure = criticality(world, metric="giant", items="actors")
fig, axs = plt.subplots(1, 2, figsize=(14, 6), layout="constrained")
plot_criticality(by_supply, top=12, ax=axs[0])
plot_criticality(by_structure, top=12, ax=axs[1])
plt.show()
print(by_supply.head(10).to_string(index=False))
"""),
    md("""
## What the ranking means

The supply ranking is led by the great suppliers: Russia (whose loss removes most supplies to
and from it), then Iran and North Korea, whose munitions and troops Russia relies on. Corridors
follow: closing the Caspian route of the North–South Transport Corridor costs more than any
single small state, because every route through it closes at once. Single ties matter where
they are a recipient's only source.

The structural ranking is different: it rewards *connectors*. The United States holds the
western bloc's layer together and Russia the axis; Iran ties its partners of the axis into it.
An actor can rank high on one list and low on the other: Syria, for instance, is a transit
state that matters for Hezbollah's supplies but hardly for the connectivity of the partnership
layer.
"""),
    code("""
top_actor = by_supply[by_supply.kind == "actor"].iloc[0]
assert top_actor["item"] == "RUS"
corr = by_supply[by_supply.kind == "corridor"]
print("corridors by damage:")
print(corr[["item", "damage"]].to_string(index=False))
rank = {k: v.reset_index(drop=True) for k, v in by_supply.groupby("kind")}
syr_supply = by_supply.query("item == 'SYR'").damage.item()
syr_giant = by_structure.query("item == 'SYR'").damage.item()
print(f"SYR: supply damage {syr_supply:.3f}, structural damage {syr_giant:.3f}")
"""),
    md("""
## Structural rank against the model

The structural ranking ignores adaptation: rerouting, partners drawing closer, capability that
decays slowly. Running the model with each of a few actors removed (paired with a baseline)
measures the loss of axis fulfilment after 12 months instead.
"""),
    code("""
from sim.shocks import RemoveState

def dynamic_damage(actor, months=12, seeds=range(REPLICATES // 2)):
    out = []
    for seed in seeds:
        base = sim.AllianceModel(world, rng=seed)
        hit = sim.AllianceModel(world, shocks=[RemoveState(actor, at=0)], rng=seed)
        base.run_for(months)
        hit.run_for(months)
        b = base.datacollector.get_model_vars_dataframe()["fulfilment:axis"].iloc[-1]
        h = hit.datacollector.get_model_vars_dataframe()["fulfilment:axis"].iloc[-1]
        out.append(b - h)
    return float(np.mean(out))

candidates = ["IRN", "PRK", "SYR", "IRQ", "BLR"]
compare = pd.DataFrame({
    "structural": [by_supply.query("item == @a").damage.item() for a in candidates],
    "model, 12 months": [dynamic_damage(a) for a in candidates],
}, index=candidates)
print(compare.round(3))
rho = compare.corr(method="spearman").iloc[0, 1]
print("rank correlation:", round(rho, 2))
assert rho > 0
"""),
    md("""
The two rankings broadly agree on who matters most (a positive rank correlation); they differ
for two reasons. The structural metric counts every supply need of the world while the model
column is the *axis* bloc's fulfilment, so North Korea — whose shells and troops are a large
share of the world's needs met but one recipient inside the axis — ranks lower in the model.
And the model's dynamics add what the structure cannot see: supplies that reroute, and partners
whose loss weakens others over months rather than at once (Iran's loss also starves the
militias it arms, whose capability then decays).
"""),
]

# -- 04 ---------------------------------------------------------------------------------------
NOTEBOOKS["04_history_from_cow"] = [
    md("""
# 04 — A historical world from the Correlates of War alliance data

`sim.io` reads the Correlates of War *Formal Alliances* v4.1 files (Gibler 2009) into a world of
partnership ties. The notebook writes a small file in the format of
`alliance_v4.1_by_dyad.csv` — a few dyads of NATO, the Warsaw Pact, the US–Japan treaty and the
Sino-Soviet treaty of 1950, with COW country codes — builds the world of 1962 from it, and
analyses it like the default world. The real file works the same way (it is not shipped: it is
public and large).
"""),
    code(SETUP),
    code("""
import tempfile
from pathlib import Path

from sim.io import ImportReport, world_from_cow

# version4id, ccode1, ccode2, start day/month/year, end year, defense, neutrality,
# nonaggression, entente (COW codes: 2 USA, 200 UK, 220 France, 260 West Germany, 265 East
# Germany, 290 Poland, 310 Hungary, 315 Czechoslovakia, 325 Italy, 355 Bulgaria, 360 Romania,
# 365 USSR, 640 Turkey, 710 China, 740 Japan)
rows = [
    (2120, 2, 200, 4, 4, 1949, "", 1, 0, 0, 1), (2120, 2, 220, 4, 4, 1949, "", 1, 0, 0, 1),
    (2120, 200, 220, 4, 4, 1949, "", 1, 0, 0, 1), (2120, 2, 260, 9, 5, 1955, "", 1, 0, 0, 1),
    (2120, 2, 325, 4, 4, 1949, "", 1, 0, 0, 1), (2120, 2, 640, 18, 2, 1952, "", 1, 0, 0, 1),
    (2385, 2, 740, 8, 9, 1951, "", 1, 0, 0, 0),
    (2525, 365, 290, 14, 5, 1955, 1991, 1, 0, 1, 1), (2525, 365, 265, 14, 5, 1955, 1990, 1, 0, 1, 1),
    (2525, 365, 315, 14, 5, 1955, 1991, 1, 0, 1, 1), (2525, 365, 310, 14, 5, 1955, 1991, 1, 0, 1, 1),
    (2525, 365, 360, 14, 5, 1955, 1991, 1, 0, 1, 1), (2525, 365, 355, 14, 5, 1955, 1991, 1, 0, 1, 1),
    (2525, 290, 265, 14, 5, 1955, 1990, 1, 0, 1, 1), (2525, 290, 315, 14, 5, 1955, 1991, 1, 0, 1, 1),
    (2400, 365, 710, 14, 2, 1950, 1980, 1, 0, 0, 1),
]
header = ("version4id,ccode1,ccode2,dyad_st_day,dyad_st_month,dyad_st_year,dyad_end_year,"
          "defense,neutrality,nonaggression,entente")
folder = Path(tempfile.mkdtemp())
path = folder / "alliance_v4.1_by_dyad.csv"
path.write_text(header + "\\n" + "\\n".join(",".join(map(str, r)) for r in rows) + "\\n")
print(path.read_text()[:300])
"""),
    code("""
report = ImportReport()
world = world_from_cow(path, year=1962, report=report)
print(world.summary())
print(report)
assert len(world.actors) == 15 and len(world.ties_in("partnership")) == 16
"""),
    md("""
Each pair becomes one partnership whose kind and strength come from its strongest obligation
(a defence pact here), dated from the earliest dyad. Actors are named and placed at their
capitals from the shipped country-code table *for the year asked*: code 365 is the Soviet Union
in 1962, 260 the German Federal Republic. COW has no blocs, so every actor starts in one.
"""),
    code("""
from sim.plotting import plot_world

print({a.id: a.name for a in world.actors})
plot_world(world, layer="partnership", title="COW alliances in force in 1962 (sample)")
plt.show()
"""),
    md("""
## Robustness and criticality of the 1962 network

The sample has two components — the Western treaties around the United States and the Eastern
ones around the Soviet Union — and hubs at their centres, so a degree attack shatters it at
once while random failures wear it down.
"""),
    code("""
from sim.plotting import plot_attack_curves
from sim.robustness import attack_curve, criticality

curves = {"random": attack_curve(world, "random", rng=0), "degree": attack_curve(world, "degree", rng=0)}
plot_attack_curves(curves)
plt.show()
ranking = criticality(world, metric="efficiency", items="actors")
print(ranking.head(5).to_string(index=False))
assert set(ranking.item.iloc[:2]) == {"USA", "RUS"}
assert curves["degree"].robustness < curves["random"].robustness
"""),
    md("""
## Running the model on the historical world

The model runs on any world. With partnership ties only there are no supplies to deliver, so
fulfilment is undefined (NaN) and the dynamics reduce to tie maintenance: strengths settle on
their anchors. Removing the Soviet Union splits the eastern component.
"""),
    code("""
from sim.shocks import RemoveState

model = sim.AllianceModel(world, shocks=[RemoveState("RUS", at=3)], rng=1)
model.run_for(12)
frame = model.datacollector.get_model_vars_dataframe()
bloc = world.blocs[0]
print(frame[[f"alive:{bloc}", f"cohesion:{bloc}", f"giant:{bloc}"]].iloc[[0, 3, 4, 12]])
assert frame[f"giant:{bloc}"].iloc[4] <= frame[f"giant:{bloc}"].iloc[3]
"""),
]

# -- 05 ---------------------------------------------------------------------------------------
NOTEBOOKS["05_hindcasts"] = [
    md("""
# 05 — Hindcasts: predicted against observed arms flows

A model of alliance resilience earns trust by predicting what happened after real shocks it
was not fitted to. `sim.history` builds the world as it stood at the end of a year from research
data — SIPRI arms deliveries (supply), COW or ATOP alliances (partnership), COW National
Material Capabilities (capability), a table of strategic rivalries (Thompson & Dreyer 2011) —
applies a historical shock, runs the paired ensemble over the following years, and compares
each dyad's predicted change in arms flows with the change SIPRI recorded.

Two null models stand beside the model, as a sceptical reviewer would ask: **persistence**
(nothing changes) and **direct** (only the shocked actors' own flows change, by the shock's
immediate effect, frozen). The model earns its complexity only where it beats *direct*.

The notebook reads the real data files from `../shared/data/` beside the project when they are
there (they are not shipped: see their licences), and otherwise the project's small hand-written
fixtures, so that it runs anywhere; the numbers then illustrate the method only.
"""),
    code(SETUP),
    code("""
from pathlib import Path

from sim.history import build_world, hindcast, load_episode
from sim.io import ImportReport, read_sipri_records

ROOT = Path(sim.__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data"
FILES = {
    "sipri": REAL / "sipri-trade-register-2025-03-13.csv",
    "alliances": REAL / "atop5_1m.csv",
    "capabilities": REAL / "NMC-60-abridged.csv",
}
REAL_DATA = all(p.exists() for p in FILES.values())
if REAL_DATA:
    episodes = [ROOT / "scenarios" / "history" / f"{n}.toml"
                for n in ("egypt_realignment_1972", "soviet_collapse_1991")]
else:  # the hand-written fixtures of the test suite: invented deals, the method only
    FIX = ROOT / "tests" / "data" / "history"
    FILES = {"sipri": FIX / "sipri.csv", "alliances": FIX / "cow_member.csv",
             "capabilities": FIX / "nmc.csv"}
    episodes = [FIX / "sanction_2004.toml"]
records = read_sipri_records(FILES["sipri"], report=ImportReport())
print("real data" if REAL_DATA else "fixtures", len(records), "SIPRI records")
for e in episodes:
    print(" ", load_episode(e).question[:200], "...")
"""),
    md("""
## The world of the episode's year

The world is the one of 31 December of the year before the shock. Its description says where
every layer came from and each fallback taken (an alliance file that ends earlier, a missing
capability score). Blocs are communities of defence pacts and supply shares, each named after
its most capable member, so that an episode can write `to_bloc = "USA"` for any year.
"""),
    code("""
ep = load_episode(episodes[0])
world = build_world(ep.year, sipri=records, alliances=FILES["alliances"],
                    capabilities=FILES["capabilities"], window=ep.window)
print(world.summary())
print(world.description)
assert world.as_of.year == ep.year and max(a.capability for a in world.actors) == 1.0
"""),
    md("""
## Hindcasts

Each hindcast runs the episode's replicates (a shocked run and its baseline from the same seed)
over the window after the shock, and scores every dyad with a SIPRI flow in either window that
touches a shocked actor or one of its partners. Changes are log ratios of the mean monthly flow
after over before (with a floor of one million TIV a year, so flows that start or stop stay
finite). Spearman's ρ compares the ranks of predicted and observed changes; the direction
accuracy counts, among the dyads whose flow moved by more than a factor 1.5, those a predictor
calls up or down correctly. Persistence predicts no change anywhere, so its ρ is undefined.
"""),
    code("""
results = [hindcast(e, sipri=records, alliances=FILES["alliances"],
                    capabilities=FILES["capabilities"]) for e in episodes]
for h in results:
    print(h.table(), f"({h.seconds:.1f} s)")
    assert h.seconds < 60 and len(h.dyads) > 0
    assert h.to_dict()["persistence"]["spearman"] is None
"""),
    md("""
## Predicted against observed

Each point is a dyad: its observed change (horizontal) against the change a predictor expected
(vertical). Persistence sits on the zero line. The direct null moves only the shocked actors'
own flows; the model can also move flows that do not touch them — through capability, support
and, once the model's volumes follow the ties, through substitution.
"""),
    code("""
fig, axes = plt.subplots(len(results), 3, figsize=(12, 3.6 * len(results)), squeeze=False,
                         layout="constrained")
for row, h in zip(axes, results):
    df = h.dyads
    for ax, p in zip(row, ("model", "persistence", "direct")):
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        ax.scatter(df["observed"], df[p], s=12, alpha=0.6)
        rho = h.metrics[p]["spearman"]
        ax.set_title(f"{h.episode.name}: {p}" + ("" if np.isnan(rho) else f" (ρ = {rho:+.2f})"),
                     fontsize=9)
        ax.set_xlabel("observed log change")
        ax.set_ylabel("predicted log change")
plt.show()
"""),
    md("""
## Reading the numbers

The table in `docs/validation.md` holds every shipped episode, regenerated with
`alliance-sim hindcast scenarios/history/*.toml --sipri ... --atop ... --nmc ... --markdown`.
Two cautions when reading it. Arms deliveries are lumpy: most dyads move by more than a factor
1.5 between two five-year windows whatever happens, and a model whose volumes do not yet respond
to ties predicts small changes, so its direction accuracy is near zero, like the nulls'. And
Spearman's ρ ranks even minute predicted changes: a correlation from changes of a fraction of a
percent says which way the model leans, not that it predicts the size of what happened.
"""),
    code("""
table = pd.DataFrame(
    [{"episode": h.episode.name, "predictor": p, "dyads": len(h.dyads),
      "spearman": h.metrics[p]["spearman"], "direction_accuracy": h.metrics[p]["direction_accuracy"]}
     for h in results for p in ("model", "persistence", "direct")]
)
print(table.to_string(index=False, float_format=lambda x: f"{x:+.2f}"))
"""),
]


# -- 06 ---------------------------------------------------------------------------------------
NOTEBOOKS["06_the_world_now"] = [
    md("""
# 06 — The world now: axis-2025 and the shocks of 2026

The default world is the network on 26 November 2024, on the eve of Syria's fall. A second
embedded world, `axis-2025`, is the same 38 actors on 31 December 2025, after a year in which
Assad fell, the Russia–Iran treaty came into force (no defence clause), Russia signed a treaty
with Venezuela, Israel and the US fought Iran for twelve days in June, the UN sanctions on Iran
snapped back, the Houthis and the US agreed a truce and Armenia and Azerbaijan signed a peace
declaration in Washington. Every change is sourced in the world file and listed, generated
from the two files, in `docs/data.md`.

Then two shocks came after the end of that data: the capture of Nicolás Maduro by US forces on
3 January 2026, and the US–Israeli strikes of 28 February 2026 that killed Ali Khamenei. They
are out-of-sample tests: the patterns of what followed were written down (with sources) and
committed before the model was run on them. This notebook puts the two worlds side by side,
runs the two 2026 scenarios, and sets the model's answer beside what happened and beside the
`inertia` null, in which ties never move unless a shock ends them.
"""),
    code(SETUP),
    md("""
## The two worlds side by side

The same actors; what moved is Syria (from the axis to the hedging bloc), a handful of ties
gained and lost, and strengths and volumes that rose or fell with the year's events.
"""),
    code("""
from sim.worlds import world_path
from sim.worlds.docgen import changes, removed_ties

old, new = sim.load_world("axis-2024"), sim.load_world("axis-2025")
side = pd.DataFrame({
    w.name: {
        "as of": w.as_of,
        "actors": len(w),
        **{f"bloc {b}": sum(a.bloc == b for a in w.actors) for b in ("axis", "west", "hedging")},
        **{f"{lay} ties": len(w.ties_in(lay)) for lay in ("partnership", "supply", "rivalry")},
        "unverified ties": sum(not t.verified for t in w.ties),
    }
    for w in (old, new)
})
print(side)
section = changes(old, new, reasons=removed_ties(world_path("axis-2025").read_text()))
print("\\n".join(line for line in section.splitlines() if line.startswith("###")))
assert new.actor("SYR").bloc == "hedging" and old.actor("SYR").bloc == "axis"
"""),
    code("""
def strength(w, a, b):
    ties = [t for t in w.ties_in("partnership") if {t.a, t.b} == {a, b}]
    return ties[0].strength if ties else 0.0

pairs = [("RUS", "IRN"), ("RUS", "SYR"), ("IRN", "SYR"), ("RUS", "VEN"), ("IRN", "HEZ"),
         ("USA", "AZE")]
ties = pd.DataFrame({"axis-2024": [strength(old, *p) for p in pairs],
                     "axis-2025": [strength(new, *p) for p in pairs]},
                    index=[f"{a}–{b}" for a, b in pairs])
ax = ties.plot.barh(figsize=(7, 3.5), title="Partnership strength, end of 2024 and 2025")
ax.set_xlabel("strength (0–1)")
plt.show()
assert ties.loc["RUS–IRN", "axis-2025"] == 0.5 and ties.loc["IRN–SYR", "axis-2025"] == 0
"""),
    md("""
## The 2026 shocks as scenarios

`venezuela_2026` moves Venezuela out of the axis on 3 January 2026 (its interim government
turned to Washington for its oil): a defection cuts its ties with its former bloc, including
its oil to Cuba. `iran_war_2026` cuts Iran's capability by 40% and its production by half on
28 February 2026, a judgement of what killing the leadership and much of the military did.
Neither scenario can express intelligence sharing, the succession, or Hezbollah's decision to
fire: those are what the shock leaves out, not outcomes the model could miss.
"""),
    code("""
runs = {name: sim.run_scenario(name, replicates=REPLICATES, steps=12, executor="serial",
                               quiet=True)
        for name in ("venezuela_2026", "iran_war_2026")}
for name, res in runs.items():
    print(name)
    print(res.summary()[["shock_mean", "baseline_mean", "difference", "ci_low", "ci_high"]]
          .round(3).to_string())
"""),
    code("""
from sim.plotting import plot_timeseries

fig, axs = plt.subplots(1, 3, figsize=(15, 4), layout="constrained")
plot_timeseries(runs["venezuela_2026"], "delivered:VEN->CUB", ax=axs[0])
plot_timeseries(runs["venezuela_2026"], "capability:CUB", ax=axs[1])
plot_timeseries(runs["iran_war_2026"], "strength:RUS-IRN", ax=axs[2])
plt.show()
"""),
    md("""
## The model's answer against what happened

The out-of-sample patterns (`sim.patterns.OUT_OF_SAMPLE_2026`) state what the sources say
happened in the three months after each shock; `docs/validation.md` gives each with its
sources. Here they are evaluated on a few paired seeds for the model's default tie submodel
and for the `inertia` null. The lesson is in the comparison: the model passes every tested
pattern, and so does the null. The 2026 shocks test what a defection and a degraded producer
do directly — supplies stop, a dependent client weakens, nobody rushes to the rescue — not how
ties evolve, so they give no evidence for or against the tie dynamics.
"""),
    code("""
from sim.patterns import OUT_OF_SAMPLE_2026, OUT_OF_SAMPLE_WORLD, evaluate_catalogue, table

results = evaluate_catalogue(OUT_OF_SAMPLE_2026, seeds=range(4),
                             world=sim.load_world(OUT_OF_SAMPLE_WORLD),
                             tie_models=(sim.ModelParams().tie_model, "inertia"))
rows = table(results)
frame = pd.DataFrame([{"pattern": r["pattern"], "criterion": r["criterion"],
                       **{m: f"{r[m][1]} {r[m][2]}" for m in ("logodds", "inertia")}}
                      for r in rows])
print(frame.to_string(index=False))
tested = [r for r in results if not r.pattern.open_question]
assert all(r.status == "pass" for r in tested)
"""),
]


def build(out: Path = HERE) -> list[Path]:
    """Write every notebook; returns the paths written."""
    written = []
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(cells=cells)
        for i, cell in enumerate(nb.cells):
            cell.id = f"c{i:02d}"  # stable ids, so rebuilding changes nothing
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        path = out / f"{name}.ipynb"
        nbformat.validate(nb)
        path.write_text(nbformat.writes(nb) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p)
