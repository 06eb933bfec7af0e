"""Timings of rd_methods.pipeline on demo campaigns of growing scale.

Usage: ``python benchmarks/bench_pipeline.py [scale ...]`` (default 1 10 100). Prints one
row per (scale, function): seconds (untraced call) and peak traced memory (MB, a
second call under tracemalloc). ``run()`` returns the
rows as a list of dicts for ``make bench``. The demo data are generated once per scale,
outside the timings.
"""

from __future__ import annotations

import sys

import pandas as pd
from _timing import timed

from rd_methods import pipeline as pl
from rd_methods.demo import DemoOptions, generate

DEFAULT_SCALES = (1, 10, 100)


def _run_scale(scale: int, seed: int) -> list[dict]:
    tables, meta, _ = generate(DemoOptions(seed=seed, scale=scale, last_year=2025))
    stages, projects = tables["project_stages"], tables["projects"]
    censor_on = pd.Timestamp(f"{meta['period'][1]}-12-31")
    features, seconds, peak = timed(
        lambda: pl.project_features(
            stages,
            projects,
            contributions=tables.get("contributions"),
            actors=tables["actors"],
            participations=tables.get("participations"),
            events=tables.get("events"),
            organisation=meta["organisation"],
            censor_on=censor_on,
        )
    )
    timings = {"project_features": (seconds, peak)}
    steps = {
        "history_checks": lambda: pl.history_checks(stages, projects),
        "current_stage": lambda: pl.current_stage(stages),
        "funnel(by=cohort)": lambda: pl.funnel(stages, by="cohort"),
        "transitions": lambda: pl.transitions(stages),
        "time_to_stage(by=need)": lambda: pl.time_to_stage(
            stages, by="need", projects=projects, censor_on=censor_on
        ),
        "launch_model": lambda: pl.launch_model(features),
        "activity_survival": lambda: pl.activity_survival(
            stages, tables.get("jobs"), last_year=meta["period"][1]
        ),
    }
    for name, func in steps.items():
        _, seconds, peak = timed(func)
        timings[name] = (seconds, peak)
    return [
        {"bench": "pipeline", "scale": scale, "n_projects": len(projects), "function": name,
         "seconds": seconds, "peak_mb": peak}
        for name, (seconds, peak) in timings.items()
    ]


def run(scales=DEFAULT_SCALES, seed: int = 1) -> list[dict]:
    """Time every pipeline function at each scale; one dict per (scale, function)."""
    return [row for scale in scales for row in _run_scale(scale, seed)]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    scales = tuple(int(a) for a in argv) or DEFAULT_SCALES
    frame = pd.DataFrame(run(scales))
    print(frame.drop(columns="bench").to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
