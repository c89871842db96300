"""Forged certificates: each edits the JSON and recomputes the content hash (anyone can), and
each must be rejected by `symflow check` at its own named step. One test per way to lie."""
import copy
import json
from pathlib import Path

import pytest
import sympy
from click.testing import CliRunner

from symflow.certificate.check import Context, Limits, Refused, architecture
from symflow.certificate.latex import render
from symflow.certificate.schema import content_hash
from symflow.certificate.verify import check_certificate
from symflow.cli import cli
from symflow.points import sample_points

PROOFS = Path(__file__).resolve().parent.parent / "proofs"


def load(name: str) -> dict:
    return json.loads((PROOFS / name).read_text())


def forged(cert: dict) -> dict:
    cert["content_hash"] = content_hash(cert)
    return cert


def rejected_at(cert: dict, step: str) -> str:
    rep = check_certificate(forged(cert))
    assert not rep.ok, "the forgery was accepted"
    assert rep.failed.step == step, rep.failed
    return rep.failed.message


def refused_at(cert: dict, step: str, limits: Limits | None = None) -> str:
    """A limit of the checker: a refusal (exit 2) named by its step, not a verdict."""
    with pytest.raises(Refused) as exc:
        check_certificate(forged(cert), limits=limits)
    assert exc.value.step == step, exc.value
    return str(exc.value)


def test_the_originals_are_valid():
    for name in ("relu-3-2-1.json", "linear-2-2-2.json", "linear-2-2-2-relaxed-balanced.json",
                 "linear-1-2-2-1.json", "uv.json", "skip.json"):
        assert check_certificate(load(name)).ok, name


# -- 1. parameters bound to the architecture ----------------------------------------------------
def test_an_extra_parameter_is_not_a_free_law():
    c = load("relu-3-2-1.json")
    c["parameters"].append("ghost")
    law = c["claims"][0]
    law["point"]["theta0"] = sample_points(0, len(c["parameters"]), 1)[0]
    law["laws"].append({"expression": "ghost^2", "source": "degree-2 search"})
    for b in law["brackets"]:
        b["value"].append(0)
    c["claims"] = [law]
    assert "parameters are not those of the architecture" in rejected_at(c, "architecture")


def test_a_duplicated_parameter_name_is_refused():
    c = load("relu-3-2-1.json")
    c["parameters"][-1] = c["parameters"][0]
    assert "duplicate parameter" in rejected_at(c, "architecture")


def test_parameters_in_another_order_are_refused():
    c = load("linear-2-2-2.json")
    c["parameters"][0], c["parameters"][1] = c["parameters"][1], c["parameters"][0]
    rejected_at(c, "architecture")


# -- labels bound to the evidence ---------------------------------------------------------------
def test_a_relabelled_certificate_fails():
    c = load("relu-3-2-1.json")
    c["name"] = "relu:3-3-1"
    assert "not the architecture's" in rejected_at(c, "architecture")


@pytest.mark.parametrize("kind", ["custom", "resnet", None])
def test_unknown_architecture_kinds_are_refused(kind):
    c = load("relu-3-2-1.json")
    c["architecture"] = {"kind": kind}
    rejected_at(c, "architecture")


def test_a_reduced_polynomial_cannot_borrow_a_network_name():
    c = load("uvw.json")
    for label in ("relu:3-2-1", "relu-3-2-1", "Linear 2-2-2"):
        c["name"] = c["architecture"]["name"] = label
        assert "may not look like a shorthand" in rejected_at(c, "architecture")


def test_a_declared_unused_parameter_must_really_be_unused():
    c = load("uv.json")
    c["architecture"]["unused_parameters"] = ["v"]
    rejected_at(c, "lifting")


def test_a_family_certificate_relabelled_generic_fails():
    c = load("linear-2-2-2-balanced.json")
    intr = c["claims"][1]
    intr["init"] = "generic"
    for p in intr["points"]:
        del p["family_seed"], p["lambdas"]
        p["seed"] = 0
    assert "seed 0" in rejected_at(c, "point")


def test_a_point_without_its_seed_is_refused():
    c = load("relu-3-2-1.json")
    del c["claims"][0]["point"]["seed"]
    rejected_at(c, "format")
    c = load("relu-3-2-1.json")
    del c["claims"][1]["points"][0]["seed"]
    rejected_at(c, "format")


