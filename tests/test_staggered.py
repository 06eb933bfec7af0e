"""Tests of rd_methods.staggered (Callaway & Sant'Anna 2021 group-time ATTs).

References
----------
1. Published outputs of the R package ``did`` on its ``mpdta`` example (minimum wage and
   county teen employment, 500 counties, 2003–2007), README of did 2.5.0 (``att_gt(yname =
   "lemp", tname = "year", idname = "countyreal", gname = "first.treat", xformla = ~1,
   est_method = "reg")`` and ``aggte(type = "dynamic" | "group")``): point estimates printed
   to 4 decimals and the pre-test p-value 0.16812. The README's standard errors come from the
   multiplier bootstrap (random), so the analytic standard errors (``bstrap = FALSE``) are
   checked against an independent implementation of R's formulas, csdid 0.4.3 (the Python
   port of ``did`` by its co-author's group), run once by hand: values below, 1e-6.
   The data are not committed: they come from the ``moderndid`` package (test extra), which
   ships ``did::mpdta``.
2. Simulated panels with planted group-time effects (exact recovery without noise; within
   a few standard errors with noise), and the TWFE bias under staggered adoption.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rd_methods import staggered as st
from rd_methods.staggered import staggered_did

# --------------------------------------------------------------------------------------
# mpdta (R did's example)
# --------------------------------------------------------------------------------------

# did README (est_method = "reg", never treated, varying base): ATT(g, t) to 4 decimals
MPDTA_ATT_GT = [
    (2004, 2004, -0.0105), (2004, 2005, -0.0704), (2004, 2006, -0.1373), (2004, 2007, -0.1008),
    (2006, 2004, 0.0065), (2006, 2005, -0.0028), (2006, 2006, -0.0046), (2006, 2007, -0.0412),
    (2007, 2004, 0.0305), (2007, 2005, -0.0027), (2007, 2006, -0.0311), (2007, 2007, -0.0261),
]
MPDTA_DYNAMIC = {-3: 0.0305, -2: -0.0006, -1: -0.0245, 0: -0.0199, 1: -0.0510, 2: -0.1373, 3: -0.1008}
MPDTA_DYNAMIC_OVERALL = -0.0772
MPDTA_GROUP = {2004: -0.0797, 2006: -0.0229, 2007: -0.0261}
MPDTA_GROUP_OVERALL = -0.031  # printed to 3 decimals
MPDTA_PRETEST_P = 0.16812

# analytic standard errors (bstrap = FALSE), csdid 0.4.3 = R did's formulas
MPDTA_SE_GT = [0.023251, 0.030985, 0.036436, 0.034359, 0.023327, 0.019559, 0.017755, 0.020229,
               0.015034, 0.016396, 0.017878, 0.016655]
MPDTA_AGG = {  # kind: (overall estimate, overall se, level se)
    "simple": (-0.039951, 0.012034, None),
    # overall se of "group": R's aggte feeds group[1:n_groups] of the ATT(g,t) vector to wif
    # (kept here, so the figure is R's); csdid uses glist and gives 0.012446
    "group": (-0.031018, 0.012415, [0.026368, 0.016703, 0.016655]),
    "dynamic": (-0.07724, 0.019965, [0.015034, 0.013292, 0.014236, 0.011826, 0.016893, 0.036436, 0.034359]),
    "calendar": (-0.0417, 0.015972, [0.023251, 0.030985, 0.020126, 0.013747]),
}
# doubly robust with xformla = ~lpop (R's default est_method), csdid 0.4.3
MPDTA_DR_LPOP = [-0.01453, -0.076422, -0.140448, -0.106904, -0.000472, -0.006203, 0.000961, -0.041294,
                 0.026728, -0.004577, -0.028447, -0.028781]
MPDTA_DR_LPOP_SE = [0.022129, 0.028671, 0.035378, 0.032886, 0.022223, 0.018496, 0.0194, 0.019721, 0.014066,
                    0.015718, 0.018181, 0.016239]


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    if importlib.util.find_spec("moderndid") is None:
        pytest.skip("moderndid (test extra) ships did::mpdta")
    spec = importlib.util.find_spec("moderndid")
    path = Path(list(spec.submodule_search_locations)[0]) / "core" / "datasets" / "mpdta_long.pkl.gz"
    if path.exists():
        df = pd.read_pickle(path)
    else:  # newer moderndid: public loader (polars)
        import moderndid

        df = moderndid.load_mpdta()
        df = df.to_pandas() if hasattr(df, "to_pandas") else pd.DataFrame(df)
    assert df.shape[0] == 2500 and df["countyreal"].nunique() == 500
    return df


@pytest.fixture(scope="module")
def mp_reg(mpdta):
    return staggered_did(mpdta, "lemp", "countyreal", "year", "first.treat", method="reg")


def test_mpdta_att_gt_matches_r_did_readme(mp_reg):
    tab = mp_reg.att_gt
    assert list(zip(tab["group"], tab["time"], strict=True)) == [(g, t) for g, t, _ in MPDTA_ATT_GT]
    # printed to 4 decimals: |estimate - printed| <= half a unit of the last digit
    np.testing.assert_allclose(tab["estimate"], [a for *_, a in MPDTA_ATT_GT], atol=5e-5 + 1e-12)
    np.testing.assert_allclose(tab["std_error"], MPDTA_SE_GT, atol=1e-6)
    assert tab["n_treated"].tolist()[:1] == [20] and tab["n_control"].unique().tolist() == [309]
    z = 1.959963984540054
    np.testing.assert_allclose(tab["ci_high"] - tab["estimate"], z * tab["std_error"], rtol=1e-12)
    assert mp_reg.pretrend_p == pytest.approx(MPDTA_PRETEST_P, abs=5e-6)


def test_mpdta_aggregations_match_r_did(mp_reg):
    dyn = mp_reg.aggregate("dynamic")
    assert dyn["event_time"].tolist() == list(MPDTA_DYNAMIC)
    np.testing.assert_allclose(dyn["estimate"], list(MPDTA_DYNAMIC.values()), atol=5e-5)
    assert dyn.overall["estimate"] == pytest.approx(MPDTA_DYNAMIC_OVERALL, abs=5e-5)
    grp = mp_reg.aggregate("group")
    np.testing.assert_allclose(grp["estimate"], list(MPDTA_GROUP.values()), atol=5e-5)
    assert grp.overall["estimate"] == pytest.approx(MPDTA_GROUP_OVERALL, abs=5e-4)
    for kind, (est, se, level_se) in MPDTA_AGG.items():
        agg = mp_reg.aggregate(kind)
        assert agg.kind == kind
        assert agg.overall["estimate"] == pytest.approx(est, abs=1e-6), kind
        assert agg.overall["std_error"] == pytest.approx(se, abs=1e-6), kind
        if level_se is not None:
            np.testing.assert_allclose(agg["std_error"], level_se, atol=1e-6, err_msg=kind)
    # dr and reg coincide without covariates (as in R)
    assert mp_reg.aggregate("simple").overall["estimate"] == pytest.approx(-0.0400, abs=5e-5)


def test_mpdta_doubly_robust_with_covariate(mpdta):
    res = staggered_did(mpdta, "lemp", "countyreal", "year", "first.treat", covariates=["lpop"])
    assert res.method == "dr"
    np.testing.assert_allclose(res.att_gt["estimate"], MPDTA_DR_LPOP, atol=1e-6)
    np.testing.assert_allclose(res.att_gt["std_error"], MPDTA_DR_LPOP_SE, atol=1e-6)
    reg = staggered_did(mpdta, "lemp", "countyreal", "year", "first.treat", covariates=["lpop"], method="reg")
    assert not np.allclose(reg.att_gt["estimate"], res.att_gt["estimate"], atol=1e-7)


def test_mpdta_bootstrap_band_close_to_r_readme(mpdta):
    res = staggered_did(mpdta, "lemp", "countyreal", "year", "first.treat", bootstrap=True, n_boot=999, seed=7)
    # README: band for ATT(2004, 2004) = [-0.0749, 0.0539] with bootstrap se 0.0241, i.e. a
    # uniform critical value ~ 2.67; ours is a different random draw of the same procedure
    assert 2.4 < res.crit_value < 2.9
    tab = res.att_gt
    assert (tab["band_low"] < tab["ci_low"]).all() and (tab["band_high"] > tab["ci_high"]).all()
    again = staggered_did(mpdta, "lemp", "countyreal", "year", "first.treat", bootstrap=True, n_boot=999, seed=7)
    assert again.crit_value == res.crit_value  # seeded
    dyn = res.aggregate("dynamic")
    assert {"band_low", "band_high"} <= set(dyn.columns)


# --------------------------------------------------------------------------------------
# simulated panels with planted effects
# --------------------------------------------------------------------------------------

YEARS = np.arange(2014, 2024)
COHORTS = {2017: 12, 2019: 18, 2021: 10, 0: 25}  # first year: number of units (0 = never)


def effect(g: int, t: int) -> float:
    """Planted ATT(g, t): grows with exposure and differs by cohort."""
    if g == 0 or t < g:
        return 0.0
    return {2017: 1.0, 2019: 2.0, 2021: -0.5}[g] + 0.3 * (t - g)


def panel(noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    year_fe = {t: 0.4 * (t - YEARS[0]) + 0.2 * np.sin(t) for t in YEARS}
    i = 0
    for g, n in COHORTS.items():
        for _ in range(n):
            unit_fe = rng.normal(0, 2) + (0.5 if g else 0.0)
            for t in YEARS:
                y = unit_fe + year_fe[t] + effect(g, t) + noise * rng.normal()
                rows.append({"unit": f"u{i:03d}", "year": int(t), "g": g, "y": y, "x": unit_fe})
            i += 1
    return pd.DataFrame(rows)


@pytest.mark.parametrize("control", ["never_treated", "not_yet_treated"])
@pytest.mark.parametrize("base_period", ["varying", "universal"])
def test_noiseless_panel_recovers_planted_effects_exactly(control, base_period):
    res = staggered_did(panel(), "y", "unit", "year", "g", control=control, base_period=base_period)
    tab = res.att_gt
    post = tab[tab["post"]]
    np.testing.assert_allclose(post["estimate"], [effect(g, t) for g, t in zip(post["group"], post["time"],
                                                                                  strict=True)], atol=1e-10)
    np.testing.assert_allclose(tab.loc[~tab["post"], "estimate"], 0.0, atol=1e-10)
    assert set(post["group"]) == {2017, 2019, 2021}
    # aggregations with their exact planted values (weights = cohort sizes)
    sizes = {g: n for g, n in COHORTS.items() if g}
    cells = [(g, t) for g in sizes for t in YEARS if t >= g]
    simple = sum(sizes[g] * effect(g, t) for g, t in cells) / sum(sizes[g] for g, t in cells)
    assert res.aggregate("simple").overall["estimate"] == pytest.approx(simple, abs=1e-10)
    grp = res.aggregate("group")
    truth_g = {g: np.mean([effect(g, t) for t in YEARS if t >= g]) for g in sizes}
    np.testing.assert_allclose(grp["estimate"], [truth_g[g] for g in grp["group"]], atol=1e-10)
    assert grp.overall["estimate"] == pytest.approx(
        sum(sizes[g] * truth_g[g] for g in sizes) / sum(sizes.values()), abs=1e-10)
    dyn = res.aggregate("dynamic").set_index("event_time")["estimate"]
    for e in (0, 2, 4):
        gs = [g for g in sizes if g + e <= YEARS[-1]]
        expect = sum(sizes[g] * effect(g, g + e) for g in gs) / sum(sizes[g] for g in gs)
        assert dyn[e] == pytest.approx(expect, abs=1e-10)
    cal = res.aggregate("calendar").set_index("time")["estimate"]
    gs = [g for g in sizes if g <= 2020]
    assert cal[2020] == pytest.approx(sum(sizes[g] * effect(g, 2020) for g in gs) / sum(sizes[g] for g in gs),
                                      abs=1e-10)


def test_noisy_panel_estimates_within_their_intervals():
    truth = None
    covered, total = 0, 0
    for seed in range(20):
        res = staggered_did(panel(noise=0.5, seed=seed), "y", "unit", "year", "g")
        tab = res.att_gt[res.att_gt["post"]]
        truth = np.array([effect(g, t) for g, t in zip(tab["group"], tab["time"], strict=True)])
        covered += int(((tab["ci_low"] <= truth) & (truth <= tab["ci_high"])).sum())
        total += len(tab)
        assert np.all(np.abs(tab["estimate"] - truth) < 5 * tab["std_error"])
    # 95 % pointwise intervals: coverage over 20 panels × 18 post cells (binomial sd ~ 1.1 %)
    assert 0.90 <= covered / total <= 0.99, covered / total
    assert truth is not None


def test_covariates_dr_recovers_effect_when_trends_depend_on_covariate():
    rng = np.random.default_rng(3)
    rows = []
    for i in range(600):
        x = rng.normal()
        g = 2019 if rng.random() < 1 / (1 + np.exp(-x)) * 0.6 else 0  # treated more often when x high
        for t in range(2016, 2022):
            y = x + 0.5 * x * (t - 2016) + (1.5 if g and t >= g else 0.0) + 0.3 * rng.normal()
            rows.append({"id": i, "t": t, "g": g, "y": y, "x": x})
    df = pd.DataFrame(rows)
    naive = staggered_did(df, "y", "id", "t", "g").aggregate("simple").overall["estimate"]
    for method in ("dr", "reg"):
        est = staggered_did(df, "y", "id", "t", "g", covariates=["x"], method=method).aggregate("simple").overall
        assert est["estimate"] == pytest.approx(1.5, abs=3 * est["std_error"] + 0.02), method
    assert abs(naive - 1.5) > 0.2  # unconditional parallel trends fail here


def test_twfe_is_biased_under_staggered_dynamic_effects():
    """Goodman-Bacon (2021): TWFE uses early-treated units as controls for later ones."""
    import statsmodels.formula.api as smf

    df = panel()
    df["d"] = ((df["g"] > 0) & (df["year"] >= df["g"])).astype(float)
    twfe = smf.ols("y ~ d + C(unit) + C(year)", data=df).fit().params["d"]
    simple = staggered_did(df, "y", "unit", "year", "g").aggregate("simple").overall["estimate"]
    assert abs(twfe - simple) > 0.1, (twfe, simple)


def test_no_never_treated_uses_not_yet_treated_and_drops_last_cohort_periods():
    df = panel()
    df = df[df["g"] != 0]
    with pytest.raises(ValueError, match="never-treated"):
        staggered_did(df, "y", "unit", "year", "g")
    res = staggered_did(df, "y", "unit", "year", "g", control="not_yet_treated")
    assert res.att_gt["time"].max() < 2021 and 2021 not in set(res.att_gt["group"])
    post = res.att_gt[res.att_gt["post"]]
    np.testing.assert_allclose(post["estimate"], [effect(g, t) for g, t in zip(post["group"], post["time"],
                                                                                  strict=True)], atol=1e-10)
    assert any("no never-treated" in n for n in res.notes)


def test_input_checks_and_dropped_units():
    df = panel()
    with pytest.raises(ValueError, match="balanced"):
        staggered_did(df.iloc[1:], "y", "unit", "year", "g")
    with pytest.raises(KeyError):
        staggered_did(df, "nope", "unit", "year", "g")
    with pytest.raises(ValueError, match="control"):
        staggered_did(df, "y", "unit", "year", "g", control="all")
    early = df.copy()
    early.loc[early["unit"] == "u000", "g"] = 2014  # treated in the first period: dropped
    res = staggered_did(early, "y", "unit", "year", "g")
    assert res.n_units == df["unit"].nunique() - 1
    assert st.is_staggered(df, "unit", "g") and not st.is_staggered(df[df["g"].isin([0, 2019])], "unit", "g")
    with pytest.raises(ValueError, match="kind"):
        res.aggregate("weekly")


# --------------------------------------------------------------------------------------
# permutation inference (few treated units) and the demo's staggered campaign
# --------------------------------------------------------------------------------------


def test_permutation_inference_linear_shift_and_min_p():
    df = panel(noise=0.5, seed=11)
    out = st.permutation_inference(df, "y", "unit", "year", "g", n_perm=199, seed=3)
    full = staggered_did(df, "y", "unit", "year", "g").aggregate("simple").overall
    assert out["estimate"] == pytest.approx(full["estimate"], abs=1e-10)  # same estimator
    assert out["min_p"] == pytest.approx(1 / 200) and out["p_value"] == pytest.approx(1 / 200)
    assert out["ci_low"] < out["estimate"] < out["ci_high"]
    # shifting the treated post outcomes by c shifts estimate and interval by c
    shifted = df.copy()
    shifted.loc[(shifted["g"] > 0) & (shifted["year"] >= shifted["g"]), "y"] += 0.7
    out2 = st.permutation_inference(shifted, "y", "unit", "year", "g", n_perm=199, seed=3)
    for k in ("estimate", "ci_low", "ci_high"):
        assert out2[k] == pytest.approx(out[k] + 0.7, abs=1e-6)


@pytest.fixture(scope="module")
def staggered_demo():
    from rd_methods.counterfactual import rates
    from rd_methods.demo import DemoOptions, generate

    tables, _meta, truth = generate(DemoOptions(seed=2025, last_year=2025, scale=0.2, staggered=True))
    return rates(tables["territory_panel"]), truth


def test_demo_staggered_truth_and_recovery(staggered_demo):
    panel_, truth = staggered_demo
    stag = truth["staggered"]
    first = panel_.drop_duplicates("territory_code").set_index("territory_code")["first_treated_year"].dropna()
    assert {str(k): int(v) for k, v in first.items()} == stag["first_treated_year"]
    assert len(set(stag["first_treated_year"].values())) >= 3  # staggered
    assert stag["first_treated_year"][truth["territory"]["treated_code"]] == truth["territory"]["start_year"]
    assert st.is_staggered(panel_, "territory_code", "first_treated_year")
    s = st.territory_summary(panel_, n_boot=199, n_perm=199, seed=1)
    tr = pd.DataFrame(stag["att_gt"])
    m = s.att_gt[s.att_gt["post"]].merge(tr, on=["group", "time"], validate="1:1")
    assert len(m) == len(tr)
    # each ATT(g, t) is one territory's gap plus noise (employment noise sd 0.6 per year, two years)
    assert np.abs(m["estimate"] - m["effect"]).max() < 4 * np.sqrt(2) * truth["territory"]["noise_sd"] + 0.5
    perm = s.overall.iloc[1]
    assert perm["ci_low"] <= stag["simple_att"] <= perm["ci_high"]
    assert s.overall.iloc[0]["estimate"] == pytest.approx(stag["simple_att"], abs=0.6)
    text = st.staggered_paragraph(s)
    assert "4 territoires" in text and "Goodman-Bacon" in st.twfe_bias_paragraph()


def test_demo_default_has_no_staggered_column():
    from rd_methods.demo import DemoOptions, generate

    tables, _meta, truth = generate(DemoOptions(seed=5, scale=0.2))
    assert "first_treated_year" not in tables["territory_panel"].columns
    assert "staggered" not in truth and "staggered" not in truth["generator"]["options"]


def test_key_results_record_the_permutation_aggregate():
    """A planted effect of 1 after adoption in two staggered cohorts: the recorded figure is the
    permutation row of territory_summary (the inference valid with few treated territories)."""
    rows = [{"territory_code": f"T{u}", "territory_name": f"T{u}", "year": t, "first_treated_year": g,
             "y": u + 0.5 * t + (1.0 if g and t >= g else 0.0) + 0.01 * ((u * 7 + t) % 5)}
            for u, g in enumerate([2019, 2021, None, None, None, None, None]) for t in range(2016, 2024)]
    s = st.territory_summary(pd.DataFrame(rows), outcome="y", n_boot=99, n_perm=99, seed=1)
    k = st.key_results(s, unit_label="pour 1 000 habitants", outcome_label="emplois")
    assert k["key"].tolist() == ["counterfactual.staggered_att"]
    row = k.iloc[0]
    assert row["value"] == s.overall.loc[1, "estimate"] == pytest.approx(1.0, abs=0.05)
    assert (row["ci_low"], row["ci_high"]) == (s.overall.loc[1, "ci_low"], s.overall.loc[1, "ci_high"])
    assert row["ci_low"] <= 1.0 <= row["ci_high"]
    assert "intervalle analytique [" in row["note"] and "(s)" not in row["note"]
