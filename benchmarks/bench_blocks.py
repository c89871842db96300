"""The modern blocks of issue 23 [MGP25b], each as a user runs it (a fresh process): the law
count and the wall time of `symflow laws`, and of `symflow intrinsic`.

    python benchmarks/bench_blocks.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

ROWS = [
    ("conv1d:relu:6-k3c2-1", "1-D convolution, 2 channels, kernel 3, length 6 (ReLU)"),
    ("conv1d:linear:6-k3c2-1", "the same, linear"),
    ("res:relu:4", "residual ReLU block, width 4"),
    ("relu:4-4-4", "the same block without its skip"),
    ("attn:4-2", "single-head attention, model dimension 4, head dimension 2"),
    ("attn:4-2-2", "the same with 2 heads"),
]


def run(args: list[str]) -> tuple[float, dict]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", "from symflow.cli import main; main()", *args,
                           "--json"], capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, json.loads(proc.stdout)


def main() -> None:
    print(f"{'spec':26} {'D':>4} {'d':>4} {'laws':>5} {'laws s':>7} {'intrinsic':>24} {'s':>6}")
    for spec, what in ROWS:
        secs, laws = run(["laws", spec])
        isecs, intr = run(["intrinsic", spec])
        verdict = f"{intr['recoverability']}/{intr['metric']}"
        lf, count = laws["lifting"], laws["count"]["value"]
        print(f"{spec:26} {lf['D']:>4} {lf['d']:>4} {count!s:>5} {secs:7.2f} "
              f"{verdict:>24} {isecs:6.2f}   {what}")


if __name__ == "__main__":
    main()
