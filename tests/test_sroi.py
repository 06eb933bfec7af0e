"""Tests of rd_methods.sroi: hand-computed worked example, properties, break-even,
Monte Carlo, survey estimates and the demo generator's planted ratio."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from rd_methods import sroi as S
from rd_methods.paths import raw_dir


def worked_map() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outcome_id": ["A", "B", "C"],
            "stakeholder_group": ["beneficiaries", "employees", "beneficiaries"],
            "outcome": ["Retour à l'emploi", "Montée en compétences", "Lien social"],
            "indicator": ["personnes", "salariés", "participants"],
            "quantity": [10.0, 4.0, 20.0],
            "proxy_eur": [1000.0, 2500.0, 150.0],
            "proxy_source": ["x", "y", "z"],
            "deadweight": [0.2, 0.5, 0.0],
            "displacement": [0.1, 0.0, 0.0],
            "attribution": [0.25, 0.2, 0.0],
            "drop_off": [0.1, 0.5, 0.0],
            "duration_years": [3, 2, 1],
            "start_offset_years": [0, 1, 2],
        }
    )


INPUTS = pd.DataFrame(
    {"stakeholder_group": ["funders", "members"], "description": ["a", "b"], "value_eur": [3000.0, 2000.0]}
)

# Worked example by hand, r = 25 % so that 1 / 1.25^p = 0.8, 0.64, 0.512 are exact decimals.
# Impact (first year) = quantity × proxy × (1 − dw)(1 − displacement)(1 − attribution):
#   A: 10 × 1000 = 10 000 × 0.8 = 8 000 × 0.9 = 7 200 × 0.75 = 5 400
#   B:  4 × 2500 = 10 000 × 0.5 = 5 000 × 1.0 = 5 000 × 0.8  = 4 000
#   C: 20 ×  150 =  3 000 × 1   × 1 × 1                       = 3 000
# Yearly values (drop-off (1 − d)^(t − 1)), placed at period t + offset:
#   A (offset 0, drop 10 %): p1 5 400, p2 4 860, p3 4 374
#   B (offset 1, drop 50 %): p2 4 000, p3 2 000
#   C (offset 2):            p3 3 000
# Per period: p1 5 400; p2 8 860; p3 9 374 (total undiscounted 23 634)
# Discounted: p1 5 400 × 0.8 = 4 320; p2 8 860 × 0.64 = 5 670.40; p3 9 374 × 0.512 = 4 799.488
# Present value = 4 320 + 5 670.40 + 4 799.488 = 14 789.888 → 14 789.89 €
# By outcome: A 4 320 + 4 860 × 0.64 (3 110.40) + 4 374 × 0.512 (2 239.488) = 9 669.888
#             B 4 000 × 0.64 (2 560) + 2 000 × 0.512 (1 024) = 3 584;  C 3 000 × 0.512 = 1 536
# Inputs = 3 000 + 2 000 = 5 000; ratio = 14 789.888 / 5 000 = 2.9579776
# NPV = 9 789.888 → 9 789.89 €; net ratio = 1.9579776
# Payback: cumulative 4 320 < 5 000 after year 1, 9 990.40 ≥ 5 000 after year 2:
#   1 + (5 000 − 4 320) / 5 670.40 = 1 + 680 / 5 670.40 = 1.119921...
RATE = 0.25


def test_worked_example_to_the_cent():
    res = S.sroi(worked_map(), INPUTS, RATE)
    assert round(res.present_value, 2) == 14789.89
    assert res.present_value == pytest.approx(14789.888, abs=1e-9)
    assert res.total_inputs == 5000.0
    assert round(res.net_present_value, 2) == 9789.89
    assert res.ratio == pytest.approx(2.9579776, abs=1e-12)
    assert res.net_ratio == pytest.approx(1.9579776, abs=1e-12)
    assert res.payback_years == pytest.approx(1 + 680 / 5670.4, abs=1e-12)
    by_year = res.by_year.set_index("year")
    assert by_year.index.tolist() == [1, 2, 3]
    assert by_year["value"].round(2).tolist() == [5400.00, 8860.00, 9374.00]
    assert by_year["present_value"].round(2).tolist() == [4320.00, 5670.40, 4799.49]
    assert by_year["discount_factor"].tolist() == pytest.approx([0.8, 0.64, 0.512], abs=1e-15)
    assert by_year["cumulative_present_value"].round(2).tolist() == [4320.00, 9990.40, 14789.89]
    by_outcome = res.by_outcome.set_index("outcome_id")
    assert by_outcome.index.tolist() == ["A", "B", "C"]  # sorted by present value
    assert by_outcome["impact"].tolist() == pytest.approx([5400, 4000, 3000], abs=1e-9)
    assert by_outcome["gross_value"].tolist() == pytest.approx([10000, 10000, 3000])
    assert by_outcome["total_value"].round(2).tolist() == [14634.00, 6000.00, 3000.00]
    assert by_outcome["present_value"].round(2).tolist() == [9669.89, 3584.00, 1536.00]
    assert by_outcome["share"].sum() == pytest.approx(1.0)
    groups = res.by_stakeholder_group.set_index("stakeholder_group")["present_value"]
    assert groups["beneficiaries"] == pytest.approx(9669.888 + 1536)
    assert groups["employees"] == pytest.approx(3584)
    long = res.by_outcome_year
    assert len(long) == 6
    b2 = long[(long.outcome_id == "B") & (long.outcome_year == 2)].iloc[0]
    assert (b2["year"], b2["value"]) == (3, 2000.0)


def test_worked_example_at_realistic_rate():
    # same values at r = 3.5 %: 5 400 / 1.035 + 8 860 / 1.035^2 + 9 374 / 1.035^3
    #  = 5 217.391304 + 8 270.904805 + 8 454.810923 = 21 943.107033 → 21 943.11 €
    #  (1.035^2 = 1.071225, 1.035^3 = 1.108717875); ratio = 21 943.107 / 5 000 = 4.3886
    res = S.sroi(worked_map(), 5000.0, 0.035)
    expected = 5400 / 1.035 + 8860 / 1.071225 + 9374 / 1.108717875
    assert res.present_value == pytest.approx(expected, abs=1e-9)
    assert round(res.present_value, 2) == 21943.11
    assert round(res.ratio, 4) == 4.3886


def test_summary_frame_and_repr():
    res = S.sroi(worked_map(), INPUTS, RATE)
    frame = res.to_frame().set_index("metric")["value"]
    assert frame["ratio"] == pytest.approx(2.9579776)
    assert frame["total_inputs"] == 5000.0
    assert set(frame.index) >= {"ratio", "net_ratio", "present_value", "net_present_value", "payback_years"}
    text = repr(res)
    assert "ratio=2.958" in text and "payback=1.12 years" in text


def test_zero_rates_leave_impact_unchanged():
    m = worked_map().assign(deadweight=0.0, displacement=0.0, attribution=0.0, drop_off=0.0)
    res = S.sroi(m, 1000.0, 0.0)
    # Σ quantity × proxy × duration = 10 000 × 3 + 10 000 × 2 + 3 000 × 1 = 53 000
    assert res.present_value == pytest.approx(53000.0)
    assert res.by_outcome.set_index("outcome_id")["impact"].tolist() == pytest.approx([10000, 10000, 3000])


@pytest.mark.parametrize("name", ["deadweight", "displacement", "attribution", "drop_off"])
def test_ratio_falls_when_a_share_rises(name):
    ratios = []
    for value in np.linspace(0.0, 0.9, 7):
        m = worked_map()
        m[name] = value
        ratios.append(S.sroi(m, INPUTS, RATE).ratio)
    assert np.all(np.diff(ratios) < 0), ratios


def test_ratio_falls_with_discount_rate_and_payback_never():
    ratios = [S.sroi(worked_map(), INPUTS, r).ratio for r in (0.0, 0.035, 0.1, 0.25)]
    assert np.all(np.diff(ratios) < 0)
    res = S.sroi(worked_map(), 20000.0, RATE)
    assert res.ratio < 1 and math.isnan(res.payback_years)
    assert "payback=never" in repr(res)


def test_bad_input_gets_a_clear_error():
    m = worked_map()
    m.loc[1, "deadweight"] = 1.5
    m.loc[2, "duration_years"] = 0
    with pytest.raises(ValueError, match=r"deadweight must be a share.*row\(s\) 2.*duration_years"):
        S.sroi(m, INPUTS, RATE)
    with pytest.raises(ValueError, match="lacks column"):
        S.sroi(worked_map().drop(columns="drop_off"), INPUTS, RATE)
    with pytest.raises(ValueError, match="total inputs must be > 0"):
        S.sroi(worked_map(), 0.0, RATE)
    with pytest.raises(ValueError, match="discount_rate"):
        S.sroi(worked_map(), INPUTS, -1.0)
    with pytest.raises(ValueError, match="not unique"):
        S.sroi(worked_map().assign(outcome_id="A"), INPUTS, RATE)


def test_sensitivity_values_and_order():
    s = S.sensitivity(worked_map(), INPUTS, RATE, change=0.2)
    assert (np.diff(s["swing"]) <= 1e-15).all()
    base = 2.9579776
    assert s["base_ratio"].unique() == pytest.approx([base])
    glob = s[s.scope == "global"].set_index("assumption")
    # every proxy ±20 %: ratio × 0.8 / × 1.2 (linear)
    assert glob.loc["proxy_eur", ["ratio_low", "ratio_high"]].tolist() == pytest.approx([base * 0.8, base * 1.2])
    # inputs ±20 %: ratio / 0.8, / 1.2
    assert glob.loc["inputs", ["ratio_low", "ratio_high"]].tolist() == pytest.approx([base / 0.8, base / 1.2])
    # proxy of A −20 %: PV falls by 0.2 × 9 669.888 = 1 933.9776 → ratio (14 789.888 − 1 933.9776) / 5 000
    row = s[(s.assumption == "proxy_eur") & (s.outcome_id == "A")].iloc[0]
    assert row["ratio_low"] == pytest.approx((14789.888 - 1933.9776) / 5000)
    assert row["low_value"] == pytest.approx(800.0)
    # deadweight of C is 0: a relative change leaves it at 0 (zero swing) ...
    row = s[(s.assumption == "deadweight") & (s.outcome_id == "C")].iloc[0]
    assert row["swing"] == 0
    # ... an absolute change of 10 points moves it: C loses 10 % of 1 536
    s2 = S.sensitivity(worked_map(), INPUTS, RATE, proportion_change=0.1)
    row = s2[(s2.assumption == "deadweight") & (s2.outcome_id == "C")].iloc[0]
    assert row["high_value"] == pytest.approx(0.1)
    assert row["ratio_high"] == pytest.approx((14789.888 - 153.6) / 5000)
    assert row["ratio_low"] == pytest.approx(base)  # clipped at 0
    with pytest.raises(ValueError, match="change"):
        S.sensitivity(worked_map(), INPUTS, RATE, change=1.5)


def _ratio_at_break_even(m, inputs, row):
    mm = m.copy()
    if row.assumption == "discount_rate":
        return S.sroi(mm, inputs, row.break_even).ratio
    if row.assumption == "inputs":
        return S.sroi(mm, inputs * row.break_even, RATE).ratio
    if row.scope == "outcome":
        mm.loc[mm.outcome_id == row.outcome_id, row.assumption] = row.break_even
    elif row.assumption in S.PROPORTIONS:
        mm[row.assumption] = row.break_even
    else:
        mm[row.assumption] = mm[row.assumption] * row.break_even
    return S.sroi(mm, inputs, RATE).ratio


def test_break_even_values_give_ratio_one():
    # inputs 12 000: ratio 14 789.888 / 12 000 = 1.232491
    m = worked_map()
    be = S.break_even(m, 12000.0, RATE)
    found = be[be.status == "found"]
    assert len(found) == 19
    for row in found.itertuples():
        assert _ratio_at_break_even(m, 12000.0, row) == pytest.approx(1.0, abs=1e-9), row
    idx = be.set_index(["assumption", "scope", "outcome_id"])
    # a common multiplier of all proxies: 1 / ratio = 12 000 / 14 789.888
    assert idx.loc[("proxy_eur", "global", "all"), "break_even"] == pytest.approx(12000 / 14789.888)
    # proxy of A alone: PV must lose 2 789.888 of A's 9 669.888 → 1 000 × (1 − 2 789.888 / 9 669.888)
    assert idx.loc[("proxy_eur", "outcome", "A"), "break_even"] == pytest.approx(711.487041, abs=1e-6)
    # removing C entirely (1 536) leaves 13 253.888 > 12 000: never; drop-off of B at 100 % removes
    # only its second year (1 024): never
    assert idx.loc[("proxy_eur", "outcome", "C"), "status"] == "never"
    assert idx.loc[("drop_off", "outcome", "B"), "status"] == "never"
    assert math.isnan(idx.loc[("deadweight", "outcome", "C"), "break_even"])
    # inputs multiplier = ratio
    assert idx.loc[("inputs", "global", "all"), "break_even"] == pytest.approx(14789.888 / 12000)
    assert (be.status.iloc[: len(found)] == "found").all()  # "never" rows last
    # with inputs 5 000 (ratio 2.96) no single outcome can pull the ratio down to 1
    be5 = S.break_even(m, INPUTS, RATE)
    assert (be5[be5.scope == "outcome"].status == "never").all()


def test_break_even_single_outcome_by_hand():
    # one outcome, 1 year, r = 0: ratio = q × p × (1 − dw) × 0.5 / 200; q = 10, p = 100
    m = pd.DataFrame({"outcome_id": ["o"], "quantity": [10.0], "proxy_eur": [100.0], "deadweight": [0.2],
                      "displacement": [0.0], "attribution": [0.5], "drop_off": [0.0],
                      "duration_years": [1], "start_offset_years": [0]})
    be = S.break_even(m, 200.0, 0.0).set_index(["assumption", "scope"])
    # 1000 × (1 − dw) × 0.5 = 200 → dw = 0.6 ; attribution: 800 × (1 − a) = 200 → a = 0.75
    assert be.loc[("deadweight", "outcome"), "break_even"] == pytest.approx(0.6, abs=1e-12)
    assert be.loc[("attribution", "outcome"), "break_even"] == pytest.approx(0.75, abs=1e-12)
    assert be.loc[("quantity", "outcome"), "break_even"] == pytest.approx(5.0, abs=1e-9)
    assert be.loc[("deadweight", "outcome"), "relative_change"] == pytest.approx(2.0)
    # drop-off has no effect on a one-year outcome: never
    assert be.loc[("drop_off", "outcome"), "status"] == "never"


def test_monte_carlo_reproducible_and_centred():
    m = worked_map()
    a = S.monte_carlo(m, INPUTS, RATE, n=20000, seed=7)
    b = S.monte_carlo(m, INPUTS, RATE, n=20000, seed=7)
    c = S.monte_carlo(m, INPUTS, RATE, n=20000, seed=8)
    assert np.array_equal(a.ratio, b.ratio)
    assert not np.array_equal(a.ratio, c.ratio)
    assert a.point_ratio == pytest.approx(2.9579776)
    lo, hi = a.ci
    assert lo < a.point_ratio < hi
    assert abs(np.median(a.ratio) / a.point_ratio - 1) < 0.05
    summ = a.summary().iloc[0]
    assert summ["n"] == 20000 and summ["ci_low"] == lo and summ["prob_below_one"] < 0.01
    assert len(a.draws()) == 20000


def test_monte_carlo_distributions_are_as_documented():
    one = pd.DataFrame({"outcome_id": ["o"], "quantity": [10.0], "proxy_eur": [100.0], "deadweight": [0.3],
                        "displacement": [0.0], "attribution": [0.0], "drop_off": [0.0],
                        "duration_years": [1], "start_offset_years": [0]})
    # only deadweight uncertain (sigma 0): ratio linear in (1 − dw) → mean of draws = point ratio;
    # Beta(0.3 × 20, 0.7 × 20) has sd √(0.21 / 21) = 0.1 → ratio sd = 1000 × 0.1 / 100 = 1.0
    mc = S.monte_carlo(one, 100.0, 0.0, n=100_000, seed=1, concentration=20, proxy_sigma=0.0)
    assert mc.point_ratio == pytest.approx(7.0)
    assert np.mean(mc.ratio) == pytest.approx(7.0, abs=0.02)
    assert np.std(mc.ratio) == pytest.approx(1.0, abs=0.02)
    # only the proxy uncertain: lognormal with median = proxy, log-sd 0.25
    mc = S.monte_carlo(one.assign(deadweight=0.0), 100.0, 0.0, n=100_000, seed=2, proxy_sigma=0.25)
    assert np.median(mc.ratio) == pytest.approx(10.0, rel=0.005)
    assert np.std(np.log(mc.ratio)) == pytest.approx(0.25, abs=0.003)
    # a stated 0 share stays 0 (deadweight 0 → never drawn)
    assert mc.ratio.max() > 10 and (mc.ratio > 0).all()
    with pytest.raises(ValueError, match="concentration"):
        S.monte_carlo(one, 100.0, 0.0, concentration=0)


def test_from_survey_yes_no_wilson_and_share():
    r = pd.DataFrame(
        {
            "group": ["beneficiaries"] * 6 + ["partners"] * 4,
            "anyway": ["oui", "non", "non", "oui", "non", "non", "oui", "non", "non", "non"],
            "share": [50, 100, 80, 70, np.nan, 60, 40, 100, 90, 30],
        }
    )
    est = S.from_survey(r, anyway="anyway", share="share", group="group", seed=3)
    idx = est.set_index(["stakeholder_group", "parameter"])
    # all: 3 yes out of 10 → 0.3; Wilson 95 %: centre (0.3 + 1.96²/20) / (1 + 1.96²/10) = 0.3555,
    # half-width 1.96 / 1.38415 × √(0.021 + 0.0096) = 0.2477 → [0.1078, 0.6032]
    row = idx.loc[("all", "deadweight")]
    assert row["estimate"] == pytest.approx(0.3)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.1078, 0.6032), abs=1e-4)
    assert row["n"] == 10 and row["method"] == "wilson"
    # attribution = 1 − mean share: shares 50 100 80 70 60 40 100 90 30 (9 answers) mean 68.888… %
    row = idx.loc[("all", "attribution")]
    assert row["estimate"] == pytest.approx(1 - 620 / 900)
    assert row["n"] == 9 and row["ci_low"] < row["estimate"] < row["ci_high"]
    # beneficiaries: 2 / 6 yes; shares 50 100 80 70 60 → mean 72 % → attribution 0.28
    assert idx.loc[("beneficiaries", "deadweight"), "estimate"] == pytest.approx(2 / 6)
    assert idx.loc[("beneficiaries", "attribution"), "estimate"] == pytest.approx(0.28)
    assert idx.loc[("partners", "deadweight"), "n"] == 4
    again = S.from_survey(r, anyway="anyway", share="share", group="group", seed=3)
    pd.testing.assert_frame_equal(est, again)


def test_from_survey_likert_and_errors():
    r = pd.DataFrame({"anyway": [1, 2, 3, 4, 5, 5, None]})
    est = S.from_survey(r, anyway="anyway", seed=0).iloc[0]
    # mapped 0, .25, .5, .75, 1, 1 → mean 3.5 / 6
    assert est["estimate"] == pytest.approx(3.5 / 6)
    assert est["method"] == "bootstrap" and est["n"] == 6
    assert 0.25 < est["ci_low"] < est["estimate"] < est["ci_high"] < 0.9
    with pytest.raises(ValueError, match="whole numbers in"):
        S.from_survey(pd.DataFrame({"anyway": [1, 7]}), anyway="anyway")
    with pytest.raises(ValueError, match="share_max=1"):
        S.from_survey(pd.DataFrame({"s": [0.5, 150]}), share="s")
    with pytest.raises(ValueError, match="not in the responses"):
        S.from_survey(r, anyway="missing")


def test_apply_estimates():
    est = pd.DataFrame(
        {"stakeholder_group": ["all", "beneficiaries", "all"], "parameter": ["deadweight", "deadweight", "attribution"],
         "estimate": [0.4, 0.1, 0.3], "ci_low": 0.0, "ci_high": 1.0, "n": [30, 12, 30], "method": "wilson"}
    )
    out = S.apply_estimates(worked_map(), est)
    assert out["deadweight"].tolist() == [0.1, 0.4, 0.1]
    assert out["deadweight_source"].tolist() == ["survey: beneficiaries", "survey: all", "survey: beneficiaries"]
    assert out["attribution"].tolist() == [0.3, 0.3, 0.3]
    out = S.apply_estimates(worked_map(), est, min_n=20)
    assert out["deadweight"].tolist() == [0.4, 0.4, 0.4]


@pytest.mark.parametrize("campaign", ["demo-2024", "demo-2025"])
def test_demo_planted_ratio(campaign):
    folder = raw_dir() / campaign
    if not (folder / "ground_truth.json").exists():
        pytest.skip(f"demo campaign {campaign} not generated yet")
    from rd_methods.campaign import Campaign

    camp = Campaign.load(campaign)
    truth = camp.ground_truth["sroi"]
    im, inp = camp["sroi_impact_map"], camp["sroi_inputs"]
    res = S.sroi(im, inp, camp.discount_rate)
    assert truth["discount_rate"] == camp.discount_rate == S.DISCOUNT_RATE_FRANCE
    # dated tables: discounted to the first year of the period, which covers inputs and outcomes
    assert res.base_year == truth["base_year"] == camp.period[0]
    assert list(res.period) == truth["period"] == list(camp.period)
    # ground_truth.json stores money to the cent and the ratio to 6 decimals: match them exactly
    assert round(res.present_value, 2) == truth["present_value"]
    assert round(res.total_inputs, 2) == truth["total_inputs"]
    assert round(res.undiscounted_inputs, 2) == truth["undiscounted_inputs"]
    assert round(res.net_present_value, 2) == truth["net_present_value"]
    assert round(res.ratio, 6) == truth["ratio"]
    assert round(S.sroi(im, inp, S.DISCOUNT_RATE_GREEN_BOOK).ratio, 6) == truth["ratio_green_book"]
    # and the generator's own (independent, unrounded) computation to 1e-9 relative
    from rd_methods.demo import sroi_inputs_present_value, sroi_present_value

    exact = sroi_present_value(im, camp.discount_rate, truth["base_year"])
    exact_in = sroi_inputs_present_value(inp, camp.discount_rate, truth["base_year"])
    assert res.present_value == pytest.approx(exact, rel=1e-9)
    assert res.ratio == pytest.approx(exact / exact_in, rel=1e-9)
    # the demo tells a consistent story: no accounting warning
    assert len(S.check_accounting(im, inp)) == truth["n_accounting_warnings"] == 0


@pytest.mark.slow
def test_notebook_runs_and_records_the_planted_ratio(tmp_path):
    """Execute notebooks/60_sroi.ipynb on demo-2025 and read back its recorded results."""
    if not (raw_dir() / "demo-2025" / "ground_truth.json").exists():
        pytest.skip("demo campaign demo-2025 not generated yet")
    import json

    import papermill as pm

    from rd_methods import results
    from rd_methods.paths import notebooks_dir

    out = tmp_path / "60_sroi.ipynb"
    pm.execute_notebook(
        str(notebooks_dir() / "60_sroi.ipynb"), str(out), kernel_name="rd-methods",
        parameters={"campaign": "demo-2025", "n_draws": 2000, "seed": 1}, progress_bar=False,
    )
    truth = json.loads((raw_dir() / "demo-2025" / "ground_truth.json").read_text())["sroi"]
    rec = results.collect(out).set_index("key")
    assert round(rec.loc["sroi.ratio", "value"], 6) == truth["ratio"]
    assert rec.loc["sroi.ratio", "ci_low"] < truth["ratio"] < rec.loc["sroi.ratio", "ci_high"]
    assert round(rec.loc["sroi.ratio_green_book", "value"], 6) == truth["ratio_green_book"]
    assert round(rec.loc["sroi.present_value", "value"], 2) == truth["present_value"]
    assert round(rec.loc["sroi.total_inputs", "value"], 2) == truth["total_inputs"]
    assert rec.loc["sroi.discount_rate", "value"] == truth["discount_rate"]
    assert [rec.loc["sroi.period_first_year", "value"], rec.loc["sroi.period_last_year", "value"]] == truth["period"]
    assert rec.loc["sroi.n_accounting_warnings", "value"] == 0
    assert rec.loc["sroi.sobol_top_parameter", "value"]  # a non-empty text
    assert 0 < rec.loc["sroi.sobol_top_st", "value"] <= 1.05
    assert {"sroi.payback_years", "sroi.net_present_value", "sroi.break_even_proxy_factor",
            "sroi.break_even_min_relative_change", "sroi.prob_ratio_below_one"} <= set(rec.index)
    # the common proxy multiplier at break-even is 1 / ratio
    assert rec.loc["sroi.break_even_proxy_factor", "value"] == pytest.approx(1 / truth["ratio"], rel=1e-5)


def test_from_survey_two_point_scale_is_yes_no():
    # 0/1 answers (1 = would have happened anyway): 3 of 10 → same Wilson interval as "oui"/"non"
    r = pd.DataFrame({"anyway": [1, 0, 0, 1, 0, 0, 1, 0, 0, 0]})
    est = S.from_survey(r, anyway="anyway", anyway_scale=(0, 1)).iloc[0]
    assert est["method"] == "wilson" and est["estimate"] == pytest.approx(0.3)
    assert (est["ci_low"], est["ci_high"]) == pytest.approx((0.1078, 0.6032), abs=1e-4)


# ---------------------------------------------------------------------------
# dated accounting (issue 17)
# ---------------------------------------------------------------------------


def dated_map() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outcome_id": ["A24", "A25", "B25"],
            "stakeholder_group": ["beneficiaries", "beneficiaries", "employees"],
            "outcome": ["Retour à l'emploi", "Retour à l'emploi", "Montée en compétences"],
            "quantity": [10.0, 5.0, 4.0],
            "proxy_eur": [1000.0, 1000.0, 2500.0],
            "deadweight": [0.2, 0.2, 0.5],
            "displacement": [0.1, 0.1, 0.0],
            "attribution": [0.25, 0.25, 0.2],
            "drop_off": [0.1, 0.1, 0.5],
            "duration_years": [2, 2, 2],
            "start_offset_years": [0, 0, 1],
            "year": [2024, 2025, 2025],
        }
    )


DATED_INPUTS = pd.DataFrame(
    {"stakeholder_group": ["local_authorities", "local_authorities"], "description": ["a", "b"],
     "value_eur": [3000.0, 2500.0], "year": [2024, 2025]}
)

# Dated hand example, r = 25 % (1 / 1.25^p = 0.8, 0.64, 0.512, 0.4096), base year 2024.
# Inputs: 3 000 in 2024 (k = 0) + 2 500 in 2025 (k = 1): 3 000 + 2 500 × 0.8 = 3 000 + 2 000 = 5 000
# Impacts: A24 = 10 × 1 000 × 0.8 × 0.9 × 0.75 = 5 400; A25 = 5 × 1 000 × 0.54 = 2 700;
#          B25 = 4 × 2 500 × 0.5 × 1 × 0.8 = 4 000
# Periods (t + offset + k, k = cohort year − 2024):
#   A24 (offset 0, k 0, drop 10 %): p1 5 400, p2 4 860
#   A25 (offset 0, k 1, drop 10 %): p2 2 700, p3 2 430
#   B25 (offset 1, k 1, drop 50 %): p3 4 000, p4 2 000
# Per period: p1 5 400; p2 7 560; p3 6 430; p4 2 000
# Discounted: 5 400 × 0.8 = 4 320; 7 560 × 0.64 = 4 838.4; 6 430 × 0.512 = 3 292.16;
#             2 000 × 0.4096 = 819.2; total 13 269.76
# Ratio = 13 269.76 / 5 000 = 2.653952; payback 1 + (5 000 − 4 320) / 4 838.4
DATED_PV = 13269.76
DATED_RATIO = 2.653952


def test_dated_hand_example_to_1e6():
    res = S.sroi(dated_map(), DATED_INPUTS, RATE, base_year=2024)
    assert res.present_value == pytest.approx(DATED_PV, abs=1e-6)
    assert res.total_inputs == pytest.approx(5000.0, abs=1e-6)
    assert res.undiscounted_inputs == 5500.0
    assert res.ratio == pytest.approx(DATED_RATIO, abs=1e-6)
    assert res.payback_years == pytest.approx(1 + 680 / 4838.4, abs=1e-9)
    assert res.base_year == 2024 and res.period == (2024, 2025)
    by_year = res.by_year.set_index("year")
    assert by_year["value"].tolist() == pytest.approx([5400, 7560, 6430, 2000], abs=1e-9)
    assert by_year["present_value"].tolist() == pytest.approx([4320, 4838.4, 3292.16, 819.2], abs=1e-9)
    assert by_year["calendar_year"].tolist() == [2025, 2026, 2027, 2028]
    per = res.by_outcome.set_index("outcome_id")
    assert per.loc["A25", "present_value"] == pytest.approx(2700 * 0.64 + 2430 * 0.512, abs=1e-9)
    assert per["cohort_year"].to_dict() == {"A24": 2024, "A25": 2025, "B25": 2025}
    ins = res.inputs_by_year.set_index("year")
    assert ins["present_value"].tolist() == pytest.approx([3000.0, 2000.0])
    # the default base year is the first year present; an earlier base year shifts outcomes and
    # inputs alike: the ratio does not move (present values are divided by 1.25)
    assert S.sroi(dated_map(), DATED_INPUTS, RATE).ratio == pytest.approx(DATED_RATIO, abs=1e-12)
    early = S.sroi(dated_map(), DATED_INPUTS, RATE, base_year=2023)
    assert early.present_value == pytest.approx(DATED_PV / 1.25, abs=1e-9)
    assert early.total_inputs == pytest.approx(4000.0, abs=1e-9)
    assert early.ratio == pytest.approx(DATED_RATIO, abs=1e-12)
    with pytest.raises(ValueError, match="base_year 2025 is after the first dated year 2024"):
        S.sroi(dated_map(), DATED_INPUTS, RATE, base_year=2025)


def test_undated_maps_give_todays_results():
    res = S.sroi(worked_map().assign(year=np.nan, quantity_kind=None), INPUTS.assign(year=np.nan), RATE)
    assert res.ratio == pytest.approx(2.9579776, abs=1e-12) and res.base_year is None and res.period is None
    assert "calendar_year" not in res.by_year.columns
    # a map and inputs all dated the same year are the undated case
    same = S.sroi(worked_map().assign(year=2030), INPUTS.assign(year=2030), RATE)
    assert same.ratio == pytest.approx(2.9579776, abs=1e-12) and same.base_year == 2030
    # a cohort dated k years after the base year = an undated outcome with k more years of offset
    m = worked_map()
    shifted = S.sroi(m.assign(year=[2020, 2022, 2021]), INPUTS.assign(year=2020), RATE)
    by_hand = S.sroi(m.assign(start_offset_years=m["start_offset_years"] + [0, 2, 1]), INPUTS, RATE)
    assert shifted.present_value == pytest.approx(by_hand.present_value, abs=1e-9)


def test_dated_inputs_follow_the_discount_rate_in_sensitivity_and_break_even():
    s = S.sensitivity(dated_map(), DATED_INPUTS, RATE, base_year=2024).set_index(["assumption", "scope"])
    low_rate = RATE * 0.8  # 20 % rate: inputs 3 000 + 2 500 / 1.2, outcomes re-discounted
    expected = S.sroi(dated_map(), DATED_INPUTS, low_rate).ratio
    assert s.loc[("discount_rate", "global"), "ratio_low"] == pytest.approx(expected, abs=1e-12)
    assert s.loc[("inputs", "global"), "base_value"] == pytest.approx(5000.0)
    be = S.break_even(dated_map(), DATED_INPUTS, RATE).set_index(["assumption", "scope", "outcome_id"])
    assert be.loc[("inputs", "global", "all"), "break_even"] == pytest.approx(DATED_RATIO, abs=1e-9)
    # inputs doubled (ratio 1.327): at r = 100 % outcomes 2 700 + 1 890 + 803.75 + 125 = 5 518.75
    # against inputs 6 000 + 5 000 / 2 = 8 500, so the rate's break-even lies in (25 %, 100 %)
    double = DATED_INPUTS.assign(value_eur=DATED_INPUTS["value_eur"] * 2)
    be2 = S.break_even(dated_map(), double, RATE).set_index(["assumption", "scope", "outcome_id"])
    rate_be = be2.loc[("discount_rate", "global", "all"), "break_even"]
    assert RATE < rate_be < 1.0
    assert S.sroi(dated_map(), double, rate_be).ratio == pytest.approx(1.0, abs=1e-9)


def inconsistent_map() -> pd.DataFrame:
    """The old demo's mistakes, planted: every job (a stock) against one year's inputs, the
    insertion workers valued again, and a cohort dated in a year without inputs."""
    return pd.DataFrame(
        {
            "outcome_id": ["O1", "O2", "O3"],
            "stakeholder_group": ["employees", "employees", "beneficiaries"],
            "outcome": ["Emplois durables créés sur le territoire", "Retour à l'emploi de salariés en insertion",
                        "Accès à un service de proximité"],
            "indicator": ["ETP des activités lancées", "Salariés en insertion", "Usagers réguliers"],
            "quantity": [45.6, 13.0, 400.0],
            "proxy_eur": [15000.0, 6000.0, 320.0],
            "deadweight": 0.25, "displacement": 0.1, "attribution": 0.3, "drop_off": 0.2,
            "duration_years": [3, 2, 2], "start_offset_years": 0,
            "year": [2025, 2025, 2024],
            "quantity_kind": ["stock", "flow", "flow"],
        }
    )


def test_check_accounting_finds_the_planted_mistakes():
    inputs = pd.DataFrame({"stakeholder_group": ["members"], "description": ["x"], "value_eur": [519148.0],
                           "year": [2025]})
    found = S.check_accounting(inconsistent_map(), inputs).set_index("check")
    assert sorted(found.index) == ["double_count", "outcome_year_without_inputs", "stock_against_one_year"]
    assert found.loc["double_count", "outcome_ids"] == ["O1", "O2"]
    assert "emploi" in found.loc["double_count", "message"] and "double compte" in found.loc["double_count", "message"]
    assert found.loc["outcome_year_without_inputs", "outcome_ids"] == ["O3"]
    assert found.loc["outcome_year_without_inputs", "years"] == [2024]
    assert found.loc["stock_against_one_year", "rows"] == [1]
    assert "une seule année (2025)" in found.loc["stock_against_one_year", "message"]
    # inputs of two years: the stock warning goes, an input year without outcome appears
    two = pd.concat([inputs, inputs.assign(year=2023)], ignore_index=True)
    checks = set(S.check_accounting(inconsistent_map(), two)["check"])
    assert "stock_against_one_year" not in checks and "input_year_without_outcomes" in checks
    # undated inputs against a dated map
    assert "inputs_undated" in set(S.check_accounting(inconsistent_map(), 1000.0)["check"])
    # the hand examples are clean
    assert S.check_accounting(dated_map(), DATED_INPUTS).empty
    assert S.check_accounting(worked_map(), INPUTS).empty


def test_validate_shows_the_sroi_warnings(mini_copy, capsys):
    from rd_methods.cli import main

    m = inconsistent_map()
    m["proxy_source"] = "x"
    m.to_csv(mini_copy / "sroi_impact_map.csv", index=False)
    (mini_copy / "sroi_inputs.xlsx").unlink()
    pd.DataFrame({"stakeholder_group": ["members"], "description": ["Temps salarié"], "value_eur": [519148.0],
                  "year": [2025]}).to_csv(mini_copy / "sroi_inputs.csv", index=False)
    code = main(["validate", "mini"])
    out = capsys.readouterr().out
    assert code == 0  # warnings do not block
    assert "Avertissements" in out
    assert "[double_count]" in out and "O1 et O2" in out
    assert "[stock_against_one_year]" in out and "[outcome_year_without_inputs]" in out
    assert out.splitlines()[0].endswith(": valide")  # warnings, not errors


# ---------------------------------------------------------------------------
# uncertainty: correlated draws, survey intervals, Sobol indices
# ---------------------------------------------------------------------------


def one_outcome(**kw) -> pd.DataFrame:
    base = {"outcome_id": ["o"], "stakeholder_group": ["beneficiaries"], "outcome": ["x"], "quantity": [10.0],
            "proxy_eur": [100.0], "deadweight": [0.3], "displacement": [0.0], "attribution": [0.0],
            "drop_off": [0.0], "duration_years": [1], "start_offset_years": [0]}
    base.update({k: [v] for k, v in kw.items()})
    return pd.DataFrame(base)


def test_monte_carlo_grouped_and_correlated_draws():
    two = pd.concat([one_outcome(deadweight=0.0), one_outcome(deadweight=0.0).assign(outcome_id="p")],
                    ignore_index=True)
    # grouped by outcome: both proxies share one draw, ratio = 20 × X / 100 with log-sd exactly 0.25
    same = S.monte_carlo(two, 100.0, 0.0, n=50_000, seed=3, by="outcome")
    assert np.std(np.log(same.ratio)) == pytest.approx(0.25, abs=0.003)
    # independent: log of a sum of two independent lognormals is tighter (about 0.177)
    indep = S.monte_carlo(two, 100.0, 0.0, n=50_000, seed=3)
    assert np.std(np.log(indep.ratio)) == pytest.approx(0.1775, abs=0.005)
    # correlation 0.5 lies between
    mid = S.monte_carlo(two, 100.0, 0.0, n=50_000, seed=3, correlation=0.5)
    assert 0.19 < np.std(np.log(mid.ratio)) < 0.24
    with pytest.raises(ValueError, match="correlation"):
        S.monte_carlo(two, 100.0, 0.0, correlation=1.0)


def test_monte_carlo_uses_survey_intervals():
    # survey: deadweight 0.3 with 95 % interval [0.2, 0.4] → sd = 0.2 / (2 × 1.959964) = 0.051021;
    # ratio = 1 000 × (1 − dw) / 100 → sd 0.51021, mean 7
    est = pd.DataFrame({"stakeholder_group": ["all"], "parameter": ["deadweight"], "estimate": [0.3],
                        "ci_low": [0.2], "ci_high": [0.4], "n": [80], "method": ["wilson"]})
    mc = S.monte_carlo(one_outcome(), 100.0, 0.0, n=100_000, seed=5, proxy_sigma=0.0, intervals=est)
    assert np.mean(mc.ratio) == pytest.approx(7.0, abs=0.01)
    assert np.std(mc.ratio) == pytest.approx(0.51021, abs=0.008)
    # without them: concentration 20 → sd 0.1 → ratio sd 1.0
    plain = S.monte_carlo(one_outcome(), 100.0, 0.0, n=100_000, seed=5, proxy_sigma=0.0)
    assert np.std(plain.ratio) == pytest.approx(1.0, abs=0.015)


def test_sobol_indices_of_a_product_match_the_analytic_values():
    # ratio = 10 × X × Y with X = proxy ~ lognormal(median 100, σ = 0.25), Y = 1 − dw, dw ~ Beta(6, 14)
    # E[X] = 100 e^{σ²/2}, Var X = E[X]² (e^{σ²} − 1); E[Y] = 0.7, Var Y = 0.21 / 21 = 0.01
    # Indices are scale-free: normalise E[X] = 1, so Var X = e^{σ²} − 1 = 0.064494.
    # Var(XY) = E[X²]E[Y²] − E[X]²E[Y]²; S1_X = Var X · E[Y]² / Var; ST_X = Var X · E[Y²] / Var
    ex, ey, vy = 1.0, 0.7, 0.01
    vx = np.exp(0.25**2) - 1
    var = (vx + ex**2) * (vy + ey**2) - ex**2 * ey**2
    s1_x, s1_y = vx * ey**2 / var, vy * ex**2 / var
    st_x, st_y = vx * (vy + ey**2) / var, vy * (vx + ex**2) / var
    g = S.global_sensitivity(one_outcome(), 100.0, 0.0, n=8192, seed=2).set_index("parameter")
    assert g.loc["proxy_eur", "S1"] == pytest.approx(s1_x, abs=0.03)  # 0.748
    assert g.loc["deadweight", "S1"] == pytest.approx(s1_y, abs=0.03)  # 0.237
    assert g.loc["proxy_eur", "ST"] == pytest.approx(st_x, abs=0.03)
    assert g.loc["deadweight", "ST"] == pytest.approx(st_y, abs=0.03)
    assert (g["S1_ci_low"] <= g["S1"]).all() and (g["ST"] <= g["ST_ci_high"]).all()
    assert g.index[0] == "proxy_eur"  # sorted by ST
    # grouping the cohorts of one outcome gives one parameter per assumption
    gm = S.global_sensitivity(dated_map(), DATED_INPUTS, RATE, n=256, seed=1, by="outcome")
    assert set(zip(gm["group"], gm["parameter"], strict=True)) >= {("Retour à l'emploi", "proxy_eur")}
    assert gm.loc[gm["group"] == "Retour à l'emploi", "outcome_id"].iloc[0] == "A24, A25"
    with pytest.raises(ValueError, match="power of 2"):
        S.global_sensitivity(one_outcome(), 100.0, 0.0, n=1000)


# --------------------------------------------------------------------------- the page's key results
def test_key_results_are_the_planted_sroi_figures():
    folder = raw_dir() / "demo-2025"
    if not (folder / "ground_truth.json").exists():
        pytest.skip("demo-2025 not generated yet")
    from rd_methods.campaign import Campaign

    camp = Campaign.load("demo-2025")
    truth = camp.ground_truth["sroi"]
    a = S.analysis(camp["sroi_impact_map"], camp["sroi_inputs"], camp.discount_rate, n_draws=2000, sobol_n=128, seed=7)
    keys = S.key_results(a)
    k = keys.set_index("key")
    v = k["value"]
    assert round(v["sroi.ratio"], 6) == truth["ratio"]
    assert round(v["sroi.ratio_green_book"], 6) == truth["ratio_green_book"]
    assert round(v["sroi.present_value"], 2) == truth["present_value"]
    assert round(v["sroi.total_inputs"], 2) == truth["total_inputs"]
    assert round(v["sroi.net_present_value"], 2) == truth["net_present_value"]
    assert [v["sroi.period_first_year"], v["sroi.period_last_year"]] == truth["period"]
    assert v["sroi.n_accounting_warnings"] == truth["n_accounting_warnings"] == 0
    assert v["sroi.discount_rate"] == S.DISCOUNT_RATE_FRANCE
    # the Monte Carlo interval surrounds the stated ratio; the share below 1 is the draws' share
    assert k.loc["sroi.ratio", "ci_low"] < v["sroi.ratio"] < k.loc["sroi.ratio", "ci_high"]
    assert v["sroi.prob_ratio_below_one"] == pytest.approx(float((a.monte_carlo.ratio < 1).mean()))
    # the ratio is linear in the proxies: the common factor bringing it to 1 is 1 / ratio
    assert v["sroi.break_even_proxy_factor"] == pytest.approx(1 / v["sroi.ratio"], rel=1e-6)
    # the nearest single-assumption break-even is the first "found" outcome row
    single = S.nearest_single_break_even(a.break_even)
    assert v["sroi.break_even_min_relative_change"] == single["relative_change"]
    assert isinstance(v["sroi.sobol_top_parameter"], str) and " — " in v["sroi.sobol_top_parameter"]
    assert 0 <= v["sroi.sobol_top_st"] <= 1.2
    assert k.loc["sroi.sobol_top_st", "ci_low"] <= v["sroi.sobol_top_st"] <= k.loc["sroi.sobol_top_st", "ci_high"]
    assert set(keys["key"]) == {
        "sroi.n_accounting_warnings", "sroi.discount_rate", "sroi.period_first_year", "sroi.period_last_year",
        "sroi.ratio", "sroi.ratio_green_book", "sroi.present_value", "sroi.total_inputs", "sroi.net_present_value",
        "sroi.payback_years", "sroi.prob_ratio_below_one", "sroi.sobol_top_parameter", "sroi.sobol_top_st",
        "sroi.break_even_proxy_factor", "sroi.break_even_deadweight_all", "sroi.break_even_attribution_all",
        "sroi.break_even_min_relative_change"}


def test_key_results_on_a_hand_map_where_nothing_breaks_even():
    """One outcome worth 1,000 € a year for one year against 100 € of inputs: ratio 10 at a zero rate."""
    im = pd.DataFrame({"outcome_id": ["o1"], "stakeholder_group": ["beneficiaries"], "outcome": ["Emplois"],
                       "indicator": ["x"], "quantity": [10.0], "proxy_eur": [100.0], "proxy_source": ["s"],
                       "deadweight": [0.0], "displacement": [0.0], "attribution": [0.0], "drop_off": [0.0],
                       "duration_years": [1], "start_offset_years": [0], "year": [float("nan")]})
    inp = pd.DataFrame({"stakeholder_group": ["members"], "description": ["d"], "value_eur": [100.0],
                        "year": [float("nan")]})
    a = S.analysis(im, inp, 0.0, green_book_rate=0.0, n_draws=500, sobol_n=64, seed=1)
    k = S.key_results(a).set_index("key")
    assert k.loc["sroi.ratio", "value"] == pytest.approx(10.0)
    assert k.loc["sroi.break_even_proxy_factor", "value"] == pytest.approx(0.1)
    assert k.loc["sroi.break_even_deadweight_all", "value"] == pytest.approx(0.9)
    assert k.loc["sroi.discount_rate", "note"] == "taux de la campagne"
    assert "sroi.period_first_year" not in k.index  # undated tables: no period


def test_sensitivity_and_break_even_texts():
    assert S.sensitivity_label("deadweight", "all") == "Effet d'aubaine — tous les résultats"
    assert S.sensitivity_label("quantity", "o1-2020", {"o1-2020": "Emplois"}, dated=False) == "Quantité — Emplois"
    assert S.break_even_value_text("inputs", "global", 1.94) == "× 1,94"
    assert S.break_even_value_text("quantity", "outcome", 12.0, masked_below=5) == "12"


def test_survey_adjustment_uses_the_last_wave_and_the_survey_estimates():
    im = pd.DataFrame({"outcome_id": ["o1", "o2"], "stakeholder_group": ["beneficiaries", "partners"],
                       "outcome": ["Emplois", "Coopération"], "indicator": ["x", "y"], "quantity": [10.0, 5.0],
                       "proxy_eur": [100.0, 80.0], "proxy_source": ["s", "s"], "deadweight": [0.1, 0.1],
                       "displacement": [0.0, 0.0], "attribution": [0.2, 0.2], "drop_off": [0.0, 0.0],
                       "duration_years": [1, 1], "start_offset_years": [0, 0], "year": [float("nan")] * 2})
    inp = pd.DataFrame({"stakeholder_group": ["members"], "description": ["d"], "value_eur": [500.0],
                        "year": [float("nan")]})
    rng = np.random.default_rng(0)
    later = pd.DataFrame({"wave": 2, "stakeholder_group": ["beneficiaries"] * 8 + ["partners"] * 3,
                          "anyway": ["oui", "non"] * 4 + ["oui"] * 3, "share": rng.integers(40, 100, 11)})
    first = later.assign(wave=1, anyway="oui")  # an older wave, ignored
    adj = S.survey_adjustment(im, inp, pd.concat([first, later]), 0.0, anyway="anyway", share="share", min_n=5,
                              seed=1, n_draws=500)
    assert adj.wave == 2
    assert set(adj.estimates["stakeholder_group"]) == {"all", "beneficiaries"}  # partners: 3 answers < 5
    dw = adj.estimates.set_index(["stakeholder_group", "parameter"]).loc[("beneficiaries", "deadweight"), "estimate"]
    assert dw == pytest.approx(0.5)
    expected = S.sroi(S.apply_estimates(im, adj.estimates, min_n=5), inp, 0.0)
    assert adj.result.ratio == pytest.approx(expected.ratio)
    assert adj.result.ratio != pytest.approx(S.sroi(im, inp, 0.0).ratio)  # the survey changed the ratio
    assert adj.monte_carlo.ci[0] < adj.monte_carlo.ci[1]
    with pytest.raises(ValueError, match="anyway"):
        S.survey_adjustment(im, inp, later, 0.0)


def test_page_sentences_follow_the_numbers():
    """The SROI page's coverage and limits (sroi_text) state the demo's own figures, in French style."""
    from rd_methods import formats as fr
    from rd_methods import sroi_text
    from rd_methods.campaign import Campaign

    camp = Campaign.load("demo-2025")
    imap, inputs = camp["sroi_impact_map"], camp["sroi_inputs"]
    res, res_gb = S.sroi(imap, inputs, 0.032), S.sroi(imap, inputs, 0.035)
    groups = sorted(imap["stakeholder_group"].unique())
    names = {g: g.upper() for g in {*groups, *inputs["stakeholder_group"]}}
    text = sroi_text.coverage_markdown(res, groups, sorted(inputs["stakeholder_group"].unique()), names,
                                       camp["contributions"], camp.monetisation)
    assert f"de **{res.period[0]} à {res.period[1]}**" in text and fr.format_eur(res.total_inputs) in text
    assert "les ressources du SROI en sont la somme exacte" in text  # demo inputs = valued contributions
    assert "la table des contributions est absente" in sroi_text.coverage_markdown(res, groups, groups, names)
    limits = sroi_text.limits_markdown(res, res_gb, 0.032, 0.035, (0.37, 0.76), synthetic=True)
    assert fr.format_number(res.ratio, 2) in limits and fr.format_number(res_gb.ratio, 2) in limits
    assert "[0,37\u00a0; 0,76]" in limits and "Données synthétiques" in limits and "nan" not in limits
