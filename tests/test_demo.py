"""Tests of rd_methods.demo: determinism, realism at scale 1, ground truth consistent with the
tables (recomputed here by hand), planted effects present and absent, committed campaigns."""

from __future__ import annotations

import filecmp
import json
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from rd_methods import demo
from rd_methods.cli import main
from rd_methods.demo import DemoOptions, generate, write_campaign
from rd_methods.errors import RdMethodsError
from rd_methods.paths import project_root

ROOT = project_root()
COMMITTED = {"demo-2024": DemoOptions(seed=2024, last_year=2024, campaign_id="demo-2024"),
             "demo-2025": DemoOptions(seed=2025, last_year=2025, campaign_id="demo-2025")}


@pytest.fixture(scope="module")
def d25():
    """The demo-2025 campaign, generated in memory."""
    return generate(COMMITTED["demo-2025"])


@pytest.fixture(scope="module")
def d24():
    return generate(COMMITTED["demo-2024"])


# --------------------------------------------------------------------------- determinism and writing
def test_same_seed_same_bytes_different_seed_differs(tmp_path):
    opts = DemoOptions(seed=11, scale=0.3, campaign_id="x")
    a = write_campaign(tmp_path / "a", opts)
    b = write_campaign(tmp_path / "b", opts)
    c = write_campaign(tmp_path / "c", DemoOptions(seed=12, scale=0.3, campaign_id="x"))
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted([f"{t}.csv" for t in demo.TABLES] + ["campaign.yml", "ground_truth.json"])
    match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert mismatch == [] and errors == [] and len(match) == len(names)
    _m, differ, _e = filecmp.cmpfiles(a, c, names, shallow=False)
    assert {"actors.csv", "projects.csv", "survey_responses.csv", "territory_panel.csv"} <= set(differ)
    # no temporary folder left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "c"]


