"""Territorial effects against comparison territories (difference-in-differences family).

The question: did an outcome (employment per 1,000 inhabitants, say) evolve differently in
the territory where the structure acts, after it started, than in comparable territories?
With one treated territory and a handful of comparisons, the answer is evidence for a
*contribution* story, never proof of sole attribution. The functions here give the usual
designs and, above all, the inference that fits a single treated unit (permutation ranks):

- :func:`rates` — outcomes per 1,000 inhabitants;
- :func:`did_2x2` — the classic regression difference-in-differences (statsmodels);
- :func:`twfe` — two-way fixed effects with unit and time effects *absorbed* (alternating
  projections, no dummy matrix), cluster-robust standard errors by unit and a wild cluster
  bootstrap p-value when clusters are few;
- :func:`event_study` — leads and lags around the start year, joint test of the leads;
- :func:`placebo_in_space` / :func:`placebo_in_time` — the effect re-estimated with each
  comparison territory as if treated / with fake start years; permutation p-value = rank;
  :func:`permutation_interval` inverts that test into an interval (Conley & Taber 2011);
- :func:`pretrend_equivalence` — equivalence test (TOST) that the pre-period drift lies within
  a stated margin, and the DiD bias such a drift could cause (not rejecting parallel trends is
  not evidence for them);
- :func:`synthetic_control` — simplex weights on comparison territories (scipy nnls), optional
  predictors with data-driven V weights, pre-period RMSPE, post/pre RMSPE ratio and its placebo
  rank, an interval on the ATT by inverting the placebo test, a leave-one-donor-out table;
- :func:`territorial_evidence` — the figures notebook 50 records for the synthesis, each with an
  inference valid with one treated territory.

All functions take a tidy panel (one row per unit and time) and column names, so they work
for any panel (communes, EPCI, départements; years or quarters), and return tidy DataFrames.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

__all__ = [
    "Estimates",
    "SyntheticControl",
    "TwfeFit",
    "rates",
    "did_2x2",
    "twfe",
    "event_study",
    "permutation_p_value",
    "permutation_interval",
    "pretrend_equivalence",
    "territorial_evidence",
    "placebo_in_space",
    "placebo_in_time",
    "synthetic_control",
    "demean",
    "TerritorialAnalysis",
    "territorial_analysis",
    "inference_table",
    "key_results",
]

ESTIMATE_COLUMNS = ["term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n"]
RATE_COLUMNS = ("employment", "jobseekers", "establishments_created")


class Estimates(pd.DataFrame):
    """A tidy table of estimates that keeps the fitted model reachable as ``.model``.

    It is an ordinary :class:`pandas.DataFrame` (it prints, filters and merges as one);
    ``.model`` is the fitted statsmodels results (:func:`did_2x2`) or a :class:`TwfeFit`
    (:func:`twfe`, :func:`event_study`), and ``.tests`` holds joint tests when there are any.
    """

    _metadata = ["model", "tests"]

    @property
    def _constructor(self):
        return Estimates


# --------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------


def _require(data: pd.DataFrame, columns: Sequence[str], what: str = "data") -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, not {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise KeyError(f"{what} has no column {', '.join(map(repr, missing))}; columns are {list(data.columns)}")


def _numeric(data: pd.DataFrame, column: str) -> np.ndarray:
    """A column as a float array (bool -> 0/1, missing -> NaN); non-numeric is an error."""
    values = data[column]
    try:
        if values.dtype == bool:
            return values.to_numpy(dtype=float)
        return pd.to_numeric(values, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"column {column!r} must be numeric") from exc


def _unit_flag(data: pd.DataFrame, unit: str, treated: str) -> pd.Series:
    """Treated indicator per unit (a unit is treated if any of its rows says so)."""
    flag = data[treated].fillna(False).astype(bool)
    return flag.groupby(data[unit], sort=True).any()


# --------------------------------------------------------------------------------------
# rates
# --------------------------------------------------------------------------------------


def rates(
    panel: pd.DataFrame,
    per: float = 1000,
    columns: Sequence[str] | None = None,
    population: str = "population",
) -> pd.DataFrame:
    """Outcomes per ``per`` inhabitants (default per 1,000).

    Adds one column ``<column>_per_<per>`` for each count column and returns a new frame
    (the input is not modified). ``per=1000`` gives ``employment_per_1000``.

    Parameters
    ----------
    panel : DataFrame
        One row per territory and period with a population column.
    per : float
        Denominator of the rate (1000 = per 1,000 inhabitants).
    columns : list of str, optional
        Count columns to convert; default: those of ``employment``, ``jobseekers``,
        ``establishments_created`` that are present.
    population : str
        Population column (must be > 0).

    Returns
    -------
    DataFrame
        A copy of ``panel`` with the rate columns added.

    Examples
    --------
    >>> p = pd.DataFrame({"population": [20000, 500], "employment": [8000, 150]})
    >>> rates(p)["employment_per_1000"].tolist()
    [400.0, 300.0]
    """
    if per <= 0:
        raise ValueError("per must be > 0")
    if columns is None:
        columns = [c for c in RATE_COLUMNS if c in panel.columns]
        if not columns:
            raise KeyError(f"panel has none of the columns {list(RATE_COLUMNS)}; pass columns=")
    _require(panel, [population, *columns], "panel")
    pop = _numeric(panel, population)
    if np.any(~(pop > 0)):
        raise ValueError(f"{population!r} must be > 0 in every row to compute rates")
    out = panel.copy()
    tag = f"{per:g}".replace(".", "_")
    for col in columns:
        out[f"{col}_per_{tag}"] = _numeric(panel, col) / pop * per
    return out


# --------------------------------------------------------------------------------------
# 2x2 difference-in-differences (statsmodels)
# --------------------------------------------------------------------------------------


def did_2x2(
    data: pd.DataFrame,
    outcome: str,
    treated: str,
    post: str,
    covariates: Sequence[str] | None = None,
    cov_type: str = "nonrobust",
    cluster: str | None = None,
    alpha: float = 0.05,
) -> Estimates:
    """Classic regression difference-in-differences.

    Fits ``outcome ~ 1 + treated + post + treated·post (+ covariates)`` by OLS with
    statsmodels; the coefficient on ``treated·post`` is the difference-in-differences.

    Assumption: parallel trends — without the intervention the treated group would have
    moved like the comparison group — and no spillover from treated to comparison units.
    Source: Wooldridge, *Introductory Econometrics*, ch. 13.2 (eq. 13.5-13.7); Angrist &
    Pischke, *Mostly Harmless Econometrics*, ch. 5.2.

    Parameters
    ----------
    data : DataFrame
        One row per observation (pooled cross sections or a panel).
    outcome, treated, post : str
        Outcome column; 0/1 (or bool) treated-group and post-period columns.
    covariates : list of str, optional
        Numeric control columns added linearly.
    cov_type : {"nonrobust", "HC1", "cluster"}
        Covariance as in statsmodels; ``"cluster"`` needs ``cluster`` (a column name).
    cluster : str, optional
        Cluster column for ``cov_type="cluster"`` (statsmodels' CR1 correction,
        t distribution with G - 1 degrees of freedom).
    alpha : float
        1 - confidence level of the interval.

    Returns
    -------
    Estimates
        One row: ``term, estimate, std_error, ci_low, ci_high, p_value, n``;
        ``.model`` is the fitted statsmodels results (all coefficients, ``summary()``).

    Examples
    --------
    >>> d = pd.DataFrame({"y": [1., 2, 3, 6, 1.1, 2.1, 2.9, 6.1], "g": [0, 0, 1, 1] * 2,
    ...                   "t": [0, 1, 0, 1] * 2})
    >>> round(float(did_2x2(d, "y", "g", "t")["estimate"].iloc[0]), 6)
    2.1
    """
    import statsmodels.api as sm

    covariates = list(covariates or [])
    cols = [outcome, treated, post, *covariates] + ([cluster] if cluster else [])
    _require(data, cols)
    if cov_type not in {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"}:
        raise ValueError(f"cov_type must be 'nonrobust', 'HC1' (or HC0/HC2/HC3) or 'cluster', not {cov_type!r}")
    if cov_type == "cluster" and not cluster:
        raise ValueError("cov_type='cluster' needs cluster=<column name>")
    frame = data[cols].dropna()
    if len(frame) < len(data):
        dropped = len(data) - len(frame)
    else:
        dropped = 0
    g = _numeric(frame, treated)
    p = _numeric(frame, post)
    for name, v in ((treated, g), (post, p)):
        if not np.isin(v, [0.0, 1.0]).all():
            raise ValueError(f"column {name!r} must be 0/1 or boolean")
    term = f"{treated}:{post}"
    exog = pd.DataFrame({"const": 1.0, treated: g, post: p, term: g * p}, index=frame.index)
    for c in covariates:
        exog[c] = _numeric(frame, c)
    y = pd.Series(_numeric(frame, outcome), index=frame.index, name=outcome)
    model = sm.OLS(y, exog)
    if cov_type == "cluster":
        groups = pd.factorize(frame[cluster])[0]
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    else:
        fit = model.fit(cov_type=cov_type, use_t=True)
    ci = fit.conf_int(alpha=alpha).loc[term]
    out = Estimates(
        {
            "term": [term],
            "estimate": [float(fit.params[term])],
            "std_error": [float(fit.bse[term])],
            "ci_low": [float(ci.iloc[0])],
            "ci_high": [float(ci.iloc[1])],
            "p_value": [float(fit.pvalues[term])],
            "n": [int(fit.nobs)],
        }
    )
    out.model = fit
    out.tests = {"dropped_rows": dropped}
    return out


# --------------------------------------------------------------------------------------
# absorbing two-way fixed effects
# --------------------------------------------------------------------------------------


def demean(
    values: np.ndarray,
    groups: Sequence[np.ndarray],
    tol: float = 1e-10,
    max_iter: int = 10_000,
) -> tuple[np.ndarray, int]:
    """Within transformation for several fixed effects by alternating projections.

    Subtracts group means for each factor in turn until nothing changes (method of
    alternating projections, Guimarães & Portugal 2010; Gaure 2013, the algorithm behind
    ``lfe``, ``reghdfe``, ``fixest`` and ``pyfixest``). For one factor, or two factors on a
    complete grid (balanced panel), one sweep is exact and is all that is done; unbalanced
    panels sweep until the largest change is below the tolerance.
    Group means use ``np.bincount`` (no dummy matrix: memory is O(n)).

    Parameters
    ----------
    values : ndarray, shape (n,) or (n, k)
        Columns to demean (a float copy is returned).
    groups : list of ndarray of int
        Integer codes 0..G-1 of each factor (e.g. from :func:`pandas.factorize`).
    tol : float
        Stop when the largest change of a sweep is below ``tol`` times the scale of the data.
    max_iter : int
        Largest number of sweeps; a ``RuntimeError`` is raised if not converged.

    Returns
    -------
    (ndarray, int)
        The demeaned values (same shape) and the number of sweeps.

    Examples
    --------
    >>> unit = np.array([0, 0, 1, 1]); year = np.array([0, 1, 0, 1])
    >>> demean(np.array([1.0, 2.0, 3.0, 5.0]), [unit, year])[0].round(3).tolist()
    [0.25, -0.25, -0.25, 0.25]
    """
    arr = np.asarray(values, dtype=float)
    one_d = arr.ndim == 1
    # one contiguous copy per column: strided column access would be several times slower
    cols = [np.array(arr, copy=True)] if one_d else [np.ascontiguousarray(arr[:, j]) for j in range(arr.shape[1])]
    groups = [np.asarray(g, dtype=np.intp) for g in groups]
    counts = [np.bincount(g).astype(float) for g in groups]
    n = cols[0].size if cols else 0
    scale = max(max((float(np.abs(c).max(initial=0.0)) for c in cols), default=0.0), 1.0)
    # a complete two-way grid (balanced panel): one sweep is exact (after the first
    # projection every unit has mean 0, so the grand mean is 0 and the second keeps it)
    exact = len(groups) <= 1 or (
        len(groups) == 2
        and counts[0].size * counts[1].size == n
        and np.bincount(groups[0] * counts[1].size + groups[1]).max(initial=0) == 1
    )
    sweeps = 0
    while True:
        sweeps += 1
        if sweeps > max_iter:
            raise RuntimeError(f"alternating projections did not converge in {max_iter} sweeps")
        change = 0.0
        for g, cnt in zip(groups, counts, strict=True):
            for c in cols:
                means = np.bincount(g, weights=c, minlength=cnt.size) / cnt
                c -= means[g]
                change = max(change, float(np.abs(means).max(initial=0.0)))
        if exact or change <= tol * scale:
            break
    x = cols[0] if one_d else np.column_stack(cols)
    return x, sweeps


@dataclass
class TwfeFit:
    """What :func:`twfe` fitted: coefficients, covariance and the data needed to go further.

    Attributes
    ----------
    params : Series
        Coefficients of the regressors (fixed effects absorbed).
    cov : DataFrame
        Their covariance matrix (``cov_type`` with its small-sample correction).
    cov_type : str
    df_resid : int
        Residual degrees of freedom (n - k - levels of the absorbed effects + 1).
    df_inference : int
        Degrees of freedom of the t / F reference distribution (G - 1 when clustered).
    nobs, n_clusters, sweeps : int
    resid : ndarray
        Residuals of the within regression.
    ssc : float
        The small-sample factor applied to the sandwich.
    """

    params: pd.Series
    cov: pd.DataFrame
    cov_type: str
    df_resid: int
    df_inference: int
    nobs: int
    n_clusters: int | None
    sweeps: int
    ssc: float
    resid: np.ndarray = field(repr=False)

    @property
    def bse(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.cov.to_numpy())), index=self.params.index)

    def wald_test(self, terms: Sequence[str]) -> dict:
        """Joint test that the coefficients of ``terms`` are all zero (F form).

        F = b' V⁻¹ b / q with the fit's covariance V, compared with F(q, df_inference);
        a pseudo-inverse is used when V is singular (the rank then gives q).
        """
        terms = list(terms)
        b = self.params[terms].to_numpy()
        v = self.cov.loc[terms, terms].to_numpy()
        q = int(np.linalg.matrix_rank(v))
        if q == 0:
            return {"statistic": np.nan, "df_num": 0, "df_denom": self.df_inference, "p_value": np.nan}
        f = float(b @ np.linalg.pinv(v) @ b) / q
        p = float(stats.f.sf(f, q, self.df_inference))
        return {"statistic": f, "df_num": q, "df_denom": int(self.df_inference), "p_value": p}


def _codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes 0..G-1 (missing values get -1)."""
    if values.dtype.kind in "iu" and len(values):
        # integer ids over a compact range (years, commune numbers): an O(n) lookup table
        # is several times faster than hashing
        arr = values.to_numpy()
        lo, hi = int(arr.min()), int(arr.max())
        if hi - lo <= 4 * len(arr):
            present = np.bincount(arr - lo, minlength=hi - lo + 1) > 0
            table = np.cumsum(present) - 1
            return table[arr - lo].astype(np.intp), int(present.sum())
    codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.intp), len(uniques)


