"""Figures of the overview notebook (``00_campaign_overview``), drawn from :mod:`rd_methods.overview`.

Each function takes what an :mod:`~rd_methods.overview` function returns and gives back a
matplotlib figure with French labels; the notebook shows it with :func:`rd_methods.plots.show`
(alternative text, source line, synthetic-data mark). Nothing is computed here.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from rd_methods import plots
from rd_methods.pipeline import ALL_STAGES

__all__ = ["actors_by_category", "members_by_college", "projects_by_need_and_stage", "events_per_year"]


def actors_by_category(by_category: pd.DataFrame) -> plt.Figure:
    """Horizontal bars of :func:`rd_methods.overview.actors_by_category` (``category, n``)."""
    fig, ax = plt.subplots(figsize=(8, 4))
    names = [plots.label("category", c) for c in by_category["category"]]
    ax.barh(names, by_category["n"], color=sns.color_palette()[0])
    ax.invert_yaxis()
    ax.set(xlabel="Nombre d'acteurs", ylabel="", title="Acteurs par catégorie")
    plots.french_axis(ax, "x", "int")
    fig.tight_layout()
    return fig


def members_by_college(members: pd.DataFrame) -> plt.Figure:
    """Stacked areas of :func:`rd_methods.overview.members_over_time` (``year, member_college, n``)."""
    wide = members.pivot(index="year", columns="member_college", values="n").fillna(0)
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.stackplot(wide.index, wide.T.values, labels=[str(c) for c in wide.columns], alpha=0.85)
    ax.set(xlabel="Année", ylabel="Sociétaires en fin d'année", title="Sociétaires par collège")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    plots.french_axis(ax, "y", "int")
    plots.french_axis(ax, "x", "int")
    fig.tight_layout()
    return fig


def projects_by_need_and_stage(table: pd.DataFrame) -> plt.Figure:
    """Heat map of :func:`rd_methods.overview.projects_by_need_and_stage` (``need, stage, n``)."""
    shown = table.assign(besoin=table["need"].map(lambda v: plots.label("need", v)),
                         étape=table["stage"].map(lambda v: plots.label("stage", v)))
    wide = shown.pivot_table(index="besoin", columns="étape", values="n", aggfunc="sum", fill_value=0)
    order = [plots.label("stage", s) for s in ALL_STAGES]
    wide = wide.reindex(columns=[c for c in order if c in wide.columns])
    fig, ax = plt.subplots(figsize=(9, 4.5))
    sns.heatmap(wide, annot=True, fmt="d", cmap="Blues", cbar=False, ax=ax)
    ax.set(xlabel="Étape la plus avancée atteinte, ou abandon", ylabel="", title="Projets par besoin et par étape")
    ax.tick_params(axis="x", rotation=0)
    fig.tight_layout()
    return fig


def events_per_year(events: pd.DataFrame) -> plt.Figure:
    """Grouped bars of :func:`rd_methods.overview.events_per_year` (``year, kind, n_events``)."""
    shown = events.assign(Type=events["kind"].map(lambda v: plots.label("event_kind", v)))
    fig, ax = plt.subplots(figsize=(9, 4))
    sns.barplot(data=shown, x="year", y="n_events", hue="Type", ax=ax)
    ax.set(xlabel="Année", ylabel="Nombre d'événements", title="Événements par année et par type")
    ax.legend(fontsize="small", frameon=False, title="")
    fig.tight_layout()
    return fig
