"""A campaign kept in one workbook ``tables.xlsx``: one sheet per table of the contract.

The people who collect a campaign's data work in a spreadsheet. :func:`build_workbook`
makes the workbook they fill, **generated from** :data:`rd_methods.schemas.TABLES` (a table
or column added to the contract appears by itself):

- an « À lire » sheet that explains the workbook in French;
- one sheet per table, named as the table; row 1 holds the French label of each column,
  row 2 its help text (also a comment on the header cell), row 3 the contract's column
  names (the header read by :mod:`rd_methods.readers`), data from row 4 on;
- drop-down lists (data validation) on every coded column and on booleans (« oui / non »),
  taken from a hidden sheet « listes » (LibreOffice and Excel both offer them); on a column
  that refers to another table (``project_id`` → projects) the list of that sheet's ids (a new
  id only warns); whole-number and bound checks on numbers; date, number and text formats;
  frozen header; column widths.

Reading is transparent: :meth:`rd_methods.campaign.Campaign.load` reads ``tables.xlsx``
beside ``campaign.yml`` and reports a bad cell as « actors, cellule D14 ».

>>> from rd_methods.workbook import build_workbook
>>> wb = build_workbook()
>>> wb.sheetnames[:3]
['À lire', 'actors', 'projects']
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from rd_methods.schemas import TABLES, Field, TableSpec

__all__ = [
    "WORKBOOK_NAME",
    "README_SHEET",
    "LISTS_SHEET",
    "LABEL_ROW",
    "HELP_ROW",
    "HEADER_ROW",
    "FIRST_DATA_ROW",
    "column_label",
    "build_workbook",
    "write_workbook",
    "export_workbook",
]

WORKBOOK_NAME = "tables.xlsx"
README_SHEET = "À lire"
LISTS_SHEET = "listes"
LABEL_ROW, HELP_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1
_VALIDATED_ROWS = 5000  # drop-down lists and checks cover at least this many rows below the header
TRUE_WORD, FALSE_WORD = "oui", "non"

# French label and help of each column (table.column); a column added to the contract without an
# entry here gets the contract's (English) description as label and help.
LABELS: dict[str, tuple[str, str]] = {
    "actors.actor_id": ("Identifiant acteur", "Identifiant stable de l'acteur, ex. A0001 (unique)."),
    "actors.name": ("Nom", "Nom de l'organisation ou de la personne (pseudonymisé à la publication)."),
    "actors.category": ("Catégorie", "Type d'acteur : choisir dans la liste."),
    "actors.member_college": ("Collège", "Collège de la coopérative si l'acteur est sociétaire."),
    "actors.member_since": ("Sociétaire depuis", "Date d'entrée au sociétariat (JJ/MM/AAAA)."),
    "actors.commune_code": ("Code commune", "Code INSEE de la commune (5 caractères, ex. 39300)."),
    "actors.personal": ("Personne physique", "oui pour une personne (pseudonymisée à la publication), non sinon."),
    "projects.project_id": ("Identifiant projet", "Identifiant stable du projet, ex. P001 (unique)."),
    "projects.title": ("Titre", "Titre court du projet, en français."),
    "projects.need": ("Besoin", "Besoin social non couvert auquel répond le projet : choisir dans la liste."),
    "projects.created_on": ("Date de l'idée", "Date à laquelle l'idée a été recueillie (JJ/MM/AAAA)."),
    "projects.lead_actor_id": ("Porteur", "Identifiant de l'acteur porteur (feuille actors)."),
    "project_stages.project_id": ("Projet", "Identifiant du projet (feuille projects)."),
    "project_stages.stage": ("Étape", "Étape atteinte (idée → atelier → faisabilité → incubation → lancé → autonome, ou abandonné)."),
    "project_stages.entered_on": ("Date d'entrée", "Date d'entrée dans l'étape (JJ/MM/AAAA)."),
    "activities.activity_id": ("Identifiant activité", "Identifiant de la ligne d'activité (unique)."),
    "activities.project_id": ("Projet", "Projet servi ; vide pour une activité de la structure."),
    "activities.function": ("Fonction", "Fonction dans la chaîne de valeur : choisir dans la liste."),
    "activities.kind": ("Type de fonction", "primary (principale) ou support."),
    "activities.year": ("Année", "Année (ex. 2021)."),
    "activities.cost_eur": ("Coût (€)", "Coût en euros (≥ 0)."),
    "activities.staff_hours": ("Heures salariées", "Heures de travail salarié (≥ 0)."),
    "contributions.project_id": ("Projet", "Projet qui reçoit la contribution (feuille projects)."),
    "contributions.actor_id": ("Acteur", "Acteur qui contribue (feuille actors)."),
    "contributions.resource": ("Ressource", "Type de ressource apportée : choisir dans la liste."),
    "contributions.quantity": ("Quantité", "Quantité, dans l'unité de la colonne suivante (≥ 0)."),
    "contributions.unit": ("Unité", "Unité de la quantité : choisir dans la liste."),
    "contributions.value_eur": ("Valeur (€)", "Valeur en euros ; vide = calculée avec la valorisation de campaign.yml."),
    "contributions.year": ("Année", "Année de la contribution."),
    "outcomes.project_id": ("Projet", "Projet ; vide pour un effet de la structure."),
    "outcomes.stakeholder_group": ("Partie prenante", "Groupe de parties prenantes concerné : choisir dans la liste."),
    "outcomes.value_type": ("Type de valeur", "Type de valeur créée : choisir dans la liste."),
    "outcomes.indicator": ("Indicateur", "Indicateur, en français."),
    "outcomes.value": ("Valeur", "Valeur de l'indicateur."),
    "outcomes.unit": ("Unité", "Unité de la valeur (ex. ménages)."),
    "outcomes.year": ("Année", "Année de l'observation."),
    "outcomes.evidence": ("Preuve", "Solidité de la preuve : mesurée, déclarée ou estimée."),
    "jobs.project_id": ("Projet", "Projet (feuille projects)."),
    "jobs.year": ("Année", "Année."),
    "jobs.fte": ("ETP", "Équivalents temps plein (≥ 0)."),
    "jobs.headcount": ("Effectif", "Nombre de personnes employées."),
    "jobs.insertion_headcount": ("Dont insertion", "Dont personnes en contrat d'insertion (entre 0 et l'effectif)."),
    "events.event_id": ("Identifiant événement", "Identifiant de l'événement (unique)."),
    "events.kind": ("Type", "Type d'événement : choisir dans la liste."),
    "events.project_id": ("Projet", "Projet concerné, s'il y en a un."),
    "events.held_on": ("Date", "Date de l'événement (JJ/MM/AAAA)."),
    "events.title": ("Titre", "Titre de l'événement, en français."),
    "participations.event_id": ("Événement", "Identifiant de l'événement (feuille events)."),
    "participations.actor_id": ("Acteur", "Identifiant de l'acteur (feuille actors)."),
    "participations.role": ("Rôle", "Rôle dans l'événement : choisir dans la liste."),
    "ties.source_id": ("Acteur 1", "Premier acteur (feuille actors)."),
    "ties.target_id": ("Acteur 2", "Second acteur (feuille actors)."),
    "ties.kind": ("Type de lien", "Partenariat, contrat, fourniture, financement, adhésion : choisir dans la liste."),
    "ties.start_year": ("Début", "Première année du lien."),
    "ties.end_year": ("Fin", "Dernière année ; vide = lien en cours."),
    "ties.project_id": ("Projet", "Projet auquel le lien se rattache, s'il y en a un."),
    "ties.weight": ("Intensité", "Intensité du lien (> 0)."),
    "survey_items.item_id": ("Identifiant item", "Nom de l'item, aussi nom de colonne dans survey_responses (ex. coop_1)."),
    "survey_items.scale": ("Échelle", "Dimension mesurée (ex. cooperation)."),
    "survey_items.text": ("Énoncé", "Énoncé de la question, en français."),
    "survey_items.reverse": ("Inversé", "oui si l'item est formulé à l'envers."),
    "survey_items.min": ("Minimum", "Code de réponse le plus bas (ex. 1)."),
    "survey_items.max": ("Maximum", "Code de réponse le plus haut (ex. 5)."),
    "survey_responses.respondent_id": ("Répondant", "Identifiant du répondant (le même d'une vague à l'autre)."),
    "survey_responses.wave": ("Vague", "1 = première passation, 2 = suivi…"),
    "survey_responses.stakeholder_group": ("Partie prenante", "Groupe du répondant : choisir dans la liste."),
    "survey_responses.actor_id": ("Acteur", "Acteur qui répond, s'il est connu."),
    "survey_responses.submitted_on": ("Date de réponse", "Date de la réponse (JJ/MM/AAAA)."),
    "territory_panel.territory_code": ("Code territoire", "Code du territoire (ex. SIREN de l'EPCI)."),
    "territory_panel.territory_name": ("Territoire", "Nom du territoire."),
    "territory_panel.year": ("Année", "Année."),
    "territory_panel.treated": ("Territoire de la structure", "oui pour le territoire de la structure, non pour les comparaisons."),
    "territory_panel.population": ("Population", "Nombre d'habitants (> 0)."),
    "territory_panel.employment": ("Emplois", "Emplois situés sur le territoire."),
    "territory_panel.jobseekers": ("Demandeurs d'emploi", "Demandeurs d'emploi inscrits."),
    "territory_panel.establishments_created": ("Créations d'établissements", "Établissements créés dans l'année."),
    "sroi_impact_map.outcome_id": ("Identifiant effet", "Identifiant de l'effet (unique)."),
    "sroi_impact_map.stakeholder_group": ("Partie prenante", "Groupe de parties prenantes : choisir dans la liste."),
    "sroi_impact_map.outcome": ("Effet", "Effet (changement), en français."),
    "sroi_impact_map.indicator": ("Indicateur", "Indicateur, en français."),
    "sroi_impact_map.quantity": ("Quantité", "Quantité de l'effet (≥ 0)."),
    "sroi_impact_map.proxy_eur": ("Proxy (€)", "Valeur financière par unité, en euros."),
    "sroi_impact_map.proxy_source": ("Source du proxy", "Source de la valeur financière."),
    "sroi_impact_map.deadweight": ("Effet d'aubaine", "Part qui serait arrivée de toute façon (entre 0 et 1)."),
    "sroi_impact_map.displacement": ("Déplacement", "Part déplacée d'ailleurs (entre 0 et 1)."),
    "sroi_impact_map.attribution": ("Attribution", "Part due à d'autres acteurs (entre 0 et 1)."),
    "sroi_impact_map.drop_off": ("Érosion", "Baisse annuelle après la première année (entre 0 et 1)."),
    "sroi_impact_map.duration_years": ("Durée (ans)", "Nombre d'années de l'effet (≥ 1)."),
    "sroi_impact_map.start_offset_years": ("Décalage (ans)", "Années avant le début de l'effet (≥ 0)."),
    "sroi_inputs.stakeholder_group": ("Partie prenante", "Groupe qui apporte la ressource : choisir dans la liste."),
    "sroi_inputs.description": ("Description", "Ressource apportée, en français."),
    "sroi_inputs.value_eur": ("Valeur (€)", "Valeur en euros (≥ 0)."),
    "sroi_inputs.year": ("Année", "Année de la ressource (actualisée à la première année) ; vide = non datée."),
    "sroi_impact_map.year": ("Année (cohorte)", "Année de la cohorte d'effets (ex. emplois créés cette année-là) ; vide = non datée."),
    "sroi_impact_map.quantity_kind": ("Flux ou stock", "flow = nouveau dans l'année ; stock = tout ce qui existe cette année-là. Vide = flow."),
    "sroi_impact_map.transition": ("Transition(s)", "ecological, economic, social, séparées par « ; »."),
    "projects.transitions": ("Transition(s)", "Transition(s) servie(s) par le projet : ecological, economic, social, séparées par « ; »."),
    "outcomes.transition": ("Transition", "Transition servie par l'effet : ecological, economic ou social."),
    "finances.year": ("Exercice", "Année de l'exercice comptable."),
    "finances.direction": ("Sens", "income = recette, expense = dépense : choisir dans la liste."),
    "finances.kind": ("Nature", "Nature de la recette ou de la dépense : choisir dans la liste (elle doit correspondre au sens)."),
    "finances.amount_eur": ("Montant (€)", "Montant en euros (≥ 0)."),
    "finances.actor_id": ("Financeur ou client", "Identifiant de l'acteur (feuille actors), si connu."),
    "finances.project_id": ("Projet", "Identifiant du projet concerné (feuille projects), s'il y en a un."),
    "finances.description": ("Libellé", "Libellé de la ligne, en français."),
}

TABLE_LABELS: dict[str, str] = {
    "actors": "Acteurs du territoire (organisations et personnes). Seule table obligatoire.",
    "projects": "Idées de projets recueillies, quel que soit leur devenir.",
    "project_stages": "Historique des étapes de chaque projet : une ligne par étape atteinte.",
    "activities": "Activités de la structure, par fonction (fonctions support comprises).",
    "contributions": "Ressources apportées par les acteurs aux projets.",
    "outcomes": "Effets observés ou déclarés, par partie prenante et type de valeur.",
    "jobs": "Emplois créés par les projets, par année.",
    "events": "Ateliers, événements territoriaux, comités, réunions, formations.",
    "participations": "Qui a participé à quel événement.",
    "ties": "Liens directs entre acteurs (partenariats, contrats, financements…).",
    "survey_items": "Items du questionnaire parties prenantes (échelles de Likert).",
    "survey_responses": "Réponses : une ligne par répondant et par vague, une colonne par item.",
    "territory_panel": "Indicateurs annuels du territoire de la structure et des territoires de comparaison.",
    "sroi_impact_map": "Carte d'impact SROI : effets, proxys financiers et ajustements.",
    "sroi_inputs": "Ressources investies par chaque partie prenante (SROI).",
    "finances": "Comptes de la structure par année : recettes (par financeur ou client) et dépenses.",
}

_KIND_HELP = {"date": "date JJ/MM/AAAA", "int": "nombre entier", "float": "nombre", "bool": "oui / non"}


def column_label(table: str, field: Field) -> tuple[str, str]:
    """French label and help text of a contract column (generated for unknown columns).

    The help ends with what the contract requires (obligatoire / facultatif, list, bounds).

    Examples
    --------
    >>> from rd_methods.schemas import TABLES
    >>> column_label("actors", TABLES["actors"].field("category"))[0]
    'Catégorie'
    """
    # a column without a French label shows its English description: never its bare name, which
    # would make the label row look like the header row
    label, help_text = LABELS.get(f"{table}.{field.name}", (field.description.rstrip("."), field.description))
    rules = ["facultatif" if field.nullable else "obligatoire"]
    if field.kind in _KIND_HELP:
        rules.append(_KIND_HELP[field.kind])
    if field.codes:
        rules.append("liste déroulante")
    if field.unique:
        rules.append("unique")
    if field.ref:
        rules.append(f"doit exister dans {field.ref[0]}.{field.ref[1]}")
    return label, f"{help_text} ({', '.join(rules)})"


# --------------------------------------------------------------------------- writing
def _number_format(field: Field) -> str:
    if field.kind == "date":
        return "DD/MM/YYYY"
    if field.kind == "int":
        return "0"
    if field.kind == "float":
        if field.name.endswith("_eur"):
            return "#,##0.00"
        if field.le is not None and field.le <= 1:
            return "0.00"
        return "General"
    return "@"  # text: a code typed as 01234 keeps its zero


def _cell_value(kind: str, value: Any) -> Any:
    """A typed table value as an Excel cell value (None for missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if kind == "date":
        ts = pd.Timestamp(value)
        return ts.to_pydatetime() if (ts.hour or ts.minute or ts.second or ts.microsecond) else ts.date()
    if kind == "bool":
        return TRUE_WORD if bool(value) else FALSE_WORD
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if isinstance(value, (datetime, date)):
        return value
    return str(value)


def _validation_bounds(field: Field) -> tuple[str, str, str] | None:
    """(type, operator, formula1[, formula2]) of a number check, or None."""
    kind = "whole" if field.kind == "int" else "decimal"
    lo = field.ge if field.ge is not None else field.gt
    if lo is not None and field.le is not None:
        return kind, "between", (lo, field.le)
    if field.ge is not None:
        return kind, "greaterThanOrEqual", (field.ge,)
    if field.gt is not None:
        return kind, "greaterThan", (field.gt,)
    if field.le is not None:
        return kind, "lessThanOrEqual", (field.le,)
    if field.kind == "int":
        return kind, "between", (-(10**9), 10**9)
    return None


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _table_columns(spec: TableSpec, df: pd.DataFrame | None) -> list[tuple[str, Field | None]]:
    cols: list[tuple[str, Field | None]] = [(f.name, f) for f in spec.fields]
    if df is not None:
        cols += [(str(c), None) for c in df.columns if c not in spec.columns]
    return cols


def build_workbook(
    tables: Mapping[str, pd.DataFrame] | None = None,
    *,
    campaign_id: str | None = None,
):
    """Build the campaign workbook (an :class:`openpyxl.Workbook`), empty or filled.

    Parameters
    ----------
    tables : mapping of str to DataFrame, optional
        Typed tables (as :meth:`Campaign.load` gives them) to write; a table of the
        contract that is absent gets an empty sheet (labels and header only).
    campaign_id : str, optional
        Named on the « À lire » sheet.

    Returns
    -------
    openpyxl.Workbook
        Sheets « À lire », one per table of :data:`~rd_methods.schemas.TABLES` (contract
        order) and the hidden « listes ».

    Examples
    --------
    >>> wb = build_workbook()
    >>> ws = wb["actors"]
    >>> ws["C3"].value, ws["C1"].value, ws.freeze_panes
    ('category', 'Catégorie', 'A4')
    >>> wb["listes"].sheet_state
    'hidden'
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    tables = dict(tables or {})
    wb = Workbook()
    readme = wb.active
    readme.title = README_SHEET
    lists = wb.create_sheet(LISTS_SHEET)
    list_col = 0
    label_font = Font(bold=True, color="1F3864")
    help_font = Font(italic=True, color="595959", size=9)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    help_align = Alignment(wrap_text=True, vertical="top")

    def add_list(title: str, values: list[str]) -> str:
        nonlocal list_col
        list_col += 1
        letter = get_column_letter(list_col)
        lists.cell(row=1, column=list_col, value=title).font = header_font
        for i, v in enumerate(values, start=2):
            lists.cell(row=i, column=list_col, value=v)
        return f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"

    bool_list = add_list("oui_non", [TRUE_WORD, FALSE_WORD])
    items = tables.get("survey_items")

    def id_range(table: str, column: str) -> str | None:
        """Range of the ids of ``table.column`` in its sheet (for the list of a reference column)."""
        spec = TABLES.get(table)
        if spec is None or column not in spec.columns:
            return None
        letter = get_column_letter(spec.columns.index(column) + 1)
        n_ref = len(tables[table]) if table in tables else 0
        last = max(FIRST_DATA_ROW + n_ref + 999, _VALIDATED_ROWS)
        return f"{quote_sheetname(table)}!${letter}${FIRST_DATA_ROW}:${letter}${last}"
    for name, spec in TABLES.items():
        df = tables.get(name)
        ws = wb.create_sheet(name)
        columns = _table_columns(spec, df)
        n = 0 if df is None else len(df)
        last_row = max(FIRST_DATA_ROW + n + 999, _VALIDATED_ROWS)
        for j, (col, field) in enumerate(columns, start=1):
            letter = get_column_letter(j)
            if field is not None:
                label, help_text = column_label(name, field)
            elif spec.item_columns:
                label, help_text = col, "Réponse à l'item (code entier entre son minimum et son maximum, vide = sans réponse)."
            else:
                label, help_text = col, "Colonne supplémentaire (hors contrat)" + (
                    " : covariable numérique." if spec.extra_numeric else ", conservée en texte.")
            ws.cell(row=LABEL_ROW, column=j, value=label).font = label_font
            c = ws.cell(row=HELP_ROW, column=j, value=help_text)
            c.font, c.alignment = help_font, help_align
            h = ws.cell(row=HEADER_ROW, column=j, value=col)
            h.font, h.fill = header_font, header_fill
            h.comment = Comment(f"{label} : {help_text}", "rd_methods")
            kind = field.kind if field is not None else (
                "int" if spec.item_columns else "float" if spec.extra_numeric else "text")
            fmt = _number_format(field) if field is not None else ("0" if kind == "int" else "General" if kind == "float" else "@")
            ws.column_dimensions[letter].number_format = fmt
            rng = f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}"
            dv = None
            if field is not None and field.codes:
                dv = DataValidation(type="list", formula1=add_list(f"{name}.{col}", list(field.codes)), allow_blank=True)
                dv.error = f"Valeur inconnue : choisir dans la liste ({', '.join(field.codes)})."
                dv.errorTitle = f"{name}.{col}"
                dv.prompt = "Choisir dans la liste."
            elif field is not None and field.ref and (ids := id_range(*field.ref)) is not None:
                # ids of the referenced sheet offered as a list; a new id only warns (the sheet may
                # be filled later), validation then checks every reference
                dv = DataValidation(type="list", formula1=ids, allow_blank=True, errorStyle="warning")
                dv.error = f"Identifiant absent de la feuille {field.ref[0]} (colonne {field.ref[1]})."
                dv.errorTitle = f"{name}.{col}"
            elif kind == "bool":
                dv = DataValidation(type="list", formula1=bool_list, allow_blank=True)
                dv.error, dv.errorTitle, dv.prompt = "Répondre oui ou non.", f"{name}.{col}", "oui ou non"
            elif field is not None and kind in ("int", "float") and (b := _validation_bounds(field)) is not None:
                vtype, op, bounds = b
                dv = DataValidation(type=vtype, operator=op, formula1=_fmt(bounds[0]),
                                    formula2=_fmt(bounds[1]) if len(bounds) > 1 else None, allow_blank=True)
                dv.error, dv.errorTitle = f"Valeur attendue : {column_label(name, field)[1]}", f"{name}.{col}"
            elif spec.item_columns and field is None and items is not None:
                row = items.loc[items["item_id"].astype(str) == col]
                if len(row):
                    lo, hi = int(row["min"].iloc[0]), int(row["max"].iloc[0])
                    dv = DataValidation(type="whole", operator="between", formula1=str(lo), formula2=str(hi), allow_blank=True)
                    dv.error, dv.errorTitle = f"Réponse entière entre {lo} et {hi}.", f"{name}.{col}"
            if dv is not None:
                dv.showErrorMessage = True
                dv.showInputMessage = dv.prompt is not None
                dv.add(rng)
                ws.add_data_validation(dv)
            width = max(len(col), len(label), 10)
            if df is not None and n and col in df.columns:
                sample = df[col].head(200).dropna().astype(str)
                if len(sample):
                    width = max(width, int(sample.str.len().max()))
            ws.column_dimensions[letter].width = min(width + 2, 45)
            if df is not None and col in df.columns:
                for i, value in enumerate(df[col].tolist(), start=FIRST_DATA_ROW):
                    v = _cell_value(kind, value)
                    if v is None:
                        continue
                    cell = ws.cell(row=i, column=j, value=v)
                    if isinstance(v, str) and v.startswith("="):
                        cell.data_type = "s"  # text that looks like a formula stays text
                    cell.number_format = fmt
        ws.row_dimensions[HELP_ROW].height = 48
        ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    _write_readme(readme, campaign_id, tables)
    wb.move_sheet(lists, offset=len(wb.sheetnames))
    lists.sheet_state = "hidden"
    wb.active = 0
    return wb


def _write_readme(ws, campaign_id: str | None, tables: Mapping[str, pd.DataFrame]) -> None:
    from openpyxl.styles import Alignment, Font

    title = "Classeur de campagne rd_methods" + (f" — {campaign_id}" if campaign_id else "")
    lines: list[tuple[str, str]] = [
        (title, "title"),
        ("", ""),
        ("Ce classeur contient les tables d'une campagne d'évaluation : une feuille par table, "
         "nommée comme la table. Le placer, sous le nom tables.xlsx, dans le dossier de la campagne "
         "à côté de campaign.yml ; rd-methods validate <campagne> le vérifie.", ""),
        ("", ""),
        ("Comment remplir une feuille", "h"),
        (f"• Ligne {LABEL_ROW} : intitulé de la colonne en français ; ligne {HELP_ROW} : aide "
         "(aussi en commentaire sur l'en-tête).", ""),
        (f"• Ligne {HEADER_ROW} : noms des colonnes du contrat de données. Ne pas les modifier ni les traduire.", ""),
        (f"• Les données commencent ligne {FIRST_DATA_ROW}, une ligne par enregistrement, sans ligne vide "
         "au milieu ni cellule fusionnée.", ""),
        ("• Colonnes codées (catégorie, étape, partie prenante…) : choisir la valeur dans la liste "
         "déroulante (flèche à droite de la cellule).", ""),
        ("• Dates : JJ/MM/AAAA (ex. 14/03/2025). Nombres : virgule décimale et espace des milliers "
         "acceptés (1 650,50). Oui/non : choisir dans la liste.", ""),
        ("• Une colonne « facultatif » peut rester vide ; une feuille sans données compte comme une "
         "table absente. Seule la feuille actors est obligatoire.", ""),
        ("• Une table ne doit pas être à la fois dans ce classeur et dans un fichier séparé "
         "(actors.csv…) : c'est une erreur.", ""),
        ("• Les erreurs de validation indiquent la feuille et la cellule, par exemple « actors, cellule C14 ».", ""),
        ("• La feuille masquée « listes » contient les listes déroulantes : ne pas la modifier.", ""),
        ("", ""),
        ("Feuilles", "h"),
    ]
    for name in TABLES:
        n = len(tables[name]) if name in tables else 0
        lines.append((f"• {name} : {TABLE_LABELS.get(name, TABLES[name].description)}"
                      + (f" ({n} lignes)" if n else ""), ""))
    lines += [("", ""), ("Référence complète du contrat : docs/data-contract.md", "")]
    for i, (text, style) in enumerate(lines, start=1):
        c = ws.cell(row=i, column=1, value=text or None)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        if style == "title":
            c.font = Font(bold=True, size=14)
        elif style == "h":
            c.font = Font(bold=True)
    ws.column_dimensions["A"].width = 120


def write_workbook(
    path: str | os.PathLike[str],
    tables: Mapping[str, pd.DataFrame] | None = None,
    *,
    campaign_id: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write :func:`build_workbook` to ``path`` atomically (temporary file, then rename).

    Raises :class:`FileExistsError` when ``path`` exists and ``overwrite`` is false.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = build_workbook(tables, campaign_id=campaign_id)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def export_workbook(
    campaign: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write an existing, valid campaign (CSV, xlsx or mixed files) into one workbook.

    The campaign is loaded and validated first (:meth:`Campaign.load`, raising
    :class:`~rd_methods.errors.ValidationFailed`): nothing is written for an invalid
    campaign. Loading the workbook back gives the same typed tables.

    Examples
    --------
    >>> export_workbook("demo-2025", "/tmp/demo-2025.xlsx")  # doctest: +SKIP
    PosixPath('/tmp/demo-2025.xlsx')
    """
    from rd_methods.campaign import Campaign

    camp = Campaign.load(campaign, data_dir, use_processed=False)
    return write_workbook(out, camp.tables, campaign_id=camp.id, overwrite=overwrite)
