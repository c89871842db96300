"""Exact linear algebra over QQ and GF(p).

Why a rank modulo p proves something: for an integer matrix A, every r×r minor that is non-zero
mod p is a non-zero integer, so rank_p(A) ≤ rank_QQ(A). An incremental echelon form mod p thus
certifies *lower* bounds on ranks over QQ; ``rank_qq`` recomputes them exactly with flint.
"""

from __future__ import annotations

from collections.abc import Sequence

import flint

from .poly import integer_multiple

#: The Mersenne prime 2^61 − 1 used by the fast path.
PRIME = (1 << 61) - 1
#: a batch is eliminated sparsely while its vectors have on average ≤ 1/SPARSE_RATIO non-zeros
SPARSE_RATIO = 32


class ModpEchelon:
    """A growing set of integer vectors kept independent modulo a prime.

    ``add_batch(vs)`` keeps, greedily and in order, the vectors of ``vs`` that are independent
    (mod p) of everything kept so far; it works in bulk with flint's ``nmod_mat.rref``.
    Independent mod p implies independent over QQ (see module docstring).
    """

    def __init__(self, ncols: int, p: int = PRIME):
        self.ncols = ncols
        self.p = p
        self.basis: list[list[int]] = []  # kept vectors, reduced mod p
        # sparse mode (while every batch is sparse): pivot column c -> the kept row reduced so
        # that its first non-zero is a 1 in column c
        self._pivots: dict[int, dict[int, int]] | None = {}
        self._fill = 0  # non-zeros of the reduced pivot rows (sparse mode)

    @property
    def rank(self) -> int:
        return len(self.basis)

    def add_batch(self, vectors: Sequence[Sequence[int]]) -> list[bool]:
        """Keep the vectors independent of the current basis and of the earlier ones in the
        batch; return a flag per vector."""
        if not vectors:
            return []
        p = self.p
        if self._pivots is not None:
            sparse = [{k: x % p for k, x in enumerate(v) if x % p} for v in vectors]
            if sum(map(len, sparse)) * SPARSE_RATIO <= self.ncols * len(sparse):
                flags = []
                for i, (v, s) in enumerate(zip(vectors, sparse, strict=True)):
                    flags.append(self._add_sparse(v, s))
                    if self._fill * SPARSE_RATIO > self.ncols * max(len(self.basis), 1) \
                            and len(self.basis) >= 64:
                        # the reduced pivot rows have filled in: Python elimination would
                        # cost O(D·rank) per vector; bulk rref from here on
                        self._pivots = None
                        return flags + self._add_dense(vectors[i + 1:])
                return flags
            self._pivots = None  # a dense batch: from now on, bulk rref over the kept vectors
        return self._add_dense(vectors)

    def _add_sparse(self, vector: Sequence[int], v: dict[int, int]) -> bool:
        """Gaussian elimination of one sparse vector by the pivots, smallest column first."""
        p, pivots = self.p, self._pivots
        assert pivots is not None
        while v:
            c = min(v)
            row = pivots.get(c)
            if row is None:
                inv = pow(v[c], -1, p)
                pivots[c] = {k: x * inv % p for k, x in v.items()}
                self._fill += len(v)
                self.basis.append([x % p for x in vector])
                return True
            f = v[c]
            for k, x in row.items():
                y = (v.get(k, 0) - f * x) % p
                if y:
                    v[k] = y
                else:
                    v.pop(k, None)
        return False

    def _add_dense(self, vectors: Sequence[Sequence[int]]) -> list[bool]:
        if not vectors:
            return []
        p, r = self.p, len(self.basis)
        cols = self.basis + [[x % p for x in v] for v in vectors]
        if self.ncols == 0:
            return [False] * len(vectors)
        mat = flint.nmod_mat([list(row) for row in zip(*cols, strict=True)], p)
        red, rank = mat.rref()
        flags = [False] * len(vectors)
        j = 0
        ncols = len(cols)
        for i in range(rank):
            while int(red[i, j]) == 0:
                j += 1
            if j >= r:
                flags[j - r] = True
                self.basis.append(cols[j])
            j += 1
            if j >= ncols:
                break
        return flags




class QQEchelon(ModpEchelon):
    """The same growing independent set, decided over QQ (fraction-free ``fmpz_mat.rref``).

    Slower than the mod-p path; used to measure its speed-up and as a cross-check."""

    def __init__(self, ncols: int):
        super().__init__(ncols)

    def add_batch(self, vectors: Sequence[Sequence[int]]) -> list[bool]:
        if not vectors:
            return []
        r = len(self.basis)
        cols = self.basis + [list(v) for v in vectors]
        if self.ncols == 0:
            return [False] * len(vectors)
        red, _den, rank = flint.fmpz_mat([list(row) for row in zip(*cols, strict=True)]).rref()
        flags = [False] * len(vectors)
        j = 0
        for i in range(rank):
            while red[i, j] == 0:
                j += 1
            if j >= r:
                flags[j - r] = True
                self.basis.append(cols[j])
            j += 1
        return flags



