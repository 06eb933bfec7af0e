"""Synthesis helpers (verdict rules, link ratings, impact dimensions, campaign comparison) on
hand-built result tables, and the 90_synthesis notebook on the demo campaigns' recorded results."""

import json
import math
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from rd_methods import results as _results
from rd_methods import synthesis as syn

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "synthesis"


def res(*rows):
    """A results table like results.collect: rows (key, value, ci_low, ci_high[, notebook])."""
    out = []
    for r in rows:
        key, value, lo, hi = r[:4]
        nb = r[4] if len(r) > 4 else syn.TOPIC_NOTEBOOKS.get(key.split(".")[0], "99_x")
        out.append({"key": key, "value": value, "label": key, "unit": None, "ci_low": lo, "ci_high": hi,
                    "note": None, "notebook": nb})
    frame = pd.DataFrame(out, columns=_results.COLUMNS)
    frame["value"] = pd.Series([r[1] for r in rows], dtype=object)
    return frame


# --------------------------------------------------------------------------- verdict rules
@pytest.mark.parametrize("rule, value, lo, hi, t, expected", [
    ("above", 1.01, None, None, 1, "supports"),
    ("above", 1.0, None, None, 1, "contradicts"),       # the threshold itself does not pass
    ("above", 0, None, None, 0, "contradicts"),
    ("at_most", 3, None, None, 3, "supports"),
    ("at_most", 4, None, None, 3, "inconclusive"),
    ("below", 0.0012, None, None, 0.05, "supports"),
    ("below", 0.05, None, None, 0.05, "inconclusive"),
    ("abs_above", -0.735, None, None, 0.25, "supports"),
    ("abs_above", 0.2, None, None, 0.25, "inconclusive"),
    ("ci_above", 1.92, 1.25, 3.09, 1, "supports"),
    ("ci_above", 1.51, 0.30, 7.57, 1, "inconclusive"),
    ("ci_above", 0.5, 0.2, 0.9, 1, "contradicts"),
    ("ci_above", 1.5, None, None, 1, "inconclusive"),   # no interval: no inference
    ("ci_above", -0.04, -0.11, 0.03, 0, "inconclusive"),
    ("beyond_baseline", 0.30, 0.01, 0.05, None, "supports"),
    ("beyond_baseline", 0.03, 0.01, 0.05, None, "inconclusive"),
    ("beyond_baseline", 0.001, 0.01, 0.05, None, "contradicts"),
    ("p_below", 1 / 19, None, None, 0.10, "supports"),
    ("p_below", 1 / 6, None, None, 0.10, "inconclusive"),  # never evidence against
    ("p_above", 0.948, None, None, 0.10, "inconclusive"),  # not rejecting is not support
    ("p_above", 0.10, None, None, 0.10, "contradicts"),
    ("equivalence", 0.012, None, None, 0.05, "supports"),   # TOST: within the margin
    ("equivalence", 0.40, None, None, 0.05, "inconclusive"),
    ("context", 5, None, None, None, "context"),
    ("above", None, None, None, 0, "missing"),
    ("above", float("nan"), None, None, 0, "missing"),
    ("above", "texte", None, None, 0, "missing"),
])
def test_verdict_rules(rule, value, lo, hi, t, expected):
    assert syn.verdict(rule, value, lo, hi, threshold=t) == expected


def test_verdict_bad_rule_and_missing_threshold():
    with pytest.raises(ValueError, match="unknown evidence rule"):
        syn.verdict("bigger", 1, threshold=0)
    with pytest.raises(ValueError, match="needs a threshold"):
        syn.verdict("above", 1)
    with pytest.raises(ValueError, match="unknown evidence rule"):
        syn.rule_text("bigger")
    assert syn.rule_text("ci_above", 1) == "intervalle entièrement au-dessus de 1"


# --------------------------------------------------------------------------- evidence and ratings
TERRITORY_FULL = [
    ("resilience.resistance_treated", 0.7176, None, None),
    ("counterfactual.synth_att", 3.50, 2.7, 4.3),
    ("counterfactual.did_estimate", 3.495, 2.933, 4.057),
    ("counterfactual.twfe_estimate", 3.495, 1.835, 5.156),
    ("counterfactual.pretrend_p", 0.9476, None, None),
    ("counterfactual.pretrend_equivalence_p", 0.021, None, None),
    ("counterfactual.placebo_space_p", 1 / 19, None, None),
    ("counterfactual.placebo_space_min_p", 1 / 19, None, None),
    ("counterfactual.placebo_time_p", 1 / 6, None, None),
    ("counterfactual.placebo_time_min_p", 1 / 6, None, None),
    ("resilience.resistance_rank_p", 1 / 19, None, None),
]


def rating(frame, link):
    return syn.rate_links(syn.evaluate_evidence(frame)).set_index("link").loc[link, "strength"]


