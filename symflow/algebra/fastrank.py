"""Ranks modulo a 20-bit prime with BLAS: an incremental echelon form in float64.

For p < 2^20 every residue is below 2^20, a product below 2^40, and a sum of at most
2^13 = 8192 products below 2^53: float64 matrix products of residues are exact integers (BLAS
speed), reduced mod p exactly (``_mod``). A rank mod p is a lower bound of the rank over ℚ of
the integer matrix (every r × r minor non-zero mod p is a non-zero integer), so everything
decided here is a proved lower bound; a smaller prime only makes an (unlucky) rank drop more
likely, never a wrong claim.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: the largest prime below 2^20
SMALL_PRIME = 1_048_573
#: longest exact float64 dot product of residues: 8192 · (2^20)^2 = 2^53
_INNER = 8192
#: rows eliminated one by one before a blocked update of the basis
_CHUNK = 48


def _mod(x: np.ndarray, p: int) -> np.ndarray:
    """x mod p, in place, for float64 integers |x| < 2^53: x − p·⌊x/p⌋ with the quotient
    rounded through 1/p (off by at most one, then corrected): exact, and faster than fmod."""
    q = x * (1.0 / p)
    np.floor(q, out=q)
    q *= p
    x -= q
    x[x < 0] += p
    x[x >= p] -= p
    return x


def _matmul(a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """(a @ b) mod p for float64 residue matrices, exactly (inner blocks of ≤ 8192)."""
    n = a.shape[1]
    if n <= _INNER:
        return _mod(a @ b, p)
    out = np.zeros((a.shape[0], b.shape[1]))
    for s in range(0, n, _INNER):
        out += _mod(a[:, s:s + _INNER] @ b[s:s + _INNER], p)
        _mod(out, p)
    return out


class FastEchelon:
    """A growing set of integer vectors kept independent modulo ``SMALL_PRIME`` (greedily, in
    the order given), kept in echelon form with the inverse of their pivot block: the same
    contract as ``linalg.ModpEchelon.add_batch`` at BLAS speed for dense vectors of length up
    to ~10^4."""

    def __init__(self, ncols: int, p: int = SMALL_PRIME):
        if p >= 1 << 20:
            raise ValueError("FastEchelon needs a prime below 2^20")
        self.ncols = ncols
        self.p = p
        # the kept rows in echelon form, never rewritten: rows[:, pivots] = T is unit upper
        # triangular, and tinv = T⁻¹ mod p, so that c − (c[:, pivots]·T⁻¹)·rows vanishes on
        # the pivots (growing T⁻¹ costs matrix products only, no pass over the rows)
        self._rows = np.zeros((0, ncols))  # capacity grows by doubling: no copy per chunk
        self._tinv = np.zeros((0, 0))
        self.pivots: list[int] = []

    @property
    def rows(self) -> np.ndarray:
        return self._rows[:self.rank]

    @property
    def tinv(self) -> np.ndarray:
        return self._tinv[:self.rank, :self.rank]

    def _reserve(self, n: int) -> None:
        cap = self._rows.shape[0]
        if n <= cap:
            return
        cap = min(max(n, 2 * cap, 256), max(n, self.ncols))
        rows = np.zeros((cap, self.ncols))
        rows[:self.rank] = self.rows
        tinv = np.zeros((cap, cap))
        tinv[:self.rank, :self.rank] = self.tinv
        self._rows, self._tinv = rows, tinv

    @property
    def rank(self) -> int:
        return len(self.pivots)

    def add_batch(self, vectors: Sequence[Sequence[int]] | np.ndarray) -> list[bool]:
        """Keep the vectors independent of the current span and of the earlier ones in the
        batch; return a flag per vector."""
        if len(vectors) == 0:
            return []
        p = self.p
        v = np.asarray(vectors)
        if v.dtype == object:
            v = np.array([[int(x) % p for x in row] for row in vectors], dtype=np.int64)
        v = np.mod(v.astype(np.int64, copy=False), p).astype(np.float64)
        flags: list[bool] = []
        for start in range(0, len(v), _CHUNK):
            flags += self._chunk(v[start:start + _CHUNK])
        return flags

    def _chunk(self, c: np.ndarray) -> list[bool]:
        p = self.p
        if self.pivots:
            coef = _matmul(c[:, self.pivots], self.tinv, p)
            c = _mod(c - _matmul(coef, self.rows, p), p)
        w = np.zeros((len(c), self.ncols))  # the new rows, reduced among themselves
        new_piv: list[int] = []
        flags = []
        for row in c:
            k = len(new_piv)
            if k:
                row = _mod(row - _mod(row[new_piv] @ w[:k], p), p)
            nz = np.flatnonzero(row)
            if not len(nz):
                flags.append(False)
                continue
            col = int(nz[0])
            row = _mod(row * pow(int(row[col]), -1, p), p)
            if k:  # keep the earlier new rows reduced at the new pivot
                w[:k] -= np.outer(w[:k, col], row)
                _mod(w[:k], p)
            w[k] = row
            new_piv.append(col)
            flags.append(True)
        if new_piv:
            k, r = len(new_piv), self.rank
            self._reserve(r + k)
            if r:  # T_new = [[T, X], [0, I]] with X = rows[:, new pivots]
                self._tinv[:r, r:r + k] = _mod(-_matmul(self.tinv, self.rows[:, new_piv], p), p)
            self._tinv[r:r + k, r:r + k] = np.eye(k)
            self._rows[r:r + k] = w[:k]
            self.pivots += new_piv
        return flags

