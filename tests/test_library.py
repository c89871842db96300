"""Issue 22: the API is the product and the CLI its shell — every command has a function with a
typed result, both refuse the same inputs with the same message, ecosystem inputs are read."""

import json
import math
from fractions import Fraction

import networkx as nx
import pytest
import sympy
from click.testing import CliRunner

import symflow
from symflow.cli import cli
from symflow.errors import SymflowError


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_the_package_offers_every_function_and_lifting_stays_a_function():
    names = dir(symflow)
    for f in ("show", "lifting", "laws", "intrinsic", "certify", "check", "homogeneity",
              "zeros", "ncf", "escape", "simulate", "sweep", "neural_ode"):
        assert f in names and callable(getattr(symflow, f))
    assert "Any" not in names and "Laws" in names
    symflow.laws("relu:2-2-1")  # imports the module that builds liftings (symflow.liftings)
    assert callable(symflow.lifting) and symflow.lifting("relu:3-2-1").D == 8
    import importlib

    liftings = importlib.import_module("symflow.liftings")
    assert symflow.lifting is not liftings and callable(symflow.lifting)


def test_networkx_graphs_with_integer_labels_are_networks():
    g = nx.DiGraph([(0, 1), (1, 2)])  # networkx's default labels
    r = symflow.laws(g)
    assert r.D == 2 and r.count == 1  # one hidden ReLU neuron: one balance law
    lf = symflow.lifting(nx.DiGraph([(0, 2), (1, 2), (2, 3)]))
    assert lf.labels == ["n0→n2→n3", "n1→n2→n3"]
    with pytest.raises(SymflowError, match="node label"):
        symflow.lifting(nx.DiGraph([((1, 2), "a"), ("a", "b")]))
    with pytest.raises(SymflowError, match="both become the neuron 'n1'"):
        symflow.lifting(nx.DiGraph([(1, "n1"), ("n1", "y")]))


def test_sympy_idioms_matrices_and_string_symbols():
    u, v = sympy.symbols("u v")
    assert symflow.laws(sympy.Matrix([u * v, u + v])).count == 0  # rank 2 = D: no law
    assert symflow.laws([u * v], "u v").count == 1
    assert symflow.laws([u * v], ["u", "v"]).count == 1
    r = symflow.intrinsic([u * v], [u, v], at={u: sympy.Rational(1, 2), "v": Fraction(3, 4)})
    assert r.points[0] == sympy.Matrix([sympy.Rational(1, 2), sympy.Rational(3, 4)])
    with pytest.raises(SymflowError, match="symbols must be SymPy symbols"):
        symflow.laws([u * v], [1, 2])


# every refusal of the command line, through the API: the same one-line message
REFUSALS = [
    (["simulate", "relu:2-2-1", "--time", "-1"], lambda: symflow.simulate("relu:2-2-1", time=-1),
     "time"),
    (None, lambda: symflow.simulate("relu:2-2-1", time=math.nan), "time must be a number"),
    (["simulate", "relu:2-2-1", "--scale", "0"], lambda: symflow.simulate("relu:2-2-1", scale=0),
     "scale"),
    (["intrinsic", "linear:2-2-2", "--init", "balanced", "--samples", "0"],
     lambda: symflow.intrinsic("linear:2-2-2", init="balanced", samples=0), "samples"),
    (["certify", "relu:2-2-1", "--samples", "0"],
     lambda: symflow.certify("relu:2-2-1", samples=0), "samples"),
    (["laws", "relu:2-2-1", "--seed", "a"], lambda: symflow.laws("relu:2-2-1", seed="a"),
     "seed"),
    (["laws", "relu:2-2-1", "--degree", "-2"], lambda: symflow.laws("relu:2-2-1", degree=-2),
     "degree"),
    (["sweep", "relu", "--count", "200"], lambda: symflow.sweep("relu", count=200),
     "0.30 s per network"),
    (["neural-ode", "--depths", "4,2"], lambda: symflow.neural_ode(depths=[4, 2]),
     "--depths must be increasing"),
    (["neural-ode", "--depths", "1"], lambda: symflow.neural_ode(depths="1"),
     "--depths must be between 2 and 64"),
    (["laws", "relu:0-1"], lambda: symflow.laws("relu:0-1"), "every width must be at least 1"),
]