def test_evaluate_evidence_expands_wildcards_and_flags_missing():
    frame = res(("survey.change_trust", 0.178, 0.113, 0.243), ("survey.change_belonging", -0.041, -0.113, 0.031),
                ("sroi.ratio", 1.919, 1.251, 3.091))
    ev = syn.evaluate_evidence(frame)
    value = ev[ev["link"] == "value"]
    changes = value[value["key"].str.startswith("survey.change_")]
    assert changes["key"].tolist() == ["survey.change_belonging", "survey.change_trust"]  # sorted
    assert changes["verdict"].tolist() == ["inconclusive", "supports"]
    assert value.set_index("key").loc["sroi.ratio", "verdict"] == "supports"
    assert value.set_index("key").loc["sroi.present_value", "verdict"] == "missing"
    # every declared evidence item yields at least one row, sorted by link then role
    assert set(ev["key"]) >= {e.key for e in syn.EVIDENCE if "*" not in e.key}
    assert ev["order"].is_monotonic_increasing
    assert (ev.loc[ev["rule"] == "context", "verdict"] == "context").all()


def test_rating_rules_step_by_step():
    # nothing recorded
    assert rating(res(), "territory") == "not_assessed"
    # context only still counts as not assessed (TWFE and the pre-trend p-value are context now)
    assert rating(res(("resilience.recovery_treated", -0.39, None, None),
                      ("counterfactual.twfe_estimate", 3.5, 1.8, 5.2),
                      ("counterfactual.pretrend_p", 0.95, None, None)), "territory") == "not_assessed"
    # result observed, no mechanism: weak
    assert rating(res(("resilience.resistance_treated", 0.7, None, None)), "territory") == "weak"
    # observed + mechanism, no alternative tested: moderate
    base = [("resilience.resistance_treated", 0.7, None, None), ("counterfactual.did_estimate", 3.5, 2.9, 4.1)]
    assert rating(res(*base), "territory") == "moderate"
    # a pre-trend test that fails to reject is absence of evidence: still moderate
    assert rating(res(*base, ("counterfactual.pretrend_p", 0.95, None, None)), "territory") == "moderate"
    # an equivalence test (TOST) that passes rules the rival out: strong
    assert rating(res(*base, ("counterfactual.pretrend_equivalence_p", 0.02, None, None)), "territory") == "strong"
    # ... a TOST that does not pass is inconclusive: moderate
    assert rating(res(*base, ("counterfactual.pretrend_equivalence_p", 0.30, None, None)), "territory") == "moderate"
    # a reachable permutation rank at the level rules chance out ...
    space = [("counterfactual.placebo_space_p", 1 / 19, None, None),
             ("counterfactual.placebo_space_min_p", 1 / 19, None, None)]
    assert rating(res(*base, *space), "territory") == "strong"
    # ... an unreachable one (5 placebo years: smallest p = 1/6 > 0.10) is no verdict at all
    time = [("counterfactual.placebo_time_p", 1 / 6, None, None), ("counterfactual.placebo_time_min_p", 1 / 6, None, None)]
    assert rating(res(*base, *time), "territory") == "moderate"
    ev = syn.evaluate_evidence(res(*base, *time)).set_index("key")
    assert ev.loc["counterfactual.placebo_time_p", "verdict"] == "unreachable"
    assert ev.loc["counterfactual.placebo_time_p", "min_p"] == pytest.approx(1 / 6)
    # even a p-value "at" the level is unreachable if the minimum cannot get below it
    assert syn.evaluate_evidence(res(("counterfactual.placebo_time_p", 0.05, None, None),
                                     ("counterfactual.placebo_time_min_p", 0.125, None, None))
                                 ).set_index("key").loc["counterfactual.placebo_time_p", "verdict"] == "unreachable"
    # DiD and synthetic control are one piece of evidence: confirmed only if both confirm
    sc_null = ("counterfactual.synth_att", 0.4, -0.5, 1.3)
    assert rating(res(*base, sc_null, *space), "territory") == "weak"
    sc_ok = ("counterfactual.synth_att", 3.4, 2.5, 4.3)
    rated = syn.rate_links(syn.evaluate_evidence(res(*base, sc_ok, *space))).set_index("link").loc["territory"]
    assert rated["strength"] == "strong" and rated["n_supports"] == 4  # counted per row, rated once
    # a synthetic control without interval cannot confirm the group
    assert rating(res(*base, ("counterfactual.synth_att", 3.4, None, None), *space), "territory") == "weak"
    # an alternative contradicting (pre-trend rejected): back to moderate
    assert rating(res(*base, *space, ("counterfactual.placebo_time_p", 0.01, None, None),
                      ("counterfactual.placebo_time_min_p", 0.01, None, None),
                      ("resilience.resistance_rank_p", 0.5, None, None)), "territory") == "strong"
    # null effect (interval across 0): weak whatever the alternatives
    assert rating(res(("resilience.resistance_treated", 0.2, None, None),
                      ("counterfactual.did_estimate", 0.2, -0.6, 1.0),
                      ("counterfactual.pretrend_equivalence_p", 0.01, None, None)), "territory") == "weak"
    # result not observed and no mechanism: not supported
    assert rating(res(("resilience.resistance_treated", -0.4, None, None),
                      ("counterfactual.did_estimate", -0.4, -1.2, 0.3)), "territory") == "not_supported"
    # no observed item recorded but an estimated effect: the estimate stands for the result
    assert rating(res(("counterfactual.did_estimate", 3.5, 2.9, 4.1),
                      ("counterfactual.pretrend_equivalence_p", 0.01, None, None)), "territory") == "strong"


