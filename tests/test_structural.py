"""The structural engine: brackets of linear networks from their matrices, mod p."""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symflow.algebra.lie import sample_points
from symflow.algebra.linalg import ModpEchelon
from symflow.algebra.structural import PRIME, ProductStructure, _word_text
from symflow.certificate.model import build
from symflow.counting import _reduced_identity, conservation_laws, product_entry_conserved
from symflow.spec import load_lifting

widths_st = st.lists(st.integers(1, 3), min_size=3, max_size=5)


@settings(max_examples=25, deadline=None)
@given(widths=widths_st, seed=st.integers(0, 10_000), depth=st.integers(1, 4))
def test_bracket_values_agree_with_the_expanded_fields(widths, seed, depth):
    """[X_{w0}, [X_{w1}, …]](θ) from forward/backward passes over dual numbers equals, mod p,
    the value of the symbolic bracket of the expanded fields."""
    lf = load_lifting("linear:" + "-".join(map(str, widths)))
    rng = random.Random(seed)
    word = tuple(rng.randrange(lf.d) for _ in range(depth))
    field = lf.generators[word[-1]]
    for i in reversed(word[:-1]):
        field = lf.generators[i].bracket(field)
    point = [rng.randint(-7, 7) for _ in range(lf.D)]
    exact = [int(x) % PRIME for x in field.at(point)]
    structure = ProductStructure(lf.widths, lf.ring.index)
    got = structure.values([word], np.array([x % PRIME for x in point]))[0].tolist()
    assert got == exact, _word_text(word)


@settings(max_examples=20, deadline=None)
@given(widths=widths_st, seed=st.integers(0, 50))
def test_both_engines_prove_the_same_count(widths, seed):
    spec = "linear:" + "-".join(map(str, widths))
    fast = conservation_laws(load_lifting(spec), seed=seed, engine="structural")
    slow = conservation_laws(load_lifting(spec), seed=seed, engine="polynomial")
    assert fast.lie.modulus == PRIME and slow.lie.modulus is None
    assert fast.lower == slow.lower
    if fast.exact:  # the structural engine never claims more than the polynomial one
        assert slow.exact and fast.count == slow.count


@pytest.mark.parametrize("spec,laws", [
    ("linear:2-5-5-5-2", 3 * 15),  # deep brackets (depth 4): the symbolic ones took 34 s, 2 GB
    ("linear:2-6-6-6-2", 3 * 21),  # beyond 6.9 GB before
    ("linear:5-5-5-5-5-5-5-5", 6 * 15),  # φ would have 390 625 terms
    ("linear:3-1-3", 1),
])
def test_deep_linear_nets_get_the_family_count(spec, laws):
    lf = load_lifting(spec, max_terms=1000)  # nothing is expanded
    r = conservation_laws(lf)
    assert r.count == laws and r.argument == "bounds"
    assert not lf.phi.expanded


def test_a_thin_deep_net_is_exact_by_one_coordinate_without_the_search():
    """linear:1-10-10-10-10-10-1: φ has 10^5 terms; d = 1 makes the count exact (D − 1)."""
    lf = load_lifting("linear:1-10-10-10-10-10-1")
    r = conservation_laws(lf)
    assert r.argument == "one coordinate" and r.count == lf.D - 1
    assert len(r.laws) == 5 * 55 and any("φ has 100000 terms" in n for n in r.notes)


def test_the_reduced_identity_can_fail():
    """The check is not vacuous: U_{k+1}ᵀU_{k+1} + U_kU_kᵀ is not conserved."""
    for diagonal in (True, False):
        assert _reduced_identity(2, 3, 2, diagonal)
        assert not _reduced_identity(2, 3, 2, diagonal, coefficient=1)
    assert all(product_entry_conserved((2, 3, 4, 2), k, a, b)
               for k in (1, 2) for a in (1, 2, 3) for b in (1, 2, 3))


