"""Certify one lifting: count, decide, build the certificate, re-check it, write the files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import LimitError, SymflowError
from ..liftings import Lifting
from .schema import MAX_CHECK_SECONDS, MAX_COORDS, MAX_FILE_BYTES

#: certifying a network takes about this many times its re-check alone (the laws, the
#: criterion, building the certificate, then the check), measured on relu:30-30-1 (2.8),
#: linear:40-10-3 (1.7 with the criterion apart) and relu:12-12-12 (3.7, small sizes): a
#: network is refused up front when this times the predicted check exceeds --max-seconds
CERTIFY_FACTOR = 3.0


def certify_one(lf: Lifting, out: Path, *, init: str = "generic", seed: int = 0,
                samples: int = 3, at: Any = None, pdf: bool = True, label: str | None = None,
                max_params: int | None = None, fragment: bool = False,
                progress: Any = None, max_seconds: float = 60.0) -> Any:
    """Write ``<stem>.json`` and ``<stem>.tex`` (and the PDF) into ``out``; the certificate is
    re-checked by the independent checker before anything is written. ``at``: the point's
    data (a list or a mapping, as in a --at file), or None. ``fragment``: also write
    ``<stem>-section.tex``, a section to \\input into a paper. Returns an ``api.Certificate``."""
    from ..budgets import intrinsic_seconds, refuse_intrinsic_cost
    from ..catalog import slug
    from ..counting import conservation_laws
    from ..properties import intrinsic, parse_point
    from ..results import Certificate
    from .check import Limits, Refused
    from .cost import MAX_BYTES_IN_MEMORY, predict_network_plan
    from .latex import BIBTEX, compile_pdf, render, render_fragment
    from .model import build, dumps
    from .verify import check_certificate

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
    check_seconds = max(MAX_CHECK_SECONDS, max_seconds)  # the re-check's budget
    predicted = predict_network_plan(lf) if not family and point is None else None
    if predicted:
        check = sum(w.seconds for w in predicted)
        total = CERTIFY_FACTOR * check + (intrinsic_seconds(lf, 1, False) or 0.0)
        parts = ", ".join(f"{w.step} {w.seconds:.0f} s" for w in predicted)
        if check > check_seconds or max(w.bytes for w in predicted) > MAX_BYTES_IN_MEMORY:
            raise LimitError(f"the certificate of {label} would take the checker a predicted "
                             f"{check:.0f} s ({parts}), above its budget of {check_seconds:.0f} "
                             "s (raise it with --max-seconds, here and in symflow check)")
        if total > max_seconds:
            raise LimitError(f"certifying {label} is predicted to take {total:.0f} s (its "
                             f"re-check alone {check:.0f} s: {parts}), above the budget of "
                             f"{max_seconds:g} s (raise it with --max-seconds)")
    laws_result = conservation_laws(lf, seed=seed, engine="polynomial", progress=progress)
    # a block's certificate claims its law count only: ψ is a device for counting the laws
    # that depend on the block, not a lifting the network's training runs through
    block_claim = bool(lf.block) and lf.block.get("kind") == "block"
    intr = None if block_claim else intrinsic(
        lf, init=init, at=point, seed=seed, samples=samples, laws=laws_result,
                     engine="polynomial", progress=progress)
    cert = build(laws_result, intr)
    if progress:
        progress(f"re-checking the certificate of {label}")
    try:
        report = check_certificate(cert, label, Limits(max(max_params or 0, lf.D),
                                                       max(MAX_COORDS, lf.d),
                                                       max_seconds=check_seconds))
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
        (out / "symflow.bib").write_text(BIBTEX)  # the works the fragment cites
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
                       *((intr.recoverability, intr.metric, intr.dynamic) if intr is not None
                         else ("not claimed",) * 3))
