"""How partnership strength evolves, forms and breaks: general terms, no named events.

The partnership layer is held as flat arrays over tie index (:class:`PartnershipLayer`); each
month :func:`tie_drivers` computes three general drivers per tie (support delivered between
the partners, mutual dependence, shared threat). Three submodels turn them into strengths
(``ModelParams.tie_model``, ``docs/model.md`` section 7.3):

- ``"logodds"`` (default): a tie's target strength is its observed strength shifted in
  log-odds by the log change of each driver since t = 0 and by hostile acts in force,
  :math:`s^* = \\sigma(\\operatorname{logit} s_0 + \\kappa[\\sum_k \\beta_k \\log
  \\tfrac{x_k + \\epsilon}{x_{k,0} + \\epsilon} - \\beta_h h])`, and the strength relaxes
  towards it (:func:`logodds_targets`, :func:`relax_strengths`): smooth, bounded and
  proportionate, with no knife edge;
- ``"anchor"``: the residual-anchor equation of version 0.1 (:func:`anchor`,
  :func:`update_strengths`), kept as a rival submodel;
- ``"inertia"``: a null model in which strengths never change.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import scipy.sparse as sp

from sim.rowops import row_bincount

__all__ = [
    "DEFENCE_KINDS",
    "KIND_STRENGTH",
    "STEADY_MAX",
    "PartnershipLayer",
    "allied_support",
    "anchor",
    "drive",
    "formation_candidates",
    "log_drivers",
    "logodds_targets",
    "relax_strengths",
    "rival_pressure",
    "tie_drivers",
    "update_strengths",
]

_EPS = 1e-9

#: The strongest tie that can be a steady state of the strength equation with decay > 0: at
#: s = 1 the gain term vanishes and the tie loses `tie_decay` in its first month. The model
#: starts ties given at 1.0 (automatic defence clauses) here instead.
STEADY_MAX = 0.99

#: Partnership kinds with an automatic defence clause: their log-odds shift is damped by
#: ``ModelParams.treaty_damping`` (a treaty commitment moves less than an entente).
DEFENCE_KINDS = ("defence_pact", "union")

#: Default strength of a tie of each kind when a shock formalises it without a strength
#: (the scale of the default world: automatic defence clause 1.0, strategic partnership
#: without one 0.5, weaker ententes and cooperation 0.2-0.4; ``docs/data.md``).
KIND_STRENGTH = {
    "defence_pact": 1.0,
    "union": 1.0,
    "strategic_partnership": 0.5,
    "entente": 0.4,
    "basing": 0.4,
    "cooperation": 0.3,
    "neutrality": 0.2,
    "non_aggression": 0.15,
}


class PartnershipLayer:
    """Undirected partnership ties as growable arrays (``a < b`` not required).

    Parameters
    ----------
    a, b : int arrays, shape (E,)
        Actor positions of the two partners of each tie.
    s : float array, shape (E,)
        Initial strengths in [0, 1] (copied); every tie starts active.
    damp : float array, shape (E,), optional
        Factor on each tie's log-odds shift (default 1 for every tie).

    Attributes
    ----------
    a, b : int arrays
        Actor positions of the two partners.
    s : float array
        Current strength in [0, 1] (0 for inactive ties).
    active : bool array
        Ties in force; a dissolved tie stays in the arrays, inactive.
    base : float array
        Residual anchor :math:`b` (see :func:`anchor`), 0 for ties formed during a run.
    logit0 : float array
        ``"logodds"``: the log-odds the tie returns to when its drivers are at their initial
        values (the observed strength, capped at :data:`STEADY_MAX`).
    ell0 : float array, shape (E, 3)
        ``"logodds"``: the initial log drivers (:func:`log_drivers`), averaged over noisy
        first months.
    damp : float array
        Factor on the log-odds shift: ``treaty_damping`` for :data:`DEFENCE_KINDS`, else 1.
    hostility : float array
        Hostile acts in force between the partners (a transit blockade against the partner,
        a sanction on it), each lowering the target log-odds by ``hostility_weight``.
    index : dict
        Tie index of each pair, keyed ``(min(i, j), max(i, j))``.

    Examples
    --------
    Three actors, 0–1 at strength 0.5 and 1–2 at 1.0 (its return point capped at
    :data:`STEADY_MAX`, log-odds 4.595):

    >>> layer = PartnershipLayer([0, 1], [1, 2], [0.5, 1.0])
    >>> len(layer), layer.logit0.round(3).tolist(), layer.index
    (2, [0.0, 4.595], {(0, 1): 0, (1, 2): 1})
    """

    def __init__(self, a, b, s, damp=None):
        self.a = np.asarray(a, dtype=np.intp)
        self.b = np.asarray(b, dtype=np.intp)
        self.s = np.asarray(s, dtype=float).copy()
        e = len(self.a)
        self.active = np.ones(e, dtype=bool)
        self.base = np.zeros(e)
        self.logit0 = _logit(np.minimum(self.s, STEADY_MAX))
        self.ell0 = np.zeros((e, 3))
        self.damp = np.ones(e) if damp is None else np.asarray(damp, dtype=float).copy()
        self.hostility = np.zeros(e)
        self.index = {_key(i, j): e for e, (i, j) in enumerate(zip(self.a, self.b, strict=True))}

    def __len__(self) -> int:
        """The number of ties, active or not."""
        return len(self.a)

    def add(self, i: int, j: int, s: float) -> int:
        """Append (or reactivate) the tie i–j at strength `s`; return its index.

        Parameters
        ----------
        i, j : int
            Actor positions of the two partners, in either order.
        s : float
            The tie's strength, in [0, 1]; its log-odds return point becomes
            ``logit(min(s, STEADY_MAX))``, its residual anchor 0.

        Returns
        -------
        int
            The tie's index: a new one at the end, or that of the existing tie i–j, which is
            set active at strength `s` (the tie keeps its damping and hostility).

        Examples
        --------
        >>> layer = PartnershipLayer([0, 1], [1, 2], [0.5, 1.0])
        >>> layer.add(2, 0, 0.3), layer.add(1, 0, 0.4), layer.s.tolist()
        (2, 0, [0.4, 1.0, 0.3])
        """
        e = self.index.get(_key(i, j))
        if e is None:
            e = len(self.a)
            self.a = np.append(self.a, i)
            self.b = np.append(self.b, j)
            self.s = np.append(self.s, s)
            self.active = np.append(self.active, True)
            self.base = np.append(self.base, 0.0)
            self.logit0 = np.append(self.logit0, _logit(min(s, STEADY_MAX)))
            self.ell0 = np.vstack([self.ell0, np.zeros((1, 3))])
            self.damp = np.append(self.damp, 1.0)
            self.hostility = np.append(self.hostility, 0.0)
            self.index[_key(i, j)] = e
        else:
            self.s[e], self.active[e], self.base[e] = s, True, 0.0
            self.logit0[e] = _logit(min(s, STEADY_MAX))
        return e

    def dissolve(self, mask: np.ndarray) -> None:
        """Deactivate the ties in `mask`: their strength falls to 0; they stay in the arrays.

        Parameters
        ----------
        mask : bool array, shape (E,)
            The ties to dissolve.

        Examples
        --------
        >>> layer = PartnershipLayer([0, 1], [1, 2], [0.5, 1.0])
        >>> layer.dissolve(np.array([True, False]))
        >>> layer.active.tolist(), layer.s.tolist(), len(layer)
        ([False, True], [0.0, 1.0], 2)
        """
        self.active &= ~mask
        self.s[mask] = 0.0

    def degree(self, n: int) -> np.ndarray:
        """Number of active ties per actor.

        Parameters
        ----------
        n : int
            The number of actors (positions ``0..n-1``).

        Returns
        -------
        int array, shape (n,)
            Each actor's count of active ties.

        Examples
        --------
        >>> layer = PartnershipLayer([0, 1], [1, 2], [0.5, 1.0])
        >>> layer.degree(4).tolist()
        [1, 2, 1, 0]
        """
        act = self.active
        return np.bincount(self.a[act], minlength=n) + np.bincount(self.b[act], minlength=n)


def _logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p) - np.log1p(-p)


def _key(i: int, j: int) -> tuple[int, int]:
    return (int(i), int(j)) if i < j else (int(j), int(i))


# The tie functions run on one model's layer (a PartnershipLayer, a ModelParams) and on the
# rows of a batch (sim.engine's row view and BatchParams, whose parameters are (R, 1) arrays
# where rows differ): these protocols say what they read.
class TieArrays(Protocol):
    """The partnership arrays the tie functions read and update."""

    @property
    def a(self) -> np.ndarray: ...
    @property
    def b(self) -> np.ndarray: ...
    @property
    def s(self) -> np.ndarray: ...
    @property
    def active(self) -> np.ndarray: ...
    @property
    def base(self) -> np.ndarray: ...
    @property
    def logit0(self) -> np.ndarray: ...
    @property
    def ell0(self) -> np.ndarray: ...
    @property
    def damp(self) -> np.ndarray: ...
    @property
    def hostility(self) -> np.ndarray: ...
    def dissolve(self, mask: np.ndarray) -> None: ...


class TieParams(Protocol):
    """The parameters the tie functions read: numbers, or per-row arrays of shape (R, 1)."""

    @property
    def tie_support_weight(self) -> float | np.ndarray: ...
    @property
    def dependence_weight(self) -> float | np.ndarray: ...
    @property
    def threat_weight(self) -> float | np.ndarray: ...
    @property
    def tie_gain(self) -> float | np.ndarray: ...
    @property
    def tie_decay(self) -> float | np.ndarray: ...
    @property
    def tie_floor(self) -> float | np.ndarray: ...
    @property
    def tie_rate(self) -> float | np.ndarray: ...
    @property
    def driver_floor(self) -> float | np.ndarray: ...
    @property
    def support_elasticity(self) -> float | np.ndarray: ...
    @property
    def dependence_elasticity(self) -> float | np.ndarray: ...
    @property
    def threat_elasticity(self) -> float | np.ndarray: ...
    @property
    def hostility_weight(self) -> float | np.ndarray: ...


def allied_support(layer: TieArrays, cap: np.ndarray) -> np.ndarray:
    """Allied support per actor: :math:`S_i = \\sum_j s_{ij}\\, c_j` over active ties.

    Parameters
    ----------
    layer : PartnershipLayer
        The partnership ties; their strengths ``layer.s`` are (E,), or (R, E) for a batch.
    cap : float array, shape (N,) or (R, N)
        Every actor's capability (a batch: one row per replicate).

    Returns
    -------
    float array, shape (N,) or (R, N)
        :math:`S_i`, the strength-weighted capability of each actor's partners.

    Notes
    -----
    Inactive ties have strength 0, and dead actors capability 0, so neither counts.

    Examples
    --------
    >>> layer = PartnershipLayer([0, 1], [1, 2], [0.5, 1.0])
    >>> allied_support(layer, np.array([0.2, 0.4, 0.1])).tolist()
    [0.2, 0.2, 0.4]
    """
    n = cap.shape[-1]
    a, b, s = layer.a, layer.b, layer.s
    return row_bincount(a, s * cap[..., b], n) + row_bincount(b, s * cap[..., a], n)


def rival_pressure(
    ra: np.ndarray, rb: np.ndarray, intensity: np.ndarray, cap: np.ndarray
) -> np.ndarray:
    """Rival pressure per actor: :math:`P_i = \\sum_r \\iota_{ir}\\, c_r` over rivalry ties.

    Parameters
    ----------
    ra, rb : int arrays, shape (T,)
        Actor positions of the two rivals of each rivalry tie.
    intensity : float array, shape (T,) or (R, T)
        Each rivalry's intensity :math:`\\iota` in [0, 1] (a batch: one row per replicate).
    cap : float array, shape (N,) or (R, N)
        Every actor's capability.

    Returns
    -------
    float array, shape (N,) or (R, N)
        :math:`P_i`, the intensity-weighted capability of each actor's rivals.

    Examples
    --------
    Actors 0 and 2 are rivals at intensity 0.5:

    >>> rival_pressure(np.array([0]), np.array([2]), np.array([0.5]),
    ...                np.array([0.2, 0.4, 0.1])).tolist()
    [0.05, 0.0, 0.1]
    """
    n = cap.shape[-1]
    return row_bincount(ra, intensity * cap[..., rb], n) + row_bincount(
        rb, intensity * cap[..., ra], n
    )


def tie_drivers(
    layer: TieArrays,
    *,
    cap: np.ndarray,
    support: np.ndarray,
    pressure: np.ndarray,
    fulfilment: np.ndarray,
    cover_a: np.ndarray,
    cover_b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three drivers of every partnership tie, each in [0, 1].

    Parameters
    ----------
    layer : PartnershipLayer
        The partnership ties and their current strengths.
    cap, support, pressure, fulfilment : float arrays, shape (N,)
        Capability, allied support :math:`S`, rival pressure :math:`P` and supply fulfilment
        :math:`f` (mean share of needs met) of every actor.
    cover_a, cover_b : float arrays, shape (E,)
        Share of partner ``a``'s (``b``'s) needs that the other partner delivered this month.

    Every array may carry a leading replicate axis (R, ...), the layer's strengths too.

    Returns
    -------
    support, dependence, threat : float arrays, shape (E,) or (R, E)
        ``support`` = mean of the two covers; ``dependence`` = mean over the two partners of
        :math:`\\tfrac12[\\kappa_{i|j}(1 - \\min(1, f_i - \\kappa_{i|j}))
        + s_{ij} c_j / (c_i + S_i)]` (needs covered by the partner times the lack of
        alternative suppliers, and the partner's share of all the power the actor can count
        on); ``threat`` = :math:`x / (1 + x)` with
        :math:`x = (P_i + P_j) / (c_i + c_j + S_i - s c_j + S_j - s c_i)`.

    Examples
    --------
    Tie 0–1 (strength 0.5): actor 1 covers half of actor 0's needs. Tie 1–2 (strength 1):
    actor 1 covers a fifth of actor 2's. Actors 0 and 2 face rival pressure 0.05 each.

    >>> layer = PartnershipLayer([0, 1], [1, 2], [0.5, 1.0])
    >>> cap = np.array([0.2, 0.4, 0.1])
    >>> sup, dep, threat = tie_drivers(
    ...     layer, cap=cap, support=allied_support(layer, cap), pressure=np.array([0.05, 0, 0.05]),
    ...     fulfilment=np.ones(3), cover_a=np.array([0.5, 0.0]), cover_b=np.array([0.0, 0.2]))
    >>> sup.tolist(), dep.round(3).tolist(), threat.round(3).tolist()
    ([0.25, 0.1], [0.229, 0.252], [0.067, 0.077])
    """
    # Every expression keeps its operands and their order (so its floats); the work is
    # done in place on the gathered copies, and ``c + S + eps`` per actor before gathering.
    a, b, s = layer.a, layer.b, layer.s
    cap, support, pressure, fulfilment, cover_a, cover_b = (
        np.asarray(v, dtype=float) for v in (cap, support, pressure, fulfilment, cover_a, cover_b)
    )  # in place needs float arrays (integer inputs are exact as floats)
    ca, cb = cap[..., a], cap[..., b]
    s_cb, s_ca = s * cb, s * ca
    sup = np.add(cover_a, cover_b)
    sup *= 0.5
    power = cap + support + _EPS
    sec_a = np.divide(s_cb, power[..., a])
    sec_b = np.divide(s_ca, power[..., b])
    dep = _uncovered(fulfilment[..., a], cover_a)  # cover_a (1 - alt_a)
    dep += sec_a
    dep += _uncovered(fulfilment[..., b], cover_b)
    dep += sec_b
    dep *= 0.25
    own = ca  # c_a + c_b + (S_a - s c_b) + (S_b - s c_a)
    own += cb
    own += np.subtract(support[..., a], s_cb, out=sec_a)
    own += np.subtract(support[..., b], s_ca, out=sec_b)
    own += _EPS
    x = pressure[..., a]
    x += pressure[..., b]
    x /= own
    threat = np.divide(x, np.add(1.0, x, out=own), out=own)
    return sup, dep, threat


