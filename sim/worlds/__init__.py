"""Embedded worlds shipped as data files, and their loader."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sim.errors import UnknownNameError, suggest
from sim.world import World
from sim.worlds.synthetic import synthetic

__all__ = ["DEFAULT_WORLD", "list_worlds", "load_world", "synthetic", "world_path"]

DEFAULT_WORLD = "axis-2024"


def list_worlds() -> list[str]:
    """Names of the embedded worlds."""
    root = resources.files(__name__)
    return sorted(p.name.removesuffix(".toml") for p in root.iterdir() if p.name.endswith(".toml"))


def world_path(name: str = DEFAULT_WORLD) -> Path:
    """The file behind an embedded world; ``KeyError`` with a suggestion when unknown."""
    names = list_worlds()
    if name not in names:
        hint = suggest(name, names)
        raise UnknownNameError(
            f"unknown embedded world {name!r}; available: {', '.join(names)}"
            + (f"; {hint}" if hint else "")
        )
    return Path(str(resources.files(__name__).joinpath(f"{name}.toml")))


def load_world(name_or_path: str | Path = DEFAULT_WORLD) -> World:
    """Load an embedded world by name (default ``"axis-2024"``) or a world file by path.

    Examples
    --------
    >>> w = load_world()
    >>> "SYR" in w and len(w) >= 35
    True
    """
    p = Path(name_or_path)
    if isinstance(name_or_path, Path) or p.suffix in (".toml", ".json"):
        return World.from_json(p) if p.suffix == ".json" else World.from_toml(p)
    return World.from_toml(world_path(str(name_or_path)))
