"""The resilience page (notebook ``55_resilience``): its French sentences, tables and figures.

Everything here is built from what :mod:`rd_methods.resilience` (and
:mod:`rd_methods.counterfactual` for rates per 1 000 inhabitants) return. Sentences read
right at 0 and 1, numbers follow :mod:`rd_methods.formats` (indices with 2 decimals,
robustness areas with 3, changes as percentages), tables go through
:func:`rd_methods.formats.table` and every figure comes back with its French alternative
text, for :func:`rd_methods.plots.show`.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from rd_methods import counterfactual as cf
from rd_methods import formats as fr
from rd_methods import plots
from rd_methods import resilience as rs

__all__ = [
    "Territories",
    "territories",
    "data_text",
    "find_shock",
    "shock_figure",
    "resistance_table",
    "resistance_figure",
    "resistance_text",
    "network_text",
    "tolerance_figure",
    "tolerance_text",
    "over_time_figure",
    "over_time_table",
    "over_time_text",
    "limits_text",
]

_OUTCOMES = {"employment": "d'emplois", "jobseekers": "de demandeurs d'emploi",
             "establishments_created": "de créations d'établissements"}


def _d(value, decimals: int = 2) -> str:
    return fr.format_number(value, decimals)


def _years(n) -> str:
    return fr.plural(int(round(n)), "an")


def _ordinal(k) -> str:
    return "1ᵉʳ" if int(k) == 1 else f"{int(k)}ᵉ"


@dataclass
class Territories:
    """The panel of one outcome and what the page says about it."""

    panel: pd.DataFrame
    outcome: str
    column: str
    unit_text: str
    of_what: str
    higher_is_better: bool
    names: pd.Series
    treated: list
    comparisons: list

    @property
    def treated_name(self) -> str:
        return " ; ".join(self.names[c] for c in self.treated)

    @property
    def short(self) -> pd.Series:
        """Names with « CC » / « CA » for the long legal forms (never cut)."""
        return (self.names.str.replace("Communauté de communes", "CC", regex=False)
                .str.replace("Communauté d'agglomération", "CA", regex=False))


def territories(territory_panel: pd.DataFrame, outcome: str) -> Territories:
    """The outcome per 1 000 inhabitants when it is a count (:func:`rd_methods.counterfactual.rates`)."""
    if outcome in cf.RATE_COLUMNS:
        panel, column, unit = cf.rates(territory_panel, columns=[outcome]), f"{outcome}_per_1000", "pour 1 000 habitants"
    else:
        panel, column, unit = territory_panel.copy(), outcome, ""
    names = panel.drop_duplicates("territory_code").set_index("territory_code")["territory_name"].astype(str)
    return Territories(panel, outcome, column, unit, _OUTCOMES.get(outcome, f"de « {outcome} »"),
                       outcome != "jobseekers", names,
                       sorted(panel.loc[panel["treated"], "territory_code"].unique()),
                       sorted(panel.loc[~panel["treated"], "territory_code"].unique()))


def data_text(t: Territories) -> str:
    """The territories, the period and the outcome."""
    first, last = int(t.panel["year"].min()), int(t.panel["year"].max())
    return (f"Le territoire d'action est **{t.treated_name}**, comparé à "
            f"**{fr.plural(len(t.comparisons), 'territoire')}** de taille voisine, de {first} à {last}. L'indicateur est "
            f"le nombre {t.of_what} {t.unit_text} : une hausse est {'favorable' if t.higher_is_better else 'défavorable'}. "
            "La référence est la moyenne des territoires de comparaison, année par année.")


def find_shock(t: Territories, shock_start: int = 0, shock_end: int = 0) -> tuple[pd.DataFrame | None, str]:
    """The contraction and recovery periods (given, or detected on the reference series) and their sentence.

    Returns ``(shock, text)``; ``shock`` is None when there are fewer than two comparison
    territories or no fall of the reference series.
    """
    first, last = int(t.panel["year"].min()), int(t.panel["year"].max())
    if len(t.comparisons) < 2:
        return None, (f"Le volet territorial demande au moins deux territoires de comparaison, "
                      f"{'aucun' if not t.comparisons else 'un seul'} ici : il n'est pas calculé.")
    given = (shock_start, shock_end) if shock_start and shock_end else None
    try:
        shock = rs.shock_periods(t.panel, t.column, contraction=given, higher_is_better=t.higher_is_better)
    except ValueError:
        return None, (f"Aucun recul de la série de référence n'apparaît entre {first} et {last} : il n'y a pas de choc "
                      "à analyser. Les années d'un choc peuvent être données en paramètres de la page.")
    ph = shock.set_index("phase")
    peak, trough, end = (int(ph.loc["contraction", "start"]), int(ph.loc["contraction", "end"]),
                         int(ph.loc["recovery", "end"]))
    how = "donnée en paramètre" if given else "repérée automatiquement sur la série de référence"
    text = (f"Contraction {how} : de **{peak} à {trough}**, la référence passe de "
            f"{_d(ph.loc['contraction', 'start_value'])} à {_d(ph.loc['contraction', 'end_value'])} {t.unit_text}, "
            f"soit {fr.format_pct(ph.loc['contraction', 'relative_change'], 1)}. "
            + (f"Elle retrouve son niveau de {peak} en **{end}** : la phase de rétablissement va de {trough} à {end}."
               if bool(ph.loc["recovery", "recovered"]) else
               f"Elle n'a pas retrouvé son niveau de {peak} en {end} : le rétablissement est mesuré jusqu'à {end}."))
    return shock, text


def _phases(shock: pd.DataFrame) -> tuple[int, int, int]:
    ph = shock.set_index("phase")
    return int(ph.loc["contraction", "start"]), int(ph.loc["contraction", "end"]), int(ph.loc["recovery", "end"])


def shock_figure(t: Territories, shock: pd.DataFrame) -> tuple[plt.Figure, str]:
    """Every territory's outcome as an index (base 100 at the peak), the phases shaded."""
    peak, trough, end = _phases(shock)
    idx = rs.shock_index(t.panel, t.column, base=peak)
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.axvspan(peak, trough, color="C1", alpha=0.12, label="contraction")
    ax.axvspan(trough, end, color="C2", alpha=0.10, label="rétablissement")
    for c in t.comparisons:
        s = idx[idx["unit"] == c]
        ax.plot(s["time"], s["index"], color="0.75", lw=0.8)
    s = idx[idx["unit"] == "reference"]
    ax.plot(s["time"], s["index"], color="0.3", lw=2, ls="--", label="référence : moyenne des comparaisons")
    for c in t.treated:
        s = idx[idx["unit"] == c]
        ax.plot(s["time"], s["index"], color="C3", lw=2.5, label=t.short[c])
    ax.axhline(100, color="k", lw=0.6)
    first, last = int(t.panel["year"].min()), int(t.panel["year"].max())
    ax.set(xlabel="Année", ylabel=f"Indice, base 100 en {peak}", title="L'indicateur autour du choc, base 100 au pic",
           xlim=(max(first, peak - 5), last))
    plots.french_axis(ax)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="best", fontsize=8)
    at = idx[idx["time"] == trough].set_index("unit")["index"]
    treated = at.reindex(t.treated).mean()
    alt = (f"Indicateur de chaque territoire en base 100 en {peak} : au creux de {trough}, le territoire d'action est à "
           f"{_d(treated, 1)} et la référence à {_d(at.get('reference'), 1)}.")
    return fig, alt


