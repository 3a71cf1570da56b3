"""The outcome registry: every outcome a scenario can ask for, in one place.

An outcome is a column of the results: ``kind`` alone (``collapses``) or ``kind:argument``.
Each kind says how its argument is written and parsed, whether the model's collector reports
it (a *reporter*, one column per bloc) or the runner reads it through the model's inspection
API (``model.strength(a, b)``, ``model.delivered(a, b, commodity)``, ``model.capability(a)``,
called by name, so any model offering those methods works: the agent-based one returns a
number, a batched engine an array), what it is called in figures and its unit, and how it is
checked against a world.

=========================== ========= ==========================================================
outcome                     read by   meaning
=========================== ========= ==========================================================
``alive:B``                 reporter  number of bloc B's actors alive
``fulfilment:B``            reporter  share of bloc B's needs delivered this month
``cohesion:B``              reporter  share of bloc B's initial partnership strength kept
``mean_strength:B``         reporter  mean strength of bloc B's ties in force
``giant:B``                 reporter  giant-component fraction of bloc B's partnerships
``collapses``               reporter  actors collapsed so far (endogenous collapses)
``strength:A-B``            inspected partnership strength between A and B
``delivered:A->B``          inspected value delivered from A to B last step, USD million
``delivered:A->B:C``        inspected volume of commodity C delivered, in C's unit
``capability:A``            inspected actor A's capability
=========================== ========= ==========================================================

Examples
--------
>>> o = parse_outcome("delivered:IRN->HEZ:arms")
>>> o.kind.name, o.args, o.kind.reporter
('delivered', ('IRN', 'HEZ', 'arms'), False)
>>> outcome_label("strength:RUS-IRN", names={"RUS": "Russia", "IRN": "Iran"}).title
'Russia–Iran partnership strength'
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.errors import Problem, ValidationError, suggest

if TYPE_CHECKING:
    from sim.world import World

__all__ = [
    "ARROW",
    "OUTCOME_KINDS",
    "PAIR",
    "REPORTER_KINDS",
    "Outcome",
    "OutcomeKind",
    "OutcomeLabel",
    "default_outcomes",
    "inspected",
    "is_reporter",
    "kind_of",
    "of_kind",
    "outcome_label",
    "outcome_name",
    "outcome_problems",
    "parse_outcome",
    "read_outcomes",
    "reporter_names",
    "worse_when_higher",
]

#: ``A-B``: two actor ids (an undirected pair).
PAIR = re.compile(r"^([^-\s>]+)-([^-\s>]+)$")
#: ``A->B``: a directed pair of actor ids.
ARROW = re.compile(r"^([^-\s>:]+)->([^-\s>:]+)$")
_ARROW_COMMODITY = re.compile(r"^([^-\s>:]+)->([^-\s>:]+):([a-z_]+)$")


@dataclass(frozen=True)
class OutcomeLabel:
    """What an outcome measures, for a reader.

    Attributes
    ----------
    outcome : str
        The outcome's name as in results (``"delivered:IRN->HEZ"``).
    title : str
        A short title (``"Iran → Hezbollah deliveries"``).
    unit : str
        Its unit or scale (``"share, 0–1"``), ``""`` when it has none.

    Examples
    --------
    >>> lab = OutcomeLabel("delivered:IRN->HEZ", "Iran → Hezbollah deliveries", "USD million")
    >>> lab.axis()
    'Iran → Hezbollah deliveries (USD million)'
    >>> print(lab.axis(wrap=20))
    Iran → Hezbollah
    deliveries (USD
    million)
    """

    outcome: str
    title: str
    unit: str

    def axis(self, *, wrap: int | None = None) -> str:
        """``"title (unit)"``, wrapped to `wrap` characters a line when given."""
        text = f"{self.title} ({self.unit})" if self.unit else self.title
        if wrap is None:
            return text
        return "\n".join(textwrap.wrap(text, wrap, break_on_hyphens=False)) or text


@dataclass(frozen=True)
class OutcomeKind:
    """One kind of outcome.

    Attributes
    ----------
    name : str
        The part before the first ``:`` (``"delivered"``).
    argument : {"bloc", "none", "pair", "arrow", "actor"}
        What follows the ``:``: a bloc, nothing, ``A-B``, ``A->B`` (optionally ``:COMMODITY``),
        or one actor id.
    syntax : str
        How it is written and what it means (shown in error messages).
    reporter : bool
        Whether the model's collector reports it (a column per bloc); otherwise it is read
        through the inspection method `method`.
    method : str
        The model's inspection method (``""`` for reporters).
    title, unit : str
        Label template (``{a}``, ``{b}``: actor or bloc names) and unit.
    worse_when_higher : bool
        More of it is damage (``collapses``): no resilience figures.
    short, short_unit : str
        A compact name and unit for dashboards and legends (``"needs met"``, ``"share"``),
        where the title's bloc or actor is given by the place it appears in.

    Examples
    --------
    >>> k = OUTCOME_KINDS["strength"]
    >>> k.argument, k.reporter, k.method, k.unit
    ('pair', False, 'strength', '0–1')
    >>> OUTCOME_KINDS["collapses"].worse_when_higher
    True
    """

    name: str
    argument: str
    syntax: str
    reporter: bool
    method: str
    title: str
    unit: str
    worse_when_higher: bool = False
    short: str = ""
    short_unit: str = ""

    def short_label(self) -> str:
        """``"short (short_unit)"``, or the short name alone when it has no unit.

        Returns
        -------
        str

        Examples
        --------
        >>> OUTCOME_KINDS["fulfilment"].short_label(), OUTCOME_KINDS["alive"].short_label()
        ('needs met (share)', 'actors alive')
        """
        return f"{self.short} ({self.short_unit})" if self.short_unit else self.short


_KINDS = (
    OutcomeKind(
        "alive", "bloc", "alive:<bloc> (number of the bloc's actors alive)", True, "",
        "{a}: actors alive", "count", short="actors alive",
    ),
    OutcomeKind(
        "fulfilment", "bloc", "fulfilment:<bloc> (share of the bloc's needs delivered)", True,
        "", "{a}: need fulfilment", "share of needs delivered, 0–1",
        short="needs met", short_unit="share",
    ),
    OutcomeKind(
        "cohesion", "bloc",
        "cohesion:<bloc> (share of the bloc's initial partnership strength kept)", True, "",
        "{a}: cohesion", "share of the initial partnership strength kept, 0–1",
        short="cohesion", short_unit="strength kept",
    ),
    OutcomeKind(
        "mean_strength", "bloc",
        "mean_strength:<bloc> (mean strength of the bloc's ties in force)", True, "",
        "{a}: mean partnership strength", "0–1", short="mean strength",
    ),
    OutcomeKind(
        "giant", "bloc", "giant:<bloc> (giant-component fraction of the bloc's partnerships)",
        True, "", "{a}: largest connected share", "giant-component fraction, 0–1",
        short="giant component", short_unit="share",
    ),
    OutcomeKind(
        "collapses", "none", "collapses (actors collapsed so far)", True, "",
        "Collapsed actors", "count, cumulative", worse_when_higher=True, short="collapses",
    ),
    OutcomeKind(
        "strength", "pair", "strength:<A>-<B> (partnership strength between two actors)", False,
        "strength", "{a}–{b} partnership strength", "0–1", short="strength",
    ),
    OutcomeKind(
        "delivered", "arrow",
        "delivered:<A>-><B> (value delivered from A to B last step, USD million) "
        "or delivered:<A>-><B>:<commodity> (volume in the commodity's unit)", False,
        "delivered", "{a} → {b} deliveries", "USD million per month", short="deliveries",
        short_unit="USD million",
    ),
    OutcomeKind(
        "capability", "actor", "capability:<A> (an actor's capability)", False, "capability",
        "{a}: capability", "0–1", short="capability",
    ),
)  # fmt: skip

#: Every outcome kind by name.
OUTCOME_KINDS: dict[str, OutcomeKind] = {k.name: k for k in _KINDS}
#: Kinds the model's collector reports itself (``kind:bloc`` or ``collapses``), in column order.
REPORTER_KINDS: tuple[str, ...] = tuple(k.name for k in _KINDS if k.reporter)


@dataclass(frozen=True)
class Outcome:
    """A parsed outcome name.

    Attributes
    ----------
    name : str
        As written (``"strength:RUS-IRN"``).
    kind : OutcomeKind
    args : tuple of str
        The bloc, the actor(s), and for ``delivered:A->B:C`` the commodity last.

    Examples
    --------
    >>> o = parse_outcome("strength:RUS-IRN")
    >>> o.kind.name, o.args, o.actors
    ('strength', ('RUS', 'IRN'), ('RUS', 'IRN'))
    >>> o.label({"RUS": "Russia"}).title  # an actor without a name keeps its id
    'Russia–IRN partnership strength'
    """

    name: str
    kind: OutcomeKind
    args: tuple[str, ...]

    @property
    def actors(self) -> tuple[str, ...]:
        """The actor ids it names (none for bloc reporters)."""
        if self.kind.argument in ("pair", "arrow", "actor"):
            return self.args[:2] if self.kind.argument != "actor" else self.args[:1]
        return ()

    def read(self, model: Any) -> Any:
        """The outcome's current value, through the model's inspection method (by name).

        Works with any model that has the method: a float from the agent-based model, an
        array (one value per run) from a batched engine. Reporters are read from the
        collector, not here.
        """
        if self.kind.reporter:
            raise ValueError(f"{self.name!r} is a model reporter, read from its collector")
        args: Sequence[Any] = self.args
        if self.kind.name == "delivered":
            args = (*self.args[:2], self.args[2] if len(self.args) > 2 else None)
        return getattr(model, self.kind.method)(*args)

    def label(self, names: Mapping[str, str] | None = None) -> OutcomeLabel:
        """Title and unit, actors named by `names` (ids otherwise)."""
        return _label(self.name, self.kind, self.args, names or {})


def _split(kind: OutcomeKind, arg: str) -> tuple[str, ...] | None:
    """The arguments of ``kind:arg``, or None when `arg` is malformed for the kind."""
    if kind.argument == "none":
        return () if not arg else None
    if kind.argument in ("bloc", "actor"):
        return (arg,) if arg else None
    if kind.argument == "pair":
        m = PAIR.match(arg)
        return m.groups() if m else None
    m = ARROW.match(arg) or _ARROW_COMMODITY.match(arg)
    return m.groups() if m else None


def outcome_problems(
    name: object, where: str = "outcome", world: World | None = None
) -> list[Problem]:
    """What is wrong with an outcome name (nothing: an empty list), checked against `world`.

    Unknown kinds, malformed arguments, unknown blocs, actors and commodities each get a
    problem with what is allowed and a suggestion.

    Parameters
    ----------
    name : object
        The outcome name as read (anything but a string is a problem too).
    where : str
        Where it was read, for the problems (``"s.toml:7 outcomes[2]"``).
    world : World, optional
        Check blocs and actors against it too; without it only the syntax and commodities.

    Returns
    -------
    list of Problem
        Empty when the name is fine.

    Examples
    --------
    >>> outcome_problems("giant:axis")
    []
    >>> [(p.message, p.suggestion) for p in outcome_problems("strenght:RUS-IRN")]
    [('unknown outcome', "did you mean 'strength'?")]
    >>> from sim.worlds import synthetic
    >>> print(outcome_problems("giant:axsi", world=synthetic(8, mean_degree=2, rng=1))[0])
    outcome: unknown bloc; got 'axsi'; allowed: axis, west, neutral (did you mean 'axis'?)
    """
    from sim.world import COMMODITIES

    allowed_all = "; ".join(k.syntax for k in _KINDS)
    if not isinstance(name, str):
        return [Problem(where, "must be a string", name, allowed_all)]
    head, _, arg = name.partition(":")
    kind = OUTCOME_KINDS.get(head)
    if kind is None:
        return [Problem(where, "unknown outcome", name, allowed_all, suggest(head, OUTCOME_KINDS))]
    args = _split(kind, arg)
    if args is None:
        if kind.argument == "none":
            return [Problem(where, "takes no argument", name, kind.syntax)]
        return [Problem(where, "malformed outcome", name, kind.syntax)]
    if world is None:
        if kind.argument == "arrow" and len(args) == 3 and args[2] not in COMMODITIES:
            return [_unknown_commodity(where, args[2], COMMODITIES)]
        return []
    problems: list[Problem] = []
    if kind.argument == "bloc":
        blocs = list(world.blocs)
        if args[0] not in blocs:
            problems.append(
                Problem(where, "unknown bloc", args[0], ", ".join(blocs), suggest(args[0], blocs))
            )
        return problems
    if kind.argument == "arrow" and len(args) == 3 and args[2] not in COMMODITIES:
        problems.append(_unknown_commodity(where, args[2], COMMODITIES))
    ids = list(world.ids)
    for x in Outcome(name, kind, args).actors:
        if x not in ids:
            problems.append(
                Problem(where, "unknown actor", x, "an actor id of the world", suggest(x, ids))
            )
    return problems


def _unknown_commodity(where: str, commodity: str, commodities: Iterable[str]) -> Problem:
    commodities = list(commodities)
    return Problem(
        where, "unknown commodity", commodity, ", ".join(commodities),
        suggest(commodity, commodities),
    )  # fmt: skip


def parse_outcome(name: str, world: World | None = None) -> Outcome:
    """An outcome name, parsed (and checked against `world` when given).

    Parameters
    ----------
    name : str
        ``kind`` or ``kind:argument`` (see the module's table).
    world : World, optional
        Check blocs and actors against it.

    Returns
    -------
    Outcome

    Raises
    ------
    ValidationError
        Listing what is wrong with the name.

    Examples
    --------
    >>> parse_outcome("delivered:IRN->HEZ:arms").args
    ('IRN', 'HEZ', 'arms')
    >>> parse_outcome("collapses:axis")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ValidationError: outcome 'collapses:axis' has 1 problem:
      - outcome: takes no argument; got 'collapses:axis'; allowed: collapses (...)
    """
    problems = outcome_problems(name, "outcome", world)
    if problems:
        raise ValidationError(problems, what=f"outcome {name!r}")
    head, _, arg = name.partition(":")
    kind = OUTCOME_KINDS[head]
    return Outcome(name, kind, _split(kind, arg) or ())


def kind_of(name: object) -> str:
    """The kind of an outcome name (``"strength"`` for ``strength:RUS-IRN``); ``""`` if unknown.

    Parameters
    ----------
    name : object
        An outcome name (anything is accepted: a non-string is unknown).

    Returns
    -------
    str

    Examples
    --------
    >>> kind_of("strength:RUS-IRN"), kind_of("strenght:RUS-IRN")
    ('strength', '')
    """
    head = str(name).partition(":")[0]
    return head if head in OUTCOME_KINDS else ""


def worse_when_higher(name: str) -> bool:
    """Whether more of the outcome is damage (``collapses``): no resilience figures for it.

    Parameters
    ----------
    name : str
        An outcome name.

    Returns
    -------
    bool

    Examples
    --------
    >>> worse_when_higher("collapses"), worse_when_higher("giant:axis")
    (True, False)
    """
    kind = OUTCOME_KINDS.get(kind_of(name))
    return kind is not None and kind.worse_when_higher


def is_reporter(name: str) -> bool:
    """Whether an outcome is a column of the model's collector (not read by inspection).

    Parameters
    ----------
    name : str
        An outcome name.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_reporter("cohesion:west"), is_reporter("capability:SYR")
    (True, False)
    """
    kind = OUTCOME_KINDS.get(name.partition(":")[0])
    return kind is not None and kind.reporter


def inspected(outcomes: Iterable[str]) -> list[str]:
    """The outcomes, in order, that are read through the model's inspection methods.

    Parameters
    ----------
    outcomes : iterable of str
        Outcome names.

    Returns
    -------
    list of str

    Examples
    --------
    >>> inspected(["giant:axis", "strength:RUS-IRN", "collapses", "capability:SYR"])
    ['strength:RUS-IRN', 'capability:SYR']
    """
    return [o for o in outcomes if not is_reporter(o)]


def read_outcomes(model: Any, outcomes: Iterable[str]) -> dict[str, Any]:
    """Each inspected outcome's current value on `model` (see :meth:`Outcome.read`).

    Parameters
    ----------
    model : AllianceModel or a batched engine
        Anything with the inspection methods the outcomes name.
    outcomes : iterable of str
        Inspected (not reporter) outcome names.

    Returns
    -------
    dict
        Value by outcome name: a float from the agent-based model, an array from a batch.

    Examples
    --------
    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> m = AllianceModel(synthetic(8, mean_degree=2, rng=1), rng=2)
    >>> read_outcomes(m, ["capability:A00000", "strength:A00000-A00001"])
    {'capability:A00000': 0.116, 'strength:A00000-A00001': 0.555}
    """
    return {o: parse_outcome(o).read(model) for o in outcomes}


def reporter_names(blocs: Iterable[str]) -> list[str]:
    """The model's reporter columns for `blocs`, in column order: per bloc each bloc kind,
    then ``collapses``.

    Parameters
    ----------
    blocs : iterable of str
        The world's blocs.

    Returns
    -------
    list of str

    Examples
    --------
    >>> reporter_names(["axis"])  # doctest: +NORMALIZE_WHITESPACE
    ['alive:axis', 'fulfilment:axis', 'cohesion:axis', 'mean_strength:axis', 'giant:axis',
     'collapses']
    """
    per_bloc = [k.name for k in _KINDS if k.reporter and k.argument == "bloc"]
    others = [k.name for k in _KINDS if k.reporter and k.argument == "none"]
    return [*(f"{k}:{b}" for b in blocs for k in per_bloc), *others]


def default_outcomes(blocs: Iterable[str]) -> list[str]:
    """What a scenario reports when it names no outcomes: fulfilment and cohesion per bloc.

    Parameters
    ----------
    blocs : iterable of str
        The world's blocs.

    Returns
    -------
    list of str

    Examples
    --------
    >>> default_outcomes(["axis", "west"])
    ['fulfilment:axis', 'cohesion:axis', 'fulfilment:west', 'cohesion:west']
    """
    return [f"{k}:{b}" for b in blocs for k in ("fulfilment", "cohesion")]


def outcome_label(outcome: str, *, names: Mapping[str, str] | None = None) -> OutcomeLabel:
    """The title and unit of an outcome (see :func:`sim.labels.outcome_label`).

    An unknown kind keeps its name as title, with no unit; a malformed argument is shown as
    written.

    Parameters
    ----------
    outcome : str
        An outcome name, possibly from an older store (labels are lenient).
    names : mapping of str to str, optional
        Display names of actors by id.

    Returns
    -------
    OutcomeLabel

    Examples
    --------
    >>> lab = outcome_label("giant:axis")
    >>> lab.title, lab.unit
    ('axis bloc: largest connected share', 'giant-component fraction, 0–1')
    >>> outcome_label("no_such_outcome").title
    'no_such_outcome'
    """
    head, _, arg = outcome.partition(":")
    kind = OUTCOME_KINDS.get(head)
    if kind is None:
        return OutcomeLabel(outcome, outcome, "")
    args = _split(kind, arg)
    if args is None:  # labels are lenient: a name from an older store still gets words
        if kind.argument == "pair":
            args = tuple(arg.partition("-")[::2])
        elif kind.argument == "arrow":
            ends, _, commodity = arg.partition(":")
            a, _, b = ends.partition("->")
            args = (a, b, commodity) if commodity else (a, b)
        else:
            args = (arg,)
    return _label(outcome, kind, args, names or {})


def _label(
    outcome: str, kind: OutcomeKind, args: Sequence[str], names: Mapping[str, str]
) -> OutcomeLabel:
    name = lambda x: names.get(x, x)  # noqa: E731
    if kind.argument == "none":
        return OutcomeLabel(outcome, kind.title, kind.unit)
    if kind.argument == "bloc":
        return OutcomeLabel(outcome, kind.title.format(a=f"{args[0]} bloc"), kind.unit)
    if kind.argument == "actor":
        return OutcomeLabel(outcome, kind.title.format(a=name(args[0])), kind.unit)
    title = kind.title.format(a=name(args[0]), b=name(args[1]))
    unit = kind.unit
    if kind.argument == "arrow" and len(args) > 2 and args[2]:
        from sim.world import COMMODITIES

        title += f" of {args[2].replace('_', '-')}"
        unit = COMMODITIES.get(args[2], "volume per month")
    return OutcomeLabel(outcome, title, unit)


def outcome_name(kind: str, *args: str) -> str:
    """The outcome name of `kind` with `args`: the one place names are written.

    Parameters
    ----------
    kind : str
        An outcome kind (a key of :data:`OUTCOME_KINDS`).
    *args : str
        Its arguments: a bloc or an actor; two actors for a pair; two actors and optionally a
        commodity for ``delivered``; none for ``collapses``.

    Returns
    -------
    str
        The name, which :func:`parse_outcome` parses back into `kind` and `args`.

    Raises
    ------
    ValueError
        An unknown kind, or the wrong number of arguments for it.

    Examples
    --------
    >>> outcome_name("strength", "RUS", "IRN")
    'strength:RUS-IRN'
    >>> outcome_name("delivered", "IRN", "HEZ", "arms")
    'delivered:IRN->HEZ:arms'
    >>> parse_outcome(outcome_name("fulfilment", "axis")).args
    ('axis',)
    """
    spec = OUTCOME_KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown outcome kind {kind!r}; allowed: {', '.join(OUTCOME_KINDS)}")
    wanted = {"none": (0,), "bloc": (1,), "actor": (1,), "pair": (2,), "arrow": (2, 3)}
    if len(args) not in wanted[spec.argument]:
        raise ValueError(f"{kind!r} takes {spec.syntax}; got arguments {args!r}")
    if spec.argument == "none":
        return kind
    if spec.argument in ("bloc", "actor"):
        return f"{kind}:{args[0]}"
    if spec.argument == "pair":
        return f"{kind}:{args[0]}-{args[1]}"
    return f"{kind}:{args[0]}->{args[1]}" + (f":{args[2]}" if len(args) == 3 else "")


def of_kind(names: Iterable[object], kind: str) -> list[Outcome]:
    """The names in `names` (e.g. a frame's columns) that are outcomes of `kind`, parsed, in order.

    Parameters
    ----------
    names : iterable
        Column names; anything that is not an outcome of `kind` is skipped.
    kind : str
        An outcome kind (a key of :data:`OUTCOME_KINDS`).

    Returns
    -------
    list of Outcome
        One per matching, well-formed name.

    Examples
    --------
    >>> [o.args for o in of_kind(["step", "strength:RUS-IRN", "fulfilment:axis"], "strength")]
    [('RUS', 'IRN')]
    """
    out = []
    for name in names:
        text = str(name)
        if kind_of(text) == kind and text.partition(":")[2]:
            parsed = parse_outcome(text)
            if parsed.args or OUTCOME_KINDS[kind].argument == "none":
                out.append(parsed)
    return out