def test_refuses_non_empty_folder_accepts_empty(tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("x")
    with pytest.raises(RdMethodsError, match="not an empty folder"):
        write_campaign(full, DemoOptions(scale=0.1))
    assert sorted(p.name for p in full.iterdir()) == ["keep.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    write_campaign(empty, DemoOptions(scale=0.1))
    assert (empty / "campaign.yml").is_file()


def test_cli_demo(tmp_path, capsys):
    out = tmp_path / "demo-x"
    assert main(["demo", "--seed", "5", "--scale", "0.2", "--last-year", "2024", "--no-effect", "--out", str(out)]) == 0
    truth = json.loads((out / "ground_truth.json").read_text("utf-8"))
    assert truth["generator"]["options"]["campaign_id"] == "demo-x"
    assert truth["territory"]["enabled"] is False and truth["resilience"]["enabled"] is False
    assert truth["survey"]["waves"] == [1]
    assert main(["demo", "--seed", "5", "--out", str(out)]) == 1
    assert "piste" in capsys.readouterr().err


@pytest.mark.parametrize("kwargs", [{"scale": 0}, {"seed": -1}, {"first_year": 2018, "last_year": 2017}])
def test_bad_options(kwargs):
    with pytest.raises(RdMethodsError):
        DemoOptions(**kwargs)


# --------------------------------------------------------------------------- realism at scale 1
def test_counts_at_scale_1(d25):
    t, meta, truth = d25
    a = t["actors"]
    assert 2800 <= len(a) <= 3200 and a["actor_id"].is_unique
    assert meta["organisation"] == "A000001" and a.iloc[0]["category"] == "social_economy"
    assert 115 <= len(t["projects"]) <= 145
    ev = t["events"]["kind"].value_counts()
    assert 55 <= ev["workshop"] <= 90 and ev["meeting"] >= 200
    assert ev["territorial_event"] == 2025 - 2017 + 1
    part = t["participations"].merge(t["events"], on="event_id")
    assert part[part["kind"] == "territorial_event"].groupby("event_id").size().min() >= 300
    reached = t["project_stages"].groupby("stage")["project_id"].nunique()
    assert 14 <= reached["launched"] <= 32 and 5 <= reached["autonomous"] <= 16
    assert reached["abandoned"] > len(t["projects"]) / 2  # failures too
    members = truth["organisation"]["members_by_year"]
    assert members["2017"] == 70 and members["2025"] == 100
    assert a["member_college"].nunique() == 5
    fte = t["jobs"].loc[t["jobs"]["year"] == 2025, "fte"].sum()
    assert 30 <= fte <= 70 and (t["jobs"]["insertion_headcount"] <= t["jobs"]["headcount"]).all()


def test_personal_actors_are_citizens_with_real_communes(d25):
    a = d25[0]["actors"]
    assert (a["personal"] == a["category"].eq("citizen")).all()
    first = set(demo.FIRST_NAMES)
    assert a.loc[a["personal"], "name"].str.split(" ").str[0].isin(first).all()
    lons = pd.read_csv(ROOT / "src/rd_methods/data/communes_lons.csv", dtype=str)
    codes = a.loc[a["category"].isin(["citizen", "enterprise", "association"]), "commune_code"].dropna()
    assert codes.isin(set(lons["code"])).all()
    # weighted by population: Lons-le-Saunier (39300, 17,291 of 34,314 inhabitants) holds about half
    assert 0.42 <= (codes == "39300").mean() <= 0.58


def test_geography_extract():
    lons = pd.read_csv(ROOT / "src/rd_methods/data/communes_lons.csv", dtype={"code": str})
    terr = pd.read_csv(ROOT / "src/rd_methods/data/comparison_territories.csv", dtype={"code": str})
    assert len(lons) == 32 and lons["population"].sum() == 34314
    assert lons.set_index("code").loc["39300", "name"] == "Lons-le-Saunier"
    treated = terr[terr["treated"]]
    assert treated["code"].tolist() == ["200071116"] and treated["population"].item() == 34314
    assert (~terr["treated"]).sum() >= 12 and terr["population"].between(20_000, 60_000).all()


# --------------------------------------------------------------------------- ground truth vs tables
def _value_by_hand(c: pd.DataFrame) -> pd.Series:
    """The documented valuation rule, written out again."""
    out = []
    for r in c.itertuples(index=False):
        if not (isinstance(r.value_eur, float) and math.isnan(r.value_eur)):
            out.append(r.value_eur)
        elif r.unit == "hour" and r.resource == "volunteer_time":
            out.append(r.quantity * 13.5)
        elif r.unit == "hour" and r.resource in ("staff_time", "skills"):
            out.append(r.quantity * 32.0)
        elif r.unit == "eur":
            out.append(r.quantity)
        else:
            out.append(np.nan)
    return pd.Series(out, index=c.index, dtype=float)


def test_value_chain_truth_recomputed(d25):
    t, meta, truth = d25
    vc = truth["value_chain"]
    c = t["contributions"]
    v = _value_by_hand(c)
    org = c["actor_id"] == meta["organisation"]
    assert vc["n_unvalued"] == int(v.isna().sum()) > 0
    assert set(c.loc[v.isna(), "resource"]) <= {"network", "equipment"}
    assert vc["leverage_overall"] == pytest.approx(v[~org].sum() / v[org].sum(), abs=1e-6)
    assert 2.0 < vc["leverage_overall"] < 10.0
    some = sorted(vc["leverage_by_project"])[:5]
    for pid in some:
        m = c["project_id"] == pid
        assert vc["leverage_by_project"][pid] == pytest.approx(v[m & ~org].sum() / v[m & org].sum(), abs=1e-6)
    a = t["activities"]
    sup = a["kind"] == "support"
    assert set(a.loc[sup, "function"]) == {"governance", "animation", "communication", "fundraising", "administration"}
    assert vc["support_share_cost"] == pytest.approx(a.loc[sup, "cost_eur"].sum() / a["cost_eur"].sum(), abs=1e-6)
    assert vc["support_share_hours"] == pytest.approx(a.loc[sup, "staff_hours"].sum() / a["staff_hours"].sum(), abs=1e-6)
    s = a["project_id"].isna()
    assert vc["support_share_cost_structure"] == pytest.approx(
        a.loc[s & sup, "cost_eur"].sum() / a.loc[s, "cost_eur"].sum(), abs=1e-6)
    assert 0.25 < vc["support_share_cost"] < 0.6


@pytest.mark.parametrize("which", ["d24", "d25"])
def test_sroi_ratio_by_hand(which, request):
    t, meta, truth = request.getfixturevalue(which)
    r = meta["sroi"]["discount_rate"]
    assert r == 0.032  # France Stratégie 2021: 1.2 % + 1 × 2 %
    s = truth["sroi"]
    base = s["base_year"]
    assert base == 2016
    im, inp = t["sroi_impact_map"], t["sroi_inputs"]
    # dated accounting: an outcome of cohort year y starts y − base years later; inputs of year y
    # are discounted by (1 + r)^(y − base)
    pv = 0.0
    for o in im.to_dict("records"):
        impact = o["quantity"] * o["proxy_eur"] * (1 - o["deadweight"]) * (1 - o["displacement"]) * (1 - o["attribution"])
        for year in range(1, o["duration_years"] + 1):
            pv += impact * (1 - o["drop_off"]) ** (year - 1) / (1 + r) ** (year + o["start_offset_years"] + o["year"] - base)
    inputs = sum(row.value_eur / (1 + r) ** (row.year - base) for row in inp.itertuples())
    assert s["present_value"] == pytest.approx(pv, abs=0.006)
    assert s["total_inputs"] == pytest.approx(inputs, abs=0.006)
    assert s["ratio"] == pytest.approx(pv / inputs, abs=1e-6)
    assert s["net_present_value"] == pytest.approx(pv - inputs, abs=0.01)
    assert im["proxy_source"].str.len().min() > 20
    # inputs cover every year of the period, and every outcome cohort is in a year with inputs
    first, last = meta["period"]
    assert sorted(inp["year"].unique()) == list(range(first, last + 1))
    assert set(im["year"]) <= set(inp["year"]) and s["period"] == [first, last]
    # the inputs are all the valued contributions of the period (the 4.9 M EUR of notebook 10)
    vc = truth["value_chain"]
    assert s["undiscounted_inputs"] == pytest.approx(vc["organisation_value_eur"] + vc["others_value_eur"], abs=0.05)
    # jobs: the FTE created each year (not the stock), and no second "insertion" outcome
    o1 = im[im["outcome_id"].str.startswith("O1-")].set_index("year")["quantity"]
    jobs = t["jobs"].sort_values(["project_id", "year"])
    rise = (jobs["fte"] - jobs.groupby("project_id")["fte"].shift(1).fillna(0)).clip(lower=0).groupby(jobs["year"]).sum()
    assert o1.to_dict() == pytest.approx({y: round(v, 1) for y, v in rise.items() if round(v, 1) > 0}, abs=1e-9)
    assert not im["outcome_id"].str.startswith("O2").any()
    # tCO2e and local purchases are the outcomes table's yearly sums (same data as notebook 10)
    o = t["outcomes"]
    co2 = o[o["indicator"] == "Émissions évitées"].groupby("year")["value"].sum()
    o7 = im[im["outcome_id"].str.startswith("O7-")].set_index("year")["quantity"]
    assert o7.to_dict() == pytest.approx({y: round(v, 1) for y, v in co2.items()}, abs=1e-9)
    # the ratio at the Green Book's 3.5 %
    pv35 = demo.sroi_present_value(im, 0.035, base)
    assert s["ratio_green_book"] == pytest.approx(pv35 / demo.sroi_inputs_present_value(inp, 0.035, base), abs=1e-6)


def test_pipeline_truth(d25):
    t, _meta, truth = d25
    p = truth["pipeline"]
    assert p["stages"] == ["idea", "workshop", "feasibility", "incubation", "launched", "autonomous"]
    assert p["transition_probabilities"]["idea->workshop"] == demo.P_ADVANCE["idea->workshop"]
    de = p["diversity_effect"]
    assert de["on"] == "incubation->launched" and de["log_odds_per_unit"] == 0.8 and de["enabled"]
    # the covariate is what the contributions table shows
    c = t["contributions"].merge(t["actors"][["actor_id", "category"]], on="actor_id")
    x = c[c["actor_id"] != "A000001"].groupby("project_id")["category"].nunique()
    assert x.to_dict() == de["n_partner_categories_by_project"]
    # the recorded marginal launch probability is the mean planted probability
    xs = np.array(list(de["n_partner_categories_by_project"].values()), float)
    pm = np.mean(1 / (1 + np.exp(-(math.log(0.75 / 0.25) + 0.8 * (xs - 3)))))
    assert p["transition_probabilities"]["incubation->launched"] == pytest.approx(pm, abs=1e-6)
    # histories move forward in time, one row per stage
    st = t["project_stages"]
    assert not st.duplicated(["project_id", "stage"]).any()
    assert (st.groupby("project_id")["entered_on"].apply(lambda s: s.is_monotonic_increasing)).all()
    created = t["projects"].set_index("project_id")["created_on"]
    idea = st[st["stage"] == "idea"].set_index("project_id")["entered_on"]
    assert (idea == created.loc[idea.index]).all()


def test_conversion_probabilities_recovered_scale_5():
    t, _m, truth = generate(DemoOptions(seed=3, scale=5))
    st = t["project_stages"]
    reached = st.groupby("project_id")["stage"].apply(set)
    for a, b in (("idea", "workshop"), ("workshop", "feasibility"), ("feasibility", "incubation")):
        at = reached[reached.apply(lambda s, a=a: a in s)]
        nxt_idx = demo.STAGES.index(b)
        moved = at.apply(lambda s, b=b: b in s)
        # resolved = moved on, or abandoned at this stage (abandoned without the next stage)
        resolved = moved | at.apply(lambda s, b=b: "abandoned" in s and b not in s)
        phat = moved[resolved].mean()
        p = truth["pipeline"]["transition_probabilities"][f"{a}->{b}"]
        se = math.sqrt(p * (1 - p) / resolved.sum())
        assert abs(phat - p) < 3.5 * se, (a, b, nxt_idx, phat, p)


def test_diversity_effect_switch():
    on = generate(DemoOptions(seed=4, scale=0.3))[2]["pipeline"]["diversity_effect"]
    off = generate(DemoOptions(seed=4, scale=0.3, diversity_effect=False))[2]["pipeline"]
    assert on["log_odds_per_unit"] == 0.8
    assert off["diversity_effect"]["log_odds_per_unit"] == 0.0 and not off["diversity_effect"]["enabled"]
    assert off["transition_probabilities"]["incubation->launched"] == 0.75


def test_broker_has_highest_betweenness(d25):
    t, meta, truth = d25
    # projected actor graph of the working events (workshops, meetings, committees, trainings)
    # plus direct ties; the 300-person territorial events are left out to keep the test fast
    pe = t["participations"].merge(t["events"][["event_id", "kind"]], on="event_id")
    pe = pe[pe["kind"] != "territorial_event"]
    B = nx.Graph()
    B.add_edges_from(zip(pe["event_id"], pe["actor_id"], strict=True))
    G = nx.bipartite.projected_graph(B, set(pe["actor_id"]))
    G.add_edges_from(zip(t["ties"]["source_id"], t["ties"]["target_id"], strict=True))
    bc = nx.betweenness_centrality(G, k=250, seed=1)
    ranked = sorted(bc, key=lambda n: (-bc[n], n))
    assert truth["network"]["broker"] == meta["organisation"] == ranked[0]
    assert bc[ranked[0]] > 3 * bc[ranked[1]]
    ordinary = truth["network"]["ordinary_actor"]
    assert ordinary in G and not t["actors"].set_index("actor_id").loc[ordinary, "personal"]
    assert bc[ordinary] < bc[ranked[0]] / 50
    # the organisation takes part in every territorial event and organises most events
    org_part = t["participations"][t["participations"]["actor_id"] == meta["organisation"]]
    terr = t["events"].loc[t["events"]["kind"] == "territorial_event", "event_id"]
    assert set(terr) <= set(org_part["event_id"])
    assert (org_part["role"] == "organiser").sum() > 0.7 * len(t["events"])


# --------------------------------------------------------------------------- survey
def _scores(resp: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    out = resp[["respondent_id", "wave"]].copy()
    for scale, g in items.groupby("scale"):
        x = resp[g["item_id"]].astype(float)
        for it in g.itertuples():
            if it.reverse:
                x[it.item_id] = 6 - x[it.item_id]
        out[scale] = x.mean(axis=1)
    return out


def test_survey_reliability_and_planted_change(d25):
    t, _meta, truth = d25
    items, resp = t["survey_items"], t["survey_responses"]
    sv = truth["survey"]
    assert sv["waves"] == [1, 2] and 0.2 <= sv["attrition"] <= 0.4
    w1, w2 = (set(resp.loc[resp["wave"] == w, "respondent_id"]) for w in (1, 2))
    assert len(w1) >= 300 and len(w1 & w2) / len(w1) == pytest.approx(1 - sv["attrition"], abs=1e-6)
    for scale, g in items.groupby("scale"):
        assert 4 <= len(g) <= 6 and g["reverse"].any()
        x = resp.loc[resp["wave"] == 1, g["item_id"]].astype(float)
        for it in g.itertuples():
            if it.reverse:
                x[it.item_id] = 6 - x[it.item_id]
        alpha = pg.cronbach_alpha(x.dropna())[0]
        assert 0.7 <= alpha <= 0.85, (scale, alpha)
        assert sorted(sv["scales"][scale]["items"]) == sorted(g["item_id"])
    sc = _scores(resp, items)
    wide = sc.pivot(index="respondent_id", columns="wave")
    changes = {}
    for scale in items["scale"].unique():
        d = (wide[(scale, 2)] - wide[(scale, 1)]).dropna()
        planted = sv["scales"][scale]["change"]
        changes[scale] = planted
        assert abs(d.mean() - planted) < 3 * d.std() / math.sqrt(len(d)), scale
        base = sc.loc[sc["wave"] == 1, scale]
        assert abs(base.mean() - sv["scales"][scale]["baseline_mean"]) < 3 * base.std() / math.sqrt(len(base))
    assert min(changes.values(), key=abs) == pytest.approx(0, abs=0.02)  # one scale about zero
    assert sum(v > 0.1 for v in changes.values()) >= 2


def test_survey_demo_2024_has_one_wave(d24):
    t, _m, truth = d24
    assert t["survey_responses"]["wave"].unique().tolist() == [1]
    assert truth["survey"]["waves"] == [1] and truth["survey"]["attrition"] is None
    assert all(s["change"] is None for s in truth["survey"]["scales"].values())


# --------------------------------------------------------------------------- territory and resilience
def _rate(panel):
    p = panel.copy()
    p["rate"] = p["employment"] / p["population"] * 1000
    return p


def test_territory_effect_recovered_and_switched_off():
    for on in (True, False):
        t, _m, truth = generate(DemoOptions(seed=8, scale=0.2, territorial_effect=on, resilience_effect=on))
        tr = truth["territory"]
        p = _rate(t["territory_panel"])
        assert p["year"].min() == 2010 and p["year"].max() == 2025 and len(tr["comparison_codes"]) >= 12
        assert not p.duplicated(["territory_code", "year"]).any()
        assert p.loc[p["treated"], "territory_code"].unique().tolist() == [tr["treated_code"]] == ["200071116"]
        # 2x2 difference in differences by hand (means of rates)
        post = p["year"] >= tr["start_year"]
        m = p.groupby([p["treated"], post])["rate"].mean()
        did = (m[(True, True)] - m[(True, False)]) - (m[(False, True)] - m[(False, False)])
        planted = np.mean(list(tr["effect_by_year"].values()))
        assert abs(did - planted) < 1.0, (on, did, planted)
        if on:
            assert tr["components"]["territorial"]["2017"] == 0.75 and tr["effect_by_year"]["2025"] == 3.0
        else:
            assert set(tr["effect_by_year"].values()) == {0.0} and abs(did) < 1.0


def test_resilience_shock():
    for on in (True, False):
        t, _m, truth = generate(DemoOptions(seed=9, scale=0.2, territorial_effect=False, resilience_effect=on))
        rs = truth["resilience"]
        assert rs["shock_year"] == 2020 and rs["contraction"] == [2019, 2020] and rs["enabled"] is on
        p = _rate(t["territory_panel"]).pivot(index="year", columns="territory_code", values="rate")
        rel = p.loc[2020] / p.loc[2019] - 1
        treated = rel[truth["territory"]["treated_code"]]
        comp = rel.drop(truth["territory"]["treated_code"]).mean()
        assert comp < -0.01  # everyone drops
        planted = rs["treated_drop"] - rs["comparison_drop"]
        assert planted == (pytest.approx(0.012) if on else 0.0)
        assert abs((treated - comp) - planted) < 0.006, (on, treated, comp)


# --------------------------------------------------------------------------- committed campaigns
@pytest.mark.parametrize("campaign", sorted(COMMITTED))
def test_committed_campaign_equals_fresh_generation(campaign, tmp_path):
    committed = ROOT / "data" / "raw" / campaign
    fresh = write_campaign(tmp_path / campaign, COMMITTED[campaign])
    names = sorted(p.name for p in fresh.iterdir())
    assert sorted(p.name for p in committed.iterdir()) == names
    _match, mismatch, errors = filecmp.cmpfiles(committed, fresh, names, shallow=False)
    assert mismatch == [] and errors == [], (
        f"{campaign} drifted from the generator: regenerate it (see data/raw/README.md)"
    )
    size = sum(p.stat().st_size for c in COMMITTED for p in (ROOT / "data" / "raw" / c).iterdir())
    assert size < 5_000_000


@pytest.mark.parametrize("campaign", sorted(COMMITTED))
def test_committed_campaign_validates(campaign):
    campaign_mod = pytest.importorskip("rd_methods.campaign")
    report = campaign_mod.validate(campaign, data_dir=ROOT / "data" / "raw")
    assert report.ok, report.format()
    camp = campaign_mod.Campaign.load(campaign, data_dir=ROOT / "data" / "raw")
    assert camp.synthetic and camp.organisation == "A000001" and camp.min_cell == 5
    assert camp.monetisation["volunteer_hour_eur"] == 13.5 and camp.discount_rate == 0.032
    assert camp.ground_truth["generator"]["seed"] == COMMITTED[campaign].seed
    assert Path(camp.path).name == campaign


def test_small_campaign_where_no_project_reaches_incubation_still_generates():
    """Seed 1001 at scale 0.1 once crashed in _ties (no project reached incubation)."""
    from rd_methods.demo import DemoOptions, generate

    tables, _meta, _truth = generate(DemoOptions(seed=1001, scale=0.1, campaign_id="small"))
    assert len(tables["actors"]) > 0
    assert (tables["ties"]["kind"] != "contract").all()
