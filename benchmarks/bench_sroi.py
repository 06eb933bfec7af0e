"""Benchmark of rd_methods.sroi.monte_carlo (vectorised draws).

Uses the demo-2025 impact map when the campaign exists, otherwise a generated map of
the same size (8 outcomes, durations 1–5 years). Prints a table (draws, outcomes,
seconds, peak MB) and exposes ``run() -> list[dict]`` for ``make bench``.

    .venv/bin/python benchmarks/bench_sroi.py
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pandas as pd

from rd_methods import sroi


def _impact_map() -> tuple[pd.DataFrame, pd.DataFrame | float, float, str]:
    try:
        from rd_methods.campaign import Campaign

        camp = Campaign.load("demo-2025")
        if camp.has("sroi_impact_map") and camp.has("sroi_inputs"):
            return camp["sroi_impact_map"], camp["sroi_inputs"], camp.discount_rate, "demo-2025"
    except Exception:  # noqa: BLE001 - fall back to a generated map of the same size
        pass
    rng = np.random.default_rng(0)
    k = 8
    m = pd.DataFrame(
        {
            "outcome_id": [f"o{i}" for i in range(k)],
            "quantity": rng.integers(5, 200, k).astype(float),
            "proxy_eur": rng.uniform(100, 5000, k).round(2),
            "deadweight": rng.uniform(0.1, 0.5, k).round(2),
            "displacement": rng.uniform(0.0, 0.2, k).round(2),
            "attribution": rng.uniform(0.2, 0.6, k).round(2),
            "drop_off": rng.uniform(0.0, 0.4, k).round(2),
            "duration_years": rng.integers(1, 6, k),
            "start_offset_years": rng.integers(0, 2, k),
        }
    )
    return m, 250_000.0, 0.035, "generated (8 outcomes)"


def run(draws: tuple[int, ...] = (10_000, 100_000, 300_000), repeat: int = 3) -> list[dict]:
    """Time monte_carlo for each number of draws (best of ``repeat``)."""
    impact_map, inputs, rate, source = _impact_map()
    rows = []
    for n in draws:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            sroi.monte_carlo(impact_map, inputs, rate, n=n, seed=1)
            best = min(best, time.perf_counter() - start)
        tracemalloc.start()
        sroi.monte_carlo(impact_map, inputs, rate, n=n, seed=1)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        rows.append(
            {
                "benchmark": "sroi.monte_carlo",
                "scale": n,
                "outcomes": len(impact_map),
                "source": source,
                "seconds": round(best, 4),
                "peak_mb": round(peak, 1),
            }
        )
    start = time.perf_counter()
    sroi.break_even(impact_map, inputs, rate)
    sroi.sensitivity(impact_map, inputs, rate)
    rows.append(
        {
            "benchmark": "sroi.sensitivity+break_even",
            "scale": 1,
            "outcomes": len(impact_map),
            "source": source,
            "seconds": round(time.perf_counter() - start, 4),
            "peak_mb": float("nan"),
        }
    )
    return rows


if __name__ == "__main__":
    table = pd.DataFrame(run())
    print(table.to_string(index=False))
