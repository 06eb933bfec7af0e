"""French sentences of the SROI page (notebook 60) that depend on the numbers.

Written from an :class:`rd_methods.sroi.SROIResult` and the campaign's tables, through
:mod:`rd_methods.formats` (French numbers, real plural forms), so that the notebook keeps the
story and the calls, and a rerun on other data cannot leave a false sentence behind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from rd_methods import formats as fr

__all__ = ["coverage_markdown", "limits_markdown"]


def coverage_markdown(res, groups: Sequence[str], input_groups: Sequence[str], group_names: Mapping[str, str],
                      contributions: pd.DataFrame | None = None, monetisation=None) -> str:
    """What the ratio covers: period, stakeholders whose value is counted, inputs, what is left out.

    ``contributions`` (with the campaign's ``monetisation`` settings) reconciles the SROI inputs
    with the valued contributions of the value chain; ``None`` says that it cannot be checked.
    """
    lines = [
        "- **Période** : ressources et cohortes de résultats "
        + (f"de **{res.period[0]} à {res.period[1]}** ; tout est actualisé à {res.base_year}. Les résultats d'une "
           f"cohorte durent jusqu'à {int(res.by_year['calendar_year'].max())}, selon les durées de la carte d'impact, "
           "au-delà de la période." if res.period else
           "d'une période **non précisée**, les tables n'étant pas datées ; tout est actualisé à l'année de "
           "l'investissement."),
        f"- **Parties prenantes dont la valeur est comptée**, {len(groups)} : {', '.join(group_names[g] for g in groups)}.",
        f"- **Ressources comptées** : {fr.format_eur(res.undiscounted_inputs)} avant actualisation, "
        f"{fr.format_eur(res.total_inputs)} actualisés, apportées par {', '.join(group_names[g] for g in input_groups)}.",
    ]
    if contributions is not None:
        from rd_methods.value_chain import monetise

        mon = monetise(contributions, monetisation)
        valued = float(mon.loc[mon["valued"], "value_eur"].sum())
        gap = res.undiscounted_inputs - valued
        n_unvalued = int((~mon["valued"]).sum())
        lines.append(
            f"- **Rapprochement avec la chaîne de valeur** : les contributions valorisées totalisent "
            f"{fr.format_eur(valued)} ; "
            + ("les ressources du SROI en sont la somme exacte." if abs(gap) < 1
               else f"l'écart avec les ressources du SROI est de {fr.format_eur(gap)}, à expliquer."))
        lines.append(
            f"- **Ressources laissées de côté** : {fr.plural(n_unvalued, 'contribution non valorisable', 'contributions non valorisables')}, "
            "mises en relation ou équipements prêtés sans valeur déclarée, ne sont pas comptées : le ratio les traite "
            "comme gratuites, ce qui le flatte un peu." if n_unvalued else
            "- **Ressources laissées de côté** : aucune, toutes les contributions de la table sont valorisées.")
    else:
        lines.append("- **Ressources laissées de côté** : la table des contributions est absente ; rien ne permet de "
                     "vérifier que toutes les ressources de la période sont comptées.")
    lines.append("- **Valeur laissée de côté** : ce qui ne se monétise pas (liens, confiance, coopération, conventions "
                 "signées, besoins identifiés) n'entre pas dans le ratio ; les autres pages le documentent.")
    return "\n".join(lines)


def limits_markdown(res, res_other_rate, rate: float, other_rate: float, interval: tuple[float, float],
                    synthetic: bool = False) -> str:
    """The page's limits: one period, conventional proxies, what the Monte Carlo interval covers, the rate."""
    dominant = res.by_outcome.groupby("outcome")["share"].sum().sort_values(ascending=False)
    return (
        "- **Une même période pour les ressources et les résultats.** "
        + (f"Les ressources de chaque année de {res.period[0]} à {res.period[1]} sont opposées aux résultats nouveaux "
           f"de ces mêmes années ; les résultats créés en fin de période continuent de produire de la valeur après "
           f"{res.period[1]}, pas les ressources." if res.period else
           "Les tables ne sont pas datées : rien ne garantit que les ressources et les résultats couvrent la même période.")
        + f"\n- **Des valeurs de référence conventionnelles.** Le résultat le plus lourd, « {dominant.index[0]} », pèse "
        f"{fr.format_pct(dominant.iloc[0])} de la valeur actualisée.\n- **L'intervalle de Monte Carlo** "
        f"{fr.format_interval(*interval, decimals=2)} ne mesure que l'incertitude déclarée sur les hypothèses, pas "
        f"l'erreur d'échantillonnage ni les résultats omis.\n- **Le taux retenu**, {fr.format_pct(rate, 1)}, donne un "
        f"ratio de {fr.format_number(res.ratio, 2)} ; celui de {fr.format_pct(other_rate, 1)}, "
        f"{fr.format_number(res_other_rate.ratio, 2)}."
        + ("\n\n*Données synthétiques : la carte d'impact de démonstration est inventée.*" if synthetic else ""))