@pytest.mark.parametrize("args,call,needle", REFUSALS)
def test_the_api_refuses_what_the_cli_refuses(args, call, needle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SymflowError) as exc:
        call()
    assert needle in str(exc.value) and "\n" not in str(exc.value)
    if args is not None:
        res = run(*args)
        assert res.exit_code == 2 and needle in res.output


def test_a_misspelt_keyword_names_the_public_function_and_the_closest_keyword():
    with pytest.raises(TypeError, match=r"symflow\.laws\(\) got an unexpected keyword argument "
                                        r"'sed' \(did you mean 'seed'\?\)"):
        symflow.laws("relu:2-2-1", sed=1)
    with pytest.raises(TypeError, match=r"symflow\.simulate\(\).*'max_param'.*'max_params'"):
        symflow.simulate("relu:2-2-1", max_param=10)
    with pytest.raises(SymflowError, match="max_params must be a whole number"):
        symflow.laws("relu:2-2-1", max_params=0)


def _body(stdout: str) -> dict:
    data = json.loads(stdout)
    for key in ("symflow", "command", "spec", "options", "plot"):
        data.pop(key, None)
    return data


def test_every_command_has_a_function_whose_json_is_the_cli_json(tmp_path):
    pattern = tmp_path / "p.yaml"
    pattern.write_text("incoming: [h1_1]\n")
    data = tmp_path / "d.yaml"
    data.write_text("x: [[1]]\ny: [[1]]\n")
    cases = [
        (symflow.show("relu:2-2-1"), ["show", "relu:2-2-1"]),
        (symflow.homogeneity("relu:2-2-1"), ["homogeneity", "relu:2-2-1"]),
        (symflow.zeros("relu:2-2-1", pattern), ["zeros", "relu:2-2-1", "--pattern", pattern]),
        (symflow.ncf("relu^2:1-1-1", data=data), ["ncf", "relu^2:1-1-1", "--data", data]),
        (symflow.neural_ode(depths=(2, 4), time=0.5),
         ["neural-ode", "--depths", "2,4", "--time", "0.5"]),
        (symflow.simulate("linear:1-1-1", time=0.5), ["simulate", "linear:1-1-1", "--time",
                                                       "0.5"]),
    ]
    for result, args in cases:
        res = run(*args, "--json")
        assert res.exit_code == 0, res.output
        ours = json.loads(json.dumps(result.to_json(), default=str))
        theirs = _body(res.stdout)
        ours.pop("seconds", None), theirs.pop("seconds", None)  # wall clock
        assert ours == theirs, args
        assert len(repr(result)) < 200 and result._repr_markdown_()
    sw = symflow.sweep("relu", count=3, depth="2", width="2-3")
    assert sw.summary["networks"] == 3 and sw.summary["agree"] == 3
    assert [r["arch"] for r in sw.to_json()["rows"]] == [
        r["arch"] for r in _body(run("sweep", "relu", "--count", "3", "--depth", "2", "--width",
                                     "2-3", "--json").stdout)["rows"]]


def test_zeros_takes_a_list_or_a_mapping():
    assert symflow.zeros("relu:2-2-1", ["W1_1_1", "W1_1_2"]).lifted_invariant is False
    r = symflow.zeros("relu:2-2-1", {"neurons": ["h1_1"]})
    assert r.lifted_invariant and r.network["invariant"]


def test_check_takes_a_directory(tmp_path):
    symflow.certify("relu:2-2-1", directory=tmp_path, pdf=False)
    symflow.certify("linear:1-1-1", directory=tmp_path / "sub", pdf=False)
    r = symflow.check(tmp_path)
    assert len(r) == 2 and r.valid and bool(r) and all(x.valid for x in r)
    assert r.to_json()["files"][0]["status"] == "valid"
    empty = symflow.check(tmp_path / "sub" / "..")  # the same directory, both found
    assert len(empty) == 2
    (tmp_path / "none").mkdir()
    none = symflow.check(tmp_path / "none")
    assert not none and none[0].status == "unreadable"


