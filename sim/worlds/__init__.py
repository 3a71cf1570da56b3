"""Embedded worlds shipped as data files, their loader, and the one "name or path?" rule."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

from sim.errors import Problem, UnknownNameError, suggest
from sim.world import World
from sim.worlds.synthetic import synthetic

__all__ = [
    "DEFAULT_WORLD",
    "list_worlds",
    "load_world",
    "resolve",
    "resolve_problem",
    "synthetic",
    "world_path",
]

#: The embedded world used when none is named.
DEFAULT_WORLD = "axis-2024"


def list_worlds() -> list[str]:
    """Names of the embedded worlds.

    Returns
    -------
    list of str
        Sorted; each loads with :func:`load_world`.

    Examples
    --------
    >>> from sim.worlds import list_worlds
    >>> "axis-2024" in list_worlds()
    True
    """
    root = resources.files(__name__)
    return sorted(p.name.removesuffix(".toml") for p in root.iterdir() if p.name.endswith(".toml"))


Kind = Literal["world", "scenario", "episode", "any"]
_FILE = {
    "world": "a world file",
    "scenario": "a scenario file",
    "episode": "an episode file",
    "any": "a world or scenario file",
}
_NAMED = {
    "world": "an embedded world",
    "scenario": "a shipped scenario",
    "episode": "a shipped episode",
    "any": "an embedded world or shipped scenario",
}


def _named(kind: Kind) -> dict[str, Path | str]:
    """What each name of `kind` stands for: an embedded world's name, or a shipped file."""
    from sim.history.episode import episode_files
    from sim.scenario import _scenario_dirs, list_scenarios

    named: dict[str, Path | str] = {}
    if kind in ("world", "any"):
        named.update({w: w for w in list_worlds()})
    if kind in ("scenario", "any"):
        for n in list_scenarios():
            path = next(d / f"{n}.toml" for d in _scenario_dirs() if (d / f"{n}.toml").exists())
            named.setdefault(n, path)  # a world of the same name comes first
    if kind == "episode":
        named.update(episode_files())
    return named


def resolve(
    name_or_path: str | Path, kind: Kind = "world", *, base: str | Path | None = None
) -> Path | str:
    """Decide whether an argument names an embedded world, a shipped scenario or episode, or a file.

    The one rule every reader follows: a :class:`~pathlib.Path`, or a string with a ``.toml``
    or ``.json`` suffix or a path separator, is a file path (relative to `base` when given); else
    an embedded world's name is that world, a shipped scenario's or episode's name is its file;
    else an existing file is that file.

    Parameters
    ----------
    name_or_path : str or Path
    kind : {"world", "scenario", "episode", "any"}
        What may be named.
    base : path, optional
        The directory relative paths start from (a scenario's folder for its world).

    Returns
    -------
    Path or str
        A path (it may not exist: its reader says so), or the name of an embedded world.

    Raises
    ------
    UnknownNameError
        Neither a path nor a known name; the message lists the names and suggests the closest.

    Examples
    --------
    >>> resolve("axis-2024")
    'axis-2024'
    >>> resolve("my_world.toml", base="/data")
    PosixPath('/data/my_world.toml')
    >>> resolve("syria_2024", "episode").name
    'syria_2024.toml'
    """
    problem = resolve_problem(name_or_path, kind, where="", base=base)
    if problem is not None:
        text = f"{name_or_path!r} is {problem.message} ({problem.allowed})"
        raise UnknownNameError(text + (f"; {problem.suggestion}" if problem.suggestion else ""))
    return _resolve(name_or_path, kind, base)


def resolve_problem(
    name_or_path: object, kind: Kind = "world", *, where: str, base: str | Path | None = None
) -> Problem | None:
    """What :func:`resolve` would reject, as a :class:`~sim.errors.Problem` at `where` (else
    None): for readers that collect every problem of a file.

    Parameters
    ----------
    name_or_path : object
        What the file gave.
    kind : {"world", "scenario", "episode", "any"}
        What may be named.
    where : str
        The file and key path the problem is reported at.
    base : path, optional
        The directory relative paths start from.

    Returns
    -------
    sim.errors.Problem or None

    Examples
    --------
    >>> from sim.worlds import resolve_problem
    >>> resolve_problem("axis-2024", where="s.toml world") is None
    True
    >>> print(resolve_problem("axis-2042", where="s.toml world").suggestion)
    did you mean 'axis-2025'?
    """
    if isinstance(name_or_path, Path) or _looks_like_path(str(name_or_path)):
        return None
    text = str(name_or_path)
    named = _named(kind)
    if text in named or (Path(base or ".") / text).is_file():
        return None
    names = list(named)
    return Problem(
        where,
        f"neither {_FILE[kind]} nor {_NAMED[kind]}",
        text,
        ", ".join(names) or "none installed",
        suggest(text, names),
    )


def _looks_like_path(text: str) -> bool:
    return Path(text).suffix in (".toml", ".json") or "/" in text or "\\" in text


def _resolve(name_or_path: str | Path, kind: Kind, base: str | Path | None) -> Path | str:
    text = str(name_or_path)
    if not isinstance(name_or_path, Path) and not _looks_like_path(text):
        named = _named(kind)
        if text in named:
            return named[text]
    p = Path(name_or_path)
    return p if base is None or p.is_absolute() else Path(base) / p


def world_path(name: str = DEFAULT_WORLD) -> Path:
    """The file behind an embedded world; ``KeyError`` with a suggestion when unknown.

    Parameters
    ----------
    name : str
        An embedded world (:func:`list_worlds`).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    sim.errors.UnknownNameError
        For a name that is not an embedded world.

    Examples
    --------
    >>> from sim.worlds import world_path
    >>> world_path("axis-2024").name
    'axis-2024.toml'
    """
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

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        The name of an embedded world (:func:`list_worlds`), or the path of a ``.toml`` or
        ``.json`` world file.

    Returns
    -------
    sim.world.World
        Validated and frozen.

    Examples
    --------
    >>> w = load_world()
    >>> "SYR" in w and len(w) >= 35
    True
    """
    found = resolve(name_or_path, "world")
    if isinstance(found, str):
        return World.from_toml(world_path(found))
    return World.from_json(found) if found.suffix == ".json" else World.from_toml(found)
