"""One lifting per network (issue 10 §2): a DAG of linear neurons is linear:…, a DAG of ReLU
neurons is relu:…, and a mixed DAG has one coordinate per class of paths with the same start,
the same ReLU neurons and the same output."""
import json
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from symflow.architecture import from_description
from symflow.certificate.check import _class_count, _dag
from symflow.certificate.schema import content_hash
from symflow.certificate.verify import check_certificate
from symflow.cli import cli
from symflow.counting import conservation_laws
from symflow.liftings import network_lifting
from symflow.properties import intrinsic
from symflow.spec import load_lifting

ROOT = Path(__file__).resolve().parent.parent


def layered_dag(tmp_path: Path, widths: list[int], activation: str) -> Path:
    """The layered network as a DAG file, neurons named as the shorthand names them."""
    layers = [[f"x{i}" for i in range(1, widths[0] + 1)]]
    layers += [[f"h{k}_{i}" for i in range(1, widths[k] + 1)] for k in range(1, len(widths) - 1)]
    layers += [[f"y{i}" for i in range(1, widths[-1] + 1)]]
    hidden = [{"name": v, "activation": activation} for layer in layers[1:-1] for v in layer]
    edges = [f"{u} -> {v}" for a, b in zip(layers, layers[1:], strict=False) for v in b for u in a]
    f = tmp_path / f"{activation}-{'-'.join(map(str, widths))}.yaml"
    f.write_text(json.dumps({"name": "as dag", "inputs": layers[0], "hidden": hidden,
                             "outputs": layers[-1], "edges": edges}))
    return f


LINEAR = ["2-2-2", "1-2-1", "2-3-2", "2-1-2", "3-2-3", "2-2-2-2", "1-2-2-1"]


@pytest.mark.parametrize("widths", LINEAR)
def test_a_dag_of_linear_neurons_is_the_linear_network(tmp_path, widths):
    w = [int(x) for x in widths.split("-")]
    dag = conservation_laws(load_lifting(str(layered_dag(tmp_path, w, "linear"))))
    short = conservation_laws(load_lifting(f"linear:{widths}"))
    assert dag.lifting.d == short.lifting.d == w[0] * w[-1]
    assert (dag.count, dag.upper, dag.argument) == (short.count, short.upper, short.argument)
    # balance + mixing laws span the entries of U_{k+1}ᵀU_{k+1} − U_kU_kᵀ
    assert dag.lower == short.lower


@pytest.mark.parametrize("widths", LINEAR[:5])
def test_the_product_of_matrices_is_the_linear_dags_lifting(tmp_path, widths):
    # rename the DAG's edge parameters w_u_v to U{k}_{i}_{j}: φ must be the same polynomials
    w = [int(x) for x in widths.split("-")]
    dag = load_lifting(str(layered_dag(tmp_path, w, "linear")))
    short = load_lifting(f"linear:{widths}")
    rename = dict(zip(dag.params, short.params, strict=True))
    text = [str(p) for p in dag.phi]
    for old in sorted(rename, key=len, reverse=True):
        text = [t.replace(old, rename[old]) for t in text]
    ring = short.ring
    import sympy

    syms = {n: sympy.Symbol(n) for n in short.params}
    assert Counter(str(ring.from_sympy(sympy.sympify(t.replace("^", "**"), locals=syms)))
                   for t in text) == Counter(str(p) for p in short.phi)


@pytest.mark.parametrize("widths", ["2-2-1", "3-2-1", "2-2-2", "2-3-2-1"])
def test_a_dag_of_relu_neurons_is_the_relu_network(tmp_path, widths):
    w = [int(x) for x in widths.split("-")]
    dag = conservation_laws(load_lifting(str(layered_dag(tmp_path, w, "relu"))))
    short = conservation_laws(load_lifting(f"relu:{widths}"))
    assert dag.lifting.kind == short.lifting.kind == "path"
    assert dag.lifting.d == short.lifting.d and dag.count == short.count == sum(w[1:-1])


@pytest.mark.parametrize("widths,verdict", [("2-2-2", "refuted"), ("2-1-2", "holds")])
def test_intrinsic_verdicts_agree_between_the_dag_and_the_shorthand(tmp_path, widths, verdict):
    w = [int(x) for x in widths.split("-")]
    dag = intrinsic(load_lifting(str(layered_dag(tmp_path, w, "linear"))))
    short = intrinsic(load_lifting(f"linear:{widths}"))
    assert dag.metric == short.metric == verdict
    assert dag.recoverability == short.recoverability
    assert (dag.checks[0].witness is None) == (short.checks[0].witness is None)


