"""Benchmark of rd_methods.resilience: shock indices on large panels, attack curves on large graphs.

- ``resistance_recovery``: panels of J comparison territories × 16 years (leave-one-out
  reference for each territory, so the cost grows as J²);
- ``attack_tolerance`` (20 steps) on Barabási–Albert graphs (m = 3) of n actors, for the
  random (giant share only, 10 orders), degree and betweenness strategies (efficiency from
  200 sampled sources, betweenness from 200 pivots above 200 actors);
- ``compare_with_random`` (degree strategy, 5 randomised networks).

Prints a table (benchmark, scale, seconds, peak MB) and exposes ``run() -> list[dict]``
for ``make bench``. Seconds are wall time of one run; peak MB is measured by tracemalloc in
a second run (Python allocations, including numpy's).

    .venv/bin/python benchmarks/bench_resilience.py
"""

from __future__ import annotations

import time
import tracemalloc

import networkx as nx
import numpy as np
import pandas as pd

from rd_methods import resilience as rs


def _panel(n_territories: int, seed: int = 0) -> pd.DataFrame:
    """A panel like the demo's: level + trend, a 2020 shock, noise; territory 0 treated."""
    rng = np.random.default_rng(seed)
    years = np.arange(2010, 2026)
    depth = {2020: 0.022, 2021: 0.012, 2022: 0.004}
    d = np.array([depth.get(int(y), 0.0) for y in years])
    alpha = rng.normal(390, 35, n_territories)
    level = (alpha[:, None] + 0.6 * (years - 2010)) * (1 - d) + rng.normal(0, 0.6, (n_territories, len(years)))
    return pd.DataFrame({
        "territory_code": np.repeat([f"T{i:05d}" for i in range(n_territories)], len(years)),
        "year": np.tile(years, n_territories),
        "treated": np.repeat(np.arange(n_territories) == 0, len(years)),
        "y": level.ravel(),
    })


def _measure(fn) -> tuple[float, float]:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return seconds, peak


def run(
    territories: tuple[int, ...] = (19, 200, 1000),
    actors: tuple[int, ...] = (500, 2000, 8000),
    betweenness_actors: tuple[int, ...] = (500, 2000),
    random_actors: tuple[int, ...] = (500, 2000),
) -> list[dict]:
    """Time the territorial indices and the network attack curves at several scales."""
    rows = []

    def add(name: str, scale: int, fn, **extra) -> None:
        seconds, peak = _measure(fn)
        rows.append({"benchmark": name, "scale": scale, **extra,
                     "seconds": round(seconds, 3), "peak_mb": round(peak, 1)})

    for j in territories:
        panel = _panel(j + 1)
        add("shock_periods+resistance_recovery", j + 1,
            lambda p=panel: rs.resistance_recovery(p, "y", shock=rs.shock_periods(p, "y")),
            edges=np.nan)
    for n in actors:
        G = nx.barabasi_albert_graph(n, 3, seed=1)
        m = G.number_of_edges()
        add("attack_tolerance[random x10, giant]", n,
            lambda g=G: rs.attack_tolerance(g, "random", steps=20, seed=1, efficiency=False, repeats=10),
            edges=m)
        add("attack_tolerance[degree]", n, lambda g=G: rs.attack_tolerance(g, "degree", steps=20), edges=m)
        if n in betweenness_actors:
            add("attack_tolerance[betweenness]", n,
                lambda g=G: rs.attack_tolerance(g, "betweenness", steps=20), edges=m)
        if n in random_actors:
            add("compare_with_random[degree, 5]", n,
                lambda g=G: rs.compare_with_random(g, "degree", steps=20, n_random=5, seed=1), edges=m)
    return rows


if __name__ == "__main__":
    table = pd.DataFrame(run())
    print(table.to_string(index=False))
