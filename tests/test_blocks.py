"""Issue 23: modern building blocks [MGP25b] — shared weights (convolutions) and fixed edges
(residual skips), checked against answers worked out independently."""

import json

import pytest
import sympy
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import symflow
from symflow.cli import cli
from symflow.errors import LimitError, SpecError, SymflowError


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _laws(spec):
    r = symflow.laws(spec)
    # the product lifting names its matrices U1, U2; the residual block W1, W2
    rename = {s: sympy.Symbol(("W" + s.name[1:]) if s.name.startswith("U") else s.name)
              for s in r.symbols}  # plain symbols, compared by name
    return r.count, [sympy.expand(h.subs(rename)) for h in r.laws]


def _same_span(a, b):
    """The laws a and b span the same space of polynomials (both quadratic here)."""
    polys = a + b
    gens = sorted(set().union(*(h.free_symbols for h in polys)), key=str)
    rows = [sympy.Poly(h, *gens).as_dict() for h in polys]
    monos = sorted(set().union(*rows))
    m = sympy.Matrix([[row.get(x, 0) for x in monos] for row in rows])
    ra, rb = m[:len(a), :].rank(), m[len(a):, :].rank()
    return ra == rb == m.rank()


# -- residual blocks: the same laws as the block without its skip [MGP25b] ----------------------
@pytest.mark.parametrize("act,n,m,expected", [("relu", 4, 4, 4), ("relu", 2, 3, 3),
                                              ("linear", 3, 3, 6), ("linear", 2, 3, 6)])
def test_a_residual_block_has_the_laws_of_its_block_without_the_skip(act, n, m, expected):
    # x + W2 σ(W1 x): the skip x → y is a fixed edge (weight 1, no parameter), so its paths are
    # constants of φ; the laws are those of act:n-m-n (one per ReLU neuron; m(m+1)/2 linear)
    count, laws = _laws(f"res:{act}:{n}-{m}")
    plain_count, plain = _laws(f"{act}:{n}-{m}-{n}")
    assert count == plain_count == expected
    assert _same_span(laws, plain)


def test_a_residual_block_is_the_same_as_a_dag_with_a_fixed_skip(tmp_path):
    # held-out cross-check: the shorthand against the same network written as a DAG file
    f = tmp_path / "res.yaml"
    f.write_text("inputs: [x1, x2]\nhidden: [h1, h2]\noutputs: [y1, y2]\nedges:\n"
                 + "".join(f"  - [x{j}, h{i}, W1_{i}_{j}]\n" for i in (1, 2) for j in (1, 2))
                 + "".join(f"  - [h{i}, y{k}, W2_{k}_{i}]\n" for k in (1, 2) for i in (1, 2))
                 + "  - {from: x1, to: y1, weight: 1}\n  - {from: x2, to: y2, weight: 1}\n")
    a, b = symflow.show("res:relu:2"), symflow.show(f)
    assert sorted(c["phi"] for c in a.coordinates) == sorted(c["phi"] for c in b.coordinates)
    assert symflow.laws(f).count == symflow.laws("res:relu:2").count == 2


def test_a_skip_through_a_linear_neuron_is_a_constant_shift_of_its_class(tmp_path):
    # x → h (linear) → y and the skip x → y are one class of paths: φ = 1 + w·v, laws of w·v
    f = tmp_path / "lin.yaml"
    f.write_text("inputs: [x]\nhidden: [{name: h, activation: linear}]\noutputs: [y]\n"
                 "edges:\n  - [x, h, w]\n  - [h, y, v]\n  - {from: x, to: y, weight: 1}\n")
    s = symflow.show(f)
    assert [c["phi"] for c in s.coordinates] == ["w*v + 1"] or s.d == 1
    assert symflow.laws(f).count == 1


