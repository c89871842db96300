"""Conservation-law counts with known answers from the literature [MGP23]."""
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symflow.algebra.poly import VectorField
from symflow.laws import conservation_laws, family_laws, is_conserved, search_laws
from symflow.spec import load_lifting


def linear_formula(widths):
    """Σ over hidden widths n_k of n_k(n_k+1)/2: what the families give when independent."""
    return sum(n * (n + 1) // 2 for n in widths[1:-1])


@pytest.mark.parametrize("widths", ["2-2-2", "2-3-2", "2-2-2-2", "4-4-4-4", "3-4-2-5"])
def test_linear_counts_match_the_formula(widths):
    r = conservation_laws(load_lifting(f"linear:{widths}"))
    assert r.exact
    assert r.count == linear_formula([int(w) for w in widths.split("-")])
    assert r.count == r.lifting.D - r.lie.dim


def test_linear_2_5_2_has_14_laws_not_15():
    # the 15 entries of VᵀV − UUᵀ are dependent: the count is computed, not taken from a formula
    r = conservation_laws(load_lifting("linear:2-5-2"))
    assert r.exact and r.count == 14 and linear_formula([2, 5, 2]) == 15
    assert len(family_laws(r.lifting)) == 15


@pytest.mark.parametrize("spec,count", [
    ("relu:3-2-1", 2), ("relu:4-4-4-4", 8), ("relu:3-3-3+bias", 3),
    ("relu:2-3-3-1+bias", 6), ("relu:2-2-2", 2),
])
def test_relu_one_law_per_hidden_neuron(spec, count):
    r = conservation_laws(load_lifting(spec))
    assert r.exact and r.count == count
    assert all(law.source.startswith("balance of neuron") for law in r.laws)


def test_dag_with_skip_connections_has_four_laws(examples):
    r = conservation_laws(load_lifting(str(examples / "skip.yaml")))
    assert r.lifting.D == 14
    assert r.exact and r.count == 4


def test_custom_x1x2x3_has_the_two_expected_laws(tmp_path):
    spec = tmp_path / "p.yaml"
    spec.write_text("parameters: [x1, x2, x3]\nphi: ['x1*x2*x3']\n")
    r = conservation_laws(load_lifting(str(spec)))
    assert r.exact and r.count == 2
    x1, x2, x3 = sympy.symbols("x1 x2 x3", real=True)
    found = [r.lifting.ring.to_sympy(law.poly) for law in r.laws]
    expected = [x1**2 - x2**2, x1**2 - x3**2]
    # the laws found span the same space as the textbook ones
    basis = sympy.Matrix([[sympy.Poly(e, x1, x2, x3).coeff_monomial(m) for m in
                           (x1**2, x2**2, x3**2)] for e in found + expected])
    assert basis.rank() == 2


def test_every_reported_law_is_an_identity_checked_independently_with_sympy():
    for spec in ["linear:2-3-2", "relu:2-3-1+bias", "linear:2-2-2-2"]:
        r = conservation_laws(load_lifting(spec))
        ring = r.lifting.ring
        syms = ring.symbols()
        phis = [ring.to_sympy(p) for p in r.lifting.phi]
        for law in r.laws:
            h = ring.to_sympy(law.poly)
            for p in phis:
                pairing = sum(sympy.diff(h, s) * sympy.diff(p, s) for s in syms)
                assert sympy.expand(pairing) == 0


def test_a_non_law_is_rejected():
    lf = load_lifting("relu:3-2-1")
    g = dict(zip(lf.params, lf.ring.zgens(), strict=True))
    assert is_conserved(g["W1_1_1"] ** 2 - g["W2_1_1"] ** 2 + g["W1_1_2"] ** 2
                        + g["W1_1_3"] ** 2, lf)
    assert not is_conserved(g["W1_1_1"] ** 2 - g["W2_1_1"] ** 2, lf)
    assert not is_conserved(g["W1_1_1"] ** 2 + g["W2_1_1"] ** 2, lf)


def test_single_input_single_output_depth3_reports_bounds_not_a_count():
    # d = 1: Lie(W_φ) = span{∇φ} has dimension 1, so D − 1 = 7 laws locally; the families give 6
    # and no polynomial law of degree ≤ 4 adds one: the output must not claim more than that.
    r = conservation_laws(load_lifting("linear:1-2-2-1"))
    assert not r.exact and r.count is None
    assert r.lower == 6 and r.upper == 7 and r.lie.exact
    assert r.searched_degrees == [1, 2, 3, 4]
    assert "at least 6 explicit laws" in r.statement()


def test_law_search_finds_the_balance_laws_of_a_relu_net():
    lf = load_lifting("relu:2-2-1")
    laws, note = search_laws(lf, 2)
    assert note is None
    assert all(is_conserved(law.poly, lf) for law in laws)
    grads = [VectorField.gradient(law.poly, lf.D).at([3, 1, 4, 1, 5, 9]) for law in laws]
    assert sympy.Matrix(grads).rank() == 2
    assert search_laws(lf, 1)[0] == []  # no linear law


def test_law_search_refuses_beyond_its_size_limit():
    lf = load_lifting("linear:5-5-5-5")
    laws, note = search_laws(lf, 3, max_monomials=1000)
    assert laws == [] and "skipped" in note


@settings(max_examples=25, deadline=None)
@given(
    widths=st.lists(st.integers(2, 4), min_size=3, max_size=4),
    kind=st.sampled_from(["relu", "relu+bias", "linear"]),
    seed=st.integers(0, 1000),
)
def test_random_layered_nets_bounds_meet(widths, kind, seed):
    bias = kind.endswith("+bias")
    spec = f"{kind.split('+')[0]}:{'-'.join(map(str, widths))}" + ("+bias" if bias else "")
    r = conservation_laws(load_lifting(spec), seed=seed)
    assert r.exact, f"{spec}: {r.statement()}"  # the explicit laws explain the whole count
    assert all(law.verified for law in r.laws)
    if kind.startswith("relu"):
        assert r.count == sum(widths[1:-1])  # one law per hidden neuron [MGP23]
    else:
        assert r.count <= linear_formula(widths)
