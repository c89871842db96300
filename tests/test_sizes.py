"""Issue 21: every size inside the limits. The structural engines against the exact ones, the
adaptive bracket depth, the up-front refusals with a predicted cost."""

import dataclasses

import flint
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symflow.algebra.fastrank import SMALL_PRIME, FastEchelon
from symflow.algebra.linalg import ModpEchelon
from symflow.algebra.paths import components, path_jacobian_rank
from symflow.counting import conservation_laws
from symflow.homogeneous import zero_pattern
from symflow.points import sample_points
from symflow.properties import jacobian_at
from symflow.spec import load_lifting


# -- the BLAS echelon mod a 20-bit prime ------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(st.integers(1, 90), st.integers(1, 90), st.integers(0, 40), st.integers(0, 2**32))
def test_fast_echelon_keeps_the_same_vectors_as_the_exact_one(m, n, r, seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(-4, 5, (m, r)) @ rng.integers(-4, 5, (r, n)) if r else np.zeros((m, n))
    a = a.astype(np.int64)
    fast = FastEchelon(n)
    slow = ModpEchelon(n, SMALL_PRIME)
    half = m // 2
    flags = fast.add_batch(a[:half]) + fast.add_batch(a[half:])
    assert flags == slow.add_batch(a[:half].tolist()) + slow.add_batch(a[half:].tolist())
    assert sum(flags) == flint.fmpz_mat(a.tolist()).rank() or sum(flags) < min(m, n)
    assert FastEchelon(n).add_batch(a).count(True) == \
        flint.nmod_mat(a.tolist(), SMALL_PRIME).rank()


def test_fast_echelon_is_exact_with_large_inner_dimensions():
    # 9000 columns: the products are cut into inner blocks of 8192 (float64 stays exact)
    rng = np.random.default_rng(1)
    a = rng.integers(0, SMALL_PRIME, (30, 9000))
    b = np.vstack([a, (a[:10] * 3 + a[10:20]) % SMALL_PRIME])
    assert FastEchelon(9000).add_batch(b).count(True) == 30


# -- the rank of ∂φ(θ0) of a ReLU path-lifting by passes --------------------------------------
@pytest.mark.parametrize("spec", ["relu:3-3-3-1", "relu:2-3-2", "relu:2-3-3-1+bias",
                                  "examples/skip.yaml", "relu:4-1-4", "examples/mixed.yaml"])
def test_path_rank_equals_the_exact_jacobian_rank(spec):
    lf = load_lifting(spec)
    if not lf.path_params:
        pytest.skip("not a path-lifting (linear neurons)")
    pt = sample_points(0, lf.D, 1)[0]
    rank, _ = path_jacobian_rank(lf, pt)
    assert rank == jacobian_at(lf, pt).rank()


def test_components_split_a_one_output_two_layer_net_by_neuron():
    lf = load_lifting("relu:5-4-1")
    blocks = sorted(map(len, components(lf)))
    assert blocks == [6, 6, 6, 6]  # w1[j, :] and w2[j] for each hidden neuron j


def test_the_lazy_path_lifting_expands_to_the_paths():
    lf = load_lifting("relu:2-2-1+bias")
    assert not lf.phi.expanded
    monos = [set(lf.ring.format(p).split("*")) for p in lf.phi]
    assert monos == [{lf.params[k] for k in ps} for ps in lf.path_params]


@pytest.mark.parametrize("spec, count", [("relu:12-25-1", 25), ("relu:8-8-8-1", 16),
                                         ("relu:3-4-4-2+bias", 8)])
def test_path_engine_agrees_with_the_bracket_engine(spec, count, monkeypatch):
    import symflow.counting as counting

    lf = load_lifting(spec)
    exact = conservation_laws(lf)
    monkeypatch.setattr(counting, "PATH_ENGINE_MIN_PARAMS", 0)
    passes = conservation_laws(load_lifting(spec))
    assert passes.lie.combinations and not exact.lie.combinations
    assert passes.count == exact.count == count


def test_path_engine_at_scale_one_law_per_hidden_neuron():
    lf = load_lifting("relu:20-30-1", max_params=20_000)
    assert lf.D == 630
    r = conservation_laws(lf)
    assert r.lie.combinations and r.count == 30 and r.argument == "bounds"


# -- structural zero patterns ----------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["relu:2-3-2", "relu:2-2-2-1+bias", "examples/skip.yaml"]),
       st.data())
