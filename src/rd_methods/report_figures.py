"""Figures of the territorial-effects, SROI, economic-model, synthesis and comparison pages.

Each function draws the *results* of a method function (it never computes an estimate) and
returns the matplotlib figure, with French labels, French tick formats and no truncated
label (long labels are wrapped). Notebooks show it with :func:`rd_methods.plots.show`, which
adds the French alternative text, the source line and the synthetic-data mark.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import FancyBboxPatch
from matplotlib.ticker import MaxNLocator

from rd_methods.formats import format_number, format_pct
from rd_methods.plots import category_colors, french_axis, label

__all__ = [
    "territory_trends",
    "event_study",
    "placebos",
    "synthetic_control",
    "staggered_event_study",
    "sroi_by_group",
    "sroi_by_year",
    "sroi_monte_carlo",
    "sroi_sobol",
    "sroi_tornado",
    "revenue_by_kind",
    "funding_concentration",
    "operating_balance",
    "contribution_chain",
    "campaign_intervals",
    "BREAK_EVEN_LABEL",
    "hidden_placebos",
]

BREAK_EVEN_LABEL = "Seuil de rentabilité sociale (ratio = 1)"


def _wrap(text: str, width: int = 40) -> str:
    return textwrap.fill(str(text), width)


def _years(ax: plt.Axes) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


# --------------------------------------------------------------------------- territorial effects
def territory_trends(panel: pd.DataFrame, y: str, start: int, treated_name: str, ylabel: str,
                     unit: str = "territory_code", time: str = "year", treated: str = "treated") -> plt.Figure:
    """Outcome per territory (grey), comparison mean and treated territory, start marked."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for _, s in panel[~panel[treated]].groupby(unit):
        ax.plot(s[time], s[y], color="0.8", lw=0.8)
    mean_cmp = panel[~panel[treated]].groupby(time)[y].mean()
    mean_tr = panel[panel[treated]].groupby(time)[y].mean()
    ax.plot(mean_cmp.index, mean_cmp.values, color="0.35", lw=2, label="moyenne des territoires de comparaison")
    ax.plot(mean_tr.index, mean_tr.values, color="C3", lw=2.5, label=_wrap(treated_name))
    ax.axvline(start - 0.5, color="k", ls="--", lw=1)
    ax.set(xlabel="Année", ylabel=_wrap(ylabel, 35), title="Évolution de l'indicateur par territoire")
    french_axis(ax)
    _years(ax)
    ax.legend(loc="best", fontsize=8)
    return fig


def event_study(es: pd.DataFrame, start: int, ylabel: str) -> plt.Figure:
    """Year-by-year gap relative to the year before the start, with its intervals."""
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.axhline(0, color="0.5", lw=1)
    ax.axvline(-0.5, color="k", ls="--", lw=1)
    ax.errorbar(es["rel_time"], es["estimate"], yerr=[es["estimate"] - es["ci_low"], es["ci_high"] - es["estimate"]],
                fmt="o", color="C0", capsize=3)
    _years(ax)
    ax.set(xlabel=f"Années depuis le démarrage ({start} = 0)", ylabel=_wrap(ylabel, 35),
           title="Écart aux territoires de comparaison, année par année (référence : année −1)")
    french_axis(ax)
    french_axis(ax, "x", "int")
    return fig


