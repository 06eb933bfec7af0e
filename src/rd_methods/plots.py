"""One look for every figure: seaborn theme, French labels and French number formats.

Numbers are formatted with Babel's CLDR data for the ``fr_FR`` locale (decimal comma,
narrow no-break space between thousands), never with hand-made string code.

Plotting functions here draw the *results* of method functions; they never compute them.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import seaborn as sns
from babel.numbers import format_compact_decimal, format_decimal, format_percent
from matplotlib.ticker import FuncFormatter

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
]

LOCALE = "fr_FR"
PALETTE = "colorblind"

#: French labels for the coded values of the data contract (DESIGN.md §5).
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


def format_number(value: float | int | None, decimals: int | None = None) -> str:
    """Format a number the French way: ``1234.5 -> '1 234,5'``.

    ``decimals`` fixes the number of decimals; by default integers show none and other
    numbers up to 2 significant decimals (3 for values below 1).
    """
    if value is None:
        return "—"
    try:
        if value != value:  # NaN
            return "—"
    except TypeError:
        return str(value)
    if decimals is None:
        if float(value).is_integer():
            decimals = 0
        else:
            decimals = 3 if abs(value) < 1 else 2 if abs(value) < 100 else 1 if abs(value) < 10_000 else 0
        pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    else:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def format_eur(value: float | int | None, decimals: int = 0) -> str:
    """Format an amount in euros: ``12345.6 -> '12 346 €'``."""
    if value is None or value != value:
        return "—"
    return f"{format_number(value, decimals)}\u00a0€"


def format_pct(value: float | None, decimals: int = 0) -> str:
    """Format a share (0.237) as a French percentage: ``'24 %'``."""
    if value is None or value != value:
        return "—"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "\u00a0%"
    return format_percent(value, format=pattern, locale=LOCALE)


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
