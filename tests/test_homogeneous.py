"""Homogeneity degrees, invariant zero patterns and the NCF [KH25]."""
import json

import pytest
import sympy
from click.testing import CliRunner

from symflow.cli import cli
from symflow.correlation import ncf as ncf_kkt
from symflow.homogeneous import homogeneity, zero_pattern
from symflow.spec import load_lifting


def run(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("spec,degree", [
    ("relu:3-4-1", 2), ("relu:2-3-3-1", 3), ("linear:2-2-2", 2), ("linear:2-3-3-2", 3),
    ("linear:1-1-1-1-1", 4), ("examples/uvw.yaml", 3),
])
def test_homogeneity_degree(spec, degree):
    h = homogeneity(load_lifting(spec))
    assert h.degree == degree and h.euler_verified
    if spec.startswith(("relu", "linear")):
        assert set(h.groups.values()) == {1}  # degree 1 in each layer


def test_degree_matches_a_numerical_scaling_of_the_network():
    # independent check: H(x; cθ) = c^L H(x; θ) for the ReLU output at a random point
    lf = load_lifting("relu:2-3-3-1")
    syms = lf.ring.symbols()
    x = [sympy.Rational(1, 2), sympy.Rational(-1, 3)]
    theta = [sympy.Rational((7 * i) % 11 - 5, 3) for i in range(lf.D)]

    def out(th):
        w = dict(zip(map(str, syms), th, strict=True))
        a = x
        for layer, n in ((1, 3), (2, 3), (3, 1)):
            pre = [sum(w[f"W{layer}_{i}_{j}"] * a[j - 1] for j in range(1, len(a) + 1))
                   for i in range(1, n + 1)]
            a = [max(p, 0) for p in pre] if layer < 3 else pre
        return a[0]

    c = sympy.Rational(5, 2)
    assert out([c * t for t in theta]) == c**3 * out(theta)


def test_biases_break_homogeneity_and_give_weighted_degrees():
    h = homogeneity(load_lifting("relu:2-3-3-1+bias"))
    assert h.degree is None and not h.euler_verified
    assert any("not homogeneous in all parameters" in n for n in h.notes)
    assert h.weighted_degree == 3
    assert h.weighted["b1_1"] == 1 and h.weighted["b2_1"] == 2 and h.weighted["b3_1"] == 3
    assert h.weighted["W2_1_1"] == 1


def test_dead_neuron_is_invariant_outgoing_only_is_not():
    lf = load_lifting("relu:3-4-1")
    dead = ["W1_2_1", "W1_2_2", "W1_2_3", "W2_1_2"]
    assert zero_pattern(lf, dead).invariant
    r = zero_pattern(lf, ["W2_1_2"])
    assert not r.invariant
    assert r.breaking_parameter == "W2_1_2" and "h1_2" in r.breaking_label
    assert r.residual in {"W1_2_1", "W1_2_2", "W1_2_3"}
    # incoming-only zero: ∂φ/∂W1_2_j = W2_1_2 · (…) ≠ 0, the outgoing weight pulls them away
    r = zero_pattern(lf, ["W1_2_1", "W1_2_2", "W1_2_3"])
    assert not r.invariant and r.residual == "W2_1_2"


def test_zero_pattern_cli(tmp_path):
    dead = tmp_path / "dead.yaml"
    dead.write_text("neurons: [h1_2]\n")
    out = tmp_path / "out.yaml"
    out.write_text("outgoing: [h1_2]\n")
    res = run("zeros", "relu:3-4-1", "--pattern", str(dead))
    assert res.exit_code == 0 and "INVARIANT" in res.stdout and "NOT" not in res.stdout
    res = run("zeros", "relu:3-4-1", "--pattern", str(out), "--json")
    data = json.loads(res.stdout)
    assert data["lifted_flow"]["invariant"] is False
    assert data["lifted_flow"]["breaking_parameter"] == "W2_1_2"
    assert data["network_flow"]["invariant"] is False


@pytest.mark.parametrize("content,needle", [
    ("neurons: [nope]\n", "unknown neuron"), ("parameters: [Q1]\n", "unknown parameter"),
    ("colour: red\n", "unknown key"), ("parameters: []\n", "sets no parameter"),
])
def test_bad_patterns_exit_2(tmp_path, content, needle):
    f = tmp_path / "p.yaml"
    f.write_text(content)
    res = run("zeros", "relu:3-4-1", "--pattern", str(f))
    assert res.exit_code == 2 and needle in res.stderr


def test_ncf_kkt_two_homogeneous():
    # relu:1-1-1 on data x = (1, 2), y = (1, −1): N(a, b) = −ab·[a > 0]; on the circle the
    # maximiser is (1/√2, −1/√2) with N = 1/2, and it is second-order
    r = ncf_kkt(load_lifting("relu:1-1-1"), [[1], [2]], [[1], [-1]])
    best = r.points[0]
    assert best.positive and best.value == "1/2" and best.w == ["sqrt(2)/2", "-sqrt(2)/2"]
    assert best.second_order == "holds"
    # where a ≤ 0, N ≡ 0: a half circle of KKT points with μ = N = 0
    assert not r.finite and all(c.mu_zero for c in r.continua)


def test_ncf_refuses_large_networks():
    res = run("homogeneity", "relu:2-3-1")
    assert res.exit_code == 0
    data = CliRunner().invoke(cli, ["ncf", "relu:3-3-1", "--data", "missing.yaml"])
    assert data.exit_code == 2


# -- issue 11: two flows, and KKT sets that are not finite -------------------------------------
def test_a_neuron_with_zero_incoming_weights_stays_put_under_the_network_flow_only():
    from symflow.homogeneous import network_zero_pattern

    lf = load_lifting("relu:3-4-1")
    incoming = ["W1_2_1", "W1_2_2", "W1_2_3"]
    assert not zero_pattern(lf, incoming).invariant  # lifted: the outgoing weight pulls
    n = network_zero_pattern(lf, incoming)
    assert n.invariant and n.dead == ["h1_2"]  # relu′(0) = 0: off on every input
    n = network_zero_pattern(lf, ["W2_1_2"])
    assert not n.invariant and n.breaking_parameter == "W2_1_2"
    with_bias = load_lifting("relu:3-4-1+bias")  # a bias keeps the neuron alive
    assert not network_zero_pattern(with_bias, incoming).invariant
    assert network_zero_pattern(with_bias, incoming + ["b1_2"]).invariant


def test_zero_patterns_of_a_linear_network_agree_between_the_flows():
    from symflow.homogeneous import network_zero_pattern

    lf = load_lifting("linear:2-2-2")
    for zs in (["U1_1_1", "U1_1_2"], ["U1_1_1", "U1_1_2", "U2_1_1", "U2_2_1"]):
        assert zero_pattern(lf, zs).invariant == network_zero_pattern(lf, zs).invariant


def test_zeros_cli_reports_both_flows(tmp_path):
    f = tmp_path / "inc.yaml"
    f.write_text("incoming: [h1_2]\n")
    res = run("zeros", "relu:3-4-1", "--pattern", str(f))
    assert "lifted flow    NOT INVARIANT" in res.stdout
    assert "network flow   INVARIANT" in res.stdout and "h1_2" in res.stdout


def test_a_continuum_of_kkt_points_is_said_to_be_one(tmp_path):
    # relu:1-2-1, x = 1, y = −1: N = −(a1 b1 + a2 b2) where both neurons are on; the arc
    # a = −b > 0 is a continuum of maximisers (μ = 1): the set is not finite
    r = ncf_kkt(load_lifting("relu:1-2-1"), [[1]], [[-1]])
    assert not r.finite
    both_on = [c for c in r.continua if "h1_1@1, h1_2@1 on" in c.where]
    assert both_on and both_on[0].dimension == 1 and not both_on[0].mu_zero
    f = tmp_path / "d.yaml"
    f.write_text("x: [[1]]\ny: [[-1]]\n")
    res = run("ncf", "relu:1-2-1", "--data", str(f))
    assert "NOT FINITE" in res.stdout and "dimension 1" in res.stdout
    data = json.loads(run("ncf", "relu:1-2-1", "--data", str(f), "--json").stdout)
    assert data["finite"] is False and data["continua"]


def test_zero_data_gives_the_whole_sphere():
    r = ncf_kkt(load_lifting("relu:1-1-1"), [[0]], [[0]])
    assert not r.finite and all(c.mu_zero for c in r.continua)


def test_ncf_data_must_be_exact(tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text("x: [[0.1]]\ny: [[1]]\n")
    res = run("ncf", "relu:1-1-1", "--data", str(f))
    assert res.exit_code == 2 and "not exact" in res.stderr