def test_attrition_and_sroi_rivals_need_tests_built_for_them():
    base = [("value_chain.jobs_fte_last_year", 45.6, None, None), ("sroi.ratio", 1.919, 1.251, 3.091)]
    # retention and the Monte Carlo probability no longer rule anything out
    frame = res(*base, ("survey.retention_rate", 0.65, None, None), ("sroi.prob_ratio_below_one", 0.0012, None, None))
    assert rating(frame, "value") == "moderate"
    alts = syn.alternatives(syn.evaluate_evidence(frame)).set_index("explanation")["status"]
    assert alts.filter(like="attrition").item() == "untested"
    assert alts.filter(like="ensemble trop favorables").item() == "untested"
    # attrition: equivalence passes and no baseline difference rejected -> ruled out
    ok = res(*base, ("survey.attrition_equivalence_p", 0.01, None, None), ("survey.attrition_p_min", 0.40, None, None))
    assert rating(ok, "value") == "strong"
    assert syn.alternatives(syn.evaluate_evidence(ok)).set_index("explanation")["status"].filter(
        like="attrition").item() == "ruled_out"
    # a significant baseline difference between leavers and stayers contradicts
    bad = res(*base, ("survey.attrition_equivalence_p", 0.30, None, None), ("survey.attrition_p_min", 0.003, None, None))
    assert rating(bad, "value") == "moderate"
    assert syn.alternatives(syn.evaluate_evidence(bad)).set_index("explanation")["status"].filter(
        like="attrition").item() == "not_ruled_out"
    # no difference rejected but equivalence not shown: uncertain, not ruled out
    unsure = res(*base, ("survey.attrition_equivalence_p", 0.30, None, None), ("survey.attrition_p_min", 0.40, None, None))
    assert syn.alternatives(syn.evaluate_evidence(unsure)).set_index("explanation")["status"].filter(
        like="attrition").item() == "uncertain"


def test_dependence_not_comparable_is_not_a_verdict():
    frame = res(("overview.n_actors", 2951, None, None), ("network.broker_betweenness_rank", 1, None, None),
                ("network.dependence_giant_share_drop", 0.31, 0.002, 0.02),
                ("network.dependence_comparable", False, None, None))
    ev = syn.evaluate_evidence(frame).set_index("key")
    assert ev.loc["network.dependence_giant_share_drop", "verdict"] == "unreachable"
    assert rating(frame, "mobilisation") == "moderate"
    frame.loc[frame["key"] == "network.dependence_comparable", "value"] = True
    assert rating(frame, "mobilisation") == "strong"


def test_demo_like_results_rate_each_link():
    frame = res(
        ("overview.n_actors", 2951, None, None), ("value_chain.n_contributing_actors", 410, None, None),
        ("value_chain.leverage_overall", 5.397, None, None), ("network.broker_betweenness_rank", 1, None, None),
        ("network.dependence_giant_share_drop", 0.31, 0.002, 0.02),
        ("pipeline.n_ideas", 132, None, None), ("pipeline.n_launched", 27, None, None),
        ("pipeline.conversion_idea_to_launched", 0.2045, 0.1446, 0.2812),
        ("pipeline.diversity_odds_ratio", 1.511, 0.301, 7.571),
        ("value_chain.jobs_fte_last_year", 45.6, None, None), ("sroi.ratio", 1.919, 1.251, 3.091),
        ("sroi.prob_ratio_below_one", 0.0012, None, None), ("survey.retention_rate", 0.65, None, None),
        ("sroi.break_even_min_relative_change", -0.1, None, None),
        ("survey.attrition_equivalence_p", 0.31, None, None), ("survey.attrition_p_min", 0.02, None, None),
        *TERRITORY_FULL,
    )
    rated = syn.rate_links(syn.evaluate_evidence(frame))
    assert rated["link"].tolist() == ["mobilisation", "launch", "value", "territory"]
    assert rated["strength"].tolist() == ["strong", "weak", "moderate", "strong"]
    assert rated["strength_label"].tolist() == ["forte", "faible", "modérée", "forte"]
    terr = rated.set_index("link").loc["territory"]
    # rated rows: resistance, did, synth, equivalence, space, rank (6, all supporting); placebo
    # in time cannot conclude; TWFE and the pre-trend p-value are context
    assert (terr["n_items"], terr["n_supports"], terr["n_unreachable"], terr["n_contradicts"]) == (6, 6, 1, 0)
    alts = syn.alternatives(syn.evaluate_evidence(frame)).set_index("explanation")["status"]
    assert alts.filter(like="tendance plus favorable").item() == "ruled_out"
    assert alts.filter(like="autres territoires").item() == "ruled_out"
    assert alts.filter(like="autres dates").item() == "cannot_conclude"
    assert alts.filter(like="taille des projets").item() == "untested"
    assert alts.filter(like="autres politiques").item() == "untested"
    assert alts.filter(like="attrition").item() == "not_ruled_out"
    assert alts.filter(like="prise seule").item() == "uncertain"