def _renumber(codes: np.ndarray) -> np.ndarray:
    return np.unique(codes, return_inverse=True)[1].astype(np.intp)


def _nested(codes: np.ndarray, cl_codes: np.ndarray, levels: int) -> bool:
    lo = np.full(levels, np.iinfo(np.intp).max)
    hi = np.full(levels, -1)
    np.minimum.at(lo, codes, cl_codes)
    np.maximum.at(hi, codes, cl_codes)
    return bool(np.all(lo == hi))


def _cluster_meat(scores: np.ndarray, cl: np.ndarray, n_cl: int) -> np.ndarray:
    sums = np.column_stack([np.bincount(cl, weights=scores[:, j], minlength=n_cl) for j in range(scores.shape[1])])
    return sums.T @ sums


def _fe_fit(
    y: np.ndarray,
    x: np.ndarray,
    names: list[str],
    unit_codes: np.ndarray,
    n_units: int,
    time_codes: np.ndarray,
    n_times: int,
    cov_type: str,
    cl_codes: np.ndarray | None,
    n_cl: int | None,
    nested: tuple[bool, bool],
    tol: float,
    ssc: str = "fixest",
) -> tuple[TwfeFit, np.ndarray, np.ndarray]:
    """Within OLS; returns the fit, the demeaned regressors and the demeaned outcome."""
    both, sweeps = demean(np.column_stack([y, x]), [unit_codes, time_codes], tol=tol)
    yt, xt = both[:, 0], both[:, 1:]
    n, k = xt.shape
    xtx = xt.T @ xt
    if np.linalg.matrix_rank(xtx) < k:
        raise ValueError(
            "a regressor is collinear with the unit and time effects (e.g. a treatment that "
            "does not vary within units over time, or no comparison unit)"
        )
    xtx_inv = np.linalg.inv(xtx)
    beta = xtx_inv @ (xt.T @ yt)
    resid = yt - xt @ beta
    n_fe = n_units + n_times - 1
    df_resid = n - k - n_fe
    if df_resid <= 0:
        raise ValueError("not enough observations for the unit and time effects")
    if cov_type == "nonrobust":
        cov = xtx_inv * float(resid @ resid) / df_resid
        factor, df_inf = 1.0, df_resid
    elif cov_type == "HC1":
        meat = (xt * resid[:, None] ** 2).T @ xt
        factor = n / df_resid
        cov = factor * xtx_inv @ meat @ xtx_inv
        df_inf = df_resid
    else:  # CRV1
        meat = _cluster_meat(xt * resid[:, None], cl_codes, n_cl)
        if ssc == "fixest":
            # fixest / pyfixest default ssc(): G/(G-1) * (n-1)/(n-K) with K = k + absorbed
            # levels (one level per extra factor is redundant) minus the levels of factors
            # nested in the clusters, plus one per nested factor: K = k + T for unit clusters.
            k_big = k + n_fe - (n_units - 1) * nested[0] - (n_times - 1) * nested[1]
            factor = n_cl / (n_cl - 1) * (n - 1) / (n - k_big)
        elif ssc == "linearmodels":
            # linearmodels PanelOLS.fit(cov_type="clustered") default with two effects:
            # n / (n - k - (U + T - 1)), no G/(G-1) factor.
            factor = n / df_resid
        else:
            raise ValueError(f"ssc must be 'fixest' or 'linearmodels', not {ssc!r}")
        cov = factor * xtx_inv @ meat @ xtx_inv
        df_inf = n_cl - 1
    fit = TwfeFit(
        params=pd.Series(beta, index=names),
        cov=pd.DataFrame(cov, index=names, columns=names),
        cov_type=cov_type,
        df_resid=int(df_resid),
        df_inference=int(df_inf),
        nobs=int(n),
        n_clusters=None if cl_codes is None else int(n_cl),
        sweeps=int(sweeps),
        ssc=float(factor),
        resid=resid,
    )
    return fit, xt, yt


WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def _wild_weights(rng: np.random.Generator, n_cl: int, n_boot: int, kind: str) -> np.ndarray:
    """Cluster weights (G, B). Rademacher with 2^G <= B: all 2^G sign vectors (exact)."""
    if kind == "rademacher":
        if 2**n_cl <= n_boot:
            grid = (np.arange(2**n_cl)[None, :] >> np.arange(n_cl)[:, None]) & 1
            return np.where(grid == 1, 1.0, -1.0)
        return rng.choice(np.array([-1.0, 1.0]), size=(n_cl, n_boot))
    if kind == "webb":
        return rng.choice(WEBB, size=(n_cl, n_boot))
    raise ValueError(f"weights must be 'rademacher' or 'webb', not {kind!r}")


def _wild_cluster_p(
    fit: TwfeFit,
    xt: np.ndarray,
    yt: np.ndarray,
    j: int,
    groups: list[np.ndarray],
    cl_codes: np.ndarray,
    n_cl: int,
    n_boot: int,
    weights: str,
    seed: int,
    tol: float,
    chunk: int = 256,
) -> float:
    """Restricted wild cluster bootstrap-t (WCR) p-value of H0: beta_j = 0 (two-sided)."""
    k = xt.shape[1]
    others = [i for i in range(k) if i != j]
    if others:
        xo = xt[:, others]
        gamma, *_ = np.linalg.lstsq(xo, yt, rcond=None)
        fitted_r = xo @ gamma
    else:
        fitted_r = np.zeros_like(yt)
    u_r = yt - fitted_r
    xtx_inv = np.linalg.inv(xt.T @ xt)
    t_obs = fit.params.iloc[j] / np.sqrt(fit.cov.iloc[j, j])
    rng = np.random.default_rng(seed)
    v_all = _wild_weights(rng, n_cl, n_boot, weights)
    n_boot = v_all.shape[1]
    t_star = np.empty(n_boot)
    for start in range(0, n_boot, chunk):
        v = v_all[:, start : start + chunk]
        # y* = fitted_r + u_r * v_g; the FE are re-absorbed by demeaning u_r * v_g.
        ystar_dm, _ = demean(u_r[:, None] * v[cl_codes], groups, tol=tol)
        ystar_dm += fitted_r[:, None]
        b = xtx_inv @ (xt.T @ ystar_dm)  # (k, B)
        e = ystar_dm - xt @ b
        for col in range(v.shape[1]):
            meat = _cluster_meat(xt * e[:, col : col + 1], cl_codes, n_cl)
            var = fit.ssc * (xtx_inv @ meat @ xtx_inv)[j, j]
            t_star[start + col] = b[j, col] / np.sqrt(var)
    # strict inequality as boottest / wildboottest (the draw v = 1 reproduces t itself)
    return float(np.mean(np.abs(t_star) > abs(t_obs) * (1 + 1e-10)))


