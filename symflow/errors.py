"""Errors that the command line turns into one clear line and exit code 2."""


class SymflowError(Exception):
    """A user-facing error: its message is printed on one line, exit code 2."""


class SpecError(SymflowError):
    """Malformed or invalid input specification."""


class LimitError(SymflowError):
    """The input exceeds a size limit; the message names the flag that lifts it."""