def test_a_given_point_relabelled_generic_fails(tmp_path):
    at = tmp_path / "zero.json"
    at.write_text(json.dumps({"U1_1_1": 0, "U1_1_2": 1, "U1_2_1": 2, "U1_2_2": 3, "U2_1_1": 1,
                              "U2_1_2": 0, "U2_2_1": 1, "U2_2_2": 1}))
    res = CliRunner().invoke(cli, ["certify", "linear:2-2-2", "--at", str(at), "-o",
                                   str(tmp_path), "--no-pdf"])
    assert res.exit_code == 0, res.output
    c = json.loads((tmp_path / "linear-2-2-2-at-point.json").read_text())
    assert c["claims"][1]["init"] == "given point" and "given point" in c["claims"][1][
        "statement"]
    c["claims"][1]["init"] = "generic"
    c["claims"][1]["points"][0]["seed"] = 0
    rejected_at(c, "point")


def test_a_family_point_must_come_from_its_family_seed():
    c = load("linear-2-2-2-relaxed-balanced.json")
    from symflow.certificate.model import num
    from symflow.linear import relaxed_lambdas, sample

    other = sample([2, 2, 2], "relaxed-balanced", 99)  # on the family, not this seed's point
    p = c["claims"][1]["points"][0]
    p["theta0"] = [num(other[n]) for n in c["parameters"]]
    p["lambdas"] = [str(x) for x in relaxed_lambdas([2, 2, 2], other)]
    assert "family seed" in rejected_at(c, "point")


def test_a_point_listed_twice_is_one_piece_of_evidence():
    c = load("relu-3-2-1.json")
    pts = c["claims"][1]["points"]
    pts.append(copy.deepcopy(pts[0]))
    assert "listed twice" in rejected_at(c, "point")
    c = load("uv.json")
    pts = c["claims"][1]["points"]
    pts.append(copy.deepcopy(pts[0]))
    pts[1]["theta0"] = [f"{2 * x}/2" for x in pts[0]["theta0"]]  # the same point, other digits
    assert "canonical form" in rejected_at(c, "format")  # one spelling per number


@pytest.mark.parametrize("spelling", ["25", "50/2", "25/1", "-0/3", "+25", "025", "1/-2",
                                      "1 /2", "١٢"])
def test_a_number_has_one_spelling(spelling):
    c = load("uv.json")
    c["claims"][0]["point"]["theta0"][0] = spelling
    assert "canonical form" in rejected_at(c, "format")


def test_the_intrinsic_claim_rests_on_the_certified_laws():
    c = load("uv.json")
    c["claims"][1]["laws"] = []  # the intrinsic claim has no laws of its own to swap in
    rejected_at(c, "format")
    c = load("uv.json")
    c["claims"] = [c["claims"][1]]
    assert "first claim must be the law count" in rejected_at(c, "claims")
    c = load("uv.json")
    c["claims"] = c["claims"][::-1]
    rejected_at(c, "claims")


def test_a_seed_cannot_be_moved_off_its_point():
    c = load("relu-3-2-1.json")
    c["claims"][0]["point"]["seed"] = 1
    rejected_at(c, "point")


# -- 2. a forged Lie closure --------------------------------------------------------------------
def _words_in_span_of_generators(cert: dict) -> list[str]:
    """Depth-3 bracket words whose fields lie in the span of the generators g_j and together
    span them (they exist for linear:2-2-2: the span of the generators is not closed)."""
    ctx = Context(cert, architecture(cert, Limits()))

    def vec(word):
        out = []
        f = ctx.field(word)
        for k in range(ctx.D):
            p = sympy.Poly(f[k].as_expr() if k in f else 0, *ctx.syms)
            out += [p.coeff_monomial(s) for s in ctx.syms] + [p.coeff_monomial(1)]
        return out

    gens = sympy.Matrix([vec(f"g{j}") for j in range(1, ctx.d + 1)])
    chosen: list[str] = []
    rows = sympy.zeros(0, gens.shape[1])
    for i in range(1, ctx.d + 1):
        for j in range(1, ctx.d + 1):
            for k in range(1, ctx.d + 1):
                if j == k:
                    continue
                w = f"[g{i},[g{j},g{k}]]"
                v = sympy.Matrix([vec(w)])
                if gens.col_join(v).rank() != gens.rank():
                    continue  # not in span(g)
                if rows.col_join(v).rank() > rows.rank():
                    rows = rows.col_join(v)
                    chosen.append(w)
                if len(chosen) == ctx.d:
                    return chosen
    raise AssertionError("no such words")


