"""A hard deadline for a block of code (SIGALRM): the checker holds a check to its budget with
it, and the engine's exact solvers (the neural correlation function) theirs."""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager


class Overrun(Exception):
    """The hard deadline of a check passed (raised by the alarm, inside any computation)."""


@contextmanager
def deadline(seconds: float):  # noqa: ANN201 - a context manager
    """Interrupt the block ``seconds`` from now (SIGALRM, main thread of a Unix process only;
    elsewhere the block runs with ``Budget.tick`` as its only net): a single SymPy call that
    runs for minutes (a factorisation, an expansion) cannot outlast the budget."""
    if (not hasattr(signal, "setitimer") or seconds == float("inf")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    def ring(signum, frame):  # noqa: ANN001, ARG001
        raise Overrun()

    outer = signal.getitimer(signal.ITIMER_REAL)[0]  # an enclosing deadline, kept
    began = time.monotonic()
    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, max(min(seconds, outer or seconds), 0.01))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if outer:
            signal.setitimer(signal.ITIMER_REAL,
                             max(outer - (time.monotonic() - began), 0.01))