def test_no_effect_like_results_rule_nothing_out():
    """What a --no-effect campaign records: the territory link is at most weak and no rival is
    shown as ruled out by a non-rejection."""
    frame = res(("resilience.resistance_treated", 0.1, None, None),
                ("counterfactual.did_estimate", 0.12, -0.9, 1.14), ("counterfactual.synth_att", 0.3, -0.7, 1.3),
                ("counterfactual.twfe_estimate", 0.12, 0.01, 0.23),   # HC1 excludes 0: context only
                ("counterfactual.pretrend_p", 0.8, None, None),
                ("counterfactual.pretrend_equivalence_p", 0.4, None, None),
                ("counterfactual.placebo_space_p", 0.6, None, None),
                ("counterfactual.placebo_space_min_p", 1 / 19, None, None),
                ("counterfactual.placebo_time_p", 0.5, None, None),
                ("counterfactual.placebo_time_min_p", 1 / 6, None, None),
                ("survey.retention_rate", 0.7, None, None), ("sroi.prob_ratio_below_one", 0.0, None, None))
    assert rating(frame, "territory") == "weak"
    alts = syn.alternatives(syn.evaluate_evidence(frame)).set_index("explanation")["status"]
    assert not (alts == "ruled_out").any()
    # rivals of an effect that was not established are moot, even if the TOST passes
    frame.loc[frame["key"] == "counterfactual.pretrend_equivalence_p", "value"] = 0.01
    alts = syn.alternatives(syn.evaluate_evidence(frame)).set_index("explanation")["status"]
    assert alts.filter(like="tendance plus favorable").item() == "moot"
    assert alts.filter(like="autres politiques").item() == "untested"


def test_rate_links_rejects_a_results_table():
    with pytest.raises(ValueError, match="evaluate_evidence"):
        syn.rate_links(res(("sroi.ratio", 1.9, 1.2, 3.1)))
    with pytest.raises(ValueError, match="results.collect"):
        syn.evaluate_evidence(pd.DataFrame({"k": [1]}))
    with pytest.raises(ValueError, match="unknown links"):
        syn.evaluate_evidence(res(), [syn.Evidence("nowhere", "a.b", "observed", "above", 0)])


# --------------------------------------------------------------------------- summary views
def test_headline_keeps_recorded_values_in_reading_order():
    frame = res(("sroi.ratio", 1.919, 1.251, 3.091), ("overview.n_actors", 2951, None, None),
                ("pipeline.n_launched", 27, None, None), ("network.density_last", 0.01, None, None))
    head = syn.headline(frame)
    assert head["key"].tolist() == ["overview.n_actors", "pipeline.n_launched", "sroi.ratio"]
    row = head.set_index("key").loc["sroi.ratio"]
    assert (row["value"], row["ci_low"], row["ci_high"]) == (1.919, 1.251, 3.091)
    assert isinstance(head.set_index("key").loc["overview.n_actors", "value"], int)


def test_five_dimensions_and_coverage():
    frame = res(("survey.change_trust", 0.178, 0.113, 0.243), ("sroi.ratio", 1.919, 1.251, 3.091),
                ("overview.n_actors", 2951, None, None), ("sroi.prob_ratio_below_one", 0.0012, None, None))
    dims = syn.five_dimensions(frame)
    assert dims["dimension"].unique().tolist() == ["what", "who", "how_much", "contribution", "risk"]
    by = dims.groupby("dimension", sort=False)["key"].apply(lambda s: [k for k in s if isinstance(k, str)])
    assert by["what"] == ["survey.change_trust"] and by["who"] == ["overview.n_actors"]
    assert by["how_much"] == ["sroi.ratio"] and by["contribution"] == [] and by["risk"] == ["sroi.prob_ratio_below_one"]
    cov = syn.coverage(frame).set_index("topic")
    assert cov.loc["sroi", "n_results"] == 2 and cov.loc["sroi", "present"]
    assert not cov.loc["network", "present"] and cov.loc["network", "notebook"] == "20_actor_network"


def test_compare_campaigns_change_overlap_and_missing():
    a = res(("sroi.ratio", 1.8, 1.2, 2.9), ("overview.n_actors", 2800, None, None))
    b = res(("sroi.ratio", 1.9, 3.0, 3.5), ("overview.n_actors", 2951, None, None),
            ("survey.alpha_cooperation", 0.816, 0.784, 0.844))
    out = syn.compare_campaigns({"demo-2024": a, "demo-2025": b})
    assert out["key"].drop_duplicates().tolist() == ["overview.n_actors", "survey.alpha_cooperation", "sroi.ratio"]
    ratio = out[out["key"] == "sroi.ratio"].set_index("campaign")
    assert ratio.loc["demo-2024", "change"] == 0 and math.isclose(ratio.loc["demo-2025", "change"], 0.1)
    assert ratio.loc["demo-2025", "overlap"] is False and ratio.loc["demo-2024", "overlap"] is True
    alpha = out[out["key"] == "survey.alpha_cooperation"].set_index("campaign")
    assert alpha.loc["demo-2024", "value"] is None and pd.isna(alpha.loc["demo-2025", "change"])
    actors = out[out["key"] == "overview.n_actors"].set_index("campaign")
    assert actors.loc["demo-2025", "change"] == 151 and actors.loc["demo-2025", "overlap"] is None
    # keys=None: keys recorded by every campaign
    assert syn.compare_campaigns({"a": a, "b": b}, keys=None)["key"].unique().tolist() == [
        "overview.n_actors", "sroi.ratio"]
    with pytest.raises(ValueError, match="at least one"):
        syn.compare_campaigns({})