def placebos(space: pd.DataFrame, time_placebos: pd.DataFrame, xlabel: str) -> plt.Figure:
    """Placebos in space (effect of each comparison territory) and in time (fake start years)."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    ax = axes[0]
    pl = space.loc[~space["treated"], "estimate"]
    real = space.loc[space["treated"], "estimate"].iloc[0]
    ax.scatter(pl, np.linspace(-0.2, 0.2, len(pl)), color="0.5", label="territoires de comparaison")
    ax.axvline(real, color="C3", lw=2.5, label="territoire d'action")
    ax.axvline(0, color="0.6", lw=1)
    ax.set(yticks=[], xlabel=_wrap(xlabel, 35), title="Placebos dans l'espace")
    french_axis(ax, "x")
    ax.legend(fontsize=8, loc="upper left")
    ax = axes[1]
    colors = ["C3" if not p else "0.6" for p in time_placebos["placebo"]]
    ax.bar(time_placebos["start"].astype(int).astype(str), time_placebos["estimate"], color=colors)
    ax.axhline(0, color="0.5", lw=1)
    ax.set(xlabel=_wrap("Année de démarrage : fausses en gris, réelle en couleur", 35), ylabel="Effet estimé",
           title="Placebos dans le temps")
    french_axis(ax)
    fig.tight_layout()
    return fig


def synthetic_control(sc, start: int, treated_name: str, ylabel: str, fit_ratio: float = 5.0) -> plt.Figure:
    """Treated territory and its synthetic; gaps of the real unit and of the placebos.

    Placebos whose pre-period fit is ``fit_ratio`` times worse than the real one are left out
    of the gap panel (Abadie, Diamond & Hainmueller 2010); they stay in the rank.
    """
    s = sc.summary.iloc[0]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    ax = axes[0]
    ax.plot(sc.path["time"], sc.path["treated"], color="C3", lw=2.5, label=_wrap(treated_name, 30))
    ax.plot(sc.path["time"], sc.path["synthetic"], color="C0", lw=2, ls="--", label="territoire synthétique")
    ax.axvline(start - 0.5, color="k", ls="--", lw=1)
    ax.set(xlabel="Année", ylabel=_wrap(ylabel, 35), title="Territoire d'action et son synthétique")
    french_axis(ax)
    _years(ax)
    ax.legend(fontsize=8)
    ax = axes[1]
    good = set(sc.placebos.loc[sc.placebos["pre_rmspe"] <= fit_ratio * s["pre_rmspe"], "unit"])
    for _, g in sc.gaps.groupby("unit"):
        real_u = bool(g["treated"].iloc[0])
        if real_u or g["unit"].iloc[0] in good:
            ax.plot(g["time"], g["gap"], color="C3" if real_u else "0.8", lw=2.5 if real_u else 0.8,
                    zorder=3 if real_u else 1)
    ax.axhline(0, color="0.5", lw=1)
    ax.axvline(start - 0.5, color="k", ls="--", lw=1)
    ax.set(xlabel="Année", ylabel="Écart au synthétique", title=_wrap("Écarts : réel en couleur, placebos en gris", 40))
    french_axis(ax)
    _years(ax)
    fig.tight_layout()
    return fig


def hidden_placebos(sc, fit_ratio: float = 5.0) -> int:
    """How many placebos :func:`synthetic_control` leaves out of the gap panel."""
    s = sc.summary.iloc[0]
    good = set(sc.placebos.loc[sc.placebos["pre_rmspe"] <= fit_ratio * s["pre_rmspe"], "unit"])
    units = set(sc.placebos["unit"])
    return len(units - good)


def staggered_event_study(dynamic: pd.DataFrame, alpha: float, ylabel: str) -> plt.Figure:
    """Effect by exposure time (Callaway & Sant'Anna) with the uniform band."""
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.axhline(0, color="0.5", lw=1)
    ax.axvline(-0.5, color="k", ls="--", lw=1)
    ax.fill_between(dynamic["event_time"], dynamic["band_low"], dynamic["band_high"], color="C0", alpha=0.15,
                    label=f"bande uniforme à {format_pct(1 - alpha)}, bootstrap multiplicateur")
    ax.errorbar(dynamic["event_time"], dynamic["estimate"],
                yerr=[dynamic["estimate"] - dynamic["ci_low"], dynamic["ci_high"] - dynamic["estimate"]],
                fmt="o", color="C0", capsize=3, label="effet moyen par durée d'exposition, intervalle ponctuel")
    ax.set(xlabel="Années depuis le démarrage du territoire", ylabel=_wrap(ylabel, 35),
           title="Étude d'événement par cohortes (Callaway et Sant'Anna)")
    _years(ax)
    french_axis(ax)
    ax.legend(loc="upper left", fontsize=8)
    return fig


# --------------------------------------------------------------------------- SROI
def sroi_by_group(by_group: pd.DataFrame) -> plt.Figure:
    """Present value per stakeholder group (``SROIResult.by_stakeholder_group``)."""
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(by_group) + 1.5))
    colors = category_colors(by_group["stakeholder_group"])
    ax.barh([label("stakeholder_group", g) for g in by_group["stakeholder_group"]], by_group["present_value"],
            color=[colors[str(g)] for g in by_group["stakeholder_group"]])
    ax.invert_yaxis()
    french_axis(ax, "x", "eur")
    ax.set(xlabel="Valeur sociale actualisée", title="Valeur actualisée par groupe de parties prenantes")
    return fig


def sroi_by_year(res) -> plt.Figure:
    """Present value per year, inputs per year (negative) and the cumulative value against inputs."""
    by_year = res.by_year
    x_col = "calendar_year" if "calendar_year" in by_year.columns else "year"
    color = category_colors(["v"])["v"]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.bar(by_year[x_col], by_year["present_value"], color=color, label="Valeur actualisée de l'année")
    if res.base_year is not None:
        inp = res.inputs_by_year
        ax.bar(res.base_year + inp["period"], -inp["present_value"], color="firebrick", alpha=0.5,
               label="Ressources actualisées de l'année, en négatif")
    ax.plot(by_year[x_col], by_year["cumulative_present_value"], marker="o", color="black",
            label="Valeur actualisée cumulée")
    ax.axhline(res.total_inputs, color="firebrick", linestyle="--", label="Total des ressources actualisées")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel("Année" if x_col == "calendar_year" else "Année après l'investissement")
    _years(ax)
    french_axis(ax, "y", "eur")
    ax.set_title("Valeur sociale et ressources actualisées par année")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, frameon=False, fontsize="small")
    return fig


