"""Escape from a small initialisation and the first saddle [KH25], on an instance.

For each positive, second-order KKT point w* of the neural correlation function (exact, from
``symflow.correlation``):

1. **Limiting path (numerical).** The square-loss flow θ' = −∇L(θ), L = ½Σ_i‖H(x_i; θ) − y_i‖²,
   is integrated from δ·w* for δ = 10⁻², 10⁻³, 10⁻⁴ (DOP853), each trajectory shifted in time to
   the moment ‖θ‖ first reaches ρ = 0.1; the gaps between successive δ on the common time grid,
   up to the plateau, show the paths converging to a limiting path p(t).
2. **The first saddle (exact).** On the plateau of the smallest δ (the first local minimum of
   ‖∇L‖ after the escape) the support and the activation pattern are read off; ∇L_P = 0 on the
   support, with the conserved h_v = ‖in_v‖² − p‖out_v‖² = 0 of the limiting path (it leaves the
   origin, where every h_v = 0) fixing the rescalings, is solved exactly, the solution nearest
   the plateau is taken (floats only choose), and then ∇L(θ*) = 0 is verified exactly in every
   coordinate, with θ* in the closed region of P. It is shown to be a saddle by an exact
   direction of negative curvature of ∇²L, or, for a separable network, by an exact direction u
   in a neuron that is zero at θ*: L(θ* + εu) = L(θ*) − ε^{p+1}·G_r(u) + O(ε^{2p+2}) with
   G_r(u) = Σ_i ⟨r_i, a·σ(w·x̃_i)⟩ > 0, r_i = y_i − H(x_i; θ*).
3. **Sparsity.** The parameters of the neurons that are zero in w* form a zero pattern whose
   invariance under the network's flow is decided exactly (``symflow zeros``); the computed path
   is checked to keep them at zero, and θ* has them at zero.

Floats only in the integration, labelled numerical; every statement about w* and θ* is exact.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np
import sympy

from .algebraic import AlgebraicPoint, NoShapePosition, NotZeroDimensional, T, display
from .algebraic import real_solutions as solve_exact
from .correlation import KKTPoint, NCFResult, Net, _separable, candidates, ncf
from .errors import LimitError, SymflowError
from .liftings import Lifting

DELTAS = (1e-2, 1e-3, 1e-4)
RHO = 0.1


@dataclass
class Trajectory:
    """One numerical flow from δ·w* (or a random start), time-shifted to ‖θ‖ = ρ."""

    delta: float
    tau: float | None  # the time at which ‖θ‖ reaches ρ (None: never)
    t: np.ndarray  # shifted times
    theta: np.ndarray  # (len(t), D)
    loss: np.ndarray
    grad: np.ndarray  # ‖∇L‖
    stop: str | None = None
    pre_t: np.ndarray | None = None  # t/τ on [0, 1]: the phase near the origin
    pre_theta: np.ndarray | None = None


@dataclass
class Saddle:
    """The exact stationary point on the plateau of the limiting path."""

    w: list[str]
    w_approx: list[float]
    loss: str
    loss_approx: float
    support: list[str]  # hidden neurons with a non-zero parameter
    stationary: bool  # ∇L(θ*) = 0 verified exactly
    in_region: bool
    kind: str  # "saddle (negative curvature)" | "saddle (descent at order p + 1)" | "not decided"
    direction: list[str] | None = None
    note: str = ""
    distance: float = 0.0  # from the numerical plateau (display)
    exact: AlgebraicPoint | None = None  # θ*, over the parameters
    loss_expr: sympy.Expr | None = None  # L_P, the loss on θ*'s activation pattern
    pattern: dict = field(default_factory=dict)  # (neuron, data index) -> on
    witness_neuron: str | None = None  # the silent neuron of a descent witness


@dataclass
class Escape:
    kkt: KKTPoint
    paths: list[Trajectory]
    gaps: list[float]  # max ‖p_δk − p_δk+1‖ on the common grid, up to the plateau
    plateau: float | None  # shifted time of the plateau (smallest δ)
    saddle: Saddle | None
    zeros: list[str]  # parameters zero in w* (whole neurons)
    zeros_invariant: bool | None  # under the network's flow, exactly
    zeros_max: float | None  # max |θ_S| along the computed path up to the plateau
    notes: list[str] = field(default_factory=list)


@dataclass
class EscapeResult:
    ncf: NCFResult
    escapes: list[Escape]
    start: Trajectory | None = None  # the random small initialisation, if asked
    alignment: list[tuple[int, float]] = field(default_factory=list)  # (kkt index, cos)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def _loss(lifting: Lifting, x: np.ndarray, y: np.ndarray):
    arch = lifting.architecture
    if arch is not None and arch.widths is not None and arch.layers:
        return _layered_loss(lifting, x, y)
    from .flow import loss_and_gradient

    f = loss_and_gradient(lifting, x, y)
    n = max(x.shape[1], 1)

    def g(theta: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad = f(theta)
        return loss * n, grad * n  # ½Σ_i, not the mean

    return g


def _layered_loss(lifting: Lifting, x: np.ndarray, y: np.ndarray):
    """(L, ∇L) with L = ½Σ_i‖H(x_i) − y_i‖² for a layered network, with matrices: the
    parameters are W{l} row by row then b{l}, layer by layer (symflow's order)."""
    from .flow import dsigma, sigma

    arch = lifting.architecture
    widths = list(arch.widths)
    act = arch.activation(arch.layers[1][0]) if len(widths) > 2 else "linear"
    bias = arch.has_bias()
    shapes = []
    pos = 0
    for k in range(1, len(widths)):
        m, n = widths[k], widths[k - 1]
        shapes.append((pos, m, n))
        pos += m * n + (m if bias else 0)
    last = len(shapes) - 1

    def f(theta: np.ndarray) -> tuple[float, np.ndarray]:
        a, pres, acts = x, [], [x]
        mats = []
        for k, (p0, m, n) in enumerate(shapes):
            W = theta[p0:p0 + m * n].reshape(m, n)
            b = theta[p0 + m * n:p0 + m * n + m][:, None] if bias else 0.0
            mats.append(W)
            s = W @ a + b
            pres.append(s)
            a = s if k == last else sigma(act, s)
            acts.append(a)
        r = a - y
        grad = np.zeros_like(theta)
        delta = r
        for k in range(last, -1, -1):
            p0, m, n = shapes[k]
            if k != last:
                delta = delta * dsigma(act, pres[k])
            grad[p0:p0 + m * n] = (delta @ acts[k].T).ravel()
            if bias:
                grad[p0 + m * n:p0 + m * n + m] = delta.sum(axis=1)
            delta = mats[k].T @ delta
        return 0.5 * float((r * r).sum()), grad

    return f


def _integrate(f, theta0: np.ndarray, t_end: float, deadline: float,
               stop_at: float | None = None) -> tuple:
    """DOP853 of θ' = −∇L from θ0 on [0, t_end] (dense output), within a wall-clock deadline;
    with ``stop_at``, it stops when ‖θ‖ first reaches that value (a terminal event)."""
    from scipy.integrate import solve_ivp

    class Late(Exception):
        pass

    def rhs(_t, th):
        if time.monotonic() > deadline:
            raise Late
        return -f(th)[1]

    events = None
    if stop_at is not None:
        def reach(_t, th):
            return float(np.linalg.norm(th)) - stop_at
        reach.terminal = True
        reach.direction = 1
        events = reach
    try:
        sol = solve_ivp(rhs, (0.0, t_end), theta0, method="DOP853", rtol=1e-10,
                        atol=1e-14, dense_output=True, events=events)
    except Late:
        return None, "the time budget ran out (raise --max-seconds)"
    if sol.status == -1:
        return None, f"the integrator failed: {sol.message}"
    return sol, None


def _trajectory(f, theta0: np.ndarray, delta: float, t_end: float, horizon: float,
                deadline: float, grid: int = 2000) -> Trajectory:
    """Near the origin until ‖θ‖ = ρ (an event, at time τ), then the horizon after τ."""
    empty = Trajectory(delta, None, np.zeros(0), np.zeros((0, len(theta0))), np.zeros(0),
                       np.zeros(0))
    first, stop = _integrate(f, theta0, t_end, deadline, stop_at=RHO)
    if first is None:
        empty.stop = stop
        return empty
    if not len(first.t_events[0]):
        few = np.linspace(0.0, first.t[-1], grid)
        th = first.sol(few).T
        vals = [f(p) for p in th]
        return Trajectory(delta, None, few, th, np.array([v[0] for v in vals]),
                          np.array([np.linalg.norm(v[1]) for v in vals]),
                          f"‖θ‖ never reached {RHO} by t = {first.t[-1]:.3g}")
    tau = float(first.t_events[0][0])
    start = first.y_events[0][0]
    second, stop = _integrate(f, start, horizon, deadline)
    pre = np.linspace(0.0, 1.0, 400)
    pre_theta = first.sol(pre * tau).T
    if second is None:
        tr = Trajectory(delta, tau, np.zeros(0), np.zeros((0, len(theta0))), np.zeros(0),
                        np.zeros(0), stop, pre, pre_theta)
        return tr
    s = np.linspace(0.0, second.t[-1], grid)
    th = second.sol(s).T
    vals = [f(p) for p in th]
    return Trajectory(delta, tau, s, th, np.array([v[0] for v in vals]),
                      np.array([np.linalg.norm(v[1]) for v in vals]), stop, pre, pre_theta)


def _plateau(tr: Trajectory) -> int | None:
    """Index of the first local minimum of ‖∇L‖ after the escape that is small (below 1 % of
    the largest gradient seen before it)."""
    g = tr.grad
    if len(g) < 3:
        return None
    peak = 0.0
    for k in range(1, len(g) - 1):
        peak = max(peak, g[k])
        if g[k] <= g[k - 1] and g[k] <= g[k + 1] and g[k] < 1e-2 * peak:
            return k
    return None


def escape(lifting: Lifting, xs: list[list], ys: list[list], deltas: tuple = DELTAS,
           horizon: float = 60.0, max_seconds: float = 60.0, random_scale: float | None = None,
           seed: int = 0, max_points: int = 4, max_params: int = 8) -> EscapeResult:
    """The KH25 analysis of one instance: NCF, escape paths, the first saddle, sparsity."""
    start = time.monotonic()
    if not all(0 < d < 1 for d in deltas) or len(deltas) < 2:
        raise SymflowError("--deltas needs at least two values, each in (0, 1)")
    if random_scale is not None and not 0 < random_scale < 1:
        raise SymflowError("--scale must be in (0, 1) (a small initialisation)")
    res_ncf = ncf(lifting, xs, ys, max_params=max_params, max_seconds=max_seconds)
    net = Net(lifting, xs, ys)
    L = _degree(lifting)
    if L is None or L <= 2:
        raise SymflowError("the escape analysis needs a network homogeneous of degree L > 2 "
                           "(relu^p or x^p with p ≥ 2, [KH25]); this one is not")
    x = np.array([[float(v) for v in row] for row in xs]).T
    y = np.array([[float(v) for v in row] for row in ys]).T
    f = _loss(lifting, x, y)
    deadline = start + max_seconds
    good = [k for k in res_ncf.points if k.positive and k.second_order == "holds"]
    out = EscapeResult(res_ncf, [])
    if any(not c.mu_zero for c in res_ncf.continua):
        out.notes.append("the KKT set with μ ≠ 0 contains a continuum (see symflow ncf): the "
                         "points followed here are its isolated positive second-order points "
                         "only, and a small initialisation may align with the continuum")
    if not good:
        out.notes.append("no positive second-order KKT point was found: nothing escapes along a "
                         "KKT direction that symflow could certify")
    if random_scale is not None:
        rng = np.random.default_rng(seed)
        th0 = rng.standard_normal(lifting.D)
        th0 *= random_scale / np.linalg.norm(th0)
        mu_max = max((k.mu_approx for k in good), default=1.0)
        t_end = 4 * random_scale ** (2 - L) / ((L - 2) * mu_max)
        tr = _trajectory(f, th0, random_scale, t_end, horizon, deadline)
        out.start = tr
        if tr.tau is not None and len(tr.theta):
            u = tr.theta[0] / np.linalg.norm(tr.theta[0])
            cos = [(i, float(u @ np.array(k.w_approx))) for i, k in enumerate(res_ncf.points)
                   if k.positive]
            out.alignment = sorted(cos, key=lambda c: -c[1])
            if out.alignment and out.alignment[0][0] < len(res_ncf.points):
                best = res_ncf.points[out.alignment[0][0]]
                if best in good:
                    good = [best] + [k for k in good if k is not best]
    swaps = _swaps(net)
    done: list[KKTPoint] = []
    for k in good:
        twin = next((d for d in done for perm in swaps
                     if [k.w[perm[i]] for i in range(len(k.w))] == d.w), None)
        if twin is not None:
            i = res_ncf.points.index(twin)
            out.notes.append(f"w* = ({', '.join(k.w)}) is the KKT point #{i + 1} with two "
                             "interchangeable hidden neurons swapped: its path, saddle and "
                             "zero pattern are those, swapped (not integrated again)")
            continue
        if len(done) == max_points:
            out.notes.append(f"only the first {max_points} positive second-order KKT points "
                             "(up to swapping neurons) are followed")
            break
        done.append(k)
        out.escapes.append(_escape_one(net, lifting, f, k, deltas, L, horizon, deadline))
    out.seconds = time.monotonic() - start
    return out


def _swaps(net: Net) -> list[list[int]]:
    """Parameter permutations swapping two hidden neurons with the same predecessors, the same
    successors and both or neither biased (the output is invariant under each)."""
    g, arch = net.g, net.arch
    index = net.lf.ring.index
    out = []
    hidden = arch.hidden
    for a, b in itertools.combinations(hidden, 2):
        if (set(g.predecessors(a)) != set(g.predecessors(b))
                or set(g.successors(a)) != set(g.successors(b))
                or bool(arch.bias(a)) != bool(arch.bias(b))
                or arch.activation(a) != arch.activation(b)):
            continue
        perm = list(range(len(index)))
        pairs = [(g.edges[u, a]["param"], g.edges[u, b]["param"]) for u in g.predecessors(a)]
        pairs += [(g.edges[a, y]["param"], g.edges[b, y]["param"]) for y in g.successors(a)]
        if arch.bias(a):
            pairs.append((arch.bias(a), arch.bias(b)))
        for p, q in pairs:
            perm[index[p]], perm[index[q]] = index[q], index[p]
        out.append(perm)
    return out


def _degree(lifting: Lifting) -> int | None:
    from .homogeneous import homogeneity

    d = homogeneity(lifting).degree
    return None if d is None else int(d)


def _escape_one(net: Net, lifting: Lifting, f, k: KKTPoint, deltas: tuple, L: int,
                horizon: float, deadline: float) -> Escape:
    w = np.array(k.w_approx)
    paths = []
    for d in deltas:
        t_end = 4 * d ** (2 - L) / ((L - 2) * k.mu_approx)
        paths.append(_trajectory(f, d * w, d, t_end, horizon, deadline))
    esc = Escape(k, paths, [], None, None, [], None, None)
    for tr in paths:
        if tr.stop:
            esc.notes.append(f"δ = {tr.delta:g}: {tr.stop}")
    last = paths[-1]
    idx = _plateau(last) if last.tau is not None and len(last.t) else None
    esc.plateau = float(last.t[idx]) if idx is not None else None
    upto = idx if idx is not None else len(last.t) - 1
    ok = [p for p in paths if p.tau is not None and len(p.t) > max(upto, 0)]
    if upto >= 0:
        for a, b in zip(ok, ok[1:], strict=False):
            n = min(upto + 1, len(a.t), len(b.t))
            esc.gaps.append(float(np.max(np.linalg.norm(a.theta[:n] - b.theta[:n], axis=1))))
    # sparsity: the neurons that are zero in w*
    zero_neurons = [v for v in net.arch.hidden if v not in k.support] if k.support else []
    params = [p for v in zero_neurons for p in net.params_of(v)]
    esc.zeros = params
    if params:
        from .homogeneous import network_zero_pattern

        z = network_zero_pattern(lifting, params)
        esc.zeros_invariant = z.invariant if z is not None else None
        pos = [lifting.ring.index[p] for p in params]
        if len(last.theta):
            esc.zeros_max = float(np.max(np.abs(last.theta[:upto + 1][:, pos])))
    if idx is None:
        esc.notes.append("no plateau within the horizon: the first saddle was not reached "
                         "(raise --horizon)" if len(last.t) else
                         "the smallest δ's path was not computed: no saddle")
        return esc
    esc.saddle = _exact_saddle(net, lifting, last.theta[idx], L)
    return esc


def _loss_poly(net: Net, pattern: dict) -> sympy.Expr:
    total = sympy.Integer(0)
    for i in range(net.n):
        for h, yv in zip(net.outputs(i, pattern), net.ys[i], strict=True):
            total += (h - sympy.Rational(yv)) ** 2
    return sympy.expand(total / 2)


def _exact_saddle(net: Net, lifting: Lifting, theta: np.ndarray, L: int) -> Saddle:
    w = net.syms
    scale = max(float(np.linalg.norm(theta)), 1e-12)
    support_idx = [i for i, v in enumerate(theta) if abs(v) > 1e-5 * scale]
    zero_sub = {w[i]: 0 for i in range(len(w)) if i not in support_idx}
    pres = net.pres(None)
    pattern = {}
    for (v, i), e in pres.items():
        val = float(sympy.lambdify(w, e)(*theta))
        pattern[(v, i)] = int(val > 1e-7 * scale)
    Lp = _loss_poly(net, pattern)
    sup_vars = [w[i] for i in support_idx]
    grad = [sympy.diff(Lp, s) for s in w]
    eqs = [sympy.expand(grad[i].subs(zero_sub)) for i in support_idx]
    live = [v for v in net.arch.hidden if set(net.params_of(v)) & {str(s) for s in
                                                                            sup_vars}]
    for v in live:  # the limiting path has h_v = 0
        ins = [net.sym[net.g.edges[u, v]["param"]] for u in net.g.predecessors(v)]
        ins += [net.sym[net.arch.bias(v)]] if net.arch.bias(v) else []
        outs = [net.sym[net.g.edges[v, y]["param"]] for y in net.g.successors(v)]
        h = sum(s ** 2 for s in ins) - net.arch.power(v) * sum(s ** 2 for s in outs)
        eqs.append(sympy.expand(h.subs(zero_sub)))
    eqs = [e for e in eqs if e != 0]
    # the support's coordinates are non-zero at θ*: saturate (s·∏ support − 1 = 0), which drops
    # the components of the complex variety where one of them vanishes
    sat = sympy.Symbol("s_")
    prod = sympy.Integer(1)
    for v in sup_vars:
        prod *= v
    try:
        pts = solve_exact(eqs + [sat * prod - 1], sup_vars + [sat])
        pts = [AlgebraicPoint(p.beta, p.coords[:-1], sup_vars) for p in pts]
    except (NotZeroDimensional, NoShapePosition):
        return Saddle([], list(map(float, theta)), "", float("nan"), live, False, False,
                      "not decided", note="the stationary points on this support (with h = 0) "
                      "are not finitely many: no exact point to name")
    if not pts:
        return Saddle([], list(map(float, theta)), "", float("nan"), live, False, False,
                      "not decided", note="no exact stationary point on the plateau's support")
    target = np.array([theta[i] for i in support_idx])
    best = min(pts, key=lambda p: float(np.linalg.norm(
        np.array([p.approx(s) for s in sup_vars]) - target)))
    dist = float(np.linalg.norm(np.array([best.approx(s) for s in sup_vars]) - target))
    # the full point, with the zero coordinates
    zero = sympy.Poly(0, T)
    coords = []
    it = iter(best.coords)
    for i in range(len(w)):
        coords.append(next(it) if i in support_idx else zero)
    q = AlgebraicPoint(best.beta, coords, list(w))
    stationary = all(q.is_zero(g) for g in grad)
    in_region = all((q.sign(e) >= 0) if pattern[key] else (q.sign(e) <= 0)
                    for key, e in pres.items())
    sad = Saddle([display(q, s) for s in w], [q.approx(s) for s in w], display(q, Lp),
                 q.approx(Lp), live, stationary, in_region, "not decided", distance=dist,
                 exact=q, loss_expr=Lp, pattern=pattern)
    if not (stationary and in_region):
        sad.note = ("the exact solution nearest the plateau is not stationary for the network "
                    "(its activation pattern differs): not a verified stationary point")
        return sad
    if q.is_zero(Lp):
        sad.kind = "global minimum"
        sad.note = "L(θ*) = 0: the data are fitted exactly, a global minimum (not a saddle)"
        return sad
    _classify(net, q, Lp, pattern, pres, sad)
    return sad


def _classify(net: Net, q: AlgebraicPoint, Lp: sympy.Expr, pattern: dict, pres: dict,
              sad: Saddle) -> None:
    """Negative curvature (exact), else descent at order p + 1 through a zero neuron."""
    w = net.syms
    kinks = [key for key, e in pres.items() if q.sign(e) == 0 and net.arch.activation(
        key[0]) in ("relu", "relu^2") and key[0] in sad.support]
    if not kinks:
        H = sympy.hessian(Lp, w)
        for u in candidates(len(w)):
            v = sympy.Matrix(u)
            if q.sign((v.T * H * v)[0, 0]) < 0:
                sad.kind = "saddle (negative curvature)"
                sad.direction = [str(c) for c in u]
                sad.note = "vᵀ∇²L(θ*)v < 0 (exact)"
                return
    if not _separable(net):
        sad.note = "no simple direction of negative curvature; second order does not decide"
        return
    # a neuron that is zero at θ*: L(θ* + εu) = L(θ*) − ε^{p+1} G_r(u) + O(ε^{2p+2})
    zero = [v for v in net.arch.hidden if v not in sad.support]
    resid = []
    for i in range(net.n):
        hs = net.outputs(i, pattern)
        resid.append([sympy.Rational(net.ys[i][k]) - h for k, h in enumerate(hs)])
    for v in zero:
        ins = list(net.g.predecessors(v))
        outs = list(net.g.successors(v))
        p = net.arch.power(v)
        gated = net.arch.activation(v).startswith("relu")
        dim = len(ins) + (1 if net.arch.bias(v) else 0)
        for wdir in _small_vectors(dim):
            for yname in outs:
                for sgn in (1, -1):
                    G = sympy.Integer(0)
                    for i in range(net.n):
                        xt = [sympy.Rational(net.xs[i][net.arch.inputs.index(u)]) for u in ins]
                        xt += [1] if net.arch.bias(v) else []
                        s_ = sum((a * b for a, b in zip(wdir, xt, strict=True)), sympy.Integer(0))
                        act = (max(s_, 0) if gated else s_) ** p
                        G += resid[i][net.arch.outputs.index(yname)] * sgn * act
                    if q.sign(G) > 0:
                        names = ([net.g.edges[u, v]["param"] for u in ins]
                                 + ([net.arch.bias(v)] if net.arch.bias(v) else []))
                        d = dict.fromkeys(map(str, w), "0")
                        for n_, c in zip(names, wdir, strict=True):
                            d[n_] = str(c)
                        d[net.g.edges[v, yname]["param"]] = str(sgn)
                        sad.kind = "saddle (descent at order p + 1)"
                        sad.witness_neuron = v
                        sad.direction = [d[str(s)] for s in w]
                        sad.note = (f"in neuron {v}, zero at θ*: L(θ* + εu) = L(θ*) − "
                                    f"ε^{p + 1}·G_r(u) + O(ε^{2 * p + 2}) with G_r(u) = "
                                    f"{display(q, G)} > 0 (exact), so θ* is not a local minimum")
                        return
    sad.note = ("no exact descent direction found (no negative curvature among simple "
                "directions, no positive G_r in a zero neuron): not decided")


def _small_vectors(dim: int):
    """Directions with entries in {−1, 0, 1}, not all 0 (at most 3^6)."""
    if dim > 6:
        raise LimitError("a neuron with more than 6 inputs: the descent search is limited")
    for u in itertools.product((0, 1, -1), repeat=dim):
        if any(u):
            yield list(u)


def plot(result: EscapeResult, path: str) -> None:
    """The three phases for the first escape: ‖θ‖ and the alignment with w* (log time near the
    origin), the escape, the plateau at the saddle, with the loss. Numerical, labelled so."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SymflowError("--plot needs matplotlib: in the checkout, pip install -e '.[plot]'") \
            from None
    if not result.escapes:
        raise SymflowError("nothing to plot: no positive second-order KKT point escaped")
    esc = result.escapes[0]
    w = np.array(esc.kkt.w_approx)
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.8))
    runs = [(tr, f"δ = {tr.delta:g}", "-") for tr in esc.paths if len(tr.t)]
    if result.start is not None and len(result.start.t):
        runs.append((result.start, f"random start, ‖θ0‖ = {result.start.delta:g}", ":"))
    for tr, label, style in runs:
        if tr.pre_theta is not None:
            norms = np.maximum(np.linalg.norm(tr.pre_theta, axis=1), 1e-300)
            axes[0].plot(tr.pre_t, norms, style, label=label)
            axes[1].plot(tr.pre_t, tr.pre_theta @ w / norms, style, label=label)
        axes[2].plot(tr.t, np.linalg.norm(tr.theta, axis=1), style, label=label)
        axes[3].plot(tr.t, tr.loss, style, label=label)
    axes = [axes[0], axes[1], axes[2], axes[3]]
    if esc.plateau is not None:
        for ax in axes[2:]:
            ax.axvline(esc.plateau, color="grey", lw=0.8, ls="--")
    if esc.saddle is not None and esc.saddle.stationary:
        axes[3].axhline(esc.saddle.loss_approx, color="red", lw=0.8,
                        label=f"exact saddle loss {esc.saddle.loss}")
    axes[0].set_yscale("log")
    axes[2].set_yscale("log")
    axes[0].set_title("near the origin: ‖θ(t)‖")
    axes[1].set_title("near the origin: ⟨θ/‖θ‖, w*⟩")
    axes[2].set_title("escape and plateau: ‖θ(t)‖")
    axes[3].set_title("loss ½Σ‖H(x_i) − y_i‖²")
    for ax in axes[:2]:
        ax.set_xlabel("t / τ_δ  (τ_δ: ‖θ‖ reaches 0.1)")
    for ax in axes[2:]:
        ax.set_xlabel("t − τ_δ")
    for ax in axes:
        ax.legend(fontsize=7)
    fig.suptitle("symflow escape (numerical paths; w* and the saddle are exact)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
