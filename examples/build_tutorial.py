"""Rebuild examples/tutorial.ipynb and run it, so that the outputs it shows are computed:

    python examples/build_tutorial.py

(tests/test_tutorial.py runs it again and compares the outputs.)"""

from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

cells = [
    new_markdown_cell("""# symflow: a tutorial

What gradient flow keeps, and when the flow of the parameters θ induces a flow of z = φ(θ) alone,
decided exactly for small networks. The mathematics is in `docs/` (start with `docs/index.md`).
Every output below was computed by running this notebook; the tests run it again."""),
    new_code_cell("import sympy\n\nimport symflow"),
    new_markdown_cell("""## 1. The scalar example: φ(u, v) = uv

Gradient flow on ℓ(uv) keeps u² − v²: its gradient (2u, −2v) is orthogonal to ∇φ = (v, u).
There is one such law, and only one (D − dim Lie(W_φ) = 2 − 1)."""),
    new_code_cell("u, v = sympy.symbols(\"u v\")\nsymflow.laws([u * v], [u, v])"),
    new_markdown_cell("""## 2. A two-layer ReLU network

The output depends on the weights through the products along the paths. Rescaling a hidden
neuron's incoming weights by λ > 0 and its outgoing weights by 1/λ changes no path, which gives
one *balance law* per hidden neuron, and there are no others."""),
    new_code_cell("symflow.laws(\"relu:3-2-1\")"),
    new_markdown_cell("""## 3. linear:2-2-2: the intrinsic properties fail, then hold on the balanced family

For a linear network z = U₂U₁ the laws are the entries of U₂ᵀU₂ − U₁U₁ᵀ. At a generic point the
flow of z is *not* determined by z and the laws: symflow finds an exact witness v against the
metric property."""),
    new_code_cell("r = symflow.intrinsic(\"linear:2-2-2\")\nprint(r)\nr.witnesses[0].T"),
    new_markdown_cell("""On the balanced family (U₂ᵀU₂ = U₁U₁ᵀ) a closed form K(z) exists and is verified exactly
at sample points: the metric and the dynamic property hold."""),
    new_code_cell("symflow.intrinsic(\"linear:2-2-2\", init=\"balanced\")"),
    new_markdown_cell("""## 4. The 2-5-2 surprise

The formula r(r+1)/2 suggests 15 laws for hidden width r = 5. There are 14: with input and
output width 2, the entries of U₂ᵀU₂ − U₁U₁ᵀ (a 5 × 5 matrix of rank at most 4) are not
independent. symflow computes the count; it never takes it from a formula."""),
    new_code_cell("r = symflow.laws(\"linear:2-5-2\")\nprint(r.count, \"laws; r(r+1)/2 =\", 5 * 6 // 2)"),
    new_markdown_cell("""## 5. A law that is not a polynomial: linear:1-2-2-1

Here d = 1, so Lie(W_φ) = span{∇φ} and the count D − 1 = 7 is exact. Only 6 laws are
polynomials (the entries of the two matrices H₁, H₂); the seventh exists by Frobenius'
theorem but is not of any form symflow searches."""),
    new_code_cell("r = symflow.laws(\"linear:1-2-2-1\")\nprint(r.count, \"laws,\", len(r.laws), \"written down\")"),
    new_markdown_cell("""A smaller non-polynomial case: φ = x₁² + x₂ keeps x₂ − ½ ln|x₁|."""),
    new_code_cell("x1, x2 = sympy.symbols(\"x1 x2\")\nsymflow.laws(x1**2 + x2).laws"),
    new_markdown_cell("""## 6. A numerical cross-check

`simulate` integrates the flow of a ReLU network in floats, across its kinks. The laws found
above stay constant to round-off; the loss decreases. (Floats: an illustration, not a proof.)"""),
    new_code_cell("""import matplotlib.pyplot as plt

sim = symflow.simulate("relu:2-3-1", time=2.0)
fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3))
a.plot(sim.times, sim.loss)
a.set_xlabel("t")
a.set_title("loss")
b.semilogy(sim.times, sim.law_drift.T + 1e-18)
b.set_xlabel("t")
b.set_title("drift of the laws")
plt.tight_layout()
print(f"largest drift of a law: {sim.max_law_drift:.1e}")"""),
    new_markdown_cell("""## 7. Beyond the origin: escape from a small initialisation [KH25]

With the activation max(s, 0)², a network is homogeneous of degree 3 and its gradient is
locally Lipschitz, the setting of [KH25]. Start gradient flow at δ·w₀ with δ small: near the
origin the direction of θ follows the *neural correlation function* N(w) = Σᵢ yᵢ H(xᵢ; w) and
settles on a KKT point w* of max N on the unit sphere (∇N = μw), one that is positive (N > 0)
and second-order. symflow finds these points exactly. On one data point (x, y) = (1, 1) with two
hidden neurons, the weight goes to **one** neuron: splitting it between both is a KKT point
too, but not a second-order one."""),
    new_code_cell("""kkt = symflow.ncf("relu^2:1-2-1", [[1]], [[1]])
for k in kkt.points:
    if k.positive:
        print(k.w, "N =", k.value, "| second order:", k.second_order)"""),
    new_markdown_cell("""Then the flow escapes along a limiting path and stalls at a *saddle*. `escape` integrates the
flow from δ·w* for several δ (the paths agree once shifted in time), finds the stationary point
where the path stalls **exactly**, verifies ∇L = 0 there, and proves it is a saddle: the
neuron that stayed at zero can grow and lower the loss. With x = 1, −1 and y = 1, 2, one
neuron fits one point (a ReLU² neuron is on one side of 0 only), so the second one is needed:
the plateau is a saddle, with loss ½."""),
    new_code_cell("""esc = symflow.escape("relu^2:1-2-1", [[1], [-1]], [[1], [2]], deltas=(1e-2, 1e-3),
                     horizon=30)
e = esc.escapes[0]
print("w* =", e.kkt.w, " paths within 1e-10 of each other:", max(e.gaps) < 1e-10)
print("θ* =", e.saddle.w)
print("loss", e.saddle.loss, "|", e.saddle.kind, "| ∇L = 0 exactly:", e.saddle.stationary)
fig, ax = plt.subplots(1, 2, figsize=(9, 3))
for tr in e.paths:
    ax[0].semilogy(tr.t, [max(n, 1e-18) for n in (tr.theta ** 2).sum(axis=1) ** 0.5],
                   label=f"δ = {tr.delta:g}")
    ax[1].plot(tr.t, tr.loss, label=f"δ = {tr.delta:g}")
ax[1].axhline(e.saddle.loss_approx, color="red", lw=0.8, label="exact saddle loss")
ax[0].set_title("‖θ‖ after the escape")
ax[1].set_title("loss: the plateau is the saddle")
for a in ax:
    a.set_xlabel("t − τ_δ")
    a.legend()
plt.tight_layout()"""),
    new_markdown_cell("""**Exercise.** Take x = 1, 2 and y = 1, 3 instead. Both data points are on the same side
of 0, so both neurons compute multiples of x². Is the stationary point where the flow stalls
still a saddle? (`escape` says whether it found an exact descent direction.) Then add a bias,
`relu^2:1-2-1+bias`: what does `homogeneity` say, and why does `escape` refuse?"""),
]
nb = new_notebook(cells=cells, metadata={"kernelspec": {
    "name": "python3", "display_name": "Python 3", "language": "python"}})
NotebookClient(nb, timeout=180, kernel_name="python3",
               resources={"metadata": {"path": str(HERE)}}).execute()
nbformat.write(nb, HERE / "tutorial.ipynb")
