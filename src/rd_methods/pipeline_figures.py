"""Figures of the pipeline notebook (``30_rd_pipeline``), drawn from :mod:`rd_methods.pipeline`.

Each function takes what a :mod:`~rd_methods.pipeline` function returns and gives back a
matplotlib figure with French labels, no wider than :data:`rd_methods.plots.MAX_WIDTH`; the
notebook shows it with :func:`rd_methods.plots.show` (alternative text, source line,
synthetic-data mark). Nothing is computed here.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from rd_methods import plots
from rd_methods.formats import format_number

__all__ = ["MODEL_LABELS", "TERM_LABELS", "term_label", "funnel", "cohorts", "cumulative_incidence", "by_need",
           "launch_model", "activity_survival", "jobs"]

MODEL_LABELS = {"logit": "Rapport de cotes, logistique", "firth_logit": "Rapport de cotes, logistique de Firth",
                "cox_subdistribution": "Rapport de sous-risques, Cox avec abandon concurrent"}
TERM_LABELS = {"n_partners": "Nombre de partenaires, +1", "n_partner_categories": "Diversité des partenaires, +1 catégorie",
               "n_workshop_participations": "Participations aux ateliers du projet, +1"}


def term_label(term: str, reference_need: str | None = None) -> str:
    """French label of a term of :func:`rd_methods.pipeline.launch_model`.

    >>> term_label("C(need)[T.food]", "employment"), term_label("n_partners")
    ('Besoin : Alimentation, par rapport à Emploi', 'Nombre de partenaires, +1')
    """
    if term.startswith("C(need)[T."):
        text = f"Besoin : {plots.label('need', term[len('C(need)[T.'):-1])}"
        return text + (f", par rapport à {plots.label('need', reference_need)}" if reference_need else "")
    return TERM_LABELS.get(term, term)


def _errors(frame: pd.DataFrame, value: str, low: str, high: str) -> list[np.ndarray]:
    return [(frame[value] - frame[low]).clip(lower=0).to_numpy(), (frame[high] - frame[value]).clip(lower=0).to_numpy()]


def funnel(table: pd.DataFrame, level: str) -> plt.Figure:
    """Share of ideas reaching each stage, and conversion of resolved projects, with their intervals.

    ``table`` is :func:`rd_methods.pipeline.funnel`; ``level`` the interval level (« 95 % »).
    """
    names = [plots.label("stage", s) for s in table["stage"]]
    fig, axes = plt.subplots(1, 2, figsize=(plots.MAX_WIDTH, 4.5))
    ax = axes[0]
    y = np.arange(len(table))
    ax.barh(y, table["share_of_ideas"], color=sns.color_palette()[0])
    later = (table["stage"] != "idea").to_numpy()
    ax.errorbar(table.loc[later, "share_of_ideas"], y[later],
                xerr=_errors(table[later], "share_of_ideas", "share_ci_low", "share_ci_high"),
                fmt="none", ecolor="black", capsize=3)
    for i, (n, high) in enumerate(zip(table["n_reached"], table["share_ci_high"].fillna(1), strict=True)):
        ax.text(min(high, 1) + 0.02, i, format_number(n), va="center")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.15)
    ax.set(title="Part des idées ayant atteint chaque étape", xlabel=f"Part des idées, intervalle à {level}", ylabel="")
    plots.french_axis(ax, "x", "pct")
    ax = axes[1]
    conv = table[later]
    ax.errorbar(conv["conversion_resolved"], np.arange(len(conv)),
                xerr=_errors(conv, "conversion_resolved", "resolved_ci_low", "resolved_ci_high"), fmt="o", capsize=3)
    ax.set_yticks(np.arange(len(conv)), [plots.label("stage", s) for s in conv["stage"]])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set(title="Taux de passage, projets au devenir connu", xlabel=f"Taux, intervalle à {level}", ylabel="")
    plots.french_axis(ax, "x", "pct")
    fig.tight_layout()
    return fig


def cohorts(table: pd.DataFrame, stages=("workshop", "feasibility", "launched")) -> plt.Figure:
    """Share of each year's ideas that reached a stage (``table``: :func:`~rd_methods.pipeline.funnel` ``by="cohort"``)."""
    shown = table[table["stage"].isin(stages)].assign(étape=lambda d: d["stage"].map(lambda s: plots.label("stage", s)))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    sns.pointplot(data=shown, x="cohort", y="share_of_ideas", hue="étape", ax=ax, dodge=0.3, linestyle="none")
    ax.set(title="Part des idées de chaque année ayant atteint une étape", xlabel="Année de recueil de l'idée",
           ylabel="Part des idées de l'année")
    plots.french_axis(ax, "y", "pct")
    ax.legend(title="", frameon=False)
    fig.tight_layout()
    return fig