def test_path_zero_pattern_agrees_with_the_jacobian(spec, data):
    lf = load_lifting(spec)
    zeros = data.draw(st.lists(st.sampled_from(lf.params), min_size=1, max_size=4, unique=True))
    fast = zero_pattern(lf, zeros)
    general = dataclasses.replace(lf, path_params=[])
    slow = zero_pattern(general, zeros)
    assert fast == slow


# -- adaptive depth ---------------------------------------------------------------------------
def test_adaptive_depth_decides_a_narrow_deep_linear_net():
    # linear:2-6-6-2: dim Lie = 3·6 = 18 needs brackets of depth > 4 (the old default stopped
    # at 8 on 2-10-10-2 with bounds 110..114)
    lf = load_lifting("linear:2-6-6-2")
    r = conservation_laws(lf)
    assert r.count == 42 and max(b.depth for b in r.lie.spanning) >= 5


def test_a_depth_limit_says_what_would_decide():
    lf = load_lifting("linear:2-6-6-2")
    r = conservation_laws(lf, max_depth=3, engine="structural")
    assert r.count is None and r.lie.stopped_by == "depth"
    assert any("--max-depth" in n and "predicted" in n for n in r.notes)


def test_a_time_budget_stops_the_levels_before_they_run_late():
    lf = load_lifting("linear:2-12-12-2")
    r = conservation_laws(lf, max_seconds=0.5, engine="structural")
    assert r.lie.stopped_by == "time" and r.count is None
    assert any("--max-seconds" in n for n in r.notes)


# -- up-front refusals with a predicted cost, and the structural limits ------------------------
def test_intrinsic_on_a_large_linear_net_is_refused_with_its_predicted_cost():
    import symflow
    from symflow.errors import LimitError

    with pytest.raises(LimitError, match=r"predicted to take \d+ s.*--max-seconds"):
        symflow.intrinsic("linear:30-30-30")
    with pytest.raises(LimitError, match="at 10 points"):
        symflow.intrinsic("linear:10-10-10", init="balanced", samples=10)


def test_the_cli_refuses_the_same_in_one_line(tmp_path):
    from click.testing import CliRunner

    from symflow.cli import cli

    res = CliRunner().invoke(cli, ["intrinsic", "linear:20-20-20"])
    assert res.exit_code == 2
    assert "predicted" in res.output and "--max-seconds" in res.output


def test_laws_takes_structural_sizes_by_default_and_the_general_limit_elsewhere(tmp_path):
    import symflow
    from symflow.errors import LimitError

    r = symflow.laws("relu:60-40-1")  # D = 2440 > 2000: the path engine
    assert r.count == 40
    with pytest.raises(LimitError, match="limit of 2000 .*--max-params"):
        symflow.laws("relu^2:50-50-1")  # a power lifting: D = 2550, the general limit


@pytest.mark.parametrize("kw", [{"max_seconds": "a"}, {"max_seconds": float("nan")},
                                {"max_seconds": True}, {"max_seconds": 0}, {"max_depth": True},
                                {"max_depth": 0}])
def test_the_api_refuses_the_budgets_the_cli_refuses(kw):
    import symflow
    from symflow.errors import SymflowError

    with pytest.raises(SymflowError, match=next(iter(kw))):
        symflow.laws("relu:2-2-1", **kw)


def test_a_path_rank_beyond_the_budget_is_refused_before_any_pass():
    import symflow
    from symflow.errors import LimitError

    # relu:2-100-100-1: one block of 10 300 columns (predicted ~86 s and 4 GB)
    with pytest.raises(LimitError, match=r"largest block .* predicted to take \d+ s"):
        symflow.laws("relu:2-100-100-1")