def resistance_table(t: Territories, table: pd.DataFrame, shock: pd.DataFrame) -> object:
    """Each territory's changes, resistance and recovery indices, years to recover, rank; the treated one marked ▶."""
    peak, trough, end = _phases(shock)
    shown = table.sort_values("resistance", ascending=False)
    shown = shown.assign(name=[("▶ " if tr else "") + t.names[u] for u, tr in zip(shown["unit"], shown["treated"], strict=True)],
                         back=[("non retrouvé" if v != v else fr.format_number(v, 0)) for v in shown["years_to_recover"]])
    return fr.table(shown, {"name": "Territoire", "change_contraction": f"Variation {peak}–{trough}",
                            "resistance": "Résistance", "change_recovery": f"Variation {trough}–{end}",
                            "recovery": "Rétablissement", "back": "Années pour retrouver le niveau",
                            "resistance_rank": "Rang (résistance)"},
                    {"change_contraction": lambda v: fr.format_pct(v, 1), "change_recovery": lambda v: fr.format_pct(v, 1),
                     "resistance": "number", "recovery": "number", "resistance_rank": "int"})


def resistance_figure(t: Territories, table: pd.DataFrame) -> tuple[plt.Figure, str]:
    """Resistance and recovery indices of every territory, the treated one in red."""
    order = table.sort_values("resistance")
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.3 * len(table) + 1.4), sharey=True)
    labels, colors = order["unit"].map(t.short), np.where(order["treated"], "C3", "0.6")
    for ax, col, title in [(axes[0], "resistance", "Résistance"), (axes[1], "recovery", "Rétablissement")]:
        ax.barh(labels, order[col], color=colors)
        ax.axvline(0, color="k", lw=0.8)
        ax.set(title=title, xlabel="Indice, 0 : comme la référence")
        plots.french_axis(ax, "x")
    row = table[table["treated"]].iloc[0]
    alt = (f"Indices de résistance et de rétablissement de {fr.plural(len(table), 'territoire')} : le territoire "
           f"d'action, en rouge, a une résistance de {_d(row['resistance'])}, au {_ordinal(row['resistance_rank'])} "
           "rang.")
    return fig, alt


