"""rd_methods.value_chain: hand-computed fixtures, demo ground truth, bad input."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pandas as pd
import pytest
from scipy.stats import entropy

from rd_methods import value_chain as vc
from rd_methods.campaign import Campaign, validate

RATES = {"staff_hour_eur": 32.0, "volunteer_hour_eur": 13.5}
NAN = float("nan")


# --------------------------------------------------------------------------- fixtures
@pytest.fixture
def actors() -> pd.DataFrame:
    return pd.DataFrame({
        "actor_id": ["O", "B", "C", "D", "E", "F"],
        "name": ["Coopérative", "Commune", "Alice", "Scierie", "Bruno", "Asso"],
        "category": ["social_economy", "local_authority", "citizen", "enterprise", "citizen", "association"],
        "personal": [False, False, True, False, True, False],
    })


@pytest.fixture
def contributions() -> pd.DataFrame:
    """Organisation O; P1 co-funded, P2 without O, P3 with an unvalued O contribution."""
    rows = [
        # project, actor, resource, quantity, unit, value_eur, year
        ("P1", "O", "cash", 1000.0, "eur", 1000.0, 2020),        # given: 1000
        ("P1", "O", "staff_time", 10.0, "hour", NAN, 2020),      # 10 x 32 = 320
        ("P1", "B", "cash", 2000.0, "eur", NAN, 2020),           # cash: 2000
        ("P1", "C", "volunteer_time", 40.0, "hour", NAN, 2021),  # 40 x 13.5 = 540
        ("P1", "D", "network", 3.0, "item", NAN, 2021),          # unvalued
        ("P1", "E", "volunteer_time", 10.0, "hour", NAN, 2021),  # 135
        ("P2", "B", "cash", 500.0, "eur", 500.0, 2021),          # given: 500
        ("P3", "O", "network", 2.0, "item", NAN, 2021),          # unvalued
        ("P3", "F", "cash", 100.0, "eur", 100.0, 2022),          # 100
    ]
    return pd.DataFrame(rows, columns=["project_id", "actor_id", "resource", "quantity", "unit", "value_eur", "year"])


@pytest.fixture
def valued(contributions) -> pd.DataFrame:
    return vc.monetise(contributions, RATES)


# --------------------------------------------------------------------------- monetise
def test_monetise_every_rule():
    c = pd.DataFrame(
        [
            ("cash", 5000.0, "eur", 5000.0),
            ("cash", 300.0, "eur", NAN),
            ("staff_time", 10.0, "hour", NAN),
            ("skills", 2.0, "hour", NAN),
            ("volunteer_time", 40.0, "hour", NAN),
            ("skills", 2.0, "day", NAN),
            ("volunteer_time", 1.0, "day", NAN),
            ("premises", 50.0, "m2", NAN),
            ("network", 3.0, "item", NAN),
            ("equipment", 1.0, "item", 800.0),
            ("premises", 5.0, "hour", NAN),
            ("skills", 1.0, "day", 999.0),
        ],
        columns=["resource", "quantity", "unit", "value_eur"],
    )
    out = vc.monetise(c, RATES)
    assert out["valuation"].tolist() == [
        "given", "cash", "staff_hour", "staff_hour", "volunteer_hour", "day", "day",
        "unvalued", "unvalued", "given", "unvalued", "given",
    ]
    expected = [5000, 300, 320, 64, 540, 2 * 7 * 32, 1 * 7 * 13.5, NAN, NAN, 800, NAN, 999]
    np.testing.assert_allclose(out["value_eur"], expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out["proxy_eur"], [NAN, 1, 32, 32, 13.5, 224, 94.5, NAN, NAN, NAN, NAN, NAN])
    assert out["valued"].tolist() == [True] * 7 + [False, False, True, False, True]
    assert out["reason"].isna().tolist() == [True] * 7 + [False, False, True, False, True]
    assert set(out.loc[~out["valued"], "reason"]) == {"unit_not_monetised"}
    # nothing dropped, quantity and unit kept
    assert len(out) == len(c)
    assert out["quantity"].tolist() == c["quantity"].tolist() and out["unit"].tolist() == c["unit"].tolist()
    # the input is not modified
    assert c["value_eur"].isna().sum() == 9


def test_monetise_hours_per_day_and_missing_rate():
    c = pd.DataFrame({"resource": ["staff_time", "volunteer_time"], "quantity": [2.0, 3.0], "unit": ["day", "hour"]})
    out = vc.monetise(c, {"staff_hour_eur": 30.0}, hours_per_day=8)
    assert out["value_eur"].iloc[0] == 2 * 8 * 30
    assert out["valued"].tolist() == [True, False]
    assert out["reason"].iloc[1] == "missing_rate:volunteer_hour_eur"
    # without value_eur column at all
    assert "value_eur" not in c.columns


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [("unit", "week", "unknown unit week"), ("quantity", -5.0, "negative quantity"),
     ("resource", "money", "unknown resource money"), ("value_eur", -1.0, "negative value_eur")],
)
def test_monetise_bad_input(contributions, column, value, message):
    bad = contributions.copy()
    bad[column] = bad[column].astype(object)
    bad.loc[1, column] = value
    with pytest.raises(ValueError, match=message):
        vc.monetise(bad, RATES)


def test_functions_need_valued_contributions(contributions, actors):
    with pytest.raises(ValueError, match="monetise"):
        vc.leverage(contributions, "O")
    with pytest.raises(ValueError, match="monetise"):
        vc.contribution_matrix(contributions, actors)


# --------------------------------------------------------------------------- matrix and leverage
def test_contribution_matrix_by_project_and_category(valued, actors):
    total = 1320 + 2675 + 500 + 100  # 4595 valued euros
    by_p = vc.contribution_matrix(valued, by="project").set_index("project_id")
    np.testing.assert_allclose(by_p["value_eur"], [3995, 500, 100])
    np.testing.assert_allclose(by_p["share"], [3995 / total, 500 / total, 100 / total])
    assert by_p["n_unvalued"].tolist() == [1, 0, 1]
    assert by_p["n_contributions"].tolist() == [6, 1, 2]

    m = vc.contribution_matrix(valued, actors, by=("category", "resource")).set_index(["category", "resource"])
    assert m.loc[("citizen", "volunteer_time"), "value_eur"] == 540 + 135
    assert m.loc[("social_economy", "network"), "value_eur"] == 0
    assert m.loc[("social_economy", "network"), "n_unvalued"] == 1
    # row share: local_authority gave 2000 + 500 in cash only
    assert m.loc[("local_authority", "cash"), "row_share"] == 1.0
    assert m.loc[("social_economy", "cash"), "row_share"] == pytest.approx(1000 / 1320, abs=1e-12)
    assert m["share"].sum() == pytest.approx(1.0, abs=1e-12)

    ap = vc.contribution_matrix(valued, by=("actor", "project"))
    assert list(ap.columns[:2]) == ["actor_id", "project_id"]
    assert ap.loc[(ap["actor_id"] == "B") & (ap["project_id"] == "P2"), "value_eur"].item() == 500
    py = vc.contribution_matrix(valued, by=("project", "year"))
    assert py.loc[(py["project_id"] == "P1") & (py["year"] == 2021), "value_eur"].item() == 540 + 135
    with pytest.raises(ValueError, match="unknown dimension"):
        vc.contribution_matrix(valued, by=("colour",))
    with pytest.raises(ValueError, match="actors"):
        vc.contribution_matrix(valued, by=("category",))


def test_leverage_by_project_and_overall(valued):
    lev = vc.leverage(valued, "O")
    assert lev["scope"].tolist() == ["project"] * 3 + ["overall"]
    p = lev[lev["scope"] == "project"].set_index("project_id")
    # P1: others 2000 + 540 + 135 (+ an unvalued network item) / organisation 1000 + 320
    assert p.loc["P1", "leverage"] == pytest.approx(2675 / 1320, abs=1e-12)
    assert p.loc["P1", "organisation_share"] == pytest.approx(1320 / 3995, abs=1e-12)
    assert p.loc["P1", "n_other_actors"] == 4
    assert pd.isna(p.loc["P1", "reason"])
    assert math.isnan(p.loc["P2", "leverage"]) and p.loc["P2", "reason"] == "no_organisation_contribution"
    assert math.isnan(p.loc["P3", "leverage"]) and p.loc["P3", "reason"] == "organisation_contribution_unvalued"
    overall = lev[lev["scope"] == "overall"].iloc[0]
    assert overall["organisation_eur"] == 1320 and overall["others_eur"] == 2675 + 500 + 100
    assert overall["leverage"] == pytest.approx(3275 / 1320, abs=1e-12)
    assert overall["n_unvalued"] == 2 and overall["n_other_actors"] == 5

    by_year = vc.leverage(valued, "O", by="year")
    y = by_year[by_year["scope"] == "year"].set_index("year")
    assert y.loc[2020, "leverage"] == pytest.approx(2000 / 1320, abs=1e-12)
    assert y.loc[2021, "reason"] == "organisation_contribution_unvalued"
    assert y.loc[2022, "reason"] == "no_organisation_contribution"


def test_leverage_zero_organisation_euro():
    c = vc.monetise(pd.DataFrame({"project_id": ["P1", "P1"], "actor_id": ["O", "B"], "resource": ["cash", "cash"],
                                  "quantity": [0.0, 10.0], "unit": ["eur", "eur"], "year": [2020, 2020]}), {})
    row = vc.leverage(c, "O").iloc[0]
    assert math.isnan(row["leverage"]) and row["reason"] == "organisation_contribution_zero"


# --------------------------------------------------------------------------- co-construction
def test_co_construction_hand_values(valued, actors):
    cc = vc.co_construction(valued, actors).set_index(["scope", "project_id"])
    p1 = cc.loc[("project", "P1")]
    # actors O, B, C, D, E: categories social_economy, local_authority, citizen x2, enterprise
    assert p1["n_actors"] == 5 and p1["n_categories"] == 4
    assert p1["shannon"] == pytest.approx(-(3 * 0.2 * math.log(0.2) + 0.4 * math.log(0.4)), abs=1e-12)
    assert p1["shannon"] == pytest.approx(1.3321790402101223, abs=1e-12)
    assert p1["simpson"] == pytest.approx(1 - (3 * 0.2**2 + 0.4**2), abs=1e-12)  # 0.72
    # euros by actor: O 1320, B 2000, C 540, D 0 (unvalued), E 135; total 3995
    assert p1["herfindahl"] == pytest.approx((1320**2 + 2000**2 + 540**2 + 135**2) / 3995**2, abs=1e-12)
    p2 = cc.loc[("project", "P2")]
    assert (p2["n_actors"], p2["n_categories"], p2["shannon"], p2["simpson"], p2["herfindahl"]) == (1, 1, 0, 0, 1)
    # P3: O's euros are 0 (unvalued), F has all of them
    assert cc.loc[("project", "P3"), "herfindahl"] == 1.0
    overall = vc.co_construction(valued, actors).iloc[-1]
    assert overall["scope"] == "overall" and pd.isna(overall["project_id"])
    assert overall["n_actors"] == 6 and overall["n_categories"] == 5
    # overall euros by actor: O 1320, B 2500, C 540, E 135, F 100 (D 0)
    assert overall["herfindahl"] == pytest.approx((1320**2 + 2500**2 + 540**2 + 135**2 + 100**2) / 4595**2, abs=1e-12)
    ex = vc.co_construction(valued, actors, exclude=["O"]).set_index("project_id")
    assert ex.loc["P1", "n_actors"] == 4 and ex.loc["P1", "n_categories"] == 3
    assert ex.loc["P1", "shannon"] == pytest.approx(entropy([1, 2, 1]), abs=1e-12)
    assert "P3" in ex.index and ex.loc["P3", "n_actors"] == 1


def test_co_construction_no_valued_euro(actors):
    c = vc.monetise(pd.DataFrame({"project_id": ["P1"], "actor_id": ["D"], "resource": ["network"],
                                  "quantity": [1.0], "unit": ["item"]}), {})
    row = vc.co_construction(c, actors).iloc[0]
    assert row["n_actors"] == 1 and math.isnan(row["herfindahl"])


# --------------------------------------------------------------------------- support share
def test_support_share_hand_values():
    a = pd.DataFrame(
        [
            ("A1", "P1", "animation", "support", 2020, 1000.0, 20.0),
            ("A2", "P1", "engineering", "primary", 2020, 3000.0, 80.0),
            ("A3", None, "governance", "support", 2020, 2000.0, 40.0),
            ("A4", None, "service", "primary", 2021, 500.0, 10.0),
            ("A5", "P2", "production", "primary", 2021, 4000.0, 100.0),
            ("A6", "P3", "administration", "support", 2021, 0.0, 0.0),
        ],
        columns=["activity_id", "project_id", "function", "kind", "year", "cost_eur", "staff_hours"],
    )
    s = vc.support_share(a)
    one = s.set_index("scope")
    assert one.loc["overall", "share_cost"] == pytest.approx(3000 / 10500, abs=1e-12)
    assert one.loc["overall", "share_hours"] == pytest.approx(60 / 250, abs=1e-12)
    assert one.loc["overall", "n_activities"] == 6
    assert one.loc["structure", "share_cost"] == pytest.approx(2000 / 2500, abs=1e-12)
    assert one.loc["structure", "share_hours"] == pytest.approx(40 / 50, abs=1e-12)
    assert one.loc["projects", "share_cost"] == pytest.approx(1000 / 8000, abs=1e-12)
    years = s[s["scope"] == "year"].set_index("year")
    assert years.loc[2020, "share_cost"] == 0.5 and years.loc[2021, "share_cost"] == 0.0
    sy = s[s["scope"] == "structure_year"].set_index("year")
    assert sy.loc[2020, "share_cost"] == 1.0 and sy.loc[2021, "share_hours"] == 0.0
    proj = s[s["scope"] == "project"].set_index("project_id")
    assert proj.loc["P1", "share_cost"] == 0.25 and proj.loc["P1", "share_hours"] == 0.2
    assert proj.loc["P2", "share_cost"] == 0.0
    assert math.isnan(proj.loc["P3", "share_cost"])  # zero total: no share
    bad = a.assign(kind=["support", "primary", "support", "main", "primary", "support"])
    with pytest.raises(ValueError, match="kind"):
        vc.support_share(bad)
    with pytest.raises(ValueError, match="cost_eur"):
        vc.support_share(a.assign(cost_eur=[1.0, -1.0, 0, 0, 0, 0]))


# --------------------------------------------------------------------------- value created
def test_value_created_hand_values():
    o = pd.DataFrame(
        [
            ("P1", "beneficiaries", "social", "Ménages", 10.0, "ménages", 2020, "measured"),
            ("P1", "beneficiaries", "social", "Ménages", 12.0, "ménages", 2021, "measured"),
            ("P2", "beneficiaries", "social", "Ménages", 5.0, "ménages", 2021, "measured"),
            ("P2", "beneficiaries", "social", "Satisfaction", 4.0, "note", 2021, "declared"),
            (None, "territory", "environmental", "CO2 évité", 3.5, "t", 2021, "estimated"),
        ],
        columns=["project_id", "stakeholder_group", "value_type", "indicator", "value", "unit", "year", "evidence"],
    )
    jobs = pd.DataFrame({"project_id": ["P1", "P1", "P2"], "year": [2020, 2021, 2021], "fte": [1.5, 2.0, 0.5],
                         "headcount": [2, 3, 1], "insertion_headcount": [1, 1, 0]})
    res = vc.value_created(o, jobs)
    s = res.outcomes.set_index("indicator")
    assert s.loc["Ménages", "value_total"] == 27 and s.loc["Ménages", "value_last_year"] == 17
    assert s.loc["Ménages", "n_projects"] == 2 and s.loc["Ménages", "n_records"] == 3
    assert s.loc["CO2 évité", "n_projects"] == 0 and s.loc["CO2 évité", "evidence"] == "estimated"
    g = res.grid.set_index(["stakeholder_group", "value_type"])
    assert len(g) == 7 * 5
    b = g.loc[("beneficiaries", "social")]
    assert b["n_indicators"] == 2 and b["n_records"] == 4
    assert b["share_measured"] == 0.75 and b["share_declared"] == 0.25 and b["evidence"] == "measured"
    assert g.loc[("territory", "environmental"), "evidence"] == "estimated"
    assert g.loc[("members", "political"), "n_records"] == 0 and pd.isna(g.loc[("members", "political"), "evidence"])
    y = res.jobs_by_year.set_index("year")
    assert y.loc[2021, "fte"] == 2.5 and y.loc[2021, "headcount"] == 4 and y.loc[2021, "n_projects"] == 2
    assert y.loc[2021, "insertion_share"] == 0.25
    assert res.jobs["insertion_share"].tolist() == [0.5, 1 / 3, 0.0]
    empty = vc.value_created(None, None)
    assert empty.jobs.empty and empty.outcomes.empty and len(empty.grid) == 35


# --------------------------------------------------------------------------- regeneration
def test_regeneration_hand_values(actors):
    events = pd.DataFrame({
        "event_id": ["E1", "E2", "E3", "E4"],
        "kind": ["workshop", "territorial_event", "meeting", "workshop"],
        "project_id": ["P1", None, "P2", "P1"],
        "held_on": pd.to_datetime(["2018-05-01", "2019-10-12", "2020-03-01", "2021-06-01"]),
    })
    part = pd.DataFrame(
        [
            ("E1", "A", "participant"), ("E2", "A", "participant"),  # A: 2018, then contributes 2020
            ("E2", "B", "participant"),                                # B: same year as contribution
            ("E1", "C", "organiser"), ("E3", "C", "participant"),     # C: first involvement as organiser
            ("E3", "D", "participant"),                                # D: contributed before (2018)
            ("E4", "F", "participant"),                                # F: 2021, then 2023 to P2
            ("E2", "G", "participant"),                                # G: never contributes
            ("E1", "O", "participant"),                                # O: the organisation, excluded
        ],
        columns=["event_id", "actor_id", "role"],
    )
    contrib = pd.DataFrame(
        [
            ("P1", "A", "cash", 300.0, "eur", NAN, 2020), ("P2", "A", "volunteer_time", 10.0, "hour", NAN, 2022),
            ("P1", "B", "cash", 50.0, "eur", NAN, 2019),
            ("P2", "C", "cash", 50.0, "eur", NAN, 2021),
            ("P1", "D", "cash", 50.0, "eur", NAN, 2018), ("P1", "D", "cash", 50.0, "eur", NAN, 2021),
            ("P2", "F", "network", 1.0, "item", NAN, 2023),
            ("P1", "O", "cash", 80.0, "eur", NAN, 2020),
        ],
        columns=["project_id", "actor_id", "resource", "quantity", "unit", "value_eur", "year"],
    )
    r = vc.regeneration(vc.monetise(contrib, RATES), part, events, exclude=["O"])
    assert r["actor_id"].tolist() == ["A", "F"]
    a, f = r.iloc[0], r.iloc[1]
    assert (a["first_participation_year"], a["first_contribution_year"], a["lag_years"]) == (2018, 2020, 2)
    assert a["first_event_id"] == "E1" and a["first_project_id"] == "P1" and a["same_project"]
    assert a["n_events_before"] == 2 and a["value_eur"] == 300 + 135
    assert (f["first_participation_year"], f["first_contribution_year"], f["lag_years"]) == (2021, 2023, 2)
    assert not f["same_project"] and f["n_events_before"] == 1 and f["value_eur"] == 0
    # without exclusion, O took part in 2018 and contributed in 2020
    assert "O" in vc.regeneration(contrib, part, events)["actor_id"].tolist()
    # raw contributions: value_eur unknown
    assert vc.regeneration(contrib, part, events)["value_eur"].isna().all()
    # organisers count when asked
    assert "C" in vc.regeneration(contrib, part, events, roles=("participant", "organiser"))["actor_id"].tolist()


# --------------------------------------------------------------------------- graph and layout
def test_build_graph_conserves_euros(valued, actors):
    outcomes = pd.DataFrame({"project_id": ["P1", "P1", "P1", None], "stakeholder_group":
                             ["beneficiaries", "employees", "beneficiaries", "territory"]})
    G = vc.build_graph(valued, actors, outcomes)
    layers = {d["layer"] for _n, d in G.nodes(data=True)}
    assert layers == set(vc.LAYERS)
    for n, d in G.nodes(data=True):
        if d["layer"] in ("resource", "activity"):
            inflow = sum(G.edges[e]["value_eur"] for e in G.in_edges(n))
            outflow = sum(G.edges[e]["value_eur"] for e in G.out_edges(n))
            assert inflow == pytest.approx(outflow, abs=1e-9), n
    assert G.edges["actor:O", "resource:cash"]["value_eur"] == 1000
    assert G.edges["resource:cash", "project:P1"]["value_eur"] == 3000
    assert G.edges["resource:volunteer_time", "project:P1"]["value_eur"] == 675
    # P1 (3995 €) split equally between its two groups; P2, P3 have no outcome
    assert G.edges["project:P1", "outcome:beneficiaries"]["value_eur"] == 3995 / 2
    assert G.edges["project:P2", "outcome:undocumented"]["value_eur"] == 500
    assert "outcome:territory" not in G  # structure-level outcome: no project euros
    total = sum(d["value_eur"] for _u, _v, d in G.edges(data=True) if G.nodes[_u]["layer"] == "actor")
    assert total == 4595 == G.graph["total_eur"]
    assert G.graph["n_unvalued"] == 2
    assert "actor:D" not in G  # unvalued only: no euro flow
    assert G.nodes["actor:C"]["category"] == "citizen"

    Gc = vc.build_graph(valued, actors, outcomes, actor_level="category", organisation="O")
    assert "actor:O" in Gc and Gc.nodes["actor:O"]["organisation"]
    assert Gc.edges["category:citizen", "resource:volunteer_time"]["value_eur"] == 675
    assert Gc.nodes["category:citizen"]["n_actors"] == 2


def test_flow_layout_geometry(valued, actors):
    G = vc.build_graph(valued, actors, actor_level="category")
    lay = vc.flow_layout(G, max_nodes=3, gap=0.02)
    nodes = lay.nodes.set_index("node")
    # 4 categories with euros (enterprise gave only an unvalued item) -> 2 kept + "other"
    actor_nodes = nodes[nodes["layer"] == "actor"]
    assert len(actor_nodes) == 3 and actor_nodes.loc["other:actor", "merged"] == 2
    assert actor_nodes.index[0] == "category:local_authority"  # 2500 €, the largest, on top
    h = nodes["y1"] - nodes["y0"]
    scale = h / nodes["value_eur"]
    np.testing.assert_allclose(scale, scale.iloc[0], rtol=1e-9)
    assert nodes["y0"].min() >= -1e-12 and nodes["y1"].max() <= 1 + 1e-12
    links = lay.links
    np.testing.assert_allclose(links["s1"] - links["s0"], links["value_eur"] * scale.iloc[0], rtol=1e-9)
    for side, col0, col1 in (("source", "s0", "s1"), ("target", "t0", "t1")):
        ends = links.join(nodes[["y0", "y1"]], on=side)
        assert (ends[col0] >= ends["y0"] - 1e-12).all() and (ends[col1] <= ends["y1"] + 1e-12).all()
        # bands fill each node exactly
        filled = links.groupby(side).apply(lambda g, a=col0, b=col1: (g[b] - g[a]).sum(), include_groups=False)
        np.testing.assert_allclose(filled, h.reindex(filled.index), rtol=1e-9)


# --------------------------------------------------------------------------- bad input at validation
@pytest.mark.parametrize(
    ("row", "column", "value", "rule", "message"),
    [(3, "unit", "week", "isin", "valeur inconnue ; valeurs permises : eur, hour, day, m2, item"),
     (4, "quantity", "-10", "ge", "doit être ≥ 0")],
)
def test_bad_contributions_fail_validation(tmp_path, mini_path, row, column, value, rule, message):
    folder = tmp_path / "mini"
    shutil.copytree(mini_path, folder)
    (folder / "contributions.xlsx").unlink()
    (folder / "contributions.csv").write_text(
        "project_id,actor_id,resource,quantity,unit,value_eur,year\n"
        "P1,A01,cash,5000,eur,5000,2019\n"
        "P1,A04,volunteer_time,40,week,,2019\n"
        "P1,A02,cash,-10,eur,,2020\n",
        encoding="utf-8",
    )
    report = validate(folder)
    assert not report.ok and report.n_errors == 2
    err = report.errors.set_index("column").loc[column]
    assert (err["file"], int(err["row"]), str(err["value"]), err["rule"], err["message"]) == (
        "contributions.csv", row, value, rule, message)


# --------------------------------------------------------------------------- demo ground truth
@pytest.fixture(scope="module", params=["demo-2024", "demo-2025"])
def demo(request):
    camp = Campaign.load(request.param)
    return camp, vc.monetise(camp["contributions"], camp.monetisation)


def _r6(x: float) -> float:
    return float(round(float(x), 6))  # the generator's rounding (Python round on a float)


def test_demo_leverage_exact(demo):
    camp, valued = demo
    gt = camp.ground_truth["value_chain"]
    assert int((~valued["valued"]).sum()) == gt["n_unvalued"]
    lev = vc.leverage(valued, camp.organisation)
    overall = lev[lev["scope"] == "overall"].iloc[0]
    assert overall["organisation_eur"] == pytest.approx(gt["organisation_value_eur"], abs=1e-6)
    assert overall["others_eur"] == pytest.approx(gt["others_value_eur"], abs=1e-6)
    assert _r6(overall["leverage"]) == pytest.approx(gt["leverage_overall"], abs=1e-9)
    per = lev[lev["scope"] == "project"].set_index("project_id")
    assert per["leverage"].notna().sum() == len(gt["leverage_by_project"])
    for pid, expected in gt["leverage_by_project"].items():
        assert _r6(per.loc[pid, "leverage"]) == pytest.approx(expected, abs=1e-9), pid


def test_demo_support_share_and_jobs_exact(demo):
    camp, _ = demo
    gt = camp.ground_truth["value_chain"]
    s = vc.support_share(camp["activities"]).set_index("scope")
    assert _r6(s.loc["overall", "share_cost"]) == pytest.approx(gt["support_share_cost"], abs=1e-9)
    assert _r6(s.loc["overall", "share_hours"]) == pytest.approx(gt["support_share_hours"], abs=1e-9)
    assert _r6(s.loc["structure", "share_cost"]) == pytest.approx(gt["support_share_cost_structure"], abs=1e-9)
    jobs = vc.value_created(camp["outcomes"], camp["jobs"]).jobs_by_year.set_index("year")
    assert _r6(jobs.loc[camp.period[1], "fte"]) == pytest.approx(gt["jobs_fte_last_year"], abs=1e-9)


def test_demo_partner_diversity_and_graph(demo):
    camp, valued = demo
    planted = camp.ground_truth["pipeline"]["diversity_effect"]["n_partner_categories_by_project"]
    cc = vc.co_construction(valued, camp["actors"], exclude=[camp.organisation])
    per = cc[cc["scope"] == "project"].set_index("project_id")
    assert per["n_categories"].to_dict() == {p: int(v) for p, v in planted.items() if v > 0}
    # the hand-vectorised Shannon agrees with scipy on every project
    data = valued.merge(camp["actors"][["actor_id", "category"]], on="actor_id")
    data = data[data["actor_id"] != camp.organisation].drop_duplicates(["project_id", "actor_id"])
    ref = data.groupby("project_id")["category"].agg(lambda s: entropy(s.value_counts().to_numpy()))
    np.testing.assert_allclose(per["shannon"].reindex(ref.index), ref, atol=1e-12)
    G = vc.build_graph(valued, camp["actors"], camp["outcomes"], actor_level="category",
                       organisation=camp.organisation)
    gt = camp.ground_truth["value_chain"]
    assert G.graph["total_eur"] == pytest.approx(gt["organisation_value_eur"] + gt["others_value_eur"], abs=1e-6)
    for n, d in G.nodes(data=True):
        if d["layer"] == "resource":
            inflow = sum(G.edges[e]["value_eur"] for e in G.in_edges(n))
            assert inflow == pytest.approx(sum(G.edges[e]["value_eur"] for e in G.out_edges(n)), abs=1e-6)


# --------------------------------------------------------------------------- notebook
@pytest.mark.slow
def test_notebook_records_the_ground_truth(tmp_path):
    """Execute notebooks/10_value_chain.ipynb on demo-2025 (a chosen project) and read its results."""
    import papermill as pm

    from rd_methods import results
    from rd_methods.disclosure import personal_names
    from rd_methods.paths import notebooks_dir

    camp = Campaign.load("demo-2025")
    gt = camp.ground_truth["value_chain"]
    out = tmp_path / "10_value_chain.ipynb"
    pm.execute_notebook(str(notebooks_dir() / "10_value_chain.ipynb"), str(out), kernel_name="rd-methods",
                        parameters={"campaign": "demo-2025", "project": "P00003"}, progress_bar=False)
    rec = results.collect(out).set_index("key")["value"]
    assert _r6(rec["value_chain.leverage_overall"]) == pytest.approx(gt["leverage_overall"], abs=1e-9)
    assert _r6(rec["value_chain.support_share_cost"]) == pytest.approx(gt["support_share_cost"], abs=1e-9)
    assert rec["value_chain.jobs_fte_last_year"] == pytest.approx(gt["jobs_fte_last_year"], abs=1e-9)
    assert rec["value_chain.unvalued_contributions"] == gt["n_unvalued"]
    assert rec["value_chain.total_contributions_eur"] == pytest.approx(
        gt["organisation_value_eur"] + gt["others_value_eur"], abs=1e-6)
    assert rec["value_chain.n_contributing_actors"] == camp["contributions"]["actor_id"].nunique()
    assert rec["value_chain.regenerating_actors"] > 0
    text = out.read_text(encoding="utf-8")
    assert "P00003" in text
    leaked = [n for n in personal_names(camp["actors"]) if n in text]
    assert not leaked, leaked[:3]


KEYS = ["value_chain.total_contributions_eur", "value_chain.n_contributing_actors", "value_chain.unvalued_contributions",
        "value_chain.leverage_overall", "value_chain.support_share_cost", "value_chain.jobs_fte_last_year",
        "value_chain.regenerating_actors"]


def _analyse(camp, **drop):
    tables = {t: camp.tables.get(t) for t in ("activities", "outcomes", "jobs", "participations", "events")}
    tables.update(drop)
    return vc.analyse(camp["contributions"], camp["actors"], organisation=camp.organisation, last_year=camp.period[1],
                      monetisation=camp.monetisation, **tables)


def test_demo_key_results_equal_the_ground_truth(demo):
    """The recorded figures of 10_value_chain (one row per key) against the generator's planted values."""
    camp, valued = demo
    gt = camp.ground_truth["value_chain"]
    keys = vc.key_results(_analyse(camp), camp.period)
    assert keys["key"].tolist() == KEYS
    assert {"key", "value", "label", "unit", "ci_low", "ci_high", "note"} <= set(keys.columns)
    value = keys.set_index("key")["value"]
    assert value["value_chain.total_contributions_eur"] == pytest.approx(
        gt["organisation_value_eur"] + gt["others_value_eur"], abs=1e-6)
    assert _r6(value["value_chain.leverage_overall"]) == pytest.approx(gt["leverage_overall"], abs=1e-9)
    assert _r6(value["value_chain.support_share_cost"]) == pytest.approx(gt["support_share_cost"], abs=1e-9)
    assert _r6(value["value_chain.jobs_fte_last_year"]) == pytest.approx(gt["jobs_fte_last_year"], abs=1e-9)
    assert value["value_chain.unvalued_contributions"] == gt["n_unvalued"]
    assert value["value_chain.n_contributing_actors"] == camp["contributions"]["actor_id"].nunique()
    regen = vc.regeneration(valued, camp["participations"], camp["events"], exclude=[camp.organisation])
    assert value["value_chain.regenerating_actors"] == len(regen) > 0
    assert keys["label"].str.len().gt(0).all()
    assert "%" in keys.set_index("key").loc["value_chain.support_share_cost", "note"]  # hours share as a percentage


def test_key_results_leave_out_what_the_campaign_lacks():
    camp = Campaign.load("demo-2024")
    keys = vc.key_results(_analyse(camp, activities=None, jobs=None, participations=None), camp.period)
    assert keys["key"].tolist() == KEYS[:4]


def test_analysis_jobs_of_a_year_without_rows_are_zero():
    camp = Campaign.load("demo-2024")
    a = _analyse(camp)
    a.last_year = 2099
    assert a.jobs_last_year().tolist() == [0, 0, 0, 0]
    assert vc.key_results(a, camp.period).set_index("key").loc["value_chain.jobs_fte_last_year", "value"] == 0.0
