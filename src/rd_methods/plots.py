"""One look for every figure: seaborn theme, French labels and French number formats.

Numbers are formatted with Babel's CLDR data for the ``fr_FR`` locale (decimal comma,
narrow no-break space between thousands), never with hand-made string code; the number
formats live in :mod:`rd_methods.formats` (no matplotlib) and are re-exported here.

Plotting functions here draw the *results* of method functions; they never compute them.
"""

from __future__ import annotations

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
    "source_text",
    "stamp",
    "show",
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


#: Widest figure, in inches: at the page's 100 dpi a wider one is scaled down and its text gets unreadable.
MAX_WIDTH = 10.0
#: The mark drawn on every figure of a synthetic (demo) campaign.
SYNTHETIC_MARK = "Données synthétiques"


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
    """Draw the source line (bottom left) and, for synthetic data, the mark « Données synthétiques »
    (top right) ON the figure, so that a copied chart keeps both.

    Returns the figure; calling it twice does not draw twice.
    """
    for text in list(getattr(fig, "_rd_stamp", [])):
        text.remove()
    drawn = []
    if source:
        drawn.append(fig.text(0.01, 0.0, source, ha="left", va="top", fontsize=8, color="0.35"))
    if synthetic:
        drawn.append(fig.text(0.99, 1.0, SYNTHETIC_MARK, ha="right", va="bottom", fontsize=9, fontweight="bold",
                              color="#b30000"))
    fig._rd_stamp = drawn
    return fig


def show(fig: plt.Figure, alt: str, *, source: str | None = None, synthetic: bool = False) -> None:
    """Display a figure with its French alternative text (stamped first when ``source`` or ``synthetic``).

    ``alt`` states the figure's main point (WCAG 1.1.1); the publisher writes it as the image's
    ``alt`` attribute (:func:`rd_methods.publish.html.with_alt_texts`). The figure is then
    closed, so that the notebook does not show it twice.
    """
    if not alt or not alt.strip():
        raise ValueError("a figure needs an alternative text stating its main point")
    if source or synthetic:
        stamp(fig, source=source, synthetic=synthetic)
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display(fig, metadata={"image/png": {"alt": alt.replace("**", "").strip()}})
    finally:
        plt.close(fig)