def make_echelon(ncols: int, field: str = "modp") -> ModpEchelon:
    """An incremental echelon over GF(p) ("modp", the fast path) or QQ ("qq")."""
    if field == "qq":
        return QQEchelon(ncols)
    if field != "modp":
        raise ValueError(f"unknown field {field!r}")
    return ModpEchelon(ncols)


def rank_qq(rows: Sequence[Sequence]) -> int:
    """Exact rank over QQ of a matrix given by rows (integers or rationals). Each row is scaled
    to integers (same rank); if the rank mod p is already min(rows, columns), that is the rank
    (it is a lower bound and cannot be exceeded), else the rank is computed over ℤ."""
    rows = [list(r) for r in rows]
    if not rows or not rows[0]:
        return 0
    ints = [integer_multiple(r) for r in rows]
    top = min(len(ints), len(ints[0]))
    if flint.nmod_mat(ints, PRIME).rank() == top:
        return top
    return flint.fmpz_mat(ints).rank()


#: above this many entries independent_subset ranks by BLAS (``fastrank``), mod 1 048 573
FAST_SUBSET_ENTRIES = 1_000_000


def independent_subset(vectors: Sequence[Sequence[int]], ncols: int) -> list[int]:
    """Indices of a maximal subset of integer vectors independent over QQ, chosen greedily.

    Selection is made mod p; independence mod p implies independence over QQ.
    """
    if len(vectors) * ncols > FAST_SUBSET_ENTRIES:  # BLAS, mod a 20-bit prime
        from .fastrank import FastEchelon

        ech: ModpEchelon | FastEchelon = FastEchelon(ncols)
    else:
        ech = ModpEchelon(ncols)
    chosen = [i for i, new in enumerate(ech.add_batch(list(vectors))) if new]
    confirm_small([vectors[i] for i in chosen], len(chosen))
    return chosen


#: Above this many entries the QQ re-confirmation of a mod-p rank is skipped: it is implied
#: by the mathematics (module docstring) and re-done by the independent certificate checker.
CONFIRM_LIMIT = 40_000


def confirm_small(rows: Sequence[Sequence[int]], rank: int) -> None:
    """Guard against engine bugs on small matrices: the rank over QQ equals the mod-p one."""
    if rows and len(rows) * len(rows[0]) <= CONFIRM_LIMIT and rank_qq(rows) != rank:
        raise AssertionError("mod-p rank not confirmed over QQ")  # pragma: no cover


def nullspace_qq(rows: Sequence[Sequence], ncols: int) -> list[list[flint.fmpq]]:
    """A basis of {x ∈ QQ^n : A x = 0} for A given by rows, from the reduced row echelon form."""
    if not rows:
        return [[flint.fmpq(int(i == j)) for i in range(ncols)] for j in range(ncols)]
    ints = [integer_multiple(r) for r in rows]  # same kernel; fraction-free over ℤ
    if flint.nmod_mat(ints, PRIME).rank() == ncols:
        return []  # full column rank mod p, hence over ℚ
    red, den, rank = flint.fmpz_mat(ints).rref()
    rref = flint.fmpq_mat(red) / den
    pivots = []
    for i in range(rank):
        for j in range(ncols):
            if rref[i, j] != 0:
                pivots.append(j)
                break
    free = [j for j in range(ncols) if j not in set(pivots)]
    basis = []
    for f in free:
        x = [flint.fmpq(0)] * ncols
        x[f] = flint.fmpq(1)
        for i, pc in enumerate(pivots):
            x[pc] = -rref[i, f]
        basis.append(x)
    return basis


def primitive_integer(vec: Sequence) -> list[int]:
    """The primitive integer vector proportional to a rational vector (first non-zero > 0)."""
    from functools import reduce
    from math import gcd, lcm

    qs = [flint.fmpq(x) for x in vec]
    den = reduce(lcm, (int(q.q) for q in qs), 1)
    ints = [int(q.p) * (den // int(q.q)) for q in qs]
    g = reduce(gcd, (abs(v) for v in ints), 0) or 1
    ints = [v // g for v in ints]
    first = next((v for v in ints if v), 1)
    return [-v for v in ints] if first < 0 else ints
