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


#: widest figure shown on a page, in inches: wider figures are scaled down so their text stays readable
MAX_WIDTH = 10.0
SYNTHETIC_MARK = "Données synthétiques"


def stamp(fig: plt.Figure, source: str | None = None, synthetic: bool = False) -> plt.Figure:
    """Draw the source line and, for demo data, the « Données synthétiques » mark ON the figure.

    A chart pasted elsewhere keeps both. The source is written in small grey type below
    the axes, on the left; the synthetic-data mark in bold on the right of the same band.
    Calling it twice does not draw twice.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = stamp(fig, source="Source : campagne demo-2025, table finances", synthetic=True)
    >>> sorted(t.get_text() for t in fig.texts)
    ['Données synthétiques', 'Source : campagne demo-2025, table finances']
    >>> plt.close(fig)
    """
    if getattr(fig, "_rd_stamped", False):
        return fig
    # below everything already drawn (a legend under the axes, wrapped tick labels)
    height = fig.get_size_inches()[1]
    lowest = fig.get_tightbbox(fig.canvas.get_renderer()).y0 / height
    y = min(lowest, 0.0) - 0.12 / height
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
    display(fig, metadata={"alt": str(alt).strip()})
    plt.close(fig)
