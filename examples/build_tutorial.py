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
Every output below was computed by running this notebook; the tests run it again. Exercises are
marked **Exercise**; click *Answer* to unfold an answer."""),
    new_code_cell("import sympy\n\nimport symflow"),
    new_markdown_cell("""## 1. From gradient descent to gradient flow

You train θ ∈ R^D by gradient descent on a loss L(θ): θ_{k+1} = θ_k − η ∇L(θ_k). Read
θ_k as θ(kη): then (θ_{k+1} − θ_k)/η = −∇L(θ_k), and as the step η → 0 this becomes the ODE
θ'(t) = −∇L(θ(t)), **gradient flow**. Its analysis is simpler (no step size), and gradient
descent with a small step follows it closely (section 6 measures how closely).

For a network, L(θ) = ℓ(φ(θ)): the loss ℓ sees θ only through a *lifting* z = φ(θ) ∈ R^d (the
products of the weights along the paths of a ReLU network, the product U₂U₁ of a linear one).
By the chain rule ∇L(θ) = ∂φ(θ)ᵀ ∇ℓ(z) = Σᵢ ∂ᵢℓ(z) ∇φᵢ(θ): the flow moves θ along a
combination of the d fields ∇φ₁, …, ∇φ_d."""),
    new_markdown_cell("""## 2. Conservation laws, on φ(u, v) = uv

A **conservation law** is a function h(θ) that stays constant along *every* such flow, whatever
the loss ℓ. One line of chain rule says when:

d/dt h(θ(t)) = ⟨∇h, θ'⟩ = −Σᵢ ∂ᵢℓ(z) ⟨∇h(θ), ∇φᵢ(θ)⟩,

which vanishes for every ℓ exactly when ⟨∇h, ∇φᵢ⟩ = 0 for every i. For φ(u, v) = uv, ∇φ = (v, u)
and h = u² − v² has ∇h = (2u, −2v): ⟨∇h, ∇φ⟩ = 2uv − 2vu = 0. Check it with SymPy:"""),
    new_code_cell("""u, v = sympy.symbols("u v")
phi, h = u * v, u**2 - v**2
grad = lambda f: sympy.Matrix([f.diff(u), f.diff(v)])  # noqa: E731
print("<∇h, ∇φ> =", sympy.expand(grad(h).dot(grad(phi))))"""),
    new_markdown_cell("""**How many** independent laws are there? Let W_φ(θ) = span{∇φ₁(θ), …, ∇φ_d(θ)}, the
directions the flow can take at θ. Following these fields one after the other also moves θ along
their Lie brackets [X, Y] = ∂Y·X − ∂X·Y, so the flow can reach every direction of **Lie(W_φ)**,
the span of the fields and all their iterated brackets. A law must be orthogonal to all of
them, and the theorem of [MGP23] says the count is exactly D − dim Lie(W_φ)(θ) near a generic θ.

For uv by hand: W_φ = span{(v, u)} is one field, and the bracket of a field with itself is 0, so
Lie(W_φ) = W_φ has dimension 1 and there is D − 1 = 2 − 1 = **1** law: u² − v², and no other.
symflow computes the same, with the proof:"""),
    new_code_cell("symflow.laws([u * v], [u, v])"),
    new_markdown_cell("""## 3. A two-layer ReLU network

The output depends on the weights through the products along the paths. Rescaling a hidden
neuron's incoming weights by λ > 0 and its outgoing weights by 1/λ changes no path, which gives
one *balance law* per hidden neuron — and symflow proves there are no others: the brackets span
D − 2 dimensions at a point, and two laws with independent gradients bound it from above."""),
    new_code_cell("symflow.laws(\"relu:3-2-1\")"),
    new_markdown_cell("""**The 2-5-2 surprise.** For a linear network z = U₂U₁ the laws are the entries of
U₂ᵀU₂ − U₁U₁ᵀ, r(r+1)/2 of them for hidden width r. For r = 5 that suggests 15. There are 14:
with input and output width 2 the 5 × 5 matrix U₂ᵀU₂ − U₁U₁ᵀ has rank at most 4, so its entries
are not independent. symflow computes the count; it never takes it from a formula."""),
    new_code_cell("r = symflow.laws(\"linear:2-5-2\")\nprint(r.count, \"laws; r(r+1)/2 =\", 5 * 6 // 2)"),
    new_markdown_cell("""**Exercise.** Predict the number of laws of `linear:2-1-2` and of `relu:4-3-2`, then check
with `symflow.laws`.

