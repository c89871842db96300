"""Checking a certificate file end to end: read it, dispatch it by format (the intrinsic
format to ``check.check_network``, a KH25 certificate to ``kh25.check``), hold the whole check
to its time budget, and with ``tex`` compare the LaTeX beside it with the rendering of the
verified data. The modules it dispatches to never import this one."""

from __future__ import annotations

import os
import stat
from collections import Counter
from pathlib import Path

from .check import (
    Context,
    Failure,
    Limits,
    Refused,
    Report,
    _structure,
    architecture,
    expect,
    load,
    rebuild_phi,
    shown,
    within,
)
from .check_intrinsic import check_intrinsic_claim
from .check_laws import check_law_claim
from .cost import Budget, Overrun, Work, deadline, plan, plan_tex
from .kh25 import check as check_kh25
from .schema import FORMAT, KH25_FORMAT, content_hash


def check_certificate(cert: dict, path: str = "<certificate>",
                      limits: Limits | None = None) -> Report:
    """Run every step; stop at the first failure and name it. Every step is planned against
    the time budget first (``cost.plan``); a hard deadline at the budget (plus a second of
    grace) refuses a check that would still overrun it."""
    limits = limits or Limits()
    report = Report(path)
    try:
        with deadline(limits.max_seconds + 1):
            _check_all(cert, report, limits)
    except Overrun:
        running = report.budget.running() if report.budget else None
        raise Refused(f"the check ran past its budget of {limits.max_seconds:.0f} s (raise it "
                      "with --max-seconds)", running or "format") from None
    return report


def _check_all(cert: dict, report: Report, limits: Limits) -> None:
    """A KH25 certificate by certificate/kh25.py, any other by ``check.check_network``."""
    if isinstance(cert, dict) and cert.get("format") == KH25_FORMAT:
        report.budget = Budget(limits.max_seconds, on_step=limits.on_step)
        try:
            check_kh25(cert, report, limits)
        except Failure as f:
            report.failed = f
        except (RecursionError, MemoryError):
            report.failed = Failure(report.passed[-1] if report.passed else "format",
                                    "the certificate is too deeply nested or too large")
        return
    check_network(cert, report, limits)


def check_path(path: Path, limits: Limits | None = None, tex: bool = False) -> Report:
    """Check the certificate at ``path``; with ``tex``, also that the LaTeX beside it (NAME.tex,
    and NAME-section.tex if present) is exactly the rendering of the verified data."""
    limits = limits or Limits()
    cert = load(path, limits.max_bytes)
    report = check_certificate(cert, str(path), limits)
    if tex and report.ok and cert.get("format") != FORMAT:  # a KH25 certificate
        try:
            check_tex(cert, path)
            report.step("tex")
        except Failure as exc:
            report.failed = exc
        return report
    if tex and report.ok:
        try:
            work = plan_tex(cert)
            why = report.budget.refuse(work)
            within(why is None, why or "", "tex")
            report.budget.begin("tex", work.seconds)
            left = report.budget.seconds - report.budget.elapsed()
            try:
                with deadline(left + 1):
                    check_tex(cert, path)
            except Overrun:
                raise Refused(f"rendering the LaTeX ran past the budget of "
                              f"{report.budget.seconds:.0f} s (raise it with --max-seconds)",
                              "tex") from None
            report.budget.end()
            report.step("tex")
        except Failure as exc:
            report.failed = exc
    return report


def check_tex(cert: dict, path: Path) -> None:
    """NAME.tex (required) and NAME-section.tex (if present) equal the rendering of ``cert``:
    every word of the LaTeX certificate then comes from checked data."""
    from .latex import render, render_fragment

    pairs = [(path.with_suffix(".tex"), render), (path.with_name(path.stem + "-section.tex"),
                                                  render_fragment)]
    if cert.get("format") == KH25_FORMAT:
        from .kh25 import render as render_kh25

        pairs = [(path.with_suffix(".tex"), render_kh25)]
    expect(os.path.lexists(pairs[0][0]), "tex", f"{pairs[0][0].name} is missing")
    for tex_path, how in pairs:
        if not os.path.lexists(tex_path):
            continue
        st = os.stat(tex_path) if tex_path.exists() else None
        expect(st is not None and stat.S_ISREG(st.st_mode), "tex",
               f"{tex_path.name} is not a regular file")
        want = how(cert, path.name).encode("utf-8")
        # a file of another size is not the rendering: it is never read beyond that size
        expect(st.st_size == len(want), "tex", f"{tex_path.name} differs from the rendering of "
               f"the verified certificate ({st.st_size} bytes, the rendering has {len(want)})")
        with open(tex_path, "rb") as fh:
            have = fh.read(len(want) + 1)
        if have != want:
            a = have.decode("utf-8", "replace").splitlines()
            b = want.decode("utf-8").splitlines()
            line = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                        min(len(a), len(b)))
            raise Failure("tex", f"{tex_path.name} differs from the rendering of the verified "
                                 f"certificate (first at line {line + 1})")


def check_network(cert: dict, report: Report, limits: Limits) -> None:
    """Every step of a certificate of the intrinsic format (a lifting, its law count and its
    intrinsic claims), recorded in ``report``; the first failure stops it."""
    try:
        _structure(cert)
        report.step("format")
        net = architecture(cert, limits)
        report.step("architecture")
        budget = report.budget = Budget(limits.max_seconds, on_step=limits.on_step)
        work = {w.step: w for w in plan(cert, len(net.params), net.paths)}
        total = Work("check", sum(w.seconds for w in work.values()), "checking the "
                     "certificate (" + ", ".join(f"{w.step} {w.seconds:.0f} s" for w in
                                                 work.values()) + ")")
        total.step = max(work.values(), key=lambda w: w.seconds).step  # the largest part
        for w in [*work.values(), total]:
            why = budget.refuse(w)
            within(why is None, why or "", w.step)
        budget.begin("lifting", work["lifting"].seconds)
        rebuilt = rebuild_phi(net)  # the canonical texts, compared as a multiset before parsing
        expect(rebuilt is None or Counter(rebuilt) == Counter(cert["phi"]), "lifting",
               "the recorded φ is not the lifting of the recorded architecture")
        ctx = Context(cert, net, budget, work)
        if rebuilt is None:
            used = set().union(*(e.free_symbols for e in ctx.phi))
            unused = [n for n, s in zip(ctx.names, ctx.syms, strict=True) if s not in used]
            expect(net.unused == unused, "lifting",
                   f"the parameters that do not occur in φ are {unused[:5]}, declared "
                   f"{shown(net.unused[:5], 80)}")
        report.step("lifting")
        claims = cert["claims"]
        expect(bool(claims), "claims", "no claims: the certificate proves nothing")
        types = [c["type"] for c in claims]
        expect(len(set(types)) == len(types), "claims", "a claim type is repeated")
        expect(types[0] == "conservation-law-count", "claims", "the first claim must be the "
               "law count (an intrinsic claim rests on its laws: h is the laws certified there)")
        report.step("claims")
        laws = check_law_claim(ctx, claims[0], report)
        for claim in claims[1:]:
            check_intrinsic_claim(ctx, claim, report, laws)
        expect(cert["content_hash"] == content_hash(cert), "hash",
               "the content hash does not match (the certificate was altered)")
        report.step("hash")
        budget.end()
    except Failure as f:
        report.failed = f
    except (RecursionError, MemoryError):
        report.failed = Failure("format", "the certificate is nested too deeply or too large")
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, ZeroDivisionError) as exc:
        report.failed = Failure("format", f"malformed certificate ({type(exc).__name__}: "
                                f"{shown(exc)})")