def test_the_mixed_example_has_five_laws():
    # 4 coordinates w_rj_y (w_xi_a w_a_rj + w_xi_b w_b_rj); laws: the GL(2) invariance of the
    # linear pair (a, b) gives 3 (two balances, one mixing law), each ReLU neuron its balance:
    # 5. The path-lifting (8 monomials) would have only the 4 balances.
    r = conservation_laws(load_lifting(str(ROOT / "examples" / "mixed.yaml")))
    assert r.lifting.kind == "network" and r.lifting.d == 4
    assert r.count == 5 and r.lower == 5
    sources = sorted(law.source for law in r.laws)
    assert sources == ["balance of neuron a", "balance of neuron b", "balance of neuron r1",
                       "balance of neuron r2", "mixing of linear neurons a, b"]


def test_the_same_dag_with_relu_neurons_only_has_the_path_lifting(tmp_path):
    text = (ROOT / "examples" / "mixed.yaml").read_text()
    f = tmp_path / "relu.yaml"
    f.write_text(text.replace("activation: linear", "activation: relu"))
    r = conservation_laws(load_lifting(str(f)))
    assert r.lifting.kind == "path" and r.lifting.d == 8 and r.count == 4


def test_a_bias_of_a_linear_neuron_joins_the_output_bias(tmp_path):
    # x -> a (linear) -> y, biases on a and y: the two bias paths reach y through no ReLU
    # neuron, so they are one coordinate b_y + b_a w_a_y (and x -> a -> y is the other)
    f = tmp_path / "b.yaml"
    f.write_text("inputs: [x]\nhidden: [{name: a, activation: linear}]\noutputs: [y]\n"
                 "edges: ['x -> a', 'a -> y']\nbiases: [a, y]\n")
    lf = load_lifting(str(f))
    assert sorted(str(p) for p in lf.phi) == ["w_a_y*b_a + b_y", "w_x_a*w_a_y"]


def test_the_mixed_certificate_checks_and_its_path_lifting_is_refused():
    cert = json.loads((ROOT / "proofs" / "mixed.json").read_text())
    assert check_certificate(cert).ok
    assert cert["claims"][0]["count"]["value"] == 5
    forged = json.loads(json.dumps(cert))
    forged["phi"] = [str(p) for p in load_lifting(str(ROOT / "examples" / "mixed.yaml")).phi[:2]]
    forged["phi"] += ["w_x1_a*w_a_r1*w_r1_y", "w_x1_b*w_b_r1*w_r1_y"]  # paths, not classes
    forged["content_hash"] = content_hash(forged)
    rep = check_certificate(forged)
    assert not rep.ok and rep.failed.step == "lifting"


def test_a_mixing_label_must_name_two_linear_neurons_with_the_same_neighbours():
    cert = json.loads((ROOT / "proofs" / "mixed.json").read_text())
    laws = cert["claims"][0]["laws"]
    k = next(i for i, law in enumerate(laws) if law["source"].startswith("mixing"))
    laws[k]["source"] = "mixing of linear neurons r1, r2"
    cert["content_hash"] = content_hash(cert)
    rep = check_certificate(cert)
    assert not rep.ok and rep.failed.step == "laws"


def test_the_latex_names_and_draws_the_neuron_kinds():
    tex = (ROOT / "proofs" / "mixed.tex").read_text()
    assert "a DAG with ReLU and linear hidden neurons" in tex and "path-lifting" not in tex
    assert r"\node[linear]" in tex and r"\node[relu]" in tex


@st.composite
def random_dags(draw):
    n_in, n_hidden = draw(st.integers(1, 2)), draw(st.integers(1, 4))
    n_out = draw(st.integers(1, 2))
    names = ([f"i{k}" for k in range(n_in)] + [f"h{k}" for k in range(n_hidden)]
             + [f"o{k}" for k in range(n_out)])
    kinds = ["input"] * n_in + ["hidden"] * n_hidden + ["output"] * n_out
    acts = [draw(st.sampled_from(["relu", "linear"])) if k == "hidden" else "linear"
            for k in kinds]
    edges = []
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            if kinds[a] != "output" and kinds[b] != "input" and draw(st.booleans()):
                edges.append((names[a], names[b], None))
    # every neuron on an input -> output path: connect each hidden neuron forward and backward
    for k in range(n_hidden):
        h = f"h{k}"
        edges.append((names[0], h, None)) if not any(e[1] == h for e in edges) else None
        o = names[-1]
        edges.append((h, o, None)) if not any(e[0] == h for e in edges) else None
    for o in names[n_in + n_hidden:]:
        if not any(e[1] == o for e in edges):
            edges.append((names[0], o, None))
    for i in names[:n_in]:
        if not any(e[0] == i for e in edges):
            edges.append((i, names[-1], None))
    biases = [v for v, k in zip(names, kinds, strict=True) if k != "input" and draw(st.booleans())]
    return list(zip(names, kinds, acts, strict=True)), sorted(set(edges)), biases