def resistance_text(t: Territories, table: pd.DataFrame, ranks: pd.DataFrame) -> str:
    """Resistance, years back to the pre-shock level and recovery of the treated territory, with its rank and p."""
    r = ranks.set_index("measure")
    res, rec, yrs = r.loc["resistance"], r.loc["recovery"], r.loc["years_to_recover"]
    n, value, better = int(res["n"]), float(res["estimate"]), float(res["estimate"]) > 0
    row = table[table["treated"]].iloc[0]
    never = int((~table["treated"] & ~table["recovered"]).sum())
    back = ("ne l'a pas encore retrouvé" if yrs["estimate"] != yrs["estimate"] else
            "ne l'a pas perdu : il l'avait déjà l'année du creux" if yrs["estimate"] == 0 else
            f"l'a retrouvé {_years(yrs['estimate'])} après le creux")
    gap = fr.format_pct(abs(value))
    text = (f"**Résistance.** Pendant la contraction, le territoire d'action a varié de "
            f"{fr.format_pct(row['change_contraction'], 1)} contre {fr.format_pct(row['ref_change_contraction'], 1)} "
            f"pour la référence : indice de **{_d(value)}** ; "
            + (f"son recul a été {'inférieur' if better else 'supérieur'} de {gap} à celui de la référence. "
               if t.higher_is_better else
               f"sa hausse a été {'inférieure' if better else 'supérieure'} de {gap} à celle de la référence. ")
            + f"Il se classe **{_ordinal(res['rank'])} sur {n}**, {fr.p_clause(res['p_value'])} de permutation"
            + (", la plus petite possible avec ce nombre de territoires" if res["p_value"] <= 1 / n + 1e-12 else "")
            + " : "
            + ("il se distingue nettement des territoires de comparaison." if res["p_value"] <= 0.10 else
               "ce rang peut s'expliquer par le hasard ; pas de résistance particulière démontrée.")
            + f"\n\n**Retour au niveau d'avant le choc.** Le territoire d'action {back} ; les territoires de "
              f"comparaison l'ont retrouvé en {_years(yrs['comparison_median'])} en médiane, de "
              f"{fr.format_number(int(round(yrs['comparison_min'])))} à {_years(yrs['comparison_max'])}"
            + (f", {fr.plural(never, 'territoire ne l’ayant', 'territoires ne l’ayant')} pas encore retrouvé".replace("’", "'")
               if never else "")
            + f". Rang {int(yrs['rank'])} sur {n}, les ex æquo comptés contre lui ; {fr.p_clause(yrs['p_value'])}."
            + f"\n\n**Rétablissement.** Indice de **{_d(rec['estimate'])}**, rang {int(rec['rank'])} sur {n} : "
            + ("son rebond a été plus fort que celui de la référence." if rec["estimate"] > 0 else
               "son rebond a été plus faible que celui de la référence"
               + (", ce qui est attendu d'un territoire qui a moins reculé : il avait moins à regagner. Le délai de retour "
                  "au niveau d'avant le choc est ici la mesure la plus parlante." if better else ".")))
    return text


