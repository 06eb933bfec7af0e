"""Resilience: resistance and recovery through shocks, and robustness of the actor network.

The cooperative's founding hypothesis is that a *cooperative territory* is resilient: it
absorbs crises better. This module lets the hypothesis be tested on two sides.

**The territory's economy through a shock** (a tidy panel, one row per territory and
period, as in :mod:`rd_methods.counterfactual`):

- :func:`reference_series` — the reference economy (mean of the comparison territories,
  or a series the user gives, e.g. a national one);
- :func:`shock_periods` — contraction and recovery periods of the reference, found by a
  documented rule (largest peak-to-trough fall, then the return to the pre-shock peak) or
  given by the user;
- :func:`resistance_recovery` — the resistance and recovery indices of regional
  economics (Martin 2012; Martin, Sunley, Gardiner & Tyler 2016) for the treated
  territory and every comparison territory, the years needed to regain the pre-shock
  level, and ranks; :func:`treated_ranks` gives the treated territory's rank as a
  permutation p-value;
- :func:`shock_index` — every series as an index (pre-shock level = 100), for figures.

**The actor network** (a :class:`networkx.Graph`, e.g. from
:func:`rd_methods.network.build_graph`):

- :func:`attack_tolerance` — the giant-component share and the global efficiency as
  actors are removed at random or in targeted order (degree, betweenness, recomputed
  after every step), as a curve (Albert, Jeong & Barabási 2000; Holme, Kim, Yoon & Han
  2002; Latora & Marchiori 2001);
- :func:`robustness_auc` — the area under such a curve (trapezoid rule), a robustness
  score in [0, 1] (in the spirit of Schneider et al. 2011);
- :func:`compare_with_random` — the same score for null networks that keep the data's
  structure (by default the actor x event incidence randomised by the curveball algorithm
  and projected with the same rule; or the projected graph's degree-preserving rewiring),
  so the reader sees whether the network is more robust than chance;
- :func:`robustness_over_time` — the score per period, with and without the evaluated
  structure.

Computing functions never read files, print or plot; randomness takes an explicit ``seed``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from rd_methods.counterfactual import _require, permutation_p_value
from rd_methods.network import _adjacency as network_adjacency
from rd_methods.network import _without_loops, null_adjacencies

__all__ = [
    "EFFICIENCY_SOURCES",
    "BETWEENNESS_PIVOTS",
    "STRATEGIES",
    "Robustness",
    "reference_series",
    "shock_periods",
    "resistance_recovery",
    "treated_ranks",
    "shock_index",
    "attack_tolerance",
    "robustness_auc",
    "compare_with_random",
    "robustness_over_time",
    "NULL_LABELS",
    "key_results",
]

#: Above this many nodes, global efficiency is estimated from this many seeded source nodes.
EFFICIENCY_SOURCES = 200
#: Above this many nodes, betweenness (targeted attack) is estimated from this many pivots.
BETWEENNESS_PIVOTS = 200
#: Removal strategies of :func:`attack_tolerance`.
STRATEGIES = ("random", "degree", "betweenness")

PHASES = ("contraction", "recovery")
INDEX_COLUMNS = ("resistance", "recovery", "net_gap", "years_to_recover")


# ======================================================================================
# the territory's economy through a shock
# ======================================================================================


def _panel(panel: pd.DataFrame, outcome: str, unit: str, time: str, treated: str) -> pd.DataFrame:
    """Checked copy of the panel: one row per (unit, time), numeric outcome, bool treated."""
    _require(panel, [outcome, unit, time, treated], "panel")
    frame = panel[[unit, time, treated, outcome]].copy()
    try:
        frame[outcome] = pd.to_numeric(frame[outcome], errors="raise").astype(float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"column {outcome!r} must be numeric") from exc
    frame[treated] = frame[treated].fillna(False).astype(bool)
    if frame.duplicated([unit, time]).any():
        dup = frame.loc[frame.duplicated([unit, time], keep=False), [unit, time]].iloc[0]
        raise ValueError(f"panel has several rows for {unit}={dup[unit]!r}, {time}={dup[time]!r}")
    return frame


def _wide(frame: pd.DataFrame, outcome: str, unit: str, time: str) -> pd.DataFrame:
    return frame.pivot(index=time, columns=unit, values=outcome).sort_index()


def _weighted_mean(values: pd.DataFrame, weights: pd.DataFrame | None) -> pd.Series:
    if weights is None:
        return values.mean(axis=1, skipna=True)
    w = weights.where(values.notna())
    return (values * w).sum(axis=1, min_count=1) / w.sum(axis=1, min_count=1)


def reference_series(
    panel: pd.DataFrame,
    outcome: str,
    *,
    unit: str = "territory_code",
    time: str = "year",
    treated: str = "treated",
    weight: str | None = None,
    exclude: Sequence = (),
) -> pd.Series:
    """The reference economy: mean of ``outcome`` over the comparison territories, per period.

    Comparison territories are the rows whose ``treated`` is false, minus ``exclude``
    (used for the leave-one-out references of :func:`resistance_recovery`). With
    ``weight`` (e.g. ``"population"``) the mean is weighted; for a rate per inhabitant,
    population weights give the rate of the comparison area taken as one economy.

    Returns
    -------
    Series
        Indexed by ``time`` (sorted), named ``"reference"``.

    Examples
    --------
    >>> p = pd.DataFrame({"territory_code": list("aabbcc"), "year": [1, 2] * 3,
    ...                   "treated": [True, True, False, False, False, False],
    ...                   "y": [10., 9, 20, 18, 40, 30]})
    >>> reference_series(p, "y").tolist()
    [30.0, 24.0]
    """
    cols = [weight] if weight else []
    _require(panel, cols, "panel")
    frame = _panel(panel, outcome, unit, time, treated)
    excluded = set(exclude)
    comp = frame.loc[~frame[treated] & ~frame[unit].isin(excluded)]
    if comp.empty:
        raise ValueError("no comparison territory left to form the reference (treated all true?)")
    values = _wide(comp, outcome, unit, time)
    weights = None
    if weight:
        w = panel.loc[comp.index, [unit, time, weight]]
        weights = w.pivot(index=time, columns=unit, values=weight).sort_index().astype(float)
    out = _weighted_mean(values, weights)
    out.name = "reference"
    return out


def _as_series(reference, panel, outcome, unit, time, treated, weight) -> pd.Series:
    """The reference as a Series indexed by time ("comparisons" or a user series)."""
    if isinstance(reference, str):
        if reference != "comparisons":
            raise ValueError("reference must be 'comparisons' or a Series indexed by time")
        return reference_series(panel, outcome, unit=unit, time=time, treated=treated, weight=weight)
    if isinstance(reference, pd.DataFrame):
        _require(reference, [time, outcome], "reference")
        reference = reference.set_index(time)[outcome]
    if not isinstance(reference, pd.Series):
        raise TypeError("reference must be 'comparisons', a Series indexed by time or a DataFrame")
    out = pd.to_numeric(reference, errors="raise").astype(float).sort_index()
    out.name = "reference"
    return out


def _detect(series: pd.Series, sign: float, within) -> tuple:
    """Trough of the largest fall of ``sign * series`` and the last peak before it."""
    s = series.dropna()
    if within is not None:
        s = s.loc[(s.index >= within[0]) & (s.index <= within[1])]
    if len(s) < 2:
        raise ValueError("the reference series needs at least two periods to find a shock")
    v = sign * s.to_numpy()
    running = np.maximum.accumulate(v)
    scale = np.where(running != 0, np.abs(running), np.nan)
    drawdown = (v - running) / scale
    t = int(np.nanargmin(drawdown))
    if not drawdown[t] < 0:
        raise ValueError("the reference series never falls: no contraction to analyse "
                         "(give contraction= years, or check higher_is_better)")
    p = t - 1
    while p > 0 and v[p - 1] > v[p]:
        p -= 1
    return s.index[p], s.index[t]


def _regain(series: pd.Series, sign: float, peak, trough):
    """First period at or after ``trough`` whose value is back to the peak's; None if never."""
    after = series.loc[series.index >= trough].dropna()
    target = sign * series.loc[peak]
    hit = after.index[(sign * after.to_numpy()) >= target]
    return hit[0] if len(hit) else None


