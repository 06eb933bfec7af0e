"""Synthesis of a campaign's recorded results: contribution story and impact dimensions.

Every function here works on the tidy table of recorded results returned by
:func:`rd_methods.results.collect` (columns ``key, value, label, unit, ci_low, ci_high,
note, notebook``); nothing is recomputed from the data, nothing is read from disk.

Contribution analysis (Mayne 2001, 2012) tells a *contribution story*: the theory of
change is a chain of links, the evidence gathered for each link is confronted with it,
and the alternative explanations are examined. Here the chain is the cooperative's::

    mobilised actors -> projects -> activities -> jobs and value for stakeholders -> territory

and each link gets a strength rating by stated rules (:data:`STRENGTH_RULES`,
:func:`rate_links`), from evidence items declared in :data:`EVIDENCE` (a recorded key,
its role in the argument and the rule that turns its value into a verdict).

The rules follow the evidence standards of docs/architecture.md, evidence standards: a test that fails to reject is
absence of evidence, never support (rule ``p_above`` can only contradict); a rival explanation
is ruled out only by a test built for it (``equivalence``: TOST with a stated margin; a
permutation rank that can reach its level, see ``Evidence.min_p_key``; a bound); estimators
of one quantity count once (``Evidence.group``); only intervals valid for the design feed a
verdict; a test that cannot reach its threshold is ``unreachable``, not a verdict.

The five dimensions of impact (what, who, how much, contribution, risk) follow the
Impact Management Project's consensus (IMP 2018, now Impact Frontiers);
:func:`five_dimensions` files the recorded results under them.

References
----------
Mayne, J. (2001). Addressing attribution through contribution analysis: using
performance measures sensibly. *Canadian Journal of Program Evaluation*, 16(1), 1–24.
Mayne, J. (2012). Contribution analysis: coming of age? *Evaluation*, 18(3), 270–280.
Impact Management Project (2018). *A guide to classifying the impact of an investment*.
Lakens, D. (2017). Equivalence tests. *Social Psychological and Personality Science*, 8(4), 355–362.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = [
    "LINKS",
    "EVIDENCE",
    "ALTERNATIVES",
    "EQUIVALENCE_ALPHA",
    "ADJUSTED_ALPHA",
    "STRENGTH_LABELS",
    "STRENGTH_RULES",
    "VERDICT_LABELS",
    "ROLE_LABELS",
    "TOPIC_NOTEBOOKS",
    "HEADLINE_KEYS",
    "DIMENSIONS",
    "COMPARISON_KEYS",
    "Link",
    "Evidence",
    "verdict",
    "rule_text",
    "evaluate_evidence",
    "rate_links",
    "alternatives",
    "five_dimensions",
    "headline",
    "coverage",
    "compare_campaigns",
    "from_results_json",
    "value_text",
    "link_sentence",
    "verdict_text",
    "alternatives_sentence",
    "key_results",
    "comparison_key_results",
    "evidence_table",
    "is_reference_band",
]

RESULT_COLUMNS = ["key", "value", "label", "unit", "ci_low", "ci_high", "note", "notebook"]

#: Significance level for permutation / placebo p-values. With 18 comparison territories the
#: smallest attainable permutation p-value is 1/19 ≈ 0.053, so 0.05 could never be reached.
ALPHA = 0.10


# --------------------------------------------------------------------------- theory of change
@dataclass(frozen=True)
class Link:
    """One link of the theory of change: ``source`` leads to ``target``."""

    id: str
    order: int
    source: str
    target: str
    claim: str


LINKS: tuple[Link, ...] = (
    Link("mobilisation", 1, "Acteurs mobilisés", "Projets",
         "La structure mobilise des acteurs variés qui apportent des ressources et font naître des projets."),
    Link("launch", 2, "Projets", "Activités",
         "Les projets accompagnés franchissent les étapes jusqu'au lancement d'activités durables."),
    Link("value", 3, "Activités", "Emplois et valeur pour les parties prenantes",
         "Les activités lancées créent des emplois et de la valeur perçue par les parties prenantes."),
    Link("territory", 4, "Emplois et valeur", "Territoire",
         "Ces effets se voient à l'échelle du territoire, au-delà de ce qu'ont connu des territoires comparables."),
)


@dataclass(frozen=True)
class Evidence:
    """A recorded key used as evidence for a link.

    ``role``: ``observed`` (the link's result happened), ``mechanism`` (an estimate that
    the link works as theorised, with its uncertainty), ``alternative`` (a test of a rival
    explanation: passing it rules the rival out) or ``context`` (shown, not rated).
    ``key`` may hold shell wildcards (``survey.change_*``): each matching result is one item.

    ``group``: items sharing a group are several estimators of *one* quantity (difference in
    differences and synthetic control of the same territorial effect): they count as one
    piece of evidence in :func:`rate_links`, confirmed only if every recorded one confirms.
    ``min_p_key``: a recorded key holding the smallest p-value the test can reach with the
    data (1 / (number of placebos + 1)); when it exceeds the threshold the item's verdict is
    ``unreachable`` ("ce test ne peut pas conclure"), not a verdict. ``valid_key``: a recorded
    boolean key; ``False`` means the test could not be run meaningfully (``unreachable``).
    ``adjusted_p_key``: for a wildcard key, the key of the multiplicity-adjusted p-value of each
    match, with ``{}`` standing for what the wildcard matched (``survey.p_adjusted_change_{}``
    for ``survey.change_*``, Holm across the scales); an interval that excludes the threshold
    only counts when that adjusted p-value is at most :data:`ADJUSTED_ALPHA`, else the item is
    ``inconclusive``.
    """

    link: str
    key: str
    role: str
    rule: str
    threshold: float | None = None
    claim: str = ""
    group: str | None = None
    min_p_key: str | None = None
    valid_key: str | None = None
    adjusted_p_key: str | None = None


ROLE_ORDER = {"observed": 0, "mechanism": 1, "alternative": 2, "context": 3}
ROLE_LABELS = {"observed": "résultat observé", "mechanism": "mécanisme", "alternative": "explication concurrente",
               "context": "contexte"}

#: Level of the equivalence (TOST) tests that rule out a rival explanation.
EQUIVALENCE_ALPHA = 0.05
#: Level of multiplicity-adjusted tests (Holm across the survey scales).
ADJUSTED_ALPHA = 0.05

EVIDENCE: tuple[Evidence, ...] = (
    # 1. mobilised actors -> projects
    Evidence("mobilisation", "overview.n_actors", "observed", "above", 0, "des acteurs sont recensés"),
    Evidence("mobilisation", "network.n_actors_last", "observed", "above", 0, "un réseau d'acteurs existe"),
    Evidence("mobilisation", "value_chain.n_contributing_actors", "observed", "above", 0,
             "des acteurs apportent des ressources aux projets"),
    Evidence("mobilisation", "value_chain.leverage_overall", "observed", "above", 1,
             "les autres acteurs apportent plus que la structure (effet levier > 1)"),
    Evidence("mobilisation", "value_chain.regenerating_actors", "observed", "above", 0,
             "des participants deviennent contributeurs"),
    Evidence("mobilisation", "network.broker_betweenness_rank", "mechanism", "at_most", 3,
             "la structure est parmi les 3 premiers intermédiaires du réseau"),
    Evidence("mobilisation", "network.dependence_giant_share_drop", "alternative", "beyond_baseline", None,
             "sans la structure, le réseau se fragmente plus qu'en retirant des acteurs comparables "
             "(au-delà de la bande du modèle nul)", valid_key="network.dependence_comparable"),
    Evidence("mobilisation", "network.broker_betweenness_rank_*", "context", "context"),
    Evidence("mobilisation", "resilience.robustness_without_structure", "context", "context"),
    # 2. projects -> activities
    Evidence("launch", "pipeline.n_ideas", "observed", "above", 0, "des idées de projets sont recueillies"),
    Evidence("launch", "pipeline.n_launched", "observed", "above", 0, "des projets sont lancés"),
    Evidence("launch", "pipeline.conversion_idea_to_launched", "observed", "ci_above", 0,
             "une part non nulle des idées aboutit"),
    Evidence("launch", "pipeline.diversity_odds_ratio", "mechanism", "ci_above", 1,
             "des partenaires plus divers rendent le lancement plus probable"),
    Evidence("launch", "pipeline.cif_launched", "context", "context"),
    Evidence("launch", "pipeline.median_days_to_launch", "context", "context"),
    Evidence("launch", "value_chain.support_share_cost", "context", "context"),
    # the structure's economic model: what a result costs it, not evidence of impact
    Evidence("launch", "economic_model.cost_per_launched_project_eur", "context", "context"),
    # 3. activities -> jobs and value for stakeholders
    Evidence("value", "value_chain.jobs_fte_last_year", "observed", "above", 0, "les activités emploient"),
    Evidence("value", "pipeline.jobs_fte_last_year", "observed", "above", 0, "les activités lancées emploient"),
    Evidence("value", "sroi.present_value", "observed", "above", 0, "une valeur sociale est estimée"),
    Evidence("value", "survey.change_*", "mechanism", "ci_above", 0,
             "le score des parties prenantes progresse entre les deux vagues (test corrigé de Holm sur "
             "l'ensemble des échelles)", adjusted_p_key="survey.p_adjusted_change_{}"),
    Evidence("value", "sroi.ratio", "mechanism", "ci_above", 1,
             "la valeur sociale dépasse les ressources investies"),
    # the Monte Carlo is centred on the SROI's own assumptions: it measures their imprecision,
    # it cannot test whether they are too favourable (context only)
    Evidence("value", "sroi.prob_ratio_below_one", "context", "context"),
    Evidence("value", "sroi.break_even_min_relative_change", "alternative", "abs_above", 0.25,
             "il faut changer une hypothèse, prise seule, de plus de 25 % pour annuler le bénéfice"),
    Evidence("value", "survey.attrition_equivalence_p", "alternative", "equivalence", EQUIVALENCE_ALPHA,
             "partants et restants diffèrent de moins de 0,2 écart-type au départ (équivalence, TOST)"),
    Evidence("value", "survey.attrition_p_min", "alternative", "p_above", EQUIVALENCE_ALPHA,
             "aucune différence de départ significative entre partants et restants (un rejet contredit)"),
    Evidence("value", "survey.retention_rate", "context", "context"),
    Evidence("value", "survey.attrition_smd_max", "context", "context"),
    Evidence("value", "sroi.ratio_green_book", "context", "context"),
    Evidence("value", "survey.n_respondents_wave1", "context", "context"),
    Evidence("value", "economic_model.cost_per_fte_eur", "context", "context"),
    Evidence("value", "transitions.fte_*", "context", "context"),
    # 4. jobs and value -> territory
    Evidence("territory", "resilience.resistance_treated", "observed", "above", 0,
             "le territoire résiste mieux au choc que la référence"),
    # DiD and synthetic control estimate the same effect: one piece of evidence (group)
    Evidence("territory", "counterfactual.did_estimate", "mechanism", "ci_above", 0,
             "l'emploi progresse plus que dans les territoires de comparaison (intervalle par permutation)",
             group="territorial_effect"),
    Evidence("territory", "counterfactual.synth_att", "mechanism", "ci_above", 0,
             "l'emploi dépasse son contrôle synthétique (intervalle par inversion du test placebo)",
             group="territorial_effect"),
    Evidence("territory", "counterfactual.staggered_att", "mechanism", "ci_above", 0,
             "avec plusieurs territoires démarrant à des dates différentes, l'effet moyen (Callaway et "
             "Sant'Anna) est positif", group="territorial_effect"),
    Evidence("territory", "counterfactual.twfe_estimate", "context", "context"),
    Evidence("territory", "counterfactual.pretrend_p", "context", "context"),
    Evidence("territory", "counterfactual.pretrend_equivalence_p", "alternative", "equivalence", EQUIVALENCE_ALPHA,
             "l'écart de tendance avant le démarrage est plus petit que la marge fixée (équivalence, TOST)"),
    Evidence("territory", "counterfactual.placebo_space_p", "alternative", "p_below", ALPHA,
             "les territoires placebos ne montrent pas un écart aussi grand",
             min_p_key="counterfactual.placebo_space_min_p"),
    Evidence("territory", "counterfactual.placebo_time_p", "alternative", "p_below", ALPHA,
             "de fausses dates de démarrage ne produisent pas un tel écart",
             min_p_key="counterfactual.placebo_time_min_p"),
    Evidence("territory", "resilience.resistance_rank_p", "alternative", "p_below", ALPHA,
             "la résistance du territoire se distingue de celle des autres territoires",
             min_p_key="resilience.resistance_rank_min_p"),
    Evidence("territory", "resilience.recovery_treated", "context", "context"),
)

#: Rival explanations per link, with the keys whose evidence addresses them (empty: untested).
#: Only tests built to rule a rival out are listed (equivalence with a margin, bounds,
#: permutation ranks); a test that merely fails to reject is never among them.
ALTERNATIVES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("mobilisation", "Les acteurs se seraient rencontrés sans la structure (autres lieux, autres réseaux).",
     ("network.dependence_giant_share_drop",)),
    ("mobilisation", "Les apports viennent d'acteurs déjà engagés, quel que soit l'accompagnement.", ()),
    ("launch", "Les projets lancés étaient portés par des acteurs déjà solides (sélection à l'entrée).", ()),
    ("launch", "La diversité des partenaires n'est qu'un reflet de la taille des projets.", ()),
    ("value", "Les scores auraient évolué de même sans la structure (pas de groupe témoin dans l'enquête).", ()),
    ("value", "Les répondants restés à la seconde vague sont les plus satisfaits (attrition sélective).",
     ("survey.attrition_equivalence_p", "survey.attrition_p_min")),
    ("value", "Une hypothèse du SROI, prise seule, est assez favorable pour renverser la conclusion.",
     ("sroi.break_even_min_relative_change",)),
    ("value", "Les hypothèses du SROI (valeurs de référence, aubaine, attribution) sont ensemble trop favorables "
              "(la simulation Monte-Carlo, centrée sur elles, ne peut pas le tester).", ()),
    ("territory", "Le territoire suivait déjà une tendance plus favorable avant le démarrage.",
     ("counterfactual.pretrend_equivalence_p",)),
    ("territory", "Un écart de cette taille s'observe aussi dans d'autres territoires (hasard).",
     ("counterfactual.placebo_space_p",)),
    ("territory", "Un écart de cette taille s'observe aussi à d'autres dates (instabilité d'avant le démarrage).",
     ("counterfactual.placebo_time_p",)),
    ("territory", "D'autres politiques locales menées en même temps expliquent l'écart.", ()),
)

VERDICT_LABELS = {"supports": "confirme", "contradicts": "contredit", "inconclusive": "non concluant",
                  "unreachable": "ne peut pas conclure", "missing": "absent", "context": "contexte"}

STRENGTH_LABELS = {"strong": "forte", "moderate": "modérée", "weak": "faible",
                   "not_supported": "non étayée", "not_assessed": "non évaluée"}
STRENGTH_ORDER = ["strong", "moderate", "weak", "not_supported", "not_assessed"]

#: The rating rules of :func:`rate_links`, in the order they are applied (first match wins).
STRENGTH_RULES: tuple[tuple[str, str], ...] = (
    ("not_assessed", "aucun résultat disponible pour ce lien"),
    ("not_supported", "ni le résultat observé ni le mécanisme ne sont confirmés"),
    ("weak", "le résultat est observé, mais le mécanisme n'est pas confirmé (ou il est contredit)"),
    ("strong", "résultat observé, mécanisme confirmé, au moins une explication concurrente écartée par un "
               "test conçu pour cela (équivalence avec marge, rang de permutation atteignable, borne) "
               "et aucune preuve contraire"),
    ("moderate", "résultat observé et mécanisme confirmé, mais aucune explication concurrente écartée par "
                 "un test conçu pour cela, ou l'une d'elles contredite"),
)

#: Topic (first part of a key) -> notebook expected to record it.
TOPIC_NOTEBOOKS = {
    "overview": "00_campaign_overview",
    "value_chain": "10_value_chain",
    "network": "20_actor_network",
    "pipeline": "30_rd_pipeline",
    "survey": "40_stakeholder_survey",
    "counterfactual": "50_territorial_effects",
    "resilience": "55_resilience",
    "sroi": "60_sroi",
    "economic_model": "70_economic_model",  # which also records transitions.*
}

#: Figures of the one-page summary, in reading order (those recorded are shown).
HEADLINE_KEYS = (
    "overview.n_actors",
    "value_chain.leverage_overall",
    "pipeline.n_launched",
    "value_chain.jobs_fte_last_year",
    "survey.change_cooperation",
    "counterfactual.did_estimate",
    "sroi.ratio",
)

#: The five dimensions of impact (Impact Management Project) and the keys that inform each.
DIMENSIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("what", "Quoi", "Quels effets, et comptent-ils pour les personnes concernées ?",
     ("survey.change_*", "value_chain.jobs_fte_last_year", "pipeline.n_launched", "network.n_actors_last")),
    ("who", "Qui", "Qui en bénéficie, et à quel point en avait-il besoin ?",
     ("overview.n_actors", "overview.n_members_last", "value_chain.n_contributing_actors",
      "survey.n_respondents_wave1")),
    ("how_much", "Combien", "Quelle ampleur : nombre, profondeur, durée ?",
     ("value_chain.total_contributions_eur", "pipeline.jobs_fte_last_year", "sroi.present_value",
      "sroi.total_inputs", "sroi.ratio")),
    ("contribution", "Contribution", "Qu'est-ce qui ne serait pas arrivé sans la structure ?",
     ("counterfactual.did_estimate", "counterfactual.synth_att", "network.dependence_giant_share_drop",
      "value_chain.leverage_overall", "sroi.break_even_attribution_all")),
    ("risk", "Risque", "Quel risque que l'impact diffère de ce qui est annoncé ?",
     ("sroi.prob_ratio_below_one", "sroi.break_even_min_relative_change",
      "counterfactual.pretrend_equivalence_p", "counterfactual.placebo_space_p",
      "survey.attrition_equivalence_p", "resilience.robustness_without_structure",
      "economic_model.subsidy_share_last", "economic_model.hhi_last")),
)

#: Keys compared across campaigns by :func:`compare_campaigns` (default).
COMPARISON_KEYS = (
    "overview.n_actors", "overview.n_projects", "overview.n_members_last",
    "network.n_actors_last", "network.broker_betweenness_rank",
    "value_chain.total_contributions_eur", "value_chain.leverage_overall", "value_chain.support_share_cost",
    "value_chain.jobs_fte_last_year",
    "pipeline.n_ideas", "pipeline.n_launched", "pipeline.conversion_idea_to_launched",
    "pipeline.diversity_odds_ratio",
    "survey.n_respondents_wave1", "survey.alpha_cooperation",
    "counterfactual.did_estimate", "counterfactual.synth_att",
    "resilience.resistance_treated",
    "sroi.ratio", "sroi.present_value", "sroi.total_inputs",
    "economic_model.own_revenue_share_last", "economic_model.subsidy_share_last", "economic_model.hhi_last",
    "economic_model.cost_per_launched_project_eur", "economic_model.cost_per_fte_eur",
    "synthesis.n_links_strong", "synthesis.link_*",
)


# --------------------------------------------------------------------------- helpers
def _check(results: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(results, pd.DataFrame):
        raise TypeError("results must be the DataFrame returned by rd_methods.results.collect")
    missing = [c for c in ("key", "value", "ci_low", "ci_high") if c not in results.columns]
    if missing:
        raise ValueError(f"results lacks the columns {missing}; expected those of rd_methods.results.collect")
    out = results.copy()
    for col in RESULT_COLUMNS:
        if col not in out.columns:
            out[col] = None
    return out.drop_duplicates("key", keep="first")


def _num(v: Any) -> float | None:
    """A finite float, or ``None`` (missing, text, NaN); booleans count as 0/1."""
    if v is None or isinstance(v, str):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _match(results: pd.DataFrame, pattern: str) -> pd.DataFrame:
    if any(ch in pattern for ch in "*?["):
        mask = pd.Series([fnmatch.fnmatchcase(str(k), pattern) for k in results["key"]], index=results.index,
                         dtype=bool)
        hit = results[mask]
    else:
        hit = results[results["key"] == pattern]
    return hit.sort_values("key")


# --------------------------------------------------------------------------- verdicts
def verdict(rule: str, value: Any, ci_low: Any = None, ci_high: Any = None,
            threshold: float | None = None) -> str:
    """Verdict of one evidence item: ``supports``, ``contradicts``, ``inconclusive``, ``missing``
    or ``context``.

    Rules (``t`` the threshold, ``[lo, hi]`` the recorded interval):

    =============== ============================== =============================== ====================
    rule            supports                       contradicts                     otherwise
    =============== ============================== =============================== ====================
    above           value > t                      value ≤ t                       —
    at_most         value ≤ t                      —                               inconclusive
    below           value < t                      —                               inconclusive
    abs_above       |value| ≥ t                    —                               inconclusive
    ci_above        lo > t                         hi < t                          inconclusive (also without interval)
    beyond_baseline value > hi (baseline band)     value < lo                      inconclusive
    p_below         p ≤ t (effect not by chance)   —                               inconclusive
    equivalence     p ≤ t (TOST: difference within —                               inconclusive
                    the stated margin)
    p_above         — (never: not rejecting an     p ≤ t (the assumption is        inconclusive
                    assumption does not show it)   rejected)
    context         (never rated)
    =============== ============================== =============================== ====================

    A missing value gives ``missing``. A p-value above the level is *absence* of evidence,
    never evidence for or against (docs/architecture.md, evidence standards): a rival explanation is ruled out only by
    a test built for it, such as an equivalence test (``equivalence``: two one-sided tests,
    Schuirmann 1987; Lakens 2017) whose p-value is small when the difference is shown to be
    within a stated margin.

    Examples
    --------
    >>> verdict("ci_above", 1.9, 1.25, 3.1, threshold=1)
    'supports'
    >>> verdict("ci_above", 1.5, 0.3, 7.6, threshold=1)
    'inconclusive'
    >>> verdict("p_above", 0.02, threshold=0.1)
    'contradicts'
    >>> verdict("p_above", 0.95, threshold=0.1)
    'inconclusive'
    >>> verdict("equivalence", 0.01, threshold=0.05)
    'supports'
    """
    if rule == "context":
        return "context"
    v = _num(value)
    if v is None:
        return "missing"
    lo, hi = _num(ci_low), _num(ci_high)
    t = threshold
    if rule in ("above", "at_most", "below", "abs_above", "ci_above", "p_below", "p_above",
                "equivalence") and t is None:
        raise ValueError(f"rule {rule!r} needs a threshold")
    if rule == "above":
        return "supports" if v > t else "contradicts"
    if rule == "at_most":
        return "supports" if v <= t else "inconclusive"
    if rule == "below":
        return "supports" if v < t else "inconclusive"
    if rule == "abs_above":
        return "supports" if abs(v) >= t else "inconclusive"
    if rule == "ci_above":
        if lo is None or hi is None:
            return "inconclusive"
        if lo > t:
            return "supports"
        return "contradicts" if hi < t else "inconclusive"
    if rule == "beyond_baseline":
        if lo is None or hi is None:
            return "inconclusive"
        if v > hi:
            return "supports"
        return "contradicts" if v < lo else "inconclusive"
    if rule in ("p_below", "equivalence"):
        return "supports" if v <= t else "inconclusive"
    if rule == "p_above":
        return "contradicts" if v <= t else "inconclusive"
    raise ValueError(f"unknown evidence rule {rule!r}")


def rule_text(rule: str, threshold: float | None = None) -> str:
    """The French wording of a verdict rule, e.g. ``'intervalle au-dessus de 1'``.

    Examples
    --------
    >>> rule_text("p_below", 0.1)
    'p ≤ 0,1'
    """
    from rd_methods.formats import format_number

    t = format_number(threshold) if threshold is not None else ""
    texts = {
        "above": f"valeur > {t}",
        "at_most": f"valeur ≤ {t}",
        "below": f"valeur < {t}",
        "abs_above": f"écart absolu ≥ {t}",
        "ci_above": f"intervalle entièrement au-dessus de {t}",
        "beyond_baseline": "au-delà de la bande de référence",
        "p_below": f"p ≤ {t}",
        "equivalence": f"test d'équivalence (TOST) : p ≤ {t}",
        "p_above": f"p ≤ {t} contredit ; au-dessus, non concluant (ne pas rejeter n'est pas prouver)",
        "context": "information de contexte",
    }
    if rule not in texts:
        raise ValueError(f"unknown evidence rule {rule!r}")
    return texts[rule]


def evaluate_evidence(results: pd.DataFrame, evidence: Sequence[Evidence] = EVIDENCE,
                      links: Sequence[Link] = LINKS) -> pd.DataFrame:
    """One row per evidence item: the recorded result and its verdict.

    Parameters
    ----------
    results : DataFrame
        Recorded results (:func:`rd_methods.results.collect`).
    evidence : sequence of Evidence
        The evidence plan (default :data:`EVIDENCE`).

    Returns
    -------
    DataFrame
        ``link, order, key, role, rule, threshold, claim, group, label, value, unit, ci_low,
        ci_high, notebook, min_p, verdict``, sorted by link order, role, key. A key that was
        not recorded gives one row with verdict ``missing`` (a wildcard key: one row under its
        pattern). A test whose smallest attainable p-value (``min_p``, read from the item's
        ``min_p_key``) exceeds its threshold, or whose ``valid_key`` is recorded ``False``,
        gets verdict ``unreachable``: it cannot conclude with these data, whatever its value.

    Examples
    --------
    >>> res = pd.DataFrame({"key": ["sroi.ratio"], "value": [1.9], "ci_low": [1.25], "ci_high": [3.1]})
    >>> ev = evaluate_evidence(res)
    >>> ev.loc[ev["key"] == "sroi.ratio", "verdict"].item()
    'supports'
    """
    res = _check(results)
    order = {link.id: link.order for link in links}
    unknown = sorted({e.link for e in evidence} - set(order))
    if unknown:
        raise ValueError(f"evidence for unknown links: {unknown}")
    by_key = res.set_index("key")["value"].to_dict()
    rows = []
    for e in evidence:
        hits = _match(res, e.key)
        base = {"link": e.link, "order": order[e.link], "role": e.role, "rule": e.rule,
                "threshold": e.threshold, "claim": e.claim, "group": e.group}
        min_p = _num(by_key.get(e.min_p_key)) if e.min_p_key else None
        valid = by_key.get(e.valid_key) if e.valid_key else None
        blocked = ((min_p is not None and e.threshold is not None and min_p > e.threshold)
                   or (valid is not None and not _missing(valid) and not bool(valid)))
        if hits.empty:
            rows.append(base | {"key": e.key, "label": None, "value": None, "unit": None, "ci_low": None,
                                "ci_high": None, "notebook": TOPIC_NOTEBOOKS.get(e.key.split(".")[0]),
                                "min_p": min_p,
                                "verdict": "context" if e.rule == "context" else "missing"})
            continue
        for row in hits.itertuples(index=False):
            v = verdict(e.rule, row.value, row.ci_low, row.ci_high, e.threshold)
            if blocked and v not in ("missing", "context"):
                v = "unreachable"
            if e.adjusted_p_key and v in ("supports", "contradicts"):
                matched = row.key[len(e.key.split("*")[0]):] if "*" in e.key else ""
                p_adj = _num(by_key.get(e.adjusted_p_key.format(matched)))
                if p_adj is not None and p_adj > ADJUSTED_ALPHA:
                    v = "inconclusive"  # the interval alone ignores the other scales tested
            rows.append(base | {"key": row.key, "label": row.label, "value": row.value, "unit": row.unit,
                                "ci_low": _num(row.ci_low), "ci_high": _num(row.ci_high),
                                "notebook": row.notebook, "min_p": min_p, "verdict": v})
    cols = ["link", "order", "key", "role", "rule", "threshold", "claim", "group", "label", "value", "unit",
            "ci_low", "ci_high", "notebook", "min_p", "verdict"]
    out = pd.DataFrame(rows, columns=cols)
    out["value"] = pd.Series([r["value"] for r in rows], dtype=object)
    out["_role"] = out["role"].map(ROLE_ORDER)
    out = out.sort_values(["order", "_role", "key"], kind="stable").drop(columns="_role")
    return out.reset_index(drop=True)


def _collapse_groups(rated: pd.DataFrame) -> pd.DataFrame:
    """One row per group of estimators of the same quantity: confirmed only if all confirm."""
    if "group" not in rated.columns:
        return rated
    grouped = rated["group"].notna()
    if not grouped.any():
        return rated
    rows = [rated[~grouped]]
    for _, g in rated[grouped].groupby("group", sort=False):
        v = g["verdict"]
        if (v == "supports").all():
            out = "supports"
        elif (v == "contradicts").any() and not (v == "supports").any():
            out = "contradicts"
        else:
            out = "inconclusive"
        rows.append(g.iloc[[0]].assign(verdict=out))
    return pd.concat(rows)


def _rate(ev: pd.DataFrame) -> tuple[str, str]:
    rated = ev[~ev["verdict"].isin(["missing", "context", "unreachable"])]
    if rated.empty:
        return "not_assessed", STRENGTH_RULES[0][1]
    rated = _collapse_groups(rated)
    by = {role: rated.loc[rated["role"] == role, "verdict"] for role in ("observed", "mechanism", "alternative")}
    mech_sup = int((by["mechanism"] == "supports").sum())
    mech_con = int((by["mechanism"] == "contradicts").sum())
    obs = by["observed"]
    observed_ok = (obs == "supports").any() and not (obs == "contradicts").any()
    if obs.empty:
        observed_ok = mech_sup > 0  # an estimated effect implies the result happened
    alt_sup = int((by["alternative"] == "supports").sum())
    alt_con = int((by["alternative"] == "contradicts").sum())
    if not observed_ok and mech_sup == 0:
        return "not_supported", STRENGTH_RULES[1][1]
    if mech_sup == 0 or mech_con > 0 or not observed_ok:
        return "weak", STRENGTH_RULES[2][1]
    if alt_sup >= 1 and alt_con == 0:
        return "strong", STRENGTH_RULES[3][1]
    return "moderate", STRENGTH_RULES[4][1]


def rate_links(evidence: pd.DataFrame, links: Sequence[Link] = LINKS) -> pd.DataFrame:
    """Strength of each link from its evaluated evidence, by the rules of :data:`STRENGTH_RULES`.

    With ``observed``, ``mechanism`` and ``alternative`` the evidence items of a link that
    were recorded and rated (context items never count):

    * **non évaluée** (``not_assessed``): no rated evidence at all;
    * **non étayée** (``not_supported``): no observed result confirmed (or one contradicted)
      and no mechanism confirmed;
    * **faible** (``weak``): the result is observed but no mechanism item confirms the link,
      or one contradicts it;
    * **forte** (``strong``): observed, mechanism confirmed and not contradicted, at least
      one alternative-explanation test passed and none contradicting (an inconclusive test
      does not block: it is listed among the alternatives left open). Alternative tests are
      built to rule the rival out (equivalence with a margin, reachable permutation rank,
      bound): a non-rejection never passes;
    * **modérée** (``moderate``): observed and mechanism confirmed, but no alternative
      explanation ruled out, or one test contradicting.

    Items of one ``group`` (estimators of the same quantity, e.g. difference in differences
    and synthetic control) count once: confirmed if all recorded ones confirm. Items whose
    test cannot conclude with the data (``unreachable``) are not rated.

    Returns
    -------
    DataFrame
        ``link, order, source, target, claim, strength, strength_label, rule, n_items,
        n_supports, n_contradicts, n_inconclusive, n_unreachable, n_missing``, in link order.

    Examples
    --------
    >>> res = pd.DataFrame({"key": ["counterfactual.did_estimate", "counterfactual.pretrend_p"],
    ...                     "value": [3.5, 0.9], "ci_low": [2.9, None], "ci_high": [4.1, None]})
    >>> rate_links(evaluate_evidence(res)).set_index("link").loc["territory", "strength"]
    'moderate'
    >>> res.loc[2] = ["counterfactual.pretrend_equivalence_p", 0.01, None, None]
    >>> rate_links(evaluate_evidence(res)).set_index("link").loc["territory", "strength"]
    'strong'
    """
    required = {"link", "role", "verdict"}
    if not required <= set(evidence.columns):
        raise ValueError(f"evidence needs the columns {sorted(required)} (see evaluate_evidence)")
    rows = []
    for link in sorted(links, key=lambda x: x.order):
        ev = evidence[evidence["link"] == link.id]
        strength, rule = _rate(ev)
        v = ev["verdict"]
        rows.append({"link": link.id, "order": link.order, "source": link.source, "target": link.target,
                     "claim": link.claim, "strength": strength, "strength_label": STRENGTH_LABELS[strength],
                     "rule": rule, "n_items": int((~v.isin(["missing", "context", "unreachable"])).sum()),
                     "n_supports": int((v == "supports").sum()), "n_contradicts": int((v == "contradicts").sum()),
                     "n_inconclusive": int((v == "inconclusive").sum()),
                     "n_unreachable": int((v == "unreachable").sum()), "n_missing": int((v == "missing").sum())})
    return pd.DataFrame(rows)


def alternatives(evidence: pd.DataFrame,
                 table: Sequence[tuple[str, str, tuple[str, ...]]] = ALTERNATIVES) -> pd.DataFrame:
    """Rival explanations per link and what the evidence says of them.

    ``status``: ``ruled_out`` (every testing item supports the link: the tests listed in
    :data:`ALTERNATIVES` are built to rule the rival out, so a non-rejection never counts),
    ``not_ruled_out`` (one contradicts), ``cannot_conclude`` (every recorded test is unable to
    conclude with these data, e.g. too few placebos for the level), ``uncertain`` (inconclusive
    items), ``untested`` (no key, or none recorded), ``moot`` (the link's mechanism is not
    confirmed — rated weak or not supported —: there is no established effect for the rival
    to explain, so none is shown as ruled out).

    Examples
    --------
    >>> ev = evaluate_evidence(pd.DataFrame({"key": ["counterfactual.placebo_time_p",
    ...     "counterfactual.placebo_time_min_p"], "value": [1 / 6, 1 / 6], "ci_low": None, "ci_high": None}))
    >>> alternatives(ev).set_index("keys").loc["counterfactual.placebo_time_p", "status"]
    'cannot_conclude'


    Returns
    -------
    DataFrame
        ``link, explanation, keys, status, status_label``, in the order of ``table``.
    """
    labels = {"ruled_out": "écartée", "not_ruled_out": "non écartée", "uncertain": "incertaine",
              "cannot_conclude": "ce test ne peut pas conclure avec ces données", "untested": "non testée",
              "moot": "sans objet : aucun effet établi à expliquer"}
    strength = {}
    if {"link", "role", "verdict"} <= set(evidence.columns):
        strength = {link: _rate(evidence[evidence["link"] == link])[0] for link in evidence["link"].unique()}
    by_key = evidence.set_index("key")["verdict"].to_dict() if not evidence.empty else {}
    # a "p_above" item is a guard: a rejection contradicts, a non-rejection says nothing
    guards = set(evidence.loc[evidence["rule"] == "p_above", "key"]) if "rule" in evidence.columns else set()
    rows = []
    for link, text, keys in table:
        verdicts = [by_key[k] for k in keys if by_key.get(k) not in (None, "missing", "context")
                    and not (k in guards and by_key.get(k) == "inconclusive")]
        if keys and strength.get(link) in ("weak", "not_supported"):
            status = "moot"  # the mechanism is not confirmed: there is no effect for a rival to explain
        elif not verdicts:
            status = "untested"
        elif "contradicts" in verdicts:
            status = "not_ruled_out"
        elif all(v == "supports" for v in verdicts):
            status = "ruled_out"
        elif all(v == "unreachable" for v in verdicts):
            status = "cannot_conclude"
        else:
            status = "uncertain"
        rows.append({"link": link, "explanation": text, "keys": ", ".join(keys), "status": status,
                     "status_label": labels[status]})
    return pd.DataFrame(rows, columns=["link", "explanation", "keys", "status", "status_label"])


# --------------------------------------------------------------------------- summary views
def _pick(results: pd.DataFrame, patterns: Sequence[str]) -> pd.DataFrame:
    res = _check(results)
    parts = [_match(res, p) for p in patterns]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return res.iloc[0:0][RESULT_COLUMNS]
    return pd.concat(parts).drop_duplicates("key")[RESULT_COLUMNS]


def headline(results: pd.DataFrame, keys: Sequence[str] = HEADLINE_KEYS) -> pd.DataFrame:
    """The figures of the one-page summary that were recorded, in the order of ``keys``.

    Returns the rows of ``results`` (same columns), never a recomputed value.

    Examples
    --------
    >>> res = pd.DataFrame({"key": ["sroi.ratio", "overview.n_actors"], "value": [1.9, 2951],
    ...                     "ci_low": [1.25, None], "ci_high": [3.1, None]})
    >>> headline(res)["key"].tolist()
    ['overview.n_actors', 'sroi.ratio']
    """
    return _pick(results, keys).reset_index(drop=True)


def five_dimensions(results: pd.DataFrame,
                    dimensions: Sequence[tuple[str, str, str, tuple[str, ...]]] = DIMENSIONS) -> pd.DataFrame:
    """File the recorded results under the five dimensions of impact.

    Returns
    -------
    DataFrame
        ``dimension, dimension_label, question`` then the result columns, one row per
        recorded key (a dimension with no recorded key gets one row with ``key`` missing).
    """
    frames = []
    for dim, label, question, keys in dimensions:
        rows = _pick(results, keys).copy()
        if rows.empty:
            rows = pd.DataFrame({c: [None] for c in RESULT_COLUMNS})
        rows.insert(0, "question", question)
        rows.insert(0, "dimension_label", label)
        rows.insert(0, "dimension", dim)
        frames.append(rows)
    return pd.concat(frames, ignore_index=True)


def coverage(results: pd.DataFrame, expected: Mapping[str, str] = TOPIC_NOTEBOOKS) -> pd.DataFrame:
    """Which notebooks recorded results: ``topic, notebook, n_results, present``.

    ``notebook`` is the notebook that recorded the topic's keys, or the expected one when
    none was recorded (not run, failed before recording, or not applicable).
    """
    res = _check(results)
    topics = res["key"].astype(str).str.split(".").str[0]
    rows = []
    for topic, nb in expected.items():
        hit = res[topics == topic]
        rows.append({"topic": topic, "notebook": hit["notebook"].iloc[0] if len(hit) else nb,
                     "n_results": int(len(hit)), "present": bool(len(hit))})
    return pd.DataFrame(rows, columns=["topic", "notebook", "n_results", "present"])


# --------------------------------------------------------------------------- campaigns
def from_results_json(doc: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """The content of a ``results.json`` (already parsed) as a results table.

    Same columns as :func:`rd_methods.results.collect`, sorted by notebook then key.

    Examples
    --------
    >>> from_results_json({"sroi.ratio": {"value": 1.9, "ci": [1.2, 3.1], "notebook": "60_sroi"}})["ci_high"].item()
    3.1
    """
    rows = []
    for key, r in doc.items():
        ci = r.get("ci") or [None, None]
        rows.append({"key": key, "value": r.get("value"), "label": r.get("label") or key, "unit": r.get("unit"),
                     "ci_low": _num(ci[0]), "ci_high": _num(ci[1]), "note": r.get("note"),
                     "notebook": r.get("notebook")})
    out = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    out["value"] = pd.Series([r["value"] for r in rows], dtype=object)
    return out.sort_values(["notebook", "key"], kind="stable").reset_index(drop=True)


def compare_campaigns(results: Mapping[str, pd.DataFrame], keys: Sequence[str] | None = COMPARISON_KEYS
                      ) -> pd.DataFrame:
    """Key results side by side across campaigns (long format).

    Parameters
    ----------
    results : mapping campaign -> DataFrame
        Recorded results of each campaign (columns of :func:`rd_methods.results.collect`),
        in the order to compare (the first is the reference).
    keys : sequence of str, optional
        Keys (wildcards allowed) to compare; ``None``: every key recorded by all campaigns.

    Returns
    -------
    DataFrame
        ``key, label, unit, notebook, campaign, value, ci_low, ci_high, change, overlap``:
        ``change`` is the difference from the reference campaign (numbers only), ``overlap``
        whether both intervals overlap (``None`` without intervals on both sides).
        Keys recorded by no campaign are dropped; a key missing in one campaign keeps a row
        with ``value`` missing.

    Examples
    --------
    >>> a = pd.DataFrame({"key": ["sroi.ratio"], "value": [1.8], "ci_low": [1.2], "ci_high": [2.9]})
    >>> b = pd.DataFrame({"key": ["sroi.ratio"], "value": [1.9], "ci_low": [1.3], "ci_high": [3.1]})
    >>> compare_campaigns({"a": a, "b": b})["change"].round(2).tolist()
    [0.0, 0.1]
    """
    if not results:
        raise ValueError("compare_campaigns needs at least one campaign")
    checked = {c: _check(r) for c, r in results.items()}
    if keys is None:
        sets = [set(r["key"]) for r in checked.values()]
        keys = sorted(set.intersection(*sets)) if sets else []
    order: list[str] = []
    for r in checked.values():
        for k in _pick(r, keys)["key"]:
            if k not in order:
                order.append(k)
    # reading order: the order of ``keys`` (wildcard matches sorted)
    rank = {}
    for i, pat in enumerate(keys):
        for k in order:
            if k not in rank and fnmatch.fnmatchcase(k, pat):
                rank[k] = i
    order.sort(key=lambda k: (rank.get(k, len(keys)), k))
    ref = next(iter(checked))
    rows = []
    for k in order:
        recs = {c: r[r["key"] == k] for c, r in checked.items()}
        present = [rec.iloc[0] for rec in recs.values() if len(rec)]
        last = present[-1]
        label = last["label"]
        if len({str(p["label"]) for p in present}) > 1:  # e.g. "Sociétaires fin 2024" / "… fin 2025"
            label = re.sub(r"\s*(?:fin |en |\()?(?:19|20)\d\d\)?", " (dernière année)", str(label), count=1)
        ref_row = recs[ref].iloc[0] if len(recs[ref]) else None
        ref_v = _num(ref_row["value"]) if ref_row is not None and not isinstance(ref_row["value"], bool) else None
        ref_ci = (_num(ref_row["ci_low"]), _num(ref_row["ci_high"])) if ref_row is not None else (None, None)
        for c, rec in recs.items():
            row = rec.iloc[0] if len(rec) else None
            value = row["value"] if row is not None else None
            lo = _num(row["ci_low"]) if row is not None else None
            hi = _num(row["ci_high"]) if row is not None else None
            v = None if isinstance(value, bool) else _num(value)
            change = v - ref_v if v is not None and ref_v is not None else None
            overlap = None
            if None not in (lo, hi, *ref_ci):
                overlap = bool(lo <= ref_ci[1] and ref_ci[0] <= hi)
            rows.append({"key": k, "label": label, "unit": last["unit"], "notebook": last["notebook"],
                         "campaign": c, "value": value, "ci_low": lo, "ci_high": hi, "change": change,
                         "overlap": overlap})
    cols = ["key", "label", "unit", "notebook", "campaign", "value", "ci_low", "ci_high", "change", "overlap"]
    out = pd.DataFrame(rows, columns=cols)
    out["value"] = pd.Series([r["value"] for r in rows], dtype=object)
    out["overlap"] = pd.Series([r["overlap"] for r in rows], dtype=object)
    return out


# --------------------------------------------------------------------------- page text and key results
def value_text(value: Any, unit: Any = None, low: Any = None, high: Any = None, band: bool = False) -> str:
    """A recorded value for a page: ``'2,5 € [1,8 ; 3,1]'`` (no parentheses).

    Numbers the French way (:mod:`rd_methods.formats`), « — » for a missing value, « oui » /
    « non » for booleans; the interval in brackets when it has both bounds, with the value's
    number of decimals; ``band=True`` names it a reference band (« référence »), not an interval.

    >>> value_text(2.5, "€", 1.8, 3.1)
    '2,5\\xa0€ [1,8\\xa0; 3,1]'
    >>> value_text(0.099, None, 0.1, 0.116, band=True)
    '0,099, référence [0,100\\xa0; 0,116]'
    >>> value_text(None), value_text(True), value_text("moderate")
    ('—', 'oui', 'moderate')
    """
    from rd_methods.formats import format_interval, format_number

    decimals = None
    if isinstance(value, bool):
        text = "oui" if value else "non"
    elif value is None or isinstance(value, (int, float)):
        text = format_number(value)
        decimals = len(text.split(",")[1]) if "," in text else None
    else:
        text = str(value)
    if isinstance(unit, str) and unit and text != "—":
        text += f"\u00a0{unit}"
    if _num(low) is not None and _num(high) is not None:
        interval = format_interval(_num(low), _num(high), decimals=decimals)
        text += f", référence {interval}" if band else f" {interval}"
    return text


def _count(n: int, one: str, many: str, none: str) -> str:
    """« aucun … » at 0, « 1 … » at 1, « n … » above (French plural rule)."""
    from rd_methods.formats import format_number

    if n == 0:
        return none
    return f"{format_number(n)} {one if n < 2 else many}"


def link_sentence(link: Mapping[str, Any] | Any) -> str:
    """The verdict count of one rated link, read right at 0 and 1.

    >>> link_sentence({"n_items": 7, "n_supports": 7, "n_contradicts": 0, "n_inconclusive": 0, "n_unreachable": 1})
    'Sur 7 résultats notés, 7 confirment le maillon et aucun ne le contredit ; 1 test ne peut pas conclure avec les données disponibles.'
    >>> link_sentence({"n_items": 1, "n_supports": 0, "n_contradicts": 1, "n_inconclusive": 0, "n_unreachable": 0})
    'Sur 1 résultat noté, aucun ne confirme le maillon et 1 le contredit.'
    """
    get = link.get if isinstance(link, Mapping) else (lambda k: getattr(link, k))
    n, sup, con, inc, unr = (int(get(k)) for k in ("n_items", "n_supports", "n_contradicts", "n_inconclusive",
                                                    "n_unreachable"))
    from rd_methods.formats import plural

    parts = [_count(sup, "confirme le maillon", "confirment le maillon", "aucun ne confirme le maillon"),
             _count(con, "le contredit", "le contredisent", "aucun ne le contredit")]
    if inc:
        parts.append(_count(inc, "n'est pas concluant", "ne sont pas concluants", ""))
    text = f"Sur {plural(n, 'résultat noté', 'résultats notés')}, " + ", ".join(parts[:-1]) + f" et {parts[-1]}"
    if unr:
        text += f" ; {_count(unr, 'test ne peut', 'tests ne peuvent', '')} pas conclure avec les données disponibles"
    return text + "."


def verdict_text(row: Mapping[str, Any]) -> str:
    """The verdict of one evidence row in French; a test that cannot conclude says why.

    >>> verdict_text({"verdict": "unreachable", "min_p": 1 / 6, "key": "counterfactual.placebo_time_p",
    ...               "threshold": 0.1})
    'ce test ne peut pas conclure avec 5 années placebo : sa plus petite p-valeur possible, 0,167, dépasse le seuil de 0,1'
    """
    from rd_methods.formats import format_number

    if row["verdict"] != "unreachable":
        return VERDICT_LABELS[row["verdict"]]
    min_p = _num(row.get("min_p"))
    if min_p is not None and min_p > 0:
        n = int(round(1 / min_p - 1))
        what = ("année placebo" if n < 2 else "années placebo") if "time" in str(row["key"]) else \
            ("placebo" if n < 2 else "placebos")
        return (f"ce test ne peut pas conclure avec {format_number(n)} {what} : sa plus petite p-valeur possible, "
                f"{format_number(min_p, 3)}, dépasse le seuil de {format_number(row['threshold'])}")
    return "ce test ne peut pas conclure avec ces données, faute d'élément comparable"


def alternatives_sentence(rivals: pd.DataFrame) -> str:
    """How many rival explanations are ruled out, left open, moot, read right at 0 and 1.

    >>> r = pd.DataFrame({"status": ["ruled_out", "untested", "untested"]})
    >>> alternatives_sentence(r)
    '1 explication est écartée par un test construit pour cela ; 2 restent ouvertes.'
    >>> alternatives_sentence(pd.DataFrame({"status": ["untested"]}))
    'Aucune explication n’est écartée par un test construit pour cela ; 1 reste ouverte.'
    """
    n_out = int((rivals["status"] == "ruled_out").sum())
    n_open = int(rivals["status"].isin(["untested", "uncertain", "not_ruled_out", "cannot_conclude"]).sum())
    n_moot = int((rivals["status"] == "moot").sum())
    text = (_count(n_out, "explication est écartée", "explications sont écartées", "Aucune explication n’est écartée")
            + " par un test construit pour cela ; "
            + _count(n_open, "reste ouverte", "restent ouvertes", "aucune ne reste ouverte"))
    if n_moot:
        text += f" ; {_count(n_moot, 'est sans objet', 'sont sans objet', '')} faute d'effet établi"
    return text + "."


def key_results(results: pd.DataFrame, links: pd.DataFrame | None = None, rivals: pd.DataFrame | None = None,
                coverage_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The synthesis page's own key results: each link's strength and the counts behind them.

    ``synthesis.link_<id>`` (strength code), ``synthesis.n_results_used``,
    ``n_links_assessed``, ``n_links_strong``, ``n_alternatives_ruled_out`` and
    ``n_notebooks_missing``. ``links``, ``rivals`` and ``coverage_table`` are computed from
    ``results`` when not given (:func:`rate_links`, :func:`alternatives`, :func:`coverage`).

    >>> res = pd.DataFrame({"key": ["counterfactual.did_estimate"], "value": [3.5], "ci_low": [2.9],
    ...                     "ci_high": [4.1], "notebook": ["50_territorial_effects"]})
    >>> k = key_results(res).set_index("key")
    >>> k.loc["synthesis.link_territory", "value"], int(k.loc["synthesis.n_results_used", "value"])
    ('moderate', 1)
    """
    if links is None or rivals is None:
        evidence = evaluate_evidence(results)
        links = rate_links(evidence) if links is None else links
        rivals = alternatives(evidence) if rivals is None else rivals
    cov = coverage(results) if coverage_table is None else coverage_table
    n_assessed = int((links["strength"] != "not_assessed").sum())
    n_strong = int((links["strength"] == "strong").sum())
    n_out = int((rivals["status"] == "ruled_out").sum())
    n_missing = int((~cov["present"]).sum())
    n_res = int(len(results))

    def unit(n: int, one: str, many: str) -> str:
        return one if n < 2 else many

    rows = [(f"synthesis.link_{r.link}", r.strength, f"Solidité du maillon {r.source} → {r.target}", None,
             f"{r.strength_label} ; codes possibles : strong, moderate, weak, not_supported, not_assessed")
            for r in links.itertuples()]
    rows += [
        ("synthesis.n_results_used", n_res, "Résultats rassemblés par la synthèse", unit(n_res, "résultat", "résultats"),
         None),
        ("synthesis.n_links_assessed", n_assessed, "Maillons de la chaîne évalués",
         unit(n_assessed, "maillon", "maillons"), None),
        ("synthesis.n_links_strong", n_strong, "Maillons à la contribution fortement étayée",
         unit(n_strong, "maillon", "maillons"), None),
        ("synthesis.n_alternatives_ruled_out", n_out, "Explications concurrentes écartées",
         unit(n_out, "explication", "explications"), None),
        ("synthesis.n_notebooks_missing", n_missing, "Analyses sans résultat enregistré",
         unit(n_missing, "analyse", "analyses"), None),
    ]
    out = pd.DataFrame(rows, columns=["key", "value", "label", "unit", "note"])
    out["value"] = pd.Series([r[1] for r in rows], dtype=object)  # an integer count stays an integer
    return out


