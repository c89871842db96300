"""Sweeps over random families, executors, and the fast paths of the engine."""
import csv
import json
import random

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from symflow.cli import cli
from symflow.counting import _diagonal_quadratic, conservation_laws, is_conserved
from symflow.errors import SymflowError
from symflow.spec import load_lifting
from symflow.sweeps import formula, network_seconds, random_specs, run_one, sweep


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_random_families_are_seeded_and_in_range():
    a = random_specs("relu", (2, 4), (2, 9), 30, seed=0, bias="random")
    assert a == random_specs("relu", (2, 4), (2, 9), 30, seed=0, bias="random")
    assert a != random_specs("relu", (2, 4), (2, 9), 30, seed=1, bias="random")
    for spec in a:
        widths = [int(w) for w in spec.split(":")[1].split("+")[0].split("-")]
        assert 3 <= len(widths) <= 5 and all(2 <= w <= 9 for w in widths)
    assert 0 < sum(s.endswith("+bias") for s in a) < 30


def test_formula():
    assert formula("linear:2-3-2") == 6 and formula("relu:3-4-5-1+bias") == 9


def test_local_sweep_rows_and_parallel_agreement():
    specs = random_specs("linear", (2, 3), (2, 4), 8, seed=3)
    one = sweep(specs, seed=0, jobs=1)
    two = sweep(specs, seed=0, jobs=2)
    strip = [{k: v for k, v in r.as_dict().items() if k != "seconds"} for r in one]
    assert strip == [{k: v for k, v in r.as_dict().items() if k != "seconds"} for r in two]
    assert all(r.laws is not None and r.error is None for r in one)


def test_a_failing_row_is_reported_and_the_sweep_goes_on():
    rows = sweep(["relu:2-2-1", "relu:0-1", "linear:2-2-2"], jobs=1)
    assert rows[0].laws == 2 and rows[2].laws == 3
    assert rows[1].error and rows[1].laws is None and rows[1].agrees is None


def test_disagreement_with_the_formula_is_reported_not_hidden():
    row = run_one((0, "linear:2-2-5-2-5", 0, {}))
    assert row.laws == 20 and row.formula == 21 and row.agrees is False


def test_sweep_cli_table_csv_and_json(tmp_path):
    out = tmp_path / "rows.csv"
    res = run("sweep", "relu", "--depth", "2-3", "--width", "2-4", "--count", "5",
              "--bias", "random", "--csv", str(out))
    assert res.exit_code == 0, res.output
    assert "5 networks, 5 exact counts, 5 agree" in res.stdout
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 5 and rows[0]["agrees"] == "True"
    data = json.loads(run("sweep", "linear", "--count", "3", "--json").stdout)
    assert data["summary"]["networks"] == 3 and len(data["rows"]) == 3


@pytest.mark.parametrize("args,needle", [
    (["--depth", "4-2"], "1 ≤ N ≤ M"), (["--width", "x"], "whole numbers"),
])
def test_sweep_bad_ranges_exit_2(args, needle):
    res = run("sweep", "linear", *args)
    assert res.exit_code == 2 and needle in res.stderr


def test_linear_sweep_refuses_biases():
    res = run("sweep", "linear", "--bias", "yes")
    assert res.exit_code == 2 and "no biases" in res.stderr


def test_dask_local_cluster_on_loopback():
    distributed = pytest.importorskip("dask.distributed")
    specs = random_specs("relu", (2, 3), (2, 4), 4, seed=5, bias="random")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    try:
        rows = sweep(specs, executor="dask", scheduler=cluster.scheduler_address)
    finally:
        cluster.close()
    local = sweep(specs, jobs=1)
    assert [r.laws for r in rows] == [r.laws for r in local]
    assert all(r.agrees for r in rows)


def test_dask_unreachable_scheduler_is_one_line():
    pytest.importorskip("dask.distributed")
    res = run("sweep", "relu", "--count", "1", "--executor", "dask", "--scheduler",
              "tcp://127.0.0.1:1")
    assert res.exit_code == 2 and "cannot reach the Dask scheduler" in res.stderr


# -- the fast paths give the same certified results ------------------------------------------
@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=3, max_size=4), st.sampled_from(["relu", "linear"]),
       st.booleans())
def test_qq_and_modp_paths_agree(widths, kind, bias):
    spec = f"{kind}:{'-'.join(map(str, widths))}" + ("+bias" if bias and kind == "relu" else "")
    lf = load_lifting(spec)
    a = conservation_laws(lf, field="modp")
    b = conservation_laws(lf, field="qq")
    assert (a.lower, a.upper) == (b.lower, b.upper)
    assert [x.word for x in a.lie.spanning] == [x.word for x in b.lie.spanning]


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6))
def test_diagonal_law_lemma_matches_the_generic_identity(seed):
    # ⟨∇h, ∇φ⟩ = 2φ Σ_{e∈P} a_e for h = Σ a_k θ_k² and square-free monomials φ: the fast check
    # must agree with expanding X_i(h) for every i
    lf = load_lifting("relu:2-3-2+bias")
    rng = random.Random(seed)
    g = lf.ring.zgens()
    h = sum((rng.choice((-1, 0, 0, 1)) * g[k] ** 2 for k in range(lf.D)), lf.ring.zzero())
    if h.is_zero():
        return
    assert _diagonal_quadratic(h) is not None
    generic = all(lf.generators[i].apply(h).is_zero() for i in range(lf.d))
    assert is_conserved(h, lf) == generic


def test_the_sweep_keeps_to_its_budget_and_refuses_a_share_too_small():
    # 200 networks in 60 s on one worker: 0.3 s each, refused up front with the figure that works
    res = run("sweep", "relu", "--count", "200")
    assert res.exit_code == 2 and "0.30 s per network" in res.output
    assert "--max-seconds to 100" in res.output
    assert network_seconds(200, 4, 60) == 1.2 and network_seconds(2, 1, 600) == 60.0
    with pytest.raises(SymflowError, match="per network"):
        sweep(["relu:2-2-1"] * 10, max_seconds=1)
    # the share reaches the count: 2-10-10-2 needs ≈ 6 s for its exact 110, not 0.5 s
    row = sweep(["linear:2-10-10-2"], max_seconds=0.5)[0]
    assert row.laws is None and row.lower is not None and row.lower <= 110 <= row.upper
    data = json.loads(run("sweep", "linear", "--count", "2", "--max-seconds", "4",
                          "--json").stdout)
    assert data["summary"]["seconds_per_network"] == 2.0