# --------------------------------------------------------------------------- the notebook
def write_executed(folder: Path, doc: dict) -> None:
    """One executed-looking notebook per source notebook, carrying its recorded results."""
    by_nb: dict[str, list] = {}
    for key, r in doc.items():
        payload = {"key": key, "value": r["value"], "label": r["label"], "unit": r["unit"], "ci": r["ci"],
                   "note": r["note"]}
        by_nb.setdefault(r["notebook"], []).append(payload)
    for stem, payloads in by_nb.items():
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("results.record(...)")
        cell.outputs = [nbformat.v4.new_output("display_data", data={_results.MIME_TYPE: p, "text/plain": "x"})
                        for p in payloads]
        nb.cells.append(cell)
        nbformat.write(nb, folder / f"{stem}.ipynb")


def _r(value, label, nb, ci=None, unit=None, note=None):
    return {"value": value, "label": label, "unit": unit, "ci": ci, "note": note, "notebook": nb}


#: Keys of issue 16 (nb 50) and of the notebooks built in parallel (nb 40, 20, 55), hand-made
#: with the values notebook 50 records on demo-2025.
NEW_KEYS_2025 = {
    "counterfactual.did_estimate": _r(3.4953, "Différence de différences", "50_territorial_effects",
                                      [2.9332, 4.0573], "pour 1 000 habitants", "permutation, niveau 94,7 %"),
    "counterfactual.synth_att": _r(3.4916, "Contrôle synthétique : écart moyen", "50_territorial_effects",
                                   [2.8291, 4.1541], "pour 1 000 habitants", "inversion du test placebo, 94,7 %"),
    "counterfactual.twfe_estimate": _r(3.4953, "Effets fixes territoire et année", "50_territorial_effects"),
    "counterfactual.pretrend_equivalence_p": _r(0.0096, "Équivalence des tendances d'avant (TOST)",
                                                "50_territorial_effects"),
    "counterfactual.pretrend_equivalence_margin": _r(0.3, "Marge d'équivalence", "50_territorial_effects"),
    "counterfactual.placebo_space_min_p": _r(1 / 19, "Plus petite p-valeur possible (espace)", "50_territorial_effects"),
    "counterfactual.placebo_time_min_p": _r(1 / 6, "Plus petite p-valeur possible (temps)", "50_territorial_effects"),
    "survey.attrition_equivalence_p": _r(0.003, "Équivalence partants / restants (TOST)", "40_stakeholder_survey"),
    "survey.attrition_p_min": _r(0.41, "Différence de départ partants / restants (p Holm)", "40_stakeholder_survey"),
    "network.dependence_comparable": _r(True, "Acteur comparable disponible", "20_actor_network"),
    "resilience.resistance_rank_min_p": _r(1 / 19, "Plus petite p-valeur possible (résistance)", "55_resilience"),
}