def test_too_many_family_laws_to_compare_are_refused_up_front():
    import symflow
    from symflow.errors import LimitError

    # 500 500 laws of linear:1-1000-1: their gradients would be 10^9 entries
    with pytest.raises(LimitError, match=r"500500 × 2000 .*--max-terms"):
        symflow.laws("linear:1-1000-1")


def test_certify_refuses_an_intrinsic_claim_beyond_its_budget(tmp_path):
    import symflow
    from symflow.errors import LimitError

    # linear:33-14-37: D = 980 (inside the certificate limit), kernel 1326 × 980 (~318 s)
    with pytest.raises(LimitError, match=r"predicted to take \d+ s.*--max-seconds"):
        symflow.certify("linear:33-14-37", directory=tmp_path, pdf=False)
    assert not list(tmp_path.iterdir())


def test_a_deeper_family_is_predicted_dearer():
    from symflow.api import intrinsic_seconds

    two = intrinsic_seconds(load_lifting("linear:10-10-10"), 3, True)
    three = intrinsic_seconds(load_lifting("linear:10-10-4-8"), 3, True)
    assert two < 60 < three  # measured: 15–36 s and 68 s


@pytest.mark.parametrize("spec", ["linear:2-3-2", "linear:2-3-3-2", "examples/mixed.yaml",
                                  "linear:1-2-2-1"])
def test_monomials_from_the_paths_equal_the_expanded_ones(spec):
    from symflow.homogeneous import _sparse_monomials

    lf = load_lifting(spec)
    fast = sorted(sorted(m.items()) for m in _sparse_monomials(lf))
    slow = sorted(sorted({k: e for k, e in enumerate(m) if e}.items())
                  for p in lf.phi for m in p.monoms())
    assert fast == slow


def test_a_structural_trace_beyond_the_memory_budget_is_refused_up_front():
    import symflow
    from symflow.errors import LimitError

    # linear:70-70-70: D = 9800 inside the structural limit, echelons of ~6 GB predicted
    with pytest.raises(LimitError, match=r"GB .*above the limit of 1.8 GB"):
        symflow.laws("linear:70-70-70")


@pytest.mark.parametrize("kw", [{"max_seconds": -1}, {"max_depth": 0}, {"max_depth": 1.5}])
def test_intrinsic_refuses_the_budgets_its_cli_refuses(kw):
    import symflow
    from symflow.errors import SymflowError

    with pytest.raises(SymflowError, match=next(iter(kw))):
        symflow.intrinsic("linear:2-2-2", **kw)


def test_a_network_no_structural_engine_takes_is_refused_before_its_lifting_is_built(
        monkeypatch, tmp_path):
    # relu^2:50-50-1 (D = 2550) is not a path-lifting: laws holds it to D ≤ 2000 before its
    # output is expanded (it was refused only after 4 s of expansion under the structural limit)
    import symflow.liftings as lifting_module
    from symflow import api
    from symflow.errors import LimitError

    def expanded(arch):
        raise AssertionError("the lifting was expanded before the limit was checked")

    monkeypatch.setattr(lifting_module, "predicted_power_terms", expanded)
    with pytest.raises(LimitError, match="D = 2550 parameters, above the limit of 2000"):
        api.laws("relu^2:50-50-1")
    # a DAG with a linear hidden neuron (kind network) is held to the general limit the same way
    f = tmp_path / "wide.yaml"
    hidden = [f"h{i}" for i in range(45)]
    f.write_text("inputs: [" + ", ".join(f"x{i}" for i in range(45)) + "]\nhidden:\n"
                 + "".join(f"  - {{name: {h}, activation: linear}}\n" for h in hidden)
                 + "outputs: [y]\nedges:\n"
                 + "".join(f"  - x{i} -> {h}\n" for i in range(45) for h in hidden)
                 + "".join(f"  - {h} -> y\n" for h in hidden))
    monkeypatch.setattr(lifting_module, "Ring", expanded)
    with pytest.raises(LimitError, match="above the limit of 2000"):
        api.laws(str(f))
    assert lifting_module.GENERAL_LIMITS.get() is None  # reset after the build


