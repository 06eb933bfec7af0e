"""Extended value chain: who co-produces the value of the projects, with what, and for whom.

Frame: La Fonda, « La chaîne de valeur élargie » (Fabrique Écologie-Fonda, programme
*Faire ensemble 2030*), itself an extension of Porter's value chain (M. E. Porter,
*Competitive Advantage*, 1985). In the extended chain, value is **co-produced** by a network
of stakeholders around each project; **support functions** (governance, animation,
fundraising, communication, administration) are part of value creation, not overhead;
each stakeholder acquires value within its own chain; value is economic, social, societal,
political and environmental. The evaluator's question is one of *contribution* within that
network, not of sole attribution.

Conventions of this module (stated once, used everywhere):

* **valuation** (:func:`monetise`): ``value_eur`` when given; otherwise an amount in ``eur``
  at face value (rule ``cash``); hours of ``staff_time`` or ``skills`` × ``staff_hour_eur``
  (``staff_hour``); hours of ``volunteer_time`` × ``volunteer_hour_eur``
  (``volunteer_hour``); days of these three resources × 7 hours (French legal 35-hour week
  / 5 days) × the same hourly rates (``day``); anything else (premises in m², equipment or
  network introductions counted in items without a stated value) is **not valued**: it is
  kept and flagged (``valued=False``, rule ``unvalued``), never dropped, and left out of
  the euro totals. The rates are the campaign's ``monetisation`` (``campaign.yml``);
* **leverage** (:func:`leverage`): euros brought by every other actor per euro of the
  evaluated structure, on valued contributions;
* **diversity** (:func:`co_construction`): Shannon's index ``H = −Σ p ln p`` (natural log)
  and the Gini–Simpson index ``1 − Σ p²`` of the *actors'* categories; Herfindahl–Hirschman
  concentration ``Σ s²`` of the *euros* by actor;
* **support share** (:func:`support_share`): share of ``kind == "support"`` activities in
  cost and in staff hours;
* **regeneration** (:func:`regeneration`): an actor whose first involvement was taking part
  in an event (as ``participant``) in a year strictly before its first contribution of
  resources; same-year cases are not counted (the contribution has no date within the
  year).

Functions take the contract's tables (``docs/data-contract.md``) as tidy DataFrames and
return tidy DataFrames; they never read files, print or plot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

__all__ = [
    "HOURS_PER_DAY",
    "UNITS",
    "RESOURCES",
    "VALUATIONS",
    "SUPPORT_FUNCTIONS",
    "EVIDENCE",
    "LAYERS",
    "monetise",
    "contribution_matrix",
    "leverage",
    "co_construction",
    "support_share",
    "ValueCreated",
    "value_created",
    "regeneration",
    "build_graph",
    "FlowLayout",
    "flow_layout",
    "time_shares",
    "ValueChainAnalysis",
    "analyse",
    "key_results",
]

#: Hours in a working day used to value contributions counted in days (35 h / 5 days).
HOURS_PER_DAY = 7.0
#: Units of the contract's ``contributions.unit``.
UNITS: tuple[str, ...] = ("eur", "hour", "day", "m2", "item")
#: Resources of the contract's ``contributions.resource``.
RESOURCES: tuple[str, ...] = ("cash", "staff_time", "volunteer_time", "skills", "premises", "equipment", "network")
#: Valuation rules reported by :func:`monetise` in the ``valuation`` column.
VALUATIONS: tuple[str, ...] = ("given", "cash", "staff_hour", "volunteer_hour", "day", "unvalued")
#: Functions that the contract's demo and La Fonda's frame count as support functions.
SUPPORT_FUNCTIONS: tuple[str, ...] = ("governance", "animation", "communication", "fundraising", "administration")
#: Evidence levels, strongest first.
EVIDENCE: tuple[str, ...] = ("measured", "declared", "estimated")
#: Layers of the value-chain graph, in flow order.
LAYERS: tuple[str, ...] = ("actor", "resource", "activity", "outcome")
#: Time resources and the ``monetisation`` key of their hourly rate.
_TIME_RATES = {"staff_time": "staff_hour_eur", "skills": "staff_hour_eur", "volunteer_time": "volunteer_hour_eur"}
_BY_ALIASES = {
    "actor": "actor_id",
    "actor_id": "actor_id",
    "project": "project_id",
    "project_id": "project_id",
    "category": "category",
    "resource": "resource",
    "year": "year",
}
_STAKEHOLDER_GROUPS = ("beneficiaries", "employees", "volunteers", "members", "partners", "local_authorities", "territory")
_VALUE_TYPES = ("economic", "social", "societal", "political", "environmental")


# --------------------------------------------------------------------------- helpers
def _require(frame: pd.DataFrame, columns: Iterable[str], name: str, hint: str = "") -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, not {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {', '.join(missing)}" + (f" ({hint})" if hint else ""))


def _rows(mask: np.ndarray | pd.Series, limit: int = 5) -> str:
    idx = np.flatnonzero(np.asarray(mask))
    shown = ", ".join(str(i) for i in idx[:limit])
    return shown + (f" … ({len(idx)} rows)" if len(idx) > limit else "")


def _text(series: pd.Series) -> np.ndarray:
    """Values of a text column as an object array with None for missing."""
    return series.astype(object).where(series.notna(), None).to_numpy(object)


def _valued(contributions: pd.DataFrame, name: str = "contributions") -> pd.DataFrame:
    _require(contributions, ("project_id", "actor_id", "value_eur", "valued"), name,
             "value the contributions first: monetise(contributions, camp.monetisation)")
    return contributions


def _euros(contributions: pd.DataFrame) -> np.ndarray:
    """Valued euros of each row, 0 where the contribution is not valued."""
    v = contributions["value_eur"].to_numpy(float)
    ok = contributions["valued"].to_numpy(bool)
    return np.where(ok & ~np.isnan(v), v, 0.0)


def _ratio(num: np.ndarray | pd.Series, den: np.ndarray | pd.Series) -> np.ndarray:
    num = np.asarray(num, float)
    den = np.asarray(den, float)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


# --------------------------------------------------------------------------- valuation
def monetise(
    contributions: pd.DataFrame,
    monetisation: dict | None,
    *,
    hours_per_day: float = HOURS_PER_DAY,
) -> pd.DataFrame:
    """Value every contribution in euros, keeping what could not be valued.

    Rules, in order: ``value_eur`` when given (``given``); an amount in ``eur`` at face value
    (``cash``, whatever the resource); hours of ``staff_time`` or ``skills`` ×
    ``monetisation["staff_hour_eur"]`` (``staff_hour``); hours of ``volunteer_time`` ×
    ``monetisation["volunteer_hour_eur"]`` (``volunteer_hour``); days of these resources ×
    ``hours_per_day`` (7) × the same rate (``day``). Anything else (m², items, hours of
    premises…) or a missing rate gives ``valued=False`` and ``valuation="unvalued"``: the row
    is kept with ``value_eur`` NaN and a ``reason`` (``unit_not_monetised`` or
    ``missing_rate:<key>``).

    The convention follows the usual valuation of volunteer time at a replacement cost
    (hourly proxies set per campaign in ``campaign.yml``), as La Fonda's extended value chain
    asks every contribution, cash or in kind, to be counted (La Fonda, « La chaîne de valeur
    élargie », after Porter, 1985). The proxies are conventions, not prices.

    Parameters
    ----------
    contributions : DataFrame
        Table ``contributions``: ``resource``, ``quantity``, ``unit`` and optionally
        ``value_eur`` (other columns are kept).
    monetisation : dict
        Hourly rates, e.g. ``{"staff_hour_eur": 32, "volunteer_hour_eur": 13.5}``
        (``camp.monetisation``).
    hours_per_day : float
        Hours in a day for contributions counted in days.

    Returns
    -------
    DataFrame
        The input rows in order, with ``value_eur`` filled where a rule applies, and
        ``valued`` (bool), ``valuation`` (rule), ``proxy_eur`` (euros per unit of
        ``quantity`` used by the rule; NaN for ``given`` and ``unvalued``) and ``reason``
        (why a row is not valued; NaN otherwise).

    Raises
    ------
    ValueError
        Unknown unit or resource, negative or missing quantity, negative ``value_eur``.

    Examples
    --------
    >>> c = pd.DataFrame({"resource": ["volunteer_time", "skills", "network"],
    ...                   "quantity": [10.0, 2.0, 3.0], "unit": ["hour", "day", "item"]})
    >>> out = monetise(c, {"volunteer_hour_eur": 13.5, "staff_hour_eur": 32})
    >>> out[["value_eur", "valuation"]].to_dict("list")
    {'value_eur': [135.0, 448.0, nan], 'valuation': ['volunteer_hour', 'day', 'unvalued']}
    """
    _require(contributions, ("resource", "quantity", "unit"), "contributions")
    monetisation = dict(monetisation or {})
    if not np.isfinite(hours_per_day) or hours_per_day <= 0:
        raise ValueError(f"hours_per_day must be a number > 0, got {hours_per_day!r}")
    out = contributions.copy()
    unit = _text(out["unit"])
    resource = _text(out["resource"])
    bad_unit = ~np.isin(unit, UNITS)
    if bad_unit.any():
        shown = sorted({str(u) for u in unit[bad_unit]})
        raise ValueError(f"unknown unit {', '.join(shown)} in contributions rows {_rows(bad_unit)}; "
                         f"allowed units: {', '.join(UNITS)}")
    bad_res = ~np.isin(resource, RESOURCES)
    if bad_res.any():
        shown = sorted({str(r) for r in resource[bad_res]})
        raise ValueError(f"unknown resource {', '.join(shown)} in contributions rows {_rows(bad_res)}; "
                         f"allowed resources: {', '.join(RESOURCES)}")
    try:
        q = pd.to_numeric(out["quantity"]).to_numpy(float)
    except (TypeError, ValueError):
        raise ValueError("contributions quantity must be numbers") from None
    if "value_eur" in out.columns:
        try:
            given = pd.to_numeric(out["value_eur"]).to_numpy(float)
        except (TypeError, ValueError):
            raise ValueError("contributions value_eur must be numbers or empty") from None
    else:
        given = np.full(len(out), np.nan)
    if (q < 0).any():
        raise ValueError(f"negative quantity in contributions rows {_rows(q < 0)}: quantities must be >= 0")
    if (given < 0).any():
        raise ValueError(f"negative value_eur in contributions rows {_rows(given < 0)}: values must be >= 0")
    has_value = ~np.isnan(given)
    if (np.isnan(q) & ~has_value).any():
        raise ValueError(f"missing quantity (and no value_eur) in contributions rows {_rows(np.isnan(q) & ~has_value)}")

    value = given.copy()
    proxy = np.full(len(out), np.nan)
    valuation = np.full(len(out), "unvalued", dtype=object)
    reason = np.full(len(out), None, dtype=object)
    valuation[has_value] = "given"
    todo = ~has_value
    cash = todo & (unit == "eur")
    value[cash], proxy[cash], valuation[cash] = q[cash], 1.0, "cash"
    for res, key in _TIME_RATES.items():
        for u, factor, rule in (("hour", 1.0, "volunteer_hour" if key == "volunteer_hour_eur" else "staff_hour"),
                                ("day", float(hours_per_day), "day")):
            m = todo & (resource == res) & (unit == u)
            if not m.any():
                continue
            rate = monetisation.get(key)
            if rate is None:
                reason[m] = f"missing_rate:{key}"
                continue
            rate = float(rate) * factor
            value[m], proxy[m], valuation[m] = q[m] * rate, rate, rule
    unvalued = valuation == "unvalued"
    reason[unvalued & (reason == None)] = "unit_not_monetised"  # noqa: E711 (element-wise)
    out["value_eur"] = value
    out["valued"] = ~unvalued
    out["valuation"] = pd.Series(valuation, index=out.index, dtype="str")
    out["proxy_eur"] = proxy
    out["reason"] = pd.Series(reason, index=out.index, dtype="str")
    return out


# --------------------------------------------------------------------------- who contributes what
def _with_category(contributions: pd.DataFrame, actors: pd.DataFrame | None) -> pd.DataFrame:
    if actors is None:
        raise ValueError("by 'category' needs the actors table (actors=camp['actors'])")
    _require(actors, ("actor_id", "category"), "actors")
    cat = actors.drop_duplicates("actor_id").set_index("actor_id")["category"]
    out = contributions.copy()
    out["category"] = out["actor_id"].map(cat)
    unknown = out["category"].isna()
    if unknown.any():
        ids = sorted(out.loc[unknown, "actor_id"].astype(str).unique())
        raise ValueError(f"contributions of actors absent from actors (or without category): {', '.join(ids[:5])}")
    return out


def contribution_matrix(
    contributions: pd.DataFrame,
    actors: pd.DataFrame | None = None,
    by: str | Sequence[str] = ("category", "resource"),
) -> pd.DataFrame:
    """Valued euros and shares of the contributions, crossed by one to three dimensions.

    Parameters
    ----------
    contributions : DataFrame
        Output of :func:`monetise`.
    actors : DataFrame, optional
        Table ``actors`` (needed when ``by`` holds ``category``).
    by : str or sequence of str
        Among ``category`` (of the actor), ``resource``, ``actor`` (``actor_id``),
        ``project`` (``project_id``), ``year``; e.g. ``("category", "resource")``,
        ``("actor", "project")``, ``("project", "year")``.

    Returns
    -------
    DataFrame
        One row per combination present: the ``by`` columns (``actor_id``,
        ``project_id``… names), ``value_eur`` (valued euros), ``share`` (of all valued
        euros), ``row_share`` (of the euros of the first ``by`` level), ``n_contributions``
        and ``n_unvalued`` (rows kept out of the euros). Sorted by the ``by`` columns.

    Examples
    --------
    >>> c = monetise(pd.DataFrame({"project_id": ["P1", "P1"], "actor_id": ["A", "B"],
    ...     "resource": ["cash", "cash"], "quantity": [300.0, 100.0], "unit": ["eur", "eur"],
    ...     "year": [2020, 2021]}), {})
    >>> contribution_matrix(c, by=("project", "year"))["share"].tolist()
    [0.75, 0.25]
    """
    _valued(contributions)
    by = (by,) if isinstance(by, str) else tuple(by)
    if not 1 <= len(by) <= 3:
        raise ValueError("by must name one to three dimensions")
    unknown = [b for b in by if b not in _BY_ALIASES]
    if unknown:
        raise ValueError(f"unknown dimension(s) {', '.join(unknown)}; use {', '.join(sorted(_BY_ALIASES))}")
    cols = [_BY_ALIASES[b] for b in by]
    if len(set(cols)) != len(cols):
        raise ValueError(f"by names the same dimension twice: {by}")
    data = _with_category(contributions, actors) if "category" in cols else contributions
    _require(data, cols, "contributions")
    frame = pd.DataFrame({c: data[c].to_numpy() for c in cols})
    frame["value_eur"] = _euros(data)
    frame["unvalued"] = ~data["valued"].to_numpy(bool)
    out = (frame.groupby(cols, dropna=False, sort=True)
           .agg(value_eur=("value_eur", "sum"), n_contributions=("value_eur", "size"),
                n_unvalued=("unvalued", "sum"))
           .reset_index())
    total = out["value_eur"].sum()
    out["share"] = _ratio(out["value_eur"], np.full(len(out), total))
    first = out.groupby(cols[0], dropna=False)["value_eur"].transform("sum")
    out["row_share"] = _ratio(out["value_eur"], first)
    out["n_unvalued"] = out["n_unvalued"].astype("int64")
    out = out.sort_values(cols, kind="stable").reset_index(drop=True)
    return out[[*cols, "value_eur", "share", "row_share", "n_contributions", "n_unvalued"]]


def leverage(
    contributions: pd.DataFrame,
    organisation: str,
    by: str = "project",
) -> pd.DataFrame:
    """Euros mobilised from the other actors per euro of the evaluated structure.

    ``leverage = others_eur / organisation_eur`` on valued contributions (see
    :func:`monetise`), per project (or year) and overall. It reads as "for one euro the
    structure puts in, other actors bring *x* euros": a measure of **co-production**, in La
    Fonda's extended value chain (after Porter, 1985), not of attribution: the others'
    resources are not caused by the structure's euro.

    Parameters
    ----------
    contributions : DataFrame
        Output of :func:`monetise`.
    organisation : str
        ``actor_id`` of the evaluated structure (``camp.organisation``).
    by : {"project", "year"}
        Breakdown of the ``scope == by`` rows.

    Returns
    -------
    DataFrame
        ``scope`` (``project`` or ``year``, then one ``overall`` row), ``project_id`` or
        ``year`` (missing on the overall row), ``organisation_eur``, ``others_eur``,
        ``total_eur``, ``leverage``, ``organisation_share``, ``n_other_actors``,
        ``n_unvalued`` and ``reason`` (why ``leverage`` is NaN:
        ``no_organisation_contribution``, ``organisation_contribution_unvalued`` or
        ``organisation_contribution_zero``; NaN otherwise).

    Examples
    --------
    >>> c = monetise(pd.DataFrame({"project_id": ["P1", "P1", "P2"], "actor_id": ["O", "B", "B"],
    ...     "resource": ["cash"] * 3, "quantity": [100.0, 250.0, 50.0], "unit": ["eur"] * 3,
    ...     "year": [2020] * 3}), {})
    >>> leverage(c, "O")[["scope", "project_id", "leverage", "reason"]].values.tolist()
    [['project', 'P1', 2.5, nan], ['project', 'P2', nan, 'no_organisation_contribution'], ['overall', nan, 3.0, nan]]
    """
    _valued(contributions)
    key = {"project": "project_id", "project_id": "project_id", "year": "year"}.get(by)
    if key is None:
        raise ValueError(f"by must be 'project' or 'year', got {by!r}")
    _require(contributions, (key,), "contributions")
    is_org = (contributions["actor_id"].astype(object) == organisation).to_numpy(bool)
    eur = _euros(contributions)
    valued = contributions["valued"].to_numpy(bool)
    frame = pd.DataFrame({
        key: contributions[key].to_numpy(),
        "organisation_eur": np.where(is_org, eur, 0.0),
        "others_eur": np.where(is_org, 0.0, eur),
        "org_rows": is_org.astype(int),
        "org_valued_rows": (is_org & valued).astype(int),
        "n_unvalued": (~valued).astype(int),
        "other_actor": np.where(is_org, None, _text(contributions["actor_id"])),
    })
    frame["_all"] = "overall"
    parts = []
    for scope, group in ((by if by != "project_id" else "project", key), ("overall", "_all")):
        agg = (frame.groupby(group, dropna=False, sort=True)
               .agg(organisation_eur=("organisation_eur", "sum"), others_eur=("others_eur", "sum"),
                    org_rows=("org_rows", "sum"), org_valued_rows=("org_valued_rows", "sum"),
                    n_unvalued=("n_unvalued", "sum"), n_other_actors=("other_actor", "nunique"))
               .reset_index())
        agg["scope"] = scope
        if group == "_all":
            agg = agg.drop(columns="_all")
        parts.append(agg)
    out = pd.concat(parts, ignore_index=True)
    out["total_eur"] = out["organisation_eur"] + out["others_eur"]
    out["leverage"] = _ratio(out["others_eur"], out["organisation_eur"])
    out["organisation_share"] = _ratio(out["organisation_eur"], out["total_eur"])
    reason = np.full(len(out), None, dtype=object)
    reason[(out["organisation_eur"] <= 0).to_numpy()] = "organisation_contribution_zero"
    reason[(out["org_valued_rows"] == 0).to_numpy()] = "organisation_contribution_unvalued"
    reason[(out["org_rows"] == 0).to_numpy()] = "no_organisation_contribution"
    out["reason"] = pd.Series(reason, index=out.index, dtype="str")
    if key == "year":
        out["year"] = out["year"].astype("Int64")
    cols = ["scope", key, "organisation_eur", "others_eur", "total_eur", "leverage", "organisation_share",
            "n_other_actors", "n_unvalued", "reason"]
    return out[cols]


def _diversity(groups: pd.Series, labels: pd.Series) -> pd.DataFrame:
    """Shannon (natural log) and Gini–Simpson indices of ``labels`` within ``groups``."""
    counts = pd.DataFrame({"g": groups.to_numpy(), "c": labels.to_numpy()}).value_counts(dropna=False).rename("n")
    counts = counts.reset_index()
    counts["p"] = counts["n"] / counts.groupby("g", dropna=False)["n"].transform("sum")
    counts["plogp"] = counts["p"] * np.log(counts["p"])
    counts["p2"] = counts["p"] ** 2
    agg = counts.groupby("g", dropna=False).agg(plogp=("plogp", "sum"), p2=("p2", "sum"), n_categories=("c", "size"))
    return pd.DataFrame({"n_categories": agg["n_categories"], "shannon": -agg["plogp"] + 0.0,
                         "simpson": 1.0 - agg["p2"]})


def co_construction(
    contributions: pd.DataFrame,
    actors: pd.DataFrame,
    exclude: Sequence[str] = (),
) -> pd.DataFrame:
    """How collective each project's resources are: actors, categories, diversity, concentration.

    * ``n_actors``: distinct contributing actors (valued or not);
    * ``n_categories``: distinct actor categories among them;
    * ``shannon``: Shannon's diversity index ``H = −Σ p_c ln p_c`` (natural log; Shannon,
      1948), ``p_c`` the share of the project's contributing *actors* in category ``c``;
      0 for a single category, ``ln k`` for *k* equally represented categories;
    * ``simpson``: Gini–Simpson index ``1 − Σ p_c²`` (Simpson, 1949): the probability that two
      contributing actors drawn at random (with replacement) belong to different categories;
    * ``herfindahl``: Herfindahl–Hirschman concentration ``Σ s_a²`` of the valued *euros* by
      actor (``s_a`` the actor's share), from ``1/n`` (even) to 1 (a single funder); NaN when
      the project has no valued euro.

    Co-construction is the heart of La Fonda's extended value chain (« La chaîne de valeur
    élargie », after Porter, 1985): value is produced by a network of stakeholders.

    Parameters
    ----------
    contributions : DataFrame
        Output of :func:`monetise`.
    actors : DataFrame
        Table ``actors`` (``actor_id``, ``category``).
    exclude : sequence of str
        ``actor_id`` to leave out (e.g. the evaluated structure, to describe its partners).

    Returns
    -------
    DataFrame
        ``scope`` (``project`` rows, then ``overall``), ``project_id``, ``n_actors``,
        ``n_categories``, ``shannon``, ``simpson``, ``herfindahl``, ``value_eur``.

    Examples
    --------
    >>> actors = pd.DataFrame({"actor_id": ["A", "B", "C"], "category": ["enterprise", "citizen", "citizen"]})
    >>> c = monetise(pd.DataFrame({"project_id": ["P1"] * 3, "actor_id": ["A", "B", "C"],
    ...     "resource": ["cash"] * 3, "quantity": [50.0, 25.0, 25.0], "unit": ["eur"] * 3}), {})
    >>> row = co_construction(c, actors).iloc[0]
    >>> int(row["n_categories"]), round(float(row["simpson"]), 4), round(float(row["herfindahl"]), 4)
    (2, 0.4444, 0.375)
    """
    _valued(contributions)
    data = _with_category(contributions, actors)
    if exclude:
        data = data[~data["actor_id"].astype(object).isin(list(exclude))]
    data = data.assign(_eur=_euros(data), _all="overall") if len(data) else data.assign(_eur=[], _all=[])
    parts = []
    for scope, group in (("project", "project_id"), ("overall", "_all")):
        pairs = data.groupby([group, "actor_id"], sort=True).agg(eur=("_eur", "sum"), category=("category", "first"))
        pairs = pairs.reset_index()
        base = pairs.groupby(group, sort=True).agg(n_actors=("actor_id", "size"), value_eur=("eur", "sum"))
        div = _diversity(pairs[group], pairs["category"])
        s = pairs["eur"] / pairs.groupby(group)["eur"].transform("sum")
        hhi = (s ** 2).groupby(pairs[group].to_numpy()).sum(min_count=1)
        res = base.join(div).assign(herfindahl=hhi.reindex(base.index))
        res.loc[res["value_eur"] <= 0, "herfindahl"] = np.nan
        res = res.reset_index().rename(columns={group: "project_id"})
        if group == "_all":
            res["project_id"] = pd.Series([None] * len(res), dtype="str")
        res["scope"] = scope
        parts.append(res)
    out = pd.concat(parts, ignore_index=True)
    out["n_actors"] = out["n_actors"].astype("int64")
    out["n_categories"] = out["n_categories"].astype("int64")
    return out[["scope", "project_id", "n_actors", "n_categories", "shannon", "simpson", "herfindahl", "value_eur"]]


# --------------------------------------------------------------------------- support functions
def support_share(activities: pd.DataFrame) -> pd.DataFrame:
    """Share of support functions in the structure's activities, in cost and in staff hours.

    In La Fonda's extended value chain (after Porter, 1985), support functions (governance,
    animation, communication, fundraising, administration) create value rather than being
    overhead; their weight is therefore shown, not minimised. The share is
    ``Σ cost of kind == "support" / Σ cost`` (and the same for ``staff_hours``), as coded in
    the ``kind`` column of the table.

    Parameters
    ----------
    activities : DataFrame
        Table ``activities`` (``project_id`` empty for structure-level activities, ``kind``,
        ``year``, ``cost_eur``, ``staff_hours``).

    Returns
    -------
    DataFrame
        ``scope`` ∈ {``overall``, ``structure`` (project_id empty), ``projects`` (all
        project-level rows), ``year``, ``structure_year``, ``project``}, ``project_id``,
        ``year``, ``cost_eur``, ``support_cost_eur``, ``share_cost``, ``staff_hours``,
        ``support_hours``, ``share_hours``, ``n_activities``. Shares are NaN when the total is 0.

    Examples
    --------
    >>> a = pd.DataFrame({"project_id": [None, "P1"], "kind": ["support", "primary"], "year": [2020, 2020],
    ...                   "cost_eur": [1000.0, 3000.0], "staff_hours": [10.0, 30.0]})
    >>> support_share(a).set_index("scope").loc["overall", "share_cost"]
    np.float64(0.25)
    """
    _require(activities, ("project_id", "kind", "year", "cost_eur", "staff_hours"), "activities")
    kind = _text(activities["kind"])
    bad = ~np.isin(kind, ("primary", "support"))
    if bad.any():
        raise ValueError(f"activities kind must be 'primary' or 'support' (rows {_rows(bad)})")
    cost = pd.to_numeric(activities["cost_eur"]).to_numpy(float)
    hours = pd.to_numeric(activities["staff_hours"]).to_numpy(float)
    for name, v in (("cost_eur", cost), ("staff_hours", hours)):
        if (np.isnan(v) | (v < 0)).any():
            raise ValueError(f"activities {name} must be numbers >= 0 (rows {_rows(np.isnan(v) | (v < 0))})")
    sup = kind == "support"
    pid = activities["project_id"]
    frame = pd.DataFrame({
        "project_id": _text(pid), "year": activities["year"].to_numpy(),
        "cost_eur": cost, "support_cost_eur": np.where(sup, cost, 0.0),
        "staff_hours": hours, "support_hours": np.where(sup, hours, 0.0),
    })
    structure = pid.isna().to_numpy()
    sums = ["cost_eur", "support_cost_eur", "staff_hours", "support_hours"]

    def agg(sub: pd.DataFrame, keys: list[str], scope: str) -> pd.DataFrame:
        if keys:
            res = sub.groupby(keys, sort=True)[sums].sum().join(sub.groupby(keys, sort=True).size().rename("n_activities"))
            res = res.reset_index()
        else:
            res = pd.DataFrame([{**sub[sums].sum().to_dict(), "n_activities": len(sub)}])
        res["scope"] = scope
        return res

    parts = [
        agg(frame, [], "overall"),
        agg(frame[structure], [], "structure"),
        agg(frame[~structure], [], "projects"),
        agg(frame, ["year"], "year"),
        agg(frame[structure], ["year"], "structure_year"),
        agg(frame[~structure], ["project_id"], "project"),
    ]
    out = pd.concat(parts, ignore_index=True)
    out["project_id"] = out["project_id"].astype("str") if "project_id" in out else pd.Series(dtype="str")
    out["year"] = out["year"].astype("Int64")
    out["share_cost"] = _ratio(out["support_cost_eur"], out["cost_eur"])
    out["share_hours"] = _ratio(out["support_hours"], out["staff_hours"])
    out["n_activities"] = out["n_activities"].astype("int64")
    return out[["scope", "project_id", "year", "cost_eur", "support_cost_eur", "share_cost", "staff_hours",
                "support_hours", "share_hours", "n_activities"]]


# --------------------------------------------------------------------------- value created
@dataclass
class ValueCreated:
    """Value created, as recorded in ``outcomes`` and ``jobs`` (see :func:`value_created`).

    Attributes
    ----------
    outcomes : DataFrame
        One row per stakeholder group × value type × indicator × unit × evidence.
    grid : DataFrame
        Every stakeholder group × value type of the contract: number of indicators and
        records, shares of each evidence level and the strongest level present.
    jobs : DataFrame
        Jobs per project and year.
    jobs_by_year : DataFrame
        Jobs of all projects per year.
    """

    outcomes: pd.DataFrame
    grid: pd.DataFrame
    jobs: pd.DataFrame
    jobs_by_year: pd.DataFrame


def value_created(outcomes: pd.DataFrame | None = None, jobs: pd.DataFrame | None = None) -> ValueCreated:
    """Value created per stakeholder group × value type, evidence kept visible; jobs.

    Indicators have their own units (households, tonnes, FTE…), so they are never added
    across indicators: the summary keeps one row per indicator and evidence level. In La
    Fonda's extended value chain (« La chaîne de valeur élargie », after Porter, 1985) value
    is economic, social, societal, political and environmental, and each stakeholder
    acquires it in its own chain; the evidence level (measured / declared / estimated) says
    how much each figure can bear.

    Parameters
    ----------
    outcomes : DataFrame, optional
        Table ``outcomes``.
    jobs : DataFrame, optional
        Table ``jobs``.

    Returns
    -------
    ValueCreated
        ``outcomes`` (``stakeholder_group, value_type, indicator, unit, evidence, n_records,
        n_projects, first_year, last_year, value_total`` (sum of every record: meaningful for
        flows, not for stocks), ``value_last_year`` (sum in the indicator's last year)),
        ``grid`` (``stakeholder_group, value_type, n_indicators, n_records, share_measured,
        share_declared, share_estimated, evidence``), ``jobs`` (``project_id, year, fte,
        headcount, insertion_headcount, insertion_share``) and ``jobs_by_year`` (``year,
        n_projects, fte, headcount, insertion_headcount, insertion_share``).

    Examples
    --------
    >>> o = pd.DataFrame({"project_id": ["P1", "P1"], "stakeholder_group": ["beneficiaries"] * 2,
    ...     "value_type": ["social"] * 2, "indicator": ["Ménages"] * 2, "value": [10.0, 12.0],
    ...     "unit": ["ménages"] * 2, "year": [2020, 2021], "evidence": ["measured"] * 2})
    >>> value_created(o).outcomes[["value_total", "value_last_year"]].values.tolist()
    [[22.0, 12.0]]
    """
    o_cols = ["stakeholder_group", "value_type", "indicator", "unit", "evidence"]
    if outcomes is None or outcomes.empty:
        summary = pd.DataFrame(columns=[*o_cols, "n_records", "n_projects", "first_year", "last_year",
                                        "value_total", "value_last_year"])
        o = pd.DataFrame(columns=[*o_cols, "value", "year", "project_id"])
    else:
        _require(outcomes, ("stakeholder_group", "value_type", "indicator", "value", "year", "evidence"), "outcomes")
        o = outcomes.copy()
        if "unit" not in o:
            o["unit"] = pd.Series([None] * len(o), dtype="str", index=o.index)
        if "project_id" not in o:
            o["project_id"] = pd.Series([None] * len(o), dtype="str", index=o.index)
        bad = ~np.isin(_text(o["evidence"]), EVIDENCE)
        if bad.any():
            raise ValueError(f"outcomes evidence must be one of {', '.join(EVIDENCE)} (rows {_rows(bad)})")
        o["value"] = pd.to_numeric(o["value"]).astype(float)
        g = o.groupby(o_cols, dropna=False, sort=True)
        summary = g.agg(n_records=("value", "size"), n_projects=("project_id", "nunique"),
                        first_year=("year", "min"), last_year=("year", "max"), value_total=("value", "sum"))
        last = o.assign(_last=g["year"].transform("max"))
        last = last[last["year"] == last["_last"]].groupby(o_cols, dropna=False, sort=True)["value"].sum()
        summary = summary.join(last.rename("value_last_year")).reset_index()
    # grid of every group x type
    groups = list(_STAKEHOLDER_GROUPS) + sorted(set(_text(o["stakeholder_group"])) - set(_STAKEHOLDER_GROUPS) - {None})
    types = list(_VALUE_TYPES) + sorted(set(_text(o["value_type"])) - set(_VALUE_TYPES) - {None})
    full = pd.MultiIndex.from_product([groups, types], names=["stakeholder_group", "value_type"])
    if len(o):
        gg = o.groupby(["stakeholder_group", "value_type"])
        grid = gg.agg(n_indicators=("indicator", "nunique"), n_records=("value", "size"))
        for ev in EVIDENCE:
            grid[f"share_{ev}"] = gg["evidence"].agg(lambda s, ev=ev: float((s == ev).mean()))
        grid = grid.reindex(full)
    else:
        grid = pd.DataFrame(index=full, columns=["n_indicators", "n_records", *(f"share_{e}" for e in EVIDENCE)])
    grid[["n_indicators", "n_records"]] = grid[["n_indicators", "n_records"]].fillna(0).astype("int64")
    shares = grid[[f"share_{e}" for e in EVIDENCE]].astype(float)
    grid[shares.columns] = shares
    strongest = np.full(len(grid), None, dtype=object)
    for ev in reversed(EVIDENCE):
        strongest[(shares[f"share_{ev}"] > 0).to_numpy()] = ev
    grid["evidence"] = pd.Series(strongest, index=grid.index, dtype="str")
    grid = grid.reset_index()
    # jobs
    j_cols = ["fte", "headcount", "insertion_headcount"]
    if jobs is None or jobs.empty:
        per = pd.DataFrame(columns=["project_id", "year", *j_cols, "insertion_share"])
        by_year = pd.DataFrame(columns=["year", "n_projects", *j_cols, "insertion_share"])
    else:
        _require(jobs, ("project_id", "year", *j_cols), "jobs")
        per = jobs.groupby(["project_id", "year"], sort=True)[j_cols].sum().reset_index()
        per["insertion_share"] = _ratio(per["insertion_headcount"], per["headcount"])
        by_year = per.groupby("year", sort=True).agg(
            n_projects=("project_id", "nunique"), fte=("fte", "sum"), headcount=("headcount", "sum"),
            insertion_headcount=("insertion_headcount", "sum")).reset_index()
        by_year["insertion_share"] = _ratio(by_year["insertion_headcount"], by_year["headcount"])
    return ValueCreated(outcomes=summary, grid=grid, jobs=per, jobs_by_year=by_year)


# --------------------------------------------------------------------------- regeneration
def regeneration(
    contributions: pd.DataFrame,
    participations: pd.DataFrame,
    events: pd.DataFrame,
    *,
    roles: Sequence[str] = ("participant",),
    exclude: Sequence[str] = (),
) -> pd.DataFrame:
    """The cycle of value: actors who first took part, then contributed resources.

    An actor *regenerates* the chain when (1) its earliest participation in an event (any
    role) was in one of ``roles`` (by default as a mere ``participant``: a beneficiary of
    the structure's animation), and (2) the year of that participation is strictly before
    the year of its first contribution (table ``contributions``). Same-year cases are not
    counted: a contribution has a year, not a date. The contract records no
    beneficiary per actor in ``outcomes``, so taking part in an event is the observable
    form of "having benefited". This is the loop of La Fonda's extended value chain (« La
    chaîne de valeur élargie », after Porter, 1985): stakeholders who acquire value in their
    own chain come back as co-producers.

    Parameters
    ----------
    contributions : DataFrame
        Table ``contributions`` (or the output of :func:`monetise`, then ``value_eur``
        sums the valued euros).
    participations : DataFrame
        Table ``participations`` (``event_id``, ``actor_id``, ``role``).
    events : DataFrame
        Table ``events`` (``event_id``, ``held_on``, ``project_id`` optional).
    roles : sequence of str
        Roles that count as a first involvement "as participant".
    exclude : sequence of str
        ``actor_id`` to leave out (e.g. the evaluated structure).

    Returns
    -------
    DataFrame
        One row per regenerating actor, sorted by ``first_contribution_year`` then
        ``actor_id``: ``actor_id``, ``first_event_id``, ``first_participation_on``,
        ``first_participation_year``, ``n_events_before`` (events attended before the year
        of the first contribution), ``first_contribution_year``, ``first_project_id``,
        ``lag_years``, ``same_project`` (the first project funded had an event the actor had
        attended before), ``value_eur`` (valued euros contributed, all years; NaN when the
        contributions are not monetised).

    Examples
    --------
    >>> ev = pd.DataFrame({"event_id": ["E1"], "held_on": pd.to_datetime(["2019-05-01"]), "project_id": ["P1"]})
    >>> pa = pd.DataFrame({"event_id": ["E1"], "actor_id": ["A"], "role": ["participant"]})
    >>> co = pd.DataFrame({"project_id": ["P1"], "actor_id": ["A"], "year": [2021]})
    >>> regeneration(co, pa, ev)[["actor_id", "first_participation_year", "first_contribution_year", "lag_years"]].values.tolist()
    [['A', 2019, 2021, 2]]
    """
    _require(contributions, ("project_id", "actor_id", "year"), "contributions")
    _require(participations, ("event_id", "actor_id", "role"), "participations")
    _require(events, ("event_id", "held_on"), "events")
    ev = events[["event_id", "held_on"]].copy()
    ev["event_project"] = events["project_id"].to_numpy() if "project_id" in events else None
    ev["held_on"] = pd.to_datetime(ev["held_on"])
    part = participations[["event_id", "actor_id", "role"]].merge(ev, on="event_id", how="left", validate="many_to_one")
    if part["held_on"].isna().any():
        ids = sorted(part.loc[part["held_on"].isna(), "event_id"].astype(str).unique())
        raise ValueError(f"participations in events without a date or unknown: {', '.join(ids[:5])}")
    contrib = contributions
    if exclude:
        part = part[~part["actor_id"].astype(object).isin(list(exclude))]
        contrib = contrib[~contrib["actor_id"].astype(object).isin(list(exclude))]
    part = part.assign(_in_roles=part["role"].astype(object).isin(list(roles)))
    # earliest participation per actor; among same-day rows, a participation in `roles` first
    part = part.sort_values(["actor_id", "held_on", "_in_roles", "event_id"], ascending=[True, True, False, True],
                            kind="stable")
    first = part.drop_duplicates("actor_id").set_index("actor_id")
    first = first[first["_in_roles"]]
    c = pd.DataFrame({"actor_id": contrib["actor_id"].to_numpy(), "project_id": contrib["project_id"].to_numpy(),
                      "year": contrib["year"].to_numpy(int)})
    if {"value_eur", "valued"} <= set(contrib.columns):
        c["eur"] = _euros(contrib)
    else:
        c["eur"] = np.nan
    c = c.sort_values(["actor_id", "year", "project_id"], kind="stable")
    firstc = c.drop_duplicates("actor_id").set_index("actor_id")
    value = c.groupby("actor_id")["eur"].sum(min_count=1)
    both = first.index.intersection(firstc.index)
    res = pd.DataFrame({
        "actor_id": both.to_numpy(object),
        "first_event_id": first.loc[both, "event_id"].to_numpy(object),
        "first_participation_on": first.loc[both, "held_on"].to_numpy(),
        "first_contribution_year": firstc.loc[both, "year"].to_numpy(int),
        "first_project_id": firstc.loc[both, "project_id"].to_numpy(object),
        "value_eur": value.reindex(both).to_numpy(float),
    })
    res["first_participation_year"] = pd.to_datetime(res["first_participation_on"]).dt.year.astype("int64")
    res = res[res["first_participation_year"] < res["first_contribution_year"]].copy()
    res["lag_years"] = (res["first_contribution_year"] - res["first_participation_year"]).astype("int64")
    before = part.merge(res[["actor_id", "first_contribution_year", "first_project_id"]], on="actor_id")
    before = before[before["held_on"].dt.year < before["first_contribution_year"]]
    n_before = before.groupby("actor_id")["event_id"].nunique()
    same = before.assign(_same=before["event_project"].astype(object) == before["first_project_id"].astype(object))
    same = same.groupby("actor_id")["_same"].any()
    res["n_events_before"] = res["actor_id"].map(n_before).fillna(0).astype("int64")
    res["same_project"] = res["actor_id"].map(same).fillna(False).astype(bool)
    for col in ("actor_id", "first_event_id", "first_project_id"):
        res[col] = res[col].astype("str")
    res = res.sort_values(["first_contribution_year", "actor_id"], kind="stable").reset_index(drop=True)
    return res[["actor_id", "first_event_id", "first_participation_on", "first_participation_year", "n_events_before",
                "first_contribution_year", "first_project_id", "lag_years", "same_project", "value_eur"]]


# --------------------------------------------------------------------------- graph
def build_graph(
    contributions: pd.DataFrame,
    actors: pd.DataFrame | None = None,
    outcomes: pd.DataFrame | None = None,
    *,
    actor_level: str = "actor",
    organisation: str | None = None,
) -> nx.DiGraph:
    """The extended value chain as a typed, euro-weighted directed graph.

    Layers (node attribute ``layer``): ``actor`` (an actor, or an actor category with
    ``actor_level="category"``) → ``resource`` (cash, staff time…) → ``activity`` (a
    project) → ``outcome`` (a stakeholder group for whom the project records outcomes).
    Edge attribute ``value_eur``: valued euros of the contributions (:func:`monetise`;
    unvalued rows carry no euro and are counted in ``G.graph["n_unvalued"]``).

    The euros of a project are passed on to the stakeholder groups of its ``outcomes`` in
    **equal shares** (a display convention: the euros measure resources, not the value
    received by each group); a project without outcomes sends them to the node
    ``outcome:undocumented``. Flows are conserved: at every resource and project node the
    euros in equal the euros out. After La Fonda, « La chaîne de valeur élargie » (after
    Porter, 1985).

    Parameters
    ----------
    contributions : DataFrame
        Output of :func:`monetise`.
    actors : DataFrame, optional
        Table ``actors``; needed for ``actor_level="category"`` (adds ``category`` to actor
        nodes otherwise).
    outcomes : DataFrame, optional
        Table ``outcomes`` (``project_id``, ``stakeholder_group``).
    actor_level : {"actor", "category"}
        One node per actor or per actor category.
    organisation : str, optional
        ``actor_id`` of the evaluated structure: with ``actor_level="category"`` it keeps its
        own node (``actor:<id>``) rather than merging into its category.

    Returns
    -------
    networkx.DiGraph
        Nodes ``actor:<id>`` / ``category:<code>``, ``resource:<code>``, ``project:<id>``,
        ``outcome:<group>`` with attributes ``layer``, ``code``, ``value_eur`` (throughput)
        and, for actors, ``category`` and ``organisation``; edges with ``value_eur`` and
        ``n_contributions`` (actor → resource, resource → project).

    Examples
    --------
    >>> c = monetise(pd.DataFrame({"project_id": ["P1", "P1"], "actor_id": ["A", "B"],
    ...     "resource": ["cash", "cash"], "quantity": [300.0, 100.0], "unit": ["eur", "eur"]}), {})
    >>> G = build_graph(c)
    >>> G.edges["resource:cash", "project:P1"]["value_eur"], G.nodes["project:P1"]["layer"]
    (400.0, 'activity')
    """
    _valued(contributions)
    if actor_level not in ("actor", "category"):
        raise ValueError(f"actor_level must be 'actor' or 'category', got {actor_level!r}")
    data = contributions
    cat = None
    if actors is not None:
        data = _with_category(contributions, actors)
        cat = data["category"].to_numpy(object)
    elif actor_level == "category":
        raise ValueError("actor_level='category' needs the actors table")
    ids = _text(data["actor_id"])
    if actor_level == "category":
        keep = ids == organisation if organisation is not None else np.zeros(len(ids), bool)
        src = np.where(keep, np.char.add("actor:", ids.astype(str)), np.char.add("category:", cat.astype(str)))
    else:
        src = np.char.add("actor:", ids.astype(str))
    frame = pd.DataFrame({
        "src": src.astype(object), "actor_id": ids, "category": cat if cat is not None else None,
        "resource": _text(data["resource"]), "project_id": _text(data["project_id"]), "eur": _euros(data),
    })
    G = nx.DiGraph(n_unvalued=int((~data["valued"].to_numpy(bool)).sum()),
                   total_eur=float(frame["eur"].sum()), actor_level=actor_level)
    flow = frame[frame["eur"] > 0]
    # actor nodes
    an = flow.groupby("src", sort=True).agg(eur=("eur", "sum"), actor_id=("actor_id", "first"),
                                             category=("category", "first"), n=("actor_id", "nunique"))
    is_cat = an.index.str.startswith("category:")
    is_org = ~is_cat & (an["actor_id"].to_numpy(object) == organisation) if organisation is not None \
        else np.zeros(len(an), bool)
    G.add_nodes_from(
        (node, {"layer": "actor", "code": node.split(":", 1)[1], "value_eur": float(eur), "category": c,
                "organisation": bool(o), "n_actors": int(k)})
        for node, eur, c, o, k in zip(an.index, an["eur"], _text(an["category"]), is_org, an["n"], strict=True)
    )
    res_eur = flow.groupby("resource", sort=True)["eur"].sum()
    G.add_nodes_from((f"resource:{r}", {"layer": "resource", "code": r, "value_eur": float(e)})
                     for r, e in res_eur.items())
    proj = flow.groupby("project_id", sort=True)["eur"].sum()
    G.add_nodes_from((f"project:{p}", {"layer": "activity", "code": p, "value_eur": float(e)})
                     for p, e in proj.items())
    ar = flow.groupby(["src", "resource"], sort=True)["eur"].agg(["sum", "size"]).reset_index()
    G.add_edges_from((s, f"resource:{r}", {"value_eur": float(e), "n_contributions": int(k)})
                     for s, r, e, k in zip(ar["src"], ar["resource"], ar["sum"], ar["size"], strict=True))
    rp = flow.groupby(["resource", "project_id"], sort=True)["eur"].agg(["sum", "size"]).reset_index()
    G.add_edges_from((f"resource:{r}", f"project:{p}", {"value_eur": float(e), "n_contributions": int(k)})
                     for r, p, e, k in zip(rp["resource"], rp["project_id"], rp["sum"], rp["size"], strict=True))
    # project -> stakeholder groups, equal split
    groups: dict[str, list[str]] = {}
    if outcomes is not None and len(outcomes):
        _require(outcomes, ("project_id", "stakeholder_group"), "outcomes")
        o = outcomes[outcomes["project_id"].notna()]
        pairs = o[["project_id", "stakeholder_group"]].astype(object).drop_duplicates()
        pairs = pairs.sort_values(["project_id", "stakeholder_group"], kind="stable")
        for pid, grp in zip(pairs["project_id"], pairs["stakeholder_group"], strict=True):
            groups.setdefault(pid, []).append(grp)
    out_eur: dict[str, float] = {}
    for pid, eur in proj.items():
        targets = groups.get(pid, ["undocumented"])
        share = float(eur) / len(targets)
        for grp in targets:
            G.add_edge(f"project:{pid}", f"outcome:{grp}", value_eur=share)
            out_eur[grp] = out_eur.get(grp, 0.0) + share
    for grp, eur in out_eur.items():
        G.add_node(f"outcome:{grp}", layer="outcome", code=grp, value_eur=eur)
    return G


@dataclass
class FlowLayout:
    """Geometry of a layered flow (Sankey-like) figure, from :func:`flow_layout`.

    Attributes
    ----------
    nodes : DataFrame
        ``node, layer, code, x, y0, y1, value_eur, merged`` (y0 < y1; ``merged`` counts the
        nodes folded into an "other" node).
    links : DataFrame
        ``source, target, value_eur, x0, x1, s0, s1, t0, t1``: the band leaves the source
        between s0 and s1 and reaches the target between t0 and t1.
    """

    nodes: pd.DataFrame
    links: pd.DataFrame


def flow_layout(G: nx.DiGraph, max_nodes: int = 10, gap: float = 0.02) -> FlowLayout:
    """Positions of a layered flow figure of :func:`build_graph` (no drawing).

    Each layer is a column (x = 0, 1, 2, 3); node heights are proportional to the euros
    through them, on one scale for all columns; the largest nodes are on top; beyond
    ``max_nodes`` per layer, the smallest are folded into one node ``other:<layer>``.

    Parameters
    ----------
    G : networkx.DiGraph
        Output of :func:`build_graph`.
    max_nodes : int
        Largest number of nodes drawn per layer (the last one being "other").
    gap : float
        Vertical gap between nodes (the tallest column spans [0, 1]).

    Returns
    -------
    FlowLayout

    Examples
    --------
    >>> c = monetise(pd.DataFrame({"project_id": ["P1", "P2"], "actor_id": ["A", "A"],
    ...     "resource": ["cash", "cash"], "quantity": [300.0, 100.0], "unit": ["eur", "eur"]}), {})
    >>> lay = flow_layout(build_graph(c))
    >>> lay.nodes.set_index("node").loc["project:P1", "x"]
    np.int64(2)
    """
    if max_nodes < 2:
        raise ValueError("max_nodes must be >= 2")
    layers = [layer for layer in LAYERS if any(d.get("layer") == layer for _n, d in G.nodes(data=True))]
    mapping: dict[str, str] = {}
    rows = []
    for x, layer in enumerate(LAYERS):
        if layer not in layers:
            continue
        nodes = [(n, d) for n, d in G.nodes(data=True) if d.get("layer") == layer]
        through = {n: max(G.in_degree(n, weight="value_eur"), G.out_degree(n, weight="value_eur")) for n, _d in nodes}
        order = sorted(nodes, key=lambda nd: (-through[nd[0]], nd[0]))
        kept = order if len(order) <= max_nodes else order[: max_nodes - 1]
        folded = order[len(kept):]
        for n, d in kept:
            mapping[n] = n
            rows.append({"node": n, "layer": layer, "code": d.get("code"), "x": x, "value_eur": through[n], "merged": 0})
        if folded:
            other = f"other:{layer}"
            for n, _d in folded:
                mapping[n] = other
            rows.append({"node": other, "layer": layer, "code": "other", "x": x,
                         "value_eur": sum(through[n] for n, _d in folded), "merged": len(folded)})
    nodes = pd.DataFrame(rows, columns=["node", "layer", "code", "x", "value_eur", "merged"])
    links = pd.DataFrame([(mapping[u], mapping[v], d["value_eur"]) for u, v, d in G.edges(data=True)],
                         columns=["source", "target", "value_eur"])
    links = links.groupby(["source", "target"], sort=True, as_index=False)["value_eur"].sum()
    if nodes.empty:
        return FlowLayout(nodes.assign(y0=[], y1=[]), links.assign(x0=[], x1=[], s0=[], s1=[], t0=[], t1=[]))
    totals = nodes.groupby("x")["value_eur"].sum()
    counts = nodes.groupby("x").size()
    scale = min((1 - gap * (counts[x] - 1)) / totals[x] for x in totals.index if totals[x] > 0)
    y0 = np.zeros(len(nodes))
    y1 = np.zeros(len(nodes))
    for x, idx in nodes.groupby("x").groups.items():
        span = totals[x] * scale + gap * (counts[x] - 1)
        top = 1 - (1 - span) / 2
        for i in idx:  # already sorted largest first; "other" last
            h = nodes.at[i, "value_eur"] * scale
            y1[i], y0[i] = top, top - h
            top -= h + gap
    nodes["y0"], nodes["y1"] = y0, y1
    pos = nodes.set_index("node")
    links["x0"] = links["source"].map(pos["x"]).astype("int64")
    links["x1"] = links["target"].map(pos["x"]).astype("int64")
    links["_h"] = links["value_eur"] * scale
    # stack the bands: out of a source in the order of target positions (top first), and
    # into a target in the order of source positions
    links["_tpos"] = -links["target"].map(pos["y1"])
    links["_spos"] = -links["source"].map(pos["y1"])
    links = links.sort_values(["source", "_tpos", "target"], kind="stable")
    links["s1"] = links["source"].map(pos["y1"]) - links.groupby("source")["_h"].cumsum() + links["_h"]
    links["s0"] = links["s1"] - links["_h"]
    links = links.sort_values(["target", "_spos", "source"], kind="stable")
    links["t1"] = links["target"].map(pos["y1"]) - links.groupby("target")["_h"].cumsum() + links["_h"]
    links["t0"] = links["t1"] - links["_h"]
    links = links.sort_values(["x0", "source", "target"], kind="stable").reset_index(drop=True)
    return FlowLayout(
        nodes=nodes[["node", "layer", "code", "x", "y0", "y1", "value_eur", "merged"]],
        links=links[["source", "target", "value_eur", "x0", "x1", "s0", "s1", "t0", "t1"]],
    )


# --------------------------------------------------------------------------------------
# the whole analysis of a campaign and its key results
# --------------------------------------------------------------------------------------


def time_shares(contributions: pd.DataFrame, organisation: str) -> pd.Series:
    """Share of the valued euros that come from converting hours or days at the campaign's rates.

    These euros move with the hourly rates (a convention), the others do not; comparing the
    structure's share with the others' says which way a higher rate moves the leverage.

    Returns
    -------
    Series
        ``all``, ``organisation``, ``others``: timed euros / valued euros of that group
        (NaN when the group has no valued euro).

    Examples
    --------
    >>> c = monetise(pd.DataFrame({"project_id": ["P"] * 3, "actor_id": ["O", "O", "B"],
    ...     "resource": ["staff_time", "cash", "cash"], "quantity": [10.0, 100.0, 300.0],
    ...     "unit": ["hour", "eur", "eur"], "year": [2020] * 3}), {"staff_hour_eur": 10.0})
    >>> time_shares(c, "O").round(3).to_dict()
    {'all': 0.2, 'organisation': 0.5, 'others': 0.0}
    """
    _valued(contributions)
    eur = _euros(contributions)
    timed = contributions["valuation"].isin(["staff_hour", "volunteer_hour", "day"]).to_numpy()
    is_org = (contributions["actor_id"].astype(object) == organisation).to_numpy(bool)
    out = {}
    for name, rows in (("all", np.ones(len(eur), bool)), ("organisation", is_org), ("others", ~is_org)):
        total = eur[rows].sum()
        out[name] = float(eur[rows & timed].sum() / total) if total > 0 else float("nan")
    return pd.Series(out)


@dataclass
class ValueChainAnalysis:
    """Everything the value-chain notebook shows, computed once by :func:`analyse`.

    Attributes
    ----------
    organisation : str
        ``actor_id`` of the evaluated structure.
    last_year : int
        Last year of the campaign.
    valued : DataFrame
        Contributions valued in euros (:func:`monetise`).
    leverage : DataFrame
        :func:`leverage` by project with its overall row.
    leverage_by_year : DataFrame
        :func:`leverage` rows of scope ``year``.
    co_construction : DataFrame
        :func:`co_construction` rows of scope ``project`` (the structure excluded).
    support : DataFrame or None
        :func:`support_share` (``None`` without ``activities``).
    created : ValueCreated
        :func:`value_created` of ``outcomes`` and ``jobs``.
    regeneration : DataFrame or None
        :func:`regeneration` (``None`` without ``participations`` and ``events``).
    """

    organisation: str
    last_year: int
    valued: pd.DataFrame
    leverage: pd.DataFrame
    leverage_by_year: pd.DataFrame
    co_construction: pd.DataFrame
    support: pd.DataFrame | None
    created: ValueCreated
    regeneration: pd.DataFrame | None
    has_jobs: bool

    @property
    def overall(self) -> pd.Series:
        """The overall leverage row (``organisation_eur``, ``others_eur``, ``leverage``…)."""
        return self.leverage[self.leverage["scope"] == "overall"].iloc[0]

    @property
    def total_eur(self) -> float:
        """Valued euros of every contribution."""
        return float(contribution_matrix(self.valued, by="resource")["value_eur"].sum())

    @property
    def n_unvalued(self) -> int:
        """Contributions that could not be valued in euros (kept and counted, out of the totals)."""
        return int((~self.valued["valued"].to_numpy(bool)).sum())

    @property
    def n_contributing_actors(self) -> int:
        """Distinct actors with at least one contribution (the structure included)."""
        return int(self.valued["actor_id"].nunique())

    def jobs_last_year(self) -> pd.Series | None:
        """Jobs of ``last_year`` (``fte, headcount, insertion_headcount, n_projects``), zeros when none."""
        if not self.has_jobs:
            return None
        jy = self.created.jobs_by_year
        last = jy[jy["year"] == self.last_year]
        return pd.Series({c: (last[c].sum() if len(last) else 0)
                          for c in ("fte", "headcount", "insertion_headcount", "n_projects")})


def analyse(
    contributions: pd.DataFrame,
    actors: pd.DataFrame,
    *,
    organisation: str,
    last_year: int,
    monetisation: dict | None = None,
    activities: pd.DataFrame | None = None,
    outcomes: pd.DataFrame | None = None,
    jobs: pd.DataFrame | None = None,
    participations: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
) -> ValueChainAnalysis:
    """The whole value-chain analysis of a campaign, as the notebook ``10_value_chain`` shows it.

    Contributions valued with the campaign's hourly rates (:func:`monetise`), leverage by
    project, by year and overall (:func:`leverage`), co-construction of each project without
    the structure (:func:`co_construction`), support share (:func:`support_share`, with
    ``activities``), value created (:func:`value_created`) and regeneration
    (:func:`regeneration`, the structure excluded, with ``participations`` and ``events``).
    """
    valued = monetise(contributions, monetisation or {})
    lev_year = leverage(valued, organisation, by="year")
    cc = co_construction(valued, actors, exclude=[organisation])
    return ValueChainAnalysis(
        organisation=organisation,
        last_year=int(last_year),
        valued=valued,
        leverage=leverage(valued, organisation),
        leverage_by_year=lev_year[lev_year["scope"] == "year"].reset_index(drop=True),
        co_construction=cc[cc["scope"] == "project"].reset_index(drop=True),
        support=support_share(activities) if activities is not None else None,
        created=value_created(outcomes, jobs),
        regeneration=(regeneration(valued, participations, events, exclude=[organisation])
                      if participations is not None and events is not None else None),
        has_jobs=jobs is not None and len(jobs) > 0,
    )


def key_results(analysis: ValueChainAnalysis, period: tuple[int, int]) -> pd.DataFrame:
    """The value chain's recorded figures (keys ``value_chain.*``), one row each.

    ``total_contributions_eur`` (valued euros of all actors), ``n_contributing_actors``
    (the structure included), ``unvalued_contributions``, ``leverage_overall`` (others'
    euros per euro of the structure), ``support_share_cost`` (share between 0 and 1, with
    ``activities``), ``jobs_fte_last_year`` (with a jobs table; 0 when the last year has no
    row) and ``regenerating_actors`` (with participations and events).

    Parameters
    ----------
    analysis : ValueChainAnalysis
        From :func:`analyse`.
    period : (int, int)
        First and last year of the campaign (for the notes).

    Returns
    -------
    DataFrame
        ``key, value, label, unit, ci_low, ci_high, note`` (for :func:`rd_methods.results.record_frame`).
    """
    from rd_methods.formats import format_pct

    first, last = period
    rows = [
        dict(key="value_chain.total_contributions_eur", value=analysis.total_eur,
             label="Apports valorisés de tous les acteurs", unit="€",
             note=f"{first}–{last}, conventions de valorisation de campaign.yml"),
        dict(key="value_chain.n_contributing_actors", value=analysis.n_contributing_actors,
             label="Acteurs ayant apporté des ressources", unit="acteurs"),
        dict(key="value_chain.unvalued_contributions", value=analysis.n_unvalued,
             label="Apports non valorisés en euros", unit="apports", note="gardés et comptés, hors des totaux en euros"),
        dict(key="value_chain.leverage_overall", value=float(analysis.overall["leverage"]),
             label="Effet levier : euros des autres acteurs pour 1 € de la structure", unit="€ pour 1 €",
             note="identité comptable sur les apports valorisés, sans intervalle ; co-production, pas causalité"),
    ]
    if analysis.support is not None:
        overall = analysis.support[analysis.support["scope"] == "overall"].iloc[0]
        rows.append(dict(key="value_chain.support_share_cost", value=float(overall["share_cost"]),
                         label="Part des fonctions support dans le coût des activités",
                         note=f"part entre 0 et 1 ; {format_pct(overall['share_hours'])} dans les heures de travail"))
    if analysis.has_jobs:
        rows.append(dict(key="value_chain.jobs_fte_last_year", value=float(analysis.jobs_last_year()["fte"]),
                         label=f"Emplois des activités issues des projets en {analysis.last_year}", unit="ETP"))
    if analysis.regeneration is not None:
        rows.append(dict(key="value_chain.regenerating_actors", value=len(analysis.regeneration),
                         label="Acteurs passés de participants à contributeurs", unit="acteurs",
                         note="première participation une année strictement antérieure au premier apport"))
    from rd_methods.results import key_frame

    return key_frame(rows)
