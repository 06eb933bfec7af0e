"""The stakeholder-survey page (notebook ``40_stakeholder_survey``): its French sentences, tables and figures.

Everything here is built from what :mod:`rd_methods.survey` returns. Items are named by
their French wording (never by their ``item_id``), sentences read right at 0 and 1, numbers
follow :mod:`rd_methods.formats` (scores and changes with 2 decimals, p-values through
:func:`~rd_methods.formats.format_p`), tables go through :func:`rd_methods.formats.table` and
every figure comes back with its French alternative text, for :func:`rd_methods.plots.show`.
"""

from __future__ import annotations

import re
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from rd_methods import disclosure, plots, survey
from rd_methods import formats as fr

__all__ = [
    "wording",
    "item_text",
    "respondents_text",
    "respondents_table",
    "weighting",
    "reliability_table",
    "reliability_text",
    "items_figure",
    "missing_text",
    "no_change_text",
    "retention_text",
    "change_table",
    "change_figure",
    "change_text",
    "invariance_table",
    "invariance_text",
    "attrition_table",
    "attrition_text",
    "weighted_change_table",
    "weighted_change_text",
    "mice_table",
    "mice_text",
    "groups_table",
    "ordinal_text",
    "ordinal_table",
    "groups_figure",
    "groups_text",
]


def _d2(value) -> str:
    return fr.format_number(value, 2)


def _scales(frame: pd.DataFrame, column: str = "scale") -> pd.DataFrame:
    return frame.assign(scale_fr=frame[column].map(survey.scale_label))


def _join(words) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " et " + words[-1]


_INCLUSIVE = re.compile(r"(\w)\((\w+)\)")


def wording(text: str) -> str:
    """An item's wording for a page: inclusive forms with the middle dot, not parentheses.

    The questionnaire's « attaché(e) » reads « attaché·e » (the same word, in the typography
    that does not look like a generated « (s) » plural).

    >>> wording("Je me sens attaché(e) au territoire, fier(ère) (parfois).")
    'Je me sens attaché·e au territoire, fier·ère (parfois).'
    """
    return _INCLUSIVE.sub(r"\1·\2", str(text))


def item_text(items: pd.DataFrame, item_id) -> str:
    """An item's French wording, in quotes (what a reader sees instead of its id)."""
    return f"« {wording(items.set_index('item_id').loc[item_id, 'text'])} »"


def respondents_text(responses: pd.DataFrame, items: pd.DataFrame, wave: int, *, min_cell: int) -> str:
    """Who answered: respondents of the reference wave, waves, scales, items."""
    waves = sorted(int(w) for w in responses["wave"].unique())
    n = int((responses["wave"] == wave).sum())
    which = (f"une seule vague, la vague {waves[0]}" if len(waves) == 1 else
             f"{fr.plural(len(waves), 'vague')}, {_join([str(w) for w in waves])}")
    text = (f"La vague {wave} compte **{fr.plural(n, 'répondant')}** ; la campagne comporte {which}. "
            "Le questionnaire porte sur "
            f"{fr.plural(items['scale'].nunique(), 'échelle')} et {fr.plural(len(items), 'item')}, notés de "
            f"{int(items['min'].min())} à {int(items['max'].max())}.")
    counts = responses.groupby(["stakeholder_group", "wave"]).size()
    if (counts < min_cell).any():
        text += f" Certains groupes comptent moins de {min_cell} répondants : leur effectif n'est pas diffusé."
    return text


def respondents_table(responses: pd.DataFrame, *, min_cell: int) -> object:
    """Respondents per stakeholder group and wave, small counts suppressed (« — »)."""
    counts = responses.groupby(["stakeholder_group", "wave"]).size().rename("n").reset_index()
    counts = disclosure.suppress_small(counts, "n", min_cell=min_cell)
    wide = counts.pivot(index="stakeholder_group", columns="wave", values="n").reset_index()
    wide["stakeholder_group"] = wide["stakeholder_group"].map(lambda g: plots.label("stakeholder_group", g))
    columns = {"stakeholder_group": "Groupe", **{w: f"Vague {w}" for w in wide.columns[1:]}}
    return fr.table(wide, columns, {w: "int" for w in wide.columns[1:]})


