"""Wall time of the exact conservation-law count, per architecture (run on demand).

    python benchmarks/bench_laws.py            # the default list
    python benchmarks/bench_laws.py linear:3-3-3 relu:4-4-1

Targets (issue "End to end ..."): linear:5-5-5-5 under 5 s, relu:5-5-5-5+bias under 5 s;
(issue "Speed and scale"): linear:5-5-5-5 under 1 s, relu:9-9-9-9-9+bias under 10 s.
``--field both`` also times the QQ path and prints the mod-p speed-up.
Each figure is the best of ``--repeat`` runs, from parsing the spec to the certified count.
"""

from __future__ import annotations

import argparse
import platform
import time

from symflow.counting import conservation_laws
from symflow.spec import load_lifting

DEFAULT = [
    ("linear:5-5-5", None),
    ("linear:5-5-5-5", 1.0),
    ("relu:5-5-5-5+bias", 5.0),
    ("linear:4-4-4-4-4", None),
    ("linear:2-2-4-5-2", None),
    ("relu:9-9-9-9-9+bias", 10.0),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("specs", nargs="*")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--field", choices=["modp", "qq", "both"], default="modp",
                    help="rank over GF(p) (the fast path), over QQ, or both (speed-up)")
    args = ap.parse_args()
    cases = [(s, None) for s in args.specs] or DEFAULT
    print(f"# {platform.processor() or platform.machine()}, python {platform.python_version()}")
    fields = ["modp", "qq"] if args.field == "both" else [args.field]
    print(f"{'architecture':24} {'D':>5} {'d':>7} {'laws':>6} {'exact':>6} "
          + " ".join(f"{f + ' s':>9}" for f in fields) + " target")
    for spec, target in cases:
        times = []
        for field in fields:
            best = float("inf")
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                lf = load_lifting(spec, max_params=10**5, max_paths=10**7)
                r = conservation_laws(lf, field=field, engine="polynomial")
                best = min(best, time.perf_counter() - t0)
            times.append(best)
        laws = r.count if r.exact else f"≥{r.lower}"
        verdict = "" if target is None else f"< {target:g} s " + (
            "ok" if times[0] < target else "MISSED")
        speed = f"  (mod-p speed-up ×{times[1] / times[0]:.1f})" if len(times) == 2 else ""
        print(f"{spec:24} {r.lifting.D:5} {r.lifting.d:7} {laws!s:>6} {r.exact!s:>6} "
              + " ".join(f"{t:9.3f}" for t in times) + f" {verdict}{speed}", flush=True)


if __name__ == "__main__":
    main()
