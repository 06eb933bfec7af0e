"""The campaign data contract (docs/data-contract.md): one pandera schema per table, and campaign.yml.

Every table of the contract is described once, in :data:`TABLES` (name -> :class:`TableSpec`):
its columns (:class:`Field`: kind, constraint, description, example), compound keys and
references to other tables. From that single description come

- the pandera ``DataFrameSchema`` that validates a typed table (:meth:`TableSpec.schema`);
- the typing of text cells read by :mod:`rd_methods.readers` (:func:`validate_table`);
- the empty templates written by ``rd-methods new``;
- the reference page ``docs/data-contract.md`` (:func:`contract_markdown`, checked by a test).

Typing rules
------------
ids, text and codes are pandas ``str`` (missing = NaN); dates ``datetime64[ns]`` (cells
``2025-03-14`` or ``14/03/2025``); integers ``int64`` (``Int64`` when nullable); amounts and
quantities ``float64`` (decimal comma accepted); booleans ``bool`` (``true/false``,
``vrai/faux``, ``oui/non``, ``1/0``); survey item columns ``Int64``.
A nullable column may be left out of the file: it is then added, empty.
Extra columns are kept as text (``territory_panel``: as numbers, they are covariates).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from rd_methods.readers import parse_bools, parse_dates, parse_numbers

__all__ = [
    "Field",
    "TableSpec",
    "TABLES",
    "CAMPAIGN_FIELDS",
    "SCHEMA_VERSION",
    "ERROR_COLUMNS",
    "STAGE_ORDER",
    "validate_table",
    "finalize_dtypes",
    "check_campaign_meta",
    "contract_markdown",
    "campaign_yml_template",
]

ERROR_COLUMNS = ["file", "row", "column", "value", "rule", "message"]

# --------------------------------------------------------------------------- code lists
ACTOR_CATEGORIES = ("enterprise", "social_economy", "association", "local_authority", "public_agency",
                    "research", "citizen", "other")
NEEDS = ("employment", "housing", "local_services", "food", "mobility", "energy", "circular_economy",
         "culture", "other")
STAGE_ORDER = ("idea", "workshop", "feasibility", "incubation", "launched", "autonomous")
STAGES = (*STAGE_ORDER, "abandoned")
FUNCTIONS = ("governance", "animation", "engineering", "communication", "fundraising", "administration",
             "production", "service")
ACTIVITY_KINDS = ("primary", "support")
RESOURCES = ("cash", "staff_time", "volunteer_time", "skills", "premises", "equipment", "network")
UNITS = ("eur", "hour", "day", "m2", "item")
STAKEHOLDER_GROUPS = ("beneficiaries", "employees", "volunteers", "members", "partners",
                      "local_authorities", "territory")
VALUE_TYPES = ("economic", "social", "societal", "political", "environmental")
EVIDENCE = ("measured", "declared", "estimated")
EVENT_KINDS = ("workshop", "territorial_event", "committee", "meeting", "training")
ROLES = ("participant", "organiser", "speaker")
TIE_KINDS = ("partnership", "contract", "supply", "funding", "membership")
QUANTITY_KINDS = ("flow", "stock")
#: Default SROI discount rate: France Stratégie (2021), complément opérationnel I of the
#: Guide de l'évaluation socioéconomique des investissements publics: 1.2 % + β × 2 %, β = 1.
DEFAULT_DISCOUNT_RATE = 0.032
TRANSITIONS = ("ecological", "economic", "social")
FINANCE_DIRECTIONS = ("income", "expense")
INCOME_KINDS = ("operating_subsidy", "project_subsidy", "service_sale", "membership_fee", "share_capital",
                "donation", "loan", "other_income")
EXPENSE_KINDS = ("staff", "premises", "purchases", "subcontracting", "other_expense")
_TRANSITION_LIST = r"^\s*(ecological|economic|social)(\s*;\s*(ecological|economic|social))*\s*;?\s*$"

_YEAR = {"ge": 1900, "le": 2100}


# --------------------------------------------------------------------------- specs
@dataclass(frozen=True)
class Field:
    """One column of a contract table.

    ``kind`` is one of ``id``, ``text``, ``code``, ``date``, ``int``, ``float``, ``bool``.
    ``optional`` columns may be absent from the file (only nullable ones are).
    ``ref`` is ``(table, column)`` that every non-missing value must exist in.
    """

    name: str
    kind: str
    description: str
    example: str = ""
    nullable: bool = False
    codes: tuple[str, ...] | None = None
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    unique: bool = False
    pattern: str | None = None
    pattern_label: str | None = None
    ref: tuple[str, str] | None = None

    @property
    def optional(self) -> bool:
        return self.nullable

    @property
    def dtype(self) -> str:
        """Final pandas dtype after :func:`validate_table`."""
        return {"id": "str", "text": "str", "code": "str", "date": "datetime64[ns]", "float": "float64",
                "bool": "bool"}.get(self.kind) or ("Int64" if self.nullable else "int64")

    @property
    def check_dtype(self) -> str:
        """dtype while validating (nullable integer / boolean so that gaps can be reported)."""
        return {"int": "Int64", "bool": "boolean"}.get(self.kind, self.dtype)

    def constraint(self) -> str:
        """Human (English) wording of the constraint, for the reference page."""
        parts = []
        if self.unique:
            parts.append("unique")
        if self.codes:
            parts.append("one of " + ", ".join(f"`{c}`" for c in self.codes))
        if self.ge is not None and self.le is not None:
            parts.append(f"{_num(self.ge)} ≤ value ≤ {_num(self.le)}")
        elif self.ge is not None:
            parts.append(f"≥ {_num(self.ge)}")
        elif self.le is not None:
            parts.append(f"≤ {_num(self.le)}")
        if self.gt is not None:
            parts.append(f"> {_num(self.gt)}")
        if self.pattern_label:
            parts.append(self.pattern_label)
        if self.ref:
            parts.append(f"→ `{self.ref[0]}.{self.ref[1]}`")
        parts.append("nullable (column may be omitted)" if self.nullable else "required")
        return "; ".join(parts)

    def pandera_checks(self) -> list[pa.Check]:
        checks = []
        if self.codes:
            checks.append(pa.Check.isin(list(self.codes)))
        if self.ge is not None:
            checks.append(pa.Check.ge(self.ge))
        if self.gt is not None:
            checks.append(pa.Check.gt(self.gt))
        if self.le is not None:
            checks.append(pa.Check.le(self.le))
        if self.pattern:
            checks.append(pa.Check.str_matches(self.pattern))
        return checks


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class RowCheck:
    """A check across columns of one row: ``ok(df)`` is True where the row passes."""

    name: str
    column: str  # column reported in the error
    columns: tuple[str, ...]
    message: str
    ok: Any  # callable DataFrame -> bool Series (NaN-safe)


@dataclass(frozen=True)
class TableSpec:
    """One table of the contract."""

    name: str
    description: str
    used_by: str
    fields: tuple[Field, ...]
    unique_together: tuple[str, ...] | None = None
    row_checks: tuple[RowCheck, ...] = ()
    extra_numeric: bool = False  # extra columns are numeric covariates
    item_columns: bool = False  # survey_responses: one column per survey item

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def required_columns(self) -> list[str]:
        return [f.name for f in self.fields if not f.optional]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def references(self) -> list[tuple[str, str, str]]:
        """``(column, table, column)`` foreign keys."""
        return [(f.name, *f.ref) for f in self.fields if f.ref]

    @cached_property
    def _base_schema(self) -> pa.DataFrameSchema:
        # dtypes are set by validate_table itself (no pandera dtype check: it would only cost time)
        cols = {f.name: pa.Column(None, f.pandera_checks(), nullable=f.nullable, unique=f.unique,
                                  description=f.description)
                for f in self.fields}
        checks = [pa.Check(_row_check_fn(rc), name=f"row:{rc.name}") for rc in self.row_checks]
        return pa.DataFrameSchema(cols, checks=checks or None, unique=list(self.unique_together) if self.unique_together else None,
                                  strict=False, name=self.name, description=self.description)

    def schema(self, items: pd.DataFrame | None = None) -> pa.DataFrameSchema:
        """The pandera schema; for ``survey_responses`` pass the typed ``survey_items``."""
        schema = self._base_schema
        if self.item_columns and items is not None and len(items):
            extra = {
                str(r.item_id): pa.Column(None, pa.Check.in_range(int(r.min), int(r.max)), nullable=True,
                                          required=False, description=f"item {r.item_id}")
                for r in items[["item_id", "min", "max"]].dropna().itertuples(index=False)
            }
            schema = schema.add_columns(extra)
        return schema


def _row_check_fn(rc: RowCheck):
    def fn(df: pd.DataFrame) -> pd.Series:
        if any(c not in df.columns for c in rc.columns):
            return pd.Series(True, index=df.index)
        return rc.ok(df).fillna(True).astype(bool)

    return fn


def _F(name, kind, description, example="", **kw) -> Field:  # noqa: N802 (short constructor)
    return Field(name, kind, description, example, **kw)


_TABLE_LIST = [
    TableSpec(
        "actors", "Every actor of the territory known to the campaign (organisations and individuals).", "all notebooks",
        (
            _F("actor_id", "id", "Stable identifier of the actor.", "A0001", unique=True),
            _F("name", "text", "Name (of a person when `personal`; pseudonymised on publication).", "Jura Énergies"),
            _F("category", "code", "Kind of actor.", "enterprise", codes=ACTOR_CATEGORIES),
            _F("member_college", "text", "College of the cooperative when the actor is a member (sociétaire).", "usagers", nullable=True),
            _F("member_since", "date", "Date the actor became a member.", "2017-06-30", nullable=True),
            _F("commune_code", "text", "INSEE code of the commune.", "39300", nullable=True,
               pattern=r"^(\d{5}|2[AB]\d{3})$", pattern_label="5-character INSEE code"),
            _F("personal", "bool", "True for an individual (pseudonymised on publication).", "false"),
        ),
    ),
    TableSpec(
        "projects", "Project ideas captured by the structure, whatever became of them.", "value chain, pipeline",
        (
            _F("project_id", "id", "Stable identifier of the project.", "P001", unique=True),
            _F("title", "text", "Short French title.", "Épicerie solidaire itinérante"),
            _F("need", "code", "Unmet social need the project answers.", "food", codes=NEEDS),
            _F("created_on", "date", "Date the idea was captured.", "2018-03-14"),
            _F("lead_actor_id", "id", "Actor carrying the project.", "A0042", nullable=True, ref=("actors", "actor_id")),
            _F("transitions", "text", "Transitions the project serves (one or more, `;`-separated).", "ecological;social",
               nullable=True, pattern=_TRANSITION_LIST,
               pattern_label="one or more of `ecological`, `economic`, `social` separated by `;`"),
        ),
    ),
    TableSpec(
        "project_stages", "Stage history of each project: one row per stage reached.", "pipeline",
        (
            _F("project_id", "id", "Project.", "P001", ref=("projects", "project_id")),
            _F("stage", "code", "Stage reached (ordered idea < workshop < feasibility < incubation < launched < autonomous; or abandoned).",
               "feasibility", codes=STAGES),
            _F("entered_on", "date", "Date the stage was entered.", "2019-01-15"),
        ),
        unique_together=("project_id", "stage"),
    ),
    TableSpec(
        "activities", "Activities of the structure, by function (support functions included).", "value chain",
        (
            _F("activity_id", "id", "Identifier of the activity line.", "AC0001", unique=True),
            _F("project_id", "id", "Project served; empty for structure-level activities.", "P001", nullable=True, ref=("projects", "project_id")),
            _F("function", "code", "Function in La Fonda's extended value chain.", "animation", codes=FUNCTIONS),
            _F("kind", "code", "Primary or support function.", "support", codes=ACTIVITY_KINDS),
            _F("year", "int", "Year.", "2021", **_YEAR),
            _F("cost_eur", "float", "Cost in euros.", "12500.0", ge=0),
            _F("staff_hours", "float", "Staff hours.", "320", ge=0),
        ),
    ),
    TableSpec(
        "contributions", "Resources that actors contribute to projects.", "value chain, pipeline",
        (
            _F("project_id", "id", "Project receiving the contribution.", "P001", ref=("projects", "project_id")),
            _F("actor_id", "id", "Contributing actor.", "A0042", ref=("actors", "actor_id")),
            _F("resource", "code", "Kind of resource.", "volunteer_time", codes=RESOURCES),
            _F("quantity", "float", "Quantity in `unit`.", "40", ge=0),
            _F("unit", "code", "Unit of `quantity`.", "hour", codes=UNITS),
            _F("value_eur", "float", "Value in euros; empty = derived from campaign.yml `monetisation`.", "540.0", nullable=True, ge=0),
            _F("year", "int", "Year.", "2021", **_YEAR),
        ),
    ),
    TableSpec(
        "outcomes", "Observed or declared outcomes per stakeholder group and value type.", "value chain",
        (
            _F("project_id", "id", "Project; empty for structure-level outcomes.", "P001", nullable=True, ref=("projects", "project_id")),
            _F("stakeholder_group", "code", "Stakeholder group concerned.", "beneficiaries", codes=STAKEHOLDER_GROUPS),
            _F("value_type", "code", "Kind of value created.", "social", codes=VALUE_TYPES),
            _F("indicator", "text", "Indicator (French).", "Ménages desservis"),
            _F("value", "float", "Value of the indicator.", "120"),
            _F("unit", "text", "Unit of the value.", "ménages", nullable=True),
            _F("year", "int", "Year.", "2023", **_YEAR),
            _F("evidence", "code", "Strength of evidence.", "measured", codes=EVIDENCE),
            _F("transition", "code", "Transition the outcome belongs to; empty = those of its project.", "ecological",
               nullable=True, codes=TRANSITIONS),
        ),
    ),
    TableSpec(
        "jobs", "Jobs created by the projects, per year.", "value chain, pipeline",
        (
            _F("project_id", "id", "Project.", "P001", ref=("projects", "project_id")),
            _F("year", "int", "Year.", "2024", **_YEAR),
            _F("fte", "float", "Full-time equivalents.", "3.5", ge=0),
            _F("headcount", "int", "People employed.", "4", ge=0),
            _F("insertion_headcount", "int", "Of whom in integration contracts (0 … headcount).", "1", ge=0),
        ),
        row_checks=(
            RowCheck("insertion_le_headcount", "insertion_headcount", ("insertion_headcount", "headcount"),
                     "insertion_headcount doit être ≤ headcount", lambda d: d["insertion_headcount"] <= d["headcount"]),
        ),
    ),
    TableSpec(
        "events", "Workshops, territorial events, committees, meetings, trainings.", "network",
        (
            _F("event_id", "id", "Identifier of the event.", "E0001", unique=True),
            _F("kind", "code", "Kind of event.", "workshop", codes=EVENT_KINDS),
            _F("project_id", "id", "Project concerned, if any.", "P001", nullable=True, ref=("projects", "project_id")),
            _F("held_on", "date", "Date.", "2022-05-12"),
            _F("title", "text", "Title (French).", "Atelier mobilité rurale", nullable=True),
        ),
    ),
    TableSpec(
        "participations", "Who took part in which event.", "network",
        (
            _F("event_id", "id", "Event.", "E0001", ref=("events", "event_id")),
            _F("actor_id", "id", "Actor.", "A0042", ref=("actors", "actor_id")),
            _F("role", "code", "Role in the event.", "participant", codes=ROLES),
        ),
    ),
    TableSpec(
        "ties", "Direct ties between actors (partnerships, contracts, funding…).", "network",
        (
            _F("source_id", "id", "First actor.", "A0001", ref=("actors", "actor_id")),
            _F("target_id", "id", "Second actor.", "A0042", ref=("actors", "actor_id")),
            _F("kind", "code", "Kind of tie.", "partnership", codes=TIE_KINDS),
            _F("start_year", "int", "First year of the tie.", "2019", **_YEAR),
            _F("end_year", "int", "Last year; empty = ongoing.", "2023", nullable=True, **_YEAR),
            _F("project_id", "id", "Project the tie belongs to, if any.", "P001", nullable=True, ref=("projects", "project_id")),
            _F("weight", "float", "Strength of the tie.", "1.0", gt=0),
        ),
        row_checks=(
            RowCheck("end_after_start", "end_year", ("end_year", "start_year"), "end_year doit être ≥ start_year",
                     lambda d: d["end_year"] >= d["start_year"]),
        ),
    ),
    TableSpec(
        "survey_items", "Items of the stakeholder survey (Likert scales).", "survey",
        (
            _F("item_id", "id", "Identifier; also the column name in survey_responses.", "coop_1", unique=True,
               pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", pattern_label="snake_case name"),
            _F("scale", "text", "Construct the item measures.", "cooperation"),
            _F("text", "text", "French wording.", "Je coopère plus facilement avec d'autres acteurs."),
            _F("reverse", "bool", "Reverse-scored item.", "false"),
            _F("min", "int", "Lowest answer code.", "1"),
            _F("max", "int", "Highest answer code.", "5"),
        ),
        row_checks=(RowCheck("max_gt_min", "max", ("max", "min"), "max doit être > min", lambda d: d["max"] > d["min"]),),
    ),
    TableSpec(
        "survey_responses", "Answers, one row per respondent and wave, one column per item_id.", "survey",
        (
            _F("respondent_id", "id", "Respondent (same id across waves).", "R0001"),
            _F("wave", "int", "1 = baseline, 2 = follow-up…", "1", ge=1),
            _F("stakeholder_group", "code", "Group of the respondent.", "members", codes=STAKEHOLDER_GROUPS),
            _F("actor_id", "id", "Actor answering, if known.", "A0042", nullable=True, ref=("actors", "actor_id")),
            _F("submitted_on", "date", "Date of the answer.", "2024-11-05", nullable=True),
        ),
        unique_together=("respondent_id", "wave"),
        item_columns=True,
    ),
    TableSpec(
        "territory_panel", "Yearly indicators of the treated territory and comparison territories.", "counterfactual",
        (
            _F("territory_code", "id", "Territory code (e.g. EPCI SIREN).", "243900479"),
            _F("territory_name", "text", "Territory name.", "ECLA"),
            _F("year", "int", "Year.", "2019", **_YEAR),
            _F("treated", "bool", "True for the territory of the structure.", "true"),
            _F("population", "int", "Inhabitants.", "33000", gt=0),
            _F("employment", "float", "Jobs located in the territory.", "15400", ge=0),
            _F("jobseekers", "float", "Registered jobseekers.", "2100", ge=0),
            _F("establishments_created", "float", "Establishments created in the year.", "210", ge=0),
        ),
        unique_together=("territory_code", "year"),
        extra_numeric=True,
    ),
    TableSpec(
        "sroi_impact_map", "SROI impact map: outcomes, proxies and adjustments.", "SROI",
        (
            _F("outcome_id", "id", "Identifier of the outcome.", "O1", unique=True),
            _F("stakeholder_group", "code", "Stakeholder group.", "beneficiaries", codes=STAKEHOLDER_GROUPS),
            _F("outcome", "text", "Outcome (French).", "Retour à l'emploi"),
            _F("indicator", "text", "Indicator (French).", "Personnes en emploi à 6 mois"),
            _F("quantity", "float", "Quantity of the outcome.", "12", ge=0),
            _F("proxy_eur", "float", "Financial proxy per unit, euros.", "8500"),
            _F("proxy_source", "text", "Source of the proxy.", "Étude Dares 2021", nullable=True),
            _F("deadweight", "float", "Share that would have happened anyway.", "0.2", ge=0, le=1),
            _F("displacement", "float", "Share displaced from elsewhere.", "0.1", ge=0, le=1),
            _F("attribution", "float", "Share due to others.", "0.3", ge=0, le=1),
            _F("drop_off", "float", "Yearly decline after the first year.", "0.1", ge=0, le=1),
            _F("duration_years", "int", "Years the outcome lasts.", "3", ge=1),
            _F("start_offset_years", "int", "Years before the outcome starts.", "0", ge=0),
            _F("year", "int", "Cohort year of the outcome (e.g. the jobs created that year); empty = undated.",
               "2024", nullable=True, **_YEAR),
            _F("quantity_kind", "code", "flow = new in that year (a cohort); stock = everything that exists "
               "that year (warned against one year's inputs). Empty = flow.", "flow", nullable=True,
               codes=QUANTITY_KINDS),
            _F("transition", "text", "Transition(s) the outcome serves (`;`-separated), for the value by transition.",
               "ecological", nullable=True, pattern=_TRANSITION_LIST,
               pattern_label="one or more of `ecological`, `economic`, `social` separated by `;`"),
        ),
    ),
    TableSpec(
        "sroi_inputs", "SROI inputs: what each stakeholder group puts in.", "SROI",
        (
            _F("stakeholder_group", "code", "Stakeholder group.", "local_authorities", codes=STAKEHOLDER_GROUPS),
            _F("description", "text", "Input (French).", "Subvention de fonctionnement"),
            _F("value_eur", "float", "Value in euros.", "45000", ge=0),
            _F("year", "int", "Year of the input (discounted to the first year); empty = undated.", "2024",
               nullable=True, **_YEAR),
        ),
    ),
    TableSpec(
        "finances", "The structure's accounts by year: income (by funder or customer) and expenses.", "economic model",
        (
            _F("year", "int", "Financial year.", "2024", **_YEAR),
            _F("direction", "code", "Income or expense.", "income", codes=FINANCE_DIRECTIONS),
            _F("kind", "code", "Kind of income (" + ", ".join(INCOME_KINDS) + ") or of expense ("
               + ", ".join(EXPENSE_KINDS) + ").", "operating_subsidy", codes=INCOME_KINDS + EXPENSE_KINDS),
            _F("amount_eur", "float", "Amount in euros.", "45000", ge=0),
            _F("actor_id", "id", "Funder, customer or supplier, if known.", "A0042", nullable=True, ref=("actors", "actor_id")),
            _F("project_id", "id", "Project the line belongs to, if any.", "P001", nullable=True, ref=("projects", "project_id")),
            _F("description", "text", "Wording (French).", "Subvention de fonctionnement de la Région", nullable=True),
        ),
        row_checks=(
            RowCheck("kind_matches_direction", "kind", ("kind", "direction"),
                     "kind ne correspond pas à direction : une recette (income) a pour kind "
                     + ", ".join(INCOME_KINDS) + " ; une dépense (expense) " + ", ".join(EXPENSE_KINDS),
                     lambda d: (d["direction"].eq("income") & d["kind"].isin(INCOME_KINDS))
                     | (d["direction"].eq("expense") & d["kind"].isin(EXPENSE_KINDS))
                     | ~d["direction"].isin(FINANCE_DIRECTIONS) | ~d["kind"].isin(INCOME_KINDS + EXPENSE_KINDS)),
        ),
    ),
]

TABLES: dict[str, TableSpec] = {t.name: t for t in _TABLE_LIST}
"""Registry of the sixteen contract tables, in contract order."""

# --------------------------------------------------------------------------- campaign.yml
CAMPAIGN_FIELDS: list[tuple[str, str, bool, Any, str]] = [
    # key, type, required, default, description
    ("id", "str", True, None, "Campaign id; must equal the folder name."),
    ("title", "str", True, None, "French title shown on every page."),
    ("territory", "str", True, None, "Territory evaluated, e.g. `Lons-le-Saunier (Jura)`."),
    ("organisation", "str", True, None, "actor_id (in `actors`) of the evaluated structure."),
    ("period", "[int, int]", True, None, "First and last year covered, e.g. `[2016, 2025]`."),
    ("synthetic", "bool", False, False, "True for demo data: every page then says so."),
    ("monetisation", "mapping str -> number ≥ 0", False, {}, "Hourly values of time contributions, e.g. `volunteer_hour_eur`, `staff_hour_eur`."),
    ("sroi.discount_rate", "number in [0, 1)", False, DEFAULT_DISCOUNT_RATE,
     "Discount rate of the SROI. Default 3.2 %: French public-investment appraisal reference (France "
     "Stratégie, Guide de l'évaluation socioéconomique des investissements publics, complément "
     "opérationnel I « Révision du taux d'actualisation », 21 October 2021: 1.2 % + β × 2 %, β = 1). "
     "The ratio is also shown at 3.5 %, the HM Treasury Green Book rate of the Social Value UK convention."),
    ("disclosure.min_cell", "int ≥ 1", False, 5, "Smallest count of people shown in a published table."),
    ("survey.population", "mapping stakeholder group -> number ≥ 0", False, {},
     "People the structure serves, per stakeholder group (member register, beneficiary lists…): the "
     "survey's non-response weights make the respondents' group shares equal these. Empty: survey "
     "figures describe the respondents only."),
    ("tables", "mapping table -> file", False, {}, "File name of a table when it is not `<table>.csv`/`.xlsx`."),
]


def check_campaign_meta(meta: Any, folder_name: str | None = None) -> tuple[dict, list[tuple[str, Any, str, str]]]:
    """Check a parsed ``campaign.yml`` and fill its defaults.

    Returns ``(meta, problems)``; each problem is ``(key, value, rule, message)``.

    Examples
    --------
    >>> meta, problems = check_campaign_meta({"id": "x", "title": "T", "territory": "Jura",
    ...                                       "organisation": "A1", "period": [2016, 2025]}, "x")
    >>> problems, meta["disclosure"]["min_cell"], meta["sroi"]["discount_rate"]
    ([], 5, 0.032)
    """
    problems: list[tuple[str, Any, str, str]] = []
    if not isinstance(meta, Mapping):
        return {}, [("", _short(meta), "yaml_mapping", "campaign.yml doit être un dictionnaire de clés (id, title, …)")]
    meta = dict(meta)
    for key in ("id", "title", "territory", "organisation"):
        value = meta.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append((key, None, "required", f"clé obligatoire « {key} » absente ou vide"))
        elif not isinstance(value, (str, int)) or isinstance(value, bool):
            problems.append((key, _short(value), "type_text", f"« {key} » doit être un texte"))
        else:
            meta[key] = str(value)
    if folder_name is not None and isinstance(meta.get("id"), str) and meta["id"] != folder_name:
        problems.append(("id", meta["id"], "id_matches_folder",
                         f"id « {meta['id']} » différent du nom du dossier « {folder_name} »"))
    period = meta.get("period")
    if period is None:
        problems.append(("period", None, "required", "clé obligatoire « period » absente : [première_année, dernière_année]"))
    elif not (isinstance(period, (list, tuple)) and len(period) == 2
              and all(isinstance(y, int) and not isinstance(y, bool) for y in period) and period[0] <= period[1]):
        problems.append(("period", _short(period), "period", "period doit être [première_année, dernière_année] (entiers, croissants)"))
    else:
        meta["period"] = (int(period[0]), int(period[1]))
    synthetic = meta.get("synthetic", False)
    if not isinstance(synthetic, bool):
        problems.append(("synthetic", _short(synthetic), "type_bool", "synthetic doit valoir true ou false"))
    meta["synthetic"] = bool(synthetic) if isinstance(synthetic, bool) else False
    money = meta.get("monetisation") or {}
    if not isinstance(money, Mapping):
        problems.append(("monetisation", _short(money), "type_mapping", "monetisation doit être un dictionnaire clé: montant"))
        money = {}
    else:
        for k, v in money.items():
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
                problems.append((f"monetisation.{k}", _short(v), "ge", "montant attendu (nombre ≥ 0)"))
    meta["monetisation"] = dict(money)
    sroi = meta.get("sroi") or {}
    if not isinstance(sroi, Mapping):
        problems.append(("sroi", _short(sroi), "type_mapping", "sroi doit être un dictionnaire (discount_rate: 0.032)"))
        sroi = {}
    sroi = {"discount_rate": DEFAULT_DISCOUNT_RATE, **sroi}
    rate = sroi["discount_rate"]
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0 <= rate < 1:
        problems.append(("sroi.discount_rate", _short(rate), "range", "taux d'actualisation attendu dans [0, 1), ex. 0.032"))
    meta["sroi"] = sroi
    disclosure = meta.get("disclosure") or {}
    if not isinstance(disclosure, Mapping):
        problems.append(("disclosure", _short(disclosure), "type_mapping", "disclosure doit être un dictionnaire (min_cell: 5)"))
        disclosure = {}
    disclosure = {"min_cell": 5, **disclosure}
    mc = disclosure["min_cell"]
    if not isinstance(mc, int) or isinstance(mc, bool) or mc < 1:
        problems.append(("disclosure.min_cell", _short(mc), "ge", "min_cell doit être un entier ≥ 1"))
    meta["disclosure"] = disclosure
    tables = meta.get("tables") or {}
    if not isinstance(tables, Mapping):
        problems.append(("tables", _short(tables), "type_mapping", "tables doit être un dictionnaire table: fichier"))
        tables = {}
    for name, file in tables.items():
        if name not in TABLES:
            problems.append((f"tables.{name}", _short(file), "isin", "table inconnue ; tables du contrat : " + ", ".join(TABLES)))
        elif not isinstance(file, str) or not file.strip():
            problems.append((f"tables.{name}", _short(file), "type_text", "nom de fichier attendu"))
    meta["tables"] = {str(k): str(v) for k, v in tables.items() if k in TABLES and isinstance(v, str)}
    return meta, problems


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "…"


# --------------------------------------------------------------------------- typing + validation
def _type_column(f_kind: str, s: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series, str]:
    """Return (typed, bad mask, rule) for one text column."""
    if f_kind in ("id", "text", "code"):
        return s.astype("str"), pd.Series(False, index=s.index), ""
    if f_kind == "date":
        v, bad = parse_dates(s)
        return v, bad, "type_date"
    if f_kind == "bool":
        v, bad = parse_bools(s)
        return v.astype("boolean").mask(s.isna()), bad, "type_bool"
    v, bad = parse_numbers(s, decimal)
    if f_kind == "int":
        frac = v.notna() & (v != np.floor(v.fillna(0)))
        bad = bad | frac
        return v.where(~frac).astype("Int64"), bad, "type_int"
    return v, bad, "type_number"


_TYPE_MESSAGES = {
    "type_date": "date attendue (AAAA-MM-JJ ou JJ/MM/AAAA)",
    "type_bool": "booléen attendu (true/false, oui/non, 1/0)",
    "type_int": "nombre entier attendu",
    "type_number": "nombre attendu",
}


def _error_rows(rows, column, values, rule, message) -> list[dict]:
    return [{"row": r, "column": column, "value": v, "rule": rule, "message": message} for r, v in zip(rows, values, strict=True)]


def _cell(raw: pd.DataFrame, row: Any, column: str | None) -> Any:
    if column is None or column not in raw.columns:
        return None
    try:
        v = raw.at[row, column]
    except KeyError:
        return None
    return None if pd.isna(v) else v


def _pandera_message(spec: TableSpec, column: str, check: str, items: pd.DataFrame | None) -> tuple[str, str]:
    """Map a pandera check name to (rule, French message)."""
    f = next((x for x in spec.fields if x.name == column), None)
    if check == "not_nullable":
        return "not_null", "valeur obligatoire manquante"
    if check == "field_uniqueness":
        return "unique", f"« {column} » doit être unique : valeur en double"
    if check == "multiple_fields_uniqueness":
        cols = ", ".join(spec.unique_together or ())
        return "unique_together", f"combinaison ({cols}) en double"
    if check.startswith("isin"):
        codes = ", ".join(f.codes) if f and f.codes else ""
        return "isin", f"valeur inconnue ; valeurs permises : {codes}"
    if check.startswith("greater_than_or_equal_to"):
        return "ge", f"doit être ≥ {check[check.index('(') + 1:-1]}"
    if check.startswith("greater_than"):
        return "gt", f"doit être > {check[check.index('(') + 1:-1]}"
    if check.startswith("less_than_or_equal_to"):
        return "le", f"doit être ≤ {check[check.index('(') + 1:-1]}"
    if check.startswith("in_range"):
        lo, hi = check[check.index("(") + 1:-1].split(",")
        return "range", f"réponse hors de l'échelle de l'item : entre {lo.strip()} et {hi.strip()}"
    if check.startswith("str_matches"):
        label = f.pattern_label if f and f.pattern_label else "format"
        return "pattern", f"format attendu : {label}"
    if check.startswith("row:"):
        rc = next(r for r in spec.row_checks if r.name == check[4:])
        return rc.name, rc.message
    if check.startswith("column_in_dataframe"):
        return "missing_column", "colonne obligatoire absente"
    return check, check


def validate_table(
    name: str,
    raw: pd.DataFrame,
    *,
    decimal: str = ".",
    header_row: int = 1,
    items: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Type and validate one table read as text by :func:`rd_methods.readers.read_table`.

    Parameters
    ----------
    name : str
        Contract table name (a key of :data:`TABLES`).
    raw : DataFrame
        Text cells; the index is the row number in the file.
    decimal : str
        Decimal mark detected in the file.
    header_row : int
        Row of the header in the file (reported for missing columns).
    items : DataFrame, optional
        Typed ``survey_items`` (needed to check ``survey_responses`` item columns).

    Returns
    -------
    typed : DataFrame
        Columns typed as the contract says (see module docstring), index = file rows.
    errors : DataFrame
        ``row, column, value, rule, message`` (no ``file`` column), one row per problem,
        empty when the table is valid.

    Examples
    --------
    >>> raw = pd.DataFrame({"stakeholder_group": ["members", "aliens"], "description": ["a", "b"],
    ...                     "value_eur": ["12,5", "-1"]}, index=pd.Index([2, 3], name="row"))
    >>> typed, errors = validate_table("sroi_inputs", raw, decimal=",")
    >>> errors[["row", "column", "rule"]].values.tolist()
    [[3, 'stakeholder_group', 'isin'], [3, 'value_eur', 'ge']]
    """
    spec = TABLES[name]
    errors: list[dict] = []
    # tolerate case / spacing differences in contract column names ("Actor_ID " -> actor_id)
    wanted = {c.lower(): c for c in spec.columns}
    renames = {c: wanted[str(c).strip().lower()] for c in raw.columns
               if c not in wanted.values() and str(c).strip().lower() in wanted
               and wanted[str(c).strip().lower()] not in raw.columns}
    if renames:
        raw = raw.rename(columns=renames)
    missing = [c for c in spec.required_columns if c not in raw.columns]
    for c in missing:
        errors.append({"row": header_row, "column": c, "value": None, "rule": "missing_column",
                       "message": "colonne obligatoire absente de l'en-tête (colonnes lues : "
                                  + ", ".join(map(str, raw.columns)) + ")"})
    typed: dict[str, pd.Series] = {}
    type_bad: dict[str, pd.Series] = {}
    for f in spec.fields:
        if f.name in missing:
            continue
        s = raw[f.name] if f.name in raw.columns else pd.Series(np.nan, index=raw.index, dtype="str")
        v, bad, rule = _type_column(f.kind, s, decimal)
        typed[f.name] = v
        if bad.any():
            type_bad[f.name] = bad
            errors += _error_rows(bad[bad].index, f.name, s[bad].tolist(), rule, _TYPE_MESSAGES[rule])
    item_ids = set(items["item_id"].astype(str)) if (spec.item_columns and items is not None) else set()
    for c in raw.columns:
        if c in typed or c in missing:
            continue
        s = raw[c]
        if spec.extra_numeric or c in item_ids:
            kind = "int" if c in item_ids else "float"
            v, bad, rule = _type_column(kind, s, decimal)
            if bad.any():
                type_bad[c] = bad
                errors += _error_rows(bad[bad].index, c, s[bad].tolist(), rule, _TYPE_MESSAGES[rule])
            typed[c] = v
        else:
            typed[c] = s.astype("str")
    df = pd.DataFrame(typed, index=raw.index)
    schema = spec.schema(items)
    if missing:
        schema = schema.remove_columns([c for c in missing if c in schema.columns])
        if spec.unique_together and any(c in missing for c in spec.unique_together):
            schema = copy.deepcopy(schema)
            schema.unique = None
    try:
        schema.validate(df, lazy=True)
    except SchemaErrors as exc:
        fc = exc.failure_cases
        seen: set[tuple] = set()
        for rec in fc.itertuples(index=False):
            col = rec.column if isinstance(rec.column, str) else None
            check = str(rec.check)
            if check.startswith("row:"):
                col = next(r.column for r in spec.row_checks if r.name == check[4:])
            compound = check == "multiple_fields_uniqueness" and spec.unique_together
            if compound:
                col = ", ".join(spec.unique_together)
            idx = rec.index
            if idx is None or (isinstance(idx, float) and np.isnan(idx)):
                row = header_row
            else:
                row = int(idx)
                if col in type_bad and bool(type_bad[col].get(row, False)):
                    continue  # already reported as a type error
            key = (row, col, check)
            if key in seen:
                continue
            seen.add(key)
            rule, message = _pandera_message(spec, col or "", check, items)
            if compound:
                value = ", ".join(str(_cell(raw, row, c)) for c in spec.unique_together)
            else:
                value = _cell(raw, row, col) if idx is not None else _short(rec.failure_case)
            errors.append({"row": row, "column": col, "value": value,
                           "rule": rule, "message": message})
    err = pd.DataFrame(errors, columns=["row", "column", "value", "rule", "message"])
    return finalize_dtypes(name, df), err


