"""French sentences of the value-chain page (``10_value_chain``), written from :func:`rd_methods.value_chain.analyse`.

The narrative follows the numbers: each function reads a :class:`~rd_methods.value_chain.ValueChainAnalysis`
and returns Markdown whose counts read right at 0, 1 and more (:func:`rd_methods.formats.count_text`),
with French numbers, euros and percentages. Counts of people below ``min_cell`` read « moins de 5 ».
"""

from __future__ import annotations

import pandas as pd

from rd_methods import disclosure, plots
from rd_methods.formats import count_text, format_eur, format_number, format_pct, join_words, plural
from rd_methods.value_chain import ValueChainAnalysis

__all__ = ["leverage", "co_construction", "support", "value_created", "jobs", "regeneration"]


def leverage(a: ValueChainAnalysis) -> str:
    """Overall leverage, its spread over projects, projects without one, and its path over the years."""
    overall = a.overall
    lev = overall["leverage"]
    per_project = a.leverage[a.leverage["scope"] == "project"]
    with_lev = per_project["leverage"].dropna()
    text = (f"Pour **1 € apporté par la structure**, les autres acteurs ont apporté **{format_eur(lev, 2)}** sur l'ensemble "
            f"de la période : {format_eur(overall['others_eur'])} pour {format_eur(overall['organisation_eur'])}. " if lev == lev else
            "L'effet levier global n'est pas défini : la structure n'a aucun apport valorisé. ")
    if len(with_lev):
        q1, med, q3 = with_lev.quantile([0.25, 0.5, 0.75])
        text += (f"Sur {plural(len(with_lev), 'projet')}, l'effet levier médian est de {format_eur(med, 2)}"
                 + (f" ; la moitié des projets se situe entre {format_eur(q1, 2)} et {format_eur(q3, 2)}" if len(with_lev) > 1 else "")
                 + (". Il est très dispersé : certains projets reposent surtout sur le temps de la structure, d'autres sur "
                    "d'importants apports de partenaires. " if q1 > 0 and q3 / q1 > 3 else ". "))
    n_nan = int(per_project["leverage"].isna().sum())
    if n_nan:
        text += f"{count_text(n_nan, 'projet n’a', 'projets n’ont')} pas d'effet levier faute d'apport valorisé de la structure. "
    ok = a.leverage_by_year.dropna(subset=["leverage"])
    if len(ok) >= 2:
        (y0, l0), (y1, l1) = ok[["year", "leverage"]].iloc[[0, -1]].itertuples(index=False)
        text += (f"D'une année à l'autre, il passe de {format_eur(l0, 2)} en {y0} à {format_eur(l1, 2)} en {y1}, "
                 f"{'en hausse' if l1 > l0 else 'en baisse' if l1 < l0 else 'stable'}.")
    return text


def co_construction(a: ValueChainAnalysis) -> str:
    """Median partners, categories, diversity and concentration of a project (the structure excluded)."""
    med = a.co_construction[["n_actors", "n_categories", "shannon", "simpson", "herfindahl"]].median()
    return (f"Hors structure, un projet réunit en médiane **{plural(med['n_actors'], 'partenaire')}** de "
            f"**{plural(med['n_categories'], 'catégorie')}** ; l'indice de Shannon médian vaut {format_number(med['shannon'], 2)} "
            f"et celui de Gini–Simpson {format_number(med['simpson'], 2)}. La concentration médiane des euros apportés par ces "
            f"partenaires, mesurée par l'indice de Herfindahl, est de {format_number(med['herfindahl'], 2)} : "
            + ("les euros d'un projet viennent souvent d'un financeur principal." if med["herfindahl"] > 0.5
               else "les euros d'un projet sont répartis entre plusieurs acteurs."))


