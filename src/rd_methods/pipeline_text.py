"""French sentences of the pipeline page (``30_rd_pipeline``), written from :func:`rd_methods.pipeline.analyse`.

The narrative follows the numbers: each function reads a :class:`~rd_methods.pipeline.PipelineAnalysis`
and returns Markdown whose counts read right at 0, 1 and more (:func:`rd_methods.formats.count_text`),
with French numbers, percentages and intervals « [a ; b] ». No computation happens here beyond
choosing words; the figures come from :mod:`rd_methods.pipeline`.
"""

from __future__ import annotations

import math

import pandas as pd

from rd_methods import plots
from rd_methods.formats import (
    count_text,
    format_interval,
    format_number,
    format_p,
    format_pct,
    plural,
    table,
)
from rd_methods.pipeline import PipelineAnalysis

__all__ = ["CHECK_LABELS", "level", "checks_table", "funnel", "cohorts", "incidence", "logrank", "model_caution", "diversity"]

#: French names of the rules of :func:`rd_methods.pipeline.history_checks`.
CHECK_LABELS = {
    "unknown_stage": "Étape inconnue", "missing_date": "Date manquante", "duplicate_stage": "Étape en double",
    "unknown_project": "Projet inconnu", "no_stages": "Projet sans étape", "before_creation": "Étape avant la création du projet",
    "backwards": "Dates à rebours", "skipped_stage": "Étape sautée", "after_abandonment": "Étape après l'abandon",
    "long_gap": "Écart trop long entre deux étapes",
}


def level(p: PipelineAnalysis) -> str:
    """Confidence level of the intervals, « 95 % »."""
    return format_pct(1 - p.alpha)


def _pct_interval(low, high) -> str:
    return format_interval(low, high, format_pct)


def checks_table(checks: pd.DataFrame, titles: pd.Series):
    """Problems found in the stage histories by rule, with up to three project titles (never ids)."""
    summary = (checks.assign(rule=checks["rule"].map(CHECK_LABELS).fillna("Autre contrôle"),
                             title=checks["project_id"].map(titles).fillna("projet sans titre"))
               .groupby("rule").agg(n=("project_id", "size"), examples=("title", lambda s: " ; ".join(sorted(s.unique())[:3])))
               .reset_index().sort_values("n", ascending=False))
    return table(summary, {"rule": "Contrôle", "n": "Nombre", "examples": "Projets, exemples"})


def funnel(p: PipelineAnalysis) -> str:
    """The funnel in words: ideas, launches with their interval, the most selective step, abandoned and pending."""
    status = p.status.set_index("status")["n"]
    launched = p.funnel.set_index("stage").loc["launched"]
    conv = p.funnel[p.funnel["stage"] != "idea"].dropna(subset=["conversion_resolved"])
    text = (f"Sur **{plural(status['ideas'], 'idée')}** recueillies, **{count_text(status['launched'], 'a abouti', 'ont abouti', zero='aucune n’a abouti')}** "
            f"à un lancement, soit {format_pct(launched['share_of_ideas'])}, intervalle à {level(p)} : "
            f"{_pct_interval(launched['share_ci_low'], launched['share_ci_high'])}. ")
    if len(conv):
        weakest = conv.loc[conv["conversion_resolved"].idxmin()]
        text += (f"Le passage le plus sélectif est celui vers l'étape « {plots.label('stage', weakest['stage']).lower()} » : "
                 f"{format_pct(weakest['conversion_resolved'])} des projets de l'étape précédente dont le devenir est connu, intervalle "
                 f"{_pct_interval(weakest['resolved_ci_low'], weakest['resolved_ci_high'])}. ")
    n_abandoned = int(status["stopped_after_launch"] + status["abandoned_before_launch"])
    text += (f"À la fin de la période, {count_text(n_abandoned, 'projet a été abandonné', 'projets ont été abandonnés', zero='aucun projet n’a été abandonné')}"
             + (f", dont {count_text(status['stopped_after_launch'], 'après', 'après', zero='aucun')} le lancement" if n_abandoned else "")
             + f", et {count_text(status['ongoing'], 'est', 'sont', zero='aucun n’est')} encore en cours à une étape intermédiaire"
             + (" : une partie d'entre eux progressera encore. " if status["ongoing"] else ". ")
             + "C'est pourquoi les taux de passage sont calculés sur les projets dont le devenir est connu, passés à l'étape suivante "
             "ou abandonnés, ce qui suppose que le temps passé à une étape ne dépend pas de l'issue.")
    return text


