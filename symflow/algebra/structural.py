"""Brackets of a linear network's fields computed from its matrices, at a point, modulo a prime.

For φ(θ) = U_L⋯U_1 the field X_ij = ∇φ_ij has, on the block of U_k, the rank-one value
∂φ_ij/∂U_k = g_kᵀ f_k with f_k = U_{k-1}⋯U_1 e_j (a forward pass) and g_k = e_iᵀ U_L⋯U_{k+1}
(a backward pass): O(D) operations, without expanding φ (whose entries have ∏ n_k terms).

A right-normed bracket B = [X_i, C] has the value B(θ) = ∂C(θ)·X_i(θ) − ∂X_i(θ)·C(θ). Both
directional derivatives are read off one evaluation over dual numbers: F(θ + εv) = F(θ) +
ε ∂F(θ)·v with ε² = 0. A bracket of depth k is thus evaluated by forward/backward passes over
the truncated algebra Z/p[ε_1, …, ε_{k-1}]/(ε_i²) (2^{k-1} components), exactly modulo p.

What is proved: every value is the residue mod p of the exact integer value at an integer point,
so a rank mod p is a lower bound of the rank over QQ (``linalg``), hence of dim Lie(W_φ)(θ0).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import islice

import numpy as np

from .fastrank import FastEchelon
from .lie import Bracket, LieTrace
from .structural_limits import MAX_INNER, PRIME  # noqa: F401 - re-exported

#: candidate brackets evaluated together (bounds the memory of a batch: 2^m × B × D integers)
CHUNK = 512
#: candidate brackets sifted together at the sample points (their values and the float copy
#: the echelon takes: 2 × 8 bytes × chunk × D per point)
SIFT_CHUNK = 2048


def _mul(a: np.ndarray, b: np.ndarray, spec: str) -> np.ndarray:
    """The product of two jets (leading axis: the 2^m coefficients of the monomials ε_S),
    c_S = Σ_{T ⊆ S} a_T b_{S∖T}, each coefficient an ``einsum(spec)``: mod p for int64 jets,
    exactly for object jets (Python integers or flint rationals)."""
    n = a.shape[0]
    exact = a.dtype == object
    out = None
    for s in range(n):
        t = s
        acc = None
        while True:
            term = np.einsum(spec, a[t], b[s ^ t])
            if not exact:
                term %= PRIME
            acc = term if acc is None else (acc + term if exact else (acc + term) % PRIME)
            if t == 0:
                break
            t = (t - 1) & s
        if out is None:
            out = np.empty((n,) + acc.shape, dtype=object if exact else np.int64)
        out[s] = acc
    return out


def _extend(theta: np.ndarray, v: np.ndarray) -> np.ndarray:
    """θ + ε v for a fresh infinitesimal ε: the components of θ, then those of v (times ε)."""
    return np.concatenate([theta, v], axis=0)


class ProductStructure:
    """The layered linear network φ = U_L⋯U_1: its fields and brackets from forward/backward
    passes. Coordinate c = i·n_0 + j is z[i+1, j+1] (row-major), as in ``product_lifting``."""

    def __init__(self, widths: Sequence[int], index: dict[str, int]):
        self.widths = list(widths)
        self.L = len(widths) - 1
        self.D = len(index)
        self.d = widths[0] * widths[-1]
        # blocks[k]: the parameter indices of U_{k+1} (0-based k), an n_{k+1} × n_k array
        self.blocks = [np.array([[index[f"U{k + 1}_{r + 1}_{c + 1}"] for c in range(widths[k])]
                                 for r in range(widths[k + 1])], dtype=np.int64)
                       for k in range(self.L)]

    def fields(self, theta: np.ndarray, coords: np.ndarray) -> np.ndarray:
        """X_c(θ) for one coordinate c per batch element: θ is a jet (2^m, B, D), the result too.
        """
        n, b = theta.shape[0], theta.shape[1]
        w = self.widths
        dtype = theta.dtype
        mats = [theta[:, :, blk] for blk in self.blocks]  # (2^m, B, n_{k+1}, n_k)
        rows, cols = coords // w[0], coords % w[0]
        f = np.zeros((n, b, w[0]), dtype=np.int64).astype(dtype)
        f[0, np.arange(b), cols] = 1
        forward = [f]  # forward[k] = U_k⋯U_1 e_j (length n_k)
        for k in range(self.L - 1):
            f = _mul(mats[k], f, "bij,bj->bi")
            forward.append(f)
        g = np.zeros((n, b, w[-1]), dtype=np.int64).astype(dtype)
        g[0, np.arange(b), rows] = 1
        out = np.zeros((n, b, self.D), dtype=np.int64).astype(dtype)
        for k in range(self.L - 1, -1, -1):  # g = e_iᵀ U_L⋯U_{k+2} (length n_{k+1})
            block = _mul(g, forward[k], "bi,bj->bij")
            out[:, :, self.blocks[k].ravel()] = block.reshape(n, b, -1)
            if k:
                g = _mul(mats[k], g, "bij,bi->bj")
        return out

    def evaluate(self, words: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """The right-normed brackets [X_{w0}, [X_{w1}, … X_{wk}]] at the jet θ (2^m, B, D);
        ``words`` is a (B, k+1) array of coordinate indices."""
        if words.shape[1] == 1:
            return self.fields(theta, words[:, 0])
        n = theta.shape[0]
        first, inner = words[:, 0], words[:, 1:]
        x = self.fields(theta, first)
        c = self.evaluate(inner, _extend(theta, x))  # C(θ + εX) = C(θ) + ε ∂C·X
        c0, dc_x = c[:n], c[n:]
        dx_c = self.fields(_extend(theta, c0), first)[n:]  # ∂X(θ)·C(θ)
        return dc_x - dx_c if theta.dtype == object else (dc_x - dx_c) % PRIME

    def exact_values(self, words: list[tuple[int, ...]], point: list) -> list[list]:
        """The exact values (integers or flint rationals) of brackets at a rational point."""
        import flint

        pt = np.array([flint.fmpq(x) if not isinstance(x, int) else x for x in point],
                      dtype=object)
        out = []
        for word in words:
            theta = np.empty((1, 1, self.D), dtype=object)
            theta[0, 0] = pt
            out.append(list(self.evaluate(np.array([word], dtype=np.int64), theta)[0, 0]))
        return out

    def values(self, words: list[tuple[int, ...]], point: np.ndarray) -> np.ndarray:
        """Values mod p of brackets of equal depth at an integer point, in chunks."""
        out = []
        for start in range(0, len(words), CHUNK):
            part = np.array(words[start:start + CHUNK], dtype=np.int64)
            theta = np.broadcast_to(point, (1, len(part), self.D)).copy()
            out.append(self.evaluate(part, theta)[0])
        return np.concatenate(out, axis=0) if out else np.zeros((0, self.D), dtype=np.int64)


def _residue(x: object) -> int:
    """x mod p for an integer or a rational a/b with p ∤ b (a rational point's values, each
    row scaled by its common denominator, have the same rank over ℚ; mod p that scaling is
    invertible, so ranks mod p stay lower bounds)."""
    import flint

    q = flint.fmpq(x)
    den = int(q.q) % PRIME
    if den == 0:
        raise ValueError("a coordinate's denominator is divisible by p")
    return int(q.p) * pow(den, -1, PRIME) % PRIME


def _word_text(word: tuple[int, ...]) -> str:
    text = f"g{word[-1] + 1}"
    for i in reversed(word[:-1]):
        text = f"[g{i + 1},{text}]"
    return text


def structural_trace(structure: ProductStructure, points: Sequence[Sequence[int]],
                     target: int, max_depth: int | None = None, max_fields: int = 1_000_000,
                     progress: Callable[[str], None] | None = None,
                     exact: bool = False, deadline: float | None = None) -> LieTrace:
    """The bracket exploration of ``lie.lie_trace`` with values from the network's structure
    (mod p): rank at ``points[0]`` up to ``target``; brackets independent at the other points
    are bracketed further. Never reports "closed" (closure needs the symbolic fields).

    Adaptive depth: with ``max_depth`` None the levels go on until the rank meets ``target``,
    the exploration saturates (no bracket of a level is new at the sample points), or the next
    level is predicted to end after ``deadline`` (``time.monotonic()`` seconds) or to exceed
    ``max_fields`` brackets; ``LieTrace.stopped_by`` says which limit stopped it."""
    import time

    D = structure.D
    goal = min(target, D)
    pts = [np.array([_residue(x) for x in p], dtype=np.int64) for p in points]
    at_point = FastEchelon(D, PRIME)
    signature = FastEchelon(D * (len(pts) - 1), PRIME)
    spanning: list[Bracket] = []

    def reached() -> str | None:
        if at_point.rank >= goal:
            return "target" if at_point.rank < D else "full"
        return None

    span_words: list[tuple[int, ...]] = []

    def advice(depth: int, stopped_by: str | None, n_next: int) -> str | None:
        """What would go further: the levels still needed at the rate seen, and their time
        (``n_next`` candidates a level, each valued at θ0 and at the sample points, 3× dearer
        per level of depth)."""
        if stopped_by is None or at_point.rank >= goal:
            return None
        gap = goal - at_point.rank
        counts: dict[int, int] = {}
        for b in spanning:
            counts[b.depth] = counts.get(b.depth, 0) + 1
        last = [counts.get(k, 0) for k in (depth - 1, depth)]
        rate = max(1, sum(last) // 2)
        more = -(-gap // rate)
        level_time = per_bracket(depth + 1) * max(1, n_next) * len(pts)
        predicted = sum(level_time * 3 ** j for j in range(more))
        why = {"time": "the next level was predicted to end after the time budget "
                       "(--max-seconds)",
               "depth": f"--max-depth {depth} was reached",
               "fields": f"{max_fields} brackets were explored"}[stopped_by]
        pred = f"about {predicted:.0e} s" if predicted > 1e5 else f"about {predicted:.0f} s"
        return (f"the brackets stopped at depth {depth}: {why}; at the rate seen ({rate} new "
                f"per level) the bounds meet after about {more} more level(s) "
                f"(--max-depth {depth + more}), predicted to take {pred} (--max-seconds)")

    def finish(depth: int, status: str | None, explored: int,
               stopped_by: str | None = None, n_next: int = 0) -> LieTrace:
        note = advice(depth, stopped_by, n_next)
        if not exact:
            return LieTrace(at_point.rank, spanning, depth, status or "limit", explored,
                            modulus=PRIME, stopped_by=stopped_by, advice=note)
        from .poly import integer_multiple

        values = structure.exact_values(span_words, list(points[0]))
        brackets = [Bracket(b.word, b.depth, integer_multiple(v))
                    for b, v in zip(spanning, values, strict=True)]
        return LieTrace(at_point.rank, brackets, depth, status or "limit", explored,
                        stopped_by=stopped_by, advice=note)

    # seconds per bracket at each depth, measured; a new depth is predicted at 3× the last
    # (its jets have twice the components, and their products three times the terms)
    cost: dict[int, float] = {}

    def per_bracket(depth: int) -> float:
        if depth in cost:
            return cost[depth]
        known = max(cost, default=None)
        return 0.0 if known is None else cost[known] * 3 ** (depth - known)

    def timed_values(words: list[tuple[int, ...]], point: np.ndarray,
                     depth: int) -> np.ndarray | None:
        """The values, or None when they are predicted to end after the deadline."""
        if deadline is not None and time.monotonic() + len(words) * per_bracket(depth) \
                > deadline:
            return None
        t0 = time.monotonic()
        vals = structure.values(words, point)
        cost[depth] = max(cost.get(depth, 0.0), (time.monotonic() - t0) / max(len(words), 1))
        return vals

    def offer(words: list[tuple[int, ...]], depth: int) -> bool:
        """Rank the words' values at θ0; False when the deadline stopped it."""
        size = max(64, goal - at_point.rank)
        for start in range(0, len(words), size):
            part = words[start:start + size]
            vals = timed_values(part, pts[0], depth)
            if vals is None:
                return False
            for w, v, new in zip(part, vals, at_point.add_batch(vals), strict=True):
                if new:
                    spanning.append(Bracket(_word_text(w), depth, v.tolist()))
                    span_words.append(w)
            if progress:
                progress(f"depth {depth}: rank {at_point.rank}/{goal}")
            if reached():
                return True
        return True

    sift_cost: dict[int, float] = {}  # seconds per word: its values and their elimination

    def sift(words: list[tuple[int, ...]], depth: int) -> tuple[list[tuple[int, ...]], bool]:
        """(the words whose values at the sample points are new, whether all words were
        sifted), in chunks (memory O(chunk·D)); it stops before a chunk predicted to end after
        half the time left, so that the next level has the other half."""
        if len(pts) < 2:
            return words, True
        until = None if deadline is None else \
            time.monotonic() + (deadline - time.monotonic()) / 2
        kept: list[tuple[int, ...]] = []
        for start in range(0, len(words), SIFT_CHUNK):
            part = words[start:start + SIFT_CHUNK]
            unit = sift_cost.get(depth, per_bracket(depth) * (len(pts) - 1))
            if until is not None and time.monotonic() + len(part) * unit > until:
                return kept, False
            t0 = time.monotonic()
            sigs = np.concatenate([structure.values(part, p) for p in pts[1:]], axis=1)
            kept += [w for w, new in zip(part, signature.add_batch(sigs), strict=True) if new]
            sift_cost[depth] = max(sift_cost.get(depth, 0.0),
                                   (time.monotonic() - t0) / len(part))
        return kept, True

    words = [(i,) for i in range(structure.d)]
    offer(words, 1)
    explored = len(words)
    if reached():
        return finish(1, reached(), explored)
    gens, complete = sift(words, 1)
    if not complete:
        gens = list(dict.fromkeys(gens + span_words))  # at least the fields kept at θ0
    level = gens
    depth = 1
    while True:
        if max_depth is not None and depth >= max_depth:
            return finish(depth, "limit", explored, "depth", len(level) * len(gens))
        if explored >= max_fields:
            return finish(depth, "limit", explored, "fields", len(level) * len(gens))
        depth += 1
        budget = max_fields - explored
        cands = list(islice(((g[0],) + b for b in level for g in gens
                             if not (depth == 2 and g[0] >= b[0])), budget + 1))
        capped = len(cands) > budget
        cands = cands[:budget]
        if not offer(cands, depth):
            # the depth some of whose brackets were valued, else the last complete one
            return finish(depth if depth in cost else depth - 1, "limit", explored, "time",
                          len(cands))
        explored += len(cands)
        if reached():
            return finish(depth, reached(), explored)
        if capped:
            return finish(depth, "limit", explored, "fields", len(cands))
        level, complete = sift(cands, depth)
        if not complete:
            # no time to sift the whole level at the sample points: bracket further the words
            # sifted so far and those independent at θ0 (a sub-exploration: every bracket
            # still lies in Lie(W_φ), so the bound stands)
            level = list(dict.fromkeys(level + [w for w in span_words if len(w) == depth]))
            if not level:
                return finish(depth, "limit", explored, "time", len(cands))
        elif not level:
            return finish(depth, "saturated", explored)