def test_a_closure_whose_basis_holds_no_generator_is_checked_completely():
    c = load("linear-2-2-2.json")
    intr = c["claims"][1]
    p = intr["points"][0]
    ctx = Context(c, architecture(c, Limits()))
    point = [sympy.Rational(x) for x in p["theta0"]]
    basis = _words_in_span_of_generators(c)
    pts = [point] + [[sympy.Integer(x) for x in q] for q in sample_points(99, ctx.D, 3)]
    kvals = sympy.Matrix([[x for q in pts for x in ctx.field_at(ctx.field(w), q)] for w in basis]).T
    relations = {}
    for j in range(1, ctx.d + 1):
        g = sympy.Matrix([x for q in pts for x in ctx.field_at(ctx.field(f"g{j}"), q)])
        sol = kvals.solve_least_squares(g)
        relations[f"g{j}"] = [int(x) if x.q == 1 else str(x) for x in sol]
    # the fake: Lie(W_φ)(θ0) = span{g1..g4} "exactly", so the witness disappears
    p["brackets"] = [{"word": f"g{j}", "value": [int(x) for x in ctx.field_at(ctx.field(f"g{j}"),
                                                                        point)]}
                     for j in range(1, ctx.d + 1)]
    p["bracket_rank"] = ctx.d
    p["lie_closure"] = {"basis": basis, "relations": relations}
    p["lie_exact"] = True
    p["witness"] = None
    p["intersection_basis"] = []
    from symflow import prose
    p.update(prose.point_properties(p, ctx.D, ctx.d, False))
    intr.update(prose.claim_properties([p]))
    intr["statement"] = prose.intrinsic_statement(intr, ctx.D, [False], c["architecture"])
    c["claims"] = [c["claims"][0], intr]
    msg = rejected_at(c, "lie-closure")
    assert "neither in the basis nor related" in msg


def test_a_closure_relation_must_hold_identically():
    c = load("linear-1-2-2-1.json")
    lc = c["claims"][0]["lie_closure"]
    assert lc is not None
    lc["basis"] = ["g1", "[g1,g1]"]
    rejected_at(c, "lie-closure")


# -- 3. no vacuous step -------------------------------------------------------------------------
def test_a_closed_form_resting_on_no_check_fails():
    c = load("uv.json")
    cf = c["claims"][1]["closed_forms"][0]
    cf["identities"], cf["pointwise"] = [], []
    rejected_at(c, "closed-forms")


def test_a_certificate_that_claims_nothing_fails():
    c = load("relu-3-2-1.json")
    c["claims"] = []
    assert "no claims" in rejected_at(c, "claims")


def test_a_law_claim_with_no_evidence_fails():
    c = load("uv.json")
    law = c["claims"][0]
    law.update(laws=[], law_rank_at_theta0=0, brackets=[], bracket_rank_at_theta0=0,
               lie_closure=None, count={"lower": 0, "upper": 2, "exact": False, "value": None,
                                        "explicit": 0, "argument": None},
               proof="bounds", search=None)
    c["claims"] = [law]
    assert "no evidence" in rejected_at(c, "claim")


@pytest.mark.parametrize("donor,name", [("uv.json", "relu-3-2-1.json"),
                                        ("linear-2-2-2-balanced.json", "relu-3-2-1.json"),
                                        ("relu-3-2-1.json", "linear-2-2-2.json")])
def test_a_closed_form_is_matched_to_its_architecture(donor, name):
    c = load(name)
    c["claims"][1]["closed_forms"] = load(donor)["claims"][1]["closed_forms"]
    assert "does not apply" in rejected_at(c, "closed-forms")


def test_a_duplicated_claim_is_refused():
    c = load("relu-3-2-1.json")
    c["claims"].append(copy.deepcopy(c["claims"][0]))
    rejected_at(c, "claims")


# -- 4. prose is generated, never believed ------------------------------------------------------
def test_statements_are_regenerated():
    c = load("relu-3-2-1.json")
    c["claims"][1]["statement"] = "M ≡ 0"
    rejected_at(c, "statement")
    c = load("relu-3-2-1.json")
    c["claims"][0]["statement"] += " And P = NP."
    rejected_at(c, "statement")


@pytest.mark.parametrize("field", ["name", "formula", "conditions"])
def test_closed_form_texts_are_the_fixed_wording(field):
    c = load("uv.json")
    c["claims"][1]["closed_forms"][0][field] = "1 ≡ 2"
    assert "fixed wording" in rejected_at(c, "closed-forms")