def cohorts(p: PipelineAnalysis, recent_years: int = 3) -> str:
    """Launch rate of the ideas captured up to ``last_year − recent_years`` against the recent ones, and how to read the gap."""
    ideas = p.cohorts[p.cohorts["stage"] == "idea"].set_index("cohort")["n_reached"]
    launched = p.cohorts[p.cohorts["stage"] == "launched"].set_index("cohort")["n_reached"]
    cut = p.last_year - recent_years
    early, recent = ideas[ideas.index <= cut].sum(), ideas[ideas.index > cut].sum()
    if not early or not recent:
        return ("Toutes les idées ont été recueillies pendant les trois dernières années : la comparaison des cohortes attend "
                "des années d'observation de plus." if not early else
                "Aucune idée n'a été recueillie pendant les trois dernières années.")
    rate_early = launched[launched.index <= cut].sum() / early
    rate_recent = launched[launched.index > cut].sum() / recent
    text = (f"Les idées recueillies jusqu'en {cut}, au nombre de {format_number(int(early))}, ont été lancées dans "
            f"{format_pct(rate_early)} des cas ; celles des {recent_years} dernières années, au nombre de {format_number(int(recent))}, "
            f"dans {format_pct(rate_recent)} des cas. ")
    return text + ("L'écart reflète d'abord le temps : une idée récente n'a pas encore eu le temps de parcourir les étapes. La "
                   "comparaison des cohortes se lit donc avec les courbes de durée ci-dessous." if rate_recent < rate_early else
                   "Les idées récentes progressent au moins aussi vite que les anciennes, alors qu'elles ont eu moins de temps : le "
                   "processus semble s'être accéléré.")


def incidence(p: PipelineAnalysis) -> str:
    """Aalen–Johansen shares launched, abandoned and pending at the horizon; naive 1 − KM; median delay."""
    end, ci, s, naive = p.cif_end, p.cif_ci_row, p.km.summary.iloc[0], p.km_naive.summary.iloc[0]
    pending = max(1 - end["cif_launched"] - end["cif_abandoned"], 0)
    text = (f"Selon l'incidence cumulée d'Aalen–Johansen, **{format_pct(end['cif_launched'])}** des idées sont lancées dans les "
            f"{plural(p.horizon_years, 'an', decimals=1)} qui suivent leur recueil, intervalle {_pct_interval(ci['ci_low'], ci['ci_high'])} ; "
            f"{format_pct(end['cif_abandoned'])} sont abandonnées avant, intervalle {_pct_interval(ci['ci_low_abandoned'], ci['ci_high_abandoned'])}, "
            f"et {format_pct(pending)} restent en cours" + (" : au-delà de ce délai, plus aucune idée n'est encore en suivi. " if pending < 0.005 else ". "))
    if ci["time"] != end["time"]:
        text += f"Les intervalles sont ceux du dernier temps où ils sont définis, {plural(ci['time'] / 365.25, 'an', decimals=1)}. "
    text += (f"Traiter l'abandon comme une simple censure, par 1 − Kaplan–Meier, donnerait {format_pct(naive['share_reached'])} : "
             + ("une surestimation, parce que cette méthode imagine que les projets abandonnés auraient pu être lancés. "
                if naive["share_reached"] > end["cif_launched"] + 0.005 else "un chiffre voisin ici. "))
    if s["events"] > 0:
        events = int(s["events"])
        text += (("Pour le seul projet effectivement lancé" if events == 1 else f"Pour les {plural(events, 'projet')} effectivement lancés")
                 + f", le délai médian entre l'idée et le lancement est de **{plural(s['median_if_reached'], 'jour')}**, environ "
                 f"{plural(round(s['median_if_reached'] / 30.44), 'mois', 'mois')}, intervalle "
                 f"{format_interval(s['median_if_reached_ci_low'], s['median_if_reached_ci_high'])} en jours. Ce délai ne concerne que les "
                 "projets lancés avant la fin de la période : les lancements lents des idées récentes n'y figurent pas encore.")
    return text


def logrank(p: PipelineAnalysis) -> str:
    """The log-rank test between needs, read as absence of evidence when it does not reject."""
    if p.by_need is None or p.by_need.logrank is None:
        return "Le test du log-rank entre besoins n'a pas pu être calculé : les groupes sont trop petits."
    lr = p.by_need.logrank.iloc[0]
    return (f"Test du log-rank entre besoins : khi-deux = {format_number(lr['statistic'], 1)}, {plural(int(lr['df']), 'degré')} "
            f"de liberté, p = {format_p(lr['p_value'])} : "
            + ("les rythmes de lancement diffèrent nettement selon le besoin." if lr["p_value"] < p.alpha else
               "les écarts entre besoins restent compatibles avec le hasard ; c'est une absence de preuve d'un écart, pas une "
               "preuve d'égalité."))