def _uncovered(f: np.ndarray, cover: np.ndarray) -> np.ndarray:
    """``cover * (1 - clip(f - cover, 0, 1))``, computed in `f` (a copy the caller gives)."""
    f -= cover
    np.clip(f, 0.0, 1.0, out=f)
    np.subtract(1.0, f, out=f)
    return np.multiply(cover, f, out=f)


def drive(params: TieParams, sup, dep, threat) -> np.ndarray:
    """The weighted drive :math:`D = w_s\\,support + w_d\\,dependence + w_t\\,threat`.

    The push on a tie's strength under the ``"anchor"`` submodel (:func:`update_strengths`).

    Parameters
    ----------
    params : ModelParams
        Its ``tie_support_weight``, ``dependence_weight`` and ``threat_weight`` are used.
    sup, dep, threat : float arrays, shape (E,) or (R, E)
        The three drivers of every tie (:func:`tie_drivers`).

    Returns
    -------
    float array, shape of the drivers
        :math:`D` per tie.

    Examples
    --------
    With the default weights (1, 0.5, 3):

    >>> from sim.params import ModelParams
    >>> drive(ModelParams(), np.array([0.2]), np.array([0.1]), np.array([0.1])).round(3).tolist()
    [0.55]
    """
    return (
        params.tie_support_weight * sup
        + params.dependence_weight * dep
        + params.threat_weight * threat
    )


