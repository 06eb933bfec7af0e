"""Tables of the value-chain notebook (``10_value_chain``) for public pages, from :mod:`rd_methods.value_chain`.

Each function returns a :func:`rd_methods.formats.table` Styler: French column labels, coded
values through :func:`rd_methods.plots.label`, French numbers, « — » for gaps, no identifier.
Counts of people below ``min_cell`` are suppressed (:func:`rd_methods.disclosure.suppress_small`)
and read « moins de 5 ».
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from rd_methods import disclosure, plots
from rd_methods.formats import format_number, table

__all__ = ["people", "outcomes", "contributors", "project_jobs", "regeneration_by_category"]


def people(min_cell: int):
    """Formatter of a suppressed count of people: the number, or « moins de ``min_cell`` »."""
    return lambda v: format_number(v) if v == v else f"moins de {min_cell}"


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for field in ("stakeholder_group", "value_type", "evidence"):
        if field in out:
            out[field] = out[field].map(lambda v, f=field: plots.label(f, v))
    if "unit" in out:
        out["unit"] = out["unit"].fillna("")
    return out


def outcomes(summary: pd.DataFrame, *, latest: bool = True):
    """Indicators by stakeholder group and value type (``summary``: ``ValueCreated.outcomes``),
    or, with ``latest=False``, rows of the ``outcomes`` table."""
    columns = {"stakeholder_group": "Partie prenante", "value_type": "Type de valeur", "indicator": "Indicateur"}
    if latest:
        columns.update({"last_year": "Dernière année", "value_last_year": "Valeur la dernière année"})
    else:
        columns["value"] = "Valeur"
    columns.update({"unit": "Unité", "evidence": "Preuve"})
    if latest:
        columns["n_projects"] = "Projets"
    return table(_labelled(summary), columns, {"last_year": lambda y: str(int(y)), "n_projects": "int",
                                                "value_last_year": format_number, "value": format_number})


def contributors(matrix: pd.DataFrame, actors: pd.DataFrame, names: Mapping[str, str], organisation: str):
    """Who brought what to a project (``matrix``: :func:`~rd_methods.value_chain.contribution_matrix`
    ``by=("actor", "resource")``), most contributions first; actors by their published name."""
    category = actors.set_index("actor_id")["category"]
    shown = matrix.sort_values("n_contributions", ascending=False, kind="stable").assign(
        actor=lambda d: d["actor_id"].map(lambda a: "Structure évaluée" if a == organisation else names.get(a, "Acteur")),
        category=lambda d: d["actor_id"].map(category).map(lambda c: plots.label("category", c)),
        resource=lambda d: d["resource"].map(lambda r: plots.label("resource", r)))
    return table(shown, {"actor": "Acteur", "category": "Catégorie", "resource": "Ressource", "n_contributions": "Apports",
                         "value_eur": "Euros valorisés", "n_unvalued": "Non valorisés"}, {"value_eur": "eur"})


def project_jobs(jobs: pd.DataFrame, min_cell: int):
    """Jobs of one project by year (rows of ``ValueCreated.jobs``), small counts of people suppressed."""
    shown = disclosure.suppress_small(jobs, ["headcount", "insertion_headcount"], min_cell=min_cell)
    for column in ("headcount", "insertion_headcount"):
        shown[column] = shown[column].map(people(min_cell))  # text: « moins de 5 » rather than « — »
    return table(shown, {"year": "Année", "fte": "ETP", "headcount": "Personnes", "insertion_headcount": "dont insertion"},
                 {"year": lambda y: str(int(y)), "fte": lambda v: format_number(v, 1)})


def regeneration_by_category(regen: pd.DataFrame, actors: pd.DataFrame, min_cell: int):
    """Regenerating actors (:func:`~rd_methods.value_chain.regeneration`) by category: number, euros, median lag;
    a category of fewer than ``min_cell`` actors is suppressed whole."""
    cat = (regen.assign(category=regen["actor_id"].map(actors.set_index("actor_id")["category"]))
           .groupby("category", observed=True).agg(n=("actor_id", "size"), eur=("value_eur", "sum"),
                                                   lag=("lag_years", "median")).reset_index())
    cat = disclosure.suppress_small(cat, "n", min_cell=min_cell, also=["eur", "lag"])
    cat["category"] = cat["category"].map(lambda c: plots.label("category", c))
    cat["n"] = cat["n"].map(people(min_cell))
    return table(cat, {"category": "Catégorie", "n": "Acteurs", "eur": "Apports valorisés", "lag": "Délai médian en années"},
                 {"eur": "eur", "lag": format_number})
