"""Episode files: a historical shock to the world of a year, parsed and validated.

An episode is a TOML file (``scenarios/history/*.toml``) whose opening comment says why the
episode, what happened and the sources::

    # Why this episode, what happened, sources.
    [episode]
    name = "egypt_realignment_1972"
    year = 1971          # the world is built at the end of this year; month 0 = January 1972
    window = 5           # years of data before (world volumes) and after (observed outcome)
    replicates = 20
    seed = 1972
    [[shocks]]           # the scenario shock keys (sim.shocks.SHOCKS), months from month 0
    type = "defect"
    target = "EGY"
    to_bloc = "USA"      # blocs are named after their most capable member
    at = 6

The file is read in two passes: :func:`parse_episode` checks what the file alone can tell
(keys, types, a shock before month 0 or after the window), :func:`episode_shocks` checks the
shocks against the world built for the year (an actor or bloc that did not exist then).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import Problem, UnknownNameError, ValidationError, suggest
from sim.world import World, read_toml_text

__all__ = [
    "Episode",
    "episode_files",
    "episode_shocks",
    "list_episodes",
    "load_episode",
    "parse_episode",
    "shocked_actors",
]


def episode_files() -> dict[str, Path]:
    """The shipped episodes (``scenarios/history/NAME.toml``) by name.

    A source checkout keeps them in ``<repo>/scenarios/history``, a wheel in
    ``sim/_scenarios/history`` (the same folders as the shipped scenarios).

    Returns
    -------
    dict of str to pathlib.Path
        Name (file stem) to file, sorted by name.

    Examples
    --------
    >>> from sim.history.episode import episode_files
    >>> episode_files()["syria_2024"].parts[-2:]
    ('history', 'syria_2024.toml')
    """
    from sim.scenario import _scenario_dirs

    found: dict[str, Path] = {}
    for d in _scenario_dirs():
        for p in sorted((d / "history").glob("*.toml")):
            found.setdefault(p.stem, p)
    return dict(sorted(found.items()))


def list_episodes() -> list[str]:
    """Names of the shipped episodes, each a name :func:`sim.worlds.resolve` accepts.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from sim.history.episode import list_episodes
    >>> "egypt_realignment_1972" in list_episodes()
    True
    """
    return list(episode_files())


_TOP_KEYS = ("episode", "shocks")
_EPISODE_KEYS = {
    "name": "a short name (default: the file name)",
    "description": "one sentence (optional)",
    "year": "the year whose end the world is built at, e.g. 1971",
    "window": "years before and after the shock, an integer >= 1 (default 5)",
    "replicates": "an integer >= 1 (default 20)",
    "seed": "an integer >= 0",
}


@dataclass(frozen=True)
class Episode:
    """A parsed episode file: the year, the window, the ensemble and the raw shock tables.

    Attributes
    ----------
    name, description, question : str
        ``question`` is the file's opening comment (why, what happened, sources).
    year, window, replicates, seed : int
    shocks : tuple of dict
        The ``[[shocks]]`` tables as written; :func:`episode_shocks` builds them for a world.
    source : str
        The file read.
    text : str
        Its text (for line numbers in later messages).
    sha256 : str
        Of the text.

    Examples
    --------
    >>> from sim.history.episode import parse_episode
    >>> episode = parse_episode(
    ...     "# Russia's deliveries to Syria stop in July 2005.\\n"
    ...     "[episode]\\nname = 'sanction'\\nyear = 2004\\nwindow = 3\\n"
    ...     "replicates = 4\\nseed = 7\\n"
    ...     "[[shocks]]\\ntype = 'cut_tie'\\ntarget = ['RUS', 'SYR']\\nat = 6\\n"
    ... )
    >>> type(episode).__name__, episode.replicates, episode.seed
    ('Episode', 4, 7)
    """

    name: str
    year: int
    window: int
    replicates: int
    seed: int
    shocks: tuple[dict[str, Any], ...] = ()
    description: str = ""
    question: str = ""
    source: str = "<text>"
    text: str = field(default="", repr=False)
    sha256: str = ""

    @property
    def months(self) -> int:
        """Months simulated: the window after the shock."""
        return 12 * self.window


def _leading_comment(text: str) -> str:
    out = []
    for line in text.splitlines():
        if line.startswith("#"):
            out.append(line.lstrip("#").strip())
        elif line.strip():
            break
    return " ".join(x for x in out if x)


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def parse_episode(text: str, *, origin: str = "<text>") -> Episode:
    """Parse episode TOML text, reporting every problem the file alone shows at once.

    Parameters
    ----------
    text : str
        The TOML text: an ``[episode]`` table (``name``, ``description``, ``year``, ``window``,
        ``replicates``, ``seed``) and ``[[shocks]]`` tables as in a scenario file.
    origin : str
        The file name used in messages.

    Returns
    -------
    Episode

    Raises
    ------
    ValidationError
        Unknown tables or keys, bad types, a shock without a type or before month 0, a shock
        after the window, each with the file, line and key path.

    Examples
    --------
    >>> from sim.history.episode import parse_episode
    >>> episode = parse_episode(
    ...     "# Russia's deliveries to Syria stop in July 2005.\\n"
    ...     "[episode]\\nname = 'sanction'\\nyear = 2004\\nwindow = 3\\n"
    ...     "replicates = 4\\nseed = 7\\n"
    ...     "[[shocks]]\\ntype = 'cut_tie'\\ntarget = ['RUS', 'SYR']\\nat = 6\\n"
    ... )
    >>> episode.name, episode.year, episode.window, episode.question
    ('sanction', 2004, 3, "Russia's deliveries to Syria stop in July 2005.")
    >>> episode.shocks
    ({'type': 'cut_tie', 'target': ['RUS', 'SYR'], 'at': 6},)
    >>> from sim.errors import ValidationError
    >>> try:
    ...     parse_episode("[episode]\\nname = 'x'\\nyear = 2004\\nwindw = 3\\n", origin="e.toml")
    ... except ValidationError as err:
    ...     print(err.problems[0].where, err.problems[0].suggestion)
    e.toml:4 episode.windw did you mean 'window'?
    """
    from sim.checks import Collector

    data = read_toml_text(text, origin=origin)
    c = Collector(origin, text)
    for key in data:
        if key not in _TOP_KEYS:
            c.add(c.at(key), "unknown table", key, ", ".join(_TOP_KEYS), suggest(key, _TOP_KEYS))
    meta = data.get("episode")
    if not isinstance(meta, Mapping):
        c.add(c.at("episode"), "missing [episode] table", meta, ", ".join(_EPISODE_KEYS))
        meta = {}
    for key in meta:
        if key not in _EPISODE_KEYS:
            c.add(
                c.at(f"episode.{key}"),
                "unknown key",
                key,
                ", ".join(_EPISODE_KEYS),
                suggest(key, _EPISODE_KEYS),
            )

    def integer(key: str, lo: int, default: int | None) -> int:
        v = meta.get(key, default)
        if v is None:
            c.add(c.at("episode"), f"missing required key {key!r}", None, _EPISODE_KEYS[key])
            return 0
        if not _is_int(v) or v < lo:
            c.add(c.at(f"episode.{key}"), "must be an integer", v, _EPISODE_KEYS[key])
            return 0
        return v

    year = integer("year", 1, None)
    window = integer("window", 1, 5)
    replicates = integer("replicates", 1, 20)
    seed = integer("seed", 0, None)
    name = meta.get("name", Path(origin).stem)
    if not isinstance(name, str) or not name.strip():
        c.add(c.at("episode.name"), "must be a non-empty string", name, _EPISODE_KEYS["name"])
    description = meta.get("description", "")
    if not isinstance(description, str):
        c.add(c.at("episode.description"), "must be a string", description)
    raw = data.get("shocks", [])
    shocks: list[dict[str, Any]] = []
    if not isinstance(raw, list) or not raw:
        c.add(c.at("shocks"), "an episode needs at least one [[shocks]] table", raw)
    else:
        for i, entry in enumerate(raw):
            where = f"shocks[{i}]"
            if not isinstance(entry, Mapping):
                c.add(c.at(where), "must be a table", entry, "a [[shocks]] table")
                continue
            at = entry.get("at")
            if at is None:
                c.add(c.at(where), "missing required key 'at'", None, "a month >= 0")
            elif not _is_int(at) or at < 0:
                c.add(
                    c.at(f"{where}.at"),
                    "a shock before month 0",
                    at,
                    f"a month in [0, {12 * window - 1}] (month 0 is January of {year + 1})",
                    "the world is built at the end of `year`: move `year` back to shock earlier",
                )
            elif window and at >= 12 * window:
                c.add(
                    c.at(f"{where}.at"),
                    "shock after the window",
                    at,
                    f"a month in [0, {12 * window - 1}]",
                    f"raise episode.window to at least {at // 12 + 1}",
                )
            shocks.append(dict(entry))
    if c.problems:
        raise ValidationError(c.problems, what=origin)
    return Episode(
        name=name,
        year=year,
        window=window,
        replicates=replicates,
        seed=seed,
        shocks=tuple(shocks),
        description=description,
        question=_leading_comment(text),
        source=origin,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def load_episode(path: str | Path) -> Episode:
    """Read and parse an episode file (see :func:`parse_episode`).

    Parameters
    ----------
    path : str or pathlib.Path
        An episode file, or the name of a shipped episode (:func:`list_episodes`), told apart
        by :func:`sim.worlds.resolve`.

    Returns
    -------
    Episode

    Raises
    ------
    ValidationError
        A missing or unreadable file, a name that is neither a shipped episode nor a file
        (with the closest name), or the problems :func:`parse_episode` finds.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sim.history.episode import load_episode
    >>> path = Path(tempfile.mkdtemp()) / "sanction.toml"
    >>> _ = path.write_text("[episode]\\nname = 'sanction'\\nyear = 2004\\nwindow = 3\\n"
    ...                     "replicates = 4\\nseed = 7\\n"
    ...                     "[[shocks]]\\ntype = 'cut_tie'\\ntarget = ['RUS', 'SYR']\\nat = 6\\n")
    >>> load_episode(path).name
    'sanction'
    >>> load_episode("syria_2024").name  # a shipped episode, by name
    'syria_2024'
    """
    from sim.worlds import resolve, resolve_problem

    try:
        p = Path(resolve(path, "episode"))
    except UnknownNameError:  # the same words, as a problem hindcast lists with the others
        problem = resolve_problem(path, "episode", where=str(path))
        raise ValidationError([problem] if problem else [], what=str(path)) from None
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError([Problem(str(p), "file not found")], what=str(p)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError([Problem(str(p), f"cannot be read: {exc}")], what=str(p)) from None
    return parse_episode(text, origin=str(p))


def episode_shocks(episode: Episode, world: World) -> tuple[list[Any], list[Problem]]:
    """Build the episode's shocks for `world`; every problem (an actor or bloc unknown in the
    world of the year, a shock the model rejects) is returned, located in the file.

    Parameters
    ----------
    episode : Episode
    world : sim.world.World
        The world of the episode's year (:func:`sim.history.build_world`).

    Returns
    -------
    shocks : list
        Shock objects of :data:`sim.shocks.SHOCKS` (only meaningful when no problem).
    problems : list of Problem

    Examples
    --------
    >>> from sim.history.episode import parse_episode
    >>> episode = parse_episode(
    ...     "# Russia's deliveries to Syria stop in July 2005.\\n"
    ...     "[episode]\\nname = 'sanction'\\nyear = 2004\\nwindow = 3\\n"
    ...     "replicates = 4\\nseed = 7\\n"
    ...     "[[shocks]]\\ntype = 'cut_tie'\\ntarget = ['RUS', 'SYR']\\nat = 6\\n"
    ... )
    >>> from sim.history.episode import episode_shocks
    >>> from sim.worlds import load_world
    >>> shocks, problems = episode_shocks(episode, load_world())
    >>> [type(s).__name__ for s in shocks], problems
    (['CutTie'], [])
    """
    from sim.checks import Collector
    from sim.scenario import _model_problems, _parse_shocks

    c = Collector(episode.source, episode.text)
    built = _parse_shocks(c, "shocks", list(episode.shocks), world, episode.months, None)
    problems = [
        Problem(p.where, f"unknown actor in the world of {episode.year}", p.value, p.allowed,
                p.suggestion)
        if p.message == "unknown actor"
        else p
        for p in c.problems
    ]  # fmt: skip
    if not problems:
        problems.extend(_model_problems(world, {}, {"shocks": built}, c.at))
    return built, problems


def shocked_actors(shocks: list[Any]) -> set[str]:
    """The actors the shocks name: targets, the ends of cut ties, sanctioning suppliers and
    buyers (random failures and attacks name none).

    Parameters
    ----------
    shocks : list
        Shock objects (:func:`episode_shocks`).

    Returns
    -------
    set of str

    Examples
    --------
    >>> from sim.history.episode import parse_episode
    >>> episode = parse_episode(
    ...     "# Russia's deliveries to Syria stop in July 2005.\\n"
    ...     "[episode]\\nname = 'sanction'\\nyear = 2004\\nwindow = 3\\n"
    ...     "replicates = 4\\nseed = 7\\n"
    ...     "[[shocks]]\\ntype = 'cut_tie'\\ntarget = ['RUS', 'SYR']\\nat = 6\\n"
    ... )
    >>> from sim.history.episode import episode_shocks, shocked_actors
    >>> from sim.worlds import load_world
    >>> shocks, _ = episode_shocks(episode, load_world())
    >>> sorted(shocked_actors(shocks))
    ['RUS', 'SYR']
    """
    out: set[str] = set()
    for s in shocks:
        target = getattr(s, "target", None)
        if isinstance(target, str):
            out.add(target)
        elif isinstance(target, tuple):
            out.update(x for x in target if isinstance(x, str))
        for key in ("suppliers", "buyers"):
            out.update(getattr(s, key, ()) or ())
        inner = getattr(s, "shock", None)  # restore: the shock it undoes
        if inner is not None:
            out |= shocked_actors([inner])
    return out
