"""Liftings z = φ(θ): the path-lifting of a ReLU DAG, the product of the weight matrices of a
linear network, or a polynomial map given by the user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx

from .algebra.poly import Ring, VectorField, variables_of
from .architecture import OUTPUT, Architecture
from .errors import LimitError

DEFAULT_MAX_PARAMS = 2000
DEFAULT_MAX_PATHS = 1_000_000


@dataclass
class Lifting:
    """Parameters θ (named) and a polynomial map φ: R^D → R^d with rational coefficients.

    ``kind`` is "path" (path-lifting of a DAG), "product" (φ = U_L⋯U_1) or "custom".
    ``labels[i]`` says what coordinate φ_i is (a path, a matrix entry, ...).
    """

    name: str
    kind: str
    ring: Ring
    phi: list  # fmpq_mpoly, one per coordinate
    labels: list[str]
    architecture: Architecture | None = None
    widths: tuple[int, ...] | None = None  # for product liftings
    paths: list[tuple[str, ...]] = field(default_factory=list)  # for path liftings
    path_params: list[list[int]] = field(default_factory=list)  # parameter indices of each path

    @property
    def params(self) -> list[str]:
        return self.ring.names

    @property
    def D(self) -> int:  # noqa: N802 - the paper's notation
        return self.ring.nvars

    @property
    def d(self) -> int:
        return len(self.phi)

    def io_widths(self) -> tuple[int, int] | None:
        """(number of inputs, number of outputs) of the network, None for a custom lifting."""
        if self.kind == "product" and self.widths:
            return self.widths[0], self.widths[-1]
        if self.kind == "path" and self.architecture is not None:
            return len(self.architecture.inputs), len(self.architecture.outputs)
        return None

    @cached_property
    def jacobian(self) -> list[dict[int, object]]:
        """∂φ_i/∂θ_k as exact polynomials, stored sparsely: row i is {k: ∂φ_i/∂θ_k}."""
        rows = []
        for p in self.phi:
            row = {}
            for k in variables_of(p):
                dp = p.derivative(k)
                if not dp.is_zero():
                    row[k] = dp
            rows.append(row)
        return rows

    @cached_property
    def generators(self) -> Generators:
        """X_i = ∇φ_i with integer coefficients (φ_i rescaled by a positive constant, which
        does not change W_φ), built on demand."""
        return Generators(self)

    @cached_property
    def supports(self) -> list[list[int]]:
        """The variables each φ_i depends on."""
        if self.path_params:
            return self.path_params
        return [variables_of(p) for p in self.phi]

    @cached_property
    def by_variable(self) -> dict[int, list[int]]:
        """For each variable k, the coordinates i with φ_i depending on θ_k."""
        out: dict[int, list[int]] = {}
        for i, sup in enumerate(self.supports):
            for k in sup:
                out.setdefault(k, []).append(i)
        return out


class Generators(Sequence):
    """The lazily built sequence of fields X_i = ∇φ_i (integer coefficients)."""

    def __init__(self, lifting: Lifting):
        self.lifting = lifting
        self.nvars = lifting.D
        self._cache: dict[int, VectorField] = {}

    def __len__(self) -> int:
        return self.lifting.d

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        f = self._cache.get(i)
        if f is None:
            lf = self.lifting
            f = VectorField.gradient(lf.ring.to_integer(lf.phi[i]), lf.D)
            self._cache[i] = f
        return f

    def preferred_order(self, seed: int = 1) -> list[int]:
        """A seeded order in which, first, every parameter occurs in one chosen coordinate
        (a cover: parameters on few paths, such as output biases, come in early), then the rest
        at random. Ranking generators in this order meets full rank sooner."""
        import random

        order = list(range(len(self)))
        random.Random(seed).shuffle(order)
        first, covered = [], set()
        sup = self.lifting.supports
        for i in order:
            if not covered.issuperset(sup[i]):
                first.append(i)
                covered.update(sup[i])
        chosen = set(first)
        return first + [i for i in order if i not in chosen]

    def values_at(self, indices: Sequence[int], point: Sequence) -> list[list[int]] | None:
        """X_i(θ) for path monomials at an integer point with no zero entry, without building
        the fields: ∂φ_p/∂θ_e = φ_p(θ)/θ_e exactly (each parameter occurs once on a path).
        None when this fast path does not apply."""
        lf = self.lifting
        if not lf.path_params or not all(isinstance(x, int) and x != 0 for x in point):
            return None
        out = []
        for i in indices:
            ps = lf.path_params[i]
            prod = 1
            for k in ps:
                prod *= point[k]
            row = [0] * lf.D
            for k in ps:
                row[k] = prod // point[k]
            out.append(row)
        return out


def check_size(n_params: int, n_coords: int, max_params: int, max_paths: int) -> None:
    if n_params > max_params:
        raise LimitError(
            f"the network has D = {n_params} parameters, above the limit of {max_params} "
            f"(raise it with --max-params)")
    if n_coords > max_paths:
        raise LimitError(
            f"the lifting has d = {n_coords} coordinates, above the limit of {max_paths} "
            f"(raise it with --max-paths)")


def path_lifting(arch: Architecture, max_params: int = DEFAULT_MAX_PARAMS,
                 max_paths: int = DEFAULT_MAX_PATHS) -> Lifting:
    """φ_p(θ) = ∏_{e ∈ p} θ_e for every path p from an input to an output, and
    φ_p = b_v ∏_{e ∈ p} θ_e for every path p from a neuron v with a bias to an output."""
    check_size(len(arch.params), arch.count_paths(), max_params, max_paths)
    ring = Ring(arch.params)
    gens = ring.qgens()
    var = {n: gens[i] for i, n in enumerate(arch.params)}
    g = arch.graph
    # all partial paths from each neuron to the outputs, built backwards in topological order
    tails: dict[str, list[tuple[tuple[str, ...], object]]] = {}
    one = ring.qctx.constant(1)
    for v in reversed(list(nx.topological_sort(g))):
        out = [((v,), one)] if g.nodes[v]["kind"] == OUTPUT else []
        for w in g.successors(v):
            e = var[g.edges[v, w]["param"]]
            out.extend(((v,) + path, e * mono) for path, mono in tails[w])
        tails[v] = out
    phi, labels, paths, params = [], [], [], []
    index = ring.index
    starts = [(v, None) for v in arch.inputs] + [
        (v, arch.bias(v)) for v in g.nodes if arch.bias(v)]
    for v, b in starts:
        for path, mono in tails[v]:
            phi.append(mono * var[b] if b else mono)
            paths.append(((b,) if b else ()) + path)
            labels.append((f"{b}:" if b else "") + "→".join(path))
            ps = [index[g.edges[a, c]["param"]] for a, c in zip(path, path[1:], strict=False)]
            params.append(([index[b]] if b else []) + ps)
    return Lifting(arch.name, "path", ring, phi, labels, architecture=arch, paths=paths,
                   path_params=params)


def product_lifting(widths: list[int], max_params: int = DEFAULT_MAX_PARAMS,
                    max_paths: int = DEFAULT_MAX_PATHS) -> Lifting:
    """φ(U_1..U_L) = U_L ⋯ U_1 (entries), U_k ∈ R^{n_k × n_{k-1}} with entries ``U{k}_{i}_{j}``."""
    from .architecture import layered

    arch = layered(widths, activation="linear", weight="U")
    check_size(len(arch.params), widths[0] * widths[-1], max_params, max_paths)
    ring = Ring(arch.params)
    gens = ring.qgens()
    var = {n: gens[i] for i, n in enumerate(arch.params)}

    def mat(k: int) -> list[list]:
        return [[var[f"U{k}_{i}_{j}"] for j in range(1, widths[k - 1] + 1)]
                for i in range(1, widths[k] + 1)]

    prod = mat(1)
    for k in range(2, len(widths)):
        m = mat(k)
        prod = [[sum((m[i][a] * prod[a][j] for a in range(len(prod))), ring.qzero())
                 for j in range(len(prod[0]))] for i in range(len(m))]
    phi = [prod[i][j] for i in range(len(prod)) for j in range(len(prod[0]))]
    labels = [f"z[{i + 1},{j + 1}]" for i in range(len(prod)) for j in range(len(prod[0]))]
    name = "linear:" + "-".join(map(str, widths))
    return Lifting(name, "product", ring, phi, labels, architecture=arch, widths=tuple(widths))


def custom_lifting(name: str, params: list[str], exprs: list, max_params: int =
                   DEFAULT_MAX_PARAMS, max_paths: int = DEFAULT_MAX_PATHS) -> Lifting:
    """A user-given polynomial map φ, from SymPy expressions in the named parameters."""
    check_size(len(params), len(exprs), max_params, max_paths)
    ring = Ring(params)
    phi = [ring.from_sympy(e) for e in exprs]
    labels = [f"phi{i + 1}" for i in range(len(phi))]
    return Lifting(name, "custom", ring, phi, labels)
