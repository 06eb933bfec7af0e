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
statistics): the draws it does not need are never computed.

Examples
--------
>>> draws = ([x] for x in range(100))            # the statistic of 100 null draws: 0, 1, 2, …
>>> res = sequential_test([3.5], draws, exceedances=5, min_draws=0)
>>> res.n_draws, round(float(res.p_value[0]), 3)  # values 4 to 8 (draws 5 to 9) reach 3.5
(9, 0.556)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["SequentialTest", "sequential_test", "EXCEEDANCES", "MIN_DRAWS"]

#: Exceedances after which a statistic stops drawing (Besag & Clifford suggest 10 to 20).
EXCEEDANCES = 10
#: Fewest draws, whatever the exceedances: the null band (2.5–97.5 %) needs some draws.
MIN_DRAWS = 40


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
        (all of them when ``n_max`` is None; then the iterable must be finite).
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
