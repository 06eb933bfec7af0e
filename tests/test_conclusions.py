"""« Ce qu'il faut retenir »: sentences from recorded results, and how the site writes a result."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from markupsafe import escape

from rd_methods import conclusions, synthesis
from rd_methods import formats as fr

NBSP = "\u00a0"
ROOT = Path(__file__).resolve().parents[1]


def _results(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for col in synthesis.RESULT_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    frame["value"] = pd.Series([r["value"] for r in rows], dtype=object)
    return frame[synthesis.RESULT_COLUMNS]


def _hand_made(*, did=(3.5, 2.9, 4.1), sroi=(1.9, 1.25, 3.1), trust_p=0.001, territory="strong") -> pd.DataFrame:
    """A small results table shaped like a campaign's (values chosen by hand)."""
    return _results([
        {"key": "counterfactual.did_estimate", "value": did[0], "ci_low": did[1], "ci_high": did[2],
         "unit": "pour 1 000 habitants", "note": "intervalle par permutation, niveau 94,7 %",
         "notebook": "50_territorial_effects", "label": "Différence de différences"},
        {"key": "synthesis.link_mobilisation", "value": "moderate", "notebook": "90_synthesis"},
        {"key": "synthesis.link_launch", "value": "weak", "notebook": "90_synthesis"},
        {"key": "synthesis.link_value", "value": "not_supported", "notebook": "90_synthesis"},
        {"key": "synthesis.link_territory", "value": territory, "notebook": "90_synthesis"},
        {"key": "sroi.ratio", "value": sroi[0], "ci_low": sroi[1], "ci_high": sroi[2], "unit": "€ par € investi",
         "note": "intervalle à 95 % de 10 000 tirages Monte Carlo, ressources et résultats 2016–2025",
         "notebook": "60_sroi", "label": "Ratio SROI"},
        {"key": "pipeline.n_ideas", "value": 132, "unit": "projets", "notebook": "30_rd_pipeline"},
        {"key": "pipeline.n_launched", "value": 27, "unit": "projets", "notebook": "30_rd_pipeline"},
        {"key": "pipeline.conversion_idea_to_launched", "value": 0.2045, "ci_low": 0.1446, "ci_high": 0.2812,
         "note": "intervalle de Wilson à 95 %", "notebook": "30_rd_pipeline"},
        {"key": "pipeline.jobs_fte_last_year", "value": 45.6, "unit": "ETP", "notebook": "30_rd_pipeline"},
        {"key": "survey.change_trust", "value": 0.18, "ci_low": 0.11, "ci_high": 0.24, "unit": "point",
         "label": "Variation du score — Confiance", "notebook": "40_stakeholder_survey",
         "note": "personnes présentes aux vagues 1 et 2, intervalle de Student à 95 %"},
        {"key": "survey.p_adjusted_change_trust", "value": trust_p, "notebook": "40_stakeholder_survey"},
        {"key": "survey.change_belonging", "value": -0.04, "ci_low": -0.11, "ci_high": 0.03, "unit": "point",
         "label": "Variation du score — Appartenance territoriale", "notebook": "40_stakeholder_survey"},
        {"key": "survey.p_adjusted_change_belonging", "value": 0.26, "notebook": "40_stakeholder_survey"},
        {"key": "value_chain.leverage_overall", "value": 5.4, "unit": "€ pour 1 €", "notebook": "10_value_chain"},
    ])


def test_five_sentences_in_order_with_visible_caveats_and_pages():
    out = conclusions.key_messages(_hand_made())
    assert list(out.columns) == conclusions.CONCLUSION_COLUMNS
    assert out["order"].tolist() == [1, 2, 3, 4, 5]
    assert out["topic"].tolist() == ["territory", "synthesis", "sroi", "pipeline", "survey"]  # leverage is 6th
    assert out["href"].tolist() == ["50_territorial_effects.html", "90_synthesis.html", "60_sroi.html",
                                    "30_rd_pipeline.html", "40_stakeholder_survey.html"]
    assert out["caveat"].str.len().min() > 20
    for text in out["sentence"].tolist() + out["caveat"].tolist():
        assert not re.search(r"\bnan\b|\binf\b", text) and "(s)" not in text and not re.search(r"\d\.\d", text), text


def test_sroi_ratio_and_interval_as_the_site_writes_them():
    out = conclusions.key_messages(_hand_made()).set_index("topic")
    sentence = out.loc["sroi", "sentence"]
    assert f"1,90{NBSP}€ par € investi" in sentence  # one precision for the value and its bounds
    assert f"(intervalle{NBSP}: {fr.format_interval(1.25, 3.1, decimals=2)})" in sentence
    assert fr.format_interval(1.25, 3.1, decimals=2) == f"[1,25{NBSP}; 3,10]"
    assert "dépasse les ressources investies" in sentence
    assert "ressources et résultats 2016–2025" in out.loc["sroi", "caveat"]
    below = conclusions.key_messages(_hand_made(sroi=(0.52, 0.37, 0.76))).set_index("topic").loc["sroi", "sentence"]
    assert "reste inférieure" in below and "0,52" in below
    straddles = conclusions.key_messages(_hand_made(sroi=(1.2, 0.8, 1.6))).set_index("topic").loc["sroi", "sentence"]
    assert "on ne peut pas dire" in straddles and "dépasse les" not in straddles.split("si la")[0]