def twfe(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treatment: str | Sequence[str],
    covariates: Sequence[str] | None = None,
    cov_type: str = "cluster",
    cluster: str | None = None,
    alpha: float = 0.05,
    bootstrap: bool | None = None,
    n_boot: int = 999,
    weights: str = "webb",
    seed: int = 0,
    few_clusters: int = 50,
    ssc: str = "fixest",
    tol: float = 1e-10,
) -> Estimates:
    """Two-way fixed effects regression with absorbed unit and time effects.

    Estimates ``y_it = a_i + l_t + b·D_it (+ covariates) + e_it`` by OLS after the within
    transformation (alternating projections, :func:`demean`; no dummy matrix, memory O(n)).
    With a single adoption date this is the difference-in-differences estimator for a panel;
    with staggered adoption and heterogeneous effects TWFE is biased (Goodman-Bacon 2021;
    de Chaisemartin & D'Haultfœuille 2020): use it for one start date.

    Standard errors
        ``cov_type="cluster"`` (default): CRV1, clustered by ``cluster`` (default ``unit``).
        Small-sample factor ``ssc="fixest"`` (default) = the default of fixest / pyfixest
        (``ssc(adj=True, fixef_k="nonnested", G_adj=True)``) and of Stata's reghdfe:
        G/(G-1) · (n-1)/(n-K), K = regressors + absorbed levels not nested in the clusters
        (for unit clusters: K = k + T); same estimate and SE as pyfixest
        ``feols("y ~ d | unit + time", vcov={"CRV1": "unit"})``.
        ``ssc="linearmodels"`` = linearmodels ``PanelOLS(y, x, entity_effects=True,
        time_effects=True).fit(cov_type="clustered", cluster_entity=True)`` (its defaults):
        n/(n - k - (U + T - 1)), no G/(G-1). Reference distribution t(G-1) in both cases.
        ``"HC1"``: heteroskedasticity-robust, n/(n - k - U - T + 1) (pyfixest "hetero");
        ``"nonrobust"``: s² = SSR/(n - k - U - T + 1).
    Wild cluster bootstrap
        When clusters are few (< ``few_clusters``, default 50) or ``bootstrap=True``, the
        restricted wild cluster bootstrap-t (WCR: null imposed, ``weights`` Webb six-point
        or Rademacher, ``n_boot`` draws, ``seed``) gives ``p_value_wild`` (two-sided,
        share of |t*| > |t|; Rademacher with 2^G <= n_boot enumerates all 2^G draws). Cameron, Gelbach & Miller (2008); Webb (2023);
        MacKinnon, Nielsen & Webb (2023). With ONE treated cluster neither CRV1 nor the
        wild bootstrap is reliable (MacKinnon & Webb 2017, 2018): prefer the permutation
        p-value of :func:`placebo_in_space`.

    Parameters
    ----------
    data : DataFrame
        Tidy panel, one row per unit and time (unbalanced allowed).
    outcome, unit, time : str
        Column names.
    treatment : str or list of str
        Treatment regressor(s) (e.g. a 0/1 column ``treated & post``).
    covariates : list of str, optional
        Time-varying numeric controls.
    cov_type : {"cluster", "HC1", "nonrobust"}
    cluster : str, optional
        Cluster column (default: ``unit``).
    alpha : float
        1 - confidence level.
    bootstrap : bool, optional
        Force (True) or skip (False) the wild bootstrap; default: when clusters are few.
    n_boot, weights, seed, few_clusters : see above.
    ssc : {"fixest", "linearmodels"}
        Small-sample correction of the clustered covariance (see above).
    tol : float
        Convergence tolerance of the alternating projections.

    Returns
    -------
    Estimates
        One row per treatment term (then covariates): ``term, estimate, std_error,
        ci_low, ci_high, p_value, p_value_wild, n, n_clusters``; ``.model`` is a
        :class:`TwfeFit`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"u": np.repeat(np.arange(20), 6), "t": np.tile(np.arange(6), 20)})
    >>> d["D"] = ((d.u < 5) & (d.t >= 3)).astype(float)
    >>> d["y"] = d.u * 0.5 + d.t + 2.0 * d.D + rng.normal(0, 0.1, len(d))
    >>> round(float(twfe(d, "y", "u", "t", "D", bootstrap=False)["estimate"].iloc[0]), 1)
    2.0
    """
    treatments = [treatment] if isinstance(treatment, str) else list(treatment)
    covariates = list(covariates or [])
    if not treatments:
        raise ValueError("treatment must name at least one column")
    if cov_type not in {"cluster", "HC1", "nonrobust"}:
        raise ValueError(f"cov_type must be 'cluster', 'HC1' or 'nonrobust', not {cov_type!r}")
    cluster = cluster or unit
    names = treatments + covariates
    _require(data, list(dict.fromkeys([outcome, unit, time, *names, cluster])))
    y = _numeric(data, outcome)
    x = np.column_stack([_numeric(data, c) for c in names])
    u_codes, n_units = _codes(data[unit])
    t_codes, n_times = _codes(data[time])
    cl_codes = u_codes if cluster == unit else _codes(data[cluster])[0]
    keep = np.isfinite(y) & np.isfinite(x).all(axis=1) & (u_codes >= 0) & (t_codes >= 0) & (cl_codes >= 0)
    if not keep.any():
        raise ValueError("no complete row (outcome, unit, time, regressors)")
    if not keep.all():  # drop incomplete rows and renumber the levels still present
        y, x = y[keep], x[keep]
        u_codes, t_codes, cl_codes = (_renumber(c[keep]) for c in (u_codes, t_codes, cl_codes))
        n_units, n_times = int(u_codes.max()) + 1, int(t_codes.max()) + 1
    if np.bincount(u_codes * n_times + t_codes).max() > 1:
        raise ValueError(f"several rows for the same ({unit}, {time}): the panel must be unique")
    n_cl, nested = None, (False, False)
    if cov_type != "cluster":
        cl_codes = None
    else:
        # a factor is nested in the clusters when each of its levels lies in one cluster
        n_cl = int(cl_codes.max()) + 1
        if cluster == unit:
            nested = (True, n_units == 1)
        else:
            nested = (_nested(u_codes, cl_codes, n_units), _nested(t_codes, cl_codes, n_times))
        if n_cl < 2:
            raise ValueError("clustered standard errors need at least 2 clusters")
    fit, xt, yt = _fe_fit(
        y, x, names, u_codes, n_units, t_codes, n_times, cov_type, cl_codes, n_cl, nested, tol, ssc
    )
    bse = fit.bse
    tcrit = stats.t.ppf(1 - alpha / 2, fit.df_inference)
    tval = fit.params / bse
    out = Estimates(
        {
            "term": names,
            "estimate": fit.params.to_numpy(),
            "std_error": bse.to_numpy(),
            "ci_low": (fit.params - tcrit * bse).to_numpy(),
            "ci_high": (fit.params + tcrit * bse).to_numpy(),
            "p_value": 2 * stats.t.sf(np.abs(tval.to_numpy()), fit.df_inference),
            "p_value_wild": np.nan,
            "n": fit.nobs,
            "n_clusters": fit.n_clusters if fit.n_clusters is not None else pd.NA,
        }
    )
    do_boot = bootstrap if bootstrap is not None else (cov_type == "cluster" and n_cl < few_clusters)
    if do_boot:
        if cov_type != "cluster":
            raise ValueError("the wild cluster bootstrap needs cov_type='cluster'")
        for j in range(len(treatments)):
            out.loc[j, "p_value_wild"] = _wild_cluster_p(
                fit, xt, yt, j, [u_codes, t_codes], cl_codes, n_cl, n_boot, weights, seed, tol
            )
    out.model = fit
    out.tests = {}
    return out


# --------------------------------------------------------------------------------------
# event study
# --------------------------------------------------------------------------------------


def _treated_units(data: pd.DataFrame, unit: str, treated: str | Sequence) -> set:
    if isinstance(treated, str) and treated in data.columns:
        flags = _unit_flag(data, unit, treated)
        units = set(flags.index[flags.to_numpy()])
    else:
        units = {treated} if isinstance(treated, (str, int, np.integer)) else set(treated)
        unknown = units - set(data[unit].unique())
        if unknown:
            raise KeyError(f"treated unit(s) {sorted(map(str, unknown))} not in column {unit!r}")
    if not units:
        raise ValueError("no treated unit")
    if units == set(data[unit].unique()):
        raise ValueError("every unit is treated: there is no comparison unit")
    return units


