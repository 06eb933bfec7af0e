"""One look for every figure: seaborn theme, French labels and French number formats.

Numbers are formatted with Babel's CLDR data for the ``fr_FR`` locale (decimal comma,
narrow no-break space between thousands), never with hand-made string code; the number
formats live in :mod:`rd_methods.formats` (no matplotlib) and are re-exported here.

Plotting functions here draw the *results* of method functions; they never compute them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import seaborn as sns
from babel.numbers import format_compact_decimal
from matplotlib.ticker import FuncFormatter

from rd_methods.formats import LOCALE, format_eur, format_number, format_pct

__all__ = [
    "LOCALE",
    "PALETTE",
    "LABELS",
    "label",
    "use_theme",
    "format_number",
    "format_eur",
    "format_pct",
    "french_axis",
    "category_colors",
    "MAX_WIDTH",
    "SYNTHETIC_MARK",
    "stamp",
    "show",
    "source_line",
    "network_map",
    "source_text",
]

PALETTE = "colorblind"

#: French labels for the coded values of the data contract (docs/data-contract.md).
LABELS: dict[str, dict[str, str]] = {
    "category": {
        "enterprise": "Entreprises",
        "social_economy": "Économie sociale et solidaire",
        "association": "Associations",
        "local_authority": "Collectivités locales",
        "public_agency": "Organismes publics",
        "research": "Recherche",
        "citizen": "Citoyens",
        "other": "Autres",
    },
    "need": {
        "employment": "Emploi",
        "housing": "Logement",
        "local_services": "Services de proximité",
        "food": "Alimentation",
        "mobility": "Mobilité",
        "energy": "Énergie",
        "circular_economy": "Économie circulaire",
        "culture": "Culture",
        "other": "Autres",
    },
    "stage": {
        "idea": "Idée",
        "workshop": "Atelier",
        "feasibility": "Faisabilité",
        "incubation": "Incubation",
        "launched": "Lancement",
        "autonomous": "Activité autonome",
        "abandoned": "Abandon",
    },
    "function": {
        "governance": "Gouvernance",
        "animation": "Animation",
        "engineering": "Ingénierie",
        "communication": "Communication",
        "fundraising": "Recherche de financements",
        "administration": "Administration",
        "production": "Production",
        "service": "Service",
    },
    "kind": {"primary": "Activité principale", "support": "Fonction support"},
    "resource": {
        "cash": "Apport financier",
        "staff_time": "Temps salarié",
        "volunteer_time": "Temps bénévole",
        "skills": "Compétences",
        "premises": "Locaux",
        "equipment": "Équipement",
        "network": "Réseau",
    },
    "stakeholder_group": {
        "beneficiaries": "Bénéficiaires",
        "employees": "Salariés",
        "volunteers": "Bénévoles",
        "members": "Sociétaires",
        "partners": "Partenaires",
        "local_authorities": "Collectivités",
        "territory": "Territoire",
    },
    "value_type": {
        "economic": "Économique",
        "social": "Sociale",
        "societal": "Sociétale",
        "political": "Politique",
        "environmental": "Environnementale",
    },
    "evidence": {"measured": "Mesurée", "declared": "Déclarée", "estimated": "Estimée"},
    "event_kind": {
        "workshop": "Atelier thématique",
        "territorial_event": "Événement territorial",
        "committee": "Comité",
        "meeting": "Réunion de travail",
        "training": "Formation",
    },
    "finance_kind": {
        "operating_subsidy": "Subventions de fonctionnement",
        "project_subsidy": "Subventions de projets",
        "service_sale": "Ventes de prestations",
        "membership_fee": "Cotisations",
        "share_capital": "Parts sociales",
        "donation": "Dons",
        "loan": "Emprunts",
        "other_income": "Autres produits",
        "staff": "Personnel",
        "premises": "Locaux",
        "purchases": "Achats",
        "subcontracting": "Sous-traitance",
        "other_expense": "Autres charges",
    },
    "transition": {"ecological": "Écologique", "economic": "Économique", "social": "Sociale", "all": "Ensemble (sans double compte)"},
    "tie_kind": {
        "partnership": "Partenariat",
        "contract": "Contrat",
        "supply": "Fourniture",
        "funding": "Financement",
        "membership": "Adhésion",
    },
}


def label(field: str, value: object) -> str:
    """French label of a coded value, e.g. ``label("need", "food") == "Alimentation"``.

    Unknown values are returned unchanged (as text), so a figure never loses a category.
    """
    return LABELS.get(field, {}).get(str(value), str(value))


def use_theme(context: str = "notebook") -> None:
    """Apply the project's figure theme (seaborn ``whitegrid``, colour-blind palette).

    Call once at the top of each notebook.
    """
    sns.set_theme(context=context, style="whitegrid", palette=PALETTE)
    mpl.rcParams.update(
        {
            "figure.figsize": (8, 4.5),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "savefig.bbox": "tight",
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.formatter.use_locale": False,
        }
    )


def _axis_eur(value: float) -> str:
    """Euro tick label, compact from 10 000 on (``200 k€``, ``1,2 M€``) so ticks never collide."""
    if abs(value) >= 10_000:
        return f"{format_compact_decimal(value, locale=LOCALE, fraction_digits=1)}€"
    return format_eur(value)


_FORMATTERS = {
    "number": lambda v: format_number(v),
    "eur": _axis_eur,
    "pct": format_pct,
    "int": lambda v: format_number(v, 0),
}


def french_axis(ax: plt.Axes, axis: str = "y", kind: str = "number") -> plt.Axes:
    """Format an axis's tick labels the French way (``kind``: number, int, eur or pct).

    Euro ticks of 10 000 € or more are written compactly (``200 k€``, ``1,2 M€``).
    """
    formatter = FuncFormatter(lambda v, _pos: _FORMATTERS[kind](v))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)
    return ax


def category_colors(values, palette: str = PALETTE) -> Mapping[str, tuple]:
    """A stable colour per value (sorted), the same in every figure of a notebook."""
    values = sorted({str(v) for v in values})
    colors = sns.color_palette(palette, n_colors=max(len(values), 1))
    return {v: colors[i % len(colors)] for i, v in enumerate(values)}


#: Widest figure, in inches: a wider one is scaled down by :func:`show`, so that its text,
#: once the page fits the image to its column, stays readable.
MAX_WIDTH = 10.0

#: Mark drawn on every figure of a synthetic (demo) campaign.
SYNTHETIC_MARK = "Données synthétiques"


def source_line(campaign: str, tables) -> str:
    """« Source : campagne demo-2025, tables events, participations » for :func:`stamp`.

    >>> source_line("demo-2025", ["events", "participations"])
    'Source : campagne demo-2025, tables events, participations'
    >>> source_line("demo-2025", ["territory_panel"])
    'Source : campagne demo-2025, table territory_panel'
    """
    tables = [str(t) for t in tables]
    word = "table" if len(tables) == 1 else "tables"
    return f"Source : campagne {campaign}, {word} {', '.join(tables)}"


def source_text(campaign, *tables: str) -> str:
    """The source line of a figure: « Source : campagne demo-2025, tables actors.csv et events.csv ».

    ``campaign`` is a :class:`rd_methods.campaign.Campaign` (its id and, when known, the file
    that holds each table) or a campaign id; ``tables`` are the table names the figure reads.

    >>> source_text("demo-2025", "actors", "events")
    'Source : campagne demo-2025, tables actors et events'
    """
    from rd_methods.formats import join_words

    cid = getattr(campaign, "id", campaign)
    files = list(getattr(campaign, "files", None) or [])

    def file_of(table: str) -> str:
        for name in files:
            stem = str(name).rsplit("/", 1)[-1].split(".", 1)[0]
            if stem == table:
                return str(name).rsplit("/", 1)[-1]
        return table

    text = f"Source : campagne {cid}"
    if tables:
        text += f", {'tables' if len(tables) > 1 else 'table'} {join_words([file_of(t) for t in tables])}"
    return text


def stamp(fig: plt.Figure, source: str | None = None, synthetic: bool = False) -> plt.Figure:
    """Draw the source line and, for demo data, the « Données synthétiques » mark ON the figure.

    A chart pasted elsewhere keeps both: the source in small grey type below the axes on the
    left, the synthetic-data mark in bold on the right of the same band. Calling it twice
    does not draw twice.

    >>> fig, ax = plt.subplots()
    >>> _ = stamp(stamp(fig, source="Source : campagne demo-2025, table finances", synthetic=True))
    >>> sorted(t.get_text() for t in fig.texts)
    ['Données synthétiques', 'Source : campagne demo-2025, table finances']
    >>> plt.close(fig)
    """
    if getattr(fig, "_rd_stamped", False):
        return fig
    # below everything already drawn (tick labels, axis titles, legends under the axes)
    bottom = fig.get_tightbbox(fig.canvas.get_renderer()).y0 / fig.get_size_inches()[1]
    y = min(0.0, bottom) - 0.01
    if source:
        fig.text(0.01, y, source, ha="left", va="top", fontsize=8, color="0.35")
    if synthetic:
        fig.text(0.99, y, SYNTHETIC_MARK, ha="right", va="top", fontsize=9, color="firebrick",
                 fontweight="bold")
    fig._rd_stamped = True
    return fig


def show(fig: plt.Figure, alt: str, source: str | None = None, synthetic: bool = False) -> None:
    """Display a figure in a notebook with its French alternative text, then close it.

    ``alt`` states the figure's main point (it becomes the page's ``alt`` attribute, see
    :func:`rd_methods.publish.html.with_alt_texts`); ``source`` and ``synthetic`` are drawn on
    the figure by :func:`stamp`. A figure wider than :data:`MAX_WIDTH` inches is scaled down.
    """
    from IPython.display import display

    if not str(alt or "").strip():
        raise ValueError("a published figure needs a French alternative text (alt)")
    width, height = fig.get_size_inches()
    if width > MAX_WIDTH:
        fig.set_size_inches(MAX_WIDTH, height * MAX_WIDTH / width)
    stamp(fig, source=source, synthetic=synthetic)
    text = " ".join(re.sub(r"\*\*|__|(?<!\w)[*_]|[*_](?!\w)", "", str(alt)).split())  # no markdown emphasis
    display(fig, metadata={"image/png": {"alt": text}})
    plt.close(fig)


def network_map(graphs, highlight=None, *, seed: int = 0, max_nodes: int = 2000,
                attribute: str = "category", title: str = "Réseau des acteurs") -> plt.Figure:
    """Draw one or more actor networks side by side, coloured by category.

    ``graphs`` maps a panel title (e.g. a year) to a network (:func:`rd_methods.network.build_graph`);
    ``highlight`` (an actor id, e.g. the evaluated structure) is drawn as a black star. A
    network of more than ``max_nodes`` actors is drawn through its ``max_nodes``
    best-connected actors and the ties among them (a campaign 100 times the demo has some
    300 000 actors: a spring layout of all of them is neither computable nor readable), and
    the panel's title says so. Positions: :func:`rd_methods.network.layout` (seeded).

    >>> import networkx as nx
    >>> G = nx.star_graph(5); nx.set_node_attributes(G, "association", "category")
    >>> fig = network_map({"2020": G}, highlight=0, max_nodes=3)
    >>> fig.axes[0].get_title()
    '2020 : les 3 acteurs les plus connectés sur 6'
    >>> plt.close(fig)
    """
    import numpy as np
    from matplotlib.collections import LineCollection

    from rd_methods.network import best_connected, layout

    cats = sorted({str(d.get(attribute)) for G in graphs.values() for _, d in G.nodes(data=True)})
    colors = category_colors(cats)
    fig, axes = plt.subplots(1, len(graphs), figsize=(5 * len(graphs), 5), squeeze=False)
    for ax, (name, G) in zip(axes[0], graphs.items(), strict=True):
        H = best_connected(G, max_nodes)
        pos = layout(H, seed=seed).set_index("actor_id")
        xy = pos.loc[[str(v) for v in H], ["x", "y"]].to_numpy() if len(H) else np.zeros((0, 2))
        index = {v: i for i, v in enumerate(H)}
        segs = [(xy[index[u]], xy[index[v]]) for u, v in H.edges()]
        ax.add_collection(LineCollection(segs, colors="0.6", linewidths=0.2, alpha=0.25, zorder=1))
        if len(H):
            ax.scatter(xy[:, 0], xy[:, 1], s=8, zorder=2, linewidths=0,
                       c=[colors[str(H.nodes[v].get(attribute))] for v in H])
        if highlight is not None and highlight in index:
            ax.scatter(*xy[index[highlight]], s=220, marker="*", c="black", zorder=3)
            ax.annotate("structure", xy[index[highlight]], xytext=(6, 6), textcoords="offset points", fontsize=9)
        sampled = len(H) < G.number_of_nodes()
        ax.set_title(f"{name} : les {format_number(len(H))} acteurs les plus connectés sur "
                     f"{format_number(G.number_of_nodes())}" if sampled else str(name), fontsize=10)
        ax.set_axis_off()
    handles = [plt.Line2D([], [], marker="o", ls="", color=colors[c], label=label(attribute, c)) for c in cats]
    if highlight is not None:
        handles.append(plt.Line2D([], [], marker="*", ls="", color="black", markersize=12, label="Structure évaluée"))
    fig.subplots_adjust(bottom=0.16)  # the legend above the band of the source line (stamp)
    fig.legend(handles=handles, loc="lower center", ncol=min(5, len(handles)), frameon=False,
               bbox_to_anchor=(0.5, 0.0), fontsize=9)
    fig.suptitle(title, x=0.02, ha="left", fontweight="bold")
    return fig