def comparison_key_results(comparison: pd.DataFrame, n_campaigns: int) -> pd.DataFrame:
    """The comparison page's key results: campaigns compared, keys compared, disjoint intervals.

    ``comparison`` is :func:`compare_campaigns`'s table; the counts are read on the last
    campaign's rows (its change from the first).

    >>> a = pd.DataFrame({"key": ["sroi.ratio"], "value": [1.8], "ci_low": [1.2], "ci_high": [1.5]})
    >>> b = pd.DataFrame({"key": ["sroi.ratio"], "value": [1.9], "ci_low": [1.6], "ci_high": [3.1]})
    >>> comparison_key_results(compare_campaigns({"a": a, "b": b}), 2)["value"].tolist()
    [2, 1, 1]
    """
    last = comparison[comparison["campaign"] == comparison["campaign"].iloc[-1]] if len(comparison) else comparison
    compared = last[last["value"].notna()]
    distinct = last[last["overlap"] == False]  # noqa: E712 - object column holding True/False/None
    rows = [("comparison.n_campaigns", int(n_campaigns), "Campagnes comparées",
             "campagne" if n_campaigns < 2 else "campagnes"),
            ("comparison.n_keys_compared", int(compared["key"].nunique()), "Résultats clés comparés", None),
            ("comparison.n_distinct_intervals", int(len(distinct)),
             "Résultats dont les intervalles ne se chevauchent pas", None)]
    out = pd.DataFrame(rows, columns=["key", "value", "label", "unit"])
    out["value"] = pd.Series([r[1] for r in rows], dtype=object)  # an integer count stays an integer
    return out


