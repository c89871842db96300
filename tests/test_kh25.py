"""Issue 20 [KH25]: power activations relu^p and x^p, weighted homogeneity, and the neural
correlation function on every region (answers worked out by hand)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from symflow.architecture import layered, parse_activation
from symflow.cli import cli
from symflow.correlation import ncf
from symflow.counting import conservation_laws
from symflow.errors import SpecError
from symflow.homogeneous import homogeneity, network_zero_pattern
from symflow.liftings import network_lifting, power_lifting
from symflow.spec import load_lifting


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# -- activations ---------------------------------------------------------------------------------
def test_activation_spellings():
    assert parse_activation("relu^2") == "relu^2" and parse_activation("x^3") == "x^3"
    assert parse_activation("relu^1") == "relu" and parse_activation("x^1") == "linear"
    for bad in ("relu^0", "relu^10", "tanh", "x^", "relu^02", 3):
        with pytest.raises(SpecError):
            parse_activation(bad)


@pytest.mark.parametrize("spec, needle", [
    ("relu^0:2-2-1", "whole number"), ("relu^12:2-2-1", "at most 9"), ("tanh^2:2-1", "unknown"),
])
def test_bad_power_shorthands_are_one_line_errors(spec, needle):
    res = run("laws", spec)
    assert res.exit_code == 2 and needle in res.stderr and "Traceback" not in res.stderr


def test_bad_activation_in_a_dag_file(tmp_path):
    f = tmp_path / "n.yaml"
    f.write_text("inputs: [x]\nhidden: [{name: h, activation: 'relu^-1'}]\noutputs: [y]\n"
                 "edges: ['x -> h', 'h -> y']\n")
    res = run("laws", str(f))
    assert res.exit_code == 2 and "unknown activation" in res.stderr


def test_power_lifting_with_p_1_is_the_path_lifting():
    for widths, bias in (([2, 3, 1], False), ([3, 2, 2], True), ([2, 2, 2, 1], False)):
        arch = layered(widths, bias=bias)
        a = {p.str() for p in network_lifting(arch).phi}
        b = {p.str() for p in power_lifting(arch).phi}
        assert a == b


def test_a_single_relu2_neuron_lifting():
    # a·max(w1 x1 + w2 x2, 0)² = a(w1² x1² + 2 w1 w2 x1 x2 + w2² x2²) on the on-pattern
    lf = load_lifting("relu^2:2-1-1")
    assert lf.kind == "power" and lf.d == 3
    assert sorted(p.str() for p in lf.phi) == sorted(
        ["W1_1_1^2*W2_1_1", "2*W1_1_1*W1_1_2*W2_1_1", "W1_1_2^2*W2_1_1"])


def test_rescaling_laws_of_power_neurons():
    # ‖in‖² − p‖out‖² for each hidden neuron, and nothing else for these shapes
    r = conservation_laws(load_lifting("relu^2:2-2-1"))
    assert r.count == 2 and r.exact
    assert {law.poly.str() for law in r.laws} == {
        "W1_1_1^2 + W1_1_2^2 - 2*W2_1_1^2", "W1_2_1^2 + W1_2_2^2 - 2*W2_1_2^2"}
    r = conservation_laws(load_lifting("relu^3:2-2-2-1+bias"))
    assert r.count == 4 and r.exact


def test_polynomial_activation_with_one_output_has_a_law_beyond_rescaling():
    # x^3:1-2-1: φ = a1 w1³ + a2 w2³ is one coordinate, D = 4: 3 laws, 2 of them rescalings
    r = conservation_laws(load_lifting("x^3:1-2-1"))
    assert r.count == 3 and len(r.laws) == 2


@settings(max_examples=12, deadline=None)
@given(st.integers(2, 4), st.integers(1, 3), st.integers(1, 3))
def test_one_law_per_hidden_neuron_of_a_two_layer_relu_p_net(p, n, m):
    r = conservation_laws(load_lifting(f"relu^{p}:{n}-{m}-1"))
    assert r.count == m and r.exact and len(r.laws) == m


def test_power_gradient_matches_finite_differences():
    from symflow.flow import loss_and_gradient

    lf = load_lifting("relu^3:2-2-2-1+bias")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, 5)), rng.standard_normal((1, 5))
    f = loss_and_gradient(lf, x, y)
    th = rng.standard_normal(lf.D) * 0.5
    g = f(th)[1]
    e = 1e-7
    fd = np.array([(f(th + e * v)[0] - f(th - e * v)[0]) / (2 * e) for v in np.eye(lf.D)])
    assert np.max(np.abs(fd - g)) < 1e-6 * max(1.0, np.max(np.abs(g)))


def test_a_relu2_neuron_with_zero_incoming_weights_stays_put():
    lf = load_lifting("relu^2:2-2-1")
    n = network_zero_pattern(lf, ["W1_2_1", "W1_2_2"])
    assert n.invariant and n.dead == ["h1_2"]  # σ′(0) = 0


@pytest.mark.parametrize("spec", ["relu^2:2-2-1", "x^3:1-2-1+bias"])
def test_power_networks_certify_and_check(tmp_path, spec):
    res = run("certify", spec, "--no-pdf", "-o", str(tmp_path))
    assert res.exit_code == 0, res.stderr
    res = run("check", str(tmp_path))
    assert res.exit_code == 0 and "valid" in res.stdout


def test_forged_power_activation_is_rejected(tmp_path):
    from symflow.certificate.schema import content_hash
    from symflow.certificate.verify import check_certificate

    def rehash(c: dict) -> dict:
        c["content_hash"] = content_hash(c)
        return c

    run("certify", "relu^2:2-2-1", "--no-pdf", "-o", str(tmp_path))
    (path,) = tmp_path.glob("*.json")
    cert = json.loads(path.read_text())
    assert cert["architecture"] == {"kind": "layered-power", "activation": "relu^2",
                                    "widths": [2, 2, 1], "bias": False}
    for act, step in (("relu^3", "lifting"), ("relu^99", "architecture"), ("x^2", "lifting"),
                      ("relu", "architecture")):
        forged = json.loads(json.dumps(cert))
        forged["architecture"]["activation"] = act
        forged["name"] = f"{act}:2-2-1"
        report = check_certificate(rehash(forged), "forged")
        assert not report.ok and report.failed.step == step, (act, report.failed)
    # a balance law written with p = 1 is not the rescaling law of a relu^2 neuron
    forged = json.loads(json.dumps(cert))
    law = forged["claims"][0]["laws"][0]
    assert law["expression"] == "W1_1_1^2 + W1_1_2^2 - 2*W2_1_1^2"
    law["expression"] = "W1_1_1^2 + W1_1_2^2 - W2_1_1^2"
    report = check_certificate(rehash(forged), "forged")
    assert not report.ok and report.failed.step == "laws"


# -- weighted homogeneity ------------------------------------------------------------------------
def test_weighted_homogeneity_of_a_dag_with_a_skip_and_a_bias(tmp_path):
    # x1, x2 → a; a → b; b → y; x2 → b; a → y; bias on b: degree 3 with weight 2 on x2 → b,
    # a → y and the bias
    f = tmp_path / "skip.yaml"
    f.write_text("inputs: [x1, x2]\nhidden: [a, b]\noutputs: [y]\nedges: ['x1 -> a', "
                 "'x2 -> a', 'a -> b', 'b -> y', 'x2 -> b', 'a -> y']\nbiases: [b]\n")
    h = homogeneity(load_lifting(str(f)))
    assert h.degree is None and h.weighted_degree == 3
    assert {k: v for k, v in h.weighted.items() if v != 1} == {"w_x2_b": 2, "w_a_y": 2,
                                                               "b_b": 2}


def test_weighted_homogeneity_of_a_linear_relu_chain_with_biases(tmp_path):
    f = tmp_path / "chain.yaml"
    f.write_text("inputs: [x]\nhidden: [{name: l, activation: linear}, r]\noutputs: [y]\n"
                 "edges: ['x -> l', 'l -> r', 'r -> y']\nbiases: true\n")
    h = homogeneity(load_lifting(str(f)))
    assert h.weighted_degree == 3
    assert h.weighted == {"w_x_l": 1, "w_l_r": 1, "w_r_y": 1, "b_l": 1, "b_r": 2, "b_y": 3}


def test_weighted_homogeneity_of_mixed_with_all_biases(tmp_path):
    text = open("examples/mixed.yaml").read()
    lines = [ln for ln in text.splitlines() if not ln.startswith("biases")]
    f = tmp_path / "mixed.yaml"
    f.write_text("\n".join(lines) + "\nbiases: true\n")
    h = homogeneity(load_lifting(str(f)))
    assert h.weighted is not None and h.weighted_degree is not None


def test_power_homogeneity_degrees():
    h = homogeneity(load_lifting("relu^2:2-2-1"))
    assert h.degree == 3 and h.groups == {"layer 1": 2, "layer 2": 1}
    h = homogeneity(load_lifting("relu^2:2-2-2-1"))
    # c·max(Σ b·max(w x, 0)², 0)²: degree 2·(2 + 1) + 1 = 7, per layer 4, 2, 1
    assert h.degree == 7 and h.groups == {"layer 1": 4, "layer 2": 2, "layer 3": 1}
    h = homogeneity(load_lifting("x^3:1-2-1+bias"))
    assert h.degree is None and h.weighted_degree == 4 and h.weighted["b2_1"] == 4


def test_a_polynomial_lifting_without_weighted_homogeneity(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("parameters: [u, v]\nphi: ['u + u*v']\n")
    h = homogeneity(load_lifting(str(f)))
    assert h.weighted is None and any("no weighted homogeneity" in n for n in h.notes)


def test_a_polynomial_lifting_with_weights_from_the_linear_programme(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("parameters: [u, v, w]\nphi: ['u*v + w']\n")
    h = homogeneity(load_lifting(str(f)))
    assert h.weighted_degree == 2 and h.weighted == {"u": 1, "v": 1, "w": 2}


# -- the neural correlation function ---------------------------------------------------------------
def test_relu_111_on_symmetric_data_has_six_clarke_kkt_points():
    # N = a·|v| (x = ±1, y = 1): four smooth points (±1/√2, ±1/√2) and (0, ±1) with μ = 0
    r = ncf(load_lifting("relu:1-1-1"), [[1], [-1]], [[1], [1]])
    assert r.finite and len(r.points) == 6
    assert sorted(k.mu for k in r.points) == ["-1", "-1", "0", "0", "1", "1"]
    kinks = [k for k in r.points if k.boundary]
    assert {tuple(k.w) for k in kinks} == {("0", "1"), ("0", "-1")}
    assert all(k.clarke for k in kinks)


def test_relu_121_point_with_a_silent_neuron_is_a_differentiable_global_max():
    r = ncf(load_lifting("relu:1-2-1"), [[1]], [[-1]])
    k = next(k for k in r.points if k.w == ["0", "sqrt(2)/2", "0", "-sqrt(2)/2"])
    assert k.positive and k.value == "1/2" and not k.clarke
    assert "N is differentiable at w*" in k.note


def test_a_single_relu2_neuron_kkt_points_in_closed_form():
    # N = a·max(w, 0)² on w² + a² = 1: max at w = √(2/3), a = 1/√3, N = 2√3/9, μ = 3N
    r = ncf(load_lifting("relu^2:1-1-1"), [[1]], [[1]])
    best = r.points[0]
    assert best.w == ["sqrt(6)/3", "sqrt(3)/3"] and best.value == "2*sqrt(3)/9"
    assert best.mu == "2*sqrt(3)/3" and best.positive and best.second_order == "holds"


def test_a_two_neuron_relu2_net_prefers_one_neuron():
    # N = a1 max(w1, 0)² + a2 max(w2, 0)² (x = y = 1) is separable over the neurons: the point
    # splitting the weight over both (N = √6/9) is a KKT point that fails the second-order test,
    # with a direction; the two one-neuron points (N = 2√3/9) hold it
    r = ncf(load_lifting("relu^2:1-2-1"), [[1]], [[1]])
    assert r.method == "blocks"
    split = next(k for k in r.points if k.positive and len(k.support) == 2)
    assert split.value == "sqrt(6)/9" and split.second_order == "fails" and split.direction
    assert split.w == ["sqrt(3)/3", "sqrt(3)/3", "sqrt(6)/6", "sqrt(6)/6"]
    sparse = [k for k in r.points if k.positive and len(k.support) == 1]
    assert len(sparse) == 2 and all(k.second_order == "holds" for k in sparse)
    assert {k.value for k in sparse} == {"2*sqrt(3)/9"}


def test_blocks_agree_with_the_region_by_region_solver():
    from symflow import correlation as engine

    lf = load_lifting("relu^2:1-2-1")
    net = engine.Net(lf, [[1], [2]], [[1], [-1]])
    import sympy

    mu = sympy.Symbol("mu", real=True)
    regions = engine._smooth(net, mu, 256)
    blocks = ncf(lf, [[1], [2]], [[1], [-1]])
    by_regions = sorted(tuple(round(x, 9) for x in k.w_approx) for k in regions.points
                        if not k.point.is_zero(mu))
    by_blocks = sorted(tuple(round(x, 9) for x in k.w_approx) for k in blocks.points)
    assert by_regions == by_blocks


def test_two_input_relu2_net_on_four_points():
    r = ncf(load_lifting("relu^2:2-2-1"), [[1, 0], [0, 1], [1, 1], [-1, 2]],
            [[1], [-1], [2], [1]])
    best = r.points[0]
    assert best.positive and best.second_order == "holds" and len(best.support) == 1
    assert best.value == "10*sqrt(3)/9"
    assert all(k.second_order == "fails" for k in r.points if k.positive and
               len(k.support) == 2)


def test_ncf_data_errors(tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text("x: [[1, 2]]\ny: [[1]]\n")
    res = run("ncf", "relu:1-1-1", "--data", str(f))
    assert res.exit_code == 2 and "each x of length 1" in res.stderr
    f.write_text("x: [[1]]\ny: [[1]]\n")
    res = run("ncf", "relu:2-2-2-1", "--data", str(f))
    assert res.exit_code == 2


def test_ncf_refuses_too_many_regions(tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text("x: [[1, 0], [0, 1], [1, 1]]\ny: [[1], [1], [1]]\n")
    res = run("ncf", "relu^2:2-2-1", "--data", str(f), "--max-regions", "2")
    assert res.exit_code == 2 and "--max-regions" in res.stderr


# -- escape and the first saddle -----------------------------------------------------------------
def test_escape_of_a_two_neuron_relu2_net_finds_an_exact_saddle():
    from symflow.smallinit import escape

    # x = (1, 0), (0, 1), (1, 1), (−1, 2), y = 1, −1, 2, 1: one neuron escapes along
    # w* = (0, √6/3, a = √3/3) and the flow stalls at the one-neuron stationary point with loss
    # 41/18 − 4√7/9, a saddle: the silent neuron has an exact descent direction at order 3
    r = escape(load_lifting("relu^2:2-2-1"), [[1, 0], [0, 1], [1, 1], [-1, 2]],
               [[1], [-1], [2], [1]], deltas=(1e-2, 1e-3), horizon=30.0)
    assert len(r.escapes) == 1 and any("swapped" in n for n in r.notes)
    e = r.escapes[0]
    assert e.gaps and e.gaps[0] < 1e-5  # the paths from δ·w* agree up to the plateau
    s = e.saddle
    assert s.stationary and s.in_region and s.loss == "41/18 - 4*sqrt(7)/9"
    assert s.kind.startswith("saddle") and s.direction is not None
    assert e.zeros_invariant is True and e.zeros_max == 0.0
    assert len(s.support) == 1 and s.support[0] not in {z[:4] for z in e.zeros}


def test_escape_needs_degree_above_two(tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text("x: [[1]]\ny: [[1]]\n")
    res = run("escape", "relu:1-1-1", "--data", str(f))
    assert res.exit_code == 2 and "degree L > 2" in res.stderr


@pytest.mark.parametrize("args, needle", [
    (["--deltas", "0.5"], "2 to 6 values"), (["--deltas", "2,0.1"], "in (0, 1)"),
    (["--deltas", "a,b"], "numbers separated by commas"), (["--scale", "1"], "scale"),
])
def test_escape_bad_options(tmp_path, args, needle):
    f = tmp_path / "d.yaml"
    f.write_text("x: [[1]]\ny: [[1]]\n")
    res = run("escape", "relu^2:1-1-1", "--data", str(f), *args)
    assert res.exit_code == 2 and needle in (res.stderr + res.stdout)


def test_escape_cli_and_plot(tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text("x: [[1], [2]]\ny: [[1], [1]]\n")
    png = tmp_path / "e.png"
    res = run("escape", "relu^2:1-1-1", "--data", str(f), "--deltas", "1e-2,1e-3",
              "--horizon", "20", "--plot", str(png), "--scale", "0.001")
    assert res.exit_code == 0, res.stderr
    assert "limiting" not in res.stderr and png.exists()
    data = json.loads(run("escape", "relu^2:1-1-1", "--data", str(f), "--deltas", "1e-2,1e-3",
                          "--horizon", "20", "--json").stdout)
    assert data["escapes"] and data["escapes"][0]["w_star"]


def test_ncf_running_past_its_budget_is_refused_in_one_line(tmp_path):
    # an output bias makes N non-separable: region by region, Gröbner bases in 8 unknowns
    f = tmp_path / "d.yaml"
    f.write_text("x: [[1], [-1]]\ny: [[1], [2]]\n")
    res = run("ncf", "relu^2:1-2-1+bias", "--data", str(f), "--max-seconds", "1")
    assert res.exit_code == 2 and "ran past 1 s" in res.stderr and "--max-seconds" in res.stderr


def test_the_api_has_ncf_and_escape_and_they_validate_their_input():
    import symflow
    from symflow.errors import SymflowError

    r = symflow.ncf("relu^2:1-1-1", [[1]], [[1]])
    assert r.points[0].value == "2*sqrt(3)/9"
    assert symflow.ncf("relu^2:1-1-1", [["1"]], [["1/1"]]).points[0].mu == "2*sqrt(3)/3"
    for bad in (dict(x=[[0.5]], y=[[1]]), dict(x=[[1, 2]], y=[[1]]), dict(x=[], y=[])):
        with pytest.raises(SymflowError):
            symflow.ncf("relu^2:1-1-1", **bad)
    with pytest.raises(SymflowError):
        symflow.ncf("relu^2:1-1-1", [[1]], [[1]], max_regions=0)
    for kw in (dict(deltas=(0.1,)), dict(deltas=(2, 0.1)), dict(horizon=-1),
               dict(scale=0), dict(seed=-1)):
        with pytest.raises(SymflowError):
            symflow.escape("relu^2:1-1-1", [[1]], [[1]], **kw)


# -- review of issue 20 ----------------------------------------------------------------------------
@pytest.mark.parametrize("content, needle", [
    ("x: [['1/0']]\ny: [[1]]\n", "not exact"), ("x: [['0.5']]\ny: [[1]]\n", "not exact"),
    ("x: [[1]]\ny: [[1]]\nz: 3\n", "unknown key"),
    (f"x: [[{10 ** 70}]]\ny: [[1]]\n", "60 digits"), ("x: [['1e400']]\ny: [[1]]\n", "not exact"),
])
def test_ncf_data_is_exact_and_bounded(tmp_path, content, needle):
    f = tmp_path / "d.yaml"
    f.write_text(content)
    res = run("ncf", "relu^2:1-1-1", "--data", str(f))
    assert res.exit_code == 2 and needle in res.stderr, res.stderr


def test_decimals_of_algebraic_numbers_are_accurate():
    # the saddle of the 2-2-1 example: its first coordinate is the root 1.19279634… of
    # X^12 − 3275X^6/1134 + 9/392 (a float evaluation with cancellation printed 1.1928318)
    import sympy

    from symflow.smallinit import escape

    r = escape(load_lifting("relu^2:2-2-1"), [[1, 0], [0, 1], [1, 1], [-1, 2]],
               [[1], [-1], [2], [1]], deltas=(1e-2, 1e-3), horizon=30.0)
    s = r.escapes[0].saddle
    X = sympy.Symbol("X")
    roots = sympy.Poly(X ** 12 - sympy.Rational(3275, 1134) * X ** 6 + sympy.Rational(9, 392),
                       X).nroots(n=30)
    value = max(abs(v) for v in s.w_approx)
    assert min(abs(value - float(abs(x))) for x in roots if x.is_real) < 1e-12
    assert s.distance < 1e-6


def test_homogeneity_of_a_zero_lifting_is_said(tmp_path):
    f = tmp_path / "z.yaml"
    f.write_text("parameters: [a, b, c]\nphi: ['0']\n")
    res = run("homogeneity", str(f))
    assert res.exit_code == 0 and "φ ≡ 0" in res.stdout


def test_a_saddle_with_zero_loss_is_a_global_minimum(tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text("x: [[1]]\ny: [[1]]\n")
    res = run("escape", "relu^2:1-2-1", "--data", str(f), "--deltas", "1e-2,1e-3",
              "--horizon", "20")
    assert res.exit_code == 0 and "A GLOBAL MINIMUM (L = 0)" in res.stdout


def test_many_identical_points_are_enumerated_by_prefixes():
    # N = 8a·max(w, 0)²: 2 regions out of 2^8 sign vectors, found without 256 LPs
    r = ncf(load_lifting("relu^2:1-1-1"), [[1]] * 8, [[1]] * 8)
    assert r.empty == 2 ** 8 - 2 and r.points[0].value == "16*sqrt(3)/9"
