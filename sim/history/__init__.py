"""History: worlds built from data for any year, and hindcasts of real episodes.

:func:`build_world` turns SIPRI, COW or ATOP, and NMC files into the world at the end of a
year; an episode (``scenarios/history/*.toml``) applies a historical shock to that world, and
:func:`hindcast` scores the model's predicted arms flows against what SIPRI recorded
afterwards, beside two null models.
"""

from sim.history.episode import Episode, episode_shocks, load_episode, parse_episode
from sim.history.hindcast import PREDICTORS, Hindcast, hindcast
from sim.history.world import (
    NONALIGNED,
    RIVALRY_INTENSITY,
    SUCCESSORS,
    Rivalry,
    arms_flows,
    build_world,
    detect_blocs,
    rivalries,
    sipri_years,
)

__all__ = [
    "NONALIGNED",
    "PREDICTORS",
    "RIVALRY_INTENSITY",
    "SUCCESSORS",
    "Episode",
    "Hindcast",
    "Rivalry",
    "arms_flows",
    "build_world",
    "detect_blocs",
    "episode_shocks",
    "hindcast",
    "load_episode",
    "parse_episode",
    "rivalries",
    "sipri_years",
]