def shock_periods(
    panel: pd.DataFrame,
    outcome: str,
    *,
    unit: str = "territory_code",
    time: str = "year",
    treated: str = "treated",
    reference: str | pd.Series | pd.DataFrame = "comparisons",
    weight: str | None = None,
    contraction: tuple | None = None,
    recovery: tuple | None = None,
    higher_is_better: bool = True,
    within: tuple | None = None,
) -> pd.DataFrame:
    """Contraction and recovery periods of the reference economy.

    Rule (when ``contraction`` is not given), on the reference series R_t
    (:func:`reference_series`, or the series given as ``reference``):

    1. the running peak M_t = max_{s <= t} R_s and the fall from it D_t = (R_t - M_t) / |M_t|;
    2. the **trough** T is the period of the largest fall (min D_t, earliest if tied): the
       bottom of the deepest contraction of the series (its *maximum drawdown*);
    3. the **peak** P is the last peak before T: going back from T, the period where the
       uninterrupted fall into T began (R_{P-1} <= R_P > R_{P+1} > … > R_T); the
       contraction is [P, T];
    4. the **recovery** runs from T to the first period after T where R is back to R_P
       (``recovered`` true), or to the last period of the series (``recovered`` false).

    With ``higher_is_better=False`` (jobseekers, say) the rule applies to -R: a shock is a
    rise. ``within=(first, last)`` restricts the search (e.g. to the years around a known
    crisis); ``contraction=(P, T)`` and ``recovery=(T, E)`` override the rule (a given
    contraction alone gets its recovery by step 4). This is the turning-point dating of
    Martin (2012) reduced to its simplest form: it finds one shock, the deepest one.

    Returns
    -------
    DataFrame
        Two rows (``phase`` = contraction, recovery): ``phase, start, end, start_value,
        end_value, relative_change`` (of the reference over the phase), ``recovered``,
        ``source`` (``"detected"`` or ``"given"``).

    Examples
    --------
    >>> ref = pd.Series([100., 102, 104, 99, 101, 105, 107], index=range(2016, 2023))
    >>> sp = shock_periods(pd.DataFrame(columns=["territory_code", "year", "treated", "y"]),
    ...                    "y", reference=ref)
    >>> sp[["phase", "start", "end"]].values.tolist()
    [['contraction', 2018, 2019], ['recovery', 2019, 2021]]
    """
    series = _as_series(reference, panel, outcome, unit, time, treated, weight)
    sign = 1.0 if higher_is_better else -1.0
    if contraction is None:
        peak, trough = _detect(series, sign, within)
        source = "detected"
    else:
        peak, trough = _check_period(contraction, "contraction", series.index)
        source = "given"
    if recovery is None:
        end = _regain(series, sign, peak, trough)
        recovered = end is not None
        if end is None:
            end = series.dropna().index[-1]
    else:
        start, end = _check_period(recovery, "recovery", series.index)
        if start != trough:
            raise ValueError(f"recovery must start where the contraction ends ({trough!r}), not {start!r}")
        recovered = bool(sign * series.loc[end] >= sign * series.loc[peak])
        source = "given"
    rows = []
    for phase, (a, b) in zip(PHASES, ((peak, trough), (trough, end)), strict=True):
        va, vb = float(series.loc[a]), float(series.loc[b])
        rows.append({"phase": phase, "start": a, "end": b, "start_value": va, "end_value": vb,
                     "relative_change": (vb - va) / abs(va) if va != 0 else np.nan,
                     "recovered": recovered, "source": source})
    return pd.DataFrame(rows)


def _check_period(period, name: str, index: pd.Index) -> tuple:
    try:
        a, b = period
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a pair (start, end), got {period!r}") from exc
    if not a < b:
        raise ValueError(f"{name} must start before it ends, got {period!r}")
    missing = [p for p in (a, b) if p not in index]
    if missing:
        raise ValueError(f"{name} period {missing[0]!r} is not in the series "
                         f"({index.min()!r}…{index.max()!r})")
    return a, b


def _periods(shock, contraction, recovery) -> tuple[tuple, tuple]:
    if shock is not None:
        s = shock.set_index("phase")
        contraction = (s.loc["contraction", "start"], s.loc["contraction", "end"])
        recovery = (s.loc["recovery", "start"], s.loc["recovery", "end"])
    if contraction is None or recovery is None:
        raise ValueError("give contraction=(peak, trough) and recovery=(trough, end), "
                         "or shock= the table of shock_periods()")
    if contraction[1] != recovery[0]:
        raise ValueError("recovery must start where the contraction ends")
    if not (contraction[0] < contraction[1] and recovery[0] < recovery[1]):
        raise ValueError("each period must start before it ends")
    return tuple(contraction), tuple(recovery)