def finalize_dtypes(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Cast a checked table to the contract dtypes (``int64``/``bool`` where not nullable).

    Also used on tables read back from parquet so both paths give the same dtypes.
    """
    spec = TABLES[name]
    out = {}
    for c in df.columns:
        s = df[c]
        try:
            f = spec.field(c)
        except KeyError:
            f = None
        if f is not None:
            target = f.dtype
            if f.kind in ("int", "bool") and s.isna().any():
                target = f.check_dtype
            out[c] = s.astype(target)
        elif spec.item_columns and str(s.dtype) in ("Int64", "int64", "float64"):
            out[c] = s.astype("Int64")
        elif spec.extra_numeric:
            out[c] = s.astype("float64")
        else:
            out[c] = s.astype("str")
    return pd.DataFrame(out, index=df.index)


# --------------------------------------------------------------------------- documentation
def _schema_fingerprint() -> str:
    text = repr([(t.name, t.fields, t.unique_together, [(r.name, r.columns) for r in t.row_checks],
                  t.extra_numeric, t.item_columns) for t in _TABLE_LIST]) + repr(CAMPAIGN_FIELDS)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


SCHEMA_VERSION = _schema_fingerprint()
"""Changes whenever the contract changes (invalidates processed caches)."""

_KIND_LABEL = {"id": "identifier (text)", "text": "text", "code": "code (text)", "date": "date",
               "int": "integer", "float": "number", "bool": "boolean"}


def contract_markdown() -> str:
    """The full data-contract reference page (``docs/data-contract.md``), generated from :data:`TABLES`."""
    out = [
        "# Campaign data contract",
        "",
        "<!-- Generated from rd_methods.schemas.TABLES by rd_methods.schemas.contract_markdown(); "
        "do not edit by hand: tests/test_campaign.py checks that this page matches the code. -->",
        "",
        "A campaign is one folder `data/raw/<campaign_id>/` holding `campaign.yml` and tables. "
        "Only `actors` is mandatory; a notebook runs when the tables it needs are present.",
        "",
        "Files: each table is `<table>.csv` or `<table>.xlsx` (or `.sav` / `.dta`), unless "
        "`campaign.yml` maps it under `tables:`. A CSV may be UTF-8 (with or without BOM), "
        "Windows-1252 or Latin-1, use `,` or `;` as delimiter and a decimal comma; dates are "
        "`2025-03-14` or `14/03/2025` (day first); booleans `true/false`, `vrai/faux`, `oui/non`, "
        "`1/0`. An Excel sheet may have title rows above the header. A header-only file counts as "
        "an absent table (noted). A nullable column may be left out of the file. Extra columns "
        "are kept as text (in `territory_panel`, as numeric covariates).",
        "",
        "Numbers: thousands may be separated by a space, U+00A0 or U+202F (`1 650,00`), or by "
        "the mark that is not the decimal one (`1.650,00`, `1,650.00`). A value that could be "
        "read two ways is an error, never a guess: `1,650` in a file whose decimal mark is `.`, "
        "`1.650` in a decimal-comma file (in a decimal-comma file `1,650` is 1.65). The decimal "
        "mark of a CSV is detected on its unambiguous cells.",
        "",
        "Validation (`rd-methods validate <campaign>`) reports every problem at once with file, "
        "row as seen in the file (CSV header = row 1; Excel row number), column, value and rule. "
        "References (→) to unknown ids are errors.",
        "",
        "## Workbook",
        "",
        "A campaign may keep its tables in one workbook `tables.xlsx` beside `campaign.yml`, "
        "one sheet per table named as the table (`rd-methods new <id> --workbook` makes an empty "
        "one; `rd-methods export-workbook <campaign> --out tables.xlsx` writes an existing "
        "campaign into one, and loading it back gives the same typed tables). In each sheet, "
        "row 1 holds the French label of each column, row 2 its help (also a comment on the "
        "header cell), row 3 the column names below (the header), data start on row 4. Every "
        "coded column (`one of` below) and every boolean (`oui` / `non`) has a drop-down list, "
        "taken from the hidden sheet `listes`; a column that refers to another table (→) lists "
        "that sheet's ids (a new id only warns); numbers carry their bounds; dates are "
        "formatted `JJ/MM/AAAA`; the header is frozen. An « À lire » sheet explains the workbook "
        "in French. The sheets are generated from this contract: a new table or column appears "
        "by itself. A sheet with its header only counts as an absent table; a table given both "
        "as a sheet and as its own file is an error (`ambiguous_source`). Errors name the sheet "
        "and the cell as a spreadsheet shows it, e.g. `tables.xlsx › actors, cellule C5`.",
        "",
        "![Drop-down list of actors.category in LibreOffice Calc](workbook-drop-down.png)",
        "",
        "## campaign.yml",
        "",
        "| key | type | required | default | description |",
        "|---|---|---|---|---|",
    ]
    for key, typ, req, default, desc in CAMPAIGN_FIELDS:
        d = "" if default is None else f"`{default}`"
        out.append(f"| `{key}` | {typ} | {'yes' if req else 'no'} | {d} | {desc} |")
    out += ["", "Example:", "", "```yaml", campaign_yml_template("demo-2025").rstrip(), "```", ""]
    out += ["## Tables", "", "| table | used by | description |", "|---|---|---|"]
    out += [f"| [`{t.name}`](#{t.name}) | {t.used_by} | {t.description} |" for t in _TABLE_LIST]
    for t in _TABLE_LIST:
        out += ["", f"### {t.name}", "", t.description + (" Mandatory." if t.name == "actors" else ""), "",
                "| column | type | constraint | example | description |", "|---|---|---|---|---|"]
        for f in t.fields:
            out.append(f"| `{f.name}` | {_KIND_LABEL[f.kind]} | {f.constraint()} | `{f.example}` | {f.description} |")
        notes = []
        if t.unique_together:
            notes.append("Unique together: (" + ", ".join(f"`{c}`" for c in t.unique_together) + ").")
        for rc in t.row_checks:
            notes.append(f"Row check `{rc.name}`: " + " ".join(rc.columns) + f" — {rc.message}.")
        if t.item_columns:
            notes.append("Then one column per `survey_items.item_id`: integer answer in that item's "
                         "[`min`, `max`] or empty. A column that is not an item is an error.")
        if t.extra_numeric:
            notes.append("Any further column is a numeric covariate.")
        if notes:
            out += [""] + notes
    out += ["", f"Schema version: `{SCHEMA_VERSION}`.", ""]
    return "\n".join(out)


def campaign_yml_template(campaign_id: str) -> str:
    """A commented ``campaign.yml`` for a new campaign (used by ``rd-methods new``)."""
    return f"""# Campaign description (data contract: docs/data-contract.md)
{"id: " + campaign_id:<38} # must equal the folder name
title: "Évaluation d'impact social"    # French title shown on every page
territory: "Lons-le-Saunier (Jura)"    # territory evaluated
organisation: A0001                    # actor_id of the evaluated structure (in actors)
period: [2016, 2025]                   # [first_year, last_year]
synthetic: false                       # true for demo / synthetic data
monetisation:                          # euros per hour used to value time contributions
  volunteer_hour_eur: 13.5
  staff_hour_eur: 32.0
sroi:
  discount_rate: 0.032                 # SROI: France Stratégie 2021 (1.2 % + 2 %); Green Book: 0.035
disclosure:
  min_cell: 5                          # smallest count of people shown in published tables
# survey:                              # people served per stakeholder group (survey weights)
#   population: {{members: 95, beneficiaries: 640, partners: 120}}
# tables:                              # only when a file is not named <table>.csv / .xlsx
#   actors: export_acteurs_2025.xlsx
"""