def event_study(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    start,
    treated: str | Sequence = "treated",
    window: tuple[int, int] | None = None,
    reference: int = -1,
    cov_type: str = "auto",
    alpha: float = 0.05,
    bootstrap: bool | None = False,
    seed: int = 0,
) -> Estimates:
    """Leads and lags of the treatment around the start year, relative to a reference period.

    Fits the TWFE regression ``y_it = a_i + l_t + sum_k b_k 1[i treated, t - start = k] + e_it``
    for every relative period k except ``reference`` (default -1, the year before the
    start), so b_k is the treated-minus-comparison gap at k relative to the gap at the
    reference. Leads (k < 0) near zero support parallel trends; the joint Wald test that
    all leads are zero is in ``.tests["pretrend"]``. Endpoints outside ``window`` are binned
    into the first / last period of the window (Schmidheiny & Siegloch 2023).

    One adoption date for all treated units (no staggered adoption: with heterogeneous
    effects across cohorts these coefficients are contaminated, Sun & Abraham 2021).
    Source: Freyaldenhoven et al. (2021); Roth (2022) on the low power of pre-trend tests.

    Parameters
    ----------
    data : DataFrame
        Tidy panel.
    outcome, unit, time : str
    start : int
        First treated period.
    treated : str or list
        Unit-level 0/1 column (any True row marks the unit) or the treated unit id(s).
    window : (int, int), optional
        Lowest and highest relative period kept as its own coefficient; default: all.
    reference : int
        Omitted relative period.
    cov_type : {"auto", "cluster", "HC1", "nonrobust"}
        ``"auto"``: ``"nonrobust"`` with a single treated unit, else ``"cluster"`` (by unit).
        With one treated unit each event-time dummy fits one observation exactly (leverage
        1, residual 0), so heteroskedasticity- and cluster-robust variances of the leads and
        lags collapse towards 0 and the pre-trend test rejects whatever the data; the
        homoskedastic variance pools the residuals of the comparison units instead (it
        assumes the treated unit's noise is like theirs).
    alpha, bootstrap, seed :
        As in :func:`twfe` (no bootstrap by default).

    Returns
    -------
    Estimates
        One row per relative period (reference included with estimate 0):
        ``rel_time, term, estimate, std_error, ci_low, ci_high, p_value, n``;
        ``.tests["pretrend"]`` = {statistic, df_num, df_denom, p_value}; ``.model`` the TwfeFit.

    Examples
    --------
    >>> d = pd.DataFrame({"u": np.repeat(np.arange(6), 5), "t": np.tile(np.arange(2000, 2005), 6)})
    >>> d["y"] = d.u + 0.1 * d.t + np.where((d.u == 0) & (d.t >= 2003), 1.0, 0.0)
    >>> d["y"] += np.sin(np.arange(30))  * 1e-3
    >>> es = event_study(d, "y", "u", "t", start=2003, treated=[0])
    >>> es.set_index("rel_time")["estimate"].round(1).to_dict()[1]
    1.0
    """
    _require(data, [outcome, unit, time])
    units = _treated_units(data, unit, treated)
    frame = data[[outcome, unit, time]].dropna().copy()
    is_t = frame[unit].isin(units).to_numpy()
    tvals = _numeric(frame, time)
    rel = np.where(is_t, tvals - float(start), np.nan)
    observed = np.unique(rel[is_t]).astype(int)
    if window is not None:
        lo, hi = int(window[0]), int(window[1])
        if not lo <= reference <= hi:
            raise ValueError("reference must lie inside the window")
        rel = np.where(is_t, np.clip(rel, lo, hi), np.nan)
        observed = np.unique(rel[is_t]).astype(int)
    if reference not in observed:
        raise ValueError(f"reference period {reference} is not observed for the treated unit(s)")
    periods = [k for k in observed if k != reference]
    if not periods:
        raise ValueError("no relative period besides the reference")

    def name(k: int) -> str:
        return f"rel_{'m' if k < 0 else 'p'}{abs(k)}"

    if cov_type == "auto":
        cov_type = "nonrobust" if len(units) == 1 else "cluster"
    terms = [name(k) for k in periods]
    for k, term in zip(periods, terms, strict=True):
        frame[term] = (rel == k).astype(float)
    est = twfe(frame, outcome, unit, time, terms, cov_type=cov_type, alpha=alpha, bootstrap=bootstrap, seed=seed)
    est.insert(0, "rel_time", periods)
    ref = pd.DataFrame(
        {"rel_time": [reference], "term": [name(reference)], "estimate": [0.0], "std_error": [0.0],
         "ci_low": [0.0], "ci_high": [0.0], "p_value": [np.nan], "p_value_wild": [np.nan],
         "n": [est["n"].iloc[0]], "n_clusters": [est["n_clusters"].iloc[0]]}
    )
    fit = est.model
    out = Estimates(pd.concat([pd.DataFrame(est), ref], ignore_index=True).sort_values("rel_time", ignore_index=True))
    out["reference"] = out["rel_time"] == reference
    leads = [t for k, t in zip(periods, terms, strict=True) if k < 0]
    out.model = fit
    out.tests = {"pretrend": fit.wald_test(leads) if leads else
                 {"statistic": np.nan, "df_num": 0, "df_denom": fit.df_inference, "p_value": np.nan}}
    return out


# --------------------------------------------------------------------------------------
# permutation inference
# --------------------------------------------------------------------------------------


def permutation_p_value(real: float, placebos: Sequence[float], alternative: str = "two-sided") -> float:
    """Permutation (rank) p-value of a real effect among placebo effects.

    p = rank / (J + 1), where J is the number of placebos and rank is the position of the
    real effect among the J + 1 effects (real included) sorted from the most extreme
    (rank 1) down; ties count against the real effect (conservative):
    ``rank = 1 + #{placebos with s_j >= s_real}`` with s = |effect| (two-sided), effect
    (``"greater"``) or -effect (``"less"``). Abadie, Diamond & Hainmueller (2010) §3.4;
    Conley & Taber (2011). With J = 12 placebos the smallest possible p is 1/13 ≈ 0.077.

    Examples
    --------
    >>> permutation_p_value(5.0, [1.0, -2.0, 6.0, 0.5])
    0.4
    >>> permutation_p_value(5.0, [1.0, -2.0, -6.0, 0.5], alternative="greater")
    0.2
    """
    placebos = np.asarray([p for p in placebos if np.isfinite(p)], dtype=float)
    if not np.isfinite(real):
        return float("nan")
    if alternative == "two-sided":
        s_real, s = abs(real), np.abs(placebos)
    elif alternative == "greater":
        s_real, s = real, placebos
    elif alternative == "less":
        s_real, s = -real, -placebos
    else:
        raise ValueError("alternative must be 'two-sided', 'greater' or 'less'")
    # round: ties (equal effects up to floating-point noise) count against the real effect
    rank = 1 + int(np.sum(np.round(s, 10) >= np.round(s_real, 10)))
    return rank / (placebos.size + 1)


