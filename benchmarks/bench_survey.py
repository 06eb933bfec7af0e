"""Timings of rd_methods.survey on survey tables of growing scale.

Usage: ``python benchmarks/bench_survey.py [scale ...]`` (default 1 10 100). The survey
of ``demo-2025`` (420 respondents, two waves, 19 items) is replicated ``scale`` times with
new respondent ids (pairs across waves kept), so scale 100 holds 73,500 response rows
(about 1.4 million answers). Prints one row per (scale, function): seconds and peak traced
memory (MB); ``run()`` returns the rows as a list of dicts for ``make bench``. The ordinal
model (numerical gradients, one fit per scale) and the multiple imputation are timed up to
scale 10 only.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
import warnings

import pandas as pd

from rd_methods import survey
from rd_methods.campaign import Campaign

DEFAULT_SCALES = (1, 10, 100)
ORDINAL_MAX_SCALE = 10


def _timed(func):
    tracemalloc.start()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = func()
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, seconds, peak / 2**20


def _replicate(responses: pd.DataFrame, scale: int) -> pd.DataFrame:
    copies = [responses.assign(respondent_id=responses["respondent_id"] + f"_{k:03d}") for k in range(scale)]
    return pd.concat(copies, ignore_index=True)


def run(scales=DEFAULT_SCALES) -> list[dict]:
    """Time the survey functions at each scale; one dict per (scale, function)."""
    import pingouin  # noqa: F401  (import once, outside the timings: it takes seconds)

    camp = Campaign.load("demo-2025")
    base, items = camp["survey_responses"], camp["survey_items"]
    rows: list[dict] = []
    for scale in scales:
        scale = int(scale)
        responses = _replicate(base, scale)
        jobs = {
            "score_scales": lambda r=responses: survey.score_scales(r, items),
            "reliability": lambda r=responses: survey.reliability(r, items, wave=1),
            "item_summary": lambda r=responses: survey.item_summary(r, items),
            "before_after": lambda r=responses: survey.before_after(r, items=items),
            "compare_groups (rank tests)": lambda r=responses: survey.compare_groups(r, items, ordinal=False),
        }
        pop = survey.population_from_campaign(camp.meta) or {}
        jobs.update({
            "nonresponse_weights": lambda r=responses, p=pop: survey.nonresponse_weights(r, p),
            "attrition_weights": lambda r=responses: survey.attrition_weights(r, items),
            "weighted_change": lambda r=responses: survey.weighted_change(r, items),
            "attrition_check": lambda r=responses: survey.attrition_check(r, items),
            "omega (no bootstrap)": lambda r=responses: survey.omega(r, items, wave=1, n_boot=0),
            "omega (200 bootstrap)": lambda r=responses: survey.omega(r, items, wave=1, n_boot=200),
            "invariance": lambda r=responses: survey.invariance(r, items),
        })
        if scale <= ORDINAL_MAX_SCALE:
            jobs["ordinal_model (one scale)"] = lambda r=responses: survey.ordinal_model(r, items, "trust")
            jobs["mice_change (5 imputations)"] = lambda r=responses: survey.mice_change(r, items)
        for name, job in jobs.items():
            _, seconds, peak = _timed(job)
            rows.append({"bench": "survey", "scale": scale, "rows": len(responses), "function": name,
                         "seconds": round(seconds, 3), "peak_mb": round(peak, 1)})
    return rows


def main(argv: list[str]) -> int:
    scales = [int(a) for a in argv] or list(DEFAULT_SCALES)
    table = pd.DataFrame(run(scales))
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
