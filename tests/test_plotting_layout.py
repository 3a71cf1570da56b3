"""Label placement on the map (sim.plotting.layout): labels spread apart, inside the map and
beside their points."""

import datetime as dt

import matplotlib

matplotlib.use("Agg")
import numpy as np
from matplotlib.text import Text

from sim.plotting import (
    label_overlap,
    plot_before_after,
    plot_world,
)
from sim.shocks import RemoveState
from sim.world import Actor, PartnershipTie, World
from tests.helpers import actor_points, by_gid, label_texts

DAY = dt.date(2020, 1, 1)


def dense_world(seed: int = 7) -> World:
    """A layout the size of the default world: 38 actors from the Americas to East Asia, with a
    crowded Middle East and militias sharing their host's coordinates."""
    rng = np.random.default_rng(seed)
    boxes = [  # (count, lon range, lat range)
        (18, (30, 60), (12, 42)),
        (8, (-5, 40), (45, 57)),
        (6, (60, 126), (25, 52)),
        (4, (-87, -60), (10, 40)),
    ]
    actors = []
    for count, (x0, x1), (y0, y1) in boxes:
        for _ in range(count):
            actors.append(
                Actor(
                    f"A{len(actors):02d}",
                    "x",
                    bloc=("axis", "west", "neutral")[len(actors) % 3],
                    lon=round(float(rng.uniform(x0, x1)), 2),
                    lat=round(float(rng.uniform(y0, y1)), 2),
                    capability=round(float(rng.uniform(0.05, 1.0)), 2),
                )
            )
    for host in actors[:2]:  # militias at their host's capital
        actors.append(
            Actor(f"M{host.id}", "x", kind="non_state", bloc="axis", lon=host.lon, lat=host.lat)
        )
    ids = [a.id for a in actors]
    ties = [
        PartnershipTie(DAY, "test", a=ids[i], b=ids[(i * 7 + 3) % len(ids)], strength=0.5)
        for i in range(0, 30, 2)
    ]
    return World(tuple(actors), tuple(ties), name="dense")


def _label_gaps(ax) -> dict[str, float]:
    """Distance in points from each map label's text to its actor's marker edge."""
    fig = ax.figure
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    sizes = {}
    for coll in by_gid(ax, "actors:"):
        for xy, s in zip(
            coll.get_offsets(),
            np.broadcast_to(coll.get_sizes(), len(coll.get_offsets())),
            strict=True,
        ):
            sizes[tuple(np.round(xy, 6))] = s
    gaps = {}
    for t in by_gid(ax, "label:"):
        px = ax.transData.transform(t.xy)
        box = Text.get_window_extent(t, renderer)  # the text alone, not its leader line
        dx = max(box.x0 - px[0], 0, px[0] - box.x1)
        dy = max(box.y0 - px[1], 0, px[1] - box.y1)
        radius = np.sqrt(sizes.get(tuple(np.round(t.xy, 6)), 0)) / 2
        gaps[t.get_gid()] = float(np.hypot(dx, dy)) / fig.dpi * 72 - radius
    return gaps


def test_actors_sharing_coordinates_are_spread_apart():
    w = World(
        (Actor("LBN", "Lebanon", lon=35.5, lat=33.9), Actor("HEZ", "H", lon=35.5, lat=33.9)),
        name="two",
    )
    pts = actor_points(plot_world(w))
    assert len(pts) == 2 and not np.allclose(pts[0], pts[1])
    assert np.all(np.hypot(pts[:, 0] - 35.5, pts[:, 1] - 33.9) < 1.0)


def test_labels_do_not_pile_up_on_a_default_world_sized_layout():
    w = dense_world()
    naive = label_overlap(plot_world(w, avoid_overlap=False))
    ax = plot_world(w)
    placed = label_overlap(ax)
    assert naive > 0  # the layout is crowded enough to need the placement pass
    assert placed == 0.0
    assert sorted(label_texts(ax)) == sorted(w.ids)
    # every label stays inside the map
    box = ax.get_window_extent()
    for t in by_gid(ax, "label:"):
        e = Text.get_window_extent(t)  # without the leader line
        assert box.x0 - 1 <= e.x0 and e.x1 <= box.x1 + 1 and box.y0 - 1 <= e.y0 <= box.y1 + 1
    x0, x1 = ax.get_xlim()
    assert x0 < -87 and x1 > 126


def test_map_labels_sit_beside_their_points_even_where_crowded():
    import sim
    from sim.plotting import LABEL_GAP_MAX

    world = sim.load_world()
    model = sim.AllianceModel(world, shocks=[RemoveState("SYR", at=0)], rng=1)
    model.run_for(3)
    # the notebook's figure: two panels, the Levant crowded, Syria's label once beside Qatar
    for ax in plot_before_after((world, model), layer="supply"):
        gaps = _label_gaps(ax)
        assert len(gaps) == len(world.actors)
        worst = max(gaps, key=gaps.get)
        assert gaps[worst] <= LABEL_GAP_MAX + 0.5, (worst, gaps[worst])