def anchor(params: TieParams, s0: np.ndarray, d0: np.ndarray) -> np.ndarray:
    r"""Residual term :math:`b` that makes each initial strength an equilibrium.

    Parameters
    ----------
    params : ModelParams
        Its ``tie_gain`` :math:`g` and ``tie_decay`` :math:`\delta` are used.
    s0 : float array, shape (E,)
        Initial strengths (capped at :data:`STEADY_MAX`).
    d0 : float array, shape (E,) or (draws, E)
        The drive of every tie at t = 0, or several noisy draws of it.

    Returns
    -------
    float array, shape (E,)
        With one drive per tie, :math:`b = p_0 - D_0` where :math:`p_0 = \delta s_0 /
        (g (1 - s_0))` is the push that holds :math:`s_0` (eq. 10 with :math:`\Delta s = 0`).
        With draws, the :math:`b` whose *expected* clipped push
        :math:`\overline{\max(0, D + b)}` over the draws equals :math:`p_0`.

    Notes
    -----
    What the tie holds beyond (b > 0: treaties, habits, institutions) or below (b < 0:
    mistrust, history) its current drivers. It is fixed at t = 0 and never reacts to events,
    so every change in strength comes from the drivers. Solving for the mean of the clipped
    push rather than the push of the mean drive matters when the drive is noisy and
    :math:`p_0` is small: months whose drive falls below :math:`-b` are clipped at 0, so the
    push of the mean drive would overstate the tie's mean loss and let it drift upwards.
    The mean clipped push is convex, piecewise linear and increasing in :math:`b`; Newton's
    method from the right, where every draw is unclipped, reaches the root in at most as
    many steps as there are draws.

    Examples
    --------
    A tie at 0.5 with a drive of 0.1 needs the push :math:`p_0 = 0.06 \cdot 0.5 / (0.5
    \cdot 0.5) = 0.12` (default gain and decay), so :math:`b = 0.02`; with two noisy draws
    of the drive, -0.1 and 0.3 (mean 0.1), the first is clipped and :math:`b` solves
    :math:`(0.3 + b) / 2 = 0.12`:

    >>> from sim.params import ModelParams
    >>> anchor(ModelParams(), np.array([0.5]), np.array([0.1])).round(6).tolist()
    [0.02]
    >>> anchor(ModelParams(), np.array([0.5]), np.array([[-0.1], [0.3]])).round(6).tolist()
    [-0.06]
    """
    s0 = np.minimum(s0, STEADY_MAX)
    p0 = params.tie_decay * s0 / (params.tie_gain * (1.0 - s0))
    d = np.atleast_2d(np.asarray(d0, dtype=float))
    b = p0 - d.min(axis=0)  # every draw unclipped: the mean push is at least p0
    for _ in range(d.shape[0] + 1):
        pos = d + b > 0.0
        excess = np.where(pos, d + b, 0.0).mean(axis=0) - p0
        if np.all(np.abs(excess) <= 1e-12 * (1.0 + p0)):
            break
        b -= excess / np.maximum(pos.mean(axis=0), 1.0 / d.shape[0])
    return b


