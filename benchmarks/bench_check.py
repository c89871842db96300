"""Time and peak memory of `symflow check` (run on demand, never in the tests).

    python benchmarks/bench_check.py

Figures (issue "Sound certificates"): a 10 KB certificate describing a DAG with 2^40 paths is
refused in well under a second; the library proofs/ and certificates at the size limits
(d = 2000 coordinates, D = 1200 parameters) are checked within a minute. Each case runs
`symflow check` (or `certify`, which re-checks what it writes) in a fresh process and reports
wall time and peak resident memory.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak KB of the child, last output line) of one symflow command, in a
    fresh process (the peak is measured by a wrapper process of its own)."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:]); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", probe, sys.executable, str(ROOT / "cli.py"),
                           *args], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    err = proc.stderr.strip().splitlines()
    peak = int(err[-1]) if err and err[-1].isdigit() else 0
    out = (proc.stdout.strip() or "\n".join(err[:-1])).splitlines()
    return wall, peak, (out[-1] if out else "")[:110]


def diamonds(n: int) -> dict:
    """A certificate whose DAG has 2^n paths (n diamonds in a row): a few KB of JSON."""
    cert = json.loads((ROOT / "proofs" / "skip.json").read_text())
    edges, hidden, prev = [], [], ["x"]
    for k in range(n):
        layer = [f"a{k}", f"b{k}"]
        hidden += [[v, "relu"] for v in layer]
        edges += [[u, v, f"w_{u}_{v}"] for u in prev for v in layer]
        prev = layer
    edges += [[u, "y", f"w_{u}_y"] for u in prev]
    cert["architecture"] = {"kind": "dag", "name": "diamonds", "inputs": ["x"],
                            "hidden": hidden, "outputs": ["y"], "edges": edges, "biases": []}
    cert["name"] = "diamonds"
    cert["parameters"] = [e[2] for e in edges]
    return cert


def main() -> None:
    print(f"# {platform.machine()}, python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "diamonds.json"
        big.write_text(json.dumps(diamonds(40)))
        names = [f"x{i}" for i in range(1, 1201)]
        longsum = Path(tmp) / "longsum.json"
        longsum.write_text(json.dumps({"name": "longsum", "parameters": names,
                                       "phi": [" + ".join(names)]}))
        cases = [
            (f"check 2^40-path DAG ({big.stat().st_size // 1024} KB)", ["check", str(big)]),
            ("check proofs/ (17 certificates)", ["check", "-q", "proofs"]),
            ("certify+check relu:4-8-8-4 (d = 1024)", ["certify", "relu:4-8-8-4", "-o", tmp,
                                                      "--no-pdf"]),
            ("certify+check relu:10-20-10 (d = 2000)", ["certify", "relu:10-20-10", "-o", tmp,
                                                       "--no-pdf"]),
            ("certify+check sum of 1200 parameters", ["certify", str(longsum.with_suffix(
                ".json")), "-o", tmp, "--no-pdf"]),
        ]
        print(f"{'case':48} {'wall':>8} {'peak MB':>8}  last line")
        for label, args in cases:
            wall, peak, last = run(args)
            print(f"{label:48} {wall:7.2f}s {peak / 1024:8.0f}  {last}")


if __name__ == "__main__":
    main()