def weighting(responses: pd.DataFrame, population: dict | None, wave: int) -> tuple[pd.DataFrame | None, object, str]:
    """Non-response weights when the campaign gives the population: ``(weights, table, text)``.

    ``weights`` is :func:`rd_methods.survey.nonresponse_weights` (None when the population is
    not given or does not cover every group of respondents), ``table`` compares each group's
    share in the population, among respondents and once weighted (None without weights),
    ``text`` says what the weighting changes.
    """
    if population is None:
        return None, None, ("La campagne ne donne pas la population servie par groupe : les résultats ci-dessous ne "
                            "sont pas pondérés et valent pour les répondants seulement.")
    present = set(responses["stakeholder_group"].dropna().astype(str))
    usable = {g: n for g, n in population.items() if g in present}
    missing = sorted(g for g, n in population.items() if g not in present and n > 0)
    try:
        weights = survey.nonresponse_weights(responses, usable)
    except ValueError:
        return None, None, ("**Pondération impossible** : un groupe de répondants manque à la population déclarée de "
                            "la campagne. Les résultats ci-dessous ne sont pas pondérés.")
    deff = survey.design_effect(weights).set_index("wave").loc[wave]
    base = weights.loc[weights["wave"] == wave]
    resp_share = base["stakeholder_group"].value_counts(normalize=True)
    w_share = base.groupby("stakeholder_group")["weight"].sum() / base["weight"].sum()
    total = sum(usable.values())
    frame = pd.DataFrame({
        "group": [plots.label("stakeholder_group", g) for g in usable],
        "population": [usable[g] for g in usable],
        "pop_share": [usable[g] / total for g in usable],
        "resp_share": [resp_share.get(g, 0.0) for g in usable],
        "w_share": [w_share.get(g, 0.0) for g in usable],
        "weight": [base.loc[base["stakeholder_group"] == g, "weight"].iloc[0] for g in usable],
    })
    table = fr.table(frame, {"group": "Groupe", "population": "Population", "pop_share": "Part dans la population",
                             "resp_share": "Part des répondants", "w_share": "Part pondérée", "weight": "Poids"},
                     {"population": "int", "pop_share": "pct", "resp_share": "pct", "w_share": "pct"})
    gap = float((frame["resp_share"] - frame["pop_share"]).abs().max())
    text = (f"À la vague {wave}, l'écart le plus grand entre la part d'un groupe parmi les répondants et sa part dans "
            f"la population est de {fr.plural(100 * gap, 'point', decimals=1)}. Après pondération, les parts sont "
            f"celles de la population ; l'effet de plan de Kish vaut {_d2(deff['deff'])}, soit un effectif "
            f"équivalent de {fr.format_number(deff['n_eff'], 0)} répondants sur {fr.format_number(deff['n'])}.")
    text += (" La pondération change donc peu les estimations." if deff["deff"] < 1.1 and gap < 0.05
             else " La pondération compte : les estimations pondérées sont présentées à côté des autres.")
    if missing:
        text += (" Aucun répondant pour : " + _join([plots.label("stakeholder_group", g) for g in missing])
                 + " ; ces groupes ne peuvent pas être représentés.")
    return weights, table, text


def reliability_table(reliability: pd.DataFrame, omega: pd.DataFrame) -> object:
    """Alpha with Feldt's interval and omega with its bootstrap interval, per scale."""
    om = omega.set_index("scale").loc[reliability["scale"]]
    frame = _scales(reliability).assign(
        alpha_ci=[fr.format_interval(lo, hi, decimals=2) for lo, hi in zip(reliability["ci_low"], reliability["ci_high"], strict=True)],
        omega=om["omega"].to_numpy(),
        omega_ci=[fr.format_interval(lo, hi, decimals=2) for lo, hi in zip(om["ci_low"], om["ci_high"], strict=True)])
    return fr.table(frame, {"scale_fr": "Échelle", "n_items": "Items", "n_complete": "Réponses complètes",
                            "alpha": "Alpha de Cronbach", "alpha_ci": "Intervalle à 95 %",
                            "alpha_if_dropped_max": "Alpha maximal en retirant un item", "omega": "Oméga de McDonald",
                            "omega_ci": "Intervalle bootstrap à 95 %"},
                    {"n_items": "int", "n_complete": "int"})


