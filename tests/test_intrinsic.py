"""The intrinsic dynamic property [MPG25]: criterion, witnesses, families, closed forms."""
import json
import re

import flint
import pytest
import sympy
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from symflow import linear
from symflow.cli import cli
from symflow.counting import conservation_laws
from symflow.errors import SymflowError
from symflow.properties import criterion_at, intrinsic, metric_at, parse_point
from symflow.spec import load_lifting


# -- an independent re-computation with plain SymPy ------------------------------------------
def sympy_setup(lf):
    syms = lf.ring.symbols()
    phi = [lf.ring.to_sympy(p) for p in lf.phi]
    jac = sympy.Matrix(phi).jacobian(syms)
    return syms, phi, jac


def bracket_from_word(word, grads, syms):
    """Rebuild an iterated bracket such as [g1,[g2,g3]] with SymPy (right-normed words)."""
    m = re.fullmatch(r"g(\d+)", word)
    if m:
        return sympy.Matrix(grads[int(m.group(1)) - 1])
    inner = word[1:-1]
    head, _, rest = inner.partition(",")
    x = bracket_from_word(head, grads, syms)
    y = bracket_from_word(rest, grads, syms)
    return y.jacobian(syms) * x - x.jacobian(syms) * y


def check_witness_independently(lf, crit):
    syms, phi, jac = sympy_setup(lf)
    subs = {s: sympy.Rational(int(flint.fmpq(x).p), int(flint.fmpq(x).q))
            for s, x in zip(syms, crit.point, strict=True)}
    v = sympy.Matrix(crit.witness)
    assert (jac.subs(subs) * v).is_zero_matrix  # v ∈ ker ∂φ(θ0)
    grads = [[sympy.diff(p, s) for s in syms] for p in phi]
    span = sympy.Matrix.hstack(*[bracket_from_word(b.word, grads, syms).subs(subs)
                                 for b in crit.lie.spanning])
    assert span.rank() == crit.lie.dim
    assert sympy.Matrix.hstack(span, v).rank() == crit.lie.dim  # v ∈ Lie(W_φ)(θ0)
    m = jac * jac.T
    t = sympy.Symbol("t")
    moved = {s: subs[s] + t * v[i] for i, s in enumerate(syms)}
    dm = sympy.diff(m.subs(moved), t).subs(t, 0)
    assert not dm.is_zero_matrix  # ∂M(θ0)[v] ≠ 0


# -- ReLU path-lifting: holds ---------------------------------------------------------------
@pytest.mark.parametrize("spec", ["relu:3-2-1", "relu:2-2-2", "relu:2-3-3-1", "relu:2-2-1+bias"])
def test_relu_criterion_holds(spec):
    r = intrinsic(load_lifting(spec))
    assert (r.recoverability, r.metric, r.dynamic) == ("holds", "holds", "holds")
    c = r.checks[0]
    assert c.inclusion is True and c.sufficient and c.witness is None
    assert c.intersection == []


def test_relu_dag_with_skips_holds(examples):
    r = intrinsic(load_lifting(str(examples / "skip.yaml")))
    assert r.recoverability == "holds" and r.checks[0].sufficient
    assert r.closed_forms and r.closed_forms[0].holds  # the path-metric identity


# -- generic linear nets: fails with an independently checked witness --------------------------
@pytest.mark.parametrize("spec", ["linear:2-2-2", "linear:3-2-3", "linear:2-2-2-2"])
def test_generic_linear_fails_with_witness(spec):
    lf = load_lifting(spec)
    r = intrinsic(lf)
    assert (r.recoverability, r.metric, r.dynamic) == ("fails", "refuted", "not decided")
    crit = r.checks[0]
    assert crit.inclusion is False and crit.witness is not None
    check_witness_independently(lf, crit)


@pytest.mark.parametrize("spec", ["linear:2-1-2", "linear:1-2-1", "linear:2-1-1-2"])
def test_width_one_linear_holds(spec):
    r = intrinsic(load_lifting(spec))
    assert r.metric == "holds" and r.checks[0].inclusion is True


# -- initialisation families ----------------------------------------------------------------
def law_matrices_sympy(widths, point):
    mats = [sympy.Matrix(widths[k], widths[k - 1],
                         lambda i, j, k=k: sympy.nsimplify(str(point[f"U{k}_{i + 1}_{j + 1}"])))
            for k in range(1, len(widths))]
    return [mats[k].T * mats[k] - mats[k - 1] * mats[k - 1].T for k in range(1, len(mats))]


