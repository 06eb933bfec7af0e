"""Benchmark of rd_methods.counterfactual.twfe against linearmodels and pyfixest.

A national-scale panel (default 35,000 communes × 20 years = 700,000 rows, 10 % of the
communes treated from year 11), ``y ~ d | unit + year`` with standard errors clustered by
commune. Each method runs in its own fresh Python process (so peak memory is not shared):

- ``rd_methods``: ``twfe(data, "y", "unit", "year", "d")`` (alternating projections,
  CRV1 with the fixest small-sample factor), and with ``ssc="linearmodels"``;
- ``pyfixest``: ``feols("y ~ d | unit + year", data, vcov={"CRV1": "unit"})``;
- ``linearmodels``: ``PanelOLS(y, d, entity_effects=True, time_effects=True)
  .fit(cov_type="clustered", cluster_entity=True)`` on the (unit, year)-indexed frame.

Seconds are the best of ``repeat`` calls after one warm-up call (pyfixest compiles /
loads its demeaning backend on first use; the cold first call is reported too).
``peak_mb`` is the peak of memory traced by tracemalloc during one call (numpy
allocations included); ``rss_mb`` the peak resident memory of the whole process
(``resource.getrusage``: interpreter, libraries and data included). ``rel_diff_*`` compare
with rd_methods under the matching small-sample convention (fixest for pyfixest,
linearmodels for linearmodels).

    .venv/bin/python benchmarks/bench_twfe.py            # 35,000 × 20
    .venv/bin/python benchmarks/bench_twfe.py 5000 20    # smaller

Needs the ``bench`` extra (``pip install -e .[bench]``) for the comparisons; without it
only rd_methods is timed.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

METHODS = ("rd_methods", "rd_methods_lm", "pyfixest", "linearmodels")


def make_panel(units: int = 35_000, years: int = 20, seed: int = 0) -> pd.DataFrame:
    """Balanced panel with unit and year effects, a 0/1 treatment and heteroskedastic noise."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(units), years)
    year = np.tile(np.arange(2005, 2005 + years), units)
    treated = rng.random(units) < 0.10
    d = (treated[unit] & (year >= 2005 + years // 2)).astype(float)
    y = (rng.normal(0, 1, units)[unit] + 0.05 * (year - 2005) + rng.normal(0, 0.3, years)[year - 2005]
         + 0.25 * d + rng.normal(0, 1, units * years) * (1 + 0.5 * treated[unit]))
    return pd.DataFrame({"unit": unit, "year": year, "d": d, "y": y})


def _runner(method: str, data: pd.DataFrame):
    if method in ("rd_methods", "rd_methods_lm"):
        from rd_methods.counterfactual import twfe

        ssc = "fixest" if method == "rd_methods" else "linearmodels"

        def fit():
            r = twfe(data, "y", "unit", "year", "d", ssc=ssc, bootstrap=False)
            return float(r["estimate"].iloc[0]), float(r["std_error"].iloc[0])

        return fit
    if method == "pyfixest":
        import pyfixest as pf

        def fit():
            m = pf.feols("y ~ d | unit + year", data=data, vcov={"CRV1": "unit"})
            return float(m.coef()["d"]), float(m.se()["d"])

        return fit
    if method == "linearmodels":
        from linearmodels import PanelOLS

        indexed = data.set_index(["unit", "year"])

        def fit():
            m = PanelOLS(indexed["y"], indexed[["d"]], entity_effects=True, time_effects=True)
            r = m.fit(cov_type="clustered", cluster_entity=True)
            return float(r.params["d"]), float(r.std_errors["d"])

        return fit
    raise ValueError(method)


def _one(method: str, units: int, years: int, repeat: int) -> dict:
    """Run one method in this process; returns timings, memory and the estimate."""
    data = make_panel(units, years)
    fit = _runner(method, data)
    start = time.perf_counter()
    fit()
    cold = time.perf_counter() - start
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        est, se = fit()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    fit()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return {"method": method, "cold_seconds": cold, "seconds": best, "peak_mb": peak, "rss_mb": rss,
            "estimate": est, "std_error": se}


def run(units: int = 35_000, years: int = 20, repeat: int = 3, methods=METHODS) -> list[dict]:
    """Time every available method on the same panel, each in a fresh process."""
    rows = []
    for method in methods:
        proc = subprocess.run(
            [sys.executable, __file__, "--one", method, str(units), str(years), str(repeat)],
            capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0:
            if "ModuleNotFoundError" in proc.stderr:
                continue  # the bench extra is not installed
            raise RuntimeError(f"{method} failed:\n{proc.stderr}")
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    ref = {r["method"]: r for r in rows}
    out = []
    for r in rows:
        match = {"pyfixest": "rd_methods", "linearmodels": "rd_methods_lm"}.get(r["method"])
        m = ref.get(match) if match else None
        out.append({
            "benchmark": "counterfactual.twfe",
            "method": r["method"],
            "scale": f"{units}x{years}",
            "rows": units * years,
            "seconds": round(r["seconds"], 4),
            "cold_seconds": round(r["cold_seconds"], 4),
            "peak_mb": round(r["peak_mb"], 1),
            "rss_mb": round(r["rss_mb"], 1),
            "estimate": r["estimate"],
            "std_error": r["std_error"],
            "rel_diff_estimate": abs(r["estimate"] / m["estimate"] - 1) if m else np.nan,
            "rel_diff_se": abs(r["std_error"] / m["std_error"] - 1) if m else np.nan,
        })
    return out


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(json.dumps(_one(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))))
        sys.exit(0)
    units = int(sys.argv[1]) if len(sys.argv) > 1 else 35_000
    years = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    table = pd.DataFrame(run(units, years))
    with pd.option_context("display.width", 200, "display.float_format", "{:.6g}".format):
        print(table.drop(columns=["benchmark"]).to_string(index=False))
