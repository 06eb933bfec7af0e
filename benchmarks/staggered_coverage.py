"""Coverage of the staggered-adoption intervals over generated campaigns (issue 16, point 5).

Run: ``.venv/bin/python benchmarks/staggered_coverage.py`` (about 8 minutes on one core).
For 40 seeds, generates a ``--staggered`` demo campaign (scale 0.1) with and without the
planted effects, and counts how often the 95 % permutation interval (199 permutations) and the
analytic interval of the simple aggregate cover the planted ``simple_att``, and how often the
permutation test rejects at 5 %. Figures recorded in docs/methods.md (staggered section).
"""

import time

import numpy as np

from rd_methods import staggered as st
from rd_methods.counterfactual import rates
from rd_methods.demo import DemoOptions, generate

if __name__ == "__main__":
    rows = []
    t0 = time.time()
    for seed in range(40):
        for eff in (True, False):
            tables, _, truth = generate(DemoOptions(seed=1000 + seed, scale=0.1, staggered=True,
                                                    territorial_effect=eff, resilience_effect=eff))
            p = rates(tables["territory_panel"])
            args = (p, "employment_per_1000", "territory_code", "year", "first_treated_year")
            perm = st.permutation_inference(*args, n_perm=199, seed=seed)
            an = st.staggered_did(*args).aggregate("simple").overall
            tr = truth["staggered"]["simple_att"]
            rows.append((eff, perm["ci_low"] <= tr <= perm["ci_high"], an["ci_low"] <= tr <= an["ci_high"],
                         perm["p_value"] < 0.05, perm["estimate"] - tr))
    r = np.array(rows, dtype=float)
    for eff in (1.0, 0.0):
        m = r[r[:, 0] == eff]
        print("planted effects" if eff else "no effect", "n", len(m), "permutation coverage", m[:, 1].mean(),
              "analytic coverage", m[:, 2].mean(), "rejections at 5 %", m[:, 3].mean(),
              "mean error", round(float(m[:, 4].mean()), 3))
    print(f"{time.time() - t0:.0f} s")
