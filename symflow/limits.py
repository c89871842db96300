"""The default size limits, importable without the engine (the command line's start-up)."""

DEFAULT_MAX_PARAMS = 2000
DEFAULT_MAX_PATHS = 1_000_000
#: terms of the expanded φ (one per path of a network): the engine's time and memory grow with
#: them (about 8 KB and 0.2 ms each), so that 100 000 terms stay within a minute and 2 GB
DEFAULT_MAX_TERMS = 100_000
