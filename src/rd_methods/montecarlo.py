"""Monte Carlo p-values that stop drawing once the answer is clear (Besag & Clifford 1991).

A null-model test draws networks at random, computes the same statistics on each and
counts how often a random network does at least as well as the observed one. With a
fixed number ``n`` of draws the p-value is ``(1 + g) / (n + 1)`` (``g`` exceedances). Most
draws are wasted when the observed statistic is ordinary: after ten random networks have
beaten it, more draws only refine a p-value that is far from any threshold.

Besag & Clifford's *sequential* p-value (1991, *Biometrika* 78(2): 301–304) draws until
``h`` exceedances are seen or ``n`` draws are made: stopped at draw ``L`` with ``h``
exceedances, ``p = h / L``; otherwise ``p = (g + 1) / (n + 1)`` as before. It is an exact
p-value (valid at every level) and costs about ``h / p`` draws instead of ``n``; the
smallest p-values, where precision matters, get every draw. With several statistics
each one stops at its own ``L`` (its p-value uses only the draws up to its own stop), and
drawing goes on until every statistic has stopped and at least ``min_draws`` draws were
made (so that the reference band of the null draws rests on enough of them).

:func:`sequential_test` consumes a lazy iterable of draws (a generator of null networks'
statistics): the draws it does not need are never computed. :func:`ordered_map` computes
such draws in a few threads at once (the sparse products and array sorts behind a null
network release the GIL), in order and from per-draw seeds, so the draws and the p-values
do not depend on the number of threads.

Examples
--------
>>> draws = ([x] for x in range(100))            # the statistic of 100 null draws: 0, 1, 2, …
>>> res = sequential_test([3.5], draws, exceedances=5, min_draws=0)
>>> res.n_draws, round(float(res.p_value[0]), 3)  # values 4 to 8 (draws 5 to 9) reach 3.5
(9, 0.556)
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

__all__ = ["SequentialTest", "sequential_test", "ordered_map", "default_workers", "EXCEEDANCES", "MIN_DRAWS",
           "MAX_WORKERS"]

#: Exceedances after which a statistic stops drawing (Besag & Clifford suggest 10 to 20).
EXCEEDANCES = 10
#: Fewest draws, whatever the exceedances: the null band (2.5–97.5 %) needs some draws.
MIN_DRAWS = 40


#: Most threads :func:`default_workers` gives (null draws of large networks hold a few
#: hundred MB each).
MAX_WORKERS = 4


def default_workers() -> int:
    """Threads for null draws: the CPUs this process may run on, at most :data:`MAX_WORKERS`."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        available = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, available))


def ordered_map(fn: Callable, items: Iterable, *, workers: int | None = None) -> Iterator:
    """``fn(item)`` for every item, lazily and in order, computed by up to ``workers`` threads.

    At most ``workers`` calls are in flight: items are read (in the caller's thread) only as
    results are consumed, so a consumer that stops early, such as
    :func:`sequential_test`, wastes at most ``workers - 1`` calls. Closing the generator
    cancels what has not started and waits for the calls running. ``workers`` None:
    :func:`default_workers`; 1: no thread. ``fn`` must not depend on the order calls run
    in (give each item its own seed).

    Examples
    --------
    >>> list(ordered_map(lambda x: x * x, range(5), workers=2))
    [0, 1, 4, 9, 16]
    """
    workers = default_workers() if workers is None else int(workers)
    if workers <= 1:
        for item in items:
            yield fn(item)
        return
    pool = ThreadPoolExecutor(workers, thread_name_prefix="rd-methods-draw")
    pending: deque = deque()
    try:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class SequentialTest:
    """Outcome of :func:`sequential_test`, one entry per statistic where it is an array.

    ``draws`` (n_draws x statistics) are every null draw made; ``p_value`` the sequential
    p-values; ``p_mc_se`` their Monte Carlo standard error ``sqrt(p (1 - p) / L)`` over the
    ``used`` draws behind each; ``min_p`` the smallest p-value the draws allowed,
    ``1 / (n + 1)``; ``stopped_early`` whether drawing ended before ``n``.
    """

    draws: np.ndarray
    p_value: np.ndarray
    p_mc_se: np.ndarray
    used: np.ndarray
    min_p: float
    n_max: int
    stopped_early: bool

    @property
    def n_draws(self) -> int:
        return int(self.draws.shape[0])


def sequential_test(
    observed: Sequence[float],
    draws: Iterable[Sequence[float]],
    *,
    n_max: int | None = None,
    exceedances: int | None = EXCEEDANCES,
    min_draws: int = MIN_DRAWS,
    tol: float = 1e-12,
) -> SequentialTest:
    """One-sided Monte Carlo p-values (null at least as large as observed), stopping early.

    Parameters
    ----------
    observed : sequence of float
        The statistics of the observed data (larger = more extreme).
    draws : iterable of sequences
        The same statistics for each null draw, drawn lazily; at most ``n_max`` are read
        (all of them when ``n_max`` is None; then the iterable must be finite). A
        generator is closed when the test stops (so :func:`ordered_map`'s threads stop).
    exceedances : int or None
        ``h`` of Besag & Clifford: a statistic stops once ``h`` draws reach it. None: no
        early stop, every draw is made and ``p = (1 + g) / (n + 1)``.
    min_draws : int
        Draws made whatever the exceedances (capped at ``n_max``).
    tol : float
        A draw within ``tol`` below the observed value counts as reaching it (float noise).

    Raises
    ------
    ValueError
        If no draw is made, or a draw does not have as many statistics as ``observed``.
    """
    obs = np.asarray(observed, dtype=float)
    k = obs.size
    if exceedances is not None and exceedances < 1:
        raise ValueError("exceedances must be at least 1 (or None for a fixed number of draws)")
    rows: list[np.ndarray] = []
    hits = np.zeros(k, dtype=np.int64)
    used = np.zeros(k, dtype=np.int64)  # draws behind each p-value once it has stopped; 0 = running
    iterator = iter(draws)
    try:
        while n_max is None or len(rows) < n_max:
            try:
                x = np.asarray(next(iterator), dtype=float).ravel()
            except StopIteration:
                break
            if x.size != k:
                raise ValueError(f"draw {len(rows) + 1} has {x.size} statistics, expected {k}")
            rows.append(x)
            hits += x >= obs - tol
            if exceedances is not None:
                just = (used == 0) & (hits >= exceedances)
                used[just] = len(rows)
                if (used > 0).all() and len(rows) >= min_draws:
                    break
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:  # a generator of draws stops now (its threads with it)
            close()
    n = len(rows)
    if n == 0:
        raise ValueError("no null draw was made")
    table = np.vstack(rows)
    stopped = used > 0
    p = np.where(stopped, exceedances / np.maximum(used, 1) if exceedances else 0.0, (hits + 1) / (n + 1))
    behind = np.where(stopped, used, n)
    se = np.sqrt(p * (1 - p) / behind)
    limit = n if n_max is None else n_max
    return SequentialTest(draws=table, p_value=p, p_mc_se=se, used=behind, min_p=1 / (limit + 1), n_max=limit,
                          stopped_early=n < limit)