def test_closed_form_check_texts_are_the_fixed_wording():
    c = load("uv.json")
    c["claims"][1]["closed_forms"][0]["identities"][0]["claim"] = "1 ≡ 2"
    rejected_at(c, "closed-forms")


def test_law_sources_are_checked():
    c = load("relu-3-2-1.json")
    laws = c["claims"][0]["laws"]
    laws[0]["source"], laws[1]["source"] = laws[1]["source"], laws[0]["source"]
    rejected_at(c, "laws")
    c = load("relu-3-2-1.json")
    c["claims"][0]["laws"][0]["source"] = "Theorem 3 of a paper"
    assert "unknown source" in rejected_at(c, "laws")
    c = load("linear-2-2-2.json")
    c["claims"][0]["laws"][0]["source"] = "(U2ᵀU2 − U1U1ᵀ)[2,2]"
    rejected_at(c, "laws")


def test_a_law_listed_twice_is_refused():
    c = load("relu-3-2-1.json")
    laws = c["claims"][0]["laws"]
    laws.append(dict(laws[0]))
    rejected_at(c, "laws")


@pytest.mark.parametrize("key,lie", [("recoverability", "holds"), ("metric", "holds"),
                                     ("dynamic", "holds"), ("frobenius", True)])
def test_an_overstated_property_fails(key, lie):
    c = load("linear-2-2-2.json")
    assert c["claims"][1][key] != lie
    c["claims"][1][key] = lie
    rejected_at(c, "verdict")


@pytest.mark.parametrize("key,lie", [("recoverability", "not decided"),
                                     ("metric", "not decided"), ("dynamic", "not decided"),
                                     ("frobenius", False), ("lie_locally_constant", None)])
def test_an_understated_point_property_fails(key, lie):
    c = load("linear-1-2-2-1.json")
    p = c["claims"][1]["points"][0]
    assert p[key] != lie
    p[key] = lie
    rejected_at(c, "verdict")


def test_an_intersection_basis_must_be_a_basis():
    c = load("linear-2-2-2-balanced.json")
    p = c["claims"][1]["points"][0]
    assert len(p["intersection_basis"]) == 1
    p["intersection_basis"] = []  # hides the direction on which the inclusion is tested
    assert "dimension 1" in rejected_at(c, "intersection")
    c = load("linear-2-2-2-balanced.json")
    p = c["claims"][1]["points"][0]
    p["intersection_basis"] = [[2 * x for x in p["intersection_basis"][0]]] * 2
    rejected_at(c, "intersection")


def test_the_latex_says_why_lie_is_exact():
    c = load("linear-1-2-2-1.json")
    tex = render(c)
    assert "close into a Lie algebra" in tex
    assert "equals D" not in tex  # 8 − 6 = 2 ≠ 1: exactness comes from the closure


# -- 5. bounded work and clean errors -----------------------------------------------------------
def _diamonds(n: int) -> dict:
    """A 10 KB DAG with 2^n paths: n diamonds in a row."""
    nodes = ["x"]
    edges, hidden = [], []
    prev = ["x"]
    for k in range(n):
        layer = [f"a{k}", f"b{k}"]
        hidden += [[v, "relu"] for v in layer]
        edges += [[u, v, f"w_{u}_{v}"] for u in prev for v in layer]
        prev = layer
        nodes += layer
    edges += [[u, "y", f"w_{u}_y"] for u in prev]
    return {"kind": "dag", "name": "diamonds", "inputs": ["x"], "hidden": hidden,
            "outputs": ["y"], "edges": edges, "biases": []}


def test_a_dag_with_2_to_the_40_paths_is_refused_before_any_work():
    c = load("skip.json")
    c["architecture"] = _diamonds(40)
    c["name"] = "diamonds"
    c["parameters"] = [e[2] for e in c["architecture"]["edges"]]
    assert len(json.dumps(c)) < 20_000
    from symflow.certificate.check import Refused

    with pytest.raises(Refused, match="d = 1099511627776") as exc:
        check_certificate(forged(c))
    assert "--max-paths" in str(exc.value)  # a refusal by the limits, not a verdict


def test_a_cyclic_dag_is_refused():
    c = load("skip.json")
    c["architecture"]["edges"].append(["y", "x1", "w_back"])
    assert "enters an input or leaves an output" in rejected_at(c, "architecture")
    c = load("skip.json")
    c["architecture"]["edges"].append(["b1", "a1", "w_back"])
    assert "cycle" in rejected_at(c, "architecture")