def support(a: ValueChainAnalysis, period: tuple[int, int]) -> str:
    """Support share in cost and hours, overall, for the structure's own activities and for projects."""
    one = a.support[a.support["scope"].isin(["overall", "structure", "projects"])].set_index("scope")
    share = lambda scope, col: format_pct(one[col].get(scope))  # noqa: E731
    return (f"Les fonctions support représentent **{share('overall', 'share_cost')} du coût** des activités de la structure et "
            f"{share('overall', 'share_hours')} de ses heures de travail sur {period[0]}–{period[1]} ; {share('structure', 'share_cost')} "
            f"du coût de ses activités propres, hors projets, et {share('projects', 'share_cost')} du coût des activités rattachées "
            "à un projet.")


def value_created(a: ValueChainAnalysis, outcomes: pd.DataFrame) -> str:
    """How many values and indicators, which crossings they cover, and their evidence levels."""
    ev = outcomes["evidence"].value_counts(normalize=True)
    covered = int((a.created.grid["n_records"] > 0).sum())
    types = sorted({plots.label("value_type", t).lower() for t in outcomes["value_type"].dropna().unique()})
    return (f"La table des résultats compte {plural(len(outcomes), 'valeur')} de {plural(outcomes['indicator'].nunique(), 'indicateur')}, "
            f"qui couvrent {covered} des {len(a.created.grid)} croisements partie prenante × type de valeur ; les types de valeur "
            f"présents sont : {join_words(types)}. Niveau de preuve : {format_pct(ev.get('measured', 0))} des valeurs sont mesurées, "
            f"{format_pct(ev.get('declared', 0))} déclarées et {format_pct(ev.get('estimated', 0))} estimées.")


def jobs(a: ValueChainAnalysis, min_cell: int) -> str:
    """Jobs of the last year: FTE, people and people in integration (small counts suppressed)."""
    last = a.jobs_last_year()
    if last["n_projects"]:
        people = disclosure.suppress_small(pd.DataFrame({"h": [last["headcount"]], "i": [last["insertion_headcount"]]}), ["h", "i"],
                                           min_cell=min_cell).iloc[0]
        h = plural(people["h"], "personne") if people["h"] == people["h"] else f"moins de {min_cell} personnes"
        i = format_number(people["i"]) if people["i"] == people["i"] else f"moins de {min_cell}"
        return (f"En {a.last_year}, les activités issues de {plural(last['n_projects'], 'projet')} emploient "
                f"**{plural(last['fte'], 'équivalent temps plein', 'équivalents temps plein', decimals=1)}**, soit {h}, "
                f"dont {i} en contrat d'insertion. ")
    jy = a.created.jobs_by_year
    return (f"Aucun emploi n'est renseigné pour {a.last_year} ; la dernière année renseignée, {int(jy['year'].iloc[-1])}, compte "
            f"{plural(jy['fte'].iloc[-1], 'équivalent temps plein', 'équivalents temps plein', decimals=1)}. ")


def regeneration(a: ValueChainAnalysis) -> str:
    """Actors who took part before contributing: how many, their share of contributors, lag, same project, euros."""
    regen = a.regeneration
    if regen is None or not len(regen):
        return "Aucun acteur n'a d'abord participé à un événement puis apporté des ressources une année ultérieure."
    contributors = a.n_contributing_actors - int(a.organisation in set(a.valued["actor_id"]))
    text = (f"**{count_text(len(regen), 'acteur a', 'acteurs ont')}** d'abord participé à un événement de la structure avant "
            f"d'apporter des ressources à un projet une année ultérieure, soit {format_pct(len(regen) / contributors if contributors else None)} "
            f"des acteurs contributeurs hors structure. Le délai médian est de {plural(float(regen['lag_years'].median()), 'an')}. ")
    if regen["same_project"].any():
        text += (f"{format_pct(regen['same_project'].mean())} d'entre eux ont d'abord contribué à un projet dont ils avaient suivi "
                 "un événement. ")
    else:
        text += ("Aucun n'a d'abord contribué à un projet dont il avait suivi un événement : ils sont venus par d'autres projets "
                 "ou par les événements généraux. ")
    return text + f"Ensemble, ils ont apporté {format_eur(regen['value_eur'].sum())}."