# -- convolutions: shared kernels ----------------------------------------------------------------
def test_a_convolution_with_one_channel_and_kernel_1_is_a_scalar_network():
    # h_p = σ(k x_p), y = Σ_p W_p h_p: the one scalar k times each W_p; rescaling k ↦ λk,
    # W ↦ W/λ is the only symmetry: one law, k² − Σ W_p²
    r = symflow.laws("conv1d:relu:4-k1c1-1")
    assert r.D == 5 and r.d == 4 and r.count == 1
    k = sympy.Symbol("K1_1_1_1")
    w = [sympy.Symbol(f"W_1_h1_{p}_1") for p in range(1, 5)]
    h = sympy.sympify(str(r.laws[0]))  # plain symbols, compared by name
    want = k**2 - sum(x**2 for x in w)
    assert sympy.expand(h - want) == 0 or sympy.expand(h + want) == 0


@pytest.mark.parametrize("act,c", [("relu", 1), ("relu", 3), ("linear", 2)])
def test_a_convolution_whose_kernel_covers_its_input_is_a_dense_layer(act, c):
    conv = symflow.laws(f"conv1d:{act}:4-k4c{c}-2")
    dense = symflow.laws(f"{act}:4-{c}-2")
    assert (conv.D, conv.d, conv.count) == (dense.D, dense.d, dense.count)


@given(st.integers(2, 5), st.integers(1, 3), st.integers(1, 2), st.integers(1, 2))
@settings(max_examples=12, deadline=None)
def test_shallow_convolutions_have_the_easily_expressed_laws_and_no_more(length, k, c, s):
    # [MGP25b]: a shallow ReLU conv net has one law per channel (rescale the channel's kernel
    # and its outgoing weights), a linear one c(c+1)/2 (mix the channels) — and no others
    if k > length or s > k or (length - k) % s:  # inputs never read are refused
        return
    spec = f"conv1d:relu:{length}-k{k}c{c}s{s}-1"
    assert symflow.laws(spec).count == c, spec
    # linear: the channel-mixing laws always; more when φ (the end-to-end map, d = length
    # entries) is too small to separate them — the 2-5-2 effect of dense linear nets
    assert symflow.laws(spec.replace("relu", "linear")).count >= c * (c + 1) // 2, spec


@pytest.mark.parametrize("spec,count", [("conv1d:linear:6-k3c2-2", 3),
                                        ("conv1d:linear:4-k2c2-2", 3),
                                        ("conv1d:linear:3-k2c2-1", 4),
                                        ("conv1d:linear:5-k3c3-1", 9)])
def test_linear_convolutions_beyond_the_easily_expressed_laws(spec, count):
    # computed, and stated as what it is: with few outputs the count exceeds c(c+1)/2
    assert symflow.laws(spec).count == count


def test_the_issue_figures_convolution_2_channels_kernel_3_length_6():
    assert symflow.laws("conv1d:relu:6-k3c2-1").count == 2
    assert symflow.laws("conv1d:linear:6-k3c2-1").count == 3


def test_the_flow_keeps_a_convolutions_laws_numerically():
    sim = symflow.simulate("conv1d:relu:5-k2c2-1", time=1.0)
    assert not sim.partial and sim.max_law_drift < 1e-8


# -- input checks ----------------------------------------------------------------------------
@pytest.mark.parametrize("spec,needle", [
    ("conv1d:relu:4-k5c1-1", "larger than its input"),
    ("conv1d:relu:4-k2c1s0-1", "cannot read the convolution"),
    ("conv1d:tanh:4-k2c1-1", "relu or linear"),
    ("conv1d:relu:4-1", "at least one convolution"),
    ("res:relu:0", "write res:relu:4"),
    ("conv1d:relu:3-k2c1s2-1", "never read"),
    ("conv1d:relu:200-k50c20-k50c20-1", "more than 20000 edges"),
])
def test_bad_block_shorthands_are_one_line(spec, needle):
    res = run("laws", spec)
    assert res.exit_code == 2 and needle in res.output and res.output.count("\n") == 1