@pytest.mark.parametrize("mutate", [
    lambda c: c["claims"][0]["point"]["theta0"].__setitem__(0, "1/0"),
    lambda c: c["claims"][0]["point"]["theta0"].__setitem__(0, 1.5),
    lambda c: c.__setitem__("claims", "abc"),
    lambda c: c.__setitem__("claims", [1, 2]),
    lambda c: c.__setitem__("architecture", [1]),
    lambda c: c.__setitem__("parameters", ["a b"]),
    lambda c: c["claims"][0].__setitem__("count", None),
    lambda c: c.__setitem__("spec", "relu:3-2-1"),
], ids=["zero-denominator", "float", "claims-string", "claims-ints",
        "architecture-list", "bad-name", "count-null", "unknown-field"])
def test_malformed_fields_fail_at_format(mutate):
    c = load("relu-3-2-1.json")
    mutate(c)
    rejected_at(c, "format")


def test_a_number_beyond_the_digit_limit_is_refused_not_judged():
    c = load("relu-3-2-1.json")
    c["claims"][0]["point"]["theta0"][0] = "7" * 5000
    assert "4000 digits" in refused_at(c, "format")


def test_a_bracket_word_nested_3000_deep_is_refused():
    c = load("relu-3-2-1.json")
    c["claims"][0]["brackets"][0]["word"] = "[g1," * 3000 + "g2" + "]" * 3000
    assert "nested" in refused_at(c, "brackets")


def test_a_huge_law_is_refused():
    c = load("relu-3-2-1.json")
    c["claims"][0]["laws"][0]["expression"] = "(W1_1_1 + W1_1_2 + W1_1_3)^60"
    rejected_at(c, "laws")


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_deeply_nested_json_is_one_line_exit_2(tmp_path):
    f = tmp_path / "deep.json"
    f.write_text("[" * 100_000 + "]" * 100_000)
    res = run("check", str(f))
    assert res.exit_code == 2
    assert len(res.stderr.strip().splitlines()) == 1 and "nested too deeply" in res.stderr


def test_check_reports_every_file_and_exits_with_the_worst_status(tmp_path):
    bad = load("relu-3-2-1.json")
    bad["claims"][1]["metric"] = "refuted"
    (tmp_path / "bad.json").write_text(json.dumps(forged(bad)))
    (tmp_path / "junk.json").write_text("{not json")
    good = PROOFS / "uv.json"
    res = run("check", str(good), str(tmp_path / "bad.json"), str(tmp_path / "junk.json"))
    assert res.exit_code == 2
    assert "valid" in res.stdout and "INVALID" in res.stdout and "step 'verdict'" in res.stdout
    assert "UNREADABLE" in res.stderr
    res = run("check", str(good), str(tmp_path / "bad.json"))
    assert res.exit_code == 1
    res = run("check", str(tmp_path))  # a directory: every *.json in it
    assert res.exit_code == 2 and "bad.json" in res.stdout and "junk.json" in res.stderr


def test_the_limits_of_check_are_flags():
    res = run("check", "--max-params", "5", str(PROOFS / "relu-3-2-1.json"))
    assert res.exit_code == 2 and "REFUSED" in res.stderr and "--max-params" in res.stderr


# -- found by an adversarial review ------------------------------------------------------------
def test_a_look_alike_name_is_refused():
    c = load("uvw.json")
    c["name"] = c["architecture"]["name"] = "relu\u22363-2-1"  # RATIO, not a colon
    assert "ASCII" in rejected_at(c, "architecture")


def test_a_look_alike_name_is_refused_at_input(tmp_path):
    f = tmp_path / "fake.yaml"
    f.write_text("name: \"relu\u22363-2-1\"\nparameters: [u, v]\nphi: ['u*v']\n")
    res = run("laws", str(f))
    assert res.exit_code == 2 and "ASCII" in res.stderr


def test_duplicate_json_keys_are_unreadable(tmp_path):
    text = (PROOFS / "relu-3-2-1.json").read_text()
    text = text.replace('"name": "relu:3-2-1",', '"name": "relu:3-3-3",\n "name": "relu:3-2-1",', 1)
    f = tmp_path / "dup.json"
    f.write_text(text)
    res = run("check", str(f))
    assert res.exit_code == 2 and "occurs twice" in res.stderr