<details><summary>Answer</summary>

`linear:2-1-2`: hidden width r = 1, so r(r+1)/2 = 1 law, (U₂ᵀU₂ − U₁U₁ᵀ) being 1 × 1.
`relu:4-3-2`: one balance law per hidden neuron, 3.
</details>"""),
    new_markdown_cell("""A law need not be a polynomial: for linear:1-2-2-1, d = 1, so Lie(W_φ) = span{∇φ} and
the count D − 1 = 7 is exact, but only 6 laws are polynomials; the seventh exists by Frobenius'
theorem. A smaller case: φ = x₁² + x₂ keeps x₂ − ½ ln|x₁|."""),
    new_code_cell("""r = symflow.laws("linear:1-2-2-1")
print(r.count, "laws,", len(r.laws), "written down")
x1, x2 = sympy.symbols("x1 x2")
symflow.laws(x1**2 + x2).laws"""),
    new_markdown_cell("""## 4. The intrinsic properties [MPG25]

The flow of θ moves z = φ(θ) by z' = −M(θ) ∇ℓ(z), with the metric M = ∂φ ∂φᵀ. When is this a
flow of z *alone*? Three properties, each implying the next:

* **recoverability**: θ is determined, near θ₀, by z = φ(θ) and the laws h(θ);
* **metric**: M(θ) = K(φ(θ), h(θ)) for a function K — so z' = −K(z, h(θ₀)) ∇ℓ(z), a flow of z;
* **dynamic**: the flow of z is such a flow, for the conserved values of h.

For `linear:2-2-2` at a generic point the metric property fails, and symflow proves it with a
**witness** v ∈ R^D, exact integers:"""),
    new_code_cell("""r = symflow.intrinsic("linear:2-2-2")
print(r)
L = symflow.laws("linear:2-2-2")
theta, theta0, w = L.symbols, r.points[0], r.witnesses[0]
print("θ0 =", dict(zip(map(str, theta), theta0, strict=True)))
unit = {str(t): round(float(x / w.norm()), 2) for t, x in zip(theta, w, strict=True)}
print("v  ≈", unit, "(normalised)")"""),
    new_markdown_cell("""What the witness says, checked here exactly with SymPy:

1. ∂φ(θ₀) v = 0 — moving θ₀ along v does not move z at first order;
2. ∂h(θ₀) v = 0 — nor the laws: v lies in Lie(W_φ)(θ₀), directions along which the values of
   z and h can be kept while θ moves;
3. ∂M(θ₀)[v] ≠ 0 — but the metric changes.

So near θ₀ there are parameters with the same z and the same h but different M: M cannot be a
function K(z, h) (a differentiable one: the witness refutes a differentiable K)."""),
    new_code_cell("""J = sympy.Matrix(L.phi).jacobian(theta)
H = sympy.Matrix(L.laws).jacobian(theta)
at = dict(zip(theta, theta0, strict=True))
s = sympy.Symbol("s")
M_along = (J * J.T).subs({t: t0 + s * x for t, t0, x in zip(theta, theta0, w, strict=True)})
print("∂φ(θ0) v  =", list(J.subs(at) * w))
print("∂h(θ0) v  =", list(H.subs(at) * w))
dM = M_along.diff(s).subs(s, 0)
print("∂M(θ0)[v] ≠ 0:", dM != sympy.zeros(*dM.shape))"""),
    new_markdown_cell("""On the balanced family (U₂ᵀU₂ = U₁U₁ᵀ) a closed form K(z) exists and is verified exactly
at sample points: there the metric and the dynamic property hold."""),
    new_code_cell("symflow.intrinsic(\"linear:2-2-2\", init=\"balanced\")"),
    new_markdown_cell("""## 5. A numerical cross-check

`simulate` integrates the flow of a ReLU network in floats, across its kinks. The laws stay
constant to round-off; the squared norm ‖θ‖², which is not a law, changes along with the loss.
(Floats: an illustration, not a proof.)"""),
    new_code_cell("""import matplotlib.pyplot as plt

sim = symflow.simulate("relu:2-3-1", time=2.0)
fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.2))
norm2 = (sim.thetas ** 2).sum(axis=1)
a.plot(sim.times, sim.loss, label="loss L(θ(t))")
a.plot(sim.times, norm2 / norm2[0], label="‖θ(t)‖² / ‖θ(0)‖² (not a law)")
a.set_xlabel("t")
a.legend()
for name, row in zip(sim.law_names, sim.law_drift, strict=True):
    b.semilogy(sim.times, row + 1e-18, label=f"law {name}")
