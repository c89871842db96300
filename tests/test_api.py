"""The Python API: the same answers as the CLI, from every kind of input, rendered for Jupyter."""

import json
from pathlib import Path

import networkx as nx
import pytest
import sympy

import symflow
from symflow.errors import SpecError

ROOT = Path(__file__).resolve().parent.parent


def test_two_layer_linear_net_has_r_r_plus_1_over_2_laws_as_sympy_expressions():
    r = symflow.laws("linear:2-3-2")
    assert r.count == 6 and r.argument == "bounds" and len(r.laws) == 6
    assert all(isinstance(h, sympy.Expr) for h in r.laws)
    s = {str(x): x for x in r.symbols}  # the parameters, as SymPy symbols
    h11 = s["U2_1_1"]**2 + s["U2_2_1"]**2 - s["U1_1_1"]**2 - s["U1_1_2"]**2
    assert any(sympy.expand(h - h11) == 0 for h in r.laws)
    assert "6 independent conservation laws" in repr(r)
    md = r._repr_markdown_()
    assert "$h_{1} = " in md and "exactly 6 independent" in md
    tex = r._repr_latex_()  # the same content as the Markdown: count, laws, statement
    assert tex.startswith("$\\begin{array}{l}") and "h_{1} = " in tex
    assert "exactly 6 independent" in tex and r.statement[:40] in md


def test_sympy_expressions_with_their_symbols():
    u, v = sympy.symbols("u v")
    r = symflow.laws([u * v], [u, v])
    (h,) = r.laws
    s = {str(x): x for x in r.symbols}
    assert r.count == 1 and sympy.expand(h**2 - (s["u"]**2 - s["v"]**2)**2) == 0
    x1, x2 = sympy.symbols("x1 x2")
    log_law = symflow.laws(x1**2 + x2)  # symbols taken from the expression
    assert log_law.count == 1 and log_law.laws[0].has(sympy.log)
    with pytest.raises(SpecError, match="not a polynomial"):
        symflow.laws([sympy.sin(u)], [u])


def test_a_networkx_graph_follows_the_rules_of_the_dag_files():
    g = nx.DiGraph()
    g.add_edges_from([("x1", "h1"), ("x2", "h1"), ("x1", "h2"), ("x2", "h2"),
                      ("h1", "y"), ("h2", "y"), ("x1", "y")])
    g.nodes["h2"]["activation"] = "linear"
    g.edges["x1", "y"]["name"] = "skip"
    r = symflow.laws(g)
    assert r.count == 2 and "skip" in [str(s) for s in r.symbols]
    g.add_edge("y", "x1")  # a cycle: one clear error
    with pytest.raises(SpecError):
        symflow.laws(g)


def test_intrinsic_names_the_three_properties_and_gives_witnesses_as_vectors():
    r = symflow.intrinsic("linear:2-2-2")
    assert (r.recoverability, r.metric, r.dynamic) == ("fails", "refuted", "not decided")
    (w,) = r.witnesses
    assert isinstance(w, sympy.Matrix) and w.shape == (8, 1) and any(w)
    assert "| metric | refuted |" in r._repr_markdown_()
    b = symflow.intrinsic("linear:2-2-2", init="balanced")
    assert b.metric == "holds" and b.dynamic == "holds"


def test_certify_and_check_round_trip(tmp_path):
    c = symflow.certify("relu:2-2-1", directory=tmp_path, pdf=False)
    assert c.json.is_file() and c.laws == 2 and c.recoverability == "holds"
    assert symflow.check(c.json)
    data = json.loads(c.json.read_text())
    data["claims"][0]["count"]["value"] = 3  # a forgery
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    res = symflow.check(bad)
    assert not res and res.failed_step and "INVALID" in res._repr_markdown_()


def test_homogeneity_and_simulate_from_the_api():
    h = symflow.homogeneity("relu:3-4-1")
    assert h.degree == 2
    uv = ROOT / "examples" / "uv.yaml"
    sim = symflow.simulate(uv, time=0.5)
    assert sim.max_law_drift < 1e-8


def test_import_symflow_stays_light():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "import symflow, sys; "
                          "print('sympy' in sys.modules, 'symflow.api' in sys.modules)"],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_the_examples_of_docs_api_run(capsys):
    """Every ```python block of docs/api.md runs as written (its asserts included)."""
    import re

    text = (ROOT / "docs" / "api.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 5
    for block in blocks:
        exec(compile(block, "docs/api.md", "exec"), {})  # noqa: S102 - our own documentation
    out = capsys.readouterr().out
    assert "fails refuted not decided" in out and "log(Abs(x1))" in out


def test_the_api_refuses_what_the_cli_refuses(tmp_path):
    from symflow.errors import LimitError, SymflowError

    with pytest.raises(SymflowError, match="cannot be combined"):
        symflow.intrinsic("linear:2-2-2", init="balanced", at=[1] * 8)
    with pytest.raises(SymflowError, match="--samples applies"):
        symflow.intrinsic("relu:3-2-1", samples=2)
    with pytest.raises(LimitError, match="D ≤ 250"):  # exact family points: D = 300 > 250
        symflow.intrinsic("linear:10-15-10", init="balanced")
    with pytest.raises(LimitError, match="D ≤ 250"):  # certify refuses it as the CLI does
        symflow.certify("linear:10-15-10", init="balanced", directory=tmp_path, pdf=False)
    point = tmp_path / "p.json"
    point.write_text(json.dumps({"u": 1, "v": 2}))
    r = symflow.intrinsic(ROOT / "examples" / "uv.yaml", at=point)  # a point from a file
    assert r.recoverability == "holds" and r.points[0] == sympy.Matrix([1, 2])


def test_check_reports_its_status_and_checks_the_document_on_demand(tmp_path):
    for name in ("uv.json", "uv.tex"):
        (tmp_path / name).write_bytes((ROOT / "proofs" / name).read_bytes())
    assert symflow.check(tmp_path / "uv.json", tex=True).status == "valid"
    (tmp_path / "uv.tex").write_text("forged\n")
    bad = symflow.check(tmp_path / "uv.json", tex=True)
    assert bad.status == "invalid" and bad.failed_step == "tex"
    assert symflow.check(tmp_path / "uv.json").valid  # the JSON alone is still valid
    (tmp_path / "x.json").write_text("{")
    assert symflow.check(tmp_path / "x.json").status == "unreadable"


def test_laws_builds_sympy_only_when_asked():
    r = symflow.laws("linear:6-6-6")
    assert "laws" not in r.__dict__ and "phi" not in r.__dict__
    assert r.count == 21 and len(r.laws) == 21 and "laws" in r.__dict__


def test_sizes_are_refused_before_files_are_read():
    from symflow.errors import LimitError

    with pytest.raises(LimitError, match="D ≤ 250"):  # the network, not the missing file
        symflow.intrinsic("linear:10-15-10", level="missing.json")