@pytest.mark.parametrize("edge,needle", [
    ("{from: x, to: y, weight: 0.5}", "is not an integer or a 'p/q' string"),
    ("{from: x, to: y, weight: 1, name: a}", "not both"),
    ("{from: x, to: y, weight: one}", "is not an integer"),
])
def test_bad_fixed_edges_are_one_line(tmp_path, edge, needle):
    f = tmp_path / "bad.yaml"
    f.write_text(f"inputs: [x]\nhidden: [h]\noutputs: [y]\nedges:\n  - [x, h, a]\n"
                 f"  - [h, y, b]\n  - {edge}\n")
    res = run("laws", f)
    assert res.exit_code == 2 and needle in res.output


def test_a_bias_name_cannot_be_a_weight(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("inputs: [x]\nhidden: [h]\noutputs: [y]\nedges:\n  - [x, h, b_h]\n"
                 "  - [h, y, b]\nbiases: [h]\n")
    with pytest.raises(SpecError, match="a bias and a weight"):
        symflow.lifting(f)


def test_commands_whose_engines_need_one_parameter_per_edge_refuse_shared_weights(tmp_path):
    (tmp_path / "p.yaml").write_text("parameters: [K1_1_1_1]\n")
    with pytest.raises(SymflowError, match="zeros does not support"):
        symflow.zeros("conv1d:relu:4-k2c1-1", tmp_path / "p.yaml")
    assert symflow.homogeneity("conv1d:relu:4-k2c1-1").degree == 2  # shared weights
    # the skip x → y is a part of the output of degree 0: a residual block is not homogeneous
    h = symflow.homogeneity("res:relu:2")
    assert h.degree is None and 0 in h.coordinate_degrees and 2 in h.coordinate_degrees


# -- certificates and their checker --------------------------------------------------------------
def test_certificates_of_a_residual_block_and_a_convolution_check(tmp_path):
    for spec in ("res:relu:2", "conv1d:relu:4-k2c2-1"):
        c = symflow.certify(spec, directory=tmp_path, pdf=False)
        assert symflow.check(c.json, tex=True).valid, spec
    cert = json.loads((tmp_path / "res-relu-2.json").read_text())
    assert cert["name"] == cert["architecture"]["name"] == "res-relu-2"
    fixed = [e for e in cert["architecture"]["edges"] if e[2] == "1"]
    assert len(fixed) == 2  # the skips: fixed weight 1, no parameter


def _forge(tmp_path, name, change):
    from symflow.certificate.schema import content_hash
    from symflow.certificate.verify import check_certificate

    cert = json.loads((tmp_path / name).read_text())
    change(cert)
    cert["content_hash"] = content_hash(cert)
    return check_certificate(cert)


def test_forgeries_of_shared_and_fixed_edges_fail_at_the_architecture(tmp_path):
    symflow.certify("conv1d:relu:4-k2c1-1", directory=tmp_path, pdf=False)
    symflow.certify("res:relu:2", directory=tmp_path, pdf=False)

    def split(cert):  # one use of the shared kernel entry K1_1_1_1 becomes its own parameter
        for e in cert["architecture"]["edges"]:
            if e[2] == "K1_1_1_1":
                e[2] = "K1_1_1_1b"
                break

    rep = _forge(tmp_path, "conv1d-relu-4-k2c1-1.json", split)
    assert not rep.ok and rep.failed.step == "architecture"

    def trainable(cert):  # the fixed skip x1 → y1 made a parameter
        for e in cert["architecture"]["edges"]:
            if e[2] == "1":
                e[2] = "s1"
                break

    rep = _forge(tmp_path, "res-relu-2.json", trainable)
    assert not rep.ok and rep.failed.step == "architecture"

    def reweighted(cert):  # the skip's weight changed: φ no longer the recorded one
        for e in cert["architecture"]["edges"]:
            if e[2] == "1":
                e[2] = "2"

    rep = _forge(tmp_path, "res-relu-2.json", reweighted)
    assert rep.ok or rep.failed.step in ("architecture", "lifting")

    def not_canonical(cert):
        for e in cert["architecture"]["edges"]:
            if e[2] == "1":
                e[2] = "2/2"
                break

    rep = _forge(tmp_path, "res-relu-2.json", not_canonical)
    assert not rep.ok and rep.failed.step == "architecture"


def test_limits_of_block_shorthands_name_their_flag():
    with pytest.raises(LimitError, match="--max-params"):
        symflow.laws("conv1d:relu:40-k3c4-k3c4-10", max_params=50)


def test_a_networkx_graph_shares_names_and_fixes_weights():
    import networkx as nx

    g = nx.DiGraph()
    g.add_edge("x1", "h1", name="k")
    g.add_edge("x2", "h2", name="k")  # the same kernel weight on both
    g.add_edge("h1", "y", name="a")
    g.add_edge("h2", "y", name="b")
    g.add_edge("x1", "y", weight=1)  # a fixed skip
    lf = symflow.lifting(g)
    assert lf.params == ["k", "a", "b"] and lf.d == 2  # the skip's constant path is no coordinate
    assert symflow.laws(g).count == 1  # k² − a² − b²
    g.add_edge("x2", "y", weight=0.5)
    with pytest.raises(SpecError, match="not an integer or a 'p/q' string"):
        symflow.lifting(g)


# -- attention: the lifting (Q_m K_mᵀ, V_m O_m)_m [MGP25b] -----------------------------------------
@pytest.mark.parametrize("spec,count", [("attn:2-1", 2), ("attn:4-2", 6), ("attn:3-3", 12),
                                        ("attn:4-2-2", 12), ("attn:2-5", 28)])
def test_an_attention_layer_has_the_factorisation_laws_of_its_products(spec, count):
    # each of Q Kᵀ and V O is a two-layer linear factorisation d-k-d: k(k+1)/2 laws each when
    # k ≤ d, fewer when k > d as for the dense 2-5-2 (14, not 15); heads add up
    r = symflow.laws(spec)
    assert r.count == count
    note = next(n for n in r.result.notes if "factorisation laws" in n)
    assert "a complete set of independent laws" in note
    assert ("not a theorem about every multi-head network" in note) == (spec.count("-") == 2)


def test_attention_is_the_polynomial_lifting_of_its_products():
    # held-out: the same lifting written by hand in SymPy
    d, k = 3, 2
    q = sympy.Matrix(d, k, lambda i, a: sympy.Symbol(f"Q1_{i + 1}_{a + 1}"))
    kk = sympy.Matrix(d, k, lambda i, a: sympy.Symbol(f"K1_{i + 1}_{a + 1}"))
    v = sympy.Matrix(d, k, lambda i, a: sympy.Symbol(f"V1_{i + 1}_{a + 1}"))
    o = sympy.Matrix(k, d, lambda a, j: sympy.Symbol(f"O1_{a + 1}_{j + 1}"))
    by_hand = symflow.laws(list(q * kk.T) + list(v * o))
    assert by_hand.count == symflow.laws("attn:3-2").count == 6


def test_an_attention_certificate_checks_and_a_dropped_head_does_not(tmp_path):
    symflow.certify("attn:2-1-2", directory=tmp_path, pdf=False)
    assert symflow.check(tmp_path / "attn-2-1-2.json", tex=True).valid

    def dropped(cert):
        cert["architecture"]["heads"] = 1

    rep = _forge(tmp_path, "attn-2-1-2.json", dropped)
    assert not rep.ok and rep.failed.step == "architecture"


@pytest.mark.parametrize("spec", ["attn:0-2", "attn:4", "attn:4-2-0", "attn:a-b"])
def test_bad_attention_shorthands_are_one_line(spec):
    res = run("laws", spec)
    assert res.exit_code == 2 and "attn:D-K" in res.output


# -- discrete steps: the laws survive gradient descent up to O(η) over a fixed time ------------
@pytest.mark.parametrize("spec", ["relu:2-3-1", "res:relu:2", "conv1d:relu:4-k2c1-1", "attn:2-1"])
def test_gradient_descent_keeps_each_law_to_first_order_in_the_step(spec):
    # per step a law changes by O(η²) (for uv exactly −η²g²h), so over t = Kη by O(η)
    r = symflow.simulate(spec, optimizer="gd", time=1.0, data="random:8")
    assert r.laws and all(0.8 < x["order"] < 1.2 for x in r.laws), r.laws
    assert r.steps == [10, 20, 40, 80]
    halves = [x["drift"][0] / x["drift"][1] for x in r.laws]
    assert all(1.6 < q < 2.4 for q in halves)


def test_sgd_runs_on_seeded_minibatches_and_bad_steps_are_refused():
    a = symflow.simulate("relu:2-3-1", optimizer="sgd", batch=4, time=0.5)
    b = symflow.simulate("relu:2-3-1", optimizer="sgd", batch=4, time=0.5)
    assert a.to_json() == b.to_json() and a.batch == 4  # seeded
    with pytest.raises(SymflowError, match="--lr needs 2 to 8 distinct steps"):
        symflow.simulate("relu:2-3-1", optimizer="gd", lr=[0.1])
    with pytest.raises(SymflowError, match="--batch applies to --optimizer sgd"):
        symflow.simulate("relu:2-3-1", optimizer="gd", batch=3)
    res = run("simulate", "relu:2-3-1", "--optimizer", "gd", "--lr", "0.1,x")
    assert res.exit_code == 2 and "--lr must be numbers" in res.output


# -- laws of a block: the other parameters arbitrary [MGP25b] --------------------------------
@pytest.mark.parametrize("spec,block,count,alone", [
    ("relu:2-3-3-1", "W1_*,W2_*", 3, "relu:2-3-3"),
    ("relu:2-3-3-1", "W2_*,W3_*", 3, "relu:3-3-1"),
    ("linear:2-3-3-2", "U1_*,U2_*", 6, "linear:2-3-3"),
    ("relu:2-3-3-1", "W1_*", 0, None),  # a balance law needs the layers on both sides
    ("attn:3-2", "Q*,K*", 3, None),  # the laws of Q Kᵀ alone: Qᵀ Q − Kᵀ K
])
def test_the_laws_of_a_block_are_those_of_the_block_alone(spec, block, count, alone):
    r = symflow.laws(spec, block=block)
    assert r.count == count
    notes = " ".join(r.result.notes)
    if alone:
        assert f"the block alone is {alone}: {count} laws, the same count" in notes


@pytest.mark.parametrize("spec", ["relu:2-2-1", "linear:2-2-2", "conv1d:relu:4-k2c1-1"])
def test_a_block_of_every_parameter_has_the_laws_of_the_network(spec):
    assert symflow.laws(spec, block="*").count == symflow.laws(spec).count


def test_a_block_naming_no_parameter_is_one_line():
    res = run("laws", "relu:2-2-1", "--block", "Z*")
    assert res.exit_code == 2 and "matches no parameter" in res.output


def test_a_block_certificate_claims_the_count_and_its_forgeries_fail(tmp_path):
    res = run("certify", "relu:2-3-3-1", "--block", "W1_*,W2_*", "-o", tmp_path, "--no-pdf")
    assert res.exit_code == 0, res.output
    name = "relu-2-3-3-1-block.json"
    assert symflow.check(tmp_path / name, tex=True).valid
    cert = json.loads((tmp_path / name).read_text())
    assert len(cert["claims"]) == 1 and cert["architecture"]["kind"] == "block"

    def outside(c):  # a parameter outside the network in the block
        c["architecture"]["block"].append("Z9")
        c["parameters"].append("Z9")

    rep = _forge(tmp_path, name, outside)
    assert not rep.ok and rep.failed.step == "architecture"

    def smaller(c):  # the block made smaller than the ψ it certifies
        drop = [n for n in c["architecture"]["block"] if n.startswith("W2_")]
        c["architecture"]["block"] = [n for n in c["architecture"]["block"] if n not in drop]
        c["parameters"] = list(c["architecture"]["block"])

    rep = _forge(tmp_path, name, smaller)
    assert not rep.ok and rep.failed.step in ("architecture", "lifting", "format")

    def other_network(c):  # the same block claimed of another network (with biases)
        c["architecture"]["network"]["bias"] = True
        c["name"] = "relu:2-3-3-1+bias [block]"

    rep = _forge(tmp_path, name, other_network)
    assert not rep.ok and rep.failed.step in ("architecture", "lifting")

    def two_outputs(c):  # a network whose ψ for this block is the same: a true certificate
        c["architecture"]["network"]["widths"] = [2, 3, 3, 2]
        c["name"] = "relu:2-3-3-2 [block]"

    assert _forge(tmp_path, name, two_outputs).ok  # rebuilt, not trusted: and it holds
    res = run("certify", "linear:2-2-2", "--block", "U1_*", "--init", "balanced", "-o", tmp_path)
    assert res.exit_code == 2 and "cannot be combined" in res.output


def test_a_convolution_bias_is_shared_by_the_positions_of_its_channel(tmp_path):
    # one bias B_c per channel: rescaling channel c (kernel and bias by λ, outgoing by 1/λ)
    # is still a symmetry, so still one law per channel; the certificate checks
    r = symflow.laws("conv1d:relu:4-k2c2-1+bias")
    assert r.count == 2 and r.D == 2 * 2 + 2 + 3 * 2 + 1
    assert "B1_1" in r.lifting.params and "B1_2" in r.lifting.params
    c = symflow.certify("conv1d:relu:4-k2c2-1+bias", directory=tmp_path, pdf=False)
    assert symflow.check(c.json, tex=True).valid
    assert symflow.simulate("conv1d:relu:4-k2c2-1+bias", time=1.0).max_law_drift < 1e-8


def test_a_dag_file_shares_a_bias_by_name(tmp_path):
    f = tmp_path / "b.yaml"
    f.write_text("inputs: [x1, x2]\nhidden: [h1, h2]\noutputs: [y]\nedges:\n"
                 "  - [x1, h1, k]\n  - [x2, h2, k]\n  - h1 -> y\n  - h2 -> y\n"
                 "biases: [[h1, c], [h2, c]]\n")
    lf = symflow.lifting(f)
    assert lf.params == ["k", "w_h1_y", "w_h2_y", "c"]
    assert symflow.laws(f).count == 1  # k² + c² − Σ w²: the shared channel rescales as one
    g = tmp_path / "bad.yaml"
    g.write_text("inputs: [x]\nhidden: [h]\noutputs: [y]\nedges:\n  - [x, h, k]\n"
                 "  - [h, y, w]\nbiases: [[h, k]]\n")
    with pytest.raises(SpecError, match="both a weight and a bias"):
        symflow.lifting(g)


# -- 2-D convolutions ----------------------------------------------------------------------------
@pytest.mark.parametrize("spec,count", [("conv2d:relu:3x3-k2c2-1", 2),
                                        ("conv2d:relu:4x4-k3c1-1+bias", 1),
                                        ("conv2d:relu:3x3x2-k2c2-1", 2),
                                        ("conv2d:linear:3x3-k2c2-2", 3)])
def test_a_2d_convolution_has_one_law_per_channel(spec, count):
    assert symflow.laws(spec).count == count


def test_a_2d_kernel_covering_its_input_is_a_dense_layer(tmp_path):
    conv, dense = symflow.laws("conv2d:relu:2x2-k2c3-1"), symflow.laws("relu:4-3-1")
    assert (conv.D, conv.d, conv.count) == (dense.D, dense.d, dense.count)
    c = symflow.certify("conv2d:relu:3x3-k2c1-1", directory=tmp_path, pdf=False)
    assert symflow.check(c.json, tex=True).valid


@pytest.mark.parametrize("spec,needle", [("conv2d:relu:3x3-k4c1-1", "larger than its input"),
                                         ("conv2d:relu:4x4-k2c1s3-1", "never read"),
                                         ("conv2d:relu:4-k2c1-1", "an input HxW")])
def test_bad_2d_convolutions_are_one_line(spec, needle):
    res = run("laws", spec)
    assert res.exit_code == 2 and needle in res.output
