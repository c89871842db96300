"""Numerical cross-check of the exact statements on a real gradient flow (floats allowed here).

θ' = −∇L(θ) for the square loss L(θ) = 1/(2n) Σ ‖H(x_n; θ) − y_n‖² of the actual network (ReLU
activations included), integrated with SciPy; alongside, where a closed-form intrinsic metric is
known, the flow z' = −K(z, h0) ∇ℓ(z) integrated on its own. Reported: the drift of every
conservation law, the gap between φ(θ(t)) and z(t), the final loss.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sympy
from scipy.integrate import solve_ivp

from . import linear
from .counting import conservation_laws
from .errors import LimitError, SymflowError
from .liftings import Lifting


@dataclass
class Simulation:
    times: np.ndarray
    loss: np.ndarray
    law_drift: np.ndarray  # (laws × times): |h(θ(t)) − h(θ0)| / ‖θ0‖^deg h
    law_names: list[str]
    phi: np.ndarray  # (times × d): φ(θ(t))
    z: np.ndarray | None  # (times × d): the intrinsic flow, when a closed form is known
    z_formula: str | None
    init: str
    notes: list[str] = field(default_factory=list)
    thetas: np.ndarray | None = None  # (times × D): θ(t)

    @property
    def max_law_drift(self) -> float:
        return float(self.law_drift.max()) if self.law_drift.size else 0.0

    @property
    def gap(self) -> float | None:
        """max_t ‖φ(θ(t)) − z(t)‖ / max_t ‖φ(θ(t))‖."""
        if self.z is None:
            return None
        scale = max(float(np.linalg.norm(self.phi, axis=1).max()), 1e-300)
        return float(np.linalg.norm(self.phi - self.z, axis=1).max() / scale)


# ----------------------------------------------------------------------------- data and init
MAX_DATA_POINTS = 100_000


def make_data(lifting: Lifting, data: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """X (n_in × n), Y (n_out × n) from 'random:N' (seeded standard normal)."""
    if not data.startswith("random:"):
        raise SymflowError(f"--data must be random:N (got '{data}')")
    try:
        n = int(data.split(":", 1)[1])
    except ValueError:
        raise SymflowError(f"--data must be random:N, N a whole number (got '{data}')") from None
    if not 1 <= n <= MAX_DATA_POINTS:
        raise SymflowError(f"--data random:N needs 1 ≤ N ≤ {MAX_DATA_POINTS} (got {n})")
    rng = np.random.default_rng(seed)
    n_in, n_out = lifting.io_widths() or (0, lifting.d)  # custom: ℓ(z) = ½‖z − y‖²
    return rng.standard_normal((n_in, n)), rng.standard_normal((n_out, n))


def initial_point(lifting: Lifting, init: str, seed: int, scale: float = 1.0) -> np.ndarray:
    """θ0 with ‖θ0‖ = scale: seeded normal (generic) or an exact family sample, rescaled
    (the laws are quadratic, so rescaling keeps a balanced point balanced)."""
    if init == "generic":
        theta = np.random.default_rng(seed + 1).standard_normal(lifting.D)
    else:
        if lifting.kind != "product":
            raise SymflowError(f"--init {init} applies to linear networks (linear:...)")
        pt = linear.sample(list(lifting.widths), init, seed)
        theta = np.array([float(pt[n]) for n in lifting.params])
    return theta * (scale / np.linalg.norm(theta))


# ----------------------------------------------------------------------------- the θ-flow
def loss_and_gradient(lifting: Lifting, x: np.ndarray,
                      y: np.ndarray) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """θ ↦ (L(θ), ∇L(θ)) of the real network (forward and backward pass)."""
    n = max(x.shape[1], 1)
    if lifting.kind == "product":
        widths = lifting.widths
        shapes = [(widths[k], widths[k - 1]) for k in range(1, len(widths))]
        sizes = [a * b for a, b in shapes]

        def f(theta):
            us, pos = [], 0
            for (a, b), s in zip(shapes, sizes, strict=True):
                us.append(theta[pos:pos + s].reshape(a, b))
                pos += s
            z = _prod(us)
            r = z @ x - y
            g = r @ x.T / n  # ∇ℓ(z)
            grads = []
            for k in range(len(us)):
                left = _prod(us[k + 1:]) if k + 1 < len(us) else np.eye(us[-1].shape[0])
                right = _prod(us[:k]) if k else np.eye(us[0].shape[1])
                grads.append((left.T @ g @ right.T).ravel())
            return 0.5 * float((r * r).sum()) / n, np.concatenate(grads)

        return f
    if lifting.kind in ("path", "network", "power"):
        return _dag_loss(lifting, x, y)
    # custom lifting: ℓ(z) = ½‖z − y‖² with y the first column of the data
    syms = lifting.ring.symbols()
    phi = [lifting.ring.to_sympy(p) for p in lifting.phi]
    phi_f = sympy.lambdify(syms, phi, "numpy")
    jac_f = sympy.lambdify(syms, sympy.Matrix(phi).jacobian(syms), "numpy")
    target = y[:, 0]

    def f_custom(theta):
        r = np.array(phi_f(*theta), dtype=float) - target
        return 0.5 * float(r @ r), np.array(jac_f(*theta), dtype=float).T @ r

    return f_custom


def _prod(us: list[np.ndarray]) -> np.ndarray:
    out = us[0]
    for u in us[1:]:
        out = u @ out
    return out


def forward(lifting: Lifting, order: list[str], x: np.ndarray,
            theta: np.ndarray) -> tuple[dict, dict]:
    """The forward pass on the data x: pre-activations and activations of every neuron."""
    arch = lifting.architecture
    g = arch.graph
    idx = lifting.ring.index
    ins = arch.inputs
    pre: dict[str, np.ndarray] = {}
    act: dict[str, np.ndarray] = {}
    for v in order:
        if g.nodes[v]["kind"] == "input":
            act[v] = x[ins.index(v)]
            continue
        s = np.zeros(x.shape[1])
        for u in g.predecessors(v):
            s = s + _edge_value(g, idx, theta, u, v) * act[u]
        if arch.bias(v):
            s = s + theta[idx[arch.bias(v)]]
        pre[v] = s
        act[v] = sigma(arch.activation(v), s) if g.nodes[v]["kind"] == "hidden" else s
    return pre, act


def _edge_value(g, idx: dict, theta: np.ndarray, u: str, v: str) -> float:  # noqa: ANN001
    """The weight of edge u → v at θ: its (possibly shared) parameter, or its fixed weight."""
    fixed = g.edges[u, v].get("weight")
    return float(fixed) if fixed is not None else theta[idx[g.edges[u, v]["param"]]]


def sigma(act: str, s: np.ndarray) -> np.ndarray:
    """σ(s) for relu, linear, relu^p = max(s, 0)^p and x^p = s^p."""
    p = int(act.split("^")[1]) if "^" in act else 1
    base = np.maximum(s, 0.0) if act.startswith("relu") else s
    return base if p == 1 else base ** p


def dsigma(act: str, s: np.ndarray) -> np.ndarray:
    """σ′(s), with relu′(0) = 0: p·max(s, 0)^{p−1}, p·s^{p−1}, 1 for linear."""
    p = int(act.split("^")[1]) if "^" in act else 1
    if act == "linear":
        return np.ones_like(s)
    if act == "relu":
        return (s > 0).astype(float)
    base = np.maximum(s, 0.0) if act.startswith("relu") else s
    return p * base ** (p - 1)


def _dag_loss(lifting: Lifting, x: np.ndarray, y: np.ndarray):
    """(θ, force) ↦ (L, ∇L) by a forward and a backward pass; relu′(0) = 0. ``force`` (optional)
    maps a ReLU neuron to (data indices, relu′ values) pinned there: the one-sided fields of a
    sliding motion along kinks; the other data points follow the sign."""
    from . import digraph as dg

    arch = lifting.architecture
    g = arch.graph
    order = list(dg.topological_sort(g))
    idx = lifting.ring.index
    outs = arch.outputs
    n = max(x.shape[1], 1)

    def f(theta, force: dict | None = None):
        pre, act = forward(lifting, order, x, theta)
        r = np.array([act[o] for o in outs]) - y
        delta: dict[str, np.ndarray] = {o: r[i] / n for i, o in enumerate(outs)}
        grad = np.zeros(lifting.D)
        for v in reversed(order):
            kind = g.nodes[v]["kind"]
            if kind == "input":
                continue
            if kind == "hidden":
                back = sum((_edge_value(g, idx, theta, v, w) * delta[w]
                            for w in g.successors(v)), np.zeros(x.shape[1]))
                act_v = g.nodes[v]["activation"]
                if act_v == "relu":
                    mask = (pre[v] > 0).astype(float)
                    if force and v in force:
                        pinned, values = force[v]
                        mask[pinned] = values
                    delta[v] = back * mask
                elif act_v == "linear":
                    delta[v] = back
                else:
                    delta[v] = back * dsigma(act_v, pre[v])
            for u in g.predecessors(v):  # a shared parameter sums over its edges
                if g.edges[u, v].get("weight") is None:
                    grad[idx[g.edges[u, v]["param"]]] += float(act[u] @ delta[v])
            if arch.bias(v):
                grad[idx[arch.bias(v)]] += float(delta[v].sum())  # a shared bias sums
        return 0.5 * float((r * r).sum()) / n, grad

    return f


def relu_preactivation_rates(lifting: Lifting, x: np.ndarray) -> Callable:
    """(θ, G) ↦ ∇p(θ)·G for every ReLU pre-activation p (flattened as in
    ``relu_preactivations``), exactly by a tangent forward pass, with relu′ = 1 on p > 0 and 0
    otherwise (a neuron at a kink, p = 0, stays at 0 while the flow slides along it)."""
    from . import digraph as dg

    arch = lifting.architecture
    g = arch.graph
    order = list(dg.topological_sort(g))
    idx = lifting.ring.index
    ins = arch.inputs
    relus = _relu_order(lifting)

    def rates(theta: np.ndarray, direction: np.ndarray) -> np.ndarray:
        act: dict[str, np.ndarray] = {}
        tan: dict[str, np.ndarray] = {}
        pre_tan: dict[str, np.ndarray] = {}
        zero = np.zeros(x.shape[1])
        for v in order:
            if g.nodes[v]["kind"] == "input":
                act[v], tan[v] = x[ins.index(v)], zero
                continue
            s, ds = zero.copy(), zero.copy()
            for u in g.predecessors(v):
                fixed = g.edges[u, v].get("weight")
                if fixed is not None:
                    s, ds = s + float(fixed) * act[u], ds + float(fixed) * tan[u]
                    continue
                k = idx[g.edges[u, v]["param"]]
                s = s + theta[k] * act[u]
                ds = ds + direction[k] * act[u] + theta[k] * tan[u]
            if arch.bias(v):
                k = idx[arch.bias(v)]
                s, ds = s + theta[k], ds + direction[k]
            pre_tan[v] = ds
            if arch.is_relu(v):
                on = s > 1e-12
                act[v], tan[v] = np.where(on, s, 0.0), np.where(on, ds, 0.0)
            elif g.nodes[v]["kind"] == "hidden" and arch.activation(v) != "linear":
                act[v] = sigma(arch.activation(v), s)
                tan[v] = dsigma(arch.activation(v), s) * ds
            else:
                act[v], tan[v] = s, ds
        return np.concatenate([pre_tan[v] for v in relus])

    return rates


def relu_preactivations(lifting: Lifting, x: np.ndarray) -> Callable | None:
    """θ ↦ the pre-activations of every ReLU neuron on every data point (flattened), whose
    sign changes are the kinks of the θ-flow; None without ReLU neurons."""
    if lifting.kind not in ("path", "network", "power") or lifting.architecture is None:
        return None
    from . import digraph as dg

    arch = lifting.architecture
    order = list(dg.topological_sort(arch.graph))
    relus = _relu_order(lifting)  # topological: the index map of integrate_relu_flow
    if not relus:
        return None

    def pre_f(theta: np.ndarray) -> np.ndarray:
        pre, _ = forward(lifting, order, x, theta)
        return np.concatenate([pre[v] for v in relus])

    return pre_f


class Budget:
    """A cap on right-hand-side evaluations and on wall-clock seconds for one integration."""

    def __init__(self, max_steps: int, max_seconds: float):
        import time

        self.max_steps, self.max_seconds = max_steps, max_seconds
        self.steps, self.start, self.clock = 0, time.monotonic(), time.monotonic

    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            raise BudgetExceeded(f"more than {self.max_steps} evaluations of the vector field "
                                 "(raise --max-steps)")
        self.check()

    def check(self) -> None:
        """The wall-clock part alone (event functions, setup and post-processing call it)."""
        if self.clock() - self.start > self.max_seconds:
            raise BudgetExceeded(f"more than {self.max_seconds:g} s (raise --max-seconds)")


class BudgetExceeded(Exception):
    """The integration budget ran out; the partial trajectory is kept."""


def integrate_budgeted(field: Callable, y0: np.ndarray, times: np.ndarray,
                       budget: Budget) -> tuple[np.ndarray, str | None]:
    """DOP853 (rtol = atol = 1e-12) of a smooth field within a budget: (the states at the
    times reached, why it stopped early or None). ReLU networks use integrate_relu_flow."""
    out = [np.asarray(y0, dtype=float)]

    def counted(tt, yy):
        budget.tick()
        return field(tt, yy)

    try:
        sol = solve_ivp(counted, (float(times[0]), float(times[-1])), out[0], method="DOP853",
                        rtol=1e-12, atol=1e-12, t_eval=times[1:])
    except BudgetExceeded as exc:
        return np.array(out), str(exc)
    if sol.status == -1:
        return np.array(out), f"the integrator failed: {sol.message}"
    out.extend(np.asarray(sol.y, dtype=float).reshape(len(out[0]), -1).T)
    return np.array(out), None


def integrate_relu_flow(lifting: Lifting, x: np.ndarray, y: np.ndarray, theta0: np.ndarray,
                        times: np.ndarray, budget: Budget,
                        progress: Callable[[str], None] | None = None
                        ) -> tuple[np.ndarray, dict, str | None, np.ndarray]:
    """The network's gradient flow θ' = −∇L(θ) across its ReLU kinks, as a Filippov solution.

    Inside an activation region the field is smooth (DOP853, rtol = atol = 1e-12). An event
    stops at the first pre-activation p_k(θ) (neuron v, data point n) that changes sign. With
    S the kinks the flow sits on, F₀ the field with relu′ = 0 on S and D_k the change when
    relu′ = 1 on kink k alone, the sliding field is F = F₀ + Σ_k α_k D_k with ∇p_j·F = 0 for
    every j ∈ S (a linear system for α; ∇p_j·G by a tangent forward pass). If α ∈ [0, 1]^S the
    flow slides along the kinks (Filippov), else it crosses. It leaves a kink when its α_k
    leaves [0, 1]. Returns the states, counts {"crossings", "slides"}, why it stopped early,
    and the times of the states (those of ``times`` reached, then the time it stopped at)."""
    pre_f = relu_preactivations(lifting, x)
    relus = _relu_order(lifting)
    n_data = x.shape[1]
    loss = _dag_loss(lifting, x, y)  # built once: the pins are passed at each call

    def field(pins: dict | None = None):
        """The field with relu′ pinned: {flat index: 0 or 1}."""
        if not pins:
            return lambda th: -loss(th)[1]
        force: dict = {}
        for idx, val in pins.items():
            v, n = relus[idx // n_data], idx % n_data
            ids, vals = force.get(v, ([], []))
            force[v] = (ids + [n], vals + [val])
        force = {v: (np.array(ids), np.array(vals, dtype=float))
                 for v, (ids, vals) in force.items()}
        return lambda th: -loss(th, force)[1]

    rates = relu_preactivation_rates(lifting, x)

    def slide(th, kinks: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(α, F) of the sliding motion on ``kinks`` (α may fall outside [0, 1])."""
        f0 = field(dict.fromkeys(kinks, 0.0))(th)
        ds = [field({**dict.fromkeys(kinks, 0.0), k: 1.0})(th) - f0 for k in kinks]
        m = np.array([rates(th, d)[kinks] for d in ds]).reshape(len(ds), len(kinks)).T
        b = rates(th, f0)[kinks]
        try:
            alpha = np.linalg.solve(m, -b)
        except np.linalg.LinAlgError:
            alpha = np.full(len(kinks), np.nan)
        return alpha, f0 + sum(a * d for a, d in zip(alpha, ds, strict=True)) if np.all(
            np.isfinite(alpha)) else f0

    out = [np.asarray(theta0, dtype=float)]
    state, t, k = out[0], float(times[0]), 1
    counts = {"crossings": 0, "slides": 0}
    stop = None
    sliding: list[int] = []  # the kinks the flow slides along (flat indices)
    stalls, last_t = 0, t
    recent: list[float] = []  # the times of the events, to detect chattering
    tol = 1e-9
    try:
        while k < len(times):
            pre = pre_f(state)
            signs = np.where(pre >= 0, 1.0, -1.0)
            idle = np.zeros(len(pre), dtype=bool)
            if np.any(np.abs(pre) < 1e-12):
                # on a kink: the side the current motion (sliding or not) moves to
                budget.tick()
                move = slide(state, sliding)[1] if sliding else field()(state)
                ahead = pre_f(state + 1e-9 * move)
                signs = np.where(ahead >= 0, 1.0, -1.0)
                # a pre-activation that stays 0 (every input to it is off) is no kink: it can
                # only move when an upstream neuron turns on, which is an event of its own
                idle = (np.abs(pre) < 1e-12) & (np.abs(ahead) < 1e-15)
            others = ~idle
            others[sliding] = False
            events = []
            if np.any(others):
                def crossing(_t, th, signs=signs, others=others):
                    budget.check()
                    return float(np.min((signs * pre_f(th))[others]))
                crossing.terminal, crossing.direction = True, -1
                events.append(crossing)
            if sliding:
                kinks = list(sliding)

                def rhs(th, kinks=kinks):
                    return slide(th, kinks)[1]

                def leaving(_t, th, kinks=kinks):  # min over k of distance of α_k inside [0, 1]
                    budget.check()
                    a = slide(th, kinks)[0]
                    return float(np.min(np.minimum(a + tol, 1 + tol - a))) if np.all(
                        np.isfinite(a)) else -1.0
                leaving.terminal, leaving.direction = True, -1
                events.append(leaving)
            else:
                rhs = field()

            def counted(tt, yy, rhs=rhs):
                budget.tick()
                return rhs(yy)

            # the sliding field solves a small linear system at every evaluation: a tolerance
            # of 1e-10 there, 1e-12 inside the regions
            tol_ivp = 1e-10 if sliding else 1e-12
            sol = solve_ivp(counted, (t, float(times[-1])), state, method="DOP853",
                            rtol=tol_ivp, atol=tol_ivp, t_eval=times[k:], events=events or None)
            if sol.status == -1:
                stop = f"the integrator failed at t = {t:.4g}: {sol.message}"
                break
            ys = (np.asarray(sol.y, dtype=float).reshape(len(state), -1) if np.size(sol.y)
                  else np.zeros((len(state), 0)))
            out.extend(ys.T)
            k += ys.shape[1]
            if sol.status != 1:
                break
            i = next(i for i, te in enumerate(sol.t_events) if len(te))
            t, state = float(sol.t_events[i][-1]), sol.y_events[i][-1]
            stalls = stalls + 1 if t - last_t <= 1e-12 * (1.0 + abs(t)) else 0
            last_t = t
            if stalls > 200:
                stop = (f"the flow is stuck at a kink: 200 events without progress at t = "
                        f"{t:.4g}")
                break
            recent.append(t)
            if len(recent) > 30 and recent[-1] - recent[-31] < 1e-6 * (1.0 + abs(t)):
                stop = (f"the flow chatters at t = {t:.4g}: 30 kink events within 1e-6, where "
                        f"several kinks meet and no consistent sliding motion was found")
                break
            near = signs * pre_f(state)
            near[~others] = np.inf
            new = int(np.argmin(near)) if np.any(others) else -1
            simultaneous = new >= 0 and bool(near[new] < 1e-9)

            def inside(a: np.ndarray) -> bool:
                return bool(np.all(np.isfinite(a)) and np.all((a > -tol) & (a < 1 + tol)))

            # a leaving event at the instant another kink is met is that kink's event (α jumps
            # there because the field changes): it is handled below as a new kink
            if sliding and events[i].__name__ == "leaving" and not simultaneous:
                alpha, _ = slide(state, sliding)
                margin = np.where(np.isfinite(alpha),
                                  np.minimum(alpha + tol, 1 + tol - alpha), -np.inf)
                worst = int(np.argmin(margin))  # the one whose α reached the boundary (located
                # by the event, so numerically it may sit just inside): always dropped
                sliding = [kk for i, (kk, a) in enumerate(zip(sliding, alpha, strict=True))
                           if i != worst and np.isfinite(a) and 0 < a < 1]
                continue
            # a new kink: cross it, or slide along it (with the kinks already slid along)
            # slide on the new kink with as many of the current ones as stay consistent (a kink
            # dropped here is crossed, or met again as an event)
            from itertools import combinations

            choice = next((list(c) + [new] for r in range(len(sliding), -1, -1)
                           for c in combinations(sliding, r)
                           if inside(slide(state, list(c) + [new])[0])), None)
            if choice is not None:
                sliding = choice
                counts["slides"] += 1
            elif stalls >= 2:
                # several kinks met at once: slide on all of those at zero, if that is consistent
                near = [j for j in np.flatnonzero(np.abs(pre_f(state)) < 1e-9) if others[j]]
                together = sorted(set(sliding) | set(int(j) for j in near))
                if len(together) > 1 and inside(slide(state, together)[0]):
                    sliding = together
                    counts["slides"] += 1
                else:
                    counts["crossings"] += 1
            else:
                counts["crossings"] += 1
            if progress and sum(counts.values()) % 50 == 0:
                progress(f"θ-flow: {counts['crossings']} crossings, {counts['slides']} slides, "
                         f"t = {t:.3g}")
    except BudgetExceeded as exc:
        stop = f"{exc}; stopped at t = {t:.4g}"
    reached = list(times[:len(out)])
    if stop is not None and t > reached[-1]:
        out.append(np.asarray(state, dtype=float))  # the last state located (an event's)
        reached.append(t)
    return np.array(out), counts, stop, np.array(reached)