def test_notebook_names_are_unambiguous_and_long_results_truncated():
    from symflow.display import latex_name

    assert latex_name("W1_1_11") == "W^{(1)}_{1,11}" != latex_name("W1_11_1")
    r = symflow.laws("relu:1-25-1")
    md = r._repr_markdown_()
    assert "… 5 more laws (all in `.laws`)" in md and md.count("$h_{") == 20
    tex = r._repr_latex_()
    assert tex.count("h_{") == 20 and "5 more laws" in tex and len(r.laws) == 25


def test_with_json_an_error_is_a_json_object_on_stdout():
    res = run("laws", "relu:0-1", "--json")
    assert res.exit_code == 2
    err = json.loads(res.stdout)
    assert err["kind"] == "input" and "every width" in err["error"] and err["exit_code"] == 2
    res = run("laws", "relu:3-3-3", "--json", "--max-params", "2")
    assert json.loads(res.stdout)["kind"] == "limit"


def test_a_simulation_that_stops_early_is_partial_and_measures_nothing_it_did_not_integrate():
    sim = symflow.simulate("relu:3-4-1", max_seconds=0.5)
    assert sim.partial and sim.time_reached < sim.time and "PARTIAL" in repr(sim)
    res = run("simulate", "relu:3-4-1", "--max-seconds", "0.5")
    assert res.exit_code == 3 and "PARTIAL" in res.output


# -- one way through the code ----------------------------------------------------------------
def _import_graph():
    """symflow's modules and the symflow modules each imports, lazy imports included."""
    import ast
    from pathlib import Path

    root = Path(symflow.__file__).resolve().parent
    mods = {}
    for f in root.rglob("*.py"):
        parts = f.relative_to(root.parent).with_suffix("").parts
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    edges = {}
    for name, f in mods.items():
        pkg = name if f.name == "__init__.py" else name.rsplit(".", 1)[0]
        out = set()
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = pkg.split(".")[:len(pkg.split(".")) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in mods]
                out.update(subs or [target])
            elif isinstance(node, ast.Import):
                out.update(a.name for a in node.names)
        edges[name] = {m for m in out if m in mods and m != name}
    return edges


def test_the_modules_import_each_other_without_a_cycle():
    edges = _import_graph()
    g = nx.DiGraph([(a, b) for a, bs in edges.items() for b in bs])
    assert list(nx.simple_cycles(g)) == []


def test_the_engine_knows_nothing_about_certificates():
    # only the shells (api, cli) and the certificate package import symflow.certificate
    edges = _import_graph()
    for name, targets in edges.items():
        if name.startswith("symflow.certificate") or name in ("symflow.api", "symflow.cli"):
            continue
        assert not [t for t in targets if t.startswith("symflow.certificate")], name


def test_the_version_is_pyprojects():
    import tomllib
    from pathlib import Path

    pyproject = Path(symflow.__file__).resolve().parent.parent / "pyproject.toml"
    assert tomllib.loads(pyproject.read_text())["project"]["version"] == symflow.__version__


def test_the_readme_console_examples_print_what_the_readme_shows():
    """Every ```console block of the README: each "$ symflow …" runs, and its output is the
    lines shown (a shown line ending in "..." is a prefix of the printed one)."""
    import re
    import shlex
    from pathlib import Path

    readme = (Path(symflow.__file__).resolve().parent.parent / "README.md").read_text()
    blocks = re.findall(r"```console\n(.*?)```", readme, flags=re.S)
    assert blocks
    for block in blocks:
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *shown = chunk.rstrip("\n").split("\n")
            args = shlex.split(command)
            assert args[0] == "symflow"
            res = run(*args[1:])
            assert res.exit_code == 0, res.output
            printed = res.output.rstrip("\n").split("\n")
            assert len(printed) == len(shown), (command, printed)
            for want, got in zip(shown, printed, strict=True):
                if want.endswith("..."):
                    assert got.startswith(want[:-3].rstrip()), (want, got)
                else:
                    assert got.rstrip() == want.rstrip(), (want, got)
