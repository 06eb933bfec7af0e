"""Tests of rd_methods.budget: the growth model, its interpolation and the runner's message."""

from __future__ import annotations

import math

import pytest

from rd_methods import budget


def _bench_rows():
    """Rows shaped like benchmarks/bench_scale.py's: notebook seconds and table sizes."""
    rows = []
    for scale, tables, seconds in [
        (1, {"participations": 6_700, "survey_responses": 760, "actors": 2_950}, {"20_actor_network": 10.0,
                                                                                  "40_stakeholder_survey": 8.0}),
        (10, {"participations": 67_000, "survey_responses": 7_600, "actors": 29_500}, {"20_actor_network": 40.0,
                                                                                     "40_stakeholder_survey": 9.0}),
        (100, {"participations": 670_000, "survey_responses": 76_000, "actors": 295_000},
         {"20_actor_network": 400.0, "40_stakeholder_survey": 30.0}),
    ]:
        for stem, t in seconds.items():
            rows.append({"scale": scale, "notebook": stem, "status": "ok", "seconds": t})
        rows.append({"scale": scale, "notebook": "(total)", "status": "ok", "seconds": sum(seconds.values()),
                     "tables": tables})
    rows.append({"scale": 100, "notebook": "55_resilience", "status": "failed", "seconds": 3000.0})
    return rows


def test_fit_model_uses_each_notebooks_driving_table_and_skips_failed_runs():
    model = budget.fit_model(_bench_rows(), source="test")
    nb = model["notebooks"]
    assert nb["20_actor_network"] == {"sizes": [6_700, 67_000, 670_000], "seconds": [10.0, 40.0, 400.0]}
    assert nb["40_stakeholder_survey"]["sizes"] == [760, 7_600, 76_000]
    assert "55_resilience" not in nb  # its only run failed


def test_predict_interpolates_on_a_log_log_scale_and_extrapolates_at_least_affinely():
    entry = budget.fit_model(_bench_rows())["notebooks"]["20_actor_network"]
    # measured points are returned as measured
    for size, seconds in zip(entry["sizes"], entry["seconds"], strict=True):
        assert budget.predict_seconds(entry, size) == pytest.approx(seconds)
    # between 6,700 and 67,000 the exponent is log(4)/log(10): at the geometric middle, 10 * 4 ** 0.5
    assert budget.predict_seconds(entry, math.sqrt(6_700 * 67_000)) == pytest.approx(20.0)
    # above: last segment exponent 1 and a line through the origin here: ten times the size, ten times the time
    assert budget.predict_seconds(entry, 6_700_000) == pytest.approx(4_000.0)
    # below the smallest size: the start-up time
    assert budget.predict_seconds(entry, 10) == pytest.approx(10.0)
    # a sub-linear last segment: the straight line through the last two points (start-up + per row)
    survey = budget.fit_model(_bench_rows())["notebooks"]["40_stakeholder_survey"]
    assert budget.predict_seconds(survey, 760_000) == pytest.approx(30 + (30 - 9) / (76_000 - 7_600) * 684_000)


def test_estimate_flags_over_budget_and_suggests_the_precision_parameter():
    model = budget.fit_model(_bench_rows())
    sizes = {"participations": 6_700_000, "survey_responses": 760, "actors": 10}
    est = budget.estimate(sizes, ["20_actor_network", "40_stakeholder_survey", "99_unknown"], model=model,
                          budget_seconds=600).set_index("notebook")
    net = est.loc["20_actor_network"]
    assert net["seconds"] == pytest.approx(4_000.0) and net["over_budget"]
    # the dependence draws are a fifth of notebook 20's time: the rest alone exceeds 600 s
    assert net["parameter"] == "n_baseline" and net["suggested"] is None
    assert not est.loc["40_stakeholder_survey", "over_budget"]
    assert est.loc["40_stakeholder_survey", "suggested"] is None
    assert math.isnan(est.loc["99_unknown", "seconds"])
    line = budget.message(est.reset_index().iloc[0])
    assert line == ("20_actor_network : environ 67 min à cette taille ; --param n_baseline (réseaux aléatoires du "
                    "test de dépendance, au plus) ne réduit qu'environ 20 % de ce temps")
    # within reach: the draws' part scaled to what the budget leaves them, from the 40 draws
    # the sequential rule stops at on the benchmark's campaigns
    near = budget.estimate({"participations": 1_100_000}, ["20_actor_network"], model=model,
                           budget_seconds=600).iloc[0]
    seconds = near["seconds"]
    assert near["over_budget"] and near["suggested"] == int(40 * (600 - 0.8 * seconds) / (0.2 * seconds))
    assert budget.message(est.reset_index().iloc[1]) == "40_stakeholder_survey : environ 8 s à cette taille"
    assert "inconnue" in budget.message(est.reset_index().iloc[2])


def test_shipped_model_covers_the_heavy_notebooks_and_grows_with_the_campaign():
    model = budget.load_model()
    nb = model["notebooks"]
    for stem in ("20_actor_network", "40_stakeholder_survey", "55_resilience"):
        assert stem in nb and len(nb[stem]["sizes"]) >= 2
        assert nb[stem]["sizes"] == sorted(nb[stem]["sizes"])
    small = budget.estimate({"participations": 7_000}, ["20_actor_network"], model=model)["seconds"].iloc[0]
    large = budget.estimate({"participations": 7_000_000}, ["20_actor_network"], model=model)["seconds"].iloc[0]
    assert large > 100 * small  # at least linear beyond what was measured


def test_campaign_sizes_of_the_demo():
    from rd_methods.campaign import Campaign

    camp = Campaign.load("demo-2025")
    sizes = budget.campaign_sizes(camp.tables)
    assert sizes["participations"] == len(camp["participations"]) > 0
    est = budget.estimate(sizes, ["20_actor_network"])
    assert not est["over_budget"].iloc[0]  # the demo fits the default budget


def test_the_runner_warns_up_front_only_above_the_budget():
    from types import SimpleNamespace

    import pandas as pd

    from rd_methods.publish.plan import warn_over_budget

    def said(rows: int, params=None) -> list[str]:
        tables = {t: pd.DataFrame(index=range(rows)) for t in ("actors", "events", "participations", "ties")}
        spec = SimpleNamespace(stem="20_actor_network", requires=("actors", "events", "participations"))
        state = SimpleNamespace(now=[spec], camp=SimpleNamespace(id="big", tables=tables))
        plan = SimpleNamespace(options=SimpleNamespace(params=params or {}))
        lines: list[str] = []
        warn_over_budget(state, plan, lines.append)
        return lines

    assert said(100) == []  # demo size: silent
    (line,) = said(5_000_000)
    assert line.startswith("[big] durée estimée : 20_actor_network : environ") and "--param n_baseline" in line
    assert said(5_000_000, {"n_baseline": "10"}) == []  # already chosen by the user


def test_precision_parameters_are_the_notebooks_own():
    """Each suggested ``--param`` exists in its notebook's parameters cell with the same default."""
    from pathlib import Path

    from rd_methods.budget import PRECISION_PARAMETERS
    from rd_methods.publish.parameters import inspect_parameters

    root = Path(__file__).resolve().parents[1] / "notebooks"
    for stem, (name, default, _) in PRECISION_PARAMETERS.items():
        declared = {p["name"]: p for p in inspect_parameters(root / f"{stem}.ipynb")}
        assert declared[name]["default"] == str(default) and declared[name]["type"] == "int", stem