def test_every_recorded_relation_is_verified():
    c = load("uv.json")
    c["claims"][0]["lie_closure"]["relations"] = {"[g1,[g1,g1]]": [7]}
    assert "not the recorded combination" in rejected_at(c, "lie-closure")
    c = load("uv.json")
    c["claims"][0]["lie_closure"]["relations"] = {"g1": [2]}
    assert "both a basis word and related" in rejected_at(c, "lie-closure")


def test_a_search_degree_beyond_the_limits_is_an_unknown_source():
    c = load("uv.json")
    c["claims"][0]["laws"][0]["source"] = "degree-" + "9" * 150 + " search"
    assert "unknown source" in rejected_at(c, "laws")


@pytest.mark.parametrize("expr", [
    "(W1_1_1+W1_1_2+W1_1_3+W1_2_1)**(32+32)",
    "(W1_1_1+W1_1_2)**+16",
    "W1_1_1*((((9**64)**64)**64)**64)",
])
def test_expansion_bombs_are_refused_before_expansion(expr):
    """A canonical polynomial has no parentheses and no nested powers: refused by the grammar,
    before anything is parsed or expanded."""
    c = load("uvw.json")
    c["phi"][0] = expr.replace("W1_1_1", "u").replace("W1_1_2", "v").replace("W1_1_3", "w")
    assert "not a polynomial in canonical form" in rejected_at(c, "lifting")
    c = load("relu-3-2-1.json")  # a network's φ is compared with its rebuilt text first
    c["phi"][0] = expr
    assert "not the lifting" in rejected_at(c, "lifting")


def test_deep_bracket_words_are_refused_by_the_work_budget():
    c = load("linear-2-2-2-2.json")
    w = "g1"
    for k in range(16):
        w = f"[{'g4' if k % 2 == 0 else 'g1'},{w}]"
    c["claims"][0]["brackets"][-1]["word"] = w
    from symflow.certificate.check import Refused

    with pytest.raises(Refused, match="term products|GB of polynomials|predicted"):  # by size
        check_certificate(forged(c))


def test_family_points_of_wide_nets_are_refused():
    from symflow.certificate.check_intrinsic import _family_point

    c = load("linear-2-2-2-balanced.json")
    c["architecture"]["widths"] = [1, 60, 1]
    c["name"] = "linear:1-60-1"
    c["parameters"] = [f"U1_{i}_1" for i in range(1, 61)] + [f"U2_1_{i}" for i in range(1, 61)]
    c["phi"] = [" + ".join(f"U1_{i}_1*U2_1_{i}" for i in range(1, 61))]
    ctx = Context(c, architecture(c, Limits()))
    with pytest.raises(Refused) as err:  # a limit of the checker: exit 2, not INVALID
        _family_point(ctx, "balanced", {"family_seed": 0, "lambdas": [0]},
                      [sympy.Integer(1)] * 120, "")
    assert err.value.step == "point" and "widths ≤ 40" in str(err.value)


def test_closed_forms_of_large_liftings_are_refused():
    c = load("relu-3-2-1.json")
    c["claims"][1]["closed_forms"] = load("relu-2-3-3-1-bias.json")["claims"][1]["closed_forms"]
    assert check_certificate(forged(c)).ok  # the path-metric identity applies to any path-lifting
    from symflow.wording import MAX_CLOSED_FORM_COORDS
    assert MAX_CLOSED_FORM_COORDS == 100


def test_a_long_sum_is_read_without_recursion(tmp_path):
    f = tmp_path / "long.yaml"
    f.write_text("parameters: [u, v]\nphi: ['" + " + ".join(["u*v"] * 1500) + "']\n")
    res = run("certify", str(f), "-o", str(tmp_path), "--no-pdf")
    assert res.exit_code == 0, res.output
    c = json.loads((tmp_path / "long.json").read_text())
    c["phi"] = [" + ".join(["u*v"] * 1500)]  # the 1500-term sum itself, in the certificate
    assert "canonical form" in rejected_at(c, "lifting")  # it is 1500*u*v, written once
    names = [f"x{i}" for i in range(1, 1001)]
    f.write_text(f"parameters: [{', '.join(names)}]\nphi: ['{' + '.join(names)}']\n")
    res = run("certify", str(f), "-o", str(tmp_path), "--no-pdf")
    assert res.exit_code == 0, res.output
    c = json.loads((tmp_path / "long.json").read_text())
    assert c["phi"] == [" + ".join(names)]  # a 1000-term sum, in canonical order
    assert check_certificate(c).ok


