"""The exact algebra engine: brackets, echelon forms and the Lie trace, cross-checked with SymPy."""
import random

import flint
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symflow.algebra.lie import lie_trace, sample_points
from symflow.algebra.linalg import ModpEchelon, independent_subset, nullspace_qq, rank_qq
from symflow.algebra.poly import Ring, VectorField
from symflow.spec import load_lifting


def test_bracket_of_rotation_generators():
    # X = y ∂x, Y = x ∂y  =>  [X, Y] = ∂Y·X − ∂X·Y = −x ∂x + y ∂y
    ring = Ring(["x", "y"])
    x, y = ring.zgens()
    X = VectorField({0: y}, 2)
    Y = VectorField({1: x}, 2)
    B = X.bracket(Y)
    assert B.comps == {0: -x, 1: y}
    assert Y.bracket(X).comps == {0: x, 1: -y}  # antisymmetry
    assert X.bracket(X).is_zero()


def _sympy_bracket(X, Y, syms):
    JX = sympy.Matrix(X).jacobian(syms)
    JY = sympy.Matrix(Y).jacobian(syms)
    return list(sympy.expand(JY * sympy.Matrix(X) - JX * sympy.Matrix(Y)))


def test_brackets_agree_with_sympy_on_linear_2_2_2():
    lf = load_lifting("linear:2-2-2")
    syms = lf.ring.symbols()
    phis = [lf.ring.to_sympy(p) for p in lf.phi]
    grads = [[sympy.diff(p, s) for s in syms] for p in phis]
    for i in range(lf.d):
        for j in range(lf.d):
            ours = lf.generators[i].bracket(lf.generators[j])
            theirs = _sympy_bracket(grads[i], grads[j], syms)
            for k in range(lf.D):
                mine = lf.ring.to_sympy(ours.comps[k]) if k in ours.comps else 0
                assert sympy.expand(mine - theirs[k]) == 0


def test_lie_rank_of_linear_2_2_2_matches_an_independent_sympy_computation():
    # brackets of depth <= 2 computed by SymPy and ranked over QQ at the same point
    lf = load_lifting("linear:2-2-2")
    points = sample_points(0, lf.D, 3)
    trace = lie_trace(lf.generators, points)
    syms = lf.ring.symbols()
    grads = [[sympy.diff(lf.ring.to_sympy(p), s) for s in syms] for p in lf.phi]
    fields = grads + [_sympy_bracket(a, b, syms) for a in grads for b in grads]
    subs = dict(zip(syms, points[0], strict=True))
    values = sympy.Matrix([[sympy.sympify(c).subs(subs) for c in f] for f in fields])
    assert values.rank() == trace.dim == 5  # D − 3 laws


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 10**6), st.integers(0, 3))
def test_modp_echelon_rank_equals_rank_over_qq(rows, cols, seed, rank_cap):
    rng = random.Random(seed)
    # a random integer matrix of rank at most rank_cap + 1
    r = min(rank_cap + 1, rows, cols)
    a = [[rng.randint(-5, 5) for _ in range(r)] for _ in range(rows)]
    b = [[rng.randint(-5, 5) for _ in range(cols)] for _ in range(r)]
    m = [[sum(a[i][k] * b[k][j] for k in range(r)) for j in range(cols)] for i in range(rows)]
    ech = ModpEchelon(cols)
    ech.add_batch(m)
    assert ech.rank == rank_qq(m) == sympy.Matrix(m).rank()
    chosen = independent_subset(m, cols)
    assert len(chosen) == ech.rank


def test_nullspace_is_a_kernel_basis():
    rows = [[1, 2, 3, 4], [2, 4, 6, 8], [0, 1, 1, 0]]
    basis = nullspace_qq(rows, 4)
    assert len(basis) == 4 - 2
    for v in basis:
        for r in rows:
            assert sum(flint.fmpq(a) * b for a, b in zip(r, v, strict=True)) == 0
    assert rank_qq(basis) == 2


def test_combination_identity_is_exact():
    ring = Ring(["x", "y"])
    x, y = ring.zgens()
    A = VectorField({0: x * y}, 2)
    B = VectorField({1: x}, 2)
    C = VectorField({0: 2 * x * y, 1: -3 * x}, 2)
    assert C.combination_equals([2, -3], [A, B])
    assert not C.combination_equals([2, 3], [A, B])
    assert C.combination_equals([flint.fmpq(4, 2), -3], [A, B])


def test_single_generator_closes_exactly():
    lf = load_lifting("linear:1-2-2-1")  # d = 1: Lie(W_φ) = span{∇φ}
    trace = lie_trace(lf.generators, sample_points(0, lf.D, 3))
    assert trace.dim == 1 and trace.status == "closed" and trace.exact