def test_territory_rating_is_the_recorded_one_and_no_effect_without_an_interval_excluding_zero():
    for code, label in synthesis.STRENGTH_LABELS.items():
        sentence = conclusions.key_messages(_hand_made(territory=code)).iloc[0]["sentence"]
        assert f"« {label} »" in sentence
    flat = conclusions.key_messages(_hand_made(did=(0.8, -0.4, 2.0))).iloc[0]
    assert "ne se distingue pas de zéro" in flat["sentence"] and "pas une preuve d'absence" in flat["sentence"]
    assert "progressé plus vite" not in flat["sentence"]
    assert "politiques locales" in flat["caveat"]  # the rival explanation no test addresses


def test_chain_sentence_counts_strong_links_in_plain_french():
    chain = conclusions.key_messages(_hand_made()).set_index("topic").loc["synthesis"]
    assert chain["sentence"].startswith("Sur 4 maillons de la chaîne de contribution, 1 est fortement étayé (")
    assert "Emplois et valeur → Territoire : forte" in chain["sentence"]
    assert chain["caveat"].startswith("« Non étayée » veut dire : ")  # the weakest recorded rating, explained
    none = conclusions.key_messages(_hand_made(territory="weak")).set_index("topic").loc["synthesis", "sentence"]
    assert "aucun n'est fortement étayé" in none


def test_a_non_rejection_is_never_called_support():
    survey = conclusions.key_messages(_hand_made()).set_index("topic").loc["survey", "sentence"]
    assert "le score de confiance" in survey and "a progressé" in survey
    assert "appartenance territoriale ne se distingue pas de zéro" in survey
    # an interval above zero but a Holm-adjusted p-value above the level: not a progression
    weak = conclusions.key_messages(_hand_made(trust_p=0.2)).set_index("topic").loc["survey", "sentence"]
    assert "progressé" not in weak and "ne se distingue pas de zéro" in weak


def test_missing_topics_give_fewer_sentences_and_an_empty_table_gives_none():
    only_sroi = _hand_made().query("key == 'sroi.ratio'")
    out = conclusions.key_messages(only_sroi)
    assert out["topic"].tolist() == ["sroi"]
    assert conclusions.key_messages(only_sroi.iloc[0:0]).empty
    with pytest.raises(ValueError, match="key and value"):
        conclusions.key_messages(pd.DataFrame({"x": [1]}))


@pytest.mark.parametrize("key, value, unit, low, high, note, expected", [
    ("economic_model.subsidy_share_last", 0.55, None, None, None, "entre 0 et 1", f"55{NBSP}%"),
    ("sroi.discount_rate", 0.032, "part", None, None, None, f"3,2{NBSP}%"),
    ("pipeline.conversion_idea_to_launched", 0.2045, None, 0.1446, 0.2812, None,
     f"20{NBSP}% (intervalle{NBSP}: [14{NBSP}%{NBSP}; 28{NBSP}%])"),
    ("network.dependence_giant_share_drop", 0.0989, None, 0.1005, 0.1157,
     "intervalle : 95 % de 100 tirages du modèle nul, pas un intervalle de confiance",
     f"9,9{NBSP}% (référence{NBSP}: [10,0{NBSP}%{NBSP}; 11,6{NBSP}%])"),
    ("resilience.network_robustness_auc", 0.081, None, 0.111, 0.117, "95 % de 10 réseaux aléatoires",
     f"0,081 (référence{NBSP}: [0,111{NBSP}; 0,117])"),
    ("survey.p_adjusted_change_trust", 3e-7, None, None, None, None, f"<{NBSP}0,001"),
    ("sroi.period_first_year", 2016, None, None, None, None, "2016"),
    ("sroi.net_present_value", -2037273.86, "€", None, None, None, f"\u22122\u202f037\u202f274{NBSP}€"),
    ("synthesis.link_territory", "strong", None, None, None, None, "forte"),
    ("network.dependence_comparable", True, None, None, None, None, "oui"),
])
def test_format_result_value(key, value, unit, low, high, note, expected):
    assert conclusions.format_result_value(key, value, unit, low, high, note) == expected


@pytest.mark.slow
def test_demo_2025_conclusions_match_recorded_results(demo_site):
    """On the real demo: the index opens with the sentences, each one's numbers as the site writes them."""
    folder = demo_site / "demo-2025"
    doc = json.loads((folder / "results.json").read_text("utf-8"))
    res = synthesis.from_results_json(doc)
    out = conclusions.key_messages(res).set_index("topic")
    assert len(out) == 5
    ratio = doc["sroi.ratio"]
    sroi = out.loc["sroi", "sentence"]
    # one precision (2 decimals) for the ratio and its bounds, as the index and the SROI page write it
    assert fr.format_number(ratio["value"], 2) in sroi and fr.format_interval(*ratio["ci"], decimals=2) in sroi
    assert (ratio["ci"][1] < 1) == ("reste inférieure" in sroi)
    label = synthesis.STRENGTH_LABELS[doc["synthesis.link_territory"]["value"]]
    assert f"« {label} »" in out.loc["territory", "sentence"]
    index = (folder / "index.html").read_text("utf-8")
    assert index.index("Ce qu'il faut retenir") < index.index('id="analyses"') < index.index('id="provenance"')
    for row in out.itertuples():
        assert (folder / row.href).is_file()
        assert f'href="{row.href}"' in index
        assert str(escape(row.sentence)) in index and str(escape(row.caveat)) in index  # visible text
    # the demo's planted truth: employment effect of +3 per 1 000 inhabitants from 2020 on, so the
    # sentence states a gain (interval above zero), never « ne se distingue pas »
    truth = json.loads((ROOT / "data" / "raw" / "demo-2025" / "ground_truth.json").read_text("utf-8"))
    assert truth["territory"]["effect_max"] > 0
    assert "progressé plus vite" in out.loc["territory", "sentence"]
