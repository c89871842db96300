"""Homogeneity degrees, invariant zero patterns and the NCF [KH25]."""
import json

import pytest
import sympy
from click.testing import CliRunner

from symflow.cli import cli
from symflow.homogeneous import homogeneity, ncf_kkt, zero_pattern
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
    assert data["invariant"] is False and data["breaking_parameter"] == "W2_1_2"


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
    # relu:1-1-1 on data x = (1, 2), y = (1, −1): N(a, b) = −ab; on the all-active region
    # (a ≥ 0) the maximiser on the circle is (1/√2, −1/√2) with N = 1/2
    r = ncf_kkt(load_lifting("relu:1-1-1"), [[1], [2]], [[1], [-1]])
    a, b = sympy.symbols("W1_1_1 W2_1_1", real=True)
    assert sympy.expand(r.expression + a * b) == 0
    best = r.kkt[0]
    assert best.in_region and best.value == sympy.Rational(1, 2)
    assert best.w == [sympy.sqrt(2) / 2, -sympy.sqrt(2) / 2]
    assert sum(1 for k in r.kkt if not k.in_region) == 2


def test_ncf_refuses_large_networks():
    res = run("homogeneity", "relu:2-3-1")
    assert res.exit_code == 0
    data = CliRunner().invoke(cli, ["ncf", "relu:3-3-1", "--data", "missing.yaml"])
    assert data.exit_code == 2