def update_strengths(layer: TieArrays, params: TieParams, d: np.ndarray) -> np.ndarray:
    """One month of strength change on active ties; dissolve those below the floor.

    The ``"anchor"`` submodel: :math:`ds/dt = g\\,\\max(0, D + b)\\,(1 - s) - \\delta s`,
    with the push held for the month and integrated exactly.

    Parameters
    ----------
    layer : PartnershipLayer
        Its strengths ``layer.s`` are updated in place, with its anchors ``layer.base``
        (:func:`anchor`).
    params : ModelParams
        Its ``tie_gain``, ``tie_decay`` and ``tie_floor`` are used.
    d : float array, shape (E,)
        This month's drive of every tie (:func:`drive`).

    Returns
    -------
    bool array, shape (E,)
        The ties dissolved this month (active, and now below ``tie_floor``).

    Examples
    --------
    A tie at 0.5 anchored at a drive of 0.1 holds while the drive does, and weakens when it
    falls to 0:

    >>> from sim.params import ModelParams
    >>> params = ModelParams()
    >>> layer = PartnershipLayer([0], [1], [0.5])
    >>> layer.base[:] = anchor(params, layer.s, np.array([0.1]))
    >>> update_strengths(layer, params, np.array([0.1])).tolist(), layer.s.round(3).tolist()
    ([False], [0.5])
    >>> update_strengths(layer, params, np.array([0.0])).tolist(), layer.s.round(3).tolist()
    ([False], [0.476])
    """
    s = layer.s
    # The drive cannot be negative: with no drivers left (or fewer than the tie's mistrust
    # residual absorbs) a tie only decays, at the rate `tie_decay`.
    push = np.maximum(d + layer.base, 0.0)
    # ds/dt = a (1 - s) - delta s with the push held for the month, integrated exactly:
    # s relaxes towards s* = a / (a + delta) by the factor exp(-(a + delta)). An explicit
    # step s + ds overshoots once a + delta > 1 (strong ties have a large push) and made
    # ties held at 0.99 flip between 1 and 0.94 every month; this step cannot overshoot,
    # stays in [0, 1] and keeps the same equilibria (so the anchors are unchanged).
    a = params.tie_gain * push
    k = a + params.tie_decay
    target = np.divide(a, k, out=np.zeros_like(a), where=k > 0)
    s[:] = target + (s - target) * np.exp(-k)
    s[~layer.active] = 0.0
    gone = layer.active & (s < params.tie_floor)
    if gone.any():
        layer.dissolve(gone)
    return gone