def cumulative_incidence(cif: pd.DataFrame, level: str) -> plt.Figure:
    """Aalen–Johansen incidence of launch and abandonment since the idea (:func:`~rd_methods.pipeline.cumulative_incidence`)."""
    years = cif["time"] / 365.25
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.step(years, cif["cif_launched"], where="post", label="Lancées")
    ax.fill_between(years, cif["ci_low"], cif["ci_high"], step="post", alpha=0.25)
    ax.step(years, cif["cif_abandoned"], where="post", label="Abandonnées", color="0.45")
    ax.fill_between(years, cif["ci_low_abandoned"], cif["ci_high_abandoned"], step="post", alpha=0.15, color="0.45")
    ax.set(title="Incidence cumulée du lancement et de l'abandon depuis l'idée", xlabel="Années depuis le recueil de l'idée",
           ylabel=f"Part des idées, intervalle à {level}")
    plots.french_axis(ax, "y", "pct")
    plots.french_axis(ax, "x", "number")
    ax.legend(title="", frameon=False)
    fig.tight_layout()
    return fig


def by_need(table: pd.DataFrame, level: str) -> plt.Figure:
    """Share of ideas launched by need, with intervals (``table``: last rows of the incidence by need)."""
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.errorbar(table["cif_launched"], np.arange(len(table)), xerr=_errors(table, "cif_launched", "ci_low", "ci_high"),
                fmt="o", capsize=3)
    ax.set_yticks(np.arange(len(table)), [plots.label("need", v) for v in table["need"]])
    ax.invert_yaxis()
    ax.set(title="Part des idées lancées, par besoin visé", xlabel=f"Part lancée, incidence cumulée, intervalle à {level}",
           ylabel="")
    plots.french_axis(ax, "x", "pct")
    fig.tight_layout()
    return fig


def launch_model(table: pd.DataFrame, level: str) -> plt.Figure:
    """Ratios of the main terms of :func:`~rd_methods.pipeline.launch_model` with intervals, log scale, 1 marked."""
    main = table[~table["term"].str.startswith("C(need)")]
    fig, ax = plt.subplots(figsize=(9, 3.8))
    models = list(dict.fromkeys(main["model"]))
    for i, name in enumerate(models):
        g = main[main["model"] == name]
        y = np.arange(len(g)) + (i - (len(models) - 1) / 2) * 0.25
        ax.errorbar(g["ratio"], y, xerr=_errors(g, "ratio", "ci_low", "ci_high"), fmt="o", capsize=3,
                    label=MODEL_LABELS.get(name, name))
    terms = list(dict.fromkeys(main["term"]))
    ax.set_yticks(np.arange(len(terms)), [term_label(t) for t in terms])
    ax.axvline(1, color="grey", linestyle="--")
    ax.set_xscale("log")
    low, high = ax.get_xlim()
    ax.set_xticks([v for v in (0.1, 0.25, 0.5, 1, 2, 4, 10) if low <= v <= high])
    ax.xaxis.set_minor_locator(plt.NullLocator())
    plots.french_axis(ax, "x", "number")
    ax.set(title="Ce qui va avec un lancement", xlabel=f"Rapport, échelle log, intervalle à {level}", ylabel="")
    ax.legend(title="", fontsize="small", frameon=False)
    fig.tight_layout()
    return fig


def activity_survival(life: pd.DataFrame, level: str) -> plt.Figure:
    """Share of launched activities still active by years since launch (:func:`~rd_methods.pipeline.activity_survival`)."""
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.errorbar(life["years_since_launch"], life["active_share"], yerr=_errors(life, "active_share", "ci_low", "ci_high"),
                fmt="o-", capsize=3)
    ax.set(title="Part des activités encore actives selon l'ancienneté", xlabel="Années depuis le lancement",
           ylabel=f"Part active, intervalle à {level}", ylim=(0, 1.05))
    plots.french_axis(ax, "y", "pct")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    return fig


def jobs(by_year: pd.DataFrame, shown: pd.DataFrame) -> plt.Figure:
    """FTE per year (bars) and people in integration (small counts suppressed in ``shown``)."""
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.bar(by_year["year"], by_year["fte"], color=sns.color_palette()[0], label="Emplois en ETP")
    ax.plot(shown["year"], shown["insertion_headcount"], "o-", color=sns.color_palette()[1], label="Personnes en insertion")
    ax.set(title="Emplois dans les activités lancées", xlabel="Année", ylabel="ETP ou personnes")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    plots.french_axis(ax, "y", "number")
    ax.legend(title="", frameon=False)
    fig.tight_layout()
    return fig