@pytest.mark.parametrize("text", ["\ud800", "\r valid    proofs/uv.json"])
def test_failure_messages_are_printable(tmp_path, text):
    c = load("uv.json")
    c["claims"][0]["laws"][0]["source"] = text
    f = tmp_path / "odd.json"
    f.write_text(json.dumps(forged(c)))
    res = run("check", str(f))
    assert res.exit_code == 1 and "\r" not in res.stdout and "step 'laws'" in res.stdout


def test_a_dag_of_linear_neurons_is_certified_as_the_linear_network(tmp_path):
    dag = tmp_path / "lin.yaml"
    dag.write_text("inputs: [x1, x2]\nhidden: [{name: a, activation: linear}, "
                   "{name: b, activation: linear}]\noutputs: [y1, y2]\n"
                   "edges: [x1 -> a, x2 -> a, x1 -> b, x2 -> b, a -> y1, a -> y2, b -> y1, "
                   "b -> y2]\n")
    res = run("certify", str(dag), "-o", str(tmp_path), "--no-pdf")
    assert res.exit_code == 0, res.output
    c = json.loads((tmp_path / "lin.json").read_text())
    assert len(c["phi"]) == 4 and c["claims"][0]["count"]["value"] == 3  # as linear:2-2-2
    assert c["claims"][1]["metric"] == "refuted"
    assert "DAG of linear neurons" in (tmp_path / "lin.tex").read_text()
    c["architecture"]["hidden"] = [[v, "relu"] for v, _ in c["architecture"]["hidden"]]
    rejected_at(c, "lifting")  # relabelling the neurons changes the lifting


# -- issue 10: logarithmic laws, the argument for an exact count, the negative search ----------
def test_the_new_library_entries_are_valid():
    for name in ("parabola.json", "cubic.json", "linear-1-2-2-1.json"):
        assert check_certificate(load(name)).ok, name


def test_a_wrong_logarithm_coefficient_is_not_a_law():
    c = load("parabola.json")
    c["claims"][0]["laws"][0]["logs"][0]["coefficient"] = "-1/3"
    assert "not conserved" in rejected_at(c, "laws")


def test_a_logarithmic_law_cannot_pose_as_a_polynomial_search_result():
    c = load("parabola.json")
    c["claims"][0]["laws"][0]["source"] = "degree-4 search"
    assert "kind of the law" in rejected_at(c, "laws")


def test_a_log_factor_with_zero_coefficient_is_refused():
    c = load("parabola.json")
    c["claims"][0]["laws"][0]["logs"].append({"coefficient": 0, "factor": "x2"})
    rejected_at(c, "laws")


@pytest.mark.parametrize("argument,value", [("closure", 7), (None, None)])
def test_the_count_argument_is_recomputed(argument, value):
    # overstating (a closure that is not there) and understating (bounds only) both fail
    c = load("linear-1-2-2-1.json")
    cnt = c["claims"][0]["count"]
    cnt.update(argument=argument, value=value, exact=value is not None)
    rejected_at(c, "claim")


def test_an_exact_count_without_its_argument_is_refused():
    c = load("cubic.json")
    c["claims"][0]["lie_closure"] = None  # the closure is what makes the count exact here
    rejected_at(c, "claim")


def test_a_hidden_darboux_polynomial_is_found():
    c = load("cubic.json")
    assert c["claims"][0]["search"]["darboux"] == ["a"]
    c["claims"][0]["search"]["darboux"] = []
    assert "Darboux" in rejected_at(c, "search")


def test_a_negative_search_that_hides_a_law_is_refused():
    # drop the explicit law a^2 - 2b^2 and claim the search found nothing beyond no law
    c = load("cubic.json")
    claim = c["claims"][0]
    claim["laws"] = []
    claim["law_rank_at_theta0"] = 0
    claim["count"].update(lower=0, explicit=0)
    c["claims"] = [claim]
    assert "independent of the explicit ones" in rejected_at(c, "search")


def test_a_search_beyond_the_checkers_limit_is_refused():
    c = load("linear-1-2-2-1.json")
    c["claims"][0]["search"]["degree"] = 9
    assert "predicted" in refused_at(c, "search")  # 24 309 monomials: refused by its cost
    assert "checker's limit" in refused_at(c, "search", Limits(max_seconds=1e6))


def test_a_search_record_is_required_to_match_the_statement():
    c = load("linear-1-2-2-1.json")
    c["claims"][0]["search"] = None  # the statement mentions the search: it must be regenerated
    rejected_at(c, "statement")


