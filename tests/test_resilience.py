"""Tests of rd_methods.resilience: hand-computed indices and curves, the demo's planted shock."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from rd_methods import counterfactual as cf
from rd_methods import network as nw
from rd_methods import resilience as rs
from rd_methods.demo import DemoOptions, generate

OUT = "employment_per_1000"


# --------------------------------------------------------------------------- hand panel

#: treated t and comparisons a, b, c; 2019 is the peak, 2020 the trough, c never gets back.
HAND = {
    "t": [100, 100, 96, 100, 101],
    "a": [200, 200, 180, 190, 200],
    "b": [50, 50, 46, 48, 51],
    "c": [80, 80, 76, 78, 79],
}
YEARS = [2018, 2019, 2020, 2021, 2022]


@pytest.fixture
def hand() -> pd.DataFrame:
    rows = [
        {"territory_code": u, "year": y, "treated": u == "t", "y": float(v), "population": 1000 * (i + 1)}
        for i, (u, vals) in enumerate(HAND.items())
        for y, v in zip(YEARS, vals, strict=True)
    ]
    return pd.DataFrame(rows)


def test_reference_is_mean_of_comparisons(hand):
    ref = rs.reference_series(hand, "y")
    # (200 + 50 + 80) / 3, (180 + 46 + 76) / 3
    assert ref.loc[2019] == pytest.approx(110.0)
    assert ref.loc[2020] == pytest.approx(302 / 3)
    loo = rs.reference_series(hand, "y", exclude=["a"])
    assert loo.loc[2020] == pytest.approx(61.0)
    # weighted by population 2000, 3000, 4000: (2*180 + 3*46 + 4*76) / 9
    w = rs.reference_series(hand, "y", weight="population")
    assert w.loc[2020] == pytest.approx((2 * 180 + 3 * 46 + 4 * 76) / 9)


def test_shock_periods_rule_by_hand(hand):
    sp = rs.shock_periods(hand, "y").set_index("phase")
    assert (sp.loc["contraction", "start"], sp.loc["contraction", "end"]) == (2019, 2020)
    # reference 2021: (190 + 48 + 78) / 3 = 105.33 < 110; 2022: (200 + 51 + 79) / 3 = 110 -> back
    assert (sp.loc["recovery", "start"], sp.loc["recovery", "end"]) == (2020, 2022)
    assert sp.loc["contraction", "relative_change"] == pytest.approx(-28 / 330)
    assert bool(sp.loc["recovery", "recovered"])
    assert (sp["source"] == "detected").all()


def test_shock_periods_last_peak_and_not_recovered():
    # two falls: 2013 (-2 %) and the deeper 2016-2017 (-6 % from 2015's 104)
    ref = pd.Series([100, 101, 99, 103, 104, 100, 97.76, 100, 103], index=range(2011, 2020), dtype=float)
    empty = pd.DataFrame(columns=["territory_code", "year", "treated", "y"])
    sp = rs.shock_periods(empty, "y", reference=ref).set_index("phase")
    assert (sp.loc["contraction", "start"], sp.loc["contraction", "end"]) == (2015, 2017)
    assert sp.loc["recovery", "end"] == 2019 and not bool(sp.loc["recovery", "recovered"])
    assert sp.loc["contraction", "relative_change"] == pytest.approx(97.76 / 104 - 1)
    # restricted to the first years, the 2013 fall is found
    early = rs.shock_periods(empty, "y", reference=ref, within=(2011, 2014)).set_index("phase")
    assert (early.loc["contraction", "start"], early.loc["contraction", "end"]) == (2012, 2013)
    assert early.loc["recovery", "end"] == 2014
    # given contraction: recovery from the rule; given both: source "given"
    given = rs.shock_periods(empty, "y", reference=ref, contraction=(2012, 2013)).set_index("phase")
    assert given.loc["recovery", "end"] == 2014 and (given["source"] == "given").all()
    with pytest.raises(ValueError, match="start where the contraction ends"):
        rs.shock_periods(empty, "y", reference=ref, contraction=(2012, 2013), recovery=(2014, 2015))
    with pytest.raises(ValueError, match="never falls"):
        rs.shock_periods(empty, "y", reference=pd.Series([1.0, 2, 3], index=[1, 2, 3]))
    with pytest.raises(ValueError, match="not in the series"):
        rs.shock_periods(empty, "y", reference=ref, contraction=(2000, 2013))


def test_resistance_recovery_by_hand(hand):
    r = rs.resistance_recovery(hand, "y", (2019, 2020), (2020, 2022)).set_index("unit")
    assert list(r.index) == ["t", "a", "b", "c"]
    # t against the mean of a, b, c: g = -4/100, g_ref = -28/330
    assert r.loc["t", "resistance"] == pytest.approx((-0.04 + 28 / 330) / (28 / 330))  # 0.528571
    assert r.loc["t", "resistance"] == pytest.approx(0.528571, abs=1e-6)
    # recovery 2020 -> 2022: g = 5/96, g_ref = (330/3 - 302/3) / (302/3) = 28/302
    assert r.loc["t", "recovery"] == pytest.approx((5 / 96 - 28 / 302) / (28 / 302))
    # net gap 2019 -> 2022: 1/100 - 0 (the reference is back to 110)
    assert r.loc["t", "net_gap"] == pytest.approx(0.01)
    # a against the mean of b and c only (leave-one-out): 65 -> 61 -> 65
    assert r.loc["a", "ref_change_contraction"] == pytest.approx(-4 / 65)
    assert r.loc["a", "resistance"] == pytest.approx((-0.1 + 4 / 65) / (4 / 65))  # -0.625
    assert r.loc["a", "resistance"] == pytest.approx(-0.625)
    assert r.loc["a", "recovery"] == pytest.approx((20 / 180 - 4 / 61) / (4 / 61))
    # years from the 2020 trough to regain the 2019 level; c never does
    assert r["years_to_recover"].tolist()[:3] == [1.0, 2.0, 2.0]
    assert np.isnan(r.loc["c", "years_to_recover"]) and not r.loc["c", "recovered"]
    # ranks: highest index first, ties against, never-back last
    assert r.loc["t", "resistance_rank"] == 1 and r.loc["a", "resistance_rank"] == 4
    assert r["years_to_recover_rank"].tolist() == [1, 3, 3, 4]
    # the shock table gives the same result
    sp = rs.shock_periods(hand, "y")
    pd.testing.assert_frame_equal(rs.resistance_recovery(hand, "y", shock=sp).set_index("unit"), r)


def test_resistance_recovery_given_reference_and_direction(hand):
    ref = pd.Series([100.0, 100, 90, 95, 100], index=YEARS)
    r = rs.resistance_recovery(hand, "y", (2019, 2020), (2020, 2022), reference=ref).set_index("unit")
    assert r.loc["t", "resistance"] == pytest.approx((-0.04 + 0.1) / 0.1)  # 0.6
    assert r.loc["a", "resistance"] == pytest.approx(0.0)
    assert r.loc["a", "recovery"] == pytest.approx((20 / 180 - 10 / 90) / (10 / 90))  # 0
    # a rise is bad (jobseekers): t rises 10 %, the reference 20 % -> resistance +0.5
    js = pd.DataFrame({"territory_code": np.repeat(["t", "a", "b"], 3), "year": [1, 2, 3] * 3,
                       "treated": [True] * 3 + [False] * 6,
                       "y": [10.0, 11, 10, 20, 24, 20, 30, 36, 31]})
    sp = rs.shock_periods(js, "y", higher_is_better=False).set_index("phase")
    assert (sp.loc["contraction", "start"], sp.loc["contraction", "end"]) == (1, 2)
    assert sp.loc["recovery", "end"] == 3
    rj = rs.resistance_recovery(js, "y", (1, 2), (2, 3), higher_is_better=False).set_index("unit")
    assert rj.loc["t", "resistance"] == pytest.approx(0.5)
    assert rj.loc["t", "years_to_recover"] == 1.0
    assert np.isnan(rj.loc["b", "years_to_recover"])  # 31 > 30: not back down


def test_treated_ranks_by_hand():
    t = pd.DataFrame({"unit": ["t", "a", "b", "c", "d"], "treated": [True, False, False, False, False],
                      "resistance": [0.5, 0.5, -0.2, 0.6, np.nan],
                      "years_to_recover": [1.0, 1.0, 3.0, np.nan, 2.0]})
    r = rs.treated_ranks(t, ["resistance", "years_to_recover"]).set_index("measure")
    # resistance: a ties (counted against), c higher; d undefined is left out -> 3 / 4
    assert r.loc["resistance", "rank"] == 3 and r.loc["resistance", "n"] == 4
    assert r.loc["resistance", "p_value"] == pytest.approx(0.75)
    # years: a ties at 1 (against), never-back c counts as slower -> rank 2 of 5
    assert r.loc["years_to_recover", "p_value"] == pytest.approx(2 / 5)
    assert r.loc["resistance", "comparison_median"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="no treated"):
        rs.treated_ranks(t.assign(treated=False), ["resistance"])


def test_shock_index(hand):
    idx = rs.shock_index(hand, "y", base=2019)
    t = idx.loc[idx["unit"] == "t", "index"].tolist()
    assert t == pytest.approx([100, 100, 96, 100, 101])
    ref = idx.loc[idx["unit"] == "reference"].set_index("time")["index"]
    assert ref.loc[2020] == pytest.approx(302 / 330 * 100)
    with pytest.raises(ValueError, match="base period"):
        rs.shock_index(hand, "y", base=1990)


def test_bad_input(hand):
    with pytest.raises(KeyError, match="no column"):
        rs.resistance_recovery(hand, "nope", (2019, 2020), (2020, 2022))
    with pytest.raises(ValueError, match="give contraction"):
        rs.resistance_recovery(hand, "y")
    with pytest.raises(ValueError, match="not in the panel"):
        rs.resistance_recovery(hand, "y", (2019, 2020), (2020, 2030))
    with pytest.raises(ValueError, match="several rows"):
        rs.resistance_recovery(pd.concat([hand, hand.iloc[:1]]), "y", (2019, 2020), (2020, 2022))
    with pytest.raises(ValueError, match="no comparison"):
        rs.reference_series(hand.assign(treated=True), "y")


# --------------------------------------------------------------------------- demo shock


def _panel(seed: int, **options) -> tuple[pd.DataFrame, dict]:
    tables, _meta, truth = generate(DemoOptions(seed=seed, last_year=2025, **options))
    return cf.rates(tables["territory_panel"]), truth


def _score(panel: pd.DataFrame):
    sp = rs.shock_periods(panel, OUT)
    table = rs.resistance_recovery(panel, OUT, shock=sp)
    return sp.set_index("phase"), table, rs.treated_ranks(table).set_index("measure")


def test_demo_2025_shock_found():
    from rd_methods.campaign import Campaign

    camp = Campaign.load("demo-2025")
    truth = camp.ground_truth["resilience"]
    sp, table, ranks = _score(cf.rates(camp["territory_panel"]))
    # the planted contraction is found exactly; the recovery ends when the reference is back
    # to its 2019 level (2022 in the model without noise; noise can delay it by a year)
    assert (sp.loc["contraction", "start"], sp.loc["contraction", "end"]) == tuple(truth["contraction"])
    assert sp.loc["recovery", "start"] == truth["recovery"][0]
    assert sp.loc["recovery", "end"] in (truth["recovery"][1], truth["recovery"][1] + 1)
    # the reference falls by about the comparisons' planted depth (plus one year of trend)
    assert sp.loc["contraction", "relative_change"] == pytest.approx(truth["comparison_drop"], abs=0.004)
    # treated: rank 1 of 19 on resistance and on the time to regain its level
    assert ranks.loc["resistance", "rank"] == 1 and ranks.loc["resistance", "n"] == 19
    assert ranks.loc["resistance", "p_value"] == pytest.approx(1 / 19)
    assert ranks.loc["years_to_recover", "estimate"] == 1.0
    assert ranks.loc["years_to_recover", "p_value"] == pytest.approx(1 / 19)
    # its own drop is close to the planted -1 % (+ trend and the territorial ramp, ~+0.4 %)
    t = table.loc[table["treated"]].iloc[0]
    assert t["change_contraction"] == pytest.approx(truth["treated_drop"] + 0.004, abs=0.004)


@pytest.mark.parametrize("seed", [1, 2])
def test_demo_planted_difference_found_and_not_without_it(seed):
    on, _ = _panel(seed)
    off, truth_off = _panel(seed, resilience_effect=False)
    null, _ = _panel(seed, resilience_effect=False, territorial_effect=False)
    assert truth_off["resilience"]["treated_drop"] == truth_off["resilience"]["comparison_drop"]
    sp, t_on, r_on = _score(on)
    _, t_off, r_off = _score(off)
    _, _, r_null = _score(null)
    # planted: rank 1
    assert r_on.loc["resistance", "rank"] == 1
    # same seed, same noise: only the treated depth changes (2.2 % -> 1.0 % in 2020), so the
    # resistance rises by (0.022 - 0.010) * E_2020^pre-shock / E_peak / |g_ref| (E^pre ~ E_peak)
    g_ref = -sp.loc["contraction", "relative_change"]
    row_on = t_on.loc[t_on["treated"]].iloc[0]
    row_off = t_off.loc[t_off["treated"]].iloc[0]
    shift = row_on["resistance"] - row_off["resistance"]
    assert shift == pytest.approx(0.012 / g_ref, rel=0.03)
    # no planted difference: the treated territory is not singled out (rank > 2 of 19)
    assert r_null.loc["resistance", "p_value"] > 2 / 19
    assert r_null.loc["years_to_recover", "p_value"] > 2 / 19
    assert r_off.loc["years_to_recover", "p_value"] > 2 / 19
    assert row_off["resistance"] < 0.35 < row_on["resistance"]


# --------------------------------------------------------------------------- attack curves


def test_star_collapses_under_targeted_removal():
    G = nx.star_graph(4)  # hub 0 and 4 leaves
    curve = rs.attack_tolerance(G, "degree")
    assert curve["removed"].tolist() == [0, 1, 2, 3, 4, 5]
    assert curve["giant_share"].tolist() == pytest.approx([1, 0.2, 0.2, 0.2, 0.2, 0])
    # intact efficiency: (4 hub-leaf pairs at 1 + 6 leaf-leaf pairs at 1/2) / 10 = 0.7
    assert curve["efficiency"].iloc[0] == pytest.approx(0.7)
    assert curve["efficiency"].iloc[0] == pytest.approx(nx.global_efficiency(G))
    assert curve["efficiency"].iloc[1:].tolist() == pytest.approx([0] * 5)
    # trapezoids of width 0.2: (1 + .2)/2 + 3 * .2 + .2/2 = 1.3 -> 0.26
    assert rs.robustness_auc(curve) == pytest.approx(0.26)
    # betweenness picks the hub too; random removal rarely does
    assert rs.attack_tolerance(G, "betweenness")["giant_share"].iloc[1] == pytest.approx(0.2)
    assert rs.robustness_auc(rs.attack_tolerance(G, "random", seed=3)) > 0.26


def test_ring_degrades_gradually():
    G = nx.cycle_graph(6)
    curve = rs.attack_tolerance(G, "degree")
    # remove 0 (ties -> node order): path 1..5; then 2 (degree 2, first): {1}, {3, 4, 5};
    # then 4: singletons; then the singletons one by one
    assert curve["giant_share"].tolist() == pytest.approx([1, 5 / 6, 3 / 6, 1 / 6, 1 / 6, 1 / 6, 0])
    # intact: each node sees 1, 1, 1/2, 1/2, 1/3 -> 10/3 per node; 6 * 10/3 / 30 = 2/3
    # path of 5: 2 * (4 * 1 + 3/2 + 2/3 + 1/4) = 12.8333 over the intact 30 ordered pairs
    assert curve["efficiency"].iloc[:2].tolist() == pytest.approx([2 / 3, 2 * (4 + 1.5 + 2 / 3 + 0.25) / 30])
    assert rs.robustness_auc(curve) == pytest.approx(14 / 36)
    # random removal: the first removal always leaves a path of 5
    for seed in (0, 1, 2):
        assert rs.attack_tolerance(G, "random", seed=seed)["giant_share"].iloc[1] == pytest.approx(5 / 6)


def test_steps_batches_and_recomputed_order():
    # batches: 10-node star in 5 steps removes 2 actors per step; the first batch takes the hub
    curve = rs.attack_tolerance(nx.star_graph(9), "degree", steps=5)
    assert curve["removed"].tolist() == [0, 2, 4, 6, 8, 10]
    assert curve["giant_share"].iloc[1] == pytest.approx(0.1)
    # barbell: two 5-cliques joined through node 5; betweenness removes the bridge first
    b = rs.attack_tolerance(nx.barbell_graph(5, 1), "betweenness", steps=None, max_fraction=2 / 11)
    # then the cliques have no betweenness: node 0 goes (ties -> node order), 5 remain
    assert b["giant_share"].tolist() == pytest.approx([1, 5 / 11, 5 / 11])
    # recomputed order: on a path 0-1-2-3-4-5-6, degree removes 1 (first of the degree-2 ties),
    # then 3 (2 now has degree 1), then 5, leaving singletons and a pair at most
    p = rs.attack_tolerance(nx.path_graph(7), "degree", max_fraction=3 / 7)
    assert p["giant_share"].tolist() == pytest.approx([1, 5 / 7, 3 / 7, 1 / 7])


def test_sampled_efficiency_is_close_and_seeded():
    G = nx.barabasi_albert_graph(300, 3, seed=1)
    exact = rs.attack_tolerance(G, "degree", steps=4, efficiency_sources=300)  # every source
    sampled = rs.attack_tolerance(G, "degree", steps=4, efficiency_sources=100, seed=5)
    assert exact["efficiency"].iloc[0] == pytest.approx(nx.global_efficiency(G))
    assert sampled["efficiency"].iloc[0] == pytest.approx(exact["efficiency"].iloc[0], rel=0.03)
    assert sampled["giant_share"].tolist() == exact["giant_share"].tolist()
    again = rs.attack_tolerance(G, "degree", steps=4, efficiency_sources=100, seed=5)
    pd.testing.assert_frame_equal(sampled, again)
    r1 = rs.attack_tolerance(G, "random", steps=10, seed=1)
    pd.testing.assert_frame_equal(r1, rs.attack_tolerance(G, "random", steps=10, seed=1))
    assert not r1["giant_share"].equals(rs.attack_tolerance(G, "random", steps=10, seed=2)["giant_share"])


def test_giant_curve_backward_pass_equals_a_search_per_step(monkeypatch):
    # the backward (nodes coming back) pass must give, at every step, the largest component
    # that networkx finds on the remaining network, for random and targeted removal orders
    rng = np.random.default_rng(3)
    for G in (nx.barabasi_albert_graph(300, 2, seed=1), nx.disjoint_union(nx.path_graph(40), nx.star_graph(30)),
              nx.gnp_random_graph(200, 0.015, seed=4)):
        A, nodes = rs._adjacency(G)
        upper = sparse.triu(A, k=1).tocoo()
        order = rng.permutation(len(nodes))
        n = len(nodes)
        cuts = [0, 0, 7, n // 3, n // 3 + 1, n // 2, n - 5, n]
        drops = [order[a:b] for a, b in zip([0, *cuts[:-1]], cuts, strict=True)]
        got = rs._giant_curve(upper.row.astype(np.int64), upper.col.astype(np.int64), len(nodes), drops)
        expected = []
        for b in cuts:
            H = G.subgraph([nodes[i] for i in order[b:]])
            expected.append(max((len(c) for c in nx.connected_components(H)), default=0))
        assert got.tolist() == expected
    # several orders replayed at once (as disjoint copies, in batches) give each order's curve
    u, v = upper.row.astype(np.int64), upper.col.astype(np.int64)
    runs = [[p[a:b] for a, b in zip([0, *cuts[:-1]], cuts, strict=True)]
            for p in (rng.permutation(n) for _ in range(5))]
    alone = np.array([rs._giant_curve(u, v, n, drops) for drops in runs])
    assert (rs._giant_curves(u, v, n, runs) == alone).all()
    monkeypatch.setattr(rs, "_BATCH_ENTRIES", 2 * (n + len(u)))  # two copies per batch
    assert (rs._giant_curves(u, v, n, runs) == alone).all()
    # and attack_tolerance's degree curve equals one recomputed step by step with networkx
    G = nx.barabasi_albert_graph(120, 2, seed=7)
    curve = rs.attack_tolerance(G, "degree", steps=12)
    H, removed, shares = G.copy(), 0, [1.0]
    for target in curve["removed"].iloc[1:]:
        while removed < target:
            deg = dict(H.degree())
            top = sorted(H.nodes, key=lambda v: (-deg[v], list(G.nodes).index(v)))[: target - removed]
            H.remove_nodes_from(top)
            removed += len(top)
        shares.append(max((len(c) for c in nx.connected_components(H)), default=0) / 120)
    assert curve["giant_share"].tolist() == pytest.approx(shares)


def test_attack_tolerance_bad_input():
    with pytest.raises(ValueError, match="strategy"):
        rs.attack_tolerance(nx.path_graph(3), "closeness")
    with pytest.raises(ValueError, match="at least 2"):
        rs.attack_tolerance(nx.empty_graph(1))
    with pytest.raises(ValueError, match="max_fraction"):
        rs.attack_tolerance(nx.path_graph(3), max_fraction=0)
    with pytest.raises(TypeError):
        rs.attack_tolerance(pd.DataFrame())


def test_randomised_networks_keep_degrees_and_reveal_bridges():
    G = nx.barbell_graph(10, 0)  # two 10-cliques joined by one edge
    A, _ = rs._adjacency(G)
    H = nx.from_scipy_sparse_array(nw._rewired(A, np.random.default_rng(0), rewires_per_edge=2))
    assert [d for _, d in sorted(H.degree())] == [d for _, d in sorted(G.degree())]  # every actor's degree
    assert nx.number_of_selfloops(H) == 0 and H.number_of_edges() == G.number_of_edges()  # simple graph
    assert not nx.utils.edges_equal(H.edges(), G.edges())
    # a thorough rewiring mixes the two cliques: many ties now cross between them
    mixed = nx.from_scipy_sparse_array(nw._rewired(A, np.random.default_rng(0), rewires_per_edge=10))
    assert sum((u < 10) != (v < 10) for u, v in mixed.edges()) > 20
    res = rs.compare_with_random(G, "degree", steps=10, n_random=10, seed=4, null="projected")
    gs = res.set_index("measure").loc["giant_share"]
    # the bridge's ends go first and split the network in two halves of 9: far less robust
    # than the same degrees wired at random
    assert gs["estimate"] < gs["ci_low"]
    assert gs["p_value"] == pytest.approx(1.0)
    assert set(res.curves["network"]) == {"observed", "random"}
    assert res.curves["replicate"].nunique() == 11
    again = rs.compare_with_random(G, "degree", steps=10, n_random=10, seed=4, null="projected")
    pd.testing.assert_frame_equal(pd.DataFrame(res), pd.DataFrame(again))
    assert gs["min_p"] == pytest.approx(1 / 11) and gs["null"] == "projected"
    with pytest.raises(ValueError, match="build_graph"):
        rs.compare_with_random(G, n_random=2)  # the bipartite null needs the incidence


def _event_network(seed=0):
    """Workshops of 6 drawn within two halves of 60 actors, plus a few mixed ones."""
    rng = np.random.default_rng(seed)
    rows = []
    for e in range(40):
        pool = range(60) if e % 10 == 0 else (range(30) if e % 2 else range(30, 60))
        for a in rng.choice(list(pool), 6, replace=False):
            rows.append((f"e{e:02d}", f"a{a:02d}", "participant"))
    part = pd.DataFrame(rows, columns=["event_id", "actor_id", "role"])
    events = pd.DataFrame({"event_id": [f"e{e:02d}" for e in range(40)],
                           "held_on": pd.Timestamp("2023-03-01")})
    actors = pd.DataFrame({"actor_id": sorted(part["actor_id"].unique()), "category": "other"})
    return nw.build_graph(actors, part, events)


def test_bipartite_null_keeps_event_cliques_that_rewiring_breaks():
    G = _event_network()
    A, _, _ = nw._adjacency(G)
    clustering = {
        null: np.mean([nw._average_clustering_arrays(M)
                       for M in nw.null_adjacencies(G, null, 5, seed=1)])
        for null in ("bipartite", "projected")
    }
    observed = nw.average_clustering(G)
    # events are cliques in the observed network and in the bipartite null networks;
    # rewiring the projection destroys them (the bias issue 18 describes)
    assert observed > 0.5 and clustering["bipartite"] > 0.5
    assert clustering["projected"] < 0.6 * clustering["bipartite"]
    res = {null: rs.compare_with_random(G, "degree", steps=10, n_random=8, seed=3, null=null,
                                        efficiency=False).set_index("measure").loc["giant_share"]
           for null in ("bipartite", "projected")}
    assert res["bipartite"]["null"] == "bipartite" and res["bipartite"]["n_random"] == 8
    # same observed AUC whatever the null; the nulls differ
    assert res["bipartite"]["estimate"] == pytest.approx(res["projected"]["estimate"])
    assert res["bipartite"]["random_mean"] != pytest.approx(res["projected"]["random_mean"])


def test_robustness_over_time_with_and_without_structure():
    graphs = {2021: nx.cycle_graph(6), 2020: nx.star_graph(5), 2022: nx.path_graph(3)}
    r = rs.robustness_over_time(graphs, structure=0, strategy="degree", steps=None)
    assert r["with_structure"].notna().all() and r["measure"].eq("giant_share").all()
    assert r["period"].tolist() == [2020, 2021, 2022]
    star = r.iloc[0]
    # star of 6: AUC with hub = (1 + 1/6)/2/6 + 4 * (1/6)/6 + (1/6)/2/6 ≈ 0.2222;
    # without the hub: 5 singletons, 1/5 each until the last: (4 * .2 + .1) / 5 = 0.18
    assert star["with_structure"] == pytest.approx((7 / 12 + 4 / 6 + 1 / 12) / 6)
    assert star["without_structure"] == pytest.approx(0.18)
    assert star["giant_share_without"] == pytest.approx(0.2)
    assert r.iloc[1]["giant_share_without"] == pytest.approx(1.0)
    absent = rs.robustness_over_time({2020: nx.path_graph(4)}, structure="X", steps=None)
    assert not absent["structure_present"].iloc[0] and np.isnan(absent["drop"].iloc[0])


def test_random_repeats_average_orders():
    G = nx.cycle_graph(8)
    mean = rs.attack_tolerance(G, "random", steps=None, seed=3, repeats=5)
    # every random first removal of a ring leaves a path of 7
    assert mean["giant_share"].iloc[1] == pytest.approx(7 / 8)
    # the mean curve lies between the extremes of single orders and is reproducible
    singles = [rs.attack_tolerance(G, "random", seed=s)["giant_share"] for s in range(30)]
    lo, hi = np.min(singles, axis=0), np.max(singles, axis=0)
    assert ((mean["giant_share"] >= lo - 1e-12) & (mean["giant_share"] <= hi + 1e-12)).all()
    pd.testing.assert_frame_equal(mean, rs.attack_tolerance(G, "random", steps=None, seed=3, repeats=5))
    with pytest.raises(ValueError, match="repeats"):
        rs.attack_tolerance(G, "degree", repeats=3)
    no_eff = rs.attack_tolerance(G, "degree", efficiency=False)
    assert no_eff["efficiency"].isna().all()
    assert no_eff["giant_share"].tolist() == rs.attack_tolerance(G, "degree")["giant_share"].tolist()


def test_demo_network_rests_on_the_broker_not_on_an_ordinary_actor():
    from rd_methods import network
    from rd_methods.campaign import Campaign

    camp = Campaign.load("demo-2025")
    truth = camp.ground_truth["network"]
    G = network.build_graph(camp["actors"], camp["participations"], camp["events"], camp["ties"])
    out = {
        who: rs.robustness_over_time({"all": G}, structure=camp_id, steps=20, seed=1).iloc[0]
        for who, camp_id in (("broker", truth["broker"]), ("ordinary", truth["ordinary_actor"]))
    }
    assert out["broker"]["structure_present"] and out["ordinary"]["structure_present"]
    # the planted broker: actors split off without it, and random failures hurt more
    assert out["broker"]["giant_share_without"] < 0.995
    assert out["ordinary"]["giant_share_without"] == pytest.approx(1.0)
    assert out["broker"]["drop"] > 0.015
    assert out["broker"]["drop"] > 5 * abs(out["ordinary"]["drop"])


@pytest.mark.slow
def test_notebook_runs_and_records_the_planted_shock(tmp_path):
    """Execute notebooks/55_resilience.ipynb on demo-2025 and read back its recorded results."""
    import papermill as pm

    from rd_methods import results
    from rd_methods.paths import notebooks_dir

    out = tmp_path / "55_resilience.ipynb"
    pm.execute_notebook(
        str(notebooks_dir() / "55_resilience.ipynb"), str(out), kernel_name="rd-methods",
        parameters={"campaign": "demo-2025", "n_random": 4, "seed": 1}, progress_bar=False,
    )
    rec = results.collect(out).set_index("key")
    assert rec.loc["resilience.resistance_rank_p", "value"] == pytest.approx(1 / 19)
    assert rec.loc["resilience.resistance_rank_min_p", "value"] == pytest.approx(1 / 19)
    assert 0.4 < rec.loc["resilience.resistance_treated", "value"] < 1.1
    assert rec.loc["resilience.recovery_treated", "value"] < 0  # shallower drop, smaller rebound
    auc = rec.loc["resilience.network_robustness_auc"]
    # less robust to targeted removal than the same events attended at random (bipartite null)
    assert auc["value"] < auc["ci_low"] <= auc["ci_high"]
    assert rec.loc["resilience.robustness_without_structure", "value"] > 0


# --------------------------------------------------------------------------- key results


def test_key_results_by_hand(hand):
    sp = rs.shock_periods(hand, "y")
    table = rs.resistance_recovery(hand, "y", shock=sp)
    kr = rs.key_results(ranks=rs.treated_ranks(table), shock=sp).set_index("key")
    t = table.loc[table["treated"]].iloc[0]
    # treated fell 4 % against the reference's 28/330: resistance (−0.04 + 28/330) / (28/330)
    assert kr.loc["resilience.resistance_treated", "value"] == pytest.approx((-0.04 + 28 / 330) / (28 / 330))
    assert kr.loc["resilience.recovery_treated", "value"] == pytest.approx(t["recovery"])
    assert kr.loc["resilience.resistance_rank_min_p", "value"] == pytest.approx(1 / 4)  # 3 comparisons
    assert "2019–2020" in kr.loc["resilience.resistance_treated", "note"]
    assert "3 territoires" in kr.loc["resilience.resistance_treated", "note"]
    assert "resilience.network_robustness_auc" not in kr.index
    with pytest.raises(ValueError, match="shock"):
        rs.key_results(ranks=rs.treated_ranks(table))


def test_key_results_network_band_and_last_year_with_the_structure():
    G = nx.barbell_graph(6, 1)
    comp = rs.compare_with_random(G, "degree", steps=10, n_random=5, null="projected", efficiency=False, seed=1)
    over = rs.robustness_over_time({2020: G, 2021: nx.star_graph(12), 2022: nx.path_graph(5)}, structure=6,
                                   steps=10, seed=1)
    kr = rs.key_results(robustness=comp, over_time=over).set_index("key")
    gs = comp.set_index("measure").loc["giant_share"]
    row = kr.loc["resilience.network_robustness_auc"]
    assert (row["value"], row["ci_low"], row["ci_high"]) == (gs["estimate"], gs["ci_low"], gs["ci_high"])
    assert row["note"].startswith("référence : 95 % de 5 réseaux aléatoires")
    # 2022 (5 actors) is below the 10-actor floor; node 6 is the star's leaf in 2021
    without = kr.loc["resilience.robustness_without_structure"]
    assert without["label"].endswith("(2021)")
    assert without["value"] == pytest.approx(over.set_index("period").loc[2021, "without_structure"])


def test_demo_key_results_find_the_planted_resistance():
    from rd_methods.campaign import Campaign

    camp = Campaign.load("demo-2025")
    truth = camp.ground_truth["resilience"]
    sp, table, _ = _score(cf.rates(camp["territory_panel"]))
    kr = rs.key_results(ranks=rs.treated_ranks(table), shock=sp.reset_index()).set_index("key")["value"]
    n_comparisons = camp["territory_panel"].loc[~camp["territory_panel"]["treated"], "territory_code"].nunique()
    assert kr["resilience.resistance_rank_min_p"] == pytest.approx(1 / (n_comparisons + 1))
    assert kr["resilience.resistance_rank_p"] == pytest.approx(1 / (n_comparisons + 1))  # first of all
    # planted: −1 % against −2.2 %, i.e. (−0.010 + 0.022) / 0.022 ≈ 0.55, blurred by trend and noise
    planted = (truth["treated_drop"] - truth["comparison_drop"]) / abs(truth["comparison_drop"])
    assert kr["resilience.resistance_treated"] == pytest.approx(planted, abs=0.3)
    assert kr["resilience.recovery_treated"] < 0