# the fixtures predate notebook 70 (economic model): it is listed as missing in both
@pytest.mark.parametrize("campaign, strong, missing", [("demo-2025", 3, 1), ("demo-2024", 1, 2)])
@pytest.mark.slow
def test_synthesis_notebook_shows_the_recorded_figures(tmp_path, campaign, strong, missing):
    import papermill as pm


    doc = json.loads((FIXTURES / f"{campaign}.results.json").read_text("utf-8"))
    doc = {k: v for k, v in doc.items() if not v["notebook"].startswith("9")}  # a fresh run: no synthesis yet
    if campaign == "demo-2025":  # with the new keys; demo-2024 keeps the old ones (new keys absent)
        doc.update(NEW_KEYS_2025)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    write_executed(run_dir, doc)
    out = tmp_path / "90_synthesis.ipynb"
    pm.execute_notebook(ROOT / "notebooks" / "90_synthesis.ipynb", str(out), kernel_name="rd-methods",
                        parameters={"campaign": campaign, "results_dir": str(run_dir)}, progress_bar=False,
                        cwd=str(ROOT / "notebooks"))
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(o["data"][m] for c in nb.cells if c.cell_type == "code" for o in c.outputs
                     for m in ("text/markdown", "text/html") if m in o.get("data", {}))
    # the one-page summary: every headline figure recorded is shown with the value of results.json
    shown = [k for k in syn.HEADLINE_KEYS if k in doc]
    assert len(shown) >= 5
    for key in shown:
        r = doc[key]
        ci = r["ci"] or [None, None]
        shown_value = syn.value_text(r["value"], r["unit"], *ci, band=syn.is_reference_band(key))
        row = rf">{re.escape(r['label'])}</td>\s*<td[^>]*>{re.escape(shown_value)}</td>" \
              rf"\s*<td[^>]*><a href=\"{r['notebook']}.html\">"
        assert re.search(row, text), key
    # every evidence line of the contribution story carries its results.json value
    for key, r in doc.items():
        if any(e.key == key or ("*" in e.key and key.startswith(e.key.rstrip("*"))) for e in syn.EVIDENCE):
            ci = r["ci"] or [None, None]
            shown_value = syn.value_text(r["value"], r["unit"], *ci, band=syn.is_reference_band(key))
            row = rf">{re.escape(r['label'])}</td>\s*<td[^>]*>{re.escape(shown_value)}</td>"
            assert re.search(row, text), key
    recorded = _results.collect(out).set_index("key")["value"]
    assert recorded["synthesis.n_results_used"] == len(doc)
    assert recorded["synthesis.n_links_strong"] == strong
    assert recorded["synthesis.n_links_assessed"] == 4
    assert recorded["synthesis.n_notebooks_missing"] == missing
    links = {k.removeprefix("synthesis.link_"): v for k, v in recorded.items() if k.startswith("synthesis.link_")}
    if campaign == "demo-2025":
        assert links == {"mobilisation": "strong", "launch": "weak", "value": "strong", "territory": "strong"}
        assert "ce test ne peut pas conclure avec 5 années placebo" in text
        assert re.search(r">Un écart de cette taille s'observe aussi à d'autres dates \(instabilité d'avant le "
                         r"démarrage\)\.</td>\s*<td[^>]*>ce test ne peut pas conclure avec ces données</td>", text)
    else:  # old results: synthetic control without interval -> the DiD alone cannot confirm the effect
        assert links["territory"] == "weak" and "sans objet" in text
    assert "(70_economic_model.html)" in text  # the missing page, named by its title (a markdown link)
    if missing > 1:
        assert "(20_actor_network.html)" in text
    assert "(s)" not in text and " 0 le contredit" not in text
    assert ("Données synthétiques" in text) and "Acteurs mobilisés → Projets : **" in text


# --------------------------------------------------------------------------- campaign comparison
@pytest.mark.slow
def test_comparison_notebook_on_the_two_demo_campaigns(tmp_path):
    import papermill as pm


    site = tmp_path / "reports"
    docs = {}
    for c in ("demo-2024", "demo-2025"):
        (site / c).mkdir(parents=True)
        shutil.copy(FIXTURES / f"{c}.results.json", site / c / "results.json")
        (site / c / "run.json").write_text(json.dumps({"title": f"Démo {c}", "period": [2016, int(c[-4:])],
                                                       "synthetic": True}), "utf-8")
        docs[c] = json.loads((FIXTURES / f"{c}.results.json").read_text("utf-8"))
    out = tmp_path / "91.ipynb"
    pm.execute_notebook(ROOT / "notebooks" / "91_campaign_comparison.ipynb", str(out), kernel_name="rd-methods",
                        parameters={"campaigns": ["demo-2024", "demo-2025", "demo-2030"], "reports_dir": str(site)},
                        progress_bar=False, cwd=str(ROOT / "notebooks"))
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(o["data"][m] for c in nb.cells if c.cell_type == "code" for o in c.outputs
                     for m in ("text/markdown", "text/html") if m in o.get("data", {}))
    # every compared key shows both campaigns' published values with their intervals
    both = [k for k in syn.COMPARISON_KEYS if k in docs["demo-2024"] and k in docs["demo-2025"]]
    assert len(both) >= 15
    for key in both:
        a, b = docs["demo-2024"][key], docs["demo-2025"][key]
        cells = r"</td>\s*<td[^>]*>".join(re.escape(syn.value_text(d["value"], d["unit"], *(d["ci"] or [None, None]),
                                                                   band=syn.is_reference_band(key))) for d in (a, b))
        assert re.search(f">{cells}</td>", text), key
    assert re.search(r">Sociétaires \(dernière année\)</td>\s*<td[^>]*>98</td>\s*<td[^>]*>100</td>\s*<td[^>]*>\+2</td>"
                     r"\s*<td[^>]*>—</td>", text)
    assert "demo-2030" in text and "non publiées" in text        # asked for, not published
    recorded = _results.collect(out).set_index("key")["value"]
    assert recorded["comparison.n_campaigns"] == 2
    assert recorded["comparison.n_keys_compared"] == len({k for k in syn.COMPARISON_KEYS
                                                          if k in docs["demo-2024"] or k in docs["demo-2025"]})


