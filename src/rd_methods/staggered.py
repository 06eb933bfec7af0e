"""Staggered adoption: group-time average treatment effects (Callaway & Sant'Anna 2021).

When several territories adopt the method in different years (the cooperative's approach
spreading to neighbouring territories), a two-way fixed effects regression averages
comparisons in which *already treated* territories serve as controls for later ones; with
effects that change over time, some of those comparisons enter with negative weights and the
TWFE coefficient can even have the wrong sign (Goodman-Bacon 2021, *Journal of
Econometrics* 225(2)). Callaway & Sant'Anna (2021, *Journal of Econometrics* 225(2),
200–230) instead estimate one clean 2×2 difference-in-differences per *group* (territories
first treated in year ``g``) and *period* ``t`` — the group-time effect ATT(g, t) — with only
never-treated (or not-yet-treated) territories as controls, and then aggregate them with
explicit weights.

This module follows the definitions of the R package ``did`` (Callaway & Sant'Anna,
version 2.x, ``att_gt`` / ``aggte`` with ``bstrap = FALSE``):

- base period ``"varying"`` (pre-periods compare ``t`` with ``t - 1``; post-periods compare
  with ``g - 1``) or ``"universal"`` (always ``g - 1``, with ATT(g, g-1) = 0 reported);
- control group ``"never_treated"`` or ``"not_yet_treated"`` (units first treated after
  ``max(t, base)``, the group itself excluded);
- unconditional 2×2 estimates, or with covariates the doubly-robust estimator of Sant'Anna &
  Zhao (2020, ``DRDID::drdid_panel``, R's default) or outcome regression (``reg_did_panel``);
- analytic standard errors from the influence functions (``V = ψ'ψ / n``, ``se = √(V/n)``),
  pointwise normal intervals, and optionally the multiplier bootstrap (Rademacher weights) of
  R's ``mboot`` for uniform (simultaneous) bands;
- aggregations ``simple``, ``group``, ``dynamic`` and ``calendar`` with ``aggte``'s weights
  (group shares among all units) and influence functions, including the term for estimated
  weights (``wif``).

Everything is numpy (plus a statsmodels logit for the doubly-robust propensity score). The
results reproduce the published ``did`` outputs on its ``mpdta`` example to 1e-4
(``tests/test_staggered.py``). Only balanced panels are handled (as ``did`` with
``panel = TRUE`` and ``allow_unbalanced_panel = FALSE``); anticipation is 0.

With few territories, the asymptotic intervals are optimistic: the group-time estimates are
reliable descriptions of each territory's gap, but inference for one or two treated
territories per cohort should be read with the permutation tools of
:mod:`rd_methods.counterfactual`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "StaggeredDiD",
    "StaggeredSummary",
    "AggregateTable",
    "permutation_inference",
    "staggered_did",
    "first_treatment_years",
    "is_staggered",
    "territory_summary",
    "twfe_bias_paragraph",
    "staggered_paragraph",
    "key_results",
]

ATT_GT_COLUMNS = ["group", "time", "event_time", "estimate", "std_error", "ci_low", "ci_high", "post", "n_treated",
                  "n_control"]
_KIND_COLUMN = {"simple": None, "group": "group", "dynamic": "event_time", "calendar": "time"}
_TINY = np.sqrt(np.finfo(float).eps) * 10  # R did: se below this is reported as NA


class AggregateTable(pd.DataFrame):
    """Aggregated effects (one row per group, event time or calendar year).

    An ordinary DataFrame with columns ``<level>, estimate, std_error, ci_low, ci_high``
    (plus ``band_low, band_high`` with the bootstrap) and two attributes: ``overall``, a
    dict with the overall summary (``estimate, std_error, ci_low, ci_high``) as R's
    ``aggte`` prints it, and ``kind``.
    """

    _metadata = ["overall", "kind"]

    @property
    def _constructor(self):
        return AggregateTable


@dataclass
class StaggeredDiD:
    """Result of :func:`staggered_did`.

    Attributes
    ----------
    att_gt : DataFrame
        One row per group ``g`` and period ``t``: ``group, time, event_time, estimate,
        std_error, ci_low, ci_high, post, n_treated, n_control`` (and ``band_low,
        band_high`` with ``bootstrap=True``).
    influence : ndarray
        ``n_units × n_cells`` influence functions of the ATT(g, t) (R's ``inffunc``).
    units : ndarray
        Unit identifiers, in the row order of ``influence``.
    unit_group : ndarray
        First treatment period of each unit (0 = never treated within the panel).
    pretrend_wald, pretrend_p : float
        Wald statistic and χ² p-value of the joint test that all pre-treatment ATT(g, t) are
        zero (R's ``W`` / ``Wpval``); non-rejection is absence of evidence, not proof of
        parallel trends.
    """

    att_gt: pd.DataFrame
    influence: np.ndarray
    units: np.ndarray
    unit_group: np.ndarray
    alpha: float
    control: str
    base_period: str
    method: str
    bootstrap: bool
    n_boot: int
    seed: int | None
    crit_value: float
    pretrend_wald: float = np.nan
    pretrend_p: float = np.nan
    notes: list[str] = field(default_factory=list)

    @property
    def n_units(self) -> int:
        return int(self.influence.shape[0])

    def aggregate(self, kind: str = "group") -> AggregateTable:
        """Aggregate the ATT(g, t) as R's ``aggte(type=kind)`` (``bstrap=FALSE``).

        Parameters
        ----------
        kind : {"simple", "group", "dynamic", "calendar"}
            ``simple``: post-treatment ATT(g, t) weighted by group size; ``group``: average
            effect of each cohort over its post-treatment periods (overall: weighted by group
            size); ``dynamic``: effect by time since adoption ``event_time = t - g``
            (overall: mean over event times ≥ 0); ``calendar``: effect by year (overall: mean
            over years).

        Returns
        -------
        AggregateTable
            Rows per level (a single row for ``simple``) and ``.overall``.
        """
        if kind not in _KIND_COLUMN:
            raise ValueError(f"kind must be one of {sorted(_KIND_COLUMN)}, not {kind!r}")
        return _aggregate(self, kind)


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _never(values: pd.Series) -> pd.Series:
    """True where a first-treatment value means 'never treated' (0, NaN, inf)."""
    v = pd.to_numeric(values, errors="coerce")
    return v.isna() | (v == 0) | np.isinf(v)


def first_treatment_years(data: pd.DataFrame, unit: str, first_treated: str) -> pd.Series:
    """First treatment period per unit (NaN for never treated), checked constant within unit.

    Examples
    --------
    >>> df = pd.DataFrame({"u": ["a", "a", "b", "b"], "g": [2020, 2020, 0, 0]})
    >>> first_treatment_years(df, "u", "g").to_dict()
    {'a': 2020.0, 'b': nan}
    """
    g = pd.to_numeric(data[first_treated], errors="coerce").where(~_never(data[first_treated]))
    per_unit = g.groupby(data[unit], sort=True)
    if (per_unit.nunique(dropna=False) > 1).any():
        bad = per_unit.nunique(dropna=False)
        raise ValueError(f"{first_treated!r} varies within unit(s) {list(bad[bad > 1].index)[:5]}")
    return per_unit.first().astype(float)


def is_staggered(data: pd.DataFrame, unit: str, first_treated: str) -> bool:
    """True when treated units start in at least two different periods.

    Examples
    --------
    >>> df = pd.DataFrame({"u": ["a", "b", "c"], "g": [2019, 2021, 0]})
    >>> is_staggered(df, "u", "g")
    True
    """
    return first_treatment_years(data, unit, first_treated).dropna().nunique() >= 2


def _wls(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)
    return coef


def _did_2x2(dy: np.ndarray, d: np.ndarray, x: np.ndarray | None, method: str) -> tuple[float, np.ndarray]:
    """ATT and influence function of one 2×2 panel DiD (DRDID reg_did_panel / drdid_panel).

    ``dy`` outcome change, ``d`` treated indicator (1) vs control (0), ``x`` covariates
    without intercept (or None). Unit weights are 1.
    """
    n = d.size
    xi = np.ones((n, 1)) if x is None else np.column_stack([np.ones(n), x])
    ctrl = d == 0
    # outcome regression of the change on covariates among controls
    beta = _wls(xi[ctrl], dy[ctrl], np.ones(ctrl.sum()))
    out = xi @ beta
    w_ols = (1.0 - d)
    xpx_inv = np.linalg.inv((xi * w_ols[:, None]).T @ xi / n)
    lin_ols = (w_ols * (dy - out))[:, None] * xi @ xpx_inv
    if x is None or method == "reg":
        w_treat = d.astype(float)
        att_treat = w_treat * dy
        att_cont = w_treat * out
        eta_t = att_treat.mean() / w_treat.mean()
        eta_c = att_cont.mean() / w_treat.mean()
        inf_treat = (att_treat - w_treat * eta_t) / w_treat.mean()
        m1 = (w_treat[:, None] * xi).mean(axis=0)
        inf_cont = ((att_cont - w_treat * eta_c) + lin_ols @ m1) / w_treat.mean()
        return float(eta_t - eta_c), inf_treat - inf_cont
    # doubly robust (Sant'Anna & Zhao 2020), traditional version as DRDID::drdid_panel
    import statsmodels.api as sm

    logit = sm.GLM(d, xi, family=sm.families.Binomial()).fit()
    ps = np.minimum(np.asarray(logit.fittedvalues, dtype=float), 1 - 1e-6)
    trim = np.where(d == 1, True, ps < 0.995)
    w_treat = trim * d
    w_cont = trim * ps * (1 - d) / (1 - ps)
    att_treat = w_treat * (dy - out)
    att_cont = w_cont * (dy - out)
    eta_t = att_treat.mean() / w_treat.mean()
    eta_c = att_cont.mean() / w_cont.mean()
    score_ps = (d - ps)[:, None] * xi
    hess = np.linalg.inv((xi * (ps * (1 - ps))[:, None]).T @ xi / n)
    lin_ps = score_ps @ hess
    inf_treat = ((att_treat - w_treat * eta_t) - lin_ols @ (w_treat[:, None] * xi).mean(axis=0)) / w_treat.mean()
    m2 = (w_cont * (dy - out - eta_c))[:, None] * xi
    inf_cont = ((att_cont - w_cont * eta_c) + lin_ps @ m2.mean(axis=0)
                - lin_ols @ (w_cont[:, None] * xi).mean(axis=0)) / w_cont.mean()
    return float(eta_t - eta_c), inf_treat - inf_cont


def _mboot(inf: np.ndarray, alpha: float, n_boot: int, seed: int | None) -> tuple[np.ndarray, float]:
    """Multiplier bootstrap as R did's ``mboot`` (Rademacher weights, IQR-based sd, sup-t).

    Returns bootstrap standard errors (NaN where degenerate) and the uniform critical value.
    """
    n, k = inf.shape
    rng = np.random.default_rng(seed)
    v = rng.choice(np.array([-1.0, 1.0]), size=(n_boot, n))
    bres = np.sqrt(n) * (v @ inf) / n
    ok = np.isfinite(bres).all(axis=0) & ((bres ** 2).sum(axis=0) > _TINY)
    se = np.full(k, np.nan)
    if not ok.any():
        return se, np.nan
    b = bres[:, ok]
    q75 = np.quantile(b, 0.75, axis=0, method="inverted_cdf")
    q25 = np.quantile(b, 0.25, axis=0, method="inverted_cdf")
    sigma = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    t_max = np.max(np.abs(b / sigma), axis=1)
    crit = float(np.quantile(t_max, 1 - alpha, method="inverted_cdf"))
    se[ok] = sigma / np.sqrt(n)
    return se, crit


def _se(inf: np.ndarray) -> np.ndarray:
    """Analytic standard errors √(mean(ψ²)/n) per column, NaN when ~0 (as R did)."""
    inf = np.atleast_2d(inf.T).T
    n = inf.shape[0]
    se = np.sqrt((inf ** 2).mean(axis=0) / n)
    return np.where(se <= _TINY, np.nan, se)


# --------------------------------------------------------------------------------------
# group-time effects
# --------------------------------------------------------------------------------------


def staggered_did(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    control: str = "never_treated",
    covariates: Sequence[str] | None = None,
    alpha: float = 0.05,
    base_period: str = "varying",
    bootstrap: bool = False,
    n_boot: int = 999,
    seed: int | None = None,
    method: str = "dr",
) -> StaggeredDiD:
    """Group-time average treatment effects ATT(g, t) under staggered adoption.

    Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time
    periods. *Journal of Econometrics*, 225(2), 200–230; definitions, weights and analytic
    standard errors as the R package ``did`` (``att_gt(..., bstrap = FALSE)``, ``aggte``).
    Assumption: parallel trends between each cohort and its control group (never treated, or
    not yet treated), no anticipation, irreversible treatment.

    Parameters
    ----------
    data : DataFrame
        Balanced panel, one row per ``unit`` and ``time``.
    outcome, unit, time : str
        Column names (``time`` numeric: years or period numbers).
    first_treated : str
        First period of treatment per unit; 0, NaN or inf for never treated. Units first
        treated in the first period are dropped (no pre-period), and units first treated
        after the last period count as never treated (as ``did``).
    control : {"never_treated", "not_yet_treated"}
        Comparison group. Without never-treated units, ``not_yet_treated`` drops the periods
        from the last cohort's start on and uses that cohort only as a control.
    covariates : list of str, optional
        Pre-treatment covariates (values of the base period are used); ``None`` gives the
        unconditional estimator.
    alpha : float
        Level of the pointwise intervals (and the uniform band), 1 - alpha coverage.
    base_period : {"varying", "universal"}
        See the module docstring.
    bootstrap : bool
        Add uniform (simultaneous) bands ``band_low, band_high`` by the multiplier bootstrap;
        ``std_error`` and ``ci_*`` stay analytic.
    n_boot : int
        Bootstrap draws.
    seed : int, optional
        Seed of the bootstrap draws.
    method : {"dr", "reg"}
        With covariates: doubly robust (R's default) or outcome regression.

    Returns
    -------
    StaggeredDiD
        ``.att_gt`` table and ``.aggregate(kind)``.

    Examples
    --------
    >>> rows = []
    >>> for u, g in [("a", 2), ("b", 3), ("c", 0), ("d", 0)]:
    ...     for t in (1, 2, 3):
    ...         effect = 1.0 if g and t >= g else 0.0
    ...         rows.append({"u": u, "t": t, "g": g, "y": t + {"a": 0, "b": 1, "c": 2, "d": 3}[u] + effect})
    >>> res = staggered_did(pd.DataFrame(rows), "y", "u", "t", "g")
    >>> res.att_gt[["group", "time", "estimate"]].round(6).to_dict("records")[:2]
    [{'group': 2, 'time': 2, 'estimate': 1.0}, {'group': 2, 'time': 3, 'estimate': 1.0}]
    >>> round(res.aggregate("simple").overall["estimate"], 6)
    1.0
    """
    if control not in ("never_treated", "not_yet_treated"):
        raise ValueError("control must be 'never_treated' or 'not_yet_treated'")
    if base_period not in ("varying", "universal"):
        raise ValueError("base_period must be 'varying' or 'universal'")
    if method not in ("dr", "reg"):
        raise ValueError("method must be 'dr' or 'reg'")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    covariates = list(covariates or [])
    cols = [outcome, unit, time, first_treated, *covariates]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise KeyError(f"data has no column {missing}")
    df = data[cols].copy()
    if df[[outcome, time, *covariates]].isna().any().any():
        raise ValueError("missing values in outcome, time or covariates: drop or impute them first")
    if df.duplicated([unit, time]).any():
        raise ValueError(f"several rows for the same {unit!r} and {time!r}")
    notes: list[str] = []

    tlist = np.sort(df[time].unique()).astype(float)
    g_unit = first_treatment_years(df, unit, first_treated).fillna(0.0)
    # units treated after the last period behave as never treated (did)
    later = g_unit > tlist[-1]
    if later.any():
        notes.append(f"{int(later.sum())} unit(s) first treated after the last period count as never treated")
        g_unit[later] = 0.0
    # drop units treated in the first period (no pre-period)
    first = (g_unit > 0) & (g_unit <= tlist[0])
    if first.any():
        notes.append(f"{int(first.sum())} unit(s) treated from the first period are dropped")
        g_unit = g_unit[~first]
    df = df[df[unit].isin(g_unit.index)]
    counts = df.groupby(unit)[time].nunique()
    if (counts != tlist.size).any():
        raise ValueError("the panel must be balanced (every unit observed in every period)")

    glist = np.sort(g_unit[g_unit > 0].unique())
    if not (g_unit == 0).any():
        if control == "never_treated":
            raise ValueError("no never-treated unit: use control='not_yet_treated'")
        last_g = glist.max()
        tlist = tlist[tlist < last_g]
        df = df[df[time] < last_g]
        glist = glist[glist < last_g]
        notes.append(f"no never-treated unit: periods from {last_g:g} on dropped; cohort {last_g:g} used as control only")
    glist = glist[glist > tlist[0]]
    if glist.size == 0:
        raise ValueError("no treated cohort with a pre-treatment period")

    wide_y = df.pivot(index=unit, columns=time, values=outcome).loc[g_unit.index]
    wide_y.columns = wide_y.columns.astype(float)
    wide_x = {c: df.pivot(index=unit, columns=time, values=c).loc[g_unit.index] for c in covariates}
    for c in covariates:
        wide_x[c].columns = wide_x[c].columns.astype(float)
    units = g_unit.index.to_numpy()
    G = g_unit.to_numpy(dtype=float)
    n = G.size

    n_t = tlist.size
    tfac = 1 if base_period == "varying" else 0
    rows, infs = [], []
    for g in glist:
        pre_idx = np.flatnonzero(tlist < g)
        base_g = pre_idx[-1]
        for ti in range(n_t - tfac):
            cur = ti + tfac
            pret = ti if base_period == "varying" else base_g
            if g <= tlist[cur]:
                pret = base_g
            post = bool(g <= tlist[cur])
            row = {"group": g, "time": tlist[cur], "event_time": tlist[cur] - g, "post": post}
            if base_period == "universal" and pret == cur:
                rows.append({**row, "estimate": 0.0, "n_treated": int((G == g).sum()), "n_control": 0})
                infs.append(np.zeros(n))
                continue
            if control == "never_treated":
                ctrl = G == 0
            else:
                ctrl = (G == 0) | ((G > tlist[max(cur, pret)]) & (G != g))
            treat = G == g
            sub = treat | ctrl
            if ctrl.sum() == 0:
                raise ValueError(f"no control unit for group {g:g} at time {tlist[cur]:g}")
            dy = (wide_y[tlist[cur]] - wide_y[tlist[pret]]).to_numpy(float)[sub]
            d = treat[sub].astype(float)
            x = (np.column_stack([wide_x[c][tlist[pret]].to_numpy(float)[sub] for c in covariates])
                 if covariates else None)
            att, inf_sub = _did_2x2(dy, d, x, method)
            inf = np.zeros(n)
            inf[sub] = (n / sub.sum()) * inf_sub
            rows.append({**row, "estimate": att, "n_treated": int(treat.sum()), "n_control": int(ctrl.sum())})
            infs.append(inf)
    inffunc = np.column_stack(infs)
    out = pd.DataFrame(rows)
    se = _se(inffunc)
    z = stats.norm.ppf(1 - alpha / 2)
    out["std_error"] = se
    out["ci_low"] = out["estimate"] - z * se
    out["ci_high"] = out["estimate"] + z * se
    crit = float(z)
    if bootstrap:
        _, crit = _mboot(inffunc, alpha, n_boot, seed)
        out["band_low"] = out["estimate"] - crit * se
        out["band_high"] = out["estimate"] + crit * se
    for c in ("group", "time", "event_time"):
        if np.all(np.mod(out[c], 1) == 0):
            out[c] = out[c].astype(int)
    out = out[[*ATT_GT_COLUMNS, *(["band_low", "band_high"] if bootstrap else [])]]

    # pre-test of parallel trends (R's W, Wpval): pre-treatment cells with a finite se
    pre = (~out["post"]).to_numpy() & np.isfinite(se)
    wald, wald_p = np.nan, np.nan
    if pre.any():
        v = inffunc[:, pre].T @ inffunc[:, pre] / n / n
        est = out.loc[pre, "estimate"].to_numpy()
        wald = float(est @ np.linalg.pinv(v) @ est)
        wald_p = float(stats.chi2.sf(wald, int(pre.sum())))
    return StaggeredDiD(att_gt=out, influence=inffunc, units=units, unit_group=G, alpha=alpha, control=control,
                        base_period=base_period, method=method if covariates else "unconditional",
                        bootstrap=bootstrap, n_boot=n_boot, seed=seed, crit_value=crit, pretrend_wald=wald,
                        pretrend_p=wald_p, notes=notes)


# --------------------------------------------------------------------------------------
# aggregation (R did's compute.aggte)
# --------------------------------------------------------------------------------------


def _wif(keepers: np.ndarray, pg: np.ndarray, G: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Influence of the estimated weights (R did's ``wif``); n × len(keepers)."""
    s = pg[keepers].sum()
    ind = np.column_stack([(G == group[k]).astype(float) - pg[k] for k in keepers])
    if1 = ind / s
    if2 = ind.sum(axis=1)[:, None] * (pg[keepers] / s ** 2)[None, :]
    return if1 - if2


def _agg_if(att: np.ndarray, inf: np.ndarray, which: np.ndarray, w: np.ndarray, wif: np.ndarray | None) -> np.ndarray:
    out = inf[:, which] @ w
    if wif is not None:
        out = out + wif @ att[which]
    return out


def _aggregate(res: StaggeredDiD, kind: str) -> AggregateTable:
    tab = res.att_gt
    att = tab["estimate"].to_numpy(float)
    group = tab["group"].to_numpy(float)
    t = tab["time"].to_numpy(float)
    inf = res.influence
    G = res.unit_group
    glist = np.sort(np.unique(group))
    pgg = np.array([(G == g).mean() for g in glist])
    pg = pgg[np.searchsorted(glist, group)]
    keepers = np.flatnonzero(group <= t)
    z = stats.norm.ppf(1 - res.alpha / 2)
    level_rows: list[dict] = []
    level_infs: list[np.ndarray] = []

    def summary(est: float, inf_vec: np.ndarray) -> dict:
        se = float(_se(inf_vec[:, None])[0])
        return {"estimate": float(est), "std_error": se, "ci_low": float(est - z * se), "ci_high": float(est + z * se)}

    if kind == "simple":
        w = pg[keepers] / pg[keepers].sum()
        est = float(att[keepers] @ w)
        inf_o = _agg_if(att, inf, keepers, w, _wif(keepers, pg, G, group))
        overall = summary(est, inf_o)
        table = AggregateTable(pd.DataFrame([overall]))
        table = _with_band(table, res, [inf_o], overall_inf=None)
        table.overall, table.kind = overall, kind
        return table

    if kind == "group":
        level_att = []
        for g in glist:
            which = np.flatnonzero((group == g) & (g <= t))
            w = pg[which] / pg[which].sum()
            est = float(att[which].mean())
            inf_g = _agg_if(att, inf, which, w, None)
            level_att.append(est)
            level_infs.append(inf_g)
            level_rows.append({"group": g, **summary(est, inf_g)})
        level_att_a = np.array(level_att)
        w = pgg / pgg.sum()
        est = float(level_att_a @ w)
        # R did passes the ATT(g,t) group vector to wif here: group[k] for k = 1..n_groups
        # (a quirk kept so that the overall standard error matches R to 1e-4)
        wif = _wif(np.arange(glist.size), pgg, G, group)
        inf_o = _agg_if(level_att_a, np.column_stack(level_infs), np.arange(glist.size), w, wif)
    elif kind == "dynamic":
        e_all = t - group
        eseq = np.sort(np.unique(e_all))
        level_att = []
        for e in eseq:
            which = np.flatnonzero(e_all == e)
            w = pg[which] / pg[which].sum()
            est = float(att[which] @ w)
            inf_e = _agg_if(att, inf, which, w, _wif(which, pg, G, group))
            level_att.append(est)
            level_infs.append(inf_e)
            level_rows.append({"event_time": e, **summary(est, inf_e)})
        epos = np.flatnonzero(eseq >= 0)
        level_att_a = np.array(level_att)
        est = float(level_att_a[epos].mean())
        inf_o = np.column_stack(level_infs)[:, epos] @ np.full(epos.size, 1 / epos.size)
    else:  # calendar
        tlist = np.sort(np.unique(t))
        ctlist = tlist[tlist >= group.min()]
        level_att = []
        for t1 in ctlist:
            which = np.flatnonzero((t == t1) & (group <= t))
            w = pg[which] / pg[which].sum()
            est = float(att[which] @ w)
            inf_t = _agg_if(att, inf, which, w, _wif(which, pg, G, group))
            level_att.append(est)
            level_infs.append(inf_t)
            level_rows.append({"time": t1, **summary(est, inf_t)})
        est = float(np.mean(level_att))
        inf_o = np.column_stack(level_infs) @ np.full(len(level_infs), 1 / len(level_infs))
    overall = summary(est, inf_o)
    table = AggregateTable(pd.DataFrame(level_rows))
    col = _KIND_COLUMN[kind]
    if np.all(np.mod(table[col], 1) == 0):
        table[col] = table[col].astype(int)
    table = _with_band(table, res, level_infs, overall_inf=inf_o)
    table.overall, table.kind = overall, kind
    return table


def _with_band(table: AggregateTable, res: StaggeredDiD, infs: list[np.ndarray], overall_inf) -> AggregateTable:
    """Uniform band across the rows of an aggregate (multiplier bootstrap), if requested."""
    if not res.bootstrap:
        return table
    _, crit = _mboot(np.column_stack(infs), res.alpha, res.n_boot, res.seed)
    table = table.copy()
    table["band_low"] = table["estimate"] - crit * table["std_error"]
    table["band_high"] = table["estimate"] + crit * table["std_error"]
    return table


# --------------------------------------------------------------------------------------
# few treated territories: permutation inference on the simple aggregate
# --------------------------------------------------------------------------------------


def _simple_att_matrix(y: np.ndarray, G: np.ndarray, tlist: np.ndarray, control: str) -> float:
    """Simple aggregate of the post-treatment ATT(g, t) from a units × periods matrix.

    Same estimator as ``staggered_did(...).aggregate("simple")`` without covariates (post
    cells compare ``t`` with ``g - 1`` under both base periods); fast, for permutations.
    """
    num, den = 0.0, 0.0
    for g in np.unique(G[G > 0]):
        before = np.flatnonzero(tlist < g)
        if before.size == 0:
            continue
        b = before[-1]
        treat = G == g
        n_g = treat.sum()
        for ti in np.flatnonzero(tlist >= g):
            ctrl = (G == 0) if control == "never_treated" else ((G == 0) | ((G > tlist[ti]) & ~treat))
            if not ctrl.any():
                continue
            dy = y[:, ti] - y[:, b]
            num += n_g * (dy[treat].mean() - dy[ctrl].mean())
            den += n_g
    return num / den if den else np.nan


def permutation_inference(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    control: str = "never_treated",
    alpha: float = 0.05,
    n_perm: int = 499,
    seed: int | None = 0,
) -> dict:
    """Permutation p-value and interval for the simple aggregate ATT (few treated units).

    With one or two territories per cohort the analytic (asymptotic) standard errors ignore
    the treated territories' own noise and are too optimistic. Here the adoption years are
    randomly reassigned to territories (Fisher randomisation inference, as the placebo-in-space
    test of :mod:`rd_methods.counterfactual`); the p-value is the rank of the observed
    ``|ATT|`` among the reassigned ones, and the interval collects the constant effects
    ``δ`` not rejected at ``alpha`` when ``δ`` is removed from the treated territories'
    post-treatment outcomes (test inversion, in the spirit of Conley & Taber 2011).

    Returns
    -------
    dict
        ``estimate, p_value, ci_low, ci_high, level, n_perm, min_p`` (``min_p`` = the
        smallest attainable p-value, 1 / (n_perm + 1)).

    Examples
    --------
    >>> rows = [{"u": u, "t": t, "g": g, "y": float(u) + t + (2.0 if g and t >= g else 0.0)}
    ...         for u, g in enumerate([3, 4, 0, 0, 0, 0, 0, 0]) for t in range(1, 6)]
    >>> out = permutation_inference(pd.DataFrame(rows), "y", "u", "t", "g", n_perm=99, seed=1)
    >>> round(out["estimate"], 6), out["min_p"]
    (2.0, 0.01)
    """
    g_unit = first_treatment_years(data, unit, first_treated).fillna(0.0)
    wide = data.pivot(index=unit, columns=time, values=outcome).loc[g_unit.index]
    if wide.isna().any().any():
        raise ValueError("the panel must be balanced")
    tlist = wide.columns.to_numpy(dtype=float)
    y = wide.to_numpy(dtype=float)
    G = g_unit.to_numpy(dtype=float)
    G = np.where(G > tlist[-1], 0.0, G)
    rng = np.random.default_rng(seed)
    perms = np.array([rng.permutation(G) for _ in range(n_perm)])
    treated_post = (G[:, None] > 0) & (tlist[None, :] >= G[:, None])

    # the statistic is linear in the outcome matrix: stat(y - δ·D) = stat(y) - δ·stat(D)
    a_obs = _simple_att_matrix(y, G, tlist, control)
    b_obs = _simple_att_matrix(treated_post.astype(float), G, tlist, control)
    a_sim = np.array([_simple_att_matrix(y, gp, tlist, control) for gp in perms])
    b_sim = np.array([_simple_att_matrix(treated_post.astype(float), gp, tlist, control) for gp in perms])
    keep = np.isfinite(a_sim) & np.isfinite(b_sim)
    a_sim, b_sim = a_sim[keep], b_sim[keep]

    def p_value(delta: float) -> float:
        obs = a_obs - delta * b_obs
        sims = a_sim - delta * b_sim
        return float((1 + np.sum(np.abs(sims) >= np.abs(obs) - 1e-12)) / (sims.size + 1))

    est = a_obs
    p0 = p_value(0.0)
    scale = float(np.std(y[:, 1:] - y[:, :-1])) * 4 + abs(est) + 1e-9

    def bound(direction: int) -> float:
        inside, outside = est, est + direction * scale
        k = 0
        while p_value(outside) > alpha and k < 6:
            outside = est + direction * scale * 2 ** (k + 1)
            k += 1
        for _ in range(40):
            mid = (inside + outside) / 2
            if p_value(mid) > alpha:
                inside = mid
            else:
                outside = mid
        return inside

    lo, hi = (bound(-1), bound(1)) if p_value(est) > alpha else (np.nan, np.nan)
    return {"estimate": float(est), "p_value": p0, "ci_low": float(lo), "ci_high": float(hi),
            "level": 1 - alpha, "n_perm": int(n_perm), "min_p": 1 / (n_perm + 1)}


# --------------------------------------------------------------------------------------
# notebook helpers
# --------------------------------------------------------------------------------------


@dataclass
class StaggeredSummary:
    """Tidy frames for notebook 50 on a staggered campaign (see :func:`territory_summary`)."""

    cohorts: pd.DataFrame
    att_gt: pd.DataFrame
    dynamic: pd.DataFrame
    group: pd.DataFrame
    overall: pd.DataFrame
    twfe: float
    result: StaggeredDiD


def territory_summary(
    panel: pd.DataFrame,
    outcome: str = "employment_per_1000",
    unit: str = "territory_code",
    time: str = "year",
    first_treated: str = "first_treated_year",
    name: str | None = "territory_name",
    control: str = "never_treated",
    alpha: float = 0.05,
    n_boot: int = 999,
    n_perm: int = 499,
    seed: int = 0,
) -> StaggeredSummary:
    """Staggered-adoption summary of a territory panel, ready to show in notebook 50.

    Runs :func:`staggered_did` (with the multiplier bootstrap for uniform bands), its
    ``dynamic`` and ``group`` aggregations, the permutation inference of
    :func:`permutation_inference` for the simple aggregate, and the two-way fixed effects
    coefficient on the same panel (statsmodels OLS with territory and year dummies) for
    comparison — a description, biased under staggered adoption (Goodman-Bacon 2021).

    Returns
    -------
    StaggeredSummary
        ``cohorts`` (one row per treated territory: code, name, first year), ``att_gt``
        (with the cohort's territory names), ``dynamic``, ``group``, ``overall`` (row 0:
        analytic, row 1: permutation; ``estimate, std_error, ci_low, ci_high, p_value, level,
        min_p``) and ``twfe``.

    Examples
    --------
    >>> rows = [{"territory_code": f"T{u}", "territory_name": f"T{u}", "year": t, "first_treated_year": g,
    ...          "y": u + 0.5 * t + (1.0 if g and t >= g else 0.0)}
    ...         for u, g in enumerate([2019, 2021, None, None, None, None]) for t in range(2016, 2024)]
    >>> s = territory_summary(pd.DataFrame(rows), outcome="y", n_boot=99, n_perm=49)
    >>> s.cohorts["first_treated_year"].tolist(), float(round(s.overall.loc[0, "estimate"], 6))
    ([2019, 2021], 1.0)
    """
    import statsmodels.formula.api as smf

    res = staggered_did(panel, outcome, unit, time, first_treated, control=control, alpha=alpha,
                        bootstrap=True, n_boot=n_boot, seed=seed)
    g_unit = first_treatment_years(panel, unit, first_treated).dropna()
    names = (panel.drop_duplicates(unit).set_index(unit)[name] if name and name in panel.columns
             else pd.Series(g_unit.index.astype(str), index=g_unit.index))
    cohorts = pd.DataFrame({unit: g_unit.index, "name": names.reindex(g_unit.index).to_numpy(),
                            "first_treated_year": g_unit.astype(int).to_numpy()}).sort_values(
        ["first_treated_year", unit], ignore_index=True)
    label = cohorts.groupby("first_treated_year")["name"].agg(lambda s: ", ".join(map(str, s)))
    att_gt = res.att_gt.copy()
    att_gt.insert(1, "territories", att_gt["group"].map(label))
    simple = res.aggregate("simple").overall
    perm = permutation_inference(panel, outcome, unit, time, first_treated, control=control, alpha=alpha,
                                 n_perm=n_perm, seed=seed)
    level = 1 - alpha
    overall = pd.DataFrame([
        {"inference": "analytique (fonctions d'influence, asymptotique)", **simple, "p_value": np.nan,
         "level": level, "min_p": np.nan},
        {"inference": f"permutation des années d'adoption ({n_perm} tirages)", "estimate": perm["estimate"],
         "std_error": np.nan, "ci_low": perm["ci_low"], "ci_high": perm["ci_high"], "p_value": perm["p_value"],
         "level": level, "min_p": perm["min_p"]},
    ])
    df = panel[[outcome, unit, time, first_treated]].copy()
    g = pd.to_numeric(df[first_treated], errors="coerce").fillna(0)
    df["_d"] = ((g > 0) & (df[time] >= g)).astype(float)
    df = df.rename(columns={outcome: "_y", unit: "_u", time: "_t"})
    twfe = float(smf.ols("_y ~ _d + C(_u) + C(_t)", data=df).fit().params["_d"])
    return StaggeredSummary(cohorts=cohorts, att_gt=att_gt, dynamic=res.aggregate("dynamic"),
                            group=res.aggregate("group"), overall=overall, twfe=twfe, result=res)


def _fr(x: float, nd: int = 2) -> str:
    from rd_methods.formats import format_number

    return format_number(x, nd)


def twfe_bias_paragraph() -> str:
    """French paragraph: why two-way fixed effects are biased under staggered adoption.

    Examples
    --------
    >>> "Goodman-Bacon" in twfe_bias_paragraph()
    True
    """
    return (
        "Quand plusieurs territoires adoptent la démarche à des années différentes (adoption "
        "échelonnée), la régression à effets fixes territoire et année (TWFE) n'est plus une simple "
        "comparaison « avant/après, traités/témoins » : elle fait la moyenne de toutes les comparaisons "
        "deux à deux possibles, y compris celles où un territoire déjà engagé sert de témoin à un "
        "territoire qui démarre plus tard. Si l'effet grandit avec le temps, ces comparaisons retranchent "
        "une partie de l'effet lui-même, certaines entrent avec un poids négatif, et le coefficient TWFE "
        "peut être très éloigné de l'effet moyen, voire de signe contraire (Goodman-Bacon 2021). "
        "On estime donc plutôt un effet par cohorte d'adoption et par année, ATT(g, t), en ne comparant "
        "chaque cohorte qu'à des territoires jamais engagés (ou pas encore engagés), puis on agrège ces "
        "effets avec des poids explicites (Callaway et Sant'Anna 2021)."
    )


def staggered_paragraph(summary: StaggeredSummary, unit_label: str = "emplois pour 1 000 habitants") -> str:
    """French paragraph that reads the staggered estimates (adapts to the numbers).

    Examples
    --------
    >>> rows = [{"territory_code": f"T{u}", "territory_name": f"T{u}", "year": t, "first_treated_year": g,
    ...          "y": u + 0.5 * t + (1.0 if g and t >= g else 0.0)}
    ...         for u, g in enumerate([2019, 2021, None, None, None, None]) for t in range(2016, 2024)]
    >>> s = territory_summary(pd.DataFrame(rows), outcome="y", n_boot=99, n_perm=49)
    >>> "2 territoires" in staggered_paragraph(s)
    True
    """
    c = summary.cohorts
    a, p = summary.overall.iloc[0], summary.overall.iloc[1]
    level = f"{round(100 * a['level'])} %"
    years = ", ".join(str(y) for y in sorted(c["first_treated_year"].unique()))
    text = (
        f"{len(c)} territoires ont adopté la démarche, en {years}. L'effet moyen estimé sur les années "
        f"qui suivent l'adoption (moyenne des ATT(g, t) pondérée par la taille des cohortes) est de "
        f"{_fr(a['estimate'])} {unit_label}. "
    )
    if np.isfinite(p["ci_low"]):
        text += (f"L'intervalle à {level} obtenu en réattribuant au hasard les années d'adoption aux "
                 f"territoires va de {_fr(p['ci_low'])} à {_fr(p['ci_high'])} (p = {_fr(p['p_value'], 3)}, "
                 f"plus petite valeur possible {_fr(p['min_p'], 3)}). ")
    else:
        text += (f"Le test de permutation ne rejette pas un effet nul (p = {_fr(p['p_value'], 3)}) : "
                 "l'intervalle n'est pas défini. ")
    excludes_zero = np.isfinite(p["ci_low"]) and (p["ci_low"] > 0 or p["ci_high"] < 0)
    text += ("Cet intervalle exclut zéro. " if excludes_zero else
             "Cet intervalle contient zéro : les données ne permettent pas de conclure à un effet. ")
    text += (
        f"L'intervalle analytique ({_fr(a['ci_low'])} à {_fr(a['ci_high'])}) repose sur une approximation "
        "asymptotique qui, avec un seul territoire par cohorte, ignore les aléas propres aux territoires "
        "engagés : il est trop étroit et n'est donné qu'à titre descriptif. "
        f"Pour comparaison, le coefficient TWFE sur le même panel vaut {_fr(summary.twfe)} {unit_label}"
    )
    gap = summary.twfe - a["estimate"]
    text += (f", soit un écart de {_fr(gap)} avec l'estimation par cohorte. " if abs(gap) > 1e-9 else ". ")
    text += ("Ces effets reposent sur l'hypothèse de tendances parallèles entre chaque cohorte et les "
             "territoires témoins ; les ATT(g, t) avant adoption (années négatives de l'étude "
             "d'événement) permettent d'en juger, sans la prouver.")
    return text


def key_results(summary: StaggeredSummary, unit_label: str = "pour 1 000 habitants",
                outcome_label: str = "emplois") -> pd.DataFrame:
    """The staggered-adoption key result of notebook 50: the simple aggregate ATT.

    ``counterfactual.staggered_att`` is the permutation row of ``summary.overall`` (the
    inference valid with few treated territories), its interval inverting the permutation
    test over adoption years; the analytic interval is quoted in the note, as a description.

    Returns
    -------
    DataFrame
        One row: ``key, value, label, unit, ci_low, ci_high, note``.
    """
    from rd_methods.formats import format_interval, format_p, format_pct

    analytic, perm = summary.overall.iloc[0], summary.overall.iloc[1]
    note = (f"Callaway et Sant'Anna (2021), agrégat simple ; intervalle par {perm['inference']}, "
            f"niveau {format_pct(perm['level'])} ; p = {format_p(perm['p_value'])} ; intervalle analytique "
            f"{format_interval(analytic['ci_low'], analytic['ci_high'], decimals=2)}, à titre descriptif")
    return pd.DataFrame([{
        "key": "counterfactual.staggered_att", "value": float(perm["estimate"]),
        "label": f"Adoption échelonnée : effet moyen après démarrage ({outcome_label} {unit_label})",
        "unit": unit_label, "ci_low": float(perm["ci_low"]), "ci_high": float(perm["ci_high"]), "note": note}])
