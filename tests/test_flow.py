"""The numerical cross-check: law drift, the intrinsic z-flow, and the picture."""
import json

import pytest
from click.testing import CliRunner

from symflow.cli import cli
from symflow.flow import simulate
from symflow.spec import load_lifting


def test_relu_laws_are_conserved_along_the_flow():
    sim = simulate(load_lifting("relu:2-3-1"), data="random:20", seed=0)
    assert sim.max_law_drift < 1e-8
    assert sim.loss[-1] < sim.loss[0]
    assert len(sim.law_names) == 3


def test_balanced_linear_z_flow_matches_phi():
    sim = simulate(load_lifting("linear:2-2-2"), init="balanced", seed=0)
    assert sim.max_law_drift < 1e-8
    assert sim.gap is not None and sim.gap < 1e-6


def test_relaxed_balanced_deep_linear_z_flow_matches_phi():
    sim = simulate(load_lifting("linear:2-2-2-2"), init="relaxed-balanced", seed=1, t_end=3)
    assert sim.gap < 1e-6


def test_balanced_formula_fails_from_a_generic_initialisation():
    sim = simulate(load_lifting("linear:2-2-2"), init="generic", seed=0)
    assert sim.max_law_drift < 1e-8
    assert sim.gap > 1e-3  # visibly wrong, and reported
    assert any("not balanced" in n for n in sim.notes)


def test_uv_intrinsic_flow(examples):
    sim = simulate(load_lifting(str(examples / "uv.yaml")), seed=2)
    assert sim.gap < 1e-6