@pytest.mark.parametrize("widths", [[2, 2, 2], [2, 2, 2, 2], [1, 1, 1, 1]])
@pytest.mark.parametrize("family", ["balanced", "relaxed-balanced"])
def test_family_samples_are_exact_points_of_the_family(widths, family):
    for seed in range(3):
        pt = linear.sample(widths, family, seed)
        for h in law_matrices_sympy(widths, pt):
            lam = h[0, 0]
            assert h == lam * sympy.eye(h.shape[0])
            if family == "balanced":
                assert lam == 0


@pytest.mark.parametrize("spec", ["linear:2-2-2", "linear:2-2-2-2"])
@pytest.mark.parametrize("family", ["balanced", "relaxed-balanced"])
def test_families_hold_and_closed_form_matches_M(spec, family):
    r = intrinsic(load_lifting(spec), init=family, samples=3)
    # recoverability fails on the family (the witness-free criterion holds); the closed form
    # gives the metric property at the samples, hence the dynamic property
    assert (r.recoverability, r.metric, r.dynamic) == ("fails", "holds", "holds")
    assert all(c.inclusion is True for c in r.checks)
    assert len(r.checks) == 3
    cf = next(cf for cf in r.closed_forms if cf.name.startswith("relaxed-balanced"))
    assert cf.holds and len(cf.pointwise) == 3 * 5
    if family == "relaxed-balanced":
        assert any(lam != "0" for lams in r.family["lambdas"] for lam in lams)


def test_closed_form_fails_off_the_family():
    lf = load_lifting("linear:2-2-2")
    named = dict(zip(lf.params, conservation_laws(lf).point, strict=True))
    check = linear.check_metric([2, 2, 2], named, metric_at(lf, list(named.values())))
    assert not check.holds


def test_only_relaxed_balanced_level_sets_have_the_property():
    # linear:2-2-2 (hidden width = input width = output width): on the level set
    # U2ᵀU2 − U1U1ᵀ = O diag(16, 9) Oᵀ, not a multiple of I, the criterion fails.
    import random

    rng = random.Random(3)
    o0, o1, o2 = (linear.cayley(2, rng) for _ in range(3))
    u1 = o1 * flint.fmpq_mat([[3, 0], [0, 4]]) * o0.transpose()
    u2 = o2 * flint.fmpq_mat([[5, 0], [0, 5]]) * o1.transpose()
    lf = load_lifting("linear:2-2-2")
    point = {f"U1_{i + 1}_{j + 1}": u1[i, j] for i in range(2) for j in range(2)}
    point |= {f"U2_{i + 1}_{j + 1}": u2[i, j] for i in range(2) for j in range(2)}
    assert linear.relaxed_lambdas([2, 2, 2], point) is None
    eigen = sorted(law_matrices_sympy([2, 2, 2], point)[0].eigenvals())
    assert eigen == [9, 16]
    pt = [point[n] for n in lf.params]
    crit = criterion_at(lf, pt, conservation_laws(lf))
    assert crit.witness is not None and crit.metric() == "refuted"
    check_witness_independently(lf, crit)


def test_neural_ode_truncations():
    # finite-depth truncations linear:n-…-n of the linear neural ODE, relaxed balanced
    for spec in ["linear:2-2-2-2-2", "linear:1-1-1-1-1"]:
        r = intrinsic(load_lifting(spec), init="relaxed-balanced", samples=2)
        assert r.metric == "holds"


def test_relaxed_balanced_limits_are_explicit():
    with pytest.raises(SymflowError, match="widths"):
        linear.sample([3, 3, 3, 3], "relaxed-balanced", 0)


# -- closed forms -----------------------------------------------------------------------------
def test_uv_closed_form(examples):
    r = intrinsic(load_lifting(str(examples / "uv.yaml")))
    cf = r.closed_forms[0]
    assert cf.holds and any("M² ≡" in what for what, _ in cf.identities)


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.booleans())
def test_two_layer_relu_closed_form_is_an_identity(n_in, n_hidden, n_out, bias):
    spec = f"relu:{n_in}-{n_hidden}-{n_out}" + ("+bias" if bias else "")
    r = intrinsic(load_lifting(spec))
    cf = next(cf for cf in r.closed_forms if cf.name.startswith("two-layer"))
    assert cf.holds
    assert r.metric == "holds"


def test_psd_test_is_exact():
    assert linear.is_psd(flint.fmpq_mat([[2, 1], [1, 2]]))
    assert linear.is_psd(flint.fmpq_mat([[1, 1], [1, 1]]))
    assert not linear.is_psd(flint.fmpq_mat([[1, 2], [2, 1]]))
    assert not linear.is_psd(flint.fmpq_mat([[0, 0], [0, -1]]))