def evidence_table(evidence: pd.DataFrame) -> pd.DataFrame:
    """The rated evidence of one link as French text, one row per recorded result.

    Columns ``label, value, role, claim, rule, verdict, notebook`` (missing items left out),
    ready for :func:`rd_methods.formats.table`.
    """
    ev = evidence[(evidence["verdict"] != "missing") & evidence["label"].notna()]
    return pd.DataFrame({
        "label": ev["label"].to_numpy(),
        "value": [value_text(r["value"], r["unit"], r["ci_low"], r["ci_high"], band=r["rule"] == "beyond_baseline")
                  for _, r in ev.iterrows()],
        "role": ev["role"].map(ROLE_LABELS).to_numpy(),
        "claim": ev["claim"].fillna("—").to_numpy(),
        "rule": [rule_text(r["rule"], r["threshold"]) for _, r in ev.iterrows()],
        "verdict": [verdict_text(r) for _, r in ev.iterrows()],
        "notebook": ev["notebook"].to_numpy(),
    })


def is_reference_band(key: str) -> bool:
    """True when a key's recorded interval is a reference band (a null model's range), not an
    interval around the value: it is then shown as « référence », never « intervalle ».

    >>> is_reference_band("network.dependence_giant_share_drop"), is_reference_band("sroi.ratio")
    (True, False)
    """
    return any(e.rule == "beyond_baseline" and fnmatch.fnmatchcase(str(key), e.key) for e in EVIDENCE)
