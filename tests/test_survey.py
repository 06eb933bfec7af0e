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