def _index(change: float, ref_change: float, sign: float) -> float:
    """Martin's sensitivity index (ΔE_r/E_r − ΔE_ref/E_ref) / |ΔE_ref/E_ref|, oriented by sign."""
    if not np.isfinite(change) or not np.isfinite(ref_change) or ref_change == 0:
        return np.nan
    return sign * (change - ref_change) / abs(ref_change)


def _rel(series: pd.Series, a, b) -> float:
    va, vb = series.get(a, np.nan), series.get(b, np.nan)
    if not np.isfinite(va) or not np.isfinite(vb) or va == 0:
        return np.nan
    return float((vb - va) / abs(va))


def resistance_recovery(
    panel: pd.DataFrame,
    outcome: str,
    contraction: tuple | None = None,
    recovery: tuple | None = None,
    *,
    shock: pd.DataFrame | None = None,
    unit: str = "territory_code",
    time: str = "year",
    treated: str = "treated",
    reference: str | pd.Series | pd.DataFrame = "comparisons",
    weight: str | None = None,
    higher_is_better: bool = True,
) -> pd.DataFrame:
    """Resistance and recovery indices of every territory, and the time to regain its level.

    For a territory r and a phase [a, b] (the contraction [P, T], then the recovery [T, E]),
    with g_r = (E_r(b) − E_r(a)) / E_r(a) its relative change and g_ref that of the
    reference economy over the same phase:

        index = (g_r − g_ref) / |g_ref|

    the *resistance* over the contraction and the *recovery* over the recovery (Martin
    2012, *J. Econ. Geogr.* 12(1); Martin, Sunley, Gardiner & Tyler 2016, *Regional
    Studies* 50(4), "How regions react to recessions"). 0: like the reference; > 0: fell
    less (resisted) / grew more (rebounded); −1 on the resistance: fell twice as much. The
    reference g_ref is what the territory would have done had it moved like the reference.

    Other columns: ``net_gap`` = g_r − g_ref from the pre-shock peak P to the end of the
    recovery E (how much higher the territory stands, relative to its own pre-shock level,
    than the reference does: no division, since g_ref is about 0 over [P, E] by
    construction); ``years_to_recover`` = periods from the trough T to the first period
    t >= T with E_r(t) >= E_r(P) (0: never below its pre-shock level in T; NaN: not back by
    the end of the panel). A territory that fell less has less to regain: its *recovery*
    index can be low while it regains its level sooner, so read the four together.

    Reference: with ``reference="comparisons"`` each territory is scored against the mean
    of the comparison territories *other than itself* (leave-one-out; a treated territory
    against all comparisons), so every territory is scored the same way and the ranks are
    a fair permutation test; a given Series (e.g. national employment) is used for all.
    With ``higher_is_better=False`` indices are multiplied by −1 (a smaller rise of
    jobseekers is resistance) and "regained" means back down to the pre-shock level.

    Ranks: for each of the four measures, rank 1 = most resilient (highest index, fewest
    years; a territory never back ranks last), ties counted against the territory
    (``method="max"``). The treated territory's permutation p-value is its rank / (J + 1)
    (:func:`treated_ranks`).

    Parameters
    ----------
    panel : DataFrame
        One row per territory and period.
    outcome : str
        Outcome column (a level: employment, employment per 1,000 inhabitants…).
    contraction, recovery : (start, end)
        Periods, e.g. from :func:`shock_periods`; or pass ``shock=`` its table.
    unit, time, treated : str
        Column names.
    reference, weight
        As in :func:`shock_periods`.
    higher_is_better : bool
        False for outcomes where a rise is bad.

    Returns
    -------
    DataFrame
        One row per territory (treated first, then by code): ``unit, treated, pre_level,
        trough_level, end_level, change_contraction, ref_change_contraction,
        change_recovery, ref_change_recovery, resistance, recovery, net_gap,
        years_to_recover, recovered`` and ``<measure>_rank`` for the four measures.

    Examples
    --------
    >>> p = pd.DataFrame({"territory_code": np.repeat(list("tab"), 3), "year": [1, 2, 3] * 3,
    ...     "treated": [True] * 3 + [False] * 6,
    ...     "y": [100., 95, 101, 100, 90, 100, 200, 180, 200]})
    >>> r = resistance_recovery(p, "y", (1, 2), (2, 3))
    >>> float(r.set_index("unit").loc["t", "resistance"])
    0.5
    """
    contraction, recovery = _periods(shock, contraction, recovery)
    if weight:
        _require(panel, [weight], "panel")
    frame = _panel(panel, outcome, unit, time, treated)
    wide = _wide(frame, outcome, unit, time)
    peak, trough = contraction
    end = recovery[1]
    for p in (peak, trough, end):
        if p not in wide.index:
            raise ValueError(f"period {p!r} is not in the panel")
    is_treated = frame.groupby(unit)[treated].any()
    comparisons = sorted(is_treated.index[~is_treated], key=str)
    if not comparisons:
        raise ValueError("the panel has no comparison territory (treated is true everywhere)")
    sign = 1.0 if higher_is_better else -1.0
    if isinstance(reference, str) and reference != "comparisons":
        raise ValueError("reference must be 'comparisons' or a Series indexed by time")
    given = None if isinstance(reference, str) else _as_series(
        reference, panel, outcome, unit, time, treated, weight)
    if weight:
        wts = panel.pivot(index=time, columns=unit, values=weight).sort_index().astype(float)
    times = list(wide.index)
    rows = []
    ordered = sorted(is_treated.index[is_treated], key=str) + comparisons
    for u in ordered:
        if given is not None:
            ref = given
        else:
            others = [c for c in comparisons if c != u]
            if not others:
                raise ValueError("leave-one-out reference needs at least two comparison territories")
            ref = _weighted_mean(wide[others], wts[others] if weight else None)
        y = wide[u]
        g_c, r_c = _rel(y, peak, trough), _rel(ref, peak, trough)
        g_r, r_r = _rel(y, trough, end), _rel(ref, trough, end)
        g_n, r_n = _rel(y, peak, end), _rel(ref, peak, end)
        pre = y.get(peak, np.nan)
        after = y.loc[y.index >= trough].dropna()
        back = after.index[sign * after.to_numpy() >= sign * pre] if np.isfinite(pre) else []
        years = float(times.index(back[0]) - times.index(trough)) if len(back) else np.nan
        rows.append({
            "unit": u, "treated": bool(is_treated[u]),
            "pre_level": float(pre), "trough_level": float(y.get(trough, np.nan)),
            "end_level": float(y.get(end, np.nan)),
            "change_contraction": g_c, "ref_change_contraction": r_c,
            "change_recovery": g_r, "ref_change_recovery": r_r,
            "resistance": _index(g_c, r_c, sign), "recovery": _index(g_r, r_r, sign),
            "net_gap": sign * (g_n - r_n), "years_to_recover": years,
            "recovered": bool(len(back)),
        })
    out = pd.DataFrame(rows)
    for col in ("resistance", "recovery", "net_gap"):
        out[f"{col}_rank"] = out[col].rank(ascending=False, method="max", na_option="bottom").astype(int)
    out["years_to_recover_rank"] = (
        out["years_to_recover"].fillna(np.inf).rank(ascending=True, method="max").astype(int)
    )
    return out