def reliability_text(reliability: pd.DataFrame, omega: pd.DataFrame, items: pd.DataFrame) -> str:
    """Which scales reach 0,7, which item weakens its scale, and how close omega is to alpha."""
    om = omega.set_index("scale").loc[reliability["scale"]]
    weak = reliability.loc[reliability["alpha"] < 0.7, "scale"].map(survey.scale_label).tolist()
    better = reliability.loc[reliability["alpha_if_dropped_max"] > reliability["alpha"] + 0.02]
    lines = [f"Alpha va de {_d2(reliability['alpha'].min())} à {_d2(reliability['alpha'].max())} selon l'échelle."]
    lines.append("Toutes les échelles atteignent le seuil usuel de 0,7." if not weak
                 else f"Sous le seuil usuel de 0,7 : {_join(weak)} ; leurs scores sont à lire avec prudence.")
    for row in better.itertuples():
        lines.append(f"Retirer l'item {item_text(items, row.item_if_dropped_max)} porterait l'alpha de "
                     f"« {survey.scale_label(row.scale)} » à {_d2(row.alpha_if_dropped_max)} : sa formulation mérite "
                     "d'être revue.")
    gap = float(np.nanmax(np.abs(om["omega"].to_numpy() - reliability["alpha"].to_numpy())))
    lines.append(f"L'oméga va de {_d2(om['omega'].min())} à {_d2(om['omega'].max())} ; "
                 + (f"il est proche de l'alpha pour toutes les échelles, à {_d2(gap)} près au plus : les items pèsent "
                    "à peu près autant." if gap < 0.03 else
                    "il s'écarte de l'alpha pour certaines échelles : leurs items ne pèsent pas autant, l'oméga est "
                    "alors la meilleure estimation de la fiabilité."))
    return " ".join(lines)