# -- the command line -------------------------------------------------------------------------
def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_cli_intrinsic_text_and_json(examples):
    res = run("intrinsic", "linear:2-2-2")
    assert res.exit_code == 0 and "witness    v = (" in res.stdout
    assert "METRIC         REFUTED" in res.stdout
    data = json.loads(run("intrinsic", "linear:2-2-2", "--init", "balanced", "--json").stdout)
    assert data["metric"] == "holds" and len(data["checks"]) == 3
    res = run("intrinsic", str(examples / "uv.yaml"), "--at", str(examples / "uv-point.json"))
    assert res.exit_code == 0 and "u=3, v=1/2" in res.stdout


@pytest.mark.parametrize("content,needle", [
    ('{"u": 1}', "misses"),
    ('{"u": 1, "v": 2, "w": 3}', "unknown parameter"),
    ('[1, 2, 3]', "expected D = 2"),
    ('{"u": 0.5, "v": 1}', "not exact"),
    ('{"u": "a/b", "v": 1}', "not a rational"),
    ('{"u": "1/0", "v": 1}', "not a rational"),
    ('"hello"', "JSON object"),
    ('{"u": [1], "v": 1}', "not a rational"),
    ('{"u": 1, ', "not valid JSON"),
])
def test_bad_points_exit_2(tmp_path, examples, content, needle):
    f = tmp_path / "theta.json"
    f.write_text(content)
    res = run("intrinsic", str(examples / "uv.yaml"), "--at", str(f))
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], res.stderr


def test_missing_point_file_and_wrong_family(examples):
    res = run("intrinsic", str(examples / "uv.yaml"), "--at", "nope.json")
    assert res.exit_code == 2 and "no such file" in res.stderr
    res = run("intrinsic", "relu:2-2-1", "--init", "balanced")
    assert res.exit_code == 2 and "linear networks" in res.stderr
    res = run("intrinsic", "linear:3-3-3-3", "--init", "relaxed-balanced")
    assert res.exit_code == 2 and "--init balanced" in res.stderr


def test_parse_point_keeps_exact_rationals():
    lf = load_lifting("linear:1-1-1")
    pt = parse_point(lf, {"U1_1_1": "3/6", "U2_1_1": 2})
    assert pt == [flint.fmpq(1, 2), 2]


# -- issue 11: three properties; relaxed balance needs its rank condition ----------------------
@pytest.mark.parametrize("spec", ["linear:1-2-2-1", "linear:1-3-3-1"])
def test_scalar_chains_are_recoverable_without_every_law(spec):
    # d = 1: Lie(W_φ) = span{∇φ} with locally constant dimension, ker ∂φ ∩ Lie = {0}: the
    # missing (non-polynomial) law is not needed to decide recoverability
    r = intrinsic(load_lifting(spec))
    c = r.checks[0]
    assert not c.sufficient and c.locally_constant == "one coordinate"
    assert (r.recoverability, r.metric, r.dynamic) == ("holds", "holds", "holds")
    assert r.frobenius


def test_relu_path_liftings_have_the_frobenius_property():
    r = intrinsic(load_lifting("relu:3-2-1"))
    assert r.frobenius and r.recoverability == "holds"
    assert not intrinsic(load_lifting("linear:2-2-2")).frobenius


@pytest.mark.parametrize("u2", [[1, 0], [0, 1]])
def test_relaxed_balance_without_full_rank_gives_no_closed_form(u2):
    # Zhang & Peyré (2026, App. E): linear:2-1-2 with U1 = 0 and U2 = e1 or e2: z = 0 and
    # λ = 1 at both, yet different velocities; the metric property is refuted at both
    lf = load_lifting("linear:2-1-2")
    point = [0, 0, *u2]
    named = dict(zip(lf.params, point, strict=True))
    assert [str(x) for x in linear.relaxed_lambdas([2, 1, 2], named)] == ["1"]
    r = intrinsic(lf, at=point)
    assert not any(cf.decides and cf.holds for cf in r.closed_forms)
    assert r.metric == "refuted" and r.checks[0].witness is not None


def test_a_singular_square_relaxed_point_is_not_covered_by_the_closed_form():
    lf = load_lifting("linear:2-2-2")
    point = [0, 0, 0, 0, 1, 0, 0, 1]  # U1 = 0, U2 = I: H = I, λ = 1
    r = intrinsic(lf, at=point)
    (cf,) = [cf for cf in r.closed_forms if cf.kind == "linear-family"]
    assert not cf.holds and cf.pointwise[-1][0].endswith("invertible (the closed form's "
                                                         "stratum when some λ_k ≠ 0)")
    assert r.metric != "holds" and not r.covered(1)