def treated_ranks(table: pd.DataFrame, measures: Sequence[str] = INDEX_COLUMNS) -> pd.DataFrame:
    """The treated territory's rank among all territories, as a permutation p-value.

    For each measure of :func:`resistance_recovery`, with J comparison territories:
    ``p = rank / (J + 1)`` where ``rank = 1 + #{comparisons at least as resilient}``
    (ties against the treated territory; :func:`rd_methods.counterfactual.permutation_p_value`
    with ``alternative="greater"``; for ``years_to_recover`` fewer years is more resilient
    and a territory never back counts as infinitely slow). Under the null that the treated
    territory is exchangeable with the comparisons, P(p <= k / (J + 1)) = k / (J + 1):
    with 18 comparisons the smallest p is 1/19 ≈ 0.053. One-sided: the hypothesis is that
    the cooperative territory is *more* resilient.

    Returns
    -------
    DataFrame
        One row per treated territory and measure: ``unit, measure, estimate, rank, n,
        p_value, comparison_median, comparison_min, comparison_max``.

    Examples
    --------
    >>> t = pd.DataFrame({"unit": list("tabc"), "treated": [True, False, False, False],
    ...                   "resistance": [0.5, 0.1, -0.2, 0.6]})
    >>> r = treated_ranks(t, ["resistance"])
    >>> int(r["rank"].iloc[0]), float(r["p_value"].iloc[0])
    (2, 0.5)
    """
    _require(table, ["unit", "treated", *measures], "table")
    comp = table.loc[~table["treated"].astype(bool)]
    rows = []
    big = 1e12  # "never back": slower than any finite number of years
    for _, row in table.loc[table["treated"].astype(bool)].iterrows():
        for m in measures:
            vals = comp[m].to_numpy(dtype=float)
            if m == "years_to_recover":
                real = -(big if pd.isna(row[m]) else float(row[m]))
                placebos = -np.where(np.isnan(vals), big, vals)
            else:
                real, placebos = float(row[m]), vals[np.isfinite(vals)]
            p = permutation_p_value(real, placebos, "greater")
            n = len(placebos) + 1
            seen = vals[np.isfinite(vals)]
            rows.append({
                "unit": row["unit"], "measure": m, "estimate": float(row[m]),
                "rank": int(round(p * n)) if np.isfinite(p) else np.nan, "n": n, "p_value": p,
                "comparison_median": float(np.median(seen)) if len(seen) else np.nan,
                "comparison_min": float(seen.min()) if len(seen) else np.nan,
                "comparison_max": float(seen.max()) if len(seen) else np.nan,
            })
    if not rows:
        raise ValueError("the table has no treated territory")
    return pd.DataFrame(rows)


def shock_index(
    panel: pd.DataFrame,
    outcome: str,
    base,
    *,
    unit: str = "territory_code",
    time: str = "year",
    treated: str = "treated",
    reference: str | pd.Series | pd.DataFrame = "comparisons",
    weight: str | None = None,
) -> pd.DataFrame:
    """Every territory's series and the reference as an index, base period = 100.

    Returns
    -------
    DataFrame
        ``unit, treated, time, value, index`` (``unit == "reference"`` for the reference,
        ``treated`` false), sorted by unit and time.

    Examples
    --------
    >>> p = pd.DataFrame({"territory_code": list("aabb"), "year": [1, 2, 1, 2],
    ...                   "treated": [True, True, False, False], "y": [50., 55, 20, 19]})
    >>> shock_index(p, "y", base=1).query("unit == 'a'")["index"].tolist()
    [100.0, 110.0]
    """
    frame = _panel(panel, outcome, unit, time, treated)
    ref = _as_series(reference, panel, outcome, unit, time, treated, weight)
    rows = frame.rename(columns={unit: "unit", time: "time", treated: "treated", outcome: "value"})
    rows = rows[["unit", "treated", "time", "value"]]
    refs = pd.DataFrame({"unit": "reference", "treated": False, "time": ref.index, "value": ref.to_numpy()})
    out = pd.concat([rows.astype({"unit": str}), refs], ignore_index=True)
    base_values = out.loc[out["time"] == base].set_index("unit")["value"]
    if base_values.empty:
        raise ValueError(f"base period {base!r} is not in the panel")
    out["index"] = out["value"] * 100 / out["unit"].map(base_values)
    return out.sort_values(["unit", "time"], ignore_index=True)


# ======================================================================================
# robustness of the actor network
# ======================================================================================


class Robustness(pd.DataFrame):
    """A tidy summary table that keeps the curves behind it as ``.curves`` (a DataFrame)."""

    _metadata = ["curves"]

    @property
    def _constructor(self):
        return Robustness


def _adjacency(G: nx.Graph) -> tuple[sparse.csr_matrix, list]:
    if not G.is_directed() and not G.is_multigraph():  # the arrays build_graph keeps, if any
        A, nodes, _ = network_adjacency(G)
    else:
        nodes = list(G.nodes())
        A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=None, format="csr")
    return _without_loops(sparse.csr_matrix(A, dtype=np.int8)), nodes


def _giant(A: sparse.csr_matrix, alive: np.ndarray) -> int:
    idx = np.flatnonzero(alive)
    if len(idx) == 0:
        return 0
    _, labels = csgraph.connected_components(A[idx][:, idx], directed=False)
    return int(np.bincount(labels).max())