def sroi_monte_carlo(mc, ratio: float) -> plt.Figure:
    """Distribution of the simulated ratios, the stated ratio, the 95 % interval and the break-even line."""
    low, high = mc.ci
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.hist(mc.ratio, bins=60, color=category_colors(["v"])["v"], alpha=0.8)
    ax.axvline(ratio, color="black", label=f"Ratio déclaré : {format_number(ratio, 2)}")
    ax.axvspan(low, high, color="grey", alpha=0.15, label="Intervalle à 95 %")
    ax.axvline(1, color="firebrick", linestyle="--", label=BREAK_EVEN_LABEL)
    french_axis(ax, "x", "number")
    french_axis(ax, "y", "int")
    ax.set(xlabel="Ratio SROI, en € de valeur par € investi", ylabel="Nombre de tirages",
           title="Distribution du ratio SROI sous incertitude des hypothèses")
    ax.legend(frameon=False)
    return fig


def sroi_sobol(sobol: pd.DataFrame, labels: list[str]) -> plt.Figure:
    """First-order and total Sobol indices of the ratio (one bar pair per assumption)."""
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(sobol) + 1.5))
    ypos = np.arange(len(sobol))
    ax.barh(ypos + 0.2, sobol["ST"].to_numpy()[::-1], height=0.4, color="#0173b2", label="Indice total (ST)")
    ax.barh(ypos - 0.2, sobol["S1"].to_numpy()[::-1], height=0.4, color="#de8f05",
            label="Indice de premier ordre (S1)")
    ax.set_yticks(ypos, [_wrap(t, 45) for t in labels[::-1]])
    french_axis(ax, "x", "pct")
    ax.set(xlabel="Part de la variance du ratio", title="Indices de Sobol du ratio SROI")
    ax.legend(loc="lower right", frameon=False, fontsize="small")
    return fig


def sroi_tornado(tornado: pd.DataFrame, labels: list[str], ratio: float, change: float) -> plt.Figure:
    """One assumption at a time: the ratio's range, the stated ratio and the break-even line (ratio = 1)."""
    tornado, labels = tornado.iloc[::-1], [_wrap(t, 50) for t in labels[::-1]]
    fig, ax = plt.subplots(figsize=(10, 0.5 * len(tornado) + 1.8))
    lows = tornado[["ratio_low", "ratio_high"]].min(axis=1)
    highs = tornado[["ratio_low", "ratio_high"]].max(axis=1)
    y = np.arange(len(tornado))
    ax.barh(y, highs - ratio, left=ratio, color="#0173b2", label="Hypothèse plus favorable")
    ax.barh(y, lows - ratio, left=ratio, color="#de8f05", label="Hypothèse moins favorable")
    ax.set_yticks(y, labels)
    ax.axvline(ratio, color="black", linewidth=1, label=f"Ratio déclaré : {format_number(ratio, 2)}")
    ax.axvline(1, color="firebrick", linestyle="--", label=BREAK_EVEN_LABEL)
    ax.set_xlim(min(lows.min(), 1) - 0.05, max(highs.max(), 1) + 0.05)
    french_axis(ax, "x", "number")
    ax.set(xlabel="Ratio SROI", title=f"Ratio SROI quand une hypothèse varie de ± {format_pct(change)}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False, fontsize="small")
    return fig


# --------------------------------------------------------------------------- economic model
INCOME_ORDER = ("operating_subsidy", "project_subsidy", "service_sale", "membership_fee", "donation",
                "other_income", "share_capital", "loan")


def revenue_by_kind(mix: pd.DataFrame) -> plt.Figure:
    """Stacked income by kind and year (``economic_model.revenue_mix``)."""
    wide = mix.pivot_table(index="year", columns="kind", values="amount_eur", aggfunc="sum", fill_value=0.0)
    order = [k for k in INCOME_ORDER if k in wide.columns]
    colors = category_colors(order)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    bottom = np.zeros(len(wide))
    for k in order:
        ax.bar(wide.index, wide[k], bottom=bottom, color=colors[k], label=label("finance_kind", k))
        bottom += wide[k].to_numpy()
    ax.set_xticks(wide.index)
    french_axis(ax, "y", "eur")
    ax.set_title("Recettes par nature")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False, fontsize="small")
    return fig