def network_text(G: nx.Graph, projection: str, max_event_size: int | None) -> str:
    """The network whose robustness is tested."""
    size = fr.format_number(max_event_size or 0)
    rule = {"clique": "Chaque événement relie tous ses participants entre eux.",
            "star_large": f"Les événements de plus de {size} participants relient chacun à ses organisateurs et "
                          "intervenants plutôt que tous entre eux, règle de la page réseau qui montre aussi les autres.",
            "exclude_large": f"Les événements de plus de {size} participants ne créent pas de liens."}[projection]
    return (f"Le réseau réunit les **{fr.plural(G.number_of_nodes(), 'acteur')}** ayant participé à un événement ou noué "
            f"un lien direct sur toute la période, reliés par {fr.plural(G.number_of_edges(), 'lien')} : co-participation "
            f"à un événement ou liens directs. {rule}")


def tolerance_figure(curves: pd.DataFrame, compared: rs.Robustness) -> tuple[plt.Figure, str]:
    """Share still connected as actors are removed, random and targeted, against the random networks' band."""
    gs = compared.set_index("measure").loc["giant_share"]
    band = (compared.curves[compared.curves["network"] == "random"].groupby("fraction_removed")["giant_share"]
            .quantile([0.025, 0.975]).unstack())
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.fill_between(band.index, band[0.025], band[0.975], color="0.6", alpha=0.35,
                    label=f"Réseaux aléatoires, retraits ciblés : 95 % de {fr.plural(int(gs['n_random']), 'tirage')}")
    style = {"random": ("C0", "Retraits au hasard"), "degree": ("C3", "Retraits ciblés, plus connectés d'abord")}
    for s, c in curves.groupby("strategy"):
        ax.plot(c["fraction_removed"], c["giant_share"], color=style[s][0], lw=2, marker="o", ms=3, label=style[s][1])
    ax.set(xlabel="Part des acteurs retirés", ylabel="Part des acteurs encore reliés",
           title="Tolérance du réseau au retrait d'acteurs")
    plots.french_axis(ax, "x", "pct")
    plots.french_axis(ax, "y", "pct")
    ax.legend(fontsize=8)
    where = ("au-dessus de" if gs["estimate"] > gs["ci_high"] else "en dessous de" if gs["estimate"] < gs["ci_low"]
             else "dans")
    alt = (f"Part des acteurs encore reliés selon la part retirée : face aux retraits ciblés, l'aire sous la courbe du "
           f"réseau, {_d(gs['estimate'], 3)}, est {where} la référence des réseaux aléatoires, de "
           f"{_d(gs['ci_low'], 3)} à {_d(gs['ci_high'], 3)} ; face aux retraits au hasard, son aire est de "
           f"{_d(rs.robustness_auc(curves[curves['strategy'] == 'random']), 3)}.")
    return fig, alt


def tolerance_text(curves: pd.DataFrame, compared: rs.Robustness) -> str:
    """More, less or not differently robust than the same events attended at random."""
    gs = compared.set_index("measure").loc["giant_share"]
    auc_random = rs.robustness_auc(curves[curves["strategy"] == "random"])
    n, null = int(gs["n_random"]), rs.NULL_LABELS.get(str(gs["null"]), str(gs["null"]))
    more, less = gs["estimate"] > gs["ci_high"], gs["estimate"] < gs["ci_low"]
    return (f"Face à des retraits ciblés, le réseau obtient une aire de **{_d(gs['estimate'], 3)}**, contre une référence "
            f"de {_d(gs['ci_low'], 3)} à {_d(gs['ci_high'], 3)} pour {fr.plural(n, 'réseau aléatoire', 'réseaux aléatoires')} "
            f"({null}) ; {fr.p_clause(gs['p_value'])} unilatérale, au mieux {_d(gs['min_p'], 3)} avec "
            f"{fr.plural(n, 'tirage')}. Face à des retraits au hasard, son aire est de {_d(auc_random, 3)}. "
            + ("Il est **plus robuste** que le hasard : la façon dont les acteurs se répartissent entre les événements "
               "le maintient relié." if more else
               "Il est **moins robuste** que le hasard : ses acteurs les plus connectés tiennent des mondes qui ne se "
               "croisent pas autrement, et leur départ le fragmente plus vite que si les mêmes événements avaient été "
               "fréquentés au hasard." if less else
               "Il n'est ni plus ni moins robuste que le hasard : absence de preuve d'un écart, pas preuve d'égalité."))