b.set_xlabel("t")
b.set_title("relative drift |h(θ(t)) − h(θ0)| / ‖θ0‖²")
b.legend(fontsize=7)
plt.tight_layout()
print(f"largest drift of a law: {sim.max_law_drift:.1e}; ‖θ‖² changed by "
      f"{abs(norm2[-1] / norm2[0] - 1):.0%}")"""),
    new_markdown_cell("""## 6. Gradient descent keeps the laws only approximately

With a step η, gradient descent on ℓ(uv) changes h = u² − v² by exactly
h_{k+1} − h_k = −η² g_k² h_k per step (g_k = ∂ℓ at z_k): **O(η²) per step**, so O(η) over a fixed
time T = Kη. Halving η halves the drift, while the flow (η → 0) keeps h exactly. ‖θ‖² is not a
law: it moves by O(1) whatever η."""),
    new_code_cell("""def descent(eta, T=5.0, u=1.5, v=0.2, y=2.0):
    h0, n0 = u * u - v * v, u * u + v * v
    for _ in range(round(T / eta)):
        g = u * v - y  # ℓ(z) = ½(z − y)²
        u, v = u - eta * g * v, v - eta * g * u
    return abs(u * u - v * v - h0), abs(u * u + v * v - n0)

fig, ax = plt.subplots(figsize=(5, 3.2))
etas = [0.1, 0.05, 0.025, 0.0125]
drifts = [descent(e) for e in etas]
ax.loglog(etas, [d[0] for d in drifts], "o-", label="|h(θ_K) − h(θ_0)|, h = u² − v²")
ax.loglog(etas, [d[1] for d in drifts], "s--", label="|‖θ_K‖² − ‖θ_0‖²| (not a law)")
ax.set_xlabel("step η")
ax.legend(fontsize=8)
plt.tight_layout()
for e, (dh, dn) in zip(etas, drifts, strict=True):
    print(f"η = {e:<7} drift of h {dh:.2e}   change of ‖θ‖² {dn:.2f}")"""),
    new_markdown_cell("""**Exercise.** Gradient descent multiplies h by 1 − η²g² at each step. Start from a point
with u = v: what does h do then, for any step η?

<details><summary>Answer</summary>

h(θ₀) = 0, so h_{k+1} = (1 − η²g_k²)·0 = 0: the balanced set {u² = v²} is kept *exactly* by
gradient descent, not only by the flow.
</details>"""),
    new_markdown_cell("""## 7. Modern blocks [MGP25b]

A **residual block** y = x + W₂ relu(W₁x) adds a skip x → y with the fixed weight 1: its paths
carry no parameter, so they are constants of φ and change no law. The block has the laws of
relu:2-2-2, one per hidden neuron. An **attention head** sees its parameters only through the
products QKᵀ and VO, each a two-layer linear factorisation: its laws are the entries of
QᵀQ − KᵀK and VᵀV − OOᵀ (docs/architectures.md)."""),
    new_code_cell("""print(symflow.laws("res:relu:2").count, "laws with the skip,",
      symflow.laws("relu:2-2-2").count, "without it")
attn = symflow.laws("attn:2-1")
print(attn.count, "laws of an attention head:", attn.laws)"""),
    new_markdown_cell("""## 8. Beyond the origin: escape from a small initialisation [KH25]

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
    new_markdown_cell("""**Exercise.** With one data point (x, y) = (1, 1), which neurons are non-zero at the
positive second-order KKT points of `relu^2:1-2-1` printed above, and why is splitting the
weight between both neurons not second-order?

<details><summary>Answer</summary>

Exactly one hidden neuron is non-zero at each of them (the two points are the same up to
swapping the neurons). Each neuron's term of N is homogeneous of degree 3 in its own weights, so
with t and s the norms of the two neurons' weights (t² + s² = 1), the best N is proportional to
t³ + s³: smallest on the quarter circle at t = s, largest at (1, 0) and (0, 1). From the split
point, moving weight towards either neuron increases N: it is a KKT point (the printout shows
it) but it fails the second-order condition.
</details>"""),
]
nb = new_notebook(cells=cells, metadata={"kernelspec": {
    "name": "python3", "display_name": "Python 3", "language": "python"}})
NotebookClient(nb, timeout=180, kernel_name="python3",
               resources={"metadata": {"path": str(HERE)}}).execute()
nbformat.write(nb, HERE / "tutorial.ipynb")