def permutation_interval(estimate: float, placebos: Sequence[float], alpha: float = 0.1,
                         scale: float | None = None, placebo_scales: Sequence[float] | None = None) -> dict:
    """Interval for an effect with one (or few) treated unit(s), by inverting the permutation test.

    Under the null "effect = a", the real estimate minus a is exchangeable with the
    placebo estimates (each comparison unit treated as if it were the treated one), so
    a is kept when the two-sided permutation p-value of ``estimate - a`` (see
    :func:`permutation_p_value`) exceeds ``alpha``. This gives ``estimate ± c``, where c is
    the m-th largest |placebo|, m = floor(alpha · (J + 1)). Its exact level under
    exchangeability is 1 - m / (J + 1) (e.g. 18 placebos, alpha = 0.10: m = 1, c = the
    largest |placebo|, level 1 - 1/19 ≈ 0.947); when alpha · (J + 1) < 1 no finite
    interval reaches the level (infinite bounds). The idea of Conley & Taber (2011) for
    difference-in-differences with few treated groups, in its symmetric form; assumes
    comparison units exchangeable with the treated one (same error distribution).

    Studentised form (``scale`` and ``placebo_scales`` given): the statistic is the effect
    divided by its unit's scale (e.g. the standard deviation of its pre-period residuals),
    so c is the m-th largest |placebo / placebo_scale| and the interval is
    ``estimate ± c · scale``. Exchangeability is then needed only for the standardised
    statistics, which matters when territories differ in size and hence in noise
    (Ferman & Pinto 2019).

    Returns
    -------
    dict
        ``ci_low, ci_high, level, half_width, n_placebos``.

    Examples
    --------
    >>> permutation_interval(3.0, [1.0, -2.0, 0.5, -0.4], alpha=0.2)
    {'ci_low': 1.0, 'ci_high': 5.0, 'level': 0.8, 'half_width': 2.0, 'n_placebos': 4}
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    pl = np.asarray(placebos, dtype=float)
    factor = 1.0
    if (scale is None) != (placebo_scales is None):
        raise ValueError("give both scale and placebo_scales, or neither")
    if scale is not None:
        sc = np.asarray(placebo_scales, dtype=float)
        if sc.shape != pl.shape:
            raise ValueError("placebo_scales must have one scale per placebo")
        if not (np.isfinite(scale) and scale > 0):
            raise ValueError("scale must be a positive number")
        with np.errstate(divide="ignore", invalid="ignore"):
            pl = np.where(sc > 0, pl / sc, np.nan)
        factor = float(scale)
    mags = np.sort(np.abs(pl[np.isfinite(pl)]))[::-1]
    j = mags.size
    m = int(np.floor(alpha * (j + 1) + 1e-12))
    if m == 0:
        return {"ci_low": -np.inf, "ci_high": np.inf, "level": 1.0, "half_width": np.inf, "n_placebos": j}
    c = float(mags[m - 1]) * factor
    return {"ci_low": float(estimate) - c, "ci_high": float(estimate) + c, "level": 1 - m / (j + 1),
            "half_width": c, "n_placebos": j}


def _did_effect(frame: pd.DataFrame, outcome: str, unit: str, time: str, treated_units: set, start) -> float:
    """TWFE coefficient of treated·post (for a balanced panel: the DiD of means, computed directly)."""
    wide = _wide(frame, outcome, unit, time)
    if wide is not None:
        pre = wide.index.to_numpy() < start
        is_t = wide.columns.isin(list(treated_units))
        if pre.any() and not pre.all() and is_t.any() and not is_t.all():
            diff = (wide.loc[~pre].mean() - wide.loc[pre].mean()).to_numpy(float)
            return float(diff[is_t].mean() - diff[~is_t].mean())
    d = frame.assign(_d=(frame[unit].isin(treated_units) & (frame[time] >= start)).astype(float))
    est = twfe(d, outcome, unit, time, "_d", cov_type="nonrobust", bootstrap=False)
    return float(est["estimate"].iloc[0])


def _ranks(df: pd.DataFrame, alternative: str) -> pd.DataFrame:
    col = "statistic" if "statistic" in df.columns else "estimate"
    s = {"two-sided": df[col].abs(), "greater": df[col], "less": -df[col]}[alternative]
    df["rank"] = s.round(10).rank(ascending=False, method="max").astype(int)
    df["p_value"] = df["rank"] / len(df)
    return df


def placebo_in_space(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    start,
    treated: str | Sequence = "treated",
    alternative: str = "two-sided",
    studentize: bool = False,
) -> pd.DataFrame:
    """Re-estimate the effect with each comparison unit as if it were the treated one.

    For the real treated unit(s) and then for each comparison unit j, the TWFE
    difference-in-differences of ``outcome`` on 1[unit = j, time >= start] is estimated
    against the other comparison units (the real treated unit is left out of the
    placebo runs). If the real effect is large compared with the placebo effects, it is
    unlikely to be chance. Permutation p-value = rank of the real effect / (J + 1) (see
    :func:`permutation_p_value`; ties against the real effect). Abadie, Diamond &
    Hainmueller (2010); Conley & Taber (2011). Assumes comparison units are exchangeable
    with the treated one under the null, and no spillover.

    ``studentize=True`` (Ferman & Pinto 2019): territories of unequal size have unequal
    noise (a small territory's rate jumps more), which breaks exchangeability of the raw
    effects. Each unit's effect is then divided by ``scale``, the standard deviation of its
    pre-period gap to the mean of the other units (after removing that gap's pre-period
    mean), and the ranks and p-value use this ``statistic``.

    Returns
    -------
    DataFrame
        One row per unit: ``unit, treated, estimate, rank, p_value`` sorted by rank (ties by
        unit); with ``studentize`` also ``scale`` and ``statistic``. The real unit's
        ``p_value`` is the permutation p-value (for a placebo row it is that unit's own
        rank / (J + 1)).

    Examples
    --------
    >>> d = pd.DataFrame({"u": np.repeat(list("abcde"), 4), "t": np.tile([1, 2, 3, 4], 5)})
    >>> d["y"] = np.arange(20) % 3 + np.where((d.u == "a") & (d.t >= 3), 5.0, 0.0)
    >>> r = placebo_in_space(d, "y", "u", "t", start=3, treated=["a"])
    >>> float(r.loc[r.treated, "p_value"].iloc[0])
    0.2
    """
    _require(data, [outcome, unit, time])
    units = _treated_units(data, unit, treated)
    frame = data[[outcome, unit, time]].dropna()
    donor_ids = sorted(frame.loc[~frame[unit].isin(units), unit].unique(), key=str)
    fast = _balanced_did(frame, outcome, unit, time, units, donor_ids, start)
    if fast is not None:  # balanced panel: the TWFE coefficient is the DiD of means (exact)
        rows = [{"unit": ", ".join(sorted(map(str, units))), "treated": True, "estimate": fast[0]}]
        rows += [{"unit": j, "treated": False, "estimate": e} for j, e in zip(donor_ids, fast[1], strict=True)]
    else:
        rows = [{"unit": ", ".join(sorted(map(str, units))), "treated": True,
                 "estimate": _did_effect(frame, outcome, unit, time, units, start)}]
    donors = frame[~frame[unit].isin(units)]
    for j in donor_ids if fast is None else []:
        try:
            eff = _did_effect(donors, outcome, unit, time, {j}, start)
        except ValueError:
            eff = np.nan
        rows.append({"unit": j, "treated": False, "estimate": eff})
    if studentize:
        pre_rows = frame[frame[time] < start]
        pre_wide = _wide(pre_rows, outcome, unit, time)
        if pre_wide is None:
            pre_wide = pre_rows.pivot_table(index=time, columns=unit, values=outcome, aggfunc="mean")
        rows[0]["scale"] = _pre_gap_sd(pre_wide, units, donor_ids)
        for r in rows[1:]:
            r["scale"] = _pre_gap_sd(pre_wide, {r["unit"]}, [j for j in donor_ids if j != r["unit"]])
        for r in rows:
            r["statistic"] = r["estimate"] / r["scale"] if r["scale"] > 0 else np.nan
    out = pd.DataFrame(rows)
    out["unit"] = out["unit"].astype(str)
    out = _ranks(out, alternative)
    col = "statistic" if studentize else "estimate"
    real = out.loc[out["treated"], col].iloc[0]
    out.loc[out["treated"], "p_value"] = permutation_p_value(real, out.loc[~out["treated"], col], alternative)
    return out.sort_values(["rank", "treated", "unit"], ascending=[True, False, True], ignore_index=True)


def _wide(frame: pd.DataFrame, outcome: str, unit: str, time: str) -> pd.DataFrame | None:
    """time x unit table of a balanced panel without duplicates, else None."""
    if frame.duplicated([unit, time]).any():
        return None
    wide = frame.pivot(index=time, columns=unit, values=outcome)
    return None if wide.isna().any().any() else wide


def _balanced_did(frame: pd.DataFrame, outcome: str, unit: str, time: str, units: set, donor_ids: list,
                  start) -> tuple[float, list[float]] | None:
    """Real and placebo DiD of means on a balanced panel (None if unbalanced or degenerate)."""
    wide = _wide(frame, outcome, unit, time)
    if wide is None or len(donor_ids) < 2:
        return None
    pre = wide.index.to_numpy() < start
    if pre.all() or not pre.any():
        return None
    diff = wide.loc[~pre].mean() - wide.loc[pre].mean()
    d_don = diff[donor_ids].to_numpy(float)
    real = float(diff[list(units)].mean() - d_don.mean())
    n = d_don.size
    placebo = d_don - (d_don.sum() - d_don) / (n - 1)
    return real, placebo.tolist()


def _pre_gap_sd(pre_wide: pd.DataFrame, units: set, others: list) -> float:
    """SD (ddof=1) of the pre-period gap between ``units`` and the mean of ``others``."""
    cols = pre_wide.columns
    arr = pre_wide.to_numpy(float)
    gap = arr[:, cols.isin(list(units))].mean(axis=1) - arr[:, cols.isin(others)].mean(axis=1)
    gap = gap[np.isfinite(gap)]
    return float(np.std(gap - gap.mean(), ddof=1)) if gap.size > 1 else np.nan


def pretrend_equivalence(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    start,
    margin: float,
    treated: str | Sequence = "treated",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Equivalence test (TOST) that the pre-period trends of treated and comparison units
    differ by less than ``margin`` per period.

    A pre-trend test that fails to reject is not evidence of parallel trends (it has little
    power: Roth 2022). This tests the reverse null: H0 "the treated-minus-comparison gap
    drifts by at least ``margin`` per period before ``start``" against H1 "|drift| <
    margin", by two one-sided t-tests (Schuirmann 1987; Lakens 2017) on the slope b of
    the OLS regression of the yearly gap (mean of treated units minus mean of comparison
    units) on time over the pre-period. The TOST p-value is the larger of the two one-sided
    p-values; p ≤ alpha shows the drift is within the margin, equivalently the (1 − 2·alpha)
    interval of b lies inside (−margin, margin). In the spirit of Rambachan & Roth (2023),
    ``bias_bound`` translates the margin into the largest bias of the difference in
    differences a linear drift within the margin could cause when extrapolated to the post
    period: margin × (mean post time − mean pre time).

    Assumes serially uncorrelated, homoskedastic noise of the yearly gap (the t-test's
    standard error); with autocorrelated noise the test is anti-conservative.

    Returns
    -------
    DataFrame
        One row: ``term, estimate, std_error, df, margin, ci_low, ci_high, p_lower,
        p_upper, p_value, equivalent, bias_bound, n_pre``, where ``[ci_low, ci_high]`` is
        the (1 − 2·alpha) interval of the slope.

    Examples
    --------
    >>> d = pd.DataFrame({"u": np.repeat(list("abcd"), 8), "t": np.tile(np.arange(2010, 2018), 4)})
    >>> d["treated"] = d["u"] == "a"
    >>> d["y"] = 100 + d["t"] - 2010 + 0.3 * np.sin(np.arange(32)) + np.where(d.treated & (d.t >= 2015), 2, 0)
    >>> r = pretrend_equivalence(d, "y", "u", "t", start=2015, margin=0.5)
    >>> bool(r["equivalent"].iloc[0]), round(float(r["bias_bound"].iloc[0]), 2)
    (True, 2.0)
    """
    import statsmodels.api as sm

    _require(data, [outcome, unit, time])
    if not (margin > 0):
        raise ValueError("margin must be positive")
    if not 0 < alpha < 0.5:
        raise ValueError("alpha must be in (0, 0.5)")
    units = _treated_units(data, unit, treated)
    frame = data[[outcome, unit, time]].dropna()
    is_t = frame[unit].isin(units)
    gap = (frame[is_t].groupby(time)[outcome].mean() - frame[~is_t].groupby(time)[outcome].mean()).dropna()
    tt = gap.index.to_numpy(dtype=float)
    pre = tt < float(start)
    if pre.sum() < 3:
        raise ValueError("need at least 3 pre-period times for a trend test")
    fit = sm.OLS(gap.to_numpy()[pre], sm.add_constant(tt[pre])).fit()
    b, se, df = float(fit.params[1]), float(fit.bse[1]), float(fit.df_resid)
    p_lower = float(stats.t.sf((b + margin) / se, df))   # H0: b <= -margin
    p_upper = float(stats.t.cdf((b - margin) / se, df))  # H0: b >= margin
    q = float(stats.t.ppf(1 - alpha, df))
    post_t = tt[~pre]
    bias = float(margin * (post_t.mean() - tt[pre].mean())) if post_t.size else np.nan
    p_value = max(p_lower, p_upper)
    return pd.DataFrame([{"term": "pretrend_slope", "estimate": b, "std_error": se, "df": df, "margin": float(margin),
                          "ci_low": b - q * se, "ci_high": b + q * se, "p_lower": p_lower, "p_upper": p_upper,
                          "p_value": p_value, "equivalent": bool(p_value <= alpha), "bias_bound": bias,
                          "n_pre": int(pre.sum())}])


def placebo_in_time(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    start,
    treated: str | Sequence = "treated",
    fake_starts: Sequence | None = None,
    n_placebo_years: int | None = None,
    min_pre: int = 2,
    alternative: str = "two-sided",
) -> pd.DataFrame:
    """Re-estimate the effect with fake start dates placed before the real one.

    Only the data before the real ``start`` are used for the placebos, so a placebo
    "effect" is pure pre-period divergence: for each fake start s, the TWFE DiD of
    1[treated, s <= time < start] against the comparison units. The real effect (full
    data, real start) is ranked among them: p = rank / (J + 1) as in
    :func:`permutation_p_value`. Caveat: placebo windows are shorter than the real post
    period, so this is a check of pre-period stability more than an exact test.
    Source: Abadie, Diamond & Hainmueller (2015) "in-time placebo".

    Parameters
    ----------
    fake_starts : list, optional
        Fake start periods; default: every pre-period time with at least ``min_pre``
        periods before it, the latest ``n_placebo_years`` of them if given.

    Returns
    -------
    DataFrame
        ``start, placebo, estimate, rank, p_value`` (real first row flagged placebo=False).
    """
    _require(data, [outcome, unit, time])
    units = _treated_units(data, unit, treated)
    frame = data[[outcome, unit, time]].dropna()
    pre = frame[frame[time] < start]
    times = np.sort(pre[time].unique())
    if fake_starts is None:
        fake_starts = list(times[min_pre:])
        if n_placebo_years is not None:
            fake_starts = fake_starts[-int(n_placebo_years):] if n_placebo_years > 0 else []
    rows = [{"start": start, "placebo": False, "estimate": _did_effect(frame, outcome, unit, time, units, start)}]
    for s in fake_starts:
        if not (s < start):
            raise ValueError(f"fake start {s} is not before the real start {start}")
        rows.append({"start": s, "placebo": True, "estimate": _did_effect(pre, outcome, unit, time, units, s)})
    out = _ranks(pd.DataFrame(rows), alternative)
    out.loc[~out["placebo"], "p_value"] = permutation_p_value(
        rows[0]["estimate"], out.loc[out["placebo"], "estimate"], alternative
    )
    return out.sort_values("start", ignore_index=True)


# --------------------------------------------------------------------------------------
# synthetic control
# --------------------------------------------------------------------------------------


@dataclass
class SyntheticControl:
    """Result of :func:`synthetic_control`.

    Attributes
    ----------
    weights : DataFrame
        ``unit, weight`` of each comparison unit (>= 0, sum 1), rounded to 10 decimals,
        largest first, ties by unit (deterministic order).
    path : DataFrame
        ``time, treated, synthetic, gap, post`` for the treated unit.
    summary : DataFrame
        One row: ``pre_rmspe, post_rmspe, ratio, att, rank, p_value, n_donors, ci_low,
        ci_high, ci_level`` (att = mean post-period gap; rank / p_value of the ratio among
        the placebos; ``[ci_low, ci_high]`` the interval on the ATT by inverting the placebo
        test, at level ``ci_level``; see :func:`synthetic_control`).
    placebos : DataFrame
        ``unit, treated, pre_rmspe, post_rmspe, ratio, att, rank`` for every unit.
    gaps : DataFrame
        Long table ``unit, time, gap, treated`` of every run (for the placebo figure).
    predictor_weights : DataFrame or None
        ``predictor, v`` the data-driven predictor weights V (with ``predictors``).
    leave_one_out : DataFrame or None
        ``dropped, weight_dropped, att, pre_rmspe, change`` refitting without each donor of
        positive weight (``leave_one_out=True``).
    """

    weights: pd.DataFrame
    path: pd.DataFrame
    summary: pd.DataFrame
    placebos: pd.DataFrame
    gaps: pd.DataFrame
    predictor_weights: pd.DataFrame | None = None
    leave_one_out: pd.DataFrame | None = None


def _simplex_weights(y1: np.ndarray, y0: np.ndarray, penalty: float = 1e4) -> np.ndarray:
    """argmin ||y1 - y0 w||² subject to w >= 0, sum w = 1.

    Lawson-Hanson non-negative least squares (``scipy.optimize.nnls``) on the system
    augmented with the row ``penalty · 1'w = penalty`` (data scaled to max |y0| = 1): the
    sum-to-one constraint then holds to ~1e-12 and the weights are renormalised. Exact
    active-set solver, microseconds for a few dozen donors (SLSQP was slower and stopped
    at a worse objective on the demo panel).
    """
    j = y0.shape[1]
    if j == 1:
        return np.ones(1)
    scale = max(float(np.abs(y0).max()), 1e-12)
    a = np.vstack([y0 / scale, np.full(j, penalty)])
    b = np.r_[y1 / scale, penalty]
    w, _ = optimize.nnls(a, b)
    return w / w.sum()


def _v_weights(x1: np.ndarray, x0: np.ndarray, y1: np.ndarray, y0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Data-driven predictor weights V (Abadie, Diamond & Hainmueller 2010, §2.3).

    Predictors are standardised (SD across units); for diagonal V >= 0 with sum 1,
    W(V) = argmin (X1 - X0 W)' V (X1 - X0 W) on the simplex; V minimises the pre-period
    outcome MSPE ||Y1 - Y0 W(V)||². Nelder-Mead on a softmax parametrisation of V, started
    from equal weights and from each predictor alone (the best start kept): deterministic.
    """
    k = x1.shape[0]
    sd = np.r_[x0.std(axis=1, ddof=1)]
    sd = np.where(sd > 0, sd, 1.0)
    z1, z0 = x1 / sd, x0 / sd[:, None]

    def w_of(v):
        r = np.sqrt(v)
        return _simplex_weights(r * z1, r[:, None] * z0)

    def loss(theta):
        v = np.exp(theta - theta.max())
        v = v / v.sum()
        return float(np.mean((y1 - y0 @ w_of(v)) ** 2))

    if k == 1:
        v = np.ones(1)
        return v, w_of(v)
    starts = [np.zeros(k)] + [np.where(np.arange(k) == i, 3.0, 0.0) for i in range(k)]
    best = None
    for th0 in starts:
        res = optimize.minimize(loss, th0, method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-10,
                                                                        "maxiter": 400 * k})
        if best is None or res.fun < best.fun - 1e-12:
            best = res
    v = np.exp(best.x - best.x.max())
    v = v / v.sum()
    return v, w_of(v)


def _synth_one(wide: pd.DataFrame, target, donors: list, pre_mask: np.ndarray,
               xwide: pd.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    y1 = wide[target].to_numpy(float)
    y0 = wide[donors].to_numpy(float)
    if xwide is None:
        w = _simplex_weights(y1[pre_mask], y0[pre_mask])
        v = None
    else:
        v, w = _v_weights(xwide[target].to_numpy(float), xwide[donors].to_numpy(float), y1[pre_mask], y0[pre_mask])
    return w, y0 @ w, v


def synthetic_control(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treated_unit,
    start,
    placebo: bool = True,
    predictors: Sequence[str] | None = None,
    leave_one_out: bool = False,
    alpha: float = 0.10,
    studentize: bool = True,
    demean: bool = False,
) -> SyntheticControl:
    """Synthetic control: a convex combination of comparison units that tracks the
    treated unit's pre-period outcome.

    By default the weights w solve min ||Y1_pre - Y0_pre w||² subject to w >= 0 and
    sum w = 1, fitted on every pre-period value of the outcome (no predictor matrix V: the
    "all pre-treatment outcomes" variant discussed by Abadie 2021, §5; Doudchenko & Imbens
    2016), solved by scipy's non-negative least squares with the sum-to-one row (see
    ``_simplex_weights``). With ``predictors`` (columns of ``data``, each averaged over the
    pre-period; the outcome's own name gives its pre-period mean), the weights match those
    predictors under data-driven weights V chosen to minimise the pre-period outcome MSPE
    (Abadie, Diamond & Hainmueller 2010). The gap after ``start`` estimates the effect if
    the synthetic unit would have followed the treated one without the intervention (a
    good pre-period fit is the evidence for that; the method is unreliable when the
    pre-RMSPE is large).

    Inference (``placebo=True``): the same fit for each comparison unit (donors = the other
    comparison units). (1) The post/pre RMSPE ratio of the treated unit ranked among all
    ratios: p = rank / (J + 1) (Abadie, Diamond & Hainmueller 2010, 2015). (2) An interval
    on the ATT by inverting that placebo test for the mean post-period gap (Firpo &
    Possebom 2018, with the null "the effect shifts the post-period gap by a"; the fitted
    weights depend on the pre-period only, so the treated statistic under that null is
    att − a while the placebos do not move): the set of a not rejected at level ``alpha``,
    ``att ± c``. With ``studentize`` (default), each unit's ATT is divided by its pre-RMSPE
    (placebos with a poor fit have large gaps for that reason alone) and
    c = (m-th largest |att_j / pre_rmspe_j|) · pre_rmspe, m = floor(alpha·(J + 1)); the
    exact level under exchangeability is 1 − m/(J + 1) (``ci_level``). Coverage measured
    on 200 generated demo territory panels: see ``tests/test_calibration.py`` and
    docs/methods.md.

    Parameters
    ----------
    data : DataFrame
        Balanced panel (missing cells are an error).
    outcome, unit, time : str
    treated_unit
        Id of the treated unit in ``unit``.
    start
        First treated period (periods < start are the fit period).
    placebo : bool
        Run the in-space placebos for the rank inference and the interval.
    predictors : list of str, optional
        Predictor columns (pre-period means) with data-driven V weights.
    leave_one_out : bool
        Refit without each donor of positive weight (robustness table).
    alpha : float
        1 − level of the interval (0.10: level 1 − 1/19 ≈ 0.947 with 18 donors).
    studentize : bool
        Studentise the interval's statistic by the pre-RMSPE.
    demean : bool
        Fit on outcomes minus each unit's pre-period mean (the "demeaned" synthetic control
        of Ferman & Pinto 2021, Doudchenko & Imbens 2016): the synthetic unit then matches
        the treated unit's *changes*, not its level, which keeps the method usable when the
        treated unit lies outside the range of the comparisons (level differences are
        absorbed as in a difference in differences). ``path["synthetic"]`` adds the treated
        unit's pre-period mean back.

    Returns
    -------
    SyntheticControl

    Examples
    --------
    >>> t = np.arange(10)
    >>> d = pd.DataFrame({"u": np.repeat(list("abc"), 10), "t": np.tile(t, 3),
    ...                   "y": np.r_[t + 1.0 + 3 * (t >= 6), t, t + 2.0]})
    >>> sc = synthetic_control(d, "y", "u", "t", "a", start=6)
    >>> sc.weights.set_index("unit")["weight"].round(3).to_dict()
    {'b': 0.5, 'c': 0.5}
    >>> round(float(sc.summary["att"].iloc[0]), 3)
    3.0
    """
    _require(data, [outcome, unit, time])
    if data.duplicated([unit, time]).any():
        raise ValueError(f"several rows for the same ({unit}, {time})")
    wide = data.pivot(index=time, columns=unit, values=outcome).sort_index()
    wide.columns = wide.columns.astype(object)
    if treated_unit not in wide.columns:
        raise KeyError(f"treated unit {treated_unit!r} not in column {unit!r}")
    if wide.isna().any().any():
        raise ValueError("synthetic control needs a balanced panel without missing outcome values")
    times = wide.index.to_numpy()
    pre_mask = times < start
    post_mask = ~pre_mask
    if pre_mask.sum() < 2 or post_mask.sum() < 1:
        raise ValueError("need at least 2 pre-period and 1 post-period observations")
    donors = sorted([c for c in wide.columns if c != treated_unit], key=str)
    if not donors:
        raise ValueError("no comparison unit")
    level = pd.Series(0.0, index=wide.columns)
    if demean:
        level = wide.loc[pre_mask].mean()
        wide = wide - level
    xwide = None
    if predictors:
        predictors = list(predictors)
        _require(data, predictors)
        pre_rows = data[data[time] < start]
        xwide = pre_rows.groupby(unit)[predictors].mean().T
        xwide.columns = xwide.columns.astype(object)
        if xwide.isna().any().any():
            raise ValueError("a predictor has no pre-period value for some unit")

    def run(target, pool):
        w, synth, v = _synth_one(wide, target, pool, pre_mask, xwide)
        gap = wide[target].to_numpy(float) - synth
        pre = float(np.sqrt(np.mean(gap[pre_mask] ** 2)))
        post = float(np.sqrt(np.mean(gap[post_mask] ** 2)))
        ratio = post / pre if pre > 0 else np.inf
        return w, synth, gap, v, {"pre_rmspe": pre, "post_rmspe": post, "ratio": ratio,
                                  "att": float(np.mean(gap[post_mask]))}

    w, synth, gap, v, stats_real = run(treated_unit, donors)
    rows = [{"unit": treated_unit, "treated": True, **stats_real}]
    gaps = [pd.DataFrame({"unit": treated_unit, "time": times, "gap": gap, "treated": True})]
    if placebo:
        for j in donors:
            pool = [c for c in donors if c != j]
            if not pool:
                continue
            _, _, g, _, st = run(j, pool)
            rows.append({"unit": j, "treated": False, **st})
            gaps.append(pd.DataFrame({"unit": j, "time": times, "gap": g, "treated": False}))
    plac = pd.DataFrame(rows)
    plac["rank"] = plac["ratio"].round(10).rank(ascending=False, method="max").astype(int)
    real_ratio = stats_real["ratio"]
    others = plac.loc[~plac["treated"]]
    p = permutation_p_value(real_ratio, others["ratio"], "greater") if placebo else np.nan
    ci = {"ci_low": np.nan, "ci_high": np.nan, "level": np.nan}
    if placebo and len(others):
        if studentize and stats_real["pre_rmspe"] > 0:
            ci = permutation_interval(stats_real["att"], others["att"], alpha=alpha, scale=stats_real["pre_rmspe"],
                                      placebo_scales=others["pre_rmspe"])
        else:
            ci = permutation_interval(stats_real["att"], others["att"], alpha=alpha)
    weights = (pd.DataFrame({"unit": donors, "weight": np.round(w, 10) + 0.0})
               .sort_values(["weight", "unit"], ascending=[False, True], key=None, ignore_index=True))
    shift = float(level[treated_unit])
    path = pd.DataFrame({"time": times, "treated": wide[treated_unit].to_numpy(float) + shift,
                         "synthetic": synth + shift, "gap": gap, "post": post_mask})
    summary = pd.DataFrame([{**stats_real, "rank": int(plac.loc[plac["treated"], "rank"].iloc[0]),
                             "p_value": p, "n_donors": len(donors), "ci_low": ci["ci_low"],
                             "ci_high": ci["ci_high"], "ci_level": ci["level"]}])
    vtab = None if v is None else pd.DataFrame({"predictor": predictors, "v": np.round(v, 10)})
    loo = None
    if leave_one_out:
        loo_rows = []
        for u, wu in zip(donors, w, strict=True):
            if wu <= 1e-3 or len(donors) < 2:
                continue
            pool = [c for c in donors if c != u]
            _, _, _, _, st = run(treated_unit, pool)
            loo_rows.append({"dropped": u, "weight_dropped": float(round(wu, 10)), "att": st["att"],
                             "pre_rmspe": st["pre_rmspe"], "change": st["att"] - stats_real["att"]})
        loo = pd.DataFrame(loo_rows, columns=["dropped", "weight_dropped", "att", "pre_rmspe", "change"])
        loo = loo.sort_values(["weight_dropped", "dropped"], ascending=[False, True], ignore_index=True)
    return SyntheticControl(
        weights=weights,
        path=path,
        summary=summary,
        placebos=plac.assign(_u=plac["unit"].astype(str)).sort_values(
            ["rank", "treated", "_u"], ascending=[True, False, True], ignore_index=True).drop(columns="_u"),
        gaps=pd.concat(gaps, ignore_index=True),
        predictor_weights=vtab,
        leave_one_out=loo,
    )


# --------------------------------------------------------------------------------------
# the figures that feed the synthesis
# --------------------------------------------------------------------------------------


def territorial_evidence(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    start,
    treated: str | Sequence = "treated",
    alpha: float = 0.10,
    margin: float = 0.3,
    n_placebo_years: int = 5,
    studentize: bool = False,
    synth: bool = True,
    synth_demean: bool = True,
) -> dict:
    """The territorial figures that feed the contribution synthesis, each with an inference
    valid with one treated territory.

    - ``did_estimate`` with the permutation interval ``did_ci_low, did_ci_high`` at level
      ``did_level`` (:func:`permutation_interval`, Conley & Taber 2011; studentised by the
      pre-period gap SD when ``studentize``, Ferman & Pinto 2019);
    - ``placebo_space_p`` and its smallest attainable value ``placebo_space_min_p`` =
      1 / (J + 1); ``placebo_time_p`` and ``placebo_time_min_p`` = 1 / (n_placebo_years + 1);
    - ``synth_att`` with ``synth_ci_low, synth_ci_high`` at ``synth_level``
      (:func:`synthetic_control`, one treated unit only, NaN otherwise; by default the
      demeaned variant with the raw placebo-inversion interval: on generated demo panels
      the level fit often leaves the treated territory outside the comparisons' range and
      its interval is then uninformative, see docs/methods.md);
    - ``pretrend_equivalence_p`` (TOST of :func:`pretrend_equivalence` with ``margin`` per
      period) and ``pretrend_bias_bound``.

    Returns
    -------
    dict
        The figures above plus ``n_placebos``, ``margin``.

    Examples
    --------
    >>> d = pd.DataFrame({"u": np.repeat(np.arange(12), 10), "t": np.tile(np.arange(2010, 2020), 12)})
    >>> d["treated"] = d["u"] == 0
    >>> d["y"] = d["u"] + 0.5 * np.sin(np.arange(120) ** 2) + np.where(d.treated & (d.t >= 2016), 3.0, 0.0)
    >>> ev = territorial_evidence(d, "y", "u", "t", start=2016, margin=0.3, n_placebo_years=3)
    >>> ev["did_ci_low"] > 0, ev["placebo_space_min_p"] == 1 / 12, ev["placebo_time_min_p"]
    (True, True, 0.25)
    """
    units = _treated_units(data, unit, treated)
    space = placebo_in_space(data, outcome, unit, time, start, treated=treated, studentize=studentize)
    real = space.loc[space["treated"]].iloc[0]
    pl = space.loc[~space["treated"]]
    if studentize:
        perm = permutation_interval(real["estimate"], pl["estimate"], alpha=alpha, scale=real["scale"],
                                    placebo_scales=pl["scale"])
    else:
        perm = permutation_interval(real["estimate"], pl["estimate"], alpha=alpha)
    timep = placebo_in_time(data, outcome, unit, time, start, treated=treated, n_placebo_years=n_placebo_years)
    n_time = int(timep["placebo"].sum())
    pe = pretrend_equivalence(data, outcome, unit, time, start, margin=margin, treated=treated).iloc[0]
    out = {
        "did_estimate": float(real["estimate"]), "did_ci_low": perm["ci_low"], "did_ci_high": perm["ci_high"],
        "did_level": perm["level"], "n_placebos": int(len(pl)),
        "placebo_space_p": float(real["p_value"]), "placebo_space_min_p": 1 / (len(pl) + 1),
        "placebo_time_p": float(timep.loc[~timep["placebo"], "p_value"].iloc[0]),
        "placebo_time_min_p": 1 / (n_time + 1),
        "pretrend_equivalence_p": float(pe["p_value"]), "pretrend_bias_bound": float(pe["bias_bound"]),
        "pretrend_slope": float(pe["estimate"]), "margin": float(margin),
        "synth_att": np.nan, "synth_ci_low": np.nan, "synth_ci_high": np.nan, "synth_level": np.nan,
    }
    if synth and len(units) == 1:
        sc = synthetic_control(data, outcome, unit, time, next(iter(units)), start, alpha=alpha,
                               demean=synth_demean, studentize=not synth_demean)
        s = sc.summary.iloc[0]
        out |= {"synth_att": float(s["att"]), "synth_ci_low": float(s["ci_low"]), "synth_ci_high": float(s["ci_high"]),
                "synth_level": float(s["ci_level"])}
    return out


# staggered adoption (Callaway & Sant'Anna 2021) lives in rd_methods.staggered; re-exported here
from rd_methods.staggered import staggered_did  # noqa: E402,F401

__all__ += ["staggered_did"]


# ---------------------------------------------------------------------------
# the territorial-effects page in one call, and its key results
# ---------------------------------------------------------------------------
OUTCOME_LABELS = {"employment": "emplois", "jobseekers": "demandeurs d'emploi",
                  "establishments_created": "créations d'établissements"}


@dataclass
class TerritorialAnalysis:
    """Everything the territorial-effects page shows, computed once by :func:`territorial_analysis`.

    ``panel`` is the rate panel with ``post`` and ``treated_post``; ``y`` its outcome column;
    ``did`` (:func:`did_2x2`); ``twfe_cluster``, ``twfe_hc1``, ``twfe_ols`` (:func:`twfe` with
    three covariance types, description only); ``event`` (:func:`event_study`); ``space`` and
    ``space_studentized`` (:func:`placebo_in_space`, raw and studentised); ``time_placebos``
    (:func:`placebo_in_time`); ``perm`` (the permutation interval that feeds the synthesis:
    studentised when ``studentize``) and ``perm_other`` (the other variant, a check);
    ``equivalence`` (:func:`pretrend_equivalence`, one row); ``synth`` and ``synth_predictors``
    (:func:`synthetic_control`, None with several treated territories or no predictors).
    """

    panel: pd.DataFrame
    y: str
    start: int
    alpha: float
    margin: float
    studentize: bool
    treated_codes: list
    comparison_codes: list
    did: pd.DataFrame
    twfe_cluster: pd.DataFrame
    twfe_hc1: pd.DataFrame
    twfe_ols: pd.DataFrame
    event: pd.DataFrame
    space: pd.DataFrame
    space_studentized: pd.DataFrame
    time_placebos: pd.DataFrame
    perm: dict
    perm_other: dict
    equivalence: pd.Series
    synth: SyntheticControl | None = None
    synth_predictors: SyntheticControl | None = None

    @property
    def real(self) -> pd.Series:
        """The treated territory's row of the placebo-in-space table used for the synthesis."""
        return self.space.loc[self.space["treated"]].iloc[0]

    @property
    def n_comparisons(self) -> int:
        return len(self.comparison_codes)

    @property
    def n_time_placebos(self) -> int:
        return int(self.time_placebos["placebo"].sum())

    @property
    def time_p(self) -> float:
        return float(self.time_placebos.loc[~self.time_placebos["placebo"], "p_value"].iloc[0])


def territorial_analysis(territory_panel: pd.DataFrame, outcome: str = "employment", *, per: float = 1000,
                         start: int, unit: str = "territory_code", time: str = "year", treated: str = "treated",
                         alpha: float = 0.10, margin: float = 0.3, n_placebo_years: int = 5,
                         studentize: bool = False, seed: int = 42,
                         synth_predictors: Sequence[str] = ()) -> TerritorialAnalysis:
    """Run every design of the territorial-effects page on one territory panel.

    The rate ``<outcome>_per_<per>`` (:func:`rates`) is compared between the treated territory
    and the comparisons before and after ``start``: 2×2 difference-in-differences, two-way fixed
    effects (cluster, HC1 and homoskedastic, for description), event study, placebos in space
    and in time, the permutation interval of Conley & Taber (2011) (studentised as in Ferman &
    Pinto 2019 when ``studentize``; the other variant is kept as a check), the pre-trend
    equivalence test with ``margin`` and, with one treated territory, the demeaned synthetic
    control with its leave-one-out table (and a variant with ``synth_predictors``). The
    figures are the same as :func:`territorial_evidence`'s.
    """
    panel = rates(territory_panel, per=per)
    y = f"{outcome}_per_{per:g}"
    is_treated = panel[treated].astype(bool)
    treated_codes = sorted(panel.loc[is_treated, unit].unique())
    comparison_codes = sorted(set(panel[unit]) - set(treated_codes))
    panel["post"] = (panel[time] >= start).astype(int)
    panel["treated_post"] = (is_treated & (panel[time] >= start)).astype(float)
    space = placebo_in_space(panel, y, unit, time, start, treated=treated, studentize=studentize)
    space_st = (space if studentize else
                placebo_in_space(panel, y, unit, time, start, treated=treated, studentize=True))
    space_raw = placebo_in_space(panel, y, unit, time, start, treated=treated) if studentize else space

    def interval(sp: pd.DataFrame, scaled: bool) -> dict:
        real, pl = sp.loc[sp["treated"]].iloc[0], sp.loc[~sp["treated"]]
        if scaled:
            out = permutation_interval(real["estimate"], pl["estimate"], alpha=alpha, scale=real["scale"],
                                       placebo_scales=pl["scale"])
            p = permutation_p_value(real["statistic"], pl["statistic"])
        else:
            out = permutation_interval(real["estimate"], pl["estimate"], alpha=alpha)
            p = permutation_p_value(real["estimate"], pl["estimate"])
        return dict(out) | {"p_value": float(p)}

    perm = interval(space, studentize)
    perm_other = interval(space_raw if studentize else space_st, not studentize)
    one = len(treated_codes) == 1
    return TerritorialAnalysis(
        panel=panel, y=y, start=int(start), alpha=float(alpha), margin=float(margin), studentize=bool(studentize),
        treated_codes=treated_codes, comparison_codes=comparison_codes,
        did=did_2x2(panel, y, treated, "post"),
        twfe_cluster=twfe(panel, y, unit, time, "treated_post", seed=seed),
        twfe_hc1=twfe(panel, y, unit, time, "treated_post", cov_type="HC1"),
        twfe_ols=twfe(panel, y, unit, time, "treated_post", cov_type="nonrobust"),
        event=event_study(panel, y, unit, time, start, treated=treated),
        space=space, space_studentized=space_st,
        time_placebos=placebo_in_time(panel, y, unit, time, start, treated=treated, n_placebo_years=n_placebo_years),
        perm=perm, perm_other=perm_other,
        equivalence=pretrend_equivalence(panel, y, unit, time, start, margin=margin).iloc[0],
        synth=(synthetic_control(panel, y, unit, time, treated_codes[0], start, alpha=alpha, demean=True,
                                 studentize=False, leave_one_out=True) if one else None),
        synth_predictors=(synthetic_control(panel, y, unit, time, treated_codes[0], start, alpha=alpha,
                                            predictors=list(synth_predictors), placebo=False)
                          if one and synth_predictors else None),
    )


def inference_table(a: TerritorialAnalysis) -> pd.DataFrame:
    """The effect's intervals and p-values under each inference, the retained one first.

    Returns ``method`` (French), ``ci_low``, ``ci_high``, ``p_value``, ``valid`` (True only for
    the permutation inference, the one valid with a single treated territory).
    """
    kind = "studentisée" if a.studentize else "brute"
    other = "brute" if a.studentize else "studentisée"
    rows = [(f"Permutation {kind}, placebos dans l'espace : retenue", a.perm["ci_low"], a.perm["ci_high"],
             float(a.real["p_value"]), True),
            (f"Permutation {other} : vérification", a.perm_other["ci_low"], a.perm_other["ci_high"],
             a.perm_other["p_value"], True)]
    for name, fit in (("Erreurs homoscédastiques", a.twfe_ols), ("Hétéroscédasticité (HC1)", a.twfe_hc1),
                      ("Grappes de territoires (CRV1)", a.twfe_cluster)):
        r = fit.iloc[0]
        rows.append((name, float(r["ci_low"]), float(r["ci_high"]), float(r["p_value"]), False))
    return pd.DataFrame(rows, columns=["method", "ci_low", "ci_high", "p_value", "valid"])


def key_results(a: TerritorialAnalysis, unit_label: str = "pour 1 000 habitants",
                outcome_label: str = "emplois") -> pd.DataFrame:
    """The key results of the territorial-effects page, one row per recorded figure.

    ``counterfactual.did_estimate`` with the permutation interval (the only inference valid
    with one treated territory), the TWFE estimate (description), the permutation p-values in
    space and time with their smallest attainable values, the pre-trend joint test and the
    equivalence test (with its margin) and, with one treated territory, the synthetic
    control's post/pre RMSPE ratio and mean gap with its placebo-inversion interval.

    Returns
    -------
    DataFrame
        ``key, value, label, unit, ci_low, ci_high, note``.
    """
    from rd_methods.formats import format_number, format_p, format_pct

    nan = float("nan")
    what = f"{outcome_label} {unit_label}"
    real, J, n_time = a.real, a.n_comparisons, a.n_time_placebos
    st = " studentisée" if a.studentize else ""
    eq = a.equivalence
    rows = [
        ("counterfactual.did_estimate", float(a.did["estimate"].iloc[0]), f"Différence de différences ({what})",
         unit_label, a.perm["ci_low"], a.perm["ci_high"],
         f"intervalle par permutation{st}, placebos dans l'espace (Conley et Taber), valable avec un seul "
         f"territoire traité, niveau {format_pct(a.perm['level'], 1)}"),
        ("counterfactual.twfe_estimate", float(a.twfe_hc1["estimate"].iloc[0]),
         f"Effets fixes territoire et année ({what})", unit_label, nan, nan,
         "description seulement : même nombre que la différence de différences, pas une preuve de plus ; "
         "son intervalle HC1 n'est pas valable avec un seul territoire traité et n'est pas enregistré"),
        ("counterfactual.placebo_space_p", float(real["p_value"]), "p-valeur de permutation (placebos dans l'espace)",
         None, nan, nan, f"rang {int(real['rank'])} sur {J + 1}"),
        ("counterfactual.placebo_space_min_p", 1 / (J + 1), "Plus petite p-valeur possible (placebos dans l'espace)",
         None, nan, nan, f"1 / ({J} placebos + 1)"),
        ("counterfactual.placebo_time_p", a.time_p, "p-valeur de permutation (placebos dans le temps)",
         None, nan, nan, None),
        ("counterfactual.placebo_time_min_p", 1 / (n_time + 1), "Plus petite p-valeur possible (placebos dans le temps)",
         None, nan, nan, f"1 / ({n_time} années placebo + 1)"),
        ("counterfactual.pretrend_p", float(a.event.tests["pretrend"]["p_value"]),
         "Test des tendances parallèles avant le démarrage (p-valeur)", None, nan, nan,
         "description : ne pas rejeter n'est pas prouver l'absence de tendance"),
        ("counterfactual.pretrend_equivalence_p", float(eq["p_value"]),
         "Équivalence des tendances d'avant (test TOST, p-valeur)", None, nan, nan,
         f"marge ±{format_number(a.margin)} par an ; biais maximal correspondant {format_number(eq['bias_bound'], 2)}"),
        ("counterfactual.pretrend_equivalence_margin", a.margin, "Marge d'équivalence des tendances d'avant",
         f"{unit_label} par an", nan, nan, None),
    ]
    if a.synth is not None:
        s = a.synth.summary.iloc[0]
        rows += [
            ("counterfactual.synth_post_pre_ratio", float(s["ratio"]),
             "Contrôle synthétique : rapport des écarts après et avant le démarrage", None, nan, nan,
             f"rang {int(s['rank'])} sur {J + 1}, p = {format_p(s['p_value'])}"),
            ("counterfactual.synth_att", float(s["att"]), f"Contrôle synthétique : écart moyen depuis {a.start}",
             unit_label, float(s["ci_low"]), float(s["ci_high"]),
             f"intervalle par inversion du test placebo (Firpo et Possebom), niveau {format_pct(s['ci_level'], 1)} ; "
             "contrôle synthétique centré (Ferman et Pinto)"),
        ]
    out = pd.DataFrame(rows, columns=["key", "value", "label", "unit", "ci_low", "ci_high", "note"])
    out["value"] = pd.Series([r[1] for r in rows], dtype=object)  # an integer count stays an integer
    return out