def model_caution(p: PipelineAnalysis) -> str:
    """How far the launch model can be trusted (events per term; Firth), and when its covariates are measured."""
    if p.model is None:
        return f"Le modèle n'a pas pu être estimé : {p.model_error}."
    m = p.model.table.iloc[0]
    events, n, terms = int(m["events"]), int(m["n"]), int(m["n_terms"])
    rarer = min(events, n - events)
    if p.model.warning:
        what = count_text(rarer, "lancement", "lancements") if events <= n - events else count_text(rarer, "projet non lancé", "projets non lancés")
        text = (f"**Prudence : {what}, l'issue la plus rare, pour {plural(terms, 'terme')} du modèle, soit "
                f"{format_number(m['events_per_term'], 1)} par terme, moins que les 10 usuellement requis.** La régression logistique "
                "est donc estimée par la vraisemblance pénalisée de Firth, qui réduit le biais sans supprimer l'incertitude : les "
                "rapports ci-dessous restent instables et leurs intervalles larges ; ils indiquent des pistes, pas des preuves.")
    else:
        text = (f"Le modèle repose sur {plural(events, 'lancement')} parmi {plural(n, 'projet')} pour {plural(terms, 'terme')}, soit "
                f"{format_number(m['events_per_term'], 1)} observations de l'issue la plus rare par terme : assez pour des "
                "estimations stables.")
    return text + (" Les partenaires et ateliers comptés sont ceux de l'année où l'idée a été recueillie, et pour les ateliers "
                   "jusqu'à cette date : rien de ce qui suit n'entre dans le modèle.")


def diversity(p: PipelineAnalysis, truth: dict | None = None) -> str:
    """The partner-diversity odds ratio after incubation, its reading, and, on demo data, the planted value.

    ``truth`` is the ``pipeline.diversity_effect`` entry of a demo campaign's ground truth.
    """
    if p.diversity is None:
        return f"Le modèle après incubation n'a pas pu être estimé : {p.diversity_error}." if p.diversity_error else ""
    div = p.diversity.table.set_index("term").loc["n_partner_categories"]
    n, events = int(div["n"]), int(div["events"])
    significant = div["ci_low"] > 1 or div["ci_high"] < 1
    two = lambda v: format_number(v, 2)  # noqa: E731
    text = (f"Sur {plural(n, 'projet')} arrivés en incubation et dont l'issue est connue, dont "
            f"{count_text(events, 'lancé', 'lancés', zero='aucun lancé')}, chaque catégorie de partenaires supplémentaire, comptée à "
            f"l'entrée en incubation, multiplie la cote d'un lancement par **{two(div['ratio'])}**, intervalle "
            f"{format_interval(div['ci_low'], div['ci_high'], two)}"
            + (" ; régression de Firth, intervalle de vraisemblance profilée. " if div["model"] == "firth_logit" else ". "))
    text += ((f"Les projets aux partenaires plus divers sont {'plus' if div['ratio'] > 1 else 'moins'} souvent lancés ; "
              "l'intervalle exclut l'absence de lien.") if significant else
             "L'intervalle inclut l'absence de lien, un rapport de 1 : les données ne permettent pas de conclure, ce qui n'est "
             "pas la preuve d'une absence de lien, car l'intervalle est aussi compatible avec un lien fort.")
    if p.diversity.warning:
        text += (f" **Prudence :** l'issue la plus rare ne compte que {plural(min(events, n - events), 'projet')} pour "
                 f"{plural(int(div['n_terms']), 'terme')}, soit {format_number(div['events_per_term'], 1)} par terme, moins de 10 : "
                 "estimation fragile.")
    if truth:
        planted = math.exp(truth.get("log_odds_per_unit", 0.0))
        text += (f" *Données synthétiques :* le générateur a planté un rapport de cotes de {two(planted)} par catégorie. "
                 + ("Il est dans l'intervalle" if div["ci_low"] <= planted <= div["ci_high"] else "Il est hors de l'intervalle")
                 + (", mais avec si peu de projets l'effet planté n'est pas retrouvé de façon concluante : c'est un manque de "
                    "puissance à cette échelle, que les tests du projet vérifient sur des campagnes dix fois plus grandes."
                    if not significant and truth.get("enabled") else "."))
    return text