@pytest.mark.parametrize("widths", [[2, 3, 4], [4, 3, 2], [3, 3, 3], [2, 1, 2], [3, 2, 3],
                                    [1, 1, 3]])
def test_two_layer_relaxed_samples_exist_for_any_widths_where_possible(widths):
    for seed in range(3):
        pt = linear.sample(widths, "relaxed-balanced", seed)
        (lam,) = linear.relaxed_lambdas(widths, pt)
        assert lam != 0
        n, r, m = widths
        assert (lam > 0 and r <= m) or (lam < 0 and r <= n)


def test_an_empty_relaxed_family_is_said_to_be_empty():
    with pytest.raises(SymflowError, match="empty for linear:2-5-2"):
        linear.sample([2, 5, 2], "relaxed-balanced", 0)


def test_square_relaxed_balanced_nets_hold_by_the_closed_form():
    r = intrinsic(load_lifting("linear:3-3-3"), init="relaxed-balanced", samples=2)
    assert (r.recoverability, r.metric, r.dynamic) == ("fails", "holds", "holds")


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10_000))
def test_level_points_lie_on_their_level_set(seed):
    import random

    h = linear.random_level(2, random.Random(seed))
    pt = linear.level_point([3, 2, 2], h, seed)
    assert linear.law_values([3, 2, 2], pt)[0] == h


@pytest.mark.parametrize("spec", ["linear:2-2-2", "linear:3-2-3", "linear:2-2-3"])
def test_non_scalar_level_sets_are_refuted(spec):
    # [MPG25] Thm 3.9: for r ≤ max(d_in, d_out) relaxed balance is the only way to the metric
    # property; here on each of 4 random non-scalar level sets an exact witness refutes it
    r = intrinsic(load_lifting(spec), level="random", samples=4, seed=5)
    assert r.init == "level set" and len(r.family["levels"]) == 4
    assert all(c.witness is not None for c in r.checks) and r.metric == "refuted"


def test_a_scalar_level_is_the_relaxed_family():
    lf = load_lifting("linear:2-2-2")
    h = flint.fmpq_mat([[4, 0], [0, 4]])
    r = intrinsic(lf, level=h, samples=2)
    assert r.metric == "holds"


def test_cli_level_file_and_errors(tmp_path):
    f = tmp_path / "h.json"
    f.write_text("[[1, 2], [2, 5]]")
    res = run("intrinsic", "linear:2-2-3", "--level", str(f), "--samples", "2")
    assert res.exit_code == 0 and "METRIC         REFUTED" in res.stdout
    res = run("intrinsic", "linear:2-1-2", "--level", "random")
    assert res.exit_code == 2 and "r ≥ 2" in res.stderr
    f.write_text("[[1, 2], [3, 5]]")
    res = run("intrinsic", "linear:2-2-2", "--level", str(f))
    assert res.exit_code == 2 and "symmetric" in res.stderr
    res = run("intrinsic", "linear:2-2-2", "--level", "random", "--init", "balanced")
    assert res.exit_code == 2 and "cannot be combined" in res.stderr


@pytest.mark.parametrize("h", [[[0, 0], [0, 0]], [[1, 0], [0, 0]], [["-8/3", -2], [-2, "-3/2"]],
                               [[0, 1], [1, 0]]])
def test_level_points_exist_for_singular_levels(h):
    H = flint.fmpq_mat([[flint.fmpq(*map(int, str(x).split("/"))) if "/" in str(x)
                         else flint.fmpq(int(x)) for x in row] for row in h])
    pt = linear.level_point([2, 2, 3], H, 1)
    assert linear.law_values([2, 2, 3], pt)[0] == H


def test_the_balanced_level_set_holds_and_random_levels_never_fail_to_factor():
    lf = load_lifting("linear:2-2-2")
    assert intrinsic(lf, level=flint.fmpq_mat([[0, 0], [0, 0]]), samples=1).metric == "holds"
    for seed in (17, 19, 36):
        assert intrinsic(lf, level="random", samples=1, seed=seed).metric == "refuted"


def test_non_square_relaxed_samples_without_full_rank_are_refuted():
    r = intrinsic(load_lifting("linear:2-3-4"), init="relaxed-balanced", samples=2)
    assert r.metric == "refuted"
    r = intrinsic(load_lifting("linear:3-2-3"), init="relaxed-balanced", samples=2)
    assert r.metric == "not decided"
