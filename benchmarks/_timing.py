"""Timing helper shared by the method benchmarks (run as scripts or from run_all.py)."""

from __future__ import annotations

import time
import tracemalloc
import warnings


def timed(func):
    """Return ``(result, seconds, peak_mb)``: seconds of one untraced call (tracing slows pandas
    several-fold), then the peak traced memory of a second call, in MB."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        out = func()
        seconds = time.perf_counter() - t0
        tracemalloc.start()
        func()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return out, seconds, peak / 2**20
