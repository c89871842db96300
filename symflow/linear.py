"""Linear networks φ(U_1..U_L) = U_L⋯U_1: initialisation families and their intrinsic metric.

Definitions implemented (docs/intrinsic.md, "Relaxed balance"; [MPG25]). With
H_k = U_{k+1}ᵀU_{k+1} − U_kU_kᵀ (the conservation laws, one symmetric n_k × n_k matrix per
hidden layer k = 1..L−1):

* **balanced**: H_k = 0 for every k;
* **relaxed balanced**: H_k = λ_k I_{n_k} for scalars λ_1..λ_{L−1} (λ = 0 is balanced).

Under the flow z' = −Σ_j A_j ∇ℓ(z) B_j with A_j = U_{L:j+1}U_{L:j+1}ᵀ and B_j = U_{j−1:1}ᵀU_{j−1:1}.
On a relaxed-balanced level set with c_k = λ_1 + … + λ_{k−1} (c_1 = 0), and all widths equal
(or λ = 0 and any widths):

    A_j = ∏_{k=j+1}^{L} (S + c_k I),   B_j = ∏_{k=1}^{j−1} (S' + c_k I),

where S is the unique symmetric matrix with S + c_k I ⪰ 0 for all k and ∏_k (S + c_k I) = z zᵀ,
and S' the same for zᵀz. Hence M(θ) = K(z, λ) (balanced: A_j = (zzᵀ)^{(L−j)/L},
B_j = (zᵀz)^{(j−1)/L}).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import flint

from .errors import SymflowError
from .wording import LINEAR_POINT_CHECKS

Q = flint.fmpq
Mat = flint.fmpq_mat


def identity(n: int) -> flint.fmpq_mat:
    return Mat([[Q(int(i == j)) for j in range(n)] for i in range(n)])


def zeros(m: int, n: int) -> flint.fmpq_mat:
    return Mat([[Q(0)] * n for _ in range(m)])


def cayley(n: int, rng: random.Random) -> flint.fmpq_mat:
    """A rational orthogonal matrix (I − A)(I + A)^{-1} from a random integer skew matrix A."""
    if n == 1:
        return Mat([[Q(rng.choice((-1, 1)))]])
    a = zeros(n, n)
    for i in range(n):
        for j in range(i + 1, n):
            x = Q(rng.choice((-1, 1)) * rng.randint(1, 3), rng.randint(1, 3))
            a[i, j] = x
            a[j, i] = -x
    eye = identity(n)
    return (eye - a) * (eye + a).inv()


def _check_widths_for_relaxed(widths: list[int]) -> None:
    if len(set(widths)) != 1 or widths[0] > 2:
        raise SymflowError(
            "relaxed-balanced samples with λ ≠ 0 are implemented for two-layer nets of any widths "
            "and for deeper nets whose widths are all equal to 1 or 2 (got "
            f"{'-'.join(map(str, widths))}); use --init balanced")


def _one_sided(widths: list[int], lam: flint.fmpq, rng: random.Random) -> dict[str, flint.fmpq]:
    """A relaxed-balanced point of n-r-m with r > min(n, m): only one factor can have full
    column rank. λ > 0 (r ≤ m): U₁ = [diag(y), 0] with y_i = 0 beyond n, U₂ = [diag(x); 0] with
    x_i² = y_i² + λ (λ is a square); λ < 0 symmetrically. Then rotated by rational orthogonal
    matrices O_m, O_r, O_n."""
    n, r, m = widths
    mu2 = abs(lam)
    mu = Q(int(round(float(mu2) ** 0.5)))
    if mu * mu != mu2:  # pragma: no cover - λ is drawn as ± a square
        raise SymflowError("internal: λ must be ± a square")
    big, small = [], []  # |σ_big|² − |σ_small|² = |λ|
    for i in range(r):
        if i < (n if lam > 0 else m):
            t = Q(rng.randint(1, 9), rng.randint(1, 4))
            x, y = (mu2 / t + t) / 2, (mu2 / t - t) / 2
            if y == 0:
                x, y = mu, Q(0)
        else:
            x, y = mu, Q(0)
        big.append(x)
        small.append(y)
    s2, s1 = (big, small) if lam > 0 else (small, big)
    v2, v1 = zeros(m, r), zeros(r, n)
    for i in range(r):
        if i < m:
            v2[i, i] = s2[i]
        if i < n:
            v1[i, i] = s1[i]
    o_r = cayley(r, rng)
    return _named([o_r * v1 * cayley(n, rng), cayley(m, rng) * v2 * o_r.transpose()])


def _named(us: list[flint.fmpq_mat]) -> dict[str, flint.fmpq]:
    """{U{k}_{i}_{j}: entry} for the matrices U_1, U_2, …"""
    return {f"U{k}_{i + 1}_{j + 1}": Q(u[i, j]) for k, u in enumerate(us, 1)
            for i in range(u.nrows()) for j in range(u.ncols())}


def _singular_values(widths: list[int], family: str, rng: random.Random) -> list[list]:
    """σ[k][i]: the i-th singular value of U_{k+1} (k = 0..L−1) in the aligned construction."""
    L = len(widths) - 1

    def rnd() -> flint.fmpq:
        return Q(rng.randint(1, 9), rng.randint(1, 4))

    if family == "balanced":
        m = min(widths)
        common = [rnd() for _ in range(m)]
        return [common + [Q(0)] * (min(widths[k], widths[k + 1]) - m) for k in range(L)]
    _check_widths_for_relaxed(widths)
    r = widths[0]
    if r == 1:
        return [[rnd()] for _ in range(L)]
    # r == 2: (y_k, x_k) with x_k² − y_k² = δ for every layer k, so that
    # λ_k = σ_{k+1,i}² − σ_{k,i}² is the same for both indices i.
    delta = Q(rng.randint(5, 40))
    out = []
    used: set = set()
    while len(out) < L:
        t = Q(rng.randint(1, 12), rng.randint(1, 5))
        y, x = (delta / t - t) / 2, (delta / t + t) / 2
        if y == 0 or t in used:
            continue
        used.add(t)
        out.append([y, x])
    return out


def relaxed_sign(widths: list[int]) -> int:
    """The sign of λ for relaxed-balanced samples of a two-layer net n-r-m: U₂ᵀU₂ = λI + U₁U₁ᵀ
    ≻ 0 needs r ≤ m when λ > 0, U₁U₁ᵀ = U₂ᵀU₂ − λI ≻ 0 needs r ≤ n when λ < 0; +1 when both
    are possible. Raises when the family with λ ≠ 0 is empty (r > max(n, m))."""
    n, r, m = widths
    if r <= m:
        return 1
    if r <= n:
        return -1
    raise SymflowError(
        f"the relaxed-balanced family with λ ≠ 0 is empty for linear:{n}-{r}-{m}: λ > 0 needs "
        f"U₂ᵀU₂ = λI + U₁U₁ᵀ ≻ 0, so r ≤ {m}, and λ < 0 needs U₁U₁ᵀ ≻ 0, so r ≤ {n} (here "
        f"r = {r}); use --init balanced")


def level_point(widths: list[int], h: flint.fmpq_mat, seed: int = 0) -> dict[str, flint.fmpq]:
    """An exact rational point of the level set U₂ᵀU₂ − U₁U₁ᵀ = H of linear:n-r-m, r ≤ min(n, m).

    H = L Λ Lᵀ with L invertible (LDLᵀ after a random rational congruence if a leading minor
    vanishes); x_i² − y_i² = Λ_i with x, y = (Λ_i/t ± t)/2; then U₂ = O_m [diag(x); 0] Lᵀ and
    U₁ = L [diag(y), 0] O_n with rational orthogonal O_m, O_n, so that
    U₂ᵀU₂ − U₁U₁ᵀ = L diag(x² − y²) Lᵀ = H."""
    n, r, m = widths
    if r > min(n, m):
        raise SymflowError(f"level-set points are built for linear:n-r-m with r ≤ min(n, m) "
                           f"(here {n}-{r}-{m})")
    if h.nrows() != r or h.ncols() != r or h != h.transpose():
        raise SymflowError(f"the level H must be a symmetric {r} × {r} matrix")
    rng = random.Random(seed)
    p, diag = congruence_diagonal(h)
    ell = p.inv()  # H = ell · diag(Λ) · ellᵀ
    xs, ys = [], []
    for lam in diag:
        while True:
            t = Q(rng.randint(1, 9), rng.randint(1, 4))
            x, y = (lam / t + t) / 2, (lam / t - t) / 2
            if y != 0 and x != 0:
                break
        xs.append(x)
        ys.append(y)
    v2, v1 = zeros(m, r), zeros(r, n)
    for i in range(r):
        v2[i, i], v1[i, i] = xs[i], ys[i]
    u2 = cayley(m, rng) * v2 * ell.transpose()
    return _named([ell * v1 * cayley(n, rng), u2])


def congruence_diagonal(h: flint.fmpq_mat) -> tuple[flint.fmpq_mat, list]:
    """P invertible and Λ with P H Pᵀ = diag(Λ), for any symmetric rational H (singular
    included), by symmetric elimination: a zero pivot is replaced by a non-zero diagonal entry
    further down, or made non-zero by adding a row and column with a non-zero entry."""
    r = h.nrows()
    a, p = Mat(h), identity(r)

    def swap(i: int, j: int) -> None:
        for m in (a, p):
            for c in range(m.ncols()):
                m[i, c], m[j, c] = m[j, c], m[i, c]
        for row in range(r):
            a[row, i], a[row, j] = a[row, j], a[row, i]

    def add(i: int, j: int, c: flint.fmpq) -> None:  # row/col i += c · row/col j
        for m in (a, p):
            for col in range(m.ncols()):
                m[i, col] += c * m[j, col]
        for row in range(r):
            a[row, i] += c * a[row, j]

    for k in range(r):
        if a[k, k] == 0:
            j = next((j for j in range(k + 1, r) if a[j, j] != 0), None)
            if j is not None:
                swap(k, j)
            else:
                j = next((j for j in range(k + 1, r) if a[k, j] != 0), None)
                if j is None:
                    continue  # row k is zero: Λ_k = 0
                add(k, j, Q(1))  # a[k,k] becomes 2·a[k,j] ≠ 0 (a[j,j] = 0)
        for i in range(k + 1, r):
            if a[i, k] != 0:
                add(i, k, -a[i, k] / a[k, k])
    return p, [Q(a[i, i]) for i in range(r)]


def random_level(r: int, rng: random.Random) -> flint.fmpq_mat:
    """A random symmetric r × r rational matrix that is not a multiple of I."""
    while True:
        h = zeros(r, r)
        for i in range(r):
            for j in range(i, r):
                h[i, j] = h[j, i] = Q(rng.randint(-9, 9), rng.randint(1, 3))
        if r > 1 and h != h[0, 0] * identity(r):
            return h


def sample(widths: list[int], family: str, seed: int = 0) -> dict[str, flint.fmpq]:
    """An exact rational point θ of the family ("balanced" or "relaxed-balanced").

    Built as U_k = O_k Σ_k O_{k−1}ᵀ with rational orthogonal O_k (Cayley transform) and
    "diagonal" Σ_k whose squared entries differ by the same λ_k at every index. A two-layer net
    n-r-m gets relaxed-balanced samples for any widths where λ ≠ 0 is possible (relaxed_sign);
    deeper nets for widths all equal to 1 or 2.
    """
    rng = random.Random(seed)
    if family == "relaxed-balanced" and len(widths) == 3 and (
            len(set(widths)) > 1 or widths[0] > 2):
        sign = relaxed_sign(widths)
        if widths[1] <= min(widths[0], widths[2]):
            sign = rng.choice((1, -1))  # both signs are possible
        lam = sign * Q(rng.randint(1, 6)) ** 2
        r = widths[1]
        h = lam * identity(r)
        return level_point(widths, h, seed) if r <= min(widths[0], widths[2]) else (
            _one_sided(widths, lam, rng))
    L = len(widths) - 1
    sigma = _singular_values(widths, family, rng)
    orth = [cayley(n, rng) for n in widths]
    point: dict[str, flint.fmpq] = {}
    for k in range(1, L + 1):
        n_out, n_in = widths[k], widths[k - 1]
        d = zeros(n_out, n_in)
        for i, s in enumerate(sigma[k - 1]):
            d[i, i] = s
        u = orth[k] * d * orth[k - 1].transpose()
        for i in range(n_out):
            for j in range(n_in):
                point[f"U{k}_{i + 1}_{j + 1}"] = Q(u[i, j])
    return point


def matrices(widths: list[int], point: dict) -> list[flint.fmpq_mat]:
    """U_1..U_L at a point given as {parameter name: rational}."""
    return [Mat([[Q(point[f"U{k}_{i}_{j}"]) for j in range(1, widths[k - 1] + 1)]
                 for i in range(1, widths[k] + 1)]) for k in range(1, len(widths))]


def law_values(widths: list[int], point: dict) -> list[flint.fmpq_mat]:
    """H_k = U_{k+1}ᵀU_{k+1} − U_kU_kᵀ, k = 1..L−1."""
    us = matrices(widths, point)
    return [us[k].transpose() * us[k] - us[k - 1] * us[k - 1].transpose()
            for k in range(1, len(us))]


def relaxed_lambdas(widths: list[int], point: dict) -> list[flint.fmpq] | None:
    """(λ_k) if every H_k = λ_k I, else None."""
    out = []
    for h in law_values(widths, point):
        n = h.nrows()
        lam = h[0, 0]
        if h != lam * identity(n):
            return None
        out.append(Q(lam))
    return out


def is_psd(m: flint.fmpq_mat) -> bool:
    """Exact test that a rational symmetric matrix is positive semi-definite: its eigenvalues are
    real, so they are all ≥ 0 iff the characteristic polynomial's coefficients alternate in sign
    (Descartes' rule of signs)."""
    if m != m.transpose():
        return False
    coeffs = list(m.charpoly().coeffs())  # c_0 + c_1 x + ... + x^n
    n = len(coeffs) - 1
    return all(c == 0 or (c > 0) == ((n - i) % 2 == 0) for i, c in enumerate(coeffs))


@dataclass
class LinearMetricCheck:
    """The closed form K(z, λ) checked against M(θ) = ∂φ ∂φᵀ at one point of the family."""

    lambdas: list
    checks: list[tuple[str, bool]] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return all(ok for _, ok in self.checks)


def check_metric(widths: list[int], point: dict, m_theta: flint.fmpq_mat) -> LinearMetricCheck:
    """Check M(θ) = K(z, λ) exactly at a relaxed-balanced point (see module docstring).

    S := U_L U_Lᵀ − c_L I is verified to satisfy the equations that define S(z) uniquely
    (∏_k (S + c_k I) = zzᵀ and S + c_k I ⪰ 0), likewise S' := U_1ᵀU_1 with zᵀz, and then
    Σ_j A_j ⊗ B_j built from S, S' alone is compared with M(θ) entry by entry.
    """
    lambdas = relaxed_lambdas(widths, point)
    if lambdas is None:
        return LinearMetricCheck([], [("the point is relaxed balanced (H_k = λ_k I)", False)])
    us = matrices(widths, point)
    L = len(us)
    c = [Q(0)]
    for lam in lambdas:
        c.append(c[-1] + lam)  # c[k-1] = c_k
    z = us[-1]
    for u in reversed(us[:-1]):
        z = z * u
    n_out, n_in = widths[-1], widths[0]
    s_out = us[-1] * us[-1].transpose() - c[L - 1] * identity(n_out)
    s_in = us[0].transpose() * us[0] - c[0] * identity(n_in)
    res = LinearMetricCheck(lambdas)

    def prod(s: flint.fmpq_mat, ks: range, n: int) -> flint.fmpq_mat:
        out = identity(n)
        for k in ks:
            out = out * (s + c[k - 1] * identity(n))
        return out

    zzt, ztz = z * z.transpose(), z.transpose() * z
    res.checks.append((LINEAR_POINT_CHECKS[0], prod(s_out, range(1, L + 1), n_out) == zzt))
    res.checks.append((LINEAR_POINT_CHECKS[1], prod(s_in, range(1, L + 1), n_in) == ztz))
    res.checks.append((LINEAR_POINT_CHECKS[2], all(
        is_psd(s_out + c[k - 1] * identity(n_out)) and is_psd(s_in + c[k - 1] * identity(n_in))
        for k in range(1, L + 1))))
    d = n_out * n_in
    k_mat = zeros(d, d)
    for j in range(1, L + 1):
        a = prod(s_out, range(j + 1, L + 1), n_out)
        b = prod(s_in, range(1, j), n_in)
        for i in range(n_out):
            for al in range(n_in):
                for i2 in range(n_out):
                    for a2 in range(n_in):
                        k_mat[i * n_in + al, i2 * n_in + a2] += a[i, i2] * b[a2, al]
    res.checks.append((LINEAR_POINT_CHECKS[3], k_mat == m_theta))
    res.checks.append((LINEAR_POINT_CHECKS[4], not any(lambdas) or all(
        u.nrows() == u.ncols() and u.rank() == u.nrows() for u in us)))
    return res
