"""The result objects of the API's other commands (show, homogeneity, zeros, ncf, simulate,
sweep, neural_ode; several certificate checks): typed fields, ``to_json()`` (the command's
``--json`` body), a short ``repr`` and a Markdown rendering in Jupyter. The engine's own
object, when there is one, is kept in ``result``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: a notebook lists at most this many items (coordinates, laws, rows) and counts the rest
MAX_SHOWN = 20


def _more(total: int, shown: int, what: str, where: str) -> list[str]:
    return [f"- … {total - shown} more {what} (all in `{where}`)"] if total > shown else []


@dataclass(repr=False)
class Show:
    """The parameters θ and the coordinates φ_i(θ) of a lifting, as canonical texts."""

    name: str
    kind: str  # "path", "network", "product", "power" or "polynomial"
    D: int  # noqa: N815 - the paper's notation
    d: int
    parameters: list[str]
    coordinates: list[dict]  # {"label", "phi"}: all of them, or the first ``listed``
    lifting: Any = field(default=None, repr=False)  # the engine's Lifting

    def to_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "D": self.D, "d": self.d,
                "parameters": self.parameters, "coordinates": self.coordinates}

    def __repr__(self) -> str:
        return f"Show({self.name}: D = {self.D} parameters, d = {self.d} coordinates)"

    def _repr_markdown_(self) -> str:
        from .display import latex_name

        lines = [f"**{self.name}** ({self.kind}): D = {self.D} parameters, d = {self.d} "
                 "coordinates", ""]
        for i, c in enumerate(self.coordinates[:MAX_SHOWN], 1):
            lines.append(f"- $\\varphi_{{{i}}}$ = `{c['phi']}` ({c['label']})")
        lines += _more(self.d, min(self.d, MAX_SHOWN), "coordinates", ".coordinates")
        names = ", ".join(f"${latex_name(p)}$" for p in self.parameters[:MAX_SHOWN])
        lines += ["", f"θ = ({names}{', …' if self.D > MAX_SHOWN else ''})"]
        return "\n".join(lines)


@dataclass(repr=False)
class Homogeneity:
    """The degree L of homogeneity of the output, H(x; cθ) = c^L H(x; θ) for c > 0, verified
    by Euler's identity ⟨∇H, θ⟩ = L·H on every activation region, per layer too."""

    name: str
    degree: int | None
    euler_verified: bool
    coordinate_degrees: list[int]
    per_group: dict[str, int | None]
    weighted_degree: int | None
    weights: dict[str, int]  # the weights ≠ 1 of a weighted homogeneity (biases)
    notes: list[str]
    result: Any = field(default=None, repr=False)

    def to_json(self) -> dict:
        return {"degree": self.degree, "euler_identity_verified": self.euler_verified,
                "coordinate_degrees": self.coordinate_degrees, "per_group": self.per_group,
                "weighted_degree": self.weighted_degree, "weights": self.weights,
                "notes": self.notes}

    def __repr__(self) -> str:
        what = (f"homogeneous of degree {self.degree}" if self.degree is not None
                else "not homogeneous in all parameters")
        return f"Homogeneity({self.name}: {what})"

    def _repr_markdown_(self) -> str:
        head = (f"H(x; cθ) = c^{self.degree} H(x; θ) for c > 0 (Euler's identity verified)"
                if self.degree is not None else "not homogeneous in all parameters")
        lines = [f"**{self.name}**: {head}", ""]
        lines += [f"- {g}: " + (f"degree {v}" if v is not None else "not homogeneous alone")
                  for g, v in self.per_group.items()]
        if self.degree is None and self.weighted_degree is not None:
            w = ", ".join(f"{k}: {v}" for k, v in self.weights.items())
            lines.append(f"- weighted (weights 1 except {w}): degree {self.weighted_degree}")
        lines += [f"- note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass(repr=False)
class ZeroPattern:
    """Whether {θ_S = 0} is invariant under the lifted flow θ' = −∂φᵀ∇ℓ(φ(θ)) (every loss)
    and under the network's own gradient flow (relu′(0) = 0), with the parameter that breaks
    it when it is not."""

    name: str
    zeros: list[str]
    lifted_invariant: bool
    breaking_parameter: str | None
    breaking_coordinate: int | None  # 1-based
    breaking_path: str | None
    nonzero_derivative: str | None  # ∂φ_i/∂θ_s on the pattern, when it is not 0
    network: dict | None  # the network flow: invariant, breaking_parameter, reason, dead
    result: Any = field(default=None, repr=False)

    def to_json(self) -> dict:
        return {"zeros": self.zeros,
                "lifted_flow": {"invariant": self.lifted_invariant,
                                "breaking_parameter": self.breaking_parameter,
                                "breaking_coordinate": self.breaking_coordinate,
                                "breaking_path": self.breaking_path,
                                "nonzero_derivative_on_pattern": self.nonzero_derivative},
                "network_flow": self.network}

    def __repr__(self) -> str:
        net = ("" if self.network is None else
               f", network flow {'invariant' if self.network['invariant'] else 'not invariant'}")
        lifted = "invariant" if self.lifted_invariant else "not invariant"
        return f"ZeroPattern({self.name}, {len(self.zeros)} zeros: lifted flow {lifted}{net})"

    def _repr_markdown_(self) -> str:
        lines = [f"**{self.name}**, {len(self.zeros)} parameters set to zero", ""]
        if self.lifted_invariant:
            lines.append("- lifted flow: **invariant** (every ∂φ_i/∂θ_s, s ∈ S, vanishes on "
                         "{θ_S = 0})")
        else:
            lines.append(f"- lifted flow: **not invariant**: ∂φ{self.breaking_coordinate}/∂"
                         f"{self.breaking_parameter} = `{self.nonzero_derivative}` ≢ 0")
        if self.network is not None:
            lines.append("- network flow: " + ("**invariant**" if self.network["invariant"]
                                               else f"**not invariant**: "
                                                    f"{self.network['reason']}"))
        return "\n".join(lines)


@dataclass(repr=False)
class NCF:
    """The exact KKT points of max N(w) = Σ_i ⟨y_i, H(x_i; w)⟩ on ‖w‖ = 1 [KH25]."""

    name: str
    N_all_active: str  # noqa: N815 - N on the all-active pattern
    smoothness: str
    pieces: int
    empty: int
    finite: bool | None
    method: str
    notes: list[str]
    kkt_points: list[dict]
    continua: list[dict]
    undecided: list[str]
    seconds: float
    result: Any = field(default=None, repr=False)  # the engine's NCFResult

    @property
    def points(self) -> list:
        """The engine's KKT points (``correlation.KKTPoint``: w, value, mu, …), as in
        ``kkt_points``."""
        return self.result.points

    def to_json(self) -> dict:
        return {"N_all_active": self.N_all_active, "smoothness": self.smoothness,
                "pieces": self.pieces, "empty": self.empty, "finite": self.finite,
                "method": self.method, "notes": self.notes, "kkt_points": self.kkt_points,
                "continua": self.continua, "undecided": self.undecided,
                "seconds": round(self.seconds, 2)}

    def __repr__(self) -> str:
        positive = sum(1 for k in self.kkt_points if k["positive"])
        return (f"NCF({self.name}: {len(self.kkt_points)} KKT points, {positive} positive, "
                f"{len(self.continua)} continua)")

    def _repr_markdown_(self) -> str:
        lines = [f"**{self.name}**: {len(self.kkt_points)} KKT points of max N on the sphere "
                 f"({self.smoothness}; {self.pieces} pieces)", "",
                 "| w* | N | μ | positive | second order |", "|---|---|---|---|---|"]
        for k in self.kkt_points[:MAX_SHOWN]:
            lines.append(f"| ({', '.join(k['w'])}) | {k['N']} | {k['mu']} | "
                         f"{'yes' if k['positive'] else 'no'} | {k['second_order']} |")
        lines += _more(len(self.kkt_points), MAX_SHOWN, "points", ".kkt_points")
        lines += [f"- continuum: {c['where']}, dimension {c['dimension']}" for c in
                  self.continua]
        return "\n".join(lines)


@dataclass(repr=False)
class Simulation:
    """The numerical cross-check (floats): the θ-flow, the drift of every law, the loss, and
    the gap to the intrinsic z-flow where its metric is known. ``partial`` is true when the
    run stopped before ``time`` (a budget, a kink); the drift is then measured up to
    ``time_reached`` only."""

    name: str
    init: str
    data: str
    seed: int
    time: float
    time_reached: float
    partial: bool
    initial_loss: float
    final_loss: float
    max_law_drift: float | None  # None when no time was integrated (nothing measured)
    max_drift_per_law: dict[str, float]  # "law_drift" in the JSON
    z_flow: str | None
    max_relative_gap_phi_z: float | None
    notes: list[str]
    result: Any = field(default=None, repr=False)  # the engine's flow.Simulation (arrays)

    def to_json(self) -> dict:
        return {"init": self.init, "data": self.data, "seed": self.seed, "time": self.time,
                "time_reached": self.time_reached, "partial": self.partial,
                "initial_loss": self.initial_loss, "final_loss": self.final_loss,
                "max_law_drift": self.max_law_drift, "law_drift": self.max_drift_per_law,
                "z_flow": self.z_flow, "max_relative_gap_phi_z": self.max_relative_gap_phi_z,
                "notes": self.notes}

    # the arrays of the run (floats), from the engine's flow.Simulation
    @property
    def times(self) -> Any:
        """The times t_k reached (numpy array)."""
        return self.result.times

    @property
    def loss(self) -> Any:
        """L(θ(t_k)) (numpy array)."""
        return self.result.loss

    @property
    def law_drift(self) -> Any:
        """|h(θ(t_k)) − h(θ0)| / ‖θ0‖^deg h, one row per law (numpy array, laws × times)."""
        return self.result.law_drift

    @property
    def law_names(self) -> list[str]:
        return self.result.law_names

    @property
    def phi(self) -> Any:
        """φ(θ(t_k)) (numpy array, times × d)."""
        return self.result.phi

    @property
    def thetas(self) -> Any:
        """θ(t_k) (numpy array, times × D)."""
        return self.result.thetas

    @property
    def z(self) -> Any:
        """z(t_k) of the intrinsic flow when its metric is known, else None."""
        return self.result.z

    def __repr__(self) -> str:
        drift = ("no drift measured" if self.max_law_drift is None
                 else f"max law drift {self.max_law_drift:.1e}")
        part = f", PARTIAL: stopped at t = {self.time_reached:g}" if self.partial else ""
        return (f"Simulation({self.name}: t ∈ [0, {self.time:g}], loss {self.initial_loss:.3g} "
                f"→ {self.final_loss:.3g}, {drift}{part})")

    def _repr_markdown_(self) -> str:
        lines = [f"**{self.name}** (init {self.init}, data {self.data}, seed {self.seed}): "
                 f"t ∈ [0, {self.time:g}]" + (f", **partial**: stopped at t = "
                                               f"{self.time_reached:g}" if self.partial else ""),
                 "", f"- loss {self.initial_loss:.6g} → {self.final_loss:.6g}"]
        if self.max_law_drift is None:
            lines.append("- law drift: not measured (no time was integrated)")
        else:
            lines.append(f"- law drift: max |h(θ(t)) − h(θ0)| / ‖θ0‖^deg h = "
                         f"{self.max_law_drift:.3e} over {len(self.max_drift_per_law)} laws")
        if self.z_flow:
            lines.append(f"- z-flow {self.z_flow}: gap {self.max_relative_gap_phi_z:.3e}")
        lines += [f"- note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass(repr=False)
class Sweep:
    """Exact law counts over seeded random layered networks, beside the literature's formula
    (each row: arch, D, laws or bounds, formula, agrees, seconds, error)."""

    family: str
    seed: int
    rows: list[Any]  # sweeps.Row
    summary: dict

    def to_json(self) -> dict:
        return {"family": self.family, "seed": self.seed,
                "rows": [r.as_dict() for r in self.rows], "summary": self.summary}

    def __repr__(self) -> str:
        s = self.summary
        return (f"Sweep({self.family}: {s['networks']} networks, {s['exact']} exact, "
                f"{s['agree']} agree with the formula, {s['disagree']} do not, {s['errors']} "
                "errors)")

    def _repr_markdown_(self) -> str:
        lines = [f"**sweep {self.family}** (seed {self.seed}): {self.__repr__()[6:-1]}", "",
                 "| arch | D | laws | formula | agrees | seconds |", "|---|---|---|---|---|---|"]
        for r in self.rows[:MAX_SHOWN]:
            laws = r.laws if r.laws is not None else (
                f"{r.lower}..{r.upper}" if r.lower is not None else f"error: {r.error}")
            agrees = {True: "yes", False: "**no**", None: "–"}[r.agrees]
            lines.append(f"| {r.arch} | {r.D if r.D is not None else '–'} | {laws} | "
                         f"{r.formula} | {agrees} | {r.seconds:.2f} |")
        lines += _more(len(self.rows), MAX_SHOWN, "rows", ".rows")
        return "\n".join(lines)


@dataclass(repr=False)
class NeuralODE:
    """Balanced deep linear nets against the linear neural ODE (floats): the gap
    max_t ‖z_L(t) − z_∞(t)‖/‖z0‖ per depth L, time rescaled by 1/L."""

    width: int
    depths: list[int]
    gaps: list[float]
    formula_gaps: list[float]  # the θ-flow against the finite-L formula (a check, ≤ 1e-6)
    time: float
    scaling: str
    inaccurate_depths: list[int]
    gap_like_1_over_L: bool  # noqa: N815
    result: Any = field(default=None, repr=False)

    def to_json(self) -> dict:
        return {"width": self.width, "depths": self.depths, "gaps": self.gaps,
                "theta_flow_vs_finite_L_formula": self.formula_gaps, "time": self.time,
                "scaling": self.scaling, "inaccurate_depths": self.inaccurate_depths,
                "gap_like_1_over_L": self.gap_like_1_over_L}

    def __repr__(self) -> str:
        gaps = ", ".join(f"L={L}: {g:.2e}" for L, g in zip(self.depths, self.gaps, strict=True))
        return f"NeuralODE(width {self.width}: {gaps})"

    def _repr_markdown_(self) -> str:
        lines = [f"**neural ODE**, linear:{self.width}-…-{self.width} balanced, t ∈ [0, "
                 f"{self.time:g}]", "", "| L | max gap | gap × L | θ-flow vs formula |",
                 "|---|---|---|---|"]
        for L, g, f in zip(self.depths, self.gaps, self.formula_gaps, strict=True):
            lines.append(f"| {L} | {g:.3e} | {g * L:.3f} | {f:.1e} |")
        if self.gap_like_1_over_L:
            lines.append("\nThe gap decreases like 1/L.")
        return "\n".join(lines)


class CheckResults(list):
    """The checks of every certificate of a directory (a list of ``CheckResult``): true when
    every one is valid."""

    def __init__(self, path: str, results: list) -> None:
        super().__init__(results)
        self.path = path

    @property
    def valid(self) -> bool:
        return bool(self) and all(r.valid for r in self)

    def __bool__(self) -> bool:  # type: ignore[override]
        return len(self) > 0 and all(r.valid for r in self)

    def to_json(self) -> dict:
        return {"path": self.path, "valid": self.valid,
                "files": [r.to_json() for r in self]}

    def __repr__(self) -> str:
        bad = sum(1 for r in self if not r.valid)
        return f"CheckResults({self.path}: {len(self)} certificates, {bad} not valid)"

    def _repr_markdown_(self) -> str:
        return "\n".join([f"**{self.path}**: {len(self)} certificates", ""]
                         + [f"- {r._repr_markdown_()}" for r in self])


@dataclass
class Certificate:
    """The files of a certificate, re-checked before they were written, and its verdicts."""

    json: Path
    tex: Path
    pdf: Path | None
    pdf_note: str | None  # why there is no PDF, if there is none
    laws: int | None
    recoverability: str
    metric: str
    dynamic: str

    def _repr_markdown_(self) -> str:
        pdf = f", `{self.pdf}`" if self.pdf else f" ({self.pdf_note})" if self.pdf_note else ""
        return (f"Certificate `{self.json}`, `{self.tex}`{pdf}: laws {self.laws}, "
                f"recoverability {self.recoverability}, metric {self.metric}, dynamic "
                f"{self.dynamic} (re-checked: valid)")


@dataclass(repr=False)
class Discrete:
    """Gradient descent (gd) or SGD with steps η against the flow: each law's drift at the
    same time T (K = T/η steps) and its fitted order in η (about 1: O(η²) per step)."""

    name: str
    optimizer: str
    lr: list[float]
    time: float
    batch: int | None
    laws: list[dict]  # {"law", "drift": [per η], "order"}
    steps: list[int]
    notes: list[str]
    result: Any = field(default=None, repr=False)  # flow.Discretisation

    def to_json(self) -> dict:
        return {"optimizer": self.optimizer, "lr": self.lr, "time": self.time,
                "batch": self.batch, "steps": self.steps, "laws": self.laws,
                "notes": self.notes}

    def __repr__(self) -> str:
        orders = [x["order"] for x in self.laws if x["order"] is not None]
        what = (f"fitted order in η {min(orders):.2f}..{max(orders):.2f}" if orders
                else "no law to follow")
        return f"Discrete({self.name}: {self.optimizer} at t = {self.time:g}, {what})"

    def _repr_markdown_(self) -> str:
        head = "| law | " + " | ".join(f"η = {e:g}" for e in self.lr) + " | order |"
        lines = [f"**{self.name}**: {self.optimizer}, drift of each law at t = {self.time:g}",
                 "", head, "|---" * (len(self.lr) + 2) + "|"]
        for x in self.laws[:MAX_SHOWN]:
            order = f"{x['order']:.2f}" if x["order"] is not None else "–"
            lines.append(f"| `{x['law']}` | " + " | ".join(f"{v:.2e}" for v in x["drift"])
                         + f" | {order} |")
        lines += _more(len(self.laws), MAX_SHOWN, "laws", ".laws")
        return "\n".join(lines)