def _two_part_certificate(tmp_path) -> dict:
    """x1 x2 + x3 (a logarithmic law through an eigen-form) beside a² b + c (a law that is not
    elementary): 4 laws exactly (closed Lie algebra), 3 explicit, the search recorded."""
    f = tmp_path / "two.yaml"
    f.write_text("name: two\nparameters: [x1, x2, x3, a, b, c]\n"
                 "phi: ['x1*x2 + x3', 'a^2*b + c']\n")
    res = run("certify", str(f), "-o", str(tmp_path), "--no-pdf")
    assert res.exit_code == 0, res.output
    return json.loads((tmp_path / "two.json").read_text())


def test_the_checker_recomputes_eigen_form_darboux_polynomials(tmp_path):
    c = _two_part_certificate(tmp_path)
    claim = c["claims"][0]
    assert claim["count"]["value"] == 4 and claim["count"]["explicit"] == 3
    assert "x1 + x2" in claim["search"]["darboux"]
    assert check_certificate(c).ok
    claim["search"]["darboux"].remove("x1 + x2")
    assert "Darboux" in rejected_at(c, "search")


@pytest.mark.parametrize("logs,needle", [
    ([{"coefficient": "-1/4", "factor": "x1^2"}], "irreducible"),
    ([{"coefficient": "-1/2", "factor": "x1"}, {"coefficient": 1, "factor": "x1 + 1"},
      {"coefficient": -1, "factor": "x1 + 1"}], "Darboux"),
])
def test_log_factors_must_be_distinct_irreducible_darboux_polynomials(logs, needle):
    c = load("parabola.json")
    c["claims"][0]["laws"][0]["logs"] = logs
    assert needle in rejected_at(c, "laws")


def test_a_log_search_label_beyond_the_engines_degrees_is_refused():
    c = load("parabola.json")
    c["claims"][0]["laws"][0]["source"] = "logarithmic search, degree ≤ 99"
    assert "its source is 'logarithmic search, degree ≤ 1'" in rejected_at(c, "laws")


def test_a_bracket_value_must_be_recorded_in_its_canonical_form():
    """A positive multiple of the true value changes no rank, but it is not the recorded value
    the format defines (the value over the gcd of its entries): rejected."""
    for name in ("linear-2-2-2.json", "relu-3-2-1.json", "cubic.json"):
        c = load(name)
        b = c["claims"][0]["brackets"][-1]
        b["value"] = [3 * int(x) for x in b["value"]]
        assert "divided by the gcd" in rejected_at(c, "brackets")


# -- labels and polynomials: one spelling each ----------------------------------------------------
@pytest.mark.parametrize("source", [
    "(U২ᵀU২ − U১U১ᵀ)[১,১]",  # Bengali digits: int() reads them, the grammar does not
    "(U2ᵀU2 − U1U1ᵀ)[01,1]",  # a leading zero
    "(U2ᵀU2 − U1U1ᵀ)[1, 1]",  # a space
    "(U3ᵀU2 − U1U1ᵀ)[1,1]",  # an inconsistent k
    "degree-02 search",
    "balance of neuron h1_1 ",
])
def test_a_label_outside_its_grammar_is_an_unknown_source(source):
    c = load("linear-2-2-2.json")
    c["claims"][0]["laws"][0]["source"] = source
    assert "unknown source" in rejected_at(c, "laws")


@pytest.mark.parametrize("degree", [1, 3, 4, 99])
def test_a_search_label_carries_the_law_s_own_degree(degree):
    """u² − v² is found by a degree-2 search: a label claiming a search of another degree (a
    bound the file would choose, up to 99) is rejected, with the label it must carry."""
    c = load("uv.json")
    c["claims"][0]["laws"][0]["source"] = f"degree-{degree} search"
    assert "its source is 'degree-2 search'" in rejected_at(c, "laws")


@pytest.mark.parametrize("text", [
    "-v^2 + u^2",  # the same polynomial, terms in another order
    "u^2 - v^2 + 0",  # a zero term
    "u^2 -  v^2",  # a double space
    "u**2 - v**2",  # another power sign
    "u*u - v^2",  # an unmerged power
    "2/2*u^2 - v^2",  # a coefficient not in lowest terms
    "u^2 - v^2 # a comment",
    "u^2 - v^2\n",
])
def test_a_law_in_another_spelling_is_rejected(text):
    c = load("uv.json")
    c["claims"][0]["laws"][0]["expression"] = text
    assert "canonical form" in rejected_at(c, "laws")