def _giant_curve(u: np.ndarray, v: np.ndarray, n0: int, drops: Sequence[np.ndarray]) -> np.ndarray:
    """Size of the largest component after each removal step, in one backward pass.

    ``u, v`` are the ties (each once), ``drops[t]`` the nodes removed at step ``t`` (step
    0 usually removes none). Rather than one connected-components search of the remaining
    network per step (O(steps x ties)), the steps are replayed backwards, nodes coming
    back: at each step only the ties that reappear are added, between the components
    already found (contracted to one label each), so every tie is handled once and a step
    costs O(nodes + its own ties) (the reverse of Newman & Ziff's 2000 percolation
    algorithm, with :func:`scipy.sparse.csgraph.connected_components` as the union step).
    Same sizes as a search per step (tested).
    """
    return _giant_curves(u, v, n0, [drops])[0]


#: Node and tie copies that :func:`_giant_curves` replays at once (bounds its memory).
_BATCH_ENTRIES = 4_000_000


def _giant_curves(u: np.ndarray, v: np.ndarray, n0: int, runs: Sequence[Sequence[np.ndarray]]) -> np.ndarray:
    """:func:`_giant_curve` for several removal orders (``runs``, same number of steps each):
    one array of sizes, run x step.

    The orders are replayed together, as disjoint copies of the network in one backward
    pass (one connected-components search per step for all of them instead of one per
    order and step), in batches of at most about :data:`_BATCH_ENTRIES` node and tie copies.
    """
    n_runs = len(runs)
    n_steps = len(runs[0]) if n_runs else 0
    out = np.zeros((n_runs, n_steps), dtype=np.int64)
    per_copy = n0 + len(u)
    batch = max(1, _BATCH_ENTRIES // max(per_copy, 1))
    for first in range(0, n_runs, batch):
        chunk = runs[first : first + batch]
        out[first : first + len(chunk)] = _giant_batch(u, v, n0, chunk, n_steps)
    return out


def _giant_batch(u: np.ndarray, v: np.ndarray, n0: int, runs: Sequence[Sequence[np.ndarray]],
                 n_steps: int) -> np.ndarray:
    n_runs = len(runs)
    n = n_runs * n0
    offset = np.arange(n_runs, dtype=np.int64) * n0
    stage = np.full(n, n_steps, dtype=np.int64)  # step at which a node is removed (n_steps: never)
    for r, drops in enumerate(runs):
        for t, d in enumerate(drops):
            stage[offset[r] + np.asarray(d, dtype=np.int64)] = t
    uu = (u[None, :] + offset[:, None]).ravel()
    vv = (v[None, :] + offset[:, None]).ravel()
    # a tie is present at step t iff both ends are still there: t < min(stage)
    born = np.minimum(stage[uu], stage[vv]) - 1 if len(uu) else np.zeros(0, np.int64)
    order = np.argsort(born)  # the ties of a step in any order: they are merged at once
    born_sorted = born[order]
    labels = np.arange(n)
    owner = np.repeat(np.arange(n_runs), n0)  # the copy (run) of each label
    out = np.zeros((n_runs, n_steps), dtype=np.int64)
    for t in range(n_steps - 1, -1, -1):
        lo, hi = np.searchsorted(born_sorted, [t, t + 1])
        if hi > lo:
            e = order[lo:hi]
            a, b = labels[uu[e]], labels[vv[e]]
            M = sparse.csr_matrix((np.ones(len(a), np.int8), (a, b)), shape=(len(owner), len(owner)))
            n_comp, comp = csgraph.connected_components(M, directed=False)
            merged = np.empty(n_comp, dtype=np.int64)
            merged[comp] = owner  # components never span two copies
            labels, owner = comp[labels], merged
        alive = stage > t
        if alive.any():
            sizes = np.bincount(labels[alive], minlength=len(owner))
            np.maximum.at(out[:, t], owner, sizes)
    return out


def _efficiency_sum(A: sparse.csr_matrix, alive: np.ndarray, sources: np.ndarray) -> float:
    """Σ over alive sources s and alive targets t ≠ s of 1 / d(s, t) (0 when disconnected)."""
    idx = np.flatnonzero(alive)
    if len(idx) < 2:
        return 0.0
    position = np.full(len(alive), -1)
    position[idx] = np.arange(len(idx))
    src = position[sources[alive[sources]]]
    if len(src) == 0:
        return 0.0
    dist = csgraph.shortest_path(A[idx][:, idx], method="D", unweighted=True, directed=False,
                                 indices=src)
    with np.errstate(divide="ignore"):
        inv = np.where(np.isfinite(dist) & (dist > 0), 1.0 / dist, 0.0)
    return float(inv.sum())


def _scores(A: sparse.csr_matrix, alive: np.ndarray, strategy: str,
            rng: np.random.Generator, pivots: int) -> np.ndarray:
    """Current score of every alive node (higher = removed first)."""
    idx = np.flatnonzero(alive)
    if strategy == "degree":  # ties to remaining actors, without slicing the matrix
        return (A @ alive.astype(np.float64))[idx]
    sub = A[idx][:, idx]
    H = nx.from_scipy_sparse_array(sub)
    k = None if len(idx) <= pivots else pivots
    seed = None if k is None else int(rng.integers(2**31))
    bc = nx.betweenness_centrality(H, k=k, seed=seed, normalized=False)
    return np.array([bc[i] for i in range(len(idx))], dtype=float)


def attack_tolerance(
    G: nx.Graph,
    strategy: str = "random",
    steps: int | None = None,
    *,
    max_fraction: float = 1.0,
    seed: int = 0,
    efficiency_sources: int = EFFICIENCY_SOURCES,
    betweenness_pivots: int = BETWEENNESS_PIVOTS,
    efficiency: bool = True,
    repeats: int = 1,
) -> pd.DataFrame:
    """Giant-component share and global efficiency as actors are removed: an attack curve.

    Actors are removed at random (``"random"``: one seeded random order, an *error* in
    Albert, Jeong & Barabási 2000) or in targeted order (``"degree"``, ``"betweenness"``:
    an *attack*), the targeted order **recomputed on the remaining network after every
    step** (Holme, Kim, Yoon & Han 2002), ties broken by the order of ``G.nodes``. After
    each step the curve records, for the n0 actors of the intact network:

    - ``giant_share`` = size of the largest connected component / n0 (star: 1/n0 after its
      hub is removed);
    - ``efficiency`` = Σ_{i ≠ j remaining} 1 / d(i, j) / (n0 (n0 − 1)): the global efficiency
      of Latora & Marchiori (2001) (:func:`networkx.global_efficiency` on the intact network),
      kept on the intact network's denominator so that losing actors lowers it;
      ``efficiency_share`` = efficiency / efficiency of the intact network.

    Cost and caps: efficiency needs shortest paths from every source (O(n·m) per step);
    above ``efficiency_sources`` actors it is the unbiased estimate from that many seeded
    source actors drawn once (the same sources at every step; removed sources add 0), and
    betweenness above ``betweenness_pivots`` actors is networkx's pivot estimate (Brandes &
    Pich 2007) with seeded pivots. The network is read as binary and undirected (weights are
    strengths, not distances); self-loops are ignored.

    Parameters
    ----------
    G : Graph
        The network (at least 2 nodes).
    strategy : {"random", "degree", "betweenness"}
        Removal order.
    steps : int, optional
        Number of removal steps up to ``max_fraction``; step k removes actors until
        round(k / steps · max_fraction · n0) are gone (targeted: the top-scored ones, order
        recomputed between steps). Default: one actor per step.
    max_fraction : float
        Share of actors removed at the last step (1 = all).
    seed : int
        Seed of the random order, the efficiency sources and the betweenness pivots.
    efficiency_sources, betweenness_pivots : int
        Caps above which the estimates described above are used.
    efficiency : bool
        False skips the efficiency columns (NaN): the giant share alone is much faster.
    repeats : int
        ``"random"`` only: the curve is the mean over this many seeded random orders (one
        random order is noisy: on a 600-actor network its AUC varies by ±0.07).

    Returns
    -------
    DataFrame
        One row per step (step 0 = intact): ``strategy, step, removed, fraction_removed,
        giant_share, efficiency, efficiency_share``.

    Examples
    --------
    >>> curve = attack_tolerance(nx.star_graph(4), "degree")
    >>> curve["giant_share"].round(2).tolist()
    [1.0, 0.2, 0.2, 0.2, 0.2, 0.0]
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    if not isinstance(G, nx.Graph):
        raise TypeError(f"G must be a networkx graph, not {type(G).__name__}")
    n0 = G.number_of_nodes()
    if n0 < 2:
        raise ValueError("the network needs at least 2 actors")
    if not 0 < max_fraction <= 1:
        raise ValueError("max_fraction must be in (0, 1]")
    if repeats < 1 or (repeats > 1 and strategy != "random"):
        raise ValueError("repeats must be 1, or more for the 'random' strategy only")
    if G.is_directed():
        G = G.to_undirected(as_view=True)
    A, _ = _adjacency(G)
    return _attack(A, strategy, steps, max_fraction=max_fraction, seed=seed, efficiency_sources=efficiency_sources,
                   betweenness_pivots=betweenness_pivots, efficiency=efficiency, repeats=repeats)


def _attack(A: sparse.csr_matrix, strategy: str, steps: int | None, *, max_fraction: float, seed: int,
            efficiency_sources: int, betweenness_pivots: int, efficiency: bool, repeats: int) -> pd.DataFrame:
    """:func:`attack_tolerance` on a binary symmetric adjacency without self-loops."""
    n0 = A.shape[0]
    rng = np.random.default_rng(seed)
    total = int(round(max_fraction * n0))
    if steps is None:
        targets = list(range(total + 1))
    else:
        if steps < 1:
            raise ValueError("steps must be at least 1")
        targets = sorted({int(round(k / steps * total)) for k in range(steps + 1)})
    if n0 > efficiency_sources:
        sources = np.sort(rng.choice(n0, size=efficiency_sources, replace=False))
    else:
        sources = np.arange(n0)
    scale = len(sources) * (n0 - 1)
    e0 = _efficiency_sum(A, np.ones(n0, bool), sources) / scale if efficiency else np.nan
    upper = sparse.triu(A, k=1).tocoo()
    tie_u, tie_v = upper.row.astype(np.int64), upper.col.astype(np.int64)
    runs, all_drops = [], []
    for _ in range(repeats):
        order = rng.permutation(n0) if strategy == "random" else None
        alive = np.ones(n0, bool)
        drops, eff = [], []
        removed = 0
        for target in targets:
            k = target - removed
            drop = np.zeros(0, np.int64)
            if k > 0:
                if order is not None:
                    drop = order[removed:target]
                else:
                    idx = np.flatnonzero(alive)
                    s = _scores(A, alive, strategy, rng, betweenness_pivots)
                    top = np.lexsort((np.arange(len(idx)), -s))[:k]
                    drop = idx[top]
                alive[drop] = False
                removed = target
            drops.append(drop)
            eff.append(_efficiency_sum(A, alive, sources) / scale if efficiency else np.nan)
        all_drops.append(drops)
        runs.append(eff)
    giant = np.mean(_giant_curves(tie_u, tie_v, n0, all_drops) / n0, axis=0)
    eff = np.mean(runs, axis=0)
    return pd.DataFrame({
        "strategy": strategy, "step": np.arange(len(targets)), "removed": targets,
        "fraction_removed": np.asarray(targets) / n0, "giant_share": giant,
        "efficiency": eff, "efficiency_share": eff / e0 if e0 > 0 else np.nan,
    })


def robustness_auc(curve: pd.DataFrame, measure: str = "giant_share") -> float:
    """Area under an attack curve (trapezoid rule), scaled to [0, 1].

    ``AUC = ∫ measure d(fraction_removed) / (last fraction removed)``: 1 would be a network
    that keeps all its actors connected whatever is removed, 1/2 about what a complete
    graph gets (its giant share falls linearly), close to 0 a network that falls apart at
    once (a star under targeted attack: about 1/n). The trapezoid form of the robustness
    measure R of Schneider, Moreira, Andrade, Havlin & Herrmann (2011, *PNAS* 108(10)).

    Examples
    --------
    >>> robustness_auc(attack_tolerance(nx.star_graph(4), "degree"))
    0.26
    """
    _require(curve, ["fraction_removed", measure], "curve")
    x = curve["fraction_removed"].to_numpy(dtype=float)
    y = curve[measure].to_numpy(dtype=float)
    if len(x) < 2 or x[-1] <= x[0]:
        raise ValueError("the curve needs at least two steps")
    return float(round(np.trapezoid(y, x) / (x[-1] - x[0]), 12))


def compare_with_random(
    G: nx.Graph,
    strategy: str = "degree",
    steps: int | None = 20,
    *,
    n_random: int = 20,
    seed: int = 0,
    null: str = "bipartite",
    max_fraction: float = 1.0,
    rewires_per_edge: float = 10.0,
    n_trades: int | None = None,
    efficiency_sources: int = EFFICIENCY_SOURCES,
    betweenness_pivots: int = BETWEENNESS_PIVOTS,
    efficiency: bool = True,
) -> Robustness:
    """Robustness of the network against randomised networks that keep the data's structure.

    ``n_random`` null networks are drawn and attacked like the real one:

    * ``null="bipartite"`` (default): the actor x event incidence of the period is
      randomised by the curveball algorithm (Strona et al. 2014,
      :func:`rd_methods.network.curveball`: every event keeps its size, every actor its
      number of events, organisers and speakers their events), then projected with the
      graph's own rule and direct ties added back (:func:`rd_methods.network.build_graph`
      graphs only). Events still create cliques in the null networks, so "more robust than
      random" means more robust than the *same events attended at random*;
    * ``null="projected"``: the projected graph's edges are rewired keeping every degree
      (Maslov & Sneppen 2002; igraph's ``Graph.rewire``, ``rewires_per_edge`` x m trials).
      Rewiring breaks the event cliques, which lowers the random networks' clustering and
      makes the observed network look robust by construction; kept for comparison.

    If the real network's AUC is above the null ones, its robustness comes from *how*
    ties are arranged, not from how many ties and events each actor has.
    ``efficiency=False`` compares the giant share only, about twice as fast; the other
    options are those of :func:`attack_tolerance`.

    Returns
    -------
    Robustness
        One row per measure (``giant_share``, then ``efficiency_share`` unless
        ``efficiency=False``): ``strategy, measure,
        estimate`` (real AUC), ``random_mean``, ``ci_low``, ``ci_high`` (2.5 % and 97.5 %
        percentiles of the randomised AUCs), ``p_value`` (one-sided, real more robust:
        ``(1 + #{random >= real}) / (n_random + 1)``), ``p_mc_se`` (its Monte Carlo
        standard error), ``min_p`` (``1 / (n_random + 1)``), ``n_random``, ``null``.
        ``.curves`` holds every
        curve (``network`` = ``"observed"`` or ``"random"``, ``replicate``).

    Examples
    --------
    >>> res = compare_with_random(nx.karate_club_graph(), "degree", steps=10, n_random=5,
    ...                           null="projected")
    >>> list(res["measure"])
    ['giant_share', 'efficiency_share']
    """
    if n_random < 1:
        raise ValueError("n_random must be at least 1")
    rng = np.random.default_rng(seed)
    opts = dict(steps=steps, max_fraction=max_fraction, efficiency_sources=efficiency_sources,
                betweenness_pivots=betweenness_pivots, efficiency=efficiency)
    curves = [attack_tolerance(G, strategy, seed=seed, **opts).assign(network="observed", replicate=0)]
    if null not in ("bipartite", "projected"):
        raise ValueError(f"null must be 'bipartite' or 'projected', got {null!r}")
    if null == "bipartite" and G.graph.get("incidence") is None:
        raise ValueError("the bipartite null needs a graph from network.build_graph "
                         "(its incidence); use null='projected' for other graphs")
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    nulls = null_adjacencies(U, null, n_random, seed=int(rng.integers(2**31)), n_trades=n_trades,
                             rewires_per_edge=rewires_per_edge)
    for r, M in enumerate(nulls):
        H = sparse.csr_matrix(M, dtype=np.int8)
        curve = _attack(H, strategy, seed=int(rng.integers(2**31)), repeats=1, **opts)
        curves.append(curve.assign(network="random", replicate=r + 1))
    all_curves = pd.concat(curves, ignore_index=True)
    rows = []
    for measure in ("giant_share", "efficiency_share") if efficiency else ("giant_share",):
        aucs = all_curves.groupby(["network", "replicate"]).apply(
            lambda c, m=measure: robustness_auc(c, m), include_groups=False)
        real = float(aucs.loc[("observed", 0)])
        rand = aucs.loc["random"].to_numpy(dtype=float)
        lo, hi = np.percentile(rand, [2.5, 97.5])
        rows.append({"strategy": strategy, "measure": measure, "estimate": real,
                     "random_mean": float(rand.mean()), "ci_low": float(lo), "ci_high": float(hi),
                     "p_value": (p := float((1 + np.sum(rand >= real - 1e-12)) / (len(rand) + 1))),
                     "p_mc_se": float(np.sqrt(p * (1 - p) / len(rand))),
                     "min_p": 1 / (len(rand) + 1),
                     "n_random": int(len(rand)), "null": null})
    out = Robustness(pd.DataFrame(rows))
    out.curves = all_curves
    return out


def robustness_over_time(
    graphs: Mapping[Hashable, nx.Graph],
    structure: Hashable | None = None,
    strategy: str = "random",
    steps: int | None = 20,
    *,
    measure: str = "giant_share",
    seed: int = 0,
    max_fraction: float = 1.0,
    efficiency_sources: int = EFFICIENCY_SOURCES,
    betweenness_pivots: int = BETWEENNESS_PIVOTS,
    repeats: int = 20,
) -> pd.DataFrame:
    """Robustness score per period, with and without the evaluated structure.

    For each period's network (e.g. :func:`rd_methods.network.graphs_over_time`), the AUC of
    the attack curve (:func:`robustness_auc`) of the whole network and of the network
    without ``structure`` (its node and ties removed before the attack). Both scores are on
    their own network's actors; ``drop`` = with − without; ``giant_share_without`` is the
    giant share of the network right after the structure's removal, over the actors that
    remain (1: nothing split off). A large drop says the network's robustness rests on the
    structure (it is a hub or a bridge), a contribution claim the reader can check.

    The default strategy is ``"random"`` (failures: actors leaving for reasons unrelated to
    their position): under a targeted attack the structure, usually the best-connected
    actor, is removed first anyway, so "with" and "without" differ by one step only.
    ``measure="giant_share"`` skips the (costly) efficiency. With ``"random"`` each score
    is the AUC of the mean curve over ``repeats`` seeded random orders (:func:`attack_tolerance`).

    Returns
    -------
    DataFrame
        One row per period: ``period, n_actors, n_ties, strategy, measure, with_structure,
        without_structure, drop, giant_share_without, structure_present``.

    Examples
    --------
    >>> graphs = {2020: nx.star_graph(5), 2021: nx.cycle_graph(6)}
    >>> r = robustness_over_time(graphs, structure=0, steps=None)
    >>> r["giant_share_without"].tolist()
    [0.2, 1.0]
    """
    if measure not in ("giant_share", "efficiency_share"):
        raise ValueError("measure must be 'giant_share' or 'efficiency_share'")
    opts = dict(steps=steps, max_fraction=max_fraction, seed=seed,
                efficiency_sources=efficiency_sources, betweenness_pivots=betweenness_pivots,
                efficiency=measure == "efficiency_share",
                repeats=repeats if strategy == "random" else 1)
    rows = []
    for period in sorted(graphs):
        G = graphs[period]
        n = G.number_of_nodes()
        row = {"period": period, "n_actors": n, "n_ties": G.number_of_edges(),
               "strategy": strategy, "measure": measure, "with_structure": np.nan,
               "without_structure": np.nan, "drop": np.nan, "giant_share_without": np.nan,
               "structure_present": structure is not None and structure in G}
        if n >= 2:
            row["with_structure"] = robustness_auc(attack_tolerance(G, strategy, **opts), measure)
        if row["structure_present"] and n >= 3:
            # the structure's row and column out of the adjacency: no networkx subgraph
            A, nodes = _adjacency(G.to_undirected(as_view=True) if G.is_directed() else G)
            keep = np.fromiter((x != structure for x in nodes), bool, len(nodes))
            H = A[keep][:, keep]
            row["without_structure"] = robustness_auc(_attack(H, strategy, **opts), measure)
            row["drop"] = row["with_structure"] - row["without_structure"]
            labels = csgraph.connected_components(H, directed=False)[1]
            row["giant_share_without"] = np.bincount(labels).max() / (n - 1)
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- key results

#: French names of the null models of :func:`compare_with_random`, for pages and notes.
NULL_LABELS = {
    "bipartite": "mêmes événements, participations au hasard",
    "projected": "liens permutés, mêmes degrés",
}


def key_results(
    *,
    ranks: pd.DataFrame | None = None,
    shock: pd.DataFrame | None = None,
    robustness: pd.DataFrame | None = None,
    over_time: pd.DataFrame | None = None,
    min_actors: int = 10,
) -> pd.DataFrame:
    """The resilience page's key figures, one row each, from the methods' outputs.

    One definition per figure, shared by every page that shows it (the resilience page
    records them with :func:`rd_methods.results.record_frame`; the synthesis and the
    comparison across campaigns read them by key).

    Parameters
    ----------
    ranks, shock : DataFrame, optional
        :func:`treated_ranks` and :func:`shock_periods` (given together):
        ``resilience.resistance_treated`` and ``resilience.recovery_treated`` (Martin's
        indices of the treated territory), ``resilience.resistance_rank_p`` (permutation
        p-value of its resistance rank) and ``resilience.resistance_rank_min_p``
        (``1 / (J + 1)``, the smallest p-value the test can give).
    robustness : DataFrame, optional
        :func:`compare_with_random` (targeted attack): ``resilience.network_robustness_auc``
        with the random networks' 2.5–97.5 % band as ``ci_low``/``ci_high`` (a reference
        band, not a confidence interval).
    over_time : DataFrame, optional
        :func:`robustness_over_time`: ``resilience.robustness_without_structure`` of the
        last period where the structure is present and the network has at least
        ``min_actors`` actors.

    Returns
    -------
    DataFrame
        ``key, value, label, unit, ci_low, ci_high, note``, in the page's order.

    Examples
    --------
    >>> t = pd.DataFrame({"unit": list("tabc"), "treated": [True, False, False, False],
    ...                   "resistance": [0.5, 0.1, -0.2, 0.6], "recovery": [0.1, 0.0, 0.2, 0.3]})
    >>> s = pd.DataFrame({"phase": ["contraction", "recovery"], "start": [2019, 2020], "end": [2020, 2022]})
    >>> kr = key_results(ranks=treated_ranks(t, ["resistance", "recovery"]), shock=s).set_index("key")
    >>> kr.loc["resilience.resistance_rank_p", "value"], kr.loc["resilience.resistance_rank_min_p", "value"]
    (0.5, 0.25)
    """
    from rd_methods.formats import format_number

    rows: list[dict] = []

    def add(key, value, label, *, unit=None, ci=(None, None), note=None):
        rows.append({"key": key, "value": value, "label": label, "unit": unit,
                     "ci_low": ci[0], "ci_high": ci[1], "note": note})

    if ranks is not None:
        if shock is None:
            raise ValueError("key_results needs the shock periods with the ranks")
        r = ranks.set_index("measure")
        ph = shock.set_index("phase")
        peak, trough = int(ph.loc["contraction", "start"]), int(ph.loc["contraction", "end"])
        rec_end = int(ph.loc["recovery", "end"])
        res, rec = r.loc["resistance"], r.loc["recovery"]
        n = int(res["n"])
        add("resilience.resistance_treated", float(res["estimate"]), "Indice de résistance du territoire d'action",
            note=f"Martin (2012) ; contraction {peak}–{trough} ; référence : moyenne des "
                 f"{format_number(n - 1)} territoires de comparaison")
        add("resilience.recovery_treated", float(rec["estimate"]), "Indice de rétablissement du territoire d'action",
            note=f"Martin (2012) ; rétablissement {trough}–{rec_end} ; faible quand le recul a été faible")
        add("resilience.resistance_rank_p", float(res["p_value"]), "p-valeur de permutation du rang de résistance",
            note=f"rang {int(res['rank'])} sur {n} ; p = rang / (J + 1), unilatérale")
        add("resilience.resistance_rank_min_p", 1 / n, "Plus petite p-valeur possible du rang de résistance",
            note=f"1 / (J + 1) avec {n - 1} territoires de comparaison : le test ne peut pas descendre plus bas")
    if robustness is not None:
        gs = robustness.set_index("measure").loc["giant_share"]
        null = str(gs["null"])
        add("resilience.network_robustness_auc", float(gs["estimate"]),
            "Robustesse du réseau aux retraits ciblés (aire sous la courbe)",
            ci=(float(gs["ci_low"]), float(gs["ci_high"])),
            note=f"référence : 95 % de {format_number(int(gs['n_random']))} réseaux aléatoires "
                 f"({NULL_LABELS.get(null, null)}), pas un intervalle de confiance")
    if over_time is not None:
        kept = over_time[(over_time["n_actors"] >= min_actors) & over_time["structure_present"].astype(bool)]
        if len(kept):
            last = kept.iloc[-1]
            add("resilience.robustness_without_structure", float(last["without_structure"]),
                f"Robustesse du réseau sans la structure ({int(last['period'])})",
                note="aire sous la courbe des retraits au hasard ; avec la structure : "
                     f"{format_number(last['with_structure'], 3)}")
    from rd_methods.results import key_frame

    return key_frame(rows)
