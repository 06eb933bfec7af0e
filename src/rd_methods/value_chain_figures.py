"""Figures of the value-chain notebook (``10_value_chain``), drawn from :mod:`rd_methods.value_chain`.

Each function takes what a :mod:`~rd_methods.value_chain` function returns and gives back a
matplotlib figure with French labels, no wider than :data:`rd_methods.plots.MAX_WIDTH`; the
notebook shows it with :func:`rd_methods.plots.show` (alternative text, source line,
synthetic-data mark). Nothing is computed here but the drawing geometry.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import ListedColormap
from matplotlib.ticker import MaxNLocator

from rd_methods import plots
from rd_methods.formats import format_eur, format_number
from rd_methods.value_chain import LAYERS, RESOURCES, SUPPORT_FUNCTIONS, flow_layout

__all__ = [
    "LAYER_TITLES",
    "contributions_by_category",
    "node_label",
    "flow",
    "leverage",
    "co_construction",
    "support_functions",
    "evidence_grid",
    "jobs",
    "regeneration",
]

LAYER_TITLES = {"actor": "Acteurs", "resource": "Ressources", "activity": "Projets", "outcome": "Parties prenantes"}


def contributions_by_category(matrix: pd.DataFrame) -> plt.Figure:
    """Stacked bars of valued euros by actor category and resource.

    ``matrix`` is :func:`rd_methods.value_chain.contribution_matrix` ``by=("category", "resource")``.
    """
    pivot = matrix.pivot_table(index="category", columns="resource", values="value_eur", aggfunc="sum", fill_value=0.0)
    pivot = pivot.loc[pivot.sum(axis=1).sort_values(ascending=False).index]
    by_res = pivot.sum().sort_values(ascending=False)
    pivot = pivot[[r for r in by_res.index if by_res[r] > 0]]
    fig, ax = plt.subplots(figsize=(plots.MAX_WIDTH, 4.8))
    left = np.zeros(len(pivot))
    colors = plots.category_colors(RESOURCES)
    for res in pivot.columns:
        ax.barh([plots.label("category", c) for c in pivot.index], pivot[res], left=left, color=colors[res],
                label=plots.label("resource", res))
        left += pivot[res].to_numpy()
    ax.invert_yaxis()
    ax.set(title="Apports valorisés par catégorie d'acteurs et nature de ressource", xlabel="Euros", ylabel="")
    plots.french_axis(ax, "x", "eur")
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.legend(title="", bbox_to_anchor=(1.01, 1), loc="upper left", frameon=False)
    fig.tight_layout()
    return fig


def node_label(node: str, code: str, layer: str, merged: int = 0, *, organisation: str | None = None,
               names: Mapping[str, str] | None = None, titles: Mapping[str, str] | None = None,
               width: int = 26) -> str:
    """French label of a node of :func:`rd_methods.value_chain.build_graph` (no id, wrapped, never cut).

    >>> node_label("other:actor", "", "actor", 3)
    'Autres (3)'
    >>> node_label("activity:P1", "P1", "activity", titles={"P1": "Épicerie solidaire itinérante du Revermont"})
    'Épicerie solidaire\\nitinérante du Revermont'
    """
    if node.startswith("other:"):
        return f"Autres ({format_number(merged)})"
    if node.startswith("category:"):
        text = plots.label("category", code)
    elif node.startswith("actor:"):
        text = "Structure évaluée" if code == organisation else str((names if names is not None else {}).get(code, "Acteur"))
    elif layer == "resource":
        text = plots.label("resource", code)
    elif layer == "activity":
        text = str((titles if titles is not None else {}).get(code) or "Projet sans titre")
    elif code == "undocumented":
        text = "Sans résultat renseigné"
    else:
        text = plots.label("stakeholder_group", code)
    return textwrap.fill(text, width)


def flow(graph, title: str, *, max_nodes: int = 8, height: float = 6.5, organisation: str | None = None,
         names: Mapping[str, str] | None = None, titles: Mapping[str, str] | None = None) -> plt.Figure:
    """Layered flow figure (Sankey-like) of :func:`rd_methods.value_chain.build_graph`.

    Blocks and bands are proportional to the valued euros (:func:`~rd_methods.value_chain.flow_layout`,
    which merges the smallest blocks of a column beyond ``max_nodes``); each block is labelled
    with its French name (wrapped, never truncated) and its euros.
    """
    lay = flow_layout(graph, max_nodes=max_nodes)
    nodes = lay.nodes.set_index("node")
    palette = sns.color_palette("colorblind", 10)
    colour = {n: palette[i % 10] for i, n in enumerate(nodes.index)}
    fig, ax = plt.subplots(figsize=(plots.MAX_WIDTH, height))
    w = 0.06
    t = np.linspace(0, 1, 40)
    smooth = t * t * (3 - 2 * t)
    for link in lay.links.itertuples(index=False):
        xs = link.x0 + w + (link.x1 - link.x0 - w) * t
        ax.fill_between(xs, link.s0 + (link.t0 - link.s0) * smooth, link.s1 + (link.t1 - link.s1) * smooth,
                        color=colour[link.source], alpha=0.35, linewidth=0)
    for node, row in nodes.iterrows():
        ax.add_patch(plt.Rectangle((row["x"], row["y0"]), w, row["y1"] - row["y0"], color=colour[node]))
        text = node_label(node, row["code"], row["layer"], row["merged"], organisation=organisation, names=names,
                          titles=titles, width=34)
        if row["y1"] - row["y0"] > 0.014 * (text.count("\n") + 1):  # room for every line of the label
            ax.text(row["x"] + w + 0.02, (row["y0"] + row["y1"]) / 2, f"{text} · {format_eur(row['value_eur'])}",
                    ha="left", va="center", fontsize=7.5,
                    bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 0.6})
    for x, layer in enumerate(LAYERS):
        if layer in set(nodes["layer"]):
            ax.text(x + w / 2, 1.04, LAYER_TITLES[layer], ha="center", fontweight="bold")
    ax.set_xlim(-0.05, 3.95)
    ax.set_ylim(-0.02, 1.08)
    ax.axis("off")
    ax.set_title(title)
    return fig


def leverage(per_project: pd.DataFrame, overall: float, by_year: pd.DataFrame) -> plt.Figure:
    """Histogram of the leverage by project (log scale, overall value dashed) and leverage by year.

    ``per_project`` and ``by_year`` are rows of :func:`rd_methods.value_chain.leverage`.
    """
    fig, axes = plt.subplots(1, 2, figsize=(plots.MAX_WIDTH, 4.2))
    ax = axes[0]
    values = per_project["leverage"].dropna()
    if len(values):
        logs = np.log10(values.clip(lower=0.01))
        sns.histplot(logs, bins=20, ax=ax)
        ticks = [t for t in (0.1, 0.3, 1, 3, 10, 30, 100, 300) if logs.min() - 0.3 <= np.log10(t) <= logs.max() + 0.3]
        ax.set_xticks(np.log10(ticks), [format_number(t) for t in ticks])
        if overall == overall:
            ax.axvline(np.log10(overall), color="black", linestyle="--", label="ensemble des projets")
            ax.legend(frameon=False, fontsize="small")
    ax.set(title="Effet levier par projet", xlabel="€ des autres pour 1 € de la structure, échelle log", ylabel="Projets")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    plots.french_axis(ax, "y", "int")
    ax = axes[1]
    ok = by_year[by_year["leverage"].notna()]
    ax.plot(ok["year"].astype(int), ok["leverage"], marker="o")
    ax.set(title="Effet levier par année", xlabel="Année", ylabel="€ des autres pour 1 € de la structure")
    ax.set_ylim(bottom=0)
    plots.french_axis(ax, "y", "number")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    return fig


def co_construction(per_project: pd.DataFrame) -> plt.Figure:
    """Partner categories per project, and diversity against concentration of euros.

    ``per_project``: :func:`rd_methods.value_chain.co_construction` rows of scope ``project``.
    """
    fig, axes = plt.subplots(1, 2, figsize=(plots.MAX_WIDTH, 4))
    sns.countplot(x=per_project["n_categories"], ax=axes[0], color=sns.color_palette()[0])
    axes[0].set(title="Catégories de partenaires par projet", xlabel="Nombre de catégories, hors structure",
                ylabel="Projets")
    sns.scatterplot(data=per_project, x="shannon", y="herfindahl", size="value_eur", sizes=(15, 250), ax=axes[1],
                    legend=False)
    axes[1].set(title="Diversité et concentration", xlabel="Diversité des catégories (Shannon)",
                ylabel="Concentration des euros (Herfindahl)")
    axes[0].yaxis.set_major_locator(MaxNLocator(integer=True))
    plots.french_axis(axes[0], "y", "int")
    plots.french_axis(axes[1], "y", "number")
    plots.french_axis(axes[1], "x", "number")
    fig.tight_layout()
    return fig


def support_functions(activities: pd.DataFrame, yearly: pd.DataFrame) -> plt.Figure:
    """Cost of the structure's activities by function and year (support hatched), and the support share.

    ``activities`` is the table ``activities``; ``yearly`` the ``year`` rows of
    :func:`rd_methods.value_chain.support_share`.
    """
    wide = (activities.groupby(["year", "function"], as_index=False)["cost_eur"].sum()
            .pivot(index="year", columns="function", values="cost_eur").fillna(0.0))
    order = [f for f in SUPPORT_FUNCTIONS if f in wide] + [f for f in wide.columns if f not in SUPPORT_FUNCTIONS]
    fig, axes = plt.subplots(1, 2, figsize=(plots.MAX_WIDTH, 4.6), gridspec_kw={"width_ratios": [3, 2]})
    ax = axes[0]
    bottom = np.zeros(len(wide))
    colors = plots.category_colors(wide.columns)
    for f in order:
        support = f in SUPPORT_FUNCTIONS
        ax.bar(wide.index.astype(int), wide[f], bottom=bottom, color=colors[f], edgecolor="white",
               label=plots.label("function", f) + (", support" if support else ""), hatch="//" if support else None)
        bottom += wide[f].to_numpy()
    ax.set(title="Coût des activités par fonction", xlabel="Année", ylabel="Coût")
    plots.french_axis(ax, "y", "eur")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(title="", fontsize=7.5, bbox_to_anchor=(1.0, 1), loc="upper left", frameon=False)
    ax = axes[1]
    ax.plot(yearly["year"].astype(int), yearly["share_cost"], marker="o", label="dans le coût")
    ax.plot(yearly["year"].astype(int), yearly["share_hours"], marker="s", label="dans les heures")
    ax.set(title="Part des fonctions support", xlabel="Année", ylabel="")
    ax.set_ylim(0, 1)
    plots.french_axis(ax, "y", "pct")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(title="", frameon=False)
    fig.tight_layout()
    return fig


_EVIDENCE_RANK = {"estimated": 1, "declared": 2, "measured": 3}


def evidence_grid(grid: pd.DataFrame) -> plt.Figure:
    """Indicators by stakeholder group × value type, coloured by the strongest evidence level.

    ``grid`` is :attr:`rd_methods.value_chain.ValueCreated.grid`.
    """
    rank = grid.assign(r=grid["evidence"].map(lambda e: _EVIDENCE_RANK.get(e, 0)).astype(float))
    rows, cols = list(dict.fromkeys(grid["stakeholder_group"])), list(dict.fromkeys(grid["value_type"]))
    heat = rank.pivot(index="stakeholder_group", columns="value_type", values="r").loc[rows, cols]
    annot = grid.pivot(index="stakeholder_group", columns="value_type", values="n_indicators").loc[rows, cols]
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    cmap = ListedColormap(["#f2f2f2", "#fdd49e", "#fc8d59", "#b30000"])
    sns.heatmap(heat, vmin=-0.5, vmax=3.5, cmap=cmap, annot=annot.map(lambda n: format_number(n) if n > 0 else ""),
                fmt="", linewidths=1, linecolor="white", ax=ax, cbar_kws={"ticks": [0, 1, 2, 3]})
    ax.collections[0].colorbar.set_ticklabels(["aucun indicateur", "estimée", "déclarée", "mesurée"])
    ax.set_yticklabels([plots.label("stakeholder_group", g) for g in heat.index], rotation=0)
    ax.set_xticklabels([plots.label("value_type", t) for t in heat.columns], rotation=0)
    ax.set(title="Indicateurs par partie prenante et type de valeur\nnombre d'indicateurs ; couleur : meilleur niveau de preuve",
           xlabel="", ylabel="")
    fig.tight_layout()
    return fig


def jobs(by_year: pd.DataFrame, shown: pd.DataFrame) -> plt.Figure:
    """People employed (small counts suppressed in ``shown``), of whom in integration, and FTE per year.

    ``by_year`` is :attr:`rd_methods.value_chain.ValueCreated.jobs_by_year`; ``shown`` the same
    after :func:`rd_methods.disclosure.suppress_small`.
    """
    fig, ax = plt.subplots(figsize=(9, 4))
    years = by_year["year"].astype(int)
    ax.bar(years, shown["headcount"].fillna(0), color=sns.color_palette()[0], alpha=0.35, label="Personnes employées")
    ax.bar(years, shown["insertion_headcount"].fillna(0), color=sns.color_palette()[2], alpha=0.8, label="dont en insertion")
    ax.plot(years, by_year["fte"], marker="o", color="black", label="Équivalents temps plein")
    ax.set(title="Emplois des activités issues des projets", xlabel="Année", ylabel="Emplois")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    plots.french_axis(ax, "y", "number")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def regeneration(counts_lag: pd.DataFrame, counts_year: pd.DataFrame) -> plt.Figure:
    """Regenerating actors by lag (years from participation to first contribution) and by year.

    Both frames have ``n`` (suppressed counts are NaN and drawn as empty bars) and
    ``lag_years`` / ``first_contribution_year``.
    """
    fig, axes = plt.subplots(1, 2, figsize=(plots.MAX_WIDTH, 4))
    for ax, counts, col, title, xlabel in (
        (axes[0], counts_lag, "lag_years", "Délai entre participation et premier apport", "Années"),
        (axes[1], counts_year, "first_contribution_year", "Année du premier apport", "Année"),
    ):
        ax.bar(counts[col].astype(int), counts["n"].fillna(0), color=sns.color_palette()[0])
        ax.set(title=title, xlabel=xlabel, ylabel="Acteurs")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        plots.french_axis(ax, "y", "int")
    fig.tight_layout()
    return fig
