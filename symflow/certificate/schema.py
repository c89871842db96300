"""Format constants and the content hash (no flint: shared by the model and the checker)."""

from __future__ import annotations

import hashlib
import json

FORMAT = "symflow-certificate"
#: the format of a KH25 certificate (escape from a small initialisation: certificate/kh25.py)
KH25_FORMAT = "symflow-kh25-certificate"
KH25_FORMAT_VERSION = 1
FORMAT_VERSION = 5  # 5: canonical texts (polynomials, numbers, labels); 4 accepted other spellings
MAX_PARAMS = 1000  # D of a certificate (certify and check; --max-params lifts it)
MAX_FILE_BYTES = 20_000_000  # a certificate file (its bracket values grow like D²)
MAX_COORDS = 2000  # d of a certificate (certify and check; --max-paths on check)
MAX_CHECK_SECONDS = 60.0  # predicted seconds of a whole check (--max-seconds on check)
#: a negative law search (no further law of degree ≤ k) is recorded only when the checker can
#: redo it: at most this many monomials of degree ≤ k in D variables
MAX_SEARCH_MONOMIALS = 2500
MAX_SEARCH_WORK = 200_000  # monomials × coordinates of φ


def search_monomials(D: int, degree: int) -> int:
    """The number of monomials of degree 1..degree in D variables."""
    from math import comb

    return comb(D + degree, degree) - 1


def content_hash(cert: dict) -> str:
    """sha256 of the canonical JSON of the certificate without its hash and tool versions."""
    body = {k: v for k, v in cert.items() if k not in ("content_hash", "generated_with")}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
