"""Calibration of the territorial intervals that feed the synthesis (DESIGN.md §11).

Over many territory panels drawn by the demo generator's territory part (the same code as
``rd-methods demo``, with and without ``--no-effect``), the permutation interval of the
difference in differences and the placebo-inversion interval of the synthetic control cover
the planted effect at about their level, and campaigns without effect never rate the
territory link ``moderate`` or ``strong``; with the planted effect, most do. No kernel is
started: the figures come from :func:`rd_methods.counterfactual.territorial_evidence`, the
function notebook 50 records its synthesis keys with.
"""

import numpy as np
import pandas as pd
import pytest

from rd_methods import counterfactual as cf
from rd_methods import demo
from rd_methods import synthesis as syn

N_SEEDS = 20
OUTCOME = "employment_per_1000"


def territory_panel(seed: int, effect: bool):
    """The demo generator's territory panel (2010-2025) and the planted mean post-period effect."""
    _, territories = demo._geography()
    opts = demo.DemoOptions(seed=seed, last_year=2025, territorial_effect=effect, resilience_effect=effect)
    raw, truth = demo._territory_panel(demo._rng(opts, "territory_panel"), opts, territories)
    post = [y for y in truth["expected"] if y >= opts.start_year]
    planted = float(np.mean([truth["expected"][y] - truth["counterfactual"][y] for y in post]))
    return cf.rates(raw, columns=["employment"]), planted, opts.start_year


def as_results(ev: dict) -> pd.DataFrame:
    """The keys notebook 50 records, from territorial_evidence's figures."""
    rows = [
        ("counterfactual.did_estimate", ev["did_estimate"], ev["did_ci_low"], ev["did_ci_high"]),
        ("counterfactual.synth_att", ev["synth_att"], ev["synth_ci_low"], ev["synth_ci_high"]),
        ("counterfactual.pretrend_equivalence_p", ev["pretrend_equivalence_p"], None, None),
        ("counterfactual.placebo_space_p", ev["placebo_space_p"], None, None),
        ("counterfactual.placebo_space_min_p", ev["placebo_space_min_p"], None, None),
        ("counterfactual.placebo_time_p", ev["placebo_time_p"], None, None),
        ("counterfactual.placebo_time_min_p", ev["placebo_time_min_p"], None, None),
    ]
    frame = pd.DataFrame(rows, columns=["key", "value", "ci_low", "ci_high"])
    frame["value"] = frame["value"].astype(object)
    return frame


def run(effect: bool, seeds=range(N_SEEDS), **kwargs) -> pd.DataFrame:
    rows = []
    for seed in seeds:
        panel, planted, start = territory_panel(seed, effect)
        ev = cf.territorial_evidence(panel, OUTCOME, "territory_code", "year", start, **kwargs)
        res = as_results(ev)
        ev_syn = syn.evaluate_evidence(res)
        link = syn.rate_links(ev_syn).set_index("link").loc["territory", "strength"]
        ruled = syn.alternatives(ev_syn).query("link == 'territory'")["status"].eq("ruled_out").sum()
        rows.append({"seed": seed, "planted": planted, **ev, "strength": link, "n_ruled_out": int(ruled),
                     "did_covers": ev["did_ci_low"] <= planted <= ev["did_ci_high"],
                     "synth_covers": ev["synth_ci_low"] <= planted <= ev["synth_ci_high"]})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def null_runs():
    return run(effect=False)


@pytest.fixture(scope="module")
def effect_runs():
    return run(effect=True)


def _report(name, df):
    print(f"\n[{name}] {len(df)} panels: DiD interval (level {df['did_level'].iloc[0]:.3f}) covers the planted "
          f"effect in {df['did_covers'].mean():.3f}; synthetic-control interval (level {df['synth_level'].iloc[0]:.3f}) "
          f"in {df['synth_covers'].mean():.3f}; territory link: {df['strength'].value_counts().to_dict()}; "
          f"TOST pre-trend passes in {(df['pretrend_equivalence_p'] <= 0.05).mean():.3f}")


@pytest.mark.slow
def test_no_effect_campaigns_rarely_rate_the_territory_link_moderate_or_strong(null_runs):
    """With 18 comparison territories no test can do better than a false-positive rate of
    1/19 two-sided (about 2.6 % on the positive side): "never" is not attainable by any
    valid test, only "at about that rate". Measured over seeds 0-199: 6 panels of 200 (3.0 %);
    here seeds 0-19: 1 of 20 (seed 16, DiD 0.82 [0.29 ; 1.35], synthetic control 0.74 [0.14 ;
    1.34], both ranked first)."""
    _report("no effect", null_runs)
    assert (null_runs["planted"] == 0).all()
    false_rate = null_runs["strength"].isin(["moderate", "strong"]).mean()
    print(f"no-effect panels rated moderate or strong: {false_rate:.3f} (one-sided bound about 1/38 = 0.026)")
    assert false_rate <= 2 / len(null_runs)
    # without an established effect, no rival explanation is shown as ruled out
    assert (null_runs.loc[~null_runs["strength"].isin(["moderate", "strong"]), "n_ruled_out"] == 0).all()
    # the intervals cover zero at about their level (≈ 0.947; binomial sd with 20 panels ≈ 0.05,
    # so >= 0.80 is 3 sd below; over 200 seeds: DiD 0.925, synthetic control 0.930)
    assert null_runs["did_covers"].mean() >= 0.80
    assert null_runs["synth_covers"].mean() >= 0.80
    # placebo in time (5 fake years, smallest p 1/6) never counts as a verdict
    assert (null_runs["placebo_time_min_p"] > syn.ALPHA).all()


@pytest.mark.slow
def test_planted_effect_is_found_and_covered(effect_runs):
    _report("planted effect", effect_runs)
    assert effect_runs["planted"].between(3.0, 4.5).all()
    assert effect_runs["did_covers"].mean() >= 0.80
    assert effect_runs["synth_covers"].mean() >= 0.80
    # with the planted effect (about 6 times the noise SD), most campaigns rate the link moderate or strong
    assert effect_runs["strength"].isin(["moderate", "strong"]).mean() >= 0.8