def _relu_order(lifting: Lifting) -> list[str]:
    """The ReLU neurons in the order of relu_preactivations (topological)."""
    from . import digraph as dg

    arch = lifting.architecture
    return [v for v in dg.topological_sort(arch.graph) if arch.graph.nodes[v]["kind"] == "hidden"
            and arch.is_relu(v)]


# ----------------------------------------------------------------------------- the z-flow
def linear_metric_field(widths: list[int], lambdas: list[float], x: np.ndarray,
                        y: np.ndarray) -> Callable:
    """z ↦ −Σ_j A_j ∇ℓ(z) B_j with A_j = ∏_{k>j}(S + c_k), B_j = ∏_{k<j}(S' + c_k), where
    ∏_k(S + c_k) = zzᵀ, S + c_k ⪰ 0 (eigenvalue by eigenvalue: the root s ≥ −min c of
    ∏_k (s + c_k) = x, found by bisection on this increasing function)."""
    L = len(widths) - 1
    c = np.concatenate([[0.0], np.cumsum(lambdas)])  # c[k-1] = c_k
    n_out, n_in = widths[-1], widths[0]
    n = max(x.shape[1], 1)

    def root(val: float) -> float:
        lo = float(-c.min())
        hi = lo + 1.0
        while np.prod(hi + c) < val:
            hi = lo + 2 * (hi - lo)
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if np.prod(mid + c) < val:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    def factors(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        vals, vecs = np.linalg.eigh(m)
        # eigenvalues at rounding level are zeros (rank-deficient zzᵀ of non-square nets): their
        # fractional powers would turn the noise into a non-smooth field
        tol = 1e-12 * max(float(np.abs(vals).max()), 1e-300)
        return np.array([root(v if v > tol else 0.0) for v in vals]), vecs

    def field(_t, zflat):
        z = zflat.reshape(n_out, n_in)
        g = (z @ x - y) @ x.T / n
        s_out, v_out = factors(z @ z.T)
        s_in, v_in = factors(z.T @ z)
        dz = np.zeros_like(z)
        for j in range(1, L + 1):
            a = v_out @ np.diag([np.prod([s + c[k - 1] for k in range(j + 1, L + 1)])
                                 for s in s_out]) @ v_out.T
            b = v_in @ np.diag([np.prod([s + c[k - 1] for k in range(1, j)])
                                for s in s_in]) @ v_in.T
            dz -= a @ g @ b
        return dz.ravel()

    return field


def uv_metric_field(h0: float, target: float) -> Callable:
    """φ = u·v: z' = −sqrt(h0² + 4z²) (z − target)."""
    def field(_t, z):
        return -np.sqrt(h0**2 + 4 * z**2) * (z - target)

    return field


# ----------------------------------------------------------------------------- the experiment
def simulate(lifting: Lifting, init: str = "generic", data: str = "random:20", seed: int = 0,
             t_end: float = 5.0, n_eval: int = 201, scale: float = 1.0,
             progress: Callable[[str], None] | None = None, max_steps: int = 1_000_000,
             max_seconds: float = 20.0) -> Simulation:
    """Integrate the θ-flow region by region across the ReLU kinks (and the intrinsic z-flow
    where a closed form is known), within a budget of field evaluations and seconds: when it
    runs out, the partial result is kept and the reason is in the notes."""
    if lifting.D > 2000:
        raise SymflowError("simulation is limited to D ≤ 2000 parameters")
    import warnings

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow is reported in the notes
        sim = _simulate(lifting, init, data, seed, t_end, n_eval, scale, progress, max_steps,
                        max_seconds)
    if not (np.all(np.isfinite(sim.loss)) and np.all(np.isfinite(sim.phi))):
        sim.notes.append("the flow left the range of floats (overflow or underflow): reduce "
                         "--scale or --time; non-finite values are shown as nan / null")
    return sim


def _simulate(lifting: Lifting, init: str, data: str, seed: int, t_end: float, n_eval: int,
              scale: float, progress: Callable[[str], None] | None, max_steps: int,
              max_seconds: float) -> Simulation:
    x, y = make_data(lifting, data, seed)
    theta0 = initial_point(lifting, init, seed, scale)
    f = loss_and_gradient(lifting, x, y)
    times = np.linspace(0.0, t_end, n_eval)
    budget = Budget(max_steps, max_seconds)
    early_notes = []
    if relu_preactivations(lifting, x) is not None:
        thetas, counts, stop, times = integrate_relu_flow(lifting, x, y, theta0, times,
                                                          budget, progress)
        if counts["crossings"] or counts["slides"]:
            early_notes.append(
                f"ReLU kinks: {counts['crossings']} crossing(s) and {counts['slides']} sliding "
                "segment(s) (Filippov: the flow slides along a kink where both sides push towards "
                "it), each located as an event; DOP853 inside each region")
    else:
        thetas, stop = integrate_budgeted(lambda _t, th: -f(th)[1], theta0, times, budget)
    if stop is not None:
        times = times[:len(thetas)]
        early_notes.append(f"STOPPED EARLY: {stop}; results below are for t ∈ [0, "
                           f"{times[-1]:.4g}]")
    loss = np.array([f(th)[0] for th in thetas])
    laws = conservation_laws(lifting, seed=seed).laws
    syms = lifting.ring.symbols()
    norm0 = float(np.linalg.norm(theta0))
    degrees = [max(1, int(law.poly.total_degree())) for law in laws]  # scale of the drift
    points = np.vstack([theta0[None, :], thetas])
    values = np.zeros((len(points), len(laws)))
    poly_laws = [i for i, law in enumerate(laws) if not law.logs]
    if poly_laws:
        values[:, poly_laws] = numeric_polys([laws[i].poly for i in poly_laws], lifting.D)(points)
    for i, law in enumerate(laws):
        if law.logs:  # P + Σ λ ln|f|: SymPy, for the few laws of small liftings that have one
            hf = sympy.lambdify(syms, law.to_sympy(lifting.ring), "numpy")
            values[:, i] = [hf(*th) for th in points]
    drift = np.array([np.abs(values[1:, i] - values[0, i]) / norm0 ** k
                      for i, k in enumerate(degrees)]).reshape(len(laws), len(thetas))
    phis = numeric_polys(list(lifting.phi), lifting.D)(thetas)
    z, formula, notes = None, None, []
    if lifting.kind == "product":
        widths = list(lifting.widths)
        pt = dict(zip(lifting.params, theta0, strict=True))
        us = [np.array([[pt[f"U{k}_{i}_{j}"] for j in range(1, widths[k - 1] + 1)]
                        for i in range(1, widths[k] + 1)]) for k in range(1, len(widths))]
        hs = [us[k].T @ us[k] - us[k - 1] @ us[k - 1].T for k in range(1, len(us))]
        if init == "generic":
            lambdas = [0.0] * len(hs)
            formula = "balanced formula (applied to an unbalanced initialisation)"
            notes.append("θ0 is not balanced: the balanced z-flow is shown to fail (see gap)")
        else:
            lambdas = [0.0 if init == "balanced" else float(h[0, 0]) for h in hs]
            formula = f"{init} closed form K(z, λ), λ = " + ", ".join(f"{v:.4g}" for v in lambdas)
        if len(set(widths)) == 1 or not any(lambdas):
            fz = linear_metric_field(widths, lambdas, x, y)
            z, zstop = integrate_budgeted(fz, phis[0], times, Budget(max_steps, max_seconds))
            if zstop is not None:
                notes.append(f"the z-flow stopped early ({zstop}): no gap is reported")
                z, formula = None, None
        else:
            notes.append("no closed form for these widths: z-flow not integrated")
    elif lifting.kind == "custom" and lifting.D == 2 and lifting.d == 1 and \
            list(lifting.phi[0].to_dict()) == [(1, 1)] and lifting.phi[0].to_dict()[(1, 1)] == 1:
        h0 = float(theta0[0] ** 2 - theta0[1] ** 2)
        z, zstop = integrate_budgeted(uv_metric_field(h0, float(y[0, 0])), phis[0], times,
                                      Budget(max_steps, max_seconds))
        if zstop is not None:
            notes.append(f"the z-flow stopped early ({zstop}): no gap is reported")
            z = None
        formula = "z' = −sqrt(h0² + 4z²)(z − y)"
    else:
        notes.append("no closed-form intrinsic metric integrated for this lifting "
                     "(law drift and loss only)")
    return Simulation(times, loss, drift, [law.text(lifting.ring) for law in laws], phis,
                      z, formula, init, early_notes + notes, np.asarray(thetas))


def numeric_polys(polys: list, nvars: int) -> Callable[[np.ndarray], np.ndarray]:
    """Floats: (n × D points) ↦ (n × len(polys)) values, from the sparse terms of the exact
    polynomials (numpy, in chunks; no SymPy, so that thousands of coordinates stay cheap)."""
    from scipy.sparse import csr_matrix

    from .algebra.poly import compiled

    coef, factors, owner = [], [], []
    for i, p in enumerate(polys):
        for c, fs in compiled(p):
            coef.append(float(c))
            factors.append(fs)
            owner.append(i)
    width = max((len(fs) for fs in factors), default=1) or 1
    idx = np.full((len(factors), width), nvars)  # column D of the padded points holds 1.0
    exp = np.zeros((len(factors), width))
    for t, fs in enumerate(factors):
        for j, (k, e) in enumerate(fs):
            idx[t, j], exp[t, j] = k, e
    gather = csr_matrix((np.array(coef), (np.arange(len(coef)), np.array(owner, dtype=int))),
                        shape=(len(coef), len(polys)))
    chunk = max(1, 2_000_000 // max(1, len(coef) * width))

    def evaluate(points: np.ndarray) -> np.ndarray:
        points = np.atleast_2d(points)
        out = np.zeros((len(points), len(polys)))
        for a in range(0, len(points), chunk):
            block = points[a:a + chunk]
            ext = np.concatenate([block, np.ones((len(block), 1))], axis=1)
            monos = np.prod(ext[:, idx] ** exp, axis=2)  # (n, T)
            out[a:a + chunk] = (gather.T @ monos.T).T
        return out

    return evaluate


def _integrate(field, y0, times, progress, what, budget: Budget | None = None):
    """DOP853 with rtol = atol = 1e-12, in chunks so that a progress bar can be shown; past the
    budget's seconds, a one-line LimitError naming --max-seconds."""
    out = [np.asarray(y0, dtype=float)]
    chunks = np.array_split(np.arange(1, len(times)), min(20, len(times) - 1))
    state = out[0]

    def counted(t, y):
        if budget is not None:
            try:
                budget.check()
            except BudgetExceeded as exc:
                raise LimitError(f"the {what} integration needs {exc}") from None
        return field(t, y)

    for c, idx in enumerate(chunks, 1):
        t0, t1 = times[idx[0] - 1], times[idx[-1]]
        sol = solve_ivp(counted, (t0, t1), state, method="DOP853", rtol=1e-12, atol=1e-12,
                        t_eval=times[idx])
        if not sol.success:
            raise SymflowError(f"the {what} integration failed: {sol.message}")
        out.extend(sol.y.T)
        state = sol.y[:, -1]
        if progress:
            progress(f"{what} {c}/{len(chunks)}")
    return np.array(out)


def plot(sim: Simulation, path: str, title: str) -> None:
    """Three labelled panels: loss, law drifts (log scale), the z trajectories."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SymflowError("--plot needs matplotlib: in the checkout, pip install -e '.[plot]'") \
            from None
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    ax = axes[0]
    ax.semilogy(sim.times, np.maximum(sim.loss, 1e-300))
    ax.set(title="loss L(θ(t))", xlabel="t", ylabel="loss")
    ax = axes[1]
    for name, row in zip(sim.law_names, sim.law_drift, strict=True):
        ax.semilogy(sim.times, np.maximum(row, 1e-18), label=_short(name))
    ax.set(title="law drift |h(θ(t)) − h(θ0)| / ‖θ0‖^deg h", xlabel="t",
           ylabel="relative drift")
    if sim.law_names:
        ax.legend(fontsize=6, loc="upper left")
    ax = axes[2]
    shown = min(sim.phi.shape[1], 6)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i in range(shown):
        col = colors[i % len(colors)]
        ax.plot(sim.times, sim.phi[:, i], color=col, label=f"φ{i + 1}(θ(t))")
        if sim.z is not None:
            ax.plot(sim.times, sim.z[:, i], "--", color=col, label=f"z{i + 1}(t)")
    ax.set(title="φ(θ(t)) solid, intrinsic z(t) dashed", xlabel="t", ylabel="z")
    ax.legend(fontsize=6, ncol=2)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# ----------------------------------------------------------------------------- linear neural ODE
@dataclass
class NeuralODEConvergence:
    """Balanced deep linear nets linear:n-n-…-n against the linear neural ODE limit."""

    width: int
    depths: list[int]
    times: np.ndarray
    gaps: list[float]  # max_t ‖z_L(t) − z_∞(t)‖ / ‖z0‖, time rescaled by 1/L
    formula_gaps: list[float]  # the θ-flow against the finite-L balanced z-flow (a check)
    z_limit: np.ndarray  # z_∞(t), flattened per time


SCALING = (
    "With time rescaled by 1/L (θ' = −(1/L)∇(ℓ∘φ)(θ), equivalently τ = t/L), a balanced depth-L "
    "net moves z = U_L⋯U_1 by z' = −(1/L) Σ_{j=1}^{L} (zzᵀ)^{(L−j)/L} ∇ℓ(z) (zᵀz)^{(j−1)/L}, a "
    "Riemann sum of the linear neural ODE metric z' = −∫_0^1 (zzᵀ)^{1−s} ∇ℓ(z) (zᵀz)^s ds; "
    "without the 1/L the sum grows like L.")


def log_mean_metric(z: np.ndarray, g: np.ndarray) -> np.ndarray:
    """∫_0^1 (zzᵀ)^{1−s} G (zᵀz)^s ds from the SVD z = P Σ Qᵀ: P [(PᵀGQ)_ij m(σ_i², σ_j²)] Qᵀ with
    the logarithmic mean m(a, b) = (a − b)/(ln a − ln b) (m(a, a) = a, m(a, 0) = 0): the
    integral in closed form on the singular bases (numerical SVD)."""
    p, sig, qt = np.linalg.svd(z)
    a = sig ** 2
    m = np.empty((len(a), len(a)))
    for i in range(len(a)):
        for j in range(len(a)):
            x, y = a[i], a[j]
            if x <= 0 or y <= 0:
                m[i, j] = 0.0
            elif abs(x - y) <= 1e-12 * max(x, y):
                m[i, j] = (x + y) / 2
            else:
                m[i, j] = (x - y) / (np.log(x) - np.log(y))
    return p @ ((p.T @ g @ qt.T) * m) @ qt


def neural_ode_convergence(width: int = 2, depths: tuple[int, ...] = (2, 4, 8, 16),
                           t_end: float = 2.0, seed: int = 0, n_eval: int = 41,
                           max_seconds: float = 60.0) -> NeuralODEConvergence:
    """For each L: the θ-flow of a balanced linear:n-…-n (L layers, time rescaled by 1/L) from
    the same z0, against the neural ODE z' = −∫(zzᵀ)^{1−s}∇ℓ(z)(zᵀz)^s ds; ℓ(z) = ½‖z − Y‖²."""
    rng = np.random.default_rng(seed)
    n = width
    z0 = rng.standard_normal((n, n))
    target = rng.standard_normal((n, n))
    p0, s0, q0t = np.linalg.svd(z0)
    times = np.linspace(0.0, t_end, n_eval)
    budget = Budget(10**12, max_seconds)  # one clock for all the integrations

    def limit_field(_t, y):
        z = y.reshape(n, n)
        return -log_mean_metric(z, z - target).ravel()

    z_lim = _integrate(limit_field, z0.ravel(), times, None, "neural ODE", budget)
    gaps, formula_gaps = [], []
    for L in depths:
        root = np.diag(s0 ** (1.0 / L))
        us = [p0 @ root @ q0t] + [p0 @ root @ p0.T for _ in range(L - 1)]  # balanced, ∏ = z0

        def theta_field(_t, y, L=L):
            mats = [y[k * n * n:(k + 1) * n * n].reshape(n, n) for k in range(L)]
            z = _prod(mats)
            g = z - target
            out = []
            for k in range(L):
                left = _prod(mats[k + 1:]) if k + 1 < L else np.eye(n)
                right = _prod(mats[:k]) if k else np.eye(n)
                out.append((-(left.T @ g @ right.T) / L).ravel())
            return np.concatenate(out)

        thetas = _integrate(theta_field, np.concatenate([u.ravel() for u in us]), times, None,
                            f"depth {L}", budget)
        zs = np.array([_prod([th[k * n * n:(k + 1) * n * n].reshape(n, n)
                              for k in range(L)]).ravel() for th in thetas])

        def formula_field(_t, y, L=L):
            z = y.reshape(n, n)
            g = z - target
            zzt, ztz = z @ z.T, z.T @ z
            total = np.zeros((n, n))
            for j in range(1, L + 1):
                total += _mpow(zzt, (L - j) / L) @ g @ _mpow(ztz, (j - 1) / L)
            return (-total / L).ravel()

        zf = _integrate(formula_field, z0.ravel(), times, None, f"formula {L}", budget)
        scale = np.linalg.norm(z0)
        gaps.append(float(np.max(np.linalg.norm(zs - z_lim, axis=1)) / scale))
        formula_gaps.append(float(np.max(np.linalg.norm(zs - zf, axis=1)) / scale))
    return NeuralODEConvergence(n, list(depths), times, gaps, formula_gaps, z_lim)


def _mpow(s: np.ndarray, power: float) -> np.ndarray:
    """S^power for a symmetric positive semi-definite S (eigendecomposition; 0^0 = 1)."""
    if power == 0:
        return np.eye(len(s))
    w, v = np.linalg.eigh(s)
    w = np.clip(w, 0.0, None)
    return (v * w ** power) @ v.T


def plot_neural_ode(res: NeuralODEConvergence, path: str) -> None:
    """The gap as a function of L (log-log), with the 1/L slope for reference."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SymflowError("--plot needs matplotlib: pip install matplotlib") from None
    fig, ax = plt.subplots(figsize=(5, 3.6))
    ls = np.array(res.depths, dtype=float)
    ax.loglog(ls, res.gaps, "o-", label="max_t ‖z_L − z_∞‖ / ‖z0‖")
    ax.loglog(ls, res.gaps[0] * ls[0] / ls, "--", color="gray", label="∝ 1/L")
    ax.set_xticks(ls)
    ax.set_xticklabels([str(int(x)) for x in ls])
    ax.minorticks_off()
    ax.set_xlabel("depth L (time rescaled by 1/L)")
    ax.set_ylabel("gap to the neural ODE")
    ax.set_title(f"balanced linear:{res.width}-…-{res.width} → linear neural ODE")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# ----------------------------------------------------------------------------- discrete steps
@dataclass
class Discretisation:
    """Gradient descent (or SGD) with steps η against the flow: the drift of every law at the
    same training time T = Kη, per η, and its fitted order in η."""

    optimizer: str
    etas: list[float]
    time: float
    law_names: list[str]
    drift: np.ndarray  # (laws × etas): |h(θ_K) − h(θ0)| / ‖θ0‖^deg h
    orders: list[float | None]  # per law, the slope of log drift against log η (None: no fit)
    steps: list[int]
    batch: int | None = None
    notes: list[str] = field(default_factory=list)


def discrete_drift(lifting: Lifting, etas: list[float], optimizer: str = "gd",
                   batch: int | None = None, init: str = "generic", data: str = "random:20",
                   seed: int = 0, t_end: float = 1.0, scale: float = 1.0,
                   max_seconds: float = 20.0) -> Discretisation:
    """Run K = round(T/η) steps θ ← θ − η∇L(θ) (gd: the full data; sgd: a seeded minibatch of
    ``batch`` points per step, its gradient) from the seeded θ0, for each η, and measure each
    conservation law at the end. Per step a law changes by O(η²) (exactly −η²g²h for uv), so
    over a fixed time by O(η): the fitted order is about 1 for GD (SGD adds the noise of its
    batches). Floats: a numerical illustration."""
    import time as clock

    if lifting.D > 2000:
        raise SymflowError("simulation is limited to D ≤ 2000 parameters")
    x, y = make_data(lifting, data, seed)
    theta0 = initial_point(lifting, init, seed, scale)
    n = x.shape[1]
    if optimizer == "sgd":
        batch = min(batch or max(1, n // 4), n)
    laws = [law for law in conservation_laws(lifting, seed=seed).laws if not law.logs]
    norm0 = float(np.linalg.norm(theta0))
    degrees = np.array([max(1, int(law.poly.total_degree())) for law in laws])
    values = numeric_polys([law.poly for law in laws], lifting.D) if laws else None
    h0 = values(theta0[None, :])[0] if laws else np.zeros(0)
    full = loss_and_gradient(lifting, x, y)
    rng = np.random.default_rng(seed)
    start = clock.monotonic()
    drift = np.zeros((len(laws), len(etas)))
    steps, notes = [], []
    for j, eta in enumerate(etas):
        k = max(1, round(t_end / eta))
        theta = theta0.copy()
        for _ in range(k):
            if optimizer == "sgd":
                idx = rng.choice(n, size=batch, replace=False)
                grad = loss_and_gradient(lifting, x[:, idx], y[:, idx])(theta)[1]
            else:
                grad = full(theta)[1]
            theta = theta - eta * grad
            if clock.monotonic() - start > max_seconds:
                raise SymflowError(f"the discrete runs need more than {max_seconds:g} s "
                                   "(raise --max-seconds, or fewer or larger steps)")
        steps.append(k)
        if laws:
            drift[:, j] = np.abs(values(theta[None, :])[0] - h0) / norm0 ** degrees
    orders: list[float | None] = []
    logs = np.log(np.array(etas, dtype=float))
    for row in drift:
        ok = row > 1e-300
        orders.append(float(np.polyfit(logs[ok], np.log(row[ok]), 1)[0]) if ok.sum() >= 2
                      else None)
    if not laws:
        notes.append("the lifting has no explicit polynomial law to follow")
    return Discretisation(optimizer, list(etas), t_end, [law.text(lifting.ring) for law in laws],
                          drift, orders, steps, batch if optimizer == "sgd" else None, notes)


def plot_discrete(res: Discretisation, path: str, title: str) -> None:
    """Log–log: each law's drift at time T against the step η."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for name, row, order in zip(res.law_names, res.drift, res.orders, strict=True):
        label = name if len(name) <= 40 else name[:37] + "…"
        ax.loglog(res.etas, np.maximum(row, 1e-18), "o-",
                  label=f"{label} (order {order:.2f})" if order is not None else label)
    ax.set_xlabel("step η")
    ax.set_xticks(res.etas)
    ax.set_xticklabels([f"{e:g}" for e in res.etas])
    ax.minorticks_off()
    ax.set_ylabel(f"drift at t = {res.time:g}")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
