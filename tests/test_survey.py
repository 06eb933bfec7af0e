"""Survey analysis (rd_methods.survey) against published reference values and hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from rd_methods import survey


def _one_scale_items(ids, *, reverse=(), lo=1, hi=5, scale="s"):
    return pd.DataFrame(
        {"item_id": list(ids), "scale": scale, "text": "", "reverse": [i in reverse for i in ids], "min": lo, "max": hi}
    )


# --------------------------------------------------------------------------- reliability
def test_alpha_matches_real_statistics_example_likert():
    """pingouin ships real-statistics.com's Likert example ("Cronbach's Alpha Tools",
    Example 1: 10 questions scored 1-7, 15 people); the page reports alpha = 0.59172
    (Excel: CRONALPHA(B4:K18) = 0.59172)."""
    long = pg.read_dataset("cronbach_alpha")
    wide = long.pivot(index="Subj", columns="Items", values="Scores").reset_index()
    wide = wide.rename(columns={"Subj": "respondent_id"}).assign(wave=1)
    items = _one_scale_items([f"Q{i}" for i in range(1, 11)], lo=1, hi=7)
    rel = survey.reliability(wide, items)
    assert len(rel) == 1
    row = rel.iloc[0]
    assert row["alpha"] == pytest.approx(0.59172, abs=5e-6)
    assert row["n_complete"] == 15 and row["n_items"] == 10
    # Feldt interval as printed in pingouin's documentation for this dataset
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.195, 0.84), abs=1e-3)


def test_alpha_and_alpha_if_dropped_match_real_statistics_binary_example():
    """real-statistics.com, "Cronbach's Alpha Basic Concepts", Example 1 (11 binary
    questions, 12 people): CRONALPHA = .738019 and, without question 1, .76321.
    pingouin ships it with holes ("cronbach_wide_missing"); its documentation fills
    them with the column medians to get back 0.7380191693290734."""
    data = pg.read_dataset("cronbach_wide_missing")
    data = data.fillna(data.median())
    ids = list(data.columns)
    wide = data.assign(respondent_id=[f"r{i:02d}" for i in range(len(data))], wave=1)
    items = _one_scale_items(ids, lo=0, hi=1)
    rel = survey.reliability(wide, items).iloc[0]
    assert rel["alpha"] == pytest.approx(0.738019, abs=1e-6)
    per_item = survey.item_reliability(wide, items).set_index("item_id")
    assert per_item.loc["Q1", "alpha_if_dropped"] == pytest.approx(0.76321, abs=1e-5)
    # the item whose removal helps most is reported on the scale row
    assert rel["alpha_if_dropped_max"] == pytest.approx(per_item["alpha_if_dropped"].max())
    assert rel["item_if_dropped_max"] == per_item["alpha_if_dropped"].idxmax()


def test_alpha_listwise_matches_psych_complete_obs():
    """pingouin's documentation: psych::alpha(data, use="complete.obs") on
    cronbach_wide_missing gives 0.8016949152542373 (7 complete rows)."""
    data = pg.read_dataset("cronbach_wide_missing")
    wide = data.assign(respondent_id=[f"r{i:02d}" for i in range(len(data))], wave=1)
    items = _one_scale_items(list(data.columns), lo=0, hi=1)
    rel = survey.reliability(wide, items).iloc[0]
    assert rel["alpha"] == pytest.approx(0.8016949152542373, abs=1e-9)
    assert rel["n"] == 12 and rel["n_complete"] == len(data.dropna())


def test_reverse_keyed_item_is_recoded_before_alpha():
    rng = np.random.default_rng(3)
    latent = rng.normal(size=300)
    answers = {f"i{k}": np.clip(np.round(3 + latent + rng.normal(scale=0.8, size=300)), 1, 5) for k in range(4)}
    wide = pd.DataFrame(answers).assign(respondent_id=[f"r{i}" for i in range(300)], wave=1)
    straight = survey.reliability(wide, _one_scale_items(["i0", "i1", "i2", "i3"]))["alpha"].item()
    flipped = wide.assign(i2=6 - wide["i2"])  # the questionnaire asked i2 the other way round
    keyed = survey.reliability(flipped, _one_scale_items(["i0", "i1", "i2", "i3"], reverse={"i2"}))["alpha"].item()
    unkeyed = survey.reliability(flipped, _one_scale_items(["i0", "i1", "i2", "i3"]))["alpha"].item()
    assert keyed == pytest.approx(straight, abs=1e-12)
    assert unkeyed < straight - 0.3


# --------------------------------------------------------------------------- scoring
def test_score_scales_min_answered_rule_by_hand():
    items = pd.concat(
        [_one_scale_items(["a1", "a2", "a3", "a4"], reverse={"a4"}, scale="a"), _one_scale_items(["b1", "b2"], scale="b")]
    )
    resp = pd.DataFrame(
        {
            "respondent_id": ["r1", "r2", "r3"],
            "wave": [1, 1, 1],
            "stakeholder_group": ["members", "partners", "members"],
            "a1": pd.array([5, 4, None], dtype="Int64"),
            "a2": pd.array([4, None, None], dtype="Int64"),
            "a3": pd.array([3, None, 2], dtype="Int64"),
            "a4": pd.array([2, 1, None], dtype="Int64"),  # reversed: 2 -> 4, 1 -> 5
            "b1": pd.array([1, 2, None], dtype="Int64"),
            "b2": pd.array([None, 3, None], dtype="Int64"),
        }
    )
    scores = survey.score_scales(resp, items).set_index(["scale", "respondent_id"])
    assert scores.loc[("a", "r1"), "score"] == pytest.approx((5 + 4 + 3 + 4) / 4)
    assert scores.loc[("a", "r2"), "score"] == pytest.approx((4 + 5) / 2)  # 2 of 4 = half rule met
    assert np.isnan(scores.loc[("a", "r3"), "score"])  # 1 of 4 answered
    assert scores.loc[("b", "r1"), "score"] == 1.0  # 1 of 2 = half
    assert scores.loc[("a", "r2"), "n_answered"] == 2 and scores.loc[("a", "r2"), "n_items"] == 4
    strict = survey.score_scales(resp, items, min_answered=1.0).set_index(["scale", "respondent_id"])
    assert np.isnan(strict.loc[("a", "r2"), "score"]) and strict.loc[("a", "r1"), "score"] == 4.0
    three = survey.score_scales(resp, items, min_answered=3, scale="a").set_index("respondent_id")
    assert list(three["score"].notna()) == [True, False, False]
    with pytest.raises(ValueError, match="share must be in"):
        survey.score_scales(resp, items, min_answered=1.5)
    with pytest.raises(ValueError, match="no column for item"):
        survey.score_scales(resp.drop(columns="b2"), items)


# --------------------------------------------------------------------------- before / after
SLEEP_DRUG1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_DRUG2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def _sleep():
    return pd.DataFrame(
        {"respondent_id": list(range(1, 11)) * 2, "wave": [1] * 10 + [2] * 10, "score": SLEEP_DRUG1 + SLEEP_DRUG2}
    )


def test_before_after_paired_matches_student_sleep_data():
    """Student (1908) / Cushny & Peebles: R's t.test(extra ~ group, data = sleep, paired
    = TRUE) reports t = -4.0621, df = 9, p-value = 0.002833, mean difference -1.58,
    95 % CI -2.4598858 -0.7001142 (group 1 - group 2; here after - before, signs flip)."""
    res = survey.before_after(_sleep(), scale="extra").set_index("test")
    paired = res.loc["paired_t"]
    assert paired["estimate"] == pytest.approx(1.58, abs=1e-9)
    assert paired["statistic"] == pytest.approx(4.0621, abs=1e-4)
    assert paired["df"] == 9 and paired["n"] == 10
    assert paired["p_value"] == pytest.approx(0.002833, abs=1e-6)
    assert (paired["ci_low"], paired["ci_high"]) == pytest.approx((0.7001142, 2.4598858), abs=1e-7)
    # Cohen's d_z = t / sqrt(n)
    assert paired["effect_size"] == pytest.approx(4.062128 / np.sqrt(10), abs=1e-5)
    assert paired["effect_size_name"] == "cohen_dz"
    # R: wilcox.test(extra ~ group, data = sleep, paired = TRUE): V = 0, p-value = 0.009091
    # (one zero difference dropped, normal approximation); after - before gives V = 45.
    wil = res.loc["wilcoxon"]
    assert wil["p_value"] == pytest.approx(0.009091, abs=1e-6)
    assert wil["statistic"] == 45.0
    assert wil["estimate"] == pytest.approx(np.median(np.subtract(SLEEP_DRUG2, SLEEP_DRUG1)))


def test_before_after_welch_matches_r_t_test_example():
    """R's ?t.test example, t.test(extra ~ group, data = sleep): t = -1.8608,
    df = 17.776, p-value = 0.07939, 95 % CI -3.3654832 0.2054832."""
    welch = survey.before_after(_sleep(), scale="extra").set_index("test").loc["welch"]
    assert welch["statistic"] == pytest.approx(1.8608, abs=1e-4)
    assert welch["df"] == pytest.approx(17.776, abs=1e-3)
    assert welch["p_value"] == pytest.approx(0.07939, abs=1e-5)
    assert (welch["ci_low"], welch["ci_high"]) == pytest.approx((-0.2054832, 3.3654832), abs=1e-7)
    assert welch["n"] == 20 and welch["n_before"] == 10 and welch["n_after"] == 10
    # Hedges' g by hand: d = 1.58 / pooled SD, times 1 - 3 / (4 * 20 - 9)
    sd = np.sqrt((np.var(SLEEP_DRUG1, ddof=1) + np.var(SLEEP_DRUG2, ddof=1)) / 2)
    assert welch["effect_size"] == pytest.approx(1.58 / sd * (1 - 3 / 71), abs=1e-9)


def test_wilcoxon_with_ties_and_zeros_matches_r():
    """A published R session (stats.stackexchange.com q. 514618): wilcox.test(d) on
    19 paired differences with four zeros and many ties: V = 99.5, p-value = 0.01842."""
    x1 = [5, 6, 3, 3, 4, 2, 5, 3, 4, 3, 4, 5, 3, 2, 2, 5, 4, 1, 3]
    x2 = [4, 5, 3, 2, 2, 1, 4, 5, 4, 2, 2, 4, 2, 1, 3, 5, 3, 1, 2]
    data = pd.DataFrame({"respondent_id": list(range(19)) * 2, "wave": [1] * 19 + [2] * 19, "score": x2 + x1})
    wil = survey.before_after(data, scale="q").set_index("test").loc["wilcoxon"]
    assert wil["statistic"] == 99.5
    assert wil["p_value"] == pytest.approx(0.01842, abs=1e-5)


def test_before_after_pairs_only_respondents_of_both_waves_and_flags_attrition():
    # 6 stayers (+1 each) and 4 leavers who started much lower, 2 newcomers
    before = pd.DataFrame({"respondent_id": [f"s{i}" for i in range(6)] + [f"l{i}" for i in range(4)],
                           "wave": 1, "score": [3.0, 3.5, 4.0, 3.2, 3.8, 3.6, 1.0, 1.5, 1.2, 1.1]})
    after = pd.DataFrame({"respondent_id": [f"s{i}" for i in range(6)] + ["n0", "n1"], "wave": 2,
                          "score": [4.0, 4.5, 5.0, 4.2, 4.8, 4.6, 2.0, 2.0]})
    res = survey.before_after(pd.concat([before, after]), scale="x").set_index("test")
    assert res.loc["paired_t", "n"] == 6
    assert res.loc["paired_t", "estimate"] == pytest.approx(1.0)
    assert res.loc["welch", "n_before"] == 10 and res.loc["welch", "n_after"] == 8
    att = res.loc["baseline_attrition"]
    assert att["estimate"] == pytest.approx(np.mean([1.0, 1.5, 1.2, 1.1]) - np.mean([3.0, 3.5, 4.0, 3.2, 3.8, 3.6]))
    assert att["p_value"] < 0.001
    ret = survey.retention(pd.concat([before, after])).iloc[0]
    assert (ret["n_before"], ret["n_after"], ret["n_both"], ret["n_new"]) == (10, 8, 6, 2)
    assert ret["retention_rate"] == pytest.approx(0.6)


def test_before_after_scores_wide_responses_with_items():
    items = _one_scale_items(["a", "b"], reverse={"b"})
    resp = pd.DataFrame({"respondent_id": ["r1", "r2", "r3"] * 2, "wave": [1] * 3 + [2] * 3,
                         "a": [2, 3, 1, 4, 4, 3], "b": [4, 3, 5, 2, 1, 3]})
    res = survey.before_after(resp, items=items).set_index("test")
    # scores before: 2, 3, 1; after: 4, 4.5, 3 -> changes 2, 1.5, 2
    assert res.loc["paired_t", "estimate"] == pytest.approx(5.5 / 3)
    assert set(res.index) == {"paired_t", "wilcoxon", "welch", "baseline_attrition"}


# --------------------------------------------------------------------------- items and groups
def test_item_summary_counts_and_missingness():
    items = _one_scale_items(["a"], lo=1, hi=5)
    resp = pd.DataFrame({"respondent_id": list("pqrstu"), "wave": [1, 1, 1, 1, 2, 2],
                         "a": pd.array([5, 5, 2, None, 1, None], dtype="Int64")})
    summary = survey.item_summary(resp, items)
    w1 = summary.loc[summary["wave"] == 1].set_index("answer")
    assert list(w1.index) == [1, 2, 3, 4, 5]
    assert w1["n"].tolist() == [0, 1, 0, 0, 2]
    assert w1.loc[5, "share"] == pytest.approx(2 / 3)
    assert w1.loc[5, "label"] == "Tout à fait d'accord" and w1.loc[1, "label"] == "Pas du tout d'accord"
    assert (w1["n_missing"] == 1).all() and w1.loc[1, "share_missing"] == pytest.approx(0.25)
    w2 = summary.loc[summary["wave"] == 2]
    assert w2["n"].sum() == 1 and (w2["share_missing"] == 0.5).all()


def _group_data(seed=11, n=240, shift=1.0):
    rng = np.random.default_rng(seed)
    groups = np.array(["members", "partners", "beneficiaries"])[np.arange(n) % 3]
    latent = rng.normal(size=n) + shift * (groups == "partners")
    resp = pd.DataFrame({"respondent_id": [f"r{i:03d}" for i in range(n)], "wave": 1, "stakeholder_group": groups})
    for k in range(4):
        resp[f"c{k}"] = np.clip(np.round(3 + latent + rng.normal(scale=0.7, size=n)), 1, 5).astype("int64")
    # a group of three people only: must never be published
    tiny = resp.iloc[:3].assign(respondent_id=["t1", "t2", "t3"], stakeholder_group="local_authorities")
    return pd.concat([resp, tiny], ignore_index=True), _one_scale_items(["c0", "c1", "c2", "c3"], scale="coop")


def test_compare_groups_finds_planted_group_difference_and_drops_small_groups():
    resp, items = _group_data()
    res = survey.compare_groups(resp, items)
    assert set(res["test"]) == {"kruskal", "ordinal"}
    kw = res.loc[res["test"] == "kruskal"].iloc[0]
    assert kw["n_groups"] == 3 and kw["p_value"] < 1e-3 and kw["group"] == "partners"
    assert "local_authorities" in kw["note"]
    assert "local_authorities" not in set(res["group"].dropna()) | set(res["reference"].dropna())
    ordinal = res.loc[res["test"] == "ordinal"].set_index("group")
    ref = ordinal["reference"].iloc[0]
    assert ref == "beneficiaries"  # largest groups tie (80 each): first by name
    assert set(ordinal.index) == {"members", "partners"}  # each against the reference
    # planted: partners answer higher, the two other groups alike
    assert ordinal.loc["partners", "ci_low"] > 0.3 and ordinal.loc["partners", "p_holm"] < 1e-3
    other = ordinal.drop(index="partners").iloc[0]
    assert other["ci_low"] < 0 < other["ci_high"]
    assert ordinal.loc["partners", "odds_ratio"] == pytest.approx(np.exp(ordinal.loc["partners", "estimate"]))
    # Holm on two p-values: the smaller is doubled, the larger kept (monotone)
    p = ordinal["p_value"].sort_values()
    assert ordinal.loc[p.index[0], "p_holm"] == pytest.approx(min(1, 2 * p.iloc[0]))


def test_compare_groups_null_and_two_groups_use_mann_whitney():
    resp, items = _group_data(seed=5, shift=0.0)
    two = resp.loc[resp["stakeholder_group"].isin(["members", "partners"])]
    res = survey.compare_groups(two, items, ordinal=False)
    assert res["test"].tolist() == ["mannwhitney"]
    assert res["p_value"].iloc[0] > 0.01


def test_ordinal_model_is_reachable_and_clusters_by_respondent():
    resp, items = _group_data()
    fit = survey.ordinal_model(resp, items, "coop")
    assert fit.cov_type == "cluster"
    assert any(name.startswith("item[") for name in fit.params.index)
    assert fit.model.endog.shape[0] == 4 * len(resp)


def test_ordinal_model_analytic_scores_match_statsmodels_numerical_fit():
    # the analytic scores are the numerical gradient of the same likelihood, and the fit is
    # statsmodels' OrderedModel's: same estimates, clustered standard errors within 1e-4
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.tools.numdiff import approx_fprime

    resp, items = _group_data()
    fit = survey.ordinal_model(resp, items, "coop")
    model = fit.model
    assert isinstance(model, OrderedModel)
    for shift in (0.0, 0.3):
        params = fit.params.to_numpy() + shift
        numeric = approx_fprime(params, model.loglike, centered=True)
        assert model.score(params) == pytest.approx(numeric, rel=1e-5, abs=1e-5)
        obs = approx_fprime(params, model.loglikeobs, centered=True)
        assert model.score_obs(params) == pytest.approx(obs, rel=1e-4, abs=1e-6)
    plain = OrderedModel(model.data.orig_endog, model.data.orig_exog, distr="logit")
    long = survey._long_answers(resp, items, "coop", "stakeholder_group", "wave")
    codes = pd.factorize(long["respondent_id"].astype(str))[0]
    ref = plain.fit(method="bfgs", disp=False, maxiter=500, cov_type="cluster", cov_kwds={"groups": codes})
    assert fit.params.to_numpy() == pytest.approx(ref.params.to_numpy(), abs=1e-5)
    assert fit.bse.to_numpy() == pytest.approx(ref.bse.to_numpy(), rel=1e-4)


# --------------------------------------------------------------------------- demo ground truth
@pytest.fixture(scope="module")
def demo_2025():
    from rd_methods.campaign import Campaign

    camp = Campaign.load("demo-2025")
    return camp, camp.ground_truth["survey"]


def test_demo_planted_change_is_inside_the_paired_interval(demo_2025):
    camp, truth = demo_2025
    res = survey.before_after(camp["survey_responses"], items=camp["survey_items"], wave_before=1, wave_after=2)
    paired = res.loc[res["test"] == "paired_t"].set_index("scale")
    assert set(paired.index) == set(truth["scales"])
    for scale, planted in truth["scales"].items():
        row = paired.loc[scale]
        assert row["ci_low"] <= planted["change"] <= row["ci_high"], (scale, planted["change"], row.to_dict())
        if planted["change_latent"] == 0:  # no change planted: none found
            assert row["p_value"] > 0.05
        else:
            assert row["ci_low"] > 0 and row["p_value"] < 0.001
    ret = survey.retention(camp["survey_responses"]).iloc[0]
    assert ret["n_before"] == truth["respondents_by_wave"]["1"]
    assert ret["retention_rate"] == pytest.approx(1 - truth["attrition"], abs=0.005)


def test_demo_alphas_are_realistic_and_reversed_items_recoded(demo_2025):
    camp, truth = demo_2025
    rel = survey.reliability(camp["survey_responses"], camp["survey_items"], wave=1).set_index("scale")
    assert ((rel["alpha"] > 0.65) & (rel["alpha"] < 0.9)).all(), rel["alpha"].to_dict()
    per_item = survey.item_reliability(camp["survey_responses"], camp["survey_items"], wave=1)
    reversed_items = {i for s in truth["scales"].values() for i in s["reversed"]}
    # after reverse coding every item, reversed or not, correlates positively with its scale
    assert (per_item["item_rest_r"] > 0.3).all()
    assert set(per_item.loc[per_item["reverse"], "item_id"]) == reversed_items


def test_diverging_layout_splits_the_neutral_answer():
    summ = pd.DataFrame({"item_id": "a", "answer": [1, 2, 3, 4, 5], "label": list("abcde"),
                         "share": [0.1, 0.2, 0.3, 0.25, 0.15]})
    lay = survey.diverging_layout(summ).set_index("answer")
    # disagreement (0.1 + 0.2) and half the neutral (0.15) left of zero
    assert lay.loc[1, "left"] == pytest.approx(-0.45)
    assert lay.loc[3, "left"] == pytest.approx(-0.15) and lay.loc[4, "left"] == pytest.approx(0.15)
    assert lay.loc[5, "left"] + lay.loc[5, "share"] == pytest.approx(0.55)


# --------------------------------------------------------------------------- issue 19
def _sim_panel(n=600, change=0.5, seed=3, stay=None, loadings2=None):
    """Two waves of a 4-item scale from a one-factor model; ``stay(theta1)`` gives P(stay)."""
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(n)
    lam1 = np.array([0.8, 0.7, 0.7, 0.6])
    lam2 = lam1 if loadings2 is None else np.asarray(loadings2)
    theta2 = theta + change + 0.3 * rng.standard_normal(n)

    def answers(t, lam):
        y = t[:, None] * lam + rng.standard_normal((n, 4)) * np.sqrt(1 - lam**2)
        return np.clip(np.round(3 + y), 1, 5)

    ids = np.array([f"r{i:04d}" for i in range(n)])
    w1 = pd.DataFrame(answers(theta, lam1), columns=["a", "b", "c", "d"]).assign(respondent_id=ids, wave=1)
    keep = np.ones(n, bool) if stay is None else rng.random(n) < stay(theta)
    w2 = pd.DataFrame(answers(theta2, lam2), columns=["a", "b", "c", "d"]).assign(respondent_id=ids, wave=2)
    resp = pd.concat([w1, w2.loc[keep]], ignore_index=True)
    group = np.where(np.arange(n) % 3 == 0, "members", "beneficiaries")
    resp["stakeholder_group"] = np.tile(group, 2)[: len(resp)] if stay is None else np.concatenate([group, group[keep]])
    return resp, _one_scale_items(["a", "b", "c", "d"])


def test_before_after_p_adjusted_is_holm_across_scales_per_test():
    rng = np.random.default_rng(0)
    n = 40
    rows = []
    for k, shift in enumerate([0.0, 0.15, 0.3, 0.6]):
        before = rng.normal(3, 1, n)
        after = before + shift + rng.normal(0, 1, n)
        for w, v in ((1, before), (2, after)):
            rows.append(pd.DataFrame({"respondent_id": range(n), "wave": w, "score": v, "scale": f"s{k}"}))
    res = survey.before_after(pd.concat(rows))
    assert res.loc[res["test"] == "baseline_attrition", "p_adjusted"].isna().all()  # nobody left
    for test, part in res.dropna(subset=["p_value"]).groupby("test"):
        assert len(part) == 4
        p = part.sort_values("p_value")["p_value"].to_numpy()
        m = len(p)
        # Holm by hand: running max of (m - i) * p_(i), capped at 1
        holm = np.minimum(1, np.maximum.accumulate((m - np.arange(m)) * p))
        assert part.sort_values("p_value")["p_adjusted"].to_numpy() == pytest.approx(holm), test
        assert (part["p_adjusted"] >= part["p_value"]).all()


def test_nonresponse_weights_reproduce_population_shares_and_rake_two_margins():
    resp = pd.DataFrame({
        "respondent_id": [f"r{i}" for i in range(10)], "wave": 1,
        "stakeholder_group": ["members"] * 6 + ["partners"] * 3 + ["beneficiaries"],
        "sex": ["f", "f", "f", "f", "m", "m", "f", "m", "m", "m"],
    })
    pop = {"members": 100, "partners": 300, "beneficiaries": 600}
    w = survey.nonresponse_weights(resp, pop)
    # post-stratification: N_g / n_g
    assert w["weight"].tolist() == pytest.approx([100 / 6] * 6 + [100.0] * 3 + [600.0])
    shares = w.groupby("stakeholder_group")["weight"].sum() / w["weight"].sum()
    assert shares.to_dict() == pytest.approx({k: v / 1000 for k, v in pop.items()})
    # raking on two variables: both margins exact
    both = survey.nonresponse_weights(resp, {"stakeholder_group": pop, "sex": {"f": 300, "m": 700}},
                                      by=["stakeholder_group", "sex"])
    g = both.groupby("stakeholder_group")["weight"].sum()
    s = both.groupby("sex")["weight"].sum()
    assert g.to_dict() == pytest.approx({k: float(v) for k, v in pop.items()}, rel=1e-8)
    assert s.to_dict() == pytest.approx({"f": 300.0, "m": 700.0}, rel=1e-8)
    # margins that no weighting can meet (the only beneficiary is a man; 600 > 480 men)
    with pytest.raises(ValueError, match="raking did not converge"):
        survey.nonresponse_weights(resp, {"stakeholder_group": pop, "sex": {"f": 520, "m": 480}},
                                   by=["stakeholder_group", "sex"])
    with pytest.raises(ValueError, match="not in the population"):
        survey.nonresponse_weights(resp, {"members": 1, "partners": 1})
    with pytest.raises(ValueError, match="no respondent"):
        survey.nonresponse_weights(resp, {**pop, "employees": 5})
    # Kish: deff = n sum(w^2) / (sum w)^2
    d = survey.design_effect(w).iloc[0]
    ww = w["weight"].to_numpy()
    assert d["deff"] == pytest.approx(10 * (ww**2).sum() / ww.sum() ** 2)
    assert d["n_eff"] == pytest.approx(ww.sum() ** 2 / (ww**2).sum())


def test_demo_weighted_shares_equal_the_population_and_weights_barely_move_the_change(demo_2025):
    camp, truth = demo_2025
    resp, items = camp["survey_responses"], camp["survey_items"]
    pop = survey.population_from_campaign(camp.meta)
    assert pop == {k: float(v) for k, v in truth["population"].items()}
    w = survey.nonresponse_weights(resp, pop)
    total = sum(pop.values())
    for _wave, part in w.groupby("wave"):
        shares = part.groupby("stakeholder_group")["weight"].sum() / part["weight"].sum()
        assert shares.to_dict() == pytest.approx({k: v / total for k, v in pop.items()}, abs=1e-12)
        assert part["weight"].sum() == pytest.approx(total)
    # respondents drawn in the population's shares: small design effect
    assert (survey.design_effect(w)["deff"] < 1.05).all()
    aw = survey.attrition_weights(resp, items, base_weights=w)
    assert aw["weight"].sum() == pytest.approx(total)
    assert (aw.loc[~aw["stayed"], "weight"] == 0).all()
    ch = survey.weighted_change(resp, items, {"nonresponse": w.loc[w["wave"] == 1], "attrition": aw})
    for scale, planted in truth["scales"].items():
        rows = ch.loc[ch["scale"] == scale].set_index("weighting")
        assert set(rows.index) == {"none", "nonresponse", "attrition"}
        for _, r in rows.iterrows():  # random attrition, population shares: every variant covers the truth
            assert r["ci_low"] <= planted["change"] <= r["ci_high"], (scale, r.to_dict())
        assert abs(rows.loc["attrition", "estimate"] - rows.loc["none", "estimate"]) < 0.03


def test_weighted_change_unweighted_row_is_the_paired_t_interval(demo_2025):
    camp, _truth = demo_2025
    resp, items = camp["survey_responses"], camp["survey_items"]
    paired = survey.before_after(resp, items=items).query("test == 'paired_t'").set_index("scale")
    none = survey.weighted_change(resp, items).set_index("scale")
    for c in ["estimate", "ci_low", "ci_high"]:
        assert none[c].to_numpy() == pytest.approx(paired.loc[none.index, c].to_numpy(), rel=1e-10)


def test_attrition_weights_correct_a_planted_selective_attrition():
    # the higher the baseline score, the more likely to stay: stayers overstate the baseline
    resp, items = _sim_panel(n=3000, seed=5, stay=lambda t: 1 / (1 + np.exp(-(0.3 + 1.2 * t))))
    aw = survey.attrition_weights(resp, items, covariates=())
    base = survey.score_scales(resp.loc[resp["wave"] == 1], items).set_index("respondent_id")["score"]
    full = base.mean()
    stay = aw.set_index("respondent_id")
    naive = base[stay["stayed"]].mean()
    weighted = np.average(base[stay.index[stay["stayed"]]], weights=stay.loc[stay["stayed"], "weight"])
    assert naive - full > 0.1  # the bias planted
    assert abs(weighted - full) < 0.02  # removed by the weights
    chk = survey.attrition_check(resp, items).iloc[0]
    assert chk["smd"] < -0.3 and chk["p_holm"] < 1e-6 and not chk["equivalent"]


def test_attrition_check_tost_is_two_one_sided_welch_tests():
    from scipy import stats

    resp, items = _sim_panel(n=3000, seed=9, stay=lambda t: np.full(len(t), 0.7))
    chk = survey.attrition_check(resp, items, margin=0.2).iloc[0]
    scores = survey.score_scales(resp, items)
    base = scores.loc[scores["wave"] == 1].dropna(subset=["score"])
    stayed = base["respondent_id"].isin(resp.loc[resp["wave"] == 2, "respondent_id"])
    s0, l0 = base.loc[stayed, "score"].to_numpy(), base.loc[~stayed, "score"].to_numpy()
    pooled = np.sqrt(((len(s0) - 1) * s0.var(ddof=1) + (len(l0) - 1) * l0.var(ddof=1)) / (len(s0) + len(l0) - 2))
    bound = 0.2 * pooled
    p_low = stats.ttest_ind(l0 + bound, s0, equal_var=False, alternative="greater").pvalue
    p_high = stats.ttest_ind(l0 - bound, s0, equal_var=False, alternative="less").pvalue
    assert chk["p_equivalence"] == pytest.approx(max(p_low, p_high), rel=1e-8)
    assert chk["margin_points"] == pytest.approx(bound)
    # random attrition on 3,000 people: shown non-selective within 0.2 SD
    assert chk["equivalent"] and abs(chk["smd"]) < 0.1


def test_omega_recovers_the_planted_one_factor_reliability_and_equals_alpha_when_tau_equivalent():
    lam = np.array([0.8, 0.7, 0.6, 0.5, 0.4])
    corr = np.outer(lam, lam) + np.diag(1 - lam**2)
    z = np.random.default_rng(2).standard_normal((300, 5))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T))).T
    x = z @ np.linalg.cholesky(corr).T  # sample correlation = corr exactly
    ids = list("abcde")
    resp = pd.DataFrame(x, columns=ids).assign(respondent_id=range(300), wave=1)
    items = _one_scale_items(ids, lo=-9, hi=9)
    res = survey.omega(resp, items, n_boot=50, seed=1).iloc[0]
    truth = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())  # McDonald 1999
    assert res["omega"] == pytest.approx(truth, abs=1e-4)
    assert res["ci_low"] < truth < res["ci_high"] and res["n_boot"] == 50
    assert res["item_loading_min"] == "e" and res["loading_min"] == pytest.approx(0.4, abs=1e-3)
    load = survey.factor_loadings(resp, items).set_index("item_id")["loading"]
    assert load.to_numpy() == pytest.approx(lam, abs=1e-3)
    again = survey.omega(resp, items, n_boot=50, seed=1).iloc[0]
    assert (again["ci_low"], again["ci_high"]) == (res["ci_low"], res["ci_high"])  # seeded
    # equal loadings: omega = standardised alpha = k r / (1 + (k - 1) r)
    lam = np.full(4, 0.7)
    corr = np.outer(lam, lam) + np.diag(1 - lam**2)
    x = z[:, :4] @ np.linalg.cholesky(corr).T
    x = (x - x.mean(0)) / x.std(0, ddof=1)
    resp = pd.DataFrame(x, columns=ids[:4]).assign(respondent_id=range(300), wave=1)
    r = 0.49
    om = survey.omega(resp, _one_scale_items(ids[:4], lo=-9, hi=9), n_boot=0).iloc[0]["omega"]
    assert om == pytest.approx(4 * r / (1 + 3 * r), abs=1e-3)


def test_demo_omega_and_invariance(demo_2025):
    camp, _truth = demo_2025
    resp, items = camp["survey_responses"], camp["survey_items"]
    om = survey.omega(resp, items, wave=1, n_boot=30, seed=2).set_index("scale")
    alpha = survey.reliability(resp, items, wave=1).set_index("scale")["alpha"]
    # equal loadings and noise in the generator: omega close to alpha, realistic
    assert ((om["omega"] - alpha).abs() < 0.02).all()
    assert ((om["omega"] > 0.7) & (om["omega"] < 0.9)).all()
    inv = survey.invariance(resp, items).set_index("scale")
    assert (inv["level"] == "invariant").all(), inv.to_dict()  # same loadings planted at both waves
    assert inv["verdict"].str.contains("peut être interprétée").all()


def test_invariance_flags_an_item_that_changed_meaning():
    resp, items = _sim_panel(n=1500, seed=4, loadings2=[0.8, 0.7, 0.7, 0.0])
    inv = survey.invariance(resp, items).iloc[0]
    assert inv["level"] in {"partial", "not_invariant"} and inv["item_max_difference"] == "d"
    assert inv["max_abs_difference"] > 0.4
    assert "ne doit pas" in inv["verdict"] or "prudence" in inv["verdict"]
    same = survey.invariance(*_sim_panel(n=1500, seed=4)).iloc[0]
    assert same["level"] == "invariant" and same["congruence"] > 0.99


def test_mice_change_recovers_change_hidden_by_missing_answers():
    resp, items = _sim_panel(n=400, seed=7, change=0.5)
    full = survey.before_after(resp, items=items, min_answered=1.0).query("test == 'paired_t'").iloc[0]
    holed = resp.copy()
    rng = np.random.default_rng(1)
    # answers to d go missing more often when a (the same construct) is high: MAR
    p = np.where(holed["a"] >= 4, 0.5, 0.05)
    holed.loc[rng.random(len(holed)) < p, "d"] = np.nan
    holed.loc[rng.random(len(holed)) < 0.05, "b"] = np.nan
    res = survey.mice_change(holed, items, n_imputations=5, seed=3).iloc[0]
    assert res["n"] == 400 and res["n_incomplete"] > 100 and res["n_imputations"] == 5
    assert abs(res["estimate"] - full["estimate"]) < 0.03
    assert res["ci_low"] < full["estimate"] < res["ci_high"]
    assert 0 <= res["fmi"] < 0.5
    again = survey.mice_change(holed, items, n_imputations=5, seed=3).iloc[0]
    assert again["estimate"] == res["estimate"]  # seeded
    # without holes: the complete-data paired mean
    clean = survey.mice_change(resp, items, n_imputations=3).iloc[0]
    assert clean["estimate"] == pytest.approx(full["estimate"]) and clean["n_imputations"] == 1


def test_population_from_campaign_reads_and_checks_survey_population():
    assert survey.population_from_campaign({"sroi": {}}) is None
    assert survey.population_from_campaign({"survey": {"population": {"members": "90"}}}) == {"members": 90.0}
    with pytest.raises(ValueError, match="not a number"):
        survey.population_from_campaign({"survey": {"population": {"members": "beaucoup"}}})
    with pytest.raises(ValueError, match=">= 0"):
        survey.population_from_campaign({"survey": {"population": {"members": -3}}})


# --------------------------------------------------------------------------- key results


def test_demo_key_results_recover_the_planted_changes(demo_2025):
    camp, truth = demo_2025
    resp, items = camp["survey_responses"], camp["survey_items"]
    rel = survey.reliability(resp, items, wave=1)
    om = survey.omega(resp, items, wave=1, n_boot=20, seed=1)
    ba = survey.before_after(resp, items=items, wave_before=1, wave_after=2)
    chk = survey.attrition_check(resp, items, 1, 2, margin=0.2)
    kr = survey.key_results(resp, wave=1, reliability=rel, omega=om, before_after=ba, attrition=chk).set_index("key")
    scales = sorted(truth["scales"])
    expected = (["survey.n_respondents_wave1"] + [f"survey.alpha_{s}" for s in scales]
                + [f"survey.omega_{s}" for s in scales] + ["survey.retention_rate"]
                + [k for s in scales for k in (f"survey.change_{s}", f"survey.p_adjusted_change_{s}")]
                + ["survey.attrition_smd_max", "survey.attrition_equivalence_p", "survey.attrition_p_min"])
    assert kr.index.tolist() == expected
    assert kr.loc["survey.n_respondents_wave1", "value"] == truth["respondents_by_wave"]["1"]
    assert kr.loc["survey.retention_rate", "value"] == pytest.approx(1 - truth["attrition"], abs=0.005)
    for scale, planted in truth["scales"].items():
        change = kr.loc[f"survey.change_{scale}"]
        assert change["ci_low"] <= planted["change"] <= change["ci_high"], scale
        p = kr.loc[f"survey.p_adjusted_change_{scale}", "value"]
        assert (p > 0.05) if planted["change_latent"] == 0 else (p < 0.001), (scale, p)
        alpha = kr.loc[f"survey.alpha_{scale}"]
        assert 0.65 < alpha["value"] < 0.9 and alpha["ci_low"] < alpha["value"] < alpha["ci_high"]
        assert kr.loc[f"survey.omega_{scale}", "value"] == pytest.approx(alpha["value"], abs=0.05)
    assert kr.loc["survey.attrition_smd_max", "value"] == pytest.approx(chk["smd"].abs().max())
    assert kr.loc["survey.attrition_p_min", "value"] == pytest.approx(chk["p_holm"].min())
    assert "± 0,2 écart type" in kr.loc["survey.attrition_equivalence_p", "note"]


def test_key_results_of_one_wave_count_people_and_skip_the_change():
    resp = pd.DataFrame({"respondent_id": ["a", "b", "c", "a"], "wave": [1, 1, 1, 2]})
    kr = survey.key_results(resp, wave=1)
    assert kr["key"].tolist() == ["survey.n_respondents_wave1"]
    assert kr["value"].iloc[0] == 3 and kr["unit"].iloc[0] == "personnes"
    assert survey.key_results(resp, wave=2)["value"].iloc[0] == 1