def funding_concentration(conc: pd.DataFrame) -> plt.Figure:
    """HHI with its two usual thresholds, public-funder and subsidy shares, by year."""
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.plot(conc.index, conc["hhi"], marker="o", color="black", label="Indice HHI")
    ax.axhline(0.15, color="grey", linestyle=":", label="HHI : seuil de concentration modérée, 0,15")
    ax.axhline(0.25, color="firebrick", linestyle="--", label="HHI : seuil de concentration forte, 0,25")
    ax.plot(conc.index, conc["public_funder_share"], marker="s", color="#0173b2", label="Part des financeurs publics")
    ax.plot(conc.index, conc["subsidy_share"], marker="^", color="#de8f05", label="Part des subventions")
    ax.set_ylim(0, 1)
    ax.set_xticks(conc.index)
    french_axis(ax, "y", "number")
    ax.set_title("Concentration des recettes et poids de l'argent public")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False, fontsize="small")
    return fig


def operating_balance(balance: pd.DataFrame) -> plt.Figure:
    """Operating balance by year, surplus in green and deficit in orange."""
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.bar(balance["year"], balance["balance_eur"], color=np.where(balance["balance_eur"] >= 0, "#029e73", "#d55e00"))
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(balance["year"])
    french_axis(ax, "y", "eur")
    ax.set_title("Résultat d'exploitation : recettes moins dépenses")
    return fig


# --------------------------------------------------------------------------- synthesis and comparison
STRENGTH_COLORS = {"strong": "#1b7837", "moderate": "#7fbf7b", "weak": "#f4a582", "not_supported": "#b2182b",
                   "not_assessed": "#bdbdbd"}


def contribution_chain(links: pd.DataFrame) -> plt.Figure:
    """The chain of change: one box per step, arrows coloured by the strength of each link."""
    nodes = [links.iloc[0]["source"]] + links["target"].tolist()
    fig, ax = plt.subplots(figsize=(10, 2.6))
    width, gap = 1.6, 0.55
    for i, name in enumerate(nodes):
        x = i * (width + gap)
        ax.add_patch(FancyBboxPatch((x, 0.3), width, 0.9, boxstyle="round,pad=0.02", fc="#f0f0f0", ec="0.4"))
        ax.text(x + width / 2, 0.75, textwrap.fill(name, 14), ha="center", va="center", fontsize=9)
    for i, row in enumerate(links.itertuples()):
        x0 = i * (width + gap) + width
        ax.annotate("", xy=(x0 + gap, 0.75), xytext=(x0, 0.75),
                    arrowprops=dict(arrowstyle="-|>", lw=4, color=STRENGTH_COLORS[row.strength]))
        ax.text(x0 + gap / 2, 1.35, row.strength_label, ha="center", va="bottom", fontsize=9,
                color=STRENGTH_COLORS[row.strength])
    ax.set_xlim(-0.1, len(nodes) * (width + gap) - gap + 0.1)
    ax.set_ylim(0, 1.7)
    ax.axis("off")
    ax.set_title("Chaîne de changement et solidité de chaque maillon")
    return fig


def campaign_intervals(comparison: pd.DataFrame, campaigns: list[str]) -> plt.Figure | None:
    """Each key result with an interval in every campaign: one small panel per result.

    Reference bands (:func:`rd_methods.synthesis.is_reference_band`) are not drawn as intervals.

    Returns None when no key has an interval in every campaign.
    """
    from rd_methods.synthesis import is_reference_band

    # reference bands (a null model's range) are not intervals around the value: left out
    with_ci = comparison[comparison["ci_low"].notna() & comparison["ci_high"].notna()
                         & ~comparison["key"].map(is_reference_band)]
    keys = with_ci.groupby("key", sort=False)["campaign"].nunique()
    keys = keys[keys == len(campaigns)].index.tolist()
    if not keys:
        return None
    ncols = min(3, len(keys))
    nrows = -(-len(keys) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 2.4 * nrows), squeeze=False)
    colors = category_colors(campaigns)
    for ax, key in zip(axes.flat, keys, strict=False):
        part = with_ci[with_ci["key"] == key].reset_index(drop=True)
        for i, row in part.iterrows():
            v = float(row["value"])
            ax.errorbar(v, i, xerr=[[max(v - row["ci_low"], 0)], [max(row["ci_high"] - v, 0)]], fmt="o",
                        color=colors[row["campaign"]], capsize=3)
        ax.set_yticks(range(len(part)), part["campaign"])
        ax.set_ylim(-0.7, len(part) - 0.3)
        ax.set_title(_wrap(part.iloc[0]["label"], 32), fontsize=9)
        french_axis(ax, "x")
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    fig.suptitle("Résultats avec intervalle, par campagne")
    fig.tight_layout()
    return fig
