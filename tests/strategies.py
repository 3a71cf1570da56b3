"""Hypothesis strategies for alliance-sim inputs: valid worlds and hostile mutations of files.

Reusable by every test module::

    from hypothesis import given
    from tests.strategies import CI, worlds

    @CI
    @given(worlds(max_actors=10))
    def test_something(world): ...

``CI`` is a ``settings`` object that makes runs deterministic (``derandomize=True``, no example
database) so a failure in CI reproduces locally and the suite never flickers.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Sequence

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from sim.world import (
    ACTOR_KINDS,
    COMMODITIES,
    PARTNERSHIP_KINDS,
    Actor,
    PartnershipTie,
    RivalryTie,
    Route,
    SupplyTie,
    World,
)

__all__ = [
    "CI",
    "HOSTILE_VALUES",
    "actor_ids",
    "dates",
    "mutated_texts",
    "mutations",
    "names",
    "world_bytes",
    "worlds",
]

#: Deterministic settings for CI: the same examples on every run, nothing stored on disk.
CI = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Values that break naive parsers, as TOML right-hand sides.
HOSTILE_VALUES: tuple[str, ...] = (
    "nan",
    "+nan",
    "-nan",
    "inf",
    "-inf",
    "1e300",
    "-1e300",
    "1e-320",
    "-0.0",
    "0",
    "-1",
    "9" * 400,  # an integer too large for a float
    "-" + "9" * 400,
    "9" * 5000,  # beyond Python's int-to-str conversion limit
    "true",
    '""',
    '"   "',
    '"\\u0000"',
    '"AAA"',
    "[]",
    "{}",
    '["arms"]',
    '[1, "a", 2.5]',
    "{ a = 1 }",
    '{ via = ["AAA"], capacity = 2 }',
    "2020-01-01",
    "2020-01-01T10:00:00Z",
    "10:00:00",
    "0x7fffffff",
    "[" * 60 + "]" * 60,
    "[" * 3000 + "]" * 3000,  # deep enough to exhaust a recursive parser
)

#: Dates the world format accepts (TOML local dates; any year the ISO format can write).
dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))

#: Display names and free text: any printable-or-not unicode with something visible in it.
names = st.text(min_size=1, max_size=24).filter(lambda s: bool(s.strip()))

#: Actor ids: three upper-case letters, like ISO 3166 alpha-3.
actor_ids = st.text(alphabet=string.ascii_uppercase, min_size=3, max_size=3)


def _unit(*, exclude_min: bool = False) -> st.SearchStrategy[float]:
    return st.floats(min_value=0.0, max_value=1.0, exclude_min=exclude_min)


_volumes = st.floats(min_value=0.0, max_value=1e12)


@st.composite
def _routes(draw, transit: Sequence[str], *, main: bool) -> Route:
    via = draw(st.lists(st.sampled_from(transit), unique=True, max_size=3)) if transit else []
    capacity = 1.0 if main else draw(_unit(exclude_min=True))
    corridor = draw(st.one_of(st.just(""), names))
    return Route(via=tuple(via), capacity=capacity, corridor=corridor)


@st.composite
def worlds(
    draw,
    *,
    min_actors: int = 1,
    max_actors: int = 30,
    max_ties: int = 40,
    blocs: Sequence[str] = ("axis", "west", "neutral"),
    volumes: st.SearchStrategy[float] | None = None,
) -> World:
    """Valid worlds: 1..30 actors with all three layers, routes through transit actors and
    alternative routes.

    Parameters
    ----------
    min_actors, max_actors : int
        Bounds on the number of actors.
    max_ties : int
        Bound on the number of ties in each layer.
    blocs : sequence of str
        The bloc names actors are drawn from.
    volumes : strategy of float, optional
        Supply volumes and declared ``produces``/``needs`` (default: any float in [0, 1e12],
        subnormals included).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of World
        Every generated world passes validation; ties are unique per pair and layer (per
        commodity for supply), never join an actor to itself, and routes avoid their endpoints.
    """
    vols = _volumes if volumes is None else volumes
    flows = st.dictionaries(st.sampled_from(sorted(COMMODITIES)), vols, max_size=3)
    n = draw(st.integers(min_actors, max_actors))
    ids = draw(st.lists(actor_ids, min_size=n, max_size=n, unique=True))
    actors = tuple(
        Actor(
            id=aid,
            name=draw(names),
            kind=draw(st.sampled_from(ACTOR_KINDS)),
            bloc=draw(st.sampled_from(blocs)),
            lat=draw(st.floats(-90.0, 90.0)),
            lon=draw(st.floats(-180.0, 180.0)),
            capability=draw(_unit()),
            stability=draw(_unit()),
            produces=draw(flows),
            needs=draw(flows),
            note=draw(st.one_of(st.just(""), names)),
        )
        for aid in ids
    )
    ties: list = []
    if n >= 2:
        pair = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1])
        key = lambda p: frozenset(p)  # noqa: E731
        common = lambda: {  # noqa: E731
            "since": draw(dates),
            "source": draw(names),
            "verified": draw(st.booleans()),
            "note": draw(st.one_of(st.just(""), names)),
        }
        for a, b in draw(st.lists(pair, unique_by=key, max_size=max_ties)):
            ties.append(
                PartnershipTie(
                    a=a,
                    b=b,
                    kind=draw(st.sampled_from(PARTNERSHIP_KINDS)),
                    strength=draw(_unit()),
                    **common(),
                )
            )
        flows = st.tuples(pair, st.sampled_from(sorted(COMMODITIES)))
        for (src, dst), com in draw(st.lists(flows, unique=True, max_size=max_ties)):
            transit = [x for x in ids if x not in (src, dst)]
            ties.append(
                SupplyTie(
                    supplier=src,
                    recipient=dst,
                    commodity=com,
                    volume=draw(vols),
                    route=draw(_routes(transit, main=True)),
                    alternatives=tuple(draw(st.lists(_routes(transit, main=False), max_size=2))),
                    **common(),
                )
            )
        for a, b in draw(st.lists(pair, unique_by=key, max_size=max_ties)):
            ties.append(RivalryTie(a=a, b=b, intensity=draw(_unit()), **common()))
        ties = draw(st.permutations(ties))
    return World(
        actors=actors,
        ties=tuple(ties),
        name=draw(names),
        description=draw(st.one_of(st.just(""), names)),
        as_of=draw(st.one_of(st.none(), dates)),
    )


# -- hostile mutations of input files ------------------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


@st.composite
def mutations(draw, data: bytes) -> bytes:
    """One hostile edit of a file's bytes: a byte flip, a deleted, duplicated or swapped line,
    swapped values, a value replaced by another type or an extreme number, non-UTF-8 bytes,
    deep nesting, a renamed key, or a truncation.
    """
    lines = _lines(data)
    kind = draw(
        st.sampled_from(
            (
                "flip",
                "delete",
                "duplicate",
                "swap_lines",
                "swap_values",
                "replace_value",
                "non_utf8",
                "rename_key",
                "truncate",
                "insert_line",
            )
        )
    )
    if not data:
        return draw(st.binary(max_size=64))
    if kind == "flip":
        i = draw(st.integers(0, len(data) - 1))
        return data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1 :]
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if kind == "non_utf8":
        i = draw(st.integers(0, len(data)))
        junk = draw(st.sampled_from((b"\xff", b"\xfe\xff", b"\xc3", b"\xed\xa0\x80", b"\x80")))
        return data[:i] + junk + data[i:]
    i = draw(st.integers(0, len(lines) - 1))
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "swap_lines":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "insert_line":
        header = draw(st.sampled_from((b"[[states]]", b"[[ties]]", b"[world]", b"[ties]")))
        lines.insert(i, header)
    else:
        assignments = [k for k, line in enumerate(lines) if b" = " in line]
        if not assignments:
            return data
        k = draw(st.sampled_from(assignments))
        key, _, value = lines[k].partition(b" = ")
        if kind == "swap_values":
            m = draw(st.sampled_from(assignments))
            key2, _, value2 = lines[m].partition(b" = ")
            lines[k], lines[m] = key + b" = " + value2, key2 + b" = " + value
        elif kind == "replace_value":
            new = draw(st.sampled_from(HOSTILE_VALUES)).encode()
            lines[k] = key + b" = " + new
        else:  # rename_key: a typo, a case change, or a key from another table
            new = draw(
                st.sampled_from(
                    (
                        key[:-1],
                        key + b"s",
                        key.upper(),
                        b"between",
                        b"via",
                        b"layer",
                        b"id",
                        b"capacity",
                    )
                )
            )
            lines[k] = new + b" = " + value
    return b"\n".join(lines)


@st.composite
def mutated_texts(draw, seeds: st.SearchStrategy[bytes], *, max_edits: int = 4) -> bytes:
    """A seed file's bytes after 1..`max_edits` hostile :func:`mutations`."""
    data = draw(seeds)
    for _ in range(draw(st.integers(1, max_edits))):
        data = draw(mutations(data))
    return data


def world_bytes(world: World) -> bytes:
    """A world as the TOML bytes :meth:`World.to_toml` writes."""
    import tomli_w

    return tomli_w.dumps(world.to_dict()).encode("utf-8")
