"""Sweeps: the exact count of conservation laws over random families of networks.

Networks are drawn with a seed as in the reference experiments of [MGP23]: a depth L (number of
weight layers), widths n_0..n_L uniform in a range, and for ReLU nets a bias on each network
with probability 1/2 (``bias="random"``). Each row is computed independently; a failure is
reported in its row and the sweep goes on.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from .errors import SymflowError


@dataclass
class Row:
    index: int
    arch: str
    D: int | None = None  # noqa: N815 - the paper's notation
    laws: int | None = None  # exact count, or None
    lower: int | None = None
    upper: int | None = None
    formula: int | None = None  # the literature's formula, for comparison only
    agrees: bool | None = None  # None when the count is only bounded, or on error
    seconds: float = 0.0
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def parse_range(text: str, what: str) -> tuple[int, int]:
    """'2-4' → (2, 4); '3' → (3, 3)."""
    try:
        parts = [int(p) for p in text.split("-")]
    except ValueError:
        raise SymflowError(f"--{what} must be N or N-M with whole numbers (got '{text}')") from None
    if len(parts) == 1:
        parts *= 2
    if len(parts) != 2 or parts[0] < 1 or parts[0] > parts[1]:
        raise SymflowError(f"--{what} must be N or N-M with 1 ≤ N ≤ M (got '{text}')")
    top = {"depth": 20, "width": 200}.get(what, 10**6)
    if parts[1] > top:
        raise SymflowError(f"--{what} is at most {top} (got {parts[1]})")
    return parts[0], parts[1]


def random_specs(kind: str, depth: tuple[int, int], width: tuple[int, int], count: int,
                 seed: int, bias: str = "no") -> list[str]:
    """``count`` seeded random shorthands of layered networks."""
    if kind not in ("linear", "relu"):
        raise SymflowError(f"unknown family '{kind}' (use linear or relu)")
    if bias not in ("no", "yes", "random"):
        raise SymflowError(f"--bias must be no, yes or random (got '{bias}')")
    if kind == "linear" and bias != "no":
        raise SymflowError("linear networks (product of matrices) have no biases")
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        n_layers = rng.randint(*depth)
        widths = [rng.randint(*width) for _ in range(n_layers + 1)]
        b = bias == "yes" or (bias == "random" and rng.random() < 0.5)
        out.append(f"{kind}:{'-'.join(map(str, widths))}" + ("+bias" if b else ""))
    return out


def formula(spec: str) -> int:
    """The literature's count: Σ_hidden n(n+1)/2 (linear), number of hidden neurons (ReLU)."""
    kind, rest = spec.split(":")
    widths = [int(w) for w in rest.split("+")[0].split("-")]
    hidden = widths[1:-1]
    return sum(n * (n + 1) // 2 for n in hidden) if kind == "linear" else sum(hidden)


#: a network's share of a sweep's budget is at least this (a count of a small net takes
#: 0.05–0.3 s); a smaller share is refused up front
MIN_NETWORK_SECONDS = 0.5
#: and at most ``laws``'s own default budget
MAX_NETWORK_SECONDS = 60.0


def network_seconds(count: int, jobs: int, max_seconds: float) -> float:
    """Each network's time budget in a sweep of ``count`` networks on ``jobs`` workers within
    ``max_seconds`` in all: min(60, max_seconds · jobs / count), refused below 0.5 s."""
    share = min(MAX_NETWORK_SECONDS, max_seconds * min(jobs, count) / count)
    if share < MIN_NETWORK_SECONDS:
        need = MIN_NETWORK_SECONDS * count / min(jobs, count)
        raise SymflowError(
            f"{count} networks in {max_seconds:g} s on {jobs} worker(s) leave "
            f"{share:.2f} s per network, below the {MIN_NETWORK_SECONDS} s a count needs: "
            f"raise --max-seconds to {need:.0f} or more, or lower --count")
    return share


def run_one(job: tuple[int, str, int, dict]) -> Row:
    """The exact count for one network (runs in a worker process); ``limits`` holds the
    lifting's size limits and ``seconds``, the network's time budget."""
    index, spec, seed, limits = job
    limits = dict(limits)
    seconds = limits.pop("seconds", MAX_NETWORK_SECONDS)
    from .counting import conservation_laws
    from .spec import load_lifting

    row = Row(index, spec, formula=formula(spec))
    t0 = time.perf_counter()
    try:
        lf = load_lifting(spec, **limits)
        r = conservation_laws(lf, seed=seed, max_seconds=seconds)
        row.D, row.lower, row.upper = lf.D, r.lower, r.upper
        row.laws = r.count
        row.agrees = None if r.count is None else r.count == row.formula
    except Exception as exc:  # noqa: BLE001 - reported in the row, the sweep goes on
        from .errors import SymflowError

        row.error = str(exc) if isinstance(exc, SymflowError) else f"{type(exc).__name__}: {exc}"
    row.seconds = time.perf_counter() - t0
    return row


def sweep(specs: list[str], seed: int = 0, jobs: int = 1, executor: str = "local",
          scheduler: str | None = None,
          progress: Callable[[int, int], None] | None = None,
          limits: dict | None = None, max_seconds: float = 60.0) -> list[Row]:
    """Run every network, locally (a process pool of ``jobs`` workers) or on Dask, within
    ``limits`` (``load_lifting``'s max_params, max_paths, max_terms) and ``max_seconds`` in
    all: each network has :func:`network_seconds` (a network that needs more ends at bounds,
    which its row shows)."""
    if not specs:
        return []
    share = network_seconds(len(specs), jobs, max_seconds)
    work = [(i, s, seed, {**(limits or {}), "seconds": share}) for i, s in enumerate(specs)]
    rows: list[Row] = []
    if executor == "dask":
        rows = _dask(work, jobs, scheduler, progress)
    elif executor != "local":
        raise SymflowError(f"unknown executor '{executor}' (use local or dask)")
    elif jobs <= 1:
        for k, job in enumerate(work, 1):
            rows.append(run_one(job))
            if progress:
                progress(k, len(work))
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(run_one, job) for job in work]
            for k, fut in enumerate(as_completed(futures), 1):
                rows.append(fut.result())
                if progress:
                    progress(k, len(work))
    return sorted(rows, key=lambda r: r.index)


def _dask(work: list, jobs: int, scheduler: str | None,
          progress: Callable[[int, int], None] | None) -> list[Row]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise SymflowError("--executor dask needs Dask: pip install 'symflow[dist]'") from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="5s")
        else:
            cluster = LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1,
                                   processes=True, host="127.0.0.1", dashboard_address=None)
            client = Client(cluster)
    except OSError as exc:
        raise SymflowError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    try:
        futures = client.map(run_one, work, pure=False)
        rows = []
        for k, fut in enumerate(as_completed(futures), 1):
            rows.append(fut.result())
            if progress:
                progress(k, len(work))
        return rows
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