def test_simulate_cli_writes_a_png_with_three_panels(tmp_path):
    png = tmp_path / "flow.png"
    res = CliRunner().invoke(cli, ["simulate", "linear:2-2-2", "--init", "balanced", "--plot",
                                   str(png), "--json", "--time", "3"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["max_relative_gap_phi_z"] < 1e-6 and data["plot"] == str(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    import matplotlib.image as mpimg

    img = mpimg.imread(png)
    assert img.shape[1] > 2 * img.shape[0]  # three panels side by side


def test_simulate_rejects_bad_data():
    res = CliRunner().invoke(cli, ["simulate", "relu:2-3-1", "--data", "mnist"])
    assert res.exit_code == 2 and "random:N" in res.stderr
    res = CliRunner().invoke(cli, ["simulate", "relu:2-3-1", "--init", "balanced"])
    assert res.exit_code == 2 and "linear networks" in res.stderr


# -- issue 11 §3: the linear neural ODE ----------------------------------------------------------
def test_balanced_deep_linear_nets_converge_to_the_neural_ode_like_one_over_depth():
    from symflow.flow import neural_ode_convergence

    r = neural_ode_convergence(width=2, depths=(2, 4, 8, 16), t_end=2.0, seed=0)
    assert all(a > b for a, b in zip(r.gaps, r.gaps[1:], strict=False))  # decreasing in L
    scaled = [g * L for g, L in zip(r.gaps, r.depths, strict=True)]
    assert max(scaled) / min(scaled) < 1.5  # O(1/L): gap·L settles
    assert max(r.formula_gaps) < 1e-8  # the θ-flow follows the finite-L balanced formula


def test_the_log_mean_metric_is_the_integral():
    import numpy as np

    from symflow.flow import log_mean_metric

    rng = np.random.default_rng(3)
    z, g = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    p, sig, qt = np.linalg.svd(z)
    s = np.linspace(0, 1, 2001)
    vals = [p @ np.diag(sig ** (2 * (1 - t))) @ p.T @ g @ qt.T @ np.diag(sig ** (2 * t)) @ qt
            for t in s]
    quad = np.trapezoid(vals, s, axis=0)
    assert np.allclose(log_mean_metric(z, g), quad, atol=1e-5)


def test_neural_ode_cli(tmp_path):
    from click.testing import CliRunner

    from symflow.cli import cli

    res = CliRunner().invoke(cli, ["neural-ode", "--depths", "2,4", "--json"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["depths"] == [2, 4] and data["gaps"][1] < data["gaps"][0]
    assert "1/L" in data["scaling"]
    res = CliRunner().invoke(cli, ["neural-ode", "--depths", "1"])
    assert res.exit_code == 2 and "between 2 and 64" in res.stderr


# -- issue 12: ReLU kinks and budgets --------------------------------------------------------------
def test_relu_kinks_are_crossed_as_events():
    from symflow.flow import simulate
    from symflow.spec import load_lifting

    sim = simulate(load_lifting("relu:2-3-1"), data="random:20", seed=0, t_end=10.0)
    assert sim.times[-1] == 10.0 and sim.max_law_drift < 1e-9
    assert any("crossing" in n for n in sim.notes) and not any("STOPPED" in n for n in sim.notes)


def test_a_budget_ends_with_the_partial_result_not_a_hang():
    from click.testing import CliRunner

    from symflow.cli import cli

    res = CliRunner().invoke(cli, ["simulate", "relu:3-4-1", "--max-seconds", "1", "--json"])
    assert res.exit_code == 3, res.output  # a partial run is not a success
    data = json.loads(res.stdout)
    assert data["time_reached"] < data["time"] and data["partial"] is True
    assert any("STOPPED EARLY" in n and "--max-seconds" in n for n in data["notes"])
    assert data["max_law_drift"] < 1e-8  # the sliding field keeps the laws too


@pytest.mark.parametrize("spec,seed", [("relu:2-3-1", 2), ("relu:2-3-1", 4), ("relu:2-3-1", 6),
                                       ("examples/skip.yaml", 0)])
def test_flows_that_slide_along_kinks_finish(spec, seed):
    # issue 12: these used to hang in solve_ivp; they slide along kinks (Filippov) and finish
    from pathlib import Path

    from symflow.flow import simulate
    from symflow.spec import load_lifting

    if spec.endswith(".yaml"):
        spec = str(Path(__file__).resolve().parent.parent / spec)
    sim = simulate(load_lifting(spec), seed=seed, t_end=10.0)
    assert sim.times[-1] == 10.0 and not any("STOPPED" in n for n in sim.notes)
    assert sim.max_law_drift < 1e-7 and any("sliding" in n for n in sim.notes)


def test_the_step_budget_is_enforced():
    from symflow.flow import simulate
    from symflow.spec import load_lifting

    sim = simulate(load_lifting("relu:2-3-1"), seed=2, t_end=10.0, max_steps=500)
    assert sim.times[-1] < 10.0 and any("--max-steps" in n for n in sim.notes)


def test_a_non_square_balanced_net_follows_its_closed_form():
    # zzᵀ is rank-deficient for linear:2-3-4: rounding-level eigenvalues are zeros, so the
    # balanced z-flow stays smooth and matches φ(θ(t)) (it used to crawl for minutes)
    from symflow.flow import simulate
    from symflow.spec import load_lifting

    sim = simulate(load_lifting("linear:2-3-4"), init="balanced", t_end=10.0)
    assert sim.times[-1] == 10.0 and sim.gap is not None and sim.gap < 1e-8


def test_the_sliding_rates_are_the_derivatives_of_the_preactivations():
    """∇p(θ)·G by the tangent pass equals the central difference of p along G (away from kinks,
    where p is smooth), for every ReLU pre-activation of a deep net with biases."""
    import numpy as np

    from symflow.flow import make_data, relu_preactivation_rates, relu_preactivations
    from symflow.spec import load_lifting

    lf = load_lifting("relu:2-3-3-1+bias")
    x, _ = make_data(lf, "random:7", 0)
    rng = np.random.default_rng(1)
    theta, g = rng.normal(size=lf.D), rng.normal(size=lf.D)
    pre, rates = relu_preactivations(lf, x), relu_preactivation_rates(lf, x)
    h = 1e-6
    numeric = (pre(theta + h * g) - pre(theta - h * g)) / (2 * h)
    assert np.allclose(rates(theta, g), numeric, rtol=1e-6, atol=1e-8)