@pytest.mark.slow
def test_runner_publishes_the_comparison_once_and_links_it(tmp_path, monkeypatch):
    from rd_methods.publish import runner

    data = tmp_path / "raw"
    shutil.copytree(ROOT / "tests" / "fixtures" / "notebooks" / "data" / "tiny", data / "tiny")
    shutil.copytree(data / "tiny", data / "tiny2")
    yml = data / "tiny2" / "campaign.yml"
    yml.write_text(yml.read_text("utf-8").replace("id: tiny", "id: tiny2"), "utf-8")
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "notebooks" / "10_ok.ipynb", nb_dir)
    shutil.copy(ROOT / "notebooks" / "91_campaign_comparison.ipynb", nb_dir)
    for var, folder in (("DATA", data), ("NOTEBOOKS", nb_dir), ("REPORTS", tmp_path / "reports"),
                        ("PROCESSED", tmp_path / "processed")):
        monkeypatch.setenv(f"RD_METHODS_{var}_DIR", str(folder))
    lines: list[str] = []
    runs = runner.run(["tiny", "tiny2"], jobs=2, edition="public", echo=lines.append)
    reports = tmp_path / "reports"
    # not run inside each campaign ...
    assert all({o.stem for o in r.notebooks} == {"10_ok"} for r in runs)
    assert not (reports / "tiny" / "91_campaign_comparison.html").exists()
    # ... but once, after both, published at reports/comparison/ and linked from the site index
    assert sum("91_campaign_comparison" in x and "réussi" in x for x in lines) == 1
    record = json.loads((reports / "comparison" / "comparison.json").read_text("utf-8"))
    assert record["campaigns"] == ["tiny", "tiny2"] and record["status"] == "ok"
    assert (reports / "comparison" / "91_campaign_comparison.html").is_file()
    index = (reports / "index.html").read_text("utf-8")
    assert 'href="comparison/91_campaign_comparison.html"' in index and "Comparer les campagnes" in index
    assert not any(p.name.startswith(".") for p in reports.iterdir())
    assert '<p class="rd-outdated">' not in index and set(record["sources"]) == {"tiny", "tiny2"}
    # a run of one campaign leaves the published comparison (and its link) in place; same
    # results, nothing to say ...
    runner.run(["tiny"], jobs=1, edition="public", echo=lines.append)
    index = (reports / "index.html").read_text("utf-8")
    assert 'href="comparison/91_campaign_comparison.html"' in index and '<p class="rd-outdated">' not in index
    # ... new results (an actor more): the site and the terminal say the comparison is outdated
    with open(data / "tiny" / "actors.csv", "a", encoding="utf-8") as f:
        f.write("A009,Nouvel acteur,association,,,39300,false\n")
    lines.clear()
    runner.run(["tiny"], jobs=1, edition="public", echo=lines.append)
    index = (reports / "index.html").read_text("utf-8")
    assert 'href="comparison/91_campaign_comparison.html"' in index
    outdated = re.search(r'<p class="rd-outdated">(.*?)</p>', index, re.S).group(1)
    assert "résultats de tiny ont changé" in outdated and "rd-methods run tiny tiny2" in outdated
    assert any(x.startswith("[comparison] résultats de tiny changés depuis la comparaison") for x in lines)
    # running both again brings it up to date
    runner.run(["tiny", "tiny2"], jobs=2, edition="public", echo=lines.append)
    assert '<p class="rd-outdated">' not in (reports / "index.html").read_text("utf-8")


def test_staggered_estimate_joins_the_territorial_effect_group():
    """A staggered campaign's Callaway-Sant'Anna aggregate is the same territorial effect: one piece."""
    base = [("resilience.resistance_treated", 0.7, None, None), ("counterfactual.staggered_att", 2.1, 1.2, 3.0)]
    assert rating(res(*base), "territory") == "moderate"
    assert rating(res(*base, ("counterfactual.did_estimate", 2.0, -0.3, 4.1)), "territory") == "weak"
    ev = syn.evaluate_evidence(res(*base)).set_index("key")
    assert ev.loc["counterfactual.staggered_att", "group"] == "territorial_effect"
    # context keys of the notebooks built in parallel are shown, never rated
    ctx = syn.evaluate_evidence(res(("network.broker_betweenness_rank_clique", 2, None, None),
                                    ("sroi.ratio_green_book", 1.6, None, None))).set_index("key")
    assert (ctx.loc[["network.broker_betweenness_rank_clique", "sroi.ratio_green_book"], "verdict"] == "context").all()


def test_survey_change_counts_only_when_its_holm_adjusted_test_rejects():
    """An interval above 0 for one of several scales is not enough: the Holm-adjusted p-value
    across the scales (survey.p_adjusted_change_<scale>) must be at most 0.05."""
    res = pd.DataFrame({
        "key": ["survey.change_trust", "survey.p_adjusted_change_trust",
                "survey.change_cooperation", "survey.p_adjusted_change_cooperation",
                "survey.change_belonging"],
        "value": [0.30, 0.20, 0.40, 0.01, 0.25],
        "ci_low": [0.05, None, 0.10, None, 0.02], "ci_high": [0.55, None, 0.70, None, 0.48],
    })
    ev = syn.evaluate_evidence(res).set_index("key")["verdict"]
    assert ev["survey.change_trust"] == "inconclusive"  # unadjusted interval excludes 0, Holm p = 0.20
    assert ev["survey.change_cooperation"] == "supports"
    assert ev["survey.change_belonging"] == "supports"  # no adjusted p recorded: the interval decides
    # a significant decline still contradicts the link
    res2 = pd.DataFrame({"key": ["survey.change_trust", "survey.p_adjusted_change_trust"],
                         "value": [-0.4, 0.001], "ci_low": [-0.6, None], "ci_high": [-0.2, None]})
    assert syn.evaluate_evidence(res2).set_index("key")["verdict"]["survey.change_trust"] == "contradicts"