def test_residues_never_reach_a_certificate():
    lf = load_lifting("linear:2-2-2")
    r = conservation_laws(lf, engine="structural")
    with pytest.raises(ValueError, match="exact bracket values"):
        build(r)


def test_sparse_elimination_agrees_with_the_dense_one():
    rng = random.Random(3)
    n = 200
    vectors = []
    for _ in range(300):
        v = [0] * n
        for k in rng.sample(range(n), 3):
            v[k] = rng.randint(-3, 3)
        vectors.append(v)
    sparse = ModpEchelon(n)
    flags = sparse.add_batch(vectors[:150]) + sparse.add_batch(vectors[150:])
    dense = ModpEchelon(n)
    dense._pivots = None  # force the bulk rref
    assert flags == dense.add_batch(vectors)
    # a dense batch afterwards switches modes and keeps the same rank
    full = [[rng.randint(0, 5) for _ in range(n)] for _ in range(10)]
    sparse.add_batch(full)
    dense.add_batch(full)
    assert sparse.rank == dense.rank


def test_sample_points_are_the_ones_of_the_polynomial_engine():
    lf = load_lifting("linear:2-3-2")
    r = conservation_laws(lf, seed=4, engine="structural")
    assert r.point == sample_points(4, lf.D, 3)[0]


@settings(max_examples=12, deadline=None)
@given(widths=st.lists(st.integers(1, 3), min_size=3, max_size=4), seed=st.integers(0, 20))
def test_intrinsic_verdicts_are_the_same_with_both_engines(widths, seed):
    from symflow.properties import intrinsic

    spec = "linear:" + "-".join(map(str, widths))
    fast = intrinsic(load_lifting(spec), seed=seed)
    slow = intrinsic(load_lifting(spec), seed=seed, engine="polynomial")
    for name in ("recoverability", "metric", "dynamic", "frobenius"):
        assert getattr(fast, name) == getattr(slow, name), name
    assert [c.witness is None for c in fast.checks] == [c.witness is None for c in slow.checks]


def test_intrinsic_on_a_deep_linear_net_needs_no_symbolic_bracket():
    """linear:2-6-6-6-2: the symbolic brackets of depth 4 took more than 6.9 GB."""
    from symflow.properties import intrinsic

    r = intrinsic(load_lifting("linear:2-6-6-6-2"))
    (c,) = r.checks
    # spanning brackets chosen mod p, their values recomputed exactly from the matrices
    assert c.lie.modulus is None and c.lie_exact and c.witness is not None
    assert all(b.depth <= 4 for b in c.lie.spanning)
    assert r.recoverability == "fails" and r.metric == "refuted"


def test_the_symbolic_brackets_stop_at_their_budget():
    from symflow.errors import LimitError

    lf = load_lifting("linear:2-3-3-3-2", max_terms=150)  # φ has 108 terms; brackets 3000
    with pytest.raises(LimitError, match="grow past 3000 terms"):
        conservation_laws(lf, engine="polynomial")
    assert conservation_laws(lf).count == 3 * 6  # the structural engine needs no expansion


def test_a_bracket_too_costly_to_expand_is_refused_before_it_is_computed(tmp_path):
    """Two coordinates of 300 cubic terms each: the products that make [X1, X2] are predicted
    (bracket_work) and refused at a small --max-terms before flint computes them."""
    import random as _random

    from symflow.algebra.lie import bracket_work
    from symflow.errors import LimitError

    rng = _random.Random(0)
    names = [f"t{i}" for i in range(12)]

    def poly() -> str:
        return " + ".join("*".join(rng.choice(names) for _ in range(3)) for _ in range(300))

    spec = tmp_path / "p.yaml"
    spec.write_text(f"parameters: [{', '.join(names)}]\nphi:\n  - {poly()}\n  - {poly()}\n")
    lf = load_lifting(str(spec), max_terms=600)
    x, y = lf.generators[0], lf.generators[1]
    assert bracket_work(x, y) >= sum(len(p) for p in x.bracket(y).comps.values())
    with pytest.raises(LimitError, match="term products"):
        conservation_laws(lf)