def over_time_figure(over: pd.DataFrame) -> tuple[plt.Figure, str]:
    """Robustness of each year's network to random removals, with and without the structure."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    ax.plot(over["period"], over["with_structure"], color="C0", lw=2, marker="o", label="avec la structure")
    ax.plot(over["period"], over["without_structure"], color="C3", lw=2, marker="s", label="sans la structure")
    ax.set(xlabel="Année", ylabel="Robustesse, aire sous la courbe",
           title="Robustesse du réseau de chaque année aux retraits au hasard", ylim=(0, None))
    plots.french_axis(ax)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8)
    gap = (over["with_structure"] - over["without_structure"]).dropna()
    alt = (f"Robustesse du réseau de chaque année de {int(over['period'].iloc[0])} à {int(over['period'].iloc[-1])}, "
           "avec et sans la structure : "
           + (f"sans elle, l'aire baisse jusqu'à {_d(gap.max(), 3)}." if len(gap) and gap.max() > 0 else
              "les deux courbes se confondent."))
    return fig, alt


def over_time_table(over: pd.DataFrame) -> object:
    """Per year: actors, robustness with and without the structure, share still connected without it."""
    return fr.table(over, {"period": "Année", "n_actors": "Acteurs", "with_structure": "Robustesse avec la structure",
                           "without_structure": "Robustesse sans la structure",
                           "giant_share_without": "Part restée reliée sans elle"},
                    {"period": lambda v: str(int(v)), "n_actors": "int", "with_structure": lambda v: _d(v, 3),
                     "without_structure": lambda v: _d(v, 3), "giant_share_without": "pct"})


def over_time_text(over: pd.DataFrame) -> str:
    """The last year with the structure: share connected without it, robustness with and without it."""
    present = over[over["structure_present"].astype(bool)]
    if present.empty:
        return "La structure n'apparaît dans le réseau d'aucune année : la comparaison avec et sans elle est impossible."
    last = present.iloc[-1]
    return (f"En {int(last['period'])}, le seul retrait de la structure laisse **{fr.format_pct(last['giant_share_without'])}** "
            f"des autres acteurs reliés au même ensemble ; face ensuite à des retraits au hasard, la robustesse passe de "
            f"{_d(last['with_structure'], 3)} avec elle à **{_d(last['without_structure'], 3)}** sans elle. "
            + ("La cohésion du réseau repose largement sur elle : c'est une force et une fragilité, car son affaiblissement "
               "exposerait le réseau. Cette comparaison avec et sans elle ne dit pas si elle compte plus que ce "
               "qu'expliquent les nombreux événements qu'elle suit : la page réseau le teste contre un modèle nul."
               if last["drop"] > 0.05 else
               "Le réseau tient sans elle : sa cohésion ne dépend pas d'un seul acteur."))


def limits_text(t: Territories, *, projection: str, n_random: int, synthetic: bool) -> str:
    """The page's limits, as a French list."""
    n = len(t.comparisons) + 1
    rule = {"clique": "tous reliés", "star_large": "en étoile", "exclude_large": "grands événements ignorés"}[projection]
    return (f"- **Un seul choc, {fr.plural(n, 'territoire')}** : le meilleur rang possible ne donne qu'une p-valeur de "
            f"{_d(1 / n, 3)}, soit 1 / {n} ; un autre choc, crise industrielle ou sécheresse, pourrait donner un autre "
            "classement.\n"
            "- **L'indice de résistance compare des variations**, pas des niveaux : un territoire déjà sur une pente plus "
            "favorable avant le choc, par exemple grâce à un effet de la coopérative qui montait en charge, obtient un "
            "indice positif même sans être plus résilient. Le rapprocher de la page « Effets territoriaux ».\n"
            "- **Rétablissement** : l'indice mesure le rebond ; un territoire qui a peu reculé rebondit peu. Le délai de "
            "retour au niveau d'avant le choc est plus parlant, mais se compte en années entières.\n"
            "- **Réseau** : l'exercice est statique, les acteurs restants ne nouant pas de nouveaux liens, et ne voit que "
            "les liens enregistrés, événements et liens directs ; la robustesse dépend de la règle de projection des "
            f"grands événements, ici « {rule} », et n'a pas été recalculée sous les autres règles ; la référence des "
            f"réseaux aléatoires repose sur {fr.plural(n_random, 'tirage')} seulement.\n"
            + ("- **Données synthétiques** : les effets de cette page ont été plantés par le générateur de démonstration, "
               "pour vérifier que les méthodes les retrouvent." if synthetic else ""))