# --------------------------------------------------------------------------- page text and key results
def test_key_results_count_links_and_rivals_of_demo_like_results():
    frame = res(
        ("overview.n_actors", 2951, None, None), ("value_chain.n_contributing_actors", 410, None, None),
        ("value_chain.leverage_overall", 5.397, None, None), ("network.broker_betweenness_rank", 1, None, None),
        ("network.dependence_giant_share_drop", 0.31, 0.002, 0.02),
        ("pipeline.n_ideas", 132, None, None), ("pipeline.n_launched", 27, None, None),
        ("pipeline.conversion_idea_to_launched", 0.2045, 0.1446, 0.2812),
        ("pipeline.diversity_odds_ratio", 1.511, 0.301, 7.571),
        ("value_chain.jobs_fte_last_year", 45.6, None, None), ("sroi.ratio", 1.919, 1.251, 3.091),
        ("sroi.prob_ratio_below_one", 0.0012, None, None), ("survey.retention_rate", 0.65, None, None),
        ("sroi.break_even_min_relative_change", -0.1, None, None),
        ("survey.attrition_equivalence_p", 0.31, None, None), ("survey.attrition_p_min", 0.02, None, None),
        *TERRITORY_FULL,
    )
    keys = syn.key_results(frame)
    k = keys.set_index("key")["value"]
    assert [k[f"synthesis.link_{x}"] for x in ("mobilisation", "launch", "value", "territory")] == \
        ["strong", "weak", "moderate", "strong"]
    assert k["synthesis.n_links_assessed"] == 4 and k["synthesis.n_links_strong"] == 2
    assert k["synthesis.n_results_used"] == len(frame) and isinstance(k["synthesis.n_results_used"], int)
    ev = syn.evaluate_evidence(frame)
    assert k["synthesis.n_alternatives_ruled_out"] == int((syn.alternatives(ev)["status"] == "ruled_out").sum()) == 3
    assert keys.set_index("key").loc["synthesis.n_links_strong", "unit"] == "maillons"
    # the territory link's sentence reads right at 0: « aucun ne le contredit »
    terr = syn.rate_links(ev).set_index("link").loc["territory"]
    sentence = syn.link_sentence(terr.to_dict())
    assert sentence.startswith("Sur 6 résultats notés, 6 confirment le maillon et aucun ne le contredit ;")
    assert "0 le contredit" not in sentence and "(s)" not in sentence
    table = syn.evidence_table(ev[ev["link"] == "territory"])
    assert "0,000" not in " ".join(table["value"]) and not table["verdict"].str.contains(r"\(s\)").any()


def test_link_and_alternative_sentences_at_zero_one_and_many():
    one = {"n_items": 1, "n_supports": 1, "n_contradicts": 0, "n_inconclusive": 0, "n_unreachable": 0}
    assert syn.link_sentence(one) == "Sur 1 résultat noté, 1 confirme le maillon et aucun ne le contredit."
    many = {"n_items": 5, "n_supports": 2, "n_contradicts": 2, "n_inconclusive": 1, "n_unreachable": 2}
    assert syn.link_sentence(many) == ("Sur 5 résultats notés, 2 confirment le maillon, 2 le contredisent et 1 n'est "
                                       "pas concluant ; 2 tests ne peuvent pas conclure avec les données disponibles.")
    status = pd.DataFrame({"status": ["moot", "moot"]})
    assert syn.alternatives_sentence(status) == ("Aucune explication n’est écartée par un test construit pour cela ; "
                                                 "aucune ne reste ouverte ; 2 sont sans objet faute d'effet établi.")
    assert syn.value_text(0.52, None, 0.37, 0.76) == "0,52 [0,37\u00a0; 0,76]"
    assert syn.value_text(float("nan"), "€") == "—"
    assert syn.verdict_text({"verdict": "unreachable", "min_p": 0.5, "key": "x.placebo_time_p", "threshold": 0.1}) \
        .startswith("ce test ne peut pas conclure avec 1 année placebo :")


def test_comparison_key_results_count_the_last_campaign():
    a = res(("sroi.ratio", 1.8, 1.2, 1.5), ("pipeline.n_launched", 20, None, None))
    b = res(("sroi.ratio", 1.9, 1.6, 3.1), ("pipeline.n_launched", 22, None, None))
    comp = syn.compare_campaigns({"a": a, "b": b}, keys=None)
    k = syn.comparison_key_results(comp, 2).set_index("key")
    assert k["value"].tolist() == [2, 2, 1]
    assert k.loc["comparison.n_campaigns", "unit"] == "campagnes"
    assert syn.comparison_key_results(comp, 1).set_index("key").loc["comparison.n_campaigns", "unit"] == "campagne"
