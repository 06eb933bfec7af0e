"""The structure's economic model, and what it does for the three transitions (issue 20).

The cooperative aims to « renforcer le modèle économique de la structure » and to have « un
impact positif en termes de transitions écologiques, économiques et sociales ». This module
describes both from the campaign's tables; its figures are **context, not evidence of
impact**: they say how the structure is funded and what its outputs cost, not what would
have happened without it.

**Economic model** (table ``finances``: ``year, direction, kind, amount_eur, actor_id``):

- :func:`revenue_mix` — income by kind and its share of the year's income;
- :func:`funding_concentration` — the Herfindahl–Hirschman index of income by funder or
  customer, the share of public funders and of own revenue;
- :func:`cost_per_outcome` — the structure's expenses per launched project and per FTE of
  the jobs created, by year and over the period;
- :func:`operating_balance` and :func:`path_to_balance` — income minus expenses, and the
  growth of own revenue needed to balance without operating subsidies.

**Transitions** (``projects.transitions``: ``ecological;social``…):

- :func:`explode_transitions` — one row per (project, transition);
- :func:`impact_by_transition` — projects, launched activities, FTE, valued contributions
  and SROI value per transition (a project serving two transitions is counted in each);
- :func:`transition_indicators` — the outcome indicators of each transition (tCO2e
  avoided, local purchases…) with their source.

Conventions. *Operating income* is every income row except ``share_capital`` and ``loan``:
equity and debt finance the structure but are not revenue (French accounting plan: classes
1 vs 7). *Own revenue* is ``service_sale`` + ``membership_fee``; *subsidies* are
``operating_subsidy`` + ``project_subsidy``. Public funders are actors of category
``local_authority`` or ``public_agency``.

Computing functions never read files, print or plot; they take tidy frames and return tidy
frames.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "TRANSITIONS",
    "INCOME_GROUPS",
    "OWN_REVENUE_KINDS",
    "SUBSIDY_KINDS",
    "CAPITAL_KINDS",
    "PUBLIC_CATEGORIES",
    "revenue_mix",
    "funding_concentration",
    "cost_per_outcome",
    "operating_balance",
    "path_to_balance",
    "explode_transitions",
    "impact_by_transition",
    "transition_indicators",
    "key_results",
    "concentration_level",
]

TRANSITIONS = ("ecological", "economic", "social")
OWN_REVENUE_KINDS = ("service_sale", "membership_fee")
SUBSIDY_KINDS = ("operating_subsidy", "project_subsidy")
CAPITAL_KINDS = ("share_capital", "loan")
PUBLIC_CATEGORIES = ("local_authority", "public_agency")
#: income kind -> group (subsidy, own_revenue, other, capital)
INCOME_GROUPS = {
    "operating_subsidy": "subsidy", "project_subsidy": "subsidy", "service_sale": "own_revenue",
    "membership_fee": "own_revenue", "donation": "other", "other_income": "other",
    "share_capital": "capital", "loan": "capital",
}
LAUNCHED_STAGES = ("launched", "autonomous")

ASSUMPTIONS_COST = (
    "Toutes les dépenses de la structure sont rapportées aux résultats, sans clé de répartition : "
    "les coûts partagés (gouvernance, administration, animation du territoire) pèsent sur chaque "
    "projet lancé comme sur chaque ETP ; un projet est compté l'année où il entre au stade "
    "« lancé » (ou « autonome » s'il n'a pas de date de lancement), quel que soit son devenir ; "
    "les ETP sont ceux du tableau jobs (emplois des activités lancées) ; un coût n'est pas un impact."
)


def _require(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")


def _income(finances: pd.DataFrame, include_capital: bool) -> pd.DataFrame:
    _require(finances, ("year", "direction", "kind", "amount_eur"), "finances")
    inc = finances[finances["direction"].astype(str) == "income"].copy()
    if not include_capital:
        inc = inc[~inc["kind"].isin(CAPITAL_KINDS)]
    inc["amount_eur"] = inc["amount_eur"].astype(float)
    return inc


def _by_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _share(num: pd.Series, den: pd.Series) -> pd.Series:
    num = num.astype(float)
    den = den.astype(float)
    return (num / den.where(den > 0)).astype(float)


# --------------------------------------------------------------------------- funding
def revenue_mix(finances: pd.DataFrame, by: str | Sequence[str] | None = "year", *,
                include_capital: bool = False) -> pd.DataFrame:
    """Income by kind and its share of the income of each ``by`` group.

    Parameters
    ----------
    finances : DataFrame
        Table ``finances`` (``year``, ``direction``, ``kind``, ``amount_eur``).
    by : str, list of str or None
        Grouping columns (default ``"year"``; ``None``: the whole period).
    include_capital : bool
        Keep ``share_capital`` and ``loan`` (financing flows, not revenue); by default they are
        left out and shares are of *operating* income.

    Returns
    -------
    DataFrame
        ``by`` columns, ``kind``, ``group`` (subsidy, own_revenue, other, capital),
        ``amount_eur``, ``share`` (of the group's income; shares sum to 1 within each group).

    Examples
    --------
    >>> f = pd.DataFrame({"year": [2024] * 4, "direction": ["income"] * 3 + ["expense"],
    ...                   "kind": ["operating_subsidy", "service_sale", "loan", "staff"],
    ...                   "amount_eur": [75.0, 25.0, 500.0, 90.0]})
    >>> revenue_mix(f)[["kind", "share"]].values.tolist()
    [['operating_subsidy', 0.75], ['service_sale', 0.25]]
    """
    keys = _by_list(by)
    inc = _income(finances, include_capital)
    out = inc.groupby([*keys, "kind"], sort=True, dropna=False)["amount_eur"].sum().reset_index()
    total = out.groupby(keys)["amount_eur"].transform("sum") if keys else out["amount_eur"].sum()
    out["share"] = out["amount_eur"] / total
    out.insert(len(keys) + 1, "group", out["kind"].map(INCOME_GROUPS).fillna("other"))
    return out.reset_index(drop=True)


def funding_concentration(finances: pd.DataFrame, actors: pd.DataFrame | None = None,
                          by: str | Sequence[str] | None = "year", *,
                          include_capital: bool = False,
                          public_categories: Sequence[str] = PUBLIC_CATEGORIES) -> pd.DataFrame:
    """Dependence on a few funders: Herfindahl–Hirschman index, public and own-revenue shares.

    The HHI is the sum of the squared shares of income by ``actor_id`` (funder or customer);
    rows without an ``actor_id`` (membership fees, small donations) are left out of it. It runs
    from ``1 / n`` (``n`` equal funders) to 1 (a single funder); ``n_equivalent = 1 / hhi`` is
    the number of equal funders that would give the same concentration. The U.S. merger
    guidelines call a market moderately concentrated above 0.15 and highly above 0.25
    (U.S. DoJ & FTC, *Horizontal Merger Guidelines*, 2010, §5.3; Hirschman 1945,
    Herfindahl 1950); for a non-profit's income the index reads as revenue concentration
    (Chang & Tuckman 1994, « Revenue diversification among non-profits », *Voluntas* 5(3)).

    Parameters
    ----------
    finances : DataFrame
        Table ``finances``.
    actors : DataFrame, optional
        Table ``actors`` (``actor_id``, ``category``): needed for ``public_funder_share``.
    by : str, list of str or None
        Grouping columns (default ``"year"``).
    include_capital : bool
        Count ``share_capital`` and ``loan`` as income (default: no).
    public_categories : sequence of str
        Actor categories counted as public funders.

    Returns
    -------
    DataFrame
        ``by`` columns, ``income_eur``, ``income_with_actor_eur``, ``n_funders``, ``hhi``,
        ``n_equivalent``, ``top_actor_id``, ``top_share`` and ``top3_share`` (share of the largest
        one and three, the concentration ratios CR1 and CR3, of income with an actor),
        ``subsidy_share``, ``own_revenue_share`` and ``public_funder_share`` (of all income;
        NaN without ``actors``).

    Examples
    --------
    >>> f = pd.DataFrame({"year": [2024] * 4, "direction": ["income"] * 4,
    ...                   "kind": ["operating_subsidy", "operating_subsidy", "service_sale", "membership_fee"],
    ...                   "amount_eur": [60.0, 20.0, 20.0, 10.0], "actor_id": ["R", "D", "C", None]})
    >>> a = pd.DataFrame({"actor_id": ["R", "D", "C"], "category": ["local_authority", "public_agency", "enterprise"]})
    >>> row = funding_concentration(f, a).iloc[0]
    >>> [round(float(row[c]), 4) for c in ("hhi", "public_funder_share", "own_revenue_share")]
    [0.44, 0.7273, 0.2727]
    """
    keys = _by_list(by)
    inc = _income(finances, include_capital)
    if "actor_id" not in inc.columns:
        inc["actor_id"] = np.nan
    inc["_sub"] = np.where(inc["kind"].isin(SUBSIDY_KINDS), inc["amount_eur"], 0.0)
    inc["_own"] = np.where(inc["kind"].isin(OWN_REVENUE_KINDS), inc["amount_eur"], 0.0)
    if actors is not None:
        _require(actors, ("actor_id", "category"), "actors")
        public = set(actors.loc[actors["category"].isin(list(public_categories)), "actor_id"].astype(str))
        inc["_pub"] = np.where(inc["actor_id"].notna() & inc["actor_id"].astype(str).isin(public), inc["amount_eur"], 0.0)
    else:
        inc["_pub"] = np.nan
    grouper = keys if keys else (lambda _i: 0)
    totals = inc.groupby(grouper, sort=True)[["amount_eur", "_sub", "_own", "_pub"]].sum(min_count=1)
    withact = inc[inc["actor_id"].notna()]
    per_actor = withact.groupby([*keys, "actor_id"] if keys else ["actor_id"], sort=True)["amount_eur"].sum().reset_index()
    gkeys = keys if keys else None
    if gkeys:
        tot_act = per_actor.groupby(gkeys)["amount_eur"].transform("sum")
    else:
        tot_act = pd.Series(per_actor["amount_eur"].sum(), index=per_actor.index)
    per_actor["s"] = per_actor["amount_eur"] / tot_act
    per_actor["s2"] = per_actor["s"] ** 2
    g = per_actor.groupby(gkeys, sort=True) if gkeys else per_actor.groupby(lambda _i: 0)
    conc = pd.DataFrame({
        "income_with_actor_eur": g["amount_eur"].sum(),
        "n_funders": g["actor_id"].nunique(),
        "hhi": g["s2"].sum(),
    })
    top = per_actor.sort_values([*keys, "s", "actor_id"], ascending=[True] * len(keys) + [False, True], kind="stable")
    top = top.groupby(gkeys, sort=True).head(1) if gkeys else top.head(1)
    top = top.set_index(gkeys) if gkeys else top.set_index(pd.Index([0] * len(top)))
    conc["top_actor_id"] = top["actor_id"]
    conc["top_share"] = top["s"]
    top3 = per_actor.sort_values([*keys, "s"], ascending=[True] * len(keys) + [False], kind="stable")
    conc["top3_share"] = (top3.groupby(gkeys, sort=True).head(3).groupby(gkeys)["s"].sum() if gkeys
                          else pd.Series([top3.head(3)["s"].sum()], index=[0]))
    out = pd.DataFrame({"income_eur": totals["amount_eur"]}).join(conc, how="left")
    out["n_funders"] = out["n_funders"].fillna(0).astype(int)
    out["income_with_actor_eur"] = out["income_with_actor_eur"].fillna(0.0)
    out["n_equivalent"] = 1 / out["hhi"]
    out["subsidy_share"] = _share(totals["_sub"], totals["amount_eur"])
    out["own_revenue_share"] = _share(totals["_own"], totals["amount_eur"])
    out["public_funder_share"] = _share(totals["_pub"], totals["amount_eur"]) if actors is not None else np.nan
    cols = ["income_eur", "income_with_actor_eur", "n_funders", "hhi", "n_equivalent", "top_actor_id",
            "top_share", "top3_share", "subsidy_share", "own_revenue_share", "public_funder_share"]
    out = out[cols]
    return out.reset_index() if keys else out.reset_index(drop=True)


# --------------------------------------------------------------------------- costs
def _launch_years(stages: pd.DataFrame) -> pd.Series:
    _require(stages, ("project_id", "stage", "entered_on"), "project_stages")
    st = stages[stages["stage"].isin(LAUNCHED_STAGES)]
    return pd.to_datetime(st["entered_on"]).groupby(st["project_id"]).min().dt.year


def cost_per_outcome(finances: pd.DataFrame, jobs: pd.DataFrame | None = None,
                     stages: pd.DataFrame | None = None, *,
                     period: tuple[int, int] | None = None) -> pd.DataFrame:
    """The structure's expenses per launched project and per FTE of the jobs created.

    Average cost ratios, as in cost-effectiveness accounting (cost per unit of output;
    Levin, McEwan, Belfield, Bowden & Shand, *Economic Evaluation in Education*, 3rd ed., 2018,
    ch. 2 and 8): *all* the structure's expenses divided by the outputs, with no allocation
    key. By year: expenses of the year / projects entering the ``launched`` stage that year
    (``autonomous`` when no launch date) and / FTE of the ``jobs`` table that year (the stock of
    jobs of the launched activities). Over the period: total expenses / projects launched in
    the period, and / FTE of the last year. Shared costs are therefore counted in full for
    every output, outputs come after the spending that prepared them (no lag is modelled),
    and a cost says nothing about impact (see ``attrs["assumptions"]``).

    Parameters
    ----------
    finances : DataFrame
        Table ``finances`` (expense rows are used).
    jobs : DataFrame, optional
        Table ``jobs`` (``year``, ``fte``).
    stages : DataFrame, optional
        Table ``project_stages``.
    period : (int, int), optional
        First and last year (default: the years of ``finances``).

    Returns
    -------
    DataFrame
        One row per year and a last row ``scope="period"`` (``year`` = last year):
        ``scope``, ``year``, ``expense_eur``, ``n_launched``, ``fte``,
        ``cost_per_launched_project_eur``, ``cost_per_fte_eur`` (NaN when the output is 0).

    Examples
    --------
    >>> f = pd.DataFrame({"year": [2023, 2024], "direction": "expense", "kind": "staff",
    ...                   "amount_eur": [100.0, 200.0]})
    >>> s = pd.DataFrame({"project_id": ["a", "b", "b"], "stage": ["launched", "launched", "autonomous"],
    ...                   "entered_on": pd.to_datetime(["2023-05-01", "2024-02-01", "2025-01-01"])})
    >>> j = pd.DataFrame({"project_id": ["a", "a"], "year": [2023, 2024], "fte": [1.0, 4.0]})
    >>> cost_per_outcome(f, j, s)[["scope", "cost_per_launched_project_eur", "cost_per_fte_eur"]].values.tolist()
    [['year', 100.0, 100.0], ['year', 200.0, 50.0], ['period', 150.0, 75.0]]
    """
    _require(finances, ("year", "direction", "kind", "amount_eur"), "finances")
    exp = finances[finances["direction"].astype(str) == "expense"]
    if period is None:
        yrs = finances["year"].dropna().astype(int)
        period = (int(yrs.min()), int(yrs.max()))
    first, last = int(period[0]), int(period[1])
    years = pd.Index(range(first, last + 1), name="year")
    expense = exp.groupby(exp["year"].astype(int))["amount_eur"].sum().reindex(years, fill_value=0.0).astype(float)
    if stages is not None:
        ly = _launch_years(stages)
        launched = ly.value_counts().reindex(years, fill_value=0).astype(int)
    else:
        launched = pd.Series(np.nan, index=years)
    if jobs is not None:
        _require(jobs, ("year", "fte"), "jobs")
        fte = jobs.groupby(jobs["year"].astype(int))["fte"].sum().reindex(years, fill_value=0.0).astype(float)
    else:
        fte = pd.Series(np.nan, index=years)
    out = pd.DataFrame({"scope": "year", "year": years, "expense_eur": expense.to_numpy(),
                        "n_launched": launched.to_numpy(), "fte": fte.to_numpy()})
    total = pd.DataFrame({"scope": ["period"], "year": [last], "expense_eur": [float(expense.sum())],
                          "n_launched": [launched.sum() if stages is not None else np.nan],
                          "fte": [float(fte.loc[last]) if jobs is not None else np.nan]})
    out = pd.concat([out, total], ignore_index=True)
    out["cost_per_launched_project_eur"] = _share(out["expense_eur"], out["n_launched"])
    out["cost_per_fte_eur"] = _share(out["expense_eur"], out["fte"])
    if stages is not None:
        out["n_launched"] = out["n_launched"].astype(int)
    out.attrs["assumptions"] = ASSUMPTIONS_COST
    out.attrs["period"] = (first, last)
    return out


# --------------------------------------------------------------------------- balance
def operating_balance(finances: pd.DataFrame) -> pd.DataFrame:
    """Operating income minus expenses by year, and the own revenue needed without operating subsidies.

    ``own_revenue_needed_eur`` is the own revenue (sales and fees) that would balance the year's
    expenses if operating subsidies stopped while expenses, project subsidies, donations and
    other income stayed as they were: ``expense − (operating income − operating subsidies − own
    revenue)``; ``required_growth`` is how much own revenue would have to grow for that
    (``needed / own − 1``; 0 when already enough). A static, ceteris-paribus reading: in reality
    expenses would follow activity.

    Parameters
    ----------
    finances : DataFrame
        Table ``finances``.

    Returns
    -------
    DataFrame
        ``year``, ``operating_income_eur``, ``expense_eur``, ``balance_eur``,
        ``operating_subsidy_eur``, ``own_revenue_eur``, ``own_revenue_needed_eur``,
        ``required_growth``, ``capital_eur`` (share capital and loans, outside the balance).

    Examples
    --------
    >>> f = pd.DataFrame({"year": 2024, "direction": ["income"] * 3 + ["expense"],
    ...                   "kind": ["operating_subsidy", "service_sale", "project_subsidy", "staff"],
    ...                   "amount_eur": [50.0, 30.0, 20.0, 110.0]})
    >>> operating_balance(f)[["balance_eur", "own_revenue_needed_eur", "required_growth"]].values.round(3).tolist()
    [[-10.0, 90.0, 2.0]]
    """
    _require(finances, ("year", "direction", "kind", "amount_eur"), "finances")
    f = finances.assign(amount_eur=finances["amount_eur"].astype(float), year=finances["year"].astype(int))
    inc = f["direction"].astype(str) == "income"
    cap = inc & f["kind"].isin(CAPITAL_KINDS)
    op = inc & ~cap
    parts = pd.DataFrame({
        "operating_income_eur": np.where(op, f["amount_eur"], 0.0),
        "expense_eur": np.where(f["direction"].astype(str) == "expense", f["amount_eur"], 0.0),
        "operating_subsidy_eur": np.where(op & (f["kind"] == "operating_subsidy"), f["amount_eur"], 0.0),
        "own_revenue_eur": np.where(op & f["kind"].isin(OWN_REVENUE_KINDS), f["amount_eur"], 0.0),
        "capital_eur": np.where(cap, f["amount_eur"], 0.0),
        "year": f["year"].to_numpy(),
    })
    out = parts.groupby("year", sort=True).sum()
    out["balance_eur"] = out["operating_income_eur"] - out["expense_eur"]
    other = out["operating_income_eur"] - out["operating_subsidy_eur"] - out["own_revenue_eur"]
    out["own_revenue_needed_eur"] = (out["expense_eur"] - other).clip(lower=0.0)
    growth = _share(out["own_revenue_needed_eur"], out["own_revenue_eur"]) - 1
    out["required_growth"] = growth.clip(lower=0.0)
    cols = ["operating_income_eur", "expense_eur", "balance_eur", "operating_subsidy_eur", "own_revenue_eur",
            "own_revenue_needed_eur", "required_growth", "capital_eur"]
    return out[cols].reset_index()


def path_to_balance(balance: pd.DataFrame, *, first_year: int | None = None) -> pd.Series:
    """Years needed to balance without operating subsidies if own revenue kept its past growth.

    The past growth is the compound annual growth rate of own revenue between ``first_year``
    (default: the first year with own revenue) and the last year; the years needed are
    ``log(needed / own) / log(1 + growth)`` from the last year's figures, everything else
    unchanged. A projection of a trend, not a forecast.

    Parameters
    ----------
    balance : DataFrame
        Output of :func:`operating_balance`.
    first_year : int, optional
        Start of the growth window.

    Returns
    -------
    Series
        ``last_year``, ``own_revenue_last_eur``, ``own_revenue_needed_eur``,
        ``required_growth``, ``own_revenue_cagr``, ``years_needed`` (0 when already enough,
        NaN when own revenue does not grow).

    Examples
    --------
    >>> b = pd.DataFrame({"year": [2020, 2022], "own_revenue_eur": [100.0, 121.0],
    ...                   "own_revenue_needed_eur": [300.0, 242.0], "required_growth": [2.0, 1.0]})
    >>> r = path_to_balance(b)
    >>> round(float(r["own_revenue_cagr"]), 3), round(float(r["years_needed"]), 2)
    (0.1, 7.27)
    """
    b = balance.sort_values("year")
    pos = b[b["own_revenue_eur"] > 0]
    if first_year is not None:
        pos = pos[pos["year"] >= first_year]
    last = b.iloc[-1]
    own, needed = float(last["own_revenue_eur"]), float(last["own_revenue_needed_eur"])
    cagr = np.nan
    if len(pos) >= 2 and own > 0:
        y0, o0 = int(pos["year"].iloc[0]), float(pos["own_revenue_eur"].iloc[0])
        span = int(last["year"]) - y0
        if span > 0:
            cagr = (own / o0) ** (1 / span) - 1
    if own >= needed:
        years = 0.0
    elif own > 0 and cagr == cagr and cagr > 0:
        years = float(np.log(needed / own) / np.log1p(cagr))
    else:
        years = np.nan
    return pd.Series({"last_year": int(last["year"]), "own_revenue_last_eur": own, "own_revenue_needed_eur": needed,
                      "required_growth": float(last["required_growth"]), "own_revenue_cagr": cagr,
                      "years_needed": years})


# --------------------------------------------------------------------------- transitions
def explode_transitions(frame: pd.DataFrame, column: str = "transitions", id_column: str = "project_id") -> pd.DataFrame:
    """One row per (id, transition) from a ``;``-separated column; rows without one are dropped.

    Examples
    --------
    >>> p = pd.DataFrame({"project_id": ["a", "b", "c"], "transitions": ["ecological; social", "economic", None]})
    >>> explode_transitions(p).values.tolist()
    [['a', 'ecological'], ['a', 'social'], ['b', 'economic']]
    """
    if column not in frame.columns:
        return pd.DataFrame({id_column: pd.Series(dtype=object), "transition": pd.Series(dtype=object)})
    s = frame[[id_column, column]].dropna(subset=[column])
    s = s.assign(transition=s[column].astype(str).str.split(";")).explode("transition")
    s["transition"] = s["transition"].str.strip()
    s = s[s["transition"].isin(TRANSITIONS)]
    return s[[id_column, "transition"]].drop_duplicates().reset_index(drop=True)


def impact_by_transition(projects: pd.DataFrame, *, stages: pd.DataFrame | None = None,
                         jobs: pd.DataFrame | None = None, contributions: pd.DataFrame | None = None,
                         impact_map: pd.DataFrame | None = None, sroi_values: pd.DataFrame | None = None,
                         year: int | None = None) -> pd.DataFrame:
    """Projects, launched activities, FTE, valued contributions and SROI value per transition.

    A project serving several transitions is counted **in each** (``n_shared`` says how many
    of a transition's projects also serve another one), so the transition rows do not add up;
    the last row, ``transition="all"``, counts every project once. The SROI value of an
    outcome of the impact map goes to the transitions of its ``transition`` column (split the
    same way). Descriptive accounting, no attribution model: a transition's figures are those
    of its projects.

    Parameters
    ----------
    projects : DataFrame
        Table ``projects`` with the optional ``transitions`` column.
    stages, jobs : DataFrame, optional
        Tables ``project_stages`` (launched = entered ``launched`` or ``autonomous``) and
        ``jobs`` (FTE of ``year``).
    contributions : DataFrame, optional
        Contributions valued by :func:`rd_methods.value_chain.monetise` (``value_eur``, and
        ``valued`` if present); all years summed.
    impact_map : DataFrame, optional
        Table ``sroi_impact_map`` (``outcome_id``, optional ``transition``).
    sroi_values : DataFrame, optional
        Present value per outcome (``outcome_id``, ``present_value``), e.g.
        ``rd_methods.sroi.sroi(...).by_outcome``.
    year : int, optional
        Year of the FTE (default: last year of ``jobs``).

    Returns
    -------
    DataFrame
        ``transition``, ``n_projects``, ``n_shared``, ``n_launched``, ``fte``,
        ``contributions_eur``, ``sroi_present_value_eur`` (NaN where the data are absent).
        ``attrs["note"]`` states the double counting; ``attrs["year"]`` the FTE year.

    Examples
    --------
    >>> p = pd.DataFrame({"project_id": ["a", "b"], "transitions": ["ecological;social", "social"]})
    >>> j = pd.DataFrame({"project_id": ["a", "b"], "year": [2024, 2024], "fte": [2.0, 1.0]})
    >>> t = impact_by_transition(p, jobs=j)
    >>> t[["transition", "n_projects", "n_shared", "fte"]].values.tolist()
    [['ecological', 1, 1, 2.0], ['economic', 0, 0, 0.0], ['social', 2, 1, 3.0], ['all', 2, 0, 3.0]]
    """
    _require(projects, ("project_id",), "projects")
    pt = explode_transitions(projects)
    n_tr = pt.groupby("project_id")["transition"].nunique()
    groups: dict[str, set] = {t: set(pt.loc[pt["transition"] == t, "project_id"]) for t in TRANSITIONS}
    groups["all"] = set(projects["project_id"])
    launched = set(_launch_years(stages).index) if stages is not None else None
    fte_by = None
    if jobs is not None and len(jobs):
        _require(jobs, ("project_id", "year", "fte"), "jobs")
        year = int(jobs["year"].max()) if year is None else int(year)
        fte_by = jobs[jobs["year"] == year].groupby("project_id")["fte"].sum()
    contrib_by = None
    if contributions is not None:
        _require(contributions, ("project_id", "value_eur"), "contributions")
        ok = contributions["value_eur"].notna()
        if "valued" in contributions.columns:
            ok &= contributions["valued"].astype(bool)
        contrib_by = contributions[ok].groupby("project_id")["value_eur"].sum()
    sroi_by: dict[str, float] | None = None
    if sroi_values is not None and impact_map is not None and "transition" in impact_map.columns:
        _require(sroi_values, ("outcome_id", "present_value"), "sroi_values")
        ot = explode_transitions(impact_map, column="transition", id_column="outcome_id")
        pv = sroi_values.groupby("outcome_id")["present_value"].sum()
        ot["pv"] = ot["outcome_id"].map(pv).fillna(0.0)
        sroi_by = ot.groupby("transition")["pv"].sum().to_dict()
        sroi_by["all"] = float(pv[pv.index.isin(ot["outcome_id"])].sum())
    rows = []
    for t, ids in groups.items():
        ids_list = list(ids)
        rows.append({
            "transition": t,
            "n_projects": len(ids),
            "n_shared": int((n_tr.reindex(ids_list).fillna(0) > 1).sum()) if t != "all" else 0,
            "n_launched": len(ids & launched) if launched is not None else np.nan,
            "fte": float(fte_by[fte_by.index.isin(ids_list)].sum()) if fte_by is not None else np.nan,
            "contributions_eur": float(contrib_by[contrib_by.index.isin(ids_list)].sum()) if contrib_by is not None else np.nan,
            "sroi_present_value_eur": float(sroi_by.get(t, 0.0)) if sroi_by is not None else np.nan,
        })
    out = pd.DataFrame(rows)
    out.attrs["note"] = ("Un projet qui sert plusieurs transitions est compté dans chacune : les lignes par "
                         "transition ne s'additionnent pas ; la ligne « all » (ensemble) compte chaque projet une fois.")
    out.attrs["year"] = year
    out.attrs["n_without_transition"] = int(len(groups["all"] - set(pt["project_id"])))
    return out


def transition_indicators(outcomes: pd.DataFrame, projects: pd.DataFrame | None = None, *,
                          impact_map: pd.DataFrame | None = None, year: int | None = None) -> pd.DataFrame:
    """Outcome indicators of each transition, with their source.

    An outcome row belongs to the transition of its own ``transition`` column when given,
    otherwise to the transitions of its project (so to several when the project serves
    several); structure-level outcomes without a transition are left out. Values of ``year``
    (default: the last year of ``outcomes``) are summed per (transition, indicator, unit).
    Impact-map outcomes with a ``transition`` are added with their annual quantity and
    the source of their proxy.

    Parameters
    ----------
    outcomes : DataFrame
        Table ``outcomes`` (``project_id``, ``value_type``, ``indicator``, ``value``, ``unit``,
        ``year``, ``evidence``, optional ``transition``).
    projects : DataFrame, optional
        Table ``projects`` (``transitions``).
    impact_map : DataFrame, optional
        Table ``sroi_impact_map``.
    year : int, optional
        Year of the outcome values.

    Returns
    -------
    DataFrame
        ``transition``, ``indicator``, ``unit``, ``value_type``, ``value``, ``n_projects``,
        ``evidence`` (strengths seen), ``source``.

    Examples
    --------
    >>> o = pd.DataFrame({"project_id": ["a", "b"], "value_type": "environmental", "indicator": "Émissions évitées",
    ...                   "value": [3.0, 4.0], "unit": "tCO2e", "year": 2024, "evidence": "estimated"})
    >>> p = pd.DataFrame({"project_id": ["a", "b"], "transitions": ["ecological", "ecological;social"]})
    >>> transition_indicators(o, p)[["transition", "value", "n_projects"]].values.tolist()
    [['ecological', 7.0, 2], ['social', 4.0, 1]]
    """
    cols = ["transition", "indicator", "unit", "value_type", "value", "n_projects", "evidence", "source"]
    _require(outcomes, ("project_id", "indicator", "value", "year"), "outcomes")
    o = outcomes.copy()
    year = int(o["year"].max()) if year is None and len(o) else year
    o = o[o["year"] == year].reset_index(drop=True)
    o["_row"] = np.arange(len(o))
    own = o[["_row", "transition"]].dropna() if "transition" in o.columns else pd.DataFrame(columns=["_row", "transition"])
    own = own[own["transition"].isin(TRANSITIONS)]
    rows = [own]
    if projects is not None:
        pt = explode_transitions(projects)
        rest = o[~o["_row"].isin(own["_row"]) & o["project_id"].notna()][["_row", "project_id"]]
        rows.append(rest.merge(pt, on="project_id")[["_row", "transition"]])
    link = pd.concat(rows, ignore_index=True)
    m = link.merge(o.drop(columns=[c for c in ("transition",) if c in o.columns]), on="_row")
    for c, d in (("unit", ""), ("value_type", ""), ("evidence", "")):
        if c not in m.columns:
            m[c] = d
    m["unit"] = m["unit"].fillna("")
    agg = (m.groupby(["transition", "indicator", "unit"], sort=True)
           .agg(value_type=("value_type", "first"), value=("value", "sum"),
                n_projects=("project_id", "nunique"),
                evidence=("evidence", lambda s: ", ".join(sorted(set(s.dropna().astype(str))))))
           .reset_index())
    agg["source"] = f"tableau outcomes, année {year}"
    frames = [agg]
    if impact_map is not None and "transition" in impact_map.columns:
        it = explode_transitions(impact_map, column="transition", id_column="outcome_id")
        im = it.merge(impact_map.drop(columns="transition"), on="outcome_id")
        if len(im):
            src = im["proxy_source"] if "proxy_source" in im.columns else pd.Series("", index=im.index)
            frames.append(pd.DataFrame({
                "transition": im["transition"], "indicator": im["indicator"], "unit": "par an",
                "value_type": "sroi", "value": im["quantity"].astype(float), "n_projects": np.nan,
                "evidence": "carte d'impact",
                "source": "carte d'impact SROI (" + im["outcome_id"].astype(str) + ") ; valeur de référence : "
                          + src.fillna("non précisée").astype(str),
            }))
    out = pd.concat(frames, ignore_index=True)[cols]
    out.attrs["year"] = year
    return out.sort_values(["transition", "value_type", "indicator"], kind="stable").reset_index(drop=True)


TRANSITION_NAMES = {"ecological": "écologique", "economic": "économique", "social": "sociale"}
_SHARE_NOTE = "part des recettes ; contexte, pas une preuve d'impact"


def key_results(finances: pd.DataFrame, actors: pd.DataFrame | None = None, *,
                jobs: pd.DataFrame | None = None, stages: pd.DataFrame | None = None,
                projects: pd.DataFrame | None = None, contributions: pd.DataFrame | None = None,
                impact_map: pd.DataFrame | None = None, sroi_values: pd.DataFrame | None = None,
                include_capital: bool = False) -> pd.DataFrame:
    """The key results of the economic-model page, one row per recorded figure.

    One definition per figure, shared by every page that cites it: the last year's subsidy,
    own-revenue and public-funder shares and HHI (:func:`funding_concentration`), the expenses
    per launched project and per FTE over the whole period of the accounts
    (:func:`cost_per_outcome`), the last year's operating balance (:func:`operating_balance`)
    and, when the projects declare transitions, the projects and FTE per transition
    (:func:`impact_by_transition`).

    Parameters
    ----------
    finances : DataFrame
        Table ``finances``.
    actors : DataFrame, optional
        Table ``actors`` (for the public-funder share).
    jobs, stages, projects, contributions : DataFrame, optional
        Tables ``jobs``, ``project_stages``, ``projects`` and monetised ``contributions``.
    impact_map, sroi_values : DataFrame, optional
        SROI impact map and its ``by_outcome`` values (SROI value per transition).
    include_capital : bool
        Count share capital and loans as income.

    Returns
    -------
    DataFrame
        ``key, value, label, unit, note`` (for :func:`rd_methods.results.record_frame`).

    Examples
    --------
    >>> f = pd.DataFrame({"year": 2024, "direction": ["income"] * 2 + ["expense"],
    ...                   "kind": ["operating_subsidy", "service_sale", "staff"],
    ...                   "amount_eur": [60.0, 40.0, 110.0], "actor_id": ["a", "b", None]})
    >>> k = key_results(f).set_index("key")["value"]
    >>> float(k["economic_model.subsidy_share_last"]), float(k["economic_model.hhi_last"])
    (0.6, 0.52)
    >>> float(k["economic_model.operating_balance_last"])
    -10.0
    """
    years = sorted(int(y) for y in finances["year"].dropna().unique())
    first_year, last_year = years[0], years[-1]
    conc = funding_concentration(finances, actors, include_capital=include_capital).set_index("year")
    y1 = int(conc.index[-1])
    last = conc.loc[y1]
    rows = [
        ("economic_model.subsidy_share_last", last["subsidy_share"],
         f"Part des subventions dans les recettes ({y1})", None, _SHARE_NOTE),
        ("economic_model.own_revenue_share_last", last["own_revenue_share"],
         f"Part des ressources propres (ventes et cotisations) dans les recettes ({y1})", None, _SHARE_NOTE),
        ("economic_model.hhi_last", last["hhi"], f"Concentration des recettes par financeur (indice HHI, {y1})",
         None, "de 0 à 1 ; repères : 0,15 concentration modérée, 0,25 forte ; recettes sans financeur nommé exclues"),
        ("economic_model.public_funder_share_last", last["public_funder_share"],
         f"Part des recettes venant de financeurs publics ({y1})", None,
         "part des recettes ; collectivités et organismes publics, subventions et achats"),
    ]
    cost = cost_per_outcome(finances, jobs, stages, period=(first_year, last_year))
    period_row = cost[cost["scope"] == "period"].iloc[0]
    cost_note = "toutes dépenses, coûts partagés inclus ; un coût n'est pas un impact"
    rows += [
        ("economic_model.cost_per_launched_project_eur", period_row["cost_per_launched_project_eur"],
         f"Dépenses de la structure par projet lancé ({first_year}–{last_year})", "€", cost_note),
        ("economic_model.cost_per_fte_eur", period_row["cost_per_fte_eur"],
         f"Dépenses de la structure ({first_year}–{last_year}) par ETP des activités lancées en {last_year}",
         "€", cost_note),
    ]
    balance = operating_balance(finances).set_index("year")
    rows.append(("economic_model.operating_balance_last", balance.loc[last_year, "balance_eur"],
                 f"Résultat d'exploitation ({last_year})", "€",
                 "recettes hors parts sociales et emprunts, moins dépenses"))
    if projects is not None and "transitions" in projects.columns and projects["transitions"].notna().any():
        by_t = impact_by_transition(projects, stages=stages, jobs=jobs, contributions=contributions,
                                    impact_map=impact_map, sroi_values=sroi_values)
        year = by_t.attrs.get("year")
        by_t = by_t.set_index("transition")
        shared = "un projet qui sert plusieurs transitions est compté dans chacune"
        for name in TRANSITIONS:
            n = int(by_t.loc[name, "n_projects"])
            rows.append((f"transitions.n_projects_{name}", n,
                         f"Projets servant la transition {TRANSITION_NAMES[name]}",
                         "projet" if n < 2 else "projets", shared))
            fte = by_t.loc[name, "fte"]
            if fte == fte:
                rows.append((f"transitions.fte_{name}", fte,
                             f"ETP des activités de la transition {TRANSITION_NAMES[name]} ({year})", "ETP", shared))
    out = pd.DataFrame(rows, columns=["key", "value", "label", "unit", "note"])
    out["value"] = pd.Series([r[1] for r in rows], dtype=object)  # an integer count stays an integer
    return out


def concentration_level(hhi: float) -> str:
    """French reading of an HHI with the usual thresholds: « faible », « modérée » (> 0,15), « forte » (> 0,25).

    >>> concentration_level(0.12), concentration_level(0.2), concentration_level(0.4)
    ('faible', 'modérée', 'forte')
    """
    return "forte" if hhi > 0.25 else "modérée" if hhi > 0.15 else "faible"