def formation_candidates(n: int, ra: np.ndarray, rb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of actors that share at least one rival and are not rivals themselves.

    Parameters
    ----------
    n : int
        The number of actors.
    ra, rb : int arrays, shape (T,)
        Actor positions of the two rivals of each rivalry tie.

    Returns
    -------
    i, j : int arrays
        The candidate pairs, ``i < j``, in row-major order.

    Notes
    -----
    Computed once from the rivalry layer as the upper triangle of :math:`R^2` (sparse),
    in O(sum of squared rival degrees).

    Examples
    --------
    Actors 0 and 1 are both rivals of 2, and 2 and 3 both rivals of 0:

    >>> i, j = formation_candidates(4, np.array([0, 1, 0]), np.array([2, 2, 3]))
    >>> i.tolist(), j.tolist()
    ([0, 2], [1, 3])
    """
    if len(ra) == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    ones = np.ones(len(ra))
    r = sp.coo_matrix((ones, (ra, rb)), shape=(n, n)).tocsr()
    # scipy-stubs type `spmatrix > number` as an error; scipy supports it.
    r = ((r + r.T) > 0).astype(np.int8)  # type: ignore[operator]
    rr = sp.triu(r @ r, k=1).tocoo()
    rivals = set(zip(np.minimum(ra, rb).tolist(), np.maximum(ra, rb).tolist(), strict=True))
    keep = np.array(
        [(i, j) not in rivals for i, j in zip(rr.row.tolist(), rr.col.tolist(), strict=True)],
        dtype=bool,
    )
    return rr.row[keep].astype(np.intp), rr.col[keep].astype(np.intp)


def log_drivers(params: TieParams, sup, dep, threat) -> np.ndarray:
    """The log drivers :math:`\\log(x_k + \\epsilon)` of every tie, shape (E, 3).

    Parameters
    ----------
    params : ModelParams
        Its ``driver_floor`` :math:`\\epsilon` is used (a number, or one per row, (R, 1)).
    sup, dep, threat : float arrays, shape (E,) or (R, E)
        The three drivers of every tie (:func:`tie_drivers`).

    Returns
    -------
    float array, shape (E, 3) or (R, E, 3)
        The log drivers, stacked in the order support, dependence, threat.

    Notes
    -----
    :math:`\\epsilon` = ``driver_floor`` keeps a driver of 0 (no supply between the
    partners) finite, and makes a change of a driver near 0 count for little.

    Examples
    --------
    With the default floor 0.02, a driver of 0 gives :math:`\\log 0.02 = -3.912`:

    >>> from sim.params import ModelParams
    >>> log_drivers(ModelParams(), np.array([0.5]), np.array([0.2]), np.array([0.0])).round(3)
    array([[-0.654, -1.514, -3.912]])
    """
    eps = params.driver_floor  # a number, or one per replicate row, shape (R, 1)
    drivers = (sup, dep, threat)
    out = np.empty((*np.broadcast_shapes(np.shape(eps), *(np.shape(x) for x in drivers)), 3))
    for k, x in enumerate(drivers):  # stacked in place, then one log
        np.add(x, eps, out=out[..., k])
    return np.log(out, out=out)


def logodds_targets(layer: TieArrays, params: TieParams, ld: np.ndarray) -> np.ndarray:
    """Target strength of every tie under the ``"logodds"`` submodel.

    Parameters
    ----------
    layer : PartnershipLayer
        Its return points ``logit0``, initial log drivers ``ell0``, damping and hostility.
    params : ModelParams
        Its elasticities and ``hostility_weight`` are used.
    ld : float array, shape (E, 3)
        This month's :func:`log_drivers`.

    Returns
    -------
    float array, shape (E,)
        :math:`s^* = \\sigma\\big(\\operatorname{logit} s_0 + \\kappa\\,[\\beta_s \\Delta_s +
        \\beta_d \\Delta_d + \\beta_t \\Delta_t - \\beta_h h]\\big)` with
        :math:`\\Delta_k = \\log(x_k + \\epsilon) - \\log(x_{k,0} + \\epsilon)`, in (0, 1).

    Notes
    -----
    With every driver at its initial value and no hostile act the target is the observed
    strength: the baseline is stationary by construction, not by a fitted residual. A
    relative change of a driver moves the log-odds by a bounded amount (a fall by 10 % by
    :math:`0.105\\,\\beta_k` at most), so a small shock has a small effect whatever the
    tie's strength, and no single driver can dissolve a tie unless it falls by orders of
    magnitude.

    Examples
    --------
    Drivers at their initial values: the observed strengths (1.0 capped at
    :data:`STEADY_MAX`). Support halved on both ties: the log-odds fall by
    :math:`0.5 \\log 2 = 0.347`. One hostile act on tie 0: they fall by 1.

    >>> from sim.params import ModelParams
    >>> params, layer = ModelParams(), PartnershipLayer([0, 1], [1, 2], [0.5, 1.0])
    >>> logodds_targets(layer, params, np.zeros((2, 3))).round(3).tolist()
    [0.5, 0.99]
    >>> logodds_targets(layer, params, np.log([[0.5, 1, 1], [0.5, 1, 1]])).round(3).tolist()
    [0.414, 0.986]
    >>> layer.hostility[0] = 1
    >>> logodds_targets(layer, params, np.zeros((2, 3))).round(3).tolist()
    [0.269, 0.99]
    """
    # the terms in this order, in place (no (E, 3) difference array)
    ell0 = layer.ell0
    shift = params.support_elasticity * (ld[..., 0] - ell0[..., 0])
    shift += params.dependence_elasticity * (ld[..., 1] - ell0[..., 1])
    shift += params.threat_elasticity * (ld[..., 2] - ell0[..., 2])
    shift -= params.hostility_weight * layer.hostility
    z = np.add(layer.logit0, np.multiply(layer.damp, shift, out=shift), out=shift)
    np.exp(np.negative(z, out=z), out=z)
    return np.divide(1.0, np.add(1.0, z, out=z), out=z)


def relax_strengths(layer: TieArrays, params: TieParams, target: np.ndarray) -> np.ndarray:
    """One month of relaxation towards `target`; dissolve ties below the floor.

    :math:`s \\leftarrow s^* + (s - s^*)\\,e^{-r}` with :math:`r` = ``tie_rate`` (the exact
    solution of :math:`ds/dt = r (s^* - s)` over a month).

    Parameters
    ----------
    layer : PartnershipLayer
        Its strengths ``layer.s`` are updated in place.
    params : ModelParams
        Its ``tie_rate`` and ``tie_floor`` are used.
    target : float array, shape (E,)
        The target strength of every tie (:func:`logodds_targets`).

    Returns
    -------
    bool array, shape (E,)
        The ties dissolved this month (active, and now below ``tie_floor``).

    Examples
    --------
    With the default rate 0.1 a tie closes 9.5 % of the gap to its target in a month; the
    second tie falls below the floor 0.05 and dissolves:

    >>> from sim.params import ModelParams
    >>> layer = PartnershipLayer([0, 1], [1, 2], [0.5, 0.05])
    >>> relax_strengths(layer, ModelParams(), np.array([0.3, 0.02])).tolist()
    [False, True]
    >>> layer.s.round(3).tolist(), layer.active.tolist()
    ([0.481, 0.0], [True, False])
    """
    s = layer.s
    s[:] = target + (s - target) * np.exp(-params.tie_rate)
    s[~layer.active] = 0.0
    gone = layer.active & (s < params.tie_floor)
    if gone.any():
        layer.dissolve(gone)
    return gone