@settings(max_examples=40, deadline=None)
@given(random_dags())
def test_the_coordinate_count_is_predicted_exactly(dag):
    neurons, edges, biases = dag
    try:
        arch = from_description(neurons, edges, biases)
    except Exception:  # noqa: BLE001 - a random graph may leave a neuron off every path
        return
    lf = network_lifting(arch)
    assert arch.count_coordinates() == lf.d
    # the checker's independent count agrees
    data = {"kind": "dag", "name": "r", "inputs": arch.inputs,
            "hidden": [[v, arch.graph.nodes[v]["activation"]] for v in arch.hidden],
            "outputs": arch.outputs,
            "edges": [[u, v, arch.edge_param(u, v)] for u, v in arch.graph.edges],
            "biases": [[v, arch.bias(v)] for v in arch.graph.nodes if arch.bias(v)]}
    assert _class_count(_dag(data)) == lf.d
    assert nx.is_directed_acyclic_graph(arch.graph.to_networkx())


def test_limits_count_classes_not_paths(tmp_path):
    # a deep DAG of linear neurons has many paths but few coordinates: it is not refused
    f = layered_dag(tmp_path, [2, 3, 3, 3, 3, 3, 2], "linear")
    lf = load_lifting(str(f), max_paths=10)
    assert lf.d == 4 and lf.architecture.count_paths() == 2 * 3 ** 5 * 2
    res = CliRunner().invoke(cli, ["show", str(f), "--max-paths", "3"])
    assert res.exit_code == 2 and "d = 4" in res.stderr


# --- symflow.digraph: the small graph that replaces networkx at start-up gives networkx's orders


@st.composite
def random_dags(draw):
    """A random DAG on n nodes added in a shuffled order; an edge i -> j only for i < j."""
    n = draw(st.integers(1, 9))
    names = draw(st.permutations([f"v{i}" for i in range(n)]))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) \
        if pairs else []
    return [f"v{i}" for i in range(n)], names, [(f"v{i}", f"v{j}") for i, j in chosen]


@given(random_dags())
@settings(max_examples=150, deadline=None)
def test_the_small_digraph_orders_like_networkx(dag):
    from symflow import digraph as dg

    _, order, edges = dag
    ours, theirs = dg.DiGraph(), nx.DiGraph()
    for v in order:
        ours.add_node(v, kind="x")
        theirs.add_node(v, kind="x")
    for k, (u, v) in enumerate(edges):
        ours.add_edge(u, v, param=f"p{k}")
        theirs.add_edge(u, v, param=f"p{k}")
    assert list(dg.topological_sort(ours)) == list(nx.topological_sort(theirs))
    assert list(ours.edges) == list(theirs.edges)
    assert ours.edges(data=True) == list(theirs.edges(data=True))
    assert ours.nodes(data="kind") == list(theirs.nodes(data="kind"))
    for v in order:
        assert dg.descendants(ours, v) == nx.descendants(theirs, v)
        assert dg.ancestors(ours, v) == nx.ancestors(theirs, v)
        assert list(ours.successors(v)) == list(theirs.successors(v))
        assert list(ours.predecessors(v)) == list(theirs.predecessors(v))
    keep = order[::2]
    assert list(ours.subgraph(keep).edges) == list(theirs.subgraph(keep).copy().edges)
    assert dg.is_directed_acyclic_graph(ours) and not dg.find_cycle(ours)
    if edges:  # close a cycle through the first edge: both find one, and its edges exist
        u, v = edges[0]
        ours.add_edge(v, u)
        cycle = dg.find_cycle(ours)
        assert not dg.is_directed_acyclic_graph(ours) and cycle
        assert all(ours.has_edge(a, b) for a, b in cycle) and cycle[0][0] == cycle[-1][1]