def items_figure(responses: pd.DataFrame, items: pd.DataFrame, wave: int) -> tuple[plt.Figure, str]:
    """Diverging bars of the answers to every item (disagreement left, agreement right), full wording."""
    summary = survey.item_summary(responses, items, by="wave")
    summary = summary.loc[summary["wave"] == wave]
    layout = survey.diverging_layout(summary, by=["scale", "item_id"])
    texts = items.set_index("item_id")
    order = items.sort_values(["scale", "item_id"])["item_id"].tolist()
    names = {i: textwrap.fill(f"{survey.scale_label(texts.loc[i, 'scale'])} — {wording(texts.loc[i, 'text'])}"
                              + (" (inversé)" if bool(texts.loc[i, "reverse"]) else ""), 55) for i in order}
    lines = sum(n.count("\n") + 1 for n in names.values())
    labels = survey.answer_labels(int(items["min"].min()), int(items["max"].max()))
    colors = dict(zip(labels, sns.color_palette("RdBu", n_colors=len(labels)), strict=True))
    if len(labels) % 2:  # the neutral answer in grey, visible on white
        colors[sorted(labels)[len(labels) // 2]] = (0.78, 0.78, 0.78)
    fig, ax = plt.subplots(figsize=(10, 0.2 * lines + 0.25 * len(order) + 1.5))
    ypos = {i: k for k, i in enumerate(reversed(order))}
    for code, part in layout.groupby("answer"):
        ax.barh([ypos[i] for i in part["item_id"]], part["share"], left=part["left"], color=colors[code],
                label=labels[code], edgecolor="white", linewidth=0.5)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(list(ypos.values()), [names[i] for i in ypos], fontsize=8)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _pos: fr.format_pct(abs(v))))
    ax.set_xlabel("Part des réponses : désaccord à gauche, accord à droite")
    ax.set_title(f"Réponses aux items, vague {wave}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.08), ncol=3, frameon=False)
    agree = layout.loc[layout["left"] >= 0].groupby("item_id")["share"].sum()
    best = agree.idxmax()
    alt = (f"Réponses aux {fr.format_number(len(order))} items de la vague {wave}, en barres divergentes : l'accord le "
           f"plus large, {fr.format_pct(agree.max())} des réponses, va à l'item {item_text(items, best)}.")
    return fig, alt


def missing_text(responses: pd.DataFrame, items: pd.DataFrame, wave: int) -> str:
    """The item left empty most often in the wave."""
    summary = survey.item_summary(responses, items, by="wave")
    worst = summary.loc[summary["wave"] == wave].drop_duplicates("item_id").sort_values(
        "share_missing", ascending=False).iloc[0]
    if worst["share_missing"] == 0:
        return f"Tous les items ont été renseignés par tous les répondants de la vague {wave}."
    return (f"Le taux de non-réponse le plus élevé est celui de l'item {item_text(items, worst['item_id'])} : "
            f"{fr.format_pct(worst['share_missing'])} des répondants de la vague.")


def no_change_text(responses: pd.DataFrame, wave_before: int, wave_after: int) -> str:
    """Why the change is not measured (one wave only)."""
    waves = sorted(int(w) for w in responses["wave"].unique())
    present = "vague présente" if len(waves) == 1 else "vagues présentes"
    return (f"Cette campagne ne comporte pas les vagues {wave_before} et {wave_after}, {present} : "
            f"{_join([str(w) for w in waves])}. L'évolution ne peut pas encore être mesurée ; elle le sera après la "
            "vague de suivi.")


def retention_text(responses: pd.DataFrame, wave_before: int, wave_after: int) -> str:
    """How many answered again, and how many answered only the second time."""
    ret = survey.retention(responses, wave_before, wave_after).iloc[0]
    n_both, n_new = int(ret["n_both"]), int(ret["n_new"])
    new = ("aucune personne n'a" if n_new == 0 else
           f"{fr.plural(n_new, 'personne')} {'a' if n_new < 2 else 'ont'}") + f" répondu seulement à la vague {wave_after}"
    return (f"Sur {fr.plural(int(ret['n_before']), 'répondant')} de la vague {wave_before}, "
            f"**{fr.format_number(n_both)} {'a' if n_both < 2 else 'ont'} répondu de nouveau** à la vague {wave_after}, "
            f"soit {fr.format_pct(ret['retention_rate'])} ; {new}. Les variations ci-dessous portent sur les personnes "
            "présentes aux deux vagues.")


def _tests(before_after: pd.DataFrame, test: str) -> pd.DataFrame:
    return before_after.loc[before_after["test"] == test].set_index("scale")


def change_table(before_after: pd.DataFrame) -> object:
    """Paired change per scale: estimate, interval, p-values (raw, Holm, Wilcoxon), d_z, and the all-respondent gap."""
    paired = _tests(before_after, "paired_t")
    frame = paired.reset_index().pipe(_scales).assign(
        ci=[fr.format_interval(lo, hi, decimals=2) for lo, hi in zip(paired["ci_low"], paired["ci_high"], strict=True)],
        wilcoxon=_tests(before_after, "wilcoxon")["p_adjusted"].reindex(paired.index).to_numpy(),
        welch=_tests(before_after, "welch")["estimate"].reindex(paired.index).to_numpy())
    return fr.table(frame, {"scale_fr": "Échelle", "n": "Personnes", "estimate": "Variation moyenne",
                            "ci": "Intervalle à 95 %", "p_value": "p, t apparié", "p_adjusted": "p corrigée (Holm)",
                            "wilcoxon": "p de Wilcoxon, corrigée", "effect_size": "d de Cohen (dz)",
                            "welch": "Écart des moyennes, tous répondants"},
                    {"n": "int", "p_value": "p", "p_adjusted": "p", "wilcoxon": "p"})


def change_figure(before_after: pd.DataFrame, wave_before: int, wave_after: int) -> tuple[plt.Figure, str]:
    """Mean paired change per scale with its 95 % interval."""
    paired = _tests(before_after, "paired_t")
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(paired) + 1.4))
    y = np.arange(len(paired))[::-1]
    ax.errorbar(paired["estimate"], y, xerr=[paired["estimate"] - paired["ci_low"], paired["ci_high"] - paired["estimate"]],
                fmt="o", capsize=4, color=sns.color_palette()[0])
    ax.axvline(0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_yticks(y, [survey.scale_label(s) for s in paired.index])
    plots.french_axis(ax, axis="x", kind="number")
    ax.set_xlabel(f"Variation moyenne du score, vague {wave_after} − vague {wave_before}, en points de l'échelle")
    ax.set_title("Évolution des scores des personnes présentes aux deux vagues, intervalle à 95 %")
    up = [survey.scale_label(s) for s, r in paired.iterrows() if r["ci_low"] > 0]
    alt = (f"Variation moyenne de {fr.plural(len(paired), 'échelle')} entre les vagues {wave_before} et {wave_after} : "
           + (f"l'intervalle à 95 % est entièrement au-dessus de zéro pour {_join(up)}." if up else
              "aucun intervalle à 95 % n'est entièrement au-dessus de zéro."))
    return fig, alt


def change_text(before_after: pd.DataFrame) -> str:
    """One line per scale (up, down or no clear change) and how many survive Holm's correction."""
    paired = _tests(before_after, "paired_t")
    lines = []
    for s, row in paired.iterrows():
        trend = ("en hausse" if row["ci_low"] > 0 else "en baisse" if row["ci_high"] < 0
                 else "sans évolution nette, l'intervalle contient zéro")
        lines.append(f"- **{survey.scale_label(s)}** : {trend}, "
                     f"{fr.plural(row['estimate'], 'point', decimals=2)} {fr.format_interval(row['ci_low'], row['ci_high'], decimals=2)}.")
    n_sig, n = int((paired["p_adjusted"] < 0.05).sum()), len(paired)
    lines.append(f"\nAprès correction de Holm sur les {fr.plural(n, 'échelle')}, "
                 + ("aucune variation n'est significative au seuil de 5 %." if not n_sig else
                    "une variation reste significative au seuil de 5 %." if n_sig == 1 else
                    f"{fr.format_number(n_sig)} variations restent significatives au seuil de 5 %."))
    return "\n".join(lines)


def invariance_table(invariance: pd.DataFrame, items: pd.DataFrame) -> object:
    """Congruence of the one-factor loadings between waves, and the item that moves most."""
    frame = _scales(invariance).assign(item=[item_text(items, i) if isinstance(i, str) else None
                                             for i in invariance["item_max_difference"]])
    return fr.table(frame, {"scale_fr": "Échelle", "congruence": "Congruence des saturations",
                            "max_abs_difference": "Écart maximal d'un item", "item": "Item qui varie le plus"},
                    {"congruence": lambda v: fr.format_number(v, 3)})


def invariance_text(invariance: pd.DataFrame, items: pd.DataFrame) -> str:
    """One verdict per scale, then which changes to read with caution."""
    lines = []
    for row in invariance.itertuples():
        name, phi, diff = survey.scale_label(row.scale), fr.format_number(row.congruence, 3), _d2(row.max_abs_difference)
        if row.level == "invariant":
            lines.append(f"- {name} : les saturations sont semblables d'une vague à l'autre, congruence {phi} et écart "
                         f"maximal {diff} ; l'échelle mesure la même chose aux deux vagues et son évolution peut être "
                         "interprétée.")
        elif row.level == "partial":
            lines.append(f"- {name} : saturations proches mais pas identiques, congruence {phi} ; l'item "
                         f"{item_text(items, row.item_max_difference)} varie de {diff}. Évolution à interpréter avec "
                         "prudence.")
        elif row.level == "not_invariant":
            lines.append(f"- {name} : les items ne se rapportent plus de la même façon à l'échelle, congruence {phi} ; "
                         "son évolution ne doit pas être interprétée comme un changement du même construit.")
        else:
            lines.append(f"- {name} : trop peu de réponses complètes pour comparer les vagues.")
    not_ok = invariance.loc[invariance["level"] != "invariant", "scale"].map(survey.scale_label).tolist()
    if not_ok:
        lines.append(f"\nLes variations de {_join(not_ok)} sont à lire avec prudence : la mesure elle-même a pu changer "
                     "entre les vagues.")
    return "\n".join(lines)


def attrition_table(check: pd.DataFrame, margin: float) -> object:
    """Leavers against stayers at baseline: gap, difference test, equivalence test."""
    return fr.table(_scales(check), {"scale_fr": "Échelle", "n_stayers": "Restées", "n_leavers": "Parties",
                                     "difference": "Écart parties − restées, en points", "smd": "Écart standardisé",
                                     "p_holm": "p de différence (Holm)",
                                     "p_equivalence": f"p d'équivalence à ± {fr.format_number(margin, 1)} écart type"},
                    {"n_stayers": "int", "n_leavers": "int", "p_holm": "p", "p_equivalence": "p"})


def attrition_text(check: pd.DataFrame, margin: float) -> str:
    """Did leavers differ? Equivalence shown, difference shown, or neither (absence of evidence)."""
    label = check["scale"].map(survey.scale_label)
    differ = label[check["p_holm"] < 0.05].tolist()
    unclear = label[(check["p_holm"] >= 0.05) & ~check["equivalent"].astype(bool)].tolist()
    same = label[check["equivalent"].astype(bool)].tolist()
    parts = []
    if differ:
        parts.append(f"**Les personnes parties différaient** dès la première vague sur : {_join(differ)}, différence "
                     "significative après correction de Holm.")
    if same:
        parts.append(f"Le test d'équivalence montre que l'écart est inférieur à {fr.format_number(margin, 1)} écart "
                     f"type pour : {_join(same)}.")
    if unclear:
        parts.append(f"Pour {_join(unclear)}, ni différence ni équivalence n'est démontrée : l'absence de différence "
                     "significative n'est pas la preuve que l'attrition est neutre.")
    parts.append(f"L'écart standardisé le plus grand est de {_d2(check['smd'].abs().max())} écart type.")
    return " ".join(parts)


def _weight_names(weighted: pd.DataFrame) -> dict:
    nonresponse = "nonresponse" in set(weighted["weighting"])
    return {"none": "Sans poids", "nonresponse": "Poids de non-réponse",
            "attrition": "Poids d'attrition" + (" × non-réponse" if nonresponse else "")}


def weighted_change_table(weighted: pd.DataFrame) -> object:
    """Change per scale without weights and under each weighting, « 0,31 [0,22 ; 0,40] »."""
    cells = weighted.assign(cell=[f"{_d2(e)} {fr.format_interval(lo, hi, decimals=2)}" for e, lo, hi in
                                  zip(weighted["estimate"], weighted["ci_low"], weighted["ci_high"], strict=True)])
    order = [w for w in ["none", "nonresponse", "attrition"] if w in set(weighted["weighting"])]
    wide = cells.pivot(index="scale", columns="weighting", values="cell")[order].reset_index().pipe(_scales)
    names = _weight_names(weighted)
    return fr.table(wide, {"scale_fr": "Échelle", **{w: names[w] for w in order}})


def weighted_change_text(weighted: pd.DataFrame) -> str:
    """How far the attrition weights move the changes."""
    shift = weighted.pivot(index="scale", columns="weighting", values="estimate")
    max_shift = float(shift.drop(columns="none").sub(shift["none"], axis=0).abs().max().max())
    n_eff = float(weighted.loc[weighted["weighting"] == "attrition", "n_eff"].min())
    return (f"Pondérer les personnes restées pour leur redonner le profil de départ déplace les variations d'au plus "
            f"{fr.plural(max_shift, 'point', decimals=2)}, pour un effectif équivalent de "
            f"{fr.plural(round(n_eff), 'personne')}. "
            + ("Les conclusions ne dépendent donc pas de l'attrition observable." if max_shift < 0.05 else
               "Les conclusions en dépendent en partie : lire les variations pondérées.")
            + " Ces poids ne corrigent que ce que les réponses de la première vague permettent de voir.")


def mice_table(mice: pd.DataFrame) -> object:
    """Change under the scoring rule and under multiple imputation."""
    frame = _scales(mice).assign(ci=[fr.format_interval(lo, hi, decimals=2) for lo, hi in
                                     zip(mice["ci_low"], mice["ci_high"], strict=True)])
    return fr.table(frame, {"scale_fr": "Échelle", "n": "Personnes", "n_incomplete": "Dont avec un item manquant",
                            "complete_rule": "Variation, règle de score", "estimate": "Variation, imputation multiple",
                            "ci": "Intervalle à 95 %"}, {"n": "int", "n_incomplete": "int"})


def mice_text(mice: pd.DataFrame, n_imputations: int) -> str:
    """Does the rule for partial answers make the result?"""
    diff = float((mice["estimate"] - mice["complete_rule"]).abs().max())
    return (f"Avec {fr.plural(n_imputations, 'imputation')}, les variations s'écartent d'au plus "
            f"{fr.plural(diff, 'point', decimals=2)} de celles calculées avec la règle de score : "
            + ("la règle adoptée pour les réponses partielles ne fait pas le résultat." if diff < 0.05 else
               "la façon de traiter les réponses manquantes compte ; les deux estimations sont à considérer.")
            + " L'imputation suppose que les réponses manquent au hasard compte tenu des autres réponses de la personne.")


def _rank_tests(compare: pd.DataFrame) -> pd.DataFrame:
    return compare.loc[compare["test"].isin(["kruskal", "mannwhitney"])]


def groups_table(compare: pd.DataFrame) -> object:
    """Rank tests between stakeholder groups per scale, raw and Holm-adjusted p."""
    rank = _scales(_rank_tests(compare)).assign(
        test_fr=lambda d: d["test"].map({"kruskal": "Kruskal–Wallis", "mannwhitney": "Mann–Whitney"}))
    return fr.table(rank, {"scale_fr": "Échelle", "test_fr": "Test", "n_groups": "Groupes", "p_value": "p",
                           "p_holm": "p corrigée (Holm)"}, {"n_groups": "int", "p_value": "p", "p_holm": "p"})


def ordinal_text(compare: pd.DataFrame) -> str:
    """How to read the ordinal model's odds ratios (empty when there is none)."""
    ordinal = compare.loc[compare["test"] == "ordinal"]
    if ordinal.empty:
        return ""
    ref = plots.label("stakeholder_group", ordinal["reference"].iloc[0])
    return (f"Modèle ordinal : rapport de cotes de répondre plus haut que le groupe de référence, **{ref}**, toutes "
            "vagues, à item égal ; supérieur à 1, les réponses sont plus favorables.")


def ordinal_table(compare: pd.DataFrame) -> object | None:
    """Odds ratios of answering higher than the reference group, per scale and group."""
    ordinal = compare.loc[compare["test"] == "ordinal"]
    if ordinal.empty:
        return None
    frame = _scales(ordinal).assign(
        group_fr=ordinal["group"].map(lambda g: plots.label("stakeholder_group", g)),
        ci=[fr.format_interval(np.exp(lo), np.exp(hi), decimals=2) for lo, hi in zip(ordinal["ci_low"], ordinal["ci_high"], strict=True)])
    return fr.table(frame, {"scale_fr": "Échelle", "group_fr": "Groupe", "odds_ratio": "Rapport de cotes",
                            "ci": "Intervalle à 95 %", "p_holm": "p corrigée (Holm)"}, {"p_holm": "p"})


def groups_figure(responses: pd.DataFrame, items: pd.DataFrame, wave: int, *, min_answered: float,
                  min_cell: int) -> tuple[plt.Figure, str]:
    """Mean score per scale and stakeholder group (groups of at least ``min_cell`` respondents), 95 % intervals."""
    scores = survey.score_scales(responses.loc[responses["wave"] == wave], items, min_answered=min_answered)
    sizes = scores.drop_duplicates("respondent_id").groupby("stakeholder_group").size()
    kept = sizes.index[sizes >= min_cell]
    data = scores.loc[scores["stakeholder_group"].isin(kept)].dropna(subset=["score"]).assign(
        Échelle=lambda d: d["scale"].map(survey.scale_label),
        Groupe=lambda d: d["stakeholder_group"].map(lambda g: plots.label("stakeholder_group", g)))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    sns.pointplot(data=data, x="Échelle", y="score", hue="Groupe", errorbar=("ci", 95), dodge=0.5,
                  linestyle="none", ax=ax, seed=1)
    plots.french_axis(ax, axis="y", kind="number")
    ax.set_ylabel("Score moyen, de 1 à 5")
    ax.set_xlabel("")
    ax.set_title(f"Score moyen par groupe, vague {wave}, intervalle à 95 %")
    ax.legend(title="", frameon=False, bbox_to_anchor=(1, 1), loc="upper left")
    means = data.groupby("Échelle")["score"].mean()
    alt = (f"Score moyen de {fr.plural(len(kept), 'groupe')} de parties prenantes sur "
           f"{fr.plural(len(means), 'échelle')} à la vague {wave} ; la moyenne la plus haute est celle de "
           f"l'échelle {means.idxmax()}, {_d2(means.max())}.")
    return fig, alt


def groups_text(compare: pd.DataFrame, min_cell: int) -> str:
    """Which scales separate the groups after Holm's correction."""
    rank = _rank_tests(compare).set_index("scale")
    sig = rank.loc[rank["p_holm"] < 0.05]
    if sig.empty:
        text = "Après correction de Holm, aucune échelle ne distingue nettement les groupes."
    else:
        text = ("Après correction de Holm, les groupes diffèrent sur : "
                + _join([f"{survey.scale_label(s)}, où la médiane la plus haute est celle des "
                         f"{plots.label('stakeholder_group', r['group']).lower()}" for s, r in sig.iterrows()]) + ".")
    if rank["note"].dropna().size:
        text += f" Les groupes de moins de {min_cell} répondants sont écartés de la comparaison."
    return text
