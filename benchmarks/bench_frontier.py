"""The frontier, sampled: random network shapes inside the documented limits, for every command,
each run as a user would (a fresh process) under a 4 GB address-space cap (``ulimit -v``) and a
90 s timeout. Every run must finish within 60 s and 2 GB, or be refused up front in one line
(exit 2). Prints every run's figures and then the worst cases per command. Run on demand:

    python benchmarks/bench_frontier.py --count 100 --seed 0
    python benchmarks/bench_frontier.py --count 10 --commands laws,intrinsic
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

TMP = Path("/tmp/symflow-frontier")
CAP_BYTES = 4_000_000 * 1024  # ulimit -v 4000000
TIMEOUT = 90
WRAPPER = ("import resource, sys\nfrom symflow.cli import main\ntry:\n    main()\nfinally:\n"
           "    print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
           "file=sys.stderr)")


def params(widths: list[int], bias: bool) -> int:
    return sum(a * b for a, b in zip(widths, widths[1:], strict=False)) + (
        sum(widths[1:]) if bias else 0)


def random_shape(rng: random.Random, max_params: int, kinds: tuple[str, ...]) -> str:
    """A layered shape with 1–5 hidden layers of widths 1–60 and D ≤ max_params."""
    while True:
        kind = rng.choice(kinds)
        depth = rng.randint(1, 5)
        widths = [rng.randint(1, 60) for _ in range(depth + 2)]
        if kind == "linear":
            bias = False
        else:
            bias = rng.random() < 0.3
        if params(widths, bias) <= max_params:
            return f"{kind}:{'-'.join(map(str, widths))}{'+bias' if bias else ''}"


def cases(command: str, rng: random.Random) -> list[str]:
    if command == "laws":
        return ["laws", random_shape(rng, 2000, ("relu", "linear"))]
    if command == "laws-structural":  # the structural limit of laws (D ≤ 12 000)
        return ["laws", random_shape(rng, 12_000, ("relu", "linear"))]
    if command == "intrinsic":
        return ["intrinsic", random_shape(rng, 2000, ("relu", "linear"))]
    if command == "intrinsic-family":
        w = [rng.randint(1, 10) for _ in range(rng.randint(3, 4))]
        return ["intrinsic", f"linear:{'-'.join(map(str, w))}", "--init",
                rng.choice(["balanced", "relaxed-balanced"])]
    if command == "homogeneity":
        return ["homogeneity", random_shape(rng, 2000, ("relu", "linear"))]
    if command == "show":
        return ["show", random_shape(rng, 2000, ("relu", "linear"))]
    if command == "certify":
        return ["certify", random_shape(rng, 1000, ("relu", "linear")), "-o", str(TMP),
                "--no-pdf"]
    if command == "simulate":
        return ["simulate", random_shape(rng, 300, ("relu", "linear"))]
    if command == "check":  # a certificate written beforehand (not timed), then checked
        spec = random_shape(rng, 1000, ("relu", "linear"))
        out = TMP / f"check-{rng.randrange(10**9)}"
        prep = ["certify", spec, "-o", str(out), "--no-pdf"]
        return ["check", str(out), "--tex", "#prepare", *prep]
    if command == "sweep":
        lo_d, lo_w = rng.randint(1, 12), rng.randint(1, 30)
        return ["sweep", rng.choice(["linear", "relu"]),
                "--depth", f"{lo_d}-{rng.randint(lo_d, 20)}",
                "--width", f"{lo_w}-{rng.randint(lo_w, 60)}",
                "--count", str(rng.randint(1, 120))]
    if command == "ncf":
        kind = rng.choice(["relu", "relu^2", "x^2", "relu^3"])
        while True:
            w = [rng.randint(1, 3) for _ in range(rng.choice([3, 3, 4]))]
            if params(w, False) <= 8:
                break
        n = rng.randint(1, 4)
        xs = [[rng.randint(-3, 3) for _ in range(w[0])] for _ in range(n)]
        ys = [[rng.randint(-3, 3) for _ in range(w[-1])] for _ in range(n)]
        f = TMP / f"ncf-{rng.randrange(10**9)}.yaml"
        f.write_text(f"x: {xs}\ny: {ys}\n")
        return ["ncf", f"{kind}:{'-'.join(map(str, w))}", "--data", str(f)]
    if command == "neural-ode":
        depths = sorted(rng.sample(range(2, 65), rng.randint(1, 6)))
        return ["neural-ode", "--width", str(rng.randint(1, 6)), "--depths",
                ",".join(map(str, depths)), "--time", str(rng.choice([0.5, 2, 10, 50, 100])),
                "--seed", str(rng.randint(0, 99))]
    if command == "zeros":
        spec = random_shape(rng, 2000, ("relu",))
        (TMP / "pattern.yaml").write_text("parameters: [W1_1_1, W2_1_1]\n")
        return ["zeros", spec, "--pattern", str(TMP / "pattern.yaml")]
    raise ValueError(command)


def cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP_BYTES, CAP_BYTES))


def run(args: list[str]) -> tuple[float, float, str]:
    """(seconds, peak MB, verdict): ok, refused (exit 2, one line), or FAIL (why). Arguments
    after "#prepare" are a command run first, untimed (a refusal there is the verdict)."""
    if "#prepare" in args:
        k = args.index("#prepare")
        args, prep = args[:k], args[k + 1:]
        secs, mb, verdict = run(prep)
        if not verdict.startswith("ok"):
            return secs, mb, f"{verdict} (while preparing: {' '.join(prep)[:40]})"
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", WRAPPER, *args], capture_output=True,
                              text=True, timeout=TIMEOUT, preexec_fn=cap)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - t0, 0.0, f"FAIL timeout {TIMEOUT} s"
    secs = time.perf_counter() - t0
    lines = proc.stderr.strip().splitlines()
    peak = next((int(x.split()[1]) for x in reversed(lines) if x.startswith("PEAK")), 0) / 1024
    errs = [x for x in lines if not x.startswith("PEAK")]
    if proc.returncode == 0:
        verdict = "ok"
    elif proc.returncode == 2 and len(errs) == 1 and errs[0].startswith("symflow: error:"):
        verdict = "refused: " + errs[0][len("symflow: error: "):][:110]
    else:
        verdict = f"FAIL exit {proc.returncode}: {(errs[-1] if errs else '')[:100]}"
    if verdict.startswith(("ok", "refused")) and (secs > 60 or peak > 2048):
        verdict = f"FAIL over budget ({verdict[:40]})"
    return secs, peak, verdict


def shown(args: list[str]) -> str:
    return " ".join(args[:args.index("#prepare")] if "#prepare" in args else args)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=100, help="shapes per command")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--commands", default="laws,laws-structural,intrinsic,intrinsic-family,"
                    "homogeneity,show,certify,check,simulate,zeros,sweep,ncf,neural-ode")
    opts = ap.parse_args()
    TMP.mkdir(exist_ok=True)
    rng = random.Random(opts.seed)
    results: dict[str, list] = {}
    print(f"seed {opts.seed}, {opts.count} shapes per command; cap 4 GB address space, "
          f"timeout {TIMEOUT} s; budget 60 s and 2 GB")
    for command in opts.commands.split(","):
        for _ in range(opts.count):
            args = cases(command, rng)
            secs, mb, verdict = run(args)
            results.setdefault(command, []).append((secs, mb, verdict, args))
            print(f"{shown(args)[:64]:64} {secs:7.1f} s {mb:7.0f} MB  {verdict}",
                  flush=True)
    print("\nworst cases (by time) per command:")
    for command, rows in results.items():
        fails = [r for r in rows if r[2].startswith("FAIL")]
        secs, mb, verdict, args = max(rows, key=lambda r: r[0])
        refused = sum(1 for r in rows if r[2].startswith("refused"))
        print(f"  {command:17} {len(rows)} runs, {refused} refused, {len(fails)} FAIL; worst "
              f"{secs:.1f} s / {max(r[1] for r in rows):.0f} MB: {shown(args)[:60]}")
        for f in fails:
            print(f"      FAIL: {shown(f[3])[:70]}  {f[2]}")


if __name__ == "__main__":
    main()
