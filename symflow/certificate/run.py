"""Certify one lifting: count, decide, build the certificate, re-check it, write the files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import LimitError, SymflowError
from ..lifting import Lifting
from .schema import MAX_COORDS, MAX_FILE_BYTES


def certify_one(lf: Lifting, out: Path, *, init: str = "generic", seed: int = 0,
                samples: int = 3, at: Any = None, pdf: bool = True, label: str | None = None,
                max_params: int | None = None, fragment: bool = False,
                progress: Any = None, max_seconds: float = 60.0) -> Any:
    """Write ``<stem>.json`` and ``<stem>.tex`` (and the PDF) into ``out``; the certificate is
    re-checked by the independent checker before anything is written. ``at``: the point's
    data (a list or a mapping, as in a --at file), or None. ``fragment``: also write
    ``<stem>-section.tex``, a section to \\input into a paper. Returns an ``api.Certificate``."""
    from ..api import Certificate, refuse_intrinsic_cost
    from ..catalog import slug
    from ..counting import conservation_laws
    from ..properties import intrinsic, parse_point
    from .check import Limits, Refused, check_certificate
    from .latex import compile_pdf, render, render_fragment
    from .model import build, dumps

    label = label or lf.name
    if lf.d > MAX_COORDS:
        raise SymflowError(f"certificates are limited to d ≤ {MAX_COORDS} coordinates "
                           f"(this lifting has {lf.d})")
    if lf.d:
        lf.phi[0]  # noqa: B018 - a certificate holds φ expanded: the term limit, first
    point = parse_point(lf, at) if at is not None else None
    family = init != "generic"
    refuse_intrinsic_cost(lf, 1 if point is not None or not family else samples, family,
                          max_seconds)
    laws_result = conservation_laws(lf, seed=seed, engine="polynomial", progress=progress)
    intr = intrinsic(lf, init=init, at=point, seed=seed, samples=samples, laws=laws_result,
                     engine="polynomial", progress=progress)
    cert = build(laws_result, intr)
    if progress:
        progress(f"re-checking the certificate of {label}")
    try:
        report = check_certificate(cert, label, Limits(max(max_params or 0, lf.D),
                                                       max(MAX_COORDS, lf.d)))
    except Refused as exc:
        raise LimitError(f"the checker would refuse the certificate of {label}: {exc}") from None
    if not report.ok:  # pragma: no cover - the engine and the checker disagree: a bug
        raise SymflowError(f"internal error: the certificate of {label} fails its own check at "
                           f"step '{report.failed.step}': {report.failed.message}")
    text = dumps(cert)
    if len(text.encode()) > MAX_FILE_BYTES:
        raise SymflowError(f"the certificate of {label} would be {len(text.encode()) / 1e6:.0f} "
                           f"MB, above the checker's limit of {MAX_FILE_BYTES / 1e6:.0f} MB "
                           "(its bracket values grow like D²): certify a smaller network")
    out.mkdir(parents=True, exist_ok=True)
    stem = slug(label, init, point is not None)
    json_path, tex_path = out / f"{stem}.json", out / f"{stem}.tex"
    json_path.write_text(text)
    tex_path.write_text(render(cert, json_path.name))
    if fragment:
        (out / f"{stem}-section.tex").write_text(render_fragment(cert, json_path.name))
    pdf_path, note = None, None
    if pdf:
        if progress:
            progress("pdflatex")
        ok, why = compile_pdf(tex_path)
        if ok:
            pdf_path = tex_path.with_suffix(".pdf")
        elif why == "pdflatex not found":
            note = "no PDF: pdflatex not found; install TeX Live to get one"
        else:
            note = "no PDF: pdflatex failed; see the .tex"
    return Certificate(json_path, tex_path, pdf_path, note, laws_result.count,
                       intr.recoverability, intr.metric, intr.dynamic)
