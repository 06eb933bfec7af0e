"""Time budget: how long each notebook should take on a campaign of a given size.

The growth model comes from the scale benchmark (``benchmarks/bench_scale.py``): the
full report of demo campaigns generated at scales 1, 10 and 100, with every notebook's
seconds and the rows of the campaign's tables. It is stored as package data
(``rd_methods/data/time_model.json``) and read by :func:`load_model`.

For a notebook, the *size* of a campaign is the number of rows of the tables that drive
its cost (:data:`DRIVERS`; by default the tables it requires, its ``rd_methods.requires``
metadata). Between two measured sizes the time is interpolated on a log-log scale
(a power law ``t = t1 (n / n1) ** g`` with the growth exponent ``g`` of that segment);
beyond the largest measured size it is extrapolated by the larger of that power law and
the straight line through the last two points (a fixed start-up cost plus a cost per row:
a notebook whose time hardly grew between the measured sizes still grows linearly with
the data beyond them); below the smallest, the smallest measured time is kept (start-up
costs dominate).

Each notebook names the parameter that trades precision for time (:data:`PRECISION_PARAMETERS`)
and :func:`estimate` suggests a value that fits a budget, assuming the time spent on the
draws is proportional to their number and is the share :data:`DRAW_SHARE` of the
notebook's time (all of it where no share was measured: then the saving is an upper
bound). When the rest of the notebook alone exceeds the budget, no value is suggested and
the message says what the parameter shortens.

The estimates are those of the machine of the benchmark (a 2-core shared machine, see
``benchmarks/RESULTS.md``); they are orders of magnitude, not promises.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from importlib import resources

import pandas as pd

from rd_methods.montecarlo import MIN_DRAWS

__all__ = [
    "DRIVERS",
    "PRECISION_PARAMETERS",
    "DRAW_SHARE",
    "DEFAULT_BUDGET_SECONDS",
    "fit_model",
    "load_model",
    "predict_seconds",
    "campaign_sizes",
    "estimate",
    "message",
]

#: Tables whose rows drive each notebook's cost (others: the tables it requires).
DRIVERS: dict[str, tuple[str, ...]] = {
    "00_campaign_overview": ("actors", "participations", "events", "projects", "contributions"),
    "10_value_chain": ("contributions",),
    "20_actor_network": ("participations",),
    "30_rd_pipeline": ("projects", "project_stages", "activities"),
    "40_stakeholder_survey": ("survey_responses",),
    "50_territorial_effects": ("territory_panel",),
    "55_resilience": ("participations",),
    "60_sroi": ("sroi_impact_map", "survey_responses"),
    "70_economic_model": ("finances", "jobs"),
}
#: Parameter of each notebook that trades precision for time: (name, default, French hint).
PRECISION_PARAMETERS: dict[str, tuple[str, int, str]] = {
    "20_actor_network": ("n_baseline", 100, "réseaux aléatoires du test de dépendance, au plus"),
    "40_stakeholder_survey": ("n_boot", 200, "rééchantillonnages bootstrap de l'oméga"),
    "55_resilience": ("n_random", 10, "réseaux aléatoires de comparaison"),
    "60_sroi": ("n_draws", 10000, "tirages Monte Carlo"),
}
#: Draws the measured times rest on, where it is not the parameter's default: notebook 20's
#: null draws stop early (Besag & Clifford's sequential rule, rd_methods.montecarlo), at
#: ``MIN_DRAWS`` (40) of the 100 allowed on the benchmark's campaigns.
TIMED_DRAWS: dict[str, int] = {"20_actor_network": MIN_DRAWS}
#: Share of a notebook's time spent on the draws its precision parameter sets, measured on
#: the benchmark's largest campaign (scale 100): notebook 20's dependence test took about
#: 36 s of 162 s (the brokerage tests, the projection comparison and the yearly networks
#: take the rest). Notebooks not listed: 1 (an upper bound of the saving).
DRAW_SHARE: dict[str, float] = {"20_actor_network": 0.2}
#: A notebook estimated above this many seconds is flagged (``over_budget``).
DEFAULT_BUDGET_SECONDS = 300.0
_MODEL_FILE = "time_model.json"


def _size(tables: Mapping[str, int], notebook: str, requires=()) -> int:
    names = DRIVERS.get(notebook) or tuple(requires) or tuple(tables)
    return int(sum(int(tables.get(t, 0) or 0) for t in names))


def fit_model(rows, *, source: str = "") -> dict:
    """Growth model from the rows of :func:`benchmarks.bench_scale.run`.

    ``rows`` holds one dict per (scale, notebook) with ``seconds`` and ``status`` and one
    ``"(total)"`` row per scale with ``tables`` (rows per table). Returns ``{"source",
    "notebooks": {stem: {"sizes": [...], "seconds": [...]}}}``, sizes increasing; failed
    or missing runs are left out.
    """
    rows = list(rows)
    tables = {r["scale"]: r.get("tables") or {} for r in rows if r["notebook"] == "(total)"}
    points: dict[str, dict[int, float]] = {}
    for r in rows:
        stem = r["notebook"]
        if stem == "(total)" or r.get("status") != "ok" or r["scale"] not in tables:
            continue
        seconds = float(r["seconds"])
        if not seconds > 0:
            continue
        size = _size(tables[r["scale"]], stem)
        at = points.setdefault(stem, {})
        at[size] = max(seconds, at.get(size, 0.0))  # same size at two scales: the slower
    notebooks = {
        stem: {"sizes": sorted(p), "seconds": [round(p[s], 2) for s in sorted(p)]}
        for stem, p in sorted(points.items())
        if p
    }
    return {"source": source, "notebooks": notebooks}


def load_model() -> dict:
    """The growth model shipped with the package (``rd_methods/data/time_model.json``)."""
    text = resources.files("rd_methods").joinpath("data", _MODEL_FILE).read_text("utf-8")
    return json.loads(text)


def predict_seconds(entry: Mapping, size: float) -> float:
    """Seconds at ``size`` from one notebook's measured ``sizes`` and ``seconds``.

    Log-log interpolation between measured sizes; above the largest, the larger of the
    last segment's power law and of the straight line through the last two points; the
    smallest time below the smallest size.

    Examples
    --------
    >>> predict_seconds({"sizes": [10, 100], "seconds": [2.0, 20.0]}, 1000)
    200.0
    >>> predict_seconds({"sizes": [10, 100], "seconds": [2.0, 20.0]}, 5)
    2.0
    """
    sizes = [float(s) for s in entry["sizes"]]
    seconds = [float(t) for t in entry["seconds"]]
    if not sizes:
        return float("nan")
    if size <= sizes[0] or len(sizes) == 1:
        if len(sizes) == 1 and size > sizes[0]:
            return seconds[0] * size / sizes[0]  # one point: linear
        return seconds[0]
    for i in range(1, len(sizes)):
        if size <= sizes[i] or i == len(sizes) - 1:
            s1, s2, t1, t2 = sizes[i - 1], sizes[i], seconds[i - 1], seconds[i]
            g = math.log(t2 / t1) / math.log(s2 / s1)
            if size > s2:  # beyond what was measured: the larger of two extrapolations
                affine = t2 + (t2 - t1) / (s2 - s1) * (size - s2)
                return max(t2 * (size / s2) ** g, affine)
            return t1 * (size / s1) ** g
    return seconds[-1]  # pragma: no cover


def campaign_sizes(tables: Mapping[str, pd.DataFrame]) -> dict[str, int]:
    """Rows of every table of a campaign (e.g. ``Campaign.tables``)."""
    return {name: int(len(frame)) for name, frame in tables.items() if frame is not None}


def estimate(
    sizes: Mapping[str, int],
    notebooks=None,
    *,
    model: Mapping | None = None,
    budget_seconds: float = DEFAULT_BUDGET_SECONDS,
    requires: Mapping[str, tuple[str, ...]] | None = None,
) -> pd.DataFrame:
    """Estimated seconds of each notebook on a campaign with these table ``sizes``.

    Parameters
    ----------
    sizes : mapping table -> rows
        E.g. :func:`campaign_sizes` of a loaded campaign.
    notebooks : list of str, optional
        Notebook stems (default: every notebook of the model).
    model : mapping, optional
        Growth model (default :func:`load_model`).
    budget_seconds : float
        A notebook estimated above it is ``over_budget``, with a suggested value of its
        precision parameter that would bring the draws' part under the budget.
    requires : mapping stem -> tables, optional
        Tables each notebook requires, for notebooks without a :data:`DRIVERS` entry.

    Returns
    -------
    DataFrame
        One row per notebook: ``notebook, size, seconds`` (NaN when the model does not know
        the notebook), ``over_budget``, ``parameter``, ``default``, ``suggested``
        (``None`` unless over budget, or when the draws alone cannot bring the notebook
        within it), ``hint`` (French), ``draw_share`` (:data:`DRAW_SHARE`).
    """
    model = load_model() if model is None else model
    known = model.get("notebooks", {})
    stems = list(known) if notebooks is None else list(notebooks)
    rows = []
    for stem in stems:
        size = _size(sizes, stem, (requires or {}).get(stem, ()))
        entry = known.get(stem)
        seconds = predict_seconds(entry, size) if entry else float("nan")
        over = bool(seconds == seconds and seconds > budget_seconds)
        param, default, hint = PRECISION_PARAMETERS.get(stem, (None, None, None))
        suggested = None
        share = DRAW_SHARE.get(stem, 1.0)
        if over and param:
            draws_budget = budget_seconds - (1 - share) * seconds  # what is left for the draws
            if draws_budget > 0:
                suggested = max(1, int(TIMED_DRAWS.get(stem, default) * draws_budget / (share * seconds)))
        rows.append({"notebook": stem, "size": size, "seconds": seconds, "over_budget": over,
                     "parameter": param, "default": default, "suggested": suggested, "hint": hint,
                     "draw_share": share})
    out = pd.DataFrame(rows, columns=["notebook", "size", "seconds", "over_budget", "parameter",
                                      "default", "suggested", "hint", "draw_share"])
    out["suggested"] = pd.Series([r["suggested"] for r in rows], index=out.index, dtype=object)
    return out


def _duration_fr(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h".replace(".", ",")


def message(row: Mapping) -> str:
    """One French line for a row of :func:`estimate`, for the runner to print.

    Examples
    --------
    >>> message({"notebook": "20_actor_network", "seconds": 540.0, "over_budget": True,
    ...          "parameter": "n_baseline", "suggested": 50, "hint": "réseaux aléatoires"})
    '20_actor_network : environ 9 min à cette taille ; --param n_baseline=50 pour aller plus vite (réseaux aléatoires)'
    """
    seconds = float(row["seconds"])
    if seconds != seconds:
        return f"{row['notebook']} : durée inconnue à cette taille (absent du modèle de temps)"
    text = f"{row['notebook']} : environ {_duration_fr(seconds)} à cette taille"
    if row.get("over_budget") and isinstance(row.get("parameter"), str):
        value = row.get("suggested")
        if isinstance(value, int) and value > 0:
            text += f" ; --param {row['parameter']}={value} pour aller plus vite ({row['hint']})"
        else:  # the rest of the notebook alone exceeds the budget
            share = float(row.get("draw_share") or 1.0)
            text += (f" ; --param {row['parameter']} ({row['hint']}) ne réduit qu'environ "
                     f"{round(100 * share)} % de ce temps")
    return text