def test_check_reports_each_planned_step_as_it_starts(tmp_path):
    import symflow

    symflow.certify("relu:2-2-1", directory=tmp_path, pdf=False)
    lines: list[str] = []
    r = symflow.check(tmp_path / "relu-2-2-1.json", tex=True, progress=lines.append)
    assert r.valid
    steps = [line.split("step ")[1].split(" (")[0] for line in lines]
    assert steps[:3] == ["lifting", "laws", "law-rank"] and steps[-1] == "tex"
    assert all("predicted" in line for line in lines)


@pytest.mark.parametrize("spec", ["relu:3-2-1", "relu:4-3-2+bias", "linear:3-2-3",
                                  "linear:2-3-3-2", "relu:2-3-2-1", "linear:4-2-2"])
def test_the_checker_cost_predicted_from_the_shape_is_the_certificate_plan(spec, tmp_path):
    # certify predicts `check`'s plan before any work from the shape alone: the same figures as
    # the plan read off the written certificate (a witness assumed for linear nets: an upper
    # bound where the certificate has none)
    import json

    import symflow
    from symflow.certificate.check import Limits, architecture
    from symflow.certificate.cost import plan, predict_network_plan

    c = symflow.certify(spec, directory=tmp_path, pdf=False)
    cert = json.loads(c.json.read_text())
    net = architecture(cert, Limits())
    actual = {w.step: w for w in plan(cert, len(net.params), net.paths)}
    predicted = {w.step: w for w in predict_network_plan(load_lifting(spec))}
    assert set(predicted) == set(actual)
    if "closed-forms" in actual:  # one closed form, as the engine writes for these nets
        assert predicted["closed-forms"].what == actual["closed-forms"].what
    for step in ("lifting", "laws", "law-rank"):
        assert predicted[step].what == actual[step].what
        assert predicted[step].seconds == pytest.approx(actual[step].seconds, rel=0.05, abs=1e-4)
    assert predicted["point"].seconds >= actual["point"].seconds - 1e-9
    if spec.startswith("relu"):
        assert predicted["point"].seconds == pytest.approx(actual["point"].seconds, abs=1e-9)


def test_certify_refuses_a_check_beyond_its_budget_before_any_work(monkeypatch, tmp_path):
    import symflow
    import symflow.counting
    from symflow.errors import LimitError

    def computed(*a, **k):
        raise AssertionError("the laws were computed before the refusal")

    monkeypatch.setattr(symflow.counting, "conservation_laws", computed)
    with pytest.raises(LimitError, match=r"checker a predicted 7\d s .*laws 50 s.*budget of 60"):
        symflow.certify("linear:52-16-3", directory=tmp_path, pdf=False)
    with pytest.raises(LimitError, match=r"certifying relu:40-40-1 is predicted to take"):
        symflow.certify("relu:40-40-1", directory=tmp_path, pdf=False, max_params=2000)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("spec", ["linear:2-3-2", "relu:2-3-1", "linear:2-2-2-2", "relu^2:2-2-1",
                                  "x^3:1-2-1", "examples/cubic.yaml", "attn:2-1"])
def test_the_derivative_of_the_jacobian_by_interpolation_is_the_second_derivatives(spec):
    # d/dt ∂φ(θ0 + t v) from n + 1 evaluations along the line equals Σ_k v_k ∂_k∂_j φ_i(θ0)
    import random

    from symflow.properties import Q, jacobian_derivative_at

    lf = load_lifting(spec)
    rng = random.Random(len(spec))
    pt = [rng.randint(-5, 5) for _ in range(lf.D)]
    v = [Q(rng.randint(-3, 3), rng.randint(1, 3)) for _ in range(lf.D)]
    want = [[sum((v[k] * Q(dp.derivative(k)(*[Q(x) for x in pt])) for k in range(lf.D)
                  if dp.degrees()[k]), Q(0)) if j in lf.jacobian[i] and
             (dp := lf.jacobian[i][j]) is not None else Q(0) for j in range(lf.D)]
            for i in range(lf.d)]
    got = jacobian_derivative_at(lf, pt, v)
    assert [[got[i, j] for j in range(lf.D)] for i in range(lf.d)] == want
